"""``load()``: the processed tables for notebooks, from any working directory, checked before use."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, fields
from pathlib import Path

import pandas as pd

from .. import config
from .store import read_dataset
from .tables import TABLES


@dataclass(frozen=True)
class Dataset:
    """One DataFrame per processed table."""

    documents: pd.DataFrame
    budget_totals: pd.DataFrame
    line_items: pd.DataFrame
    settlements: pd.DataFrame
    activities: pd.DataFrame
    milestones: pd.DataFrame
    schedule: pd.DataFrame
    anomalies: pd.DataFrame
    path: Path
    fingerprint: str = ""  # hash of the processed files: same data, same fingerprint

    def tables(self) -> dict[str, pd.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("path", "fingerprint")}

    def fiscal_years(self) -> list[int]:
        """Every fiscal year that any table states a fact about, ascending."""
        years: set[int] = set()
        for df in self.tables().values():
            if "fiscal_year" in df:
                years |= set(int(y) for y in df["fiscal_year"].unique())
        return sorted(years)


def load(data_dir: str | os.PathLike | None = None) -> Dataset:
    """Load a processed data set (default: the embedded one; or ``data_dir`` or $CITYNET_DATA_DIR).

    Checked first, so that bad data is never analysed: ``datapackage.json`` (valid JSON describing our
    tables, the files it names present), every CSV (UTF-8, well formed, our header) and every cell against
    the table contract (the rules of the pandera schemas). Raises InputError for a file that cannot be read
    and ValidationFailed listing each cell that breaks the contract, both naming the file and line."""
    path = config.data_dir(data_dir)
    return Dataset(**read_dataset(path), path=path, fingerprint=fingerprint(path))


def fingerprint(path: Path) -> str:
    """SHA-256 over the table files and the reference series: what a chart of the data depends on (other
    files in the folder, even a folder named like a CSV, are not read)."""
    h = hashlib.sha256()
    tables = [Path(path) / name for name in sorted(f"{t}.csv" for t in TABLES)]
    for p in tables + sorted(config.REFERENCE_DIR.glob("*.csv")):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()
