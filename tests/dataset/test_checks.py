"""The identities of design.md §1 on the 2024 document and on broken copies of it."""

import pandas as pd
import pytest

from citynet_analysis.dataset import checks
from citynet_analysis.dataset.tables import to_frame


def _frames(parsed):
    return {n: to_frame([dict(r, document_id="d") for r in rows], n) for n, rows in parsed.tables.items()}


def test_2024_document_breaks_no_money_identity(parsed_2024):
    f = _frames(parsed_2024)
    assert checks.check_line_items(f["line_items"], 1_100_000_000, 12, f["budget_totals"]) == []
    assert checks.check_settlements(f["settlements"]) == []
    assert checks.check_schedule(f["schedule"], parsed_2024.schedule_total, 1_100_000_000) == []


def test_a_percent_rounded_to_its_printed_precision_is_a_note(parsed_2024):
    found = checks.check_budget_summary(pd.DataFrame(parsed_2024.summary), 1_100_000_000)
    assert [(a["severity"], a["check"], a["source_line"]) for a in found] == [
        ("info", "summary_percent_rounded", 30),
        ("info", "summary_percent_rounded", 31),
    ]
    assert "27.18" in found[0]["message"]


@pytest.mark.parametrize("a, b, cell, severity", [
    (1_000_000, 950_700, "△4.9", "info"),  # exact −4.93: △4.9 to one decimal
    (1_000_000, 950_500, "△5.0", "info"),  # exact −4.95: half away from zero (반올림), as printed with one decimal
    (1_000_000, 950_500, "△4.9", "warning"),  # −4.95 is not △4.9
    (1_000_000, 950_700, "△5", "info"),  # no decimal printed: −4.93 rounds to △5
    (1_000_000, 950_700, "△4", "warning"),
])
def test_percent_precision_is_the_printed_one(a, b, cell, severity):
    from citynet_analysis.documents.parser import _decimals, _percent

    summary = pd.DataFrame([dict(category="계", a=a, b=b, change=b - a, pct=_percent(cell),
                                 pct_decimals=_decimals(cell), source_line=30)])
    (found,) = checks.check_budget_summary(summary, b)
    assert found["severity"] == severity


def test_wrong_change_and_total_are_errors(parsed_2024):
    summary = pd.DataFrame(parsed_2024.summary)
    summary.loc[0, "change"] = 235_000_000
    found = checks.check_budget_summary(summary, 1_000_000_000)
    assert {a["check"] for a in found if a["severity"] == "error"} == {"summary_change", "summary_vs_total"}


def test_sub_items_not_summing_is_an_error(parsed_2024):
    f = _frames(parsed_2024)
    items = f["line_items"].copy()
    items.loc[items["name_ko"] == "클러스터 활동 지원", "amount_krw"] = 93_000_000
    found = checks.check_line_items(items, 1_100_000_000, 12, f["budget_totals"])
    assert [(a["severity"], a["check"], a["source_line"]) for a in found] == [
        ("error", "sub_items_total", 42)
    ]
    assert "481,350,000" in found[0]["message"]


def test_top_level_not_summing_is_an_error(parsed_2024):
    f = _frames(parsed_2024)
    found = checks.check_line_items(f["line_items"], 1_200_000_000, 12, f["budget_totals"])
    assert [a["check"] for a in found] == ["line_items_total"]


def test_settlement_identities(parsed_2024):
    s = _frames(parsed_2024)["settlements"].copy()
    s.loc[0, "executed_krw"] = 600_000_000
    s.loc[1, "available_krw"] = 1
    found = checks.check_settlements(s)
    assert [(a["check"], a["source_line"]) for a in found] == [
        ("settlement_use", 128),
        ("settlement_available", 129),
        ("settlement_use", 129),
    ]


def test_schedule_total_mismatch_is_an_error(parsed_2024):
    f = _frames(parsed_2024)
    found = checks.check_schedule(
        f["schedule"], {"amount_krw": 1_000_000_000, "source_line": 104}, 1_100_000_000
    )
    assert [(a["severity"], a["check"], a["other_line"], a["stated_krw"], a["computed_krw"]) for a in found] == [
        ("error", "schedule_total", 105, 1_000_000_000, 1_100_000_000),
        ("error", "schedule_vs_total", None, 1_000_000_000, 1_100_000_000),
    ]


def test_ninth_congress_month(parsed_2024):
    f = _frames(parsed_2024)
    found = checks.check_congress_dates(f["milestones"], f["activities"])
    assert len(found) == 1
    assert (
        found[0]["source_line"] == 115
        and "2022-10" in found[0]["message"]
        and "2022-09" in found[0]["message"]
    )


def test_line_items_of_a_category_missing_from_the_summary_is_a_warning(parsed_2024):
    f = _frames(parsed_2024)
    totals = f["budget_totals"][f["budget_totals"]["category"] == "계"]
    found = checks.check_line_items(f["line_items"], 1_100_000_000, 12, totals)
    assert [(a["severity"], a["check"], a["source_line"]) for a in found] == [("warning", "category_missing", 36)]
    assert "국제부담금" in found[0]["message"]
