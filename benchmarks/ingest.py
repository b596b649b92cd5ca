"""Ingest speed: parse throughput over 500 parses of the 2024 document, and the whole-process time of
`citynet-analysis ingest` as a ratio to `python -c "import pandas"` (the floor any pandas tool pays).

    python benchmarks/ingest.py [--parses 500] [--runs 5]
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parses", type=int, default=500)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    text = read_document(RAW)
    t = time.perf_counter()
    for _ in range(args.parses):
        parse_document(text, RAW.name)
    parse_s = time.perf_counter() - t

    t = time.perf_counter()
    for _ in range(args.parses):
        document_tables(parse_document(text, RAW.name), "citynet-fy2024")
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


if __name__ == "__main__":
    main()
