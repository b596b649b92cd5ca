"""Same bytes every run (docs/reproducible.md): with $SOURCE_DATE_EPOCH set, two batches into two different
folders write byte-identical files except manifest.json; the build date is one function
(``config.build_date``); zip packages (.docx, .xlsx, .hwpx) are normalised; executed notebooks carry no
run times, no random cell id and no path of the staging or reports folder."""

import datetime as dt
import io
import json
import shutil
import warnings
import zipfile
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from PIL import Image

from citynet_analysis import config
from citynet_analysis.cli import main
from citynet_analysis.errors import InputError
from citynet_analysis.reporting.batch import run_batch
from citynet_analysis.reporting.batch.execute import INJECTED_CELL_ID, stable_notebook
from citynet_analysis.reporting.notebook.csv_tables import write_csv
from citynet_analysis.reporting.publishers import hwpx_memo, word_memo
from citynet_analysis.reporting.publishers.hwpx_memo import stable_ids, write_hwpx_memo
from citynet_analysis.reporting.publishers.packaging import normalize_zip
from citynet_analysis.reporting.publishers.word_memo import write_memo
from citynet_analysis.reporting.publishers.workbook import make_workbook, workbook_info, xlsx_bytes

from .conftest import memo_path, report_folder, report_name, workbook_path

EPOCH = "1718000000"  # 2024-06-10 06:13:20 UTC
DAY = dt.date(2024, 6, 10)
MIDNIGHT = dt.datetime(2024, 6, 10)
ZIPPED = (".docx", ".xlsx", ".hwpx")


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _texts(data: bytes, name: str) -> list[str]:
    """The text of a file, or of every entry of a zip package."""
    if name.endswith(ZIPPED):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
    return [data.decode("utf-8", "replace")]


# -- the build date ---------------------------------------------------------------------------------------

def test_build_date_from_source_date_epoch_or_today(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert config.build_date() == DAY and config.build_time() == MIDNIGHT
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert config.build_date() == dt.date(1970, 1, 1)
    for unset in ("", "  "):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", unset)
        assert config.build_date() == dt.date.today()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert config.build_date() == dt.date.today()


@pytest.mark.parametrize("value", ["yesterday", "-1", "1.5", "1e9", "1_000", "99999999999999999999"])
def test_an_invalid_source_date_epoch_is_an_input_error(monkeypatch, value):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(InputError, match="^SOURCE_DATE_EPOCH: "):
        config.build_date()


def test_the_batch_reports_an_invalid_source_date_epoch_before_any_kernel(monkeypatch, tmp_path, capsys,
                                                                          processed_2024, no_kernels):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "tomorrow")
    code = main(["batch", "--data", str(processed_2024), "--years", "2024", "--out", str(tmp_path / "r"),
                 "--no-progress"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "SOURCE_DATE_EPOCH" in err[0], err
    assert not list((tmp_path / "r").glob("**/*.ipynb")) and not (tmp_path / "r" / "index.html").exists()


def test_the_workbook_is_dated_with_the_build_date(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    info = workbook_info(None, 2024, "ko")
    assert info.made == DAY.isoformat()
    data = xlsx_bytes(make_workbook({"x": pd.DataFrame({"a": [1, 2]})}, info))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.namelist()[0] == "[Content_Types].xml"
        assert {i.date_time for i in z.infolist()} == {(2024, 6, 10, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert core.count("2024-06-10T00:00:00Z") == 2  # created and modified
    assert data == xlsx_bytes(make_workbook({"x": pd.DataFrame({"a": [1, 2]})}, info))


# -- the zip normaliser -------------------------------------------------------------------------------------

def _zip(entries, when=(2021, 3, 4, 5, 6, 8)) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data, method in entries:
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = method
            info.external_attr = 0o100600 << 16
            z.writestr(info, data)
    return buf.getvalue()


ENTRIES = [("word/document.xml", b"<w:document/>" * 50, zipfile.ZIP_DEFLATED),
           ("mimetype", b"application/hwp+zip", zipfile.ZIP_STORED),
           ("[Content_Types].xml", b"<Types/>", zipfile.ZIP_DEFLATED),
           ("_rels/.rels", b"<Relationships/>", zipfile.ZIP_DEFLATED)]


def test_normalize_zip_orders_dates_and_keeps_content_and_compression():
    out = normalize_zip(_zip(ENTRIES), MIDNIGHT, first=("[Content_Types].xml", "absent.xml"))
    with zipfile.ZipFile(io.BytesIO(out)) as z:
        assert z.namelist() == ["[Content_Types].xml", "_rels/.rels", "mimetype", "word/document.xml"]
        assert {i.date_time for i in z.infolist()} == {(2024, 6, 10, 0, 0, 0)}
        assert {i.filename: i.compress_type for i in z.infolist()} == {n: m for n, _, m in ENTRIES}
        assert {n: z.read(n) for n in z.namelist()} == {n: d for n, d, _ in ENTRIES}
        assert {i.external_attr >> 16 for i in z.infolist()} == {0o100644}
        assert z.testzip() is None


def test_normalize_zip_gives_the_same_bytes_whatever_the_times_and_order():
    one = normalize_zip(_zip(ENTRIES), MIDNIGHT, first=("[Content_Types].xml",))
    other = normalize_zip(_zip(list(reversed(ENTRIES)), when=(2030, 1, 1, 0, 0, 0)), MIDNIGHT,
                          first=("[Content_Types].xml",))
    assert one == other
    assert normalize_zip(one, MIDNIGHT, first=("[Content_Types].xml",)) == one  # idempotent


def test_normalize_zip_can_keep_the_order_with_mimetype_first_and_stored():
    out = normalize_zip(_zip(ENTRIES), MIDNIGHT, first=("mimetype",), sort=False)
    with zipfile.ZipFile(io.BytesIO(out)) as z:
        assert z.namelist() == ["mimetype", "word/document.xml", "[Content_Types].xml", "_rels/.rels"]
        assert z.infolist()[0].compress_type == zipfile.ZIP_STORED
    # readers find the mimetype at a fixed offset: the first local header, its name, then the bytes
    assert out[30:38] == b"mimetype" and out[38:57] == b"application/hwp+zip"


def test_normalize_zip_clamps_dates_zip_cannot_store():
    out = normalize_zip(_zip(ENTRIES[:1]), dt.datetime(1970, 1, 1))
    with zipfile.ZipFile(io.BytesIO(out)) as z:
        assert z.infolist()[0].date_time == (1980, 1, 1, 0, 0, 0)


def test_normalize_zip_refuses_a_name_twice():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate it writes
        twice = _zip(ENTRIES[:1] + ENTRIES[:1])
    with pytest.raises(ValueError, match="twice"):
        normalize_zip(twice, MIDNIGHT)


# -- HWPX ids and executed notebooks --------------------------------------------------------------------------

def test_hwpx_random_ids_are_numbered_in_document_order():
    a = (b'<hs:sec><hp:p id="0" x="1"><hp:run/></hp:p><hp:p id="1849162463" paraPrIDRef="21">'
         b'<hp:tbl id="77" rowCnt="1"/><hp:pic id="120863438" instid="120863438"/></hp:p>'
         b'<hp:subList id=""/><hp:p id="314202942" styleIDRef="0"/></hs:sec>')
    b = a.replace(b"1849162463", b"5").replace(b"120863438", b"99").replace(b'"77"', b'"31"')
    assert stable_ids(a) == stable_ids(b) == (
        b'<hs:sec><hp:p id="0" x="1"><hp:run/></hp:p><hp:p id="1" paraPrIDRef="21">'
        b'<hp:tbl id="2" rowCnt="1"/><hp:pic id="3" instid="3"/></hp:p>'
        b'<hp:subList id=""/><hp:p id="4" styleIDRef="0"/></hs:sec>')


def test_stable_notebook_drops_run_times_and_fixes_the_injected_cell_id(tmp_path):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("output_dir = None", metadata={"tags": ["parameters"]})
    injected = nbformat.v4.new_code_cell('output_dir = "."', metadata={"tags": ["injected-parameters"]})
    body = nbformat.v4.new_code_cell("print(1)")
    times = {"start_time": "2026-12-07T14:17:04+00:00", "end_time": "2026-12-07T14:17:05+00:00",
             "duration": 0.5, "exception": False, "status": "completed"}
    for cell in (params, injected, body):
        cell.metadata["papermill"] = dict(times)
        cell.metadata["execution"] = {"iopub.status.busy": "2026-12-07T14:17:04.050039Z"}
    nb.cells = [params, injected, body]
    nb.metadata["papermill"] = dict(times, parameters={"output_dir": "."}, input_path="/in/x.ipynb",
                                    output_path="/out/.batch.new-1-ab/2024/x.ipynb")
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    stable_notebook(path)
    text = path.read_text(encoding="utf-8")
    assert not any(k in text for k in ("start_time", "end_time", "duration", "iopub", ".batch.new"))
    again = nbformat.read(path, as_version=4)
    nbformat.validate(again)
    assert [c.id for c in again.cells] == ["cell-1", INJECTED_CELL_ID, "cell-3"]  # by position
    assert again.metadata.papermill.parameters == {"output_dir": "."}
    assert again.metadata.papermill.output_path == "x.ipynb"
    assert again.cells[2].metadata.papermill == {"exception": False, "status": "completed"}
    before = path.read_bytes()
    stable_notebook(path)
    assert path.read_bytes() == before



def _executed(path, ids, tags, editor_metadata, kernel, minor):
    """An executed notebook as papermill leaves it, of one source notebook saved in some editor."""
    nb = nbformat.v4.new_notebook()
    nb.nbformat_minor = minor
    nb.metadata["kernelspec"] = kernel
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}  # the batch's kernel wrote it
    cells = [nbformat.v4.new_markdown_cell("# 개요", metadata={"tags": tags}),
             nbformat.v4.new_code_cell("report.figure(fig, 'x')", metadata=dict(editor_metadata))]
    for cell, cell_id in zip(cells, ids, strict=True):
        if cell_id is None:
            cell.pop("id", None)
        else:
            cell["id"] = cell_id
    nb.cells = cells
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def test_what_the_run_key_leaves_out_leaves_no_trace_in_the_executed_notebook(tmp_path):
    """The run key ignores cell ids, the order of tags, the editor's cell metadata and the kernel a notebook
    was saved with (run_keys.notebook_digest): so the executed notebook, and the page made from it, must not
    show them either, or an up-to-date run would differ from a fresh one."""
    from citynet_analysis.reporting.batch import run_keys

    a = _executed(tmp_path / "a.ipynb", ["d9a1f0", "77b2"], ["lang-ko", "instructions"], {},
                  {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}, 5)
    b = _executed(tmp_path / "b.ipynb", [None, None], ["instructions", "lang-ko"],
                  {"collapsed": True, "scrolled": False, "jupyter": {"source_hidden": True}, "ExecuteTime": {}},
                  {"name": "citynet-analysis", "display_name": "Python (citynet-analysis)", "language": "python"}, 4)
    assert run_keys.notebook_digest(a) == run_keys.notebook_digest(b)
    for path in (a, b):
        stable_notebook(path)
        nbformat.validate(nbformat.read(path, as_version=4))
    assert a.read_bytes() == b.read_bytes()
    shown = json.loads(a.read_text(encoding="utf-8"))
    assert [c["id"] for c in shown["cells"]] == ["cell-1", "cell-2"]
    assert shown["cells"][0]["metadata"]["tags"] == ["instructions", "lang-ko"]
    assert shown["metadata"]["kernelspec"]["name"] == config.KERNEL

# -- memos of a hand-made year folder --------------------------------------------------------------------------

def _year_folder(folder: Path) -> Path:
    folder.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("report.markdown(...)")
    code.outputs = [nbformat.v4.new_output("display_data", data={"text/plain": ""}, metadata={"citynet": record})
                    for record in ({"kind": "summary", "memo": True, "lines": ["예산: **1,100.0백만원**"]},
                                   {"kind": "table", "name": "x", "columns": ["name_ko", "amount_krw"],
                                    "memo": True},
                                   {"kind": "figure", "name": "f", "memo": True})]
    nb.cells = [nbformat.v4.new_markdown_cell("# 시험 노트북 · Test notebook"), code]
    nbformat.write(nb, folder / "01_test.ipynb")
    write_csv(pd.DataFrame({"name_ko": ["인건비", "사업비"], "amount_krw": [331_690_000, 480_350_000]}),
              folder / "tables" / "x.csv")
    (folder / "figures").mkdir()
    Image.new("RGB", (600, 300), "steelblue").save(folder / "figures" / "f.png", dpi=(300, 300))
    return folder


def test_memos_are_the_same_bytes_and_carry_the_build_date(monkeypatch, tmp_path, ds_2024):
    from docx import Document

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    written = {}
    for run in ("a", "b"):
        folder = _year_folder(report_folder(tmp_path / run, 2024))
        written[run] = [write_memo(folder, 2024, ds_2024, "ko", report_name(2024)),
                        write_hwpx_memo(folder, 2024, ds_2024, "ko", report_name(2024))]
    for a, b in zip(written["a"], written["b"], strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    docx, hwpx = written["a"]
    doc = Document(str(docx))
    assert DAY.isoformat() in doc.paragraphs[1].text  # the subtitle: source and date
    props = doc.core_properties
    utc = MIDNIGHT.replace(tzinfo=dt.UTC)
    assert props.created == props.modified == props.last_printed == utc
    assert props.author == props.last_modified_by == f"citynet-analysis {config.VERSION}"
    with zipfile.ZipFile(docx) as z:
        assert z.namelist()[0] == "[Content_Types].xml"
        assert not [n for n in z.namelist() if "thumbnail" in n]
        assert b"thumbnail" not in z.read("_rels/.rels") and b"jpeg" not in z.read("[Content_Types].xml")
        app = z.read("docProps/app.xml").decode()
        assert "Microsoft" not in app and f"citynet-analysis {config.VERSION}" in app
        assert {i.date_time for i in z.infolist()} == {(2024, 6, 10, 0, 0, 0)}
    with zipfile.ZipFile(hwpx) as z:
        first = z.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert {i.date_time for i in z.infolist()} == {(2024, 6, 10, 0, 0, 0)}
        assert DAY.isoformat() in z.read("Contents/section0.xml").decode()
        assert "2024-06-10T00:00:00Z" in z.read("Contents/content.hpf").decode()


def test_the_word_template_carries_no_thumbnail_nor_application():
    with zipfile.ZipFile(word_memo.TEMPLATE) as z:
        assert not [n for n in z.namelist() if "thumbnail" in n]
        assert b"Macintosh" not in z.read("docProps/app.xml")
    assert hwpx_memo.MIMETYPE == "mimetype"


# -- two whole batches ----------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_two_batches_are_the_same_bytes_but_the_manifest(monkeypatch, tmp_path, processed_2024):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    notebooks = tmp_path / "notebooks"  # a copy: the inputs of both runs are the same
    notebooks.mkdir()
    for path in config.NOTEBOOK_DIR.glob("*.ipynb"):
        shutil.copy(path, notebooks)
    outs = [tmp_path / "first" / "reports", tmp_path / "second run" / "out"]
    for out in outs:
        jobs = run_batch(years=[2024], data_dir=processed_2024, out_dir=out, progress=False,
                         notebook_dir=notebooks)
        assert {j.status for j in jobs} == {"ok"}, [(j.notebook, j.error) for j in jobs]
    a, b = (_files(out) for out in outs)
    assert sorted(a) == sorted(b)
    differ = sorted(name for name in a if a[name] != b[name])
    assert differ == ["manifest.json"], f"files that differ between two runs: {differ}"
    assert {"citynet_2024_ko/citynet_2024_ko_memo.docx", "citynet_2024_ko/citynet_2024_ko_memo.hwpx",
            "citynet_2024_ko/tables/citynet_2024_ko_tables.xlsx", "index.html"} <= set(a)

    # no path of the reports or staging folder, no run time, in anything published
    for name, data in a.items():
        if name == "manifest.json":
            continue
        for text in _texts(data, name):
            assert str(outs[0]) not in text and ".batch.new-" not in text, name
            if name.endswith(".ipynb"):
                assert '"start_time"' not in text and '"iopub.status.busy"' not in text, name

    # the published notebook shows the parameters the run used, its output folder its own
    for name in (n for n in a if n.endswith(".ipynb")):
        nb = nbformat.read(outs[0] / name, as_version=4)
        injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
        assert injected.id == INJECTED_CELL_ID
        assert 'output_dir = "."' in injected.source
        assert f'data_dir = "{Path(processed_2024).resolve()}"' in injected.source
        assert nb.metadata.papermill.parameters["output_dir"] == "."
        assert nb.metadata.papermill.parameters["fiscal_year"] == 2024

    # the memo and the workbook carry the date of SOURCE_DATE_EPOCH
    from docx import Document

    assert DAY.isoformat() in Document(str(memo_path(outs[0], 2024))).paragraphs[1].text
    with zipfile.ZipFile(memo_path(outs[0], 2024, "hwpx")) as z:
        assert DAY.isoformat() in z.read("Contents/section0.xml").decode()
    from openpyxl import load_workbook

    wb = load_workbook(workbook_path(outs[0], 2024))
    assert wb.properties.created == wb.properties.modified == MIDNIGHT
    assert DAY.isoformat() in [c.value for row in wb.worksheets[0].iter_rows() for c in row]
    runs = json.loads((outs[0] / "manifest.json").read_text(encoding="utf-8"))["runs"]
    assert all(r["status"] == "ok" for r in runs)


@pytest.mark.slow
def test_a_published_notebook_run_by_hand_writes_beside_itself(tmp_path, processed_2024):
    from nbclient import NotebookClient

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(config.NOTEBOOK_DIR / "01_budget_overview.ipynb", notebooks)
    out = tmp_path / "reports"
    run_batch(years=[2024], data_dir=processed_2024, out_dir=out, progress=False, notebook_dir=notebooks)
    copy = tmp_path / "by hand"
    shutil.copytree(report_folder(out, 2024), copy)
    shutil.rmtree(copy / "tables")
    nb = nbformat.read(copy / "01_budget_overview.ipynb", as_version=4)
    NotebookClient(nb, timeout=config.CELL_TIMEOUT_S, kernel_name=config.KERNEL,
                   resources={"metadata": {"path": str(copy)}}).execute()
    assert (copy / "tables").is_dir() and any((copy / "tables").glob("*.csv"))
    hidden = [p.name for p in (*copy.iterdir(), *out.iterdir(), *tmp_path.iterdir()) if p.name.startswith(".batch.new")]
    assert not hidden
