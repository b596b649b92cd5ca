"""Merging several documents' tables: a fact stated twice appears once, the newer document wins, and a
differing value is recorded as a ``revision`` anomaly. Every key starts with ``program_id``: documents of
two programs never merge, whatever years they share.

A year's budget is one unit: its budget summary rows come from the newest document that states the year,
and its line items stay only where their own document's summary agrees with that newest one. When a newer
document revises a year's budget, the older line items (which add up to the old total) are dropped and
recorded as a revision, so the merged data set always satisfies its identities."""

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
    "activities": (("program_id", "fiscal_year"), ("category", "count", "count_note", "number", "body_ko"), True),
    "schedule": (("program_id", "fiscal_year"), ("step_ko", "amount_krw"), True),
}


def budget_units(totals: list[pd.DataFrame], items: list[pd.DataFrame]) -> tuple[list[pd.DataFrame], list[dict]]:
    """Each document's line items without the years whose budget a newer document of the same program
    restates differently (any category both state with another amount, or no category in common), and a
    ``revision`` anomaly for each year dropped. ``totals`` and ``items`` are per document, oldest first."""
    kept, revisions = [], []
    programs = [t["program_id"].iloc[0] if len(t) else None for t in totals]
    for i, frame in enumerate(items):
        keep = pd.Series(True, index=frame.index)
        for year in sorted(frame["fiscal_year"].unique()):
            newer = [j for j in range(i + 1, len(totals))
                     if programs[j] == programs[i] and (totals[j]["fiscal_year"] == year).any()]
            if not newer:
                continue
            new = totals[newer[-1]][totals[newer[-1]]["fiscal_year"] == year]
            own = totals[i][totals[i]["fiscal_year"] == year]
            old_amounts = dict(zip(own["category"], own["amount_krw"], strict=True))
            new_amounts = dict(zip(new["category"], new["amount_krw"], strict=True))
            common = set(old_amounts) & set(new_amounts)
            if common and all(old_amounts[c] == new_amounts[c] for c in common):
                continue
            rows = frame[frame["fiscal_year"] == year]
            keep &= frame["fiscal_year"] != year
            top = int(rows.loc[rows["level"] == 1, "amount_krw"].sum())
            new_total = _total(new_amounts)
            revisions.append(dict(
                document_id=new["document_id"].iloc[0], program_id=programs[i], severity="warning",
                check="revision", source_line=int(new["source_line"].min()), fiscal_year=int(year),
                table="line_items", other_line=int(rows["source_line"].min()), stated_krw=top,
                computed_krw=new_total, **vocabulary.anomaly_text(
                    "revision", "items", year=int(year), count=len(rows), old_document=rows["document_id"].iloc[0],
                    old_total=f"{top:,}", new_document=new["document_id"].iloc[0],
                    new_total="-" if new_total is None else f"{new_total:,}")))
        kept.append(frame[keep])
    return kept, revisions


def _total(amounts: dict) -> int | None:
    """The 계 of a year's budget summary rows (category → amount), else None."""
    return next((int(v) for k, v in amounts.items() if k in vocabulary.total_labels()), None)


def _newest_summary(data: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """The budget summary rows of each program and year from the newest document stating the year; a
    category only an older document states is dropped (it would no longer add up to the newer 계) and
    recorded as a revision."""
    newest = data.groupby(["program_id", "fiscal_year"], sort=False)["_rank"].transform("max")
    older = data[data["_rank"] < newest]
    stated = set(zip(data.loc[data["_rank"] == newest, "program_id"], data.loc[data["_rank"] == newest, "fiscal_year"],
                     data.loc[data["_rank"] == newest, "category"], strict=True))
    revisions = []
    for r in older.itertuples():
        if (r.program_id, r.fiscal_year, r.category) in stated:
            continue  # compared with the newer figure below, as any fact
        new = data[(data["program_id"] == r.program_id) & (data["fiscal_year"] == r.fiscal_year)
                   & (data["_rank"] == newest)]
        revisions.append(dict(
            document_id=new["document_id"].iloc[0], program_id=r.program_id, source_line=int(new["source_line"].min()),
            severity="warning", check="revision", fiscal_year=int(r.fiscal_year), table="budget_totals",
            other_line=int(r.source_line), stated_krw=int(r.amount_krw), computed_krw=None,
            **vocabulary.anomaly_text("revision", "dropped", year=int(r.fiscal_year), category=r.category,
                                      amount=f"{int(r.amount_krw):,}", old_document=r.document_id,
                                      old_line=int(r.source_line), new_document=new["document_id"].iloc[0])))
    in_newest = pd.Series([(p, y, c) in stated for p, y, c in
                           zip(data["program_id"], data["fiscal_year"], data["category"], strict=True)],
                          index=data.index, dtype=bool)
    keep = (data["_rank"] == newest) | in_newest
    return data[keep], revisions


def _shown(column: str, value) -> str:
    """A compared value in a message: amounts with thousands separators."""
    return f"{int(value):,}" if column.endswith("_krw") and value is not None else str(value)


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
    if name == "budget_totals":  # a year's budget summary is one unit: the newest document's rows only
        data, revisions = _newest_summary(data)
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
                changes = [f"{c} {_shown(c, o)} → {_shown(c, n)}"
                           for c, o, n in zip(compared, old_values[0], new_values[0], strict=True) if o != n]
                text = vocabulary.anomaly_text("revision", table=name, key=label, changes="; ".join(changes),
                                               old_document=old_doc, old_line=group["source_line"].iloc[0],
                                               new_document=new_doc)
            year = dict(zip(keys, key, strict=True)).get("fiscal_year")
            single = not whole_year and len(compared) == 1 and len(old_values) == len(new_values) == 1
            revisions.append(dict(document_id=new_doc, program_id=key[0], source_line=int(new["source_line"].min()),
                                  severity="warning", check="revision", fiscal_year=year, table=name,
                                  other_line=int(group["source_line"].iloc[0]),
                                  stated_krw=old_values[0][0] if single and compared[0].endswith("_krw") else None,
                                  computed_krw=new_values[0][0] if single and compared[0].endswith("_krw") else None,
                                  **text))
    return kept.drop(columns="_rank").reset_index(drop=True), revisions
