"""Two whole batches shared by the reporting tests: every notebook for every fiscal year, once in Korean and
once in English (the every-notebook × every-year × both-languages check runs through the batch itself).

The Korean batch runs the notebooks folder with one change an analyst would make: a chart of their own,
written in new cells of 01_budget_overview (the README's example) and shown through the one chart helper."""

import os
import shutil

import nbformat
import pytest

from citynet_analysis.config import NOTEBOOK_DIR
from citynet_analysis.reporting.batch import run_batch

# The README's "Adding a chart" example, as an analyst types it: two cells, each of at most 8 lines.
ANALYST_CELLS = ('''import matplotlib.pyplot as plt

def spending_by_side(shares):
    """Overhead against programs, as bars."""
    fig, ax = plt.subplots(figsize=(6.4, 2.4))
    ax.barh(shares["side"], shares["share_pct"])
    ax.set_xlabel("%")
    return fig''', '''shares = metrics.overhead_vs_program(ds, fiscal_year)  # not available: report.figure says why
fig = spending_by_side(shares) if metrics.available(shares) else shares
title = {"ko": "간접비와 사업비 비중", "en": "Overhead and program shares"}[lang]  # its caption
report.figure(fig, "spending_by_side", title=title)''')


def _analyst_notebooks(folder):
    """The notebooks folder with the analyst's chart cells added to 01_budget_overview."""
    folder.mkdir(parents=True)
    for path in NOTEBOOK_DIR.glob("*.ipynb"):
        shutil.copy(path, folder)
    nb = nbformat.read(folder / "01_budget_overview.ipynb", as_version=4)
    nb.cells += [nbformat.v4.new_code_cell(cell) for cell in ANALYST_CELLS]
    nbformat.write(nb, folder / "01_budget_overview.ipynb")
    return folder


def shared_once(tmp_path_factory, name: str, build):
    """``build(folder)``'s result, made once per test run however many xdist workers ask for it: the
    first one builds it in a folder all workers of this run share (under a file lock) and keeps the
    result beside it; the others wait for it and read it (when it failed, the next one builds it again and
    fails with its own error). Tests must not change what it made."""
    import pickle

    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # this run's, shared by its workers
    folder, result = root / f"shared_{name}", root / f"shared_{name}.pickle"
    with FileLock(str(root / f"shared_{name}.lock")):
        if not result.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a worker before this one failed half-way
            value = build(folder)
            result.write_bytes(pickle.dumps(value))
    return pickle.loads(result.read_bytes())


@pytest.fixture(scope="session")
def analyst_notebooks(tmp_path_factory):
    """The notebooks folder with the analyst's chart cells added to 01_budget_overview (one per run)."""
    return shared_once(tmp_path_factory, "notebooks", _analyst_notebooks)


@pytest.fixture(scope="session")
def batch_ko(tmp_path_factory, analyst_notebooks):
    """Every notebook (with the analyst's cells) for every fiscal year in Korean: built once per test run."""
    def build(folder):
        out = folder / "reports"
        return out, run_batch(out_dir=out, lang="ko", progress=False, notebook_dir=analyst_notebooks,
                              figure_cache=folder / "figure_cache")
    return shared_once(tmp_path_factory, "batch_ko", build)


@pytest.fixture(scope="session")
def batch_en(tmp_path_factory):
    """Every notebook for every fiscal year in English: built once per test run."""
    def build(folder):
        out = folder / "reports"
        return out, run_batch(out_dir=out, lang="en", progress=False)
    return shared_once(tmp_path_factory, "batch_en", build)


# -- notebooks run in this process, for tests of what the batch plans, publishes and records --------------

@pytest.fixture()
def in_process_kernel(monkeypatch):
    """Run the batch's notebooks in the test's own process instead of on kernels: papermill injects the
    parameters as it does for a kernel, each code cell is ``exec``-ed in one namespace (one notebook at a
    time), what it prints becomes its output and an exception fails the run. For tests of planning,
    publishing and the manifest, where the kernel is not the point; real kernels run in the shared batches
    and the tests of kernels and the batch."""
    import contextlib
    import io
    import threading

    import papermill
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from citynet_analysis.reporting.batch import kernels

    one_at_a_time = threading.Lock()

    class Pool:
        def __init__(self, *args, **kwargs):
            pass

        def take(self, cwd=None):
            return None

        def stop(self):
            return 0

        def close(self):
            pass

    def execute_notebook(input_path, output_path, parameters=None, **kwargs):
        nb = parameterize_notebook(load_notebook_node(str(input_path)), parameters or {},
                                   kernel_name="python3", language="python")
        namespace: dict = {}
        with one_at_a_time:
            for cell in nb.cells:
                if cell.cell_type != "code":
                    continue
                printed = io.StringIO()
                with contextlib.redirect_stdout(printed):
                    exec(compile(cell.source, f"{input_path} cell", "exec"), namespace)
                cell.outputs = ([nbformat.v4.new_output("stream", name="stdout", text=printed.getvalue())]
                                if printed.getvalue() else [])
        nbformat.write(nb, output_path)
        return nb

    monkeypatch.setattr(kernels, "KernelPool", Pool)
    monkeypatch.setattr(kernels, "shutdown", lambda km: None)
    monkeypatch.setattr(papermill, "execute_notebook", execute_notebook)


# -- where a batch puts a program's reports of a year in a language ------------------------------------------
# Written out here (not taken from the package) so that the tests check the documented names:
# reports/citynet_2024_ko/ holding citynet_2024_ko_01_budget_overview.html, citynet_2024_ko_memo.docx and
# tables/citynet_2024_ko_tables.xlsx beside 01_budget_overview.ipynb, figures/ and tables/*.csv.

def report_name(year, lang="ko", program="citynet") -> str:
    """The reports' name: their folder, and the start of every file name in it."""
    return f"{program}_{year}_{lang}"


def report_folder(out, year, lang="ko", program="citynet"):
    """The folder of one program's reports of a fiscal year in a language."""
    return out / report_name(year, lang, program)


def page_path(out, year, notebook, lang="ko", program="citynet"):
    """A notebook's HTML page."""
    return report_folder(out, year, lang, program) / f"{report_name(year, lang, program)}_{notebook}.html"


def memo_path(out, year, suffix="docx", lang="ko", program="citynet"):
    """The memo (Word ``docx`` or Hangul ``hwpx``)."""
    return report_folder(out, year, lang, program) / f"{report_name(year, lang, program)}_memo.{suffix}"


def workbook_path(out, year, lang="ko", program="citynet"):
    """The tables workbook."""
    return report_folder(out, year, lang, program) / "tables" / f"{report_name(year, lang, program)}_tables.xlsx"


def record_output(record: dict, text: str = "") -> nbformat.NotebookNode:
    """A display output carrying an output record, as ``Report`` writes it."""
    return nbformat.v4.new_output("display_data", data={"text/plain": text}, metadata={"citynet": record})


def hand_made_year_folder(folder, summary_lines: list[str], names: list[str]):
    """A year folder as the batch leaves it, made by hand: one executed-notebook-like .ipynb with every
    kind of record (a summary of ``summary_lines``, a memo table of ``names``, a hidden table, a figure,
    an unavailable result), tables/x.csv, tables/hidden.csv and figures/f.png."""
    import pandas as pd
    from PIL import Image

    from citynet_analysis.reporting.notebook.csv_tables import write_csv

    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("report.markdown(...)")
    code.outputs = [
        record_output({"kind": "summary", "memo": True, "lines": list(summary_lines)}),
        record_output({"kind": "table", "name": "x", "columns": ["name_ko", "amount_krw", "events"], "memo": True}),
        record_output({"kind": "table", "name": "hidden", "columns": ["name_ko"], "memo": False}),
        record_output({"kind": "figure", "name": "f", "memo": True}),
        record_output({"kind": "unavailable", "name": "cost_per_event", "memo": True,
                       "text": "**2024년에는 '행사당 비용' 지표를 산출할 수 없습니다** (no outcomes \\(추진실적\\))."}),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# 시험 노트북 · Test notebook\n\n## 요약 · Summary"), code]
    nbformat.write(nb, folder / "01_test.ipynb")
    write_csv(pd.DataFrame({"name_ko": list(names), "amount_krw": [1_100_000_000, 331_690_000, 60_000_000],
                            "events": [None, 1, 12], "source_line": [12, 40, 51]}), folder / "tables" / "x.csv")
    write_csv(pd.DataFrame({"name_ko": ["숨은 표"]}), folder / "tables" / "hidden.csv")
    (folder / "figures").mkdir()
    Image.new("RGB", (600, 300), "steelblue").save(folder / "figures" / "f.png", dpi=(300, 300))
    return folder
