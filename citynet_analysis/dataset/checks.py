"""The identities a clean document satisfies, as pure functions over one document's tables.

Each check returns anomaly rows (:func:`finding`); none ever changes a number. ``error`` means figures the
document itself prints disagree (a sum, a settlement identity, a formula): the figures stay as printed and
every report that shows one says so; ``warning`` is an inconsistency an analyst should see; ``info`` is a
note on how something was read."""

from __future__ import annotations

import math
import re

import pandas as pd

from .. import vocabulary


def _int(v) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


def _amount(v) -> int | None:
    """An identity's amount for the table: None where it does not fit the int64 column (a sum of
    thousands of amounts near the bound; the message still says it)."""
    v = _int(v)
    return v if v is None or abs(v) < 2**63 else None


def finding(at, severity: str, check: str, variant: str | None = None, *, fiscal_year=None, table=None,
            other_line=None, stated_krw=None, computed_krw=None, **params) -> dict:
    """An anomaly row: where (the source line ``at``, and ``other_line`` for the second side of an identity), what it
    concerns (``table``, ``fiscal_year``), both amounts of a broken identity (``stated_krw`` as printed,
    ``computed_krw`` by the identity), and its message in both languages from messages.toml filled with
    ``params``."""
    return dict(source_line=_int(at), severity=severity, check=check, fiscal_year=_int(fiscal_year),
                table=table, other_line=_int(other_line), stated_krw=_amount(stated_krw), computed_krw=_amount(computed_krw),
                **vocabulary.anomaly_text(check, variant, fiscal_year=fiscal_year, **params))


_row = finding


def _sum(values) -> int:
    """An exact sum (Python ints): thousands of amounts near the bound would wrap around in int64."""
    return sum(int(v) for v in values)


def _won(v: int) -> str:
    return f"{int(v):,}"


def check_line_items(items: pd.DataFrame, total_krw: int, total_line: int | None,
                     budget_totals: pd.DataFrame) -> list[dict]:
    """Top-level items sum to the year's total, sub-items to their parent, a category's items to its budget."""
    out = []
    year = int(items["fiscal_year"].iloc[0]) if len(items) else None
    top = items[items["level"] == 1]
    s = _sum(top["amount_krw"])
    if s != total_krw:
        out.append(_row(top["source_line"].min(), "error", "line_items_total", fiscal_year=year, table="line_items",
                        other_line=total_line, stated_krw=total_krw, computed_krw=s, sum=_won(s), total=_won(total_krw),
                        total_line=total_line))
    lines = dict(zip(items["item_id"], items["source_line"], strict=True))
    amounts = dict(zip(items["item_id"], items["amount_krw"], strict=True))
    names = dict(zip(items["item_id"], items["name_ko"], strict=True))
    for parent_id, children in items.dropna(subset=["parent_id"]).groupby("parent_id", sort=False):
        s = _sum(children["amount_krw"])
        if parent_id in amounts and s != int(amounts[parent_id]):
            out.append(_row(lines[parent_id], "error", "sub_items_total", fiscal_year=year, table="line_items",
                            other_line=children["source_line"].min(), stated_krw=amounts[parent_id], computed_krw=s,
                            item=names[parent_id], sum=_won(s), amount=_won(amounts[parent_id]),
                            first_line=children["source_line"].min(), line=lines[parent_id]))
    stated = budget_totals[budget_totals["fiscal_year"] == year].drop_duplicates("category", keep="last")
    stated_line = dict(zip(stated["category"], stated["source_line"], strict=True))
    stated = stated.set_index("category")["amount_krw"]
    for cat in top["category_ko"].dropna().unique():
        line = top.loc[top["category_ko"] == cat, "source_line"].min()
        if cat not in stated.index:
            out.append(_row(line, "warning", "category_missing", fiscal_year=year, table="line_items", category=cat))
            continue
        s = _sum(top.loc[top["category_ko"] == cat, "amount_krw"])
        if s != int(stated[cat]):
            out.append(_row(line, "error", "category_total", fiscal_year=year, table="line_items",
                            other_line=stated_line[cat], stated_krw=stated[cat], computed_krw=s, category=cat, sum=_won(s),
                            stated=_won(stated[cat]), summary_line=stated_line[cat]))
    return out


def rounded_half_up(value: float, decimals: int) -> float:
    """``value`` rounded to ``decimals`` places, halves away from zero (반올림: △4.95 → △5.0)."""
    scaled = abs(value) * 10**decimals
    return math.copysign(math.floor(scaled + 0.5 + 1e-9) / 10**decimals, value)


def check_budget_summary(summary: pd.DataFrame, total_krw: int, total_line: int | None = None,
                         fiscal_year: int | None = None) -> list[dict]:
    """계 equals the categories' sum and the year's total; change = B − A; percent = (B−A)*100/A rounded
    to the printed precision (a percent so rounded is a note, ``info``; another one a warning)."""
    out = []
    is_total = summary["category"].isin(vocabulary.total_labels())
    parts = summary[~is_total]
    year = {"a": None if fiscal_year is None else fiscal_year - 1, "b": fiscal_year}
    for _, t in summary[is_total].iterrows():
        for col in ("a", "b"):
            if len(parts) and _sum(parts[col]) != int(t[col]):
                out.append(_row(t["source_line"], "error", "summary_total", fiscal_year=year[col],
                                table="budget_totals", other_line=parts["source_line"].min(), stated_krw=t[col],
                                computed_krw=_sum(parts[col]), sum=_won(_sum(parts[col])), column=col.upper(),
                                total=_won(t[col]), first_line=parts["source_line"].min()))
        if int(t["b"]) != total_krw:
            out.append(_row(t["source_line"], "error", "summary_vs_total", fiscal_year=fiscal_year,
                            table="budget_totals", other_line=total_line, stated_krw=t["b"], computed_krw=total_krw,
                            summary=_won(t["b"]), total=_won(total_krw), total_line=total_line))
    for _, r in summary.iterrows():
        a, b = int(r["a"]), int(r["b"])
        if pd.notna(r["change"]) and int(r["change"]) != b - a:
            out.append(_row(r["source_line"], "error", "summary_change", fiscal_year=fiscal_year,
                            table="budget_totals", stated_krw=r["change"], computed_krw=b - a, category=r["category"],
                            shown=_won(r["change"]), exact=_won(b - a)))
        if pd.notna(r["pct"]) and a != 0:
            exact = (b - a) * 100 / a
            shown = float(r["pct"])
            decimals = int(r["pct_decimals"]) if "pct_decimals" in r and pd.notna(r["pct_decimals"]) else (
                0 if shown == int(shown) else 1)
            if abs(shown - exact) < 1e-9:
                continue
            rounded = abs(shown - rounded_half_up(exact, decimals)) < 1e-9
            out.append(_row(r["source_line"], "info" if rounded else "warning",
                            "summary_percent_rounded" if rounded else "summary_percent", fiscal_year=fiscal_year,
                            table="budget_totals", category=r["category"], shown=f"{shown:.{decimals}f}",
                            exact=f"{exact:.2f}"))
    return out


def check_settlements(settlements: pd.DataFrame) -> list[dict]:
    """예산현액 = 최종예산 + 전년이월 + 예산변경 and 집행액 + 차년이월 + 집행잔액 = 예산현액, per year."""
    out = []
    for _, r in settlements.iterrows():
        where = dict(fiscal_year=r["fiscal_year"], table="settlements", stated_krw=r["available_krw"])
        available = r["final_budget_krw"] + r["carried_in_krw"] + r["budget_change_krw"]
        if available != r["available_krw"]:
            out.append(_row(r["source_line"], "error", "settlement_available", **where, computed_krw=available,
                            sum=_won(available), available=_won(r["available_krw"])))
        used = r["executed_krw"] + r["carried_out_krw"] + r["unspent_krw"]
        if used != r["available_krw"]:
            out.append(_row(r["source_line"], "error", "settlement_use", **where, computed_krw=used,
                            sum=_won(used), available=_won(r["available_krw"])))
    return out


def check_schedule(schedule: pd.DataFrame, total: dict | None, total_krw: int, total_line: int | None = None,
                   fiscal_year: int | None = None) -> list[dict]:
    """The schedule's steps sum to its 계 row, and 계 to the year's total."""
    if total is None or schedule.empty:
        return []
    out = []
    s = _sum(schedule["amount_krw"])
    if s != total["amount_krw"]:
        out.append(_row(total["source_line"], "error", "schedule_total", fiscal_year=fiscal_year, table="schedule",
                        other_line=schedule["source_line"].min(), stated_krw=total["amount_krw"], computed_krw=s,
                        sum=_won(s), total=_won(total["amount_krw"]), first_line=schedule["source_line"].min()))
    if total["amount_krw"] != total_krw:
        out.append(_row(total["source_line"], "error", "schedule_vs_total", fiscal_year=fiscal_year,
                        table="schedule", other_line=total_line, stated_krw=total["amount_krw"], computed_krw=total_krw,
                        schedule=_won(total["amount_krw"]), total=_won(total_krw), total_line=total_line))
    return out


_CONGRESS = re.compile(r"제\s*(\d{1,6})\s*차[^,]*?총회")  # an ordinal, never a long digit run


def check_congress_dates(milestones: pd.DataFrame, activities: pd.DataFrame) -> list[dict]:
    """A numbered congress dated in the milestones and in the outcomes must agree on year and month."""
    out = []
    congresses = activities[(activities["category"] == "congress") & activities["number"].notna()]
    for _, m in milestones.iterrows():
        hit = _CONGRESS.search(m["event_ko"])
        if not hit:
            continue
        same = congresses[congresses["number"] == int(hit.group(1))]
        for _, a in same.iterrows():
            year, month = int(m["date"][:4]), int(m["date"][5:])
            if a["fiscal_year"] != year or (pd.notna(a["month"]) and int(a["month"]) != month):
                when = f"{a['fiscal_year']}" + (f"-{int(a['month']):02d}" if pd.notna(a["month"]) else "")
                out.append(_row(a["source_line"], "warning", "congress_date", fiscal_year=a["fiscal_year"],
                                table="activities", other_line=m["source_line"], number=hit.group(1), date=m["date"],
                                milestone_line=m["source_line"], when=when, outcome_line=a["source_line"]))
    return out
