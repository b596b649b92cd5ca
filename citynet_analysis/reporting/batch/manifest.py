"""The reports folder's manifest (``manifest.json``): the runs whose reports its year folders hold and the
paths earlier batches own, the rule that the batch replaces only those, and writing it after the portal."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from ...atomic import remove_tree, write_text
from ...config import FAILED_DIR, FIGURES_DIR, INDEX_FILE, MANIFEST_FILE, TABLES_DIR
from ...errors import InputError
from ..notebook.figures import SAVE_FORMATS
from ..notebook.records import Kind, read_records
from ..publishers import publish_site, registered
from ..publishers.publisher import Scope
from ..runs import RunEntry, Status, file_digest, relative_path

MANIFEST = MANIFEST_FILE
INDEX = INDEX_FILE
GENERATOR = "citynet-analysis batch"


def _owned_paths(manifest) -> set[str]:
    """The paths (relative to the reports folder) that earlier batches wrote, as their manifest says."""
    if isinstance(manifest, dict):
        return {str(p) for p in manifest.get("owned", [])}
    owned = set()  # the first manifest format: a list of runs
    for e in manifest:
        path = Path(str(e.get("path", "")))
        owned.add(path.parts[0] if path.parts and path.parts[0] != FAILED_DIR else "/".join(path.parts[:2]))
    return owned | {INDEX}


def read_manifest(out: Path) -> dict:
    """The reports folder's manifest, or an empty one for a new folder. InputError (exit 2) when the folder
    cannot be ours: ``--out`` is a file or under one, or its manifest.json was not written by a batch."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise InputError("--out", f"{out}: exists and is not a folder")
    blocking = next((p for p in out.parents if p.exists() or p.is_symlink()), None)
    if blocking is not None and not blocking.is_dir():
        raise InputError("--out", f"{out}: {blocking} is not a folder")
    path = out / MANIFEST
    if not path.exists():
        return {"generator": GENERATOR, "runs": [], "owned": []}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(manifest, list):  # the first manifest format
            manifest = {"generator": GENERATOR, "runs": manifest, "owned": sorted(_owned_paths(manifest))}
        if manifest.get("generator") != GENERATOR or not isinstance(manifest.get("runs"), list):
            raise ValueError("not ours")
        manifest["runs"] = [RunEntry.from_json(e) for e in manifest["runs"]]
        if not isinstance(manifest.get("index_sha256", ""), str):
            raise ValueError("not ours")
        if not isinstance(manifest.get("owned", []), list) or not all(
                isinstance(p, str) and relative_path(p) for p in manifest.get("owned", [])):
            raise ValueError("not ours")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise InputError(str(path), "not a manifest written by citynet-analysis batch; "
                                    "choose another --out folder") from None
    return manifest


def _symlink_inside(folder: Path) -> Path | None:
    for p in folder.rglob("*"):
        if p.is_symlink():
            return p
    return None


def record_owned(out: Path, manifest: dict, owned: set[str]) -> None:
    """Write the manifest with ``owned`` before the paths are moved into place."""
    manifest["owned"] = sorted(owned | {INDEX})
    document = {"generator": GENERATOR, "runs": [e.to_json() for e in manifest.get("runs", [])],
                "owned": manifest["owned"], "index_sha256": manifest.get("index_sha256", "")}
    write_text(out / MANIFEST, json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def check_reports_target(out: Path, folders: list) -> dict:
    """Everything the batch may replace or write into in ``out`` (the year folders ``2024`` or
    ``wego/2024`` and their program folder, failed/<folder>, index.html, manifest.json) is absent or was
    written by an earlier batch; files beside them are never touched. Returns the manifest; raises
    InputError (exit 2) before anything is written otherwise."""
    manifest = read_manifest(out)
    owned = _owned_paths(manifest) | ({MANIFEST} if (out / MANIFEST).exists() else set())
    folders = [str(f) for f in folders]
    programs = sorted({f.split("/")[0] for f in folders if "/" in f})
    wanted = [INDEX, MANIFEST] + programs + folders + [f"{FAILED_DIR}/{p}" for p in programs] + [
        f"{FAILED_DIR}/{f}" for f in folders]
    failed = out / FAILED_DIR
    if failed.is_symlink() or (failed.exists() and not failed.is_dir()):
        raise InputError("--out", f"{failed}: exists and is not a folder written by citynet-analysis")
    for rel in wanted:
        target = out / rel
        if (target.exists() or target.is_symlink()) and rel not in owned:
            raise InputError("--out", f"{target}: was not written by citynet-analysis batch; not replacing it "
                                      "(move it away or choose another --out folder)")
        if rel not in (INDEX, MANIFEST) and target.exists() and (target.is_symlink() or not target.is_dir()):
            raise InputError("--out", f"{target}: exists and is not a folder")
        link = (_symlink_inside(target) if rel not in [INDEX, MANIFEST, *programs] and target.is_dir()
                and not target.is_symlink() else None)
        if link is not None:
            raise InputError("--out", f"{link}: a link inside the reports, which the batch does not follow; "
                                      "remove it")
    return manifest


def _only(done: dict) -> str | None:
    """The program of this run's jobs when there is one (entries of older manifests name none)."""
    programs = {key[0] for key in done}
    return programs.pop() if len(programs) == 1 else None


def write_index(out: Path, jobs: list, lang: str, manifest: dict, ds=None) -> None:
    """The portal (``index.html``, by the site publishers) and then ``manifest.json``: every year and
    notebook in the reports, with its status, and the paths the batches own. Years that this run did not
    touch keep the entries of the run that made them. The manifest is written last, so a run stopped
    before it leaves the previous manifest, whose keys no longer match, and the next run redoes it."""
    entries = {(e.folder, e.notebook): e for e in manifest.get("runs", [])}
    for j in jobs:
        key = (j.folder, j.notebook)
        if j.status is Status.UP_TO_DATE and key in entries:  # not re-run: the last good run stands
            entries[key] = entries[key].kept()
        elif j.status is Status.OK or key not in entries:
            entries[key] = j.entry(lang)
        else:  # the year was not published: keep the last good report and say what this run did
            entries[key] = replace(entries[key].kept(), latest_run=j.status, latest_error=j.error,
                                   latest_path=j.path)
    done = {(j.program, j.year, j.notebook, lang): j.folder for j in jobs if j.status.published}
    for key in list(entries):  # a program's year moved (an earlier layout of the reports folder)
        e = entries[key]
        moved_to = done.get((e.program or _only(done), e.year, e.notebook, e.lang or lang))
        if moved_to is not None and moved_to != e.folder:
            del entries[key]
    for key in list(entries):  # drop entries whose reports were removed by hand
        if not (out / entries[key].path).exists():
            del entries[key]
    published = {j.folder for j in jobs if j.status is Status.OK}
    for key, e in entries.items():  # the folders published now: their files as they are now
        if e.folder in published and e.status is Status.OK:
            entries[key] = replace(e, outputs=run_outputs(out, e))
    ordered = [entries[k] for k in sorted(entries)]
    manifest["runs"] = ordered
    _remove_unlisted(out, manifest, ordered)
    publish_site(out, ordered, lang, ds)
    manifest["index_sha256"] = file_digest(out / INDEX)
    record_owned(out, manifest, set(manifest.get("owned", [])))


def run_outputs(out: Path, entry: RunEntry) -> dict[str, str]:
    """The files of one run's reports and their SHA-256: the executed notebook, the pages made from it,
    the figures and tables its records name, and the files of its folder (memos, workbook)."""
    folder = Path(entry.path).parent
    files = [Path(entry.path)]
    files += [folder / p.file(entry.folder, Path(entry.path).stem) for p in registered(Scope.NOTEBOOK)]
    for r in read_records(out / entry.path):
        if r.kind is Kind.FIGURE and r.name:
            files += [folder / FIGURES_DIR / f"{r.name}.{ext}" for ext in SAVE_FORMATS]
        elif r.kind is Kind.TABLE and r.name:
            files.append(folder / TABLES_DIR / f"{r.name}.csv")
    files += [folder / p.file(entry.folder) for p in registered(Scope.YEAR)]
    return {f.as_posix(): file_digest(out / f) for f in files if (out / f).is_file()}


def index_intact(out: Path, manifest: dict) -> bool:
    """The portal is the one the last run wrote for this manifest (a run stopped between the two redoes it)."""
    return bool(manifest.get("index_sha256")) and file_digest(out / INDEX) == manifest["index_sha256"]


def _remove_unlisted(out: Path, manifest: dict, entries: list[RunEntry]) -> None:
    """Folders an earlier batch wrote (the manifest owns them) that no entry refers to any more, such as
    the year folders of an earlier layout (``2024``, ``wego/2024``): removed, and no longer owned. A
    folder the batches did not write is never touched (the reports folder's check refused to work beside
    one in the places the batch writes)."""
    listed = {INDEX, MANIFEST, FAILED_DIR}
    for e in entries:
        for path in (e.path, e.latest_path):
            parts = Path(path).parts if path else ()
            listed |= {"/".join(parts[:n]) for n in range(1, len(parts))}
    unlisted = sorted((p for p in manifest.get("owned", []) if p not in listed), key=len, reverse=True)
    for rel in unlisted:
        if (out / rel).is_dir() and not (out / rel).is_symlink():
            remove_tree(out / rel)
    manifest["owned"] = sorted(set(manifest.get("owned", [])) - set(unlisted))
