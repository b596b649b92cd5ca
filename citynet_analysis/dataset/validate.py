"""Re-checking a processed data set: the schemas and the identities that can be seen in the tables."""

from __future__ import annotations

import pandas as pd

from .checks import check_line_items, check_settlements
from .load import Dataset
from .schemas import schema_errors


def dataset_errors(ds: Dataset) -> list[str]:
    """Messages for every schema failure and every broken identity that the anomalies table does not
    record (empty for a data set as ingest wrote it), each naming the CSV and the document line of the row.
    A break the document itself contains is recorded at ingest as an ``error`` anomaly and is no failure;
    one that is not recorded means the tables were changed after ingest."""
    errors = schema_errors(ds.tables())
    if errors:
        return [f"{ds.path}: {e}" for e in errors]
    owners = _document_owners(ds)
    if owners:
        return owners
    recorded = _recorded(ds.anomalies)
    out = [_where(ds, "settlements", doc, a)
           for doc, rows in ds.settlements.groupby("document_id", sort=False)
           for a in check_settlements(_exact(rows)) if _unrecorded(a, doc, recorded)]
    for _, doc in ds.documents.iterrows():
        items = ds.line_items[(ds.line_items["document_id"] == doc["document_id"])
                              & (ds.line_items["fiscal_year"] == doc["fiscal_year"])]
        if not len(items):
            continue
        orphans = _orphans(items)
        out += [_where(ds, "line_items", doc["document_id"], a) for a in orphans]
        if not orphans:
            found = check_line_items(_exact(items), int(doc["total_krw"]), int(doc["source_line"]),
                                     _exact(ds.budget_totals[ds.budget_totals["program_id"] == doc["program_id"]]))
            out += [_where(ds, "line_items", doc["document_id"], a)
                    for a in found if _unrecorded(a, doc["document_id"], recorded)]
    return out


def _recorded(anomalies: pd.DataFrame) -> set[tuple]:
    """(document_id, check, source_line, stated_krw, computed_krw) of every error anomaly ingest recorded:
    a break with other amounts than the recorded ones is not the recorded break."""
    errors = anomalies[anomalies["severity"] == "error"]
    cols = [errors[c] for c in ("document_id", "check", "source_line", "stated_krw", "computed_krw")]
    return {(d, c, *(None if pd.isna(v) else int(v) for v in rest)) for d, c, *rest in zip(*cols, strict=True)}


def _unrecorded(anomaly: dict, document_id: str, recorded: set[tuple]) -> bool:
    """An identity error that the anomalies table does not list, with these amounts."""
    key = (document_id, anomaly["check"], anomaly["source_line"], anomaly.get("stated_krw"),
           anomaly.get("computed_krw"))
    return anomaly["severity"] == "error" and key not in recorded


def _document_owners(ds: Dataset) -> list[str]:
    """Every row names a document of the data set, and the program that document belongs to: a table edited
    by hand cannot move a row to another program (its figures would then count for the wrong one)."""
    program_of = dict(zip(ds.documents["document_id"], ds.documents["program_id"], strict=True))
    out = []
    for name, df in ds.tables().items():
        if name == "documents" or df.empty:
            continue
        for i, (doc, program) in enumerate(zip(df["document_id"], df["program_id"], strict=True)):
            line = i + 2  # the CSV's line: a header, then one row per line
            if doc not in program_of:
                out.append(f"{ds.path / f'{name}.csv'}:{line}: document_id {doc!r} is not in documents.csv")
            elif program_of[doc] != program:
                out.append(f"{ds.path / f'{name}.csv'}:{line}: program_id {program!r}, but its document {doc!r} "
                           f"belongs to {program_of[doc]!r}")
            if len(out) >= 20:
                return out
    return out


def _exact(df: pd.DataFrame) -> pd.DataFrame:
    """The frame with its integer columns as Python ints, so that sums of huge amounts cannot wrap."""
    out = df.copy()
    for col in out.columns:
        if str(out[col].dtype) == "int64":
            out[col] = pd.Series([int(v) for v in out[col]], index=out.index, dtype=object)
    return out


def _orphans(items: pd.DataFrame) -> list[dict]:
    """Sub-items whose parent_id names no item of the same year and document: the sums cannot be checked."""
    known = set(items["item_id"])
    return [dict(source_line=int(r["source_line"]), message=f"parent_id {r['parent_id']!r} of item "
                 f"{r['item_id']!r} is not an item of FY{r['fiscal_year']} in {r['document_id']}")
            for _, r in items.dropna(subset=["parent_id"]).iterrows() if r["parent_id"] not in known]


def _where(ds: Dataset, table: str, document_id: str, anomaly: dict) -> str:
    """``<data>/<table>.csv: <document>:<line>: <message>`` for one broken identity."""
    line = anomaly.get("source_line")
    at = f"{document_id}:{line}" if line is not None and not pd.isna(line) else str(document_id)
    return (f"{ds.path / f'{table}.csv'}: row from {at}: {anomaly['message']} (not recorded in anomalies.csv: "
            "the tables were changed after ingest; ingest again)")
