"""The batch: every selected notebook for every selected program and fiscal year, run and published.

Arguments are checked (:mod:`.arguments`), every job keyed and only the stale ones planned (:mod:`.plan`),
run in parallel on pre-started kernels into a staging folder inside the reports folder (:mod:`.execute`),
then each year folder is published (every registered publisher of the year) and moved into place in one
rename, and the portal and the manifest are written (:mod:`.manifest`).

A data set of one program gives ``<out>/<year>/``; one of several programs gives ``<out>/<program_id>/<year>/``
(a "folder" below is either). A year's folder replaces the previous one only when every notebook of that
year succeeded; otherwise the executed notebooks are kept under ``failed/<year>/`` and the previous
reports stay as they were."""

from __future__ import annotations

import os
import shutil
import sys
import threading
from pathlib import Path

from ...atomic import clean_leftovers, make_temp_dir, remove_tree, replace_dir, temp_path
from ...config import FAILED_DIR, INDEX_FILE, MANIFEST_FILE, STAGING_DIR
from ...errors import InputError
from ..publishers import publish_year
from ..runs import Status
from . import kernels
from .arguments import check_arguments
from .execute import interruptible, run_jobs
from .jobs import Job, YearFolder
from .lock import reports_lock
from .manifest import check_reports_target, index_intact, read_manifest, record_owned, write_index
from .notebook_files import notebook_paths
from .plan import plan_reruns


def run_batch(years=None, notebooks=None, data_dir=None, out_dir="reports", jobs=None, lang="ko",
              progress=True, notebook_dir=None, programs=None, force=False, figure_cache=None,
              wait=True) -> list[Job]:
    """Run the batch and return its jobs. Arguments and the ``--out`` folder are checked first (InputError
    before any kernel). Only the notebooks whose key changed since their last successful run in ``out``
    run (:func:`plan_reruns`; ``force``: all); the others are ``up to date``. Ctrl-C or SIGTERM raise
    :class:`Interrupted` after the kernels are stopped and the staging folder is removed, with the
    previous reports untouched. One batch writes a reports folder at a time (:mod:`.lock`): a second one
    waits for it (``wait=False``: InputError)."""
    year_folders, selected, ds = check_arguments(years, notebooks, data_dir, jobs, lang, notebook_dir, programs)
    if not str(out_dir).strip():
        raise InputError("--out", "must name a folder")
    out = Path(os.path.abspath(out_dir))
    read_manifest(out)  # --out is a folder (or can be one) before anything is created
    with reports_lock(out, wait):
        return _run_locked(out, year_folders, selected, ds, jobs, lang, progress, force, figure_cache)


def _run_locked(out, year_folders, selected, ds, jobs, lang, progress, force, figure_cache) -> list[Job]:
    """The batch, holding the reports folder's lock: from reading its manifest to writing it."""
    data = ds.path
    folders = [u.folder for u in year_folders]
    # before the check: a folder moved back is checked like any other
    for parent, names in _leftover_targets(folders).items():
        clean_leftovers(out / parent, names)
    manifest = check_reports_target(out, folders)
    every_notebook = set(notebook_paths(next(iter(selected.values())).parent)) == set(selected)
    all_jobs = [Job(u.year, n, program=u.program, folder=u.folder) for u in year_folders for n in selected]
    todo = plan_reruns(all_jobs, selected, ds, lang, out, manifest, force)
    stale = [u for u in year_folders if any(j.folder == u.folder for j in todo)]
    if not todo and index_intact(out, manifest):
        return all_jobs  # everything up to date: nothing to run, nothing to write
    try:
        staging_root = make_temp_dir(out / STAGING_DIR, "new")
    except OSError as exc:
        raise InputError("--out", f"{out}: cannot write there ({exc.strerror or exc})") from None
    workers = min(jobs or os.cpu_count() or 1, max(len(todo), 1))
    cancel = threading.Event()
    pool = None
    try:
        with interruptible():
            if todo:
                for u in stale:
                    (staging_root / u.folder).mkdir(parents=True)
                notebook_dir = next(iter(selected.values())).parent
                pool = kernels.KernelPool(size=workers + 1, total=len(todo), cwd=notebook_dir,
                                          runtime_dir=staging_root)
            def settle(u: YearFolder) -> None:
                folder_jobs = [j for j in todo if j.folder == u.folder]
                everything = every_notebook and len(folder_jobs) == len(selected)
                _settle(out, u, folder_jobs, staging_root / u.folder, manifest, keep_others=not everything,
                        ds=ds.select(u.program), lang=lang)

            waiting = {u.folder: sum(j.folder == u.folder for j in todo) for u in stale}
            by_folder = {u.folder: u for u in stale}

            def done(j: Job) -> None:  # a folder is published as soon as its last notebook ran
                waiting[j.folder] -= 1
                if not waiting[j.folder]:
                    settle(by_folder[j.folder])

            if todo:
                bar = _progress(len(todo), progress)
                run_jobs(todo, selected, staging_root, data, lang, pool, workers, bar, cancel, figure_cache,
                         on_done=done)
                bar.close()
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
    out: dict[str, set[str]] = {".": {STAGING_DIR, INDEX_FILE, MANIFEST_FILE}}
    for folder in folders:
        parent, _, name = folder.rpartition("/")
        out.setdefault(parent or ".", set()).add(name)
        out.setdefault(f"{FAILED_DIR}/{parent}" if parent else FAILED_DIR, set()).add(name)
        if parent:
            out["."].add(parent)
            out.setdefault(FAILED_DIR, set()).add(parent)
    return out


def _settle(out: Path, year_folder: YearFolder, folder_jobs: list[Job], staged: Path, manifest: dict,
            keep_others: bool, ds, lang: str) -> None:
    """A folder whose notebooks all ran replaces its reports; otherwise its run is kept under failed/. The
    manifest records the folder as ours before it is moved into place, so a run stopped in between never
    leaves a folder that later runs refuse."""
    owned = set(manifest.setdefault("owned", []))
    folder = year_folder.folder
    parent = folder.split("/")[0] if "/" in folder else None  # a program's folder, ours too
    if all(j.status is Status.OK for j in folder_jobs):
        kept = [p for p in (out / folder).glob("*.ipynb") if keep_others and not (staged / p.name).exists()]
        clash, involved = name_clash([*sorted(staged.glob("*.ipynb")), *kept])
        for j in folder_jobs:  # two notebooks wrote the same file: the staged folder holds only one of them
            if j.notebook in involved:
                j.status, j.error = Status.FAILED, clash
    if all(j.status is Status.OK for j in folder_jobs):
        record_owned(out, manifest, owned | {folder} | ({parent} if parent else set()))
        (out / folder).parent.mkdir(parents=True, exist_ok=True)
        publish_folder(staged, out / folder, keep_others, ds, year_folder.year, lang)
        for j in folder_jobs:
            j.path = f"{folder}/{j.notebook}.ipynb"
        remove_tree(out / FAILED_DIR / folder)
    else:
        record_owned(out, manifest, owned | {f"{FAILED_DIR}/{folder}"}
                     | ({f"{FAILED_DIR}/{parent}"} if parent else set()))
        failed_dir = out / FAILED_DIR / folder
        failed_dir.parent.mkdir(parents=True, exist_ok=True)
        replace_dir(staged, failed_dir)
        for j in folder_jobs:
            j.path = f"{FAILED_DIR}/{folder}/{j.notebook}.ipynb"
            if j.status is Status.OK:
                j.status = Status.NOT_PUBLISHED
                j.error = "another notebook of this year failed; the previous reports were kept"


def name_clash(notebooks: list[Path]) -> tuple[str, set[str]]:
    """Say which figure or table name two notebooks of one year folder both save (``figures/<name>.*``,
    ``tables/<name>.csv``): the second run overwrote the first's files, so the folder must not be published
    as it is. The message and the two notebooks; ``("", set())`` when every saved name has one notebook."""
    from ..notebook.records import Kind, read_records

    owner: dict[tuple[Kind, str], str] = {}
    for path in notebooks:
        for r in read_records(path):
            if r.kind in (Kind.FIGURE, Kind.TABLE) and r.name:
                first = owner.setdefault((r.kind, r.name), path.stem)
                if first != path.stem:
                    what = "figure" if r.kind is Kind.FIGURE else "table"
                    return (f"the {what} {r.name!r} is saved by both {first} and {path.stem}: give one of them "
                            "another name; the previous reports were kept"), {first, path.stem}
    return "", set()


def publish_folder(staged: Path, target: Path, keep_others: bool, ds, year: int, lang: str) -> None:
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
    publish_year(merged, year, ds, lang, target.name)
    replace_dir(merged, target)


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="notebooks", unit="nb", disable=not enabled, file=sys.stderr,
                bar_format="{desc}: {n_fmt}/{total_fmt} |{bar}| {elapsed} {postfix}")
