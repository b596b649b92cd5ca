"""Bad input: exit 2, a few lines on stderr naming file (and line), no traceback, output untouched."""

import hashlib
import subprocess
import sys

import pytest

from citynet_analysis.cli import main

from .conftest import RAW_2024, REPO


def _tree(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture()
def out(tmp_path):
    """An output folder that already holds a good data set."""
    folder = tmp_path / "out"
    assert main(["ingest", str(RAW_2024), "--out", str(folder)]) == 0
    return folder


def _edit(text, old, new, count=1):
    assert old in text
    return text.replace(old, new, count)


BAD = {
    "empty": (lambda t: b"", "file is empty", None),
    "binary": (lambda t: bytes(range(256)) * 8, "not a text document", None),
    "cut_in_basis": (lambda t: "\n".join(t.split("\n")[:50]).encode(), "ends inside 산출근거", 50),
    "settlement_text": (
        lambda t: _edit(
            t,
            "(x-) 698,747\t(x-) 0\t(x-) 0\t(x-) 698,747\t(x-) 698,747",
            "(x-) 698,747\t(x-) 0\t(x-) 0\t(x-) 698,747\t(x-) 육십구만",
        ).encode(),
        "not an amount: '(x-) 육십구만'",
        129,
    ),
    "no_summary": (
        lambda t: "\n".join(t.split("\n")[:23] + t.split("\n")[32:]).encode(),
        "no 예산 총괄",
        None,
    ),
}


# slips in the document's own figures: read and flagged; ``--strict`` refuses them as bad input
SLIPS = {
    "sub_items": (
        lambda t: _edit(_edit(t, "=\t92,000천원", "=\t93,000천원"), "92,000,000원", "93,000,000원").encode(),
        "sub-items of 사업비 (from line 43) sum to 481,350,000 won",
        42,
    ),
    "settlement_identity": (
        lambda t: _edit(
            t,
            "(x-) 834,395\t(x-) 0\t(x-) 0\t(x-) 834,395\t(x-) 834,395",
            "(x-) 834,395\t(x-) 0\t(x-) 0\t(x-) 834,395\t(x-) 800,000",
        ).encode(),
        "집행액 + 차년이월 + 집행잔액 = 800,000,000 won",
        130,
    ),
}


@pytest.mark.parametrize("case", sorted(SLIPS))
def test_a_slip_is_flagged_and_strict_refuses_it(case, out, tmp_path, text_2024, capsys):
    make, message, line = SLIPS[case]
    bad = tmp_path / f"{case}.txt"
    bad.write_bytes(make(text_2024))
    before = _tree(out)
    capsys.readouterr()
    assert main(["ingest", str(bad), "--out", str(out), "--strict"]) == 2
    err = capsys.readouterr().err
    assert message in err and f"{bad}:{line}:" in err and "Traceback" not in err
    assert _tree(out) == before
    assert main(["ingest", str(bad), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert err.startswith("citynet-analysis: 2 error(s) in the documents") and message in err  # with the formula
    assert main(["validate", "--data", str(out)]) == 0


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input(case, out, tmp_path, text_2024, capsys):
    make, message, line = BAD[case]
    bad = tmp_path / f"{case}.txt"
    bad.write_bytes(make(text_2024))
    before = _tree(out)
    capsys.readouterr()
    assert main(["ingest", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert f"{bad}:{line}:" in err if line else f"{bad}:" in err
    assert 1 <= len(err.strip().splitlines()) <= 6
    assert "Traceback" not in err
    assert _tree(out) == before
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".out")]  # no temporary folder left


def test_missing_path(out, tmp_path, capsys):
    before = _tree(out)
    assert main(["ingest", str(tmp_path / "nope.txt"), "--out", str(out)]) == 2
    assert "nope.txt: no such file" in capsys.readouterr().err
    assert _tree(out) == before


def test_bad_input_in_a_real_process_prints_no_traceback(tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    out = tmp_path / "out"
    r = subprocess.run(
        [sys.executable, "-m", "citynet_analysis", "ingest", str(bad), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert r.returncode == 2
    assert r.stderr.strip() == f"citynet-analysis: error: {bad}: file is empty"
    assert not out.exists()


def test_debug_shows_the_traceback(tmp_path, capsys):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    assert main(["--debug", "ingest", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "Traceback" in capsys.readouterr().err


def test_validate_and_years(capsys, processed_2024):
    assert main(["validate", "--data", str(processed_2024)]) == 0
    text = capsys.readouterr().out
    assert "1 error, 2 warning, 2 info" in text and "error   citynet-fy2024:56 [line_item_formula]" in text
    assert main(["years", "--data", str(processed_2024)]) == 0
    years = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines())
    assert years["settlements"] == "2020 2021 2022" and years["activities"] == "2021 2022 2023"
    assert years["budget_totals"] == "2023 2024"


def test_validate_catches_an_edited_data_set(out, capsys):
    path = out / "settlements.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "698747000,0,0,698747000,698747000", "698747000,0,0,698747000,600000000"
        ),
        encoding="utf-8",
    )
    assert main(["validate", "--data", str(out)]) == 2
    assert "집행액 + 차년이월 + 집행잔액" in capsys.readouterr().err


def test_validate_on_a_folder_without_data(tmp_path, capsys):
    assert main(["validate", "--data", str(tmp_path)]) == 2
    assert "not a processed data set" in capsys.readouterr().err


def test_repo_layout_has_no_shared_reads():
    for p in (REPO / "citynet_analysis").rglob("*.py"):
        assert "shared/" not in p.read_text(encoding="utf-8"), p


def test_a_notebooks_dir_that_holds_no_notebook_is_refused(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    for folder in (empty, tmp_path / "missing"):
        assert main(["batch", "--notebooks-dir", str(folder), "--out", str(tmp_path / "r")]) == 2
        err = capsys.readouterr().err
        assert err.startswith("citynet-analysis: error: --notebooks-dir:") and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()
