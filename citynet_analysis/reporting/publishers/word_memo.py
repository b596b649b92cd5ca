"""The Word memo of a fiscal year (``memo_<year>.docx``): the memo outline
(:mod:`~citynet_analysis.reporting.publishers.outline`, built from the executed notebooks' records, the
CSVs in ``tables/`` and the PNGs in ``figures/``) rendered with python-docx: the title block, each
notebook's title, summary bullets, figures at the full text width with a caption, tables (header row
repeated on every page, numbers right-aligned), then the sources. No number is computed a second way.

Why python-docx and a reference document, not docxtpl: the memo's content is a variable list of sections,
figures and tables taken from the notebooks (an analyst who adds a chart to a notebook gets it in the
memo), which is plain code with python-docx; docxtpl would put Jinja loops inside Word's XML, which break
as soon as an analyst restyles the template in Word (Word splits and merges the runs that hold the tags).
Here the template (``templates/word/memo.docx``, made by ``scripts/make_memo_template.py``) only holds
styles, page setup and footer: restyle it in Word and the next batch follows. Its sample body is removed.

Korean in Word and in Hangul (한글): python-docx never sets the East Asian font, and a Korean run without
one is drawn with whatever the reader's defaults are (often a Chinese or Latin face). So the memo sets
``w:rFonts`` (Latin and complex script: Malgun Gothic in a Korean memo, so that digits and Latin letters
inside Korean sentences share the Hangul face's metrics; Calibri, Word's default, in an English memo;
East Asian: 맑은 고딕, on every Windows PC since Vista and mapped by Hangul) and ``w:lang`` on the document
defaults, every style and every run: ko-KR for East Asian text (Hangul), en-US for Latin letters and
digits in either memo, as Korean Word's own blank document has them (not ko-KR: LibreOffice takes a run's
Latin language for its digits too and breaks a "Korean" number anywhere, ``10,000,00`` / ``0원``). The
fonts and languages are therefore the one thing a template restyle does not change. The template's
document defaults break Korean text at spaces, never inside a word (``w:wordWrap`` off, which Word applies
to Korean text: its "allow Korean words to break" unchecked; LibreOffice 7.4 ignores it).

A table is kept together: one of a few rows (:data:`KEEP_TOGETHER_ROWS`) moves to the next page whole
rather than leave a row or two behind, a longer one breaks between rows with at least two on each page
(Word's "keep with next" on the rows' paragraphs; no row is split, the header row repeats). The sources
are kept together likewise. A formula or a date in a text (``(B-A)*100/A``, ``2024-12-27``) keeps its
hyphens (Word's non-breaking hyphen), so a line does not end in ``(B-``.

Document text (item names, anomaly messages) is never formatting: summary lines are Markdown that the
summaries escaped, parsed with markdown-it-py with only emphasis, escapes, entities and code spans, so
``**x**`` quoted from a document stays literal; table cells are plain text, with the CSV's protective
``'`` removed. A year folder without notebooks gets no memo (``write_memo`` returns None).

Same bytes every run (docs/reproducible.md): the memo's date, its document properties (created, modified,
last printed) and its zip entries' times are the build date (:func:`citynet_analysis.config.build_date`,
$SOURCE_DATE_EPOCH or today); the author is ``citynet-analysis <version>``; the template's application
name and thumbnail are not carried over; the package is rewritten by :func:`~.packaging.normalize_zip`, which the
HWPX memo and the workbook use too."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from ... import config
from ...config import TEMPLATE_DIR
from ..notebook.escape import xml_text
from ..notebook.format import text_width
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
from .packaging import OOXML_FIRST, normalize_zip
from .publisher import Publisher, Scope

TEMPLATE = TEMPLATE_DIR / "word" / "memo.docx"
#: Custom styles of the template (the others are Word's built-in ones).
FIGURE_STYLE = "Figure"
TABLE_STYLE = "Memo Table"
TABLE_TEXT_STYLE = "Table Text"

EAST_ASIA_FONT = "맑은 고딕"
LATIN_FONT = {"ko": "Malgun Gothic", "en": "Calibri"}
#: The memo's language (its document properties).
LANG_TAG = {"ko": "ko-KR", "en": "en-US"}
#: The language of Latin letters and digits (``w:lang/@w:val``), in either memo: see the module's docstring.
LATIN_LANG = "en-US"
EAST_ASIA_LANG = "ko-KR"

_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")


def write_memo(folder: Path, fiscal_year: int, ds, lang: str, name: str) -> Path | None:
    """Write ``folder/<name>_memo.docx`` from the folder's memo outline (None without notebooks)."""
    return write_memo_file(folder, fiscal_year, ds, lang, name, "docx", docx_bytes)


def docx_bytes(outline: Outline) -> bytes:
    """The outline as the bytes of a .docx: :func:`render`, saved and normalised (:func:`~.packaging.normalize_zip`)."""
    buf = io.BytesIO()
    render(outline).save(buf)
    return normalize_zip(buf.getvalue(), config.build_time(), first=OOXML_FIRST)


def render(outline: Outline):
    """The outline as a python-docx Document in the template's styles, fonts set for Word and Hangul."""
    lang = outline.lang
    memo = _Memo(lang)
    memo.paragraph(outline.title, "Title")
    memo.paragraph(outline.subtitle, "Subtitle")
    for block in outline.blocks:
        if isinstance(block, Heading):
            memo.paragraph(block.text, f"Heading {block.level}")
        elif isinstance(block, Bullets):
            for line in block.lines:
                memo.markdown(line, "List Bullet")
        elif isinstance(block, Text):
            memo.markdown(block.text)
        elif isinstance(block, Figure):
            memo.figure(block)
        elif isinstance(block, Table):
            memo.table(block)
    memo.paragraph(word("sources", lang), "Heading 1")
    for i, line in enumerate(outline.sources, 1):  # kept together: no line or two alone on a last page
        memo.paragraph(line, "List Bullet").paragraph_format.keep_with_next = i < len(outline.sources) or None
    set_document_fonts(memo.doc, lang)
    props = memo.doc.core_properties
    props.title, props.subject, props.language = outline.title[:255], outline.program[:255], LANG_TAG[lang]
    props.author = props.last_modified_by = AUTHOR
    props.keywords, props.comments, props.category = outline.keywords[:255], "", ""
    props.created = props.modified = props.last_printed = config.build_time()
    props.revision = 1
    clean_package(memo.doc)
    return memo.doc


#: Who the memo says wrote it (core properties ``creator`` and ``lastModifiedBy``).
AUTHOR = f"citynet-analysis {config.VERSION}"
#: ``docProps/app.xml`` of the memo: the application that wrote it, not the one that made the template
#: (python-docx's default template says "Microsoft Macintosh Word", with page and word counts of its own).
APP_XML = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
           'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
           f'<Application>citynet-analysis {config.VERSION}</Application><DocSecurity>0</DocSecurity>'
           '<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>'
           '<HyperlinksChanged>false</HyperlinksChanged></Properties>').encode()


def clean_package(doc) -> None:
    """What the template carries about itself, not about the memo: its thumbnail (a picture of a blank
    page; the part is left out of the saved package with its relationship) and its extended properties
    (application name, page and word counts), replaced by :data:`APP_XML`."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    package = doc.part.package
    for r_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[r_id]
        elif rel.reltype == RT.EXTENDED_PROPERTIES and not rel.is_external:
            del package.rels[r_id]
    package.relate_to(Part(PackURI("/docProps/app.xml"),
                           "application/vnd.openxmlformats-officedocument.extended-properties+xml",
                           APP_XML, package), RT.EXTENDED_PROPERTIES)


# -- tables -------------------------------------------------------------------------------------------

_HALF_WIDTH_EMU = 66_000  # a half-width character of 9-pt text, about 5.2 pt (Malgun Gothic is wide)
_CELL_PADDING_EMU = 127_000  # the table style's cell margins (2 x 4 pt) and a little air
_SHORT_TEXT = 12  # text cells up to this width (in half-width characters) are not wrapped
_LONG_WORD = 20  # a word (an id like citynet-fy2024) up to this width is not broken


def column_widths(view: pd.DataFrame, numeric: list[bool], total: int, measure=None,
                  padding: int = _CELL_PADDING_EMU) -> list[int]:
    """Column widths (EMU) summing to ``total``. Each column is first as wide as its numbers, its short
    texts and its longest word (no ``경`` / ``고`` or ``citynet-fy20`` / ``24`` broken over two lines), then
    as its header's longest word (bold, so a little wider) where the page allows; then as wide as its whole
    header and longest text where they fit, else in proportion to what each wants (long messages wrap).
    ``measure(text, bold)``: how wide a text is drawn, EMU (by default :func:`_drawn_emu`); ``padding``: a
    cell's margins and air, EMU."""
    measure = measure or _drawn_emu
    hard, soft, wants = [], [], []
    for i, col in enumerate(view.columns):
        texts = [str(v) for v in view.iloc[:, i]]
        cells = [measure(t, False) for t in texts] or [0]
        words = [w for t in texts for w in t.split()]
        header = str(col)
        low = int(max([measure(t, False) for t in texts if numeric[i] or text_width(t) <= _SHORT_TEXT]
                      + [measure(w, False) for w in words if text_width(w) <= _LONG_WORD]
                      + [measure("00", False)]) + padding)
        head = int(max((measure(w, True) for w in header.split()), default=measure("0", True)) + padding)
        natural = int(max(max(cells), measure(header, True)) + padding)
        hard.append(low)
        soft.append(max(head - low, 0))
        wants.append(max(natural - max(low, head), 0))
    return _share(total, hard, soft, wants)


def _drawn_emu(text: str, bold: bool = False) -> float:
    """How wide ``text`` is in a table cell of the Word memo: its :func:`text_width` in half-width
    characters of 9-pt text, bold a little wider."""
    return text_width(text) * _HALF_WIDTH_EMU * (1.1 if bold else 1.0)


def _share(total: int, *claims: list[int]) -> list[int]:
    """Give ``total`` to the columns claim by claim: each claim in full while it fits, the first that
    does not fit in proportion; what is left after all claims in proportion to the widths so far."""
    widths = [0] * len(claims[0])
    left = total
    for claim in claims:
        need = sum(claim)
        if need >= left:
            return [int(w + left * c / need) for w, c in zip(widths, claim, strict=True)] if need else widths
        widths = [w + c for w, c in zip(widths, claim, strict=True)]
        left -= need
    so_far = sum(widths)
    return [int(w + left * w / so_far) for w in widths]


# -- the document ---------------------------------------------------------------------------------------

class _Memo:
    """The memo being written: the template's styles and its text width."""

    def __init__(self, lang: str):
        from docx import Document

        self.lang = lang
        self.doc = Document(str(TEMPLATE))
        body = self.doc.element.body
        for child in list(body):
            if child.tag != _qn("w:sectPr"):
                body.remove(child)
        section = self.doc.sections[-1]
        self.text_width = section.page_width - section.left_margin - section.right_margin - (section.gutter or 0)

    def style(self, name: str, fallback: str = "Normal"):
        """A style of the template by name; ``fallback`` if the analyst removed it."""
        try:
            return self.doc.styles[name]
        except KeyError:
            return self.doc.styles[fallback]

    def paragraph(self, text: str, style: str = "Normal", bold: bool = False):
        p = self.doc.add_paragraph(style=self.style(style))
        if text:
            add_text(p.add_run(), xml_text(text)).bold = bold or None
        return p

    def markdown(self, text: str, style: str = "Normal"):
        p = self.doc.add_paragraph(style=self.style(style))
        for piece, bold, italic in markdown_runs(text):
            run = add_text(p.add_run(), xml_text(piece))
            run.bold, run.italic = bold or None, italic or None
        return p

    def figure(self, figure: Figure) -> None:
        """The PNG (300 dpi) at the full text width, its caption below."""
        p = self.doc.add_paragraph(style=self.style(FIGURE_STYLE))
        p.add_run().add_picture(str(figure.path), width=self.text_width)
        p.paragraph_format.keep_with_next = True
        self.paragraph(figure.caption, "Caption")

    def table(self, table: Table) -> None:
        """The table as the notebook shows it, with its caption above."""
        caption = self.paragraph(table.caption, "Caption")
        caption.paragraph_format.keep_with_next = True
        self._grid(pd.DataFrame(list(table.rows), columns=list(table.header)), list(table.numeric))

    def _grid(self, view: pd.DataFrame, numeric: list[bool]) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Emu

        table = self.doc.add_table(rows=len(view) + 1, cols=len(view.columns))
        try:
            table.style = self.doc.styles[TABLE_STYLE]
        except KeyError:
            table.style = self.style("Table Grid")
        table.autofit = False
        widths = column_widths(view, numeric, int(self.text_width))
        look = table._tbl.tblPr.find(_qn("w:tblLook"))
        if look is not None:
            look.set(_qn("w:firstColumn"), "0")
        tbl_w = table._tbl.tblPr.find(_qn("w:tblW"))
        if tbl_w is not None:
            tbl_w.set(_qn("w:type"), "dxa")
            tbl_w.set(_qn("w:w"), str(sum(widths) // 635))  # EMU to twentieths of a point
        for i, col in enumerate(table.columns):
            col.width = Emu(widths[i])
        cell_style = self.style(TABLE_TEXT_STYLE)
        rows = [list(map(str, view.columns))] + [[str(v) for v in row] for row in view.itertuples(index=False)]
        kept = kept_with_next(len(rows))
        for r, (row, texts) in enumerate(zip(table.rows, rows, strict=True)):
            tr_pr = row._tr.get_or_add_trPr()
            tr_pr.append(_element("w:cantSplit"))
            if r == 0:
                tr_pr.append(_element("w:tblHeader"))  # repeated on every page
            for i, (cell, text) in enumerate(zip(row.cells, texts, strict=True)):
                cell.width = Emu(widths[i])
                p = cell.paragraphs[0]
                p.style = cell_style
                if numeric[i]:
                    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                if kept[r]:
                    p.paragraph_format.keep_with_next = True
                add_text(p.add_run(), xml_text(text))


#: A table of up to this many rows (its header row included) is kept on one page.
KEEP_TOGETHER_ROWS = 10
#: Rows a longer table keeps together at its start (the header row and two rows) and at its end.
_KEEP_HEAD, _KEEP_TAIL = 3, 2


def kept_with_next(rows: int) -> list[bool]:
    """Which rows of a table of ``rows`` rows (the header row first) are kept on the page of the next:
    all but the last in a short table (:data:`KEEP_TOGETHER_ROWS`), so it moves to the next page whole;
    in a longer one the header row with the first two rows and the last two rows together, so a page
    break leaves no lone row."""
    if rows <= KEEP_TOGETHER_ROWS:
        return [r < rows - 1 for r in range(rows)]
    return [r < _KEEP_HEAD - 1 or rows - _KEEP_TAIL <= r < rows - 1 for r in range(rows)]


#: A word with an arithmetic sign (a formula: ``(B-A)*100/A``) and a hyphen in it between letters or
#: digits; a hyphen between two digits anywhere (a date: ``2024-12-27``).
_FORMULA_WORD = re.compile(r"\S*[*×÷=/]\S*")
_FORMULA_HYPHEN = re.compile(r"(?<=[\w)])-(?=[\w(])")
_DATE_HYPHEN = re.compile(r"(?<=\d)-(?=\d)")


def kept_hyphens(text: str) -> list[int]:
    """Where ``text`` has a hyphen that a line must not break at: in a formula or a date."""
    at = {m.start() for m in _DATE_HYPHEN.finditer(text)}
    for formula in _FORMULA_WORD.finditer(text):
        at |= {formula.start() + m.start() for m in _FORMULA_HYPHEN.finditer(formula.group())}
    return sorted(at)


def add_text(run, text: str):
    """``text`` into ``run`` (returned), the hyphens of :func:`kept_hyphens` as Word's non-breaking
    hyphens (``w:noBreakHyphen``, drawn and read back as ``-``): ``(B-A)*100/A`` and ``2024-12-27`` are
    not broken at a hyphen; any other hyphen is as it is."""
    start = 0
    for at in kept_hyphens(text):
        if at > start:
            run.add_text(text[start:at])
        run._r.append(_element("w:noBreakHyphen"))
        start = at + 1
    if start < len(text):
        run.add_text(text[start:])
    return run

# -- fonts and languages ------------------------------------------------------------------------------------

def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _element(tag: str):
    from docx.oxml import OxmlElement

    return OxmlElement(tag)


_THEME_FONTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def set_fonts(rpr, lang: str, hangul: bool = False) -> None:
    """Fonts and languages of one ``w:rPr``: Latin and complex script in the language's face, East Asian
    맑은 고딕; languages en-US (Latin letters and digits, :data:`LATIN_LANG`) and East Asian ko-KR. Theme
    fonts are removed (they would win over the names). ``hangul``: the run holds Hangul, so ambiguous
    characters (·, quotes) use the Korean face."""
    fonts = rpr.get_or_add_rFonts()
    for attr in _THEME_FONTS:
        fonts.attrib.pop(_qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(_qn(attr), LATIN_FONT[lang])
    fonts.set(_qn("w:eastAsia"), EAST_ASIA_FONT)
    if hangul:
        fonts.set(_qn("w:hint"), "eastAsia")
    language = rpr.find(_qn("w:lang"))
    if language is None:
        language = _element("w:lang")
        rpr.insert_element_before(language, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    language.set(_qn("w:val"), LATIN_LANG)
    language.set(_qn("w:eastAsia"), EAST_ASIA_LANG)


def set_document_fonts(doc, lang: str) -> None:
    """:func:`set_fonts` on the document defaults, every style (and its table parts) and every run of the
    body, headers and footers; the settings' theme font language too."""
    styles = doc.styles.element
    defaults = styles.find(_qn("w:docDefaults"))
    if defaults is None:
        defaults = _element("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(_qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = _element("w:rPrDefault")
        defaults.insert(0, rpr_default)
    if rpr_default.find(_qn("w:rPr")) is None:
        rpr_default.append(_element("w:rPr"))
    for style in styles.findall(_qn("w:style")):
        if style.get(_qn("w:type")) in ("paragraph", "character", "table"):
            style.get_or_add_rPr()
    for rpr in styles.iter(_qn("w:rPr")):
        set_fonts(rpr, lang)
    parts = [doc.element.body]
    for section in doc.sections:
        for hf in (section.header, section.footer, section.first_page_header, section.first_page_footer,
                   section.even_page_header, section.even_page_footer):
            if not hf.is_linked_to_previous:
                parts.append(hf._element)
    for part in parts:
        for run in part.iter(_qn("w:r")):
            text = "".join(t.text or "" for t in run.iter(_qn("w:t")))
            set_fonts(run.get_or_add_rPr(), lang, hangul=bool(_HANGUL.search(text)))
    settings = doc.settings.element
    theme_lang = settings.find(_qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(_qn("w:val"), LATIN_LANG)
        theme_lang.set(_qn("w:eastAsia"), EAST_ASIA_LANG)


PUBLISHER = Publisher(name="word_memo", scope=Scope.YEAR, publish=write_memo, file=lambda name: memo_file(name, "docx"),
                      label="memo", kind="docx")
