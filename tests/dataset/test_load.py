"""load(): embedded default from any working directory, data_dir= and $CITYNET_DATA_DIR, proper dtypes; a data
set that fails its checks is refused (exit 2, file and line) before anything uses it."""

import shutil
import subprocess
import sys

import pytest

from citynet_analysis import load
from citynet_analysis.cli import main
from citynet_analysis.dataset.store import write_dataset
from citynet_analysis.errors import InputError, ValidationFailed

from ..conftest import PROCESSED


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


@pytest.mark.slow
def test_load_from_another_cwd_in_a_fresh_process(tmp_path):
    code = "import citynet_analysis as c; print(c.load().documents['total_krw'].iloc[0])"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "1100000000"


# A processed data set that fails its checks is refused (exit 2, file and line) before anything uses it.


@pytest.fixture()
def copy(tmp_path):
    """A copy of the embedded data set to break."""
    return shutil.copytree(PROCESSED, tmp_path / "data")


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _refused(folder, capsys, where, message, commands=("validate", "years", "summary")):
    """Every command exits 2 with a few lines on stderr naming ``where`` and ``message``, no traceback."""
    for command in commands:
        capsys.readouterr()
        assert main([command, "--data", str(folder)]) == 2, command
        err = capsys.readouterr().err
        assert where in err and message in err, (command, err)
        assert "Traceback" not in err and len(err.strip().splitlines()) <= 6


def test_a_datapackage_that_is_not_json_is_refused(copy, capsys):
    (copy / "datapackage.json").write_text("not json\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON") as exc:
        load(copy)
    assert exc.value.file == str(copy / "datapackage.json") and exc.value.line == 1
    _refused(copy, capsys, f"{copy / 'datapackage.json'}:1:", "not valid JSON")


@pytest.mark.parametrize("old, new, message", [
    ('"type": "integer"', '"type": "string"', "resource 'documents': schema.fields[fiscal_year].type is "
                                              '"string", expected "integer"'),
    ('"name": "anomalies"', '"name": "notes"', "resource 'notes' is not a table of this data set"),
    ('"path": "milestones.csv"', '"path": "../milestones.csv"', "resource 'milestones': path is"),
    ('"minimum": 0', '"minimum": -5', "constraints.minimum is -5, expected 0"),
])
def test_a_datapackage_that_does_not_describe_our_tables_is_refused(copy, capsys, old, new, message):
    _edit(copy / "datapackage.json", old, new)
    _refused(copy, capsys, f"{copy / 'datapackage.json'}:", message)


def test_a_table_named_by_the_datapackage_must_exist(copy, capsys):
    (copy / "schedule.csv").unlink()
    _refused(copy, capsys, f"{copy / 'schedule.csv'}:", "missing table")


def test_a_data_set_failing_its_schema_is_never_analysed(copy, capsys):
    _edit(copy / "activities.csv", ",webinar,", ",webinarz,")
    _edit(copy / "line_items.csv", ",331690000,", ",-331690000,")
    with pytest.raises(ValidationFailed) as exc:
        load(copy)
    assert len(exc.value.errors) == 2
    assert any(e.startswith(f"{copy / 'activities.csv'}:") and "'webinarz' is not one of" in e
               for e in exc.value.errors)
    assert f"{copy / 'line_items.csv'}:3: amount_krw -331690000 is below the minimum 0" in exc.value.errors
    _refused(copy, capsys, f"{copy / 'line_items.csv'}:3:", "below the minimum 0")



@pytest.mark.parametrize("old, new, message", [
    (",webinar,", ",webinarz,", "'webinarz' is not one of"),                       # schema
    ("2020,698280000,0,0,", "2020,-698280000,0,0,", "final budget + carried in + budget change"),  # identity
])
def test_batch_refuses_what_validate_rejects_before_any_kernel(copy, tmp_path, capsys, no_kernels,
                                                               old, new, message):
    _edit(copy / ("activities.csv" if "webinar" in old else "settlements.csv"), old, new)
    assert main(["validate", "--data", str(copy)]) == 2
    assert message in capsys.readouterr().err
    out = tmp_path / "reports"
    assert main(["batch", "--data", str(copy), "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert message in err and str(copy) in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("table, data, line, message", [
    ("anomalies.csv", b"document_id,source_line,severity,check,message\nx\xff\xfe,1,warning,a,b\n", 2,
     "not UTF-8 text"),
    ("activities.csv", bytes(range(256)) * 8, 1, "binary data"),
    ("line_items.csv", None, 3, "21 fields, the header has 20"),
    ("milestones.csv", None, 9, "not a valid CSV"),
])
def test_an_unreadable_csv_names_file_and_line(copy, capsys, table, data, line, message):
    path = copy / table
    if table == "line_items.csv":
        lines = path.read_text(encoding="utf-8").split("\n")
        lines[2] += ",extra"
        path.write_text("\n".join(lines), encoding="utf-8")
    elif table == "milestones.csv":
        path.write_text(path.read_text(encoding="utf-8") + '"unterminated\n', encoding="utf-8")
    else:
        path.write_bytes(data)
    with pytest.raises(InputError, match=message) as exc:
        load(copy)
    assert (exc.value.file, exc.value.line) == (str(path), line)
    _refused(copy, capsys, f"{path}:{line}:", message)


def test_a_20_digit_year_names_file_and_line(copy, capsys):
    _edit(copy / "settlements.csv", "\ncitynet,2021,", "\ncitynet,20212021202120212021,")
    _refused(copy, capsys, f"{copy / 'settlements.csv'}:3:",
             "fiscal_year 20212021202120212021 is out of range")


def test_validate_refuses_a_row_moved_to_another_program(tmp_path, processed_two_programs, capsys):
    """documents.csv edited so that WeGO's document says citynet: WeGO's rows would count for CityNet."""
    from citynet_analysis.cli import main

    data = tmp_path / "d"
    shutil.copytree(processed_two_programs, data)
    path = data / "documents.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("wego-fy2024,wego,", "wego-fy2024,citynet,"),
                    encoding="utf-8")
    assert main(["validate", "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert f"{data / 'budget_totals.csv'}:" in err
    assert "program_id 'wego', but its document 'wego-fy2024' belongs to 'citynet'" in err


def test_load_refuses_data_other_than_the_run_was_planned_for(tmp_path):
    """The batch passes the fingerprint its run key was computed from: an ingest between planning and the
    notebook's load() makes the run fail instead of publishing a report of other data under that key."""
    import shutil

    from citynet_analysis.dataset.load import DataChanged

    data = tmp_path / "d"
    shutil.copytree(PROCESSED, data)
    planned = load(data).fingerprint
    assert load(data, fingerprint=planned).fingerprint == planned
    budget = data / "budget_totals.csv"
    budget.write_text(budget.read_text(encoding="utf-8").replace("1100000000", "1100000001", 1), encoding="utf-8")
    with pytest.raises(DataChanged, match="the data changed since the batch planned this run"):
        load(data, fingerprint=planned)
