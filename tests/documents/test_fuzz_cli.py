"""The real command on mutated documents: ``ingest`` either succeeds with a data set that ``validate``
accepts, or exits 2 with one line per problem naming the file, no traceback and no output folder.

The bulk runs ``citynet_analysis.cli.main`` in-process (the console script's entry point, stdout and
stderr captured); a few examples also run ``python -m citynet_analysis`` as a real process.
``CITYNET_FUZZ_EXAMPLES`` (default 20) and ``CITYNET_FUZZ_PROCESS_EXAMPLES`` (default 3) set the
numbers of examples; the in-process run prints how many ended with each exit code (``pytest -s``).

Below the fuzz, hand-written regressions for inputs that used to end in exit 3 (internal error) or in a
silent exit 0: a budget summary header with spaces for tabs, (A) and (B) labelled with one year, amounts
beyond int64, a settlement row whose year is mistyped."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
from collections import Counter
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from citynet_analysis.cli import main

from ..conftest import RAW_2024, REPO
from ..mutations import mutated_documents

EXAMPLES = int(os.environ.get("CITYNET_FUZZ_EXAMPLES", "20"))
PROCESS_EXAMPLES = int(os.environ.get("CITYNET_FUZZ_PROCESS_EXAMPLES", "3"))
PREFIX = "citynet-analysis: error: "


def in_process(args: list[str]) -> tuple[int, str]:
    """Exit code and stderr of the command run through ``cli.main``."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(args)
    return code, err.getvalue()


def as_process(args: list[str]) -> tuple[int, str]:
    """Exit code and stderr of ``python -m citynet_analysis`` in a process of its own."""
    r = subprocess.run([sys.executable, "-m", "citynet_analysis", *args], capture_output=True, text=True,
                       cwd=REPO, timeout=120)
    return r.returncode, r.stderr


def check_ingest(path: Path, run) -> int:
    """Ingest ``path`` into a fresh folder beside it with ``run`` and check the outcome; returns the code."""
    out = path.parent / "out"
    code, err = run(["ingest", str(path), "--out", str(out)])
    assert "Traceback" not in err, err
    if code == 0:
        vcode, verr = run(["validate", "--data", str(out)])
        assert vcode == 0, verr
        return code
    assert code == 2, err
    lines = err.strip().splitlines()
    assert lines, "exit 2 without a message"
    assert lines[0].startswith(f"{PREFIX}{path}"), lines[0]
    assert all(ln.startswith(f"{PREFIX}{path}") or ln.startswith("citynet-analysis: … and ") for ln in lines), err
    assert not out.exists()
    assert [p.name for p in path.parent.iterdir()] == [path.name], "something was left beside the document"
    return code


def _fuzz(examples: int, run) -> Counter:
    counts: Counter = Counter()

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(mutated_documents())
    def one(text):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "mutated.txt"
            path.write_text(text, encoding="utf-8")
            counts[check_ingest(path, run)] += 1

    one()
    return counts


@pytest.mark.slow
def test_cli_on_mutated_documents_in_process():
    counts = _fuzz(EXAMPLES, in_process)
    print(f"\nfuzz (in-process): {sum(counts.values())} examples; "
          + ", ".join(f"exit {c}: {n}" for c, n in sorted(counts.items())))
    assert set(counts) <= {0, 2}


@pytest.mark.slow
def test_cli_on_mutated_documents_as_a_process():
    counts = _fuzz(PROCESS_EXAMPLES, as_process)
    assert set(counts) <= {0, 2}


# -- regressions: each of these ended in exit 3 or was silently accepted (exit 0) ------------------------

def _lines():
    return RAW_2024.read_text(encoding="utf-8").split("\n")


def _replace_line(start: str, old: str, new: str, count: int = 1) -> tuple[str, int]:
    """The 2024 document with ``old`` → ``new`` in the one line starting with ``start``; and that line."""
    lines = _lines()
    (i,) = [k for k, ln in enumerate(lines) if ln.startswith(start)]
    assert old in lines[i]
    lines[i] = lines[i].replace(old, new, count)
    return "\n".join(lines), i + 1


CASES = {
    # a budget summary header whose columns are separated by spaces
    "summary_header_spaces": (
        lambda: _replace_line("구 분\t2023", "\t", "  ", -1),
        "예산 총괄 header needs one (A) and one (B) column",
    ),
    "summary_same_year": (
        lambda: _replace_line("구 분\t2023", "2023예산액", "2024예산액"),
        "예산 총괄 columns (A) and (B) are both labelled 2024",
    ),
    "formula_overflow": (
        lambda: _replace_line("833,330원*12개월", "12개월", "99999999999999999999개월"),
        "basis of line item '사무관리비': '833,330원*99999999999999999999개월' is beyond the largest amount",
    ),
    "settlement_20_digits": (
        lambda: _replace_line("2021\t", "698,747", "12345678901234567890"),
        "결산 2021 최종예산: '12345678901234567890' is beyond the largest amount read (1,000,000,000,000,000)",
    ),
    "settlement_year_mistyped": (
        lambda: _replace_line("2022\t", "2022", "20999"),
        "결산 row '20999' does not start with a year (YYYY)",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_regression_exit_2_naming_file_and_line(case, tmp_path):
    make, message = CASES[case]
    text, line = make()
    path = tmp_path / f"{case}.txt"
    path.write_text(text, encoding="utf-8")
    code, err = in_process(["ingest", str(path), "--out", str(tmp_path / "out")])
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{PREFIX}{path}:{line}: ")
    assert message in lines[0]
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_regression_overflow_in_a_real_process(tmp_path):
    text, line = CASES["settlement_20_digits"][0]()
    path = tmp_path / "huge.txt"
    path.write_text(text, encoding="utf-8")
    code, err = as_process(["ingest", str(path), "--out", str(tmp_path / "out")])
    assert code == 2
    assert err.startswith(f"{PREFIX}{path}:{line}: 결산 2021 최종예산") and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
