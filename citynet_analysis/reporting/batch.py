"""Running every selected notebook for every selected program and fiscal year through papermill, and
publishing what they produced.

A data set of one program gives ``<out>/<year>/``; one of several programs gives ``<out>/<program_id>/<year>/``
(a "folder" below is either). For each folder the notebooks run (in parallel, each on a fresh pre-started kernel of its own, see
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
from dataclasses import dataclass, field
from pathlib import Path

from .. import config
from ..atomic import clean_leftovers, make_temp_dir, remove_tree, replace_dir, temp_path
from ..config import CELL_TIMEOUT_S, KERNEL
from ..dataset.load import Dataset, read
from ..errors import InputError, ValidationFailed
from . import kernels, run_keys
from .format import LANGS
from .html_page import notebook_to_html
from .manifest import FAILED_DIR, INDEX, MANIFEST, check_reports_target, record_owned, write_index
from .notebook_files import notebook_paths
from .portal import run_folder
from .publishers import publish_all


@dataclass(frozen=True)
class Unit:
    """One program's fiscal year and the folder of the reports folder its reports go to."""

    program: str
    year: int
    folder: str  # "2024", or "wego/2024" when the data set holds several programs


@dataclass
class Job:
    """One notebook for one program and fiscal year, and how it went."""

    year: int
    notebook: str
    program: str = ""
    folder: str = ""  # where its year's reports go, relative to the reports folder (default: the year)
    status: str = "pending"  # ok | failed | not published | up to date (not re-run: its key had not changed)
    seconds: float = 0.0  # papermill run plus HTML export
    execute_seconds: float = 0.0  # the papermill run alone (kernel start to shutdown)
    error: str = ""
    path: str = ""  # where the executed notebook is (relative to the reports folder)
    key: str = ""  # what the run depends on (:mod:`.run_keys`)
    key_parts: dict = field(default_factory=dict)
    rerun_because: list = field(default_factory=list)  # the key parts that changed since the last good run

    def __post_init__(self):
        self.folder = self.folder or str(self.year)


def check_arguments(years, notebooks, data_dir, jobs, lang, notebook_dir=None, programs=None
                    ) -> tuple[list[Unit], dict[str, Path], Dataset]:
    """Everything the command line says, and the data set itself (what ``validate`` checks), checked
    before any kernel starts: a data set that fails is never analysed or published. Returns the units
    (program and year, with their folder), the notebooks and the data set of every program (its ``path``
    is the folder the notebooks get). Raises InputError or ValidationFailed (exit 2).

    ``programs`` default to every program of the data set and ``years`` to each program's own years; a
    year that no chosen program has is an error, a chosen year that one program lacks is skipped for it."""
    from ..dataset.validate import dataset_errors

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
    reserved = [p for p in known if len(known) > 1 and (p in (FAILED_DIR, "batch") or p.isdigit())]
    if reserved:  # a program folder would take the place of the reports folder's own
        raise InputError(str(ds.path / "documents.csv"), f"program_id {reserved[0]!r} is a name the reports "
                                                         "folder uses (failed, batch, a year); rename it")
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
    nested = len(known) > 1
    units = [Unit(p, y, f"{p}/{y}" if nested else str(y))
             for p in chosen_programs for y in sorted(chosen) if y in program_years[p]]
    all_notebooks = notebook_paths(notebook_dir)
    unknown = [n for n in notebooks or [] if n not in all_notebooks]
    if unknown:
        raise InputError("--notebooks", f"unknown {', '.join(unknown)}; available: {', '.join(all_notebooks)}")
    selected = {n: all_notebooks[n] for n in (notebooks or all_notebooks)}
    return units, selected, ds


def _years(years: list[int]) -> str:
    return " ".join(map(str, years)) if years else "none"


def execute(job: Job, notebook: Path, staging: Path, data_dir: Path, lang: str, pool: kernels.KernelPool,
            cancel: threading.Event | None = None) -> Job:
    """Run one notebook with papermill on a fresh kernel from ``pool`` into ``staging`` and export its
    HTML page; never raises. The data and output folders are notebook parameters, so the executed
    notebook shows exactly what the run used. Once ``cancel`` is set nothing more is written."""
    import papermill as pm

    out_nb = staging / f"{job.notebook}.ipynb"
    params = job_parameters(job, data_dir, lang, staging)
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


def job_parameters(job: Job, data_dir: Path, lang: str, staging: Path | None = None) -> dict:
    """What papermill injects into a job's notebook (and so what the executed notebook shows)."""
    return {"fiscal_year": int(job.year), "program": job.program, "lang": lang, "data_dir": str(data_dir),
            "output_dir": str(staging) if staging is not None else None}


def plan_reruns(all_jobs: list[Job], selected: dict[str, Path], ds: Dataset, lang: str, out: Path,
                manifest: dict, force: bool = False) -> list[Job]:
    """Key every job and return those to run: a job whose key equals the one of its last successful run in
    ``out`` (whose executed notebook and page are still there) is marked ``up to date`` and keeps its
    reports; ``force`` runs them all. Each job to run says which parts of its key changed."""
    last = {(run_folder(e), e["notebook"]): e for e in manifest.get("runs", []) if e.get("status") == "ok"}
    notebooks = {name: run_keys.notebook_digest(path) for name, path in selected.items()}  # read once
    todo = []
    for j in all_jobs:
        j.key, j.key_parts = run_keys.run_key(ds.select(j.program).fingerprint, notebooks[j.notebook],
                                              job_parameters(j, ds.path, lang))
        e = last.get((j.folder, j.notebook))
        present = e is not None and (out / e["path"]).is_file() and (out / e["path"]).with_suffix(".html").is_file()
        if not force and present and e.get("key") == j.key:
            j.status, j.path, j.seconds = "up to date", e["path"], 0.0
            continue
        if force:
            j.rerun_because = ["forced"]
        elif e is None:
            j.rerun_because = ["no earlier run"]
        else:
            j.rerun_because = run_keys.changed_parts(e.get("key_parts"), j.key_parts) or ["outputs missing"]
        todo.append(j)
    return todo


def _one_line(exc: Exception) -> str:
    name = getattr(exc, "ename", None) or type(exc).__name__
    value = getattr(exc, "evalue", None) or str(exc)
    return f"{name}: {str(value).strip().splitlines()[0] if str(value).strip() else ''}"[:300]


def publish_year(staged: Path, target: Path, keep_others: bool, ds, year: int, lang: str) -> None:
    """Make ``staged`` the year's reports, in one rename. With ``keep_others`` (only some notebooks ran)
    the files of the other notebooks are kept from the previous reports; otherwise the folder is replaced
    whole, so nothing of an earlier run lingers. The workbook and the Word memo are rebuilt from what the
    executed notebooks produced (their tables, figures and output records) by every registered publisher."""
    if target.exists() and keep_others:
        merged = temp_path(target, "new")
        shutil.copytree(target, merged)  # no symlinks: check_reports_target refused them
        shutil.copytree(staged, merged, dirs_exist_ok=True)
        remove_tree(staged)
    else:
        merged = staged
    publish_all(merged, year, ds, lang)
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
            done.put(execute(j, selected[j.notebook], staging_root / j.folder, data, lang, pool, cancel))

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
        bar.set_postfix_str(f"{j.folder} {j.notebook} {j.status}", refresh=False)
        bar.update(1)


def run_batch(years=None, notebooks=None, data_dir=None, out_dir="reports", jobs=None, lang="ko",
              progress=True, notebook_dir=None, programs=None, force=False) -> list[Job]:
    """Run the batch and return its jobs. Arguments and the ``--out`` folder are checked first (InputError
    before any kernel). Only the notebooks whose key changed since their last successful run in ``out``
    run (:func:`plan_reruns`; ``force``: all); the others are ``up to date``. Ctrl-C or SIGTERM raise
    :class:`Interrupted` after the kernels are stopped and the staging folder is removed, with the
    previous reports untouched."""
    units, selected, ds = check_arguments(years, notebooks, data_dir, jobs, lang, notebook_dir, programs)
    data = ds.path
    if not str(out_dir).strip():
        raise InputError("--out", "must name a folder")
    out = Path(os.path.abspath(out_dir))
    folders = [u.folder for u in units]
    # before the check: a folder moved back is checked like any other
    for parent, names in _leftover_targets(folders).items():
        clean_leftovers(out / parent, names)
    manifest = check_reports_target(out, folders)
    all_notebooks = set(notebook_paths(next(iter(selected.values())).parent)) == set(selected)
    all_jobs = [Job(u.year, n, program=u.program, folder=u.folder) for u in units for n in selected]
    todo = plan_reruns(all_jobs, selected, ds, lang, out, manifest, force)
    stale = [u for u in units if any(j.folder == u.folder for j in todo)]
    if not todo and (out / INDEX).is_file():
        return all_jobs  # everything up to date: nothing to run, nothing to write
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging_root = make_temp_dir(out / "batch", "new")
    except OSError as exc:
        raise InputError("--out", f"{out}: cannot write there ({exc.strerror or exc})") from None
    workers = min(jobs or os.cpu_count() or 1, max(len(todo), 1))
    cancel = threading.Event()
    pool = None
    try:
        with _interruptible():
            if todo:
                for u in stale:
                    (staging_root / u.folder).mkdir(parents=True)
                notebook_dir = next(iter(selected.values())).parent
                pool = kernels.KernelPool(size=workers + 1, total=len(todo), cwd=notebook_dir,
                                          runtime_dir=staging_root)
                bar = _progress(len(todo), progress)
                _run_jobs(todo, selected, staging_root, data, lang, pool, workers, bar, cancel)
                bar.close()
            for u in stale:
                unit_jobs = [j for j in todo if j.folder == u.folder]
                everything = all_notebooks and len(unit_jobs) == len(selected)
                _publish(out, u, unit_jobs, staging_root / u.folder, manifest, keep_others=not everything,
                         ds=ds.select(u.program), lang=lang)
            write_index(out, all_jobs, lang, manifest, ds)
    except BaseException:
        cancel.set()
        if pool is not None:
            pool.stop()
        raise
    finally:
        if pool is not None:
            pool.close()
        remove_tree(staging_root)
    return all_jobs


def _leftover_targets(folders: list[str]) -> dict[str, set[str]]:
    """Where a killed batch may have left temporaries for ``folders`` (``2024`` or ``wego/2024``): the
    parent folder → the target names in it."""
    out: dict[str, set[str]] = {".": {"batch", INDEX, MANIFEST}}
    for folder in folders:
        parent, _, name = folder.rpartition("/")
        out.setdefault(parent or ".", set()).add(name)
        out.setdefault(f"{FAILED_DIR}/{parent}" if parent else FAILED_DIR, set()).add(name)
        if parent:
            out["."].add(parent)
            out.setdefault(FAILED_DIR, set()).add(parent)
    return out


def _publish(out: Path, unit: Unit, unit_jobs: list[Job], staged: Path, manifest: dict, keep_others: bool,
             ds, lang: str) -> None:
    """A folder whose notebooks all ran replaces its reports; otherwise its run is kept under failed/. The
    manifest records the folder as ours before it is moved into place, so a run stopped in between never
    leaves a folder that later runs refuse."""
    owned = set(manifest.setdefault("owned", []))
    folder = unit.folder
    parent = folder.split("/")[0] if "/" in folder else None  # a program's folder, ours too
    if all(j.status == "ok" for j in unit_jobs):
        record_owned(out, manifest, owned | {folder} | ({parent} if parent else set()))
        (out / folder).parent.mkdir(parents=True, exist_ok=True)
        publish_year(staged, out / folder, keep_others, ds, unit.year, lang)
        for j in unit_jobs:
            j.path = f"{folder}/{j.notebook}.ipynb"
        remove_tree(out / FAILED_DIR / folder)
    else:
        record_owned(out, manifest, owned | {f"{FAILED_DIR}/{folder}"}
                     | ({f"{FAILED_DIR}/{parent}"} if parent else set()))
        failed_dir = out / FAILED_DIR / folder
        failed_dir.parent.mkdir(parents=True, exist_ok=True)
        replace_dir(staged, failed_dir)
        for j in unit_jobs:
            j.path = f"{FAILED_DIR}/{folder}/{j.notebook}.ipynb"
            if j.status == "ok":
                j.status = "not published"
                j.error = "another notebook of this year failed; the previous reports were kept"


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="notebooks", unit="nb", disable=not enabled, file=sys.stderr,
                bar_format="{desc}: {n_fmt}/{total_fmt} |{bar}| {elapsed} {postfix}")


def summary_table(jobs: list[Job]) -> str:
    """Folder (year, or program/year) × notebook: ok or failed with seconds, and where each failed notebook
    was kept."""
    names = list(dict.fromkeys(j.notebook for j in jobs))
    folders = list(dict.fromkeys(j.folder for j in jobs))
    cell = {(j.folder, j.notebook): "up to date" if j.status == "up to date" else f"{j.status} {j.seconds:5.1f}s"
            for j in jobs}
    width = max([len(n) for n in names] + [12])
    first = max([len(f) for f in folders] + [4])
    lines = [f"{'year':<{first}}  " + "  ".join(f"{n:<{width}}" for n in names)]
    for f in folders:
        lines.append(f"{f:<{first}}  " + "  ".join(f"{cell.get((f, n), ''):<{width}}" for n in names))
    for j in jobs:
        if j.status not in ("ok", "up to date"):
            lines.append(f"{j.status}: {j.folder} {j.notebook}: {j.error} (kept in {j.path})")
    ran = [j for j in jobs if j.status != "up to date"]
    if not ran:
        lines.append(f"all {len(jobs)} notebook runs up to date: nothing re-run (--force runs them again)")
    else:
        lines.append(f"{len(jobs) - len(ran)} of {len(jobs)} notebook runs up to date; ran {len(ran)} "
                     f"({_reasons(ran)})")
    return "\n".join(lines)


def _reasons(jobs: list[Job]) -> str:
    """Why jobs re-ran, by the key parts that changed: ``notebook changed: 5, data changed: 3``."""
    counts: dict[str, int] = {}
    for j in jobs:
        for part in j.rerun_because:
            counts[part] = counts.get(part, 0) + 1
    return ", ".join(f"{p} changed: {n}" if p in run_keys.PARTS else f"{p}: {n}" for p, n in counts.items())



