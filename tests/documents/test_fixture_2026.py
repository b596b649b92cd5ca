"""The fiscal-2026 fixture (tests/fixtures/citynet_fy2026_styled.txt): next year's document written in another
style than the 2025 variant, in the same layout (the sections the parser reads). What differs:

- 예산 총괄: the unit line sits in the last cell of a tab row, headers ``2025년 예산액(A)`` / ``증감액(B-A)`` /
  ``증감률(%)``, a change percent with one decimal (13.6) and a decrease written with △ (△1,950, △3.9);
- 산출근거: three levels (○ item, - sub-item, · sub-sub-item), indented with tabs; a basis written after a
  colon before the ``=`` (``· 국내 연수 : 3,000천원 × 20명 = 60,000천원``); a basis line in parentheses
  (``(1,200,000원 × 12개월)``); 2025's ``2025 서울의 밤`` is gone and ``○ 디지털 전환 지원`` is new;
- 추진일정: headers 추진절차 / 소요예산 / 세부 추진내용, periods ``2026. 1. ~ 2026. 2.``, a zero written ``-``;
- 추진실적: year labels ``2023년``, one ``○`` item per line, counts written inline (총 3회, 3차례, 연 4회, 2건,
  제45~46차, 월 1회 이상);
- 결산: its own unit, 원 (the rest of the document is in 천원), year cells ``2022년``, zeros written ``-``,
  carry-overs in and out of 2024.

Every sum below was computed by hand from the fixture's lines (amounts in 천원 unless marked 원). Rows are
selected by fiscal year, never by document_id.
"""

import pytest

from citynet_analysis.documents.ingest import build_dataset
from citynet_analysis.documents.parser import parse_document
from citynet_analysis.documents.textio import read_document

from ..conftest import RAW_2024, REPO, VARIANT_2025

FY2026 = REPO / "tests" / "fixtures" / "citynet_fy2026_styled.txt"
THOUSAND = 1_000


@pytest.fixture(scope="module")
def parsed():
    return parse_document(read_document(FY2026), str(FY2026))


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    out = tmp_path_factory.mktemp("fy2024_2026")
    return build_dataset([RAW_2024, VARIANT_2025, FY2026], relative_to=out)


def _doc_id(tables, year):
    """The document_id of the document for ``year`` (looked up: the ids' form is not pinned here)."""
    docs = tables["documents"]
    (doc_id,) = docs.loc[docs["fiscal_year"] == year, "document_id"]
    return doc_id


def _items(parsed):
    return {r["item_id"]: r for r in parsed.tables["line_items"]}


# -- the document on its own -----------------------------------------------------------------------------

def test_overview_and_unit(parsed):
    d = parsed.document
    assert d["fiscal_year"] == 2026
    # 사업비 (당해년도) 1,411,250천원, all of it 시비
    assert d["total_krw"] == 1_411_250 * THOUSAND and d["city_krw"] == 1_411_250 * THOUSAND
    assert d["national_krw"] is None and d["source_line"] == 11
    assert (d["department_ko"], d["division_ko"], d["period_type_ko"]) == ("글로벌도시정책관", "국제협력과", "연례반복")
    # (단위 : 천원, %) in the last cell of line 25, above the 예산 총괄 header
    assert (d["unit_ko"], d["unit_factor"]) == ("천원", 1_000)


def test_budget_summary_with_decimal_percents(parsed):
    # 계:          A 1,250,000 = 1,200,000 + 50,000;  B 1,411,250 = 1,363,200 + 48,050
    #              B − A = 1,411,250 − 1,250,000 = 161,250;  161,250 × 100 / 1,250,000 = 12.9 (exact)
    # 국제부담금:  1,363,200 − 1,200,000 = 163,200;  163,200 × 100 / 1,200,000 = 13.6 (exact)
    # 민간경상보조: 48,050 − 50,000 = △1,950;  −1,950 × 100 / 50,000 = △3.9 (exact)
    assert [(r["category"], r["a"], r["b"], r["change"], r["pct"], r["source_line"]) for r in parsed.summary] == [
        ("계", 1_250_000 * THOUSAND, 1_411_250 * THOUSAND, 161_250 * THOUSAND, 12.9, 27),
        ("국제부담금", 1_200_000 * THOUSAND, 1_363_200 * THOUSAND, 163_200 * THOUSAND, 13.6, 28),
        ("민간경상보조", 50_000 * THOUSAND, 48_050 * THOUSAND, -1_950 * THOUSAND, -3.9, 29),
    ]
    totals = {(r["fiscal_year"], r["category"]): r["amount_krw"] for r in parsed.tables["budget_totals"]}
    assert totals[(2025, "계")] == 1_250_000_000 and totals[(2026, "민간경상보조")] == 48_050_000
    assert len(totals) == 6  # 3 categories × (A, B)
    assert not [a for a in parsed.anomalies if a["check"] == "summary_percent_unread"]


def test_level_one_items_sum_to_the_total(parsed):
    top = [r for r in parsed.tables["line_items"] if r["level"] == 1]
    assert [(r["item_id"], r["name_ko"], r["amount_krw"] // THOUSAND, r["category_ko"]) for r in top] == [
        ("2026-01", "임대료 및 관리비 등", 252_000, "국제부담금"),
        ("2026-02", "인건비", 410_400, "국제부담금"),
        ("2026-03", "사업비", 560_000, "국제부담금"),
        ("2026-04", "디지털 전환 지원", 110_800, "국제부담금"),
        ("2026-05", "사무관리비", 14_400, "국제부담금"),
        ("2026-06", "업무추진비", 15_600, "국제부담금"),
        ("2026-07", "청년 인턴십 지원", 48_050, "민간경상보조"),
    ]
    # 국제부담금: 252,000 + 410,400 = 662,400; + 560,000 = 1,222,400; + 110,800 = 1,333,200;
    #             + 14,400 = 1,347,600; + 15,600 = 1,363,200 (its 예산 총괄 B)
    assert sum(r["amount_krw"] for r in top if r["category_ko"] == "국제부담금") == 1_363_200 * THOUSAND
    # 민간경상보조: 48,050 (its B); all: 1,363,200 + 48,050 = 1,411,250 (사업비 당해년도)
    assert sum(r["amount_krw"] for r in top) == 1_411_250 * THOUSAND == parsed.document["total_krw"]


def test_three_levels_of_items(parsed):
    items = _items(parsed)
    rows = [(r["item_id"], r["parent_id"], r["level"], r["name_ko"], r["amount_krw"] // THOUSAND)
            for r in parsed.tables["line_items"] if r["item_id"].startswith("2026-03")]
    assert rows == [
        ("2026-03", None, 1, "사업비", 560_000),
        ("2026-03-01", "2026-03", 2, "회원도시 역량강화", 150_000),
        ("2026-03-01-01", "2026-03-01", 3, "국내 연수", 60_000),
        ("2026-03-01-02", "2026-03-01", 3, "해외 연수", 90_000),
        ("2026-03-02", "2026-03", 2, "온라인플랫폼 운영", 175_000),
        ("2026-03-03", "2026-03", 2, "클러스터 활동 지원", 105_000),
        ("2026-03-04", "2026-03", 2, "도시네트워크 활성화 사업", 60_000),
        ("2026-03-05", "2026-03", 2, "제47차 집행위원회 개최", 70_000),
    ]
    # 사업비: 150,000 + 175,000 + 105,000 + 60,000 + 70,000 = 560,000
    assert sum(a for _, p, _, _, a in rows if p == "2026-03") == 560_000
    # 회원도시 역량강화: 60,000 + 90,000 = 150,000
    assert sum(a for _, p, _, _, a in rows if p == "2026-03-01") == 150_000
    # the basis after the colon: 3,000천원 × 20명 = 60,000천원; 4,500천원 × 20명 = 90,000천원
    domestic, abroad = items["2026-03-01-01"], items["2026-03-01-02"]
    assert (domestic["formula_ko"], domestic["formula_krw"], domestic["source_line"]) == (
        "3,000천원 × 20명", 60_000_000, 39)
    assert (abroad["formula_ko"], abroad["formula_krw"], abroad["source_line"]) == ("4,500천원 × 20명", 90_000_000, 40)
    assert items["2026-03-02"]["stated_won_krw"] == 175_000_000  # the 원 line under a level-2 item


def test_formulas_and_stated_won(parsed):
    items = _items(parsed)
    # 21,000천원 × 12개월 = 252,000천원; 1,200,000원 × 12개월 = 14,400,000원; 4,805천원 × 10명 = 48,050천원
    assert (items["2026-01"]["formula_ko"], items["2026-01"]["formula_krw"]) == ("21,000천원 × 12개월", 252_000_000)
    assert (items["2026-05"]["formula_ko"], items["2026-05"]["formula_krw"]) == ("1,200,000원 × 12개월", 14_400_000)
    assert (items["2026-07"]["formula_ko"], items["2026-07"]["formula_krw"]) == ("4,805천원 × 10명", 48_050_000)
    assert (items["2026-02"]["basis_ko"], items["2026-02"]["stated_won_krw"]) == ("직원 7명, 인턴 2명 등", 410_400_000)
    assert items["2026-04"]["stated_won_krw"] == 110_800_000
    assert not [a for a in parsed.anomalies if a["check"].startswith("line_item")]


def test_schedule_sums_to_its_total(parsed):
    s = parsed.tables["schedule"]
    assert [(r["step_ko"], r["start"], r["end"], r["amount_krw"] // THOUSAND) for r in s] == [
        ("지원계획 수립", "2026-01", "2026-02", 0),  # written -
        ("시티넷 운영 지원", "2026-01", "2026-12", 1_363_200),
        ("청년 인턴십 지원", "2026-03", "2026-08", 48_050),
    ]
    # 0 + 1,363,200 + 48,050 = 1,411,250 = its 계 row = 사업비 (당해년도)
    assert sum(r["amount_krw"] for r in s) == 1_411_250 * THOUSAND
    assert parsed.schedule_total == {"amount_krw": 1_411_250_000, "source_line": 95}


def test_settlements_in_won_with_carry_overs(parsed):
    s = {r["fiscal_year"]: r for r in parsed.tables["settlements"]}
    assert sorted(s) == [2022, 2023, 2024]
    assert {(r["unit_ko"], r["unit_factor"]) for r in s.values()} == {("원", 1)}  # its own (단위 : 원)
    r = s[2024]
    assert (r["final_budget_krw"], r["carried_in_krw"], r["budget_change_krw"], r["available_krw"]) == (
        1_100_000_000, 12_000_000, -3_500_000, 1_108_500_000)
    assert (r["executed_krw"], r["carried_out_krw"], r["unspent_krw"], r["source_line"]) == (
        1_081_247_380, 15_000_000, 12_252_620, 127)
    # available: 1,100,000,000 + 12,000,000 − 3,500,000 = 1,108,500,000
    assert r["final_budget_krw"] + r["carried_in_krw"] + r["budget_change_krw"] == r["available_krw"]
    # use: 1,081,247,380 + 15,000,000 = 1,096,247,380; + 12,252,620 = 1,108,500,000
    assert r["executed_krw"] + r["carried_out_krw"] + r["unspent_krw"] == r["available_krw"]
    # 2023: 864,910,000 + 10,000,000 − 5,000,000 = 869,910,000 = 850,000,000 + 12,000,000 + 7,910,000
    r23 = s[2023]
    assert r23["available_krw"] == 869_910_000 == r23["executed_krw"] + r23["carried_out_krw"] + r23["unspent_krw"]
    assert r23["carried_out_krw"] == r["carried_in_krw"]  # 2023's 차년이월 is 2024's 전년이월
    # 2022, zeros written -: 834,395,000 = 830,000,000 + 4,395,000
    assert (s[2022]["carried_in_krw"], s[2022]["budget_change_krw"], s[2022]["carried_out_krw"]) == (0, 0, 0)
    assert s[2022]["unspent_krw"] == 4_395_000


def test_milestones_and_no_reading_anomalies(parsed):
    m = parsed.tables["milestones"]
    assert len(m) == 10 and (m[-1]["date"], m[-1]["source_line"]) == ("2025-11", 88)
    assert parsed.anomalies == []


# -- inline activity counts (추진실적 2025, lines 109-114) --------------------------------------------------

def _activities(parsed, year):
    return [r for r in parsed.tables["activities"] if r["fiscal_year"] == year]


@pytest.mark.parametrize("line, category, count", [
    (109, "training", 3),  # 워크숍 총 3회 개최(방콕, 자카르타, 서울)
    (110, "technical_cooperation", 3),  # 기술협력 공동연구 3차례 진행
    (111, "training", 4),  # 교육과정 운영(연 4회): 교육 before 과정 in the vocabulary
    (112, "partnership", 2),  # MOU 체결 2건
])
def test_inline_counts(parsed, line, category, count):
    rows = [r for r in _activities(parsed, 2025) if r["source_line"] == line]
    assert [(r["category"], r["count"]) for r in rows] == [(category, count)]


def test_numbered_committee_range(parsed):
    # 제45~46차 집행위원회: two committees, one each
    rows = [r for r in _activities(parsed, 2025) if r["source_line"] == 113]
    assert [(r["category"], r["number"], r["count"]) for r in rows] == [
        ("executive_committee", 45, 1), ("executive_committee", 46, 1)]


def test_a_frequency_is_not_a_count(parsed):
    # 월 1회 이상 웨비나 개최: a rate, not one webinar
    (row,) = [r for r in _activities(parsed, 2025) if r["source_line"] == 114]
    assert (row["category"], row["count"]) == ("webinar", None)


def test_restated_outcome_years(parsed):
    # 2023 and 2024 as the 2025 variant states them: (category, count, number) the same, so no revision
    assert [(r["category"], r["count"], r["number"]) for r in _activities(parsed, 2023)] == [
        ("seminar", 3, None), ("executive_committee", 1, 43)]
    assert [(r["category"], r["count"], r["number"]) for r in _activities(parsed, 2024)] == [
        ("webinar", 12, None), ("executive_committee", 1, 44), ("training", 4, None)]


# -- ingested with the 2024 document and the 2025 variant -------------------------------------------------

def test_ingests_without_errors(tables):
    an = tables["anomalies"]
    errors = an[an["severity"] == "error"]  # the 2024 document's own formula slip (line 56), nothing else
    assert list(zip(errors["document_id"], errors["source_line"], strict=True)) == [("citynet-fy2024", 56)]
    mine = an[an["document_id"] == _doc_id(tables, 2026)]
    # only what the newer document revises (2022 settlement, 2023 outcomes, the 9th congress's date, each
    # against the 2024 document); no check of the 2026 document's own identities fires
    assert set(mine["check"]) == {"revision"}
    assert set(mine["source_line"]) == {125, 104, 85}


def test_documents_row(tables):
    docs = tables["documents"].set_index("fiscal_year")
    assert list(docs.index) == [2024, 2025, 2026]
    assert docs.loc[2026, "total_krw"] == 1_411_250_000
    assert (docs.loc[2026, "unit_ko"], docs.loc[2026, "unit_factor"]) == ("천원", 1_000)


def test_budget_totals_over_three_years(tables):
    bt = tables["budget_totals"]
    total = bt[bt["category"] == "계"].set_index("fiscal_year")["amount_krw"]
    # 2023 from the 2024 document's (A); 2024 and 2025 from the newer documents' (A); 2026 its (B)
    assert total.to_dict() == {2023: 864_910_000, 2024: 1_100_000_000, 2025: 1_250_000_000, 2026: 1_411_250_000}
    fy2025 = bt[bt["fiscal_year"] == 2025]
    assert set(fy2025["document_id"]) == {_doc_id(tables, 2026)}  # same values as the 2025 variant's (B)
    rev = tables["anomalies"][tables["anomalies"]["check"] == "revision"]
    assert not rev["message"].str.contains("budget_totals").any()


def test_removed_and_added_line_items(tables):
    li = tables["line_items"]
    fy2025, fy2026 = li[li["fiscal_year"] == 2025], li[li["fiscal_year"] == 2026]
    assert fy2025.loc[fy2025["name_ko"] == "2025 서울의 밤", "amount_krw"].tolist() == [35_000_000]
    assert not fy2026["name_ko"].str.contains("서울의 밤").any()  # removed in 2026
    added = fy2026[fy2026["name_ko"] == "디지털 전환 지원"]
    assert added[["item_id", "level", "amount_krw"]].values.tolist() == [["2026-04", 1, 110_800_000]]
    assert not fy2025["name_ko"].str.contains("디지털").any()
    # top level: 2025 sums to 1,250,000천원, 2026 to 1,411,250천원; three levels only in 2026
    assert fy2025.loc[fy2025["level"] == 1, "amount_krw"].sum() == 1_250_000_000
    assert fy2026.loc[fy2026["level"] == 1, "amount_krw"].sum() == 1_411_250_000
    level3 = fy2026[fy2026["level"] == 3]
    assert level3[["item_id", "parent_id", "amount_krw"]].values.tolist() == [
        ["2026-03-01-01", "2026-03-01", 60_000_000], ["2026-03-01-02", "2026-03-01", 90_000_000]]
    assert (li["level"] == 3).sum() == 2
    assert set(level3["group"]) == {"programs"}  # the group of their top-level item, 사업비


def test_settlements_over_five_years(tables):
    s = tables["settlements"].set_index("fiscal_year")
    assert list(s.index) == [2020, 2021, 2022, 2023, 2024]
    assert set(s.loc[[2022, 2023, 2024], "document_id"]) == {_doc_id(tables, 2026)}
    assert s.loc[2024, "carried_in_krw"] == 12_000_000 and s.loc[2024, "carried_out_krw"] == 15_000_000
    assert s.loc[2024, "executed_krw"] == 1_081_247_380  # read in 원: no factor applied
    # 2023 as the 2025 variant states it in 천원 (869,910 → 869,910,000 원): no revision between the two
    assert s.loc[2023, "available_krw"] == 869_910_000


def test_activities_of_2025(tables):
    a = tables["activities"]
    fy2025 = a[a["fiscal_year"] == 2025]
    assert set(fy2025["document_id"]) == {_doc_id(tables, 2026)}
    assert len(fy2025) == 7  # six items, 제45~46차 gives two rows
    counted = fy2025.dropna(subset=["count"]).groupby("category")["count"].sum().to_dict()
    # training 3 + 4, technical cooperation 3, partnership 2, executive committees 1 + 1
    assert counted == {"training": 7, "technical_cooperation": 3, "partnership": 2, "executive_committee": 2}
