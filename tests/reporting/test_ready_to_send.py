"""A reader's checklist over the 2024 reports of both languages, as an analyst reads them before mailing:
one rounding, sub-items visible, no code words in the Korean outputs, captions matching their figures,
names and titles that say what a file is. Values checked by hand against data/raw (2024 document, lines
42-51: 도시네트워크 활성화 사업 69,350천원 under 사업비 480,350천원)."""

import re
import zipfile

import pytest
from docx import Document
from openpyxl import load_workbook

from .conftest import memo_path, page_path, report_folder, workbook_path

pytestmark = pytest.mark.slow

#: Codes of the data set a Korean reader must never see.
CODES = ("final_budget", "not_stated", "webinar", "executive_committee", "share_of_total_pct", "amount_krw",
         "citynet-fy2024", "(citynet)", "FY2024", "frequency")


def _docx_text(path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _hwpx_text(path) -> str:
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("Contents/section"))
    return re.sub(r"<[^>]+>", " ", xml)


def _workbook_text(path) -> str:
    wb = load_workbook(path)
    return "\n".join(str(c.value) for ws in wb.worksheets if ws.title != "안내"
                     for row in ws.iter_rows() for c in row if c.value is not None)


def _page_text(path) -> str:
    html = path.read_text(encoding="utf-8")
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_the_korean_reports_have_one_rounding_visible_sub_items_and_no_codes(batch_ko):
    out, jobs = batch_ko
    pages = [_page_text(page_path(out, 2024, j.notebook)) for j in jobs if j.year == 2024]
    texts = {"memo.docx": _docx_text(memo_path(out, 2024)), "memo.hwpx": _hwpx_text(memo_path(out, 2024, "hwpx")),
             "pages": "\n".join(pages)}
    for where, text in texts.items():
        assert "69.4" in text and "69.3" not in text, where  # 69,350,000원, half up
        assert "ㄴ 도시네트워크 활성화 사업" in text, where  # a sub-item, marked
        found = [c for c in CODES if c in text]
        assert not found, f"{where} shows codes {found}"
    workbook = _workbook_text(workbook_path(out, 2024))
    assert not [c for c in CODES if c in workbook and c != "amount_krw"]
    assert "ㄴ 도시네트워크 활성화 사업" in workbook and "결산 집행액" in _workbook_text(workbook_path(out, 2023))


def test_captions_match_their_figures_and_files_say_what_they_are(batch_ko, batch_en):
    out, _ = batch_ko
    memo = Document(str(memo_path(out, 2024)))
    captions = [p.text for p in memo.paragraphs if re.match(r"그림 \d+\. ", p.text)]
    assert "그림 1. 예산 구성" in captions and "그림 2. 사업비 세부 내역" in captions, captions
    assert all(re.match(r"표 \d+\. \S", p.text) for p in memo.paragraphs if p.text.startswith("표 "))
    assert memo.core_properties.author.startswith("citynet-analysis")
    assert "Microsoft" not in zipfile.ZipFile(memo_path(out, 2024)).read("docProps/app.xml").decode()
    title = re.search(r"<title>(.*?)</title>", page_path(out, 2024, "01_budget_overview").read_text(encoding="utf-8"))
    assert title and "2024" in title.group(1) and " · Budget" not in title.group(1)
    en_out, _ = batch_en
    en_page = _page_text(page_path(en_out, 2024, "01_budget_overview", "en"))
    assert "Budget overview" in en_page and "사무국 지원 예산 개요" not in en_page  # one language per page
    assert "Edit the parameters cell" not in en_page  # instructions stay in the notebook
    for folder in (report_folder(out, 2024), report_folder(en_out, 2024, "en")):
        names = [p.name for p in folder.iterdir() if p.is_file() and p.suffix != ".ipynb"]
        assert names and all(n.startswith(folder.name + "_") for n in names), names
