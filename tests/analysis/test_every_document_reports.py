"""Every document ingest accepts gets all its reports: every metric, summary, table and chart the three
notebooks call (their own code cells, run in this process by ``notebook_calls``) completes for every fiscal
year of the data set in both languages, and says "not available", with the reason, where the data cannot
give a number: never an exception, a ``nan``, an ``inf`` or a warning on the page.

- a new program's document (``tests/fixtures/newprogram_fy2025_zero_previous.txt``: previous year (A) 0,
  change percent ``-``, a 결산 of zeros, one outcome year), with its numbers checked by hand;
- data whose sums do not add up (sub-items against their parent, executed against available);
- every mutated copy of the 2024 document that ingest accepts (``CITYNET_PROPERTY_EXAMPLES``, default 40);
- the real command line on the new program's document: ingest, then a batch that publishes every page.
"""

from __future__ import annotations

import dataclasses
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from citynet_analysis import load
from citynet_analysis.analysis import metrics
from citynet_analysis.analysis.metrics import Unavailable
from citynet_analysis.dataset.store import write_dataset
from citynet_analysis.documents.ingest import build_dataset
from citynet_analysis.errors import InputError, ValidationFailed
from citynet_analysis.reporting.batch.notebook_files import notebook_paths
from citynet_analysis.reporting.notebook import narrative

from ..conftest import REPO
from ..mutations import mutated_documents
from .notebook_calls import LANGS, NOTEBOOKS, check_readable, memoized, run_all

NEW_PROGRAM = REPO / "tests" / "fixtures" / "newprogram_fy2025_zero_previous.txt"
EXAMPLES = int(os.environ.get("CITYNET_PROPERTY_EXAMPLES", "40"))
M = 1_000_000


def _dataset(paths, folder: Path):
    out = folder / "processed"
    write_dataset(build_dataset(paths, relative_to=out), out)
    return load(out)


@pytest.fixture(scope="module")
def new_program(tmp_path_factory):
    return _dataset([NEW_PROGRAM], tmp_path_factory.mktemp("newprogram"))


@pytest.fixture(scope="module")
def reports(new_program):
    """The outputs of every notebook, year and language on the new program's data set."""
    return {(year, lang): run_all(new_program, year, lang)
            for year in new_program.fiscal_years() for lang in LANGS}


# -- the new program's document ---------------------------------------------------------------------

def test_the_new_program_document_ingests_as_written(new_program):
    ds = new_program
    assert ds.fiscal_years() == [2023, 2024, 2025]
    doc = ds.documents.iloc[0]
    assert (doc["fiscal_year"], doc["total_krw"], doc["city_krw"]) == (2025, 500 * M, 500 * M)
    totals = ds.budget_totals.set_index(["fiscal_year", "category"])["amount_krw"]
    assert totals[(2024, "계")] == 0 and totals[(2025, "계")] == 500 * M  # (A) 0, (B) 500,000천원
    items = ds.line_items.set_index("name_ko")
    # 90,000 + 180,000 + 214,000 + 6,000 + 10,000 = 500,000천원; 64,000 + 50,000 + 100,000 = 214,000
    assert items.loc[items["level"] == 1, "amount_krw"].sum() == 500 * M
    assert items.loc[items["level"] == 2, "amount_krw"].sum() == items.loc["사업비", "amount_krw"] == 214 * M
    s = ds.settlements.iloc[0]
    assert len(ds.settlements) == 1 and s["fiscal_year"] == 2023
    assert (s[[c for c in ds.settlements.columns if c.endswith("_krw")]] == 0).all()
    assert ds.activities[["fiscal_year", "category", "count"]].values.tolist() == [
        [2024, "webinar", 2], [2024, "seminar", 1]]
    assert set(ds.anomalies["severity"]) <= {"info"}  # consistent: no break, no warning


def test_every_notebook_completes_for_every_year_and_language(reports):
    assert set(reports) == {(y, lang) for y in (2023, 2024, 2025) for lang in LANGS}
    for (year, lang), by_notebook in reports.items():
        assert set(by_notebook) == set(NOTEBOOKS)
        for name, outputs in by_notebook.items():
            check_readable(outputs, f"{name} FY{year} {lang}")


def _unavailable(reports, year, lang) -> list[tuple[str, str, str]]:
    """(notebook, output name, reason) of every output of a year that is not available, in order."""
    return [(nb[:2], o.name, o.result.reason) for nb, outputs in reports[(year, lang)].items()
            for o in outputs if o.kind == "unavailable"]


def test_not_available_where_the_data_cannot_say_and_why(reports):
    no_items = [("01", "composition", "no_line_items"), ("01", "composition", "no_line_items"),  # table, chart
                ("01", "group_shares", "no_line_items"), ("01", "program_costs", "no_line_items")]
    trends = [("03", "budget_cagr", "zero_start_year"),  # the first year (2023) has 0
              ("03", "execution", "all_zero_amounts")]  # the one 결산 is all zeros
    all_years = [("02", "cost_per_event_all_years", "no_year_costed"),  # 2024's events had no money
                 ("02", "cost_per_event", "no_year_costed")]  # the chart of all years
    # the year's table and its chart: one reason, the metric's (the page shows one box)
    no_outcomes = [("02", "activities", "no_outcomes_year"), ("02", "activities", "no_outcomes_year")]
    no_item_metrics = [("02", "cost_per_event_by_item", "no_line_items"),
                       ("02", "personnel_per_head", "no_line_items")]
    expected = {
        # 2023: a settlement of zeros only: no line items, no outcomes
        2023: no_items + [("02", "cost_per_event", "no_outcomes_year"), *all_years, *no_outcomes,
                          *no_item_metrics, *trends],
        # 2024: the (A) column's 0 and the outcomes: 0 won over 3 events is no cost per event
        2024: no_items + [("02", "cost_per_event", "zero_money_budget"), *all_years, *no_item_metrics, *trends],
        # 2025: the budget with its line items, no outcomes yet
        2025: [("02", "cost_per_event", "no_outcomes_year"), *all_years, *no_outcomes, *trends],
    }
    for year, reasons in expected.items():
        for lang in LANGS:
            assert _unavailable(reports, year, lang) == reasons, (year, lang)


def test_the_metrics_say_why_directly(new_program):
    ds = new_program

    def reason(result):
        assert isinstance(result, Unavailable), result
        return result.reason

    assert reason(metrics.budget_change_pct(ds, 2025)) == "zero_previous_year"
    assert reason(metrics.budget_change_pct(ds, 2024)) == "zero_previous_year"
    assert reason(metrics.budget_change_pct(ds, 2023)) == "no_previous_year"
    assert reason(metrics.budget_change_pct(ds, 2026)) == "no_budget_year"
    assert reason(metrics.execution_rate(ds, 2023)) == "zero_available"  # 0 of 0
    assert reason(metrics.execution_rate(ds, 2025)) == "no_settlement_year"
    assert reason(metrics.cost_per_event(ds, 2024)) == "zero_money_budget"
    assert reason(metrics.cagr(metrics.growth(metrics.budget_series(ds)))) == "zero_start_year"
    assert reason(metrics.composition(ds, 2024)) == "no_line_items"
    assert reason(metrics.year_activities(ds, 2025)) == "no_outcomes_year"
    g = metrics.growth(metrics.budget_series(ds)).set_index("fiscal_year")
    assert g["yoy_nominal_pct"].isna().all()  # 0 → 0 and 0 → 500,000천원: no percent, never inf
    assert math.isnan(metrics.execution_rates(ds)["execution_rate_pct"].iloc[0])


def test_real_values_where_they_exist(new_program, reports):
    ds = new_program
    b = metrics.budget_series(ds).set_index("fiscal_year")
    assert b["amount_krw"].to_dict() == {2023: 0, 2024: 0, 2025: 500 * M}
    assert b["basis"].to_dict() == {2023: "final_budget", 2024: "budget", 2025: "budget"}
    change = metrics.budget_change(ds, 2025).iloc[0]
    assert (change["previous_krw"], change["change_krw"]) == (0, 500 * M) and math.isnan(change["change_pct"])
    comp = metrics.composition(ds, 2025).set_index("name_ko")
    # shares of 500,000천원: 180,000 → 36 %, 214,000 → 42.8 %; of 사업비 214,000: 50,000 → 23.3645 %
    assert comp.loc["인건비", "share_of_total_pct"] == pytest.approx(36.0)
    assert comp.loc["사업비", "share_of_total_pct"] == pytest.approx(42.8)
    assert comp.loc["제1차 집행위원회 개최", "share_of_parent_pct"] == pytest.approx(100 * 50 / 214)
    sides = metrics.overhead_vs_program(ds, 2025).set_index("side")
    # overhead 90,000 + 180,000 + 6,000 + 10,000 = 286,000 (57.2 %); programs 214,000 (42.8 %)
    assert sides.loc["overhead", "amount_krw"] == 286 * M and sides.loc["program", "amount_krw"] == 214 * M
    assert sides.loc["overhead", "share_pct"] == pytest.approx(57.2)
    head = metrics.personnel_cost_per_head(ds, 2025).iloc[0]
    assert (head["heads"], head["cost_per_head_krw"]) == (3, 60 * M)  # 180,000천원 / 직원 3명
    by_type = metrics.cost_per_event_by_type(ds, 2025).set_index("name_ko")
    assert by_type.loc["제1차 집행위원회 개최", "cost_per_event_krw"] == 50 * M
    assert math.isnan(by_type.loc["회원도시 기후정책 역량강화 연수", "cost_per_event_krw"])  # no count: no guess
    assert metrics.events_by_category(ds, 2024).to_dict() == {"webinar": 2, "seminar": 1}
    assert len(metrics.year_activities(ds, 2024)) == 2
    def shown(year, notebook):
        return [(o.kind, o.name) for o in reports[(year, "en")][notebook]]

    assert shown(2025, "01_budget_overview") == [
        ("summary", None), ("table", "composition"), ("figure", "composition"), ("table", "group_shares"),
        ("figure", "program_costs"), ("table", "anomalies")]
    assert ("table", "activities") in shown(2024, "02_cost_per_activity")
    assert ("figure", "activities") in shown(2024, "02_cost_per_activity")
    assert ("figure", "budget_trend") in shown(2025, "03_trends")
    assert ("table", "budget_growth") in shown(2025, "03_trends")


def test_the_summaries_give_the_change_in_won_and_why_there_is_no_percent(new_program):
    ds = new_program
    en = narrative.overview_summary(ds, 2025, "en")
    assert en[1] == ("FY2025 budget: **KRW 500.0 million** (budget summary), a change of KRW 500.0 million on the "
                     "previous year (the previous year's budget is 0, as for a new program, so there is no percent "
                     "change)")
    # 인건비(직원 3명 등) = 180,000천원: 60,000천원 per person
    assert en[2:] == ["Overhead (personnel, rent, administration, promotion): 57.2%; programs and events: 42.8%",
                      "Largest item: 사업비 (Program costs), KRW 214.0 million (42.8% of the total)",
                      "Personnel cost per person: KRW 60.0 million (3 people: 3 staff, etc.)",
                      "FY2025 is not yet settled in the data, so there is no execution rate."]
    ko = narrative.overview_summary(ds, 2025, "ko")
    assert ko[1] == ("2025년 예산: **500.0백만원** (예산 총괄 예산액), 전년 대비 증감 500.0백만원 "
                     "(전년도 예산이 0원이어서(신규 사업 등) 증감률이 없음)")
    assert narrative.overview_summary(ds, 2023, "en")[-1] == (
        "**The execution rate is not available for FY2023** (the year's available budget is 0).")
    tr = narrative.trend_summary(ds, 2025, "en")
    assert tr[0] == ("Average annual budget growth 2023–2025 (CAGR): **not available** (the first year's budget "
                     "is 0, so there is no compound growth rate)")
    assert tr[1] == ("FY2025 change on the previous year: KRW 500.0 million (the previous year's budget is 0, as "
                     "for a new program, so there is no percent change)")
    assert tr[-1] == "Execution rates: 2023 (not available: the year's available budget is 0)"
    assert narrative.trend_summary(ds, 2025, "ko")[-1] == "집행률: 2023 (산출 불가: 이 해 결산의 예산현액이 0원임)"
    cost = narrative.cost_summary(ds, 2024, "ko")
    assert cost == ["**2024년에는 '행사당 비용' 지표를 산출할 수 없습니다** (이 해 예산이 0원이어서(결산 전) 행사에 "
                    "나눌 비용이 없음)."]
    assert narrative.cost_summary(ds, 2025, "en")[1:] == [
        "회원도시 기후정책 역량강화 연수: KRW 64.0 million (no number of events stated, so no cost per event)",
        "제1차 집행위원회 개최: KRW 50.0 million per event (1 event)"]


# -- sums that do not add up --------------------------------------------------------------------------

def _broken(ds, line_items: dict[str, int], settlements: dict[tuple[int, str], int]):
    """``ds`` with line items (by name) and settlement cells (by year and column) set to other amounts."""
    items = ds.line_items.copy()
    for name, amount in line_items.items():
        items.loc[items["name_ko"] == name, "amount_krw"] = amount
    s = ds.settlements.copy()
    for (year, col), amount in settlements.items():
        s.loc[s["fiscal_year"] == year, col] = amount
    return dataclasses.replace(ds, line_items=items, settlements=s, fingerprint="broken", _views={})


@pytest.mark.slow  # every notebook's calls, every year, both languages, per case
@pytest.mark.parametrize("case", ["sub_items_over_parent", "parent_zero", "all_zero"])
def test_sums_that_do_not_add_up_still_report(ds_2024, case):
    """Identity breaks kept as printed (flagged in the anomalies, not refused): shares over 100 %, a parent
    of 0, executed over available, a settlement of 0 available or 0 executed, a year whose items are all 0."""
    items = {"sub_items_over_parent": {"회원도시 역량강화 연수": 600 * M},  # > 사업비 480,350천원
             "parent_zero": {"사업비": 0},
             "all_zero": {name: 0 for name in ds_2024.line_items["name_ko"]}}[case]
    settled = {(2020, "available_krw"): 0,  # executed 698,280천원 of 0 available
               (2021, "executed_krw"): 0}
    if case == "all_zero":
        settled = {(y, c): 0 for y in (2020, 2021, 2022) for c in ds_2024.settlements.columns if c.endswith("_krw")}
    ds = _broken(ds_2024, items, settled)
    for year in ds.fiscal_years():
        for lang in LANGS:
            for name, outputs in run_all(ds, year, lang).items():
                check_readable(outputs, f"{case}: {name} FY{year} {lang}")
    comp = metrics.composition(ds, 2024)
    if case == "sub_items_over_parent":
        c = comp.set_index("name_ko")
        assert c.loc["회원도시 역량강화 연수", "share_of_parent_pct"] == pytest.approx(100 * 600_000 / 480_350)
        assert c.loc["사업비", "share_of_total_pct"] == pytest.approx(100 * 480_350 / 1_100_000)
    elif case == "parent_zero":
        c = comp.set_index("name_ko")
        assert c.loc[c["level"] == 2, "share_of_parent_pct"].isna().all()  # no share of 0
        assert c.loc[c["level"] == 1, "share_of_total_pct"].notna().all()
        assert c.loc[c["level"] == 2, "share_of_total_pct"].isna().all()  # a share at its own level only
        assert metrics.execution_rate(ds, 2020).reason == "zero_available"
        assert metrics.cost_per_event(ds, 2021).reason == "zero_money_executed"
    else:
        assert comp.reason == "zero_total"
        assert metrics.execution_rate(ds, 2022).reason == "zero_available"
        assert metrics.cost_per_event(ds, 2022).reason == "zero_money_executed"


# -- every mutated document ingest accepts -----------------------------------------------------------

# No shrinking: an accepted example takes most of a second, shrinking one takes minutes, and a failure
# prints the whole document anyway.
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@pytest.mark.slow  # a property test: many documents, every year, both languages
@given(text=mutated_documents(), chart_lang=st.sampled_from(LANGS))
def test_every_document_ingest_accepts_gets_all_its_reports(text, chart_lang):
    """Summaries, metrics and tables for every year in both languages; the charts in one of them (drawn
    by hypothesis: a chart's language changes its words, not its numbers). To stay quick, each metric and
    chart is computed once per distinct call on the data set (``memoized``)."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "mutated.txt"
        path.write_text(text, encoding="utf-8")
        try:
            ds = _dataset([path], Path(d))
        except (InputError, ValidationFailed) as exc:
            event(f"refused: {type(exc).__name__}")
            return  # refused (tests/documents/test_property.py checks that it is refused cleanly)
        event("accepted")
        with memoized(ds):
            for year in ds.fiscal_years():
                for lang in LANGS:
                    for name, outputs in run_all(ds, year, lang, charts=lang == chart_lang).items():
                        check_readable(outputs, f"{name} FY{year} {lang}")


# -- the command line ----------------------------------------------------------------------------------

@pytest.mark.slow
def test_the_cli_ingests_the_new_program_and_publishes_every_page(tmp_path):
    """``ingest`` then ``batch`` as a user runs them: exit 0 and every notebook's page of every year (the
    year of a 0 previous budget used to stop 01_budget_overview with ZeroDivisionError)."""
    data, out = tmp_path / "processed", tmp_path / "reports"

    def cli(*args):
        r = subprocess.run([sys.executable, "-m", "citynet_analysis", *args], capture_output=True, text=True,
                           cwd=tmp_path, timeout=600)
        assert r.returncode == 0, f"{args[0]} exit {r.returncode}\n{r.stdout}\n{r.stderr}"
        return r

    cli("ingest", str(NEW_PROGRAM), "--out", str(data))
    cli("batch", "--data", str(data), "--out", str(out), "--jobs", "1", "--no-progress")
    assert not (out / "failed").exists()
    (program,) = load(data).programs()
    for year in (2023, 2024, 2025):
        reports = f"{program}_{year}_ko"  # <program>_<year>_<lang>/, every file named after it
        for name in notebook_paths():
            page = out / reports / f"{reports}_{name}.html"
            assert page.is_file() and (out / reports / f"{name}.ipynb").is_file(), page
        assert (out / reports / f"{reports}_memo.docx").is_file()
    page = (out / f"{program}_2025_ko" / f"{program}_2025_ko_01_budget_overview.html").read_text(encoding="utf-8")
    assert "500.0백만원" in page and "Traceback" not in page and "ZeroDivisionError" not in page
