"""Running the planned jobs: each notebook through papermill on a fresh kernel of the pool, in parallel, then
the publishers that turn one executed notebook into its files (its page); Ctrl-C and SIGTERM stop it.

An executed notebook is the same bytes every run (docs/reproducible.md): :func:`stable_notebook` removes
what papermill and nbclient record about the run itself (start and end times, durations) and gives the
injected parameters cell a fixed id, before any page is made from it."""

from __future__ import annotations

import contextlib
import queue
import signal
import threading
import time
from pathlib import Path

from ...atomic import write_text
from ...config import CELL_TIMEOUT_S, KERNEL
from ...errors import one_line
from ..publishers import publish_notebook
from ..runs import Status
from . import kernels, run_keys
from .jobs import Job
from .plan import job_parameters


def execute(job: Job, notebook: Path, staging: Path, data_dir: Path, lang: str, pool: kernels.KernelPool,
            cancel: threading.Event | None = None, figure_cache: Path | None = None) -> Job:
    """Run one notebook with papermill on a fresh kernel from ``pool`` into ``staging`` and publish what is
    made of one notebook (its page); never raises. The data and output folders are notebook parameters, so the executed
    notebook shows exactly what the run used. Once ``cancel`` is set nothing more is written."""
    import papermill as pm

    out_nb = staging / f"{job.notebook}.ipynb"
    params = job_parameters(job, data_dir, lang, figure_cache)
    start = time.perf_counter()
    try:
        km = pool.take(cwd=staging)  # output_dir "." is the staging folder of the notebook's year
        try:
            pm.execute_notebook(str(notebook), str(out_nb), parameters=params, km=km, kernel_name=KERNEL,
                                progress_bar=False, execution_timeout=CELL_TIMEOUT_S)
        except BaseException:
            with contextlib.suppress(Exception):  # a failed run's notebook too (kept under failed/)
                if out_nb.is_file():
                    stable_notebook(out_nb)
            raise
        finally:
            kernels.shutdown(km)
            job.execute_seconds = time.perf_counter() - start
        stable_notebook(out_nb)
        if cancel is not None and cancel.is_set():
            raise RuntimeError("the batch was interrupted")
        publish_notebook(out_nb, lang, job.folder)
        job.status = Status.OK
    except Exception as exc:  # a failing notebook must not stop the others
        job.status = Status.FAILED
        job.error = one_line(exc)
    job.seconds = time.perf_counter() - start
    return job


#: The id of the cell papermill injects (tagged ``injected-parameters``; papermill gives it a random one).
INJECTED_CELL_ID = "injected-parameters"
#: What papermill records of the run (notebook and cells) that differs from one run to the next.
_RUN_TIMES = ("start_time", "end_time", "duration")


def stable_notebook(path: Path) -> None:
    """Rewrite an executed notebook so that it, and the page made from it, are a function of what the run
    key covers (:mod:`.run_keys`) and nothing else:

    - what papermill and nbclient record about the run itself: start and end times and durations (of the
      notebook and of each cell), nbclient's ``execution`` timings; papermill's ``output_path`` (a path in
      the staging folder) becomes the notebook's file name;
    - what the source notebook carries that the key leaves out: cell ids (by position now, the injected
      parameters cell :data:`INJECTED_CELL_ID`; papermill gives an older notebook random ones), the order
      of a cell's tags (sorted), the editor's cell metadata (:data:`.run_keys.VOLATILE_CELL_METADATA`) and
      the kernel it was saved with (now the kernel the batch ran it on, :data:`~citynet_analysis.config.KERNEL`).

    What the run used and made stays: ``metadata.papermill.parameters``, the injected cell, every output,
    each cell's status, the kernel's ``language_info``."""
    import nbformat

    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    run = nb.metadata.get("papermill")
    if isinstance(run, dict):
        for key in _RUN_TIMES:
            run.pop(key, None)
        if run.get("output_path"):
            run["output_path"] = path.name
    nb.metadata["kernelspec"] = dict(RAN_ON)
    nb.nbformat_minor = max(nb.get("nbformat_minor", 0), 5)  # ids are part of the format from 4.5
    for i, cell in enumerate(nb.cells, 1):
        meta = cell.metadata
        for key in _EDITOR_METADATA:
            meta.pop(key, None)
        if isinstance(meta.get("papermill"), dict):
            for key in _RUN_TIMES:
                meta["papermill"].pop(key, None)
        if isinstance(meta.get("tags"), list):
            meta["tags"] = sorted(set(meta["tags"]))
        cell["id"] = INJECTED_CELL_ID if "injected-parameters" in meta.get("tags", []) else f"cell-{i}"
    write_text(path, nbformat.writes(nb) + "\n")


#: The cell metadata the source notebook brings that the run key leaves out (papermill's own, written
#: fresh by the run, stays).
_EDITOR_METADATA = run_keys.VOLATILE_CELL_METADATA - {"papermill"}
#: The kernel an executed notebook shows: the one the batch runs every notebook on.
RAN_ON = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": KERNEL}


class Interrupted(Exception):
    """Ctrl-C (SIGINT) or SIGTERM during a batch; the CLI exits 128 + the signal number."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(f"interrupted by {signal.Signals(signum).name}")


@contextlib.contextmanager
def interruptible():
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


def run_jobs(all_jobs, selected, staging_root, data, lang, pool, workers, bar, cancel, figure_cache=None,
             on_done=None) -> None:
    """Run the jobs on ``workers`` daemon threads; the main thread waits in short steps so that a signal
    is handled at once (daemon threads never hold up the exit of an interrupted batch), and calls
    ``on_done(job)`` for each finished job (the batch publishes a year folder as soon as its last job is
    done, while the kernels run the next folder's notebooks)."""
    todo: queue.Queue = queue.Queue()
    for j in all_jobs:
        todo.put(j)
    done: queue.Queue = queue.Queue()

    def worker():
        try:
            while not cancel.is_set():
                try:
                    j = todo.get_nowait()
                except queue.Empty:
                    return
                done.put(execute(j, selected[j.notebook], staging_root / j.folder, data, lang, pool, cancel,
                                 figure_cache))
        finally:
            kernels.close_event_loop()

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
        if on_done is not None:
            on_done(j)
