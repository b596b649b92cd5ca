"""The reports folder as a site: which paths earlier batches own (``manifest.json``), the rule that the
batch replaces only those, and the index page that links every year's reports."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from ..atomic import write_text
from ..errors import InputError
from .portal import portal_html, run_folder

MANIFEST = "manifest.json"
INDEX = "index.html"
FAILED_DIR = "failed"
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
        if not all(_valid_run(e) for e in manifest["runs"]) or not all(
                isinstance(p, str) and _relative(p) for p in manifest.get("owned", [])):
            raise ValueError("not ours")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        raise InputError(str(path), "not a manifest written by citynet-analysis batch; "
                                    "choose another --out folder") from None
    return manifest


def _relative(path: str) -> bool:
    """A plain relative path inside the reports folder (no absolute path, no '..')."""
    parts = Path(path).parts
    return bool(parts) and not Path(path).is_absolute() and ".." not in parts


def _valid_run(e) -> bool:
    return (isinstance(e, dict) and type(e.get("year")) is int and isinstance(e.get("notebook"), str)
            and isinstance(e.get("path"), str) and _relative(e["path"]) and isinstance(e.get("status"), str)
            and isinstance(e.get("seconds", 0), int | float) and isinstance(e.get("program", ""), str)
            and isinstance(e.get("folder", "x"), str) and _relative(e.get("folder", "x"))
            and isinstance(e.get("key", ""), str) and isinstance(e.get("key_parts", {}), dict))



def _symlink_inside(folder: Path) -> Path | None:
    for p in folder.rglob("*"):
        if p.is_symlink():
            return p
    return None


def record_owned(out: Path, manifest: dict, owned: set[str]) -> None:
    """Write the manifest with ``owned`` before the paths are moved into place."""
    manifest["owned"] = sorted(owned | {INDEX})
    document = {"generator": GENERATOR, "runs": manifest.get("runs", []), "owned": manifest["owned"]}
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
    programs = {p for p, _, _ in done}
    return programs.pop() if len(programs) == 1 else None


def write_index(out: Path, jobs: list, lang: str, manifest: dict, ds=None) -> None:
    """``index.html`` and ``manifest.json``: every year and notebook in the reports, with its status, and
    the paths the batches own. Years that this run did not touch keep the entries of the run that made
    them. The index is the portal (:mod:`.portal`) in ``lang``; its headline figures come from ``ds``."""
    entries = {(run_folder(e), e["notebook"]): e for e in manifest.get("runs", [])}
    for j in jobs:
        key = (j.folder, j.notebook)
        if j.status == "up to date" and key in entries:  # not re-run: the last good run stands
            entries[key] = {k: v for k, v in entries[key].items() if not k.startswith("latest_")}
        elif j.status == "ok" or key not in entries:
            entries[key] = {k: v for k, v in asdict(j).items() if k != "rerun_because"} | {"lang": lang}
        else:  # the year was not published: keep the last good report and say what this run did
            entries[key] = {k: v for k, v in entries[key].items() if not k.startswith("latest_")} | {
                "latest_run": j.status, "latest_error": j.error, "latest_path": j.path}
    done = {(j.program, j.year, j.notebook): j.folder for j in jobs if j.status in ("ok", "up to date")}
    for key in list(entries):  # a program's year moved (one program became several, or back)
        e = entries[key]
        moved_to = done.get((e.get("program") or _only(done), e["year"], e["notebook"]))
        if moved_to is not None and moved_to != run_folder(e):
            del entries[key]
    for key in list(entries):  # drop entries whose reports were removed by hand
        e = entries[key]
        if not (out / e["path"]).exists():
            del entries[key]
    ordered = [entries[k] for k in sorted(entries, key=lambda k: (k[0].rpartition("/")[0], k[0], k[1]))]
    owned = sorted(set(manifest.get("owned", [])) | {INDEX})
    manifest["owned"] = owned
    document = {"generator": GENERATOR, "runs": ordered, "owned": owned}
    write_text(out / MANIFEST, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    write_text(out / INDEX, portal_html(out, ordered, lang, ds))
