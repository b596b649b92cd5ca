"""The batch's arguments, checked before any kernel starts, with the data set they name."""

from __future__ import annotations

from pathlib import Path

from ... import config
from ...config import report_name
from ...dataset.load import Dataset, read
from ...errors import InputError, ValidationFailed
from ..notebook.format import LANGS
from .jobs import YearFolder
from .notebook_files import notebook_paths


def check_arguments(years, notebooks, data_dir, jobs, lang, notebook_dir=None, programs=None
                    ) -> tuple[list[YearFolder], dict[str, Path], Dataset]:
    """Everything the command line says, and the data set itself (what ``validate`` checks), checked
    before any kernel starts: a data set that fails is never analysed or published. Returns the year_folders
    (program and year, with their folder), the notebooks and the data set of every program (its ``path``
    is the folder the notebooks get). Raises InputError or ValidationFailed (exit 2).

    ``programs`` default to every program of the data set and ``years`` to each program's own years; a
    year that no chosen program has is an error, a chosen year that one program lacks is skipped for it."""
    from ...dataset.validate import dataset_errors

    if lang not in LANGS:
        raise InputError("--lang", f"must be one of {', '.join(LANGS)}, not {lang!r}")
    if jobs is not None and jobs < 1:
        raise InputError("--jobs", f"must be at least 1, not {jobs}")
    data = config.data_dir(data_dir).resolve()
    ds = read(data)
    errors = dataset_errors(ds)
    if errors:
        raise ValidationFailed(errors)
    known = ds.programs()
    unknown = [p for p in programs or [] if p not in known]
    if unknown:
        raise InputError("--programs", f"unknown {', '.join(unknown)}; the data set holds {', '.join(known) or 'none'}")
    chosen_programs = list(dict.fromkeys(programs or known))
    program_years = {p: ds.select(p).fiscal_years() for p in chosen_programs}
    available_years = sorted(set().union(*program_years.values())) if program_years else []
    chosen = []
    for y in years or available_years:
        try:
            year = int(str(y), 10)
        except ValueError:
            raise InputError("--years", f"{y!r} is not a year; available: {_years(available_years)}") from None
        if year not in available_years:
            raise InputError("--years", f"no data for {year}; available: {_years(available_years)}")
        if year not in chosen:
            chosen.append(year)
    year_folders = [YearFolder(p, y, report_name(p, y, lang))
                    for p in chosen_programs for y in sorted(chosen) if y in program_years[p]]
    found = notebook_paths(notebook_dir)
    unknown = [n for n in notebooks or [] if n not in found]
    if unknown:
        raise InputError("--notebooks", f"unknown {', '.join(unknown)}; available: {', '.join(found)}")
    selected = {n: found[n] for n in (notebooks or found)}
    return year_folders, selected, ds


def _years(years: list[int]) -> str:
    return " ".join(map(str, years)) if years else "none"
