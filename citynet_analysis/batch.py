"""Running every selected notebook for every selected fiscal year through papermill, with memo exports.

For each year the notebooks run (in parallel, one kernel per notebook) into a staging folder next to the
reports; each executed notebook is exported to a self-contained HTML page in this process; the figures and
tables that the notebooks write land in ``figures/`` and ``tables/``. A year's folder replaces the previous
one only when every notebook of that year succeeded; otherwise the failed executed notebooks are kept under
``failed/<year>/`` and the previous reports stay as they were."""

from __future__ import annotations

import contextlib
import html
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from .atomic import clean_leftovers, make_temp_dir, remove_tree, replace_dir, temp_path, write_text
from .data import ENV_VAR as DATA_ENV
from .data import load
from .errors import InputError
from .memo import DEFER_ENV, OUTPUT_ENV, render_deferred
from .notebooks import KERNEL, TIMEOUT_S, notebook_paths

LANGS = ("ko", "en")
MANIFEST = "manifest.json"
INDEX = "index.html"
FAILED_DIR = "failed"
GENERATOR = "citynet-analysis batch"


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


_LIVE_KERNELS: set = set()  # kernel managers whose kernel runs now: what an interrupt must stop
_LIVE_LOCK = threading.Lock()


def stop_kernels() -> int:
    """Kill every kernel this process started and has not shut down yet, and remove its connection file;
    returns how many. Used when a batch is interrupted: waiting for a graceful shutdown takes seconds."""
    with _LIVE_LOCK:
        live = list(_LIVE_KERNELS)
        _LIVE_KERNELS.clear()
    for km in live:
        process = getattr(getattr(km, "provisioner", None), "process", None)
        with contextlib.suppress(Exception):
            if process is not None:
                process.kill()
        with contextlib.suppress(Exception):
            Path(km.connection_file).unlink(missing_ok=True)
    return len(live)


def _kernel_manager_class(env: dict[str, str] | None = None, cwd: str | None = None,
                          runtime_dir: str | os.PathLike | None = None):
    """A kernel manager whose kernel gets ``env`` added to its environment (how the batch hands a kernel
    its data and output folders: paths never become notebook code), started in ``cwd`` (papermill's own
    ``cwd=`` changes the whole process's directory, which parallel threads must not do), with its
    connection file in ``runtime_dir`` (the batch's staging folder, so that even a killed batch leaves
    none behind outside it), and whose own stderr (transport warnings, shutdown noise) does not reach the
    terminal; the notebook's outputs, errors included, are captured by papermill in the notebook itself."""
    import uuid

    from jupyter_client.manager import AsyncKernelManager

    extra = dict(env or {})

    class QuietKernelManager(AsyncKernelManager):
        def __init__(self, **kw):
            if runtime_dir is not None:
                kw.setdefault("connection_file", str(Path(runtime_dir) / f".kernel-{uuid.uuid4().hex}.json"))
            super().__init__(**kw)

        async def start_kernel(self, **kw):  # AsyncKernelManager binds start_kernel to the base at import
            kw.setdefault("stderr", subprocess.DEVNULL)
            kw.setdefault("stdout", subprocess.DEVNULL)
            kw["env"] = {**kw.get("env", os.environ), **extra}
            if cwd:
                kw["cwd"] = cwd
            with _LIVE_LOCK:
                _LIVE_KERNELS.add(self)
            return await super().start_kernel(**kw)

        async def shutdown_kernel(self, *a, **kw):
            try:
                return await super().shutdown_kernel(*a, **kw)
            finally:
                with _LIVE_LOCK:
                    _LIVE_KERNELS.discard(self)

    return QuietKernelManager


def papermill_options(env: dict[str, str] | None = None, cwd: str | None = None,
                      runtime_dir: str | os.PathLike | None = None) -> dict:
    """How the batch runs papermill (the benchmark runs its floor notebook the same way): the python3
    kernel, quiet kernel stderr, no history database, and an immediate kernel shutdown once every cell
    has run (a graceful one waits on the kernel, sometimes for seconds)."""
    return dict(kernel_name=KERNEL, progress_bar=False, execution_timeout=TIMEOUT_S,
                kernel_manager_class=_kernel_manager_class(env, cwd, runtime_dir), shutdown_kernel="immediate",
                extra_arguments=["--HistoryManager.enabled=False"])


def check_arguments(years, notebooks, data_dir, jobs, lang, notebook_dir=None
                    ) -> tuple[list[int], dict[str, Path], Path | None]:
    """Everything the command line says, and the data set itself (what ``validate`` checks), checked
    before any kernel starts: a data set that fails is never analysed or published. Raises InputError or
    ValidationFailed (exit 2)."""
    from .data import data_dir as resolve_data_dir
    from .data import load
    from .errors import ValidationFailed
    from .validate import dataset_errors

    if lang not in LANGS:
        raise InputError("--lang", f"must be one of {', '.join(LANGS)}, not {lang!r}")
    if jobs is not None and jobs < 1:
        raise InputError("--jobs", f"must be at least 1, not {jobs}")
    data = resolve_data_dir(data_dir).resolve()
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
    return sorted(chosen), selected, data


def _years(years: list[int]) -> str:
    return " ".join(map(str, years)) if years else "none"


def execute(job: Job, notebook: Path, staging: Path, data_dir: Path, lang: str, figure_cache: Path, ds,
            cancel: threading.Event | None = None) -> Job:
    """Run one notebook with papermill into ``staging`` and export its HTML; never raises. Once ``cancel``
    is set (an interrupted batch) nothing more is written."""
    import papermill as pm

    out_nb = staging / f"{job.notebook}.ipynb"
    # Only a validated integer and a closed-set word become parameters; folders go by environment.
    params = {"fiscal_year": int(job.year), "lang": lang if lang in LANGS else "ko"}
    env = {DATA_ENV: str(data_dir), OUTPUT_ENV: str(staging), DEFER_ENV: "1"}
    start = time.perf_counter()
    try:
        try:
            pm.execute_notebook(str(notebook), str(out_nb), parameters=params,
                                **papermill_options(env, cwd=str(notebook.parent), runtime_dir=staging.parent))
        finally:
            job.execute_seconds = time.perf_counter() - start
        if cancel is not None and cancel.is_set():
            raise RuntimeError("the batch was interrupted")
        from .html_export import notebook_to_html

        render_deferred(out_nb, staging, ds, figure_cache)  # the charts, drawn here rather than in the kernel
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


def _owned_paths(manifest) -> set[str]:
    """The paths (relative to the reports folder) that earlier batches wrote, as their manifest says."""
    if isinstance(manifest, dict):
        return {str(p) for p in manifest.get("owned", [])}
    owned = set()  # the first manifest format: a list of runs
    for e in manifest:
        path = Path(str(e.get("path", "")))
        owned.add(path.parts[0] if path.parts and path.parts[0] != FAILED_DIR else "/".join(path.parts[:2]))
    return owned | {INDEX}


def read_manifest(out: Path) -> dict:
    """The reports folder's manifest, or an empty one for a new folder. InputError (exit 2) when the folder
    cannot be ours: ``--out`` is a file or under one, or its manifest.json was not written by a batch."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise InputError("--out", f"{out}: exists and is not a folder")
    blocking = next((p for p in out.parents if p.exists() or p.is_symlink()), None)
    if blocking is not None and not blocking.is_dir():
        raise InputError("--out", f"{out}: {blocking} is not a folder")
    path = out / MANIFEST
    if not path.exists():
        return {"generator": GENERATOR, "runs": [], "owned": []}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(manifest, list):  # the first manifest format
            manifest = {"generator": GENERATOR, "runs": manifest, "owned": sorted(_owned_paths(manifest))}
        if manifest.get("generator") != GENERATOR or not isinstance(manifest.get("runs"), list):
            raise ValueError("not ours")
        for e in manifest["runs"]:
            int(e["year"]), str(e["notebook"]), str(e["path"]), str(e["status"])
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        raise InputError(str(path), "not a manifest written by citynet-analysis batch; "
                                    "choose another --out folder") from None
    return manifest


def check_reports_target(out: Path, years: list[int]) -> dict:
    """Everything the batch may replace in ``out`` (year folders, failed/<year>, index.html, manifest.json)
    is absent or was written by an earlier batch; files beside them are never touched. Returns the
    manifest; raises InputError (exit 2) before anything is written otherwise."""
    manifest = read_manifest(out)
    owned = _owned_paths(manifest) | ({MANIFEST} if (out / MANIFEST).exists() else set())
    wanted = [INDEX, MANIFEST] + [str(y) for y in years] + [f"{FAILED_DIR}/{y}" for y in years]
    failed = out / FAILED_DIR
    if failed.is_symlink() or (failed.exists() and not failed.is_dir()):
        raise InputError("--out", f"{failed}: exists and is not a folder written by citynet-analysis")
    for rel in wanted:
        target = out / rel
        if (target.exists() or target.is_symlink()) and rel not in owned:
            raise InputError("--out", f"{target}: was not written by citynet-analysis batch; not replacing it "
                                      "(move it away or choose another --out folder)")
        if rel not in (INDEX, MANIFEST) and target.exists() and (target.is_symlink() or not target.is_dir()):
            raise InputError("--out", f"{target}: exists and is not a folder")
    return manifest


def publish_year(staged: Path, target: Path) -> None:
    """Make ``staged`` the year's reports: files of notebooks not run this time are kept, files of the
    notebooks that ran are replaced, the workbook is rebuilt from every table; one rename at the end."""
    from .memo import build_workbook

    if target.exists():
        merged = temp_path(target, "new")
        shutil.copytree(target, merged, symlinks=True)
        shutil.copytree(staged, merged, dirs_exist_ok=True)
        remove_tree(staged)
    else:
        merged = staged
    if (merged / "tables").is_dir():
        build_workbook(merged / "tables")
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


def _run_jobs(all_jobs, selected, staging_root, data, lang, ds, workers, bar, cancel) -> None:
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
            done.put(execute(j, selected[j.notebook], staging_root / str(j.year), data, lang,
                             staging_root / ".figures", ds, cancel))

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
    chosen, selected, data = check_arguments(years, notebooks, data_dir, jobs, lang, notebook_dir)
    out = Path(os.path.abspath(out_dir))
    manifest = check_reports_target(out, chosen)
    try:
        out.mkdir(parents=True, exist_ok=True)
        clean_leftovers(out)
        clean_leftovers(out / FAILED_DIR)
        staging_root = make_temp_dir(out / "batch", "new")
    except OSError as exc:
        raise InputError("--out", f"{out}: cannot write there ({exc.strerror or exc})") from None
    workers = jobs or os.cpu_count() or 1
    all_jobs = [Job(y, n) for y in chosen for n in selected]
    ds = load(data)  # the batch draws the charts from the same data the kernels read
    cancel = threading.Event()
    try:
        with _interruptible():
            for y in chosen:
                (staging_root / str(y)).mkdir()
            bar = _progress(len(all_jobs), progress)
            _run_jobs(all_jobs, selected, staging_root, data, lang, ds, workers, bar, cancel)
            bar.close()
            for y in chosen:
                _publish(out, y, [j for j in all_jobs if j.year == y], staging_root / str(y), manifest)
            write_index(out, all_jobs, lang, manifest)
    except BaseException:
        cancel.set()
        stop_kernels()
        raise
    finally:
        remove_tree(staging_root)
    return all_jobs


def _publish(out: Path, year: int, year_jobs: list[Job], staged: Path, manifest: dict) -> None:
    """A year whose notebooks all ran replaces its reports; otherwise its run is kept under failed/."""
    owned = set(manifest.setdefault("owned", []))
    if all(j.status == "ok" for j in year_jobs):
        publish_year(staged, out / str(year))
        owned.add(str(year))
        for j in year_jobs:
            j.path = f"{year}/{j.notebook}.ipynb"
        remove_tree(out / FAILED_DIR / str(year))
        owned.discard(f"{FAILED_DIR}/{year}")
    else:
        failed_dir = out / FAILED_DIR / str(year)
        failed_dir.parent.mkdir(exist_ok=True)
        replace_dir(staged, failed_dir)
        owned.add(f"{FAILED_DIR}/{year}")
        for j in year_jobs:
            j.path = f"{FAILED_DIR}/{year}/{j.notebook}.ipynb"
            if j.status == "ok":
                j.status = "not published"
                j.error = "another notebook of this year failed; the previous reports were kept"
    manifest["owned"] = sorted(owned)


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


def write_index(out: Path, jobs: list[Job], lang: str, manifest: dict) -> None:
    """``index.html`` and ``manifest.json``: every year and notebook in the reports, with its status, and
    the paths the batches own. Years that this run did not touch keep the entries of the run that made
    them."""
    entries = {(e["year"], e["notebook"]): e for e in manifest.get("runs", [])}
    for j in jobs:
        key = (j.year, j.notebook)
        if j.status == "ok" or key not in entries:
            entries[key] = asdict(j) | {"lang": lang}
        else:  # the year was not published: keep the last good report and say what this run did
            entries[key] = {k: v for k, v in entries[key].items() if not k.startswith("latest_")} | {
                "latest_run": j.status, "latest_error": j.error, "latest_path": j.path}
    for key in list(entries):  # drop entries whose reports were removed by hand
        e = entries[key]
        if not (out / e["path"]).exists():
            del entries[key]
    ordered = [entries[k] for k in sorted(entries)]
    owned = sorted(set(manifest.get("owned", [])) | {INDEX})
    document = {"generator": GENERATOR, "runs": ordered, "owned": owned}
    write_text(out / MANIFEST, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    write_text(out / INDEX, index_html(ordered))


def index_html(entries: list[dict]) -> str:
    rows = []
    for e in entries:
        base = e["path"][: -len(".ipynb")]
        status = e["status"]
        links = f'<a href="{html.escape(base)}.html">report</a> · <a href="{html.escape(e["path"])}">notebook</a>'
        if status != "ok":
            links = f'<a href="{html.escape(e["path"])}">{html.escape(status)} notebook</a>'
        note = ""
        if e.get("latest_run"):
            note = (f' <span class="failed">latest run {html.escape(e["latest_run"])}: '
                    f'{html.escape(e["latest_error"])} (<a href="{html.escape(e["latest_path"])}">notebook</a>)</span>')
        if e.get("error") and status != "ok":
            note = f' <span class="failed">{html.escape(e["error"])}</span>'
        status_class = "ok" if status == "ok" else "failed"
        year_dir = str(e["year"])
        extra = (f' · <a href="{year_dir}/figures/">figures</a> · <a href="{year_dir}/tables/">tables</a>'
                 if status == "ok" else "")
        rows.append(f'<tr><td>{e["year"]}</td><td>{html.escape(e["notebook"])}</td>'
                    f'<td class="{status_class}">{html.escape(str(status))}</td><td>{e["seconds"]:.1f}s</td>'
                    f"<td>{links}{extra}{note}</td></tr>")
    from .html_export import CSP

    return ("<!DOCTYPE html>\n<html lang=\"ko\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            "<title>CityNet secretariat budget reports</title><style>"
            "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border-bottom:1px solid #ccc;padding:.3em .8em;text-align:left}"
            ".ok{color:#1b6e20}.failed{color:#b00020}</style></head><body>"
            "<h1>CityNet secretariat budget reports · 시티넷 사무국 지원 예산 보고서</h1>"
            "<table><tr><th>Year</th><th>Notebook</th><th>Status</th><th>Time</th><th>Files</th></tr>"
            + "".join(rows) + "</table></body></html>\n")


