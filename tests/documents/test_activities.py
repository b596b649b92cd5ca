import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citynet_analysis.documents.activities import classify, item_activities, split_markers
from citynet_analysis.documents.amounts import AmountError, AmountRangeError


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
    assert (partner["count_note"], partner["frequency_ko"]) == ("frequency", "월 1회 이상")


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


def _facts(text):
    """(count, count_note, frequency_ko) of an item that gives one row."""
    (row,) = item_activities(text)
    return row["count"], row["count_note"], row["frequency_ko"]


@pytest.mark.parametrize(
    "text, count",
    [
        ("워크숍 총 3회 개최(방콕, 자카르타, 서울)", 3),  # 총 N회, inline
        ("공동연구 3차례 진행", 3),  # N차례
        ("공동연구 3 차례 진행", 3),
        ("교육과정 운영(연 4회)", 4),  # 연 N회 in a note
        ("MOU 체결 2건", 2),  # N건 at the end
        ("세미나 5회 개최", 5),  # N회 개최
        ("세미나 5회개최", 5),
        ("연 2회 웨비나", 2),  # 연 N회 inline
        ("웨비나 개최(9회)", 9),  # the note alone
        ("웨비나 개최(총 5회, 방콕 2회, 서울 3회)", 5),  # 총 wins over the parts
        ("세미나 3회 개최(3회)", 3),  # the same count twice
        ("자료 1,200건 제공", 1_200),  # thousands separator
        ("5회의 워크숍 개최", 5),
        ("제3회 서울포럼 개최", 1),  # an ordinal: one event
        ("제2차 워크숍 개최", 1),
        ("제2·3차 워크숍 개최", 2),
        ("제2차 기본계획에 따른 세미나 4회 개최", 4),  # a stated count wins over an ordinal
        ("10월 1회 개최", 1),  # a month, then a count
    ],
)
def test_stated_counts(text, count):
    assert _facts(text) == (count, None, None)


@pytest.mark.parametrize(
    "text, frequency",
    [
        ("월 1회 이상 웨비나 개최", "월 1회 이상"),
        ("파트너 기관과의 정책공유(월 1회 이상)", "월 1회 이상"),
        ("매월 뉴스레터 발간", "매월"),
        ("전문가 자문 주 1회", "주 1회"),
        ("분기별 1회 실무회의", "분기별 1회"),
        ("분기별 실무회의", "분기별"),
        ("매월 2회 정기 웨비나", "매월 2회"),
        ("월평균 2회 웨비나", "월평균 2회"),
        ("회원도시 자문 수시 진행", "수시"),
        ("매월 뉴스레터 및 수시 자료 발간", "매월, 수시"),
    ],
)
def test_frequencies_are_not_counts(text, frequency):
    assert _facts(text) == (None, "frequency", frequency)


def test_a_frequency_beside_a_count_keeps_both():
    assert _facts("월 1회 이상 웨비나 개최(총 12회)") == (12, None, "월 1회 이상")
    assert _facts("매년 2회 포럼 개최") == (2, None, "매년")


@pytest.mark.parametrize(
    "text",
    [
        "회원도시 대상 세미나 개최",
        "10월 개최 예정인 포럼",  # a month
        "3개국 도시 참여",
        "공무원 20명 연수",
        "2024년 서울의 밤",
        "2024 회계연도 결산",  # not 2024회
        "신규 5회원도시 가입",  # 회원, not 회
        "3회의실 대관",  # 회의실
        "3회차 세미나",  # an ordinal written 회차
        "1회성 행사",
        "2.5회 평균",
        "민원 접수시 처리",  # 접수 시, not 수시
    ],
)
def test_no_number_stated(text):
    assert _facts(text) == (None, "not_stated", None)


@pytest.mark.parametrize(
    "text",
    [
        "세미나 3회, 워크숍 2회 개최",  # two different counts, no 총
        "사무총장 회의 4차례, 실무회의 4차례",  # two counts of the same number are still two counts
        "웨비나 개최(총 3회, 총 4회)",
        "제46~45회 포럼",  # reversed range
        "제1~51회 포럼",  # longer than 50
        "연수 연 2~3회 개최",  # a range of counts, not one count
        "웨비나 2-3회 개최",
        "세미나 2회 이상 개최",  # a lower bound
        "워크숍 총 3회 중 2회 개최",  # a part of a total
        "웨비나 (12,000회)",  # more events than one outcome item can hold
    ],
)
def test_unreadable_counts(text):
    assert _facts(text) == (None, "unreadable", None)


@pytest.mark.parametrize(
    "text, numbers",
    [
        ("제41·42차 집행위원회 개최", [41, 42]),
        ("제41차·42차 집행위원회 개최", [41, 42]),
        ("제41, 42차 집행위원회 개최", [41, 42]),
        ("제41차 및 제42차 집행위원회 개최", [41, 42]),
        ("제45~46차 집행위원회 개최", [45, 46]),
        ("제45-46차 집행위원회 개최", [45, 46]),
        ("제45∼46차 집행위원회 개최", [45, 46]),
        ("제45차~제47차 집행위원회 개최", [45, 46, 47]),
        ("제45~45차 집행위원회 개최", [45]),
        ("제1~50차 집행위원회", list(range(1, 51))),  # 50 numbers: still a range
    ],
)
def test_numbered_committee_lists_and_ranges(text, numbers):
    rows = item_activities(text)
    assert [r["number"] for r in rows] == numbers
    assert {(r["category"], r["count"], r["count_note"]) for r in rows} == {("executive_committee", 1, None)}


@pytest.mark.parametrize("text", ["제46~45차 집행위원회 개최", "제1~51차 집행위원회", "제45~46~47차 집행위원회"])
def test_a_range_that_cannot_be_read_is_one_row(text):
    assert [(r["category"], r["count"], r["number"], r["count_note"]) for r in item_activities(text)] == [
        ("executive_committee", None, None, "unreadable")
    ]


def test_numbered_meetings_keep_month_place_and_frequency():
    rows = item_activities("제9차 총회 및 제41·42차 집행위원회 등 개최(9월, 쿠알라룸푸르)")
    assert [(r["category"], r["number"], r["count"], r["count_note"], r["month"], r["location_ko"])
            for r in rows] == [
        ("congress", 9, 1, None, 9, "쿠알라룸푸르"),
        ("executive_committee", 41, 1, None, 9, "쿠알라룸푸르"),
        ("executive_committee", 42, 1, None, 9, "쿠알라룸푸르"),
    ]
    (row,) = item_activities("제44차 집행위원회 개최(11월, 서울, 2회)")
    assert (row["number"], row["count"], row["month"], row["location_ko"]) == (44, 1, 11, "서울")


def test_months_are_not_counts():
    (row,) = item_activities("포럼 10월 개최")
    assert (row["month"], row["count"], row["count_note"]) == (10, None, "not_stated")
    (row,) = item_activities("세미나 개최(9월, 3회, 방콕)")
    assert (row["month"], row["count"], row["location_ko"]) == (9, 3, "방콕")


def test_counts_beyond_the_bound_are_refused_in_every_form():
    for text in ("세미나 99999999999999999999회 개최", "연 9,999,999,999,999,999회 웨비나",
                 "제45~99999999999999999999차 집행위원회"):
        with pytest.raises(AmountRangeError):
            item_activities(text)


_PIECES = st.sampled_from([
    "제", "차", "회", "건", "차례", "총 ", "연 ", "월 ", "매월", "주", "분기별", "수시", "이상", "개최", "집행위원회",
    "총회", "세미나", "(", ")", ",", "·", "~", "-", "∼", " ", "및", "10월", "45", "46", "1,200", "0",
    "99999999999999999999",
])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=20).map("".join)))
def test_any_text_gives_rows_or_an_amount_error(text):
    try:
        rows = item_activities(text)
    except AmountError:
        return
    assert rows
    for r in rows:
        assert (r["count"] is None) != (r["count_note"] is None), r
        assert r["count_note"] in {None, "frequency", "not_stated", "unreadable"}
        assert r["count"] is None or r["count"] >= 0
        assert r["frequency_ko"] is None or all(f in text for f in r["frequency_ko"].split(", "))
