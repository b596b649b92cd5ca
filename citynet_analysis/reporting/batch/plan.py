"""Which jobs run: every job is keyed (:mod:`.run_keys`); one whose key equals its last good run's is up to
date and keeps its reports."""

from __future__ import annotations

from pathlib import Path

from ... import config
from ...dataset.load import Dataset
from ..runs import RunEntry, Status, outputs_intact
from . import run_keys
from .jobs import Job, Rerun

#: The output folder every executed notebook shows: its own folder. The kernel runs in the job's staging
#: folder (:meth:`.kernels.KernelPool.take`), so the notebook writes beside itself there, and a reader who
#: runs the published notebook again writes beside it, not into the long-gone staging folder.
OUTPUT_DIR = "."


def job_parameters(job: Job, data_dir: Path, lang: str, figure_cache: Path | None = None) -> dict:
    """What papermill injects into a job's notebook (and so what the executed notebook shows). The data
    folder and the figure cache are absolute (the kernel's working folder is the notebook's); the output
    folder is the notebook's own (:data:`OUTPUT_DIR`)."""
    return {"fiscal_year": int(job.year), "program": job.program, "lang": lang,
            "data_dir": str(Path(data_dir).absolute()), "output_dir": OUTPUT_DIR,
            "figure_cache": str(Path(figure_cache).absolute()) if figure_cache is not None else None,
            "data_fingerprint": job.data_fingerprint or None}


def plan_reruns(all_jobs: list[Job], selected: dict[str, Path], ds: Dataset, lang: str, out: Path,
                manifest: dict, force: bool = False) -> list[Job]:
    """Key every job and return those to run: a job whose key equals the one of its last successful run in
    ``out`` (every file it recorded still there with the same bytes) is marked ``up to date`` and keeps its
    reports; ``force`` runs them all. Each job to run says which parts of its key changed."""
    last: dict[tuple[str, str], RunEntry] = {(e.folder, e.notebook): e for e in manifest.get("runs", [])
                                             if e.status is Status.OK}
    config.build_date()  # an invalid $SOURCE_DATE_EPOCH is reported now, before any kernel starts
    notebooks = {name: run_keys.notebook_digest(path) for name, path in selected.items()}  # read once
    todo = []
    for j in all_jobs:
        j.data_fingerprint = ds.select(j.program).fingerprint  # the notebook's load() checks it
        j.key, j.key_parts = run_keys.run_key(j.data_fingerprint, notebooks[j.notebook],
                                              job_parameters(j, ds.path, lang))
        e = last.get((j.folder, j.notebook))
        present = e is not None and outputs_intact(out, e)
        if not force and present and e.key == j.key:
            j.status, j.path, j.seconds = Status.UP_TO_DATE, e.path, 0.0
            continue
        if force:
            j.rerun_because = [Rerun.FORCED]
        elif e is None:
            j.rerun_because = [Rerun.FIRST]
        else:
            j.rerun_because = run_keys.changed_parts(e.key_parts, j.key_parts) or [Rerun.OUTPUTS_MISSING]
        todo.append(j)
    return todo
