"""The kernel pool: a kernel slow to start or dead at start (it lost a port to another process) is started
exactly once more, saying so; a second failure, or any other start failure, is handed to the notebook that
would have used it. nbval's kernels get the same retry from the repository's conftest.py."""

import warnings

import pytest

from citynet_analysis import config
from citynet_analysis.reporting.batch import kernels


def _flaky(failures):
    """A ``_start_once`` that fails with each of ``failures`` in turn, then returns a kernel; and its calls."""
    calls = []

    def start(cwd, runtime_dir, warmup, owner, timeout):
        calls.append(timeout)
        if len(calls) <= len(failures):
            raise failures[len(calls) - 1]
        return "kernel"

    return start, calls


def test_a_kernel_that_died_at_start_is_started_once_more_saying_so(monkeypatch, tmp_path, capsys):
    start, calls = _flaky([kernels.KernelDied("the kernel process ended while starting")])
    monkeypatch.setattr(kernels, "_start_once", start)
    pool = kernels.KernelPool(size=1, total=1, cwd=tmp_path, runtime_dir=tmp_path)
    assert pool.take() == "kernel" and calls == [config.KERNEL_STARTUP_TIMEOUT_S] * 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == ("citynet-analysis: a kernel did not start (KernelDied: the kernel process ended while "
                    "starting); starting it once more")


def test_a_kernel_that_fails_twice_fails_its_notebook(monkeypatch, tmp_path, capsys):
    start, calls = _flaky([kernels.KernelStartTimeout("no answer within 120 s"),
                           kernels.KernelDied("the kernel process ended while starting"), None])
    monkeypatch.setattr(kernels, "_start_once", start)
    pool = kernels.KernelPool(size=1, total=1, cwd=tmp_path, runtime_dir=tmp_path)
    with pytest.raises(kernels.KernelNotStarted, match="a kernel did not start, also on its one retry: "
                                                       "KernelDied: the kernel process ended") as exc:
        pool.take()
    assert len(calls) == 2  # exactly one retry
    assert "KernelStartTimeout: no answer within 120 s" in capsys.readouterr().err
    # what the batch's summary prints for the notebook that would have run on it
    from citynet_analysis.errors import one_line

    assert one_line(exc.value).startswith("KernelNotStarted: a kernel did not start, also on its one retry")


def test_a_failing_warm_up_is_not_retried(monkeypatch, tmp_path, capsys):
    start, calls = _flaky([RuntimeError("kernel warm-up failed: No module named 'pandas'")])
    monkeypatch.setattr(kernels, "_start_once", start)
    with pytest.raises(RuntimeError, match="warm-up failed"):
        kernels.start_kernel(tmp_path, tmp_path)
    assert len(calls) == 1 and capsys.readouterr().err == ""


def test_a_stopped_pool_does_not_retry(monkeypatch, tmp_path):
    class Stopped:
        closed = True

    start, calls = _flaky([kernels.KernelDied("killed by KernelPool.stop")])
    monkeypatch.setattr(kernels, "_start_once", start)
    with pytest.raises(kernels.KernelDied):
        kernels.start_kernel(tmp_path, tmp_path, owner=Stopped())
    assert len(calls) == 1


def test_the_retry_helper_names_what_it_starts():
    said = []
    attempts = iter([kernels.KernelStartTimeout("no answer within 5 s"), "ok"])

    def start():
        item = next(attempts)
        if isinstance(item, BaseException):
            raise item
        return item

    assert kernels.start_with_one_retry(start, "the kernel of notebooks/x.ipynb", said.append) == "ok"
    assert said == ["the kernel of notebooks/x.ipynb did not start (KernelStartTimeout: no answer within 5 s); "
                    "starting it once more"]


def test_other_start_failures_reach_the_taker(monkeypatch, tmp_path):
    def fake_start(cwd, runtime_dir, owner=None):
        raise RuntimeError("kernel warm-up failed: no module")

    monkeypatch.setattr(kernels, "start_kernel", fake_start)
    pool = kernels.KernelPool(size=1, total=1, cwd=tmp_path, runtime_dir=tmp_path)
    with pytest.raises(RuntimeError, match="warm-up failed"):
        pool.take()


class _SilentClient:
    def wait_for_ready(self, timeout):
        raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")


def test_a_dead_kernel_is_noticed_before_the_timeout():
    class Dead:
        def is_alive(self):
            return False

    with pytest.raises(kernels.KernelDied):
        kernels._wait_until_ready(Dead(), _SilentClient(), timeout=60, step=0.01)


def test_a_kernel_that_does_not_answer_in_time_is_a_start_timeout():
    class Alive:
        def is_alive(self):
            return True

    with pytest.raises(kernels.KernelStartTimeout, match="no answer within 0.02 s"):
        kernels._wait_until_ready(Alive(), _SilentClient(), timeout=0.02, step=0.01)


def test_a_pool_stops_only_its_own_kernels(monkeypatch, tmp_path):
    """Two batches in one process (a notebook server, tests): interrupting one must not kill the other's."""
    import itertools
    import time

    killed = []

    class FakeKernel:
        def __init__(self, n):
            self.name, self.connection_file = f"k{n}", str(tmp_path / f"k{n}.json")
            self.provisioner = type("P", (), {"process": type("Q", (), {"kill": lambda _: killed.append(self.name)})()})()

    monkeypatch.setattr(kernels, "_LIVE", {})
    counter = itertools.count()
    def fake_start(cwd, runtime_dir, owner=None):
        km = FakeKernel(next(counter))
        kernels._register(km, owner)
        return km

    monkeypatch.setattr(kernels, "start_kernel", fake_start)
    a = kernels.KernelPool(size=1, total=2, cwd=tmp_path, runtime_dir=tmp_path)
    taken = a.take()  # running a notebook; a's spare starts in the background
    b = kernels.KernelPool(size=1, total=1, cwd=tmp_path, runtime_dir=tmp_path)
    other = b.take()
    deadline = time.monotonic() + 5
    while len(kernels._LIVE) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    spare = next(k for k, owner in kernels._LIVE.items() if owner is a and k is not taken)
    assert a.stop() == 2 and sorted(killed) == sorted([taken.name, spare.name])  # taken and spare, at once
    assert kernels._LIVE == {other: b}  # the other pool's kernel untouched


@pytest.mark.slow
def test_a_user_matplotlibrc_does_not_reach_a_batch_kernel(tmp_path, monkeypatch):
    """A user's matplotlibrc would change the figures without changing the run key: kernels read an empty
    rc file of the run's own instead."""
    user_rc = tmp_path / "user" / "matplotlibrc"
    user_rc.parent.mkdir()
    user_rc.write_text("lines.linewidth: 9\n", encoding="utf-8")
    monkeypatch.setenv("MATPLOTLIBRC", str(user_rc))
    seen = []
    km = kernels.start_kernel(cwd=tmp_path, runtime_dir=tmp_path, warmup="")
    try:
        kc = km.blocking_client()
        kc.start_channels()
        reply = kc.execute_interactive("import matplotlib; print(matplotlib.rcParams['lines.linewidth'])",
                                       timeout=60, output_hook=lambda msg: seen.append(msg))
        kc.stop_channels()
    finally:
        kernels.shutdown(km)
    assert reply["content"]["status"] == "ok"
    printed = "".join(m["content"].get("text", "") for m in seen if m["msg_type"] == "stream")
    assert printed.strip() == "1.5"  # matplotlib's default, not the user's 9



@pytest.mark.slow
def test_notebook_runs_leave_no_client_behind(tmp_path):
    """papermill's client leaves its channels running on a kernel manager it does not own: each run of a
    notebook left a heartbeat thread, its sockets and its kernel manager, about 13 file descriptors, enough
    for a long batch to run out. shutdown() now stops every client made of the kernel manager."""
    import gc
    import os

    from citynet_analysis.reporting.batch import run_batch

    def open_files():
        gc.collect()  # what nothing refers to any more is not a leak
        return len(os.listdir("/proc/self/fd"))

    def batch(i):
        run_batch(years=[2023, 2024], notebooks=["03_trends"], out_dir=tmp_path / f"r{i}", progress=False,
                  figure_cache=tmp_path / "cache")

    batch(0)
    before = open_files()
    batch(1)
    batch(2)
    assert open_files() - before < 4, (before, open_files())  # was about 20 a run

# -- nbval: the repository's conftest.py gives a notebook's kernel the same timeout and one retry ------------

NOTEBOOK = "notebooks/01_budget_overview.ipynb"


@pytest.fixture()
def root_conftest(pytestconfig):
    """The repository's conftest.py as pytest loaded it."""
    from .. import conftest as tests_conftest

    module = pytestconfig.pluginmanager.get_plugin(str(tests_conftest.REPO / "conftest.py"))
    assert module is not None, "the repository's conftest.py is not loaded"
    return module


@pytest.fixture()
def notebook_file(request, root_conftest):
    """nbval's collector of a committed notebook, as pytest makes it (not run)."""
    import nbformat

    from .. import conftest as tests_conftest

    path = tests_conftest.REPO / NOTEBOOK
    import nbval.plugin

    node = nbval.plugin.IPyNbFile.from_parent(request.session, path=path)
    node.nb = nbformat.read(path, as_version=4)
    return node


class _FakeManager:
    def __init__(self):
        self.stopped = False

    def is_alive(self):
        return not self.stopped

    def shutdown_kernel(self, now=False):
        self.stopped = True


class _FakeClient:
    def stop_channels(self):
        pass


def _nbval_starts(monkeypatch, failures):
    """nbval's kernel start (``nbval.kernel.start_new_kernel``) failing with each of ``failures`` in turn, as
    nbval's would ("Kernel died before replying…"), then starting a fake kernel; its started managers."""
    import nbval.kernel

    started = []

    def start_new_kernel(startup_timeout=60, kernel_name="python", **kwargs):
        started.append(startup_timeout)
        if len(started) <= len(failures):
            raise failures[len(started) - 1]
        return _FakeManager(), _FakeClient()

    monkeypatch.setattr(nbval.kernel, "start_new_kernel", start_new_kernel)
    monkeypatch.setattr(nbval.kernel.RunningKernel, "_ensure_iopub_up", lambda self: None)
    return started


def test_nbval_uses_the_retrying_notebook_and_the_configured_timeout(root_conftest, pytestconfig):
    import nbval.plugin

    assert nbval.plugin.IPyNbFile.setup is root_conftest.notebook_setup
    assert nbval.plugin.RunningKernel is root_conftest.TidyKernel
    if not root_conftest._option_given(pytestconfig, root_conftest.STARTUP_TIMEOUT_OPTION):
        assert pytestconfig.option.nbval_kernel_startup_timeout == config.KERNEL_STARTUP_TIMEOUT_S


def test_a_notebook_kernel_that_died_before_replying_is_started_once_more(monkeypatch, notebook_file,
                                                                           root_conftest):
    started = _nbval_starts(monkeypatch, [RuntimeError("Kernel died before replying to kernel_info")])
    with pytest.warns(root_conftest.KernelStartRetried) as caught:
        notebook_file.setup()
    assert len(started) == 2 and isinstance(notebook_file.kernel.km, _FakeManager)
    (warning,) = [w for w in caught if issubclass(w.category, root_conftest.KernelStartRetried)]
    assert str(warning.message) == (f"the kernel of {NOTEBOOK} did not start (KernelNotStarted: Kernel died "
                                    "before replying to kernel_info); starting it once more")


def test_a_notebook_kernel_that_fails_twice_is_an_error_naming_the_notebook(monkeypatch, notebook_file,
                                                                           root_conftest):
    started = _nbval_starts(monkeypatch, [RuntimeError("Kernel didn't respond in 120 seconds"),
                                          RuntimeError("Kernel died before replying to kernel_info")])
    with warnings.catch_warnings(record=True), pytest.raises(kernels.KernelNotStarted) as exc:
        warnings.simplefilter("always")
        notebook_file.setup()
    assert len(started) == 2 and notebook_file.kernel is None
    assert str(exc.value) == (f"the kernel of {NOTEBOOK} did not start, also on its one retry: "
                              "KernelNotStarted: Kernel died before replying to kernel_info")
    assert isinstance(exc.value, RuntimeError)  # what nbval itself raises: each cell of the notebook errors


def test_a_notebook_kernel_whose_iopub_never_came_up_is_stopped(monkeypatch, root_conftest):
    """nbval leaves a kernel running when its IOPub channel never comes up; the retry must not add a
    second one beside it."""
    import nbval.kernel

    _nbval_starts(monkeypatch, [])

    def no_iopub(self):
        raise RuntimeError("Wasn't able to establish IOPub after 30 seconds.")

    monkeypatch.setattr(nbval.kernel.RunningKernel, "_ensure_iopub_up", no_iopub)
    stopped = []
    monkeypatch.setattr(nbval.kernel.RunningKernel, "stop", lambda self: stopped.append(self.km))
    with pytest.raises(kernels.KernelNotStarted, match="establish IOPub"):
        root_conftest.TidyKernel(":nbval-parent-env", cwd=".", startup_timeout=1)
    assert len(stopped) == 1 and isinstance(stopped[0], _FakeManager)
