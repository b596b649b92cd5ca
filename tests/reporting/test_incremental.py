"""The incremental batch: a notebook run is re-executed only when a part of its key changed (the program's
data, the notebook's code, its parameters, the package, the environment), and never served for inputs it
was not made from.

The notebooks here run in the test's process (``in_process_kernel``): what is tested is what the batch
plans, runs, keeps and records; the kernels themselves are tested by the shared batches and test_batch."""

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
from .conftest import memo_path, page_path, report_folder, report_name

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("in_process_kernel")]

SMALL = '''import citynet_analysis as ca
from citynet_analysis.analysis import metrics
ds = ca.load(data_dir, program)
print(lang, fiscal_year, int(metrics.budget_series(ds).set_index("fiscal_year").loc[fiscal_year, "amount_krw"]))'''


def _notebooks(where, names=("a",)):
    """Small notebooks that read the data: a parameters cell and one line of output."""
    where.mkdir(parents=True, exist_ok=True)
    for notebook in names:
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [nbformat.v4.new_markdown_cell(f"# {notebook}"),
                    nbformat.v4.new_code_cell("fiscal_year = 2024\nprogram = None\nlang = 'ko'\ndata_dir = None\n"
                                              "output_dir = None", metadata={"tags": ["parameters"]}),
                    nbformat.v4.new_code_cell(SMALL)]
        nbformat.write(nb, where / f"{notebook}.ipynb")
    return where


def _data(folder, *docs):
    write_dataset(build_dataset(list(docs), relative_to=folder), folder)
    return folder


def _tree(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _status(jobs):
    return {(j.folder, j.notebook): j.status for j in jobs}


def _no_kernels(monkeypatch):
    """From here on, running a notebook fails the test."""
    import papermill

    def boom(*a, **k):
        raise AssertionError("a notebook was run")
    monkeypatch.setattr(kernels, "start_kernel", boom)
    monkeypatch.setattr(kernels, "KernelPool", boom)
    monkeypatch.setattr(papermill, "execute_notebook", boom)


def test_nothing_changed_nothing_runs_nothing_written(tmp_path, monkeypatch, capsys):
    nbs, data, out = _notebooks(tmp_path / "nb", ("a", "b")), _data(tmp_path / "d", RAW_2024), tmp_path / "r"
    first = run_batch(years=[2023, 2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    assert set(_status(first).values()) == {"ok"}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entry = next(e for e in manifest["runs"] if e["folder"] == report_name(2024) and e["notebook"] == "a")
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
    assert "citynet_2024_ko  up to date" in printed and "all 4 notebook runs up to date: nothing re-run" in printed


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


def _change_parameters(tmp_path, data, nbs, out, monkeypatch):
    """The same data in another folder: the notebook is given another data_dir."""
    shutil.copytree(data, tmp_path / "same data")
    return tmp_path / "same data"


@pytest.mark.parametrize("part, change", [
    ("data", _change_data),
    ("notebook", _change_notebook),
    ("parameters", _change_parameters),
    ("package", _change_package),
    ("environment", _change_environment),
])
def test_each_part_of_the_key_changed_alone_reruns(part, change, tmp_path, monkeypatch):
    nbs, data, out = _notebooks(tmp_path / "nb"), _data(tmp_path / "d", RAW_2024), tmp_path / "r"
    run_batch(years=[2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    old = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["runs"][0]
    data = change(tmp_path, data, nbs, out, monkeypatch) or data
    jobs = run_batch(years=[2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
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
    assert _status(jobs) == {(report_name(2023), "a"): "ok", (report_name(2023), "b"): "up to date",
                             (report_name(2024), "a"): "ok", (report_name(2024), "b"): "up to date"}
    assert {k: v for k, v in _tree(out).items() if k in b_files} == b_files  # b's outputs stay as they were
    assert "edited" in (report_folder(out, 2024) / "a.ipynb").read_text(encoding="utf-8")
    assert summary_table(jobs).splitlines()[-1] == "2 of 4 notebook runs up to date; ran 2 (notebook changed: 2)"
    forced = run_batch(years=[2023, 2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs, force=True)
    assert set(_status(forced).values()) == {"ok"} and {tuple(j.rerun_because) for j in forced} == {("forced",)}


def test_missing_outputs_rerun(tmp_path):
    nbs, data, out = _notebooks(tmp_path / "nb"), _data(tmp_path / "d", RAW_2024), tmp_path / "r"
    run_batch(years=[2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    page_path(out, 2024, "a").unlink()
    jobs = run_batch(years=[2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    assert [(j.status, j.rerun_because) for j in jobs] == [("ok", ["outputs missing"])]
    assert page_path(out, 2024, "a").is_file()


def test_a_new_document_of_one_program_reruns_only_that_program(tmp_path):
    nbs, out = _notebooks(tmp_path / "nb"), tmp_path / "r"
    data = _data(tmp_path / "d", RAW_2024, WEGO_2024)
    run_batch(years=[2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    wego = _tree(report_folder(out, 2024, program="wego"))
    _data(data, RAW_2024, VARIANT_2025, WEGO_2024)  # CityNet's next document arrives
    jobs = run_batch(years=[2024, 2025], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    assert _status(jobs) == {("citynet_2024_ko", "a"): "ok", ("citynet_2025_ko", "a"): "ok",
                             ("wego_2024_ko", "a"): "up to date"}
    assert _tree(report_folder(out, 2024, program="wego")) == wego
    assert "ko 2025 1250000000" in (report_folder(out, 2025) / "a.ipynb").read_text(encoding="utf-8")


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


def test_one_program_becoming_two_keeps_the_first_programs_reports(tmp_path):
    """Folder names carry the program: when a second program's document arrives, the first program's
    reports stay where they are, up to date, and the second's go beside them."""
    nbs, out = _notebooks(tmp_path / "nb"), tmp_path / "r"
    data = _data(tmp_path / "d", RAW_2024)
    run_batch(years=[2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    citynet = _tree(report_folder(out, 2024))
    assert "a.ipynb" in citynet
    _data(data, RAW_2024, WEGO_2024)  # WeGO's document arrives
    jobs = run_batch(years=[2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    assert _status(jobs) == {("citynet_2024_ko", "a"): "up to date", ("wego_2024_ko", "a"): "ok"}
    assert _tree(report_folder(out, 2024)) == citynet
    runs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["runs"]
    assert sorted(e["folder"] for e in runs) == ["citynet_2024_ko", "wego_2024_ko"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="citynet_2024_ko/citynet_2024_ko_a.html"' in index and 'href="wego_2024_ko/wego_2024_ko_a.html"' in index
    assert sorted(p.name for p in out.iterdir()) == ["citynet_2024_ko", "index.html", "manifest.json", "wego_2024_ko"]


def test_a_deleted_memo_reruns_its_folder_and_is_back(tmp_path):
    nbs, data, out = _notebooks(tmp_path / "nb"), _data(tmp_path / "d", RAW_2024), tmp_path / "r"
    run_batch(years=[2023, 2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    recorded = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["runs"]
    entry = next(e for e in recorded if e["folder"] == report_name(2024))
    assert entry["outputs"][f"{report_name(2024)}/{report_name(2024)}_memo.docx"] == hashlib.sha256(
        memo_path(out, 2024).read_bytes()).hexdigest()  # the memo is one of the run's recorded files
    other = _tree(report_folder(out, 2023))
    memo_path(out, 2024).unlink()
    jobs = run_batch(years=[2023, 2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    assert {(j.folder, j.status, tuple(j.rerun_because)) for j in jobs} == {
        (report_name(2023), "up to date", ()), (report_name(2024), "ok", ("outputs missing",))}
    assert memo_path(out, 2024).is_file() and memo_path(out, 2024, "hwpx").is_file()
    assert _tree(report_folder(out, 2023)) == other


def test_a_changed_output_reruns_its_folder(tmp_path):
    nbs, data, out = _notebooks(tmp_path / "nb"), _data(tmp_path / "d", RAW_2024), tmp_path / "r"
    run_batch(years=[2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    first = page_path(out, 2024, "a").read_bytes()
    page_path(out, 2024, "a").write_text("edited by hand", encoding="utf-8")
    jobs = run_batch(years=[2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    assert [(j.status, j.rerun_because) for j in jobs] == [("ok", ["outputs missing"])]
    assert page_path(out, 2024, "a").read_bytes() == first


def test_a_korean_and_an_english_batch_live_side_by_side(tmp_path):
    """--lang en into the reports of a Korean batch writes citynet_2024_en/ beside citynet_2024_ko/ and
    replaces neither; the portal links both, each card naming its language."""
    nbs, data, out = _notebooks(tmp_path / "nb"), _data(tmp_path / "d", RAW_2024), tmp_path / "r"
    run_batch(years=[2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    korean = _tree(report_folder(out, 2024))
    jobs = run_batch(years=[2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs, lang="en")
    assert _status(jobs) == {("citynet_2024_en", "a"): "ok"}
    assert _tree(report_folder(out, 2024)) == korean  # the Korean reports untouched
    assert sorted(p.name for p in out.iterdir()) == ["citynet_2024_en", "citynet_2024_ko", "index.html",
                                                     "manifest.json"]
    for lang in ("ko", "en"):
        assert sorted(p.name for p in report_folder(out, 2024, lang).iterdir()) == [
            "a.ipynb", f"citynet_2024_{lang}_a.html", f"citynet_2024_{lang}_memo.docx",
            f"citynet_2024_{lang}_memo.hwpx"]
        assert f"{lang} 2024 1100000000" in (report_folder(out, 2024, lang) / "a.ipynb").read_text(encoding="utf-8")
    assert memo_path(out, 2024, lang="ko").read_bytes() != memo_path(out, 2024, lang="en").read_bytes()
    runs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["runs"]
    assert {(e["folder"], e["lang"]) for e in runs} == {("citynet_2024_ko", "ko"), ("citynet_2024_en", "en")}
    index = (out / "index.html").read_text(encoding="utf-8")
    for lang in ("ko", "en"):
        assert f'id="citynet_2024_{lang}"' in index
        assert f'href="citynet_2024_{lang}/citynet_2024_{lang}_a.html"' in index
        assert f'href="citynet_2024_{lang}/citynet_2024_{lang}_memo.docx"' in index
    assert "2024 회계연도 · 한국어" in index and "FY2024 · English" in index  # each card in its language
    # the Korean batch again: up to date, nothing run, both languages' reports still there
    jobs = run_batch(years=[2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    assert _status(jobs) == {("citynet_2024_ko", "a"): "up to date"}
    assert sorted(p.name for p in out.iterdir()) == ["citynet_2024_en", "citynet_2024_ko", "index.html",
                                                     "manifest.json"]


def test_reports_of_an_earlier_layout_are_moved_and_foreign_folders_kept(tmp_path):
    """A reports folder as batches before the reports' names left it (2024/ with 01_...html, owned by the
    manifest): the batch writes citynet_2024_ko/, removes the old owned 2024/ that no entry names any more,
    and leaves a folder it did not write alone."""
    nbs, data, out = _notebooks(tmp_path / "nb"), _data(tmp_path / "d", RAW_2024), tmp_path / "r"
    (out / "2024" / "figures").mkdir(parents=True)
    (out / "2024" / "a.ipynb").write_text("{}", encoding="utf-8")
    (out / "2024" / "a.html").write_text("<html>old</html>", encoding="utf-8")
    (out / "2024" / "memo_2024.docx").write_bytes(b"PK old")
    (out / "index.html").write_text("<html>old portal</html>", encoding="utf-8")
    (out / "notes").mkdir()
    (out / "notes" / "todo.txt").write_text("mine", encoding="utf-8")
    entry = {"year": 2024, "notebook": "a", "path": "2024/a.ipynb", "status": "ok", "program": "citynet",
             "folder": "2024", "lang": "ko", "key": "0" * 64}
    (out / "manifest.json").write_text(json.dumps({"generator": "citynet-analysis batch", "runs": [entry],
                                                   "owned": ["2024", "index.html"]}), encoding="utf-8")
    jobs = run_batch(years=[2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    assert _status(jobs) == {("citynet_2024_ko", "a"): "ok"}
    assert sorted(p.name for p in out.iterdir()) == ["citynet_2024_ko", "index.html", "manifest.json", "notes"]
    assert (out / "notes" / "todo.txt").read_text(encoding="utf-8") == "mine"
    assert page_path(out, 2024, "a").is_file() and memo_path(out, 2024).is_file()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [(e["folder"], e["path"]) for e in manifest["runs"]] == [("citynet_2024_ko", "citynet_2024_ko/a.ipynb")]
    assert "2024" not in manifest["owned"] and "citynet_2024_ko" in manifest["owned"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "old portal" not in index and 'href="2024/' not in index
    assert 'href="citynet_2024_ko/citynet_2024_ko_a.html"' in index
    # and the next run finds nothing to do
    again = run_batch(years=[2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    assert _status(again) == {("citynet_2024_ko", "a"): "up to date"}


def test_a_changed_portal_is_written_again_without_running_anything(tmp_path, monkeypatch):
    nbs, data, out = _notebooks(tmp_path / "nb"), _data(tmp_path / "d", RAW_2024), tmp_path / "r"
    run_batch(years=[2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    portal = (out / "index.html").read_bytes()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["index_sha256"] == hashlib.sha256(portal).hexdigest()
    (out / "index.html").write_text("<html>edited by hand</html>", encoding="utf-8")
    reports = _tree(report_folder(out, 2024))
    _no_kernels(monkeypatch)
    jobs = run_batch(years=[2024], data_dir=data, out_dir=out, progress=False, notebook_dir=nbs)
    assert _status(jobs) == {("citynet_2024_ko", "a"): "up to date"}
    assert (out / "index.html").read_bytes() == portal and _tree(report_folder(out, 2024)) == reports
