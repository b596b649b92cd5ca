"""The incremental batch: a notebook run is re-executed only when a part of its key changed (the program's
data, the notebook's code, its parameters, the package, the environment), and never served for inputs it
was not made from."""

import hashlib
import json
import shutil

import nbformat
import pytest

from citynet_analysis import config
from citynet_analysis.cli import main
from citynet_analysis.dataset.store import write_dataset
from citynet_analysis.documents.ingest import build_dataset
from citynet_analysis.reporting.batch import kernels, run_batch, run_keys, summary_table

from ..conftest import RAW_2024, VARIANT_2025, WEGO_2024

pytestmark = pytest.mark.slow

SMALL = '''import citynet_analysis as ca
from citynet_analysis.analysis import metrics
ds = ca.load(data_dir, program)
print(lang, fiscal_year, int(metrics.budget_series(ds).set_index("fiscal_year").loc[fiscal_year, "amount_krw"]))'''


def _notebooks(folder, names=("a",)):
    """Small notebooks that read the data: a parameters cell and one line of output."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [nbformat.v4.new_markdown_cell(f"# {name}"),
                    nbformat.v4.new_code_cell("fiscal_year = 2024\nprogram = None\nlang = 'ko'\ndata_dir = None\n"
                                              "output_dir = None", metadata={"tags": ["parameters"]}),
                    nbformat.v4.new_code_cell(SMALL)]
        nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


def _data(folder, *docs):
    write_dataset(build_dataset(list(docs), relative_to=folder), folder)
    return folder


def _tree(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _status(jobs):
    return {(j.folder, j.notebook): j.status for j in jobs}


def _no_kernels(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("a kernel was started")
    monkeypatch.setattr(kernels, "start_kernel", boom)


def test_nothing_changed_nothing_runs_nothing_written(tmp_path, monkeypatch, capsys):
    nbs, data, out = _notebooks(tmp_path / "nb", ("a", "b")), _data(tmp_path / "d", RAW_2024), tmp_path / "r"
    first = run_batch(years=[2023, 2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    assert set(_status(first).values()) == {"ok"}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entry = next(e for e in manifest["runs"] if e["folder"] == "2024" and e["notebook"] == "a")
    assert set(entry["key_parts"]) == set(run_keys.PARTS) and len(entry["key"]) == 64
    assert entry["key_parts"]["data"] == run_keys.run_key(
        __import__("citynet_analysis").load(data).fingerprint, run_keys.notebook_digest(nbs / "a.ipynb"),
        {"fiscal_year": 2024, "program": "citynet", "lang": "ko", "data_dir": str(data.resolve())})[1]["data"]
    before = _tree(out)
    _no_kernels(monkeypatch)
    code = main(["batch", "--data", str(data), "--years", "2023", "2024", "--notebooks-dir", str(nbs), "--out", str(out),
                 "--no-progress"])
    assert code == 0 and _tree(out) == before  # not a byte written, not even the index
    printed = capsys.readouterr().out
    assert "2024  up to date" in printed and "all 4 notebook runs up to date: nothing re-run" in printed


def _change_data(tmp_path, data, nbs, out, monkeypatch):
    _data(data, RAW_2024, VARIANT_2025)  # next year's document, into the same folder


def _change_notebook(tmp_path, data, nbs, out, monkeypatch):
    nb = nbformat.read(nbs / "a.ipynb", as_version=4)
    nb.cells[2].source += "\nprint('edited')"
    nbformat.write(nb, nbs / "a.ipynb")


def _change_package(tmp_path, data, nbs, out, monkeypatch):
    monkeypatch.setattr(run_keys, "package_digest", lambda: "another package source")


def _change_environment(tmp_path, data, nbs, out, monkeypatch):
    monkeypatch.setattr(run_keys, "environment_digest", lambda: "another environment")


@pytest.mark.parametrize("part, change, lang", [
    ("data", _change_data, "ko"),
    ("notebook", _change_notebook, "ko"),
    ("parameters", None, "en"),
    ("package", _change_package, "ko"),
    ("environment", _change_environment, "ko"),
])
def test_each_part_of_the_key_changed_alone_reruns(part, change, lang, tmp_path, monkeypatch):
    nbs, data, out = _notebooks(tmp_path / "nb"), _data(tmp_path / "d", RAW_2024), tmp_path / "r"
    run_batch(years=[2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    old = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["runs"][0]
    if change:
        change(tmp_path, data, nbs, out, monkeypatch)
    jobs = run_batch(years=[2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs, lang=lang)
    assert [(j.status, j.rerun_because) for j in jobs] == [("ok", [part])]
    new = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["runs"][0]
    assert [p for p in run_keys.PARTS if old["key_parts"][p] != new["key_parts"][p]] == [part]
    assert new["key"] != old["key"]


def test_edit_one_notebook_reruns_only_it_every_year_and_force_reruns_all(tmp_path, monkeypatch):
    nbs, data, out = _notebooks(tmp_path / "nb", ("a", "b")), _data(tmp_path / "d", RAW_2024), tmp_path / "r"
    run_batch(years=[2023, 2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    b_files = {k: v for k, v in _tree(out).items() if "/b." in "/" + k.split("/", 1)[-1]}
    _change_notebook(tmp_path, data, nbs, out, monkeypatch)
    jobs = run_batch(years=[2023, 2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    assert _status(jobs) == {("2023", "a"): "ok", ("2023", "b"): "up to date",
                             ("2024", "a"): "ok", ("2024", "b"): "up to date"}
    assert {k: v for k, v in _tree(out).items() if k in b_files} == b_files  # b's outputs stay as they were
    assert "edited" in (out / "2024" / "a.ipynb").read_text(encoding="utf-8")
    assert summary_table(jobs).splitlines()[-1] == "2 of 4 notebook runs up to date; ran 2 (notebook changed: 2)"
    forced = run_batch(years=[2023, 2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs, force=True)
    assert set(_status(forced).values()) == {"ok"} and {tuple(j.rerun_because) for j in forced} == {("forced",)}


def test_missing_outputs_rerun(tmp_path):
    nbs, data, out = _notebooks(tmp_path / "nb"), _data(tmp_path / "d", RAW_2024), tmp_path / "r"
    run_batch(years=[2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    (out / "2024" / "a.html").unlink()
    jobs = run_batch(years=[2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    assert [(j.status, j.rerun_because) for j in jobs] == [("ok", ["outputs missing"])]
    assert (out / "2024" / "a.html").is_file()


def test_a_new_document_of_one_program_reruns_only_that_program(tmp_path):
    nbs, out = _notebooks(tmp_path / "nb"), tmp_path / "r"
    data = _data(tmp_path / "d", RAW_2024, WEGO_2024)
    run_batch(years=[2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    wego = _tree(out / "wego")
    _data(data, RAW_2024, VARIANT_2025, WEGO_2024)  # CityNet's next document arrives
    jobs = run_batch(years=[2024, 2025], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    assert _status(jobs) == {("citynet/2024", "a"): "ok", ("citynet/2025", "a"): "ok",
                             ("wego/2024", "a"): "up to date"}
    assert _tree(out / "wego") == wego
    assert "ko 2025 1250000000" in (out / "citynet" / "2025" / "a.ipynb").read_text(encoding="utf-8")


def test_package_and_environment_digests_follow_what_they_describe(tmp_path, monkeypatch):
    copy = tmp_path / "pkg"
    shutil.copytree(config.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "bundled"))
    monkeypatch.setattr(config, "PACKAGE_DIR", copy)
    run_keys.package_digest.cache_clear()
    try:
        first = run_keys.package_digest()
        (copy / "vocabulary.toml").write_text((copy / "vocabulary.toml").read_text(encoding="utf-8") + "\n# x\n",
                                             encoding="utf-8")
        run_keys.package_digest.cache_clear()
        edited = run_keys.package_digest()
        monkeypatch.setattr(config, "VERSION", "9.9.9")
        run_keys.package_digest.cache_clear()
        assert len({first, edited, run_keys.package_digest()}) == 3
    finally:
        run_keys.package_digest.cache_clear()

    class Dist:
        def __init__(self, name, version):
            self.metadata, self.version = {"Name": name}, version

    run_keys.environment_digest.cache_clear()
    try:
        monkeypatch.setattr(run_keys.metadata, "distributions", lambda: [Dist("pandas", "3.0.0")])
        a = run_keys.environment_digest()
        run_keys.environment_digest.cache_clear()
        monkeypatch.setattr(run_keys.metadata, "distributions", lambda: [Dist("pandas", "3.0.1")])
        assert run_keys.environment_digest() != a
    finally:
        run_keys.environment_digest.cache_clear()


def test_notebook_digest_ignores_outputs_but_not_code(tmp_path):
    nbs = _notebooks(tmp_path / "nb")
    before = run_keys.notebook_digest(nbs / "a.ipynb")
    nb = nbformat.read(nbs / "a.ipynb", as_version=4)
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="1100000000\n")]
    nb.cells[2].execution_count = 3
    nbformat.write(nb, nbs / "a.ipynb")
    assert run_keys.notebook_digest(nbs / "a.ipynb") == before
    nb.cells[1].metadata["tags"] = []  # no longer the parameters cell: a different run
    nbformat.write(nb, nbs / "a.ipynb")
    assert run_keys.notebook_digest(nbs / "a.ipynb") != before


def test_one_program_becoming_two_moves_the_reports_without_stale_entries(tmp_path):
    nbs, out = _notebooks(tmp_path / "nb"), tmp_path / "r"
    data = _data(tmp_path / "d", RAW_2024)
    run_batch(years=[2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    assert (out / "2024" / "a.ipynb").is_file()
    _data(data, RAW_2024, WEGO_2024)  # WeGO's document arrives: reports/<program>/<year>/ from now on
    jobs = run_batch(years=[2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    assert _status(jobs) == {("citynet/2024", "a"): "ok", ("wego/2024", "a"): "ok"}
    runs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["runs"]
    assert sorted(e["folder"] for e in runs) == ["citynet/2024", "wego/2024"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="2024/' not in index and 'href="citynet/2024/a.html"' in index
