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
    assert ko.pop(0) == "사업: **시티넷 사무국 운영 지원** (citynet)"  # whose budget, first
    assert ko[0] == "2024년 예산: **1,100.0백만원** (예산 총괄 예산액), 전년 대비 +27.2% (235.1백만원)"
    assert "53.6%" in ko[1] and "46.4%" in ko[1]
    assert "47.4백만원" in ko[3]
    assert "결산은 아직 자료에 없습니다" in ko[4]
    en = memo.overview_summary(ds, 2024, "en")
    assert en.pop(0) == "Program: **Support for the CityNet secretariat** (citynet)"
    assert en[0].startswith("FY2024 budget: **KRW 1,100.0 million**")
    assert "not settled" in en[-1]
    assert any("not available for FY2021" in line for line in memo.overview_summary(ds, 2021, "en"))


def test_cost_summary(ds):
    en = memo.cost_summary(ds, 2022, "en")
    assert en[0] == ("Cost per event: **KRW 69.5 million** = KRW 834.4 million (executed per settlement) ÷ 12 "
                     "events (Seminars 7, Conferences 2, Congress 1, Executive committees 2)")
    # 2023: one committee counted, the seminar without a count: no number, and why
    ko23 = memo.cost_summary(ds, 2023, "ko")
    assert ko23[0].startswith("행사당 비용: **산출하지 않음** — 횟수가 기재되지 않은 활동이 1건")
    assert "864.9백만원" in ko23[0] and "=" not in ko23[0]  # the amount is named, no quotient given
    en23 = memo.cost_summary(ds, 2023, "en")
    assert en23[0].startswith("Cost per event: **not computed** — 1 activity without a stated count")
    ko24 = memo.cost_summary(ds, 2024, "ko")
    assert ko24[0] == ("**2024년에는 '행사당 비용' 지표를 산출할 수 없습니다** (웨비나, 세미나, 컨퍼런스, 총회, "
                       "집행위원회, 연수 유형의 추진실적이 없음).")
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


def test_korean_tables_are_korean_and_english_tables_english(ds):
    """Values as well as headers follow the page's language: phases, anomaly kinds and messages, and
    item names keep their Korean with the glossary's English on an English page."""
    budget = metrics.growth(metrics.budget_series(ds))
    ko = format_table(budget, "ko", ["fiscal_year", "basis"])
    assert ko.iloc[0].tolist() == ["2020", "결산 최종예산"] and ko.iloc[-1].tolist() == ["2024", "예산 총괄 예산액"]
    en = format_table(budget, "en", ["fiscal_year", "basis"])
    assert en.iloc[-1].tolist() == ["2024", "budget summary"]
    anomalies = metrics.year_anomalies(ds, 2024)
    ko = format_table(anomalies, "ko", ["check", "severity", "message"])
    row = ko[ko["점검 항목"] == "사업근거 날짜"].iloc[0]
    assert row["수준"] == "경고"
    assert row["내용"] == "2024회계연도 문서(작성 시점 2024-01-01 이전)에 2024-12-27 날짜의 근거가 있음: 연도 오기 가능성"
    en = format_table(anomalies, "en", ["check", "message"])
    assert ("Basis date", "basis dated 2024-12-27 inside a document prepared for fiscal 2024 (before "
            "2024-01-01): possibly a wrong year") in list(en.itertuples(index=False, name=None))
    names = format_table(metrics.composition(ds, 2024), "en", ["name_ko"])["Item"].tolist()
    assert "인건비 (Personnel)" in names
    notes = format_table(pd.DataFrame({"fiscal_year": [2025], "note": ["no_cpi; no_fx"]}), "ko")
    assert notes.iloc[0, 1] == "2025년 소비자물가지수 없음; 2025년 원/달러 환율 없음"
