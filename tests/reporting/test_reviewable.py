"""Reviewable notebooks (docs/reporting.md, "Reviewing a notebook change"): a chart cell added to a stored
notebook gives a short plain ``git diff`` that shows its code; the pre-commit hooks run the tools of the
venv; ``tasks.sh`` configures nbdime's git drivers in a checkout only; ``refresh-notebooks`` ends with the
``git add`` line of what it changed."""

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from citynet_analysis import config
from citynet_analysis.cli import build_parser, main
from citynet_analysis.reporting.batch import baselines
from citynet_analysis.reporting.batch import notebook_files as nf

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
#: What a reviewer can read: no diff line longer than this.
MAX_DIFF_LINE = 1_000
#: The chart cell an analyst adds (docs/reporting.md, "Where to add … a chart").
CHART_CELL = 'report.figure(charts.trend_chart(ds, lang=lang), "my_trend")'


def _git_env(home: Path) -> dict:
    """git as on a fresh machine: no global or system configuration (no nbdime driver), a fixed author."""
    return {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(home),
            "GIT_AUTHOR_NAME": "Analyst", "GIT_AUTHOR_EMAIL": "analyst@example.org",
            "GIT_COMMITTER_NAME": "Analyst", "GIT_COMMITTER_EMAIL": "analyst@example.org",
            "PRE_COMMIT_HOME": str(home / "pre-commit")}


def _repo(path: Path):
    """A new git repository at ``path`` and a function that runs git in it (returning stdout)."""
    path.mkdir(parents=True, exist_ok=True)
    env = _git_env(path.parent)

    def git(*args, check=True):
        result = subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True, env=env,
                                timeout=120)
        if check:
            assert result.returncode == 0, result.stderr
        return result.stdout

    git("init", "-q", "-b", "main")
    return git


# -- the pre-commit hooks ------------------------------------------------------------------------------------

def _hooks() -> dict[str, dict]:
    config_file = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [r["repo"] for r in config_file["repos"]] == ["local"]  # nothing to download
    return {h["id"]: h for r in config_file["repos"] for h in r["hooks"]}


def test_pre_commit_hooks_point_at_commands_that_exist():
    hooks = _hooks()
    assert set(hooks) == {"tidy-notebooks", "ruff"}
    for hook in hooks.values():
        assert hook["language"] == "system", hook  # the venv's tools, no environment of pre-commit's own
        program = shlex.split(hook["entry"])[0]
        assert program.startswith(".venv/bin/"), "tasks.sh install puts the tools in .venv"
        assert os.access(REPO / program, os.X_OK), f"{program} is not installed: bash tasks.sh install"
    tidy = shlex.split(hooks["tidy-notebooks"]["entry"])
    assert build_parser().parse_args(tidy[1:]).func.__name__ == "cmd_tidy_notebooks"
    files = re.compile(hooks["tidy-notebooks"]["files"])
    assert files.search("notebooks/01_budget_overview.ipynb") and not files.search("reports/x/01_a.ipynb")
    ruff = hooks["ruff"]
    assert shlex.split(ruff["entry"])[1] == "check" and "jupyter" in ruff["types_or"]
    for path in ("citynet_analysis/cli/__init__.py", "tests/conftest.py", "notebooks/03_trends.ipynb"):
        assert re.search(ruff["files"], path), path
    assert not re.search(ruff["files"], "reports/citynet_2024_ko/01_budget_overview.ipynb")


def test_notebooks_are_linted():
    """ruff lints the notebooks (no longer excluded; the hook and ``tasks.sh test`` name them)."""
    import tomllib

    ruff = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]
    assert "notebooks" not in ruff.get("extend-exclude", []) + ruff.get("exclude", [])
    assert re.search(r'ruff" check [^\n]*\bnotebooks\b', (REPO / "tasks.sh").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_pre_commit_runs_the_hooks_offline(tmp_path):
    """In a repository of its own: an untidy notebook fails the commit once, is rewritten tidy, then passes;
    a lint error in a notebook fails it."""
    work = tmp_path / "checkout"
    git = _repo(work)
    for name in (".pre-commit-config.yaml", "pyproject.toml"):
        shutil.copy(REPO / name, work / name)
    (work / ".venv").symlink_to(REPO / ".venv")
    (work / "notebooks").mkdir()
    nb = nbformat.read(nf.notebook_paths()["01_budget_overview"], as_version=4)
    nb.cells[-1].outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=" * 3000,
                                                                         "text/plain": "<Image>"})]
    nb.cells[-1].metadata["execution"] = {"iopub.status.idle": "2026-12-07T10:00:00.000000Z"}
    nbformat.write(nb, work / "notebooks" / "01_budget_overview.ipynb")
    git("add", "-A")
    run = [str(VENV_BIN / "pre-commit"), "run", "--all-files"]
    env = _git_env(tmp_path)
    check = subprocess.run([str(VENV_BIN / "pre-commit"), "validate-config", ".pre-commit-config.yaml"], cwd=work,
                           capture_output=True, text=True, env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    first = subprocess.run(run, cwd=work, capture_output=True, text=True, env=env, timeout=300)
    assert first.returncode == 1 and "files were modified by this hook" in first.stdout, first.stdout
    assert "tidied notebooks/01_budget_overview.ipynb" in first.stdout
    assert "image/png" not in (work / "notebooks" / "01_budget_overview.ipynb").read_text(encoding="utf-8")
    git("add", "-A")
    second = subprocess.run(run, cwd=work, capture_output=True, text=True, env=env, timeout=300)
    assert second.returncode == 0, second.stdout
    nb = nbformat.read(work / "notebooks" / "01_budget_overview.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import os"))  # unused import
    nbformat.write(nb, work / "notebooks" / "01_budget_overview.ipynb")
    git("add", "-A")
    third = subprocess.run(run, cwd=work, capture_output=True, text=True, env=env, timeout=300)
    assert third.returncode == 1 and "F401" in third.stdout, third.stdout
    assert "tidy notebooks (no image data, no run timings)....Passed" in re.sub(r"\.+", "....", third.stdout)


# -- nbdime's git drivers, configured by tasks.sh in a checkout only -----------------------------------------

def _checkout_with_tasks(path: Path):
    git = _repo(path)
    for name in ("tasks.sh", ".gitattributes"):
        shutil.copy(REPO / name, path / name)
    (path / ".venv").symlink_to(REPO / ".venv")
    return git


@pytest.mark.slow
def test_tasks_sh_configures_nbdime_in_this_checkout_only(tmp_path):
    env = _git_env(tmp_path)
    plain = tmp_path / "not-a-checkout"
    plain.mkdir()
    for name in ("tasks.sh", ".gitattributes"):
        shutil.copy(REPO / name, plain / name)
    (plain / ".venv").symlink_to(REPO / ".venv")
    outside = subprocess.run(["bash", "tasks.sh", "git-setup"], cwd=plain, capture_output=True, text=True,
                             env=env)
    assert (outside.returncode, outside.stdout, outside.stderr) == (0, "", "")

    work = tmp_path / "checkout"
    git = _checkout_with_tasks(work)
    first = subprocess.run(["bash", "tasks.sh", "git-setup"], cwd=work, capture_output=True, text=True, env=env)
    assert first.returncode == 0 and first.stderr.count("\n") == 1 and "nbdime" in first.stderr, first.stderr
    assert "git-nbdiffdriver' diff" in git("config", "--local", "diff.jupyternotebook.command")
    assert "git-nbmergedriver' merge" in git("config", "--local", "merge.jupyternotebook.driver")
    again = subprocess.run(["bash", "tasks.sh", "git-setup"], cwd=work, capture_output=True, text=True, env=env)
    assert (again.returncode, again.stderr) == (0, "")  # already configured: nothing said

    # git diff now shows a notebook cell by cell; --no-ext-diff still gives the JSON
    (work / "notebooks").mkdir()
    path = work / "notebooks" / "01_budget_overview.ipynb"
    shutil.copy(nf.notebook_paths()["01_budget_overview"], path)
    git("add", "-A")
    git("commit", "-qm", "notebook")
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(CHART_CELL))
    nbformat.write(nb, path)
    cells = git("diff")
    assert "inserted before /cells/" in cells or "inserted after /cells/" in cells or "## inserted" in cells
    assert CHART_CELL in cells and '"cell_type": "code"' not in cells
    assert '"cell_type": "code"' in git("diff", "--no-ext-diff")


# -- refresh-notebooks: the git add line ----------------------------------------------------------------------

@pytest.mark.slow
def test_refresh_notebooks_prints_what_to_git_add(tmp_path, monkeypatch, capsys):
    """The files it wrote or removed that git does not have yet, new ones included, as one git add line."""
    work = tmp_path / "checkout"
    git = _repo(work)
    base = work / "tests" / "reporting" / "baseline"
    for rel, data in (("notebooks/01_a.ipynb", "old"), ("notebooks/02_b.ipynb", "same"),
                      ("tests/reporting/baseline/ko/01_a/kept.png", "kept"),
                      ("tests/reporting/baseline/ko/01_a/gone.png", "gone")):
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_text(data)
    git("add", "-A")
    git("commit", "-qm", "base")
    monkeypatch.setattr(config, "REPO_DIR", work)
    monkeypatch.setattr(config, "NOTEBOOK_DIR", work / "notebooks")
    monkeypatch.setattr(config, "IN_REPOSITORY", True)

    def refresh(paths):
        for p in paths:
            p.write_text("new" if p.stem == "01_a" else "same")
        return list(paths)

    def refresh_baselines(names):
        assert names == ["01_a", "02_b"]
        (base / "ko" / "01_a" / "gone.png").unlink()
        (base / "ko" / "01_a" / "new figure.png").write_text("new")
        (base / "ko" / "01_a" / "kept.png").write_text("kept")
        return baselines.BaselineChanges(written=[base / "ko" / "01_a" / "new figure.png"],
                                         removed=[base / "ko" / "01_a" / "gone.png"],
                                         figures={"01_a": ["kept", "new figure"]})

    monkeypatch.setattr(nf, "refresh", refresh)
    monkeypatch.setattr(baselines, "refresh_baselines", refresh_baselines)
    monkeypatch.chdir(work)
    assert main(["refresh-notebooks", "01_a", "02_b"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "baselines of 01_a: kept, new figure in tests/reporting/baseline/<lang>/01_a/" in out
    assert "baselines of 02_b: no figures in tests/reporting/baseline/<lang>/02_b/" in out
    assert out[-1] == (f"to commit (look at the changed images first): git -C {shlex.quote(str(work))} add -- "
                       "notebooks/01_a.ipynb tests/reporting/baseline/ko/01_a/gone.png "
                       "'tests/reporting/baseline/ko/01_a/new figure.png'")
    subprocess.run(out[-1].split(": ", 1)[1], shell=True, check=True, cwd=tmp_path,  # as printed, from elsewhere
                   env=_git_env(tmp_path))
    assert git("status", "--porcelain") == ("M  notebooks/01_a.ipynb\nD  tests/reporting/baseline/ko/01_a/gone.png\n"
                                            'A  "tests/reporting/baseline/ko/01_a/new figure.png"\n')
    git("commit", "-qm", "refreshed")
    assert main(["refresh-notebooks", "--no-baselines"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "nothing to git add: the notebooks and baselines are as git has them")


# -- done when: one added chart cell is a short, readable diff ------------------------------------------------

@pytest.mark.slow
def test_an_added_chart_cell_is_a_short_readable_diff(tmp_path):
    """An analyst adds a chart cell to a committed (tidied) notebook and stores it as the docs say
    (refresh-notebooks, i.e. :func:`notebook_files.refresh`): plain ``git diff`` (no nbdime) shows the
    cell's code and has no line over MAX_DIFF_LINE characters: no base64 image, no timings."""
    work = tmp_path / "checkout"
    git = _repo(work)
    (work / "notebooks").mkdir()
    path = work / "notebooks" / "01_budget_overview.ipynb"
    shutil.copy(nf.notebook_paths()["01_budget_overview"], path)
    nf.tidy_files([path])
    git("add", "-A")
    git("commit", "-qm", "the stored notebook")
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(CHART_CELL))
    nbformat.write(nb, path)

    assert nf.refresh([path]) == [path]
    diff = git("diff", "--no-ext-diff")
    longest = max(map(len, diff.splitlines()))
    assert longest <= MAX_DIFF_LINE, f"a diff line of {longest} characters"
    assert f'"{CHART_CELL.replace(chr(34), chr(92) + chr(34))}"' in diff  # the code, as a JSON string
    assert '"name": "my_trend"' in diff  # its output record
    assert "image/png" not in diff and "iopub" not in diff and "execution\"" not in diff
    assert git("diff", "--name-only") == "notebooks/01_budget_overview.ipynb\n"
    executed = nbformat.read(path, as_version=4)
    assert executed.cells[-1].execution_count is not None
    assert executed.cells[-1].outputs[0].metadata["citynet"]["name"] == "my_trend"
    assert nf.tidy_files([path]) == []  # stored tidy: the pre-commit hook has nothing to do

    # the other way an analyst runs a notebook: nbconvert in place, then the hook's tidy step
    git("stash", "-q")
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(CHART_CELL))
    nbformat.write(nb, path)
    subprocess.run([str(VENV_BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute", "--inplace",
                    str(path)], check=True, capture_output=True, cwd=path.parent, timeout=600)
    assert "iopub.execute_input" in path.read_text(encoding="utf-8")  # what nbconvert leaves
    assert nf.tidy_files([path]) == [path]
    diff = git("diff", "--no-ext-diff")
    assert max(map(len, diff.splitlines())) <= MAX_DIFF_LINE and "my_trend" in diff and "iopub" not in diff
