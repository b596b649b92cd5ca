"""datapackage.json: a Table Schema per CSV that frictionless accepts; reading back keeps the dtypes."""

import json

from frictionless import Package, validate

from citynet_analysis.store import read_dataset, write_dataset

from .conftest import PROCESSED


def test_committed_datapackage_is_valid():
    report = validate(str(PROCESSED / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    pkg = Package(str(PROCESSED / "datapackage.json"))
    assert len(pkg.resources) == 8
    desc = json.loads((PROCESSED / "datapackage.json").read_text(encoding="utf-8"))
    li = next(r for r in desc["resources"] if r["name"] == "line_items")
    assert li["schema"]["primaryKey"] == ["fiscal_year", "item_id"]
    amount = next(f for f in li["schema"]["fields"] if f["name"] == "amount_krw")
    assert amount["type"] == "integer" and amount["currency"] == "KRW"


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


def test_write_replaces_the_whole_folder(tmp_path, dataset_2024):
    out = tmp_path / "p"
    out.mkdir()
    (out / "stale.csv").write_text("x", encoding="utf-8")
    write_dataset(dataset_2024, out)
    assert not (out / "stale.csv").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["p"]
