"""The Word memo of a fiscal year (``memo_<year>.docx``), built from the executed notebooks' records.

Everything in the memo comes from what the year's notebooks produced: their output records (headings,
summary lines, which tables and figures belong in the memo, see
:func:`citynet_analysis.reporting.notebook.records`), the CSVs in ``tables/`` and the PNGs in ``figures/``.
No number is computed a second way. Per notebook, in name order: its title (the H1 heading), its summary
lines as bullets, its memo figures at the full text width with a caption, its memo tables (formatted with
:func:`~citynet_analysis.reporting.format.format_table`, header row repeated on every page, numbers
right-aligned) and the sentences of memo results that are not available. A figure's caption is the
notebook section (H2 heading) it is drawn in; a table's is its title in vocabulary.toml ``[tables]`` (an
analyst's own table: its section). A sources section closes the memo: the documents with their SHA-256,
the source lines the tables cite, the reference series, the data fingerprint and the package version.

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
East Asian: 맑은 고딕, on every Windows PC since Vista and mapped by Hangul) and ``w:lang`` (ko-KR or
en-US, East Asian ko-KR) on the document defaults, every style and every run. The fonts are therefore the
one thing a template restyle does not change.

Document text (item names, anomaly messages) is never formatting: summary lines are Markdown that the
summaries escaped, parsed with markdown-it-py with only emphasis, escapes, entities and code spans, so
``**x**`` quoted from a document stays literal; table cells are plain text, with the CSV's protective
``'`` removed. A year folder without notebooks gets no memo (``write_memo`` returns None)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path

import pandas as pd

from .. import vocabulary
from ..atomic import atomic_path
from ..config import TEMPLATE_DIR, VERSION
from .csv_tables import read_csv_table
from .escape import is_formula_like, xml_text
from .format import check_lang, file_name, format_table, heading_part, program_name, table_title, text_width

TEMPLATE = TEMPLATE_DIR / "word" / "memo.docx"
#: Custom styles of the template (the others are Word's built-in ones).
FIGURE_STYLE = "Figure"
TABLE_STYLE = "Memo Table"
TABLE_TEXT_STYLE = "Table Text"

EAST_ASIA_FONT = "맑은 고딕"
LATIN_FONT = {"ko": "Malgun Gothic", "en": "Calibri"}
LANG_TAG = {"ko": "ko-KR", "en": "en-US"}
EAST_ASIA_LANG = "ko-KR"

_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")


def _word(key: str, lang: str, **values) -> str:
    """A phrase of the memo (vocabulary.toml ``[memo_labels]``) filled with ``values``."""
    return vocabulary.labels("memo_labels")[key][lang].format(**values)


def write_memo(folder: Path, fiscal_year: int, ds, lang: str) -> Path | None:
    """Write ``folder/memo_<fiscal_year>.docx`` (atomically) from the executed notebooks in ``folder``,
    their ``tables/`` and ``figures/``; None, and nothing written, when the folder holds no notebook."""
    from .notebook import read_records

    check_lang(lang)
    folder = Path(folder)
    notebooks = sorted(folder.glob("*.ipynb"))
    if not notebooks:
        return None
    memo = _Memo(folder, lang)
    program, sources = _program_and_sources(ds, fiscal_year, lang)
    title = _word("title", lang, program=program, year=fiscal_year)
    memo.paragraph(title, "Title")
    memo.paragraph(_word("subtitle", lang, source=sources, date=dt.date.today().isoformat()), "Subtitle")
    for path in notebooks:
        memo.notebook(read_records(path), path.stem)
    memo.sources(ds)
    set_document_fonts(memo.doc, lang)
    props = memo.doc.core_properties
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    props.title, props.subject, props.language = title[:255], program[:255], LANG_TAG[lang]  # Word's limit
    props.author = props.last_modified_by = "citynet-analysis"
    props.keywords, props.comments, props.category = f"{ds.program or ''}; {fiscal_year}", "", ""
    props.created = props.modified = now
    props.revision = 1
    target = folder / f"memo_{fiscal_year}.docx"
    with atomic_path(target) as tmp:
        memo.doc.save(str(tmp))
    return target


def _program_and_sources(ds, fiscal_year: int, lang: str) -> tuple[str, str]:
    """The program's name in the language and the source documents' file names for the title block: the
    documents of the fiscal year, or all documents when none is of that year (an earlier year's figures
    come from a later year's document)."""
    docs = ds.documents
    of_year = docs[docs["fiscal_year"] == fiscal_year]
    docs = of_year if len(of_year) else docs
    if not len(docs):
        return "CityNet", "—"
    program = xml_text(program_name(str(docs.iloc[0]["program_ko"]), lang))
    files = xml_text(", ".join(dict.fromkeys(file_name(f) for f in docs["source_file"])))
    return program, files


# -- Markdown lines as runs ---------------------------------------------------------------------------

@functools.cache
def _markdown():
    """A Markdown parser for inline emphasis only: no HTML, links, images, autolinks or typography."""
    from markdown_it import MarkdownIt

    return MarkdownIt("zero").enable(["emphasis", "escape", "entity", "backticks"])


def markdown_runs(text: str) -> list[tuple[str, bool, bool]]:
    """A summary line (Markdown) as ``(text, bold, italic)`` pieces: ``**…**`` bold, ``*…*`` italic,
    backslash escapes and entities resolved; links, HTML, headings and lists are not parsed, so text
    quoted from a document is shown as it is."""
    out: list[tuple[str, bool, bool]] = []
    bold = italic = 0
    for token in _markdown().parseInline(text):
        for t in token.children or []:
            if t.type == "strong_open":
                bold += 1
            elif t.type == "strong_close":
                bold -= 1
            elif t.type == "em_open":
                italic += 1
            elif t.type == "em_close":
                italic -= 1
            elif t.type in ("softbreak", "hardbreak"):
                out.append((" ", bold > 0, italic > 0))
            elif t.content:
                out.append((t.content, bold > 0, italic > 0))
    merged: list[tuple[str, bool, bool]] = []
    for piece in out:
        if merged and merged[-1][1:] == piece[1:]:
            merged[-1] = (merged[-1][0] + piece[0], *piece[1:])
        else:
            merged.append(piece)
    return merged


# -- tables -------------------------------------------------------------------------------------------

def read_table(path: Path) -> pd.DataFrame:
    """A saved table as the notebook had it: text cells with the protective ``'`` removed, whole-number
    columns with gaps as integers (``1``, not ``1.0``), a text ``NA`` kept as text."""
    df = read_csv_table(path)
    for col in df.columns:
        s = df[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            df[col] = s.map(lambda v: v[1:] if isinstance(v, str) and v[:1] == "'" and is_formula_like(v[1:])
                            else v)
        elif pd.api.types.is_float_dtype(s) and s.notna().any() and (s.dropna() % 1 == 0).all():
            df[col] = s.astype("Int64")
    return df


def _is_number_column(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


_HALF_WIDTH_EMU = 66_000  # a half-width character of 9-pt text, about 5.2 pt (Malgun Gothic is wide)
_CELL_PADDING_EMU = 127_000  # the table style's cell margins (2 x 4 pt) and a little air
_SHORT_TEXT = 12  # text cells up to this width (in half-width characters) are not wrapped
_LONG_WORD = 20  # a word (an id like citynet-fy2024) up to this width is not broken


def column_widths(view: pd.DataFrame, numeric: list[bool], total: int) -> list[int]:
    """Column widths (EMU) summing to ``total``. Each column is first as wide as its numbers, its short
    texts and its longest word (no ``경`` / ``고`` or ``citynet-fy20`` / ``24`` broken over two lines), then
    as its header's longest word (bold, so a little wider) where the page allows; then as wide as its whole
    header and longest text where they fit, else in proportion to what each wants (long messages wrap)."""
    hard, soft, wants = [], [], []
    for i, col in enumerate(view.columns):
        texts = [str(v) for v in view.iloc[:, i]]
        cells = [text_width(t) for t in texts] or [0]
        words = [text_width(w) for t in texts for w in t.split()] or [0]
        header = str(col)
        low = max([c for c in cells if numeric[i] or c <= _SHORT_TEXT]
                  + [w for w in words if w <= _LONG_WORD] + [2]) * _HALF_WIDTH_EMU + _CELL_PADDING_EMU
        head = int(max((text_width(w) for w in header.split()), default=1) * 1.1 * _HALF_WIDTH_EMU
                   + _CELL_PADDING_EMU)
        natural = int(max(max(cells), text_width(header) * 1.1) * _HALF_WIDTH_EMU + _CELL_PADDING_EMU)
        hard.append(low)
        soft.append(max(head - low, 0))
        wants.append(max(natural - max(low, head), 0))
    return _share(total, hard, soft, wants)


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
    """The memo being written: the template's styles, and counters for figure and table numbers."""

    def __init__(self, folder: Path, lang: str):
        from docx import Document

        self.folder, self.lang = folder, lang
        self.doc = Document(str(TEMPLATE))
        body = self.doc.element.body
        for child in list(body):
            if child.tag != _qn("w:sectPr"):
                body.remove(child)
        section = self.doc.sections[-1]
        self.text_width = section.page_width - section.left_margin - section.right_margin - (section.gutter or 0)
        self.figures = self.tables = 0
        self.cited_lines: set[int] = set()

    def style(self, name: str, fallback: str = "Normal"):
        """A style of the template by name; ``fallback`` if the analyst removed it."""
        try:
            return self.doc.styles[name]
        except KeyError:
            return self.doc.styles[fallback]

    def paragraph(self, text: str, style: str = "Normal", bold: bool = False):
        p = self.doc.add_paragraph(style=self.style(style))
        if text:
            p.add_run(xml_text(text)).bold = bold or None
        return p

    def markdown(self, text: str, style: str = "Normal"):
        p = self.doc.add_paragraph(style=self.style(style))
        for piece, bold, italic in markdown_runs(text):
            run = p.add_run(xml_text(piece))
            run.bold, run.italic = bold or None, italic or None
        return p

    def notebook(self, recs: list[dict], stem: str) -> None:
        """A notebook's part: title, summary bullets, figures, then tables and unavailable results."""
        h1 = next((r["text"] for r in recs if r.get("kind") == "heading" and r.get("level") == 1), stem)
        self.paragraph(heading_part(h1, self.lang), "Heading 1")
        for r in recs:
            if r.get("kind") == "summary" and r.get("memo", True):
                for line in r.get("lines", []):
                    self.markdown(str(line), "List Bullet")
        section = ""
        figures, tables = [], []
        for r in recs:
            kind = r.get("kind")
            if kind == "heading" and r.get("level", 1) >= 2:
                section = heading_part(str(r.get("text", "")), self.lang)
            elif kind == "figure" and r.get("memo", True):
                figures.append((r, section))
            elif kind == "table" and r.get("memo") and r.get("name") or kind == "unavailable" and r.get("memo"):
                tables.append((r, section))
        for r, heading in figures:
            self.figure(str(r["name"]), heading)
        for r, heading in tables:
            if r["kind"] == "unavailable":
                self.markdown(str(r.get("text", "")))
            else:
                self.table(r, heading)

    def figure(self, name: str, heading: str) -> None:
        """The PNG (300 dpi) at the full text width, its caption below."""
        path = self.folder / "figures" / f"{name}.png"
        if not path.is_file():
            self.paragraph(_word("missing", self.lang, path=f"figures/{name}.png"))
            return
        self.figures += 1
        p = self.doc.add_paragraph(style=self.style(FIGURE_STYLE))
        p.add_run().add_picture(str(path), width=self.text_width)
        p.paragraph_format.keep_with_next = True
        self.paragraph(_word("figure", self.lang, n=self.figures, title=heading or name), "Caption")

    def table(self, record: dict, heading: str) -> None:
        """The table's shown columns, formatted as the notebook shows them, with a caption above."""
        name = str(record.get("name"))
        path = self.folder / "tables" / f"{name}.csv"
        if not path.is_file():
            self.paragraph(_word("missing", self.lang, path=f"tables/{name}.csv"))
            return
        df = read_table(path)
        if "source_line" in df.columns:
            for v in df["source_line"].dropna():
                self.cited_lines |= {int(n) for n in re.findall(r"\d+", str(v))}
        columns = [c for c in (record.get("columns") or list(df.columns)) if c in df.columns] or list(df.columns)
        numeric = [_is_number_column(df[c]) for c in columns]
        view = format_table(df, self.lang, columns)
        title = table_title(name, self.lang)
        self.tables += 1
        caption = self.paragraph(_word("table", self.lang, n=self.tables, title=title if title != name
                                       else heading or name), "Caption")
        caption.paragraph_format.keep_with_next = True
        self._grid(view, numeric)

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
                p.add_run(xml_text(text))

    def sources(self, ds) -> None:
        """Where every number comes from."""
        from ..analysis import reference

        lang = self.lang
        self.paragraph(_word("sources", lang), "Heading 1")
        for doc in ds.documents.itertuples(index=False):
            self.paragraph(_word("document", lang, document_id=doc.document_id, program=doc.program_ko,
                                 year=doc.fiscal_year, file=file_name(doc.source_file), sha=str(doc.sha256)[:12]),
                           "List Bullet")
        lines = ", ".join(map(str, sorted(self.cited_lines))) or _word("no_lines", lang)
        self.paragraph(_word("source_lines", lang, lines=lines), "List Bullet")
        for series in (reference.cpi(), reference.krw_per_usd()):
            self.paragraph(_word("reference", lang, name=reference.short_source(series, lang), source=series.source),
                           "List Bullet")
        self.paragraph(_word("fingerprint", lang, value=str(ds.fingerprint)[:12] or "—"), "List Bullet")
        self.paragraph(_word("version", lang, value=VERSION), "List Bullet")


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
    맑은 고딕, languages ko-KR or en-US with East Asian ko-KR. Theme fonts are removed (they would win over
    the names). ``hangul``: the run holds Hangul, so ambiguous characters (·, quotes) use the Korean face."""
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
    language.set(_qn("w:val"), LANG_TAG[lang])
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
        theme_lang.set(_qn("w:val"), LANG_TAG[lang])
        theme_lang.set(_qn("w:eastAsia"), EAST_ASIA_LANG)
