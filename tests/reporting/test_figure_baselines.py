"""The memo figures under regression: the 2024 figures of each batch against the committed baseline images
(``tests/reporting/baseline/<lang>/``, drawn with the bundled NanumGothic), with a small tolerance.

A deliberate change of a chart shows here; ``citynet-analysis refresh-notebooks`` re-draws the baselines
in the same step as the notebooks' stored outputs, and the diff images of a failure are kept under
``test-artifacts/figure-diffs/``."""

import shutil
from pathlib import Path

import pytest
from matplotlib.testing.compare import compare_images

from citynet_analysis.reporting.batch.baselines import BASELINE_YEAR, baseline_dir

from .conftest import report_folder

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "figure-diffs"
#: RMS difference (0–255 scale) a figure may differ by: anti-aliasing, not a changed bar or label.
TOLERANCE = 2.0


def _figures(out: Path, lang: str) -> dict[str, Path]:
    return {p.stem: p for p in sorted((report_folder(out, BASELINE_YEAR, lang) / "figures").glob("*.png"))}


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_memo_figures_match_their_baselines(lang, batch_ko, batch_en, tmp_path):
    out = (batch_ko if lang == "ko" else batch_en)[0]
    figures = _figures(out, lang)
    baselines = {p.stem: p for p in sorted((baseline_dir() / lang).glob("*.png"))}
    assert baselines, f"no baselines in {baseline_dir() / lang}: run citynet-analysis refresh-notebooks"
    # every stock figure has a baseline (the Korean batch also has the analyst's own chart, which has none)
    extra = set(figures) - set(baselines) - ({"spending_by_side"} if lang == "ko" else set())
    assert not extra, f"figures without a baseline: {sorted(extra)} (run citynet-analysis refresh-notebooks)"
    assert set(baselines) <= set(figures), f"baseline figures not drawn: {sorted(set(baselines) - set(figures))}"
    failures = []
    for name, expected in baselines.items():
        actual = tmp_path / f"{name}.png"
        shutil.copy(figures[name], actual)
        result = compare_images(str(expected), str(actual), tol=TOLERANCE)
        if result is not None:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            for p in tmp_path.glob(f"{name}*"):
                shutil.copy(p, ARTIFACTS / f"{lang}-{p.name}")
            failures.append(f"{lang}/{name}: {result}")
    assert not failures, "\n".join(failures)


def test_a_changed_chart_is_noticed(tmp_path):
    """The comparison is not blind: a baseline with one bar shortened fails it."""
    from PIL import Image, ImageDraw

    baseline = sorted((baseline_dir() / "en").glob("*.png"))[0]
    changed = tmp_path / "changed.png"
    with Image.open(baseline) as img:
        img = img.convert("RGB")
        ImageDraw.Draw(img).rectangle([img.width // 3, img.height // 3, img.width // 2, img.height // 2],
                                      fill="white")
        img.save(changed)
    assert compare_images(str(baseline), str(changed), tol=TOLERANCE) is not None
