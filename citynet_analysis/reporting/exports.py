"""Tables as files people open: CSV (UTF-8 with BOM, so Excel shows Hangul) and one Excel workbook of a
year's tables. A text cell that a spreadsheet would evaluate is stored as text."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..atomic import atomic_path
from .escape import is_formula_like, spreadsheet_frame


def write_csv(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """A CSV in UTF-8 with BOM (Excel shows Hangul), written atomically; a text cell that a spreadsheet
    would evaluate (``=…``, ``+…``, ``-…``, ``@…``) is written with a leading ``'``."""
    with atomic_path(path) as tmp:
        spreadsheet_frame(df).to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return Path(path)


WORKBOOK_NAME = "tables.xlsx"


def build_workbook(tables_dir: str | os.PathLike, name: str = WORKBOOK_NAME) -> Path | None:
    """One .xlsx with a sheet per CSV in ``tables_dir`` (sheet names cut to Excel's 31 characters)."""
    tables_dir = Path(tables_dir)
    csvs = sorted(tables_dir.glob("*.csv"))
    if not csvs:
        return None
    target = tables_dir / name
    with atomic_path(target) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as xl:
        used = set()
        for csv in csvs:
            sheet = csv.stem[:31]
            n = 2
            while sheet in used:
                sheet, n = f"{csv.stem[:28]}~{n}", n + 1
            used.add(sheet)
            df = pd.read_csv(csv, encoding="utf-8-sig")
            df.to_excel(xl, sheet_name=sheet, index=False)
            _text_cells_stay_text(xl.sheets[sheet])
    return target


def _text_cells_stay_text(ws) -> None:
    """Store every text cell that looks like a formula as text, with Excel's quote prefix: openpyxl
    would otherwise write ``=HYPERLINK(…)`` as a live formula. The CSV's protective ``'`` is dropped,
    since the cell type now carries that meaning."""
    for row in ws.iter_rows():
        for cell in row:
            value = cell.value
            if isinstance(value, str) and value[:1] == "'" and is_formula_like(value[1:]):
                value = value[1:]
            if is_formula_like(value) or cell.data_type == "f":
                cell.value = value
                cell.data_type = "s"
                cell.quotePrefix = True
