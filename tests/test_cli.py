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
        "executed + carried over + unspent = 800,000,000 won",
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


@pytest.mark.slow
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
    assert "executed + carried over + unspent" in capsys.readouterr().err


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


# -- the command line's help ---------------------------------------------------------------------------------


def _help(capsys, *args):
    assert main([*args, "--help"]) == 0
    return capsys.readouterr().out


def test_help_lists_every_command_on_one_line(capsys):
    import argparse

    from citynet_analysis.cli import build_parser

    text = _help(capsys)
    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    lines = text.splitlines()
    for name in commands.choices:
        line = next((ln for ln in lines if ln.split()[:1] == [name]), None)
        assert line is not None, f"{name} is not in --help:\n{text}"
        assert len(line.split(maxsplit=1)) == 2, f"{name} has no description on its line: {line!r}"
        following = lines[lines.index(line) + 1]
        assert following.strip() == "" or following.split()[0] in commands.choices, f"{name}'s help wraps"
    assert {"notebooks", "kernel", "new-notebook", "batch"} <= set(commands.choices)
    assert "`" not in text and "{" not in text  # no docstring markup, no raw choice lists


def test_batch_help_shows_the_languages_and_others_are_refused(capsys):
    text = _help(capsys, "batch")
    assert "{ko,en}" in text and "ko, en (default: ko)" in text
    assert main(["batch", "--lang", "fr"]) == 2
    err = capsys.readouterr().err
    assert "argument --lang: invalid choice: 'fr'" in err and len(err.splitlines()) == 1  # one line, no usage


def test_each_command_says_what_it_does_in_its_own_help(capsys):
    for command in (["batch"], ["validate"], ["notebooks", "copy"], ["kernel", "install"]):
        text = _help(capsys, *command)
        assert text.split("\n\n")[1].strip(), f"{command}: no description"


# -- notebooks copy ------------------------------------------------------------------------------------------


def test_notebooks_copy_writes_the_package_notebooks_into_a_new_folder(tmp_path, capsys):
    from citynet_analysis import config

    dest = tmp_path / "a" / "mine"
    assert main(["notebooks", "copy", str(dest)]) == 0
    sources = sorted(config.NOTEBOOK_DIR.glob("*.ipynb"))
    assert sources and _tree(dest) == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sources}
    out = capsys.readouterr().out
    assert f"--notebooks-dir {dest}" in out


def test_notebooks_copy_never_overwrites_and_writes_nothing_then(tmp_path, capsys):
    from citynet_analysis import config

    dest = tmp_path / "mine"
    dest.mkdir()
    first = sorted(config.NOTEBOOK_DIR.glob("*.ipynb"))[0].name
    (dest / first).write_text("my own edits", encoding="utf-8")
    (dest / "notes.txt").write_text("keep", encoding="utf-8")
    before = _tree(dest)
    assert main(["notebooks", "copy", str(dest)]) == 2
    err = capsys.readouterr().err
    assert err == f"citynet-analysis: error: {dest / first}: exists already; nothing was copied (an existing " \
                  "file is never overwritten: copy into another folder)\n"
    assert _tree(dest) == before and sorted(p.name for p in dest.iterdir()) == sorted([first, "notes.txt"])


def test_notebooks_copy_refuses_a_file_and_needs_an_action(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    assert main(["notebooks", "copy", str(target)]) == 2
    assert capsys.readouterr().err.startswith(f"citynet-analysis: error: {target}: exists and is not a folder")
    assert target.read_text(encoding="utf-8") == "x"
    assert main(["notebooks"]) == 2 and "ACTION" in capsys.readouterr().err


# -- kernel install ------------------------------------------------------------------------------------------


def _spec(folder):
    import json

    return json.loads((folder / "share/jupyter/kernels/citynet-analysis/kernel.json").read_text(encoding="utf-8"))


def test_kernel_install_writes_a_named_kernel_for_this_python(tmp_path, capsys):
    prefix = tmp_path / "env"
    assert main(["kernel", "install", "--prefix", str(prefix)]) == 0
    spec = _spec(prefix)
    assert spec["argv"][0] == sys.executable and spec["argv"][-4:] == ["-m", "ipykernel_launcher", "-f",
                                                                       "{connection_file}"]
    assert spec["display_name"] == "Python (citynet-analysis)" and spec["language"] == "python"
    assert "citynet-analysis" in capsys.readouterr().out
    assert main(["kernel", "install", "--prefix", str(prefix)]) == 0  # its own earlier install: updated
    assert sorted(p.name for p in (prefix / "share/jupyter/kernels").iterdir()) == ["citynet-analysis"]


def test_kernel_install_for_the_user_goes_to_the_jupyter_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))
    assert main(["kernel", "install"]) == 0
    assert (tmp_path / "data/kernels/citynet-analysis/kernel.json").is_file()


def test_kernel_install_never_replaces_a_kernel_it_did_not_install(tmp_path, capsys):
    foreign = tmp_path / "env/share/jupyter/kernels/citynet-analysis"
    foreign.mkdir(parents=True)
    (foreign / "kernel.json").write_text('{"argv": ["other"], "display_name": "theirs"}', encoding="utf-8")
    before = _tree(tmp_path)
    assert main(["kernel", "install", "--prefix", str(tmp_path / "env")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"citynet-analysis: error: {foreign}: a kernel spec named citynet-analysis is there")
    assert len(err.splitlines()) == 1 and _tree(tmp_path) == before
    assert main(["kernel", "install", "--user", "--prefix", str(tmp_path)]) == 2
