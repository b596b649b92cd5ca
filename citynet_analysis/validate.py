"""Re-checking a processed data set: the schemas and the identities that can be seen in the tables."""

from __future__ import annotations

from .checks import check_line_items, check_settlements
from .data import Dataset
from .schemas import schema_errors


def dataset_errors(ds: Dataset) -> list[str]:
    """Messages for every schema failure and every broken identity (empty for a clean data set)."""
    errors = schema_errors(ds.tables())
    if errors:
        return errors
    found = check_settlements(ds.settlements)
    for _, doc in ds.documents.iterrows():
        items = ds.line_items[(ds.line_items["document_id"] == doc["document_id"])
                              & (ds.line_items["fiscal_year"] == doc["fiscal_year"])]
        if len(items):
            found += [dict(a, document_id=doc["document_id"]) for a in
                      check_line_items(items, int(doc["total_krw"]), int(doc["source_line"]), ds.budget_totals)]
    return [f"line {a['source_line']}: {a['message']}" for a in found if a["severity"] == "error"]
