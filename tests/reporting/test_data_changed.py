"""A batch never publishes a report of data its run key does not name: the notebooks' load() checks the
fingerprint the batch planned with, so data changed during a run fails that run instead."""

import shutil

import nbformat
import pytest

from citynet_analysis.dataset.store import write_dataset
from citynet_analysis.documents.ingest import build_dataset
from citynet_analysis.reporting.batch import plan, run, run_batch

from ..conftest import RAW_2024, VARIANT_2025
from .test_incremental import _data

pytestmark = pytest.mark.slow

SMALL = '''import citynet_analysis as ca
ds = ca.load(data_dir, program, data_fingerprint)
print(fiscal_year, ds.fingerprint[:12])'''


def test_data_changed_after_planning_fails_the_run_and_publishes_nothing(tmp_path, monkeypatch):
    notebooks = tmp_path / "nb"  # a notebook that passes the fingerprint to load(), as ours do
    notebooks.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("fiscal_year = 2024\nprogram = None\nlang = 'ko'\ndata_dir = None\n"
                                          "output_dir = None\nfigure_cache = None\ndata_fingerprint = None",
                                          metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(SMALL)]
    nbformat.write(nb, notebooks / "a.ipynb")
    data = _data(tmp_path / "data", RAW_2024)
    other = tmp_path / "other"
    write_dataset(build_dataset([RAW_2024, VARIANT_2025], relative_to=other), other)
    planned = plan.plan_reruns

    def plan_then_ingest(*args, **kwargs):  # an `ingest` into the data folder while the batch runs
        todo = planned(*args, **kwargs)
        for csv in other.iterdir():
            shutil.copy(csv, data / csv.name)
        return todo

    monkeypatch.setattr(run, "plan_reruns", plan_then_ingest)
    jobs = run_batch(years=[2024], data_dir=data, out_dir=tmp_path / "out", progress=False, notebook_dir=notebooks)
    assert [j.status for j in jobs] == ["failed"]
    assert "DataChanged" in jobs[0].error and "the data changed since the batch planned" in jobs[0].error
    assert not (tmp_path / "out" / "citynet_2024_ko").exists()  # nothing published under the old key
