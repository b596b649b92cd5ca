"""Summaries, table formatting and exports of the notebooks' helper module."""

import pandas as pd
import pytest
from openpyxl import load_workbook

from citynet_analysis import memo, metrics


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
    t = memo.format_table(metrics.group_shares(ds, 2024), "en")
    assert list(t.columns) == ["Fiscal year", "Group", "Amount (million KRW)", "Share (%)", "Side"]
    assert t.iloc[0].tolist() == ["2024", "Rent and management", "232.4", "21.1", "Overhead"]
    missing = memo.format_table(pd.DataFrame({"amount_krw": [None], "note": [None]}), "ko")
    assert missing.iloc[0].tolist() == ["—", "—"]


def test_exporter_writes_bom_csv_and_workbook(tmp_path, ds):
    out = memo.Exporter(tmp_path / "out")
    out.table(metrics.composition(ds, 2024), "composition")
    out.table(metrics.execution_rates(ds), "execution_rates")
    out.table(metrics.composition(ds, 2020), "nothing")  # unavailable: no file
    out.finish()
    csv = tmp_path / "out" / "tables" / "composition.csv"
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")
    assert "임대료 및 관리비 등" in csv.read_text(encoding="utf-8-sig")
    assert not (tmp_path / "out" / "tables" / "nothing.csv").exists()
    wb = load_workbook(tmp_path / "out" / "tables" / memo.WORKBOOK_NAME)
    assert wb.sheetnames == ["composition", "execution_rates"]
    ws = wb["composition"]
    assert ws["D2"].value == "임대료 및 관리비 등" and ws["F2"].value == 232_360_000


def test_exporter_without_output_dir_writes_nothing(tmp_path, monkeypatch, ds):
    monkeypatch.chdir(tmp_path)
    out = memo.Exporter(None)
    out.table(metrics.composition(ds, 2024), "composition")
    out.finish()
    assert list(tmp_path.iterdir()) == []
