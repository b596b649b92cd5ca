"""What a line item is, read at ingest: its group, the events it funds and the people its basis counts."""

import pytest

from citynet_analysis.documents.line_items import classify_line_items, head_count
from citynet_analysis.errors import InputError


@pytest.mark.parametrize("basis, expected", [
    ("직원 5명, 인턴 2명 등", (7, "직원 5, 인턴 2")),  # the 2024 document, line 40
    ("직원 5명(전년 대비 2명 증원)", (5, "직원 5")),  # a note about a change is not more staff
    ("직원 5명 (2024년 3명 채용)", (5, "직원 5")),
    ("사무총장 1명, 직원 6명", (7, "사무총장 1, 직원 6")),
    ("월 2,500,000원 × 12개월", (None, None)),
    (None, (None, None)),
])
def test_head_count(basis, expected):
    assert head_count(basis) == expected


def _items(*names):
    return [dict(item_id=f"2024-0{i}", parent_id=None, name_ko=n, basis_ko=None, source_line=i)
            for i, n in enumerate(names, 1)]


def test_events_a_line_item_funds():
    rows = classify_line_items(_items("제44차 집행위원회 개최", "제45~46차 집행위원회", "제9차 총회 및 제41·42차 집행위원회 개최",
                                      "회원도시 역량강화 연수", "사무관리비"), "doc.txt")
    assert [(r["event_category"], r["event_count"]) for r in rows] == [
        ("executive_committee", 1), ("executive_committee", 2),
        (None, None),  # a congress and two committees: no one type to divide the cost by
        ("training", None), (None, None)]


def test_a_number_beyond_every_bound_names_the_line():
    with pytest.raises(InputError, match="doc.txt:2: line item") as exc:
        classify_line_items(_items("사무관리비", "제40000000000000004차 집행위원회 개최"), "doc.txt")
    assert exc.value.line == 2


def test_events_of_other_bodies_a_line_item_funds():
    rows = classify_line_items(_items("제15차 이사회 개최", "제5차 운영위원회 개최", "제7차 자문위원회 개최",
                                      "제44차 집행위원회 및 준비회의 개최", "재난관리 웨비나 및 감염병 대응 세미나",
                                      "제5차 총회 계기 현장시찰", "임대료 및 관리비 등"), "doc.txt")
    assert [(r["event_category"], r["event_count"]) for r in rows] == [
        ("board", 1), ("steering_committee", 1), ("meeting", 1),
        (None, None),  # a committee and its preparatory meetings: two kinds, no one type
        (None, None),  # webinars and seminars
        ("site_visit", 1),  # a visit at the congress, not the congress
        (None, None)]
