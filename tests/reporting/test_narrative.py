"""Summaries, table formatting and exports of the notebooks' helper module."""

import pandas as pd
import pytest

from citynet_analysis.analysis import metrics
from citynet_analysis.reporting.notebook import narrative as memo
from citynet_analysis.reporting.notebook.format import category_label, format_table


@pytest.fixture(scope="module")
def ds(ds_2024):
    return ds_2024


def test_overview_summary_numbers_first(ds):
    ko = memo.overview_summary(ds, 2024, "ko")
    assert ko.pop(0) == "사업: **시티넷 사무국 운영 지원**"  # whose budget, first; no codes for readers
    assert ko[0] == "2024년 예산: **1,100.0백만원** (예산 총괄 예산액), 전년 대비 +27.2% (235.1백만원)"
    assert "53.6%" in ko[1] and "46.4%" in ko[1]
    assert "47.4백만원" in ko[3]
    assert "결산은 아직 자료에 없습니다" in ko[4]
    en = memo.overview_summary(ds, 2024, "en")
    assert en.pop(0) == "Program: **Support for the CityNet secretariat**"
    assert en[0].startswith("FY2024 budget: **KRW 1,100.0 million**")
    assert "not settled" in en[-2]
    # last, the document's slip in a figure of the year: 사무관리비 10,000천원 against 833,330원*12개월
    assert en[-1].startswith("⚠ **Document slip** (FY2024, line 56): 사무관리비") and "9,999,960" in en[-1]
    assert ko[-1].startswith("⚠ **원문 불일치** (2024년, 행 56): 사무관리비")
    assert any("not available for FY2021" in line for line in memo.overview_summary(ds, 2021, "en"))


def test_cost_summary(ds):
    en = memo.cost_summary(ds, 2022, "en")
    assert en[0] == ("Cost per event: **KRW 69.5 million** = KRW 834.4 million (executed per settlement) ÷ 12 "
                     "events (Seminars 7, Conferences 2, Congress 1, Executive committees 2)")
    # 2023: one committee counted, the seminar without a count: no number, and why
    ko23 = memo.cost_summary(ds, 2023, "ko")
    assert ko23[0].startswith("행사당 비용: **산출하지 않음** — 정확한 횟수가 없는 활동이 1건")
    assert "864.9백만원" in ko23[0] and "=" not in ko23[0]  # the amount is named, no quotient given
    en23 = memo.cost_summary(ds, 2023, "en")
    assert en23[0].startswith("Cost per event: **not computed** — 1 activity without a stated count")
    ko24 = memo.cost_summary(ds, 2024, "ko")
    counted = ", ".join(category_label(c, "ko") for c in metrics.EVENT_CATEGORIES)  # 웨비나, 세미나, …, 연수
    assert ko24[0] == f"**2024년에는 '행사당 비용' 지표를 산출할 수 없습니다** (이 해의 추진실적에 {counted} 유형이 없음)."
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
    assert list(t.columns) == ["Fiscal year", "Group", "Amount (million KRW)", "Share (%)", "Side", "Document slip"]
    assert t.set_index("Group")["Document slip"].to_dict()["Office administration"] == "⚠ Formula mismatch 10,000,000 ≠ 9,999,960 won (line 56)"
    assert t.iloc[0].tolist() == ["2024", "Rent and building management", "232.4", "21.1", "Overhead", ""]
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


def test_summaries_of_a_year_after_a_zero_budget_give_the_change_in_won_not_inf(ds):
    """A previous year of 0 (a new program) and a settlement of 0 available: words, never +inf% or nan%."""
    import dataclasses

    bt = ds.budget_totals.copy()
    bt.loc[bt["fiscal_year"] == 2023, "amount_krw"] = 0
    s = ds.settlements.copy()
    s.loc[s["fiscal_year"] == 2022, ["available_krw", "executed_krw"]] = 0
    zero = dataclasses.replace(ds, budget_totals=bt, settlements=s, fingerprint="zero", _views={})
    en = memo.overview_summary(zero, 2024, "en")
    assert en[1] == ("FY2024 budget: **KRW 1,100.0 million** (budget summary), change on the year before KRW "
                     "1,100.0 million (the year before's budget is 0, as for a new program, so there is no "
                     "percent change)")
    assert memo.overview_summary(zero, 2022, "ko")[-1] == (
        "**2022년에는 '집행률' 지표를 산출할 수 없습니다** (이 해 결산의 예산현액이 0원임).")
    tr = memo.trend_summary(zero, 2024, "ko")
    assert tr[1] == "2024년 전년 대비 증감: 1,100.0백만원 (전년도 예산이 0원이어서(신규 사업 등) 증감률이 없음)"
    assert tr[-1] == "집행률: 2020 100.0%, 2021 100.0%, 2022 (산출 불가: 이 해 결산의 예산현액이 0원임)"
    assert memo.cost_summary(zero, 2022, "en")[0] == (
        "**Cost per event is not available for FY2022** (the year's executed amount (집행액) is 0, so there is "
        "no cost to divide among its events).")
    for year in zero.fiscal_years():
        for lang in ("ko", "en"):
            for summary in (memo.overview_summary, memo.cost_summary, memo.trend_summary):
                text = " ".join(summary(zero, year, lang))
                assert "inf" not in text and "nan" not in text, (year, lang, text)
