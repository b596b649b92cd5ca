"""The analysis notebooks: thin, parameterized, stored executed, and runnable for every fiscal year in both
languages through papermill (nbval separately compares their stored outputs with a fresh run)."""

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from citynet_analysis import load
from citynet_analysis.notebooks import notebook_paths

NOTEBOOKS = notebook_paths()
PARAMETERS = {"fiscal_year": "2024", "data_dir": "None", "output_dir": "None", "lang": '"ko"'}


def _cells(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))["cells"]


def test_three_notebooks():
    assert set(NOTEBOOKS) >= {"01_budget_overview", "02_cost_per_activity", "03_trends"}


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_parameters_cell(name):
    tagged = [c for c in _cells(NOTEBOOKS[name]) if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1
    assigned = {}
    for line in "".join(tagged[0]["source"]).splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            assigned[key.strip()] = value.split("#")[0].strip()
    for key, default in PARAMETERS.items():
        assert assigned.get(key) == default, key


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_stored_executed_thin_and_clean(name):
    text = NOTEBOOKS[name].read_text(encoding="utf-8")
    assert "missing from font" not in text and "Traceback" not in text
    code = [c for c in _cells(NOTEBOOKS[name]) if c["cell_type"] == "code"]
    assert all(c["execution_count"] is not None for c in code), "run `citynet-analysis refresh-notebooks`"
    assert all(len("".join(c["source"]).splitlines()) <= 8 for c in code), "notebook logic belongs in the package"
    assert not [o for c in code for o in c["outputs"] if o.get("name") == "stderr"]


def _run(job):
    name, year, lang, out = job
    cmd = [sys.executable, "-m", "papermill", "--no-progress-bar", "--log-level", "ERROR", str(NOTEBOOKS[name]),
           str(out), "-p", "fiscal_year", str(year), "-p", "lang", lang]
    return job, subprocess.run(cmd, capture_output=True, text=True)


def test_every_notebook_runs_for_every_year_in_both_languages(tmp_path):
    ds = load()
    years = ds.fiscal_years()
    with_items, with_outcomes = set(ds.line_items["fiscal_year"]), set(ds.activities["fiscal_year"])
    jobs = [(n, y, lang, tmp_path / f"{n}_{y}_{lang}.ipynb") for n in NOTEBOOKS for y in years for lang in ("ko", "en")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_run, jobs))
    failed = [f"{j[0]} {j[1]} {j[2]}: {r.stderr[-300:]}" for j, r in results if r.returncode != 0]
    assert not failed, failed
    for (name, year, lang, out), _ in results:
        cells = _cells(out)
        outputs = [o for c in cells if c["cell_type"] == "code" for o in c["outputs"]]
        text = json.dumps(outputs, ensure_ascii=False)
        assert "missing from font" not in text, (name, year, lang)
        assert not [o for o in outputs if o.get("name") == "stderr"], (name, year, lang)
        if name == "01_budget_overview" and year not in with_items:
            assert ("산출할 수 없습니다" if lang == "ko" else "not available for FY") in text
        if name == "02_cost_per_activity" and year not in with_outcomes:
            assert ("산출할 수 없습니다" if lang == "ko" else "not available for FY") in text
