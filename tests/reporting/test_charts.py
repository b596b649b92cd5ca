"""Every chart either draws (with Hangul, no font warnings, a source line) or says why it cannot."""

import warnings

import matplotlib
import pytest

from citynet_analysis.analysis.metrics import Unavailable
from citynet_analysis.reporting.notebook import charts

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def ds(ds_2024):
    return ds_2024


CHARTS = {
    "composition": lambda ds, y, lang: charts.composition_chart(ds, y, lang),
    "program": lambda ds, y, lang: charts.program_chart(ds, y, lang),
    "activities": lambda ds, y, lang: charts.activities_chart(ds, y, lang),
    "trend": lambda ds, y, lang: charts.trend_chart(ds, lang),
    "execution": lambda ds, y, lang: charts.execution_chart(ds, lang),
    "cost_per_event": lambda ds, y, lang: charts.cost_per_event_chart(ds, lang),
}
DRAWS = {"composition": {2024}, "program": {2024}, "activities": {2021, 2022, 2023},
         "trend": {2020, 2021, 2022, 2023, 2024}, "execution": {2020, 2021, 2022, 2023, 2024},
         "cost_per_event": {2020, 2021, 2022, 2023, 2024}}


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_for_every_year(ds, name, lang):
    import matplotlib.pyplot as plt

    for year in ds.fiscal_years():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig = CHARTS[name](ds, year, lang)
            if isinstance(fig, Unavailable):
                assert year not in DRAWS[name], f"{name} {year}: {fig}"
                continue
            assert year in DRAWS[name]
            fig.canvas.draw()
        assert not [w for w in caught if "missing from font" in str(w.message)]
        texts = [t.get_text() for t in fig.texts]
        assert any(t.startswith("출처:" if lang == "ko" else "Source:") for t in texts)
        plt.close(fig)


def test_source_text_cites_reference_series(ds):
    text = charts.source_text(ds, "en", prices=True)
    assert "Statistics Korea" in text and "Bank of Korea" in text and "FY2024" in text


def _texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_bar_labels_write_amounts_as_the_tables_do(ds, lang):
    """The bar of 도시네트워크 활성화 사업 (69,350,000 won) says 69.4, as its table row, the memo's money()
    and the terminal summary do (float formatting of 69.35 gave 69.3); shares half-up too."""
    import matplotlib.pyplot as plt

    from citynet_analysis.analysis import metrics
    from citynet_analysis.cli.summary import summary_text
    from citynet_analysis.reporting.notebook.format import format_table, money

    fig = charts.program_chart(ds, 2024, lang)
    comp = metrics.composition(ds, 2024)
    row = comp.index[comp["amount_krw"] == 69_350_000][0]
    table = format_table(comp, lang, ["amount_krw", "share_of_parent_pct"]).iloc[row].tolist()
    assert table == ["69.4", "14.4"]
    assert " 69.4 (14.4%)" in _texts(fig)
    assert "69.4" in money(69_350_000, lang)
    assert any(line.split()[-1] == "69.4" for line in summary_text(ds).splitlines() if "도시네트워크" in line)
    plt.close(fig)
    fig = charts.composition_chart(ds, 2024, lang)
    shown = format_table(comp[comp["level"] == 1], lang, ["amount_krw", "share_of_total_pct"])
    for amount, share in shown.itertuples(index=False):
        assert any(t.startswith(f" {amount} ({share}%)") for t in _texts(fig)), (amount, share, _texts(fig))
    plt.close(fig)


def test_count_axes_tick_whole_events(ds):
    """One event is drawn on a 0, 1 axis, never 0.0 … 1.2; annotations count whole events."""
    import matplotlib.pyplot as plt

    for year in (2021, 2022, 2023):  # 2023: one executive committee
        fig = charts.activities_chart(ds, year, "en")
        fig.canvas.draw()
        ax = fig.axes[0]
        ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        assert ticks and all(float(t).is_integer() for t in ticks), ticks
        labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        assert labels and all("." not in s for s in labels), labels
        assert all(t.strip().isdigit() for t in _texts(fig))
        plt.close(fig)
    fig = charts.cost_per_event_chart(ds, "en")
    counts = [t.split("\n")[1] for t in _texts(fig)]
    assert counts and all(c.startswith("(") and c.split()[0][1:].isdigit() for c in counts), counts
    plt.close(fig)


def test_a_chart_of_many_items_draws_the_largest_and_groups_the_rest():
    """2,000 sub-items under 사업비: the chart draws MAX_BARS bars, the last one '기타 1989개' holding exactly
    the sum of the items it groups, so the total on the chart is the document's."""
    import pandas as pd

    n = 2000
    rows = pd.DataFrame({"name_ko": [f"항목 {i}" for i in range(n)], "amount_krw": [1_000_000 + i for i in range(n)],
                         "share_of_parent_pct": [100 / n] * n, "group": ["programs"] * n,
                         "slip": [None] * (n - 1) + ["x"], "slip_ko": [None] * n})
    shown = charts.largest(rows, "share_of_parent_pct", "ko")
    assert len(shown) == charts.MAX_BARS
    other = shown[shown["name_ko"].str.startswith("기타")].iloc[0]
    grouped = n - (charts.MAX_BARS - 1)
    assert other["name_ko"] == f"기타 {grouped}개"
    assert other["amount_krw"] == sum(1_000_000 + i for i in range(grouped))
    assert shown["amount_krw"].sum() == rows["amount_krw"].sum()
    assert shown["amount_krw"].is_monotonic_increasing
    assert charts.largest(rows.head(5), "share_of_parent_pct", "en")["name_ko"].tolist() == [f"항목 {i}" for i in range(5)]
    assert f"{grouped} others" in charts.largest(rows, "share_of_parent_pct", "en")["name_ko"].tolist()


def test_the_activities_chart_gives_the_reason_of_the_years_list(ds):
    """The 2024 document lists outcomes (추진실적) for 2021–2023 only (lines 112–116): for 2024 the year's
    activity list and its chart are not available for one reason, the metric's, so the page shows one box
    with one reason. A year whose activities state no number of events has a list but no chart, and says so."""
    import dataclasses

    from citynet_analysis.analysis import metrics
    from citynet_analysis.reporting.notebook.narrative import unavailable_text

    assert sorted(ds.activities["fiscal_year"].unique()) == [2021, 2022, 2023]
    listed, chart = metrics.year_activities(ds, 2024), charts.activities_chart(ds, 2024, "en")
    assert isinstance(chart, Unavailable) and chart == listed and chart.reason == "no_outcomes_year"
    assert unavailable_text(chart, "en") == unavailable_text(listed, "en") == (
        "**The activity list is not available for FY2024** (the documents list no outcome activities for this "
        "year).")
    assert unavailable_text(chart, "ko") == "**2024년에는 '활동 현황' 지표를 산출할 수 없습니다** (이 해의 추진실적이 없음)."
    # 2023: 제43차 집행위원회 (one) and a seminar without a number; with no number stated at all, no chart
    acts = ds.activities.assign(count=ds.activities["count"].where(ds.activities["fiscal_year"] != 2023))
    uncounted = dataclasses.replace(ds, activities=acts, fingerprint="uncounted", _views={})
    assert len(metrics.year_activities(uncounted, 2023)) == (ds.activities["fiscal_year"] == 2023).sum()
    chart = charts.activities_chart(uncounted, 2023, "en")
    assert (chart.metric, chart.reason) == ("events by type", "no_counted_activities")
    assert unavailable_text(chart, "en") == ("**The count of events by type is not available for FY2023** (no "
                                             "activity of the year states a number of events).")
