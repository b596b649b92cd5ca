"""The memo figures under regression: drawing the baseline images the tests compare with (a checkout only).

The baselines are the figures of one fiscal year, drawn by the batch itself in each language, so that a
test compares exactly what a batch publishes."""

from __future__ import annotations

from pathlib import Path

from ... import config
from ...atomic import atomic_path
from ...errors import InputError

#: The memo figures under regression: the fiscal year whose figures the tests compare with the images
#: committed under ``tests/reporting/baseline/<lang>/`` (a checkout only).
BASELINE_YEAR = 2024


def baseline_dir() -> Path:
    return config.REPO_DIR / "tests" / "reporting" / "baseline"


def refresh_baselines(folder: Path | None = None) -> list[Path]:
    """Run the batch for :data:`BASELINE_YEAR` in each language, exactly as the tests do, and make its
    memo figures the committed baseline images (``<folder>/<lang>/<figure>.png``). Nothing changes unless
    every run succeeded; only PNGs are written or removed there (other files are left alone). Run with
    ``refresh-notebooks`` so that stored outputs and baselines change in one step."""
    import shutil
    import tempfile

    from ..notebook.format import LANGS
    from .run import run_batch

    folder = Path(folder) if folder is not None else baseline_dir()
    written = []
    with tempfile.TemporaryDirectory(prefix="citynet-baselines-") as tmp:
        drawn = {}
        for lang in LANGS:
            out = Path(tmp) / lang
            jobs = run_batch(years=[BASELINE_YEAR], data_dir=config.PROCESSED_DIR, out_dir=out, lang=lang,
                             progress=False)
            failed = [j for j in jobs if j.status != "ok"]
            if not jobs:
                raise InputError(str(BASELINE_YEAR), "no notebook ran; the baselines were not changed")
            if failed:
                raise InputError(failed[0].notebook, f"{failed[0].error}; the baselines were not changed")
            drawn[lang] = sorted((out / jobs[0].folder / config.FIGURES_DIR).glob("*.png"))
        if not all(drawn.values()):  # a batch that drew nothing must not empty the baselines
            raise InputError(str(folder), "the batch drew no figures; the baselines were not changed")
        for lang, pngs in drawn.items():
            target = folder / lang
            target.mkdir(parents=True, exist_ok=True)
            for stale in set(target.glob("*.png")) - {target / p.name for p in pngs}:
                stale.unlink()
            for png in pngs:
                with atomic_path(target / png.name) as part:
                    shutil.copyfile(png, part)
                written.append(target / png.name)
    return written
