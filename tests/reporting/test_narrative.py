"""Summaries, table formatting and exports of the notebooks' helper module."""

import pandas as pd
import pytest

from citynet_analysis.analysis import metrics
from citynet_analysis.reporting import narrative as memo
from citynet_analysis.reporting.format import format_table


@pytest.fixture(scope="module")
def ds(ds_2024):
    return ds_2024


def test_overview_summary_numbers_first(ds):
    ko = memo.overview_summary(ds, 2024, "ko")
    assert ko[0] == "2024년 예산: **1,100.0백만원** (budget summary (예산액)), 전년 대비 +27.2% (235.1백만원)"
    assert "53.6%" in ko[1] and "46.4%" in ko[1]
    assert "47.4백만원" in ko[3]
    assert "결산은 아직 자료에 없습니다" in ko[4]
    en = memo.overview_summary(ds, 2024, "en")
    assert en[0].startswith("FY2024 budget: **KRW 1,100.0 million**")
    assert "not settled" in en[-1]
    assert any("not available for FY2021" in line for line in memo.overview_summary(ds, 2021, "en"))


def test_cost_summary(ds):
    en = memo.cost_summary(ds, 2022, "en")
    assert en[0] == ("Cost per event: **KRW 69.5 million** = KRW 834.4 million (executed (집행액)) ÷ 12 events "
                     "(Seminars 7, Conferences 2, Congress 1, Executive committees 2)")
    ko23 = memo.cost_summary(ds, 2023, "ko")
    assert "횟수가 기재되지 않은 활동 1건" in ko23[1]
    ko24 = memo.cost_summary(ds, 2024, "ko")
    assert "산출할 수 없습니다" in ko24[0]
    assert "제44차 집행위원회 개최: 60.0백만원 / 1회" in ko24


def test_trend_summary(ds):
    en = memo.trend_summary(ds, 2020, "en")
    assert "nominal **12.0%**" in en[0]
    assert en[1] == "FY2020: no previous year in the data, so no year-over-year change."
    assert en[-1] == "Execution rates: 2020 100.0%, 2021 100.0%, 2022 100.0%"


def test_lang_is_checked(ds):
    with pytest.raises(ValueError, match="lang must be one of"):
        memo.overview_summary(ds, 2024, "fr")


def test_format_table_units_and_labels(ds):
    t = format_table(metrics.group_shares(ds, 2024), "en")
    assert list(t.columns) == ["Fiscal year", "Group", "Amount (million KRW)", "Share (%)", "Side"]
    assert t.iloc[0].tolist() == ["2024", "Rent and building management", "232.4", "21.1", "Overhead"]
    missing = format_table(pd.DataFrame({"amount_krw": [None], "note": [None]}), "ko")
    assert missing.iloc[0].tolist() == ["—", "—"]
