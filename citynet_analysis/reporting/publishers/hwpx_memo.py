"""The Hangul (한글) memo of a fiscal year (``memo_<year>.hwpx``): the memo outline
(:mod:`~citynet_analysis.reporting.publishers.outline`, the same one the Word memo renders) written as
HWPX (OWPML, KS X 6101) with python-hwpx: the title block, each notebook's title, summary bullets,
figures embedded at the full text width with a caption, tables (header row repeated on every page,
numbers right-aligned), then the sources. No number is computed a second way: every text is the
outline's string.

HWPX is a zip whose first entry is an uncompressed ``mimetype`` (``application/hwp+zip``), with
``Contents/header.xml`` (fonts, character and paragraph shapes, styles), ``Contents/section0.xml`` (the
body) and ``BinData/`` (the figures). python-hwpx (Apache-2.0, alpha, pinned in constraints.txt) writes it
from its blank document; only its documented API is used: ``HwpxDocument.new``, ``add_paragraph``,
``add_table`` (``set_treat_as_char``), ``add_picture``, ``doc.styles`` (``replace_font``, ``ensure_run``,
``apply_paragraph_format``, ``apply_list_format``), ``doc.page`` (``setup``, ``set_page_number``: the page
number centred in the footer, as in the Word memo) and ``doc.parts``. What that API does not offer: a
table's header row repeated on every page is two OWPML attributes set on the table's element
(``repeatHeader``, the cells' ``header``); the document's language (``ko`` or ``en``, the blank says
``ko``) is written into ``Contents/content.hpf`` by :func:`stable_package`.

Fonts: 맑은 고딕 throughout, Hangul, Latin letters and digits alike and in either language, set where
한글 reads them, in the document's font table: the blank document's faces are replaced in every script's
block, so every character shape, every style (바탕글, 본문, 개요, 캡션 …) and every run points at it. Why
not 함초롬바탕 for the body, 한글's default: the memo is mostly short summary lines, charts and tables of
numbers read on a screen, where a gothic face reads better at 9–10 pt; the Word memo of the same outline
sets 맑은 고딕 for Hangul too, so the two look alike; and 맑은 고딕 is on every Windows PC, while the 함초롬
faces come with 한글 itself, so a reader without 한글 (a converter, a phone, LibreOffice) substitutes them.
Why one face for Latin text too, where the English Word memo uses Calibri: one face's metrics are what
the table rows are measured with, and a 한글 document in one face is what its readers expect.

Tables are laid out as the Word memo's (:func:`~.word_memo.column_widths`), measured with the widths of
the face a reader without 맑은 고딕 draws Latin text in (:func:`_ems`, with the letter spacing LibreOffice's
H2Orestart filter adds), so that every header word fits its column and a header breaks at its spaces
(``Source`` / ``line``, not ``Sourc`` / ``e line``). 한글 keeps Hangul words whole too (the paragraphs'
``breakNonLatinWord="BREAK_WORD"``, 한글's "어절"); H2Orestart ignores that setting and breaks Hangul between
any two syllables (``금액 (`` / ``백만원)``) where a header is wider than its column. The header's text is not
broken by hand: line breaks would stay when a reader widens the column. Their rows are as high as their
text (lines × line height + the cell margins, the lines estimated from the characters' widths, rather too
many than too few), not python-hwpx's 282-unit default: 한글 grows a low row to fit its text, but other
readers (LibreOffice's H2Orestart filter) clip it and show empty cells. A table of a few rows
(:data:`~.word_memo.KEEP_TOGETHER_ROWS`) is laid out as a character, which 한글 never breaks over two
pages; a longer one flows (not as a character), broken between rows with its header row repeated, so it
does not leave the rest of a page blank. The sources are kept together (keep with next), as in the Word
memo. Headings are
plain paragraphs in a heading shape, not 한글's 개요 styles, which number themselves (1., 가.) where the
Word memo has no numbers; the blank document's first paragraph (the one holding the page setup) takes the
title, so the memo does not start with an empty line.

Document text (item names, anomaly messages) is never formatting: summary lines are parsed with
:func:`~citynet_analysis.reporting.publishers.outline.markdown_runs` (emphasis only), and every text is
made XML-safe with :func:`~citynet_analysis.reporting.escape.xml_text` before python-hwpx writes it as a
text node. A year folder without notebooks gets no memo (``write_hwpx_memo`` returns None).

Same bytes every run (docs/reproducible.md): the memo's date and the package's dates (``content.hpf``,
the zip entries) are the build date (:func:`citynet_analysis.config.build_date`); python-hwpx gives every
new paragraph, table, picture and footer a random ``id`` (and a picture its ``instid``), which
:func:`stable_ids` renumbers in document order (python-hwpx has no API to choose them); the package is
rewritten by :func:`~.packaging.normalize_zip` in python-hwpx's entry order, ``mimetype`` first and
uncompressed."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from pathlib import Path

import pandas as pd

from ... import config
from ..notebook.escape import xml_text
from .outline import (
    Bullets,
    Figure,
    Heading,
    Outline,
    Table,
    Text,
    markdown_runs,
    memo_file,
    word,
    write_memo_file,
)
from .packaging import normalize_zip
from .publisher import Publisher, Scope
from .word_memo import KEEP_TOGETHER_ROWS, column_widths

#: The face of every script: Hangul, Latin letters and digits, Hanja, symbols; in either language.
FONT = "맑은 고딕"
#: The blank document's faces (함초롬바탕 for 바탕글/본문, 함초롬돋움 for the rest), replaced by FONT.
_BLANK_FONTS = ("함초롬바탕", "함초롬돋움")

INK = "#1F2A44"  # as the Word memo's template
GREY = "#555F6D"
RULE = "#BFC5CE"
HEADER_FILL = "#E4E8EF"
TITLE_RULE = "#4F81BD"

_MARGIN_MM = 20.0  # A4, text 2 cm from the paper's edges, as in the Word memo
_HEADER_MM = 10.0  # 한글 puts the header (footer) area between the top (bottom) margin and the text
_EMU_PER_UNIT = 127  # 914,400 EMU or 7,200 HWPUNIT an inch

_CELL_PT = 9
_CELL_SPACING = 130  # % of the cell text's size

#: Character shapes: size (pt), bold, colour.
_CHARS = {
    "body": (10, False, None),
    "title": (20, True, INK),
    "subtitle": (10, False, GREY),
    "heading": (14, True, INK),
    "caption": (9, True, GREY),
    "cell": (_CELL_PT, False, None),
    "cell_header": (_CELL_PT, True, None),
}
#: Paragraph shapes, in python-hwpx's human units (pt, mm, %).
_PARAGRAPHS = {
    "title": {"alignment": "LEFT", "line_spacing_percent": 130, "spacing_after_pt": 6,
              "border": {"sides": ["bottom"], "color": TITLE_RULE, "width": "0.4 mm", "offset_mm": (0, 0, 0, 1.4)}},
    "subtitle": {"alignment": "LEFT", "spacing_after_pt": 18},
    "heading": {"alignment": "LEFT", "line_spacing_percent": 130, "spacing_before_pt": 18,
                "spacing_after_pt": 6, "keep_with_next": True},
    "body": {"alignment": "LEFT", "line_spacing_percent": 150, "spacing_after_pt": 6},
    "bullet": {"alignment": "LEFT", "line_spacing_percent": 150, "spacing_after_pt": 3},
    # the sources: bullets kept together, so the list is not split leaving a line or two on a last page
    "bullet_kept": {"alignment": "LEFT", "line_spacing_percent": 150, "spacing_after_pt": 3, "keep_with_next": True},
    # the blank's line spacing (160%) kept: at 100% H2Orestart crops the picture's top and bottom
    "figure": {"alignment": "CENTER", "spacing_before_pt": 6, "keep_with_next": True},
    "caption": {"alignment": "LEFT", "spacing_before_pt": 3, "spacing_after_pt": 10},
    "table_caption": {"alignment": "LEFT", "spacing_before_pt": 3, "spacing_after_pt": 4,
                      "keep_with_next": True},
    "table_after": {"alignment": "LEFT", "spacing_after_pt": 8},
    "cell": {"alignment": "LEFT", "line_spacing_percent": _CELL_SPACING},
    "cell_number": {"alignment": "RIGHT", "line_spacing_percent": _CELL_SPACING},
}
_CELL_MARGIN = (425, 425, 141, 141)  # left, right, top, bottom: 1.5 mm and 0.5 mm
#: Air beside a column's text (HWPUNIT), over its margins: readers draw the margins a little wider
#: (LibreOffice's H2Orestart about 0.85 pt a side) and a word that just fits may not.
_CELL_AIR = 300
#: Widths of characters in em, for the columns' widths and the rows' heights: a Hangul syllable (any East
#: Asian wide or ambiguous character) is one em; Latin letters, digits and signs are taken as DejaVu Sans
#: draws them, a little wider (a reader without 맑은 고딕 draws Latin text in it; 맑은 고딕's are narrower),
#: so that a column is rather too wide and a row rather too high than too low.
_WIDE_EM, _LATIN_EM = 1.0, 0.62  # lower-case letters, digits and the signs not listed below
_LATIN_WIDE = {ch: 1.0 for ch in "mwMW%@"}
_LATIN_NARROW = {ch: 0.4 for ch in "'ijlIJ|\\,.:;-f!()[]rt`\"*/"} | {" ": 0.32}
_LATIN_CAPITAL = 0.75  # other capitals and wide signs (# & + < = > ~ ^ $ _)
_BOLD = 1.1  # the header row's bold Latin text is that much wider
_TRACKING = 0.05  # em between two characters (H2Orestart spaces 9-pt letters 0.4 pt apart)
_FILL = 0.92  # how much of a cell's line a reader fills before it breaks (word breaks, rounding, margins)


def write_hwpx_memo(folder: Path, fiscal_year: int, ds, lang: str, name: str) -> Path | None:
    """Write ``folder/<name>_memo.hwpx`` from the folder's memo outline (None without notebooks)."""
    return write_memo_file(folder, fiscal_year, ds, lang, name, "hwpx", render)


def render(outline: Outline) -> bytes:
    """The outline as the bytes of an HWPX file, the same bytes for the same outline and build date."""
    from hwpx import HwpxDocument

    doc = HwpxDocument.new()
    try:
        memo = _Memo(doc, outline.lang)
        memo.title(outline.title, outline.subtitle)
        for block in outline.blocks:
            if isinstance(block, Heading):
                memo.paragraph(block.text, "heading")
            elif isinstance(block, Bullets):
                for line in block.lines:
                    memo.markdown(line, "bullet")
            elif isinstance(block, Text):
                memo.markdown(block.text, "body")
            elif isinstance(block, Figure):
                memo.figure(block)
            elif isinstance(block, Table):
                memo.table(block)
        memo.paragraph(word("sources", outline.lang), "heading")
        for i, line in enumerate(outline.sources, 1):
            memo.paragraph(line, "bullet" if i == len(outline.sources) else "bullet_kept")
        _metadata(doc, outline)
        return stable_package(doc.to_bytes(), language=outline.lang)
    finally:
        doc.close()


#: The first entry of an HWPX package (stored, not compressed: readers identify the format by it).
MIMETYPE = "mimetype"
_SECTION = re.compile(r"Contents/section\d+\.xml")
#: Elements python-hwpx creates with a random id: paragraphs, tables, pictures (id and instid), the footer
#: (and the section's reference to it, ``footerApply idRef``).
_NEW_OBJECT = re.compile(rb"<hp:(?:p|tbl|pic|header|footer|headerApply|footerApply)\s[^>]*>")
_RANDOM_ID = re.compile(rb'(\s(?:id|instid|idRef)=")(\d+)(")')
#: The package's description (title, language, dates …) and its language element.
_CONTENT = "Contents/content.hpf"
_LANGUAGE = re.compile(rb"(<opf:language>)[^<]*(</opf:language>)")


def stable_package(data: bytes, language: str | None = None) -> bytes:
    """The saved package with :func:`stable_ids` in its sections, ``language`` (``ko``, ``en``) as its
    language in ``Contents/content.hpf`` (python-hwpx's blank document says ``ko`` and has no API to
    change it), and :func:`~.packaging.normalize_zip`'s fixed entry dates (the build date), ``mimetype``
    first and stored."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        names = src.namelist()
        sections = [n for n in names if _SECTION.fullmatch(n)]
        mapping: dict[bytes, bytes] = {b"0": b"0"}  # the blank document's first paragraph: id 0, kept
        texts = {n: stable_ids(src.read(n), mapping) for n in sections}
        if language and _CONTENT in names:
            texts[_CONTENT] = _LANGUAGE.sub(rb"\g<1>" + language.encode("ascii") + rb"\g<2>", src.read(_CONTENT))
        if not texts:
            return normalize_zip(data, config.build_time(), first=(MIMETYPE,), sort=False)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as dst:
            for info in src.infolist():
                dst.writestr(info, texts.get(info.filename, src.read(info)))
    return normalize_zip(out.getvalue(), config.build_time(), first=(MIMETYPE,), sort=False)


def stable_ids(xml: bytes, mapping: dict[bytes, bytes] | None = None) -> bytes:
    """A section's XML with the random ids python-hwpx gave its paragraphs, tables, pictures and footer
    replaced by 1, 2, 3 … in document order. One value is one number throughout (``mapping``, shared by
    the sections of a document: a picture's ``instid`` equal to its ``id`` stays equal, the section's
    ``footerApply idRef`` names its footer)."""
    mapping = {b"0": b"0"} if mapping is None else mapping

    def number(m: re.Match) -> bytes:
        old = m.group(2)
        if old not in mapping:
            mapping[old] = str(len(mapping)).encode()
        return m.group(1) + mapping[old] + m.group(3)

    return _NEW_OBJECT.sub(lambda tag: _RANDOM_ID.sub(number, tag.group(0)), xml)


def _metadata(doc, outline: Outline) -> None:
    """Title, subject, keywords and author in ``Contents/content.hpf``, the build date
    (:func:`citynet_analysis.config.build_time`) as its dates; what the blank document said there (its
    author, a date in words) and its preview text and image cleared."""
    stamp = config.build_time().strftime("%Y-%m-%dT%H:%M:%SZ")
    doc.parts.clear_document_metadata(keep=("title", "language"), timestamp=stamp)  # the blank's author, date
    doc.parts.set_document_metadata(title=xml_text(outline.title), creator="citynet-analysis",
                                    subject=xml_text(outline.program), keyword=xml_text(outline.keywords),
                                    created_date=stamp, modified_date=stamp)
    doc.parts.clear_preview()


class _Memo:
    """The document being written: its fonts, character and paragraph shapes, text width."""

    def __init__(self, doc, lang: str):
        self.doc, self.lang = doc, lang
        doc.page.setup(paper_size="A4", orientation="PORTRAIT", margins_mm={
            "left": _MARGIN_MM, "right": _MARGIN_MM, "top": _MARGIN_MM - _HEADER_MM,
            "bottom": _MARGIN_MM - _HEADER_MM}, header_margin_mm=_HEADER_MM, footer_margin_mm=_HEADER_MM)
        doc.page.set_page_number(format="page", align="CENTER")  # in the footer, as the Word memo's
        _set_fonts(doc)
        self.chars = {name: doc.styles.ensure_run(size=size, bold=bold, color=color or "#000000",
                                                  base_char_pr_id="0")
                      for name, (size, bold, color) in _CHARS.items()}
        self.emphasis: dict[tuple[str, bool, bool], str] = {}
        self.shapes: dict[str, str] = {}  # paragraph shape name -> paraPr id, made on first use
        size = doc.page.size()
        margins = doc.page.margins()
        self.text_width = int(size.width - margins.left - margins.right - margins.gutter)
        self.border = doc.styles.ensure_border_fill(border_color=RULE, border_width="0.12 mm",
                                                    active_borders=("top", "bottom"))
        self.header_border = doc.styles.ensure_border_fill(border_color=INK, border_width="0.4 mm",
                                                           fill_color=HEADER_FILL,
                                                           active_borders=("top", "bottom"))

    # -- paragraphs -------------------------------------------------------------------------------------

    def _new(self, shape: str):
        """A new empty body paragraph in paragraph shape ``shape``."""
        p = self.doc.add_paragraph("", para_pr_id_ref=self.shapes.get(shape, "0"), style_id_ref="0",
                                   char_pr_id_ref=self.chars["body"], include_run=False, inherit_style=False)
        self._shape(p, shape)
        return p

    def _shape(self, p, shape: str) -> None:
        """Give ``p`` the paragraph shape ``shape`` (made with python-hwpx on first use, then reused)."""
        if shape in self.shapes:
            p.para_pr_id_ref = self.shapes[shape]
            return
        p.para_pr_id_ref = "0"
        self.doc.styles.apply_paragraph_format(paragraphs=[p], **_PARAGRAPHS[shape])
        if shape.startswith("bullet"):
            index = next(i for i, q in enumerate(self.doc.paragraphs) if q.element is p.element)
            self.doc.styles.apply_list_format(paragraph_index=index, kind="bullet", bullet_char="•")
        self.shapes[shape] = p.para_pr_id_ref

    def _char(self, name: str, bold: bool = False, italic: bool = False) -> str:
        """The character shape ``name``, made bold and/or italic for Markdown emphasis."""
        if not (bold or italic):
            return self.chars[name]
        key = (name, bold, italic)
        if key not in self.emphasis:
            self.emphasis[key] = self.doc.styles.ensure_run(bold=bold or None, italic=italic or None,
                                                            base_char_pr_id=self.chars[name])
        return self.emphasis[key]

    def title(self, title: str, subtitle: str) -> None:
        """The title in the blank document's first paragraph (it holds the page setup), the subtitle."""
        first = self.doc.paragraphs[0]
        self._shape(first, "title")
        first.add_run(xml_text(title), char_pr_id_ref=self.chars["title"])
        self.paragraph(subtitle, "subtitle", char="subtitle")

    def paragraph(self, text: str, shape: str, char: str | None = None):
        p = self._new(shape)
        p.add_run(xml_text(text), char_pr_id_ref=self.chars[char or ("heading" if shape == "heading" else "body")])
        return p

    def markdown(self, text: str, shape: str):
        """A summary line (Markdown with emphasis only) as runs, bold where it says ``**…**``."""
        p = self._new(shape)
        for piece, bold, italic in markdown_runs(text):
            p.add_run(xml_text(piece), char_pr_id_ref=self._char("body", bold, italic))
        return p

    # -- figures and tables -------------------------------------------------------------------------------

    def figure(self, figure: Figure) -> None:
        """The PNG embedded (``BinData/``) at the full text width, its caption below."""
        from PIL import Image

        with Image.open(figure.path) as img:
            w, h = img.size
        data = Path(figure.path).read_bytes()
        self.doc.add_picture(data, "png", width=self.text_width, height=round(self.text_width * h / w),
                             para_pr_id_ref=self.shapes.get("figure", "0"), style_id_ref="0",
                             char_pr_id_ref=self.chars["body"])
        self._shape(self.doc.paragraphs[-1], "figure")
        self.paragraph(figure.caption, "caption", char="caption")

    def table(self, table: Table) -> None:
        """The table as the notebook shows it: its caption above, a shaded header row repeated on every
        page, numbers right-aligned, every row as high as its text."""
        self.paragraph(table.caption, "table_caption", char="caption")
        header, rows, numeric = list(table.header), [list(r) for r in table.rows], list(table.numeric)
        view = pd.DataFrame(rows, columns=header) if rows else pd.DataFrame(columns=header)
        widths = [w // _EMU_PER_UNIT for w in column_widths(view, numeric, self.text_width * _EMU_PER_UNIT,
                                                            measure=_drawn_emu, padding=_PADDING_EMU)]
        texts = [header] + rows
        heights = [_row_height(row, widths, r == 0) for r, row in enumerate(texts)]
        tbl = self.doc.add_table(len(texts), len(header), width=sum(widths), height=sum(heights),
                                 border_fill_id_ref=self.border, para_pr_id_ref=self.shapes.get("table_after", "0"),
                                 style_id_ref="0", char_pr_id_ref=self.chars["body"])
        self._shape(self.doc.paragraphs[-1], "table_after")
        tbl.element.set("repeatHeader", "1")  # OWPML: header cells repeat on every page the table spans
        if len(texts) > KEEP_TOGETHER_ROWS:
            tbl.set_treat_as_char(False)  # a long table flows: broken between rows at a page's end
        for r, (row, height) in enumerate(zip(texts, heights, strict=True)):
            for c, text in enumerate(row):
                cell = tbl.cell(r, c)
                cell.set_size(width=widths[c], height=height)
                cell.set_margins(left=_CELL_MARGIN[0], right=_CELL_MARGIN[1], top=_CELL_MARGIN[2],
                                 bottom=_CELL_MARGIN[3])
                cell.text = xml_text(text)
                p = cell.paragraphs[0]
                p.char_pr_id_ref = self.chars["cell_header" if r == 0 else "cell"]
                self._shape(p, "cell_number" if numeric[c] and r > 0 else "cell")
                if r == 0:
                    cell.element.set("header", "1")
                    tbl.set_cell_border_fill(r, c, self.header_border)


_PADDING_EMU = (_CELL_MARGIN[0] + _CELL_MARGIN[1] + _CELL_AIR) * _EMU_PER_UNIT


def _ems(text: str, bold: bool = False) -> float:
    """How wide ``text`` is drawn, in em (:data:`_WIDE_EM`, :data:`_LATIN_EM` …); bold Latin text wider."""
    out = 0.0
    for ch in text:
        if unicodedata.east_asian_width(ch) in "WFA":
            out += _WIDE_EM
            continue
        em = _LATIN_WIDE.get(ch) or _LATIN_NARROW.get(ch) or (
            _LATIN_CAPITAL if ch.isupper() or ch in "#&+<=>~^$_" else _LATIN_EM)
        out += em * (_BOLD if bold else 1.0)
    return out + _TRACKING * len(text)


def _drawn_emu(text: str, bold: bool = False) -> float:
    """How wide ``text`` is in a table cell (9 pt), EMU: the columns' widths are measured with it."""
    return _ems(text, bold) * _CELL_PT * 12_700


def _row_height(texts: list[str], widths: list[int], bold: bool = False) -> int:
    """A row as high as its tallest cell: its lines (estimated from its characters' widths, ``bold`` text
    wider, words kept whole) times the line height, plus the cell's top and bottom margins and a little
    air."""
    pitch = _CELL_PT * _CELL_SPACING  # HWPUNIT: 1 pt = 100
    lines = max((_lines(t, (w - _CELL_MARGIN[0] - _CELL_MARGIN[1]) * _FILL / (_CELL_PT * 100), bold)
                 for t, w in zip(texts, widths, strict=True)), default=1)
    return lines * pitch + _CELL_MARGIN[2] + _CELL_MARGIN[3] + 100


def _lines(text: str, ems: float, bold: bool = False) -> int:
    """How many lines ``text`` takes in a cell ``ems`` em wide, breaking between words (a word longer than
    a line is broken)."""
    per_line = max(ems, 1.0)
    space = _ems(" ", bold)
    lines, used = 1, 0.0
    for piece in str(text).split():
        w = _ems(piece, bold)
        if used and used + space + w > per_line:
            lines, used = lines + 1, 0.0
        used += (space if used else 0.0) + w
        while used > per_line:
            lines, used = lines + 1, used - per_line
    return lines


def _set_fonts(doc) -> None:
    """Every character shape in FONT: the blank document's faces replaced in its font table (every
    script's block), so its styles, every character shape made from them and every run use it."""
    for face in _BLANK_FONTS:
        doc.styles.replace_font(face, FONT)


PUBLISHER = Publisher(name="hwpx_memo", scope=Scope.YEAR, publish=write_hwpx_memo, file=lambda name: memo_file(name, "hwpx"),
                      label="memo_hwpx", kind="hwpx")
