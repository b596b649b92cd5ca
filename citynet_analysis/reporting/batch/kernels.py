"""Kernels for the batch: fresh, pre-started, warmed up; one notebook each.

Starting a kernel and importing pandas and matplotlib costs 1.5–2.5 s here, most of a short notebook's
run. The pool starts the next kernels while others run notebooks, so that start-up overlaps with work:
each kernel is started in the notebook folder, imports the libraries every notebook uses (nothing the
notebook sees as state: no variables, no parameters), runs exactly one notebook and is shut down. A kernel
is never reused for a second notebook. When it is taken for a notebook, its working folder becomes that
notebook's output folder (:meth:`KernelPool.take`), as JupyterLab runs a notebook in its own folder: the
executed notebook says ``output_dir = "."`` and means the folder it is in.

Every kernel a pool starts is registered with that pool until it is shut down, so that an interrupted
batch stops its own kernels at once (:meth:`KernelPool.stop`) and never another pool's; connection files
live in the batch's staging folder, so a killed batch leaves none behind elsewhere."""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import threading
import uuid
from pathlib import Path

from ...config import KERNEL

#: What a warmed-up kernel has imported: the modules every notebook's first cell imports.
WARMUP_CODE = (
    "import pandas, matplotlib, matplotlib.pyplot\n"
    "import citynet_analysis\n"
    "import citynet_analysis.analysis.metrics\n"
    "import citynet_analysis.reporting.notebook.charts, citynet_analysis.reporting.notebook.narrative\n"
    "import citynet_analysis.reporting.notebook.report\n"
)

_LIVE: dict = {}  # a started kernel not yet shut down -> the pool that owns it
_LIVE_LOCK = threading.Lock()


def _register(km, owner=None) -> None:
    with _LIVE_LOCK:
        _LIVE[km] = owner


def _forget(km) -> None:
    with _LIVE_LOCK:
        _LIVE.pop(km, None)


def _kill(owner) -> int:
    """Kill every kernel ``owner`` started and has not shut down, and remove its connection file;
    returns how many. For an interrupted batch: a graceful shutdown takes seconds."""
    with _LIVE_LOCK:
        live = [km for km, o in _LIVE.items() if o is owner]
        for km in live:
            del _LIVE[km]
    for km in live:
        process = getattr(getattr(km, "provisioner", None), "process", None)
        with contextlib.suppress(Exception):
            if process is not None:
                process.kill()
        with contextlib.suppress(Exception):
            Path(km.connection_file).unlink(missing_ok=True)
    return len(live)


def kernel_environment(runtime_dir: str | os.PathLike) -> dict[str, str]:
    """The environment of a batch kernel: this process's, with matplotlib reading an empty rc file of the
    run's own (``MATPLOTLIBRC``), so that a user's matplotlibrc (in ~/.config, the working folder or
    $MATPLOTLIBRC), which the run key does not cover, cannot change the figures."""
    rc = Path(runtime_dir) / "matplotlibrc"
    if not rc.is_file():
        rc.write_text("# citynet-analysis: batch kernels draw with matplotlib's defaults and the memo style\n",
                      encoding="utf-8")
    return {**os.environ, "MATPLOTLIBRC": str(rc)}


def start_kernel(cwd: str | os.PathLike, runtime_dir: str | os.PathLike, warmup: str = WARMUP_CODE, owner=None):
    """A started, warmed-up kernel (a ``KernelManager`` whose clients are asynchronous, as papermill's
    client wants), in ``cwd``, with its connection file in ``runtime_dir`` and its own stdout and stderr
    (transport warnings, shutdown noise) discarded: what a notebook prints reaches the notebook. It is
    registered with ``owner`` (its pool) from the moment it starts, so that stopping the pool stops it
    even while it is still starting."""
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name=KERNEL,
                       connection_file=str(Path(runtime_dir) / f".kernel-{uuid.uuid4().hex}.json"),
                       client_class="jupyter_client.asynchronous.AsyncKernelClient")
    _register(km, owner)
    try:
        km.start_kernel(cwd=str(cwd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                        extra_arguments=["--HistoryManager.enabled=False"], env=kernel_environment(runtime_dir))
        if warmup:
            kc = km.blocking_client()
            kc.start_channels()
            try:
                _wait_until_ready(km, kc)
                reply = kc.execute_interactive(warmup, silent=True, store_history=False, timeout=120)
                if reply["content"]["status"] != "ok":
                    raise RuntimeError(f"kernel warm-up failed: {reply['content'].get('evalue', '')}")
            finally:
                kc.stop_channels()
    except BaseException:
        shutdown(km)
        raise
    return km


def change_dir(km, cwd: str | os.PathLike, timeout: float = 60.0) -> None:
    """Make ``cwd`` (made absolute here) the working folder of the started kernel ``km``, silently: no
    execution count, no history, no name left in the notebook's namespace, like the warm-up."""
    path = os.path.abspath(cwd)
    kc = km.blocking_client()
    kc.start_channels()
    try:
        reply = kc.execute_interactive(f"__import__('os').chdir({path!r})", silent=True, store_history=False,
                                       timeout=timeout)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the kernel cannot work in {path}: {reply['content'].get('evalue', '')}")
    finally:
        kc.stop_channels()


class KernelDied(RuntimeError):
    """A kernel process ended while starting (another process took one of the ports it was given)."""


def _wait_until_ready(km, kc, timeout: float = 60.0, step: float = 2.0) -> None:
    """Wait for a new kernel to answer, noticing at once when its process has died instead of waiting the
    whole timeout: the ports a kernel is given are free when chosen, but another process (a second batch,
    a parallel test) can take one before the kernel binds it, and the kernel then exits."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        try:
            kc.wait_for_ready(timeout=step)
            return
        except RuntimeError:
            if not km.is_alive():
                raise KernelDied("the kernel process ended while starting") from None
            if time.monotonic() >= deadline:
                raise


def shutdown(km) -> None:
    """Stop a kernel at once and remove its connection file."""
    try:
        with contextlib.suppress(Exception):
            if km.has_kernel:
                km.shutdown_kernel(now=True)
        with contextlib.suppress(Exception):
            km.cleanup_resources()
    finally:
        _forget(km)


class KernelPool:
    """Up to ``size`` kernels started ahead of use, on background threads. :meth:`take` hands out a fresh
    one (waiting if none is ready) and starts its replacement while ``remaining`` says more are needed."""

    def __init__(self, size: int, total: int, cwd: str | os.PathLike, runtime_dir: str | os.PathLike):
        self._ready: queue.Queue = queue.Queue()
        self._cwd, self._runtime_dir = cwd, runtime_dir
        self._lock = threading.Lock()
        self._to_start = total
        self._closed = False
        for _ in range(min(size, total)):
            self._start_one()

    def _start_one(self) -> None:
        with self._lock:
            if self._closed or self._to_start <= 0:
                return
            self._to_start -= 1

        def run():
            for attempt in range(3):  # a kernel that lost a port race is replaced, not reported
                try:
                    km = start_kernel(self._cwd, self._runtime_dir, owner=self)
                    break
                except KernelDied as exc:
                    if attempt == 2:
                        self._ready.put(exc)
                        return
                except BaseException as exc:  # handed to the taker, who reports it for its notebook
                    self._ready.put(exc)
                    return
            with self._lock:
                closed = self._closed
                if not closed:
                    self._ready.put(km)
            if closed:
                shutdown(km)

        threading.Thread(target=run, daemon=True, name="kernel-start").start()

    def take(self, cwd: str | os.PathLike | None = None):
        """A fresh started kernel, working in ``cwd`` if given (:func:`change_dir`); raises what starting
        it (or changing its folder) raised, having shut it down."""
        item = self._ready.get()
        self._start_one()
        if isinstance(item, BaseException):
            raise item
        if cwd is not None:
            try:
                change_dir(item, cwd)
            except BaseException:
                shutdown(item)
                raise
        return item

    def stop(self) -> int:
        """Kill this pool's kernels that are still running (taken, spare or starting) at once: for an
        interrupted batch, where a graceful shutdown would take seconds. Kernels of other pools in the
        process are left alone. Returns how many."""
        killed = _kill(self)
        self.close()
        return killed

    def close(self) -> None:
        """Shut down the kernels started and not taken (one still starting is shut down when it is up)."""
        with self._lock:
            self._closed = True
        while True:
            try:
                item = self._ready.get_nowait()
            except queue.Empty:
                return
            if not isinstance(item, BaseException):
                shutdown(item)
