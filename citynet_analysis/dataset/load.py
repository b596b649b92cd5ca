"""``load()``: the processed tables of one program for notebooks, from any working directory, checked
before use; ``read()`` for every program of a data set."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import pandas as pd

from .. import config
from ..errors import InputError
from .store import read_dataset
from .tables import TABLES


class ProgramError(InputError):
    """A program the data set does not hold, or no program named where the data set holds several."""

    def __init__(self, where: str, message: str, known: list[str]):
        self.known = known
        super().__init__(where, f"{message}; the data set holds {', '.join(known) or 'no program'}")


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
    fingerprint: str = ""  # hash of the tables (of this program) and reference series: same data, same hash
    program: str | None = None  # the program_id the tables are limited to; None: every program read
    _views: dict = field(default_factory=dict, repr=False, compare=False)  # select()'s results, made once

    def tables(self) -> dict[str, pd.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in TABLES}

    def programs(self) -> list[str]:
        """The program ids of the documents read, sorted."""
        return sorted(set(self.documents["program_id"]))

    def select(self, program: str | None = None) -> Dataset:
        """The tables of one program, with that program's own fingerprint, made once per program and kept
        (callers ask again freely). ``None`` means the only program present (a data set without documents
        stays as it is). A ProgramError, listing the programs, for
        an unknown program or for ``None`` where there are several."""
        if self.program is not None and program in (None, self.program):
            return self
        known = self.programs()
        if program is None:
            if len(known) > 1:
                raise ProgramError(str(self.path), "the data set holds several programs: name one (load(program=…), "
                                   "the notebooks' program parameter, --program)", known)
            if not known:
                return self
            program = known[0]
        if program not in known:
            raise ProgramError(str(self.path), f"no program {program!r}", known)
        if program not in self._views:
            if known == [program]:  # every row is the program's: same tables, same fingerprint
                self._views[program] = replace(self, program=program, _views={})
            else:
                tables = {name: df[df["program_id"] == program].reset_index(drop=True)
                          for name, df in self.tables().items()}
                self._views[program] = Dataset(**tables, path=self.path, fingerprint=fingerprint(tables),
                                               program=program)
        return self._views[program]

    def program_ko(self) -> str:
        """The program's name as its newest document writes it (empty without documents)."""
        docs = self.documents.sort_values("fiscal_year")
        return str(docs["program_ko"].iloc[-1]) if len(docs) else ""

    def fiscal_years(self) -> list[int]:
        """Every fiscal year that any table states a fact about, ascending."""
        years: set[int] = set()
        for df in self.tables().values():
            if "fiscal_year" in df:
                years |= set(int(y) for y in df["fiscal_year"].dropna().unique())
        return sorted(years)


class DataChanged(InputError):
    """The data set is not the one a run was planned for: it changed between the batch's planning and the
    notebook's reading it."""


def load(data_dir: str | os.PathLike | None = None, program: str | None = None,
         fingerprint: str | None = None) -> Dataset:
    """The tables of one program of a processed data set (default: the embedded one; or ``data_dir`` or
    $CITYNET_DATA_DIR). ``program`` is a program_id; None means the only program the data set holds (a
    ProgramError listing them where it holds several).

    Checked first, so that bad data is never analysed: ``datapackage.json`` (valid JSON describing our
    tables, the files it names present), every CSV (UTF-8, well formed, our header) and every cell against
    the table contract (the rules of the pandera schemas). Raises InputError for a file that cannot be read
    and ValidationFailed listing each cell that breaks the contract, both naming the file and line.

    ``fingerprint`` (what the batch passes): the data must be exactly the data the run was planned for;
    other data is :class:`DataChanged`, so a report is never made from data its run key does not name."""
    ds = read(data_dir).select(program)
    if fingerprint is not None and ds.fingerprint != fingerprint:
        raise DataChanged(str(ds.path), f"the data changed since the batch planned this run (fingerprint "
                                        f"{ds.fingerprint[:12]}, planned {str(fingerprint)[:12]}); run the batch again")
    return ds


def read(data_dir: str | os.PathLike | None = None) -> Dataset:
    """Every program of a processed data set, checked as :func:`load` does."""
    path = config.data_dir(data_dir)
    tables = read_dataset(path)
    return Dataset(**tables, path=path, fingerprint=fingerprint(tables))


def fingerprint(tables: dict[str, pd.DataFrame]) -> str:
    """SHA-256 over the tables' rows (as CSV) and the reference series: what a result drawn from them
    depends on. A program's fingerprint covers only its own rows, so another program's new document
    leaves it unchanged."""
    h = hashlib.sha256()
    for name in sorted(tables):
        h.update(name.encode() + b"\0" + tables[name].to_csv(index=False, lineterminator="\n").encode())
    for p in sorted(config.REFERENCE_DIR.glob("*.csv")):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()
