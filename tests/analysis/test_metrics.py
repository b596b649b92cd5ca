"""Metrics with numbers checked by hand against the 2024 document (and the 2025 variant fixture)."""

import math
from pathlib import Path

import pandas as pd
import pytest

from citynet_analysis import load
from citynet_analysis.analysis import metrics
from citynet_analysis.analysis.metrics import Unavailable, available
from citynet_analysis.dataset.load import Dataset


@pytest.fixture(scope="module")
def ds(ds_2024):
    return ds_2024


@pytest.fixture(scope="module")
def ds_2025(tmp_path_factory):
    from citynet_analysis.dataset.store import write_dataset
    from citynet_analysis.documents.ingest import build_dataset

    from ..conftest import RAW_2024, VARIANT_2025

    out = tmp_path_factory.mktemp("p2025") / "processed"
    write_dataset(build_dataset([RAW_2024, VARIANT_2025], relative_to=out), out)
    return load(out)


def test_composition_2024(ds):
    comp = metrics.composition(ds, 2024).set_index("name_ko")
    # 331,690 / 1,100,000 = 30.1536...%; 98,000 / 480,350 = 20.4018%
    assert comp.loc["인건비", "share_of_total_pct"] == pytest.approx(30.153636, abs=1e-6)
    assert comp.loc["회원도시 역량강화 연수", "share_of_parent_pct"] == pytest.approx(20.401790, abs=1e-6)
    assert comp.loc["사무관리비", "group"] == "administration"  # not rent: 사무관리비 contains 관리비
    assert comp.loc["2024 서울의 밤", "group"] == "events"


def test_composition_states_each_share_at_its_level(ds):
    """Top-level items carry their share of the total (adding up to 100 %, not 143.7 % with 사업비's
    sub-items counted twice); sub-items their share of 사업비 (adding up to 100 % of it), never both."""
    comp = metrics.composition(ds, 2024)
    top, subs = comp[comp["level"] == 1], comp[comp["level"] > 1]
    assert len(top) == 6 and len(subs) == 5
    assert top["share_of_total_pct"].sum() == pytest.approx(100.0)
    assert top["share_of_total_pct"].notna().all() and top["share_of_parent_pct"].isna().all()
    assert subs["share_of_total_pct"].isna().all() and subs["share_of_parent_pct"].notna().all()
    assert subs["share_of_parent_pct"].sum() == pytest.approx(100.0)  # 사업비's sub-items add up to it
    assert comp.loc[comp["name_ko"] == "사업비", "share_of_total_pct"].iloc[0] == pytest.approx(
        100 * 480_350 / 1_100_000)
    assert comp["share_of_total_pct"].sum() == pytest.approx(100.0)  # the column adds up, sub-items empty


def test_composition_top_level_shares_add_up_in_the_loaded_data_set():
    import citynet_analysis as ca

    ds = ca.load()
    for year in ds.line_items["fiscal_year"].unique():
        comp = metrics.composition(ds, int(year))
        if available(comp):
            assert comp.loc[comp["level"] == 1, "share_of_total_pct"].sum() == pytest.approx(100.0)


def test_overhead_vs_program_2024(ds):
    sides = metrics.overhead_vs_program(ds, 2024).set_index("side")["amount_krw"]
    # overhead = 232,360 + 331,690 + 10,000 + 15,600 = 589,650 천원; program = 480,350 + 30,000 = 510,350
    assert sides["overhead"] == 589_650_000 and sides["program"] == 510_350_000


def test_cost_per_event_2021_and_2022(ds):
    c21 = metrics.cost_per_event(ds, 2021).iloc[0]
    # 2021: executed 698,747천원 / (9 webinars + 제40차 집행위원회) = 69,874,700 won
    assert (c21["basis"], c21["events"], c21["cost_per_event_krw"]) == ("executed", 10, 69_874_700)
    c22 = metrics.cost_per_event(ds, 2022).iloc[0]
    # 2022: 834,395천원 / (7 seminars + 2 conferences + 제9차 총회 + 제41·42차 집행위원회 = 12)
    assert c22["events"] == 12
    assert c22["cost_per_event_krw"] == pytest.approx(69_532_916.67, abs=0.01)
    assert c22["events_by_category"] == "seminar 7, conference 2, congress 1, executive_committee 2"


def test_cost_per_event_basis_and_parameter(ds):
    c23 = metrics.cost_per_event(ds, 2023).iloc[0]
    assert c23["basis"] == "budget" and c23["amount_krw"] == 864_910_000  # not settled: the budget
    assert c23["uncounted_activities"] == 1 and not c23["complete"]  # the 2023 seminar has no count
    # 864.9 million over the one counted committee would overstate the cost per event: no number
    assert c23["events"] == 1 and pd.isna(c23["cost_per_event_krw"])
    webinars_only = metrics.cost_per_event(ds, 2021, ("webinar",)).iloc[0]
    assert webinars_only["events"] == 9
    assert metrics.parse_categories("webinar, seminar") == ("webinar", "seminar")
    with pytest.raises(ValueError, match="unknown activity categories"):
        metrics.parse_categories("webinar,party")


def test_cost_per_event_unavailable_is_explicit(ds):
    for year in (2020, 2024, 2031):
        r = metrics.cost_per_event(ds, year)
        assert isinstance(r, Unavailable) and not available(r)
        assert f"not available for FY{year}" in str(r)
    # 2024: the document's outcomes (4 사업효과, lines 111-116) end with 2023: the reason is the year's activity
    # list's, not "no activity of these types" (one reason wherever the year's events are concerned)
    assert metrics.cost_per_event(ds, 2024).reason == metrics.year_activities(ds, 2024).reason == "no_outcomes_year"
    # a year with outcomes but none of the chosen types: that reason
    assert metrics.cost_per_event(ds, 2022, ("site_visit",)).reason == "no_outcomes_in"


def test_cost_per_event_by_line_item(ds):
    t = metrics.cost_per_event_by_type(ds, 2024).set_index("name_ko")
    assert t.loc["제44차 집행위원회 개최", "cost_per_event_krw"] == 60_000_000
    assert t.loc["제44차 집행위원회 개최", "events"] == 1
    assert pd.isna(t.loc["회원도시 역량강화 연수", "events"])  # training with no count: no guess
    assert math.isnan(t.loc["회원도시 역량강화 연수", "cost_per_event_krw"])


def test_personnel_per_head(ds):
    h = metrics.personnel_cost_per_head(ds, 2024).iloc[0]
    # 331,690,000 / (직원 5 + 인턴 2) = 47,384,285.71
    assert h["heads"] == 7 and h["cost_per_head_krw"] == pytest.approx(47_384_285.714, abs=0.01)
    # who: in English, and as the data hold it (the twin column a Korean table shows)
    assert (h["heads_detail"], h["heads_detail_ko"]) == ("5 staff, 2 interns", "직원 5, 인턴 2")
    assert isinstance(metrics.personnel_cost_per_head(ds, 2022), Unavailable)
    # the basis (line 40) lists "직원 5명, 인턴 2명 등": the English summary keeps the "등"
    from citynet_analysis.reporting.notebook.narrative import overview_summary

    assert "(7 people: 5 staff, 2 interns, etc.)" in " ".join(overview_summary(ds, 2024, "en"))
    assert "(직원 5명, 인턴 2명 등, 7명 기준)" in " ".join(overview_summary(ds, 2024, "ko"))


def test_staff_text():
    assert metrics.staff_text("직원 5, 인턴 2", "ko") == "직원 5, 인턴 2"
    assert metrics.staff_text("직원 1, 인턴 1", "en") == "1 staff member, 1 intern"
    assert metrics.staff_text("직원 1200", "en") == "1,200 staff"  # as ingest stores it: a word, a number
    assert metrics.staff_text("계약직 3, 상근직원 2", "en") == "3 contract employees, 상근직원 2"  # unknown: as written
    assert metrics.staff_text(None, "en") == metrics.staff_text("", "ko") == ""


def test_events_by_type(ds):
    # 2022 (line 113–115): 세미나 7, 컨퍼런스 2, 제9차 총회, 제41차·42차 집행위원회
    counts = metrics.events_by_type(ds, 2022).set_index("category")["events"].to_dict()
    assert {c: counts[c] for c in ("seminar", "conference", "congress", "executive_committee")} == {
        "seminar": 7, "conference": 2, "congress": 1, "executive_committee": 2}
    # 2024: no outcomes listed; the same Unavailable as the year's activity list (one reason)
    assert metrics.events_by_type(ds, 2024) == metrics.year_activities(ds, 2024)
    assert metrics.events_by_type(ds, 2024).reason == "no_outcomes_year"


def test_execution_rates(ds):
    assert metrics.execution_rates(ds)["execution_rate_pct"].tolist() == [100.0, 100.0, 100.0]
    assert isinstance(metrics.execution_rate(ds, 2024), Unavailable)


def test_execution_rate_below_100_and_revisions(ds_2025):
    # 2025 fixture: 2022 executed 830,000 of 834,395 → 99.4733%; 2023: 850,000 of 869,910 → 97.7113%
    assert metrics.execution_rate(ds_2025, 2022) == pytest.approx(99.47327, abs=1e-4)
    assert metrics.execution_rate(ds_2025, 2023) == pytest.approx(97.71125, abs=1e-4)


def test_budget_series_and_growth(ds):
    b = metrics.budget_series(ds).set_index("fiscal_year")
    assert b.loc[2023, "amount_krw"] == 864_910_000 and b.loc[2023, "basis"] == "budget"
    assert b.loc[2020, "amount_krw"] == 698_280_000 and b.loc[2020, "basis"] == "final_budget"
    g = metrics.growth(metrics.budget_series(ds)).set_index("fiscal_year")
    # 2024 on 2023: 1,100,000 / 864,910 - 1 = 27.1809%
    assert g.loc[2024, "yoy_nominal_pct"] == pytest.approx(27.180863, abs=1e-5)
    # constant 2020 won: 1,100,000,000 * 100 / 114.18 = 963,391,136.8
    assert g.loc[2024, "amount_2020krw"] == pytest.approx(963_391_136.8, abs=0.1)
    # USD: 1,100,000,000 / 1,364.0 = 806,451.61
    assert g.loc[2024, "amount_usd"] == pytest.approx(806_451.61, abs=0.01)
    assert math.isnan(g.loc[2020, "yoy_nominal_pct"])
    c = metrics.cagr(metrics.growth(metrics.budget_series(ds))).set_index("measure")["cagr_pct"]
    # (1,100,000 / 698,280) ** (1/4) - 1 = 12.0317%
    assert c["amount_krw"] == pytest.approx(12.03166, abs=1e-4)


def test_missing_cpi_year_gives_nan_and_a_note(ds_2025):
    g = metrics.growth(metrics.budget_series(ds_2025)).set_index("fiscal_year")
    assert g.loc[2025, "amount_krw"] == 1_250_000_000
    assert math.isnan(g.loc[2025, "amount_2020krw"]) and math.isnan(g.loc[2025, "amount_usd"])
    assert g.loc[2025, "note"] == "no_cpi; no_fx"  # codes; the reports word them (test_format)
    assert g.loc[2025, "yoy_nominal_pct"] == pytest.approx(100 * (1_250_000 / 1_100_000 - 1))
    assert math.isnan(g.loc[2025, "yoy_real_pct"])


def test_year_without_line_items(ds):
    for fn in (metrics.composition, metrics.group_shares, metrics.overhead_vs_program,
               metrics.cost_per_event_by_type):
        r = fn(ds, 2022)
        assert isinstance(r, Unavailable) and "FY2022" in str(r)


def test_empty_dataset_gives_unavailable_not_errors(ds):
    empty = Dataset(**{n: df.iloc[0:0] for n, df in ds.tables().items()}, path=ds.path)
    assert metrics.budget_series(empty).empty
    assert isinstance(metrics.cost_per_event(empty, 2024), Unavailable)
    assert metrics.metrics_by_year(empty).empty


def test_year_activities(ds):
    assert len(metrics.year_activities(ds, 2022)) == 7
    r = metrics.year_activities(ds, 2024)
    assert isinstance(r, Unavailable) and "no outcome activities" in str(r)


def test_a_frequency_is_not_counted_and_the_metric_says_why(tmp_path):
    """The 2026 fixture's outcomes for 2025 (hand-checked): 워크숍 총 3회 and 교육과정 (연 4회) → 7 training
    events, 제45~46차 집행위원회 → 2; "월 1회 이상 웨비나 개최" is a frequency, so 2025 gets no cost per event."""
    from citynet_analysis import load
    from citynet_analysis.dataset.store import write_dataset
    from citynet_analysis.documents.ingest import build_dataset
    from citynet_analysis.reporting.notebook.narrative import cost_summary
    from tests.conftest import RAW_2024, REPO, VARIANT_2025

    out = tmp_path / "p"
    write_dataset(build_dataset([RAW_2024, VARIANT_2025, REPO / "tests" / "fixtures" / "citynet_fy2026_styled.txt"],
                                relative_to=out), out)
    ds = load(out)
    r = metrics.cost_per_event(ds, 2025).iloc[0]
    assert (r["events"], r["uncounted_activities"], r["uncounted_reasons"], r["complete"]) == (
        9, 1, "frequency 1", False)
    assert math.isnan(r["cost_per_event_krw"]) and r["amount_krw"] == 1_250_000_000
    assert metrics.events_by_category(ds, 2025).to_dict() == {"training": 7, "executive_committee": 2}
    line = cost_summary(ds, 2025, "en")[0]
    assert ("1 activity without a stated count (a frequency, not a number of events (e.g. “at least once a "
            "month”): 1)") in line


def test_budget_change_and_its_percent(ds):
    c = metrics.budget_change(ds, 2024).iloc[0]
    # 1,100,000 - 864,910 = 235,090천원; 235,090 / 864,910 = 27.1809%
    assert (c["amount_krw"], c["previous_krw"], c["change_krw"]) == (1_100_000_000, 864_910_000, 235_090_000)
    assert metrics.budget_change_pct(ds, 2024) == pytest.approx(27.180863, abs=1e-5)
    assert metrics.budget_change_pct(ds, 2020).reason == "no_previous_year"
    assert metrics.budget_change_pct(ds, 2031).reason == "no_budget_year"


def test_a_zero_previous_budget_has_no_percent_never_inf(ds):
    import dataclasses

    bt = ds.budget_totals.copy()
    bt.loc[bt["fiscal_year"] == 2023, "amount_krw"] = 0
    zero = dataclasses.replace(ds, budget_totals=bt, fingerprint="zero-2023", _views={})
    assert metrics.budget_change(zero, 2024).iloc[0]["change_krw"] == 1_100_000_000
    assert metrics.budget_change_pct(zero, 2024).reason == "zero_previous_year"
    g = metrics.growth(metrics.budget_series(zero)).set_index("fiscal_year")
    assert math.isnan(g.loc[2024, "yoy_nominal_pct"]) and g.loc[2023, "yoy_nominal_pct"] == pytest.approx(-100.0)


def test_cagr_needs_two_years_and_a_first_budget(ds):
    g = metrics.growth(metrics.budget_series(ds))
    assert metrics.cagr(g[g["fiscal_year"] == 2024]).reason == "one_year_only"
    assert metrics.cagr(g.iloc[0:0]).reason == "no_budget_data"
    assert metrics.cagr(g, start=2019).reason == "no_budget_year"
    zero = g.assign(amount_krw=g["amount_krw"].where(g["fiscal_year"] != 2020, 0))
    r = metrics.cagr(zero)
    assert r.reason == "zero_start_year" and "not available" in str(r)
    # growth down to 0 is a rate: (0 / 698,280) ** (1/4) - 1 = -100 %
    down = g.assign(amount_krw=g["amount_krw"].where(g["fiscal_year"] != 2024, 0))
    assert metrics.cagr(down).set_index("measure").loc["amount_krw", "cagr_pct"] == pytest.approx(-100.0)


def test_every_unavailable_reason_is_worded_in_both_languages():
    """Each reason code metrics.py and charts.py give (a literal in an Unavailable(...) call or an
    expression choosing one) is worded in vocabulary.toml [unavailable], in Korean and English."""
    import re

    from citynet_analysis import vocabulary

    worded = vocabulary.labels("unavailable")
    source = "".join((Path(metrics.__file__).parents[1] / name).read_text(encoding="utf-8")
                     for name in ("analysis/metrics.py", "reporting/notebook/charts.py", "reporting/notebook/narrative.py"))
    calls = re.findall(r"Unavailable\((.*?)\)\n", source, re.S)
    used = {code for call in calls for code in re.findall(r'"([a-z_]+)"', call)}
    used -= set(vocabulary.labels("metrics"))  # the metric names
    assert {"no_line_items", "zero_previous_year", "zero_money_budget", "all_zero_amounts"} <= used
    assert used <= set(worded), used - set(worded)
    for key, entry in worded.items():
        assert entry["en"] and re.search(r"[가-힣]", entry["ko"]), key
