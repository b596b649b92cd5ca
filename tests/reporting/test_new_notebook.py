"""`citynet-analysis new-notebook`: a new analysis notebook that meets the notebook rules and that the batch,
the pages and the memo pick up like the others, with nothing else to register."""

import json
import re
import shutil

import pytest
from docx import Document

from citynet_analysis.cli import main
from citynet_analysis.reporting.batch import run_batch
from citynet_analysis.reporting.batch.notebook_files import PARAMETERS, new_notebook, notebook_paths

from ..conftest import REPO
from .conftest import ANALYST_CELLS, memo_path, page_path, report_folder
from .test_notebook_files import MAX_CELL_LINES, rule_problems

NAME = "04_my_analysis"


def test_a_new_notebook_meets_the_notebook_rules(tmp_path):
    path = new_notebook(NAME, tmp_path)
    assert path == tmp_path / f"{NAME}.ipynb" and list(notebook_paths(tmp_path)) == [NAME]
    assert rule_problems(path) == []
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)  # no outputs
    first = {}
    for cell in nb["cells"]:
        for tag in cell["metadata"].get("tags", []):
            first.setdefault(tag, "".join(cell["source"]))
    assert first["lang-ko"].startswith("# 나의 분석\n") and first["lang-en"].startswith("# My analysis\n")
    assert "refresh-notebooks 04_my_analysis" in first["instructions"]
    assert not [f for f in tmp_path.iterdir() if f.name.startswith(".")]  # written in one rename


def test_its_parameters_cell_is_the_other_notebooks(tmp_path):
    """The parameters every stored notebook shows, line for line (a notebook may add its own after them)."""
    for path in notebook_paths().values():
        cell = next(c for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
                    if "parameters" in c["metadata"].get("tags", []))
        assert "".join(cell["source"]).startswith(PARAMETERS + "\n") or "".join(cell["source"]) == PARAMETERS, \
            path.name
    cell = next(c for c in json.loads(new_notebook("04_x", tmp_path).read_text(encoding="utf-8"))["cells"]
                if "parameters" in c["metadata"].get("tags", []))
    assert "".join(cell["source"]) == PARAMETERS


@pytest.mark.parametrize("name", ["04-my-analysis", "04_My", "04_mine.ipynb", "", "../04_x", "04 x"])
def test_a_bad_name_is_exit_2(name, tmp_path, capsys):
    assert main(["new-notebook", name, "--notebooks-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "NAME" in err and "Traceback" not in err, err
    assert not list(tmp_path.iterdir())


def test_an_existing_notebook_is_exit_2_and_kept(tmp_path, capsys):
    assert main(["new-notebook", NAME, "--notebooks-dir", str(tmp_path)]) == 0
    assert NAME in capsys.readouterr().out
    path = tmp_path / f"{NAME}.ipynb"
    path.write_text("the analyst's work", encoding="utf-8")
    assert main(["new-notebook", NAME, "--notebooks-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err and "exists" in err, err
    assert path.read_text(encoding="utf-8") == "the analyst's work"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


@pytest.mark.slow
def test_the_batch_publishes_a_new_notebook_like_the_others(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for path in notebook_paths().values():
        shutil.copy(path, notebooks)
    # a name free beside the analyst's own notebooks (a 04_my_analysis may be there already)
    name = next(n for n in (NAME, *(f"{i:02d}_new_analysis" for i in range(99, 0, -1))) if n not in notebook_paths())
    new_notebook(name, notebooks)
    out = tmp_path / "reports"
    jobs = run_batch(years=[2024], notebook_dir=notebooks, out_dir=out, progress=False)
    assert sorted(j.notebook for j in jobs) == sorted([*notebook_paths(), name])
    assert all(j.status == "ok" for j in jobs), [(j.notebook, j.error) for j in jobs if j.status != "ok"]
    page = page_path(out, 2024, name)
    assert page.name == f"citynet_2024_ko_{name}.html" and page.is_file()
    text = page.read_text(encoding="utf-8")
    assert "나의 분석" in text and "My analysis" not in text and "How to run" not in text
    figures = report_folder(out, 2024) / "figures"
    assert (figures / "my_trend.png").read_bytes().startswith(b"\x89PNG")
    assert (report_folder(out, 2024) / "tables" / "my_execution_rates.csv").is_file()
    memo = Document(str(memo_path(out, 2024)))
    captions = [p.text for p in memo.paragraphs if re.match(r"(그림|표) \d+\. ", p.text)]
    assert any(re.fullmatch(r"그림 \d+\. my trend", c) for c in captions), captions
    assert any(c.startswith("표 ") and "my execution rates" in c for c in captions), captions


def test_the_readmes_chart_example_keeps_the_rules_and_is_the_one_tested():
    """The README's Python is notebook cells the Korean batch runs (its "Adding a chart" cells, in a real
    kernel, as an analyst types them), each within the line limit; the rules it states are the ones tested."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("**Adding a chart.**"):readme.index("**Adding a notebook.**")]
    cells = tuple(re.findall(r"```python\n(.*?)\n```", section, flags=re.S))
    assert cells == ANALYST_CELLS
    assert tuple(re.findall(r"```python\n(.*?)\n```", readme, flags=re.S)) == ANALYST_CELLS  # no other snippet
    assert f"at most {MAX_CELL_LINES} lines" in readme and "`lang-ko`" in readme and "`lang-en`" in readme
    assert all(len(cell.splitlines()) <= MAX_CELL_LINES for cell in cells)
    assert "new-notebook 04_my_analysis" in readme and "refresh-notebooks 04_my_analysis" in readme


def test_a_name_saved_by_two_notebooks_is_named_not_published(tmp_path):
    """Two notebooks that save the same figure name (two made from the template, neither renamed its
    chart) would overwrite each other's files in the year folder: the batch says which and by whom."""
    from citynet_analysis.reporting.batch.run import name_clash

    from .conftest import hand_made_year_folder

    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one = hand_made_year_folder(tmp_path / "one", ["요약"], ["계", "인건비", "제44차 집행위원회 개최"])
    shutil.copy(one / "01_test.ipynb", tmp_path / "two" / "02_copy.ipynb")
    message, involved = name_clash([one / "01_test.ipynb", tmp_path / "two" / "02_copy.ipynb"])
    assert involved == {"01_test", "02_copy"}
    assert message.startswith("the table 'x' is saved by both 01_test and 02_copy: give one of them another name")
    assert name_clash([one / "01_test.ipynb"]) == ("", set())


@pytest.mark.slow
def test_the_batch_keeps_the_previous_reports_when_two_notebooks_save_one_name(tmp_path, capsys):
    notebooks = tmp_path / "notebooks"
    for name in ("04_mine", "05_yours"):  # both from the template: both save my_trend and my_execution_rates
        new_notebook(name, notebooks)
    out = tmp_path / "reports"
    code = main(["batch", "--years", "2024", "--notebooks-dir", str(notebooks), "--out", str(out), "--no-progress"])
    printed = capsys.readouterr().out
    assert code == 1 and "saved by both 04_mine and 05_yours: give one of them another name" in printed
    assert not report_folder(out, 2024).exists()  # nothing published; the runs are kept under failed/
    assert (out / "failed" / "citynet_2024_ko" / "05_yours.ipynb").is_file()
