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
live in the batch's staging folder, so a killed batch leaves none behind elsewhere.

A kernel runs on this process's own Python (:func:`kernel_specs`), the interpreter whose version the run key
records, whatever ``python3`` kernel a user has installed elsewhere. On a loaded machine a kernel can be
slow to start, or die while starting (it lost a port to another process): a start that does not answer
within ``config.KERNEL_STARTUP_TIMEOUT_S`` or dies is tried exactly once more, with one line on stderr
saying so (:func:`start_with_one_retry`, which nbval's kernels use too, see the repository's
``conftest.py``); a second failure is :class:`KernelNotStarted`, which fails the notebook that would have
run on it, by name, in the batch's summary."""

from __future__ import annotations

import contextlib
import functools
import os
import queue
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

from ...config import KERNEL, KERNEL_STARTUP_TIMEOUT_S
from ...errors import one_line

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


class KernelNotStarted(RuntimeError):
    """A kernel did not start: it did not answer in time, or its process ended while starting."""


class KernelDied(KernelNotStarted):
    """A kernel process ended while starting (another process took one of the ports it was given)."""


class KernelStartTimeout(KernelNotStarted):
    """A kernel did not answer (or finish its warm-up) within ``config.KERNEL_STARTUP_TIMEOUT_S``."""


def say(line: str) -> None:
    """One line on stderr, above the progress bar if one is drawn."""
    from tqdm import tqdm

    tqdm.write(f"citynet-analysis: {line}", file=sys.stderr)


def start_with_one_retry(start: Callable, what: str, notify: Callable[[str], None] = say,
                         retry_on: tuple[type[BaseException], ...] = (KernelNotStarted,),
                         may_retry: Callable[[], bool] = lambda: True):
    """``start()``, and when it fails with one of ``retry_on`` (a kernel that was slow or died while
    starting), ``start()`` exactly once more, having said so with ``notify`` (one line naming ``what``,
    e.g. "a kernel" or a notebook's kernel, and why) unless ``may_retry()`` says no (a pool being
    stopped). A second failure raises :class:`KernelNotStarted` naming ``what`` and the second reason.
    Never a silent retry: a flaky start is always reported."""
    try:
        return start()
    except retry_on as exc:
        if not may_retry():
            raise
        notify(f"{what} did not start ({one_line(exc)}); starting it once more")
    try:
        return start()
    except retry_on as exc:
        raise KernelNotStarted(f"{what} did not start, also on its one retry: {one_line(exc)}") from exc


@functools.cache
def kernel_specs():
    """The kernel specs the batch starts kernels from: :data:`~citynet_analysis.config.KERNEL` is always
    this process's own Python (``sys.executable -m ipykernel_launcher``, as nbval's ``--nbval-current-env``),
    never a ``python3`` kernel spec installed for another Python in the user's Jupyter folders, which
    would otherwise take precedence and run the notebooks on an interpreter the run key does not record."""
    from ipykernel.kernelspec import RESOURCES, get_kernel_dict
    from jupyter_client.kernelspec import KernelSpecManager

    class ThisPython(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            if kernel_name == KERNEL:
                return self.kernel_spec_class(resource_dir=RESOURCES, name=KERNEL, **get_kernel_dict())
            return super().get_kernel_spec(kernel_name)

    return ThisPython()


def start_kernel(cwd: str | os.PathLike, runtime_dir: str | os.PathLike, warmup: str = WARMUP_CODE, owner=None,
                 notify: Callable[[str], None] = say, timeout: float | None = None):
    """A started, warmed-up kernel (a ``KernelManager`` whose clients are asynchronous, as papermill's
    client wants), in ``cwd``, with its connection file in ``runtime_dir`` and its own stdout and stderr
    (transport warnings, shutdown noise) discarded: what a notebook prints reaches the notebook. It is
    registered with ``owner`` (its pool) from the moment it starts, so that stopping the pool stops it
    even while it is still starting. A kernel that dies while starting or does not answer (and import the
    libraries) within ``timeout`` seconds (default ``config.KERNEL_STARTUP_TIMEOUT_S``) is stopped and
    started once more, saying so with ``notify``; a second failure raises :class:`KernelNotStarted`. A
    warm-up that fails (an import error) is not retried: it would fail again."""
    timeout = KERNEL_STARTUP_TIMEOUT_S if timeout is None else timeout
    return start_with_one_retry(lambda: _start_once(cwd, runtime_dir, warmup, owner, timeout), "a kernel",
                                notify, may_retry=lambda: not getattr(owner, "closed", False))


@functools.cache
def _kernel_manager_class():
    """``KernelManager`` that remembers the clients made of it, so that :func:`shutdown` stops their channels:
    papermill's client (nbclient) leaves them running when the kernel manager is not its own, and every
    notebook run would leave a heartbeat thread, its sockets and its kernel manager behind (about 13 file
    descriptors a run, enough for a long batch to run out)."""
    from jupyter_client.manager import KernelManager

    class ClientTrackingKernelManager(KernelManager):
        def client(self, **kwargs):
            kc = super().client(**kwargs)
            self.__dict__.setdefault("_citynet_clients", []).append(kc)
            return kc

    return ClientTrackingKernelManager


def _start_once(cwd, runtime_dir, warmup: str, owner, timeout: float):
    """One attempt of :func:`start_kernel`."""
    KernelManager = _kernel_manager_class()

    km = KernelManager(kernel_name=KERNEL, kernel_spec_manager=kernel_specs(),
                       connection_file=str(Path(runtime_dir) / f".kernel-{uuid.uuid4().hex}.json"),
                       client_class="jupyter_client.asynchronous.AsyncKernelClient")
    _register(km, owner)
    try:
        km.start_kernel(cwd=str(cwd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                        extra_arguments=["--HistoryManager.enabled=False"], env=kernel_environment(runtime_dir))
        kc = km.blocking_client()
        kc.start_channels()
        try:
            _wait_until_ready(km, kc, timeout=timeout)
            if warmup:
                try:
                    reply = kc.execute_interactive(warmup, silent=True, store_history=False, timeout=timeout)
                except TimeoutError:
                    if not km.is_alive():
                        raise KernelDied("the kernel process ended during its warm-up") from None
                    raise KernelStartTimeout(f"the kernel did not import the libraries within {timeout:g} s"
                                             ) from None
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


def _wait_until_ready(km, kc, timeout: float = KERNEL_STARTUP_TIMEOUT_S, step: float = 2.0) -> None:
    """Wait for a new kernel to answer, noticing at once when its process has died instead of waiting the
    whole timeout: the ports a kernel is given are free when chosen, but another process (a second batch,
    a parallel test) can take one before the kernel binds it, and the kernel then exits. Raises
    :class:`KernelDied` or, after ``timeout`` seconds, :class:`KernelStartTimeout`."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        try:
            kc.wait_for_ready(timeout=min(step, max(deadline - time.monotonic(), 0.01)))
            return
        except RuntimeError:
            if not km.is_alive():
                raise KernelDied("the kernel process ended while starting") from None
            if time.monotonic() >= deadline:
                raise KernelStartTimeout(f"no answer within {timeout:g} s") from None


def shutdown(km) -> None:
    """Stop a kernel at once, the channels of every client made of it, and remove its connection file."""
    try:
        with contextlib.suppress(Exception):
            if km.has_kernel:
                km.shutdown_kernel(now=True)
        for kc in km.__dict__.pop("_citynet_clients", []):
            with contextlib.suppress(Exception):
                kc.stop_channels()
        with contextlib.suppress(Exception):
            km.cleanup_resources()
    finally:
        _forget(km)


def close_event_loop() -> None:
    """Close the asyncio event loop jupyter's clients made for this thread (jupyter_core keeps one per thread),
    so that a thread of ours that ends leaves no open loop and sockets to the garbage collector."""
    import asyncio

    try:
        loop = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:  # this thread never had one
        return
    if not loop.is_running() and not loop.is_closed():
        loop.close()


class KernelPool:
    """Up to ``size`` kernels started ahead of use, on background threads. :meth:`take` hands out a fresh
    one (waiting if none is ready) and starts its replacement while ``remaining`` says more are needed. A
    kernel that fails to start twice (:func:`start_kernel`) is handed to the taker as its error."""

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
            try:  # a kernel slow to start or dead at start is tried once more (start_kernel says so)
                km = start_kernel(self._cwd, self._runtime_dir, owner=self)
            except BaseException as exc:  # handed to the taker, whose notebook fails with it
                self._ready.put(exc)
                return
            finally:
                close_event_loop()
            with self._lock:
                closed = self._closed
                if not closed:
                    self._ready.put(km)
            if closed:
                shutdown(km)

        threading.Thread(target=run, daemon=True, name="kernel-start").start()

    @property
    def closed(self) -> bool:
        """Whether the pool was closed or stopped (a kernel failing to start then is not tried again)."""
        return self._closed

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

