"""The analysis notebooks: where they are, and re-executing them in place with their default parameters
so that their stored outputs (which nbval compares) match the code and data."""

from __future__ import annotations

import os
from pathlib import Path

from ... import config
from ...atomic import atomic_path
from ...errors import InputError, one_line


def notebook_paths(folder: str | os.PathLike | None = None) -> dict[str, Path]:
    """Notebook name (file stem) → path, in name order."""
    folder = Path(folder) if folder else config.NOTEBOOK_DIR
    return {p.stem: p for p in sorted(folder.glob("*.ipynb"))}


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
                raise InputError(str(path), f"{where}{one_line(exc)}; the stored notebook was not changed"
                                 ) from None
            finally:
                kernels.shutdown(km)
        for cell in nb.cells:  # no volatile metadata in the stored notebook
            cell.metadata.pop("execution", None)
        with atomic_path(path) as tmp:
            nbformat.write(nb, tmp)
        done.append(path)
    return done

