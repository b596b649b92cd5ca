"""Public reference series (CPI, KRW per USD) kept in data/reference with their source column."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import vocabulary
from ..config import REFERENCE_DIR

CPI_FILE = "korea_cpi_2020base.csv"
FX_FILE = "krw_per_usd_annual.csv"


@dataclass(frozen=True)
class Series:
    """An annual series: values by year and the source to cite under any figure that uses it."""

    values: pd.Series  # index: year (int), float values
    source: str
    short_name: str = ""  # key of vocabulary.toml [reference_series]

    def get(self, year: int) -> float | None:
        """The value for a year, or None where the series has no final value for it."""
        return float(self.values[year]) if year in self.values.index else None


def _read(path: Path, column: str, short_name: str) -> Series:
    df = pd.read_csv(path)
    sources = df["source"].drop_duplicates().tolist()
    return Series(values=df.set_index("year")[column].astype(float), source="; ".join(sources),
                  short_name=short_name)


def cpi(reference_dir: str | Path | None = None) -> Series:
    """Consumer price index, annual average, 2020 = 100 (Statistics Korea)."""
    return _read(Path(reference_dir or REFERENCE_DIR) / CPI_FILE, "cpi_2020_100", "cpi")


def krw_per_usd(reference_dir: str | Path | None = None) -> Series:
    """Won per US dollar, annual average of daily rates (Bank of Korea)."""
    return _read(Path(reference_dir or REFERENCE_DIR) / FX_FILE, "krw_per_usd", "krw_per_usd")


def short_source(series: Series, lang: str = "en") -> str:
    """The source's institution and series name in ``lang``, short enough for a figure's source line
    (vocabulary.toml ``[reference_series]``)."""
    return vocabulary.labels("reference_series")[series.short_name][lang]
