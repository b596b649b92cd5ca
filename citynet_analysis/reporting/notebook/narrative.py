"""Numbers-first summaries of the three analyses, in Korean or English: the sentences a memo quotes.

Document text quoted in a sentence (item names, bases, notes) is escaped for Markdown; the sentences are
shown as Markdown bullets in notebooks and reports."""

from __future__ import annotations

import pandas as pd

from ... import vocabulary
from ...analysis import metrics
from ...analysis import slips as document_slips
from ...analysis.metrics import Unavailable, available
from ...dataset.load import Dataset
from .escape import markdown_text as md
from .format import (
    category_label,
    check_lang,
    group_label,
    growth_note,
    metric_label,
    money,
    pct,
    phase_label,
    program_name,
)


def unavailable_text(result: Unavailable, lang: str) -> str:
    if lang == "ko":
        year = f"{result.fiscal_year}년" if result.fiscal_year is not None else "이 데이터"
        return (f"**{year}에는 '{metric_label(result.metric, lang)}' 지표를 산출할 수 없습니다** "
                f"({md(result.reason_text('ko'))}).")
    year = f"FY{result.fiscal_year}" if result.fiscal_year is not None else "this data set"
    return (f"**{md(metric_label(result.metric, lang).capitalize())} is not available for {year}** "
            f"({md(result.reason_text('en'))}).")


def count_reasons(codes: str, lang: str) -> str:
    """``frequency 1, not_stated 2`` (metrics.cost_per_event) in words: why activities have no count."""
    words = vocabulary.labels("count_notes")
    parts = []
    for part in filter(None, (p.strip() for p in str(codes or "").split(","))):
        code, _, n = part.rpartition(" ")
        text = words.get(code, {}).get(lang, code)
        parts.append(f"{text} {n}건" if lang == "ko" else f"{text}: {n}")
    return ", ".join(parts)


def slip_lines(ds: Dataset, tables: tuple[str, ...], fiscal_year: int | None, lang: str) -> list[str]:
    """One line per slip in the document's own figures that the summary's numbers rest on: where it is
    and what disagrees (the figures stay as printed; the tables mark the rows)."""
    out = []
    for r in document_slips.slips(ds, tables, fiscal_year).itertuples():
        message = r.message_ko if lang == "ko" and isinstance(r.message_ko, str) else r.message
        out.append(f"⚠ **원문 불일치** ({r.fiscal_year}년, 행 {r.source_line}): {md(message)}" if lang == "ko" else
                   f"⚠ **Document slip** (FY{r.fiscal_year}, line {r.source_line}): {md(message)}")
    return out


def program_line(ds: Dataset, lang: str = "ko") -> str:
    """Which program the figures are of: its name in the language and its program_id."""
    ds = ds.select()
    name = md(program_name(ds.program_ko(), lang))
    return f"사업: **{name}** ({ds.program})" if lang == "ko" else f"Program: **{name}** ({ds.program})"


def overview_summary(ds: Dataset, fiscal_year: int, lang: str = "ko") -> list[str]:
    """Headline facts of a year's budget, each a sentence with its number; first, whose budget it is."""
    check_lang(lang)
    ko = lang == "ko"
    out = [program_line(ds, lang)] if len(ds.documents) else []
    budget = metrics.budget_series(ds).drop_duplicates("fiscal_year", keep="last").set_index("fiscal_year")
    if fiscal_year in budget.index:
        amount = int(budget.loc[fiscal_year, "amount_krw"])
        basis = phase_label(budget.loc[fiscal_year, "basis"], lang)
        line = (f"{fiscal_year}년 예산: **{money(amount, lang)}** ({basis})" if ko else
                f"FY{fiscal_year} budget: **{money(amount, lang)}** ({basis})")
        change = metrics.budget_change(ds, fiscal_year)
        if available(change):
            diff = int(change["change_krw"].iloc[0])
            percent = metrics.budget_change_pct(ds, fiscal_year)
            if available(percent):
                line += (f", 전년 대비 {pct(percent, signed=True)} ({money(diff, lang)})" if ko else
                         f", {pct(percent, signed=True)} on the year before ({money(diff, lang)})")
            else:  # the year before had 0: the change in won, and why no percent
                line += (f", 전년 대비 증감 {money(diff, lang)} ({md(percent.reason_text(lang))})" if ko else
                         f", change on the year before {money(diff, lang)} ({md(percent.reason_text(lang))})")
        out.append(line)
    else:
        out.append(f"{fiscal_year}년 예산 자료가 없습니다." if ko else f"No budget for FY{fiscal_year} in the data.")
    shares = metrics.overhead_vs_program(ds, fiscal_year)
    if available(shares):
        s = shares.set_index("side")["share_pct"]
        out.append(f"운영경비(인건비·임대료·사무관리비·업무추진비) {pct(s.get('overhead', 0))}, "
                   f"사업성 경비(사업비·행사) {pct(s.get('program', 0))}" if ko else
                   f"Overhead (personnel, rent, administration, promotion) {pct(s.get('overhead', 0))}; "
                   f"programs and events {pct(s.get('program', 0))}")
        comp = metrics.composition(ds, fiscal_year)
        top_items = comp[comp["level"] == 1].sort_values("amount_krw", ascending=False)
        if len(top_items):
            top = top_items.iloc[0]
            out.append(f"가장 큰 항목: {md(top['name_ko'])} {money(top['amount_krw'], lang)} "
                       f"({pct(top['share_of_total_pct'])})" if ko else
                       f"Largest item: {md(top['name_ko'])} ({group_label(top['group'], lang)}) "
                       f"{money(top['amount_krw'], lang)} ({pct(top['share_of_total_pct'])})")
    else:
        out.append(unavailable_text(shares, lang))
    head = metrics.personnel_cost_per_head(ds, fiscal_year)
    if available(head):
        h = head.iloc[0]
        out.append(f"1인당 인건비: {money(h['cost_per_head_krw'], lang)} ({md(h['basis_ko'])}, {h['heads']}명 기준)" if ko
                   else f"Personnel cost per head: {money(h['cost_per_head_krw'], lang)} "
                        f"({h['heads']} heads: {md(h['basis_ko'])})")
    rate = metrics.execution_rate(ds, fiscal_year)
    if available(rate):
        out.append(f"집행률(집행액/예산현액): {pct(rate)}" if ko else f"Execution rate (executed / available): {pct(rate)}")
    elif rate.reason == "no_settlement_year":
        out.append(f"{fiscal_year}년 결산은 아직 자료에 없습니다 (집행률 산출 불가)." if ko else
                   f"FY{fiscal_year} is not settled in the data (no execution rate).")
    else:
        out.append(unavailable_text(rate, lang))
    return (out + slip_lines(ds, ("budget_totals", "line_items", "settlements"), fiscal_year, lang)
            + slip_lines(ds, ("budget_totals",), fiscal_year - 1, lang))  # the change on the year before


def cost_summary(ds: Dataset, fiscal_year: int, lang: str = "ko",
                 categories: tuple[str, ...] = metrics.EVENT_CATEGORIES) -> list[str]:
    """Cost per event of a year with its basis and what was counted."""
    check_lang(lang)
    ko = lang == "ko"
    out = []
    cpe = metrics.cost_per_event(ds, fiscal_year, categories)
    if available(cpe):
        r = cpe.iloc[0]
        counted = ", ".join(f"{category_label(c, lang)} {n}"
                            for c, n in metrics.events_by_category(ds, fiscal_year, categories).items())
        basis = phase_label(r["basis"], lang)
        if r["complete"]:
            out.append(f"행사당 비용: **{money(r['cost_per_event_krw'], lang)}** = {money(r['amount_krw'], lang)} "
                       f"({basis}) ÷ {r['events']}회 ({counted})" if ko else
                       f"Cost per event: **{money(r['cost_per_event_krw'], lang)}** = {money(r['amount_krw'], lang)} "
                       f"({basis}) ÷ {r['events']} events ({counted})")
        else:
            n = int(r["uncounted_activities"])
            out.append(f"행사당 비용: **산출하지 않음** — 정확한 횟수가 없는 활동이 {n}건"
                       f"({count_reasons(r['uncounted_reasons'], lang)}) 있어, 기재된 "
                       f"{r['events']}회({counted})로 {money(r['amount_krw'], lang)}({basis})을 나누면 "
                       "행사당 비용이 과대 계상됩니다." if ko else
                       f"Cost per event: **not computed** — {n} activit{'y' if n == 1 else 'ies'} without a "
                       f"stated count ({count_reasons(r['uncounted_reasons'], lang)}); dividing {money(r['amount_krw'], lang)} ({basis}) by the {r['events']} "
                       f"counted events ({counted}) would overstate it.")
    else:
        out.append(unavailable_text(cpe, lang))
    by_type = metrics.cost_per_event_by_type(ds, fiscal_year, categories)
    if available(by_type):
        for r in by_type.itertuples():
            if pd.notna(r.cost_per_event_krw):  # a stated count of at least one event
                out.append(f"{md(r.name_ko)}: {money(r.cost_per_event_krw, lang)} / {r.events}회" if ko else
                           f"{md(r.name_ko)}: {money(r.cost_per_event_krw, lang)} per event ({r.events})")
            else:
                out.append(f"{md(r.name_ko)}: {money(r.amount_krw, lang)} (횟수 미기재, 행사당 비용 산출 불가)" if ko else
                           f"{md(r.name_ko)}: {money(r.amount_krw, lang)} (no count stated; no cost per event)")
    return out + slip_lines(ds, ("budget_totals", "settlements", "activities", "line_items"), fiscal_year, lang)


def trend_summary(ds: Dataset, fiscal_year: int, lang: str = "ko") -> list[str]:
    """Growth of the budget (nominal, real, USD) and execution over the years in the data."""
    check_lang(lang)
    ko = lang == "ko"
    out = []
    g = metrics.growth(metrics.budget_series(ds))
    if len(g) >= 2:
        c = metrics.cagr(g)
        start, end = int(g["fiscal_year"].min()), int(g["fiscal_year"].max())
        if available(c):
            c = c.set_index("measure")["cagr_pct"]
            out.append(f"{start}–{end}년 예산 연평균 증가율: 명목 **{pct(c['amount_krw'])}**, "
                       f"실질(2020년 불변) {pct(c['amount_2020krw'])}, 달러 기준 {pct(c['amount_usd'])}" if ko else
                       f"Budget growth {start}–{end} per year (CAGR): nominal **{pct(c['amount_krw'])}**, real "
                       f"(constant 2020 won) {pct(c['amount_2020krw'])}, in USD {pct(c['amount_usd'])}")
        else:
            out.append(f"{start}–{end}년 예산 연평균 증가율: **산출하지 않음** ({md(c.reason_text(lang))})" if ko else
                       f"Budget growth {start}–{end} per year (CAGR): **not available** ({md(c.reason_text(lang))})")
    change = metrics.budget_change(ds, fiscal_year)
    percent = metrics.budget_change_pct(ds, fiscal_year)
    row = g[g["fiscal_year"] == fiscal_year]
    if available(percent):
        r = row.iloc[-1]
        out.append(f"{fiscal_year}년 전년 대비: 명목 {pct(r['yoy_nominal_pct'], signed=True)}, 실질 "
                   f"{pct(r['yoy_real_pct'], signed=True)}, 달러 {pct(r['yoy_usd_pct'], signed=True)}" if ko else
                   f"FY{fiscal_year} on the year before: nominal {pct(r['yoy_nominal_pct'], signed=True)}, real "
                   f"{pct(r['yoy_real_pct'], signed=True)}, USD {pct(r['yoy_usd_pct'], signed=True)}")
    elif percent.reason == "no_budget_year":
        out.append(f"{fiscal_year}년 예산 자료가 없습니다." if ko else f"No budget for FY{fiscal_year} in the data.")
    elif percent.reason == "no_previous_year":
        out.append(f"{fiscal_year}년은 전년 자료가 없어 증감률을 산출할 수 없습니다." if ko else
                   f"FY{fiscal_year}: no previous year in the data, so no year-over-year change.")
    else:  # the year before had 0: the change in won, and why no percent
        diff = money(int(change["change_krw"].iloc[0]), lang)
        out.append(f"{fiscal_year}년 전년 대비 증감: {diff} ({md(percent.reason_text(lang))})" if ko else
                   f"FY{fiscal_year} change on the year before: {diff} ({md(percent.reason_text(lang))})")
    for year, note in g.loc[g["note"] != "", ["fiscal_year", "note"]].itertuples(index=False):
        out.append(f"참고: {growth_note(note, year, lang)} (해당 연도 실질·달러 금액은 비워 둠)" if ko else
                   f"Note: {growth_note(note, year, lang)} (the real and USD amounts are left empty)")
    rates = metrics.execution_rates(ds)
    if len(rates):
        listed = ", ".join(f"{int(r.fiscal_year)} {_rate_text(ds, int(r.fiscal_year), lang)}" for r in rates.itertuples())
        out.append(f"집행률: {listed}" if ko else f"Execution rates: {listed}")
    return out + slip_lines(ds, ("budget_totals", "settlements"), None, lang)


def _rate_text(ds: Dataset, fiscal_year: int, lang: str) -> str:
    """A settled year's execution rate, or why it has none (``산출 불가: 예산현액이 0원임``)."""
    rate = metrics.execution_rate(ds, fiscal_year)
    if available(rate):
        return pct(rate)
    return f"(산출 불가: {md(rate.reason_text(lang))})" if lang == "ko" else f"(n/a: {md(rate.reason_text(lang))})"
