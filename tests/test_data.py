"""load(): embedded default from any working directory, data_dir= and $CITYNET_DATA_DIR, proper dtypes."""

import subprocess
import sys

from citynet_analysis import load
from citynet_analysis.store import write_dataset

from .conftest import PROCESSED


def test_default_is_the_embedded_data_set(monkeypatch, tmp_path):
    monkeypatch.delenv("CITYNET_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    ds = load()
    assert ds.path == PROCESSED
    assert {2020, 2021, 2022, 2023, 2024} <= set(ds.fiscal_years())
    assert str(ds.settlements["executed_krw"].dtype) == "int64"
    assert str(ds.activities["month"].dtype) == "Int64"
    assert ds.line_items.loc[ds.line_items["fiscal_year"] == 2024, "parent_id"].isna().sum() == 6


def test_env_var_and_argument(monkeypatch, tmp_path, dataset_2024):
    other = tmp_path / "other"
    tables = dict(dataset_2024)
    tables["settlements"] = tables["settlements"].iloc[:1]
    write_dataset(tables, other)
    monkeypatch.setenv("CITYNET_DATA_DIR", str(other))
    assert len(load().settlements) == 1
    monkeypatch.delenv("CITYNET_DATA_DIR")
    assert len(load(other).settlements) == 1
    assert len(load().settlements) >= 3


def test_load_from_another_cwd_in_a_fresh_process(tmp_path):
    code = "import citynet_analysis as c; print(c.load().documents['total_krw'].iloc[0])"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "1100000000"
