"""The analysis notebooks: thin, parameterized, stored executed, and run for every fiscal year in both
languages through the batch (nbval separately compares their stored outputs with a fresh run)."""

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from openpyxl import load_workbook

from citynet_analysis import load
from citynet_analysis.cli import main
from citynet_analysis.errors import InputError
from citynet_analysis.reporting.batch.notebook_files import (
    IMAGE_MIMETYPES,
    notebook_paths,
    tidy_files,
    tidy_notebook,
)
from citynet_analysis.reporting.publishers.html_pages import find_external_resources

from .conftest import page_path, report_folder, workbook_path

NOTEBOOKS = notebook_paths()
PARAMETERS = {"fiscal_year": "2024", "data_dir": "None", "output_dir": "None", "lang": '"ko"'}


MAX_CELL_LINES = 8  # a code cell of a notebook; longer logic belongs in the package (README: "Adding a notebook")
TAGS = {"lang-ko", "lang-en", "instructions", "parameters"}


def _cells(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))["cells"]


def _tags(cell) -> list[str]:
    return cell["metadata"].get("tags", [])


def rule_problems(path) -> list[str]:
    """What breaks the notebook rules (docs/reporting.md, README "Adding a notebook") in a notebook file: the
    python3 kernel; its prose as tagged markdown cells, a ``# `` title in Korean (``lang-ko``) and in English
    (``lang-en``), the twins in pairs, one ``instructions`` cell; one ``parameters`` cell with the batch's
    defaults; every other code cell at most MAX_CELL_LINES lines (thin: calls into the package)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = nb["cells"]
    problems = []
    if nb["metadata"].get("kernelspec", {}).get("name") != "python3":
        problems.append("kernelspec is not python3")
    unknown = {t for c in cells for t in _tags(c)} - TAGS
    if unknown:
        problems.append(f"unknown tags {sorted(unknown)}")
    prose = {t: [c for c in cells if c["cell_type"] == "markdown" and t in _tags(c)] for t in ("lang-ko", "lang-en")}
    for tag, tagged in prose.items():
        if not tagged or not "".join(tagged[0]["source"]).startswith("# "):
            problems.append(f"no title (a '# ' heading) in a markdown cell tagged {tag}")
    if len(prose["lang-ko"]) != len(prose["lang-en"]):
        problems.append("the lang-ko and lang-en cells are not in pairs")
    if len([c for c in cells if "instructions" in _tags(c)]) != 1:
        problems.append("not one instructions cell")
    tagged = [c for c in cells if "parameters" in _tags(c)]
    if len(tagged) != 1 or tagged[0]["cell_type"] != "code":
        return problems + ["not one parameters (code) cell"]
    assigned = {}
    for line in "".join(tagged[0]["source"]).splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            assigned[key.strip()] = value.split("#")[0].strip()
    problems += [f"parameter {key} is not {default}" for key, default in PARAMETERS.items()
                 if assigned.get(key) != default]
    logic = [c for c in cells if c["cell_type"] == "code" and "parameters" not in _tags(c)]  # parameters: data
    problems += [f"a code cell of {n} lines (at most {MAX_CELL_LINES}): notebook logic belongs in the package"
                 for n in (len("".join(c["source"]).splitlines()) for c in logic) if n > MAX_CELL_LINES]
    return problems


def test_three_notebooks():
    assert set(NOTEBOOKS) >= {"01_budget_overview", "02_cost_per_activity", "03_trends"}


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_notebook_rules(name):
    assert rule_problems(NOTEBOOKS[name]) == []


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_stored_executed_thin_and_clean(name):
    text = NOTEBOOKS[name].read_text(encoding="utf-8")
    assert "missing from font" not in text and "Traceback" not in text
    code = [c for c in _cells(NOTEBOOKS[name]) if c["cell_type"] == "code"]
    assert all(c["execution_count"] is not None for c in code), "run `citynet-analysis refresh-notebooks`"
    assert not [o for c in code for o in c["outputs"] if o.get("name") == "stderr"]


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_stored_notebooks_are_tidy(name, tmp_path):
    """Committed without image data or run metadata, exactly as tidy-notebooks writes them (docs/reporting.md,
    "Reviewing a notebook change"): refresh-notebooks stores them so, the pre-commit hook keeps them so."""
    copy = tmp_path / f"{name}.ipynb"
    shutil.copy(NOTEBOOKS[name], copy)
    assert tidy_files([copy]) == [], f"run `citynet-analysis tidy-notebooks` (or refresh-notebooks {name})"
    text = NOTEBOOKS[name].read_text(encoding="utf-8")
    assert not any(f'"{mime}"' in text for mime in IMAGE_MIMETYPES)
    figures = [o for c in _cells(NOTEBOOKS[name]) if c["cell_type"] == "code" for o in c["outputs"]
               if o.get("metadata", {}).get("citynet", {}).get("kind") == "figure"]
    assert all(o["data"].get("text/plain") for o in figures)  # the output and its record stay, as text


def _executed_notebook() -> nbformat.NotebookNode:
    """A notebook as a run leaves it: images, timings, papermill's and the widgets' metadata."""
    nb = nbformat.v4.new_notebook()
    nb.metadata.update({"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                        "language_info": {"name": "python", "version": "3.11.7", "pygments_lexer": "ipython3"},
                        "papermill": {"duration": 3.2, "parameters": {"fiscal_year": 2024}},
                        "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}}})
    code = nbformat.v4.new_code_cell('report.figure(charts.trend_chart(ds, lang=lang), "trend")',
                                     execution_count=3)
    code.metadata.update({"tags": ["keep"], "execution": {"iopub.execute_input": "2026-12-07T10:00:00Z"},
                          "ExecuteTime": {"end_time": "x"}, "scrolled": True,
                          "papermill": {"duration": 1.0, "status": "completed"}})
    code.outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=" * 1000, "image/svg+xml": "<svg/>",
                                                     "application/pdf": "JVBER", "image/jpeg": "/9j/",
                                                     "text/plain": "<IPython.core.display.Image object>"},
                               metadata={"citynet": {"kind": "figure", "name": "trend", "memo": True},
                                         "image/png": {"width": 640}}),
        nbformat.v4.new_output("display_data", data={"text/html": "<table></table>", "text/plain": "table",
                                                     "text/markdown": "**x**"},
                               metadata={"citynet": {"kind": "table", "name": "t", "memo": True}}),
        nbformat.v4.new_output("stream", name="stdout", text="printed\n"),
        nbformat.v4.new_output("execute_result", data={"image/png": "AAAA", "text/plain": "<Figure>"},
                               execution_count=3),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# Title", metadata={"tags": ["lang-en"]}), code]
    return nb


def test_tidy_keeps_text_and_records_drops_images_and_run_metadata():
    nb = _executed_notebook()
    assert tidy_notebook(nb) is True
    code = nb.cells[1]
    figure, table, stream, result = code.outputs
    assert figure.data == {"text/plain": "<IPython.core.display.Image object>"}
    assert figure.metadata == {"citynet": {"kind": "figure", "name": "trend", "memo": True}}
    assert table.data == {"text/html": "<table></table>", "text/plain": "table", "text/markdown": "**x**"}
    assert stream.text == "printed\n" and result.data == {"text/plain": "<Figure>"}
    assert code.metadata == {"tags": ["keep"]} and code.execution_count == 3 and code.source.startswith("report")
    assert nb.metadata == {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                           "language_info": {"name": "python", "pygments_lexer": "ipython3"}}
    assert nb.cells[0].metadata == {"tags": ["lang-en"]}
    nbformat.validate(nb)
    before = nbformat.writes(nb)
    assert tidy_notebook(nb) is False and nbformat.writes(nb) == before  # idempotent


def test_tidy_files_rewrites_only_what_changes(tmp_path):
    untidy, tidy = tmp_path / "01_a.ipynb", tmp_path / "02_b.ipynb"
    nb = _executed_notebook()
    nbformat.write(nb, untidy)
    tidy_notebook(nb)
    nbformat.write(nb, tidy)
    stamp = tidy.stat().st_mtime_ns
    assert tidy_files([untidy, tidy]) == [untidy]
    assert tidy.stat().st_mtime_ns == stamp and "image/png" not in untidy.read_text(encoding="utf-8")
    assert tidy_files([untidy, tidy]) == []
    assert untidy.read_text(encoding="utf-8") == tidy.read_text(encoding="utf-8")


def test_tidy_files_checks_every_file_before_writing_any(tmp_path):
    untidy, bad = tmp_path / "01_a.ipynb", tmp_path / "02_b.ipynb"
    nbformat.write(_executed_notebook(), untidy)
    before = untidy.read_bytes()
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="02_b.ipynb: not a notebook"):
        tidy_files([untidy, bad])
    with pytest.raises(InputError, match="missing.ipynb: cannot read it"):
        tidy_files([untidy, tmp_path / "missing.ipynb"])
    assert untidy.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["01_a.ipynb", "02_b.ipynb"]


def test_tidy_notebooks_command(tmp_path, capsys):
    """The pre-commit hook: prints and rewrites the files it changed and exits 1; 0 when all were tidy;
    2 (one line, nothing written) for a file that is not a notebook."""
    path = tmp_path / "01_a.ipynb"
    nbformat.write(_executed_notebook(), path)
    assert main(["tidy-notebooks", str(path)]) == 1
    assert "01_a.ipynb" in capsys.readouterr().out
    assert main(["tidy-notebooks", str(path)]) == 0
    assert capsys.readouterr().out == ""
    (tmp_path / "x.ipynb").write_text("[]", encoding="utf-8")
    assert main(["tidy-notebooks", str(tmp_path / "x.ipynb")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "x.ipynb: not a notebook" in err


# -- tidy-notebooks: what the file system refuses is exit 2; modes, links and other files are kept -------------


def _untidy(path, nb=None):
    nbformat.write(nb or _executed_notebook(), path)
    return path.read_bytes()


def _no_temporaries(folder):
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_tidy_notebooks_into_a_folder_that_cannot_be_written_is_exit_2_and_changes_nothing(tmp_path, capsys):
    from ..test_cli import _one_line_error, unwritable

    first, second = tmp_path / "a" / "01_a.ipynb", tmp_path / "b" / "02_b.ipynb"
    first.parent.mkdir()
    second.parent.mkdir()
    before = _untidy(first), _untidy(second)
    with unwritable(second.parent) as locked:
        assert main(["tidy-notebooks", str(first), str(locked / "02_b.ipynb")]) == 2
        _one_line_error(capsys, str(locked / "02_b.ipynb"), "cannot write", "no notebook was changed")
        assert (first.read_bytes(), (locked / "02_b.ipynb").read_bytes()) == before  # all or nothing
        _no_temporaries(first.parent)
        _no_temporaries(locked)


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_tidy_notebooks_refuses_what_is_not_a_regular_file(kind, tmp_path, capsys):
    import os
    import threading

    from ..test_cli import _one_line_error

    path = tmp_path / "01_a.ipynb"
    os.mkfifo(path) if kind == "fifo" else path.mkdir()
    codes = []
    run = threading.Thread(target=lambda: codes.append(main(["tidy-notebooks", str(path)])), daemon=True)
    run.start()
    run.join(30)
    if run.is_alive():  # reading a pipe waits for a writer: give it one, and fail
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        run.join(30)
        pytest.fail("tidy-notebooks waited on a pipe")
    assert codes == [2]
    _one_line_error(capsys, str(path), "not a regular file", "no notebook was changed")


def test_tidy_notebooks_refuses_a_file_over_its_size_limit(tmp_path, capsys):
    from citynet_analysis.reporting.batch.notebook_files import MAX_NOTEBOOK_BYTES

    from ..test_cli import _one_line_error

    assert MAX_NOTEBOOK_BYTES == 100 * 1024 * 1024
    path = tmp_path / "01_a.ipynb"
    with path.open("wb") as f:  # sparse: nothing is written but its length
        f.truncate(MAX_NOTEBOOK_BYTES + 1)
    assert main(["tidy-notebooks", str(path)]) == 2
    _one_line_error(capsys, str(path), "100 MB", "no notebook was changed")
    assert path.stat().st_size == MAX_NOTEBOOK_BYTES + 1


@pytest.mark.parametrize("mode", [0o444, 0o640, 0o755])
def test_tidy_notebooks_keeps_a_notebooks_file_mode(mode, tmp_path, capsys):
    path = tmp_path / "01_a.ipynb"
    _untidy(path)
    path.chmod(mode)
    assert main(["tidy-notebooks", str(path)]) == 1
    assert path.stat().st_mode & 0o7777 == mode and "image/png" not in path.read_text(encoding="utf-8")
    _no_temporaries(tmp_path)


def test_tidy_notebooks_writes_through_a_symlink_and_keeps_it(tmp_path, capsys):
    target = tmp_path / "real" / "01_a.ipynb"
    target.parent.mkdir()
    _untidy(target)
    link = tmp_path / "link.ipynb"
    link.symlink_to(Path("real") / "01_a.ipynb")
    assert main(["tidy-notebooks", str(link), str(target)]) == 1
    assert link.is_symlink() and link.readlink() == Path("real") / "01_a.ipynb"
    assert "image/png" not in target.read_text(encoding="utf-8")
    assert capsys.readouterr().out.count("tidied") == 1  # one file, named once
    _no_temporaries(tmp_path)
    _no_temporaries(target.parent)


def test_tidy_notebooks_says_what_it_changed(tmp_path, capsys):
    timings = _executed_notebook()
    for cell in timings.cells:
        for output in cell.get("outputs", []):
            for mime in IMAGE_MIMETYPES:
                output.get("data", {}).pop(mime, None)
                output.get("metadata", {}).pop(mime, None)
    tidy = _executed_notebook()
    tidy_notebook(tidy)
    cases = {"01_all.ipynb": (_executed_notebook(), "removed image data and run metadata"),
             "02_timings.ipynb": (timings, "removed run metadata"),
             "03_layout.ipynb": (tidy, "rewritten as nbformat writes it")}
    for name, (nb, _) in cases.items():
        _untidy(tmp_path / name, nb)
    (tmp_path / "03_layout.ipynb").write_text(nbformat.writes(tidy, indent=4), encoding="utf-8")
    assert main(["tidy-notebooks", *(str(tmp_path / n) for n in cases)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3
    for line, (name, (_, what)) in zip(out, cases.items(), strict=True):
        assert line.startswith("tidied ") and f"{name}: {what} (git add it again)" in line, line
    assert "image data" not in out[1] and "metadata" not in out[2] and "image" not in out[2]


@pytest.mark.slow
@pytest.mark.parametrize("batch", ["batch_ko", "batch_en"])
def test_every_notebook_runs_for_every_year(batch, request):
    out, jobs = request.getfixturevalue(batch)
    lang = batch[-2:]
    ds = load()
    years = ds.fiscal_years()
    assert sorted((j.year, j.notebook) for j in jobs) == sorted((y, n) for y in years for n in NOTEBOOKS)
    assert all(j.status == "ok" for j in jobs), [(j.year, j.notebook, j.error) for j in jobs if j.status != "ok"]
    with_items, with_outcomes = set(ds.line_items["fiscal_year"]), set(ds.activities["fiscal_year"])
    for j in jobs:
        nb = nbformat.read(out / j.path, as_version=4)
        injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
        # the parameters the run used are the parameters the notebook shows
        assert f'data_dir = "{ds.path.resolve()}"' in injected.source
        assert f'lang = "{lang}"' in injected.source and f"fiscal_year = {j.year}" in injected.source
        assert 'output_dir = "' in injected.source
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        text = json.dumps(outputs, ensure_ascii=False)
        assert "missing from font" not in text, (j.notebook, j.year)
        assert not [o for o in outputs if o.get("name") == "stderr" or o.output_type == "error"], j
        unavailable = "산출할 수 없습니다" if lang == "ko" else "not available for FY"
        if j.notebook == "01_budget_overview" and j.year not in with_items:
            assert unavailable in text
        if j.notebook == "02_cost_per_activity" and j.year not in with_outcomes:
            assert unavailable in text


@pytest.mark.slow
def test_an_analysts_own_chart_is_published_like_the_others(batch_ko):
    """A chart function written in new cells of 01_budget_overview and shown with report.figure appears
    in the notebook's HTML page and among the year's memo figures, with no other change."""
    out, _ = batch_ko
    figures = report_folder(out, 2024) / "figures"
    for fmt, magic in (("png", b"\x89PNG"), ("svg", b"<?xml"), ("pdf", b"%PDF")):
        assert (figures / f"spending_by_side.{fmt}").read_bytes().startswith(magic)
    page = page_path(out, 2024, "01_budget_overview").read_text(encoding="utf-8")
    png = nbformat.read(report_folder(out, 2024) / "01_budget_overview.ipynb", as_version=4).cells[-1].outputs[0]
    assert png["data"]["image/png"][:200] in page
    assert not (report_folder(out, 2022) / "figures" / "spending_by_side.png").exists()  # 2022: not available, said


@pytest.mark.slow
def test_reports_for_one_year(batch_en):
    out, jobs = batch_en
    assert all(j.status == "ok" for j in jobs), [j.error for j in jobs]
    year = report_folder(out, 2022, "en")
    for name in NOTEBOOKS:
        assert (year / f"{name}.ipynb").exists()
        page = page_path(out, 2022, name, "en").read_text(encoding="utf-8")
        assert "@font-face" in page and "data:image/png;base64" in page or name == "01_budget_overview"
        assert find_external_resources(page) == []
    # the notebooks draw their own charts: the executed notebook holds them
    trends = (year / "03_trends.ipynb").read_text(encoding="utf-8")
    assert trends.count('"image/png"') >= 2
    overview = (year / "01_budget_overview.ipynb").read_text(encoding="utf-8")
    assert "not available for FY2022" in overview  # 2022 has no line items: said, not drawn
    figures = sorted(p.name for p in (year / "figures").iterdir())
    assert {"budget_trend.png", "budget_trend.svg", "budget_trend.pdf", "cost_per_event.pdf",
            "activities.png"} <= set(figures)
    assert (year / "figures" / "budget_trend.pdf").read_bytes().startswith(b"%PDF")
    csv = year / "tables" / "execution_rates.csv"
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")
    wb = load_workbook(workbook_path(out, 2022, "en"))
    assert {"Execution rates", "Budget growth", "Cost per event", "Activities"} <= set(wb.sheetnames)
    assert wb["Execution rates"]["C4"].value == 834_395_000  # 2022 executed
    index = (out / "index.html").read_text(encoding="utf-8")
    runs = len(load().fiscal_years()) * len(NOTEBOOKS)  # a header row and one row per run
    assert index.count("<tr>") == 1 + runs and "citynet_2022_en/citynet_2022_en_03_trends.html" in index
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging left behind


# -- refresh: every notebook runs before any is stored; what fails is one line (found by review) -------------

def _stored_notebook(path: Path, *sources: str) -> bytes:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)
    return path.read_bytes()


def test_a_kernel_that_does_not_start_is_one_line(tmp_path, monkeypatch, capsys):
    """A kernel that failed to start twice (kernels.KernelNotStarted) is exit 2 naming the notebook, not 3."""
    from citynet_analysis import config
    from citynet_analysis.reporting.batch import kernels

    def start_kernel(**_):
        raise kernels.KernelNotStarted("a kernel did not start, also on its one retry: no answer within 60 s")

    path = tmp_path / "01_a.ipynb"
    before = _stored_notebook(path, "x = 1")
    monkeypatch.setattr(kernels, "start_kernel", start_kernel)
    monkeypatch.setattr(config, "NOTEBOOK_DIR", tmp_path)
    assert main(["refresh-notebooks", "--no-baselines", "01_a"]) == 2
    assert capsys.readouterr().err == (
        f"citynet-analysis: error: {path}: KernelNotStarted: a kernel did not start, also on its one retry: "
        "no answer within 60 s; no notebook or baseline was changed\n")
    assert path.read_bytes() == before


def test_a_file_that_is_not_a_notebook_is_one_line(tmp_path):
    from citynet_analysis.reporting.batch.notebook_files import refresh

    path = tmp_path / "01_a.ipynb"
    path.write_text("{not json")
    with pytest.raises(InputError, match=r"01_a.ipynb: not a notebook \(.*\); no notebook or baseline was changed"):
        refresh([path])
    assert path.read_text() == "{not json"


@pytest.mark.slow
@pytest.mark.parametrize("failure, message", [
    ("raise ValueError('bad cell')", "cell 2: ValueError: bad cell"),
    ("import time; time.sleep(60)", "cell 2: did not finish within 3 s (config.CELL_TIMEOUT_S)"),
    ("import os; os._exit(1)", "cell 2: the kernel died while running it"),
])
def test_a_refresh_that_fails_in_a_later_notebook_changes_none(tmp_path, monkeypatch, failure, message):
    """The first notebook runs fine, the second fails (an error, a cell past the timeout, a kernel that
    dies): an InputError naming the second and its cell, and neither file changed."""
    from citynet_analysis import config
    from citynet_analysis.reporting.batch.notebook_files import refresh

    monkeypatch.setattr(config, "CELL_TIMEOUT_S", 3)
    good, bad = tmp_path / "01_good.ipynb", tmp_path / "02_bad.ipynb"
    before = {good: _stored_notebook(good, "print('fine')"), bad: _stored_notebook(bad, "x = 1", failure)}
    with pytest.raises(InputError) as caught:
        refresh([good, bad])
    assert str(caught.value).startswith(f"{bad}: {message}")
    assert str(caught.value).endswith("; no notebook or baseline was changed")
    assert {p: p.read_bytes() for p in before} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["01_good.ipynb", "02_bad.ipynb"]  # no temporary


# -- nbval skips the image types the tidy step strips (found by review) --------------------------------------

SVG_CELL = """\
from IPython.display import SVG, display
display(SVG('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'))
display({"text/plain": "a PDF", "application/pdf": "JVBERi0xLjQK"}, raw=True)"""


@pytest.mark.slow
@pytest.mark.parametrize("repository_conftest", [True, False])
def test_nbval_passes_a_tidied_notebook_that_shows_an_svg(tmp_path, repository_conftest):
    """A notebook whose run shows an SVG and a PDF, stored tidied (no image data): nbval with the repository's
    conftest.py passes it; nbval alone (the control) fails it on the SVG it does not skip."""
    import os
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = nbformat.v4.new_code_cell(SVG_CELL, execution_count=1)
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={
            "image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" '
                             'height="4"/></svg>', "text/plain": "<IPython.core.display.SVG object>"}),
        nbformat.v4.new_output("display_data", data={"text/plain": "a PDF", "application/pdf": "JVBERi0xLjQK"}),
    ]
    nb.cells = [cell]
    assert tidy_notebook(nb)  # stored as refresh-notebooks and tidy-notebooks store it
    assert not {k for o in cell.outputs for k in o.data} & set(IMAGE_MIMETYPES)
    path = tmp_path / "svg.ipynb"
    nbformat.write(nb, path)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # not the checkout's options (-n auto, sanitize file)
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    env["PYTHONPATH"] = os.pathsep.join([str(repo), *filter(None, [env.get("PYTHONPATH")])])
    plugin = ["-p", "conftest"] if repository_conftest else []  # the repository's conftest.py, as a plugin
    result = subprocess.run([sys.executable, "-m", "pytest", "-c", str(tmp_path / "pytest.ini"), "--rootdir",
                             str(tmp_path), "-p", "no:cacheprovider", *plugin, "--nbval", "--nbval-current-env",
                             "-q", str(path)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    if repository_conftest:
        assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout + result.stderr
    else:
        assert result.returncode == 1 and "image/svg+xml" in result.stdout, result.stdout + result.stderr
