"""Planning without kernels: which jobs run and why, from the data, the notebooks, the parameters and the
manifest of the last runs (:func:`plan_reruns`). The batch end to end is tested in test_incremental."""

import nbformat
import pytest

from citynet_analysis.reporting.batch import run_keys
from citynet_analysis.reporting.batch.jobs import Job, Rerun
from citynet_analysis.reporting.batch.plan import job_parameters, plan_reruns
from citynet_analysis.reporting.runs import RunEntry, Status, file_digest

FOLDER = "citynet_2024_ko"


def _notebook(path, code="print(fiscal_year)"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("fiscal_year = 2024", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(code)]
    nbformat.write(nb, path)
    return path


def _jobs():
    return [Job(2024, "a", program="citynet", folder=FOLDER)]


def _good_run(out, job) -> dict:
    """The manifest after ``job`` ran well: its executed notebook and page recorded with their digests."""
    (out / FOLDER).mkdir(parents=True, exist_ok=True)
    for name in ("a.ipynb", f"{FOLDER}_a.html"):
        (out / FOLDER / name).write_text(f"made by the run of {name}", encoding="utf-8")
    outputs = {f"{FOLDER}/{n}": file_digest(out / FOLDER / n) for n in ("a.ipynb", f"{FOLDER}_a.html")}
    entry = RunEntry(year=2024, notebook="a", path=f"{FOLDER}/a.ipynb", status=Status.OK, program="citynet",
                     folder=FOLDER, key=job.key, key_parts=dict(job.key_parts), lang="ko", outputs=outputs)
    return {"runs": [entry]}


@pytest.fixture()
def planned(tmp_path, ds_2024):
    """A first plan (everything runs) and the manifest its good run leaves."""
    notebooks = {"a": _notebook(tmp_path / "a.ipynb")}
    out = tmp_path / "reports"
    first = _jobs()
    todo = plan_reruns(first, notebooks, ds_2024, "ko", out, {"runs": []})
    assert todo == first and first[0].rerun_because == [Rerun.FIRST]
    return notebooks, out, _good_run(out, first[0])


def test_nothing_changed_is_up_to_date_and_force_runs_it(planned, ds_2024):
    notebooks, out, manifest = planned
    again = _jobs()
    assert plan_reruns(again, notebooks, ds_2024, "ko", out, manifest) == []
    assert again[0].status is Status.UP_TO_DATE and again[0].path == f"{FOLDER}/a.ipynb"
    forced = _jobs()
    assert plan_reruns(forced, notebooks, ds_2024, "ko", out, manifest, force=True) == forced
    assert forced[0].rerun_because == [Rerun.FORCED]


def test_an_edited_notebook_is_the_one_part_that_changed(planned, ds_2024):
    notebooks, out, manifest = planned
    _notebook(notebooks["a"], "print(fiscal_year, 'edited')")
    jobs = _jobs()
    assert plan_reruns(jobs, notebooks, ds_2024, "ko", out, manifest) == jobs
    assert jobs[0].rerun_because == ["notebook"]


def test_outputs_stored_but_not_a_cell_changed_are_not_a_change(planned, ds_2024):
    notebooks, out, manifest = planned
    nb = nbformat.read(notebooks["a"], as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="2024\n")]
    nb.cells[1].execution_count = 7
    nbformat.write(nb, notebooks["a"])
    assert plan_reruns(_jobs(), notebooks, ds_2024, "ko", out, manifest) == []


def test_another_language_changes_the_parameters(planned, ds_2024):
    notebooks, out, manifest = planned
    jobs = _jobs()
    assert plan_reruns(jobs, notebooks, ds_2024, "en", out, manifest) == jobs
    assert jobs[0].rerun_because == ["parameters"]


@pytest.mark.parametrize("part", ["package", "environment"])
def test_a_changed_package_or_environment_reruns(part, planned, ds_2024, monkeypatch):
    notebooks, out, manifest = planned
    monkeypatch.setattr(run_keys, f"{part}_digest", lambda: f"another {part}")
    jobs = _jobs()
    assert plan_reruns(jobs, notebooks, ds_2024, "ko", out, manifest) == jobs
    assert jobs[0].rerun_because == [part]


@pytest.mark.parametrize("damage", ["delete", "edit"])
def test_a_recorded_output_missing_or_changed_reruns(damage, planned, ds_2024):
    notebooks, out, manifest = planned
    page = out / FOLDER / f"{FOLDER}_a.html"
    page.unlink() if damage == "delete" else page.write_text("edited by hand", encoding="utf-8")
    jobs = _jobs()
    assert plan_reruns(jobs, notebooks, ds_2024, "ko", out, manifest) == jobs
    assert jobs[0].rerun_because == [Rerun.OUTPUTS_MISSING]


def test_a_failed_last_run_is_no_reason_to_skip(planned, ds_2024):
    notebooks, out, manifest = planned
    manifest["runs"][0].status = Status.FAILED
    jobs = _jobs()
    assert plan_reruns(jobs, notebooks, ds_2024, "ko", out, manifest) == jobs
    assert jobs[0].rerun_because == [Rerun.FIRST]


def test_the_data_fingerprint_is_the_programs_and_is_passed_to_the_notebook(planned, ds_2024):
    notebooks, out, manifest = planned
    jobs = _jobs()
    plan_reruns(jobs, notebooks, ds_2024, "ko", out, manifest)
    assert jobs[0].data_fingerprint == ds_2024.select("citynet").fingerprint
    assert len(jobs[0].data_fingerprint) == 64  # the SHA-256 of the program's tables
    params = job_parameters(jobs[0], ds_2024.path, "ko")
    assert params["data_fingerprint"] == jobs[0].data_fingerprint
    assert (params["fiscal_year"], params["program"], params["lang"], params["output_dir"]) == (2024, "citynet", "ko", ".")
