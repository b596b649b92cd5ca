"""Slips in the documents' own figures, where they touch a number a report shows.

A slip is an ``error`` anomaly: two figures a document prints disagree (a sum, a settlement identity, a
formula). Ingest keeps both as printed; every table and summary that shows one of them says so. These
functions find the slips that concern the rows a data set actually uses (an older document's slip on a
figure a newer document replaced concerns nothing) and mark the rows of a metric's table with them, in
both languages (``slip`` and ``slip_ko``, the pair the reports show in the page's language)."""

from __future__ import annotations

import pandas as pd

from .. import vocabulary
from ..dataset.load import Dataset

SLIP, SLIP_KO = "slip", "slip_ko"


def slips(ds: Dataset, tables: tuple[str, ...] | None = None, fiscal_year: int | None = None) -> pd.DataFrame:
    """The error anomalies of the data set whose figures are in use: concerning ``tables`` (all if None)
    and ``fiscal_year`` (all if None), raised by a document whose rows of that table and year the data set
    holds. Each row also has ``lines``: the source lines of the figures involved (both sides of the broken
    identity; for a sum, every item summed)."""
    a = ds.anomalies
    a = a[(a["severity"] == "error") & a["table"].notna() & a["fiscal_year"].notna()]
    if tables is not None:
        a = a[a["table"].isin(tables)]
    if fiscal_year is not None:
        a = a[a["fiscal_year"] == fiscal_year]
    keep, lines = [], []
    for r in a.itertuples():
        frame = getattr(ds, r.table)
        if "fiscal_year" in frame:
            frame = frame[frame["fiscal_year"] == r.fiscal_year]
        rows = frame[frame["document_id"] == r.document_id]
        keep.append(len(rows) > 0)
        lines.append(_lines(r, rows) if len(rows) else frozenset())
    out = a.assign(lines=lines)[keep] if len(a) else a.assign(lines=[])
    return out.reset_index(drop=True)


def _lines(anomaly, rows: pd.DataFrame) -> frozenset[int]:
    """The lines of the figures a slip involves: its two lines, and for a sum the lines of what it sums
    (a parent's sub-items, the top-level items of the total or of a category)."""
    found = {int(v) for v in (anomaly.source_line, anomaly.other_line) if not pd.isna(v)}
    if anomaly.table == "line_items":
        if anomaly.check == "sub_items_total":
            parent = rows.loc[rows["source_line"] == anomaly.source_line, "item_id"]
            found |= set(rows.loc[rows["parent_id"].isin(parent), "source_line"].astype(int))
        elif anomaly.check in ("line_items_total", "category_total"):
            found |= set(rows.loc[rows["level"] == 1, "source_line"].astype(int))
    return frozenset(found)


def slip_text(found: pd.DataFrame, lang: str) -> str:
    """The slips in a few words, for a table cell or a tile: the kind of each, the two figures that
    disagree (as printed, then what the identity gives) and its line (``세부 항목 합계 150,000,000원 ≠
    147,000,000원 (행 38)``); empty when there is none."""
    words = vocabulary.labels("slip_text")  # templates in both languages
    parts = []
    for r in found.itertuples():
        values = dict(check=vocabulary.check_label(r.check, lang), line=int(r.source_line))
        if not pd.isna(r.stated_krw) and not pd.isna(r.computed_krw):
            key = "with_figures"
            values |= dict(stated=f"{int(r.stated_krw):,}", computed=f"{int(r.computed_krw):,}")
        else:
            key = "without_figures"
        parts.append(words[key][lang].format(**values))
    return "; ".join(dict.fromkeys(parts))


def mark_rows(ds: Dataset, frame: pd.DataFrame, tables: tuple[str, ...], fiscal_year: int | None = None,
              by_line: bool = False, not_checks: tuple[str, ...] = ()) -> pd.DataFrame:
    """``frame`` with the columns ``slip`` and ``slip_ko`` naming the slips that concern each row (empty
    where none does; the columns are added only when some row has one, so a clean table stays as it
    was). A row's year is its ``fiscal_year`` column, else ``fiscal_year``. ``by_line``: a row is
    concerned only when its ``source_line`` is one of the slip's lines (rows that are line items or
    settlement rows); otherwise every row of the year is. ``not_checks``: slips whose identity does not
    involve the figure the frame shows (a settlement row's 최종예산 is no part of 집행액 + 차년이월 + 집행잔액)."""
    if not isinstance(frame, pd.DataFrame) or frame.empty:
        return frame
    found = slips(ds, tables)
    found = found[~found["check"].isin(not_checks)]
    if found.empty:
        return frame
    years = frame["fiscal_year"] if "fiscal_year" in frame else pd.Series(fiscal_year, index=frame.index)
    texts = {lang: [] for lang in ("en", "ko")}
    for i, year in zip(frame.index, years, strict=True):
        mine = found[found["fiscal_year"] == year] if not pd.isna(year) else found.iloc[0:0]
        if by_line and "source_line" in frame:
            line = frame.at[i, "source_line"]
            mine = mine.loc[pd.Series([not pd.isna(line) and int(line) in lines for lines in mine["lines"]],
                                      index=mine.index, dtype=bool)]
            if "document_id" in frame:  # lines are per document
                mine = mine[mine["document_id"] == frame.at[i, "document_id"]]
        for lang in texts:
            texts[lang].append(slip_text(mine, lang))
    if not any(texts["en"]):
        return frame
    return frame.assign(**{SLIP: texts["en"], SLIP_KO: texts["ko"]})
