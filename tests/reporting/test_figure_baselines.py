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

from citynet_analysis import config
from citynet_analysis.cli import main
from citynet_analysis.errors import InputError
from citynet_analysis.reporting.batch import baselines
from citynet_analysis.reporting.batch import notebook_files as nf
from citynet_analysis.reporting.batch import run as batch_run
from citynet_analysis.reporting.batch.baselines import (
    BASELINE_YEAR,
    BaselineChanges,
    _plan_pngs,
    _refuse_shared_names,
    baseline_dir,
    drawn_figures,
    refresh_baselines,
)
from citynet_analysis.reporting.batch.jobs import Job
from citynet_analysis.reporting.batch.notebook_files import (
    NOTHING_CHANGED,
    FileChanges,
    apply_changes,
    notebook_paths,
    one_step,
)

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


def _replace_pngs(target: Path, pngs: dict[str, Path], changes: BaselineChanges) -> None:
    files = FileChanges()
    _plan_pngs(target, pngs, changes, files)
    apply_changes(files)


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
    every = ["01_a", "02_b", "03_c"]
    with pytest.raises(InputError, match="also drawn by 01_a"):
        _refuse_shared_names({"ko": {"01_a": {"trend": png}, "02_b": {"trend": png}}}, tmp_path, ["01_a", "02_b"],
                             every)
    _png(tmp_path / "en" / "03_c" / "trend.png", "red")  # a notebook not refreshed now
    with pytest.raises(InputError, match=f"also drawn by 03_c: .*; {NOTHING_CHANGED}$"):
        _refuse_shared_names({"en": {"01_a": {"trend": png}}}, tmp_path, ["01_a"], every)
    _refuse_shared_names({"en": {"03_c": {"trend": png}}}, tmp_path, ["03_c"], every)  # its own: fine


def test_the_folder_of_a_renamed_notebook_owns_no_figure(tmp_path):
    """Found by review: 01_budget_overview renamed 01_overview; its old baseline folder is no owner (a full
    refresh removes it), whether every notebook is refreshed or only the renamed one."""
    for lang in ("ko", "en"):
        _png(tmp_path / lang / "01_budget_overview" / "composition.png", "red")
    png = _png(tmp_path / "x.png", "blue")
    every = ["01_overview", "02_cost_per_activity", "03_trends"]
    drawn = {lang: {"01_overview": {"composition": png}} for lang in ("ko", "en")}
    _refuse_shared_names(drawn, tmp_path, every, every)
    _refuse_shared_names(drawn, tmp_path, ["01_overview"], every)


# -- refresh_baselines without kernels: a stand-in batch that "draws" coloured squares -----------------------

@pytest.fixture
def fake_batch(tmp_path, monkeypatch):
    """``refresh_baselines`` over the notebooks of a temporary notebooks folder, with a batch that draws, for
    each notebook, the figures ``draws[notebook]`` ({figure: colour}) and fails the notebooks in ``fail``.
    Returns (draws, fail, baseline folder); ``draws`` names the notebooks there are."""
    draws: dict[str, dict[str, str]] = {}
    fail: set[str] = set()
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()

    def run_batch(years, notebooks, out_dir, lang, **_):
        year = Path(out_dir) / "2024"
        for n in notebooks:
            for figure, colour in draws.get(n, {}).items():
                _png(year / config.FIGURES_DIR / f"{figure}.png", colour)
        return [Job(2024, n, status="failed" if n in fail else "ok", error="ValueError: bad" if n in fail else "")
                for n in notebooks]

    def current_notebooks(folder=None):
        return {n: notebooks / f"{n}.ipynb" for n in sorted(draws)}

    monkeypatch.setattr(batch_run, "run_batch", run_batch)
    monkeypatch.setattr(baselines, "drawn_figures", lambda year, names: {n: list(draws.get(n, {})) for n in names})
    monkeypatch.setattr(nf, "notebook_paths", current_notebooks)
    # the checkout is tmp_path: refresh-notebooks (and baseline_dir()) never reach the real one
    monkeypatch.setattr(config, "REPO_DIR", tmp_path)
    monkeypatch.setattr(config, "NOTEBOOK_DIR", notebooks)
    monkeypatch.setattr(config, "IN_REPOSITORY", True)
    return draws, fail, baseline_dir()


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_refreshing_every_notebook_after_a_rename_removes_the_old_folder(fake_batch):
    draws, _, base = fake_batch
    for lang in ("ko", "en"):
        _png(base / lang / "01_budget_overview" / "composition.png", "red")
        _png(base / lang / "02_costs" / "cost.png", "red")
    draws.update({"01_overview": {"composition": "blue"}, "02_costs": {"cost": "red"}})
    before = _snapshot(base)
    changes = refresh_baselines(["01_overview"], folder=base)  # the renamed one alone: the old folder stays
    assert sorted(p.relative_to(base).as_posix() for p in changes.written) == [
        "en/01_overview/composition.png", "ko/01_overview/composition.png"]
    assert changes.removed == [] and set(before) < set(_snapshot(base))
    changes = refresh_baselines(folder=base)  # every notebook: the folder of the notebook that is gone goes
    assert sorted(p.relative_to(base).as_posix() for p in changes.removed) == [
        "en/01_budget_overview/composition.png", "ko/01_budget_overview/composition.png"]
    assert sorted(_snapshot(base)) == ["en/01_overview/composition.png", "en/02_costs/cost.png",
                                       "ko/01_overview/composition.png", "ko/02_costs/cost.png"]
    assert not (base / "ko" / "01_budget_overview").exists()


@pytest.mark.parametrize("case", ["clash", "failed run", "a file changed meanwhile"])
def test_a_refresh_that_fails_changes_nothing(fake_batch, tmp_path, case):
    """Notebooks and baselines in one step (refresh-notebooks): nothing is written until every notebook ran,
    every baseline was drawn and no file changed under the refresh; a failure leaves both as they were."""
    draws, fail, base = fake_batch
    for lang in ("ko", "en"):
        _png(base / lang / "01_a" / "old.png", "red")
        _png(base / lang / "02_b" / "trend.png", "red")
    draws.update({"01_a": {"new": "blue"}, "02_b": {"trend": "green"}})
    if case == "clash":
        draws["01_a"]["trend"] = "blue"
    if case == "failed run":
        fail.add("02_b")
    notebook = tmp_path / "notebooks" / "01_a.ipynb"
    notebook.write_text("as stored")
    before = _snapshot(base)
    with pytest.raises(InputError, match=f"{NOTHING_CHANGED}"):
        with one_step():
            apply_changes(FileChanges(write={notebook: b"refreshed"}, seen={notebook: b"as stored"}))
            refresh_baselines(["01_a"] if case == "clash" else None, folder=base)
            assert _snapshot(base) == before and notebook.read_text() == "as stored"  # not yet
            if case == "a file changed meanwhile":
                notebook.write_text("the analyst's edit")
    assert _snapshot(base) == before
    assert notebook.read_text() == ("the analyst's edit" if case == "a file changed meanwhile" else "as stored")
    assert not [p for p in tmp_path.rglob(".*") if p.is_file()], "a temporary left behind"


def test_a_refresh_writes_notebooks_and_baselines_when_the_step_ends(fake_batch, tmp_path):
    draws, _, base = fake_batch
    _png(base / "ko" / "01_a" / "old.png", "red")
    draws.update({"01_a": {"new": "blue"}})
    notebook = tmp_path / "notebooks" / "01_a.ipynb"
    notebook.write_text("as stored")
    with one_step():
        apply_changes(FileChanges(write={notebook: b"refreshed"}, seen={notebook: b"as stored"}))
        changes = refresh_baselines(folder=base)
        assert not (base / "en").exists() and notebook.read_text() == "as stored"
    assert notebook.read_text() == "refreshed"
    assert sorted(_snapshot(base)) == ["en/01_a/new.png", "ko/01_a/new.png"]
    assert [p.relative_to(base).as_posix() for p in changes.removed] == ["ko/01_a/old.png"]


@pytest.mark.parametrize("case", ["a later notebook fails", "the baselines clash", "fine"])
def test_refresh_notebooks_is_one_step(fake_batch, tmp_path, monkeypatch, capsys, case):
    """Found by review: refresh-notebooks replaced the notebooks one by one before drawing the baselines.
    Now a failure anywhere (here with stand-ins for the kernels) leaves notebooks and baselines as they were,
    in one line saying so; success writes both."""
    draws, _, base = fake_batch
    _png(base / "ko" / "01_a" / "trend.png", "red")
    draws.update({"01_a": {"trend": "blue"}, "02_b": {"trend" if case == "the baselines clash" else "cost": "red"}})
    paths = {n: tmp_path / "notebooks" / f"{n}.ipynb" for n in draws}
    for path in paths.values():
        path.write_text("as stored")

    def execute_notebook(path):
        if case == "a later notebook fails" and path.stem == "02_b":
            raise InputError(str(path), f"cell 3: ValueError: bad; {NOTHING_CHANGED}")
        return path.read_bytes(), "refreshed"

    monkeypatch.setattr(nf, "execute_notebook", execute_notebook)
    monkeypatch.setattr(nf, "to_git_add", lambda paths, repo: None)
    before = _snapshot(tmp_path)
    code = main(["refresh-notebooks", "01_a", "02_b"])
    out, err = capsys.readouterr()
    if case == "fine":
        assert code == 0 and err == ""
        assert [p.read_text() for p in paths.values()] == ["refreshed", "refreshed"]
        assert sorted(_snapshot(base)) == ["en/01_a/trend.png", "en/02_b/cost.png", "ko/01_a/trend.png",
                                           "ko/02_b/cost.png"]
        return
    assert code == 2 and out == "" and err.count("\n") == 1 and err.endswith(f"; {NOTHING_CHANGED}\n"), err
    assert ("cell 3: ValueError: bad" if case == "a later notebook fails" else "also drawn by") in err
    assert _snapshot(tmp_path) == before


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
