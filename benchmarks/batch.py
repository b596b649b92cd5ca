"""Batch speed, each figure a ratio of two times measured in the same run on this machine:

(a) a plain sequential loop of the ``papermill`` command over the same notebooks and years;
(b) ``citynet-analysis batch`` with all its exports (HTML, figures, CSV/xlsx tables, Word memo, portal),
    default jobs, into an empty reports folder with an empty figure cache;
(b') the same command again with nothing changed (every notebook up to date);
(c) papermill (Python API, its own kernel) on a floor notebook that only imports pandas and matplotlib;
(d) papermill the same way on each analysis notebook, for the year it was slowest in (a): the notebook
    draws its own charts.

Goals: (b)/(a) <= 0.3, (b')/(b) <= 0.1, slowest (d)/(c) <= 1.3.

``--items 100 10000`` instead measures how a notebook's time grows with the document: the 2024 document
with that many more 사업비 sub-items, ingested, and each notebook run on it once (papermill, its own kernel),
as a ratio to the smallest size (the charts show the largest items and group the rest, so the ratio should
stay near 1, not grow with the item count).

    python benchmarks/batch.py [--years 2020 2021 ...] [--runs 3]
    python benchmarks/batch.py --items 100 10000
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
from citynet_analysis.reporting.batch.notebook_files import notebook_paths  # noqa: E402

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


def time_notebook(path: Path, out: Path, year: int, runs: int) -> float:
    """Median seconds of papermill running ``path`` for ``year`` on a kernel of its own."""
    import papermill as pm

    times = []
    for _ in range(runs):
        t = time.perf_counter()
        pm.execute_notebook(str(path), str(out), parameters={"fiscal_year": year}, kernel_name="python3",
                            progress_bar=False, cwd=None)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


RAW = REPO / "data" / "raw" / "seoul_citynet_budget_explanation_2024.txt"


def with_items(text: str, n: int) -> str:
    """The 2024 document with ``n`` more 사업비 sub-items of 1,000천원 each, after its last one (the 사업비
    total then disagrees with its items: a slip the tools flag, which costs nothing here)."""
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("○ 2024 서울의 밤"))
    extra = []
    for i in range(n):
        extra += [f"- 회원도시 협력 사업 {i}\t=\t1,000천원", "1,000,000원\t\t"]
    return "\n".join(lines[:at] + extra + lines[at:])


def item_scaling(sizes: list[int]) -> None:
    """Seconds per notebook (FY2024, papermill on a kernel of its own) for documents with ``sizes`` more
    line items, and the ratio of each size's time to the smallest's."""
    from citynet_analysis.dataset.store import write_dataset
    from citynet_analysis.documents.ingest import build_dataset

    notebooks = notebook_paths()
    times: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for n in sizes:
            doc = tmp / f"citynet_{n}.txt"
            doc.write_text(with_items(RAW.read_text(encoding="utf-8"), n), encoding="utf-8")
            data = tmp / f"data_{n}"
            write_dataset(build_dataset([doc], relative_to=data), data)
            times[n] = {}
            for name, path in notebooks.items():
                import papermill as pm

                t = time.perf_counter()
                pm.execute_notebook(str(path), str(tmp / f"{name}_{n}.ipynb"), kernel_name="python3",
                                    parameters={"fiscal_year": 2024, "data_dir": str(data)}, progress_bar=False)
                times[n][name] = time.perf_counter() - t
    base = min(sizes)
    for n in sizes:
        print(f"+{n:>6} items: " + ", ".join(f"{name} {secs:6.2f} s (x{secs / times[base][name]:.2f})"
                                              for name, secs in times[n].items()))


def main() -> None:
    ap = argparse.ArgumentParser(description="batch speed against plain papermill")
    ap.add_argument("--years", nargs="*", type=int)
    ap.add_argument("--runs", type=int, default=3, help="runs of the floor and of each notebook (median)")
    ap.add_argument("--items", nargs="+", type=int, help="time per notebook against more line items instead")
    args = ap.parse_args()
    if args.items:
        item_scaling(args.items)
        return
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
        each: dict[tuple[str, int], float] = {}
        t = time.perf_counter()
        for year in years:
            for name, path in notebooks.items():
                t1 = time.perf_counter()
                subprocess.run([str(BIN / "papermill"), "--no-progress-bar", "--log-level", "ERROR", str(path),
                                str(tmp / f"a_{year}_{name}.ipynb"), "-p", "fiscal_year", str(year)],
                               check=True, capture_output=True, cwd=path.parent)
                each[(name, year)] = time.perf_counter() - t1
        a = time.perf_counter() - t

        # (b) our batch, whole process, then (b') the same again with nothing changed
        command = [str(BIN / "citynet-analysis"), "batch", "--no-progress", "--out", str(tmp / "reports"),
                   "--years", *map(str, years)]
        command += ["--figure-cache", str(tmp / "cache")]
        env = dict(os.environ)
        t = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        b = time.perf_counter() - t
        manifest = json.loads((tmp / "reports" / "manifest.json").read_text(encoding="utf-8"))["runs"]
        t = time.perf_counter()
        rerun = subprocess.run(command, check=True, capture_output=True, env=env, text=True)
        b2 = time.perf_counter() - t
        assert "nothing re-run" in rerun.stdout, rerun.stdout

        # (d) each notebook alone, for its slowest year in (a)
        alone = {}
        for name, path in notebooks.items():
            year = max(years, key=lambda y, name=name: each[(name, y)])
            alone[(name, year)] = time_notebook(path, tmp / f"d_{name}.ipynb", year, args.runs)

    n = len(years) * len(notebooks)
    execute = sum(e["execute_seconds"] for e in manifest)
    export = sum(e["seconds"] - e["execute_seconds"] for e in manifest)
    print(f"notebook runs: {n} ({len(notebooks)} notebooks x {len(years)} years)")
    print(f"(a) sequential papermill CLI loop:   {a:7.2f} s")
    print(f"(b) citynet-analysis batch:           {b:7.2f} s   (papermill runs {execute:.1f} s and HTML exports "
          f"{export:.1f} s summed over the parallel jobs)")
    print(f"(b') the same, nothing changed:       {b2:7.2f} s")
    print(f"(c) floor notebook (median of {args.runs}):    {c:7.2f} s")
    for (name, year), secs in alone.items():
        print(f"(d) {name} FY{year} alone (median of {args.runs}): {secs:6.2f} s; / (c) = {secs / c:.2f}")
    (name, year), slowest = max(alone.items(), key=lambda kv: kv[1])
    print()
    print(f"full batch / sequential loop   (b)/(a)  = {b / a:5.2f}   (goal <= 0.3)")
    print(f"no-change re-run / full batch  (b')/(b) = {b2 / b:5.2f}   (goal <= 0.1)")
    print(f"slowest notebook alone / floor (d)/(c)  = {slowest / c:5.2f}   (goal <= 1.3; {name} FY{year})")


if __name__ == "__main__":
    main()
