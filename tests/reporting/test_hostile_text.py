"""Document text is data: hostile names, bases and outcome items reach the reports as plain text.

A copy of the 2024 document is given markup, a javascript: link, Markdown emphasis, mathtext and a
spreadsheet formula in the places an analyst's reports show; the whole pipeline runs on it (ingest, then
the batch for 2023 and 2024) and every output is checked."""

import csv
import re

import pytest
from openpyxl import load_workbook

from citynet_analysis.cli import main
from citynet_analysis.reporting.batch import run_batch
from citynet_analysis.reporting.batch.notebook_files import notebook_paths
from citynet_analysis.reporting.notebook.escape import markdown_text, spreadsheet_text
from citynet_analysis.reporting.publishers.html_pages import CSP, find_external_resources

from ..conftest import RAW_2024
from .conftest import report_folder, workbook_path

IMG = "<img src=x onerror=alert(1)>"
SVG = "<svg onload=alert(2)>"
LINK = "[x](javascript:alert(3))"
FORMULA = '=HYPERLINK("http://evil.example","click")'
MATH = r"$\alert$"


def csp_of(page: str) -> str | None:
    """The Content-Security-Policy a page's <meta> declares."""
    from html.parser import HTMLParser

    found = []

    class Meta(HTMLParser):
        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy":
                found.append(a.get("content"))

    Meta().feed(page)
    return found[0] if len(found) == 1 else None


def hostile_document(text: str) -> str:
    """The 2024 document with hostile text in a sub-item's name, a top item's basis and an outcome item;
    every number stays as it was, so the document ingests."""
    replaced = text.replace("- 회원도시 역량강화 연수\t", f"- 회원도시 {IMG} **연수** {MATH} <b>b</b>\t", 1)
    replaced = replaced.replace("(직원 5명, 인턴 2명 등)", f"(직원 5명, 인턴 2명 등 {SVG} {LINK})", 1)
    replaced = replaced.replace("○ 클러스터 사업 추진을 통한 도시문제 해결 지원", f"○ {FORMULA}", 1)
    assert replaced.count("alert(") == 3 and FORMULA in replaced
    return replaced


def test_markdown_text_renders_as_the_text_itself():
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    for text in (IMG, SVG, LINK, "**bold** *i* _u_ `code`", "# heading", "- item", "1. item", MATH, "a | b",
                 "사업비 https://evil.example/phish", "see www.evil.example"):
        rendered = markdown2html_mistune(f"- {markdown_text(text)}")
        assert "<img" not in rendered and "<svg" not in rendered and "href" not in rendered
        assert not re.search(r"<(strong|em|code|h1|ol|table|b)>", rendered), rendered
        assert rendered.count("<li>") == 1 and rendered.count("<ul>") == 1


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("정상", "정상"), (12, 12), (-5, -5), (None, None),
])
def test_spreadsheet_text(value, expected):
    assert spreadsheet_text(value) == expected


@pytest.fixture(scope="module")
def hostile_reports(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    doc = root / "hostile_2024.txt"
    doc.write_text(hostile_document(RAW_2024.read_text(encoding="utf-8")), encoding="utf-8")
    assert main(["ingest", str(doc), "--out", str(root / "processed")]) == 0
    jobs = run_batch(years=[2023, 2024], data_dir=root / "processed", out_dir=root / "reports", progress=False)
    assert [j.status for j in jobs] == ["ok"] * len(jobs), [j.error for j in jobs]
    return root / "reports"


def test_pages_show_hostile_text_as_text(hostile_reports):
    pages = sorted(hostile_reports.glob("citynet_20*_ko/citynet_20*_ko_*.html"))
    assert len(pages) == 2 * len(notebook_paths())  # every notebook, for 2023 and 2024
    seen = set()
    for page in pages:
        body = page.read_text(encoding="utf-8")
        assert "<img src=x" not in body and "<svg onload" not in body and "<b>b</b>" not in body
        assert not re.search(r"href=['\"]?javascript", body, re.IGNORECASE)
        assert "<strong>연수</strong>" not in body
        assert csp_of(body) == CSP
        assert "<script" not in body and find_external_resources(body) == []
        seen |= {t for t in ("&lt;img src=x onerror=alert(1)&gt;", "[x](javascript:", "**연수**") if t in body}
    assert seen == {"&lt;img src=x onerror=alert(1)&gt;", "[x](javascript:", "**연수**"}
    index = (hostile_reports / "index.html").read_text(encoding="utf-8")
    assert csp_of(index) == CSP and "<script" not in index


def test_figures_with_dollar_signs_are_drawn(hostile_reports):
    assert (report_folder(hostile_reports, 2024) / "figures" / "composition.png").stat().st_size > 10_000
    assert (report_folder(hostile_reports, 2024) / "figures" / "program_costs.pdf").exists()


def test_spreadsheet_cells_are_never_formulas(hostile_reports):
    path = report_folder(hostile_reports, 2023) / "tables" / "activities.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert "'" + FORMULA in cells and FORMULA not in cells
    book = load_workbook(workbook_path(hostile_reports, 2023))
    found = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value == FORMULA]
    assert found and all(c.data_type == "s" and c.quotePrefix for c in found)
    for year in (2023, 2024):
        book = load_workbook(workbook_path(hostile_reports, year))
        assert not [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
        amounts = [c.value for ws in book.worksheets for row in ws.iter_rows(min_row=2) for c in row
                   if isinstance(c.value, int)]
        assert amounts, "numbers stay numbers"
