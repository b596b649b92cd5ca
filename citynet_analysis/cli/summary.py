"""A plain-text summary of a data set, for the terminal."""

from __future__ import annotations

from .. import vocabulary
from ..analysis.slips import slips
from ..dataset.load import Dataset
from ..reporting.notebook.format import format_krw, pct, text_width

#: The least display width of a line item's name column (names are padded to the widest, at least this).
NAME_WIDTH = 24


def _m(won: int) -> str:
    return format_krw(won, "million", "en", decimals=1, minus="-")


def _pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` screen columns (Hangul counts two, :func:`text_width`)."""
    return text + " " * max(0, width - text_width(text))


def summary_text(ds: Dataset) -> str:
    """Totals, line items, settlements, activity counts and anomalies, in 백만원 (million won)."""
    out = [f"Data set: {len(ds.documents)} document(s), fiscal years {', '.join(map(str, ds.fiscal_years()))}"]
    for _, doc in ds.documents.iterrows():
        out.append(f"  {doc['document_id']}: {doc['program_ko']} (FY{doc['fiscal_year']}), total "
                   f"{_m(doc['total_krw'])} million won, {doc['source_file']}")
    found = slips(ds)
    lines = {(r.table, r.document_id, line) for r in found.itertuples() for line in r.lines}

    def mark(table, r) -> str:  # a figure the document misprints: see the anomalies below
        return " ⚠" if (table, r.document_id, int(r.source_line)) in lines else ""

    totals = ds.budget_totals[ds.budget_totals["category"].isin(vocabulary.total_labels())]
    out.append("Budget (계), million won: " + ", ".join(
        f"{r.fiscal_year} {_m(r.amount_krw)}{mark('budget_totals', r)}" for r in totals.itertuples()))

    def indented(r) -> str:  # a sub-item under its parent
        return f"{'  ' * (int(r.level) - 1)}{r.name_ko}"

    # one amount column for every year: names padded by their width on screen, not their length
    width = max([NAME_WIDTH, *(text_width(indented(r)) for r in ds.line_items.itertuples())])
    for year, items in ds.line_items.groupby("fiscal_year"):
        out.append(f"Line items FY{year} (million won):")
        for r in items.itertuples():
            out.append(f"  {_pad(indented(r), width)} {_m(r.amount_krw):>10}{mark('line_items', r)}")
    out.append("Settlements (million won): available / executed / rate")
    for r in ds.settlements.itertuples():
        rate = pct(100 * int(r.executed_krw) / int(r.available_krw)) if r.available_krw else "—"
        out.append(f"  {r.fiscal_year}  {_m(r.available_krw):>10} {_m(r.executed_krw):>10} {rate:>7}"
                   f"{mark('settlements', r)}")
    counted = ds.activities.dropna(subset=["count"])
    out.append("Activities with a stated count:")
    for (year, cat), n in counted.groupby(["fiscal_year", "category"])["count"].sum().items():
        out.append(f"  {year} {cat:<20} {n}")
    if len(found):
        out.append(f"⚠ {len(found)} slip{'' if len(found) == 1 else 's'} in the documents' own figures "
                   "(kept as printed; errors below)")
    out.append(f"Anomalies: {len(ds.anomalies)}")
    for r in ds.anomalies.itertuples():
        out.append(f"  {r.severity:7} {r.document_id}:{r.source_line} [{r.check}] {r.message}")
    return "\n".join(out)
