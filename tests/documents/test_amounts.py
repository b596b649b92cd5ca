import pytest

from citynet_analysis.documents.amounts import (
    MAX_AMOUNT,
    AmountError,
    AmountRangeError,
    evaluate_formula,
    find_dates,
    parse_amount,
    to_int,
    unit_factor,
    year_month,
)


@pytest.mark.parametrize(
    "cell, factor, expected",
    [
        ("(x-) 864,910", 1000, 864_910_000),
        ("1,100,000천원", 1, 1_100_000_000),
        ("232,360,000원", 1, 232_360_000),
        ("(x-) 0", 1000, 0),
        ("△ 5,000", 1000, -5_000_000),
        ("-", 1000, 0),
        ("27", 1, 27),
    ],
)
def test_parse_amount(cell, factor, expected):
    assert parse_amount(cell, factor) == expected


@pytest.mark.parametrize("cell", ["abc", "", "12,34", "1,000 달러", "(x-)"])
def test_parse_amount_rejects(cell):
    with pytest.raises(AmountError):
        parse_amount(cell)


def test_unit_factor():
    assert unit_factor("(단위 : 천원, %)") == 1000
    assert unit_factor("(단위: 원)") == 1
    assert unit_factor("구 분") is None


def test_formula_of_2024_office_costs():
    # 833,330원*12개월 is 9,999,960 won, 40 won short of the stated 10,000천원
    assert evaluate_formula("833,330원*12개월") == 9_999_960
    assert evaluate_formula("1,000천원×5명×2회") == 10_000_000
    assert evaluate_formula("232,360,000원") is None
    assert evaluate_formula("직원 5명, 인턴 2명 등") is None


def test_dates():
    assert find_dates("(행정1부시장 방침 제452호, 2010.10.26.)") == [(2010, 10, 26)]
    assert find_dates("업무협약 체결 계획('24.12.27.)") == [(2024, 12, 27)]
    assert find_dates("'12.11.9.") == [(2012, 11, 9)]
    assert year_month("2009.09.") == "2009-09"
    assert year_month("2024.01~2024.12") == "2024-01"
    assert year_month("2024.13") is None


def test_the_bound_on_amounts():
    """Every amount and count is at most MAX_AMOUNT (10^15 won), so tables stay exact int64 with room for
    sums; beyond it is AmountRangeError (an AmountError), never OverflowError."""
    assert MAX_AMOUNT == 10**15
    assert parse_amount("1,000,000,000,000,000원") == MAX_AMOUNT
    assert parse_amount("△ 1,000,000,000,000천원") == -MAX_AMOUNT
    assert parse_amount("00000000000000000000012") == 12  # leading zeros are not magnitude
    for cell, factor in [("1,000,000,000,000,001원", 1), ("12345678901234567890", 1000),
                         ("1,000,000,000,001", 1000), ("9" * 5000, 1)]:
        with pytest.raises(AmountRangeError):
            parse_amount(cell, factor)
    assert to_int("99") == 99
    with pytest.raises(AmountRangeError):
        to_int("99999999999999999999")


@pytest.mark.parametrize("text", ["833,330원*99999999999999999999개월", "9" * 400 + "원*2개", "1,000천원×10000000000000개"])
def test_formula_beyond_the_bound(text):
    with pytest.raises(AmountRangeError):
        evaluate_formula(text)


def test_year_month_needs_four_digit_years():
    assert year_month("2024.01~20248.12".split("~")[1]) is None
    assert year_month("2013.0899352521227237808272.") is None
