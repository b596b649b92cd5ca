"""The analysis notebooks: where they are, a new one from the template (:func:`new_notebook`),
re-executing them in place with their default parameters so that their stored outputs (which nbval
compares) match the code and data (:func:`refresh`), and tidying them for committing
(:func:`tidy_notebook`: no image data, no run timings, so that ``git diff`` of a change is readable)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from ... import config
from ...atomic import atomic_path
from ...errors import InputError, one_line

#: A notebook's name: its file stem, e.g. ``04_my_analysis`` (it names the notebook's page and runs).
NAME = re.compile(r"[0-9a-z_]+")

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
    outputs. A bad name or an existing file is an InputError; the file appears whole or not at all."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell

    if not NAME.fullmatch(name or ""):
        raise InputError("NAME", f"{name!r}: a notebook name is lowercase letters, digits and _ "
                                 "(e.g. 04_my_analysis), without .ipynb")
    folder = Path(folder) if folder else config.NOTEBOOK_DIR
    if folder.exists() and not folder.is_dir():
        raise InputError("--notebooks-dir", f"{folder}: not a folder")
    path = folder / f"{name}.ipynb"
    if path.exists():
        raise InputError(str(path), "exists already; choose another name (nothing was written)")

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
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        nbformat.write(nb, tmp)
    return path


#: Output data a committed notebook leaves out: images. nbval does not compare ``image/png`` and
#: ``image/jpeg``, and the figures are compared with the baseline images (tests/reporting/baseline) instead;
#: stored as base64 (or SVG text) they would be most of every diff.
IMAGE_MIMETYPES = ("image/png", "image/jpeg", "image/svg+xml", "application/pdf")
#: Notebook metadata that records a run or a machine, not the notebook: papermill's run (parameters, times,
#: paths), the widgets' state and the old trust signature.
VOLATILE_NOTEBOOK_METADATA = ("papermill", "widgets", "signature")
#: Cell metadata that records a run or the view: nbclient's and JupyterLab's ``execution`` timings, the
#: ExecuteTime extension's, papermill's per-cell times and status, and output scrolling/collapsing.
VOLATILE_CELL_METADATA = ("execution", "ExecuteTime", "papermill", "collapsed", "scrolled")


def tidy_notebook(nb) -> bool:
    """Tidy a notebook (an nbformat node, changed in place) for committing; True when something changed.

    Kept: every cell, its source, id, tags and execution count, every output with its text forms
    (``text/plain``, ``text/html``, ``text/markdown``, …) and its ``citynet`` record (what the publishers
    read), so nbval still compares what a notebook shows. Dropped: the image data of outputs
    (:data:`IMAGE_MIMETYPES`, and their per-image metadata such as ``width``), the run's and the view's
    metadata (:data:`VOLATILE_NOTEBOOK_METADATA`, :data:`VOLATILE_CELL_METADATA`) and the Python patch
    version in ``language_info`` (whoever ran it last; the kernel is ``kernelspec``). Idempotent."""
    changed = False

    def drop(mapping, keys) -> None:
        nonlocal changed
        if isinstance(mapping, dict):
            for key in keys:
                if key in mapping:
                    del mapping[key]
                    changed = True

    drop(nb.get("metadata"), VOLATILE_NOTEBOOK_METADATA)
    drop(nb.get("metadata", {}).get("language_info"), ("version",))
    for cell in nb.get("cells", []):
        drop(cell.get("metadata"), VOLATILE_CELL_METADATA)
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            drop(output.get("data"), IMAGE_MIMETYPES)
            drop(output.get("metadata"), IMAGE_MIMETYPES)
    return changed


def _notebook_text(nb) -> str:
    """A notebook as nbformat (and JupyterLab) write it: sorted keys, one-space indent, a final newline."""
    import nbformat

    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def tidy_files(paths: list[Path]) -> list[Path]:
    """Tidy notebook files for committing (:func:`tidy_notebook`, written as nbformat writes them); rewrite
    only those that change and return them. Every file is read and checked first: one that is not a
    notebook is an InputError and no file is changed."""
    import nbformat

    todo = []
    for path in map(Path, paths):
        try:
            text = path.read_bytes().decode("utf-8")  # as stored: CRLF line ends are a change too
            nb = nbformat.reads(text, as_version=4)
        except OSError as exc:
            raise InputError(str(path), f"cannot read it ({exc.strerror or exc}); no notebook was changed"
                             ) from None
        except Exception as exc:  # not JSON, not a notebook, not UTF-8
            raise InputError(str(path), f"not a notebook ({one_line(exc)}); no notebook was changed") from None
        tidy_notebook(nb)
        tidied = _notebook_text(nb)
        if tidied != text:
            todo.append((path, tidied))
    for path, tidied in todo:
        with atomic_path(path) as tmp:
            tmp.write_text(tidied, encoding="utf-8", newline="\n")
    return [path for path, _ in todo]


def refresh(paths: list[Path]) -> list[Path]:
    """Execute each notebook top to bottom with its stored (default) parameters, in its own folder, on a
    fresh kernel, and replace it, tidied (:func:`tidy_notebook`), only when every cell ran; a failing cell
    is an InputError naming it."""
    import tempfile

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from . import kernels

    done = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        with tempfile.TemporaryDirectory(prefix="citynet-kernel-") as runtime:
            km = kernels.start_kernel(cwd=path.parent, runtime_dir=runtime, warmup="")
            try:
                NotebookClient(nb, km=km, timeout=config.CELL_TIMEOUT_S, kernel_name=config.KERNEL,
                               resources={"metadata": {"path": str(path.parent)}}).execute()
            except CellExecutionError as exc:  # an analyst's cell failed: say which, without the traceback
                cell = next((i for i, c in enumerate(nb.cells, 1)
                             if any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
                where = f"cell {cell}: " if cell else ""
                raise InputError(str(path), f"{where}{one_line(exc)}; the stored notebook was not changed"
                                 ) from None
            finally:
                kernels.shutdown(km)
        tidy_notebook(nb)  # no image data, no timings in the stored notebook
        with atomic_path(path) as tmp:
            tmp.write_text(_notebook_text(nb), encoding="utf-8", newline="\n")
        done.append(path)
    return done


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
