"""The identities a clean document satisfies, as pure functions over one document's tables.

Each check returns anomaly rows (source_line, severity, check, message); none ever changes a number.
``error`` means the numbers cannot be trusted (ingest stops); ``warning`` is a real inconsistency that an
analyst should see; ``info`` is a note on how something was read."""

from __future__ import annotations

import math
import re

import pandas as pd

from .. import vocabulary


def _row(line, severity: str, check: str, **params) -> dict:
    """An anomaly row; its message in both languages from messages.toml, filled with ``params``."""
    return dict(source_line=None if line is None or pd.isna(line) else int(line), severity=severity,
                check=check, **vocabulary.anomaly_text(check, **params))


def _won(v: int) -> str:
    return f"{int(v):,}"


def check_line_items(items: pd.DataFrame, total_krw: int, total_line: int | None,
                     budget_totals: pd.DataFrame) -> list[dict]:
    """Top-level items sum to the year's total, sub-items to their parent, a category's items to its budget."""
    out = []
    top = items[items["level"] == 1]
    s = int(top["amount_krw"].sum())
    if s != total_krw:
        out.append(_row(top["source_line"].min(), "error", "line_items_total", sum=_won(s), total=_won(total_krw),
                        total_line=total_line))
    for parent_id, children in items.dropna(subset=["parent_id"]).groupby("parent_id", sort=False):
        parent = items[items["item_id"] == parent_id].iloc[0]
        s = int(children["amount_krw"].sum())
        if s != int(parent["amount_krw"]):
            out.append(_row(parent["source_line"], "error", "sub_items_total", item=parent["name_ko"], sum=_won(s),
                            amount=_won(parent["amount_krw"])))
    year = int(items["fiscal_year"].iloc[0]) if len(items) else None
    stated = budget_totals[budget_totals["fiscal_year"] == year].set_index("category")["amount_krw"]
    for cat in top["category_ko"].dropna().unique():
        line = top.loc[top["category_ko"] == cat, "source_line"].min()
        if cat not in stated.index:
            out.append(_row(line, "warning", "category_missing", category=cat))
            continue
        s = int(top.loc[top["category_ko"] == cat, "amount_krw"].sum())
        if s != int(stated[cat]):
            out.append(_row(line, "error", "category_total", category=cat, sum=_won(s), stated=_won(stated[cat])))
    return out


def check_budget_summary(summary: pd.DataFrame, total_krw: int) -> list[dict]:
    """계 equals the categories' sum and the year's total; change = B − A; percent = round((B−A)*100/A)."""
    out = []
    is_total = summary["category"].isin(vocabulary.total_labels())
    parts = summary[~is_total]
    for _, t in summary[is_total].iterrows():
        for col in ("a", "b"):
            if len(parts) and int(parts[col].sum()) != int(t[col]):
                out.append(_row(t["source_line"], "error", "summary_total", sum=_won(parts[col].sum()),
                                column=col.upper(), total=_won(t[col])))
        if int(t["b"]) != total_krw:
            out.append(_row(t["source_line"], "error", "summary_vs_total", summary=_won(t["b"]),
                            total=_won(total_krw)))
    for _, r in summary.iterrows():
        a, b = int(r["a"]), int(r["b"])
        if pd.notna(r["change"]) and int(r["change"]) != b - a:
            out.append(_row(r["source_line"], "error", "summary_change", category=r["category"],
                            shown=_won(r["change"]), exact=_won(b - a)))
        if pd.notna(r["pct"]) and a != 0:
            exact = (b - a) * 100 / a
            shown = float(r["pct"])
            decimals = 0 if shown == int(shown) else 1
            rounded = math.floor(exact * 10**decimals + 0.5) / 10**decimals
            if abs(shown - exact) < 1e-9:
                continue
            if abs(shown - rounded) < 1e-9:
                out.append(_row(r["source_line"], "warning", "summary_percent_rounded", category=r["category"],
                                shown=f"{shown:g}", exact=f"{exact:.2f}"))
            else:
                out.append(_row(r["source_line"], "warning", "summary_percent", category=r["category"],
                                shown=f"{shown:g}", exact=f"{exact:.2f}"))
    return out


def check_settlements(settlements: pd.DataFrame) -> list[dict]:
    """예산현액 = 최종예산 + 전년이월 + 예산변경 and 집행액 + 차년이월 + 집행잔액 = 예산현액, per year."""
    out = []
    for _, r in settlements.iterrows():
        available = r["final_budget_krw"] + r["carried_in_krw"] + r["budget_change_krw"]
        if available != r["available_krw"]:
            out.append(_row(r["source_line"], "error", "settlement_available", fiscal_year=r["fiscal_year"],
                            sum=_won(available), available=_won(r["available_krw"])))
        used = r["executed_krw"] + r["carried_out_krw"] + r["unspent_krw"]
        if used != r["available_krw"]:
            out.append(_row(r["source_line"], "error", "settlement_use", fiscal_year=r["fiscal_year"],
                            sum=_won(used), available=_won(r["available_krw"])))
    return out


def check_schedule(schedule: pd.DataFrame, total: dict | None, total_krw: int) -> list[dict]:
    """The schedule's steps sum to its 계 row, and 계 to the year's total."""
    if total is None or schedule.empty:
        return []
    out = []
    s = int(schedule["amount_krw"].sum())
    if s != total["amount_krw"]:
        out.append(_row(total["source_line"], "warning", "schedule_total", sum=_won(s),
                        total=_won(total["amount_krw"])))
    if total["amount_krw"] != total_krw:
        out.append(_row(total["source_line"], "warning", "schedule_vs_total", schedule=_won(total["amount_krw"]),
                        total=_won(total_krw)))
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
                out.append(_row(a["source_line"], "warning", "congress_date", number=hit.group(1), date=m["date"],
                                milestone_line=m["source_line"], when=when, outcome_line=a["source_line"]))
    return out
