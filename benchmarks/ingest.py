"""Ingest speed: parse throughput over 500 parses of the 2024 document, the whole-process time of
`citynet-analysis ingest` as a ratio to `python -c "import pandas"` (the floor any pandas tool pays), and
how ingest time grows with the document: the 2024 document with 5,000 and 20,000 milestone lines (and
outcome items), whose time ratio is 4 when ingest is linear (16 if it were quadratic).

    python benchmarks/ingest.py [--parses 500] [--runs 5] [--scale 5000 20000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from citynet_analysis.documents.ingest import build_dataset, document_tables  # noqa: E402
from citynet_analysis.documents.parser import parse_document  # noqa: E402
from citynet_analysis.documents.textio import read_document  # noqa: E402

RAW = REPO / "data" / "raw" / "seoul_citynet_budget_explanation_2024.txt"


def _wall(cmd: list[str], runs: int, cwd: str) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=cwd)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def grown(text: str, kind: str, n: int) -> str:
    """The document with ``n`` more lines of one kind: dated milestones (under 추진경위) or outcome items
    (under the 2023 outcomes), each distinct, as a long document would hold them."""
    lines = text.split("\n")
    if kind == "milestones":
        at = lines.index("□ 2024년도 추진일정") - 1
        extra = [f"- {2000 + i % 24}.{1 + i % 12:02d}. 회원도시 협력 사업 {i}차 점검 회의 개최" for i in range(n)]
    else:
        at = next(i for i, line in enumerate(lines) if line.startswith("2023년도")) + 1
        extra = [f"○ 회원도시 {i}번 협력 세미나 개최({1 + i % 5}회)" for i in range(n)]
    return "\n".join(lines[:at] + extra + lines[at:])


def scaling(text: str, sizes: list[int]) -> None:
    """Ingest time of the document grown by each size, per kind, and the ratio of the largest to the
    smallest (linear: the ratio of the sizes)."""
    with tempfile.TemporaryDirectory() as d:
        for kind in ("milestones", "outcomes"):
            times = []
            for n in sizes:
                path = Path(d) / f"{kind}_{n}.txt"
                path.write_text(grown(text, kind, n), encoding="utf-8")
                t = time.perf_counter()
                build_dataset([path], relative_to=d)
                times.append(time.perf_counter() - t)
                print(f"ingest with {n:>7,} {kind:10}: {times[-1]:7.2f} s")
            print(f"  {kind}: time ratio {times[-1] / times[0]:.2f} for a size ratio {sizes[-1] / sizes[0]:.0f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parses", type=int, default=500)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scale", type=int, nargs="+", default=[5_000, 20_000], metavar="N",
                    help="milestone / outcome lines added to the document (default 5000 20000)")
    args = ap.parse_args()

    text = read_document(RAW)
    t = time.perf_counter()
    for _ in range(args.parses):
        parse_document(text, RAW.name)
    parse_s = time.perf_counter() - t

    t = time.perf_counter()
    for _ in range(args.parses):
        document_tables(parse_document(text, RAW.name), "citynet-fy2024", "citynet", RAW.name)
    checked_s = time.perf_counter() - t

    n_full = max(1, args.parses // 10)
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        for _ in range(n_full):
            build_dataset([RAW], relative_to=d)
        full_s = (time.perf_counter() - t) / n_full

        floor = _wall([sys.executable, "-c", "import pandas"], args.runs, d)
        ingest = _wall([sys.executable, "-m", "citynet_analysis", "ingest", str(RAW), "--out", f"{d}/out"],
                       args.runs, d)

    print(f"parse only:            {args.parses / parse_s:8.1f} documents/s ({args.parses} parses)")
    print(f"parse + checks:        {args.parses / checked_s:8.1f} documents/s ({args.parses} parses)")
    print(f"parse+check+merge+pandera: {1 / full_s:8.1f} documents/s ({n_full} runs)")
    print(f"`import pandas` process:   {floor:6.3f} s (median of {args.runs})")
    print(f"`citynet-analysis ingest`: {ingest:6.3f} s (median of {args.runs})")
    print(f"ingest / import-pandas ratio: {ingest / floor:5.2f}")
    scaling(text, args.scale)


if __name__ == "__main__":
    main()
