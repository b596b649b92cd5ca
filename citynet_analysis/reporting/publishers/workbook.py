"""Tables as files people open: CSV (UTF-8 with BOM, so Excel shows Hangul) and one Excel workbook of a
year's tables, laid out for reading. A text cell that a spreadsheet would evaluate is stored as text.

The CSVs are for machines (code column names, won, full precision); the workbook is for people: an About
sheet saying where the numbers come from, one sheet per table named in the report's language, headers with
units, amounts as numbers in won with thousands separators. A notebook's own columns are headed as its memo
heads them: the labels and units it gave them (``report.table(..., labels=, units=)``, read from the
executed notebooks' records; a label or unit is text like any other cell, stored as text). ``make_workbook``
builds it from DataFrames and metadata (no I/O); ``build_workbook`` reads a tables folder and writes
``tables.xlsx`` and ``README.txt``."""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from ... import config, vocabulary
from ...atomic import atomic_path, write_text
from ...config import VERSION
from ..notebook.csv_tables import read_tables, unprotected
from ..notebook.escape import is_formula_like, xml_text
from ..notebook.format import (
    column_header,
    column_number_format,
    column_unit,
    file_name,
    header_clash,
    in_language,
    is_missing,
    item_display_name,
    program_title,
    table_description,
    table_title,
    text_width,
    value_label,
)
from ..notebook.records import in_language as records_in_language
from ..notebook.records import read_records, table_words
from .outline import in_row_order
from .packaging import OOXML_FIRST, normalize_zip
from .publisher import Publisher, Scope

WORKBOOK_NAME = "tables.xlsx"
#: The headers and units notebooks gave the columns of their tables: ``{table: (labels, units)}``, each a
#: ``{column: text}`` (:func:`~citynet_analysis.reporting.notebook.records.table_words`).
ColumnWords = dict[str, tuple[dict[str, str], dict[str, str]]]
README_NAME = "README.txt"
MAX_WIDTH = 60  # characters (East Asian wide ones count 2); longer text wraps
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_HEADER_FILL = PatternFill("solid", start_color="DCE6F1", end_color="DCE6F1")
_RULE = Side(style="thin", color="BFBFBF")
_LINE_HEIGHT = 15.0  # points per line of text


# -- what the workbook says about itself ---------------------------------------------------------------

@dataclass(frozen=True)
class WorkbookInfo:
    """What the About sheet and README.txt say: the program, year and language, the source documents
    (document_id, file name, first 12 hex of SHA-256), the data fingerprint, the package version, the date."""

    lang: str = "ko"
    fiscal_year: int | None = None
    program: str = ""
    documents: tuple[tuple[str, str, str], ...] = ()
    fingerprint: str = ""
    version: str = VERSION
    made: str = ""


def workbook_info(ds=None, fiscal_year: int | None = None, lang: str = "ko",
                  today: dt.date | None = None) -> WorkbookInfo:
    """The :class:`WorkbookInfo` of a data set (``ds`` may be None: then no documents or fingerprint).
    The date is ``today``, else the build date (:func:`citynet_analysis.config.build_date`:
    $SOURCE_DATE_EPOCH's, else the current date)."""
    if today is None:
        today = config.build_date()
    program, documents, fingerprint = "", (), ""
    if ds is not None:
        docs = ds.documents.sort_values("document_id")
        documents = tuple((str(r.document_id), file_name(r.source_file), str(r.sha256)[:12])
                          for r in docs.itertuples())
        program = xml_text(program_title(ds, lang, fiscal_year))
        fingerprint = (ds.fingerprint or "")[:12]
    return WorkbookInfo(lang=lang, fiscal_year=fiscal_year, program=program, documents=documents,
                        fingerprint=fingerprint, made=today.isoformat())


def _word(key: str, lang: str):
    return vocabulary.workbook_words()[key][lang]


def workbook_title(info: WorkbookInfo) -> str:
    """``시티넷 사무국 운영 지원 · 2024 회계연도 분석 표`` (without the parts ``info`` does not know)."""
    if info.fiscal_year is None:
        year = _word("title_no_year", info.lang)
    else:
        year = _word("title", info.lang).format(year=info.fiscal_year)
    return f"{info.program} · {year}" if info.program else year


# -- sheets and cells ----------------------------------------------------------------------------------

def table_order(names) -> list[str]:
    """The tables in workbook order: the known ones as the vocabulary lists them, then the others by name."""
    known = list(vocabulary.tables())
    return ([n for n in known if n in names] + sorted(n for n in names if n not in known))


def sheet_names(names, lang: str) -> dict[str, str]:
    """A sheet name per table (in :func:`table_order`): its title in the language (an unknown table: its
    file name), without ``[]:*?/\\``, at most 31 characters, unique (Excel ignores case) and never the
    About sheet's name."""
    used = {_word("about_sheet", lang).casefold()}
    out = {}
    for name in table_order(names):
        base = _SHEET_FORBIDDEN.sub(" ", table_title(name, lang)).strip().strip("'").strip() or "table"
        sheet, n = base[:31], 2
        while sheet.casefold() in used or sheet.casefold() == "history":
            suffix = f" ({n})"
            sheet, n = base[:31 - len(suffix)].rstrip() + suffix, n + 1
        used.add(sheet.casefold())
        out[name] = sheet
    return out


def _shown(value, number_format: str | None) -> str:
    """Roughly what a cell shows, to size its column."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "" if value is None else str(value)
    decimals = {"0.0": 1, "0.00": 2, "#,##0.0": 1}.get(number_format or "", 0)
    if number_format is None:
        return str(value)
    return f"{value:,.{decimals}f}" if number_format.startswith("#,##0") else f"{value:.{decimals}f}"


def cell_value(column: str, value, lang: str, units: dict[str, str] | None = None):
    """A CSV value as the workbook shows it: numbers stay numbers (whole numbers in integer columns as
    int), categories, groups, sides, measures, checks and severities named in the language, yes/no for
    booleans, empty for missing; text otherwise (a formula-like text is made text later). ``units``: the
    units a notebook gave its columns."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return _word("yes" if value else "no", lang)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if column_number_format(column, units) in ("0", "#,##0") and value.is_integer() and abs(value) < 2**53:
            return int(value)
        return value
    if isinstance(value, int):
        return value
    return xml_text(str(value_label(column, str(value), lang)))


def _write_table(ws, df: pd.DataFrame, lang: str, labels: dict[str, str] | None = None,
                 units: dict[str, str] | None = None) -> None:
    """One table on its sheet: header row with units (``labels``/``units``: those its notebook gave its
    columns), values with number formats, frozen header, autofilter, fitted column widths (long text
    wraps), light rules instead of gridlines."""
    columns = [str(c) for c in df.columns]
    labels, units = _own_words(columns, labels, units, lang)
    rule = Border(bottom=_RULE)
    widths = []
    for j, col in enumerate(columns, start=1):
        fmt = column_number_format(col, units)
        if col == "name_ko" and "level" in df.columns:  # sub-items marked and indented, as on the pages
            values = [xml_text(item_display_name(v, lv, lang)) if not is_missing(v) else None
                      for v, lv in zip(df.iloc[:, j - 1].tolist(), df["level"].tolist(), strict=True)]
        else:
            values = [cell_value(col, v, lang, units) for v in df.iloc[:, j - 1].tolist()]
        shown = [_shown(v, fmt) for v in values]
        longest = max([text_width(line) for s in shown for line in s.splitlines() or [""]] + [0])
        wrap = longest > MAX_WIDTH or any("\n" in s for s in shown)
        numeric = not any(isinstance(v, str) for v in values) and any(isinstance(v, (int, float)) for v in values)
        if df.iloc[:, j - 1].dtype == bool:
            align = "center"  # yes / no
        elif not numeric:
            align = "left"
        else:  # years, line numbers and levels centred; other numbers right
            align = "center" if column_unit(col, units) in ("year", "number") else "right"
        header = xml_text(column_header(col, lang, "exact", labels, units))
        cell = ws.cell(row=1, column=j, value=header)
        cell.font, cell.fill, cell.border = Font(bold=True), _HEADER_FILL, Border(bottom=Side(style="thin"))
        cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
        for i, value in enumerate(values, start=2):
            cell = ws.cell(row=i, column=j, value=value)
            cell.border = rule
            if isinstance(value, (int, float)) and fmt:
                cell.number_format = fmt
            cell.alignment = Alignment(horizontal=align, vertical="top", wrap_text=wrap)
        # the header wraps at spaces beyond 24 columns; +2 for the autofilter's button
        # bold letters are wider; +2 for the autofilter's button
        header_width = math.ceil(max([text_width(w) for w in header.split()] + [min(text_width(header), 24)])
                                 * 1.15) + 2
        widths.append(min(MAX_WIDTH, max(longest, header_width, 4) + 2))
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    _fit_row_heights(ws, widths, start_row=1)
    last = get_column_letter(max(len(columns), 1))
    ws.freeze_panes = "A2"
    if columns:
        ws.auto_filter.ref = f"A1:{last}{max(len(df) + 1, 1)}"
    _page_setup(ws)
    ws.print_title_rows = "1:1"


def _own_words(columns: list[str], labels: dict[str, str] | None, units: dict[str, str] | None,
               lang: str) -> tuple[dict[str, str], dict[str, str]]:
    """The labels and units a notebook gave a table's columns, as the workbook uses them: none that would
    head two columns alike (one header, two meanings), as the memo leaves them out."""
    labels, units = dict(labels or {}), dict(units or {})
    return ({}, {}) if header_clash(columns, lang, "exact", labels, units) else (labels, units)


def _fit_row_heights(ws, widths: list[float], start_row: int = 1, merged: dict | None = None) -> None:
    """Row heights for wrapped text (spreadsheets do not grow rows that a program wrote): lines per cell
    from its text width and its column's (or merged cells') width."""
    merged = merged or {}
    for row in ws.iter_rows(min_row=start_row):
        lines = 1
        for cell in row:
            if not isinstance(cell.value, str) or not (cell.alignment and cell.alignment.wrap_text):
                continue
            width = merged.get(cell.row, widths[cell.column - 1] if cell.column - 1 < len(widths) else 10)
            room = max(width - 1, 1)
            lines = max(lines, sum(max(1, math.ceil(_drawn_width(line) / room))
                                   for line in cell.value.splitlines() or [""]))
        if lines > 1:
            ws.row_dimensions[row[0].row].height = _LINE_HEIGHT * lines + 2


def _drawn_width(text: str) -> float:
    """Like :func:`text_width`, but as fonts draw Hangul: a little wider than two Latin characters."""
    return sum(2.2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _page_setup(ws) -> None:
    ws.sheet_view.showGridLines = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _write_about(ws, info: WorkbookInfo, tables: dict[str, pd.DataFrame], sheets: dict[str, str]) -> None:
    """The first sheet: what the workbook is, where it comes from, and one row per sheet."""
    lang = info.lang
    widths = [24, 26, 64, 30]
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.cell(row=1, column=1, value=workbook_title(info)).font = Font(bold=True, size=14)
    ws.cell(row=2, column=1, value=_word("intro", lang))
    rows: list[tuple[str, str | int]] = []
    if info.program:
        rows.append((_word("program", lang), info.program))
    if info.fiscal_year is not None:
        rows.append((_word("fiscal_year", lang), info.fiscal_year))
    rows.append((_word("language", lang), _word("language_name", lang)))
    for k, (document_id, file, sha) in enumerate(info.documents):
        rows.append((_word("documents", lang) if k == 0 else "",
                     _word("document", lang).format(document_id=document_id, file=file, sha=sha)))
    if info.fingerprint:
        rows.append((_word("fingerprint", lang), info.fingerprint))
    rows.append((_word("version", lang), f"citynet-analysis {info.version}"))
    if info.made:
        rows.append((_word("made", lang), info.made))
    rows.append((_word("csv", lang), _word("csv_note", lang)))
    merged_width = {2: sum(widths)}
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=4)
    ws.cell(row=2, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    r = 4
    for key, value in rows:
        ws.cell(row=r, column=1, value=key).font = Font(bold=True)
        ws.cell(row=r, column=1).alignment = Alignment(vertical="top")
        cell = ws.cell(row=r, column=2, value=xml_text(value) if isinstance(value, str) else value)
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=4)
        merged_width[r] = sum(widths[1:])
        r += 1
    r += 1
    ws.cell(row=r, column=1, value=_word("sheets", lang)).font = Font(bold=True, size=12)
    r += 1
    for j, key in enumerate(("sheet", "table_title", "table_description", "csv_file"), start=1):
        cell = ws.cell(row=r, column=j, value=_word(key, lang))
        cell.font, cell.fill, cell.border = Font(bold=True), _HEADER_FILL, Border(bottom=Side(style="thin"))
    for name in table_order(tables):
        r += 1
        sheet = sheets[name]
        description = table_description(name, lang) or _word("own_table", lang)
        values = (sheet, table_title(name, lang), description, f"{name}.csv")
        for j, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=j, value=xml_text(value))
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.border = Border(bottom=_RULE)
        link = ws.cell(row=r, column=1)
        link.hyperlink = Hyperlink(ref=link.coordinate, location="'{}'!A1".format(sheet.replace("'", "''")))
        link.font = Font(color="0563C1", underline="single")
    _fit_row_heights(ws, widths, start_row=2, merged=merged_width)
    ws.freeze_panes = None
    _page_setup(ws)
    ws.page_setup.orientation = "portrait"


def make_workbook(tables: dict[str, pd.DataFrame], info: WorkbookInfo, words: ColumnWords | None = None) -> Workbook:
    """The workbook of a year's tables (``{table name: DataFrame as in its CSV}``): the About sheet first,
    then one sheet per table in :func:`table_order`; ``words``: the headers and units the notebooks gave
    the tables' columns (:data:`ColumnWords`). Pure: nothing is read or written."""
    lang = info.lang
    words = words or {}
    wb = Workbook()
    about = wb.active
    about.title = _word("about_sheet", lang)
    sheets = sheet_names(tables, lang)
    for name in table_order(tables):
        ws = wb.create_sheet(sheets[name])
        _write_table(ws, in_language(in_row_order(name, tables[name]), lang), lang, *words.get(name, ({}, {})))
    _write_about(about, info, tables, sheets)
    for ws in wb.worksheets:
        _text_cells_stay_text(ws)
    wb.properties.title = workbook_title(info)
    wb.properties.creator = f"citynet-analysis {info.version}"
    return wb


def _text_cells_stay_text(ws) -> None:
    """Store every text cell that looks like a formula as text, with Excel's quote prefix: openpyxl
    would otherwise write ``=HYPERLINK(…)`` as a live formula. The CSV's protective ``'`` is dropped,
    since the cell type now carries that meaning."""
    for row in ws.iter_rows():
        for cell in row:
            value = unprotected(cell.value)
            if is_formula_like(value) or cell.data_type == "f":
                cell.value = value
                cell.data_type = "s"
                cell.quotePrefix = True


# -- README.txt ----------------------------------------------------------------------------------------

def readme_text(tables: dict[str, pd.DataFrame], info: WorkbookInfo, words: ColumnWords | None = None,
                workbook: str = WORKBOOK_NAME) -> str:
    """README.txt of a tables folder, in the language: what the CSVs are (code column names, won, full
    precision, UTF-8 with BOM, the leading ``'``) beside the workbook, named as it is written (``workbook``:
    ``citynet_2024_ko_tables.xlsx``), then each CSV with its title and columns (headed as the workbook
    heads them, ``words`` too)."""
    lang = info.lang
    words = words or {}
    title = workbook_title(info)
    lines = [title, "=" * text_width(title), "", _word("readme_intro", lang).format(workbook=workbook), ""]
    lines += [f"- {rule.format(workbook=workbook)}" for rule in _word("readme_rules", lang)]
    lines.append("")
    for document_id, file, sha in info.documents:
        lines.append(f"{_word('documents', lang)}: "
                     + _word("document", lang).format(document_id=document_id, file=file, sha=sha))
    if info.fingerprint:
        lines.append(f"{_word('fingerprint', lang)}: {info.fingerprint}")
    lines += [f"{_word('version', lang)}: citynet-analysis {info.version}"]
    if info.made:
        lines.append(f"{_word('made', lang)}: {info.made}")
    for name in table_order(tables):
        lines += ["", f"{name}.csv — {table_title(name, lang)}"]
        if description := table_description(name, lang):
            lines.append(f"  {description}")
        lines.append(f"  {_word('readme_columns', lang)}:")
        labels, units = _own_words([str(c) for c in tables[name].columns], *words.get(name, ({}, {})), lang)
        for col in tables[name].columns:
            header = column_header(str(col), lang, "exact", labels, units)
            lines.append(f"    {col}" + (f": {header}" if header != str(col) else ""))
    return "\n".join(xml_text(line) for line in lines) + "\n"


# -- files ---------------------------------------------------------------------------------------------

def build_workbook(tables_dir: str | os.PathLike, name: str = WORKBOOK_NAME, *, lang: str = "ko", ds=None,
                   fiscal_year: int | None = None, words: ColumnWords | None = None) -> Path | None:
    """``tables.xlsx`` (see :func:`make_workbook`) and ``README.txt`` of the CSVs in ``tables_dir``, both
    written atomically; None (and nothing written) when the folder has no CSV. ``words``: the headers and
    units the notebooks gave the tables' columns (:func:`notebook_words`)."""
    tables_dir = Path(tables_dir)
    tables = read_tables(tables_dir)
    if not tables:
        return None
    info = workbook_info(ds, fiscal_year, lang)
    target = tables_dir / name
    with atomic_path(target) as tmp:
        tmp.write_bytes(xlsx_bytes(make_workbook(tables, info, words)))
    write_text(tables_dir / README_NAME, readme_text(tables, info, words, workbook=name))
    return target


def notebook_words(folder: str | os.PathLike, lang: str) -> ColumnWords:
    """The headers and units the executed notebooks of a year folder gave their tables' columns (the
    records of ``lang``'s cells and untagged ones), in notebook order: the first a table's records give."""
    words: ColumnWords = {}
    for path in sorted(Path(folder).glob("*.ipynb")):
        for table, given in table_words(records_in_language(read_records(path), lang)).items():
            words.setdefault(table, given)
    return words


def xlsx_bytes(wb: Workbook, when: dt.datetime | None = None) -> bytes:
    """The workbook as the bytes of an .xlsx, the same bytes for the same workbook and date: its document
    properties created and modified at ``when`` (default: :func:`citynet_analysis.config.build_time`;
    ``Workbook.save`` would stamp the time of saving), the package rewritten by
    :func:`~.packaging.normalize_zip` (``[Content_Types].xml`` first, every entry dated ``when``)."""
    from openpyxl.writer.excel import ExcelWriter

    when = config.build_time() if when is None else when
    wb.properties.created = wb.properties.modified = when
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    return normalize_zip(buf.getvalue(), when, first=OOXML_FIRST)


def workbook_file(name: str) -> str:
    """The workbook's file name in the tables folder of the reports ``name``: ``citynet_2024_ko_tables.xlsx``."""
    return f"{name}_{WORKBOOK_NAME}"


def publish_workbook(folder: Path, fiscal_year: int, ds, lang: str, name: str) -> Path | None:
    """The year folder's ``tables/<name>_tables.xlsx`` (None without saved tables)."""
    tables = Path(folder) / config.TABLES_DIR
    return (build_workbook(tables, workbook_file(name), lang=lang, ds=ds, fiscal_year=fiscal_year,
                           words=notebook_words(folder, lang))
            if tables.is_dir() else None)


PUBLISHER = Publisher(name="workbook", scope=Scope.YEAR, publish=publish_workbook, file=lambda name: f"{config.TABLES_DIR}/{workbook_file(name)}",
                      label="workbook", kind="xlsx")
