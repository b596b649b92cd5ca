"""The memo of a fiscal year as a neutral outline, built once from the executed notebooks and rendered by
each memo publisher (Word, HWPX): the same headings, summary lines, figures, tables and sources in every
format, and no number computed a second way.

The memo is in one language: of a notebook's cells it reads those of that language (tag ``lang-ko`` /
``lang-en``) and the untagged ones, never the ``instructions`` (see :mod:`..notebook.records`).

Per notebook, in name order: its title (the H1 heading in the language), its summary lines (Markdown the
summaries escaped), its memo figures, its memo tables (the columns the notebook shows, formatted with
:func:`~citynet_analysis.reporting.notebook.format.format_table`) and the sentences of memo results that
are not available (each sentence once). Every figure and table is captioned with its own title, never a
section heading: a figure the title its notebook gave it (``report.figure(..., title=)``, carried by its
record), else its name's entry in ``[portal_figures]`` (the portal's thumbnails use the same
:func:`figure_title`), else its name in words; a table its ``[tables]`` title, else its name in words. A
table's columns are headed with the labels and units its notebook gave them (``report.table(...,
labels=, units=)``), else the vocabulary's; the data checks are listed by document and source line
(:func:`in_row_order`). Then the sources: the documents with their SHA-256, the
source lines the tables cite, each reference series once by its name in the language (with the years it
covers), the data fingerprint and the package version.

Every renderer reads the summary lines with :func:`markdown_runs` (emphasis only), so that ``**…**`` is
bold in every format and text quoted from a document stays literal."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ... import config, vocabulary
from ...atomic import atomic_path
from ...config import FIGURES_DIR, TABLES_DIR, VERSION
from ..notebook.csv_tables import read_csv_table, unprotected
from ..notebook.escape import xml_text
from ..notebook.format import file_name, format_table, header_clash, program_title, table_title
from ..notebook.records import Kind, Record, in_language, read_records, title


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Bullets:
    """Summary lines: Markdown with emphasis only (document text in them is escaped)."""

    lines: tuple[str, ...]


@dataclass(frozen=True)
class Text:
    """A sentence (Markdown, as :class:`Bullets`): a result that is not available, a missing file."""

    text: str


@dataclass(frozen=True)
class Figure:
    path: Path  # the PNG at 300 dpi
    caption: str


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]  # column labels with their units (금액 (백만원))
    rows: tuple[tuple[str, ...], ...]  # formatted cells
    numeric: tuple[bool, ...]  # right-aligned columns


@dataclass
class Outline:
    """A memo: title block, blocks in order, sources; ``lang`` and what the file's properties say."""

    lang: str
    title: str
    subtitle: str
    program: str
    keywords: str
    blocks: list = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def memo_file(name: str, suffix: str) -> str:
    """The memo's file name in the folder of the reports ``name``: ``citynet_2024_ko_memo.docx``."""
    return f"{name}_memo.{suffix}"


def write_memo_file(folder: Path, fiscal_year: int, ds, lang: str, name: str, suffix: str,
                    to_bytes: Callable[[Outline], bytes]) -> Path | None:
    """Build the folder's outline (dated the build date) and write ``to_bytes(outline)`` into
    :func:`memo_file` of ``name``, atomically; None, and nothing written, when the folder holds no notebook."""
    outline = memo_outline(Path(folder), fiscal_year, ds, lang)
    if outline is None:
        return None
    target = Path(folder) / memo_file(name, suffix)
    with atomic_path(target) as tmp:
        tmp.write_bytes(to_bytes(outline))
    return target


def word(key: str, lang: str, **values) -> str:
    """A phrase of the memo (vocabulary.toml ``[memo_labels]``) filled with ``values``."""
    return vocabulary.labels("memo_labels")[key][lang].format(**values)


def _in_words(name: str) -> str:
    return str(name).replace("_", " ")


def figure_title(name: str, lang: str, recorded: str = "") -> str:
    """A figure's own title, for its caption in the memo and on the portal: the title its notebook gave it
    (``recorded``, from its record), else its name's entry in vocabulary.toml ``[portal_figures]`` (the
    package's charts), else its name in words (an analyst's own chart without a title). Plain text:
    every renderer escapes it."""
    if recorded.strip():
        return " ".join(recorded.split())
    entry = vocabulary.labels("portal_figures").get(name)
    return entry[lang] if entry else _in_words(name)


def table_caption_title(name: str, lang: str) -> str:
    """A table's own title: its ``[tables]`` title, else its name in words (an analyst's own table)."""
    found = table_title(name, lang)
    return found if found != name else _in_words(name)


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


def memo_outline(folder: Path, fiscal_year: int, ds, lang: str, today: dt.date | None = None) -> Outline | None:
    """The outline of ``folder``'s memo from its executed notebooks, ``tables/`` and ``figures/``; None for
    a folder without notebooks."""
    folder = Path(folder)
    notebooks = sorted(folder.glob("*.ipynb"))
    if not notebooks:
        return None
    program, files = _program_and_sources(ds, fiscal_year, lang)
    date = (today or config.build_date()).isoformat()
    out = Outline(lang=lang, title=word("title", lang, program=program, year=fiscal_year),
                  subtitle=word("subtitle", lang, source=files, date=date), program=program,
                  keywords=f"{ds.program or ''}; {fiscal_year}")
    walk = _Walk(folder, lang, out)
    for path in notebooks:
        walk.notebook(read_records(path), path.stem)
    out.sources = _sources(ds, lang, walk.cited_lines)
    return out


def _program_and_sources(ds, fiscal_year: int, lang: str) -> tuple[str, str]:
    """The program's name in the language and the source documents' file names for the title block: the
    documents of the fiscal year, or all documents when none is of that year (an earlier year's figures
    come from a later year's document)."""
    docs = ds.documents
    of_year = docs[docs["fiscal_year"] == fiscal_year]
    docs = of_year if len(of_year) else docs
    program = xml_text(program_title(ds, lang, fiscal_year)) or "—"
    if not len(docs):
        return program, "—"
    files = xml_text(", ".join(dict.fromkeys(file_name(f) for f in docs["source_file"])))
    return program, files


def read_table(path: Path) -> pd.DataFrame:
    """A saved table as the notebook had it: text cells with the protective ``'`` removed, whole-number
    columns with gaps as integers (``1``, not ``1.0``), a text ``NA`` kept as text."""
    df = read_csv_table(path)
    for col in df.columns:
        s = df[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            df[col] = s.map(unprotected)
        elif pd.api.types.is_float_dtype(s) and s.notna().any() and (s.dropna() % 1 == 0).all():
            df[col] = s.astype("Int64")
    return df


#: Tables whose rows are listed in an order of their own, whatever order the notebook wrote them in: the
#: data checks by document and source line (the order a reader checks them against the documents).
ROW_ORDER = {"anomalies": ("document_id", "source_line")}


def in_row_order(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """``df``, the table ``name``, with its rows in :data:`ROW_ORDER` (of the columns it has; a row
    without a source line after the others of its document; ties as they were), else as it is. The memo
    and the workbook list the data checks in this order."""
    keys = [c for c in ROW_ORDER.get(name, ()) if c in df.columns]
    if not keys:
        return df
    return df.sort_values(keys, kind="stable", na_position="last", ignore_index=True)


def _is_number_column(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


class _Walk:
    """The notebooks' records turned into blocks, numbering figures and tables."""

    def __init__(self, folder: Path, lang: str, out: Outline):
        self.folder, self.lang, self.out = folder, lang, out
        self.figures = self.tables = 0
        self.cited_lines: set[int] = set()

    def notebook(self, recs: list[Record], stem: str) -> None:
        """A notebook's part: title, summary bullets, figures, then tables and unavailable results, all of
        the memo's language (and of untagged cells)."""
        blocks = self.out.blocks
        blocks.append(Heading(title(recs, self.lang) or stem, 1))
        recs = in_language(recs, self.lang)
        lines = [line for r in recs if r.kind is Kind.SUMMARY and r.memo for line in r.lines]
        if lines:
            blocks.append(Bullets(tuple(lines)))
        for r in recs:
            if r.kind is Kind.FIGURE and r.memo and r.name:
                self.figure(r.name, r.text)
        said: set[str] = set()
        for r in recs:
            if r.kind is Kind.UNAVAILABLE and r.memo and r.text not in said:
                said.add(r.text)  # one sentence per reason
                blocks.append(Text(r.text))
            elif r.kind is Kind.TABLE and r.memo and r.name:
                self.table(r)

    def figure(self, name: str, recorded: str = "") -> None:
        path = self.folder / FIGURES_DIR / f"{name}.png"
        if not path.is_file():
            self.out.blocks.append(Text(word("missing", self.lang, path=f"{FIGURES_DIR}/{name}.png")))
            return
        self.figures += 1
        caption = word("figure", self.lang, n=self.figures, title=figure_title(name, self.lang, recorded))
        self.out.blocks.append(Figure(path, caption))

    def table(self, record: Record) -> None:
        name = str(record.name)
        path = self.folder / TABLES_DIR / f"{name}.csv"
        if not path.is_file():
            self.out.blocks.append(Text(word("missing", self.lang, path=f"{TABLES_DIR}/{name}.csv")))
            return
        df = in_row_order(name, read_table(path))
        if "source_line" in df.columns:
            for v in df["source_line"].dropna():
                self.cited_lines |= {int(n) for n in re.findall(r"\d+", str(v))}
        columns = [c for c in (record.columns or list(df.columns)) if c in df.columns] or list(df.columns)
        numeric = tuple(_is_number_column(df[c]) for c in columns)
        labels, units = record.column_labels(), record.column_units()
        if header_clash(columns, self.lang, "display", labels, units):
            labels, units = {}, {}  # labels that head two columns alike: not used
        view = format_table(df, self.lang, columns, labels, units)
        self.tables += 1
        caption = word("table", self.lang, n=self.tables, title=table_caption_title(name, self.lang))
        rows = tuple(tuple(str(v) for v in row) for row in view.itertuples(index=False))
        self.out.blocks.append(Table(caption, tuple(map(str, view.columns)), rows, numeric))


def _sources(ds, lang: str, cited_lines: set[int]) -> list[str]:
    """Where every number comes from, a line each."""
    from ...analysis import reference

    out = [word("document", lang, document_id=doc.document_id, program=doc.program_ko, year=doc.fiscal_year,
                file=file_name(doc.source_file), sha=str(doc.sha256)[:12])
           for doc in ds.documents.itertuples(index=False)]
    out.append(word("source_lines", lang, lines=", ".join(map(str, sorted(cited_lines))) or word("no_lines", lang)))
    for series in (reference.cpi(), reference.krw_per_usd()):  # each once, named in the language
        years = sorted(series.values.index)
        out.append(word("reference", lang, name=reference.short_source(series, lang),
                        years=f"{years[0]}–{years[-1]}" if years else "—"))
    out.append(word("fingerprint", lang, value=str(ds.fingerprint)[:12] or "—"))
    out.append(word("version", lang, value=VERSION))
    return out
