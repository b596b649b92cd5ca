"""Batch speed, measured in one run on this machine:

(a) a plain sequential loop of the ``papermill`` command over the same notebooks and years;
(b) ``citynet-analysis batch`` with all its exports (HTML, figures, CSV/xlsx tables), default jobs, with an
    empty figure cache (every figure is drawn by its notebook's kernel and rendered at least once);
(c) papermill on a floor notebook that only imports pandas and matplotlib (kernel start + imports).

Prints batch/(a) (goal ≤ 0.4) and slowest notebook/(c) (goal ≤ 1.3) two ways: a notebook's whole time in
the batch (its papermill run on a pre-started kernel, then its HTML export), and its papermill run alone,
which is what (c) measures for the floor notebook (papermill starting its own kernel).

    python benchmarks/batch.py [--years 2020 2021 ...] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from citynet_analysis import load  # noqa: E402
from citynet_analysis.reporting.batch import run_batch  # noqa: E402
from citynet_analysis.reporting.notebooks import notebook_paths  # noqa: E402

BIN = Path(sys.executable).parent


def floor_notebook(path: Path) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("fiscal_year = 2024", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("import pandas\nimport matplotlib")]
    nbformat.write(nb, path)


def time_floor(path: Path, out: Path, runs: int) -> float:
    import papermill as pm

    times = []
    for _ in range(runs):
        t = time.perf_counter()
        pm.execute_notebook(str(path), str(out), parameters={"fiscal_year": 2024}, kernel_name="python3",
                            progress_bar=False)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description="batch speed against plain papermill")
    ap.add_argument("--years", nargs="*", type=int)
    ap.add_argument("--runs", type=int, default=3, help="runs of the floor notebook (median)")
    args = ap.parse_args()
    years = args.years or load().fiscal_years()
    notebooks = notebook_paths()

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        # (c) floor
        floor = tmp / "floor.ipynb"
        floor_notebook(floor)
        time_floor(floor, tmp / "floor_out.ipynb", 1)  # warm the disk cache
        c = time_floor(floor, tmp / "floor_out.ipynb", args.runs)

        # (a) sequential papermill CLI
        t = time.perf_counter()
        for year in years:
            for name, path in notebooks.items():
                subprocess.run([str(BIN / "papermill"), "--no-progress-bar", "--log-level", "ERROR", str(path),
                                str(tmp / f"a_{year}_{name}.ipynb"), "-p", "fiscal_year", str(year)],
                               check=True, capture_output=True, cwd=path.parent)
        a = time.perf_counter() - t

        # (b) our batch, whole process
        t = time.perf_counter()
        subprocess.run([str(BIN / "citynet-analysis"), "batch", "--no-progress", "--out", str(tmp / "reports"),
                        "--years", *map(str, years)], check=True, capture_output=True,
                       env=dict(os.environ, CITYNET_CACHE_DIR=str(tmp / "cache")))
        b = time.perf_counter() - t
        manifest = json.loads((tmp / "reports" / "manifest.json").read_text(encoding="utf-8"))["runs"]
        slowest = max(manifest, key=lambda e: e["seconds"])

        # the same notebooks one at a time (no contention), for reference
        os.environ["CITYNET_CACHE_DIR"] = str(tmp / "cache1")
        jobs = run_batch(years=years, out_dir=tmp / "reports1", jobs=1, progress=False)
        slowest_alone = max(jobs, key=lambda j: j.seconds)

    n = len(years) * len(notebooks)
    print(f"notebook runs: {n} ({len(notebooks)} notebooks x {len(years)} years)")
    print(f"(a) sequential papermill CLI loop:  {a:7.2f} s")
    print(f"(b) citynet-analysis batch:          {b:7.2f} s")
    print(f"(c) floor notebook (median of {args.runs}):   {c:7.2f} s")
    print(f"batch / (a):                         {b / a:7.2f}   (goal <= 0.4)")
    print(f"slowest notebook in the batch: {slowest['year']} {slowest['notebook']} {slowest['seconds']:.2f} s; "
          f"/ (c) = {slowest['seconds'] / c:.2f}   (goal <= 1.3)")
    slowest_run = max(manifest, key=lambda e: e["execute_seconds"])
    print(f"slowest papermill run in the batch, without its HTML export: {slowest_run['year']} {slowest_run['notebook']} "
          f"{slowest_run['execute_seconds']:.2f} s; / (c) = {slowest_run['execute_seconds'] / c:.2f}")
    print(f"slowest notebook run alone (--jobs 1): {slowest_alone.year} {slowest_alone.notebook} "
          f"{slowest_alone.seconds:.2f} s; / (c) = {slowest_alone.seconds / c:.2f}")
    alone_run = max(jobs, key=lambda j: j.execute_seconds)
    print(f"slowest papermill run alone (--jobs 1), without its export: {alone_run.year} {alone_run.notebook} "
          f"{alone_run.execute_seconds:.2f} s; / (c) = {alone_run.execute_seconds / c:.2f}")


if __name__ == "__main__":
    main()
