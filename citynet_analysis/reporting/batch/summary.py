"""The batch's summary for the terminal: folder × notebook, failures and why jobs re-ran."""

from __future__ import annotations

from ..runs import Status
from . import run_keys
from .jobs import Job


def summary_table(jobs: list[Job]) -> str:
    """Folder (year, or program/year) × notebook: ok or failed with seconds, and where each failed notebook
    was kept."""
    names = list(dict.fromkeys(j.notebook for j in jobs))
    folders = list(dict.fromkeys(j.folder for j in jobs))
    cell = {(j.folder, j.notebook): "up to date" if j.status is Status.UP_TO_DATE else f"{j.status} {j.seconds:5.1f}s"
            for j in jobs}
    width = max([len(n) for n in names] + [12])
    first = max([len(f) for f in folders] + [4])
    lines = [f"{'reports':<{first}}  " + "  ".join(f"{n:<{width}}" for n in names)]
    for f in folders:
        lines.append(f"{f:<{first}}  " + "  ".join(f"{cell.get((f, n), ''):<{width}}" for n in names))
    for j in jobs:
        if not j.status.published:
            lines.append(f"{j.status}: {j.folder} {j.notebook}: {j.error} (kept in {j.path})")
    ran = [j for j in jobs if j.status is not Status.UP_TO_DATE]
    if not ran:
        lines.append(f"all {len(jobs)} notebook runs up to date: nothing re-run (--force runs them again)")
    else:
        lines.append(f"{len(jobs) - len(ran)} of {len(jobs)} notebook runs up to date; ran {len(ran)} "
                     f"({_reasons(ran)})")
    return "\n".join(lines)


def _reasons(jobs: list[Job]) -> str:
    """Why jobs re-ran, by the key parts that changed: ``notebook changed: 5, data changed: 3``."""
    counts: dict[str, int] = {}
    for j in jobs:
        for part in j.rerun_because:
            counts[part] = counts.get(part, 0) + 1
    return ", ".join(f"{p} changed: {n}" if p in run_keys.PARTS else f"{p}: {n}" for p, n in counts.items())
