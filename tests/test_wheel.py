"""A real, non-editable install: the wheel carries the embedded data set and the notebooks, so ``load()``
and ``citynet-analysis batch`` work from any folder, with nothing read from the repository; only files git
tracks are bundled. The builds run on a copy of the checkout (its tracked files as they are in the working
tree, in a git repository of their own), never in the repository itself."""

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile

import pytest

from .conftest import REPO

#: A notebook lying in notebooks/ that git does not track (an analyst's scratch copy).
UNTRACKED = "notebooks/99_scratch.ipynb"


def _tracked_copy(tmp_path):
    """The checkout's tracked files, with their working-tree contents, in a new git repository where they are
    all tracked, plus an untracked notebook in notebooks/."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed: a wheel is built from a checkout's tracked files")
    listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True, check=True).stdout
    copy = tmp_path / "checkout"
    for name in filter(None, listed.decode().split("\0")):
        if (REPO / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, copy / name)
    subprocess.run(["git", "init", "--quiet", str(copy)], check=True)
    subprocess.run(["git", "-C", str(copy), "add", "--all"], check=True)
    shutil.copy2(copy / "notebooks" / "01_budget_overview.ipynb", copy / UNTRACKED)  # after `git add`
    return copy


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_repository(tmp_path):
    checkout = _tracked_copy(tmp_path)
    wheels = tmp_path / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels),
                            str(checkout)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = wheels.glob("citynet_analysis-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "citynet_analysis/bundled/data/processed/datapackage.json" in names
    assert "citynet_analysis/bundled/notebooks/01_budget_overview.ipynb" in names
    assert "citynet_analysis/vocabulary.toml" in names and "citynet_analysis/fonts/NanumGothic.ttf" in names
    bundled_notebooks = sorted(n.rsplit("/", 1)[1] for n in names if n.startswith("citynet_analysis/bundled/notebooks/"))
    assert bundled_notebooks == sorted(p.name for p in (checkout / "notebooks").glob("*.ipynb")  # the tracked ones
                                       if p.name != "99_scratch.ipynb")
    assert not any(n.endswith("/99_scratch.ipynb") for n in names)  # untracked: not bundled
    site = tmp_path / "site"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target",
                              str(site), str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-2000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(os.environ, PYTHONPATH=str(site))
    env.pop("CITYNET_DATA_DIR", None)
    probe = subprocess.run([sys.executable, "-c", "import json, citynet_analysis as ca; ds = ca.load(); "
                            "print(json.dumps([ca.__file__, str(ds.path), int(ds.documents.total_krw.iloc[0])]))"],
                           cwd=elsewhere, env=env, capture_output=True, text=True)
    assert probe.returncode == 0, probe.stderr[-2000:]
    module, data, total = json.loads(probe.stdout)
    assert module.startswith(str(site)) and data.startswith(str(site)) and total == 1_100_000_000

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "citynet_analysis", *args], cwd=elsewhere, env=env,
                              capture_output=True, text=True)

    copied = cli("notebooks", "copy", "my_notebooks")  # an analyst's own copy, to edit and run
    assert copied.returncode == 0, copied.stderr
    assert sorted(p.name for p in (elsewhere / "my_notebooks").iterdir()) == bundled_notebooks
    again = cli("notebooks", "copy", "my_notebooks")
    assert again.returncode == 2 and "01_budget_overview.ipynb: exists already" in again.stderr
    mine = elsewhere / "my_notebooks" / "03_trends.ipynb"
    edited = json.loads(mine.read_text(encoding="utf-8"))
    edited["cells"].append({"cell_type": "markdown", "metadata": {}, "source": ["분석가의 메모: 사본에서 실행"]})
    mine.write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")
    run = cli("batch", "--years", "2024", "--notebooks", "03_trends", "--notebooks-dir", "my_notebooks",
              "--out", "reports", "--no-progress")
    assert run.returncode == 0, run.stdout + run.stderr
    reports = elsewhere / "reports" / "citynet_2024_ko"
    assert "분석가의 메모: 사본에서 실행" in (reports / "citynet_2024_ko_03_trends.html").read_text(encoding="utf-8")
    nb = json.loads((reports / "03_trends.ipynb").read_text(encoding="utf-8"))
    injected = "".join(next(c["source"] for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])))
    assert str(site) in injected  # the kernel read the installed data set
    assert (reports / "figures" / "budget_trend.png").exists()
    assert (reports / "citynet_2024_ko_03_trends.html").is_file()
    kernel = cli("kernel", "install", "--prefix", "jupyter")
    assert kernel.returncode == 0, kernel.stderr
    spec = json.loads((elsewhere / "jupyter/share/jupyter/kernels/citynet-analysis/kernel.json").read_text())
    assert spec["argv"][0] == sys.executable and spec["display_name"] == "Python (citynet-analysis)"
    refused = cli("ingest")
    assert refused.returncode == 2 and "installed package" in refused.stderr


@pytest.mark.slow
def test_an_sdist_made_in_a_checkout_holds_only_tracked_notebooks(tmp_path):
    """``python -m build`` makes the sdist first and the wheel from it: an untracked notebook must already
    be left out of the sdist. setuptools is installed beside the test (the venv's may be older than
    pyproject.toml needs), as pip's isolated build would."""
    checkout = _tracked_copy(tmp_path)
    tools = tmp_path / "tools"
    got = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target", str(tools),
                          "setuptools>=77"], capture_output=True, text=True)
    assert got.returncode == 0, got.stderr[-2000:]
    dist = tmp_path / "dist"
    made = subprocess.run([sys.executable, "-c", f"from setuptools import build_meta; "
                           f"print(build_meta.build_sdist({str(dist)!r}))"],
                          cwd=checkout, env=dict(os.environ, PYTHONPATH=str(tools)), capture_output=True, text=True)
    assert made.returncode == 0, made.stderr[-2000:]
    members = tarfile.open(dist / made.stdout.strip().splitlines()[-1]).getnames()
    notebooks = sorted(m.split("/notebooks/", 1)[1] for m in members if m.count("/") == 2 and "/notebooks/" in m)
    assert "01_budget_overview.ipynb" in notebooks and "99_scratch.ipynb" not in notebooks
