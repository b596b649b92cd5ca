"""Writing and reading a processed data set: one UTF-8 CSV per table plus ``datapackage.json``.

Writes go to a temporary folder beside the target that replaces it only when complete, so a failed run
leaves the previous data set exactly as it was. Reads check the descriptor, the CSV syntax and every cell
against the table contract, and name the file and line of the first thing that cannot be trusted."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
from pathlib import Path

import pandas as pd

from .. import vocabulary
from ..atomic import clean_leftovers, is_leftover, make_temp_dir, remove_tree, replace_dir
from ..errors import InputError, ValidationFailed
from .schemas import cell_problem
from .tables import TABLES, Table, coerce

PACKAGE_NAME = "citynet-secretariat-budget"


def table_schema(table: Table) -> dict:
    """The frictionless Table Schema of one table."""
    fields = []
    for f in table.fields:
        d: dict = {"name": f.name, "type": f.type, "description": f.description}
        constraints: dict = {}
        if f.required:
            constraints["required"] = True
        if f.enum:
            constraints["enum"] = list(f.enum)
        if f.minimum is not None:
            constraints["minimum"] = f.minimum
        if f.maximum is not None:
            constraints["maximum"] = f.maximum
        if f.pattern:
            constraints["pattern"] = f.pattern
        if constraints:
            d["constraints"] = constraints
        if f.unit:
            d["unit"] = f.unit
            d["currency"] = f.unit
            d["columnType"] = "value"  # Fiscal Data Package: a measure
        if f.phase:
            d["phaseId"] = f.phase
            if vocabulary.fdp_phase(f.phase):
                d["phase"] = vocabulary.fdp_phase(f.phase)
        if f.name == "fiscal_year":
            d["columnType"] = "date:fiscal-year"
        fields.append(d)
    schema: dict = {"fields": fields, "missingValues": [""]}
    if table.primary_key:
        schema["primaryKey"] = list(table.primary_key)
    return schema


def measures() -> dict[str, dict]:
    """The Fiscal Data Package model's measures: the money columns that are a phase of the budget (the
    approved budget, the final budget, the executed amount), each with its currency, factor (amounts are
    stored in won, so 1; the factor applied to what a document stated is ``documents.unit_factor``),
    direction and phase. Restated amounts (a basis line in 원, a formula) and the parts of a settlement's
    identities (carried over, unspent, ...) are not measures: summing them would count money twice."""
    out = {}
    for table in TABLES.values():
        for f in table.fields:
            phase = f.phase or (table.phase if f.name == "amount_krw" else None)
            if f.unit and phase and vocabulary.fdp_phase(phase):
                out[f"{table.name}.{f.name}"] = dict(resource=table.name, source=f.name, currency=f.unit, factor=1,
                                                     direction="expenditure", phase=vocabulary.fdp_phase(phase),
                                                     phase_id=phase)
    return out


def fiscal_period(tables: dict[str, pd.DataFrame]) -> dict | None:
    """The span of the fiscal years any table states a fact about (the calendar years, in Korea), as
    ``{"start": …, "end": …}``; None for a data set without any."""
    years = [int(y) for df in tables.values() if df is not None and "fiscal_year" in df for y in df["fiscal_year"].dropna()]
    if not years:
        return None
    return {"start": f"{min(years):04d}-01-01", "end": f"{max(years):04d}-12-31"}


def _programs(tables: dict[str, pd.DataFrame]) -> str:
    docs = tables.get("documents")
    if docs is None or not len(docs):
        return "none"
    return ", ".join(f"{p} ({name})" for p, name in sorted(dict(zip(docs["program_id"], docs["program_ko"],
                                                                     strict=True)).items()))


def datapackage(tables: dict[str, pd.DataFrame]) -> dict:
    """The ``datapackage.json`` descriptor: a resource with its Table Schema per CSV, and the Fiscal Data
    Package facts that hold for every amount (currency, direction, fiscal period, measures and phases)."""
    period = fiscal_period(tables)
    return {
        "name": PACKAGE_NAME,
        "title": "Seoul Metropolitan Government support for international secretariats (CityNet and sibling "
                 "programs): budget documents as tables",
        "description": "Parsed from the city's budget program explanations (사업설명서); every amount is an "
                       "integer number of won (KRW); every row names its program, document and source line. "
                       f"Programs: {_programs(tables)}.",
        "currency": "KRW",
        "countryCode": "KR",
        **({"fiscalPeriod": period} if period else {}),
        "model": {"measures": measures()},
        "resources": [
            {
                "name": name,
                "path": f"{name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": TABLES[name].description,
                "schema": table_schema(TABLES[name]),
            }
            for name in TABLES
            if name in tables
        ],
    }


def dataset_target_problem(out: Path, inputs: tuple[Path, ...] = ()) -> str | None:
    """Why ``out`` may not receive a data set, or None: it must be new, empty, or hold a data set that
    ingest wrote (our ``datapackage.json`` and table CSVs, nothing else), and hold none of the inputs."""
    out_abs = Path(os.path.abspath(out))
    for doc in inputs:
        doc_abs = Path(os.path.abspath(doc))
        if doc_abs == out_abs or out_abs in doc_abs.parents:
            return f"holds the input document {doc}; choose another output folder"
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        return "exists and is not a folder"
    blocking = next((p for p in out.parents if p.exists() or p.is_symlink()), None)
    if blocking is not None and not blocking.is_dir():
        return f"{blocking} is not a folder"
    if not out.exists():
        return None
    entries = [e for e in out.iterdir() if not is_leftover(e.name)]
    if not entries:
        return None
    ours = {f"{name}.csv" for name in TABLES} | {"datapackage.json"}
    foreign = sorted(e.name for e in entries if e.name not in ours or not e.is_file() or e.is_symlink())
    if foreign:
        return (f"is not a data set written by ingest (it holds {', '.join(foreign[:3])}"
                f"{' …' if len(foreign) > 3 else ''}); choose a new or empty folder")
    try:
        name = json.loads((out / "datapackage.json").read_text(encoding="utf-8")).get("name")
    except (OSError, ValueError, AttributeError):
        name = None
    if name != PACKAGE_NAME:
        return "is not a data set written by ingest (no datapackage.json of ours); choose a new or empty folder"
    return None


def write_dataset(tables: dict[str, pd.DataFrame], out_dir: str | Path, inputs: tuple = ()) -> None:
    """Write every table and the descriptor into ``out_dir``, replacing it whole and only when complete.

    Refuses (InputError) a target that is a file, a folder holding anything but an earlier data set of
    ours, or a folder holding one of the ``inputs``: those are left exactly as they were."""
    out = Path(os.path.abspath(out_dir))
    problem = dataset_target_problem(out, tuple(Path(p) for p in inputs))
    if problem:
        raise InputError("--out", f"{out}: {problem}")
    try:
        clean_leftovers(out.parent, {out.name})
        tmp = make_temp_dir(out)
    except OSError as exc:
        raise InputError("--out", f"{out}: cannot write there ({exc.strerror or exc})") from None
    try:
        for name in TABLES:
            tables[name].to_csv(tmp / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\n")
        text = json.dumps(datapackage(tables), ensure_ascii=False, indent=2) + "\n"
        (tmp / "datapackage.json").write_text(text, encoding="utf-8")
        replace_dir(tmp, out)
    except OSError as exc:
        raise InputError("--out", f"{out}: cannot write there ({exc.strerror or exc})") from None
    finally:
        if tmp.exists():
            remove_tree(tmp)


def read_dataset(data_dir: str | Path) -> dict[str, pd.DataFrame]:
    """Every table of a processed data set, with the contract's dtypes, after checking it can be trusted:
    ``datapackage.json`` describes our tables, every CSV parses and every cell keeps the table contract.

    A file that cannot be read raises InputError (file and line); cells that break the contract raise
    ValidationFailed with one ``file:line: problem`` per cell, so bad data is never analysed."""
    d = Path(data_dir)
    check_descriptor(d)
    out, problems = {}, []
    for name, spec in TABLES.items():
        df, found = read_table(d / f"{name}.csv", spec)
        out[name] = df
        problems += found
    if problems:
        raise ValidationFailed(problems)
    return out


def check_descriptor(data_dir: Path) -> None:
    """``datapackage.json`` is JSON whose resources are exactly our tables, each with the Table Schema
    this version writes (descriptions aside), and every file it names exists. Raises InputError."""
    path = data_dir / "datapackage.json"
    if not data_dir.is_dir():
        what = "not a folder" if data_dir.exists() else "no such folder"
        raise InputError(str(data_dir), f"not a processed data set: {what}")
    if not path.is_file():
        raise InputError(str(data_dir),
                         "not a processed data set (no datapackage.json); run `citynet-analysis ingest`")
    text = _read_text(path)
    try:
        desc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(str(path), f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    except (ValueError, RecursionError) as exc:  # an integer of thousands of digits, deep nesting
        reason = str(exc).split(":")[0] or "nested too deeply"
        raise InputError(str(path), f"not valid JSON: {reason}") from None
    resources = desc.get("resources") if isinstance(desc, dict) else None
    if not isinstance(resources, list) or not all(isinstance(r, dict) for r in resources):
        raise InputError(str(path), "not a data package: expected an object with a list of resources")
    expected = {r["name"]: r for r in datapackage(dict.fromkeys(TABLES))["resources"]}
    names = [r.get("name") for r in resources]
    for name in names:
        if not isinstance(name, str):
            raise InputError(str(path), f"a resource has no name (name is {_short(name)})")
        if name not in expected:
            raise InputError(str(path), f"resource {name!r} is not a table of this data set "
                             f"(expected {', '.join(expected)})", _line_of(text, name))
        if names.count(name) > 1:
            raise InputError(str(path), f"resource {name!r} appears {names.count(name)} times",
                             _line_of(text, name))
    missing = [n for n in expected if n not in names]
    if missing:
        raise InputError(str(path), f"no resource for table(s) {', '.join(missing)}")
    for res in resources:
        want = expected[res["name"]]
        diff = _difference({k: res.get(k) for k in want if k != "description"},
                           {k: v for k, v in want.items() if k != "description"})
        if diff:
            raise InputError(str(path), f"resource {res['name']!r}: {diff}; re-run `citynet-analysis ingest`",
                             _line_of(text, res["name"]))
    for name in expected:
        if not (data_dir / f"{name}.csv").is_file():
            raise InputError(str(data_dir / f"{name}.csv"), "missing table (named in datapackage.json)")


def _difference(actual, expected, where: str = "") -> str | None:
    """The first place where ``actual`` differs from ``expected`` (descriptions ignored), or None."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key, want in expected.items():
            if key == "description":
                continue
            if key not in actual:
                return f"{where}{key} is missing"
            found = _difference(actual[key], want, f"{where}{key}.")
            if found:
                return found
        extra = [k for k in actual if k not in expected and k != "description"]
        return f"{where}{extra[0]} is not expected" if extra and where else None
    if isinstance(expected, list) and isinstance(actual, list):
        for i, (a, e) in enumerate(zip(actual, expected, strict=False)):
            found = _difference(a, e, f"{where.rstrip('.')}{_label(e, i)}.")
            if found:
                return found
        if len(actual) != len(expected):
            return f"{where.rstrip('.')} has {len(actual)} entries, expected {len(expected)}"
        return None
    if type(actual) is not type(expected) or actual != expected:
        return f"{where.rstrip('.')} is {_short(actual)}, expected {_short(expected)}"
    return None


def _label(item, index: int) -> str:
    """A list entry's name for messages: its ``name`` where it has one, else its position."""
    return f"[{item['name']}]" if isinstance(item, dict) and "name" in item else f"[{index}]"


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _line_of(text: str, name) -> int | None:
    """The line of ``"name": "<name>"`` in a JSON text, to point messages at a resource."""
    if not isinstance(name, str):
        return None
    m = re.search(r'"name"\s*:\s*' + re.escape(json.dumps(name, ensure_ascii=False)), text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _read_text(path: Path) -> str:
    """A file's UTF-8 text (a BOM is dropped). Raises InputError naming the line of a bad byte."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    if b"\0" in data:
        at = data.index(b"\0")
        raise InputError(str(path), "binary data (a NUL byte), not text", data.count(b"\n", 0, at) + 1)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"not UTF-8 text (byte 0x{data[exc.start]:02x})",
                         data.count(b"\n", 0, exc.start) + 1) from None


def read_table(path: Path, spec: Table) -> tuple[pd.DataFrame | None, list[str]]:
    """One table and the ``file:line`` problems of its cells (the DataFrame is None when there are any).

    Raises InputError when the file is not a CSV with the table's header and rows of the same width."""
    header, rows, lines = _csv_rows(path, _read_text(path))
    _check_header(path, header, spec)
    width = len(header)
    for row, line in zip(rows, lines, strict=True):
        if len(row) != width:
            fields = f"{len(row)} field{'s' * (len(row) != 1)}"
            raise InputError(str(path), f"{fields}, the header has {width}", line)
    columns, problems = {}, []
    for j, f in enumerate(spec.fields):
        columns[f.name] = [_cell(f, row[j], line, problems)
                           for row, line in zip(rows, lines, strict=True)]
    problems += _duplicate_keys(spec, columns, lines)
    if problems:
        return None, [str(InputError(str(path), message, line)) for line, message in sorted(problems, key=lambda p: p[0])]
    return coerce(pd.DataFrame(columns, columns=spec.columns, dtype=object), spec.name), []


def _csv_rows(path: Path, text: str) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, data rows and the line each row starts on; blank lines are skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, lines, start = [], [], 1
    try:
        for row in reader:
            if row:
                rows.append(row)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(str(path), f"not a valid CSV: {exc}", reader.line_num) from None
    if not rows:
        raise InputError(str(path), "empty file (no header row)")
    return rows[0], rows[1:], lines[1:]


def _check_header(path: Path, header: list[str], spec: Table) -> None:
    """The header names the table's columns, in order. Raises InputError at line 1."""
    if header == spec.columns:
        return
    twice = sorted({c for c in header if header.count(c) > 1})
    missing = [c for c in spec.columns if c not in header]
    extra = [c for c in header if c not in spec.columns]
    if twice:
        what = f"column(s) {', '.join(map(repr, twice))} appear more than once"
    elif missing or extra:
        what = "; ".join(filter(None, [missing and f"missing column(s) {', '.join(missing)}",
                                       extra and f"unexpected column(s) {', '.join(map(repr, extra))}"]))
    else:
        what = f"columns out of order, expected {', '.join(spec.columns)}"
    raise InputError(str(path), f"header does not match the table contract: {what}", 1)


def _cell(field, text: str, line: int, problems: list[tuple[int, str]]):
    """One cell as a Python value ('' is missing); its problem, if any, is appended to ``problems``."""
    try:
        value = parse_value(field, text)
        problem = cell_problem(field, value)
    except ValueError as exc:
        value, problem = None, str(exc)
    if problem:
        problems.append((line, problem))
    return value


_INTEGER = re.compile(r"[+-]?[0-9]+")
_INT64 = (-(2**63), 2**63 - 1)


def parse_value(field, text: str):
    """A CSV cell as the field's Python value: None, int (within int64), float or str. Raises ValueError."""
    if text == "":
        return None
    if field.type == "integer":
        if not _INTEGER.fullmatch(text):
            raise ValueError(f"{field.name} {_short(text)} is not an integer")
        if len(text.lstrip("+-0")) > 19 or not _INT64[0] <= int(text) <= _INT64[1]:
            raise ValueError(f"{field.name} {text[:30]}{'...' if len(text) > 30 else ''} is out of range "
                             "(a 64-bit integer)")
        return int(text)
    if field.type == "number":
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"{field.name} {_short(text)} is not a number") from None
    return text


def _duplicate_keys(spec: Table, columns: dict[str, list], lines: list[int]) -> list[tuple[int, str]]:
    """(line, problem) for each row whose primary key an earlier row already has."""
    if not spec.primary_key:
        return []
    seen: dict[tuple, int] = {}
    out = []
    for i, key in enumerate(zip(*(columns[c] for c in spec.primary_key), strict=True)):
        if None in key:
            continue
        if key in seen:
            shown = ", ".join(f"{c}={_short(v)}" for c, v in zip(spec.primary_key, key, strict=True))
            out.append((lines[i], f"duplicate key {shown} (first on line {seen[key]})"))
        else:
            seen[key] = lines[i]
    return out
