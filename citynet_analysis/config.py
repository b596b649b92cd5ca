"""Where things are: the one place that decides paths, for a checkout of the repository and for an installed
package alike.

In a checkout (``pip install -e .``) the package reads and writes the repository's ``data/`` and
``notebooks/``. An installed wheel carries a copy of the processed data set, the reference series and the
notebooks inside the package (``citynet_analysis/bundled/``, made when the wheel is built); it never writes
there."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from .errors import InputError

#: The package's version (pyproject.toml says the same; the memo, workbook and manifest cite it).
VERSION = "0.1.0"

PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_DIR = PACKAGE_DIR.parent
#: The checkout (meaningful only when IN_REPOSITORY).
REPO_DIR = _REPO_DIR
#: True in a checkout of the repository, False in an installed package.
IN_REPOSITORY = (_REPO_DIR / "pyproject.toml").is_file() and (_REPO_DIR / "data" / "processed").is_dir()
BUNDLED_DIR = PACKAGE_DIR / "bundled"
_ROOT = _REPO_DIR if IN_REPOSITORY else BUNDLED_DIR

#: The documents as received (a checkout only; an installed package ingests the files it is given).
RAW_DIR: Path | None = _REPO_DIR / "data" / "raw" if IN_REPOSITORY else None
#: The embedded processed data set: what ``load()`` reads when given no folder.
PROCESSED_DIR = _ROOT / "data" / "processed"
#: CPI and exchange-rate series.
REFERENCE_DIR = _ROOT / "data" / "reference"
#: The analysis notebooks.
NOTEBOOK_DIR = _ROOT / "notebooks"
#: What a wheel bundles, relative to the repository (and to ``bundled/``).
BUNDLED_PATHS = ("data/processed", "data/reference", "notebooks")

FONT_DIR = PACKAGE_DIR / "fonts"
TEMPLATE_DIR = PACKAGE_DIR / "templates"
VOCABULARY_FILE = PACKAGE_DIR / "vocabulary.toml"
MESSAGES_FILE = PACKAGE_DIR / "messages.toml"

#: Environment variable naming a processed data set for ``load()`` with no argument.
DATA_ENV = "CITYNET_DATA_DIR"
#: Where the batch writes when not told: ``reports/`` in the current folder.
DEFAULT_REPORTS_DIR = Path("reports")
# The reports folder's names, one place for every module that writes or reads them.
#: A year folder's saved tables (CSV, the workbook) and figures (PNG, SVG, PDF).
TABLES_DIR = "tables"
FIGURES_DIR = "figures"
#: The reports folder's portal, its manifest, where failed runs are kept and the batch's staging folder.
INDEX_FILE = "index.html"
MANIFEST_FILE = "manifest.json"
FAILED_DIR = "failed"
STAGING_DIR = "batch"



def report_name(program: str, fiscal_year: int, lang: str) -> str:
    """The name of one program's reports of a fiscal year in a language: their folder in the reports folder
    and the start of every file name in it (``citynet_2024_ko`` → ``citynet_2024_ko_memo.docx``), so
    that a file mailed alone still says what it is, and Korean and English reports live side by side."""
    return f"{program}_{fiscal_year}_{lang}"


#: The Jupyter kernel that runs the notebooks: the name the notebooks' ``kernelspec`` carries and papermill
#: is given. The batch always starts it on its own Python (``reporting/batch/kernels.py``), whatever
#: ``python3`` kernel is installed in the user's Jupyter folders.
KERNEL = "python3"
#: Seconds a kernel may take to start and answer (and, in the batch, to import pandas, matplotlib and the
#: package), in the batch and under nbval (the repository's conftest.py); a start that fails is tried once
#: more, saying so.
KERNEL_STARTUP_TIMEOUT_S = 120
#: Seconds a notebook cell may run.
CELL_TIMEOUT_S = 600
#: The kernel ``citynet-analysis kernel install`` installs for an analyst's own JupyterLab (one in another
#: environment): this environment's Python, under a name of its own, so that it never shadows the user's
#: ``python3`` kernel. A notebook saved with it records this name; the batch does not care (see KERNEL).
ANALYST_KERNEL = "citynet-analysis"
ANALYST_KERNEL_DISPLAY_NAME = "Python (citynet-analysis)"


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """The processed data folder: the argument, else $CITYNET_DATA_DIR, else the embedded data set."""
    if path is not None:
        return Path(path)
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV])
    return PROCESSED_DIR


#: Environment variable fixing the build date (https://reproducible-builds.org/specs/source-date-epoch/).
SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"


def build_date() -> dt.date:
    """The date the reports carry (memo title block, workbook, document properties): the UTC date of
    $SOURCE_DATE_EPOCH (seconds since 1970-01-01 UTC, a non-negative integer), else today. An empty
    variable counts as unset; any other value is an :class:`~citynet_analysis.errors.InputError`."""
    return build_time().date()


def build_time() -> dt.datetime:
    """Midnight (UTC, naive) of :func:`build_date`: the time written where a file format wants one (zip
    entries, document properties), so that two builds of one day are the same bytes."""
    raw = os.environ.get(SOURCE_DATE_EPOCH, "").strip()
    if not raw:
        today = dt.date.today()
    else:
        try:
            if not (raw.isascii() and raw.isdigit()):
                raise ValueError(raw)
            today = dt.datetime.fromtimestamp(int(raw), dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise InputError(SOURCE_DATE_EPOCH, f"{raw[:40]!r} is not a time in seconds since 1970-01-01 "
                             "(an integer, e.g. 1718000000), nor empty (today)") from None
    return dt.datetime(today.year, today.month, today.day)


def figure_cache_dir() -> Path:
    """Where the batch keeps rendered figures by content (``batch --figure-cache``): the user's cache folder
    (``$XDG_CACHE_HOME`` or ``~/.cache``) ``/citynet-analysis/figures``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "citynet-analysis" / "figures"


def default_ingest_out() -> Path | None:
    """Where ``ingest`` writes when not told: the repository's data/processed, or nowhere (an installed
    package never writes into itself)."""
    return PROCESSED_DIR if IN_REPOSITORY else None
