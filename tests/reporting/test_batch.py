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
from citynet_analysis.reporting.batch.notebook_files import notebook_paths

from .conftest import page_path, report_folder, report_name, workbook_path


def _tree(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}



@pytest.mark.parametrize("argv, message", [
    (["--years", "2019"], "no data for 2019; available: 2020 2021 2022 2023 2024"),
    (["--years", "20x4"], "'20x4' is not a year; available: 2020 2021 2022 2023 2024"),
    (["--years", "2024;import os"], "is not a year"),
    (["--notebooks", "04_nothing"], f"unknown 04_nothing; available: {next(iter(notebook_paths()))}"),
    (["--lang", "fr"], "invalid choice: 'fr' (choose from 'ko', 'en')"),
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
    assert {u.program for u in year_folders} == {"citynet"} and [u.folder for u in year_folders][-1] == report_name(2024, "en")
    assert list(notebooks) == list(notebook_paths())  # every notebook of the folder, in name order
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


@pytest.mark.slow
def test_failing_notebook_keeps_previous_reports(tmp_path):
    out = tmp_path / "reports"
    good = run_batch(years=[2023, 2024], notebooks=["01_budget_overview"], out_dir=out, progress=False)
    assert [j.status for j in good] == ["ok", "ok"]
    before = _tree(report_folder(out, 2024))

    notebooks = _failing_notebook_dir(tmp_path, 2024)
    jobs = run_batch(years=[2023, 2024], out_dir=out, progress=False, notebook_dir=notebooks)
    status = {(j.year, j.notebook): j.status for j in jobs}
    # 01_budget_overview is the same notebook on the same data: not run again
    assert status == {(2023, "01_budget_overview"): "up to date", (2023, "99_fail"): "ok",
                      (2024, "01_budget_overview"): "up to date", (2024, "99_fail"): "failed"}
    failed = next(j for j in jobs if j.status == "failed")
    assert failed.error.startswith("PapermillExecutionError") or "ValueError" in failed.error
    # the year whose run failed keeps its previous reports, untouched
    assert _tree(report_folder(out, 2024)) == before
    # the failed executed notebook is kept, with its error, where the summary says
    kept = out / failed.path
    assert failed.path == "failed/citynet_2024_ko/99_fail.ipynb" and kept.exists()
    assert "no good year" in kept.read_text(encoding="utf-8")
    # the year that succeeded was replaced, including the new notebook
    assert page_path(out, 2023, "99_fail").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert ("failed/citynet_2024_ko/99_fail.ipynb" in index
            and "citynet_2023_ko/citynet_2023_ko_99_fail.html" in index)
    manifest = {(e["year"], e["notebook"]): e for e in json.loads((out / "manifest.json").read_text())["runs"]}
    assert manifest[(2024, "01_budget_overview")]["status"] == "ok"
    assert manifest[(2024, "99_fail")]["status"] == "failed"
    # forced, 01 runs again but is not published beside the failing notebook: the previous reports stay
    jobs = run_batch(years=[2024], out_dir=out, progress=False, notebook_dir=notebooks, force=True)
    assert {j.notebook: j.status for j in jobs} == {"01_budget_overview": "not published", "99_fail": "failed"}
    assert _tree(report_folder(out, 2024)) == before
    manifest = {(e["year"], e["notebook"]): e for e in json.loads((out / "manifest.json").read_text())["runs"]}
    assert manifest[(2024, "01_budget_overview")]["latest_run"] == "not published"


@pytest.mark.slow
def test_running_one_notebook_keeps_the_others_of_the_year(tmp_path):
    out = tmp_path / "reports"
    run_batch(years=[2021], notebooks=["01_budget_overview", "03_trends"], out_dir=out, progress=False)
    trends = _tree(report_folder(out, 2021))["citynet_2021_ko_03_trends.html"]
    run_batch(years=[2021], notebooks=["01_budget_overview"], out_dir=out, progress=False)
    assert _tree(report_folder(out, 2021))["citynet_2021_ko_03_trends.html"] == trends
    assert "집행률" in load_workbook(workbook_path(out, 2021)).sheetnames  # execution_rates


@pytest.mark.slow
def test_cli_exit_code_1_when_a_notebook_fails(tmp_path, capsys, monkeypatch):
    folder = _failing_notebook_dir(tmp_path, 2022)
    code = main(["batch", "--years", "2022", "--notebooks", "99_fail", "--notebooks-dir", str(folder),
                 "--out", str(tmp_path / "r"), "--no-progress"])
    assert code == 1
    out = capsys.readouterr().out
    assert "citynet_2022_ko  failed" in out and "kept in failed/citynet_2022_ko/99_fail.ipynb" in out
    assert "0 of 1 notebook runs succeeded" in out


@pytest.mark.slow
def test_batch_leaves_the_working_directory_alone(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run_batch(years=[2021], notebooks=["03_trends"], out_dir="r", jobs=1, progress=False)
    assert Path.cwd() == tmp_path
    assert page_path(tmp_path / "r", 2021, "03_trends").exists()


@pytest.mark.slow
def test_batch_on_another_data_set(tmp_path):
    from citynet_analysis.dataset.store import write_dataset
    from citynet_analysis.documents.ingest import build_dataset

    from ..conftest import RAW_2024, VARIANT_2025

    data = tmp_path / "processed"
    write_dataset(build_dataset([RAW_2024, VARIANT_2025], relative_to=data), data)
    code = main(["batch", "--data", str(data), "--years", "2025", "--notebooks", "01_budget_overview",
                 "--out", str(tmp_path / "r"), "--no-progress"])
    assert code == 0
    text = page_path(tmp_path / "r", 2025, "01_budget_overview").read_text(encoding="utf-8")
    assert "1,250.0" in text  # the 2025 total, from the other data set


@pytest.mark.slow
def test_a_data_set_of_two_programs_gets_a_folder_per_program(tmp_path, processed_two_programs):
    """Each program's year in a folder of its own, side by side in the reports folder (no program folder)."""
    out = tmp_path / "reports"
    jobs = run_batch(years=[2024], notebooks=["01_budget_overview"], data_dir=processed_two_programs,
                     out_dir=out, progress=False, lang="en")
    assert [(j.program, j.folder, j.status) for j in jobs] == [
        ("citynet", "citynet_2024_en", "ok"), ("wego", "wego_2024_en", "ok")]
    for program, total, title in (("citynet", "KRW 1,100.0 million", "Support for the CityNet secretariat"),
                                  ("wego", "KRW 780.0 million", "Support for the WeGO secretariat")):
        nb = nbformat.read(report_folder(out, 2024, "en", program) / "01_budget_overview.ipynb", as_version=4)
        params = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
        assert f'program = "{program}"' in params.source  # the notebook shows what the run used
        text = page_path(out, 2024, "01_budget_overview", "en", program).read_text(encoding="utf-8")
        assert total in text and f"Program: <strong>{title}</strong>" in text  # whose budget the page is of
        assert (report_folder(out, 2024, "en", program) / f"{program}_2024_en_memo.docx").is_file()
    assert not (out / "citynet").exists() and not (out / "wego").exists()  # flat: no program folders
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {(e["program"], e["folder"]) for e in manifest["runs"]} == {("citynet", "citynet_2024_en"),
                                                                        ("wego", "wego_2024_en")}
    assert {"citynet_2024_en", "wego_2024_en"} <= set(manifest["owned"])
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<h1>Budget reports of the secretariats the city supports</h1>" in index
    assert "<h2>Support for the WeGO secretariat · FY2024 <span" in index
    assert '<span class="unit">KRW </span>780.0<span class="unit"> million</span>' in index  # WeGO's own total
    assert 'href="wego_2024_en/wego_2024_en_01_budget_overview.html"' in index
    # one program alone replaces only its own folder
    before = _tree(report_folder(out, 2024, "en"))
    again = run_batch(years=[2024], notebooks=["01_budget_overview"], data_dir=processed_two_programs,
                      out_dir=out, progress=False, lang="en", programs=["wego"])
    assert [j.folder for j in again] == ["wego_2024_en"] and _tree(report_folder(out, 2024, "en")) == before
    assert "<h2>Support for the CityNet secretariat · FY2024 <span" in (out / "index.html").read_text(encoding="utf-8")
    with pytest.raises(InputError, match="--programs: unknown nope; the data set holds citynet, wego"):
        run_batch(data_dir=processed_two_programs, out_dir=out, progress=False, programs=["nope"])


def test_a_program_folder_not_ours_is_refused(tmp_path, processed_two_programs, no_kernels):
    out = tmp_path / "reports"
    (out / "wego_2024_ko").mkdir(parents=True)
    (out / "wego_2024_ko" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="wego_2024_ko: was not written by citynet-analysis batch"):
        run_batch(years=[2024], data_dir=processed_two_programs, out_dir=out, progress=False)
    assert (out / "wego_2024_ko" / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.slow
def test_a_program_named_like_a_reports_folder_gets_its_own_folder(tmp_path, processed_two_programs):
    """A hand-edited data set whose second program is called `failed`: its reports go to failed_2024_ko/,
    beside failed/ where the runs that failed are kept (folder names carry program, year and language)."""
    data = tmp_path / "d"
    shutil.copytree(processed_two_programs, data)
    for csv in data.glob("*.csv"):
        text = csv.read_text(encoding="utf-8").replace("\nwego,", "\nfailed,").replace(",wego,", ",failed,")
        csv.write_text(text, encoding="utf-8")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("fiscal_year = 2024\nprogram = None\nlang = 'ko'",
                                          metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("if program == 'citynet':\n    raise ValueError('not this one')")]
    nbformat.write(nb, notebooks / "a.ipynb")
    jobs = run_batch(years=[2024], data_dir=data, out_dir=tmp_path / "r", progress=False, notebook_dir=notebooks)
    assert {(j.program, j.folder, j.status, j.path) for j in jobs} == {
        ("citynet", "citynet_2024_ko", "failed", "failed/citynet_2024_ko/a.ipynb"),
        ("failed", "failed_2024_ko", "ok", "failed_2024_ko/a.ipynb")}
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == [
        "failed", "failed_2024_ko", "index.html", "manifest.json"]
    assert sorted(p.name for p in (tmp_path / "r" / "failed").iterdir()) == ["citynet_2024_ko"]
    assert page_path(tmp_path / "r", 2024, "a", program="failed").is_file()
