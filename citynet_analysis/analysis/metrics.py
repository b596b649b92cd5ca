"""Metrics for memos, as pure functions of a loaded data set.

A year without the data a metric needs gives an :class:`Unavailable` result that says so ("not available
for FY…"), never an exception and never a zero. A year missing from the CPI or exchange-rate series gives
a missing value and a note."""

from __future__ import annotations

import functools
import inspect
import math
from dataclasses import dataclass

import pandas as pd

from .. import vocabulary
from ..dataset.load import Dataset
from . import reference
from .slips import SLIP, SLIP_KO, mark_rows

EVENT_CATEGORIES = vocabulary.event_categories()
TOTAL_LABELS = vocabulary.total_labels()


def parse_categories(text: str | None) -> tuple[str, ...]:
    """Event categories from a comma-separated parameter (``"webinar,seminar"``); None or empty gives
    the default set. An unknown name is a ValueError that lists the known ones."""
    if not text:
        return EVENT_CATEGORIES
    names = tuple(dict.fromkeys(c.strip() for c in text.split(",") if c.strip()))
    unknown = [c for c in names if c not in vocabulary.category_ids()]
    if unknown:
        raise ValueError(f"unknown activity categories {unknown}; known: {', '.join(vocabulary.category_ids())}")
    return names


@dataclass(frozen=True)
class Unavailable:
    """A metric that the data cannot give for a fiscal year, and why: ``reason`` is a key of
    vocabulary.toml ``[unavailable]`` (worded in Korean and English there), ``categories`` fills it."""

    metric: str
    fiscal_year: int | None
    reason: str
    categories: tuple[str, ...] = ()

    def reason_text(self, lang: str = "en") -> str:
        """Why, in ``lang`` (ko or en)."""
        template = vocabulary.labels("unavailable").get(self.reason, {}).get(lang, self.reason)
        names = vocabulary.labels("activity_categories")
        listed = ", ".join(names[c][lang] if c in names else c for c in self.categories)
        return template.format(categories=listed)

    def __str__(self) -> str:
        year = f"FY{self.fiscal_year}" if self.fiscal_year is not None else "this data set"
        return f"{self.metric}: not available for {year} ({self.reason_text('en')})"

    def _repr_markdown_(self) -> str:
        return f"*{self}*"

    def __bool__(self) -> bool:
        return False


def per_program(metric):
    """Give a metric a keyword-only ``program`` (a program_id): it runs on that program's tables. None (the
    default) means the program of a data set that :func:`load` limited to one, or the only one present; a
    data set of several programs with none named raises ProgramError listing them."""
    @functools.wraps(metric)
    def run(ds: Dataset, *args, program: str | None = None, **kwargs):
        return metric(ds.select(program), *args, **kwargs)

    sig = inspect.signature(metric)
    extra = inspect.Parameter("program", inspect.Parameter.KEYWORD_ONLY, default=None, annotation="str | None")
    run.__signature__ = sig.replace(parameters=[*sig.parameters.values(), extra])
    return run


def available(result) -> bool:
    """True for a real result, False for :class:`Unavailable`."""
    return not isinstance(result, Unavailable)


def _items(ds: Dataset, fiscal_year: int) -> pd.DataFrame:
    return ds.line_items[ds.line_items["fiscal_year"] == fiscal_year]


@per_program
def composition(ds: Dataset, fiscal_year: int) -> pd.DataFrame | Unavailable:
    """Each line item with its level and group, and its share stated at its own level: a top-level item's
    share of the year's total (``share_of_total_pct``; the top-level items' shares add up to 100 %), a
    sub-item's share of its parent (``share_of_parent_pct``; 사업비's sub-items add up to 100 % of
    사업비). The other share column is empty (NaN), so that no column counts an amount twice (a sub-item
    is part of its parent's share of the total). The total is the sum of the top-level items; a year whose
    top-level items add up to nothing (0 or less) has no shares to give (``zero_total``). Items that do not
    add up (sub-items against their parent, the anomalies say where) keep the shares their amounts give,
    over 100 % too; a sub-item whose parent is 0 or missing has no share of it (NaN)."""
    items = _items(ds, fiscal_year)
    if items.empty:
        return Unavailable("composition", fiscal_year, "no_line_items")
    total = int(items.loc[items["level"] == 1, "amount_krw"].sum())
    if total <= 0:
        return Unavailable("composition", fiscal_year, "zero_total")
    amounts = {r.item_id: int(r.amount_krw) for r in items.itertuples()}
    rows = []
    for r in items.itertuples():
        top = r.level <= 1
        parent_amount = 0 if top else amounts.get(r.parent_id, 0)
        rows.append(dict(
            fiscal_year=fiscal_year, item_id=r.item_id, level=r.level, name_ko=r.name_ko,
            group=r.group, amount_krw=int(r.amount_krw),
            share_of_total_pct=100 * int(r.amount_krw) / total if top else math.nan,
            share_of_parent_pct=100 * int(r.amount_krw) / parent_amount if parent_amount > 0 else math.nan,
            source_line=r.source_line,
        ))
    return mark_rows(ds, pd.DataFrame(rows), ("line_items",), by_line=True)


@per_program
def group_shares(ds: Dataset, fiscal_year: int) -> pd.DataFrame | Unavailable:
    """Amount and share per group (personnel, rent and management, programs, events, administration,
    promotion, other), with each group's side: overhead or program."""
    comp = composition(ds, fiscal_year)
    if not available(comp):
        return comp
    top = comp[comp["level"] == 1]
    out = top.groupby("group", sort=False)["amount_krw"].sum().reset_index()
    out["share_pct"] = 100 * out["amount_krw"] / out["amount_krw"].sum()
    out["side"] = out["group"].map(vocabulary.side_of)
    out.insert(0, "fiscal_year", fiscal_year)
    if SLIP in top:  # a group whose items' figures the document misprints says so
        for col in (SLIP, SLIP_KO):
            texts = top.groupby("group", sort=False)[col].agg(lambda t: "; ".join(dict.fromkeys(x for x in t if x)))
            out[col] = out["group"].map(texts).fillna("")
    return out


@per_program
def overhead_vs_program(ds: Dataset, fiscal_year: int) -> pd.DataFrame | Unavailable:
    """Overhead (personnel, rent, administration, promotion) against program (사업비, events) shares."""
    shares = group_shares(ds, fiscal_year)
    if not available(shares):
        return shares
    out = shares.groupby("side", sort=False)[["amount_krw", "share_pct"]].sum().reset_index()
    out.insert(0, "fiscal_year", fiscal_year)
    return out


#: The phase of an amount (the ``basis`` columns): budget (예산액 of a budget summary), final budget
#: (최종예산 of a settlement), executed (집행액). Labels in vocabulary.toml ``[phases]``.
BUDGET, FINAL_BUDGET, EXECUTED = "budget", "final_budget", "executed"


@per_program
def budget_series(ds: Dataset) -> pd.DataFrame:
    """The approved budget per fiscal year: the budget summary's 계 where a document states it (basis
    ``budget``), else the settlement's final budget (최종예산, basis ``final_budget``)."""
    bt = ds.budget_totals[ds.budget_totals["category"].isin(TOTAL_LABELS)]
    rows = {int(r.fiscal_year): (int(r.amount_krw), BUDGET, r.document_id, r.source_line)
            for r in bt.itertuples()}
    for r in ds.settlements.itertuples():
        rows.setdefault(int(r.fiscal_year), (int(r.final_budget_krw), FINAL_BUDGET, r.document_id, r.source_line))
    out = pd.DataFrame(
        [dict(fiscal_year=y, amount_krw=a, basis=b, document_id=d, source_line=s)
         for y, (a, b, d, s) in sorted(rows.items())],
        columns=["fiscal_year", "amount_krw", "basis", "document_id", "source_line"],
    )
    return mark_rows(ds, out, ("budget_totals", "settlements"), by_line=True, not_checks=("settlement_use",))


@per_program
def executed_series(ds: Dataset) -> pd.DataFrame:
    """Executed amounts (집행액) per settled fiscal year."""
    s = ds.settlements
    out = pd.DataFrame(dict(fiscal_year=s["fiscal_year"], amount_krw=s["executed_krw"], basis=EXECUTED,
                            document_id=s["document_id"], source_line=s["source_line"])).reset_index(drop=True)
    return mark_rows(ds, out, ("settlements",), by_line=True, not_checks=("settlement_available",))


def _pct(new, old) -> float:
    """The change from ``old`` to ``new`` in percent; NaN where either is missing or ``old`` is not a
    positive amount (a change on 0 has no percent)."""
    if old is None or new is None or pd.isna(old) or pd.isna(new) or old <= 0:
        return math.nan
    return 100 * (new / old - 1)


def growth(series: pd.DataFrame, reference_dir=None) -> pd.DataFrame:
    """Year-over-year change of a series (``budget_series`` or ``executed_series``): nominal, in constant
    2020 won (CPI) and in US dollars (annual average rate). A year without CPI or rate gets NaN and a note
    (``no_cpi``, ``no_fx``, separated by ``; ``).
    YoY is computed only between consecutive years."""
    cpi, fx = reference.cpi(reference_dir), reference.krw_per_usd(reference_dir)
    rows, prev = [], None
    for r in series.itertuples():
        year, amount = int(r.fiscal_year), int(r.amount_krw)
        c, x = cpi.get(year), fx.get(year)
        notes = []  # codes, worded by the reporting side (vocabulary.toml [growth_notes])
        if c is None:
            notes.append("no_cpi")
        if x is None:
            notes.append("no_fx")
        row = dict(fiscal_year=year, amount_krw=amount, basis=r.basis,
                   amount_2020krw=amount * 100 / c if c else math.nan,
                   amount_usd=amount / x if x else math.nan, cpi_2020_100=c if c else math.nan,
                   krw_per_usd=x if x else math.nan, note="; ".join(notes))
        consecutive = prev is not None and prev["fiscal_year"] == year - 1
        for col, before in ((SLIP, "FY{year}: "), (SLIP_KO, "{year}년: ")):
            if col in series:  # a year's slip marks stay with it; its change on the year before, that year's too
                own = getattr(r, col) if isinstance(getattr(r, col), str) else ""
                earlier = prev[f"_{col}"] if consecutive else ""
                row[f"_{col}"] = own
                row[col] = "; ".join(t for t in (own, before.format(year=year - 1) + earlier if earlier else "") if t)
        for col, key in (("yoy_nominal_pct", "amount_krw"), ("yoy_real_pct", "amount_2020krw"),
                         ("yoy_usd_pct", "amount_usd")):
            row[col] = _pct(row[key], prev[key]) if consecutive else math.nan
        rows.append(row)
        prev = row
    cols = ["fiscal_year", "amount_krw", "basis", "yoy_nominal_pct", "amount_2020krw", "yoy_real_pct",
            "amount_usd", "yoy_usd_pct", "cpi_2020_100", "krw_per_usd", "note"]
    return pd.DataFrame(rows, columns=cols + [c for c in (SLIP, SLIP_KO) if c in series])


def cagr(growth_table: pd.DataFrame, start: int | None = None,
         end: int | None = None) -> pd.DataFrame | Unavailable:
    """Compound annual growth between two years of a ``growth`` table (default: first and last), per
    measure; NaN where a value is missing (a year without CPI or rate). Not available for fewer than two
    years (``one_year_only``), a start or end year the table lacks (``no_budget_year``), or a start year
    whose amount is 0 or less (``zero_start_year``: growth from nothing has no rate)."""
    g = growth_table.set_index("fiscal_year")
    g = g[~g.index.duplicated(keep="last")]
    if g.empty:
        return Unavailable("budget trend", None, "no_budget_data")
    start = int(g.index.min()) if start is None else start
    end = int(g.index.max()) if end is None else end
    n = end - start
    if n <= 0:
        return Unavailable("budget trend", None, "one_year_only")
    for year in (start, end):
        if year not in g.index:
            return Unavailable("budget trend", year, "no_budget_year")
    if not g.loc[start, "amount_krw"] > 0:
        return Unavailable("budget trend", None, "zero_start_year")
    rows = []
    for measure in ("amount_krw", "amount_2020krw", "amount_usd"):
        a, b = g.loc[start, measure], g.loc[end, measure]
        ok = not pd.isna(a) and not pd.isna(b) and a > 0 and b >= 0
        value = 100 * ((b / a) ** (1 / n) - 1) if ok else math.nan
        rows.append(dict(measure=measure, start=start, end=end, years=n, cagr_pct=value))
    return pd.DataFrame(rows)


@per_program
def budget_change(ds: Dataset, fiscal_year: int) -> pd.DataFrame | Unavailable:
    """A year's approved budget (``budget_series``) against the year before's: both amounts, the change
    in won and in percent. Not available without the year (``no_budget_year``) or the year before
    (``no_previous_year``). Where the year before's budget is 0 (a new program) the change in won is
    given and the percent is NaN: :func:`budget_change_pct` says why."""
    b = budget_series(ds).drop_duplicates("fiscal_year", keep="last").set_index("fiscal_year")
    if fiscal_year not in b.index:
        return Unavailable("budget trend", fiscal_year, "no_budget_year")
    if fiscal_year - 1 not in b.index:
        return Unavailable("budget trend", fiscal_year, "no_previous_year")
    amount, previous = int(b.loc[fiscal_year, "amount_krw"]), int(b.loc[fiscal_year - 1, "amount_krw"])
    return pd.DataFrame([dict(fiscal_year=fiscal_year, amount_krw=amount, basis=b.loc[fiscal_year, "basis"],
                              previous_krw=previous, previous_basis=b.loc[fiscal_year - 1, "basis"],
                              change_krw=amount - previous, change_pct=_pct(amount, previous))])


@per_program
def budget_change_pct(ds: Dataset, fiscal_year: int) -> float | Unavailable:
    """The change of a year's budget on the year before in percent; not available as for
    :func:`budget_change`, or where the year before's budget is 0 or less (``zero_previous_year``)."""
    change = budget_change(ds, fiscal_year)
    if not available(change):
        return change
    if not change["previous_krw"].iloc[0] > 0:
        return Unavailable("budget trend", fiscal_year, "zero_previous_year")
    return float(change["change_pct"].iloc[0])


@per_program
def execution_rates(ds: Dataset) -> pd.DataFrame:
    """집행률 = 집행액 / 예산현액 per settled year, with the unspent and carried-over amounts; NaN where
    예산현액 is 0 (:func:`execution_rate` says why)."""
    s = ds.settlements
    rate = (100 * s["executed_krw"] / s["available_krw"].where(s["available_krw"] != 0)).astype("float64")
    out = pd.DataFrame(dict(
        fiscal_year=s["fiscal_year"], available_krw=s["available_krw"], executed_krw=s["executed_krw"],
        carried_out_krw=s["carried_out_krw"], unspent_krw=s["unspent_krw"], execution_rate_pct=rate,
        source_line=s["source_line"], document_id=s["document_id"],
    )).reset_index(drop=True)
    return mark_rows(ds, out, ("settlements",), by_line=True).drop(columns="document_id")


@per_program
def execution_rate(ds: Dataset, fiscal_year: int) -> float | Unavailable:
    """The execution rate of one year in percent; not available for a year without a settlement
    (``no_settlement_year``) or whose available budget (예산현액) is 0 (``zero_available``)."""
    rates = execution_rates(ds)
    row = rates[rates["fiscal_year"] == fiscal_year]
    if row.empty:
        return Unavailable("execution rate", fiscal_year, "no_settlement_year")
    rate = row["execution_rate_pct"].iloc[-1]
    if pd.isna(rate):  # 예산현액 0: nothing was available to execute
        return Unavailable("execution rate", fiscal_year, "zero_available")
    return float(rate)


@per_program
def year_money(ds: Dataset, fiscal_year: int) -> tuple[int, str] | None:
    """The money of a year: executed where a settlement exists, else the approved budget; with its basis
    (a phase: ``executed``, ``budget`` or ``final_budget``)."""
    s = ds.settlements[ds.settlements["fiscal_year"] == fiscal_year]
    if len(s):
        return int(s["executed_krw"].iloc[-1]), EXECUTED
    b = budget_series(ds)
    b = b[b["fiscal_year"] == fiscal_year]
    if len(b):
        return int(b["amount_krw"].iloc[-1]), str(b["basis"].iloc[-1])
    return None


@per_program
def cost_per_event(ds: Dataset, fiscal_year: int,
                   categories: tuple[str, ...] = EVENT_CATEGORIES) -> pd.DataFrame | Unavailable:
    """A year's money divided by its discrete events in ``categories``, with the basis stated.

    Events are the stated or implied counts (``(9회)`` → 9, a numbered committee → 1). A year where some
    activities of the chosen categories have no stated count is incompletely counted: dividing by the
    counted events alone would overstate the cost per event, so ``cost_per_event_krw`` is left empty and
    ``complete`` is False (``uncounted_activities`` says how many, ``uncounted_reasons`` why, as
    ``count_note`` codes with their number: ``frequency 1, not_stated 2``). Not available for a year
    without money (``no_budget_year``), without outcomes at all (``no_outcomes_year``, as :func:`year_activities` says) or
    without counted events of ``categories`` (``no_outcomes_in``, ``no_count_in``) or
    whose money is 0 (``zero_money_executed``, ``zero_money_budget``: no cost to divide among the events)."""
    money = year_money(ds, fiscal_year)
    if money is None:
        return Unavailable("cost per event", fiscal_year, "no_budget_year")
    acts = ds.activities[(ds.activities["fiscal_year"] == fiscal_year)
                         & ds.activities["category"].isin(categories)]
    counted = acts.dropna(subset=["count"])
    events = int(counted["count"].sum())
    by_cat = events_by_category(ds, fiscal_year, categories)
    if events <= 0:
        if ds.activities[ds.activities["fiscal_year"] == fiscal_year].empty:  # no outcomes at all that year
            return Unavailable("cost per event", fiscal_year, "no_outcomes_year")
        return Unavailable("cost per event", fiscal_year, "no_outcomes_in" if acts.empty else "no_count_in",
                           tuple(categories))
    amount, basis = money
    if amount <= 0:  # 0 won per event would say the events cost nothing; the program spent nothing on them
        return Unavailable("cost per event", fiscal_year, "zero_money_executed" if basis == EXECUTED
                           else "zero_money_budget")
    uncounted = len(acts) - len(counted)
    reasons = acts.loc[acts["count"].isna(), "count_note"].fillna("not_stated").value_counts()
    out = pd.DataFrame([dict(fiscal_year=fiscal_year, basis=basis, amount_krw=amount, events=events,
                             cost_per_event_krw=amount / events if uncounted == 0 else math.nan,
                             uncounted_activities=uncounted, complete=uncounted == 0,
                             uncounted_reasons=", ".join(f"{k} {int(n)}" for k, n in sorted(reasons.items())),
                             events_by_category=", ".join(f"{c} {n}" for c, n in by_cat.items()))])
    money_tables = ("settlements",) if basis == EXECUTED else ("budget_totals", "settlements")
    return mark_rows(ds, out, money_tables + ("activities",))  # the money or the counts misprinted


@per_program
def events_by_category(ds: Dataset, fiscal_year: int,
                       categories: tuple[str, ...] = EVENT_CATEGORIES) -> pd.Series:
    """Counted events of a year per category (in ``categories`` order; categories with none left out)."""
    acts = ds.activities[(ds.activities["fiscal_year"] == fiscal_year)
                         & ds.activities["category"].isin(categories)].dropna(subset=["count"])
    sums = acts.groupby("category")["count"].sum()
    return pd.Series({c: int(sums[c]) for c in categories if c in sums and sums[c] > 0}, dtype="int64")


@per_program
def cost_per_event_table(ds: Dataset, categories: tuple[str, ...] = EVENT_CATEGORIES) -> pd.DataFrame | Unavailable:
    """Cost per event of every fiscal year that has counted events and money. Not available where no year
    has: ``no_year_counted`` (no year has counted events) or ``no_year_costed`` (the years with counted
    events have no money, e.g. a new program's outcomes before its first budget)."""
    rows = [r for y in ds.fiscal_years() if available(r := cost_per_event(ds, y, categories))]
    if not rows:
        counted = any(len(events_by_category(ds, y, categories)) for y in ds.fiscal_years())
        return Unavailable("cost per event", None, "no_year_costed" if counted else "no_year_counted")
    return pd.concat(rows, ignore_index=True)


@per_program
def cost_per_event_by_type(ds: Dataset, fiscal_year: int,
                           categories: tuple[str, ...] = EVENT_CATEGORIES) -> pd.DataFrame | Unavailable:
    """Line items that fund identifiable events (``제44차 집행위원회 개최`` = one committee): amount per event.

    Items whose text gives no number of events get a missing cost per event, not a guess."""
    items = _items(ds, fiscal_year)
    if items.empty:
        return Unavailable("cost per event by type", fiscal_year, "no_line_items")
    rows = []
    for r in items[items["event_category"].isin(categories)].itertuples():
        count = None if pd.isna(r.event_count) else int(r.event_count)
        rows.append(dict(fiscal_year=fiscal_year, item_id=r.item_id, name_ko=r.name_ko,
                         category=r.event_category, amount_krw=int(r.amount_krw),
                         events=count, cost_per_event_krw=r.amount_krw / count if count and count > 0 else math.nan,
                         source_line=r.source_line))
    if not rows:
        return Unavailable("cost per event by type", fiscal_year, "no_event_items")
    out = pd.DataFrame(rows)
    out["events"] = out["events"].astype("Int64")
    return mark_rows(ds, out, ("line_items",), by_line=True)


def staff_text(detail, lang: str) -> str:
    """Who a personnel basis counts (``line_items.head_count_detail``, ``직원 5, 인턴 2``) in ``lang``: as
    stored in Korean, ``5 staff, 2 interns`` in English (``[staff_roles]`` of vocabulary.toml; a word it does
    not list stays as the document writes it, with its number). Empty where the basis names nobody."""
    if not isinstance(detail, str) or not detail.strip():
        return ""
    if lang == "ko":
        return detail
    roles = vocabulary.labels("staff_roles")
    parts = []
    for part in filter(None, (p.strip() for p in detail.split(","))):
        word, _, n = part.rpartition(" ")
        if word in roles and n.isdigit():
            parts.append(f"{int(n):,} {roles[word]['one' if int(n) == 1 else 'other']}")
        else:
            parts.append(part)
    return ", ".join(parts)


@per_program
def personnel_cost_per_head(ds: Dataset, fiscal_year: int) -> pd.DataFrame | Unavailable:
    """Personnel cost (인건비) divided by the number of people its basis states (직원 5명, 인턴 2명 → 7;
    read at ingest into ``line_items.head_count``). ``heads_detail`` says who they are in English
    (``5 staff, 2 interns``), its twin ``heads_detail_ko`` as the data hold it (``직원 5, 인턴 2``)."""
    items = _items(ds, fiscal_year)
    if items.empty:
        return Unavailable("personnel cost per head", fiscal_year, "no_line_items")
    personnel = items[(items["level"] == 1) & items["group"].eq("personnel")]
    if personnel.empty:
        return Unavailable("personnel cost per head", fiscal_year, "no_personnel")
    r = personnel.iloc[0]
    if pd.isna(r["head_count"]) or int(r["head_count"]) <= 0:
        return Unavailable("personnel cost per head", fiscal_year, "no_head_count")
    total = int(r["head_count"])
    out = pd.DataFrame([dict(fiscal_year=fiscal_year, amount_krw=int(r["amount_krw"]), heads=total,
                             heads_detail=staff_text(r["head_count_detail"], "en"),
                             heads_detail_ko=staff_text(r["head_count_detail"], "ko"),
                             cost_per_head_krw=r["amount_krw"] / total, basis_ko=r["basis_ko"],
                             source_line=int(r["source_line"]))])
    return mark_rows(ds, out, ("line_items",), by_line=True)


@per_program
def year_activities(ds: Dataset, fiscal_year: int) -> pd.DataFrame | Unavailable:
    """The outcome activities (추진실적) listed for a fiscal year."""
    a = ds.activities[ds.activities["fiscal_year"] == fiscal_year].reset_index(drop=True)
    if a.empty:
        return Unavailable("activities", fiscal_year, "no_outcomes_year")
    return mark_rows(ds, a, ("activities",))


@per_program
def events_by_type(ds: Dataset, fiscal_year: int) -> pd.DataFrame | Unavailable:
    """The counted events of a year per activity type (``activity_counts`` rows with a stated count), for
    the activities chart. Not available where :func:`year_activities` is not, for its reason (one reason
    for the year's table and its chart), or where none of the year's activities states a count
    (``no_counted_activities``)."""
    listed = year_activities(ds, fiscal_year)
    if not available(listed):
        return listed
    counts = activity_counts(ds, fiscal_year).dropna(subset=["events"])
    if counts.empty:
        return Unavailable("events by type", fiscal_year, "no_counted_activities")
    return counts.reset_index(drop=True)


@per_program
def activity_counts(ds: Dataset, fiscal_year: int | None = None) -> pd.DataFrame:
    """Activities per year and category: rows listed, and events counted where stated."""
    a = ds.activities if fiscal_year is None else ds.activities[ds.activities["fiscal_year"] == fiscal_year]
    out = a.groupby(["fiscal_year", "category"]).agg(
        activities=("activity_id", "size"), events=("count", lambda c: c.sum(min_count=1)),
        without_count=("count", lambda c: int(c.isna().sum()))).reset_index()
    out["events"] = out["events"].astype("Int64")
    return out


METRICS_BY_YEAR_COLUMNS = [
    "fiscal_year", "budget_krw", "executed_krw", "execution_rate_pct", "events", "uncounted_activities",
    "cost_per_event_krw", "cost_basis",
    "overhead_share_pct", "program_share_pct", "personnel_per_head_krw",
]


@per_program
def metrics_by_year(ds: Dataset) -> pd.DataFrame:
    """One row per fiscal year with the headline metrics (NaN where a year lacks the data): the table that
    the expected-results test pins."""
    budget = budget_series(ds).set_index("fiscal_year")
    rates = execution_rates(ds).set_index("fiscal_year")
    rows = []
    for year in ds.fiscal_years():
        cpe = cost_per_event(ds, year)
        shares = overhead_vs_program(ds, year)
        head = personnel_cost_per_head(ds, year)
        side = shares.set_index("side")["share_pct"] if available(shares) else {}
        rows.append(dict(
            fiscal_year=year,
            budget_krw=int(budget.loc[year, "amount_krw"]) if year in budget.index else pd.NA,
            executed_krw=int(rates.loc[year, "executed_krw"]) if year in rates.index else pd.NA,
            execution_rate_pct=round(float(rates.loc[year, "execution_rate_pct"]), 4) if year in rates.index
            else math.nan,
            events=int(cpe["events"].iloc[0]) if available(cpe) else pd.NA,
            uncounted_activities=int(cpe["uncounted_activities"].iloc[0]) if available(cpe) else pd.NA,
            cost_per_event_krw=round(float(cpe["cost_per_event_krw"].iloc[0]), 2) if available(cpe)
            and cpe["complete"].iloc[0] else math.nan,
            cost_basis=cpe["basis"].iloc[0] if available(cpe) else "",
            overhead_share_pct=round(float(side.get("overhead", math.nan)), 4) if available(shares) else math.nan,
            program_share_pct=round(float(side.get("program", math.nan)), 4) if available(shares) else math.nan,
            personnel_per_head_krw=round(float(head["cost_per_head_krw"].iloc[0]), 2) if available(head)
            else math.nan,
        ))
    out = pd.DataFrame(rows, columns=METRICS_BY_YEAR_COLUMNS)
    for col in ("budget_krw", "executed_krw", "events", "uncounted_activities"):
        out[col] = out[col].astype("Int64")
    return out


@per_program
def year_anomalies(ds: Dataset, fiscal_year: int) -> pd.DataFrame:
    """Anomalies of the documents that state facts about the year (its own document and later ones)."""
    docs = ds.documents[ds.documents["fiscal_year"] >= fiscal_year]["document_id"]
    a = ds.anomalies[ds.anomalies["document_id"].isin(docs)]
    return a[["document_id", "source_line", "severity", "check", "message", "message_ko"]].reset_index(drop=True)
