"""The analysis notebooks: where they are, a new one from the template (:func:`new_notebook`),
re-executing them in place with their default parameters so that their stored outputs (which nbval
compares) match the code and data (:func:`refresh`), and tidying them for committing
(:func:`tidy_notebook`: no image data, no run timings, so that ``git diff`` of a change is readable)."""

from __future__ import annotations

import contextlib
import os
import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from ... import config
from ...atomic import atomic_path, remove_made_folders
from ...errors import InputError, one_line

#: A notebook's name: its file stem, e.g. ``04_my_analysis`` (it names the notebook's page and runs).
NAME = re.compile(r"[0-9a-z_]+")
#: The longest name: a report file adds the folder's name to it, and a file system allows 255 bytes.
MAX_NAME_LENGTH = 100

#: The parameters cell every notebook shows, line for line (the batch passes each of these).
PARAMETERS = """\
# Parameters (papermill: -p fiscal_year 2023 -p lang en)
fiscal_year = 2024  # 회계연도 / fiscal year to report on
program = None  # None: the only program in the data set; or its program_id, e.g. "citynet"
data_dir = None  # None: the embedded data set; or a folder made by `citynet-analysis ingest`
output_dir = None  # None: display only; a folder: save figures/ and tables/ there
figure_cache = None  # None: render every figure; a folder: keep rendered figures there by content
data_fingerprint = None  # None: any data; the batch passes the data its run was planned for
lang = "ko"  # "ko" or "en": language of tables, figures and summaries"""

INSTRUCTIONS = """\
**노트북 실행 방법 · How to run this notebook**

JupyterLab에서 위에서부터 실행합니다. 매개변수 셀(`parameters` 태그)을 고치거나 papermill에 `-p fiscal_year 2023 -p lang en`을 넘기면 다른 회계연도나 언어로 보고합니다. 글은 한국어 셀(태그 `lang-ko`)과 영어 셀(태그 `lang-en`)에 나란히 쓰고, 코드 셀은 8줄 이내로 패키지를 부르기만 합니다(긴 논리는 `citynet_analysis`에). `bash tasks.sh test`로 확인한 뒤 `citynet-analysis refresh-notebooks {name}`로 출력을 저장하면 `citynet-analysis batch`가 다른 노트북과 함께 실행합니다.

Run it top to bottom in JupyterLab. Edit the parameters cell (or pass `-p fiscal_year 2023 -p lang en` to papermill) to report on another year or language. Write prose as a Korean cell (tag `lang-ko`) and its English twin (tag `lang-en`); keep each code cell to a call into the package of at most 8 lines (longer logic belongs in `citynet_analysis`). Check it with `bash tasks.sh test`, store its outputs with `citynet-analysis refresh-notebooks {name}`; `citynet-analysis batch` then runs it with the other notebooks.

This cell (tag `instructions`) is never published; see and edit tags in JupyterLab's property inspector (the ⚙ tab of the right sidebar)."""

SETUP = """\
import citynet_analysis as ca
from citynet_analysis.analysis import metrics
from citynet_analysis.reporting.notebook import Report, charts, narrative

report = Report(output_dir, lang, figure_cache)
ds = ca.load(data_dir, program, data_fingerprint)"""


def notebook_paths(folder: str | os.PathLike | None = None) -> dict[str, Path]:
    """Notebook name (file stem) → path, in name order."""
    folder = Path(folder) if folder else config.NOTEBOOK_DIR
    return {p.stem: p for p in sorted(folder.glob("*.ipynb"))}


def new_notebook(name: str, folder: str | os.PathLike | None = None) -> Path:
    """Write ``<folder>/<name>.ipynb``: a thin notebook that meets the notebook rules (a title in both
    languages, the instructions, the parameters cell, the setup, a summary, a table and a chart), without
    outputs. ``folder`` given (not None) is used, a blank one refused; None is the package's notebooks/.
    A bad name, an existing file or a folder that cannot be written is an InputError; the file appears
    whole or not at all, and a folder made for it is removed again when it cannot be written."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell

    if not NAME.fullmatch(name or "") or len(name) > MAX_NAME_LENGTH:
        raise InputError("NAME", f"{name[:MAX_NAME_LENGTH + 1]!r}: a notebook name is lowercase letters, digits "
                                 f"and _ (e.g. 04_my_analysis), at most {MAX_NAME_LENGTH} characters, without .ipynb")
    if folder is not None and not str(folder).strip():
        raise InputError("--notebooks-dir", "must name a folder")
    option = "--notebooks-dir" if folder is not None else str(config.NOTEBOOK_DIR)
    folder = Path(folder) if folder is not None else config.NOTEBOOK_DIR
    path = folder / f"{name}.ipynb"
    try:
        if folder.exists() and not folder.is_dir():
            raise InputError(option, f"{folder}: not a folder")
        if path.exists() or path.is_symlink():
            raise InputError(str(path), "exists already; choose another name (nothing was written)")
        made = [d for d in (folder, *folder.parents) if not d.exists()]
    except OSError as exc:  # a name too long, a folder on the way that cannot be looked into
        raise InputError(option, f"{folder}: cannot use it ({exc.strerror or exc}); nothing was written") from None

    def md(text: str, tag: str):
        return new_markdown_cell(text, metadata={"tags": [tag]})

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": config.KERNEL}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [
        md("# 나의 분석\n\n이 분석이 무엇을 보여 주는지 한두 문장으로 적습니다.", "lang-ko"),
        md("# My analysis\n\nWhat this analysis shows, in a sentence or two.", "lang-en"),
        md(INSTRUCTIONS.format(name=name), "instructions"),
        new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}),
        new_code_cell(SETUP),
        md("## 요약", "lang-ko"),
        md("## Summary", "lang-en"),
        new_code_cell("report.markdown(narrative.overview_summary(ds, fiscal_year, lang))"),
        md("## 집행률\n\n집행률 = 집행액 / 예산현액.", "lang-ko"),
        md("## Execution rates\n\nExecution rate = executed / available budget (예산현액).", "lang-en"),
        new_code_cell('rates = metrics.execution_rates(ds)\n'
                      'report.table(rates, "my_execution_rates",\n'
                      '             ["fiscal_year", "available_krw", "executed_krw", "execution_rate_pct"], memo=True)'),
        new_code_cell('report.figure(charts.trend_chart(ds, lang=lang), "my_trend")'),
    ]
    nbformat.validate(nb)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            nbformat.write(nb, tmp)
    except OSError as exc:
        remove_made_folders(made)  # only what this call made, and only if empty
        raise InputError(option, f"{folder}: cannot write there ({exc.strerror or exc}); nothing was written"
                         ) from None
    return path


#: Output data a committed notebook leaves out: images; stored as base64 (or SVG text) they would be most of
#: every diff. nbval skips exactly these types when it compares outputs (nbval 0.11 itself skips only
#: ``image/png`` and ``image/jpeg``; the repository's conftest.py adds the others from this list), and the
#: figures are compared with the baseline images (tests/reporting/baseline) instead.
IMAGE_MIMETYPES = ("image/png", "image/jpeg", "image/svg+xml", "application/pdf")
#: Notebook metadata that records a run or a machine, not the notebook: papermill's run (parameters, times,
#: paths), the widgets' state and the old trust signature.
VOLATILE_NOTEBOOK_METADATA = ("papermill", "widgets", "signature")
#: Cell metadata that records a run or the view: nbclient's and JupyterLab's ``execution`` timings, the
#: ExecuteTime extension's, papermill's per-cell times and status, and output scrolling/collapsing.
VOLATILE_CELL_METADATA = ("execution", "ExecuteTime", "papermill", "collapsed", "scrolled")


def tidy_notebook(nb, removed: set[str] | None = None) -> bool:
    """Tidy a notebook (an nbformat node, changed in place) for committing; True when something changed,
    and what was dropped added to ``removed`` if given (``"image data"``, ``"run metadata"``).

    Kept: every cell, its source, id, tags and execution count, every output with its text forms
    (``text/plain``, ``text/html``, ``text/markdown``, …) and its ``citynet`` record (what the publishers
    read), so nbval still compares what a notebook shows. Dropped: the image data of outputs
    (:data:`IMAGE_MIMETYPES`, and their per-image metadata such as ``width``), the run's and the view's
    metadata (:data:`VOLATILE_NOTEBOOK_METADATA`, :data:`VOLATILE_CELL_METADATA`) and the Python patch
    version in ``language_info`` (whoever ran it last; the kernel is ``kernelspec``). Idempotent."""
    changed = False
    removed = set() if removed is None else removed

    def drop(mapping, keys, what: str) -> None:
        nonlocal changed
        if isinstance(mapping, dict):
            for key in keys:
                if key in mapping:
                    del mapping[key]
                    changed = True
                    removed.add(what)

    drop(nb.get("metadata"), VOLATILE_NOTEBOOK_METADATA, "run metadata")
    drop(nb.get("metadata", {}).get("language_info"), ("version",), "run metadata")
    for cell in nb.get("cells", []):
        drop(cell.get("metadata"), VOLATILE_CELL_METADATA, "run metadata")
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            drop(output.get("data"), IMAGE_MIMETYPES, "image data")
            drop(output.get("metadata"), IMAGE_MIMETYPES, "image data")
    return changed


def _notebook_text(nb) -> str:
    """A notebook as nbformat (and JupyterLab) write it: sorted keys, one-space indent, a final newline."""
    import nbformat

    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


#: The largest file :func:`tidy_files` reads (a notebook with every image of this package is a few MB).
MAX_NOTEBOOK_BYTES = 100 * 1024 * 1024


def tidy_files(paths: list[Path], report=None) -> list[Path]:
    """Tidy notebook files for committing (:func:`tidy_notebook`, written as nbformat writes them); rewrite
    only those that change and return them; ``report(path, what)``, if given, is then told what changed in
    each (``"removed image data and run metadata"``, …, or ``"rewritten as nbformat writes it"``).

    All or nothing: every file is read and checked first (one that is not a regular file, is over
    :data:`MAX_NOTEBOOK_BYTES` or is not a notebook is an InputError), then every new version is written
    beside its file, and only then are they moved into place; one that cannot be written is an InputError
    and no file is changed. A rewritten file keeps its mode (and owner where allowed); a symbolic link is
    kept and the file it points to is rewritten."""
    import stat

    import nbformat

    from ...atomic import temp_path

    nothing = "no notebook was changed"
    todo = []  # (the path given, the file it is, its text tidied, what changed, its stat)
    seen = set()
    for path in map(Path, paths):
        try:  # without waiting: opening a pipe would block until someone writes into it
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
            try:
                info = os.fstat(fd)
                if not stat.S_ISREG(info.st_mode):
                    raise InputError(str(path), f"not a regular file (a folder, a pipe or a device); {nothing}")
                if info.st_size > MAX_NOTEBOOK_BYTES:
                    raise InputError(str(path), f"{info.st_size:,} bytes, over the limit for a notebook of "
                                                f"{MAX_NOTEBOOK_BYTES // 2**20} MB; {nothing}")
                with os.fdopen(os.dup(fd), "rb") as f:
                    data = f.read()
            finally:
                os.close(fd)
            real = Path(os.path.realpath(path))  # a link: its file is rewritten, the link kept
        except OSError as exc:
            raise InputError(str(path), f"cannot read it ({exc.strerror or exc}); {nothing}") from None
        try:
            text = data.decode("utf-8")  # as stored: CRLF line ends are a change too
            nb = nbformat.reads(text, as_version=4)
        except Exception as exc:  # not JSON, not a notebook, not UTF-8
            raise InputError(str(path), f"not a notebook ({one_line(exc)}); {nothing}") from None
        if real in seen:  # named twice (or through a link and itself): tidied once
            continue
        seen.add(real)
        removed: set[str] = set()
        tidy_notebook(nb, removed)
        tidied = _notebook_text(nb)
        if tidied != text:
            what = f"removed {' and '.join(sorted(removed))}" if removed else "rewritten as nbformat writes it"
            todo.append((path, real, tidied, what, info))
    staged: list[Path] = []
    try:
        for _, real, tidied, _, info in todo:
            staged.append(temp_path(real, "tmp"))
            with open(staged[-1], "x", encoding="utf-8", newline="\n") as f:
                f.write(tidied)
            with contextlib.suppress(OSError):  # its owner and group, where this user may give them
                os.chown(staged[-1], info.st_uid, info.st_gid)
            os.chmod(staged[-1], stat.S_IMODE(info.st_mode))
    except OSError as exc:
        for tmp in staged:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
        failed = todo[len(staged) - 1][0]
        raise InputError(str(failed), f"cannot write it ({exc.strerror or exc}); {nothing}") from None
    for index, ((path, real, *_), tmp) in enumerate(zip(todo, staged, strict=True)):
        try:  # a rename in a folder just written to: it fails only if the file system does
            os.replace(tmp, real)
        except OSError as exc:
            for left in staged[index:]:
                with contextlib.suppress(OSError):
                    left.unlink(missing_ok=True)
            done = f"{index} tidied before it" if index else nothing
            raise InputError(str(path), f"cannot replace it ({exc.strerror or exc}); {done}") from None
    if report is not None:
        for path, _, _, what, _ in todo:
            report(path, what)
    return [path for path, *_ in todo]


#: What a refresh that failed says it left: it writes nothing unless everything it does succeeded.
NOTHING_CHANGED = "no notebook or baseline was changed"


def refresh(paths: list[Path]) -> list[Path]:
    """Execute each notebook top to bottom with its stored (default) parameters, in its own folder, on a
    fresh kernel (:func:`execute_notebook`), and only when every notebook ran, store each one whose text
    changed, tidied (:func:`tidy_notebook`); returns ``paths``. A notebook that fails (a cell's error, a cell
    past ``config.CELL_TIMEOUT_S``, a kernel that died or did not start) is an InputError naming it and the
    cell, and no notebook is changed. Within :func:`one_step` the notebooks are written when the step ends."""
    changes = FileChanges()
    for path in map(Path, paths):
        before, text = execute_notebook(path)
        if text.encode("utf-8") != before:
            changes.write[path] = text.encode("utf-8")
            changes.seen[path] = before
    apply_changes(changes)
    return list(paths)


def execute_notebook(path: Path) -> tuple[bytes, str]:
    """Run one notebook as :func:`refresh` does, in memory: its stored bytes and its executed, tidied text.
    What fails is an InputError naming the notebook (and the cell when known); the file is not touched."""
    import tempfile

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    from . import kernels

    try:
        before = path.read_bytes()
        nb = nbformat.reads(before.decode("utf-8"), as_version=4)
    except OSError as exc:
        raise InputError(str(path), f"cannot read it ({exc.strerror or exc}); {NOTHING_CHANGED}") from None
    except Exception as exc:  # not UTF-8, not JSON, not a notebook
        raise InputError(str(path), f"not a notebook ({one_line(exc)}); {NOTHING_CHANGED}") from None
    running: list[int] = []  # the 1-based number of the cell being run

    def failed(what: str) -> InputError:
        where = f"cell {running[-1]}: " if running else ""
        return InputError(str(path), f"{where}{what}; {NOTHING_CHANGED}")

    with tempfile.TemporaryDirectory(prefix="citynet-kernel-") as runtime:
        try:
            km = kernels.start_kernel(cwd=path.parent, runtime_dir=runtime, warmup="")
        except kernels.KernelNotStarted as exc:  # twice: say so, as the batch does
            raise failed(one_line(exc)) from None
        try:
            NotebookClient(nb, km=km, timeout=config.CELL_TIMEOUT_S, kernel_name=config.KERNEL,
                           resources={"metadata": {"path": str(path.parent)}},
                           on_cell_start=lambda cell, cell_index: running.append(cell_index + 1)).execute()
        except CellExecutionError as exc:  # an analyst's cell failed: say which, without the traceback
            raise failed(one_line(exc)) from None
        except CellTimeoutError:
            raise failed(f"did not finish within {config.CELL_TIMEOUT_S:g} s (config.CELL_TIMEOUT_S)") from None
        except DeadKernelError:
            raise failed("the kernel died while running it (out of memory, or the process was killed)") from None
        except RuntimeError as exc:  # nbclient's client could not reach a kernel that died before any cell
            if running or km.is_alive():
                raise
            raise failed(f"the kernel died before the first cell ({one_line(exc)})") from None
        finally:
            kernels.shutdown(km)
    tidy_notebook(nb)  # no image data, no timings in the stored notebook
    return before, _notebook_text(nb)


@dataclass
class FileChanges:
    """Files to write (path → bytes) and to remove, each with what it held when the change was planned
    (``seen``: its bytes, or None when it did not exist), and folders to remove once they are empty."""

    write: dict[Path, bytes] = field(default_factory=dict)
    remove: list[Path] = field(default_factory=list)
    seen: dict[Path, bytes | None] = field(default_factory=dict)
    folders: list[Path] = field(default_factory=list)

    def add(self, other: FileChanges) -> None:
        self.write.update(other.write)
        self.remove += [p for p in other.remove if p not in self.remove]
        self.seen = {**other.seen, **self.seen}  # the first look at a file is what it must still hold
        self.folders += [d for d in other.folders if d not in self.folders]


_PENDING: ContextVar[FileChanges | None] = ContextVar("citynet_pending_changes", default=None)


@contextlib.contextmanager
def one_step():
    """A block whose file changes (:func:`refresh`, ``baselines.refresh_baselines``) happen together when it
    ends without an error, and not at all when it raises: ``refresh-notebooks`` runs every notebook and draws
    the baselines first, and then writes. Nested, the outermost block writes."""
    if _PENDING.get() is not None:
        yield
        return
    pending = FileChanges()
    token = _PENDING.set(pending)
    try:
        yield
    finally:
        _PENDING.reset(token)
    _commit(pending)


def apply_changes(changes: FileChanges) -> None:
    """Make ``changes`` now, or when the enclosing :func:`one_step` ends."""
    pending = _PENDING.get()
    if pending is not None:
        pending.add(changes)
    else:
        _commit(changes)


def _commit(changes: FileChanges) -> None:
    """Write and remove the files of ``changes`` as one step, as far as a file system allows: each file is
    first checked to hold what it held when the change was planned (a file someone edited meanwhile is an
    InputError: it is never overwritten), every new file is written beside its target, and only then are
    they all moved into place and the removed files deleted. A file that cannot be written is an
    InputError, and nothing was changed."""
    from ...atomic import UMASK, temp_path

    for path, before in changes.seen.items():
        try:
            now = path.read_bytes()
        except FileNotFoundError:
            now = None
        except OSError as exc:
            raise InputError(str(path), f"cannot read it ({exc.strerror or exc}); {NOTHING_CHANGED}") from None
        if now != before:
            raise InputError(str(path), "was changed by someone else while the refresh ran; "
                                        f"{NOTHING_CHANGED} (run it again)")
    staged: dict[Path, Path] = {}
    made: list[Path] = []  # folders made for new files, removed again when writing fails
    try:
        for path, data in changes.write.items():
            missing = [d for d in (path.parent, *path.parent.parents) if not d.exists()]
            path.parent.mkdir(parents=True, exist_ok=True)
            made += missing
            tmp = temp_path(path, "tmp")
            staged[path] = tmp
            tmp.write_bytes(data)
            os.chmod(tmp, 0o666 & ~UMASK)
    except OSError as exc:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
        remove_made_folders(sorted(set(made), key=lambda d: len(d.parts), reverse=True))  # deepest first
        raise InputError(str(path), f"cannot write it ({exc.strerror or exc}); {NOTHING_CHANGED}") from None
    for path, tmp in staged.items():
        os.replace(tmp, path)
    for path in changes.remove:
        path.unlink(missing_ok=True)
    for folder in changes.folders:  # only an empty one: other files in it are not ours
        with contextlib.suppress(OSError):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()


def to_git_add(paths: list[Path], repo: Path) -> list[Path] | None:
    """Which of ``paths`` (files the tool wrote or removed in the checkout ``repo``) differ from what git has
    staged: new (untracked), changed or removed files, i.e. what ``git add`` would take. None when ``repo``
    is not a git work tree or git is not installed."""
    import subprocess

    if not paths:
        return []
    try:
        result = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "-z", "--untracked-files=all",
                                 "--", *(str(p) for p in paths)], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    top = Path(subprocess.run(["git", "-C", str(repo), "rev-parse", "--show-toplevel"], capture_output=True,
                              text=True).stdout.strip() or repo)
    given = {os.path.realpath(p): Path(p) for p in paths}  # git names them from its top, symlinks resolved
    pending, entries = [], iter(result.stdout.split("\0"))
    for entry in entries:
        if len(entry) < 4:
            continue
        status, path = entry[:2], entry[3:]
        if status[0] in "RC":  # a rename or copy: the next entry is the path it came from
            next(entries, None)
        if status[1] != " ":  # a change in the work tree (or an untracked file) that is not staged
            pending.append(given.get(os.path.realpath(top / path), top / path))
    return pending
