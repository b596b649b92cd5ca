import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citynet_analysis import vocabulary
from citynet_analysis.dataset.tables import COUNT_NOTES
from citynet_analysis.documents.activities import MAX_COUNT, classify, item_activities, split_markers
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
        "웨비나 3회 개최 후 2회 추가 개최",  # two counts in one clause, no 총
        "웨비나 4회 개최 후 4회 추가 개최",  # two counts of the same number are still two counts
        "웨비나 개최(총 3회, 총 4회)",
        "제46~45회 포럼",  # reversed range
        "제1~51회 포럼",  # longer than 50
        "연수 연 2~3회 개최",  # a range of counts, not one count
        "웨비나 2-3회 개최",
        "세미나 2회 이상 개최",  # a lower bound
        "워크숍 총 3회 중 2회 개최",  # a part of a total
        "웨비나 (12,000회)",  # more events than one outcome item can hold
        "웨비나 (5,000+6,000회)",  # a sum of parts, too
        "세미나 5회 개최(국내 2회, 해외 2회)",  # a breakdown that does not add up to the count
        "세미나 3회 초과 개최",  # a lower bound
        "웨비나 개최(4회), 해외 2회",  # a part that does not add up to the count (was 6: counted twice)
        "연수 개최(4회, 국내 1회, 해외 2회)",  # parts in the note that do not add up to its count
        "세미나 3회 개최, 국내 1회, 해외 1회",
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
    "99999999999999999999", "+", "/", "각 ", "약 ", "최대 ", "누적 ", "이내", "내외", "여", "이사회", "운영위원회",
    "자문위원회", "회의", "현장시찰", "계기", "국내 ", "해외 ", "웨비나",
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
        assert r["count_note"] in {None, *COUNT_NOTES}
        assert r["count"] is None or 0 <= r["count"] <= MAX_COUNT
        assert r["frequency_ko"] is None or all(f in text for f in r["frequency_ko"].split(", "))
        assert r["body_ko"] is None or (r["body_ko"] in text and r["category"] in vocabulary.meeting_categories())
        assert r["category"] in vocabulary.category_ids()


# -- clause by clause ---------------------------------------------------------------------------------

def _rows(text, *keys):
    return [tuple(r[k] for k in keys) for r in item_activities(text)]


@pytest.mark.parametrize("text, expected", [
    # each clause is an activity of its own: the seminars no longer vanish behind the webinars
    ("재난관리 웨비나 개최(4회), 감염병 대응 세미나 개최(4회)", [("webinar", 4), ("seminar", 4)]),
    ("세미나 3회, 워크숍 2회 개최", [("seminar", 3), ("training", 2)]),
    ("사무총장 회의 4차례, 실무회의 4차례", [("meeting", 4), ("meeting", 4)]),
    ("웨비나 개최(9회) 및 세미나 개최(2회)", [("webinar", 9), ("seminar", 2)]),
    ("웨비나(3회)/세미나(2회)", [("webinar", 3), ("seminar", 2)]),
    # a clause without an activity noun is part of the one before (after, at the start)
    ("세계도시 정책공유 온라인 플랫폼 운영 및 홍보", [("platform", None)]),
    ("회원 및 타 기관과 재난관리, 감염병 등에 대한 웨비나 개최(9회)", [("webinar", 9)]),
    ("아·태 도시 대상 SDGs 세미나 진행(7회)", [("seminar", 7)]),
    # never cut inside a note, a thousands separator or a numbered list
    ("워크숍 총 3회 개최(방콕, 자카르타, 서울)", [("training", 3)]),
    ("자료 1,200건 제공 및 웨비나 개최(2회)", [("other", 1_200), ("webinar", 2)]),
    ("제41·42차 집행위원회 개최", [("executive_committee", 1), ("executive_committee", 1)]),
])
def test_each_clause_is_counted(text, expected):
    assert _rows(text, "category", "count") == expected


@pytest.mark.parametrize("text, count", [
    ("역량강화 연수(2+1회)", 3),  # a sum written as its parts
    ("역량강화 연수 2 + 1 + 1회", 4),
    ("현장 연수(국내 1회, 해외 2회)", 3),  # parts in a note
    ("도시재생 정책 연수 국내 1회, 해외 2회", 3),  # parts as clauses: 해외 2회 names no activity
    ("국내 1회, 해외 2회 연수 실시", 3),  # parts before the activity
    ("세미나 5회 개최(국내 2회, 해외 3회)", 5),  # a note that breaks the count down restates it
    ("웨비나 개최(총 5회, 방콕 2회, 서울 3회)", 5),  # a total still wins over its parts
    ("웨비나 총 5회 개최, 방콕 2회, 서울 2회", 5),
])
def test_parts_add_up_to_the_count(text, count):
    assert _rows(text, "category", "count", "count_note")[0][1:] == (count, None)
    assert len(item_activities(text)) == 1


@pytest.mark.parametrize("text, note", [
    ("회원도시 공무원 온라인 교육 운영(누적 25회)", "cumulative"),
    ("누적 총 25회 웨비나 개최", "cumulative"),
    ("웨비나 25회 누적 개최", "cumulative"),
    ("회원도시 실무자 워크숍 약 3회", "approximate"),
    ("세미나 3회 내외 개최", "approximate"),
    ("세미나 3회 정도 개최", "approximate"),
    ("웨비나 3회가량 개최", "approximate"),
    ("세미나 10여회 개최", "approximate"),
    ("전문가 자문회의 최대 3회", "upper_bound"),
    ("웨비나 3회 이내로 개최", "upper_bound"),
    ("연수 3회 미만", "upper_bound"),
    ("웨비나 개최(약 3회), 해외 2회", "approximate"),  # a sum with an approximate part is approximate
])
def test_counts_that_are_not_exact(text, note):
    (row,) = item_activities(text)
    assert (row["count"], row["count_note"]) == (None, note)
    assert note in vocabulary.labels("count_notes")


def test_an_exact_count_beside_a_running_total_is_the_count():
    assert _facts("웨비나 5회 개최(누적 25회)") == (5, None, None)
    assert _facts("예약 3건 처리") == (3, None, None)  # 예약 is no 약
    assert _facts("세미나 3회 개최(약 3회)") == (3, None, None)


def test_counts_stated_once_for_joined_activities():
    # one predicate for two activities: both in September, at Kuala Lumpur
    assert _rows("제9차 총회 및 제41·42차 집행위원회 개최(9월, 쿠알라룸푸르)", "category", "number", "month",
                 "location_ko") == [("congress", 9, 9, "쿠알라룸푸르"), ("executive_committee", 41, 9, "쿠알라룸푸르"),
                                    ("executive_committee", 42, 9, "쿠알라룸푸르")]
    # nine events of two kinds: how many of each is not said
    assert _rows("웨비나 및 세미나 개최(9회)", "category", "count", "count_note") == [
        ("webinar", None, "unreadable"), ("seminar", None, "unreadable")]
    assert _rows("웨비나 및 세미나 각 2회 개최", "category", "count") == [("webinar", 2), ("seminar", 2)]
    assert _rows("웨비나 및 세미나 개최(월 1회 이상)", "category", "count_note", "frequency_ko") == [
        ("webinar", "frequency", "월 1회 이상"), ("seminar", "frequency", "월 1회 이상")]
    # a clause with its own predicate keeps its own month
    assert _rows("제12차 이사회 개최(3월), 제3차 운영위원회 개최", "category", "number", "month") == [
        ("board", 12, 3), ("steering_committee", 3, None)]


@pytest.mark.parametrize("text, category", [
    ("제5차 총회 계기 현장시찰", "site_visit"),  # the visit is the head, the congress its occasion
    ("총회 계기 현장방문", "site_visit"),
    ("연수생 대상 시설 견학", "site_visit"),
    ("현장시찰 결과 공유 세미나", "seminar"),
    ("회원도시 역량강화 세미나 개최", "seminar"),
    ("세미나 참가자 대상 교육", "training"),
    ("기술협력 사업 추진", "technical_cooperation"),  # within one word the vocabulary's order decides
    ("운영위원회 개최", "steering_committee"),  # not the generic 위원회
    ("집행위원회 개최", "executive_committee"),
    ("자문위원회 개최", "meeting"),
    ("이사회 개최", "board"),
    ("국제회의 참석", "conference"),
    ("Board meeting of the network", "board"),  # a keyword inside a longer one is not read: no meeting
    ("3회의실 대관", "other"),  # a meeting room is no meeting
    ("스마트시티 솔루션 공모전 개최", "event"),  # no activity noun: the verb's category
])
def test_the_head_noun_decides(text, category):
    assert classify(text) == category
    assert [r["category"] for r in item_activities(text)] == [category]


def test_a_site_visit_at_a_congress_is_no_congress():
    assert _rows("제5차 총회 계기 현장시찰", "category", "count", "count_note", "number", "body_ko") == [
        ("site_visit", 1, None, None, None)]  # one visit, at the 5th congress
    assert "site_visit" not in vocabulary.event_categories()


@pytest.mark.parametrize("text, expected", [
    ("제12차 이사회 개최(3월)", [("board", 1, 12, "이사회")]),
    ("제3차 운영위원회 개최", [("steering_committee", 1, 3, "운영위원회")]),
    ("제7차 자문위원회 개최", [("meeting", 1, 7, "자문위원회")]),
    ("제2차 도시재생분과위원회 개최", [("meeting", 1, 2, "도시재생분과위원회")]),  # a body the vocabulary does not know
    ("제3차 CityNet 실무회의", [("meeting", 1, 3, "실무회의")]),
    ("제12·13차 이사회", [("board", 1, 12, "이사회"), ("board", 1, 13, "이사회")]),
    ("제44차 집행위원회 및 준비회의(3회)",
     [("executive_committee", 1, 44, "집행위원회"), ("meeting", 3, None, "준비회의")]),
    ("제9차 총회 및 제41·42차 집행위원회", [("congress", 1, 9, "총회"), ("executive_committee", 1, 41, "집행위원회"),
                                   ("executive_committee", 1, 42, "집행위원회")]),
    ("제44차 집행위원회 준비회의", [("meeting", 1, None, "준비회의")]),  # the 44th is the committee's
    ("운영위원회 개최(2회)", [("steering_committee", 2, None, "운영위원회")]),  # unnumbered: still its body
    ("이사회의 승인", [("board", None, None, "이사회")]),
    ("회원도시 역량강화 세미나 개최(3회)", [("seminar", 3, None, None)]),  # no meeting, no body
])
def test_numbered_meetings_of_any_body(text, expected):
    assert _rows(text, "category", "count", "number", "body_ko") == expected


def test_meeting_categories_come_from_the_vocabulary():
    assert vocabulary.meeting_categories() == (
        "congress", "executive_committee", "steering_committee", "board", "meeting")
    meetings = vocabulary.numbered_meetings()
    assert meetings["이사회"] == ("board", "Board Meeting")
    assert meetings["운영위원회"] == ("steering_committee", "Steering Committee")
    assert meetings["실무회의"][0] == "meeting"
    assert {"board", "steering_committee"} <= set(vocabulary.event_categories())
    assert "meeting" not in vocabulary.event_categories()
    for note in ("cumulative", "approximate", "upper_bound"):
        assert set(vocabulary.labels("count_notes")[note]) == {"ko", "en"}
        assert note in COUNT_NOTES


@pytest.mark.parametrize("text", [
    "역량강화 연수(2+99999999999999999999회)",
    "웨비나 약 99999999999999999999회",
    "웨비나 누적 99999999999999999999회, 세미나 2회",
    "세미나 3회, 제99999999999999999999차 이사회",
])
def test_numbers_beyond_the_bound_are_refused_in_the_new_forms(text):
    with pytest.raises(AmountRangeError):
        item_activities(text)


@pytest.mark.slow  # a performance guard over 20,000 clauses
def test_many_clauses_and_ordinals_stay_linear():
    import time

    for text in ("웨비나, " * 20_000, "제1차 " * 20_000 + "이사회", "(국내 1회, " * 5_000 + "해외 2회)"):
        start = time.perf_counter()
        item_activities(text)
        assert time.perf_counter() - start < 5, text[:20]


# -- review: counts restated, clauses of their own, head nouns, linear time ------------------------

@pytest.mark.parametrize("text, count", [
    ("아·태 도시 대상 SDGs 세미나 진행(7회, 국내 3회, 해외 4회)", 7),  # the parts restate the 7 (was 14)
    ("세미나 7회 진행, 국내 3회, 해외 4회", 7),
    ("세미나 3회 개최, 온라인 1회, 오프라인 2회", 3),
    ("세미나 3회 개최, 국내 1회 개최, 해외 2회 진행", 3),  # a part may carry 개최, 진행
    ("연수(연 4회, 국내 2회, 해외 2회)", 4),
    ("국내 1회, 해외 2회", 3),  # parts alone are the total
])
def test_parts_that_restate_a_count_are_not_added_to_it(text, count):
    assert _rows(text, "count", "count_note") == [(count, None)]


@pytest.mark.parametrize("text, expected", [
    ("세미나 개최(2회), 결과보고서 발간(1건)", [("seminar", 2), ("other", 1)]),  # was seminar 3
    ("세미나 개최(2회), 가이드북 발간(1건)", [("seminar", 2), ("other", 1)]),  # a verb of its own: 발간
    ("웨비나 결과보고서 발간(2건)", [("other", 2)]),  # a report about webinars is no webinar
    ("세미나실 대관(3회)", [("other", 3)]),  # a seminar room is no seminar
    ("제3회 서울포럼 및 세미나 2회 개최", [("conference", 1), ("seminar", 2)]),  # was seminar unreadable
])
def test_clauses_with_a_noun_or_verb_of_their_own_are_their_own_rows(text, expected):
    assert _rows(text, "category", "count") == expected
    assert "other" not in vocabulary.event_categories()


@pytest.mark.parametrize("text, expected", [
    ("집행위원회 회의 개최(2회)", [("executive_committee", 2, None, "집행위원회")]),  # was meeting
    ("제2차 이사회 회의 개최", [("board", 1, 2, "이사회")]),  # was meeting, no number
    ("제41차 집행위원회 개최(2회)", [("executive_committee", 1, 41, "집행위원회")]),  # the ordinal wins
    ("제44차 집행위원회 준비회의", [("meeting", 1, None, "준비회의")]),  # a specific meeting stays its own
])
def test_a_generic_meeting_after_a_body_is_that_bodys(text, expected):
    assert _rows(text, "category", "count", "number", "body_ko") == expected


def test_a_long_run_of_grouped_digits_is_read_in_linear_time():
    import time

    def seconds(length):
        text = "세미나 진행(7회, 참가자 " + ",".join(["100"] * (length // 4)) + "명)"
        start = time.perf_counter()
        (row,) = item_activities(text)
        elapsed = time.perf_counter() - start
        assert (row["category"], row["count"]) == ("seminar", 7)
        return elapsed

    seconds(2_000)  # warm the caches
    short, long = min(seconds(2_000) for _ in range(3)), min(seconds(20_000) for _ in range(3))
    assert long < 1
    assert long / max(short, 1e-4) < 40  # 10 for linear time, 100 for quadratic
