"""What a notebook run depends on, as a key: the batch re-runs a notebook only when its key differs from the
one of its last successful run in the reports folder (as Quarto's freeze or ploomber do).

The key has five parts, each a SHA-256 (recorded in ``manifest.json`` beside the key):

- ``data``: the fingerprint of the program's tables and the reference series (``Dataset.fingerprint``), so a
  document of another program changes nothing here;
- ``notebook``: the notebook's cells (type, source, tags) and kernel, not its stored outputs;
- ``parameters``: what papermill injects, except the staging folder the outputs are written to;
- ``package``: the package's version and every file of its source (code, vocabularies, templates, fonts);
- ``environment``: the Python version and every installed distribution with its version."""

from __future__ import annotations

import functools
import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path

from ... import config

#: The parameters that do not change what a run produces (where its outputs are staged).
UNKEYED_PARAMETERS = ("output_dir", "figure_cache", "data_fingerprint")  # the data part keys the last
PARTS = ("data", "notebook", "parameters", "package", "environment")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json(value) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def notebook_digest(path: Path) -> str:
    """The notebook's code as the analyst wrote it: each cell's type, source and tags, and the kernel.
    Outputs are left out: refreshing the stored outputs does not make a run stale."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = [(c.get("cell_type"), "".join(c.get("source", "")), sorted(c.get("metadata", {}).get("tags", [])))
             for c in nb.get("cells", [])]
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    return _sha(_json({"cells": cells, "kernel": kernel}))


def parameters_digest(params: dict) -> str:
    return _sha(_json({k: v for k, v in params.items() if k not in UNKEYED_PARAMETERS}))


@functools.cache
def package_digest() -> str:
    """The version and every source file of the package (``__pycache__`` and the bundled data excluded:
    the data are keyed by their fingerprint)."""
    h = hashlib.sha256(config.VERSION.encode() + b"\0")
    root = config.PACKAGE_DIR
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if p.is_file() and "__pycache__" not in rel.parts and rel.parts[0] != "bundled" and p.suffix != ".pyc":
            h.update(rel.as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


@functools.cache
def environment_digest() -> str:
    """Python's version and the installed distributions (name and version): what the pinned environment
    installed, as it is."""
    dists = sorted({(d.metadata["Name"] or "").lower(): d.version for d in metadata.distributions()}.items())
    return _sha(_json({"python": platform.python_version(), "distributions": dists}))


def run_key(data: str, notebook: str, params: dict) -> tuple[str, dict[str, str]]:
    """The key of one notebook run and its parts, from the program's fingerprint ``data``, the
    :func:`notebook_digest` and the parameters."""
    parts = {"data": data, "notebook": notebook, "parameters": parameters_digest(params),
             "package": package_digest(), "environment": environment_digest()}
    return _sha(_json(parts)), parts


def changed_parts(old: dict | None, new: dict[str, str]) -> list[str]:
    """Which parts of a key differ from an earlier run's (all of them when it recorded none)."""
    if not isinstance(old, dict):
        return list(PARTS)
    return [p for p in PARTS if old.get(p) != new.get(p)]
