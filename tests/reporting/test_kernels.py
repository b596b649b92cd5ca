"""The kernel pool: a kernel that dies while starting (it lost a port to another process) is replaced;
any other start failure is handed to the notebook that would have used it."""

import pytest

from citynet_analysis.reporting.batch import kernels


def test_a_kernel_that_died_at_start_is_replaced(monkeypatch, tmp_path):
    attempts = []

    def fake_start(cwd, runtime_dir, owner=None):
        attempts.append(1)
        if len(attempts) < 3:
            raise kernels.KernelDied("the kernel process ended while starting")
        return "kernel"

    monkeypatch.setattr(kernels, "start_kernel", fake_start)
    pool = kernels.KernelPool(size=1, total=1, cwd=tmp_path, runtime_dir=tmp_path)
    assert pool.take() == "kernel" and len(attempts) == 3


def test_other_start_failures_reach_the_taker(monkeypatch, tmp_path):
    def fake_start(cwd, runtime_dir, owner=None):
        raise RuntimeError("kernel warm-up failed: no module")

    monkeypatch.setattr(kernels, "start_kernel", fake_start)
    pool = kernels.KernelPool(size=1, total=1, cwd=tmp_path, runtime_dir=tmp_path)
    with pytest.raises(RuntimeError, match="warm-up failed"):
        pool.take()


def test_a_dead_kernel_is_noticed_before_the_timeout():
    class Dead:
        def is_alive(self):
            return False

    class SilentClient:
        def wait_for_ready(self, timeout):
            raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    with pytest.raises(kernels.KernelDied):
        kernels._wait_until_ready(Dead(), SilentClient(), timeout=60, step=0.01)


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
