"""From raw documents to one validated data set: parse each, check its identities, merge, run the schemas."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from .. import vocabulary
from ..dataset import checks
from ..dataset.schemas import schema_errors
from ..dataset.tables import TABLES, to_frame
from ..errors import InputError, ValidationFailed
from .line_items import classify_line_items
from .merge import MERGE_RULES, budget_units, merge_table
from .parser import Parsed, parse_document
from .textio import read_document, text_sha256

RAW_SUFFIXES = (".txt",)


def raw_documents(raw_dir: str | Path) -> list[Path]:
    """Every document in a raw folder, in name order."""
    return sorted(p for p in Path(raw_dir).iterdir() if p.is_file() and p.suffix.lower() in RAW_SUFFIXES)


def source_name(path: str | Path, relative_to: str | Path) -> str:
    """The raw file as recorded: relative to the output folder when it sits beside it (``../raw/x.txt``),
    else its bare name, so no absolute location ever lands in the output."""
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(relative_to)).replace(os.sep, "/")
    return rel if not rel.startswith("../../") else Path(path).name


def document_tables(parsed: Parsed, document_id: str, program_id: str,
                    source: str) -> tuple[dict[str, pd.DataFrame], list[dict]]:
    """One document's frames (with document_id, program_id and the phase of their amounts) and every
    anomaly its checks find; ``source`` (the file) names it in errors."""
    tables = dict(parsed.tables, line_items=classify_line_items(parsed.tables["line_items"], source))
    frames = {name: to_frame([dict(r, document_id=document_id, program_id=program_id, phase=TABLES[name].phase)
                              for r in rows], name)
              for name, rows in tables.items()}
    doc = parsed.document
    summary = pd.DataFrame(parsed.summary)
    found = list(parsed.anomalies)
    found += checks.check_budget_summary(summary, doc["total_krw"], doc["source_line"], doc["fiscal_year"])
    found += checks.check_line_items(frames["line_items"], doc["total_krw"], doc["source_line"],
                                     frames["budget_totals"])
    found += checks.check_settlements(frames["settlements"])
    found += checks.check_schedule(frames["schedule"], parsed.schedule_total, doc["total_krw"], doc["source_line"],
                                   doc["fiscal_year"])
    found += checks.check_congress_dates(frames["milestones"], frames["activities"])
    return frames, [dict(a, document_id=document_id, program_id=program_id) for a in found]


def fiscal_metadata(fiscal_year: int) -> dict:
    """What every amount of a document is (Fiscal Data Package): expenditure in won, over the fiscal year,
    which in Korea is the calendar year (국가재정법 제2조)."""
    return dict(fiscal_period_start=f"{fiscal_year:04d}-01-01", fiscal_period_end=f"{fiscal_year:04d}-12-31",
                direction="expenditure", currency="KRW")


def build_dataset(paths: list[str | Path], relative_to: str | Path,
                  strict: bool = False) -> dict[str, pd.DataFrame]:
    """Parse, check and merge documents (oldest fiscal year first; the newer wins). A broken identity of a
    document (a sum, a settlement identity, a formula) is an ``error`` anomaly and the figures stay as
    printed; with ``strict`` it raises ValidationFailed instead. Raises InputError for a document that
    cannot be read, and for two documents of one program and fiscal year (which one holds would depend on
    the order they are named in)."""
    parsed, seen = [], {}
    first = {os.path.abspath(p): i for i, p in reversed(list(enumerate(paths)))}
    for path in (p for i, p in enumerate(paths) if first[os.path.abspath(p)] == i):  # a path named twice: once
        text = read_document(path)
        doc = parse_document(text, str(path))
        program_id = vocabulary.program_id(doc.document["program_ko"])
        fiscal_year = doc.document["fiscal_year"]
        if (program_id, fiscal_year) in seen:
            raise InputError(str(path), f"a second document for program {program_id} and fiscal {fiscal_year} "
                             f"(the first is {seen[program_id, fiscal_year]}): ingest one of them")
        seen[program_id, fiscal_year] = str(path)
        parsed.append((fiscal_year, program_id, path, doc, text_sha256(text), source_name(path, relative_to)))
    parsed.sort(key=lambda t: (t[0], t[1]))

    documents, per_table, anomalies, errors = [], {n: [] for n in MERGE_RULES}, [], []
    files: dict[str, str] = {}
    for fiscal_year, program_id, path, doc, sha, source in parsed:
        document_id = f"{program_id}-fy{fiscal_year}"
        files[document_id] = str(path)
        documents.append(dict(doc.document, **fiscal_metadata(fiscal_year), document_id=document_id,
                              program_id=program_id, source_file=source, sha256=sha))
        frames, found = document_tables(doc, document_id, program_id, str(path))
        if vocabulary.known_program(doc.document["program_ko"]) is None:
            found.append(dict(document_id=document_id, program_id=program_id, source_line=None, severity="info",
                              check="unknown_program", **vocabulary.anomaly_text(
                                  "unknown_program", name=doc.document["program_ko"], program_id=program_id)))
        for name, frame in frames.items():
            per_table[name].append(frame)
        for a in found:
            if a["severity"] == "error":
                where = f"{path}:{a['source_line']}" if a["source_line"] else str(path)
                errors.append(f"{where}: {a['message']}")
        anomalies.extend(found)
    if errors and strict:
        raise ValidationFailed(errors)

    per_table["line_items"], revisions = budget_units(per_table["budget_totals"], per_table["line_items"])
    anomalies.extend(revisions)
    tables = {"documents": to_frame(documents, "documents")}
    for name, frames in per_table.items():
        merged, revisions = merge_table(name, frames)
        tables[name] = to_frame(merged.to_dict("records"), name) if len(merged) else to_frame([], name)
        anomalies.extend(revisions)
    tables = {name: sort_table(name, df) for name, df in tables.items()}
    tables["anomalies"] = to_frame(anomalies, "anomalies")
    problems = schema_errors(tables)
    if problems:
        raise ValidationFailed([locate(p, files) for p in problems])
    return tables


_WHERE = re.compile(r"\s*\(line (\d+) of ([^)\s]+)\)")


def locate(problem: str, files: dict[str, str]) -> str:
    """A schema problem as ``file:line: message``: its ``(line N of document_id)`` note becomes the file
    and line; a problem without one names every file read."""
    m = _WHERE.search(problem)
    if m and m.group(2) in files:
        return f"{files[m.group(2)]}:{m.group(1)}: {_WHERE.sub('', problem, count=1)}"
    return f"{', '.join(dict.fromkeys(files.values()))}: {problem}"


_SORT = {
    "documents": ["program_id", "fiscal_year", "document_id"],
    "budget_totals": ["program_id", "fiscal_year", "document_id", "source_line"],
    "line_items": ["program_id", "fiscal_year", "document_id", "source_line"],
    "settlements": ["program_id", "fiscal_year"],
    "activities": ["program_id", "fiscal_year", "document_id", "source_line", "activity_id"],
    "milestones": ["program_id", "date", "document_id", "source_line"],
    "schedule": ["program_id", "fiscal_year", "document_id", "source_line"],
}


def sort_table(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """A deterministic row order, so the same input always gives byte-identical CSVs."""
    if name not in _SORT or df.empty:
        return df
    return df.sort_values(_SORT[name], kind="stable").reset_index(drop=True)
