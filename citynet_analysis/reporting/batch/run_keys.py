"""What a notebook run depends on, as a key: the batch re-runs a notebook only when its key differs from the
one of its last successful run in the reports folder (as Quarto's freeze or ploomber do).

The key has five parts, each a SHA-256 (recorded in ``manifest.json`` beside the key):

- ``data``: the fingerprint of the program's tables and the reference series (``Dataset.fingerprint``), so a
  document of another program changes nothing here;
- ``notebook``: what of the notebook changes what runs and what is published (:func:`notebook_digest`):
  its cells' sources, tags and attachments, not its stored outputs nor what an editor records about its
  last run or its view (so a notebook saved by another JupyterLab or Python keeps its key);
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
from . import notebook_files

#: The parameters that do not change what a run produces (where its outputs are staged).
UNKEYED_PARAMETERS = ("output_dir", "figure_cache", "data_fingerprint")  # the data part keys the last
PARTS = ("data", "notebook", "parameters", "package", "environment")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json(value) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


#: Cell metadata that records a cell's last run or its view in an editor, never what it does: what
#: ``tidy_notebook`` drops before committing (JupyterLab's and nbclient's ``execution`` timings, the
#: ExecuteTime extension's, papermill's per-cell times and status, collapsed and scrolled outputs), and hidden
#: source or outputs (``jupyter``), a collapsed heading, the editable/deletable locks, the old trust flag,
#: and what VS Code, PyCharm and Colab record. Everything else a cell carries is keyed: its ``tags`` (the
#: ``parameters`` cell, ``lang-ko``/``lang-en``, ``instructions``), the ``alt`` text the page template
#: reads, a raw cell's format, ``transient`` flags and whatever an extension may read.
VOLATILE_CELL_METADATA = frozenset(notebook_files.VOLATILE_CELL_METADATA) | {
    "jupyter", "jp-MarkdownHeadingCollapsed", "editable", "deletable", "trusted", "vscode", "pycharm",
    "colab", "executionInfo", "outputId", "id"}


def notebook_digest(path: Path) -> str:
    """The notebook as far as it decides what runs and what is published: for each cell, in order, its type,
    source, tags (as a set) and other metadata but :data:`VOLATILE_CELL_METADATA`, and a markdown or raw
    cell's attachments; of the notebook's metadata, the language papermill writes the parameters in
    (``language_info.name``, else ``kernelspec.language``) and the ``title`` a page falls back to.

    Left out, because they do not change what runs: stored outputs and execution counts (refreshing them
    does not make a run stale); cell ids (JupyterLab adds them to an older notebook); the nbformat minor
    version; ``language_info`` but its name (the Python version of whoever saved the notebook last: a
    conda user's JupyterLab writes its own patch version, and the batch runs every notebook on the batch's
    own Python, which the ``environment`` part keys); ``kernelspec`` (the batch always runs the notebook
    on :data:`~citynet_analysis.config.KERNEL` in its own Python, whichever kernel the notebook was saved
    with, e.g. the ``citynet-analysis`` kernel of an analyst's JupyterLab); widget state and papermill's
    record of an earlier run (``widgets``, ``papermill``), like outputs."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = []
    for c in nb.get("cells", []):
        meta = c.get("metadata") or {}
        kept = {k: v for k, v in meta.items() if k not in VOLATILE_CELL_METADATA and k != "tags"}
        source = c.get("source", "")
        cells.append({"type": c.get("cell_type"), "source": source if isinstance(source, str) else "".join(source),
                      "tags": sorted(set(meta.get("tags") or [])), "metadata": kept,
                      "attachments": c.get("attachments") or {}})
    meta = nb.get("metadata") or {}
    language = (meta.get("language_info") or {}).get("name") or (meta.get("kernelspec") or {}).get("language")
    return _sha(_json({"cells": cells, "language": language, "title": meta.get("title")}))


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
    installed, as it is. The Python version is the full one (3.11.7), patch included, on purpose: it is the
    interpreter the batch's kernels run on (``kernels.kernel_specs``), and a patch release can change what
    a notebook computes or draws. So a batch run from another Python (a conda user's) re-runs every
    notebook once, and never because a notebook was saved there: the ``notebook`` part does not see the
    version a notebook's ``language_info`` records."""
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
