"""The notebook helper: what a cell shows and, with an output folder, saves (tables as CSV, figures as
PNG/SVG/PDF); the workbook of a folder's tables."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from citynet_analysis.analysis import metrics  # noqa: E402
from citynet_analysis.reporting.notebook import Report, charts  # noqa: E402
from citynet_analysis.reporting.publishers.workbook import WORKBOOK_NAME, build_workbook  # noqa: E402


def test_report_saves_tables_and_figures(tmp_path, ds_2024, capsys):
    report = Report(tmp_path / "out", "en")
    report.table(metrics.composition(ds_2024, 2024), "composition", ["name_ko", "amount_krw"])
    report.table(metrics.execution_rates(ds_2024), "execution_rates")
    report.table(metrics.composition(ds_2024, 2020), "nothing")  # unavailable: said, not saved
    report.figure(charts.composition_chart(ds_2024, 2024, lang="en"), "composition")
    shown = capsys.readouterr().out
    assert "Amount (million KRW)" in shown and "임대료 및 관리비 등" in shown
    tables = tmp_path / "out" / "tables"
    csv = tables / "composition.csv"
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")
    assert "임대료 및 관리비 등" in csv.read_text(encoding="utf-8-sig")
    assert "share_of_total_pct" in csv.read_text(encoding="utf-8-sig")  # the whole table, code names
    assert not (tables / "nothing.csv").exists()
    figures = tmp_path / "out" / "figures"
    assert sorted(p.name for p in figures.iterdir()) == ["composition.pdf", "composition.png", "composition.svg"]
    assert figures.joinpath("composition.png").read_bytes().startswith(b"\x89PNG")
    assert report.written == [csv, tables / "execution_rates.csv", figures / "composition.png",
                              figures / "composition.svg", figures / "composition.pdf"]
    build_workbook(tables)  # the workbook's layout: tests/reporting/test_workbook.py
    wb = load_workbook(tables / WORKBOOK_NAME)
    assert wb.sheetnames == ["안내", "예산 구성", "집행률"]
    ws = wb["예산 구성"]
    assert ws["D2"].value == "임대료 및 관리비 등" and ws["F2"].value == 232_360_000
    assert ws["F1"].value == "금액 (원)" and ws["F2"].number_format == "#,##0"
    assert (tables / "README.txt").exists()


def test_report_without_output_dir_writes_nothing(tmp_path, monkeypatch, ds_2024):
    monkeypatch.chdir(tmp_path)
    report = Report(None, "ko")
    report.table(metrics.composition(ds_2024, 2024), "composition")
    report.figure(charts.composition_chart(ds_2024, 2024, lang="ko"), "composition")
    assert list(tmp_path.iterdir()) == [] and report.written == []


@pytest.mark.slow  # renders figures in three formats, twice
def test_a_figure_drawn_again_is_copied_from_the_cache(tmp_path, ds_2024):
    cache = tmp_path / "cache"
    from citynet_analysis.reporting.notebook.figures import save_figure_cached

    first = save_figure_cached(charts.trend_chart(ds_2024, lang="ko"), "trend", tmp_path / "a", cache)
    assert len(list(cache.iterdir())) == 1
    second = save_figure_cached(charts.trend_chart(ds_2024, lang="ko"), "trend", tmp_path / "b", cache)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    assert len(list(cache.iterdir())) == 1  # same drawing, same entry
    save_figure_cached(charts.trend_chart(ds_2024, lang="en"), "trend", tmp_path / "c", cache)
    assert len(list(cache.iterdir())) == 2  # another drawing, another entry


def test_report_changes_no_global_setting(tmp_path, ds_2024, monkeypatch):
    """Display settings are the Report's own: pandas options and matplotlib's rcParams are as they were
    after a table and a chart, and the figure is drawn in the memo fonts all the same."""
    import pandas as pd

    from citynet_analysis.reporting.notebook.figures import FONT_FAMILY

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    options = {k: pd.get_option(k) for k in ("display.max_colwidth", "display.unicode.east_asian_width",
                                              "display.html.use_mathjax", "display.width")}
    rc = dict(matplotlib.rcParams)
    report = Report(tmp_path / "out", "ko")
    report.table(metrics.composition(ds_2024, 2024), "composition", ["name_ko", "amount_krw"])
    fig = charts.composition_chart(ds_2024, 2024, lang="ko")
    report.figure(fig, "composition")
    assert {k: pd.get_option(k) for k in options} == options
    assert dict(matplotlib.rcParams) == rc
    assert all(list(t.get_fontfamily()) == list(FONT_FAMILY) for t in fig.texts)
    assert not (tmp_path / "xdg").exists()  # no cache unless the Report is given one


def test_the_figure_cache_is_the_one_the_report_is_given(tmp_path, ds_2024):
    report = Report(tmp_path / "out", "ko", tmp_path / "cache")
    report.figure(charts.trend_chart(ds_2024, lang="ko"), "trend")
    assert len(list((tmp_path / "cache").iterdir())) == 1
