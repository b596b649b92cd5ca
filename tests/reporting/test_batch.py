"""The batch: argument checks before any kernel, failing notebooks, keeping previous reports, exports."""

import hashlib
import json
import shutil
from pathlib import Path

import nbformat
import pytest
from openpyxl import load_workbook

from citynet_analysis.cli import main
from citynet_analysis.config import NOTEBOOK_DIR
from citynet_analysis.errors import InputError
from citynet_analysis.reporting.batch import run_batch
from citynet_analysis.reporting.batch.arguments import check_arguments


def _tree(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}



@pytest.mark.parametrize("argv, message", [
    (["--years", "2019"], "no data for 2019; available: 2020 2021 2022 2023 2024"),
    (["--years", "20x4"], "'20x4' is not a year; available: 2020 2021 2022 2023 2024"),
    (["--years", "2024;import os"], "is not a year"),
    (["--notebooks", "04_nothing"], "unknown 04_nothing; available: 01_budget_overview"),
    (["--lang", "fr"], "must be one of ko, en"),
    (["--jobs", "0"], "must be at least 1"),
    (["--data", "/nonexistent/folder"], "not a processed data set"),
])
def test_bad_arguments_exit_2_before_any_kernel(argv, message, tmp_path, capsys, no_kernels, processed_2024):
    data = [] if "--data" in argv else ["--data", str(processed_2024)]
    assert main(["batch", "--out", str(tmp_path / "reports"), *data, *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())


def test_check_arguments_defaults(processed_2024):
    year_folders, notebooks, data = check_arguments(None, None, processed_2024, None, "en")
    assert [u.year for u in year_folders] == [2020, 2021, 2022, 2023, 2024]
    assert {u.program for u in year_folders} == {"citynet"} and [u.folder for u in year_folders][-1] == "2024"
    assert list(notebooks) == ["01_budget_overview", "02_cost_per_activity", "03_trends"]
    with pytest.raises(InputError):
        check_arguments(["2024"], ["03_trends", "nope"], None, 2, "ko")


def _failing_notebook_dir(tmp_path, fail_year):
    """01_budget_overview as it is, plus 99_fail that raises for one fiscal year."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(NOTEBOOK_DIR / "01_budget_overview.ipynb", folder)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("fiscal_year = 2024\nlang = 'ko'", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(f"if fiscal_year == {fail_year}:\n    raise ValueError('no good year')")]
    nbformat.write(nb, folder / "99_fail.ipynb")
    return folder


def test_failing_notebook_keeps_previous_reports(tmp_path):
    out = tmp_path / "reports"
    good = run_batch(years=[2023, 2024], notebooks=["01_budget_overview"], out_dir=out, progress=False)
    assert [j.status for j in good] == ["ok", "ok"]
    before = _tree(out / "2024")

    folder = _failing_notebook_dir(tmp_path, 2024)
    jobs = run_batch(years=[2023, 2024], out_dir=out, progress=False, notebook_dir=folder)
    status = {(j.year, j.notebook): j.status for j in jobs}
    # 01_budget_overview is the same notebook on the same data: not run again
    assert status == {(2023, "01_budget_overview"): "up to date", (2023, "99_fail"): "ok",
                      (2024, "01_budget_overview"): "up to date", (2024, "99_fail"): "failed"}
    failed = next(j for j in jobs if j.status == "failed")
    assert failed.error.startswith("PapermillExecutionError") or "ValueError" in failed.error
    # the year whose run failed keeps its previous reports, untouched
    assert _tree(out / "2024") == before
    # the failed executed notebook is kept, with its error, where the summary says
    kept = out / failed.path
    assert failed.path == "failed/2024/99_fail.ipynb" and kept.exists()
    assert "no good year" in kept.read_text(encoding="utf-8")
    # the year that succeeded was replaced, including the new notebook
    assert (out / "2023" / "99_fail.html").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "failed/2024/99_fail.ipynb" in index and "2023/99_fail.html" in index
    manifest = {(e["year"], e["notebook"]): e for e in json.loads((out / "manifest.json").read_text())["runs"]}
    assert manifest[(2024, "01_budget_overview")]["status"] == "ok"
    assert manifest[(2024, "99_fail")]["status"] == "failed"
    # forced, 01 runs again but is not published beside the failing notebook: the previous reports stay
    jobs = run_batch(years=[2024], out_dir=out, progress=False, notebook_dir=folder, force=True)
    assert {j.notebook: j.status for j in jobs} == {"01_budget_overview": "not published", "99_fail": "failed"}
    assert _tree(out / "2024") == before
    manifest = {(e["year"], e["notebook"]): e for e in json.loads((out / "manifest.json").read_text())["runs"]}
    assert manifest[(2024, "01_budget_overview")]["latest_run"] == "not published"


def test_running_one_notebook_keeps_the_others_of_the_year(tmp_path):
    out = tmp_path / "reports"
    run_batch(years=[2021], notebooks=["01_budget_overview", "03_trends"], out_dir=out, progress=False)
    trends = _tree(out / "2021")["03_trends.html"]
    run_batch(years=[2021], notebooks=["01_budget_overview"], out_dir=out, progress=False)
    assert _tree(out / "2021")["03_trends.html"] == trends
    assert "집행률" in load_workbook(out / "2021" / "tables" / "tables.xlsx").sheetnames  # execution_rates


def test_cli_exit_code_1_when_a_notebook_fails(tmp_path, capsys, monkeypatch):
    folder = _failing_notebook_dir(tmp_path, 2022)
    code = main(["batch", "--years", "2022", "--notebooks", "99_fail", "--notebooks-dir", str(folder),
                 "--out", str(tmp_path / "r"), "--no-progress"])
    assert code == 1
    out = capsys.readouterr().out
    assert "2022  failed" in out and "kept in failed/2022/99_fail.ipynb" in out
    assert "0 of 1 notebook runs succeeded" in out


def test_batch_leaves_the_working_directory_alone(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run_batch(years=[2021], notebooks=["03_trends"], out_dir="r", jobs=1, progress=False)
    assert Path.cwd() == tmp_path
    assert (tmp_path / "r" / "2021" / "03_trends.html").exists()


def test_batch_on_another_data_set(tmp_path):
    from citynet_analysis.dataset.store import write_dataset
    from citynet_analysis.documents.ingest import build_dataset

    from ..conftest import RAW_2024, VARIANT_2025

    data = tmp_path / "processed"
    write_dataset(build_dataset([RAW_2024, VARIANT_2025], relative_to=data), data)
    code = main(["batch", "--data", str(data), "--years", "2025", "--notebooks", "01_budget_overview",
                 "--out", str(tmp_path / "r"), "--no-progress"])
    assert code == 0
    page = (tmp_path / "r" / "2025" / "01_budget_overview.html").read_text(encoding="utf-8")
    assert "1,250.0" in page  # the 2025 total, from the other data set


def test_a_data_set_of_two_programs_gets_a_folder_per_program(tmp_path, processed_two_programs):
    out = tmp_path / "reports"
    jobs = run_batch(years=[2024], notebooks=["01_budget_overview"], data_dir=processed_two_programs,
                     out_dir=out, progress=False, lang="en")
    assert [(j.program, j.folder, j.status) for j in jobs] == [
        ("citynet", "citynet/2024", "ok"), ("wego", "wego/2024", "ok")]
    for program, total in (("citynet", "KRW 1,100.0 million"), ("wego", "KRW 780.0 million")):
        nb = nbformat.read(out / program / "2024" / "01_budget_overview.ipynb", as_version=4)
        params = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
        assert f'program = "{program}"' in params.source  # the notebook shows what the run used
        page = (out / program / "2024" / "01_budget_overview.html").read_text(encoding="utf-8")
        assert total in page and f"({program})" in page
        assert (out / program / "2024" / "memo_2024.docx").is_file()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {(e["program"], e["folder"]) for e in manifest["runs"]} == {("citynet", "citynet/2024"),
                                                                        ("wego", "wego/2024")}
    assert {"citynet", "citynet/2024", "wego", "wego/2024"} <= set(manifest["owned"])
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<h1>Budget reports of the secretariats the city supports</h1>" in index
    assert "<h2>Support for the WeGO secretariat · FY2024 <span" in index
    assert '<span class="unit">KRW </span>780.0<span class="unit"> million</span>' in index  # WeGO's own total
    assert 'href="wego/2024/01_budget_overview.html"' in index
    # one program alone replaces only its own folder
    before = _tree(out / "citynet")
    again = run_batch(years=[2024], notebooks=["01_budget_overview"], data_dir=processed_two_programs,
                      out_dir=out, progress=False, lang="en", programs=["wego"])
    assert [j.folder for j in again] == ["wego/2024"] and _tree(out / "citynet") == before
    assert "<h2>Support for the CityNet secretariat · FY2024 <span" in (out / "index.html").read_text(encoding="utf-8")
    with pytest.raises(InputError, match="--programs: unknown nope; the data set holds citynet, wego"):
        run_batch(data_dir=processed_two_programs, out_dir=out, progress=False, programs=["nope"])


def test_a_program_folder_not_ours_is_refused(tmp_path, processed_two_programs, no_kernels):
    out = tmp_path / "reports"
    (out / "wego").mkdir(parents=True)
    (out / "wego" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="wego: was not written by citynet-analysis batch"):
        run_batch(years=[2024], data_dir=processed_two_programs, out_dir=out, progress=False)
    assert (out / "wego" / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_program_id_named_like_a_reports_folder_is_refused(tmp_path, processed_two_programs, capsys, no_kernels):
    """A hand-edited data set whose second program is called `failed` would put its years where the
    failed runs go."""
    data = tmp_path / "d"
    shutil.copytree(processed_two_programs, data)
    for csv in data.glob("*.csv"):
        text = csv.read_text(encoding="utf-8").replace("\nwego,", "\nfailed,").replace(",wego,", ",failed,")
        csv.write_text(text, encoding="utf-8")
    assert main(["batch", "--data", str(data), "--out", str(tmp_path / "r"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "documents.csv: program_id 'failed' is a name the reports folder uses" in err and "Traceback" not in err
    assert not (tmp_path / "r").exists()
