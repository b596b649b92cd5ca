"""Running the planned jobs: each notebook through papermill on a fresh kernel of the pool, in parallel, then
the publishers that turn one executed notebook into its files (its page); Ctrl-C and SIGTERM stop it."""

from __future__ import annotations

import contextlib
import queue
import signal
import threading
import time
from pathlib import Path

from ...config import CELL_TIMEOUT_S, KERNEL
from ...errors import one_line
from ..publishers import publish_notebook
from ..runs import Status
from . import kernels
from .jobs import Job
from .plan import job_parameters


def execute(job: Job, notebook: Path, staging: Path, data_dir: Path, lang: str, pool: kernels.KernelPool,
            cancel: threading.Event | None = None, figure_cache: Path | None = None) -> Job:
    """Run one notebook with papermill on a fresh kernel from ``pool`` into ``staging`` and publish what is
    made of one notebook (its page); never raises. The data and output folders are notebook parameters, so the executed
    notebook shows exactly what the run used. Once ``cancel`` is set nothing more is written."""
    import papermill as pm

    out_nb = staging / f"{job.notebook}.ipynb"
    params = job_parameters(job, data_dir, lang, staging, figure_cache)
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
        publish_notebook(out_nb, lang)
        job.status = Status.OK
    except Exception as exc:  # a failing notebook must not stop the others
        job.status = Status.FAILED
        job.error = one_line(exc)
    job.seconds = time.perf_counter() - start
    return job


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


def run_jobs(all_jobs, selected, staging_root, data, lang, pool, workers, bar, cancel, figure_cache=None) -> None:
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
            done.put(execute(j, selected[j.notebook], staging_root / j.folder, data, lang, pool, cancel,
                             figure_cache))

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
