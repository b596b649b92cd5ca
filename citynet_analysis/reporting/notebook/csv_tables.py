"""A saved table as a CSV file: written in UTF-8 with BOM (Excel shows Hangul) with formula-looking text kept
as text, and read back exactly. What a notebook needs to save its tables, without the workbook's openpyxl."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ...atomic import atomic_path
from .escape import is_formula_like, spreadsheet_frame


def write_csv(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """A CSV in UTF-8 with BOM (Excel shows Hangul), written atomically; a text cell that a spreadsheet
    would evaluate (``=…``, ``+…``, ``-…``, ``@…``) is written with a leading ``'``."""
    with atomic_path(path) as tmp:
        spreadsheet_frame(df).to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return Path(path)


def unprotected(value):
    """A cell as the notebook had it: the protective ``'`` that :func:`write_csv` put before formula-looking
    text removed (anything else as it is)."""
    return value[1:] if isinstance(value, str) and value[:1] == "'" and is_formula_like(value[1:]) else value


def read_csv_table(path: str | os.PathLike) -> pd.DataFrame:
    """A CSV as written by :func:`write_csv`. Only an empty cell is missing (a text "NA" stays text); an
    empty file is an empty table."""
    try:
        return pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def read_tables(tables_dir: str | os.PathLike) -> dict[str, pd.DataFrame]:
    """Every ``*.csv`` of a folder (:func:`read_csv_table`): ``{file stem: DataFrame}``."""
    return {csv.stem: read_csv_table(csv) for csv in sorted(Path(tables_dir).glob("*.csv"))}
