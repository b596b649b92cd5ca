"""A sibling program's document (tests/fixtures/sibling_fy2025_board.txt): an unknown program, fiscal 2025,
a budget that decreases, and outcomes written the ways that used to be undercounted (several activities in
one item, sums written as parts, cumulative and approximate counts, numbered meetings of other bodies, a
site visit at a congress). Every expected value below was computed by hand from the text."""

import pandas as pd
import pytest

from citynet_analysis.documents.ingest import build_dataset

from ..conftest import REPO

FIXTURE = REPO / "tests" / "fixtures" / "sibling_fy2025_board.txt"
THOUSAND = 1_000


def _plain(values) -> tuple:
    """A row's values with pandas' missing values (NaN, <NA>) as None and numbers as int."""
    return tuple(None if pd.isna(v) else int(v) if isinstance(v, float) or hasattr(v, "item") else v
                 for v in values)


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    return build_dataset([FIXTURE], relative_to=tmp_path_factory.mktemp("processed"))


def test_reads_cleanly(tables):
    an = tables["anomalies"]
    assert list(an.loc[an["severity"] != "info", "check"]) == []  # every identity holds
    assert "unknown_program" in set(an["check"])
    doc = tables["documents"].iloc[0]
    assert (doc["fiscal_year"], doc["program_ko"], doc["total_krw"]) == (
        2025, "아시아태평양 도시협력 지역사무소 운영 지원", 450_000 * THOUSAND)


def test_a_budget_that_decreases(tables):
    bt = tables["budget_totals"]
    total = bt[bt["category"] == "계"].set_index("fiscal_year")["amount_krw"].to_dict()
    assert total == {2024: 500_000 * THOUSAND, 2025: 450_000 * THOUSAND}  # △50,000천원, △10.0%


def test_line_items_add_up(tables):
    li = tables["line_items"]
    top = li[li["level"] == 1]
    # 96,000 + 168,000 + 162,000 + 12,000 + 12,000 = 450,000천원
    assert top["amount_krw"].tolist() == [x * THOUSAND for x in (96_000, 168_000, 162_000, 12_000, 12_000)]
    subs = li[li["parent_id"] == "2025-03"]
    # 54,000 + 18,000 + 36,000 + 24,000 + 30,000 = 162,000천원 (사업비)
    assert subs["amount_krw"].sum() == 162_000 * THOUSAND
    events = {r.name_ko: _plain((r.event_category, r.event_count)) for r in subs.itertuples()}
    assert events["제15차 이사회 개최"] == ("board", 1)
    assert events["제5차 운영위원회 개최"] == ("steering_committee", 1)
    assert events["재난관리 웨비나 및 감염병 대응 세미나"] == (None, None)  # two kinds: no one type
    assert li.loc[li["name_ko"] == "인건비", "head_count"].tolist() == [4]  # 직원 3명, 인턴 1명


def test_settlements_hold(tables):
    s = tables["settlements"].set_index("fiscal_year")
    assert list(s.index) == [2021, 2022, 2023]
    # 2022: 460,000 + 0 − 10,000 = 450,000 available; 431,250 + 8,000 + 10,750 = 450,000
    assert s.loc[2022, ["final_budget_krw", "budget_change_krw", "available_krw", "executed_krw",
                        "carried_out_krw", "unspent_krw"]].tolist() == [
        x * THOUSAND for x in (460_000, -10_000, 450_000, 431_250, 8_000, 10_750)]
    # 2023: 480,000 + 8,000 carried in = 488,000; 470,120 + 17,880 = 488,000
    assert s.loc[2023, ["carried_in_krw", "available_krw", "executed_krw", "unspent_krw"]].tolist() == [
        x * THOUSAND for x in (8_000, 488_000, 470_120, 17_880)]


# (category, count, count_note, number, body_ko) per outcome year, in the order the items state them
EXPECTED = {
    2022: [
        ("board", 1, None, 12, "이사회"),  # 제12차 이사회 개최(3월)
        ("webinar", 4, None, None, None),  # 재난관리 웨비나 개최(4회),
        ("seminar", 4, None, None, None),  # 감염병 대응 세미나 개최(4회)
        ("training", 3, None, None, None),  # 역량강화 연수(2+1회)
        ("training", None, "cumulative", None, None),  # 온라인 교육 운영(누적 25회): not the year's
    ],
    2023: [
        ("steering_committee", 1, None, 3, "운영위원회"),  # 제3차 운영위원회 개최
        ("congress", 1, None, 5, "총회"),  # 제5차 총회 개최(10월, 서울)
        ("site_visit", 1, None, None, None),  # 제5차 총회 계기 현장시찰: a visit, not a second congress
        ("training", 3, None, None, None),  # 현장 연수(국내 1회, 해외 2회)
        ("board", 1, None, 13, "이사회"),  # 제13차 이사회 및
        ("meeting", 3, None, None, "준비회의"),  # 준비회의(3회)
    ],
    2024: [
        ("board", 1, None, 14, "이사회"),  # 제14차 이사회 개최(3월),
        ("steering_committee", 1, None, 4, "운영위원회"),  # 제4차 운영위원회 개최(9월)
        ("meeting", 1, None, 7, "자문위원회"),  # 제7차 자문위원회 개최(5월)
        ("training", 3, None, None, None),  # 도시재생 정책 연수 국내 1회, 해외 2회
        ("training", None, "approximate", None, None),  # 워크숍 약 3회
        ("meeting", None, "upper_bound", None, "자문회의"),  # 전문가 자문회의 최대 3회
        ("seminar", 5, None, None, None),  # 재난관리 세미나 진행(5회)
    ],
}


@pytest.mark.parametrize("year", sorted(EXPECTED))
def test_outcomes(tables, year):
    a = tables["activities"]
    rows = a[a["fiscal_year"] == year]
    got = [_plain(r) for r in rows[["category", "count", "count_note", "number", "body_ko"]].itertuples(index=False)]
    assert got == EXPECTED[year]
    assert rows["activity_id"].tolist() == [f"{year}-{i:02d}" for i in range(1, len(EXPECTED[year]) + 1)]


def test_months_and_places_stay_with_their_clause(tables):
    a = tables["activities"]
    month = {(r.fiscal_year, r.category, r.number): r.month for r in a.dropna(subset=["number"]).itertuples()}
    assert month[2022, "board", 12] == 3
    assert month[2024, "board", 14] == 3 and month[2024, "steering_committee", 4] == 9  # not the board's March
    assert month[2024, "meeting", 7] == 5
    congress = a[(a["category"] == "congress")].iloc[0]
    assert (congress["fiscal_year"], congress["month"], congress["location_ko"]) == (2023, 10, "서울")


def test_events_a_person_would_count(tables):
    a = tables["activities"]
    counted = a.dropna(subset=["count"]).groupby(["fiscal_year", "category"])["count"].sum()
    # 2023: 1 steering committee, 1 congress, 1 site visit, 3 training, 1 board, 3 preparatory meetings
    assert counted.loc[2023].to_dict() == {"board": 1, "congress": 1, "meeting": 3, "site_visit": 1,
                                           "steering_committee": 1, "training": 3}
    assert int(counted.loc[2022].sum()) == 12  # 1 + 4 + 4 + 3; the 25 are cumulative
