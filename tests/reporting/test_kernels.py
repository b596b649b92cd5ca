"""The kernel pool: a kernel that dies while starting (it lost a port to another process) is replaced;
any other start failure is handed to the notebook that would have used it."""

import pytest

from citynet_analysis.reporting import kernels


def test_a_kernel_that_died_at_start_is_replaced(monkeypatch, tmp_path):
    attempts = []

    def fake_start(cwd, runtime_dir):
        attempts.append(1)
        if len(attempts) < 3:
            raise kernels.KernelDied("the kernel process ended while starting")
        return "kernel"

    monkeypatch.setattr(kernels, "start_kernel", fake_start)
    pool = kernels.KernelPool(size=1, total=1, cwd=tmp_path, runtime_dir=tmp_path)
    assert pool.take() == "kernel" and len(attempts) == 3


def test_other_start_failures_reach_the_taker(monkeypatch, tmp_path):
    def fake_start(cwd, runtime_dir):
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
