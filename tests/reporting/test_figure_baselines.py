"""The memo figures under regression: the 2024 figures of each batch against the committed baseline images,
one folder per notebook (``tests/reporting/baseline/<lang>/<notebook>/<figure>.png``, drawn with the bundled
NanumGothic), with a small tolerance.

A deliberate change of a chart shows here; ``citynet-analysis refresh-notebooks NAME`` re-draws that
notebook's baselines in the same step as its stored outputs, and the diff images of a failure are kept
under ``test-artifacts/figure-diffs/``."""

import shutil
from pathlib import Path

import pytest
from matplotlib.testing.compare import compare_images
from PIL import Image

from citynet_analysis.errors import InputError
from citynet_analysis.reporting.batch.baselines import (
    BASELINE_YEAR,
    BaselineChanges,
    _refuse_shared_names,
    _replace_pngs,
    baseline_dir,
    drawn_figures,
    refresh_baselines,
)
from citynet_analysis.reporting.batch.notebook_files import notebook_paths

from .conftest import report_folder

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "figure-diffs"
#: RMS difference (0–255 scale) a figure may differ by: anti-aliasing, not a changed bar or label.
TOLERANCE = 2.0
NOTEBOOKS = notebook_paths()
#: The Korean batch also runs the analyst's own chart in 01_budget_overview (conftest), which has no baseline.
ANALYST_FIGURES = {"ko": {"01_budget_overview": {"spending_by_side"}}, "en": {}}


def _baselines(lang: str) -> dict[str, dict[str, Path]]:
    """notebook → figure → baseline image, for every notebook folder under baseline/<lang>/."""
    return {d.name: {p.stem: p for p in sorted(d.glob("*.png"))}
            for d in sorted((baseline_dir() / lang).iterdir()) if d.is_dir()}


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_memo_figures_match_their_baselines(lang, batch_ko, batch_en, tmp_path):
    out = (batch_ko if lang == "ko" else batch_en)[0]
    year = report_folder(out, BASELINE_YEAR, lang)
    drawn = {n: set(f) - ANALYST_FIGURES[lang].get(n, set()) for n, f in drawn_figures(year, NOTEBOOKS).items()}
    baselines = _baselines(lang)
    assert baselines, f"no baselines in {baseline_dir() / lang}: run citynet-analysis refresh-notebooks"
    assert set(baselines) <= set(NOTEBOOKS), f"baselines of notebooks that are gone: {set(baselines) - set(NOTEBOOKS)}"
    # each notebook's folder holds exactly the figures it draws
    mismatched = {n: (sorted(drawn[n] - set(baselines.get(n, {}))), sorted(set(baselines.get(n, {})) - drawn[n]))
                  for n in NOTEBOOKS if drawn[n] != set(baselines.get(n, {}))}
    assert not mismatched, ("notebook: (figures without a baseline, baselines not drawn) "
                            f"{mismatched}: run citynet-analysis refresh-notebooks NAME")
    failures = []
    for notebook, figures in baselines.items():
        for name, expected in figures.items():
            actual = tmp_path / f"{notebook}-{name}.png"
            shutil.copy(year / "figures" / f"{name}.png", actual)
            result = compare_images(str(expected), str(actual), tol=TOLERANCE)
            if result is not None:
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                for p in tmp_path.glob(f"{notebook}-{name}*"):
                    shutil.copy(p, ARTIFACTS / f"{lang}-{p.name}")
                failures.append(f"{lang}/{notebook}/{name}: {result}")
    assert not failures, "\n".join(failures)


def test_baselines_are_per_notebook():
    """The layout: one folder per notebook in each language, the same figures in both, only PNGs."""
    ko, en = _baselines("ko"), _baselines("en")
    assert {n: set(f) for n, f in ko.items()} == {n: set(f) for n, f in en.items()}
    assert {"01_budget_overview", "02_cost_per_activity", "03_trends"} <= set(ko) <= set(NOTEBOOKS)
    assert not list(baseline_dir().glob("*/*.png")), "a baseline outside a notebook's folder (the old layout)"


def test_a_changed_chart_is_noticed(tmp_path):
    """The comparison is not blind: a baseline with one bar shortened fails it."""
    from PIL import ImageDraw

    baseline = sorted((baseline_dir() / "en").glob("*/*.png"))[0]
    changed = tmp_path / "changed.png"
    with Image.open(baseline) as img:
        img = img.convert("RGB")
        ImageDraw.Draw(img).rectangle([img.width // 3, img.height // 3, img.width // 2, img.height // 2],
                                      fill="white")
        img.save(changed)
    assert compare_images(str(baseline), str(changed), tol=TOLERANCE) is not None


def _png(path: Path, colour: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), colour).save(path)
    return path


def test_replacing_a_notebooks_baselines_touches_only_its_pngs(tmp_path):
    target = tmp_path / "ko" / "01_x"
    same = _png(target / "same.png", "red")
    _png(target / "changed.png", "red")
    _png(target / "gone.png", "red")
    (target / "notes.txt").write_text("mine")
    drawn = {"same": _png(tmp_path / "new" / "same.png", "red"), "changed": _png(tmp_path / "new" / "changed.png", "blue"),
             "added": _png(tmp_path / "new" / "added.png", "green")}
    before = same.stat().st_mtime_ns
    changes = BaselineChanges()
    _replace_pngs(target, drawn, changes)
    assert sorted(p.name for p in changes.written) == ["added.png", "changed.png"]
    assert [p.name for p in changes.removed] == ["gone.png"]
    assert sorted(p.name for p in target.iterdir()) == ["added.png", "changed.png", "notes.txt", "same.png"]
    assert same.stat().st_mtime_ns == before  # unchanged bytes: not rewritten
    assert (target / "changed.png").read_bytes() == drawn["changed"].read_bytes()
    # a notebook that draws nothing any more: its PNGs go, the folder only when nothing else is in it
    _replace_pngs(target, {}, changes)
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    (target / "notes.txt").unlink()
    _replace_pngs(tmp_path / "ko" / "02_y", {}, changes)  # no folder: nothing to do
    _png(tmp_path / "ko" / "03_z" / "a.png", "red")
    _replace_pngs(tmp_path / "ko" / "03_z", {}, changes)
    assert not (tmp_path / "ko" / "03_z").exists()


def test_a_figure_name_of_two_notebooks_is_refused(tmp_path):
    png = _png(tmp_path / "x.png", "red")
    with pytest.raises(InputError, match="also drawn by 01_a"):
        _refuse_shared_names({"ko": {"01_a": {"trend": png}, "02_b": {"trend": png}}}, tmp_path, ["01_a", "02_b"])
    _png(tmp_path / "en" / "03_c" / "trend.png", "red")  # a notebook not refreshed now
    with pytest.raises(InputError, match="also drawn by 03_c"):
        _refuse_shared_names({"en": {"01_a": {"trend": png}}}, tmp_path, ["01_a"])
    _refuse_shared_names({"en": {"03_c": {"trend": png}}}, tmp_path, ["03_c"])  # its own: fine


@pytest.mark.slow
def test_refreshing_one_notebook_redraws_only_its_baselines(tmp_path):
    """refresh_baselines(["02_cost_per_activity"]) runs that notebook only and changes only its folders."""
    for lang in ("ko", "en"):
        shutil.copytree(baseline_dir() / lang, tmp_path / lang)
        _png(tmp_path / lang / "02_cost_per_activity" / "old_chart.png", "red")  # a figure no longer drawn
        (tmp_path / lang / "02_cost_per_activity" / "cost_per_event.png").write_bytes(b"")  # a stale image
    others = {p: p.read_bytes() for p in tmp_path.glob("*/0[13]_*/*.png")}
    changes = refresh_baselines(["02_cost_per_activity"], folder=tmp_path)
    assert changes.figures == {"02_cost_per_activity": ["cost_per_event"]}
    assert sorted(p.relative_to(tmp_path).as_posix() for p in changes.written) == [
        "en/02_cost_per_activity/cost_per_event.png", "ko/02_cost_per_activity/cost_per_event.png"]
    assert sorted(p.relative_to(tmp_path).as_posix() for p in changes.removed) == [
        "en/02_cost_per_activity/old_chart.png", "ko/02_cost_per_activity/old_chart.png"]
    assert {p: p.read_bytes() for p in tmp_path.glob("*/0[13]_*/*.png")} == others
    for lang in ("ko", "en"):
        drawn = tmp_path / lang / "02_cost_per_activity" / "cost_per_event.png"
        assert compare_images(str(baseline_dir() / lang / "02_cost_per_activity" / "cost_per_event.png"),
                              str(drawn), tol=TOLERANCE) is None
