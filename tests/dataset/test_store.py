"""datapackage.json: a Table Schema per CSV that frictionless accepts; reading back keeps the dtypes."""

import json
import shutil

import pandas as pd
import pytest
from frictionless import Package, validate

from citynet_analysis.dataset.store import check_descriptor, read_dataset, read_table, write_dataset
from citynet_analysis.dataset.tables import TABLES
from citynet_analysis.errors import InputError

from ..conftest import PROCESSED


def test_committed_datapackage_is_valid():
    report = validate(str(PROCESSED / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    pkg = Package(str(PROCESSED / "datapackage.json"))
    assert len(pkg.resources) == 8
    desc = json.loads((PROCESSED / "datapackage.json").read_text(encoding="utf-8"))
    li = next(r for r in desc["resources"] if r["name"] == "line_items")
    assert li["schema"]["primaryKey"] == ["program_id", "fiscal_year", "item_id"]
    amount = next(f for f in li["schema"]["fields"] if f["name"] == "amount_krw")
    assert amount["type"] == "integer" and amount["currency"] == "KRW"


def test_datapackage_states_the_fiscal_facts_of_every_amount():
    """Fiscal Data Package: currency, direction, fiscal period and the phase of each amount, checked
    against the 2024 document (one fiscal year, 2024; budget amounts approved, settlement columns by kind)."""
    desc = json.loads((PROCESSED / "datapackage.json").read_text(encoding="utf-8"))
    assert desc["currency"] == "KRW" and desc["countryCode"] == "KR"
    # the 2024 document states facts of 2020 (the oldest settlement) to 2024 (its budget)
    assert desc["fiscalPeriod"] == {"start": "2020-01-01", "end": "2024-12-31"}
    measures = desc["model"]["measures"]
    assert measures["line_items.amount_krw"] == {
        "resource": "line_items", "source": "amount_krw", "currency": "KRW", "factor": 1,
        "direction": "expenditure", "phase": "approved", "phase_id": "budget"}
    # only phases of the budget are measures: the parts of a settlement's identities would count money twice
    assert {k: m["phase"] for k, m in measures.items() if k.startswith("settlements.")} == {
        "settlements.final_budget_krw": "adjusted", "settlements.executed_krw": "executed"}
    assert "line_items.formula_krw" not in measures and "line_items.stated_won_krw" not in measures
    settlements = next(r for r in desc["resources"] if r["name"] == "settlements")
    fy = next(f for f in settlements["schema"]["fields"] if f["name"] == "fiscal_year")
    assert fy["columnType"] == "date:fiscal-year"
    unspent = next(f for f in settlements["schema"]["fields"] if f["name"] == "unspent_krw")
    assert unspent["phaseId"] == "unspent" and "phase" not in unspent
    docs = pd.read_csv(PROCESSED / "documents.csv", dtype=str)
    row = docs.iloc[0]
    assert (row["program_id"], row["document_id"], row["account_ko"], row["direction"], row["currency"],
            row["fiscal_period_start"], row["fiscal_period_end"]) == (
        "citynet", "citynet-fy2024", "일반회계", "expenditure", "KRW", "2024-01-01", "2024-12-31")
    phases = pd.read_csv(PROCESSED / "line_items.csv", dtype=str)["phase"]
    assert set(phases) == {"budget"}


def test_frictionless_rejects_a_broken_enum(tmp_path, dataset_2024):
    write_dataset(dataset_2024, tmp_path / "p")
    path = tmp_path / "p" / "activities.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",webinar,", ",webinarz,"), encoding="utf-8")
    assert not validate(str(tmp_path / "p" / "datapackage.json")).valid


def test_round_trip_dtypes(tmp_path, dataset_2024):
    write_dataset(dataset_2024, tmp_path / "p")
    back = read_dataset(tmp_path / "p")
    for name, df in dataset_2024.items():
        assert back[name].equals(df), name
    assert str(back["activities"]["count"].dtype) == "Int64"
    assert str(back["line_items"]["amount_krw"].dtype) == "int64"


def test_write_replaces_its_own_data_set_and_refuses_a_foreign_folder(tmp_path, dataset_2024):
    out = tmp_path / "p"
    write_dataset(dataset_2024, out)
    (out / "schedule.csv").write_text("stale", encoding="utf-8")  # a table of ours, edited: replaced
    write_dataset(dataset_2024, out)
    assert (out / "schedule.csv").read_text(encoding="utf-8").startswith("program_id,fiscal_year,")
    assert [p.name for p in tmp_path.iterdir()] == ["p"]
    (out / "stale.txt").write_text("x", encoding="utf-8")  # something we did not write: refused
    with pytest.raises(InputError, match="stale.txt"):
        write_dataset(dataset_2024, out)
    assert (out / "stale.txt").read_text(encoding="utf-8") == "x"


def _descriptor(folder):
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


def test_descriptor_check_ignores_descriptions_and_extra_resource_keys(tmp_path):
    folder = shutil.copytree(PROCESSED, tmp_path / "p")
    desc = _descriptor(folder)
    desc["resources"][0]["description"] = "reworded"
    desc["resources"][0]["schema"]["fields"][0]["description"] = "reworded"
    desc["resources"][0]["bytes"] = 123
    desc["resources"].reverse()
    (folder / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    check_descriptor(folder)


def test_descriptor_check_names_the_resource_line(tmp_path):
    folder = shutil.copytree(PROCESSED, tmp_path / "p")
    text = (folder / "datapackage.json").read_text(encoding="utf-8")
    (folder / "datapackage.json").write_text(text.replace('"encoding": "utf-8"', '"encoding": "latin-1"'),
                                             encoding="utf-8")
    with pytest.raises(InputError, match="resource 'documents': encoding is \"latin-1\", expected \"utf-8\""
                       ) as exc:
        check_descriptor(folder)
    assert exc.value.line == text.split("\n").index('      "name": "documents",') + 1


def test_lines_are_counted_across_crlf_blank_lines_bom_and_quoted_newlines(tmp_path):
    path = tmp_path / "milestones.csv"
    path.write_bytes(b'\xef\xbb\xbfprogram_id,date,event_ko,document_id,source_line\r\np,2024-01,"two\r\nlines",d,1\r\n\r\n'
                     b"p,2024-02,x,d,0\r\n")
    df, problems = read_table(path, TABLES["milestones"])
    assert df is None and problems == [f"{path}:5: source_line 0 is below the minimum 1"]


def test_read_table_reports_every_bad_cell_with_its_line(tmp_path):
    path = tmp_path / "settlements.csv"
    rows = (PROCESSED / "settlements.csv").read_text(encoding="utf-8").split("\n")
    rows[1] = rows[1].replace(",2020,", ",x,", 1)
    rows[2] = rows[2].replace(",2021,", ",2022,", 1)
    rows[3] = rows[3].replace(",0,0,", ",,99999999999999999999,", 1)
    path.write_text("\n".join(rows), encoding="utf-8")
    df, problems = read_table(path, TABLES["settlements"])
    assert df is None
    assert problems == [
        f"{path}:2: fiscal_year \"x\" is not an integer",
        f"{path}:4: carried_in_krw is empty (required)",
        f"{path}:4: budget_change_krw 99999999999999999999 is out of range (a 64-bit integer)",
        f"{path}:4: duplicate key program_id=\"citynet\", fiscal_year=2022 (first on line 3)",
    ]
