"""One batch per reports folder: a second one waits, or exits 2 with --no-wait; a lock left by a killed
batch is taken over; the lock writes nothing."""

import contextlib
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from citynet_analysis.cli import main
from citynet_analysis.errors import InputError
from citynet_analysis.reporting.batch.lock import reports_lock

from ..conftest import PROCESSED

HOLD = textwrap.dedent('''
    import sys, time
    from pathlib import Path
    from citynet_analysis.reporting.batch.lock import reports_lock
    with reports_lock(Path(sys.argv[1])):
        print("locked", flush=True)
        time.sleep(60)
''')


def _holder(out):
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


@pytest.mark.slow
def test_a_second_batch_without_wait_is_exit_2_in_one_line(tmp_path, capsys):
    out = tmp_path / "reports"
    proc = _holder(out)
    try:
        with pytest.raises(InputError, match="another batch is writing"):
            with reports_lock(out, wait=False):
                pass
        code = main(["batch", "--data", str(PROCESSED), "--out", str(out), "--no-wait", "--no-progress",
                     "--years", "2024"])
        err = capsys.readouterr().err.strip()
        assert code == 2 and len(err.splitlines()) == 1 and "another batch is writing" in err, err
        assert list(out.iterdir()) == []  # nothing written
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.slow
def test_a_second_batch_waits_for_the_first(tmp_path, capsys):
    out = tmp_path / "reports"
    proc = _holder(out)
    got = []
    stack = contextlib.ExitStack()
    waiter = threading.Thread(target=lambda: got.append(stack.enter_context(reports_lock(out))), daemon=True)
    waiter.start()
    time.sleep(0.5)
    assert not got and "waiting for it to finish" in capsys.readouterr().err
    proc.send_signal(signal.SIGTERM)
    proc.wait()
    waiter.join(timeout=10)
    assert got  # taken once the first is gone
    stack.close()


@pytest.mark.slow
def test_the_lock_of_a_killed_batch_is_taken_over(tmp_path):
    out = tmp_path / "reports"
    proc = _holder(out)
    proc.send_signal(signal.SIGKILL)  # no clean-up ran
    proc.wait()
    with reports_lock(out, wait=False):
        pass
