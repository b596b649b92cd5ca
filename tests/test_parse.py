"""Each section of the 2024 document, with values checked by hand against the source lines."""

import pytest

from citynet_analysis.errors import InputError
from citynet_analysis.parse import parse_document


def test_overview(parsed_2024):
    d = parsed_2024.document
    assert d["program_ko"] == "시티넷 사무국 운영 지원"
    assert (d["department_ko"], d["division_ko"], d["account_ko"]) == ("경제정책실", "국제교류과", "일반회계")
    assert d["period_type_ko"] == "연례반복"
    assert d["total_krw"] == 1_100_000_000 and d["source_line"] == 12
    assert d["national_krw"] is None and d["city_krw"] == 1_100_000_000  # (사비) is the garbled 시비
    assert d["fiscal_year"] == 2024


def test_budget_summary(parsed_2024):
    rows = {(r["fiscal_year"], r["category"]): r for r in parsed_2024.tables["budget_totals"]}
    assert rows[(2023, "계")]["amount_krw"] == 864_910_000
    assert rows[(2024, "계")]["amount_krw"] == 1_100_000_000
    assert rows[(2024, "국제부담금")]["source_line"] == 31
    assert len(rows) == 4  # the stray percent-only row (line 29) is not a category
    total = parsed_2024.summary[0]
    assert (total["change"], total["pct"]) == (235_090_000, 27.0)


def test_line_items(parsed_2024):
    items = {r["name_ko"]: r for r in parsed_2024.tables["line_items"]}
    assert len(items) == 11
    assert items["임대료 및 관리비 등"]["amount_krw"] == 232_360_000
    assert items["임대료 및 관리비 등"]["stated_won_krw"] == 232_360_000  # after the repeated header, line 39
    assert items["인건비"]["basis_ko"] == "직원 5명, 인턴 2명 등"
    assert items["사업비"]["amount_krw"] == 480_350_000 and items["사업비"]["item_id"] == "2024-03"
    subs = [r for r in parsed_2024.tables["line_items"] if r["parent_id"] == "2024-03"]
    assert [(r["name_ko"], r["amount_krw"]) for r in subs] == [
        ("회원도시 역량강화 연수", 98_000_000),
        ("온라인플랫폼 운영 및 개선사업", 161_000_000),
        ("클러스터 활동 지원", 92_000_000),
        ("도시네트워크 활성화 사업", 69_350_000),
        ("제44차 집행위원회 개최", 60_000_000),
    ]
    office = items["사무관리비"]
    assert (office["formula_ko"], office["formula_krw"], office["amount_krw"]) == (
        "833,330원*12개월",
        9_999_960,
        10_000_000,
    )
    assert items["업무추진비"]["source_line"] == 57
    assert {r["category_ko"] for r in parsed_2024.tables["line_items"]} == {"국제부담금"}


def test_settlements(parsed_2024):
    s = parsed_2024.tables["settlements"]
    assert [r["fiscal_year"] for r in s] == [2020, 2021, 2022]
    assert s[1]["executed_krw"] == 698_747_000 and s[1]["source_line"] == 129
    assert s[2]["available_krw"] == 834_395_000 and s[2]["unspent_krw"] == 0


def test_activities(parsed_2024):
    a = parsed_2024.tables["activities"]
    by_year = lambda y, c: [r for r in a if r["fiscal_year"] == y and r["category"] == c]  # noqa: E731
    assert [r["count"] for r in by_year(2021, "webinar")] == [9]
    assert [r["count"] for r in by_year(2022, "seminar")] == [7]
    assert [r["count"] for r in by_year(2022, "conference")] == [2]
    assert [r["number"] for r in by_year(2022, "congress")] == [9]
    assert [r["number"] for r in by_year(2022, "executive_committee")] == [41, 42]
    assert all(r["source_line"] == 115 for r in a if r["fiscal_year"] == 2022)  # the row broken over lines
    assert [r["number"] for r in by_year(2023, "executive_committee")] == [43]
    assert len(a) == 15


def test_milestones(parsed_2024):
    m = parsed_2024.tables["milestones"]
    assert len(m) == 7
    assert (m[0]["date"], m[0]["source_line"]) == ("2009-09", 91)
    assert m[-1]["date"] == "2022-10" and m[-1]["event_ko"].startswith("제9차 시티넷 쿠알라룸푸르 총회")


def test_schedule(parsed_2024):
    s = parsed_2024.tables["schedule"]
    assert [(r["step_ko"], r["start"], r["end"], r["amount_krw"]) for r in s] == [
        ("시티넷 지원계획 수립", "2024-01", "2024-12", 0),
        ("시티넷 운영 지원", "2024-01", "2024-12", 1_100_000_000),
    ]
    assert parsed_2024.schedule_total == {"amount_krw": 1_100_000_000, "source_line": 104}


def test_reading_anomalies(parsed_2024):
    checks = {(a["check"], a["source_line"]) for a in parsed_2024.anomalies}
    assert ("line_item_formula", 56) in checks
    assert ("basis_date", 78) in checks  # '24.12.27 in a document for fiscal 2024
    assert ("basis_date", 77) not in checks  # '23.02.15 is fine


def test_variant_2025(text_2025):
    p = parse_document(text_2025, "fy2025.txt")
    assert p.document["fiscal_year"] == 2025 and p.document["total_krw"] == 1_250_000_000
    assert p.document["division_ko"] == "국제협력과" and p.document["period_type_ko"] == "연례반복"
    items = p.tables["line_items"]
    assert [r["category_ko"] for r in items].count("민간경상보조") == 1
    assert sum(r["amount_krw"] for r in items if r["level"] == 1) == 1_250_000_000
    assert {r["fiscal_year"] for r in p.tables["activities"]} == {2021, 2022, 2023, 2024}  # four <li> years
    assert [
        r["number"]
        for r in p.tables["activities"]
        if r["category"] == "executive_committee" and r["fiscal_year"] == 2024
    ] == [44]
    s = {r["fiscal_year"]: r for r in p.tables["settlements"]}
    assert s[2023]["budget_change_krw"] == -5_000_000 and s[2023]["carried_out_krw"] == 12_000_000
    assert len(s) == 4
    assert p.tables["schedule"][0]["end"] == "2025-12"  # 2025.01~12
    assert not [a for a in p.anomalies if a["check"] == "basis_date"]


def test_missing_budget_summary_is_named(text_2024):
    lines = text_2024.split("\n")
    cut = "\n".join(lines[:23] + lines[32:])  # drop 예산 총괄 (lines 24-32)
    with pytest.raises(InputError, match="no 예산 총괄"):
        parse_document(cut, "x.txt")


def test_cut_off_in_calculation_basis(text_2024):
    cut = "\n".join(text_2024.split("\n")[:47])
    with pytest.raises(InputError, match="ends inside 산출근거") as exc:
        parse_document(cut, "x.txt")
    assert exc.value.line == 47


def test_two_outcome_years_and_two_settlement_years(text_2024):
    """Fewer years than the 2024 document: drop its 2023 outcomes (line 116) and its 2020 settlement (128)."""
    lines = text_2024.split("\n")
    del lines[127]  # 2020 settlement
    del lines[115]  # 2023 outcomes
    p = parse_document("\n".join(lines), "two_years.txt")
    assert [r["fiscal_year"] for r in p.tables["settlements"]] == [2021, 2022]
    assert sorted({r["fiscal_year"] for r in p.tables["activities"]}) == [2021, 2022]
    assert p.tables["settlements"][0]["source_line"] == 127  # the 2021 row (line 129) moved up by the two deleted lines
