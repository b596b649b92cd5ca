"""The tables workbook a policy analyst opens (reports/citynet_2024_ko/tables/citynet_2024_ko_tables.xlsx) and the tables folder's
README.txt: an About sheet naming the source document and the data fingerprint, one sheet per table named
in the report's language, headers with units, amounts as whole won with thousands separators.

Figures checked by hand against data/processed: line_items.csv line 3, 2024 인건비 331,690,000 won
(30.2 % of the 1,100,000,000 budget); documents.csv: citynet-fy2024 from
seoul_citynet_budget_explanation_2024.txt, SHA-256 28cadcb95a67…; 2022 executed 834,395,000 won."""

import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from citynet_analysis import load, vocabulary
from citynet_analysis.config import data_dir
from citynet_analysis.reporting.notebook.csv_tables import write_csv
from citynet_analysis.reporting.notebook.format import (
    column_header,
    column_label,
    table_description,
    table_title,
    text_width,
)
from citynet_analysis.reporting.publishers.workbook import (
    README_NAME,
    WORKBOOK_NAME,
    WorkbookInfo,
    build_workbook,
    make_workbook,
    readme_text,
    sheet_names,
)

from .conftest import workbook_path

HOSTILE = '=HYPERLINK("http://evil.example","click")'
KO_HEADER = ["회계연도", "항목 번호", "단계", "항목", "항목 구분", "금액 (원)", "총액 대비 (%)",
             "상위 항목 대비 (%)", "원문 행", "원문 불일치"]
EN_HEADER = ["Fiscal year", "Item no.", "Level", "Item", "Group", "Amount (KRW)", "Share of total (%)",
             "Share of parent (%)", "Source line", "Document slip"]


def _documents():
    docs = pd.read_csv(data_dir() / "documents.csv", encoding="utf-8-sig")
    return docs.set_index("document_id")


def _about_text(ws) -> str:
    return "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)


def _row(ws, column: int, value):
    """The cells of the first row whose ``column`` (1-based) holds ``value``."""
    return next(row for row in ws.iter_rows(min_row=2) if row[column - 1].value == value)


def test_headers_have_a_display_and_an_exact_unit():
    assert column_label("amount_krw", "ko") == "금액 (백만원)" == column_header("amount_krw", "ko")
    assert column_label("amount_usd", "en") == "USD (thousand)"
    assert column_label("cpi_2020_100", "ko") == "소비자물가지수 (2020=100)"
    assert column_label("years", "ko") == "기간 (년)" and column_label("years", "en") == "Years"
    assert column_label("events", "ko") == "행사 수" and column_label("my_own", "en") == "my_own"
    assert column_header("amount_krw", "ko", "exact") == "금액 (원)"
    assert column_header("cost_per_event_krw", "en", "exact") == "Cost per event (KRW)"
    assert column_header("share_pct", "ko", "exact") == "비중 (%)"
    assert column_header("events", "ko", "exact") == "행사 수 (회)"
    assert column_header("travel_krw", "en", "exact") == "travel_krw (KRW)"  # unknown: unit by its ending
    with pytest.raises(ValueError):
        column_header("amount_krw", "ko", "rounded")
    assert table_title("composition", "ko") == "예산 구성" and table_title("mine", "ko") == "mine"
    assert table_description("execution_rates", "en").startswith("For each settled year")


def test_korean_workbook_of_2024(batch_ko):
    out, _ = batch_ko
    tables = workbook_path(out, 2024).parent
    wb = load_workbook(workbook_path(out, 2024))
    assert wb.sheetnames[:3] == ["안내", "예산 구성", "항목 구분별 비중"]
    assert {"데이터 점검 결과", "1인당 인건비", "예산 추이", "집행률"} <= set(wb.sheetnames)
    assert all(len(s) <= 31 and not set(s) & set("[]:*?/\\") for s in wb.sheetnames)
    assert len({s.casefold() for s in wb.sheetnames}) == len(wb.sheetnames)

    about = wb["안내"]
    text = _about_text(about)
    sha = _documents().loc["citynet-fy2024", "sha256"]
    assert sha.startswith("28cadcb95a67")
    assert "citynet-fy2024" in text and "seoul_citynet_budget_explanation_2024.txt" in text
    assert sha[:12] in text and sha[:13] not in text
    assert load().fingerprint[:12] in text
    assert "시티넷 사무국 운영 지원 · 2024 회계연도 분석 표" == about["A1"].value
    assert "한국어" in text and "citynet-analysis 0." in text and "UTF-8" in text
    sheet_row = _row(about, 1, "예산 구성")
    assert [c.value for c in sheet_row][1:] == ["예산 구성", table_description("composition", "ko"),
                                               "composition.csv"]
    assert sheet_row[0].hyperlink.location == "'예산 구성'!A1"

    ws = wb["예산 구성"]
    assert [c.value for c in ws[1]] == KO_HEADER
    personnel = _row(ws, 4, "인건비")
    amount, share, year = personnel[5], personnel[6], personnel[0]
    assert amount.value == 331_690_000 and type(amount.value) is int and amount.number_format == "#,##0"
    assert share.value == pytest.approx(30.1536, abs=1e-4) and share.number_format == "0.0"
    assert year.value == 2024 and year.number_format == "0"
    # the document's own slip, 833,330원*12개월 ≠ 10,000천원, is named on 사무관리비's row, in Korean
    assert [r[9].value for r in ws.iter_rows(min_row=2) if r[9].value] == ["산출식 불일치 10,000,000원 ≠ 9,999,960원 (행 56)"]
    assert _row(ws, 4, "사무관리비")[9].value == "산출식 불일치 10,000,000원 ≠ 9,999,960원 (행 56)"
    assert personnel[4].value == "인건비"  # group named in the language
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:J{ws.max_row}"
    assert ws["A1"].font.b and ws["A1"].fill.fgColor.rgb.endswith("DCE6F1")
    assert ws.sheet_view.showGridLines is False
    assert ws.column_dimensions["D"].width >= text_width("임대료 및 관리비 등")  # fits the longest name
    assert ws.column_dimensions["F"].width >= len("480,350,000")

    shares = wb["항목 구분별 비중"]
    assert [c.value for c in shares[1]] == ["회계연도", "항목 구분", "금액 (원)", "비중 (%)", "경비 성격", "원문 불일치"]
    assert _row(shares, 2, "인건비")[4].value == "운영경비"  # side named

    readme = (tables / README_NAME).read_text(encoding="utf-8")
    assert readme.startswith("시티넷 사무국 운영 지원 · 2024 회계연도 분석 표\n")
    assert "UTF-8 (BOM 포함)" in readme and "composition.csv — 예산 구성" in readme
    assert "    amount_krw: 금액 (원)\n" in readme and "    share_of_total_pct: 총액 대비 (%)\n" in readme
    assert "citynet_2024_ko_tables.xlsx입니다." in readme and " tables.xlsx" not in readme


def test_long_text_wraps_and_columns_stay_readable(batch_ko):
    out, _ = batch_ko
    ws = load_workbook(workbook_path(out, 2024))["데이터 점검 결과"]
    message = next(i for i, c in enumerate(ws[1], start=1) if c.value == "내용")
    column = ws.cell(row=1, column=message).column_letter
    assert ws.column_dimensions[column].width == 60  # capped
    assert ws.cell(row=2, column=message).alignment.wrap_text
    assert ws.row_dimensions[2].height and ws.row_dimensions[2].height > 15  # grown for two lines


@pytest.mark.parametrize("lang, sheet", [("ko", "데이터 점검 결과"), ("en", "Data checks")])
def test_anomalies_in_the_workbooks_language(lang, sheet, batch_ko, batch_en):
    """An anomaly's message in the workbook's language (the CSV keeps message and message_ko), its kind
    and severity named."""
    out, _ = batch_ko if lang == "ko" else batch_en
    ws = load_workbook(workbook_path(out, 2024, lang))[sheet]
    header = [c.value for c in ws[1]]
    assert header == (["문서", "원문 행", "수준", "점검 항목", "내용"] if lang == "ko"
                      else ["Document", "Source line", "Severity", "Check", "Message"])
    found = pd.read_csv(data_dir() / "anomalies.csv", encoding="utf-8-sig")
    stated = found[(found["source_line"] == 56) & (found["check"] == "line_item_formula")].iloc[0]
    assert "833,330원*12개월" in stated["message_ko"]  # 사무관리비: 833,330 × 12 = 9,999,960, not 10,000,000
    row = _row(ws, 2, 56)
    assert row[4].value == (stated["message_ko"] if lang == "ko" else stated["message"])
    assert row[3].value == vocabulary.check_label("line_item_formula", lang) != "line_item_formula"
    assert row[2].value == vocabulary.severity_label("error", lang)  # the document's own figures disagree


def test_english_workbook_of_2024(batch_en):
    out, _ = batch_en
    tables = workbook_path(out, 2024, "en").parent
    wb = load_workbook(workbook_path(out, 2024, "en"))
    assert wb.sheetnames[:3] == ["About", "Budget composition", "Shares by group"]
    text = _about_text(wb["About"])
    assert wb["About"]["A1"].value == "Support for the CityNet secretariat · FY2024 analysis tables"
    assert "citynet-fy2024" in text and "28cadcb95a67" in text and load().fingerprint[:12] in text
    assert "English" in text and "code column names" in text

    ws = wb["Budget composition"]
    assert [c.value for c in ws[1]] == EN_HEADER
    personnel = _row(ws, 4, "인건비 (Personnel)")  # the document's name, its glossary English beside it
    assert personnel[4].value == "Personnel"
    assert personnel[5].value == 331_690_000 and personnel[5].number_format == "#,##0"
    assert personnel[6].number_format == "0.0"
    assert ws.freeze_panes == "A2"

    rates = wb["Execution rates"]
    assert [c.value for c in rates[1]][:3] == ["Fiscal year", "Available (KRW)", "Executed (KRW)"]
    assert rates["A4"].value == 2022 and rates["C4"].value == 834_395_000
    assert rates["F4"].number_format == "0.0"
    growth = wb["Budget growth"]
    header = [c.value for c in growth[1]]
    assert "USD (dollars)" in header and "CPI (2020=100)" in header
    usd = growth.cell(row=2, column=header.index("USD (dollars)") + 1)
    assert usd.number_format == "#,##0" and isinstance(usd.value, float)

    readme = (tables / README_NAME).read_text(encoding="utf-8")
    assert "UTF-8 with BOM" in readme and "composition.csv — Budget composition" in readme
    assert "    amount_krw: Amount (KRW)\n" in readme


def test_formula_like_text_stays_text_and_an_unknown_table_keeps_its_name(tmp_path):
    tables = tmp_path / "tables"
    write_csv(pd.DataFrame({"fiscal_year": [2024, 2024], "name_ko": [HOSTILE, "-1+2"],
                            "group": ["personnel", "=evil"], "amount_krw": [331_690_000, None]}),
              tables / "composition.csv")
    write_csv(pd.DataFrame({"travel_krw": [1_234_567], "memo": ["@SUM(A1)"], "done": [True]}),
              tables / "my_travel.csv")
    assert build_workbook(tables, lang="ko") == tables / WORKBOOK_NAME
    assert sorted(p.name for p in tables.iterdir()) == [
        "README.txt", "composition.csv", "my_travel.csv", "tables.xlsx"]  # no temporary left
    wb = load_workbook(tables / WORKBOOK_NAME)
    assert wb.sheetnames == ["안내", "예산 구성", "my_travel"]
    ws = wb["예산 구성"]
    for cell in (ws["B2"], ws["B3"], ws["C3"]):
        assert cell.data_type == "s" and cell.quotePrefix
    assert [ws["B2"].value, ws["B3"].value, ws["C3"].value] == [HOSTILE, "-1+2", "=evil"]  # no "'"
    assert ws["C2"].value == "인건비" and ws["D2"].value == 331_690_000 and ws["D3"].value is None
    own = wb["my_travel"]
    assert [c.value for c in own[1]] == ["travel_krw (원)", "memo", "done"]
    assert own["A2"].value == 1_234_567 and own["A2"].number_format == "#,##0"
    assert own["B2"].value == "@SUM(A1)" and own["B2"].quotePrefix and own["C2"].value == "예"
    assert not [c for w in wb.worksheets for row in w.iter_rows() for c in row if c.data_type == "f"]
    about = _about_text(wb["안내"])
    assert "my_travel.csv" in about and "분석자가 추가한 표" in about
    assert "my_travel.csv — my_travel" in (tables / README_NAME).read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_readme_names_the_workbook_beside_it(tmp_path, lang):
    """README.txt names the workbook as the batch writes it (tables/<report name>_tables.xlsx, the file
    beside it), never a tables.xlsx that is not there."""
    from citynet_analysis.reporting.publishers.workbook import publish_workbook

    folder = tmp_path / f"citynet_2024_{lang}"
    write_csv(pd.DataFrame({"fiscal_year": [2024], "amount_krw": [331_690_000]}),
              folder / "tables" / "composition.csv")
    written = publish_workbook(folder, 2024, None, lang, f"citynet_2024_{lang}")
    assert written == folder / "tables" / f"citynet_2024_{lang}_tables.xlsx" and written.is_file()
    readme = (folder / "tables" / README_NAME).read_text(encoding="utf-8")
    intro, rules = readme.split("\n")[3], readme.split("\n")[5:10]
    assert intro == {"ko": "이 폴더의 CSV 파일은 기계가 읽기 좋은 형식의 표입니다. 같은 표를 읽기 좋게 정리한 것이 "
                           "citynet_2024_ko_tables.xlsx입니다.",
                     "en": "The CSV files in this folder are the tables in a machine-friendly form. "
                           "citynet_2024_en_tables.xlsx holds the same tables laid out for reading."}[lang]
    assert {"ko": "- 값은 반올림하지 않은 전체 정밀도입니다. 유형·항목 구분은 코드로 적었습니다 "
                  "(citynet_2024_ko_tables.xlsx에는 이름으로).",
            "en": "- Values have full precision, not rounded. Types and groups are written as codes "
                  "(citynet_2024_en_tables.xlsx names them)."}[lang] in rules
    # every workbook the README names is the one beside it
    assert set(re.findall(r"[\w.-]*tables\.xlsx", readme)) == {written.name}


def test_no_csv_no_workbook(tmp_path):
    assert build_workbook(tmp_path, lang="en") is None and list(tmp_path.iterdir()) == []


def test_sheet_names_are_short_unique_and_legal():
    names = sheet_names(["a/b", "a?b", "x" * 40, "안내", "예산 구성", "composition", "'quoted'"], "ko")
    assert names["composition"] == "예산 구성" and names["예산 구성"] == "예산 구성 (2)"
    assert names["a/b"] == "a b" and names["a?b"] == "a b (2)"
    assert names["x" * 40] == "x" * 31 and names["안내"] == "안내 (2)" and names["'quoted'"] == "quoted"
    assert list(names)[0] == "composition"  # known tables first, in the vocabulary's order


def test_make_workbook_is_pure_and_names_what_it_came_from(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    info = WorkbookInfo(lang="en", fiscal_year=2023, program="Support for the CityNet secretariat",
                        documents=(("citynet-fy2024", "seoul_citynet_budget_explanation_2024.txt",
                                    "28cadcb95a67"),), fingerprint="0123456789ab", version="9.9", made="2025-01-31")
    frame = pd.DataFrame({"measure": ["amount_krw"], "start": [2020], "end": [2024], "years": [4],
                          "cagr_pct": [12.031659848768307]})
    wb = make_workbook({"budget_cagr": frame}, info)
    assert list(tmp_path.iterdir()) == []
    assert wb.sheetnames == ["About", "Budget CAGR"]
    text = _about_text(wb["About"])
    for part in ("FY2023", "citynet-fy2024 · file seoul_citynet_budget_explanation_2024.txt · SHA-256 28cadcb95a67",
                 "0123456789ab", "citynet-analysis 9.9", "2025-01-31", "Budget CAGR", "budget_cagr.csv"):
        assert part in text
    ws = wb["Budget CAGR"]
    assert [c.value for c in ws[1]] == ["Measure", "Start", "End", "Years", "CAGR (%)"]
    assert [c.value for c in ws[2]][:4] == ["Nominal", 2020, 2024, 4]
    assert ws["B2"].number_format == "0" and ws["E2"].number_format == "0.0"
    readme = readme_text({"budget_cagr": frame}, info)
    assert "budget_cagr.csv — Budget CAGR" in readme and "    cagr_pct: CAGR (%)" in readme
