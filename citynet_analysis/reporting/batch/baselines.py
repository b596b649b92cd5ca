"""The memo figures under regression: drawing the baseline images the tests compare with (a checkout only).

The baselines are the figures of one fiscal year, drawn by the batch itself in each language, so that a
test compares exactly what a batch publishes. Each notebook has its own folder of them,
``tests/reporting/baseline/<lang>/<notebook>/<figure>.png``: refreshing one notebook redraws and replaces
only its figures (a figure it no longer draws is removed, other notebooks' are left alone)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ... import config
from ...errors import InputError

#: The memo figures under regression: the fiscal year whose figures the tests compare with the images
#: committed under ``tests/reporting/baseline/<lang>/<notebook>/`` (a checkout only).
BASELINE_YEAR = 2024


def baseline_dir() -> Path:
    return config.REPO_DIR / "tests" / "reporting" / "baseline"


@dataclass
class BaselineChanges:
    """What a refresh did to the baseline images: files written new or with other bytes, files removed,
    and the figures each notebook drew (``{notebook: [figure, …]}``, the same in every language)."""

    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    figures: dict[str, list[str]] = field(default_factory=dict)


def drawn_figures(year_folder: Path, notebooks) -> dict[str, list[str]]:
    """The figures each executed notebook of a batch's year folder drew, by its output records
    (``report.figure(fig, name)``), in the notebook's order."""
    from ..notebook.records import Kind, read_records

    return {name: list(dict.fromkeys(r.name for r in read_records(year_folder / f"{name}.ipynb")
                                     if r.kind is Kind.FIGURE and r.name))
            for name in notebooks}


def refresh_baselines(names: list[str] | None = None, folder: Path | None = None) -> BaselineChanges:
    """Run the batch for :data:`BASELINE_YEAR` in each language over the notebooks ``names`` (default:
    every notebook of the checkout), exactly as the tests do, and make each notebook's memo figures its
    baseline images, ``<folder>/<lang>/<notebook>/<figure>.png``. Only those notebooks' folders change,
    and in them only PNGs are written or removed (other files are left alone); nothing changes unless
    every run succeeded. Refreshing every notebook also removes the PNGs of notebooks that are gone.
    Within ``notebook_files.one_step`` (as ``refresh-notebooks`` runs it, with the notebooks' refresh) the
    images are written when the step ends; the changes returned are those it makes."""
    import tempfile

    from ..notebook.format import LANGS
    from .notebook_files import NOTHING_CHANGED, FileChanges, apply_changes, notebook_paths
    from .run import run_batch

    folder = Path(folder) if folder is not None else baseline_dir()
    every = notebook_paths()
    names = list(names) if names else list(every)
    changes, files = BaselineChanges(), FileChanges()
    with tempfile.TemporaryDirectory(prefix="citynet-baselines-") as tmp:
        drawn: dict[str, dict[str, dict[str, Path]]] = {}  # lang → notebook → figure → png
        for lang in LANGS:
            out = Path(tmp) / lang
            jobs = run_batch(years=[BASELINE_YEAR], notebooks=names, data_dir=config.PROCESSED_DIR, out_dir=out,
                             lang=lang, progress=False)
            failed = [j for j in jobs if j.status != "ok"]
            if not jobs:
                raise InputError(str(BASELINE_YEAR), f"no notebook ran; {NOTHING_CHANGED}")
            if failed:
                raise InputError(failed[0].notebook, f"{failed[0].error}; {NOTHING_CHANGED}")
            year = out / jobs[0].folder
            drawn[lang] = {}
            for notebook, figures in drawn_figures(year, names).items():
                pngs = {f: year / config.FIGURES_DIR / f"{f}.png" for f in figures}
                missing = [f for f, p in pngs.items() if not p.is_file()]
                if missing:
                    raise InputError(notebook, f"showed figure(s) {', '.join(missing)} but the batch saved no "
                                               f"PNG of them; {NOTHING_CHANGED}")
                drawn[lang][notebook] = pngs
                changes.figures.setdefault(notebook, figures)
        _refuse_shared_names(drawn, folder, names, every)
        for lang, notebooks in drawn.items():
            for notebook, pngs in notebooks.items():
                _plan_pngs(folder / lang / notebook, pngs, changes, files)
            if set(names) == set(every):  # notebooks that are gone: their baselines go too
                for gone in sorted(p for p in (folder / lang).glob("*/") if p.is_dir() and p.name not in every):
                    _plan_pngs(gone, {}, changes, files)
    apply_changes(files)
    return changes


def _refuse_shared_names(drawn, folder: Path, names, current) -> None:
    """A figure name is one file of the year's figures/: two notebooks drawing it would overwrite each
    other's PNG (and baseline). Also against the baselines of the notebooks ``current`` (every notebook
    there is now) not refreshed now; a folder of a notebook that is gone (renamed) owns nothing: refreshing
    every notebook removes it."""
    from .notebook_files import NOTHING_CHANGED

    names, current = set(names), set(current)
    for lang, notebooks in drawn.items():
        owner: dict[str, str] = {}
        for other in sorted(p for p in (folder / lang).glob("*/")
                            if p.is_dir() and p.name in current and p.name not in names):
            for png in other.glob("*.png"):
                owner.setdefault(png.stem, other.name)
        for notebook, pngs in notebooks.items():
            for figure in pngs:
                if owner.setdefault(figure, notebook) != notebook:
                    raise InputError(notebook, f"figure {figure!r} is also drawn by {owner[figure]}: give one "
                                               f"of them another name (or refresh both); {NOTHING_CHANGED}")


def _plan_pngs(target: Path, pngs: dict[str, Path], changes: BaselineChanges, files) -> None:
    """Plan (into ``files``, a ``notebook_files.FileChanges``) that ``target`` holds exactly the PNGs
    ``pngs`` (figure → drawn file, read now): new or changed ones are written, PNGs of figures no longer
    drawn removed; other files stay, and the folder goes only if it ends up empty. ``changes`` lists them."""
    for stale in sorted(set(target.glob("*.png")) - {target / f"{f}.png" for f in pngs}):
        files.remove.append(stale)
        files.seen[stale] = stale.read_bytes()
        changes.removed.append(stale)
    for figure, png in pngs.items():
        dest = target / f"{figure}.png"
        data, before = png.read_bytes(), dest.read_bytes() if dest.is_file() else None
        if data == before:
            continue
        files.write[dest] = data
        files.seen[dest] = before
        changes.written.append(dest)
    files.folders.append(target)
