"""One batch per reports folder at a time: an advisory lock (``flock``) on the reports folder itself, held
from reading the manifest to writing it. Nothing is written for it, and the operating system releases it
when the process ends (killed too), so a lock left by a dead batch is taken over at once; a live one
makes a second batch wait, or exit 2 with ``--no-wait``."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from ...errors import InputError


@contextlib.contextmanager
def reports_lock(out: Path, wait: bool = True) -> Iterator[Path]:
    """Hold the lock of the reports folder ``out`` while the block runs (the folder is made if missing, and
    removed again if the block leaves it empty). With ``wait`` a second batch says once on stderr that it
    waits; without, it raises InputError (exit 2)."""
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise InputError("--out", f"{out}: cannot write there ({exc.strerror or exc})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise InputError("--out", f"{out}: another batch is writing these reports; wait for it, "
                                          "or run without --no-wait to wait") from None
            print(f"citynet-analysis: another batch is writing {out}; waiting for it to finish",
                  file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield out
        finally:
            if created:
                with contextlib.suppress(OSError):
                    out.rmdir()  # only if empty: a batch that wrote nothing leaves nothing
    finally:
        os.close(fd)  # releases the lock
