"""Merging several documents' tables: a fact stated twice appears once, the newer document wins, and a
differing value is recorded as a ``revision`` anomaly. Every key starts with ``program_id``: documents of
two programs never merge, whatever years they share."""

from __future__ import annotations

import pandas as pd

from .. import vocabulary

# table -> (key columns, compared columns, whole_year). whole_year tables are lists per fiscal year
# (line items, activities, schedule): the newest document's list for a year replaces older ones.
MERGE_RULES: dict[str, tuple[tuple[str, ...], tuple[str, ...], bool]] = {
    "budget_totals": (("program_id", "fiscal_year", "category"), ("amount_krw",), False),
    "settlements": (("program_id", "fiscal_year"), ("final_budget_krw", "carried_in_krw", "budget_change_krw",
                                       "available_krw", "executed_krw", "carried_out_krw", "unspent_krw"), False),
    "milestones": (("program_id", "event_ko"), ("date",), False),
    "line_items": (("program_id", "fiscal_year"), ("item_id", "name_ko", "amount_krw"), True),
    "activities": (("program_id", "fiscal_year"), ("category", "count", "number"), True),
    "schedule": (("program_id", "fiscal_year"), ("step_ko", "amount_krw"), True),
}


def _values(df: pd.DataFrame, cols: tuple[str, ...]) -> list[tuple]:
    return [tuple(None if pd.isna(v) else v for v in row) for row in df[list(cols)].itertuples(index=False)]


def merge_table(name: str, frames: list[pd.DataFrame]) -> tuple[pd.DataFrame, list[dict]]:
    """One table from several documents' frames, given oldest first. Returns the merged frame and the
    revision anomalies (attributed to the newer document's line)."""
    keys, compared, whole_year = MERGE_RULES[name]
    ranked = [f.assign(_rank=i) for i, f in enumerate(frames) if len(f)]
    if not ranked:
        return frames[0].iloc[0:0] if frames else pd.DataFrame(), []
    data = pd.concat(ranked, ignore_index=True)
    revisions = []
    newest = data.groupby(list(keys), sort=False)["_rank"].transform("max")
    kept = data[data["_rank"] == newest]
    for key, group in data[data["_rank"] != newest].groupby(list(keys) + ["_rank"], sort=False):
        key = key[: len(keys)]
        mask = pd.Series(True, index=kept.index)
        for col, value in zip(keys, key, strict=True):
            mask &= kept[col] == value
        new = kept[mask]
        old_values, new_values = _values(group, compared), _values(new, compared)
        if (sorted(map(str, old_values)) if whole_year else old_values) != (
                sorted(map(str, new_values)) if whole_year else new_values):
            label = ", ".join(f"{k}={v}" for k, v in zip(keys, key, strict=True) if k != "program_id")
            old_doc, new_doc = group["document_id"].iloc[0], new["document_id"].iloc[0]
            if whole_year:
                text = vocabulary.anomaly_text("revision", "list", table=name, key=label, old_count=len(group),
                                               old_document=old_doc, new_count=len(new), new_document=new_doc)
            else:
                changes = [f"{c} {o} → {n}" for c, o, n in zip(compared, old_values[0], new_values[0], strict=True)
                           if o != n]
                text = vocabulary.anomaly_text("revision", table=name, key=label, changes="; ".join(changes),
                                               old_document=old_doc, old_line=group["source_line"].iloc[0],
                                               new_document=new_doc)
            revisions.append(dict(document_id=new_doc, program_id=key[0], source_line=int(new["source_line"].min()),
                                  severity="warning", check="revision", **text))
    return kept.drop(columns="_rank").reset_index(drop=True), revisions
