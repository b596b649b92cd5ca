"""One batch per reports folder at a time: an advisory lock on ``<out>/.batch.lock`` held from reading the
manifest to writing it. The operating system releases it when the process ends (killed too), so a lock
left by a dead batch is taken over at once; a live one makes a second batch wait, or exit 2 with
``--no-wait``."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

from ...errors import InputError

LOCK_FILE = ".batch.lock"


@contextlib.contextmanager
def reports_lock(out: Path, wait: bool = True) -> Iterator[Path]:
    """Hold the lock of the reports folder ``out`` (created if missing) while the block runs. With ``wait``
    a second batch says once on stderr that it waits; without, it raises InputError (exit 2)."""
    from filelock import FileLock, Timeout

    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError("--out", f"{out}: cannot write there ({exc.strerror or exc})") from None
    path = out / LOCK_FILE
    lock = FileLock(str(path), thread_local=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if not wait:
            raise InputError("--out", f"{out}: another batch is writing these reports; wait for it, "
                                      "or run without --no-wait to wait") from None
        print(f"citynet-analysis: another batch is writing {out}; waiting for it to finish",
              file=sys.stderr, flush=True)
        lock.acquire()
    except OSError as exc:
        raise InputError("--out", f"{path}: cannot lock ({exc.strerror or exc})") from None
    try:
        yield path
    finally:
        lock.release()
