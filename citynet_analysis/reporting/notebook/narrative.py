"""Numbers-first summaries of the three analyses, in Korean or English: the sentences a memo quotes.

Every word of ours comes from ``[narrative_text]`` of vocabulary.toml (and an anomaly's message from
messages.toml, stored by ingest in both languages): an English sentence is English throughout, with counts
and their nouns (``1 event``, ``7 people: 5 staff, 2 interns``) and units; only what it quotes from a
document (item names, bases, formulas) stays as the document writes it. Quoted document text is escaped
for Markdown; the sentences are shown as Markdown bullets in notebooks and reports."""

from __future__ import annotations

import pandas as pd

from ...analysis import metrics
from ...analysis import slips as document_slips
from ...analysis.metrics import Unavailable, available
from ...dataset.load import Dataset
from .escape import markdown_text as md
from .format import (
    category_label,
    group_label,
    growth_note,
    label,
    metric_label,
    money,
    pct,
    phase_label,
    program_title,
    text_column,
)


def _text(key: str, lang: str, **values) -> str:
    """A sentence or part of one of the summaries (``[narrative_text]`` of vocabulary.toml)."""
    return label("narrative_text", key, lang, **values)


def _count(n, one: str, other: str, lang: str) -> str:
    """A count with its noun: ``1 event``, ``12 events`` (``12회`` in Korean)."""
    n = int(n)
    return _text(one if n == 1 else other, lang, n=f"{n:,}")


def unavailable_text(result: Unavailable, lang: str) -> str:
    when = (_text("year", lang, year=result.fiscal_year) if result.fiscal_year is not None
            else _text("this_data", lang))
    metric = metric_label(result.metric, lang)
    return _text("unavailable", lang, when=when, metric=md(metric),
                 metric_capitalized=md(metric.capitalize()), reason=md(result.reason_text(lang)))


def count_reasons(codes: str, lang: str) -> str:
    """``frequency 1, not_stated 2`` (metrics.cost_per_event) in words: why activities have no count."""
    parts = []
    for part in filter(None, (p.strip() for p in str(codes or "").split(","))):
        code, _, n = part.rpartition(" ")
        parts.append(_text("count_reason", lang, reason=label("count_notes", code, lang), n=n))
    return ", ".join(parts)  # the sentence form; tables use format.counted_codes


def slip_lines(ds: Dataset, tables: tuple[str, ...], fiscal_year: int | None, lang: str) -> list[str]:
    """One line per slip in the document's own figures that the summary's numbers rest on: where it is
    and what disagrees (the figures stay as printed; the tables mark the rows)."""
    out = []
    for r in document_slips.slips(ds, tables, fiscal_year).itertuples():
        message = getattr(r, text_column("message", lang))
        message = message if isinstance(message, str) else r.message
        out.append(_text("slip", lang, year=r.fiscal_year, line=r.source_line, message=md(message)))
    return out


def program_line(ds: Dataset, lang: str = "ko") -> str:
    """Which program the figures are of: its name in the language and its program_id."""
    ds = ds.select()
    return _text("program", lang, name=md(program_title(ds, lang)), program=ds.program)


def overview_summary(ds: Dataset, fiscal_year: int, lang: str = "ko") -> list[str]:
    """Headline facts of a year's budget, each a sentence with its number; first, whose budget it is."""
    out = [program_line(ds, lang)] if len(ds.documents) else []
    budget = metrics.budget_series(ds).drop_duplicates("fiscal_year", keep="last").set_index("fiscal_year")
    if fiscal_year in budget.index:
        amount = int(budget.loc[fiscal_year, "amount_krw"])
        basis = phase_label(budget.loc[fiscal_year, "basis"], lang)
        line = _text("budget", lang, year=fiscal_year, amount=money(amount, lang), basis=basis)
        change = metrics.budget_change(ds, fiscal_year)
        if available(change):
            diff = money(int(change["change_krw"].iloc[0]), lang)
            percent = metrics.budget_change_pct(ds, fiscal_year)
            if available(percent):
                line += ", " + _text("change_pct", lang, pct=pct(percent, signed=True), diff=diff)
            else:  # the year before had 0: the change in won, and why no percent
                line += ", " + _text("change_won", lang, diff=diff, reason=md(percent.reason_text(lang)))
        out.append(line)
    else:
        out.append(_text("no_budget", lang, year=fiscal_year))
    shares = metrics.overhead_vs_program(ds, fiscal_year)
    if available(shares):
        s = shares.set_index("side")["share_pct"]
        out.append(_text("sides", lang, overhead=pct(s.get("overhead", 0)), program=pct(s.get("program", 0))))
        comp = metrics.composition(ds, fiscal_year)
        top_items = comp[comp["level"] == 1].sort_values("amount_krw", ascending=False)
        if len(top_items):
            top = top_items.iloc[0]
            out.append(_text("largest_item", lang, name=md(top["name_ko"]),
                             group=group_label(top["group"], lang), amount=money(top["amount_krw"], lang),
                             share=pct(top["share_of_total_pct"])))
    else:
        out.append(unavailable_text(shares, lang))
    head = metrics.personnel_cost_per_head(ds, fiscal_year)
    if available(head):
        h = head.iloc[0]
        out.append(_text("per_head", lang, amount=money(h["cost_per_head_krw"], lang),
                         basis=md(h["basis_ko"]), heads=h["heads"],
                         people=_count(h["heads"], "person", "people", lang),
                         staff=md(metrics.staff_text(h["heads_detail_ko"], lang)),
                         others=_text("others", lang) if str(h["basis_ko"]).rstrip().endswith("등") else ""))
    rate = metrics.execution_rate(ds, fiscal_year)
    if available(rate):
        out.append(_text("execution_rate", lang, rate=pct(rate)))
    elif rate.reason == "no_settlement_year":
        out.append(_text("not_settled", lang, year=fiscal_year))
    else:
        out.append(unavailable_text(rate, lang))
    return (out + slip_lines(ds, ("budget_totals", "line_items", "settlements"), fiscal_year, lang)
            + slip_lines(ds, ("budget_totals",), fiscal_year - 1, lang))  # the change on the year before


def cost_summary(ds: Dataset, fiscal_year: int, lang: str = "ko",
                 categories: tuple[str, ...] = metrics.EVENT_CATEGORIES) -> list[str]:
    """Cost per event of a year with its basis and what was counted."""
    out = []
    cpe = metrics.cost_per_event(ds, fiscal_year, categories)
    if available(cpe):
        r = cpe.iloc[0]
        counted = ", ".join(f"{category_label(c, lang)} {n}"
                            for c, n in metrics.events_by_category(ds, fiscal_year, categories).items())
        basis = phase_label(r["basis"], lang)
        amount = money(r["amount_krw"], lang)
        if r["complete"]:
            out.append(_text("cost_per_event", lang, cost=money(r["cost_per_event_krw"], lang), amount=amount,
                             basis=basis, events=r["events"], counted=counted,
                             events_counted=_count(r["events"], "event", "events", lang)))
        else:
            n = int(r["uncounted_activities"])
            activities = _text("activity" if n == 1 else "activities", lang)
            out.append(_text("cost_not_computed", lang, n=n, activities=activities,
                             reasons=count_reasons(r["uncounted_reasons"], lang), events=r["events"],
                             events_counted=_count(r["events"], "event", "events", lang),
                             counted=counted, amount=amount, basis=basis))
    else:
        out.append(unavailable_text(cpe, lang))
    by_type = metrics.cost_per_event_by_type(ds, fiscal_year, categories)
    if available(by_type):
        for r in by_type.itertuples():
            if pd.notna(r.cost_per_event_krw):  # a stated count of at least one event
                out.append(_text("item_cost", lang, name=md(r.name_ko),
                                 cost=money(r.cost_per_event_krw, lang), events=r.events,
                                 events_counted=_count(r.events, "event", "events", lang)))
            else:
                out.append(_text("item_no_count", lang, name=md(r.name_ko), amount=money(r.amount_krw, lang)))
    return out + slip_lines(ds, ("budget_totals", "settlements", "activities", "line_items"), fiscal_year, lang)


def trend_summary(ds: Dataset, fiscal_year: int, lang: str = "ko") -> list[str]:
    """Growth of the budget (nominal, real, USD) and execution over the years in the data."""
    out = []
    g = metrics.growth(metrics.budget_series(ds))
    if len(g) >= 2:
        c = metrics.cagr(g)
        start, end = int(g["fiscal_year"].min()), int(g["fiscal_year"].max())
        if available(c):
            c = c.set_index("measure")["cagr_pct"]
            out.append(_text("cagr", lang, start=start, end=end, nominal=pct(c["amount_krw"]),
                             real=pct(c["amount_2020krw"]), usd=pct(c["amount_usd"])))
        else:
            out.append(_text("cagr_unavailable", lang, start=start, end=end, reason=md(c.reason_text(lang))))
    change = metrics.budget_change(ds, fiscal_year)
    percent = metrics.budget_change_pct(ds, fiscal_year)
    row = g[g["fiscal_year"] == fiscal_year]
    if available(percent):
        r = row.iloc[-1]
        out.append(_text("year_on_year", lang, year=fiscal_year,
                         nominal=pct(r["yoy_nominal_pct"], signed=True),
                         real=pct(r["yoy_real_pct"], signed=True), usd=pct(r["yoy_usd_pct"], signed=True)))
    elif percent.reason == "no_budget_year":
        out.append(_text("no_budget", lang, year=fiscal_year))
    elif percent.reason == "no_previous_year":
        out.append(_text("no_previous_year", lang, year=fiscal_year))
    else:  # the year before had 0: the change in won, and why no percent
        diff = money(int(change["change_krw"].iloc[0]), lang)
        out.append(_text("year_change_won", lang, year=fiscal_year, diff=diff,
                         reason=md(percent.reason_text(lang))))
    for year, note in g.loc[g["note"] != "", ["fiscal_year", "note"]].itertuples(index=False):
        out.append(_text("growth_note", lang, note=growth_note(note, year, lang)))
    rates = metrics.execution_rates(ds)
    if len(rates):
        listed = ", ".join(f"{int(r.fiscal_year)} {_rate_text(ds, int(r.fiscal_year), lang)}" for r in rates.itertuples())
        out.append(_text("execution_rates", lang, rates=listed))
    return out + slip_lines(ds, ("budget_totals", "settlements"), None, lang)


def _rate_text(ds: Dataset, fiscal_year: int, lang: str) -> str:
    """A settled year's execution rate, or why it has none (``산출 불가: 예산현액이 0원임``)."""
    rate = metrics.execution_rate(ds, fiscal_year)
    if available(rate):
        return pct(rate)
    return _text("rate_unavailable", lang, reason=md(rate.reason_text(lang)))
