"""Each section of the 2024 document, with values checked by hand against the source lines."""

import pytest

from citynet_analysis.documents.parser import parse_document
from citynet_analysis.errors import InputError


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


# -- lines that cannot be read: an error naming the line, or a warning where the document stays whole ----

def _edit_line(text, number, old, new, count=1):
    """The document with ``old`` → ``new`` on 1-based line ``number`` (which must contain it)."""
    lines = text.split("\n")
    assert old in lines[number - 1], lines[number - 1]
    lines[number - 1] = lines[number - 1].replace(old, new, count)
    return "\n".join(lines)


def _refused(text, line, message):
    with pytest.raises(InputError) as exc:
        parse_document(text, "x.txt")
    assert exc.value.file == "x.txt" and exc.value.line == line, str(exc.value)
    assert message in exc.value.message, exc.value.message
    return exc.value


def _warnings(parsed, severity="warning"):
    return {(a["check"], a["source_line"]) for a in parsed.anomalies if a["severity"] == severity}


# the 2024 document's own slip: 833,330원*12개월 = 9,999,960 won under 사무관리비 = 10,000천원 (lines 56 and 55)
FORMULA_2024 = ("line_item_formula", 56, 55, 2024, "line_items", 10_000_000, 9_999_960)


def _errors(parsed):
    """The error anomalies beside the document's own formula slip: (check, line, other line, year, table,
    stated, computed)."""
    found = {(a["check"], a["source_line"], a["other_line"], a["fiscal_year"], a["table"], a["stated_krw"],
              a["computed_krw"]) for a in parsed.anomalies if a["severity"] == "error"}
    assert FORMULA_2024 in found or parsed.document["fiscal_year"] != 2024
    return found - {FORMULA_2024}


@pytest.mark.parametrize("count", [1, -1])
def test_summary_header_with_spaces_for_tabs_is_refused(text_2024, count):
    # count 1: only the label and (A) run together; -1: every column
    _refused(_edit_line(text_2024, 28, "\t", "  ", count), 28, "예산 총괄 header needs one (A) and one (B) column")


def test_summary_row_with_spaces_for_tabs_is_refused(text_2024):
    _refused(_edit_line(text_2024, 31, "\t", " ", -1), 31, "예산 총괄 row is not tab-separated")


@pytest.mark.parametrize("old, new, message", [
    ("2023예산액", "2024예산액", "(A) and (B) are both labelled 2024"),
    ("2023예산액", "2013예산액", "(A) is labelled 2013 and (B) 2024: (A) must be the year before (B)"),
    ("2024예산액", "20245예산액", "column '20245예산액 (B)' names no year"),
])
def test_summary_year_labels(text_2024, old, new, message):
    _refused(_edit_line(text_2024, 28, old, new), 28, message)


def test_summary_row_above_its_header_is_refused(text_2024):
    lines = text_2024.split("\n")
    lines.insert(26, lines.pop(29))  # 계 moved above the header
    _refused("\n".join(lines), 27, "예산 총괄 row before its header row")


def test_unreadable_summary_percent_is_a_warning(text_2024):
    p = parse_document(_edit_line(text_2024, 31, "(x-) 27", "2 7"), "x.txt")
    assert ("summary_percent_unread", 31) in _warnings(p)
    row = [r for r in p.summary if r["category"] == "국제부담금"][0]
    assert (row["a"], row["b"], row["pct"]) == (864_910_000, 1_100_000_000, None)


def test_formula_beyond_the_bound_is_refused(text_2024):
    _refused(_edit_line(text_2024, 56, "12개월", "99999999999999999999개월"), 56,
             "'833,330원*99999999999999999999개월' is beyond the largest amount read (1,000,000,000,000,000)")


def test_line_item_beyond_the_bound_is_refused(text_2024):
    _refused(_edit_line(text_2024, 57, "15,600천원", "15,600,000,000,000천원"), 57,
             "업무추진비: '15,600,000,000,000천원' is beyond the largest amount read")


def test_settlement_amount_of_20_digits_is_refused(text_2024):
    _refused(_edit_line(text_2024, 130, "834,395", "12345678901234567890"), 130,
             "결산 2022 최종예산: '12345678901234567890' is beyond the largest amount read")


@pytest.mark.parametrize("old, new, message", [
    ("2022", "20999", "결산 row '20999' does not start with a year (YYYY)"),
    ("2022", "2O22", "결산 row '2O22' does not start with a year (YYYY)"),
    ("2022\t", "\t", "결산 row has no year in its first cell"),
])
def test_settlement_row_with_a_mistyped_year_is_refused(text_2024, old, new, message):
    _refused(_edit_line(text_2024, 130, old, new), 130, message)


def test_a_settlement_year_typed_twice_is_flagged_and_the_first_row_read(text_2024):
    p = parse_document(_edit_line(text_2024, 130, "2022", "2021"), "x.txt")
    rows = p.tables["settlements"]
    assert [(r["fiscal_year"], r["source_line"]) for r in rows] == [(2020, 128), (2021, 129)]
    # both rows' figures: 2022's executed 834,395,000 typed as 2021, whose row (line 129) executed 698,747,000
    assert _errors(p) == {("settlement_year_twice", 130, 129, 2021, "settlements", 834_395_000, 698_747_000)}


def test_a_settlement_year_not_in_the_past_is_flagged_and_read_as_printed(text_2024):
    p = parse_document(_edit_line(text_2024, 130, "2022", "2024"), "x.txt")
    assert [r["fiscal_year"] for r in p.tables["settlements"]] == [2020, 2021, 2024]
    found = {(c, line) for c, line, *_ in _errors(p)}
    assert {("settlement_year", 130), ("settlement_years", 130)} & found == {("settlement_year", 130)}


def test_settlement_row_above_its_header_is_refused(text_2024):
    lines = text_2024.split("\n")
    lines.insert(125, lines.pop(127))  # the 2020 row moved above the header
    _refused("\n".join(lines), 126, "결산 현황 row before its header row: '2020")


def test_text_and_a_total_after_the_settlements(text_2024):
    text = text_2024.rstrip("\n") + "\n계\t(x-) 2,231,422\n※ 2023년 결산은 미확정\n"
    p = parse_document(text, "x.txt")
    assert [r["fiscal_year"] for r in p.tables["settlements"]] == [2020, 2021, 2022]
    notes = {(a["severity"], a["check"], a["source_line"]) for a in p.anomalies}
    assert {("info", "settlement_total", 131), ("info", "table_note", 132)} <= notes
    note = next(a for a in p.anomalies if a["check"] == "table_note")
    assert (note["table"], note["message_ko"]) == ("settlements", "결산 현황 아래 주석: '※ 2023년 결산은 미확정'")
    p = parse_document(text_2024.rstrip("\n") + "\n결산은 미확정\n", "x.txt")
    assert ("text_not_read", 131) in _warnings(p)  # prose that is not marked as a note is still a warning


def test_settlement_header_listing_a_column_twice_is_refused(text_2024):
    _refused(_edit_line(text_2024, 127, "전년이월", "최종예산"), 127, "결산 header lists 최종예산 twice")


@pytest.mark.parametrize("old, new, message", [
    ("2023년도", "20233년도", "추진실적 year label '20233년도' is not a year"),
])
def test_outcome_year_label_that_is_not_a_year_is_refused(text_2024, old, new, message):
    _refused(_edit_line(text_2024, 116, old, new), 116, message)


def test_an_outcome_year_typed_twice_is_flagged_and_its_items_read(text_2024):
    p = parse_document(_edit_line(text_2024, 116, "2023년도", "2022년도"), "x.txt")
    years = [r["fiscal_year"] for r in p.tables["activities"]]
    assert 2023 not in years and years.count(2022) == 15 - years.count(2021)
    assert {(c, line, other) for c, line, other, *_ in _errors(p)} == {("outcome_year_twice", 116, 113)}


def test_outcome_items_before_any_year_are_refused(text_2024):
    _refused(_edit_line(text_2024, 112, "2021년도", "연도"), 112, "추진실적 items before the first year label")


def test_outcome_count_beyond_the_bound_is_refused(text_2024):
    _refused(_edit_line(text_2024, 112, "(9회)", "(99999999999999999999회)"), 112,
             "추진실적 2021: '99999999999999999999' is beyond the largest amount read")


def test_milestone_lines_not_read_are_warnings(text_2024):
    text = _edit_line(_edit_line(text_2024, 92, "2012.10.", "20122.10."), 93, "2013.02.", "2013.13.")
    lines = text.split("\n")
    lines.insert(94, lines[93])  # 2013.03 repeated
    p = parse_document("\n".join(lines), "x.txt")
    assert [m["date"] for m in p.tables["milestones"]] == ["2009-09", "2013-03", "2013-11", "2017-11", "2022-10"]
    assert {("milestone_unread", 92), ("milestone_unread", 93), ("milestone_repeated", 95)} <= _warnings(p)


def test_schedule_lines_not_read_are_warnings(text_2024):
    text = _edit_line(text_2024, 106, "\t", "  ", -1)  # 시티넷 운영 지원 with spaces for tabs
    text = _edit_line(text, 105, "2024.01~2024.12", "2024.13~2024.12")
    p = parse_document(text, "x.txt")
    assert [(r["step_ko"], r["start"], r["amount_krw"]) for r in p.tables["schedule"]] == [
        ("시티넷 지원계획 수립", None, 0)]
    assert {("schedule_row", 106), ("schedule_period", 105)} <= _warnings(p)


def test_schedule_step_twice(text_2024):
    lines = text_2024.split("\n")
    lines.insert(106, lines[105])
    p = parse_document("\n".join(lines), "x.txt")
    assert len(p.tables["schedule"]) == 2 and ("schedule_repeated", 107) in _warnings(p)
    lines[106] = lines[106].replace("1,100,000", "1,000,000")
    p = parse_document("\n".join(lines), "x.txt")
    assert [r["amount_krw"] for r in p.tables["schedule"]] == [0, 1_100_000_000]  # the first row of the step
    assert _errors(p) == {("schedule_step_twice", 107, 106, 2024, "schedule", 1_000_000_000, 1_100_000_000)}


def test_schedule_titled_another_year_is_a_warning(text_2024):
    p = parse_document(_edit_line(text_2024, 99, "2024년도", "2023년도"), "x.txt")
    assert ("schedule_year", 99) in _warnings(p)
    assert {r["fiscal_year"] for r in p.tables["schedule"]} == {2023}


def test_line_item_that_cannot_be_read_is_refused(text_2024):
    _refused(_edit_line(text_2024, 43, "98,000천원", "98,OOO천원"), 43,
             "산출근거 line looks like a line item (○ name = N천원) but cannot be read")


def test_basis_amount_that_cannot_be_read_is_a_warning(text_2024):
    p = parse_document(_edit_line(text_2024, 44, "98,000,000원", "98,0000,000원"), "x.txt")
    item = [r for r in p.tables["line_items"] if r["name_ko"] == "회원도시 역량강화 연수"][0]
    assert (item["amount_krw"], item["stated_won_krw"]) == (98_000_000, None)
    assert ("line_item_basis", 44) in _warnings(p)


def test_line_items_header_with_spaces_is_still_a_header(text_2024):
    p = parse_document(_edit_line(text_2024, 38, "\t", " ", -1), "x.txt")
    item = [r for r in p.tables["line_items"] if r["name_ko"] == "임대료 및 관리비 등"][0]
    assert (item["basis_ko"], item["stated_won_krw"]) == ("232,360,000원", 232_360_000)
    assert not [a for a in p.anomalies if a["severity"] == "warning" and a["source_line"] == 38]


def test_a_heading_twice_is_refused(text_2024):
    lines = text_2024.split("\n")
    lines.insert(40, "□ 최근 3년 추진실적")  # inside 산출근거, above the real outcomes heading (line 110)
    _refused("\n".join(lines), 111, "a second 추진실적 (outcomes) heading (the first is line 41)")


def test_no_program_title_is_refused(text_2024):
    _refused(_edit_line(text_2024, 3, "시티넷 사무국 운영 지원", ""), 5, "no program name")


def test_settlement_years_not_consecutive_are_flagged(text_2024):
    p = parse_document(_edit_line(text_2024, 128, "2020", "2010"), "x.txt")
    assert [r["fiscal_year"] for r in p.tables["settlements"]] == [2010, 2021, 2022]
    assert _errors(p) == {("settlement_years", 129, 128, 2021, "settlements", None, None)}


def test_repeated_table_headers_are_skipped(text_2024):
    """A header repeated by a page break is not a row: same tables as the document without it."""
    lines = text_2024.split("\n")
    for at in (129, 105, 30):  # settlements, schedule, budget summary: from the bottom up
        lines.insert(at, lines[{129: 126, 105: 102, 30: 27}[at]])
    p = parse_document("\n".join(lines), "x.txt")
    base = parse_document(text_2024, "x.txt")
    strip = lambda rows: [{k: v for k, v in r.items() if k != "source_line"} for r in rows]  # noqa: E731
    for name in ("budget_totals", "schedule", "settlements"):
        assert strip(p.tables[name]) == strip(base.tables[name]), name
    assert [a["check"] for a in p.anomalies] == [a["check"] for a in base.anomalies]


def test_summary_without_a_total_row_is_a_warning(text_2024):
    lines = text_2024.split("\n")
    del lines[29]  # 계
    p = parse_document("\n".join(lines), "x.txt")
    assert ("summary_no_total", 28) in _warnings(p)
    assert [r["category"] for r in p.summary] == ["국제부담금"]


def test_summary_row_with_more_cells_than_its_header_is_refused(text_2024):
    _refused(_edit_line(text_2024, 31, "(x-) 864,910", "국제\t(x-) 864,910"), 31,
             "예산 총괄 row '국제부담금' has more cells than its header")


def test_stray_percent_row_without_tabs_is_skipped(text_2024):
    p = parse_document(_edit_line(text_2024, 29, "\t", "", -1), "x.txt")
    assert len(p.tables["budget_totals"]) == 4


def test_outcome_years_out_of_sequence_are_a_warning(text_2024):
    p = parse_document(_edit_line(text_2024, 116, "2023년도", "2013년도"), "x.txt")
    assert ("outcome_years", 116) in _warnings(p)
    assert sorted({r["fiscal_year"] for r in p.tables["activities"]}) == [2013, 2021, 2022]


def test_milestone_out_of_order_is_a_warning(text_2024):
    p = parse_document(_edit_line(text_2024, 93, "2013.02.", "2003.02."), "x.txt")
    assert ("milestone_order", 93) in _warnings(p)
    assert len(p.tables["milestones"]) == 7


def test_schedule_period_outside_its_year_is_a_warning(text_2024):
    p = parse_document(_edit_line(text_2024, 105, "~2024.12", "~20248.12"), "x.txt")
    assert ("schedule_period", 105) in _warnings(p)
    assert (p.tables["schedule"][0]["start"], p.tables["schedule"][0]["end"]) == ("2024-01", None)


def test_schedule_row_beyond_its_header_is_a_warning(text_2024):
    p = parse_document(_edit_line(text_2024, 105, "2024년 시티넷", "2024년\t시티넷"), "x.txt")
    assert ("schedule_row", 105) in _warnings(p)
    assert p.tables["schedule"][0]["detail_ko"] == "2024년"


def test_overview_row_without_tabs_is_a_warning(text_2024):
    p = parse_document(_edit_line(text_2024, 9, "\t", " ", -1), "x.txt")
    assert ("overview_row", 9) in _warnings(p)
    assert p.document["account_ko"] is None


# -- units, third-level items, a basis after a colon or in parentheses ---------------------------------

def test_units_of_the_2024_document(parsed_2024):
    assert (parsed_2024.document["unit_ko"], parsed_2024.document["unit_factor"]) == ("천원", 1_000)  # line 26
    assert {(r["unit_ko"], r["unit_factor"]) for r in parsed_2024.tables["settlements"]} == {("천원", 1_000)}


def test_unit_from_the_amounts_when_no_unit_line(text_2024):
    lines = text_2024.split("\n")
    del lines[25]  # (단위 : 천원, %) of 예산 총괄: the unit is still stated, as 천원 after each 산출근거 amount
    p = parse_document("\n".join(lines), "x.txt")
    assert (p.document["unit_ko"], p.document["unit_factor"]) == ("천원", 1_000)
    assert p.summary[0]["b"] == 1_100_000_000


def test_summary_in_millions(text_2024):
    p = parse_document(_edit_line(text_2024, 26, "천원", "백만원"), "x.txt")
    assert (p.document["unit_ko"], p.document["unit_factor"]) == ("백만원", 1_000_000)
    assert p.summary[0]["b"] == 1_100_000 * 1_000_000
    assert p.tables["settlements"][0]["final_budget_krw"] == 698_280_000  # its own (단위 : 천원)


def test_settlement_unit_of_its_own_or_the_documents(text_2024):
    p = parse_document(_edit_line(text_2024, 125, "천원", "원"), "x.txt")
    s = p.tables["settlements"]
    assert {(r["unit_ko"], r["unit_factor"]) for r in s} == {("원", 1)}
    assert s[0]["final_budget_krw"] == 698_280
    assert (p.document["unit_ko"], p.document["unit_factor"]) == ("천원", 1_000)
    lines = text_2024.split("\n")
    del lines[124]  # no unit line: the document's unit applies
    s = parse_document("\n".join(lines), "x.txt").tables["settlements"]
    assert {(r["unit_ko"], r["unit_factor"]) for r in s} == {("천원", 1_000)}
    assert s[0]["final_budget_krw"] == 698_280_000


def test_third_level_items_with_either_middle_dot(text_2024):
    lines = text_2024.split("\n")
    lines[44:44] = ["· 국내 연수\t=\t38,000천원", "∙ 해외 연수\t=\t60,000천원", "60,000,000원"]  # under line 43
    p = parse_document("\n".join(lines), "x.txt")
    rows = [(r["item_id"], r["parent_id"], r["level"], r["name_ko"], r["amount_krw"], r["source_line"])
            for r in p.tables["line_items"] if r["item_id"].startswith("2024-03-0")][:4]
    assert rows == [
        ("2024-03-01", "2024-03", 2, "회원도시 역량강화 연수", 98_000_000, 43),
        ("2024-03-01-01", "2024-03-01", 3, "국내 연수", 38_000_000, 45),
        ("2024-03-01-02", "2024-03-01", 3, "해외 연수", 60_000_000, 46),
        ("2024-03-02", "2024-03", 2, "온라인플랫폼 운영 및 개선사업", 161_000_000, 48),
    ]
    assert [r["stated_won_krw"] for r in p.tables["line_items"] if r["level"] == 3] == [None, 60_000_000]


def test_third_level_item_under_a_top_level_item_is_refused(text_2024):
    lines = text_2024.split("\n")
    lines.insert(56, "· 사무용품\t=\t10,000천원")  # right under ○ 사무관리비 and its basis (lines 55-56)
    _refused("\n".join(lines), 57, "sub-item '사무용품' has no parent item above it")


def test_basis_after_a_colon(text_2024):
    lines = text_2024.split("\n")
    lines[54] = "○ 사무관리비 : 833,330원 × 12개월\t=\t10,000천원"
    del lines[55]  # the basis line, now on the item's line
    p = parse_document("\n".join(lines), "x.txt")
    item = [r for r in p.tables["line_items"] if r["source_line"] == 55][0]
    assert (item["name_ko"], item["formula_ko"], item["formula_krw"], item["amount_krw"]) == (
        "사무관리비", "833,330원 × 12개월", 9_999_960, 10_000_000)
    assert ("line_item_formula", 55) in _warnings(p, "error")


def test_a_colon_before_text_stays_in_the_name(text_2024):
    p = parse_document(_edit_line(text_2024, 53, "서울의 밤", "서울의 밤 : 도시외교 행사"), "x.txt")
    item = [r for r in p.tables["line_items"] if r["source_line"] == 53][0]
    assert (item["name_ko"], item["formula_ko"], item["stated_won_krw"]) == (
        "2024 서울의 밤 : 도시외교 행사", None, 30_000_000)


def test_a_colon_basis_beyond_the_bound_is_refused(text_2024):
    text = _edit_line(text_2024, 57, "○ 업무추진비", "○ 업무추진비 : 15,600천원 × 99999999999999999999회")
    _refused(text, 57, "basis of line item '업무추진비': '15,600천원 × 99999999999999999999회' is beyond")


def test_basis_line_in_parentheses(text_2024):
    p = parse_document(_edit_line(text_2024, 56, "833,330원*12개월", "(833,330원*12개월)"), "x.txt")
    office = [r for r in p.tables["line_items"] if r["name_ko"] == "사무관리비"][0]
    assert (office["formula_ko"], office["formula_krw"], office["basis_ko"]) == (
        "833,330원*12개월", 9_999_960, "833,330원*12개월")
    assert not _errors(p)  # the formula slip, read inside its parentheses
    p = parse_document(_edit_line(text_2024, 58, "15,600,000원", "(15,600,000원)"), "x.txt")
    assert [r["stated_won_krw"] for r in p.tables["line_items"] if r["name_ko"] == "업무추진비"] == [15_600_000]


def test_a_budget_summary_row_repeated_is_read_once_and_a_different_one_flagged(text_2024):
    lines = text_2024.split("\n")
    lines.insert(31, lines[30])  # 국제부담금 twice, same amounts
    p = parse_document("\n".join(lines), "x.txt")
    assert [r["category"] for r in p.summary] == ["계", "국제부담금"] and ("summary_twice", 32) in _warnings(p)
    lines[31] = lines[31].replace("1,100,000", "1,000,000", 1)  # (B) 1,000,000 the second time
    p = parse_document("\n".join(lines), "x.txt")
    assert [r["b"] for r in p.summary] == [1_100_000_000, 1_100_000_000]
    found = {(a["check"], a["source_line"], a["other_line"], a["stated_krw"], a["computed_krw"])
             for a in p.anomalies if a["severity"] == "error"}
    assert found == {("summary_twice", 32, 31, 1_000_000_000, 1_100_000_000),
                     ("line_item_formula", 57, 56, 10_000_000, 9_999_960)}  # the formula, one line lower


def test_a_meeting_numbered_zero_is_flagged_not_counted(text_2024):
    p = parse_document(_edit_line(text_2024, 112, "제40차", "제0차"), "x.txt")
    row = next(r for r in p.tables["activities"] if "제0차" in r["description_ko"])
    assert (row["number"], row["count"], row["count_note"]) == (None, None, "unreadable")
    assert ("meeting_number_zero", 112) in _warnings(p)


@pytest.mark.parametrize("basis, computed", [
    ("833,333.375원*12개월", 10_000_001),  # decimals after thousands separators; 10,000,000.5 rounds half up
    ("833,330원×12개월=9,999,960원", 9_999_960),  # the product written with its result
    ("999,999,999,999,999원*999,999개월", None),  # every factor in range, the product beyond every amount
])
def test_formula_slips_are_flagged(text_2024, basis, computed):
    p = parse_document(_edit_line(text_2024, 56, "833,330원*12개월", basis), "x.txt")
    (e,) = [a for a in p.anomalies if a["check"] == "line_item_formula"]
    assert (e["severity"], e["source_line"], e["stated_krw"], e["computed_krw"]) == ("error", 56, 10_000_000, computed)
