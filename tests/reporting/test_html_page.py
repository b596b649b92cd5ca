"""Tests for citynet_analysis.reporting.publishers.html_pages: a self-contained, offline HTML report with Korean font."""

from __future__ import annotations

import base64
import re

import nbformat
import pytest
from nbformat import v4

from citynet_analysis.reporting.publishers.html_pages import (
    TEMPLATE_DIR,
    find_external_resources,
    font_chars,
    font_face_css,
    notebook_to_html,
)

# a valid 1x1 PNG
PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PNG_B64 = base64.b64encode(PNG_1X1).decode("ascii")
HANGUL_TITLE = "시티넷 사무국 운영 지원"
HANGUL_BODY = "예산 집행률은 전년 대비 상승했다."


def _tiny_notebook():
    nb = v4.new_notebook()
    nb.cells = [
        v4.new_markdown_cell(f"# {HANGUL_TITLE}\n\n{HANGUL_BODY} (CityNet secretariat, FY2024)"),
        v4.new_code_cell(
            "show_figure()",
            execution_count=1,
            outputs=[
                v4.new_output("stream", name="stdout", text="집행액 1,100백만원\n"),
                v4.new_output(
                    "display_data",
                    data={"image/png": PNG_B64, "text/plain": "<Figure size 640x360 with 1 Axes>"},
                ),
            ],
        ),
    ]
    for i, cell in enumerate(nb.cells):  # fixed ids: new_*_cell draws random ones
        cell.id = f"cell-{i}"
    return nb


@pytest.fixture(scope="module")
def rendered():
    return notebook_to_html(_tiny_notebook())


def test_template_is_shipped_inside_the_package():
    assert (TEMPLATE_DIR / "memo" / "conf.json").is_file()
    assert (TEMPLATE_DIR / "memo" / "index.html.j2").is_file()


def test_html_embeds_font_figure_and_hangul(rendered):
    assert "@font-face" in rendered
    assert "NanumGothic" in rendered
    assert re.search(r"url\(data:font/(?:woff2?|ttf);base64,[A-Za-z0-9+/=]{100,}\)", rendered)
    assert "unicode-range: U+1100-11FF" in rendered and "U+AC00-D7AF" in rendered
    assert f"data:image/png;base64,{PNG_B64}" in rendered
    assert HANGUL_TITLE in rendered
    assert HANGUL_BODY in rendered
    assert "집행액 1,100백만원" in rendered
    assert '<html lang="ko">' in rendered


def test_embedded_font_is_listed_first(rendered):
    for var in ("--jp-content-font-family", "--jp-ui-font-family", "--jp-code-font-family"):
        match = re.search(rf"{var}:\s*([^;]+);", rendered.split("@font-face", 1)[1])
        assert match, var
        assert match.group(1).lstrip().startswith("'NanumGothic'"), var


def test_html_loads_nothing_from_the_network(rendered):
    script_srcs = re.findall(r"<script[^>]*\bsrc\s*=\s*['\"]?([^'\" >]+)", rendered, flags=re.I)
    link_hrefs = re.findall(r"<link[^>]*\bhref\s*=\s*['\"]?([^'\" >]+)", rendered, flags=re.I)
    assert not [u for u in script_srcs + link_hrefs if u.startswith(("http://", "https://", "//"))]
    assert "require.js" not in rendered and "mathjax" not in rendered.lower()
    assert find_external_resources(rendered) == []


def test_font_is_subset_to_the_notebook(rendered):
    whole = notebook_to_html(_tiny_notebook(), subset_font=False)
    assert len(rendered) < len(whole) / 10  # a few kB instead of the 4.7 MB font
    assert "font/ttf" in whole


def test_image_alt_text_from_metadata_and_no_nbconvert_warning(caplog):
    nb = _tiny_notebook()
    nb.cells[1].metadata["alt"] = "연도별 예산 / budget by year"
    with caplog.at_level("WARNING"):
        html = notebook_to_html(nb)
    assert 'alt="연도별 예산 / budget by year"' in html
    assert not [r for r in caplog.records if "Alternative text" in r.getMessage()]


def test_output_is_deterministic(rendered):
    assert notebook_to_html(_tiny_notebook()) == rendered


def test_writes_file_atomically_from_a_path(tmp_path):
    src = tmp_path / "memo_2024.ipynb"
    nbformat.write(_tiny_notebook(), src)
    out = tmp_path / "reports" / "2024" / "memo_2024.html"
    html = notebook_to_html(src, out)
    assert out.read_text(encoding="utf-8") == html
    assert f"<title>{HANGUL_TITLE}</title>" in html  # the notebook's title (its file name without one)
    assert sorted(p.name for p in out.parent.iterdir()) == ["memo_2024.html"]  # no temp file left


def test_exclude_input_hides_code(tmp_path):
    html = notebook_to_html(_tiny_notebook(), exclude_input=True)
    assert "show_figure" not in html
    assert HANGUL_TITLE in html


def test_external_script_in_an_output_is_refused():
    nb = _tiny_notebook()
    nb.cells.append(
        v4.new_code_cell(
            "plot()",
            outputs=[
                v4.new_output(
                    "display_data",
                    data={"text/html": '<script src="https://cdn.example.org/plot.js"></script>'},
                )
            ],
        )
    )
    with pytest.raises(ValueError, match="network"):
        notebook_to_html(nb)
    assert "cdn.example.org" in notebook_to_html(nb, allow_external=True)


def test_find_external_resources():
    page = (
        '<link rel="stylesheet" href="https://cdn.example.org/a.css">'
        '<script src="//cdn.example.org/b.js"></script>'
        '<img src="data:image/png;base64,AAAA"><a href="https://example.org/">link</a>'
        "<style>@import 'https://fonts.example.org/c.css'; body { background: url(x.png) }</style>"
    )
    found = find_external_resources(page)
    assert len(found) == 3
    assert any("a.css" in f for f in found) and any("b.js" in f for f in found)
    assert any("c.css" in f for f in found)


def test_font_chars_and_font_face_css():
    nb = _tiny_notebook()
    chars = font_chars(nb)
    assert "시" in chars and "집" in chars
    assert not any(c.isascii() for c in chars)
    css = font_face_css(chars)
    assert css.startswith("@font-face") and "unicode-range" in css
    # the PNG's base64 text is not scanned for characters
    assert font_chars({"cells": [{"outputs": [{"data": {"image/png": "가나다"}}]}]}) == ""
    assert font_chars({"cells": [{"source": "&#xAC00;"}]}) == "가"


def test_rejects_other_inputs():
    with pytest.raises(TypeError):
        notebook_to_html(42)


# -- one language per page ------------------------------------------------------------------------------

INSTRUCTIONS = "Edit the parameters cell (or pass -p fiscal_year 2023 to papermill)"


def _md(text, *tags):
    cell = v4.new_markdown_cell(text, metadata={"tags": list(tags)} if tags else {})
    return cell


def _record_output(record, data):
    return v4.new_output("display_data", data=data, metadata={"citynet": record})


def _bilingual_notebook():
    """Prose in a lang-ko and a lang-en cell, the instructions in their own cell, an analyst's older
    ``한국어 · English`` heading in an untagged cell."""
    nb = v4.new_notebook()
    nb.cells = [
        _md("# 사무국 지원 예산 개요\n\n한 해 예산이 무엇에 쓰이는지 정리합니다.", "lang-ko"),
        _md("# Budget overview\n\nWhat the city's yearly grant buys.", "lang-en"),
        _md(INSTRUCTIONS, "instructions"),
        _md("## 점검 사항 · Anomalies\n\n```\n# 코드 · code\n```"),
    ]
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i}"
    return nb


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_page_shows_one_language_and_no_instructions(lang):
    html = notebook_to_html(_bilingual_notebook(), lang=lang)
    ko, en = ("사무국 지원 예산 개요", "한 해 예산이"), ("Budget overview", "yearly grant buys")
    shown, hidden = (ko, en) if lang == "ko" else (en, ko)
    assert all(t in html for t in shown) and not any(t in html for t in hidden)
    assert "Edit the parameters" not in html
    heading = re.search(r"<h2[^>]*>(.*?)<", html).group(1)
    assert heading == ("점검 사항" if lang == "ko" else "Anomalies")  # an untagged heading in its language
    assert "# 코드 · code" in html  # a code block is not a heading
    assert f"<title>{shown[0]}</title>" in html
    assert f'<html lang="{lang}">' in html


def test_the_stored_notebook_keeps_both_languages_and_the_instructions(tmp_path):
    src = tmp_path / "01.ipynb"
    nbformat.write(_bilingual_notebook(), src)
    before = src.read_bytes()
    notebook_to_html(src, tmp_path / "01.html", lang="en")
    assert src.read_bytes() == before


def _table_output(name="composition", lang="ko"):
    import pandas as pd

    from citynet_analysis.reporting.notebook.report import TableView

    frame = pd.DataFrame({"회계연도": ["2023", "2024"], "항목": ["인건비", "사업비 세부"],
                          "금액 (백만원)": ["1,100.0", "—"], "비중 (%)": ["-2.4", "43.7"], "비고": ["", ""]})
    return _record_output({"kind": "table", "name": name, "columns": list(frame.columns), "memo": True},
                          {"text/html": TableView(frame)._repr_html_(), "text/plain": "table"})


def test_tables_have_their_caption_and_numbers_right_aligned():
    nb = _tiny_notebook()
    nb.cells.append(v4.new_code_cell("report.table(...)", outputs=[_table_output()]))
    html = notebook_to_html(nb, exclude_input=True)
    table = re.search(r'<table[^>]*citynet-table[^>]*>.*?</table>', html, re.S).group(0)
    assert "<caption>예산 구성</caption>" in table  # [tables] title of "composition"
    headers = re.findall(r"<th([^>]*)>([^<]*)</th>", table)
    assert [(h, 'class="num"' in a) for a, h in headers] == [
        ("회계연도", True), ("항목", False), ("금액 (백만원)", True), ("비중 (%)", True), ("비고", False)]
    cells = re.findall(r"<td([^>]*)>([^<]*)</td>", table)
    assert [('class="num"' in a) for a, _ in cells[:5]] == [True, False, True, True, False]
    assert 'style="text-align: right;"' not in table  # pandas' header style: the page aligns per column
    # the page's rules: text left, number columns right, Korean words never broken
    assert "table.citynet-table .num" in html and "text-align: left" in html
    assert re.search(r":lang\(ko\)\s*\{\s*word-break: keep-all;", html)
    assert "overflow-wrap: anywhere" not in html.split("citynet-table", 1)[1]


def test_an_analysts_table_is_captioned_with_its_name_in_words():
    nb = _tiny_notebook()
    nb.cells.append(v4.new_code_cell("report.table(...)", outputs=[_table_output("my_own_table")]))
    assert "<caption>my own table</caption>" in notebook_to_html(nb)


def test_one_not_available_box_per_metric():
    def box(text, name=None):
        return _record_output({"kind": "unavailable", "name": name, "memo": False, "text": text},
                              {"text/markdown": f"> {text}", "text/plain": text})

    table = "**2024년에는 '활동 현황' 지표를 산출할 수 없습니다** (이 해의 추진실적이 없음)."
    chart = "**2024년에는 '활동 현황' 지표를 산출할 수 없습니다** (횟수가 기재된 추진실적이 없음)."
    other = "**2024년에는 '행사당 비용' 지표를 산출할 수 없습니다** (이 해의 추진실적이 없음)."
    nb = _tiny_notebook()
    nb.cells += [v4.new_code_cell("a", outputs=[box(other, "cost_per_event")]),
                 v4.new_code_cell("b", outputs=[box(table, "activities")]),
                 v4.new_code_cell("c", outputs=[box(chart)]),
                 v4.new_code_cell("d", outputs=[box(table, "activities")])]
    html = notebook_to_html(nb, exclude_input=True)
    assert html.count("<blockquote>") == 2
    assert html.count("&#39;활동 현황&#39; 지표를 산출할 수 없습니다") + html.count("'활동 현황' 지표를 산출할 수 없습니다") == 1
    assert "(이 해의 추진실적이 없음; 횟수가 기재된 추진실적이 없음)." in html
    assert html.count("행사당 비용") == 1


# -- alt text and the way back to the portal ---------------------------------------------------------------

def _figure_output(record=None):
    """A figure as ``Report.figure`` shows it: a PNG with its output record (none: an image of an analyst's
    own ``display``)."""
    return v4.new_output("display_data", data={"image/png": PNG_B64, "text/plain": "<IPython.core.display.Image>"},
                         metadata={"citynet": record} if record else {})


def _alts(html: str) -> list[str]:
    """The alt text of each image of the page, as a browser reads it (entities decoded)."""
    from html.parser import HTMLParser

    alts = []

    class Images(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "img":
                alts.append(dict(attrs).get("alt"))

    Images().feed(html)
    return alts


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_figures_are_described_in_the_pages_language(lang):
    """A package chart's alt text is its caption ([portal_figures]) in the page's language, an analyst's
    titled figure its title, one without a title its name in words, an image no record names the word for
    a figure in the language: never nbconvert's English sentence or an English 'Figure' on a Korean page."""
    nb = _tiny_notebook()  # its image has no record
    nb.cells.append(v4.new_code_cell("report.figure(...)", outputs=[
        _figure_output({"kind": "figure", "name": "budget_trend", "memo": True}),
        _figure_output({"kind": "figure", "name": "spending_by_side", "memo": True,
                        "text": {"ko": "간접비와 사업비 비중", "en": "Overhead & program shares"}[lang]}),
        _figure_output({"kind": "figure", "name": "my_travel_costs", "memo": True}),
    ]))
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'
    nb.cells.append(v4.new_code_cell("display(SVG(...))", outputs=[  # an analyst's SVG, no record
        v4.new_output("display_data", data={"image/svg+xml": svg, "text/plain": "<SVG>"})]))
    html = notebook_to_html(nb, exclude_input=True, lang=lang)
    assert _alts(html) == {
        "ko": ["그림", "연도별 예산과 집행액", "간접비와 사업비 비중", "my travel costs", "그림"],
        "en": ["Figure", "Budget and execution by fiscal year", "Overhead & program shares", "my travel costs", "Figure"],
    }[lang]
    assert "No description has been provided" not in html
    # the title is also its caption below it; the package chart draws its own title, so it has none
    captions = re.findall(r'<div class="citynet-caption">([^<]*)</div>', html)
    assert captions == [{"ko": "간접비와 사업비 비중", "en": "Overhead &amp; program shares"}[lang]]


def _embedded_font_chars(html: str) -> set[str]:
    """The characters the page's embedded font has glyphs for."""
    import io

    from fontTools.ttLib import TTFont

    data = re.search(r"url\(data:font/[a-z0-9]+;base64,([A-Za-z0-9+/=]+)\)", html).group(1)
    return {chr(cp) for cp in TTFont(io.BytesIO(base64.b64decode(data))).getBestCmap()}


@pytest.mark.parametrize("lang, words", [("ko", "← 보고서 목록"), ("en", "← All reports")])
def test_a_published_page_links_back_to_the_portal(tmp_path, lang, words):
    """The page the batch publishes starts with a plain link to ../index.html (the portal beside its folder)
    in the page's language, drawn with the embedded font; no script. A page made for another use has none."""
    from citynet_analysis.reporting.publishers.html_pages import publish_page

    folder = tmp_path / "reports" / f"citynet_2024_{lang}"
    folder.mkdir(parents=True)
    nbformat.write(_bilingual_notebook(), folder / "01_budget_overview.ipynb")
    (tmp_path / "reports" / "index.html").write_text("<html></html>", encoding="utf-8")
    page = publish_page(folder / "01_budget_overview.ipynb", lang, f"citynet_2024_{lang}")
    html = page.read_text(encoding="utf-8")
    link = f'<nav class="citynet-portal"><a href="../index.html">{words}</a></nav>'
    assert html.count(link) == 1
    assert html.index("<main>") < html.index(link) < html.index("<h1")  # at the top, before the title
    assert (page.parent / "../index.html").resolve() == (tmp_path / "reports" / "index.html").resolve()
    assert "<script" not in html and find_external_resources(html) == []
    hangul = {c for c in words if "가" <= c <= "힣"}
    assert hangul <= _embedded_font_chars(html)  # 보고서 목록 is not in the notebook, yet drawn with NanumGothic
    assert "citynet-portal" not in notebook_to_html(_bilingual_notebook(), lang=lang).split("</style>")[-1]
