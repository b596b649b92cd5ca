"""Memo charts built from the metrics: each returns a matplotlib Figure in memo style, with a source
line under it, or the :class:`~citynet_analysis.analysis.metrics.Unavailable` that explains why it cannot.

The figures are not managed by pyplot; a notebook shows and saves one with ``report.figure(fig, name)``
(:mod:`citynet_analysis.reporting.notebook`), like any figure it draws itself."""

from __future__ import annotations

import pandas as pd

from ... import vocabulary
from ...analysis import metrics, reference
from ...analysis.metrics import Unavailable, available
from ...dataset.load import Dataset
from .figures import PALETTE, add_source_note, memo_chart, new_figure
from .format import (
    category_label,
    chart_label,
    decimal_text,
    format_krw,
    item_label,
    krw_formatter,
    label,
    pct,
    program_title,
    side_label,
    text_column,
)


def _text(key: str, lang: str, **values) -> str:
    """A title, annotation or source line of the charts (``[chart_text]`` of vocabulary.toml)."""
    return label("chart_text", key, lang, **values)


def source_text(ds: Dataset, lang: str, *, prices: bool = False, years: list[int] | None = None) -> str:
    """The source line under a chart: the program and its documents used and, for constant prices or USD,
    the series."""
    ds = ds.select()  # one program: its documents and its name
    ids = ", ".join(_text("document_year", lang, year=y) for y in ds.documents["fiscal_year"])
    line = _text("source", lang, ids=ids, name=ds.program_ko(), name_en=program_title(ds, "en"))
    if prices:
        line += "\n" + _text("prices", lang, cpi=reference.short_source(reference.cpi(), lang),
                             fx=reference.short_source(reference.krw_per_usd(), lang))
    return line


def _slips(rows: pd.DataFrame, lang: str) -> tuple[list[str], str]:
    """Marks for bars whose figures the document misprints (`` ⚠``, else nothing) and the line that says
    which slips they are, for the source note (empty without any)."""
    col = text_column("slip", lang)
    if col not in rows:
        return [""] * len(rows), ""
    texts = [t if isinstance(t, str) else "" for t in rows[col]]
    found = "; ".join(dict.fromkeys(t for t in texts if t))
    note = "\n" + _text("slip_note", lang, slips=found) if found else ""
    return [" ⚠" if t else "" for t in texts], note


#: Bars a chart of items draws at most: the largest items, the rest summed into one bar ("기타 N개"), so
#: that a document of thousands of items draws as fast and reads as well as one of ten.
MAX_BARS = 12


def largest(rows: pd.DataFrame, share: str, lang: str, n: int = MAX_BARS) -> pd.DataFrame:
    """The ``n`` - 1 largest rows by amount and one row summing the rest (its name ``기타 N개``, its share
    the sum of theirs, its slip any of theirs), in ascending order for a bar chart; all rows when they
    are ``n`` or fewer."""
    rows = rows.sort_values("amount_krw")
    if len(rows) <= n:
        return rows
    keep, rest = rows.iloc[len(rows) - (n - 1):], rows.iloc[: len(rows) - (n - 1)]
    other = {"name_ko": _text("others", lang, n=len(rest)), "amount_krw": int(rest["amount_krw"].sum()),
             share: rest[share].sum(min_count=1), "group": rest["group"].mode().iloc[0] if "group" in rest else ""}
    for col in ("slip", "slip_ko"):
        if col in rest:
            found = [t for t in rest[col] if isinstance(t, str) and t]
            other[col] = "; ".join(dict.fromkeys(found)) if found else None
    return pd.concat([pd.DataFrame([other]), keep], ignore_index=True).sort_values("amount_krw", kind="stable")


def _amount(won) -> str:
    """An amount on a bar or in a title, in 백만원 with one decimal: the string the tables, memos and the
    terminal summary show for the same amount (``69.4`` for 69,350,000 won)."""
    return format_krw(won, "million", decimals=1)


def _share(share) -> str:
    """`` (27.2%)`` after a bar's amount; nothing where the share is missing (a parent of 0)."""
    return "" if pd.isna(share) else f" ({pct(share)})"


def _count_axis(axis) -> None:
    """A count axis (events) ticks at whole numbers only: one event is 0, 1, not 0.0 … 1.2."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(lambda x, _pos: decimal_text(x, 0))


@memo_chart
def composition_chart(ds: Dataset, fiscal_year: int, lang: str = "ko"):
    """Horizontal bars: each top-level line item of a year, in 백만원, with its share of the total."""
    comp = metrics.composition(ds, fiscal_year)
    if not available(comp):
        return comp
    top = comp[comp["level"] == 1]
    title = _text("composition_title", lang, year=fiscal_year, total=_amount(top["amount_krw"].sum()))
    top = largest(top, "share_of_total_pct", lang)
    fig, ax = new_figure(title, xlabel=chart_label("amount", lang), pyplot=False)
    names = [item_label(n, lang) for n in top["name_ko"]]
    colors = [PALETTE[0] if vocabulary.side_of(g) == "program" else PALETTE[1] for g in top["group"]]
    ax.barh(names, top["amount_krw"], color=colors)
    ax.xaxis.set_major_formatter(krw_formatter("million", lang))
    marks, note = _slips(top, lang)
    for y, (amount, share) in enumerate(zip(top["amount_krw"], top["share_of_total_pct"], strict=True)):
        ax.text(amount, y, f" {_amount(amount)}{_share(share)}{marks[y]}", va="center", fontsize=8)
    ax.set_xlim(0, top["amount_krw"].max() * 1.3)  # composition is available only for a positive total
    ax.grid(axis="y", visible=False)
    from matplotlib.patches import Patch

    handles = [Patch(color=PALETTE[0]), Patch(color=PALETTE[1])]
    ax.legend(handles, [side_label("program", lang), side_label("overhead", lang)], loc="lower right",
              frameon=False)
    add_source_note(fig, source_text(ds, lang) + note)
    return fig


@memo_chart
def program_chart(ds: Dataset, fiscal_year: int, lang: str = "ko"):
    """The sub-items of the program costs (사업비) of a year, in 백만원."""
    comp = metrics.composition(ds, fiscal_year)
    if not available(comp):
        return comp
    subs = comp[(comp["level"] == 2) & (comp["group"] == "programs")]
    if subs.empty:
        return Unavailable("program breakdown", fiscal_year, "no_sub_items")
    if not subs["amount_krw"].max() > 0:
        return Unavailable("program breakdown", fiscal_year, "zero_sub_items")
    title = _text("program_title", lang, year=fiscal_year)
    subs = largest(subs, "share_of_parent_pct", lang)
    fig, ax = new_figure(title, xlabel=chart_label("amount", lang), pyplot=False)
    ax.barh([item_label(n, lang) for n in subs["name_ko"]], subs["amount_krw"], color=PALETTE[0])
    ax.xaxis.set_major_formatter(krw_formatter("million", lang))
    marks, note = _slips(subs, lang)
    for y, (amount, share) in enumerate(zip(subs["amount_krw"], subs["share_of_parent_pct"], strict=True)):
        ax.text(amount, y, f" {_amount(amount)}{_share(share)}{marks[y]}", va="center", fontsize=8)
    ax.set_xlim(0, subs["amount_krw"].max() * 1.3)
    ax.grid(axis="y", visible=False)
    add_source_note(fig, source_text(ds, lang) + note)
    return fig


@memo_chart
def trend_chart(ds: Dataset, lang: str = "ko"):
    """Per fiscal year: the approved amount as a bar, told apart by its phase (budget of a budget summary,
    final budget of a settlement), the executed amount as a bar beside it, and the budget in constant
    2020 won as a line. The legend lists only what is drawn."""
    budget = metrics.growth(metrics.budget_series(ds))
    if budget.empty:
        return Unavailable("budget trend", None, "no_budget_data")
    executed = metrics.executed_series(ds)
    top = max(budget["amount_krw"].max(), executed["amount_krw"].max() if len(executed) else 0)
    if not top > 0:
        return Unavailable("budget trend", None, "all_zero_amounts")
    fig, ax = new_figure(_text("trend_title", lang), xlabel=chart_label("fiscal_year", lang),
                         ylabel=chart_label("amount", lang), pyplot=False)
    years = budget["fiscal_year"].astype(int)
    settled = set(executed["fiscal_year"].astype(int))
    # a settled year has two bars side by side; a year with only a budget keeps one centred bar
    offset = {y: (-0.2 if y in settled else 0.0) for y in years}
    styles = {metrics.BUDGET: dict(color=PALETTE[0]),
              metrics.FINAL_BUDGET: dict(color="white", edgecolor=PALETTE[0], hatch="///", linewidth=1)}
    for phase in (metrics.FINAL_BUDGET, metrics.BUDGET):
        rows = budget[budget["basis"] == phase]
        if len(rows):
            ax.bar([y + offset[y] for y in rows["fiscal_year"].astype(int)], rows["amount_krw"], width=0.4,
                   label=chart_label(phase, lang), **styles[phase])
    if len(executed):
        ax.bar(executed["fiscal_year"].astype(int) + 0.2, executed["amount_krw"], width=0.4, color=PALETTE[1],
               label=chart_label("executed", lang))
    ax.plot(years, budget["amount_2020krw"], color=PALETTE[2], marker="o", zorder=3,
            label=chart_label("budget_constant_2020", lang))
    ax.yaxis.set_major_formatter(krw_formatter("million", lang))
    ax.set_xticks(list(years))
    ax.set_ylim(0, top * 1.3)
    ax.legend(frameon=False, loc="upper left", ncols=2)
    add_source_note(fig, source_text(ds, lang, prices=True))
    return fig


@memo_chart
def execution_chart(ds: Dataset, lang: str = "ko"):
    """Available budget against executed amount per settled year, with the execution rate."""
    rates = metrics.execution_rates(ds)
    if rates.empty:
        return Unavailable("execution rate", None, "no_settlement_data")
    top = max(rates["available_krw"].max(), rates["executed_krw"].max())
    if not top > 0:
        return Unavailable("execution rate", None, "all_zero_amounts")
    fig, ax = new_figure(_text("execution_title", lang), xlabel=chart_label("fiscal_year", lang),
                         ylabel=chart_label("amount", lang), pyplot=False)
    x = rates["fiscal_year"].astype(int)
    ax.bar(x - 0.18, rates["available_krw"], width=0.36, color=PALETTE[3],
           label=chart_label("available_budget", lang))
    ax.bar(x + 0.18, rates["executed_krw"], width=0.36, color=PALETTE[0], label=chart_label("executed", lang))
    for xi, ex, rate in zip(x, rates["executed_krw"], rates["execution_rate_pct"], strict=True):
        if pd.notna(rate):  # no rate where 예산현액 is 0
            ax.text(xi + 0.18, ex, pct(rate), ha="center", va="bottom", fontsize=8)
    ax.yaxis.set_major_formatter(krw_formatter("million", lang))
    ax.set_xticks(list(x))
    ax.set_ylim(0, top * 1.15)  # executed can exceed available where a settlement does not add up
    ax.legend(frameon=False, loc="upper left")
    add_source_note(fig, source_text(ds, lang))
    return fig


@memo_chart
def cost_per_event_chart(ds: Dataset, lang: str = "ko", categories=metrics.EVENT_CATEGORIES):
    """Cost per event for every year whose events are all counted; hatched where the basis is the budget.
    Years with activities without a stated count are left out and named under the chart."""
    table = metrics.cost_per_event_table(ds, categories)
    if not available(table):
        return table
    left_out = table.loc[~table["complete"], "fiscal_year"].tolist()
    table = table[table["complete"]]
    if table.empty:
        return Unavailable("cost per event", None, "all_years_uncounted")
    fig, ax = new_figure(_text("cost_per_event_title", lang), xlabel=chart_label("fiscal_year", lang),
                         ylabel=chart_label("cost_per_event", lang), pyplot=False)
    x = table["fiscal_year"].astype(int)
    executed = table["basis"].str.startswith("executed").tolist()
    bars = ax.bar(x, table["cost_per_event_krw"], color=[PALETTE[0] if e else "white" for e in executed],
                  edgecolor=PALETTE[0], width=0.6)
    for bar, e in zip(bars, executed, strict=True):
        if not e:
            bar.set_hatch("//")
    for xi, cost, n in zip(x, table["cost_per_event_krw"], table["events"], strict=True):
        events = _text("event_count", lang, n=decimal_text(int(n), 0))  # a count: a whole number
        ax.text(xi, cost, f"{_amount(cost)}\n({events})", ha="center", va="bottom", fontsize=8)
    ax.yaxis.set_major_formatter(krw_formatter("million", lang))
    ax.set_xticks(list(x))
    ax.set_xlim(x.min() - 0.8, x.max() + 0.8)
    ax.set_ylim(0, table["cost_per_event_krw"].max() * 1.35)  # a positive amount over counted events
    from matplotlib.patches import Patch

    entries = [(Patch(color=PALETTE[0]), chart_label("executed_basis", lang)),
               (Patch(facecolor="white", edgecolor=PALETTE[0], hatch="//"),
                chart_label("budget_basis", lang))]
    drawn = [entry for entry, used in zip(entries, (any(executed), not all(executed)), strict=True) if used]
    ax.legend([h for h, _ in drawn], [t for _, t in drawn], frameon=False, loc="upper right")
    note = source_text(ds, lang)
    if left_out:
        note += "\n" + _text("left_out", lang, years=", ".join(map(str, left_out)))
    add_source_note(fig, note)
    return fig


@memo_chart
def activities_chart(ds: Dataset, fiscal_year: int, lang: str = "ko"):
    """Events per activity type in a year (stated counts only): :func:`metrics.events_by_type`, whose
    reason it gives where it is not available (a year without outcomes: the same as the year's table)."""
    counts = metrics.events_by_type(ds, fiscal_year)
    if not available(counts):
        return counts
    counts = counts.sort_values("events")
    fig, ax = new_figure(_text("activities_title", lang, year=fiscal_year),
                         xlabel=chart_label("events", lang), pyplot=False)
    ax.barh([category_label(c, lang) for c in counts["category"]], counts["events"].astype(int), color=PALETTE[0])
    for y, n in enumerate(counts["events"].astype(int)):
        ax.text(n, y, f" {decimal_text(int(n), 0)}", va="center", fontsize=8)
    ax.set_xlim(0, max(1, int(counts["events"].max())) * 1.2)
    _count_axis(ax.xaxis)
    ax.grid(axis="y", visible=False)
    add_source_note(fig, source_text(ds, lang))
    return fig
