"""The analysis notebooks: where they are, and re-executing them in place with their default parameters
so that their stored outputs (which nbval compares) match the code and data."""

from __future__ import annotations

import os
from pathlib import Path

from .atomic import atomic_path
from .data import REPO_DIR

NOTEBOOK_DIR = REPO_DIR / "notebooks"
KERNEL = "python3"
TIMEOUT_S = 600


def notebook_paths(folder: str | os.PathLike | None = None) -> dict[str, Path]:
    """Notebook name (file stem) → path, in name order."""
    folder = Path(folder) if folder else NOTEBOOK_DIR
    return {p.stem: p for p in sorted(folder.glob("*.ipynb"))}


def refresh(paths: list[Path]) -> list[Path]:
    """Execute each notebook top to bottom with its stored (default) parameters, in its own folder, and
    replace it only when every cell ran; raises the first cell error otherwise."""
    import nbformat
    from nbclient import NotebookClient

    from .batch import _kernel_manager_class

    done = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=TIMEOUT_S, kernel_name=KERNEL, shutdown_kernel="immediate",
                                kernel_manager_class=_kernel_manager_class(cwd=str(path.parent)),
                                resources={"metadata": {"path": str(path.parent)}})
        client.execute()
        for cell in nb.cells:  # no volatile metadata in the stored notebook
            cell.metadata.pop("execution", None)
        with atomic_path(path) as tmp:
            nbformat.write(nb, tmp)
        done.append(path)
    return done
