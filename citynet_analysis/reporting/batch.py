"""Running every selected notebook for every selected fiscal year through papermill, and publishing what
they produced.

For each year the notebooks run (in parallel, each on a fresh pre-started kernel of its own, see
:mod:`.kernels`) into a staging folder inside the reports folder, with ``data_dir`` and ``output_dir`` as
papermill parameters. The notebooks draw and save their own figures and tables; the batch only exports
each executed notebook to a self-contained HTML page and the year's tables to one workbook. A year's folder replaces the previous
one only when every notebook of that year succeeded; otherwise the failed executed notebooks are kept under
``failed/<year>/`` and the previous reports stay as they were."""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .. import config
from ..atomic import clean_leftovers, make_temp_dir, remove_tree, replace_dir, temp_path
from ..config import CELL_TIMEOUT_S, KERNEL
from ..dataset.load import Dataset, load
from ..errors import InputError, ValidationFailed
from . import kernels
from .exports import build_workbook
from .format import LANGS
from .html_page import notebook_to_html
from .notebooks import notebook_paths
from .site import FAILED_DIR, INDEX, MANIFEST, check_reports_target, record_owned, write_index
from .word_memo import write_memo


@dataclass
class Job:
    """One notebook for one fiscal year, and how it went."""

    year: int
    notebook: str
    status: str = "pending"  # ok | failed
    seconds: float = 0.0  # papermill run plus HTML export
    execute_seconds: float = 0.0  # the papermill run alone (kernel start to shutdown)
    error: str = ""
    path: str = ""  # where the executed notebook is (relative to the reports folder)


def check_arguments(years, notebooks, data_dir, jobs, lang, notebook_dir=None
                    ) -> tuple[list[int], dict[str, Path], Dataset]:
    """Everything the command line says, and the data set itself (what ``validate`` checks), checked
    before any kernel starts: a data set that fails is never analysed or published. Returns the years,
    the notebooks and the loaded data set (its ``path`` is the folder the notebooks get). Raises
    InputError or ValidationFailed (exit 2)."""
    from ..dataset.validate import dataset_errors

    if lang not in LANGS:
        raise InputError("--lang", f"must be one of {', '.join(LANGS)}, not {lang!r}")
    if jobs is not None and jobs < 1:
        raise InputError("--jobs", f"must be at least 1, not {jobs}")
    data = config.data_dir(data_dir).resolve()
    ds = load(data)
    errors = dataset_errors(ds)
    if errors:
        raise ValidationFailed(errors)
    available_years = ds.fiscal_years()
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
    all_notebooks = notebook_paths(notebook_dir)
    unknown = [n for n in notebooks or [] if n not in all_notebooks]
    if unknown:
        raise InputError("--notebooks", f"unknown {', '.join(unknown)}; available: {', '.join(all_notebooks)}")
    selected = {n: all_notebooks[n] for n in (notebooks or all_notebooks)}
    return sorted(chosen), selected, ds


def _years(years: list[int]) -> str:
    return " ".join(map(str, years)) if years else "none"


def execute(job: Job, notebook: Path, staging: Path, data_dir: Path, lang: str, pool: kernels.KernelPool,
            cancel: threading.Event | None = None) -> Job:
    """Run one notebook with papermill on a fresh kernel from ``pool`` into ``staging`` and export its
    HTML page; never raises. The data and output folders are notebook parameters, so the executed
    notebook shows exactly what the run used. Once ``cancel`` is set nothing more is written."""
    import papermill as pm

    out_nb = staging / f"{job.notebook}.ipynb"
    params = {"fiscal_year": int(job.year), "lang": lang, "data_dir": str(data_dir), "output_dir": str(staging)}
    start = time.perf_counter()
    try:
        km = pool.take()
        try:
            pm.execute_notebook(str(notebook), str(out_nb), parameters=params, km=km, kernel_name=KERNEL,
                                progress_bar=False, execution_timeout=CELL_TIMEOUT_S)
        finally:
            kernels.shutdown(km)
            job.execute_seconds = time.perf_counter() - start
        if cancel is not None and cancel.is_set():
            raise RuntimeError("the batch was interrupted")
        notebook_to_html(out_nb, staging / f"{job.notebook}.html", exclude_input=True, lang=lang)
        job.status = "ok"
    except Exception as exc:  # a failing notebook must not stop the others
        job.status = "failed"
        job.error = _one_line(exc)
    job.seconds = time.perf_counter() - start
    return job


def _one_line(exc: Exception) -> str:
    name = getattr(exc, "ename", None) or type(exc).__name__
    value = getattr(exc, "evalue", None) or str(exc)
    return f"{name}: {str(value).strip().splitlines()[0] if str(value).strip() else ''}"[:300]


def publish_year(staged: Path, target: Path, keep_others: bool, ds, year: int, lang: str) -> None:
    """Make ``staged`` the year's reports, in one rename. With ``keep_others`` (only some notebooks ran)
    the files of the other notebooks are kept from the previous reports; otherwise the folder is replaced
    whole, so nothing of an earlier run lingers. The workbook and the Word memo are rebuilt from what the
    executed notebooks produced (their tables, figures and output records)."""
    if target.exists() and keep_others:
        merged = temp_path(target, "new")
        shutil.copytree(target, merged)  # no symlinks: check_reports_target refused them
        shutil.copytree(staged, merged, dirs_exist_ok=True)
        remove_tree(staged)
    else:
        merged = staged
    if (merged / "tables").is_dir():
        build_workbook(merged / "tables", lang=lang, ds=ds, fiscal_year=year)
    write_memo(merged, year, ds, lang)
    replace_dir(merged, target)


class Interrupted(Exception):
    """Ctrl-C (SIGINT) or SIGTERM during a batch; the CLI exits 128 + the signal number."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(f"interrupted by {signal.Signals(signum).name}")


@contextlib.contextmanager
def _interruptible():
    """Turn SIGINT and SIGTERM into :class:`Interrupted` in the main thread while the block runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise Interrupted(signum)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _run_jobs(all_jobs, selected, staging_root, data, lang, pool, workers, bar, cancel) -> None:
    """Run the jobs on ``workers`` daemon threads; the main thread waits in short steps so that a signal
    is handled at once (daemon threads never hold up the exit of an interrupted batch)."""
    todo: queue.Queue = queue.Queue()
    for j in all_jobs:
        todo.put(j)
    done: queue.Queue = queue.Queue()

    def worker():
        while not cancel.is_set():
            try:
                j = todo.get_nowait()
            except queue.Empty:
                return
            done.put(execute(j, selected[j.notebook], staging_root / str(j.year), data, lang, pool, cancel))

    threads = [threading.Thread(target=worker, daemon=True, name=f"batch-{i}") for i in range(workers)]
    for t in threads:
        t.start()
    for _ in all_jobs:
        while True:
            try:
                j = done.get(timeout=0.1)
                break
            except queue.Empty:
                continue
        bar.set_postfix_str(f"{j.year} {j.notebook} {j.status}", refresh=False)
        bar.update(1)


def run_batch(years=None, notebooks=None, data_dir=None, out_dir="reports", jobs=None, lang="ko",
              progress=True, notebook_dir=None) -> list[Job]:
    """Run the batch and return its jobs. Arguments and the ``--out`` folder are checked first (InputError
    before any kernel). Ctrl-C or SIGTERM raise :class:`Interrupted` after the kernels are stopped and the
    staging folder is removed, with the previous reports untouched."""
    chosen, selected, ds = check_arguments(years, notebooks, data_dir, jobs, lang, notebook_dir)
    data = ds.path
    if not str(out_dir).strip():
        raise InputError("--out", "must name a folder")
    out = Path(os.path.abspath(out_dir))
    ours = {"batch", INDEX, MANIFEST} | {str(y) for y in chosen}
    clean_leftovers(out, ours)  # before the check: a folder moved back is checked like any other
    clean_leftovers(out / FAILED_DIR, {str(y) for y in chosen})
    manifest = check_reports_target(out, chosen)
    all_notebooks = set(notebook_paths(next(iter(selected.values())).parent)) == set(selected)
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging_root = make_temp_dir(out / "batch", "new")
    except OSError as exc:
        raise InputError("--out", f"{out}: cannot write there ({exc.strerror or exc})") from None
    all_jobs = [Job(y, n) for y in chosen for n in selected]
    workers = min(jobs or os.cpu_count() or 1, len(all_jobs))
    cancel = threading.Event()
    pool = None
    try:
        with _interruptible():
            for y in chosen:
                (staging_root / str(y)).mkdir()
            notebook_dir = next(iter(selected.values())).parent
            pool = kernels.KernelPool(size=workers + 1, total=len(all_jobs), cwd=notebook_dir,
                                      runtime_dir=staging_root)
            bar = _progress(len(all_jobs), progress)
            _run_jobs(all_jobs, selected, staging_root, data, lang, pool, workers, bar, cancel)
            bar.close()
            for y in chosen:
                _publish(out, y, [j for j in all_jobs if j.year == y], staging_root / str(y), manifest,
                         keep_others=not all_notebooks, ds=ds, lang=lang)
            write_index(out, all_jobs, lang, manifest, ds)
    except BaseException:
        cancel.set()
        kernels.stop_all()
        raise
    finally:
        if pool is not None:
            pool.close()
        remove_tree(staging_root)
    return all_jobs


def _publish(out: Path, year: int, year_jobs: list[Job], staged: Path, manifest: dict, keep_others: bool,
             ds, lang: str) -> None:
    """A year whose notebooks all ran replaces its reports; otherwise its run is kept under failed/. The
    manifest records the folder as ours before it is moved into place, so a run stopped in between never
    leaves a folder that later runs refuse."""
    owned = set(manifest.setdefault("owned", []))
    if all(j.status == "ok" for j in year_jobs):
        record_owned(out, manifest, owned | {str(year)})
        publish_year(staged, out / str(year), keep_others, ds, year, lang)
        for j in year_jobs:
            j.path = f"{year}/{j.notebook}.ipynb"
        remove_tree(out / FAILED_DIR / str(year))
    else:
        record_owned(out, manifest, owned | {f"{FAILED_DIR}/{year}"})
        failed_dir = out / FAILED_DIR / str(year)
        failed_dir.parent.mkdir(exist_ok=True)
        replace_dir(staged, failed_dir)
        for j in year_jobs:
            j.path = f"{FAILED_DIR}/{year}/{j.notebook}.ipynb"
            if j.status == "ok":
                j.status = "not published"
                j.error = "another notebook of this year failed; the previous reports were kept"


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="notebooks", unit="nb", disable=not enabled, file=sys.stderr,
                bar_format="{desc}: {n_fmt}/{total_fmt} |{bar}| {elapsed} {postfix}")


def summary_table(jobs: list[Job]) -> str:
    """Year × notebook: ok or failed with seconds, and where each failed notebook was kept."""
    names = list(dict.fromkeys(j.notebook for j in jobs))
    years = sorted({j.year for j in jobs})
    cell = {(j.year, j.notebook): f"{j.status} {j.seconds:5.1f}s" for j in jobs}
    width = max([len(n) for n in names] + [12])
    lines = ["year  " + "  ".join(f"{n:<{width}}" for n in names)]
    for y in years:
        lines.append(f"{y}  " + "  ".join(f"{cell[(y, n)]:<{width}}" for n in names))
    for j in jobs:
        if j.status != "ok":
            lines.append(f"{j.status}: {j.year} {j.notebook}: {j.error} (kept in {j.path})")
    return "\n".join(lines)


