"""Bad input: exit 2, a few lines on stderr naming file (and line), no traceback, output untouched."""

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from citynet_analysis.cli import main
from citynet_analysis.errors import InputError

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


# -- what the file system refuses is bad input too (exit 2, one line), never an internal error ----------------

#: A name longer than a file system allows for one part of a path (NAME_MAX is 255): stat says ENAMETOOLONG.
LONG = "n" * 300
#: A process id no process has (beyond Linux's largest pid_max): the run that left it was killed.
DEAD_PID = 999_999_999


@contextlib.contextmanager
def unwritable(folder):
    """``folder`` made really unwritable for this process, also as root (which permissions do not stop): the
    immutable flag (``chattr +i``) as root, mode 0555 otherwise; skips the test where neither works."""
    import errno
    import fcntl
    import struct

    get_flags, set_flags, immutable = 0x80086601, 0x40086602, 0x10  # FS_IOC_GETFLAGS, FS_IOC_SETFLAGS
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    flags = mode = None
    try:
        if os.geteuid() == 0:
            try:
                flags = struct.unpack("l", fcntl.ioctl(fd, get_flags, struct.pack("l", 0)))[0]
                fcntl.ioctl(fd, set_flags, struct.pack("l", flags | immutable))
            except OSError as exc:
                flags = None
                pytest.skip(f"cannot make a folder immutable here ({errno.errorcode.get(exc.errno)})")
        else:
            mode = folder.stat().st_mode & 0o7777
            folder.chmod(0o555)
        try:
            (folder / ".probe").touch()
        except OSError:
            pass
        else:
            (folder / ".probe").unlink()
            pytest.skip("the folder stays writable")
        yield folder
    finally:
        if flags is not None:
            fcntl.ioctl(fd, set_flags, struct.pack("l", flags))
        if mode is not None:
            folder.chmod(mode)
        os.close(fd)


def _one_line_error(capsys, *names):
    err = capsys.readouterr().err
    assert err.startswith("citynet-analysis: error: ") and err.count("\n") == 1, err
    assert "internal error" not in err and "Traceback" not in err
    for name in names:
        assert name in err, err
    return err


LONG_NAMES = {
    "kernel install --prefix": (["kernel", "install", "--prefix", "{tmp}/{long}"], "--prefix"),
    "kernel install --prefix, in a new folder": (["kernel", "install", "--prefix", "{tmp}/new/{long}"], "--prefix"),
    "notebooks copy": (["notebooks", "copy", "{tmp}/{long}"], LONG),
    "notebooks copy, into a new folder": (["notebooks", "copy", "{tmp}/new/{long}"], LONG),
    "new-notebook --notebooks-dir": (["new-notebook", "x_1", "--notebooks-dir", "{tmp}/{long}"], "--notebooks-dir"),
    "new-notebook --notebooks-dir, in a new folder": (["new-notebook", "x_1", "--notebooks-dir", "{tmp}/new/{long}"],
                                                      "--notebooks-dir"),
    "new-notebook NAME": (["new-notebook", LONG, "--notebooks-dir", "{tmp}"], "NAME"),
    "batch --notebooks-dir": (["batch", "--notebooks-dir", "{tmp}/{long}", "--out", "{tmp}/r"], "--notebooks-dir"),
    "batch --out": (["batch", "--out", "{tmp}/{long}"], "--out"),
    "batch --data": (["batch", "--data", "{tmp}/{long}", "--out", "{tmp}/r"], "--data"),
    "batch --figure-cache": (["batch", "--figure-cache", "{tmp}/{long}", "--out", "{tmp}/r"], "--figure-cache"),
    "ingest --out": (["ingest", str(RAW_2024), "--out", "{tmp}/{long}"], "--out"),
    "validate --data": (["validate", "--data", "{tmp}/{long}"], "--data"),
}


@pytest.mark.parametrize("case", sorted(LONG_NAMES))
def test_a_name_too_long_for_the_file_system_is_exit_2(case, tmp_path, capsys):
    argv, named = LONG_NAMES[case]
    assert main([a.format(long=LONG, tmp=tmp_path) for a in argv]) == 2
    _one_line_error(capsys, named)
    assert list(tmp_path.iterdir()) == []  # not even a folder made on the way


def test_a_folder_that_cannot_be_looked_into_is_exit_2(tmp_path, capsys, monkeypatch):
    """stat refused (EACCES: a folder on the way without search permission, which root cannot meet for
    real), as each command first looks at what it was given."""
    import errno

    locked = str(tmp_path / "locked")
    stat, lstat = os.stat, os.lstat

    def refusing(real):
        def call(path, *args, **kwargs):
            if isinstance(path, (str, os.PathLike)) and os.fspath(path).startswith(locked + os.sep):
                raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
            return real(path, *args, **kwargs)
        return call

    monkeypatch.setattr(os, "stat", refusing(stat))
    monkeypatch.setattr(os, "lstat", refusing(lstat))
    for argv, named in (
        (["kernel", "install", "--prefix", f"{locked}/env"], "--prefix"),
        (["notebooks", "copy", f"{locked}/mine"], f"{locked}/mine"),
        (["new-notebook", "x_1", "--notebooks-dir", f"{locked}/mine"], "--notebooks-dir"),
        (["batch", "--notebooks-dir", f"{locked}/mine"], "--notebooks-dir"),
    ):
        assert main(argv) == 2, argv
        assert "Permission denied" in _one_line_error(capsys, named)
    assert list(tmp_path.iterdir()) == []


def test_new_notebook_into_a_folder_that_cannot_be_written_is_exit_2(tmp_path, capsys):
    with unwritable(tmp_path / "nb") as folder:
        assert main(["new-notebook", "x_1", "--notebooks-dir", str(folder)]) == 2
        _one_line_error(capsys, "--notebooks-dir", str(folder), "nothing was written")
        assert list(folder.iterdir()) == []
    file = tmp_path / "file"
    file.write_text("x", encoding="utf-8")
    assert main(["new-notebook", "x_1", "--notebooks-dir", str(file / "sub" / "deeper")]) == 2
    _one_line_error(capsys, "--notebooks-dir")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "nb"] and file.read_text(encoding="utf-8") == "x"


def test_new_notebook_leaves_no_folder_it_made_when_it_fails(tmp_path, capsys, monkeypatch):
    import nbformat

    def full(nb, fp, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(nbformat, "write", full)
    assert main(["new-notebook", "x_1", "--notebooks-dir", str(tmp_path / "a" / "b")]) == 2
    _one_line_error(capsys, "--notebooks-dir", "No space left on device")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_notebooks_dir_is_refused_not_taken_for_the_default(blank, tmp_path, capsys, monkeypatch):
    from citynet_analysis import config
    from citynet_analysis.reporting.batch.notebook_files import new_notebook

    default = tmp_path / "default"
    monkeypatch.setattr(config, "NOTEBOOK_DIR", default)
    monkeypatch.chdir(tmp_path)
    assert main(["new-notebook", "x_1", "--notebooks-dir", blank]) == 2
    _one_line_error(capsys, "--notebooks-dir: must name a folder")
    with pytest.raises(InputError, match="--notebooks-dir: must name a folder"):
        new_notebook("x_1", blank)
    shutil.copy(sorted((REPO / "notebooks").glob("*.ipynb"))[0], tmp_path)  # the current folder has one
    assert main(["batch", "--notebooks-dir", blank, "--out", str(tmp_path / "r")]) == 2
    _one_line_error(capsys, "--notebooks-dir: must name a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == [sorted((REPO / "notebooks").glob("*.ipynb"))[0].name]


def test_the_help_says_which_commands_exit_1(capsys):
    text = " ".join(_help(capsys).split())
    assert "1 a notebook of the batch failed, or tidy-notebooks changed a file" in text


# -- kernel install: built outside kernels/, where Jupyter would list a half-made folder as a kernel --------


def _kernels(prefix):
    return sorted(p.name for p in (prefix / "share/jupyter/kernels").iterdir())


def test_kernel_install_builds_and_moves_aside_outside_the_kernels_folder(tmp_path, monkeypatch):
    from citynet_analysis.cli import kernel_install

    prefix = tmp_path / "env"
    seen = []
    write = kernel_install.write_kernel_spec

    def watching(path, *args, **kwargs):
        seen.append((Path(path), _kernels(prefix) if (prefix / "share/jupyter/kernels").exists() else []))
        return write(path, *args, **kwargs)

    monkeypatch.setattr(kernel_install, "write_kernel_spec", watching)
    rename = os.rename
    renamed = []

    def watching_rename(src, dst):
        renamed.append((Path(src), Path(dst), _kernels(prefix)))
        return rename(src, dst)

    monkeypatch.setattr(os, "rename", watching_rename)
    assert main(["kernel", "install", "--prefix", str(prefix)]) == 0
    assert main(["kernel", "install", "--prefix", str(prefix)]) == 0  # replaces its own
    kernels = prefix / "share/jupyter/kernels"
    assert [p.parent for p, _ in seen] == [prefix / "share/jupyter"] * 2
    assert all(listing in ([], ["citynet-analysis"]) for _, listing in seen)
    assert all(listing in ([], ["citynet-analysis"]) for _, _, listing in renamed)
    assert all(p.parent != kernels for src, dst, _ in renamed for p in (src, dst) if p != kernels / "citynet-analysis")
    assert _kernels(prefix) == ["citynet-analysis"] and sorted(p.name for p in (prefix / "share/jupyter").iterdir()) \
        == ["kernels"]


def test_kernel_install_cleans_up_after_its_own_killed_installs(tmp_path, capsys):
    prefix = tmp_path / "env"
    assert main(["kernel", "install", "--prefix", str(prefix)]) == 0
    jupyter, kernels = prefix / "share/jupyter", prefix / "share/jupyter/kernels"
    ours = kernels / "citynet-analysis"
    leftovers = [kernels / f".citynet-analysis.new-{DEAD_PID}-0123abcd",  # the earlier layout's
                 kernels / f".citynet-analysis.old-{DEAD_PID}-0123abce",
                 jupyter / f".citynet-analysis-kernel.new-{DEAD_PID}-0123abcf",
                 jupyter / f".citynet-analysis-kernel.old-{DEAD_PID}-0123abd0"]
    for leftover in leftovers:
        shutil.copytree(ours, leftover)
    elsewhere = tmp_path / "elsewhere"  # a symlinked kernel folder the earlier layout moved aside and left
    shutil.copytree(ours, elsewhere)
    (kernels / f".citynet-analysis.old-{DEAD_PID}-0123abd4").symlink_to(elsewhere)
    alive = jupyter / f".citynet-analysis-kernel.new-{os.getpid()}-0123abd1"  # a run still going: not touched
    foreign = [kernels / "python3", kernels / f".other.new-{DEAD_PID}-0123abd2"]
    for folder in (alive, *foreign):
        shutil.copytree(ours, folder)
    assert main(["kernel", "install", "--prefix", str(prefix)]) == 0
    assert _kernels(prefix) == sorted(["citynet-analysis", *(p.name for p in foreign)])
    assert sorted(p.name for p in jupyter.iterdir()) == [alive.name, "kernels"]
    assert _spec(prefix)["display_name"] == "Python (citynet-analysis)"
    assert (elsewhere / "kernel.json").is_file()  # the link is gone, what it pointed to is not ours to remove


def test_kernel_install_moves_back_the_kernel_a_killed_install_had_moved_aside(tmp_path, capsys, monkeypatch):
    from citynet_analysis.cli import kernel_install

    prefix = tmp_path / "env"
    assert main(["kernel", "install", "--prefix", str(prefix)]) == 0
    jupyter = prefix / "share/jupyter"
    os.rename(jupyter / "kernels/citynet-analysis", jupyter / f".citynet-analysis-kernel.old-{DEAD_PID}-0123abcd")

    def refused(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(kernel_install, "write_kernel_spec", refused)
    assert main(["kernel", "install", "--prefix", str(prefix)]) == 2
    _one_line_error(capsys, "--prefix", "No space left on device")
    assert _kernels(prefix) == ["citynet-analysis"] and sorted(p.name for p in jupyter.iterdir()) == ["kernels"]


def test_kernel_install_keeps_the_old_kernel_when_the_move_fails(tmp_path, capsys, monkeypatch):
    prefix = tmp_path / "env"
    assert main(["kernel", "install", "--prefix", str(prefix)]) == 0
    before = _tree(prefix)
    rename = os.rename

    def failing(src, dst):
        if Path(src).name.startswith(".citynet-analysis-kernel.new-"):
            raise OSError(5, "Input/output error")
        return rename(src, dst)

    monkeypatch.setattr(os, "rename", failing)
    assert main(["kernel", "install", "--prefix", str(prefix)]) == 2
    _one_line_error(capsys, "--prefix", "Input/output error")
    assert _tree(prefix) == before and sorted(p.name for p in (prefix / "share/jupyter").iterdir()) == ["kernels"]


def test_kernel_install_refuses_a_symlinked_kernel_folder(tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    assert main(["kernel", "install", "--prefix", str(elsewhere)]) == 0
    kernels = tmp_path / "env/share/jupyter/kernels"
    kernels.mkdir(parents=True)
    (kernels / "citynet-analysis").symlink_to(elsewhere / "share/jupyter/kernels/citynet-analysis")
    before = _tree(tmp_path)
    assert main(["kernel", "install", "--prefix", str(tmp_path / "env")]) == 2
    _one_line_error(capsys, str(kernels / "citynet-analysis"), "symbolic link")
    assert _tree(tmp_path) == before and _kernels(tmp_path / "env") == ["citynet-analysis"]
    assert (kernels / "citynet-analysis").is_symlink()
    assert sorted(p.name for p in (tmp_path / "env/share/jupyter").iterdir()) == ["kernels"]


def test_kernel_install_into_a_folder_that_cannot_be_written_is_exit_2(tmp_path, capsys):
    with unwritable(tmp_path / "env/share/jupyter"):
        assert main(["kernel", "install", "--prefix", str(tmp_path / "env")]) == 2
        _one_line_error(capsys, "--prefix", "nothing was changed")
    assert sorted(p.name for p in (tmp_path / "env/share/jupyter").iterdir()) == []


def test_the_kernel_installer_is_not_in_the_batchs_kernel_pool():
    from citynet_analysis.reporting.batch import kernels

    assert not hasattr(kernels, "install_analyst_kernel") and not hasattr(kernels, "KERNEL_SPEC_MARK")
