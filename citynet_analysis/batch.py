"""Running every selected notebook for every selected fiscal year through papermill, with memo exports.

For each year the notebooks run (in parallel, one kernel per notebook) into a staging folder next to the
reports; each executed notebook is exported to a self-contained HTML page in this process; the figures and
tables that the notebooks write land in ``figures/`` and ``tables/``. A year's folder replaces the previous
one only when every notebook of that year succeeded; otherwise the failed executed notebooks are kept under
``failed/<year>/`` and the previous reports stay as they were."""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

from .atomic import replace_dir, write_text
from .data import ENV_VAR as DATA_ENV
from .data import load
from .errors import InputError
from .memo import DEFER_ENV, OUTPUT_ENV, render_deferred
from .notebooks import KERNEL, TIMEOUT_S, notebook_paths

LANGS = ("ko", "en")
MANIFEST = "manifest.json"
FAILED_DIR = "failed"


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


def _kernel_manager_class(env: dict[str, str] | None = None, cwd: str | None = None):
    """A kernel manager whose kernel gets ``env`` added to its environment (how the batch hands a kernel
    its data and output folders: paths never become notebook code), started in ``cwd`` (papermill's own
    ``cwd=`` changes the whole process's directory, which parallel threads must not do), and whose own
    stderr (transport warnings, shutdown noise) does not reach the terminal; the notebook's outputs,
    errors included, are captured by papermill in the notebook itself."""
    from jupyter_client.manager import AsyncKernelManager

    extra = dict(env or {})

    class QuietKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw):  # AsyncKernelManager binds start_kernel to the base at import
            kw.setdefault("stderr", subprocess.DEVNULL)
            kw.setdefault("stdout", subprocess.DEVNULL)
            kw["env"] = {**kw.get("env", os.environ), **extra}
            if cwd:
                kw["cwd"] = cwd
            return await super().start_kernel(**kw)

    return QuietKernelManager


def papermill_options(env: dict[str, str] | None = None, cwd: str | None = None) -> dict:
    """How the batch runs papermill (the benchmark runs its floor notebook the same way): the python3
    kernel, quiet kernel stderr, no history database, and an immediate kernel shutdown once every cell
    has run (a graceful one waits on the kernel, sometimes for seconds)."""
    return dict(kernel_name=KERNEL, progress_bar=False, execution_timeout=TIMEOUT_S,
                kernel_manager_class=_kernel_manager_class(env, cwd), shutdown_kernel="immediate",
                extra_arguments=["--HistoryManager.enabled=False"])


def check_arguments(years, notebooks, data_dir, jobs, lang, notebook_dir=None
                    ) -> tuple[list[int], dict[str, Path], Path | None]:
    """Everything the command line says, checked before any kernel starts. Raises InputError (exit 2)."""
    from .data import data_dir as resolve_data_dir
    from .data import load

    if lang not in LANGS:
        raise InputError("--lang", f"must be one of {', '.join(LANGS)}, not {lang!r}")
    if jobs is not None and jobs < 1:
        raise InputError("--jobs", f"must be at least 1, not {jobs}")
    data = resolve_data_dir(data_dir).resolve()
    available_years = load(data).fiscal_years()
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


def execute(job: Job, notebook: Path, staging: Path, data_dir: Path, lang: str, figure_cache: Path, ds) -> Job:
    """Run one notebook with papermill into ``staging`` and export its HTML; never raises."""
    import papermill as pm

    out_nb = staging / f"{job.notebook}.ipynb"
    # Only a validated integer and a closed-set word become parameters; folders go by environment.
    params = {"fiscal_year": int(job.year), "lang": lang if lang in LANGS else "ko"}
    env = {DATA_ENV: str(data_dir), OUTPUT_ENV: str(staging), DEFER_ENV: "1"}
    start = time.perf_counter()
    try:
        try:
            pm.execute_notebook(str(notebook), str(out_nb), parameters=params,
                                **papermill_options(env, cwd=str(notebook.parent)))
        finally:
            job.execute_seconds = time.perf_counter() - start
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


def publish_year(staged: Path, target: Path) -> None:
    """Make ``staged`` the year's reports: files of notebooks not run this time are kept, files of the
    notebooks that ran are replaced, the workbook is rebuilt from every table; one rename at the end."""
    from .memo import build_workbook

    if target.exists():
        merged = target.with_name(f".{target.name}.new-{os.getpid()}")
        shutil.copytree(target, merged)
        shutil.copytree(staged, merged, dirs_exist_ok=True)
        shutil.rmtree(staged)
    else:
        merged = staged
    if (merged / "tables").is_dir():
        build_workbook(merged / "tables")
    replace_dir(merged, target)


def run_batch(years=None, notebooks=None, data_dir=None, out_dir="reports", jobs=None, lang="ko",
              progress=True, notebook_dir=None) -> list[Job]:
    """Run the batch and return its jobs. Arguments are checked first (InputError before any kernel)."""
    chosen, selected, data = check_arguments(years, notebooks, data_dir, jobs, lang, notebook_dir)
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    workers = jobs or os.cpu_count() or 1
    staging_root = Path(tempfile.mkdtemp(prefix=".batch-", dir=out))
    all_jobs = [Job(y, n) for y in chosen for n in selected]
    ds = load(data)  # the batch draws the charts from the same data the kernels read
    try:
        for y in chosen:
            (staging_root / str(y)).mkdir()
        bar = _progress(len(all_jobs), progress)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(execute, j, selected[j.notebook], staging_root / str(j.year), data, lang,
                                   staging_root / ".figures", ds) for j in all_jobs]
            for f in as_completed(futures):
                j = f.result()
                bar.set_postfix_str(f"{j.year} {j.notebook} {j.status}", refresh=False)
                bar.update(1)
        bar.close()
        for y in chosen:
            year_jobs = [j for j in all_jobs if j.year == y]
            staged = staging_root / str(y)
            if all(j.status == "ok" for j in year_jobs):
                publish_year(staged, out / str(y))
                for j in year_jobs:
                    j.path = f"{y}/{j.notebook}.ipynb"
                shutil.rmtree(out / FAILED_DIR / str(y), ignore_errors=True)
            else:
                failed_dir = out / FAILED_DIR / str(y)
                failed_dir.parent.mkdir(exist_ok=True)
                replace_dir(staged, failed_dir)
                for j in year_jobs:
                    j.path = f"{FAILED_DIR}/{y}/{j.notebook}.ipynb"
                    if j.status == "ok":
                        j.status = "not published"
                        j.error = "another notebook of this year failed; the previous reports were kept"
        write_index(out, all_jobs, lang)
    finally:
        shutil.rmtree(staging_root, ignore_errors=True)
    return all_jobs


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


def write_index(out: Path, jobs: list[Job], lang: str) -> None:
    """``index.html`` (and ``manifest.json``): every year and notebook in the reports, with its status.
    Years that this run did not touch keep the entries of the run that made them."""
    manifest_path = out / MANIFEST
    entries = {}
    if manifest_path.exists():
        try:
            for e in json.loads(manifest_path.read_text(encoding="utf-8")):
                entries[(e["year"], e["notebook"])] = e
        except (ValueError, KeyError, TypeError):
            entries = {}
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
    write_text(manifest_path, json.dumps(ordered, ensure_ascii=False, indent=2) + "\n")
    write_text(out / "index.html", index_html(ordered))


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
                    f'<td class="{status_class}">{status}</td><td>{e["seconds"]:.1f}s</td>'
                    f"<td>{links}{extra}{note}</td></tr>")
    return ("<!DOCTYPE html>\n<html lang=\"ko\"><head><meta charset=\"utf-8\">"
            "<title>CityNet secretariat budget reports</title><style>"
            "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border-bottom:1px solid #ccc;padding:.3em .8em;text-align:left}"
            ".ok{color:#1b6e20}.failed{color:#b00020}</style></head><body>"
            "<h1>CityNet secretariat budget reports · 시티넷 사무국 지원 예산 보고서</h1>"
            "<table><tr><th>Year</th><th>Notebook</th><th>Status</th><th>Time</th><th>Files</th></tr>"
            + "".join(rows) + "</table></body></html>\n")


