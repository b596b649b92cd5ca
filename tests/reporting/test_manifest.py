"""The reports folder's manifest: only one a batch wrote is read; anything else is exit 2 naming it."""

import json

import pytest

from citynet_analysis.errors import InputError
from citynet_analysis.reporting.batch.manifest import GENERATOR, read_manifest
from citynet_analysis.reporting.runs import RunEntry, Status


def test_a_deeply_nested_manifest_is_not_ours(tmp_path):
    (tmp_path / "manifest.json").write_text("[" * 20000 + "]" * 20000, encoding="utf-8")
    with pytest.raises(InputError, match="not a manifest written by citynet-analysis batch"):
        read_manifest(tmp_path)


@pytest.mark.parametrize("entry", [
    {"year": "2024", "notebook": "a", "path": "2024/a.ipynb", "status": "ok"},
    {"year": 2024, "notebook": "a", "path": "../a.ipynb", "status": "ok"},
    {"year": 2024, "notebook": "a", "path": "2024/a.ipynb", "status": "done"},
    {"year": 2024, "notebook": "a", "path": "2024/a.ipynb", "status": "ok", "latest_path": "/etc/passwd"},
])
def test_an_entry_a_batch_did_not_write_is_refused(tmp_path, entry):
    (tmp_path / "manifest.json").write_text(json.dumps({"generator": GENERATOR, "runs": [entry]}),
                                            encoding="utf-8")
    with pytest.raises(InputError):
        read_manifest(tmp_path)


def test_entries_round_trip():
    e = RunEntry(year=2024, notebook="a", path="2024/a.ipynb", status=Status.FAILED, latest_run=Status.FAILED)
    assert RunEntry.from_json(json.loads(json.dumps(e.to_json()))) == e
    assert e.kept().latest_run is None and e.folder == "2024"
