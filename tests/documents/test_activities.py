import pytest

from citynet_analysis.documents.activities import classify, item_activities, split_markers
from citynet_analysis.documents.amounts import AmountRangeError


def test_split_markers_runs_of_circles():
    head, items = split_markers(
        '<ul style="list-style-type: none"> ○ 웨비나 개최(9회) ○ 제40차 집행위원회 온라인 개최(10월)'
    )
    assert head == ""
    assert items == ["웨비나 개최(9회)", "제40차 집행위원회 온라인 개최(10월)"]


def test_split_markers_li_items_and_continuation():
    head, items = split_markers("이어지는 글</li><li>세미나 진행(7회)</li><li>컨퍼런스 참여(2회)</li></ul>")
    assert head == "이어지는 글"
    assert items == ["세미나 진행(7회)", "컨퍼런스 참여(2회)"]


def test_congress_and_two_committees_from_one_line():
    rows = item_activities("제9차 총회 및 제41차·42차 집행위원회 등 개최(9월, 쿠알라룸푸르)")
    assert [(r["category"], r["number"], r["count"], r["month"], r["location_ko"]) for r in rows] == [
        ("congress", 9, 1, 9, "쿠알라룸푸르"),
        ("executive_committee", 41, 1, 9, "쿠알라룸푸르"),
        ("executive_committee", 42, 1, 9, "쿠알라룸푸르"),
    ]


def test_counts_and_months():
    (webinar,) = item_activities("회원 및 타 기관과 재난관리, 감염병 등에 대한 웨비나 개최(9회)")
    assert (webinar["category"], webinar["count"], webinar["month"]) == ("webinar", 9, None)
    (committee,) = item_activities("제43차 CityNet 집행위원회 개최(10월 개최)")
    assert (committee["category"], committee["number"], committee["month"]) == ("executive_committee", 43, 10)
    (online,) = item_activities("제40차 집행위원회 온라인 개최(10월)")
    assert online["location_ko"] == "온라인"
    # "월 1회 이상" is a frequency, not a count
    (partner,) = item_activities("파트너 기관(유럽연합)과의 도시협력 사업 및 정책공유(월 1회 이상)")
    assert (partner["category"], partner["count"], partner["location_ko"]) == ("partnership", None, None)


def test_classify_prefers_the_specific_word():
    assert classify("회원도시 대상 SDGs 및 기후재정 우수사례 역량강화 세미나 개최") == "seminar"
    assert classify("회원도시 역량강화 연수") == "training"
    assert classify("SDG 온라인 강좌 개발(서울대학교, 서울관광재단 등 협력)") == "course"
    assert classify("세계도시 정책공유 온라인 플랫폼 운영 관리") == "platform"
    assert classify("CityNet 회원도시 간 기술협력(시티넷 서비스)") == "technical_cooperation"
    assert classify("무엇인지 알 수 없는 일") == "other"


def test_a_count_beyond_the_bound_is_refused():
    with pytest.raises(AmountRangeError):
        item_activities("웨비나 개최(99999999999999999999회)")
    with pytest.raises(AmountRangeError):
        item_activities("제99999999999999999999차 집행위원회 개최")
