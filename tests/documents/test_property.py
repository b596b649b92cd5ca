"""Mutated copies of the 2024 document: ingest either succeeds with tables that pass validation (every
identity break recorded as an error anomaly), or fails with the clean InputError / ValidationFailed naming
the file (and line), never another exception.

The mutations (tests/mutations.py) cover deleted, repeated, swapped and cut-off lines, tabs and spaces,
table headers, year labels, digits and huge numbers. ``CITYNET_PROPERTY_EXAMPLES`` sets the number of
examples (default 60, a few seconds; 5,000 were run once by hand)."""

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from citynet_analysis.dataset.load import read
from citynet_analysis.dataset.schemas import schema_errors
from citynet_analysis.dataset.store import write_dataset
from citynet_analysis.dataset.validate import dataset_errors
from citynet_analysis.documents.amounts import MAX_AMOUNT
from citynet_analysis.documents.ingest import build_dataset
from citynet_analysis.errors import InputError, ValidationFailed

from ..mutations import mutated_documents

EXAMPLES = int(os.environ.get("CITYNET_PROPERTY_EXAMPLES", "60"))


def check_outcome(path: Path, relative_to: str) -> str:
    """Ingest one file and check the outcome is one of the clean ones; returns which."""
    try:
        tables = build_dataset([path], relative_to=relative_to)
    except InputError as exc:
        assert exc.file == str(path) and exc.message, exc
        assert exc.line is None or 1 <= exc.line <= len(path.read_text(encoding="utf-8").split("\n")) + 1
        return "input_error"
    except ValidationFailed as exc:
        assert exc.errors
        for e in exc.errors:
            assert e.startswith(f"{path}:"), e
        return "validation_failed"
    assert schema_errors(tables) == []
    an = tables["anomalies"]
    errors = an[an["severity"] == "error"]
    # a slip is flagged, never silent: every error names its line, the table and year it concerns
    assert errors["source_line"].notna().all() and errors["table"].notna().all()
    assert errors["fiscal_year"].notna().all()
    top = tables["line_items"][tables["line_items"]["level"] == 1]["amount_krw"].sum()
    if top != tables["documents"]["total_krw"].iloc[0]:
        assert "line_items_total" in set(errors["check"])
    # and the data set as written validates: every break it holds is a recorded one
    out = Path(relative_to) / "processed"
    write_dataset(tables, out, inputs=(path,))
    assert dataset_errors(read(out)) == []
    for name, df in tables.items():
        for col in (c for c in df.columns if c.endswith("_krw")):
            assert (df[col].dropna().abs() <= MAX_AMOUNT).all(), (name, col)
    warnings = tables["anomalies"][tables["anomalies"]["severity"] == "warning"]
    assert warnings["source_line"].notna().all()  # every warning names its line
    return "ok"


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_documents())
def test_mutated_document_is_read_or_refused_cleanly(text):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "mutated.txt"
        path.write_text(text, encoding="utf-8")
        check_outcome(path, d)
