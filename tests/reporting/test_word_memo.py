"""The Word memo: built from the executed notebooks' records, tables and figures; Korean fonts set on every
run and style; document text shown as text. Numbers checked by hand against data/processed."""

import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm
from lxml import etree
from PIL import Image

from citynet_analysis.reporting.notebook.csv_tables import write_csv
from citynet_analysis.reporting.notebook.escape import markdown_text
from citynet_analysis.reporting.notebook.format import column_label
from citynet_analysis.reporting.notebook.format import heading_part as part_for_lang
from citynet_analysis.reporting.notebook.records import Kind, heading_text, in_language, records, title
from citynet_analysis.reporting.publishers.outline import Figure, Heading, Table, in_row_order, memo_outline
from citynet_analysis.reporting.publishers.word_memo import (
    KEEP_TOGETHER_ROWS,
    TEMPLATE,
    add_text,
    kept_hyphens,
    kept_with_next,
    write_memo,
)

from .conftest import hand_made_year_folder, memo_path, record_output, report_folder, report_name

PROCESSED = Path(__file__).resolve().parents[2] / "data" / "processed"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _text(doc) -> str:
    """Every paragraph and table cell of the memo, one per line."""
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines += [c.text for c in row.cells]
    return "\n".join(lines)


def _assert_korean_fonts(doc, lang):
    """Every run (and every run with Hangul in particular), every style and the document defaults carry
    the East Asian font and language, so Word and Hangul on a Korean PC draw Hangul in a Korean face; Latin
    letters and digits are en-US in either memo (as in Korean Word's blank document: a ko-KR number is
    broken anywhere by LibreOffice, "10,000,00" / "0원")."""
    runs = list(doc.element.body.iter(qn("w:r")))
    assert any(HANGUL.search("".join(t.text or "" for t in r.iter(qn("w:t")))) for r in runs)
    rprs = [r.find(qn("w:rPr")) for r in runs]
    styles = doc.styles.element
    rprs += [s.find(qn("w:rPr")) for s in styles.findall(qn("w:style")) if s.find(qn("w:rPr")) is not None]
    rprs.append(styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")))
    for rpr in rprs:
        assert rpr is not None
        fonts, language = rpr.find(qn("w:rFonts")), rpr.find(qn("w:lang"))
        assert fonts.get(qn("w:eastAsia")) == "맑은 고딕"
        assert fonts.get(qn("w:ascii")) and fonts.get(qn("w:hAnsi")) and fonts.get(qn("w:cs"))
        assert fonts.get(qn("w:eastAsiaTheme")) is None and fonts.get(qn("w:asciiTheme")) is None
        assert language.get(qn("w:eastAsia")) == "ko-KR"
        assert language.get(qn("w:val")) == "en-US"


def _pictures(doc) -> list:
    return list(doc.inline_shapes)


def _text_width(doc) -> int:
    s = doc.sections[-1]
    return s.page_width - s.left_margin - s.right_margin


# -- a hand-made year folder ----------------------------------------------------------------------------

HOSTILE = "**x** <b>y</b> =cmd"


def _year_folder(folder: Path) -> Path:
    """The hand-made year folder (tables/x.csv names formula-like and markup-like text)."""
    return hand_made_year_folder(folder, ["예산: **1,100.0백만원**, 전년 대비 +27.2%",
                                          f"가장 큰 항목: {markdown_text(HOSTILE)}", "<b>raw</b> & =cmd"],
                                 ["=cmd", "**x**", "<b>y</b>"])

@pytest.mark.parametrize("lang", ["ko", "en"])
def test_memo_of_a_hand_made_folder(tmp_path, ds_2024, lang):
    year_dir = _year_folder(tmp_path)
    path = write_memo(year_dir, 2024, ds_2024, lang, report_name(2024, lang))
    assert path == year_dir / f"citynet_2024_{lang}_memo.docx"
    assert sorted(p.name for p in year_dir.iterdir()) == ["01_test.ipynb", f"citynet_2024_{lang}_memo.docx",
                                                          "figures", "tables"]
    doc = Document(str(path))
    paragraphs = {p.text: p for p in doc.paragraphs}
    assert doc.paragraphs[0].style.name == "Title"
    assert doc.paragraphs[0].text == ("시티넷 사무국 운영 지원 · 2024 회계연도" if lang == "ko"
                                      else "Support for the CityNet secretariat · FY2024")
    assert "seoul_citynet_budget_explanation_2024.txt" in doc.paragraphs[1].text
    assert ("시험 노트북" if lang == "ko" else "Test notebook") in paragraphs
    assert paragraphs[("시험 노트북" if lang == "ko" else "Test notebook")].style.name == "Heading 1"

    # summary lines: Markdown bold is bold, document text stays literal
    budget = paragraphs["예산: 1,100.0백만원, 전년 대비 +27.2%"]
    assert budget.style.name == "List Bullet"
    assert [(r.text, bool(r.bold)) for r in budget.runs] == [
        ("예산: ", False), ("1,100.0백만원", True), (", 전년 대비 +27.2%", False)]
    hostile = paragraphs["가장 큰 항목: " + HOSTILE]
    assert not any(r.bold or r.italic for r in hostile.runs)
    assert "<b>raw</b> & =cmd" in paragraphs
    unavailable = paragraphs["2024년에는 '행사당 비용' 지표를 산출할 수 없습니다 (no outcomes (추진실적))."]
    assert unavailable.runs[0].bold

    # the memo table: shown columns only, labelled, no index column, numbers right-aligned, header repeated
    assert len(doc.tables) == 1
    table = doc.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == [column_label(c, lang) for c in ("name_ko", "amount_krw", "events")]
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [r[0] for r in rows] == ["=cmd", "**x**", "<b>y</b>"]  # the CSV's protective ' removed
    assert [r[1:] for r in rows] == [["1,100.0", "—"], ["331.7", "1"], ["60.0", "12"]]
    assert table.rows[1].cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert table.rows[1].cells[0].paragraphs[0].alignment != WD_ALIGN_PARAGRAPH.RIGHT
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    # a short table is kept on one page: every row but the last kept with the next, no row split
    assert [bool(row.cells[0].paragraphs[0].paragraph_format.keep_with_next) for row in table.rows] == [
        True, True, True, False]
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
    assert "숨은 표" not in _text(doc)  # memo=False

    # the figure at the full text width, with its caption
    pictures = _pictures(doc)
    assert len(pictures) == 1
    assert abs(pictures[0].width - _text_width(doc)) < Cm(0.01)
    assert any(p.style.name == "Caption" and p.text.startswith("그림 1." if lang == "ko" else "Figure 1.")
               for p in doc.paragraphs)

    # sources
    text = _text(doc)
    assert "28cadcb95a67" in text and "12, 40, 51" in text and ds_2024.fingerprint[:12] in text
    cpi, fx = ("통계청", "한국은행") if lang == "ko" else ("Statistics Korea", "Bank of Korea")
    assert text.count(cpi) == 1 and text.count(fx) == 1 and "0.1.0" in text  # each source once, in the language
    assert [p.text for p in doc.paragraphs if p.style.name == "Caption"] == (
        ["그림 1. f", "표 1. x"] if lang == "ko" else ["Figure 1. f", "Table 1. x"])  # their own names

    # the sources kept together with their heading: no line or two alone on a last page
    at = max(i for i, p in enumerate(doc.paragraphs) if p.style.name == "Heading 1")
    kept = [bool(p.paragraph_format.keep_with_next or p.style.paragraph_format.keep_with_next)
            for p in doc.paragraphs[at:]]
    assert kept == [True] * (len(kept) - 1) + [False] and len(kept) > 3

    _assert_korean_fonts(doc, lang)
    assert doc.core_properties.title == doc.paragraphs[0].text
    assert doc.core_properties.language == ("ko-KR" if lang == "ko" else "en-US")


def test_a_folder_without_notebooks_gets_no_memo(tmp_path, ds_2024):
    (tmp_path / "tables").mkdir()
    assert write_memo(tmp_path, 2024, ds_2024, "ko", report_name(2024)) is None
    assert not list(tmp_path.glob("*.docx")) and not list(tmp_path.glob(".*"))


def test_heading_parts():
    assert part_for_lang("요약 · Summary", "ko") == "요약"
    assert part_for_lang("요약 · Summary", "en") == "Summary"
    assert part_for_lang("Analyst's own", "en") == "Analyst's own"


def _bilingual_folder(folder: Path) -> Path:
    """A year folder whose notebook keeps its prose as the analysts do: a lang-ko and a lang-en cell per
    heading, the instructions in a cell of their own; the 사업비 chart under the section of overhead and
    programs (its caption must be its own title, not that section's)."""
    nb = nbformat.v4.new_notebook()
    md = nbformat.v4.new_markdown_cell
    code = nbformat.v4.new_code_cell("report.figure(...)")
    code.outputs = [record_output({"kind": "table", "name": "group_shares", "columns": ["name_ko"], "memo": True}),
                    record_output({"kind": "figure", "name": "program_costs", "memo": True}),
                    record_output({"kind": "figure", "name": "analyst_chart", "memo": True})]
    nb.cells = [md("# 사무국 지원 예산 개요", metadata={"tags": ["lang-ko"]}),
                md("# Budget overview", metadata={"tags": ["lang-en"]}),
                md("Edit the parameters cell (or pass -p …)", metadata={"tags": ["instructions"]}),
                md("## 운영경비와 사업성 경비", metadata={"tags": ["lang-ko"]}),
                md("## Overhead and programs", metadata={"tags": ["lang-en"]}), code]
    nbformat.write(nb, folder / "01_test.ipynb")
    write_csv(pd.DataFrame({"name_ko": ["인건비"]}), folder / "tables" / "group_shares.csv")
    (folder / "figures").mkdir()
    for name in ("program_costs", "analyst_chart"):
        Image.new("RGB", (600, 300), "steelblue").save(folder / "figures" / f"{name}.png", dpi=(300, 300))
    return folder


def test_records_carry_the_language_of_their_cell(tmp_path):
    nb = nbformat.read(_bilingual_folder(tmp_path) / "01_test.ipynb", as_version=4)
    recs = records(nb)
    assert [(r.text, r.lang) for r in recs if r.kind == Kind.HEADING] == [
        ("사무국 지원 예산 개요", "ko"), ("Budget overview", "en"), ("운영경비와 사업성 경비", "ko"),
        ("Overhead and programs", "en")]  # nothing of the instructions cell
    assert title(recs, "ko") == "사무국 지원 예산 개요" and title(recs, "en") == "Budget overview"
    assert title(records({"cells": [{"cell_type": "markdown", "source": "# 요약 · Summary"}]}), "en") == "Summary"


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_memo_in_one_language_with_captions_of_their_own(tmp_path, ds_2024, lang):
    outline = memo_outline(_bilingual_folder(tmp_path), 2024, ds_2024, lang)
    headings = [b.text for b in outline.blocks if isinstance(b, Heading)]
    assert headings == (["사무국 지원 예산 개요"] if lang == "ko" else ["Budget overview"])
    captions = [b.caption for b in outline.blocks if isinstance(b, Figure | Table)]
    assert captions == (["그림 1. 사업비 세부 내역", "그림 2. analyst chart", "표 1. 항목 구분별 비중"] if lang == "ko"
                        else ["Figure 1. Program costs", "Figure 2. analyst chart", "Table 1. Shares by group"])
    references = [s for s in outline.sources if s.startswith(("참고 통계", "Reference series"))]
    assert references == ([
        "참고 통계: 통계청 소비자물가지수 (2020=100), 2020–2024년", "참고 통계: 한국은행 원/달러 연평균 환율, 2020–2024년"]
        if lang == "ko" else ["Reference series: Statistics Korea (CPI, 2020=100), 2020–2024",
                              "Reference series: Bank of Korea (KRW/USD annual average), 2020–2024"])


def test_the_template_is_a4_with_the_memo_styles():
    doc = Document(str(TEMPLATE))
    section = doc.sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert abs(section.page_width - Cm(21.0)) < Cm(0.01) and abs(section.page_height - Cm(29.7)) < Cm(0.01)
    assert all(abs(m - Cm(2)) < Cm(0.01) for m in (section.left_margin, section.right_margin,
                                                     section.top_margin, section.bottom_margin))
    names = {s.name for s in doc.styles}
    assert {"Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "List Bullet", "Caption", "Memo Table",
            "Table Text", "Figure"} <= names
    # Korean broken at spaces, not inside a word (w:wordWrap off); no space added between Hangul and digits
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    for tag in ("w:wordWrap", "w:autoSpaceDE", "w:autoSpaceDN"):
        assert defaults.find(qn(tag)).get(qn("w:val")) == "0", tag
    assert [etree.QName(e).localname for e in defaults][:3] == ["wordWrap", "autoSpaceDE", "autoSpaceDN"]


def test_the_template_is_the_one_its_script_makes(tmp_path):
    """templates/word/memo.docx is what scripts/make_memo_template.py makes, byte for byte."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_memo_template",
                                                  Path(__file__).resolve().parents[2] / "scripts" / "make_memo_template.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.make_template(tmp_path / "memo.docx").read_bytes() == TEMPLATE.read_bytes()


def test_tables_keep_together_or_leave_two_rows_on_a_page():
    assert kept_with_next(1) == [False]
    assert kept_with_next(4) == [True, True, True, False]  # a short table moves to the next page whole
    assert sum(kept_with_next(KEEP_TOGETHER_ROWS)) == KEEP_TOGETHER_ROWS - 1
    long = kept_with_next(KEEP_TOGETHER_ROWS + 5)
    # the header row with two rows, the last two rows together; the rows between may end a page
    assert long[:3] == [True, True, False] and long[-2:] == [True, False] and not any(long[3:-2])


def test_formulas_and_dates_are_not_broken_at_their_hyphens():
    """"(B-A)*100/A" and "2024-12-27" keep their hyphens (Word's non-breaking hyphen, read back as "-");
    other hyphens (SHA-256, citynet-fy2024) are plain."""
    text = "계: 27.18, (B-A)*100/A를 반올림; 2024-12-27; SHA-256 citynet-fy2024"
    assert [text[i - 1:i + 2] for i in kept_hyphens(text)] == ["B-A", "4-1", "2-2"]
    doc = Document()
    run = add_text(doc.add_paragraph().add_run(), text)
    assert run.text == text and len(run._r.findall(qn("w:noBreakHyphen"))) == 3
    assert [t.text for t in run._r.findall(qn("w:t"))] == [
        "계: 27.18, (B", "A)*100/A를 반올림; 2024", "12", "27; SHA-256 citynet-fy2024"]


def _anomalies() -> pd.DataFrame:
    """Data checks in the order a notebook may list them (by check), not by line."""
    return pd.DataFrame({"document_id": ["citynet-fy2024", "citynet-fy2024", "citynet-fy2023", "citynet-fy2024"],
                         "source_line": [56, 115, 200, 30], "severity": ["error", "warning", "info", "info"],
                         "check": ["a", "b", "c", "d"], "message": ["m56", "m115", "m200", "m30"],
                         "message_ko": ["m56", "m115", "m200", "m30"]})


def test_the_data_checks_are_listed_by_document_and_source_line(tmp_path, ds_2024):
    """In the memo (the outline both memos render) and in the workbook's sheet of the same CSV."""
    from citynet_analysis.reporting.publishers.workbook import make_workbook, sheet_names, workbook_info

    folder = _year_folder(tmp_path)
    nb = nbformat.read(folder / "01_test.ipynb", as_version=4)
    nb.cells[1].outputs.append(record_output({"kind": "table", "name": "anomalies", "memo": True,
                                              "columns": ["document_id", "source_line", "message"]}))
    nbformat.write(nb, folder / "01_test.ipynb")
    write_csv(_anomalies(), folder / "tables" / "anomalies.csv")
    outline = memo_outline(folder, 2024, ds_2024, "en")
    checks = [b for b in outline.blocks if isinstance(b, Table) and len(b.rows) == 4][0]
    assert [(r[1], r[2]) for r in checks.rows] == [("200", "m200"), ("30", "m30"), ("56", "m56"), ("115", "m115")]
    assert in_row_order("x", _anomalies()).equals(_anomalies())  # other tables as the notebook wrote them

    info = workbook_info(ds_2024, 2024, "en")
    wb = make_workbook({"anomalies": _anomalies()}, info)
    ws = wb[sheet_names({"anomalies": None}, "en")["anomalies"]]
    column = [c.value for c in ws[1]].index(column_label("source_line", "en")) + 1
    assert [ws.cell(r, column).value for r in range(2, 6)] == [200, 30, 56, 115]


# -- the memos of the whole batches ------------------------------------------------------------------------

def _memo_records(year_dir: Path) -> list:
    out = []
    for nb in sorted(year_dir.glob("*.ipynb")):
        out += records(nbformat.read(nb, as_version=4))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_2024_memo(lang, batch_ko, batch_en):
    out = (batch_ko if lang == "ko" else batch_en)[0]
    doc = Document(str(memo_path(out, 2024, lang=lang)))
    text = _text(doc)
    # FY2024 budget 1,100,000,000 won; FY2023 864,910,000: +27.18%
    assert ("1,100.0백만원" if lang == "ko" else "KRW 1,100.0 million") in text
    assert "+27.2%" in text
    # 2020–2024 CAGR, nominal: (1,100,000,000 / 698,280,000) ** (1/4) - 1 = 12.03%
    assert ("명목 12.0%" if lang == "ko" else "12.0%") in text
    composition = _table_with(doc, column_label("name_ko", lang), column_label("share_of_total_pct", lang))
    rows = {r[0].split(" (")[0]: r for r in composition}
    assert rows["인건비"][2] == "331.7" and rows["사업비"][2] == "480.4"  # 331,690,000 and 480,350,000 won
    execution = _table_with(doc, column_label("available_krw", lang))
    assert ["2022", "834.4", "834.4", "0.0", "0.0", "100.0", "130"] in execution  # settlement line 130

    # the anomalies in full: every message of the data set, whole, in the memo's language
    anomalies = pd.read_csv(PROCESSED / "anomalies.csv", encoding="utf-8-sig")
    column = "message_ko" if lang == "ko" and "message_ko" in anomalies else "message"
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert len(anomalies) and all(m in cells for m in anomalies[column])

    _assert_korean_fonts(doc, lang)


def _table_with(doc, *headers: str) -> list[list[str]]:
    """The rows of the first table whose header row has all of ``headers``."""
    tables = [t for t in doc.tables if set(headers) <= {c.text for c in t.rows[0].cells}]
    assert tables, headers
    return [[c.text for c in row.cells] for row in tables[0].rows[1:]]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_memo_follows_its_notebooks(lang, batch_ko, batch_en):
    out = (batch_ko if lang == "ko" else batch_en)[0]
    years = [2020, 2021, 2022, 2023, 2024]
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [report_name(y, lang) for y in years]
    for year in years:
        doc = Document(str(memo_path(out, year, lang=lang)))
        recs = _memo_records(report_folder(out, year, lang))
        figures = [r for r in recs if r.kind == "figure" and r.memo]
        pictures = _pictures(doc)
        assert len(pictures) == len(figures), year
        assert all(abs(p.width - _text_width(doc)) < Cm(0.01) for p in pictures)
        tables = [r for r in recs if r.kind == "table" and r.memo]
        assert len(doc.tables) == len(tables), year
        for record, table in zip(tables, doc.tables, strict=True):
            # no index column: the first header is the label of the first shown column
            assert table.rows[0].cells[0].text == column_label(record.columns[0], lang)
            assert len(table.columns) == len(record.columns)
            assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
        h1 = [heading_text(r, lang) for r in in_language(recs, lang) if r.kind == "heading" and r.level == 1]
        assert headings == h1 + ["자료 출처" if lang == "ko" else "Sources"]
    if lang == "ko":  # the analyst's own chart, added in a notebook cell, is in the memo too
        assert any(r.kind == "figure" and r.name == "spending_by_side"
                   for r in _memo_records(report_folder(out, 2024)))
