"""Fuzz: broken copies of the processed data set through the real command line, in process.

Each example copies data/processed, applies one to three random mutations (cells set to huge, negative,
empty or textual values, non-UTF-8 bytes or NUL; rows and columns deleted, duplicated or swapped; headers
renamed; files truncated, emptied or deleted; datapackage.json corrupted as text or as JSON) and runs
``validate``, ``years`` and ``summary``. Every outcome must be exit 0 on data that really passes the
pandera schemas (and, for ``validate``, the identities), or exit 2 with a few lines naming a file of the
data set and no traceback; nothing in the folder may change.

``CITYNET_FUZZ_EXAMPLES`` sets the number of examples (default 15), ``CITYNET_FUZZ_SEED`` the seed."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import random
import shutil
from collections import Counter
from pathlib import Path

import pytest

from citynet_analysis import load
from citynet_analysis.cli import main
from citynet_analysis.dataset.schemas import schema_errors
from citynet_analysis.dataset.tables import ACTIVITY_CATEGORIES, TABLES
from citynet_analysis.dataset.validate import dataset_errors

from ..conftest import PROCESSED

EXAMPLES = int(os.environ.get("CITYNET_FUZZ_EXAMPLES", "15"))
SEED = int(os.environ.get("CITYNET_FUZZ_SEED", "20240"))
COMMANDS = ("validate", "years", "summary")
FILES = [f"{name}.csv" for name in TABLES] + ["datapackage.json"]


def _odd_value(rng: random.Random, old: str) -> str:
    """A replacement cell: huge, negative, empty, textual, malformed, or a near miss of the old value."""
    choices = [
        lambda: "9" * rng.randint(19, 45),
        lambda: str(rng.choice([2**63, 2**63 - 1, -(2**63), -(2**63) - 1, 2**64, 10**18])),
        lambda: str(-rng.randint(1, 10**12)),
        lambda: "",
        lambda: rng.choice([" ", "\t", "abc", "한글", "nan", "NaN", "None", "NULL", "inf", "-inf", "1e3", "1.5",
                            "0x10", "1_000", "+5", "-0", "０１", "٣", "1,000", "2024-13", "2024-1", "24-01",
                            "'", '"', "=1+1", "\\", "\r", "\n", "a\nb", "x" * 70000, "\u2028", "\ufeff"]),
        lambda: str(rng.randint(-3, 13)),
        lambda: str(rng.choice([1899, 1900, 2020, 2024, 2999, 3000])),
        lambda: rng.choice(ACTIVITY_CATEGORIES + ("error", "warning", "info", "Webinar")),
        lambda: old + old,
        lambda: old[: len(old) // 2],
        lambda: str(int(old) + rng.choice([-1, 1, 1000, -10**9])) if old.lstrip("-").isdigit() else old + "x",
    ]
    return rng.choice(choices)()


def _read_rows(path: Path) -> list[list[str]] | None:
    """The CSV's rows, or None when an earlier mutation made it unreadable (then bytes are mutated)."""
    try:
        return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    except (OSError, UnicodeDecodeError, csv.Error):
        return None


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _cell(rng, path, rows):
    r = rng.randrange(len(rows))
    if not rows[r]:
        return "blank row"
    c = rng.randrange(len(rows[r]))
    rows[r][c] = _odd_value(rng, rows[r][c])
    _write_rows(path, rows)
    return f"cell {r + 1}:{c + 1} = {rows[r][c][:40]!r}"


def _swap_cells(rng, path, rows):
    if len(rows) < 3:
        return "swap: too few rows"
    a, b = rng.sample(range(1, len(rows)), 2)
    c = rng.randrange(min(len(rows[a]), len(rows[b])) or 1)
    if c < min(len(rows[a]), len(rows[b])):
        rows[a][c], rows[b][c] = rows[b][c], rows[a][c]
    _write_rows(path, rows)
    return f"swap column {c + 1} of rows {a + 1}, {b + 1}"


def _rows_op(rng, path, rows):
    kind = rng.choice(["delete", "duplicate", "only_header", "move", "short", "long"])
    r = rng.randrange(len(rows))
    if kind == "delete":
        del rows[r]
    elif kind == "duplicate":
        rows.insert(r, list(rows[r]))
    elif kind == "only_header":
        del rows[1:]
    elif kind == "move":
        rows.insert(rng.randrange(len(rows)), rows.pop(r))
    elif kind == "short" and rows[r]:
        rows[r].pop()
    else:
        rows[r].append("extra")
    _write_rows(path, rows)
    return f"rows {kind} {r + 1}"


def _columns_op(rng, path, rows):
    width = max(len(r) for r in rows)
    c, d = rng.randrange(width), rng.randrange(width)
    kind = rng.choice(["delete", "duplicate", "swap", "rename", "rename_to_other"])
    for i, row in enumerate(rows):
        if c >= len(row) or d >= len(row):
            continue
        if kind == "delete":
            del row[c]
        elif kind == "duplicate":
            row.insert(c, row[c])
        elif kind == "swap":
            row[c], row[d] = row[d], row[c]
        elif i == 0:
            row[c] = row[d] if kind == "rename_to_other" else row[c] + "_x"
    _write_rows(path, rows)
    return f"columns {kind} {c + 1} {d + 1}"


def _bytes_op(rng, path):
    if not path.is_file():
        return f"{path.name} already gone"
    data = path.read_bytes()
    kind = rng.choice(["truncate", "insert", "flip", "ff", "nul", "crlf", "bom", "blank_lines", "empty",
                       "delete", "directory", "garbage", "cp949"])
    at = rng.randrange(len(data) + 1)
    if kind == "delete":
        path.unlink()
        return f"{path.name} deleted"
    if kind == "directory":
        path.unlink()
        path.mkdir()
        return f"{path.name} is a folder"
    new = {
        "truncate": lambda: data[:at],
        "insert": lambda: data[:at] + rng.randbytes(rng.randint(1, 8)) + data[at:],
        "flip": lambda: data[:at] + bytes([rng.randrange(256)]) + data[at + 1:],
        "ff": lambda: data[:at] + b"\xff" + data[at:],
        "nul": lambda: data[:at] + b"\x00" + data[at:],
        "crlf": lambda: data.replace(b"\n", b"\r\n"),
        "bom": lambda: b"\xef\xbb\xbf" + data,
        "blank_lines": lambda: data.replace(b"\n", b"\n\n", rng.randint(1, 5)),
        "empty": lambda: b"",
        "garbage": lambda: rng.randbytes(rng.randint(1, 3000)),
        "cp949": lambda: data.decode("utf-8", "replace").encode("cp949", "replace"),
    }[kind]()
    path.write_bytes(new)
    return f"{path.name} bytes {kind} at {at}"


def _json_op(rng, path):
    try:
        desc = json.loads(path.read_text(encoding="utf-8"))
        resources = desc["resources"]
        res = rng.choice(resources)
        fields = res["schema"]["fields"] if isinstance(res.get("schema"), dict) else [{}]
        field = rng.choice(fields)
        assert isinstance(field, dict) and isinstance(resources, list)
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, AssertionError,
            RecursionError):
        return _bytes_op(rng, path)  # an earlier mutation left no JSON structure to edit
    kind = rng.choice(["drop_resource", "dup_resource", "rename", "path", "path_escape", "type", "required",
                       "minimum", "drop_schema", "resources_not_list", "not_object", "enum", "primary_key",
                       "extra_key", "encoding", "description", "deep", "huge_int", "reorder"])
    if kind == "drop_resource":
        resources.remove(res)
    elif kind == "dup_resource":
        resources.append(res)
    elif kind == "rename":
        res["name"] = rng.choice(["x", res["name"] + "s", 5, None, [res["name"]], {}])
    elif kind == "path":
        res["path"] = rng.choice(list(TABLES)) + ".csv"
    elif kind == "path_escape":
        res["path"] = rng.choice(["../" + res["path"], "/etc/passwd", "http://example.com/a.csv", ""])
    elif kind == "type" and field:
        field["type"] = rng.choice(["string", "integer", "number", "date", 7])
    elif kind == "required" and field:
        field.setdefault("constraints", {})["required"] = rng.choice([True, False, "yes"])
    elif kind == "minimum" and field:
        field.setdefault("constraints", {})["minimum"] = rng.choice([-1, 0, 10**30, "0"])
    elif kind == "drop_schema":
        res.pop("schema", None)
    elif kind == "resources_not_list":
        desc["resources"] = rng.choice([{}, "x", None, 1])
    elif kind == "not_object":
        desc = rng.choice([[], "x", 1, None])
    elif kind == "enum" and field:
        field.setdefault("constraints", {})["enum"] = ["a"]
    elif kind == "primary_key" and isinstance(res.get("schema"), dict):
        res["schema"]["primaryKey"] = rng.choice([[], ["nope"], "x"])
    elif kind == "extra_key":
        res["hash"] = "sha256:0"
    elif kind == "encoding":
        res["encoding"] = "latin-1"
    elif kind == "description":
        res["description"] = "changed"
    elif kind == "reorder":
        rng.shuffle(resources)
    elif kind == "deep":
        path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
        return "datapackage deep nesting"
    elif kind == "huge_int":
        path.write_text('{"resources": [], "n": ' + "1" * 5000 + "}", encoding="utf-8")
        return "datapackage huge integer"
    path.write_text(json.dumps(desc, ensure_ascii=False, indent=rng.choice([None, 2])), encoding="utf-8")
    return f"datapackage {kind} ({res.get('name') if isinstance(res, dict) else '?'})"


def _extra(rng, folder):
    """Something that is not ours in the folder: a folder named like a CSV, a stray file."""
    kind = rng.choice(["folder", "file", "binary"])
    if kind == "folder":
        (folder / "notes.csv").mkdir(exist_ok=True)
    else:
        (folder / "extra.csv").write_bytes(b"a,b\n1,2\n" if kind == "file" else rng.randbytes(100))
    return f"extra {kind}"


def mutate(folder: Path, rng: random.Random) -> list[str]:
    """Apply one to three mutations to the data set in ``folder``; returns what was done."""
    done = []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        if rng.random() < 0.05:
            done.append(_extra(rng, folder))
            continue
        path = folder / rng.choice(FILES)
        if path.name == "datapackage.json":
            done.append(_json_op(rng, path) if rng.random() < 0.7 else _bytes_op(rng, path))
            continue
        rows = _read_rows(path) if path.is_file() else None
        op = rng.choice([_cell, _cell, _cell, _swap_cells, _rows_op, _columns_op, None])
        if rows and op is not None:
            done.append(f"{path.name}: {op(rng, path, rows)}")
        else:
            done.append(_bytes_op(rng, path))
    return done


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run(command: str, folder: Path) -> tuple[int, str]:
    """``citynet-analysis <command> --data <folder>`` in process: exit code and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([command, "--data", str(folder)])
    return code, err.getvalue()


def problem(command: str, folder: Path, code: int, err: str) -> str | None:
    """What is wrong with one outcome, or None."""
    if code not in (0, 2):
        return f"exit {code}: {err.strip()[:300]}"
    if "Traceback" in err or len(err.strip().splitlines()) > 6:
        return f"stderr: {err[:300]}"
    if code == 2:
        return None if str(folder) in err else f"no file named: {err.strip()[:300]}"
    ds = load(folder)
    left = schema_errors(ds.tables()) + (dataset_errors(ds) if command == "validate" else [])
    return f"exit 0 but {left[:2]}" if left else (f"stderr on success: {err[:200]}" if err.strip() else None)


@pytest.mark.slow
def test_fuzz_processed_data_set(tmp_path):
    counts: Counter = Counter()
    failures = []
    for i in range(EXAMPLES):
        rng = random.Random(SEED * 1_000_003 + i)
        folder = shutil.copytree(PROCESSED, tmp_path / f"ex{i}")
        done = mutate(folder, rng)
        before = _tree(folder)
        for command in COMMANDS:
            code, err = run(command, folder)
            counts[(command, code)] += 1
            found = problem(command, folder, code, err)
            if found:
                failures.append(f"example {i} (seed {SEED}) {done} {command}: {found}")
        if _tree(folder) != before:
            failures.append(f"example {i} (seed {SEED}) {done}: the data folder changed")
        shutil.rmtree(folder)
    print(f"\nfuzz: {EXAMPLES} examples, seed {SEED}: "
          + ", ".join(f"{c} exit {k}: {n}" for (c, k), n in sorted(counts.items())))
    assert not failures, f"{len(failures)} failure(s):\n" + "\n".join(failures[:30])
