"""The identities of design.md §1 on the 2024 document and on broken copies of it."""

import pandas as pd

from citynet_analysis.dataset import checks
from citynet_analysis.dataset.tables import to_frame


def _frames(parsed):
    return {n: to_frame([dict(r, document_id="d") for r in rows], n) for n, rows in parsed.tables.items()}


def test_2024_document_breaks_no_money_identity(parsed_2024):
    f = _frames(parsed_2024)
    assert checks.check_line_items(f["line_items"], 1_100_000_000, 12, f["budget_totals"]) == []
    assert checks.check_settlements(f["settlements"]) == []
    assert checks.check_schedule(f["schedule"], parsed_2024.schedule_total, 1_100_000_000) == []


def test_rounded_percent_is_a_warning(parsed_2024):
    found = checks.check_budget_summary(pd.DataFrame(parsed_2024.summary), 1_100_000_000)
    assert [(a["severity"], a["check"], a["source_line"]) for a in found] == [
        ("warning", "summary_percent_rounded", 30),
        ("warning", "summary_percent_rounded", 31),
    ]
    assert "27.18" in found[0]["message"]


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


def test_schedule_total_mismatch_is_a_warning(parsed_2024):
    f = _frames(parsed_2024)
    found = checks.check_schedule(
        f["schedule"], {"amount_krw": 1_000_000_000, "source_line": 104}, 1_100_000_000
    )
    assert [(a["severity"], a["check"]) for a in found] == [
        ("warning", "schedule_total"),
        ("warning", "schedule_vs_total"),
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
