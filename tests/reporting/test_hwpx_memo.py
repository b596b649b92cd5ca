"""The Hangul (HWPX) memo: a valid OWPML package (zip, ``mimetype`` first and stored, header and section
parts) that python-hwpx reads back; the same outline as the Word memo (title, summary lines, figures
embedded, tables with every cell the notebook shows, sources); 맑은 고딕 declared in the document's font
table; document text stored as text. Numbers checked by hand against data/processed."""

import re
import struct
import zipfile
from pathlib import Path

import nbformat
import pytest
from docx import Document
from hwpx import HwpxDocument
from hwpx.tools.package_validator import validate_package
from lxml import etree

from citynet_analysis import vocabulary
from citynet_analysis.reporting.notebook.escape import markdown_text
from citynet_analysis.reporting.notebook.format import column_label
from citynet_analysis.reporting.notebook.records import heading_text, in_language, records
from citynet_analysis.reporting.publishers import registered
from citynet_analysis.reporting.publishers.hwpx_memo import (
    _CELL_AIR,
    FONT,
    GREY,
    PUBLISHER,
    _ems,
    render,
    write_hwpx_memo,
)
from citynet_analysis.reporting.publishers.outline import Figure, Table, memo_outline
from citynet_analysis.reporting.publishers.word_memo import KEEP_TOGETHER_ROWS, write_memo

from .conftest import hand_made_year_folder, memo_path, report_folder, report_name

MIMETYPE = b"application/hwp+zip"
HOSTILE = '<b>x</b> & "q"'
FORMULA = "=cmd"
CONTROL = "제어\x0b문자"  # a vertical tab: XML cannot hold it
LANGS = ("HANGUL", "LATIN", "HANJA", "JAPANESE", "OTHER", "SYMBOL", "USER")


# -- reading the package back ------------------------------------------------------------------------------

def _assert_package(path: Path) -> None:
    """The OWPML container: ``mimetype`` the first entry, stored (not compressed), no extra field, so its
    content sits at a fixed offset (as readers sniff it); the header and body parts; python-hwpx's
    validators find no error."""
    data = path.read_bytes()
    assert data[:4] == b"PK\x03\x04"
    name_len, extra_len = struct.unpack("<HH", data[26:30])
    assert data[30:30 + name_len] == b"mimetype" and extra_len == 0
    assert data[30 + name_len:30 + name_len + len(MIMETYPE)] == MIMETYPE
    with zipfile.ZipFile(path) as z:
        first = z.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert z.read("mimetype") == MIMETYPE
        names = set(z.namelist())
        assert {"Contents/header.xml", "Contents/section0.xml", "Contents/content.hpf",
                "META-INF/container.xml", "version.xml"} <= names
        assert z.testzip() is None
    assert not [i for i in validate_package(str(path)).issues if i.level == "error"]


def _open(path: Path) -> HwpxDocument:
    doc = HwpxDocument.open(str(path))
    assert not [i for i in doc.validate().issues if i.severity == "error"]
    return doc


def _section_xml(path: Path):
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read("Contents/section0.xml"))


def _cells(table) -> list[list[str]]:
    return [[table.cell(r, c).text for c in range(table.column_count)] for r in range(table.row_count)]


def _table_with(doc, *headers: str) -> list[list[str]]:
    """The rows of the first table whose header row has all of ``headers``."""
    tables = [_cells(t) for t in doc.tables.all if set(headers) <= set(_cells(t)[0])]
    assert tables, headers
    return tables[0][1:]


def _char(doc, char_pr_id):
    return doc.styles.char_property(char_pr_id)


def _captions(doc) -> list[str]:
    """The body paragraphs written in the caption's character shape (9 pt, grey)."""
    out = []
    for p in doc.paragraphs:
        runs = [r for r in p.runs if r.text]
        if runs and all(_char(doc, r.char_pr_id_ref).attributes.get("textColor", "").upper() == GREY
                        and _char(doc, r.char_pr_id_ref).attributes.get("height") == "900" for r in runs):
            out.append(p.text)
    return out


def _word_captions(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs if p.style.name == "Caption"]


def _assert_fonts(doc, path: Path) -> None:
    """맑은 고딕 is the one face of every script block of the font table, and every character shape (so
    every style and every run) points at it; the blank document's 함초롬 faces are gone."""
    for lang in LANGS:
        assert {f.face for f in doc.styles.fonts(lang).values()} == {FONT}, lang
    for char_id in doc.styles.char_properties:
        for lang in LANGS:
            assert doc.styles.font_face(char_id, lang) == FONT, (char_id, lang)
    for style in doc.styles.values():
        if style.char_pr_id_ref is not None:
            assert doc.styles.font_face(style.char_pr_id_ref, "HANGUL") == FONT, style.name
    with zipfile.ZipFile(path) as z:
        header = z.read("Contents/header.xml").decode("utf-8")
    assert f'face="{FONT}"' in header and "함초롬" not in header


def _assert_no_numbering(doc) -> None:
    """No paragraph is numbered (개요 or 번호): the first holds the title, not a "1." before an empty line."""
    assert doc.paragraphs[0].text.strip()
    for p in doc.paragraphs:
        heading = doc.styles.paragraph_property(p.para_pr_id_ref).heading
        assert heading.type in ("NONE", "BULLET"), p.text


def _assert_tables_show_their_text(doc) -> None:
    """Every row is at least one 9-pt line plus the cell margins high (python-hwpx's default, 282 HWPUNIT,
    is clipped by other readers); a row with more lines is higher; the header row repeats."""
    for table in doc.tables.all:
        assert table.element.get("repeatHeader") == "1"
        assert all(table.cell(0, c).element.get("header") == "1" for c in range(table.column_count))
        for r in range(table.row_count):
            heights = {table.cell(r, c).height for c in range(table.column_count)}
            assert len(heights) == 1 and min(heights) >= 900 * 1.3 + 282, (r, heights)


def _alignment(doc, cell) -> str:
    return doc.styles.paragraph_property(cell.paragraphs[0].para_pr_id_ref).align.horizontal


def _assert_headers_fit(table) -> None:
    """Every header word fits its column as the memo measures text (bold, with the cell's margins and
    air): a reader breaks a header at its spaces, never inside a word ("Sourc" / "e line")."""
    for c in range(table.column_count):
        cell = table.cell(0, c)
        room = (cell.width - 2 * 425 - _CELL_AIR) / 900  # em of 9-pt text
        assert "\n" not in cell.text  # not broken by hand
        for word in cell.text.split():
            assert _ems(word, bold=True) <= room + 0.005, (word, cell.width)  # widths are whole HWPUNIT


def _kept_with_next(doc, paragraph) -> bool:
    return doc.styles.paragraph_property(paragraph.para_pr_id_ref).break_setting.keep_with_next


def _assert_sources_kept_together(doc) -> None:
    """The sources' heading and every source line but the last are kept with the next paragraph."""
    texts = [p.text for p in doc.paragraphs]
    at = max(i for i, t in enumerate(texts) if t in ("자료 출처", "Sources"))
    kept = [_kept_with_next(doc, p) for p in doc.paragraphs[at:]]
    assert kept == [True] * (len(kept) - 1) + [False] and len(kept) > 3


def _assert_page_number_and_language(path: Path, lang: str) -> None:
    """The page number in the footer (python-hwpx's page-number field), the footer named by the section
    with the id it has; the package's language is the memo's."""
    section = _section_xml(path)
    footers = [e for e in section.iter() if etree.QName(e).localname == "footer"]
    applied = [e for e in section.iter() if etree.QName(e).localname == "footerApply"]
    assert footers and applied and {f.get("id") for f in footers} == {a.get("idRef") for a in applied}
    numbers = [e for f in footers for e in f.iter() if etree.QName(e).localname == "autoNum"]
    assert numbers and all(n.get("numType") == "PAGE" for n in numbers)
    with zipfile.ZipFile(path) as z:
        hpf = z.read("Contents/content.hpf").decode("utf-8")
    assert f"<opf:language>{lang}</opf:language>" in hpf


# -- a hand-made year folder ----------------------------------------------------------------------------

def _year_folder(folder: Path) -> Path:
    """The hand-made year folder (tables/x.csv names a formula, hostile text and a long name)."""
    long_name = "아주 긴 항목 이름이 여러 줄에 걸쳐 나뉘어야 하는 경우를 시험하는 항목 " * 2
    return hand_made_year_folder(folder, ["예산: **1,100.0백만원**, 전년 대비 +27.2%",
                                          f"가장 큰 항목: {markdown_text(HOSTILE)}",
                                          f"{markdown_text(FORMULA)} {markdown_text(CONTROL)}"],
                                 [FORMULA, HOSTILE, long_name.strip()])

@pytest.mark.parametrize("lang", ["ko", "en"])
def test_memo_of_a_hand_made_folder(tmp_path, ds_2024, lang):
    folder = _year_folder(tmp_path)
    path = write_hwpx_memo(folder, 2024, ds_2024, lang, report_name(2024, lang))
    assert path == folder / f"citynet_2024_{lang}_memo.hwpx" == folder / PUBLISHER.file(report_name(2024, lang))
    assert sorted(p.name for p in folder.iterdir()) == ["01_test.ipynb", f"citynet_2024_{lang}_memo.hwpx",
                                                        "figures", "tables"]
    _assert_package(path)
    title = "시티넷 사무국 운영 지원 · 2024 회계연도" if lang == "ko" else "Support for the CityNet secretariat · FY2024"
    with _open(path) as doc:
        text = doc.text.plain()
        paragraphs = {p.text: p for p in doc.paragraphs}
        assert doc.paragraphs[0].text == title
        assert "seoul_citynet_budget_explanation_2024.txt" in doc.paragraphs[1].text
        assert ("시험 노트북" if lang == "ko" else "Test notebook") in paragraphs

        # summary lines: Markdown bold is bold, document text stays literal
        budget = paragraphs["예산: 1,100.0백만원, 전년 대비 +27.2%"]
        assert [(r.text, r.bold) for r in budget.runs if r.text] == [
            ("예산: ", False), ("1,100.0백만원", True), (", 전년 대비 +27.2%", False)]
        hostile = paragraphs["가장 큰 항목: " + HOSTILE]
        assert not any(r.bold or r.italic for r in hostile.runs)
        assert f"{FORMULA} 제어문자" in paragraphs  # the vertical tab dropped, the rest kept
        unavailable = paragraphs["2024년에는 '행사당 비용' 지표를 산출할 수 없습니다 (no outcomes (추진실적))."]
        assert [r.bold for r in unavailable.runs if r.text][0]

        # the memo table: shown columns only, labelled; every cell as text; numbers right-aligned
        assert len(doc.tables.all) == 1
        table = doc.tables.all[0]
        cells = _cells(table)
        assert cells[0] == [column_label(c, lang) for c in ("name_ko", "amount_krw", "events")]
        assert [r[0] for r in cells[1:3]] == [FORMULA, HOSTILE] and cells[3][0].startswith("아주 긴 항목")
        assert [r[1:] for r in cells[1:]] == [["1,100.0", "—"], ["331.7", "1"], ["60.0", "12"]]
        assert _alignment(doc, table.cell(1, 1)) == "RIGHT" and _alignment(doc, table.cell(1, 0)) != "RIGHT"
        assert _alignment(doc, table.cell(0, 1)) != "RIGHT"
        _assert_tables_show_their_text(doc)
        _assert_headers_fit(table)
        assert table.treat_as_char  # a short table: laid out as a character, never broken over two pages
        assert table.cell(3, 0).height > table.cell(1, 0).height  # the long name wraps: a higher row
        assert "숨은 표" not in text  # memo=False

        # the figure embedded at the full text width, its caption below
        assert len(doc.media.images) == 1 and doc.media.images[0].format == "png"
        size, margins = doc.page.size(), doc.page.margins()
        (picture,) = doc.media.picture_references()
        assert picture.width == size.width - margins.left - margins.right
        assert picture.height == round(picture.width * 300 / 600)
        # each captioned with its own title (an analyst's figure and table: their names), not a section
        assert _captions(doc) == (["그림 1. f", "표 1. x"] if lang == "ko" else ["Figure 1. f", "Table 1. x"])
        texts = [p.text for p in doc.paragraphs]
        holds_picture = [any(etree.QName(e).localname == "pic" for e in p.element.iter()) for p in doc.paragraphs]
        holds_table = [bool(p.tables) for p in doc.paragraphs]
        assert holds_picture[texts.index(_captions(doc)[0]) - 1]  # below the figure
        assert holds_table[texts.index(_captions(doc)[1]) + 1]  # above the table

        # sources
        assert "28cadcb95a67" in text and "12, 40, 51" in text and ds_2024.fingerprint[:12] in text
        cpi, fx = ("통계청", "한국은행") if lang == "ko" else ("Statistics Korea", "Bank of Korea")
        assert text.count(cpi) == 1 and text.count(fx) == 1 and "0.1.0" in text  # each source once

        _assert_fonts(doc, path)
        _assert_no_numbering(doc)
        _assert_sources_kept_together(doc)
        meta = doc.parts.metadata
        assert meta.title == title and meta.creator == "citynet-analysis" and meta.keyword == "citynet; 2024"
        assert meta.language == lang
        assert not meta.lastsaveby and not meta.date  # nothing left from python-hwpx's blank document
    _assert_page_number_and_language(path, lang)

    # document text is text: no element made of it, the markup escaped in the XML
    section = _section_xml(path)
    assert not [e for e in section.iter() if etree.QName(e).localname in ("b", "script")]
    with zipfile.ZipFile(path) as z:
        raw = z.read("Contents/section0.xml").decode("utf-8")
    assert "&lt;b&gt;x&lt;/b&gt; &amp; \"q\"" in raw and "<b>" not in raw


def test_header_words_fit_their_columns_and_a_long_table_flows(tmp_path, ds_2024):
    """Every header word fits its column, measured as drawn without 맑은 고딕 (LibreOffice broke "Sourc|e
    line", "Event|s", "Not|e"); a table of many rows flows over pages (broken between rows, its header row
    repeated), a short one does not."""
    outline = memo_outline(_year_folder(tmp_path), 2024, ds_2024, "en")
    header = ("Fiscal year", "Amount (million KRW)", "Basis", "YoY nominal (%)", "Constant 2020 (million KRW)",
              "YoY real (%)", "USD (thousand)", "YoY USD (%)", "Note")
    rows = tuple((str(2000 + i), "1,100.0", "final budget per settlement", "27.2", "963.4", "24.3", "806.5",
                  "21.7", "") for i in range(KEEP_TOGETHER_ROWS))
    outline.blocks += [Table("Table 2. Budget growth", header, rows, (True, True) + (False,) + (True,) * 5 + (False,)),
                       Table("표 3. 집행률", ("회계연도", "금액 (백만원)", "2020년 불변 (백만원)", "원문 행"),
                             (("2024", "1,100.0", "963.4", "30"),), (True,) * 4)]
    path = tmp_path / "m.hwpx"
    path.write_bytes(render(outline))
    with _open(path) as doc:
        short, long, korean = doc.tables.all
        assert short.treat_as_char and korean.treat_as_char and not long.treat_as_char
        for table in (short, long, korean):
            _assert_headers_fit(table)
        assert _cells(long)[0] == list(header) and _cells(korean)[0][1] == "금액 (백만원)"
        # the header row as high as its words on lines of their own
        assert long.cell(0, 4).height >= 4 * 900 * 1.3
        _assert_tables_show_their_text(doc)


def test_a_folder_without_notebooks_gets_no_memo(tmp_path, ds_2024):
    (tmp_path / "tables").mkdir()
    assert write_hwpx_memo(tmp_path, 2024, ds_2024, "ko", report_name(2024)) is None
    assert not list(tmp_path.glob("*.hwpx")) and not list(tmp_path.glob(".*"))


def test_render_gives_the_bytes_of_the_file(tmp_path, ds_2024):
    outline = memo_outline(_year_folder(tmp_path), 2024, ds_2024, "ko")
    data = render(outline)
    assert data[:4] == b"PK\x03\x04" and data[38:38 + len(MIMETYPE)] == MIMETYPE


def test_it_is_a_registered_publisher_with_a_portal_label():
    assert [p for p in registered() if p.name == "hwpx_memo"] == [PUBLISHER]
    assert PUBLISHER.kind == "hwpx" and PUBLISHER.file("citynet_2023_ko") == "citynet_2023_ko_memo.hwpx"
    label = vocabulary.labels("portal_labels")[PUBLISHER.label]
    assert label == {"ko": "보고 메모 (한글)", "en": "Memo (Hangul, HWPX)"}


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_word_and_hwpx_memos_have_the_same_captions(tmp_path, ds_2024, lang):
    folder = _year_folder(tmp_path)
    with _open(write_hwpx_memo(folder, 2024, ds_2024, lang, report_name(2024, lang))) as doc:
        captions = _captions(doc)
    assert captions and captions == _word_captions(write_memo(folder, 2024, ds_2024, lang, report_name(2024, lang)))


# -- the memos of the whole batches ------------------------------------------------------------------------

def _memo_records(year_dir: Path) -> list:
    out = []
    for nb in sorted(year_dir.glob("*.ipynb")):
        out += records(nbformat.read(nb, as_version=4))
    return out


def _plain(markdown_line: str) -> str:
    """A summary line as the memo shows it: emphasis and backslash escapes gone."""
    from citynet_analysis.reporting.publishers.outline import markdown_runs

    return "".join(piece for piece, _, _ in markdown_runs(markdown_line))


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_2024_hwpx_memo(lang, batch_ko, batch_en):
    out = (batch_ko if lang == "ko" else batch_en)[0]
    path = memo_path(out, 2024, "hwpx", lang)
    _assert_package(path)
    with _open(path) as doc:
        text = doc.text.plain()
        paragraphs = [p.text for p in doc.paragraphs]
        assert paragraphs[0] == ("시티넷 사무국 운영 지원 · 2024 회계연도" if lang == "ko"
                                 else "Support for the CityNet secretariat · FY2024")
        # FY2024 budget 1,100,000,000 won; FY2023 864,910,000: +27.18%
        assert ("1,100.0백만원" if lang == "ko" else "KRW 1,100.0 million") in text
        assert "+27.2%" in text
        # 2020–2024 CAGR, nominal: (1,100,000,000 / 698,280,000) ** (1/4) - 1 = 12.03%
        assert ("명목 12.0%" if lang == "ko" else "12.0%") in text
        # every summary line of the notebooks, whole, as one paragraph
        lines = [line for r in _memo_records(report_folder(out, 2024, lang)) if r.kind == "summary" and r.memo
                 for line in r.lines]
        assert lines and all(_plain(line) in paragraphs for line in lines)

        composition = _table_with(doc, column_label("name_ko", lang), column_label("share_of_total_pct", lang))
        rows = {r[0].split(" (")[0]: r for r in composition}
        assert rows["임대료 및 관리비 등"][2] == "232.4"  # 232,400,000 won
        assert rows["인건비"][2] == "331.7" and rows["사업비"][2] == "480.4"  # 331,690,000 and 480,350,000 won
        execution = _table_with(doc, column_label("available_krw", lang))
        assert ["2022", "834.4", "834.4", "0.0", "0.0", "100.0", "130"] in execution  # settlement line 130
        _assert_tables_show_their_text(doc)

        # the figures embedded, one per Figure block of the outline (the analyst's chart too)
        figures = [r for r in _memo_records(report_folder(out, 2024, lang)) if r.kind == "figure" and r.memo]
        assert len(doc.media.images) == len(doc.media.picture_references()) == len(figures) >= 5
        if lang == "ko":
            assert "spending_by_side" in {r.name for r in figures}
        with zipfile.ZipFile(path) as z:
            assert len([n for n in z.namelist() if n.startswith("BinData/")]) == len(figures)
        _assert_fonts(doc, path)
        _assert_no_numbering(doc)
        _assert_sources_kept_together(doc)
        # the data checks by document and source line
        checks = _table_with(doc, column_label("severity", lang), column_label("message", lang))
        lines = [int(r[1]) for r in checks]
        assert lines == sorted(lines) and len(lines) >= 5
    _assert_page_number_and_language(path, lang)
    assert _captions_of(path) == _word_captions(memo_path(out, 2024, lang=lang))


def _captions_of(path: Path) -> list[str]:
    with _open(path) as doc:
        return _captions(doc)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_hwpx_memo_follows_its_notebooks(lang, batch_ko, batch_en):
    out = (batch_ko if lang == "ko" else batch_en)[0]
    years = [2020, 2021, 2022, 2023, 2024]
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [report_name(y, lang) for y in years]
    for year in years:
        path = memo_path(out, year, "hwpx", lang)
        _assert_package(path)
        recs = _memo_records(report_folder(out, year, lang))
        with _open(path) as doc:
            figures = [r for r in recs if r.kind == "figure" and r.memo]
            assert len(doc.media.picture_references()) == len(figures), year
            tables = [r for r in recs if r.kind == "table" and r.memo]
            assert len(doc.tables.all) == len(tables), year
            for record, table in zip(tables, doc.tables.all, strict=True):
                # no index column: the first header is the label of the first shown column
                assert table.cell(0, 0).text == column_label(record.columns[0], lang)
                _assert_headers_fit(table)
                assert table.column_count == len(record.columns)
            h1 = [heading_text(r, lang) for r in in_language(recs, lang) if r.kind == "heading" and r.level == 1]
            paragraphs = [p.text for p in doc.paragraphs]
            assert all(h in paragraphs for h in h1 + ["자료 출처" if lang == "ko" else "Sources"])
            _assert_tables_show_their_text(doc)
        assert _captions_of(path) == _word_captions(memo_path(out, year, lang=lang)), year


def test_outline_figures_are_the_embedded_images(tmp_path, ds_2024):
    """One BinData entry per Figure block, holding that figure's PNG."""
    folder = _year_folder(tmp_path)
    outline = memo_outline(folder, 2024, ds_2024, "ko")
    pngs = [b.path.read_bytes() for b in outline.blocks if isinstance(b, Figure)]
    path = write_hwpx_memo(folder, 2024, ds_2024, "ko", report_name(2024))
    with zipfile.ZipFile(path) as z:
        embedded = [z.read(n) for n in sorted(z.namelist()) if re.match(r"BinData/", n)]
    assert embedded == pngs
