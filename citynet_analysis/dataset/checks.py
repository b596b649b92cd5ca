"""The identities a clean document satisfies, as pure functions over one document's tables.

Each check returns anomaly rows (source_line, severity, check, message); none ever changes a number.
``error`` means the numbers cannot be trusted (ingest stops); ``warning`` is a real inconsistency that an
analyst should see; ``info`` is a note on how something was read."""

from __future__ import annotations

import math
import re

import pandas as pd

from .. import vocabulary


def _row(line, severity: str, check: str, message: str) -> dict:
    return dict(source_line=None if line is None or pd.isna(line) else int(line), severity=severity,
                check=check, message=message)


def _won(v: int) -> str:
    return f"{int(v):,}"


def check_line_items(items: pd.DataFrame, total_krw: int, total_line: int | None,
                     budget_totals: pd.DataFrame) -> list[dict]:
    """Top-level items sum to the year's total, sub-items to their parent, a category's items to its budget."""
    out = []
    top = items[items["level"] == 1]
    s = int(top["amount_krw"].sum())
    if s != total_krw:
        out.append(_row(top["source_line"].min(), "error", "line_items_total",
                        f"top-level line items sum to {_won(s)} won, the year's total is {_won(total_krw)} won "
                        f"(line {total_line})"))
    for parent_id, children in items.dropna(subset=["parent_id"]).groupby("parent_id", sort=False):
        parent = items[items["item_id"] == parent_id].iloc[0]
        s = int(children["amount_krw"].sum())
        if s != int(parent["amount_krw"]):
            out.append(_row(parent["source_line"], "error", "sub_items_total",
                            f"sub-items of {parent['name_ko']} sum to {_won(s)} won, the item is "
                            f"{_won(parent['amount_krw'])} won"))
    year = int(items["fiscal_year"].iloc[0]) if len(items) else None
    stated = budget_totals[budget_totals["fiscal_year"] == year].set_index("category")["amount_krw"]
    for cat in top["category_ko"].dropna().unique():
        line = top.loc[top["category_ko"] == cat, "source_line"].min()
        if cat not in stated.index:
            out.append(_row(line, "warning", "category_missing", f"line items of {cat}: the budget summary has "
                            f"no {cat} row for this year; their sum is not checked against it"))
            continue
        s = int(top.loc[top["category_ko"] == cat, "amount_krw"].sum())
        if s != int(stated[cat]):
            out.append(_row(line, "error", "category_total", f"line items of {cat} sum to {_won(s)} won, the "
                            f"budget summary gives {_won(stated[cat])} won"))
    return out


def check_budget_summary(summary: pd.DataFrame, total_krw: int) -> list[dict]:
    """계 equals the categories' sum and the year's total; change = B − A; percent = round((B−A)*100/A)."""
    out = []
    is_total = summary["category"].isin(vocabulary.total_labels())
    parts = summary[~is_total]
    for _, t in summary[is_total].iterrows():
        for col in ("a", "b"):
            if len(parts) and int(parts[col].sum()) != int(t[col]):
                out.append(_row(t["source_line"], "error", "summary_total",
                                f"budget summary categories sum to {_won(parts[col].sum())} won in column "
                                f"({col.upper()}), 계 is {_won(t[col])} won"))
        if int(t["b"]) != total_krw:
            out.append(_row(t["source_line"], "error", "summary_vs_total",
                            f"budget summary 계 (B) is {_won(t['b'])} won, the overview's 사업비 is "
                            f"{_won(total_krw)} won"))
    for _, r in summary.iterrows():
        a, b = int(r["a"]), int(r["b"])
        if pd.notna(r["change"]) and int(r["change"]) != b - a:
            out.append(_row(r["source_line"], "error", "summary_change",
                            f"{r['category']}: change (B-A) shown as {_won(r['change'])} won, B − A is "
                            f"{_won(b - a)} won"))
        if pd.notna(r["pct"]) and a != 0:
            exact = (b - a) * 100 / a
            shown = float(r["pct"])
            decimals = 0 if shown == int(shown) else 1
            rounded = math.floor(exact * 10**decimals + 0.5) / 10**decimals
            if abs(shown - exact) < 1e-9:
                continue
            if abs(shown - rounded) < 1e-9:
                out.append(_row(r["source_line"], "warning", "summary_percent_rounded",
                                f"{r['category']}: percent shown as {shown:g} for an exact {exact:.2f} "
                                "((B-A)*100/A, rounded)"))
            else:
                out.append(_row(r["source_line"], "warning", "summary_percent",
                                f"{r['category']}: percent shown as {shown:g}, (B-A)*100/A is {exact:.2f}"))
    return out


def check_settlements(settlements: pd.DataFrame) -> list[dict]:
    """예산현액 = 최종예산 + 전년이월 + 예산변경 and 집행액 + 차년이월 + 집행잔액 = 예산현액, per year."""
    out = []
    for _, r in settlements.iterrows():
        available = r["final_budget_krw"] + r["carried_in_krw"] + r["budget_change_krw"]
        if available != r["available_krw"]:
            out.append(_row(r["source_line"], "error", "settlement_available",
                            f"{r['fiscal_year']}: 최종예산 + 전년이월 + 예산변경 = {_won(available)} won, "
                            f"예산현액 is {_won(r['available_krw'])} won"))
        used = r["executed_krw"] + r["carried_out_krw"] + r["unspent_krw"]
        if used != r["available_krw"]:
            out.append(_row(r["source_line"], "error", "settlement_use",
                            f"{r['fiscal_year']}: 집행액 + 차년이월 + 집행잔액 = {_won(used)} won, "
                            f"예산현액 is {_won(r['available_krw'])} won"))
    return out


def check_schedule(schedule: pd.DataFrame, total: dict | None, total_krw: int) -> list[dict]:
    """The schedule's steps sum to its 계 row, and 계 to the year's total."""
    if total is None or schedule.empty:
        return []
    out = []
    s = int(schedule["amount_krw"].sum())
    if s != total["amount_krw"]:
        out.append(_row(total["source_line"], "warning", "schedule_total",
                        f"schedule steps sum to {_won(s)} won, its 계 row is {_won(total['amount_krw'])} won"))
    if total["amount_krw"] != total_krw:
        out.append(_row(total["source_line"], "warning", "schedule_vs_total",
                        f"schedule 계 is {_won(total['amount_krw'])} won, the year's total is {_won(total_krw)} won"))
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
                out.append(_row(a["source_line"], "warning", "congress_date",
                                f"제{hit.group(1)}차 총회 is dated {m['date']} in the milestones (line "
                                f"{m['source_line']}) but {when} in the outcomes (line {a['source_line']})"))
    return out
