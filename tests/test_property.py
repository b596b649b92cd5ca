"""Mutated copies of the 2024 document: ingest either succeeds with tables that pass validation, or fails
with the clean InputError / ValidationFailed, never another exception."""

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citynet_analysis.errors import InputError, ValidationFailed
from citynet_analysis.ingest import build_dataset
from citynet_analysis.schemas import schema_errors

from .conftest import RAW_2024

LINES = RAW_2024.read_text(encoding="utf-8").split("\n")
N = len(LINES)


@st.composite
def mutated(draw):
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "digit", "truncate"]))
        i = draw(st.integers(0, len(lines) - 1))
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "digit":
            digits = [k for k, ch in enumerate(lines[i]) if ch.isdigit()]
            if digits:
                k = draw(st.sampled_from(digits))
                new = draw(st.sampled_from("0123456789"))
                lines[i] = lines[i][:k] + new + lines[i][k + 1:]
        else:
            text = "\n".join(lines)
            cut = draw(st.integers(0, len(text)))
            lines = text[:cut].split("\n")
        if not lines:
            lines = [""]
    return "\n".join(lines)


@settings(max_examples=int(os.environ.get("CITYNET_PROPERTY_EXAMPLES", "150")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_document_is_read_or_refused_cleanly(text):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "mutated.txt"
        path.write_text(text, encoding="utf-8")
        try:
            tables = build_dataset([path], relative_to=d)
        except InputError as exc:
            assert exc.file == str(path) and exc.message
            return
        except ValidationFailed as exc:
            assert exc.errors and all(str(path) in e or "." in e for e in exc.errors)
            return
        assert schema_errors(tables) == []
        assert (tables["anomalies"]["severity"] != "error").all()
        top = tables["line_items"][tables["line_items"]["level"] == 1]["amount_krw"].sum()
        assert top == tables["documents"]["total_krw"].iloc[0]
