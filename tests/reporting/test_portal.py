"""The reports portal (index.html) on a reports folder laid out as a batch leaves it, without running any
notebook: headline figures checked by hand against data/processed, thumbnails, links to files only, and
failed runs explained with their text escaped."""

import base64
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest
from PIL import Image

from citynet_analysis.reporting.batch import Job
from citynet_analysis.reporting.batch.manifest import read_manifest, write_index
from citynet_analysis.reporting.publishers.html_pages import CSP, CSS_FONT_FAMILY
from citynet_analysis.reporting.publishers.portal import THUMB_WIDTH

from .conftest import memo_path, page_path, report_name, workbook_path

HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)> & "quotes"'
NOTEBOOKS = {"01_budget_overview": "시티넷 사무국 지원 예산 개요 · Budget overview", "03_trends": "예산 추이 · Trends"}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.imgs = [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        if tag == "img":
            self.imgs.append(a)


def _links(page: str) -> _Links:
    parser = _Links()
    parser.feed(page)
    return parser


def _notebook(path: Path, title: str, figures=()) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {title}")]
    for figure in figures:
        cell = nbformat.v4.new_code_cell("report.figure(fig)")
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/plain": figure},
                                               metadata={"citynet": {"kind": "figure", "name": figure}})]
        nb.cells.append(cell)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def _png(path: Path, size=(1920, 1080)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (30, 60, 90)).save(path)


def _reports(root: Path, years=(2020, 2021, 2022, 2023, 2024), memo_years=(2024,),
             lang="ko") -> tuple[Path, list[Job]]:
    """A reports folder as a full batch leaves it: pages, notebooks, figures and workbooks per year."""
    out = root / "reports"
    jobs = []
    for y in years:
        d = out / report_name(y, lang)
        for notebook, title in NOTEBOOKS.items():
            _notebook(d / f"{notebook}.ipynb", title,
                      figures=("budget_trend", "execution") if notebook == "03_trends" else ())
            page_path(out, y, notebook, lang).write_text("<html></html>", encoding="utf-8")
            jobs.append(Job(year=y, notebook=notebook, program="citynet", folder=report_name(y, lang), status="ok",
                            seconds=1.25, path=f"{report_name(y, lang)}/{notebook}.ipynb"))
        for fig in ("execution", "budget_trend", "zz_analyst_chart"):
            _png(d / "figures" / f"{fig}.png")
            (d / "figures" / f"{fig}.svg").write_text("<svg/>", encoding="utf-8")
        (d / "tables").mkdir()
        workbook_path(out, y, lang).write_bytes(b"PK")
        if y in memo_years:
            memo_path(out, y, lang=lang).write_bytes(b"PK")
    return out, jobs


def _section(page: str, year: int, lang="ko") -> str:
    m = re.search(rf'<section class="year" id="citynet_{year}_{lang}" lang="{lang}">(.*?)</section>', page, re.S)
    assert m, f"no section for {year}"
    return m.group(1)


def _tile(section: str, key: str) -> tuple[str, str]:
    m = re.search(rf'<div class="figure {key}[^"]*">\s*<dt>[^<]*</dt>\s*<dd class="value">(.*?)</dd>\s*'
                  r'<dd class="note">([^<]*)</dd>', section)
    assert m, f"no {key} tile"
    return re.sub(r"<[^>]+>", "", m.group(1)), m.group(2)


@pytest.fixture(scope="module")
def portal_ko(tmp_path_factory, ds_2024):
    out, jobs = _reports(tmp_path_factory.mktemp("portal_ko"))
    write_index(out, jobs, "ko", {"runs": [], "owned": []}, ds_2024)
    return out, (out / "index.html").read_text(encoding="utf-8")


def test_headline_figures_by_hand(portal_ko):
    """data/processed: budget_totals 계 2024 1,100,000,000 and 2023 864,910,000 (1100/864.91 = +27.2%);
    settlements executed 2022 834,395,000 = available (100.0%), 2021 698,747,000, 2020 698,280,000;
    cost per event 2022 = 834,395,000 / 12 counted events = 69.5 million, 2021 = 698,747,000 / 10."""
    _, page = portal_ko
    y2024, y2023, y2022, y2021, y2020 = (_section(page, y) for y in (2024, 2023, 2022, 2021, 2020))
    assert _tile(y2024, "budget") == ("1,100.0백만원", "예산 총괄 예산액")
    assert _tile(y2024, "change") == ("+27.2%", "2023년 864.9백만원 대비")
    assert _tile(y2024, "executed") == ("—", "결산 자료 없음")
    assert _tile(y2024, "execution_rate") == ("—", "결산 자료 없음")
    value, note = _tile(y2024, "cost_per_event")
    assert value == "—" and note.startswith("산출 불가") and "추진실적" in note  # 2024 lists no outcomes
    assert _tile(y2023, "budget")[0] == "864.9백만원"
    assert _tile(y2023, "change")[0] == "+3.7%"  # 864,910,000 / 834,395,000 (2022 final budget)
    value, note = _tile(y2023, "cost_per_event")  # one 2023 activity has no stated count: no number
    assert value == "—" and "정확한 횟수가 없는 활동 1건" in note
    assert _tile(y2022, "executed") == ("834.4백만원", "결산 기준 · 예산현액 834.4백만원")
    assert _tile(y2022, "execution_rate")[0] == "100.0%"
    assert _tile(y2022, "cost_per_event") == ("69.5백만원", "12회 · 결산 집행액")
    assert _tile(y2021, "executed")[0] == "698.7백만원"
    assert _tile(y2021, "cost_per_event")[0] == "69.9백만원"
    assert _tile(y2020, "executed")[0] == "698.3백만원"
    assert _tile(y2020, "change") == ("—", "2019년 예산 자료 없음")
    # newest first
    assert [int(y) for y in re.findall(r'<section class="year" id="citynet_(\d+)_ko"', page)] == [
        2024, 2023, 2022, 2021, 2020]


def test_page_is_self_contained_and_in_korean(portal_ko):
    _, page = portal_ko
    assert '<html lang="ko">' in page
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert csp == CSP
    assert "<script" not in page and "@font-face" in page and "font/woff" in page
    stacks = re.findall(r"font-family:\s*([^;]+);", re.search(r"<style>(.*?)</style>", page, re.S).group(1))
    assert len(stacks) == 4 and all(s.startswith(CSS_FONT_FAMILY) for s in stacks)  # the embedded one first
    assert "<h1>시티넷 사무국 운영 지원 예산 보고서</h1>" in page
    assert "Budget" not in re.sub(r"<style>.*?</style>", "", page, flags=re.S).replace("Budget overview", "")
    # the pages are named by their notebooks' headings in the page's language
    assert ">시티넷 사무국 지원 예산 개요</a>" in page and ">예산 추이</a>" in page


def test_links_are_existing_files(portal_ko):
    out, page = portal_ko
    hrefs = _links(page).hrefs
    assert hrefs
    for href in hrefs:
        assert ":" not in href and not href.startswith(("/", "#")), href
        assert (out / unquote(href)).is_file(), href
    y2024, y2023 = _section(page, 2024), _section(page, 2023)
    for section, year in ((y2024, 2024), (y2023, 2023)):
        n = report_name(year)
        for notebook in NOTEBOOKS:
            assert f'href="{n}/{n}_{notebook}.html"' in section and f'href="{n}/{notebook}.ipynb"' in section
        assert f'href="{n}/tables/{n}_tables.xlsx"' in section
    # the memo only where it was written
    assert 'href="citynet_2024_ko/citynet_2024_ko_memo.docx"' in y2024 and "citynet_2023_ko_memo.docx" not in page


def test_thumbnails_are_small_embedded_pngs_in_notebook_order(portal_ko):
    _, page = portal_ko
    section = _section(page, 2022)
    imgs = _links(section).imgs
    assert len(imgs) == 3  # every figures/*.png, the analyst's own chart too
    for img in imgs:
        assert img["src"].startswith("data:image/png;base64,")
        thumb = Image.open(io.BytesIO(base64.b64decode(img["src"].split(",", 1)[1])))
        assert thumb.size == (THUMB_WIDTH, 180) == (int(img["width"]), int(img["height"]))
    # 03_trends shows budget_trend then execution; the chart no notebook names comes last
    order = re.findall(r'<a href="citynet_2022_ko/figures/([a-z_]+)\.png"', section)
    assert order == ["budget_trend", "execution", "zz_analyst_chart"]
    # captions as the memo's (outline.figure_title): [portal_figures], else the name in words
    assert [i["alt"] for i in imgs] == ["연도별 예산과 집행액", "예산 집행", "zz analyst chart"]
    assert 'href="citynet_2022_ko/figures/execution.svg"' in section


def test_english_portal(tmp_path, ds_2024):
    out, jobs = _reports(tmp_path, years=(2023, 2024), lang="en")
    write_index(out, jobs, "en", {"runs": [], "owned": []}, ds_2024)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "<h1>Support for the CityNet secretariat: budget reports</h1>" in page
    y2024 = _section(page, 2024, "en")
    assert _tile(y2024, "budget") == ("KRW 1,100.0 million", "budget summary")
    assert _tile(y2024, "change") == ("+27.2%", "FY2023: KRW 864.9 million")
    assert ">Budget overview</a>" in y2024 and ">Trends</a>" in y2024 and ">Memo (Word)" in y2024
    value, note = _tile(_section(page, 2023, "en"), "cost_per_event")
    assert value == "—" and note.startswith("not computed")
    shown = re.sub(r"<style>.*?</style>|<[^>]+>", " ", page, flags=re.S)
    # Korean only where the documents' own words are quoted (the subtitle)
    assert set(re.findall(r"[가-힣]+", shown)) == {"사업설명서"}
    # counts in words, singular and plural
    assert "<p>2 fiscal years · 4 of 4 notebook runs ok</p>" in page
    assert "12 events · executed per settlement" not in page  # 2024 has no cost per event


def test_failed_runs_are_explained_and_escaped(tmp_path, ds_2024):
    out, jobs = _reports(tmp_path, years=(2023, 2024))
    manifest = {"runs": [], "owned": []}
    write_index(out, jobs, "ko", manifest, ds_2024)
    # a later run: 2024 fails (its previous reports stay), 2025 fails with no earlier reports at all
    for year in (2024, 2025):
        _notebook(out / "failed" / report_name(year) / "99_fail.ipynb", "실패 · Fail")
    failed = [Job(year=2024, notebook="99_fail", program="citynet", folder=report_name(2024), status="failed",
                  error=HOSTILE, path="failed/citynet_2024_ko/99_fail.ipynb"),
              Job(year=2024, notebook="01_budget_overview", program="citynet", folder=report_name(2024),
                  status="not published", error="another notebook of this year failed; the previous reports were kept",
                  path="failed/citynet_2024_ko/01_budget_overview.ipynb"),
              Job(year=2025, notebook="99_fail", program="citynet", folder=report_name(2025), status="failed",
                  error="ValueError: " + HOSTILE, path="failed/citynet_2025_ko/99_fail.ipynb")]
    write_index(out, failed, "ko", read_manifest(out), ds_2024)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<script" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; &amp; &#34;quotes&#34;" in page
    y2024 = _section(page, 2024)
    assert '<span class="badge failed">실패한 실행 2건</span>' in y2024
    assert 'href="failed/citynet_2024_ko/99_fail.ipynb"' in y2024 and "이전 보고서를 유지함" in y2024
    # the kept reports are still linked
    assert 'href="citynet_2024_ko/citynet_2024_ko_01_budget_overview.html"' in y2024
    # the kept notebook of 01_budget_overview was never written: named, not linked
    assert "failed/citynet_2024_ko/01_budget_overview.ipynb" not in _links(page).hrefs
    y2025 = _section(page, 2025)
    assert "99_fail: 실패" in y2025 and 'href="failed/citynet_2025_ko/99_fail.ipynb"' in y2025
    assert "<h3>보고서</h3>" not in y2025 and "<img" not in y2025  # nothing published for 2025
    assert re.search(r'<p class="alert">실패한 실행 3건</p>', page)
    for href in _links(page).hrefs:
        assert (out / unquote(href)).is_file(), href
    # manifest.json as before: every run with its status and the latest failure
    runs = {(r["year"], r["notebook"]): r for r in json.loads((out / "manifest.json").read_text())["runs"]}
    assert runs[(2024, "99_fail")]["status"] == "failed" and runs[(2024, "99_fail")]["error"] == HOSTILE
    assert runs[(2024, "01_budget_overview")]["status"] == "ok"
    assert runs[(2024, "01_budget_overview")]["latest_run"] == "not published"


def test_without_a_data_set_the_portal_still_links_everything(tmp_path):
    out, jobs = _reports(tmp_path, years=(2024,), lang="en")
    write_index(out, jobs, "en", {"runs": [], "owned": []})
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'class="figures"' not in page and 'href="citynet_2024_en/citynet_2024_en_03_trends.html"' in page
    assert "<p>1 fiscal year · 2 of 2 notebook runs ok</p>" in page


def _bilingual_notebook(path: Path) -> None:
    """A notebook as the analysts keep them: its prose in a lang-ko and a lang-en cell, the instructions
    for running it in a cell of their own."""
    nb = nbformat.v4.new_notebook()
    cells = [("# 예산 추이", ["lang-ko"]), ("# Trends", ["lang-en"]),
             ("# Edit the parameters cell", ["instructions"]), ("## 요약 · Summary", [])]
    nb.cells = [nbformat.v4.new_markdown_cell(text, metadata={"tags": tags}) for text, tags in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_page_links_are_titled_in_the_portal_language(tmp_path, lang):
    out, jobs = _reports(tmp_path, years=(2024,), lang=lang)
    n = report_name(2024, lang)
    _bilingual_notebook(out / n / "03_trends.ipynb")
    write_index(out, jobs, lang, {"runs": [], "owned": []})
    section = _section((out / "index.html").read_text(encoding="utf-8"), 2024, lang)
    trends, overview = ("예산 추이", "시티넷 사무국 지원 예산 개요") if lang == "ko" else ("Trends", "Budget overview")
    assert f'<a href="{n}/{n}_03_trends.html">{trends}</a>' in section
    assert f'<a href="{n}/{n}_01_budget_overview.html">{overview}</a>' in section  # an unsplit heading
    assert "Edit the parameters" not in section


def test_counts_in_words():
    from citynet_analysis.reporting.publishers.portal import count_label

    assert count_label("years", 1, "en") == "1 fiscal year"
    assert count_label("years", 2, "en") == "2 fiscal years"
    assert count_label("n_failed", 1, "en") == "1 failed run"
    assert count_label("n_failed", 3, "en") == "3 failed runs"
    assert count_label("events", 1, "en", basis="budget") == "1 event · budget"
    assert count_label("years", 1, "ko") == "회계연도 1개"


# -- a portal of both languages ----------------------------------------------------------------------------

def _shown(html: str) -> str:
    """The text a reader sees (tags and the style sheet removed, entities decoded, spaces collapsed)."""
    import html as html_module

    text = re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.S)
    return " ".join(html_module.unescape(text).split())


@pytest.fixture(scope="module")
def portal_both(tmp_path_factory, ds_2024):
    """A Korean batch of 2024, then an English one into the same reports folder: the English batch writes
    the portal last."""
    root = tmp_path_factory.mktemp("portal_both")
    out, jobs_ko = _reports(root, years=(2024,), lang="ko")
    _, jobs_en = _reports(root, years=(2024,), lang="en")
    for lang in ("ko", "en"):
        memo_path(out, 2024, "hwpx", lang).write_bytes(b"PK")
    write_index(out, jobs_ko, "ko", {"runs": [], "owned": []}, ds_2024)
    write_index(out, jobs_en, "en", read_manifest(out), ds_2024)
    return out, (out / "index.html").read_text(encoding="utf-8")


def test_each_card_speaks_its_own_language(portal_both):
    """The Korean card of a portal the English batch wrote last is in Korean throughout: heading, slip
    banner, the five tiles and their notes, figure captions, page titles, file labels; the English card in
    English."""
    _, page = portal_both
    ko, en = _section(page, 2024, "ko"), _section(page, 2024, "en")
    assert "<h2>2024 회계연도 · 한국어 <span class=\"badge ok\">모든 노트북 정상</span></h2>" in ko
    assert "<h2>FY2024 · English <span class=\"badge ok\">all notebooks ran</span></h2>" in en
    # the slip of 2024's 사무관리비 (833,330원 × 12 ≠ 10,000천원), in each card's words
    assert re.search(r'<p class="slip">⚠ 원문 자체의 불일치 1건 \(숫자는 원문대로, 해당 표에 표시\): [^<]*</p>', ko)
    assert re.search(r'<p class="slip">⚠ 1 slip in the document&#39;s own figures [^<]*</p>', en)
    tiles = {"ko": ["예산액", "전년 대비 증감 (명목)", "집행액", "집행률", "행사당 비용"],
             "en": ["Budget", "Change on the previous year (nominal)", "Executed", "Execution rate", "Cost per event"]}
    assert re.findall(r"<dt>([^<]*)</dt>", ko) == tiles["ko"] and re.findall(r"<dt>([^<]*)</dt>", en) == tiles["en"]
    assert _tile(ko, "budget") == ("1,100.0백만원", "예산 총괄 예산액")
    assert _tile(ko, "change") == ("+27.2%", "2023년 864.9백만원 대비")
    assert _tile(ko, "executed") == ("—", "결산 자료 없음") and _tile(ko, "execution_rate") == ("—", "결산 자료 없음")
    assert _tile(ko, "cost_per_event")[1].startswith("산출 불가: ")
    assert _tile(en, "budget") == ("KRW 1,100.0 million", "budget summary")
    assert _tile(en, "change") == ("+27.2%", "FY2023: KRW 864.9 million")
    # figure captions, as the memo captions them
    assert re.findall(r'<div class="caption">([^<]*)</div>', ko) == ["연도별 예산과 집행액", "예산 집행", "zz analyst chart"]
    assert re.findall(r'<div class="caption">([^<]*)</div>', en) == [
        "Budget and execution by fiscal year", "Budget execution", "zz analyst chart"]
    assert 'title="원본 크기 PNG 열기"' in ko and "<h3>그림</h3>" in ko and "<h3>Figures</h3>" in en
    # the pages by their notebooks' titles, the files by their labels
    n = report_name(2024, "ko")
    assert f'<a href="{n}/{n}_01_budget_overview.html">시티넷 사무국 지원 예산 개요</a>' in ko
    assert f'<a href="{n}/{n}_03_trends.html">예산 추이</a>' in ko
    files = re.findall(r'<a href="[^"]*">([^<]*)<span class="kind">(docx|hwpx|xlsx)</span>', ko)
    assert files == [("보고 메모 (Word)", "docx"), ("보고 메모 (한글)", "hwpx"), ("표 모음 (Excel)", "xlsx")]
    assert "<h3>보고서</h3>" in ko and "<h3>파일</h3>" in ko
    files = re.findall(r'<a href="[^"]*">([^<]*)<span class="kind">(docx|hwpx|xlsx)</span>', en)
    assert files == [("Memo (Word)", "docx"), ("Memo (Hangul, HWPX)", "hwpx"), ("Tables (Excel)", "xlsx")]
    # no English word in the Korean card but names: the programs' (Word, Excel), the files' kinds, the
    # notebooks' files and the analyst's chart (named in words)
    names = {"Word", "Excel", "docx", "hwpx", "xlsx", "ipynb", "SVG", "01_budget_overview", "03_trends", "zz",
             "analyst", "chart"}
    assert set(re.findall(r"\w*[A-Za-z]\w*", _shown(ko))) <= names, _shown(ko)
    assert not re.search(r"[가-힣]", _shown(en).replace("사무관리비", "").replace("사업설명서", "")), _shown(en)
    # each card says which language it is in, for screen readers and the Korean line breaking
    assert re.search(r'<section class="year" id="citynet_2024_ko" lang="ko">', page)
    assert re.search(r'<section class="year" id="citynet_2024_en" lang="en">', page)


def test_the_page_of_both_languages_is_the_same_whichever_batch_wrote_it(portal_both, ds_2024):
    """The page's own words are in both languages, Korean first (the Korean card first too), so the same
    reports give the same page whether the Korean or the English batch ran last."""
    from citynet_analysis.reporting.publishers import PUBLISHERS
    from citynet_analysis.reporting.publishers.portal import portal_html

    out, page = portal_both
    entries = read_manifest(out)["runs"]
    assert portal_html(out, entries, "ko", ds_2024, PUBLISHERS) == page == portal_html(
        out, entries, "en", ds_2024, PUBLISHERS)
    assert '<html lang="ko">' in page
    assert "<title>시티넷 사무국 운영 지원 예산 보고서 · Support for the CityNet secretariat: budget reports</title>" in page
    header = re.search(r"<header>(.*?)</header>", page, re.S).group(1)
    assert "<h1>시티넷 사무국 운영 지원 예산 보고서</h1>" in header
    assert '<div class="also" lang="en">\n<p class="title">Support for the CityNet secretariat: budget reports</p>' in header
    assert "<p>회계연도 1개 · 노트북 실행 4건 중 4건 정상</p>" in header
    assert "<p>1 fiscal year · 4 of 4 notebook runs ok</p>" in header
    assert [m for m in re.findall(r'<section class="year" id="([^"]+)"', page)] == ["citynet_2024_ko", "citynet_2024_en"]
    footer = re.search(r"<footer>(.*?)</footer>", page, re.S).group(1)
    assert '<h2>실행 기록 · <span lang="en">Runs</span></h2>' in footer
    # the runs in the cards' order, each one's status in its reports' language
    assert re.findall(r'<td class="ok" lang="(ko|en)">([^<]*)</td>', footer) == [("ko", "정상")] * 2 + [("en", "ok")] * 2
