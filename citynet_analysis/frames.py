"""Rows to DataFrames with the contract's columns and dtypes (int64 won, nullable Int64, str)."""

from __future__ import annotations

import pandas as pd

from .tables import TABLES, pandas_dtypes


def to_frame(rows: list[dict], table: str) -> pd.DataFrame:
    """A DataFrame with exactly the table's columns, in order, with its dtypes."""
    spec = TABLES[table]
    df = pd.DataFrame(rows, columns=spec.columns)
    return coerce(df, table)


def coerce(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Cast each column to the table's dtype; missing text stays missing (not the string 'nan')."""
    out = df[TABLES[table].columns].copy()
    for col, dtype in pandas_dtypes(TABLES[table]).items():
        if dtype == "str":
            out[col] = out[col].astype("object").where(out[col].notna(), None).astype("str")
        elif dtype == "Int64":
            out[col] = pd.array(out[col].astype("object").where(out[col].notna(), None), dtype="Int64")
        else:
            out[col] = out[col].astype(dtype)
    return out.reset_index(drop=True)
