"""Writing outputs so that a reader never sees a half-written file or folder, and nothing the tool did not
write is ever deleted.

A file is written beside its target and moved into place in one rename; a folder is built beside its
target and swapped in with two renames. Every temporary carries the writing process's id in its name
(``.<name>.<kind>-<pid>-<random>``), so a later run can tell the leftovers of a killed run (its process is
gone) from the work of a run still going, and clean them up. Files and folders get the modes the umask
gives, like any other program's output."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

from .errors import InputError

#: Kinds of temporaries: a file being written, a folder being built, a folder being replaced.
_LEFTOVER = re.compile(r"^\.(?P<name>.*)\.(?P<kind>tmp|new|old)-(?P<pid>\d+)-[0-9a-f]+$")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


UMASK = _umask()  # read once, at import, before any worker thread exists


def temp_path(target: str | os.PathLike, kind: str) -> Path:
    """A fresh name beside ``target`` for a temporary of this process (``kind``: tmp, new or old)."""
    target = Path(target)
    return target.with_name(f".{target.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}")


def make_temp_dir(target: str | os.PathLike, kind: str = "new") -> Path:
    """A new empty folder beside ``target`` (mode from the umask) to build its next version in."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(target, kind)
    tmp.mkdir()
    return tmp


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """A temporary path beside ``target`` to write to; moved onto ``target`` when the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(target, "tmp")
    try:
        yield tmp
        if tmp.exists():
            os.chmod(tmp, 0o666 & ~UMASK)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(target: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 text (LF line ends) atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return Path(target)


def write_bytes(target: str | os.PathLike, data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def replace_dir(new: str | os.PathLike, target: str | os.PathLike) -> None:
    """Move the complete folder ``new`` onto ``target``; the old folder is removed only once ``new`` is in
    place (two renames on one file system). The new folder keeps the old one's permissions. Callers decide
    beforehand that ``target`` is theirs."""
    new, target = Path(new), Path(target)
    old = None
    if target.exists():
        os.chmod(new, target.stat().st_mode & 0o7777)
        old = temp_path(target, "old")
        os.rename(target, old)
    os.rename(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def remove_tree(path: str | os.PathLike) -> None:
    """Remove a folder this run made (staging), quietly: it holds nothing anyone else wrote."""
    shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_leftover(name: str) -> bool:
    """Whether a file name is one of our temporaries (of any run, alive or not)."""
    return _LEFTOVER.match(name) is not None


def clean_leftovers(folder: str | os.PathLike, names: set[str],
                    originals: dict[str, Path] | None = None) -> list[Path]:
    """Remove the temporaries that killed runs left in ``folder`` for the targets ``names`` (their process
    is gone); a name like ours for any other target is never touched. A folder that was moved aside to be
    replaced, and whose replacement never arrived, is moved back: to ``folder/<name>``, or to
    ``originals[name]`` for one moved aside into another folder. Returns what was cleaned."""
    folder = Path(folder)
    originals = originals or {}
    if not folder.is_dir():
        return []
    cleaned = []
    for entry in sorted(folder.iterdir()):
        m = _LEFTOVER.match(entry.name)
        if not m or m["name"] not in names or len(m["pid"]) > 9 or _alive(int(m["pid"])):
            continue
        original = originals.get(m["name"], folder / m["name"])
        if m["kind"] == "old" and not original.exists():
            os.rename(entry, original)
        elif entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        cleaned.append(entry)
    return cleaned


def remove_made_folders(made: list[Path]) -> None:
    """Remove again the folders a write that failed had made (``made``: those missing before it, deepest
    first), each only if empty; one never made (the write failed before it) is skipped, and one that is
    not empty (someone else's file is in it) stops the removal, as its parents are not empty either."""
    for folder in made:
        try:
            folder.rmdir()
        except OSError:
            if os.path.lexists(folder):  # not empty, or not ours to remove
                break


def copy_new_files(sources: list[Path], dest: Path) -> list[Path]:
    """Copy ``sources`` into the folder ``dest`` (made if missing) as new files of the same names, all or
    none, and return them. Nothing there is ever replaced: a file that exists (or appears meanwhile) is an
    InputError naming it, and so is a folder that cannot be looked at or written; then nothing is left
    behind, not even the folders made for it. Each file is written beside its target and hard-linked into
    place, which never replaces a file (on a file system without hard links: moved in after a check)."""
    targets = [dest / p.name for p in sources]
    try:
        if dest.exists() and not dest.is_dir():
            raise InputError(str(dest), "exists and is not a folder; nothing was copied")
        existing = [t for t in targets if t.exists() or t.is_symlink()]
        made = [d for d in (dest, *dest.parents) if not d.exists()]
    except OSError as exc:  # a name too long, a folder on the way that cannot be looked into
        raise InputError(str(dest), f"cannot use it ({exc.strerror or exc}); nothing was copied") from None
    if existing:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise InputError(str(existing[0]), f"exists already{more}; nothing was copied (an existing file is "
                                           "never overwritten: copy into another folder)")
    staged: list[Path] = []
    placed: list[Path] = []
    try:
        dest.mkdir(parents=True, exist_ok=True)
        for source, target in zip(sources, targets, strict=True):
            staged.append(temp_path(target, "tmp"))
            shutil.copyfile(source, staged[-1])
        for tmp, target in zip(staged, targets, strict=True):
            try:
                os.link(tmp, target)  # fails if the target exists: never replaces a file
            except FileExistsError:
                raise
            except OSError as exc:  # a file system without hard links
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.EXDEV):
                    raise
                if target.exists() or target.is_symlink():
                    raise FileExistsError(errno.EEXIST, "File exists", str(target)) from None
                os.replace(tmp, target)
            placed.append(target)
    except OSError as exc:
        for target in placed:
            target.unlink(missing_ok=True)
        for tmp in staged:
            tmp.unlink(missing_ok=True)
        remove_made_folders(made)
        if isinstance(exc, FileExistsError):
            raise InputError(exc.filename or str(dest), "appeared while copying; nothing was copied") from None
        raise InputError(str(dest), f"cannot write there ({exc.strerror or exc}); nothing was copied") from None
    for tmp in staged:
        tmp.unlink(missing_ok=True)
    return targets
