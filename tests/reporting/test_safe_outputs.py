"""Never delete what we did not write: the rules for ``ingest --out`` and ``batch --out``, umask modes,
leftovers of killed runs, and interrupts."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from citynet_analysis.atomic import clean_leftovers, temp_path
from citynet_analysis.cli import main

from ..conftest import RAW_2024, REPO
from .conftest import page_path, report_folder, report_name


def _snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every path under ``folder`` with its mode and (for files) its bytes."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_mode, p.read_bytes() if p.is_file() else b"")
            for p in sorted(folder.rglob("*"))}


@pytest.fixture()
def doc(tmp_path):
    path = tmp_path / "in" / "doc_2024.txt"
    path.parent.mkdir()
    path.write_bytes(RAW_2024.read_bytes())
    return path


# -- ingest --out ------------------------------------------------------------------------------------

def test_ingest_refuses_a_foreign_folder_and_leaves_it_as_it_was(tmp_path, doc, capsys):
    out = tmp_path / "mine"
    (out / "sub").mkdir(parents=True)
    (out / "notes.txt").write_text("my notes", encoding="utf-8")
    (out / "sub" / "x.csv").write_text("a,b", encoding="utf-8")
    before = _snapshot(out)
    assert main(["ingest", str(doc), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--out" in err and "notes.txt" in err
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "mine"]


def test_ingest_refuses_the_folder_of_its_input(doc, capsys):
    before = _snapshot(doc.parent)
    assert main(["ingest", str(doc), "--out", str(doc.parent)]) == 2
    assert "holds the input document" in capsys.readouterr().err
    assert _snapshot(doc.parent) == before


def test_ingest_refuses_data_raw_even_when_it_holds_a_data_set_name(tmp_path, doc, capsys):
    """An input inside --out is refused even if --out otherwise looks like an earlier data set."""
    out = tmp_path / "p"
    assert main(["ingest", str(doc), "--out", str(out)]) == 0
    inside = out / "doc.txt"
    inside.write_bytes(doc.read_bytes())
    before = _snapshot(out)
    assert main(["ingest", str(inside), "--out", str(out)]) == 2
    assert _snapshot(out) == before


@pytest.mark.parametrize("target", ["afile", "afile/under"])
def test_ingest_refuses_a_file_or_a_path_under_a_file(tmp_path, doc, capsys, target):
    (tmp_path / "afile").write_text("keep", encoding="utf-8")
    assert main(["ingest", str(doc), "--out", str(tmp_path / target)]) == 2
    err = capsys.readouterr().err
    assert "not a folder" in err and "Traceback" not in err and err.count("\n") == 1
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "keep"


def test_ingest_replaces_its_own_earlier_data_set(tmp_path, doc):
    out = tmp_path / "p"
    assert main(["ingest", str(doc), "--out", str(out)]) == 0
    first = _snapshot(out)
    assert main(["ingest", str(doc), "--out", str(out)]) == 0
    assert _snapshot(out) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "p"]


@pytest.mark.slow
def test_ingest_modes_follow_the_umask(tmp_path, doc):
    out = tmp_path / "p"
    code = ("import os, sys; os.umask(0o027); from citynet_analysis.cli import main; "
            f"sys.exit(main(['ingest', {str(doc)!r}, '--out', {str(out)!r}]))")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    assert out.stat().st_mode & 0o777 == 0o750
    assert {p.stat().st_mode & 0o777 for p in out.iterdir()} == {0o640}


@pytest.mark.slow
def test_leftovers_of_dead_processes_are_cleaned_and_live_ones_kept(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    target = report_folder(tmp_path, 2024)
    target.mkdir()
    (target / "report.html").write_text("previous", encoding="utf-8")
    # a killed run: its staging folder, a half-written file, and a folder moved aside whose replacement
    # never arrived (the target is gone: it is moved back)
    staging = Path(str(temp_path(tmp_path / "batch", "new")).replace(f"-{os.getpid()}-", f"-{dead.pid}-"))
    staging.mkdir()
    half = Path(str(temp_path(tmp_path / "index.html", "tmp")).replace(f"-{os.getpid()}-", f"-{dead.pid}-"))
    half.write_text("half", encoding="utf-8")
    aside = Path(str(temp_path(target, "old")).replace(f"-{os.getpid()}-", f"-{dead.pid}-"))
    target.rename(aside)
    mine = temp_path(tmp_path / "batch", "new")  # this process is alive: never touched
    mine.mkdir()
    (tmp_path / "foreign.txt").write_text("x", encoding="utf-8")
    lookalike = tmp_path / f".notes.tmp-{dead.pid}-ab"  # named like ours, for a target that is not ours
    lookalike.write_text("someone's notes", encoding="utf-8")
    cleaned = clean_leftovers(tmp_path, {"batch", "index.html", report_name(2024)})
    assert {p.name for p in cleaned} == {staging.name, half.name, aside.name}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([report_name(2024), "foreign.txt", mine.name,
                                                                 lookalike.name])
    assert (target / "report.html").read_text(encoding="utf-8") == "previous"


# -- batch --out -------------------------------------------------------------------------------------


@pytest.mark.parametrize("setup, message", [
    (lambda d: (d / "reports").write_text("x"), "exists and is not a folder"),
    (lambda d: (d / "afile").write_text("x"), "afile is not a folder"),
    (lambda d: report_folder(d / "reports", 2024).mkdir(parents=True), "was not written by citynet-analysis batch"),
    (lambda d: (d / "reports").mkdir() or (d / "reports" / "index.html").write_text("mine"),
     "was not written by citynet-analysis batch"),
    (lambda d: (d / "reports").mkdir() or (d / "reports" / "manifest.json").write_text("{not json"),
     "not a manifest written by citynet-analysis batch"),
    (lambda d: (d / "reports").mkdir() or (d / "reports" / "failed").write_text("x"), "failed: exists"),
])
def test_batch_refuses_what_it_did_not_write(tmp_path, capsys, no_kernels, processed_2024, setup, message):
    setup(tmp_path)
    out = tmp_path / ("afile/reports" if message.startswith("afile") else "reports")
    before = _snapshot(tmp_path)
    code = main(["batch", "--years", "2024", "--data", str(processed_2024), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err and err.count("\n") == 1, err
    assert _snapshot(tmp_path) == before


def test_batch_out_that_cannot_be_created_is_exit_2(capsys, no_kernels, processed_2024):
    code = main(["batch", "--years", "2024", "--data", str(processed_2024), "--out", "/proc/citynet-reports"])
    err = capsys.readouterr().err
    assert code == 2 and "cannot write there" in err and "Traceback" not in err


@pytest.mark.slow
def test_batch_into_a_shared_folder_keeps_foreign_files_and_cleans_leftovers(tmp_path, processed_2024):
    """`--out .` in a folder with other work: the batch adds its own files beside them, touches nothing
    else, and removes what a killed earlier run left behind."""
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "memo.docx").write_bytes(b"draft")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".batch.new-{dead.pid}-0badc0de"
    report_folder(stale, 2024).mkdir(parents=True)
    code = ("import sys; from citynet_analysis.cli import main; sys.exit(main(['batch', '--years', '2024', "
            f"'--notebooks', '03_trends', '--data', {str(processed_2024)!r}, '--out', '.', '--no-progress']))")
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (tmp_path / "drafts" / "memo.docx").read_bytes() == b"draft"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["citynet_2024_ko", "drafts", "index.html",
                                                          "manifest.json", "notes.txt"]


# -- interrupts --------------------------------------------------------------------------------------

def _kernel_processes(marker: str) -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if marker in cmdline and "ipykernel" in cmdline:
                pids.append(int(proc.name))
    return pids


@pytest.mark.slow
@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupt_stops_the_batch_within_two_seconds(tmp_path, processed_2024, sig, code):
    out = tmp_path / "reports"
    out.mkdir()
    report_folder(out, 2024).mkdir()
    page_path(out, 2024, "01_budget_overview").write_text("previous report", encoding="utf-8")
    (out / "manifest.json").write_text('{"generator": "citynet-analysis batch", "runs": [], '
                                       '"owned": ["citynet_2024_ko"]}', encoding="utf-8")
    before = _snapshot(out)
    proc = subprocess.Popen([sys.executable, "-m", "citynet_analysis", "batch", "--data", str(processed_2024),
                             "--out", str(out), "--no-progress", "--jobs", "2"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _kernel_processes(str(out)):
        time.sleep(0.05)
    assert _kernel_processes(str(out)), "no kernel started"
    time.sleep(0.5)
    start = time.monotonic()
    os.killpg(proc.pid, sig)  # as a terminal's Ctrl-C does: the whole foreground process group
    _, err = proc.communicate(timeout=30)
    elapsed = time.monotonic() - start
    assert proc.returncode == code, err
    assert elapsed < 2.0, f"took {elapsed:.1f} s"
    assert err.strip().splitlines() == [f"citynet-analysis: interrupted by {sig.name}; no reports were changed"]
    time.sleep(0.2)
    assert _kernel_processes(str(out)) == []
    assert _snapshot(out) == before  # staging (with the kernels' connection files) is gone


@pytest.mark.slow
def test_a_killed_batch_leaves_nothing_that_the_next_run_does_not_clean(tmp_path, processed_2024):
    out = tmp_path / "reports"
    proc = subprocess.Popen([sys.executable, "-m", "citynet_analysis", "batch", "--data", str(processed_2024),
                             "--years", "2024", "--out", str(out), "--no-progress"], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _kernel_processes(str(out)):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    left = [p.name for p in out.iterdir()]
    assert left and all(name.startswith(".batch.new-") for name in left)
    deadline = time.monotonic() + 10  # a kernel notices its parent is gone and exits
    while time.monotonic() < deadline and _kernel_processes(str(out)):
        time.sleep(0.1)
    assert _kernel_processes(str(out)) == []
    assert main(["batch", "--data", str(processed_2024), "--years", "2024", "--notebooks", "03_trends",
                 "--out", str(out), "--no-progress"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["citynet_2024_ko", "index.html", "manifest.json"]


# -- clean failures ----------------------------------------------------------------------------------

@pytest.mark.slow
def test_output_cut_short_by_the_reader_is_quiet(processed_2024):
    """`validate | head -3`: the reader leaves early (here before anything is written); no traceback, no
    'internal error', the exit status of a process whose pipe was closed (128 + SIGPIPE)."""
    run = subprocess.run(f"{sys.executable} -m citynet_analysis validate --data {processed_2024} | true;"
                         " echo ${PIPESTATUS[0]}", shell=True, executable="/bin/bash",
                         capture_output=True, text=True, cwd=REPO)
    assert run.stdout == "141\n" and run.stderr == ""


@pytest.mark.slow
def test_refresh_of_a_failing_notebook_is_one_line_and_keeps_it(tmp_path, monkeypatch, capsys):
    import nbformat

    from citynet_analysis import config

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("raise ValueError('bad cell')")]
    path = tmp_path / "99_bad.ipynb"
    nbformat.write(nb, path)
    before = path.read_bytes()
    monkeypatch.setattr(config, "NOTEBOOK_DIR", tmp_path)
    assert main(["refresh-notebooks", "99_bad"]) == 2
    err = capsys.readouterr().err
    assert err == (f"citynet-analysis: error: {path}: cell 2: ValueError: bad cell; "
                   "no notebook or baseline was changed\n")
    assert path.read_bytes() == before


# -- found by review ---------------------------------------------------------------------------------

def _owned_reports(out: Path, years=(2024,)) -> None:
    out.mkdir(parents=True, exist_ok=True)
    manifest = {"generator": "citynet-analysis batch", "runs": [], "owned": [report_name(y) for y in years]}
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    for y in years:
        report_folder(out, y).mkdir(exist_ok=True)


def test_a_link_inside_the_reports_is_refused(tmp_path, capsys, no_kernels, processed_2024):
    out = tmp_path / "reports"
    _owned_reports(out)
    victim = tmp_path / "victim"
    victim.mkdir()
    (report_folder(out, 2024) / "figures").symlink_to(victim)
    code = main(["batch", "--years", "2024", "--data", str(processed_2024), "--out", str(out)])
    assert code == 2 and "a link inside the reports" in capsys.readouterr().err
    assert list(victim.iterdir()) == []


@pytest.mark.parametrize("manifest", [
    '{"generator": "citynet-analysis batch", "runs": [], "owned": 5}',
    '{"generator": "citynet-analysis batch", "runs": [], "owned": ["../elsewhere"]}',
    '{"generator": "citynet-analysis batch", "runs": [{"year": "2023", "notebook": "a", "path": "2023/a.ipynb", '
    '"status": "ok"}], "owned": []}',
])
def test_a_manifest_of_the_wrong_shape_is_refused(tmp_path, capsys, no_kernels, processed_2024, manifest):
    out = tmp_path / "reports"
    out.mkdir()
    (out / "manifest.json").write_text(manifest, encoding="utf-8")
    code = main(["batch", "--years", "2024", "--data", str(processed_2024), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "not a manifest written by citynet-analysis batch" in err and "Traceback" not in err


@pytest.mark.parametrize("command", [["ingest", "--out", ""], ["batch", "--out", " "]])
def test_an_empty_out_is_refused(command, capsys, no_kernels, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(command) == 2 and "--out: must name a folder" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_replacing_a_data_set_keeps_the_folders_permissions(tmp_path, doc):
    out = tmp_path / "p"
    assert main(["ingest", str(doc), "--out", str(out)]) == 0
    out.chmod(0o2750)
    assert main(["ingest", str(doc), "--out", str(out)]) == 0
    assert out.stat().st_mode & 0o7777 == 0o2750


def test_control_characters_in_a_document_become_spaces(tmp_path):
    text = RAW_2024.read_text(encoding="utf-8").replace("- 클러스터 활동 지원", "- 클러스터\x1b[2J 활동 지원", 1)
    doc = tmp_path / "doc.txt"
    doc.write_text(text, encoding="utf-8")
    assert main(["ingest", str(doc), "--out", str(tmp_path / "p")]) == 0
    items = (tmp_path / "p" / "line_items.csv").read_text(encoding="utf-8")
    assert "\x1b" not in items and "클러스터 [2J 활동 지원" in items


@pytest.mark.slow
def test_a_full_run_leaves_nothing_of_an_earlier_run(tmp_path, processed_2024):
    """Every notebook ran: the year folder is replaced whole (a table that became unavailable, or a chart
    that was removed, does not linger from the previous reports)."""
    import shutil

    from citynet_analysis.config import NOTEBOOK_DIR
    from citynet_analysis.reporting.batch import run_batch

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(NOTEBOOK_DIR / "03_trends.ipynb", notebooks)
    out = tmp_path / "reports"
    assert run_batch(years=[2024], data_dir=processed_2024, out_dir=out, progress=False,
                     notebook_dir=notebooks)[0].status == "ok"
    old = report_folder(out, 2024) / "tables" / "old_chart_data.csv"
    old.write_text("a\n1\n", encoding="utf-8")
    # unchanged inputs: up to date, nothing touched; forced (or any input changed): the folder is replaced whole
    assert run_batch(years=[2024], data_dir=processed_2024, out_dir=out, progress=False,
                     notebook_dir=notebooks)[0].status == "up to date"
    assert old.exists()
    run_batch(years=[2024], data_dir=processed_2024, out_dir=out, progress=False, notebook_dir=notebooks, force=True)
    assert not old.exists()
