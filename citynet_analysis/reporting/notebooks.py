"""The analysis notebooks: where they are, and re-executing them in place with their default parameters
so that their stored outputs (which nbval compares) match the code and data."""

from __future__ import annotations

import os
import re
from pathlib import Path

from .. import config
from ..atomic import atomic_path
from ..errors import InputError


def notebook_paths(folder: str | os.PathLike | None = None) -> dict[str, Path]:
    """Notebook name (file stem) → path, in name order."""
    folder = Path(folder) if folder else config.NOTEBOOK_DIR
    return {p.stem: p for p in sorted(folder.glob("*.ipynb"))}


def cell_error(exc) -> str:
    """One line for a failed notebook cell: the exception's name and first line, no traceback, no colour."""
    name = getattr(exc, "ename", None) or type(exc).__name__
    value = re.sub(r"\x1b\[[0-9;]*m", "", str(getattr(exc, "evalue", "") or "")).strip().splitlines()
    return f"{name}: {value[0]}" if value else name


def refresh(paths: list[Path]) -> list[Path]:
    """Execute each notebook top to bottom with its stored (default) parameters, in its own folder, on a
    fresh kernel, and replace it only when every cell ran; a failing cell is an InputError naming it."""
    import tempfile

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from . import kernels

    done = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        with tempfile.TemporaryDirectory(prefix="citynet-kernel-") as runtime:
            km = kernels.start_kernel(cwd=path.parent, runtime_dir=runtime, warmup="")
            try:
                NotebookClient(nb, km=km, timeout=config.CELL_TIMEOUT_S, kernel_name=config.KERNEL,
                               resources={"metadata": {"path": str(path.parent)}}).execute()
            except CellExecutionError as exc:  # an analyst's cell failed: say which, without the traceback
                cell = next((i for i, c in enumerate(nb.cells, 1)
                             if any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
                where = f"cell {cell}: " if cell else ""
                raise InputError(str(path), f"{where}{cell_error(exc)}; the stored notebook was not changed"
                                 ) from None
            finally:
                kernels.shutdown(km)
        for cell in nb.cells:  # no volatile metadata in the stored notebook
            cell.metadata.pop("execution", None)
        with atomic_path(path) as tmp:
            nbformat.write(nb, tmp)
        done.append(path)
    return done


#: The memo figures under regression: the fiscal year whose figures the tests compare with the images
#: committed under ``tests/reporting/baseline/<lang>/`` (a checkout only).
BASELINE_YEAR = 2024


def baseline_dir() -> Path:
    return config.REPO_DIR / "tests" / "reporting" / "baseline"


def refresh_baselines(folder: Path | None = None) -> list[Path]:
    """Run the batch for :data:`BASELINE_YEAR` in each language, exactly as the tests do, and replace the
    committed baseline images (``<folder>/<lang>/<figure>.png``) with its memo figures. Run with
    ``refresh-notebooks`` so that stored outputs and baselines change in one step."""
    import shutil
    import tempfile

    from .batch import run_batch
    from .format import LANGS

    folder = Path(folder) if folder is not None else baseline_dir()
    written = []
    with tempfile.TemporaryDirectory(prefix="citynet-baselines-") as tmp:
        for lang in LANGS:
            out = Path(tmp) / lang
            jobs = run_batch(years=[BASELINE_YEAR], out_dir=out, lang=lang, progress=False)
            failed = [j for j in jobs if j.status != "ok"]
            if failed:
                raise InputError(failed[0].notebook, f"{failed[0].error}; the baselines were not changed")
            target = folder / lang
            staged = Path(tmp) / f"{lang}-baseline"
            staged.mkdir()
            for png in sorted((out / str(BASELINE_YEAR) / "figures").glob("*.png")):
                shutil.copy2(png, staged / png.name)
                written.append(target / png.name)
            if target.exists():
                shutil.rmtree(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(staged, target)
    return written
