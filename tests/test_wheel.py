"""A real, non-editable install: the wheel carries the embedded data set and the notebooks, so ``load()``
and ``citynet-analysis batch`` work from any folder, with nothing read from the repository."""

import json
import os
import subprocess
import sys
import zipfile

import pytest

from .conftest import REPO


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_repository(tmp_path):
    wheels = tmp_path / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels),
                            str(REPO)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = wheels.glob("citynet_analysis-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "citynet_analysis/bundled/data/processed/datapackage.json" in names
    assert "citynet_analysis/bundled/notebooks/01_budget_overview.ipynb" in names
    assert "citynet_analysis/vocabulary.toml" in names and "citynet_analysis/fonts/NanumGothic.ttf" in names
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
    run = subprocess.run([sys.executable, "-m", "citynet_analysis", "batch", "--years", "2024", "--notebooks",
                          "03_trends", "--out", "reports", "--no-progress"],
                         cwd=elsewhere, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    reports = elsewhere / "reports" / "citynet_2024_ko"
    nb = json.loads((reports / "03_trends.ipynb").read_text(encoding="utf-8"))
    injected = "".join(next(c["source"] for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])))
    assert str(site) in injected  # the kernel read the installed data set
    assert (reports / "figures" / "budget_trend.png").exists()
    assert (reports / "citynet_2024_ko_03_trends.html").is_file()
    refused = subprocess.run([sys.executable, "-m", "citynet_analysis", "ingest"], cwd=elsewhere, env=env,
                             capture_output=True, text=True)
    assert refused.returncode == 2 and "installed package" in refused.stderr
