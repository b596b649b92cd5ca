"""A slip in a document's own figures is shown wherever an affected number is: table rows, summaries and
the portal's card. Values checked by hand against the fixtures' lines."""

import pytest

from citynet_analysis.analysis import metrics, slips
from citynet_analysis.dataset.load import load
from citynet_analysis.dataset.store import write_dataset
from citynet_analysis.documents.ingest import build_dataset
from citynet_analysis.reporting.notebook import narrative
from citynet_analysis.reporting.publishers.portal import Headlines

from ..conftest import RAW_2024, REPO

FIXTURES = REPO / "tests" / "fixtures"


def _load(tmp_path, *docs, text=None):
    out = tmp_path / "processed"
    if text is not None:
        doc = tmp_path / "doc.txt"
        doc.write_text(text, encoding="utf-8")
        docs = (*docs, doc)
    write_dataset(build_dataset(list(docs), relative_to=out), out, inputs=tuple(docs))
    return load(out)


@pytest.fixture(scope="module")
def slip_2026(tmp_path_factory):
    return _load(tmp_path_factory.mktemp("slip"), FIXTURES / "citynet_fy2026_sum_slip.txt")


def test_the_rows_a_sum_slip_involves_are_marked(slip_2026):
    # line 38 회원도시 역량강화 150,000천원; lines 39, 40 its sub-items 60,000 + 87,000
    comp = metrics.composition(slip_2026, 2026).set_index("source_line")
    marked = comp[comp["slip"] != ""]
    assert list(marked.index) == [38, 39, 40]
    assert set(marked["slip_ko"]) == {"세부 항목 합계 150,000,000원 ≠ 147,000,000원 (행 38)"} and set(marked["slip"]) == {"Sub-items total 150,000,000 ≠ 147,000,000 won (line 38)"}
    assert comp.loc[41, "slip"] == ""  # 온라인플랫폼 운영 is not involved


def test_summaries_and_the_portal_card_say_so(slip_2026):
    (line,) = [x for x in narrative.overview_summary(slip_2026, 2026, "ko") if x.startswith("⚠")]
    assert line == ("⚠ **원문 불일치** (2026년, 행 38): 회원도시 역량강화의 세부 항목(행 39부터) 합이 "
                    "147,000,000원이나 항목 금액(행 38)은 150,000,000원")
    assert Headlines(slip_2026).slips(2026, "en") == (
        "1 slip in the document's own figures (kept as printed, marked in the table): Sub-items total 150,000,000 ≠ 147,000,000 won (line 38)")
    assert Headlines(slip_2026).slips(2025, "en") == ""  # the slip is in FY2026's figures only


def test_a_settlement_slip_marks_the_executed_amount_everywhere(tmp_path):
    text = RAW_2024.read_text(encoding="utf-8").replace(
        "(x-) 834,395\t(x-) 0\t(x-) 0\t(x-) 834,395\t(x-) 834,395", "(x-) 834,395\t(x-) 0\t(x-) 0\t(x-) 834,395\t(x-) 800,000")
    ds = _load(tmp_path, text=text)
    rates = metrics.execution_rates(ds).set_index("fiscal_year")
    assert rates.loc[2022, "slip_ko"] == "집행 내역 834,395,000원 ≠ 800,000,000원 (행 130)" and rates.loc[2021, "slip_ko"] == ""
    growth = metrics.growth(metrics.executed_series(ds)).set_index("fiscal_year")
    assert growth.loc[2022, "slip"] == "Use of the budget 834,395,000 ≠ 800,000,000 won (line 130)"
    cost = metrics.cost_per_event(ds, 2022)
    assert cost["slip"].iloc[0] == "Use of the budget 834,395,000 ≠ 800,000,000 won (line 130)"  # its money is the executed amount
    figures = {f["key"]: f for f in Headlines(ds).of(2022, "ko")}
    assert figures["executed"]["value"] == "800.0백만원" and figures["executed"]["slip"] == "원문 불일치: 집행 내역 834,395,000원 ≠ 800,000,000원 (행 130)"
    assert "slip" not in figures["budget"]  # the budget summary is not involved


def test_a_slip_in_figures_a_newer_document_replaced_concerns_nothing(tmp_path):
    # the revised fy2025 document restates 2024's budget: the fy2024 line items, and their formula slip, go
    ds = _load(tmp_path, RAW_2024, FIXTURES / "citynet_fy2025_revised.txt")
    assert "line_item_formula" in set(ds.anomalies["check"])
    assert slips.slips(ds).empty
    assert not any(x.startswith("⚠") for x in narrative.overview_summary(ds, 2024, "en"))


def test_a_clean_table_gets_no_slip_column(tmp_path):
    ds = _load(tmp_path, FIXTURES / "wego_fy2024.txt")
    assert "slip" not in metrics.composition(ds, 2024).columns
    assert "slip" not in metrics.execution_rates(ds).columns


def test_a_change_on_a_misprinted_previous_year_says_so(tmp_path):
    # 2023's column (A): 국제부담금 864,900 under 계 864,910 (line 30): the 2024 change, +27.2 %, rests on it
    text = RAW_2024.read_text(encoding="utf-8").replace(
        "국제부담금\t(x-) 864,910\t(x-) 1,100,000\t(x-) 235,090", "국제부담금\t(x-) 864,900\t(x-) 1,100,000\t(x-) 235,100")
    ds = _load(tmp_path, text=text)
    growth = metrics.growth(metrics.budget_series(ds)).set_index("fiscal_year")
    assert growth.loc[2023, "slip_ko"] == "예산 총괄 합계 864,910,000원 ≠ 864,900,000원 (행 30)"
    assert growth.loc[2024, "slip_ko"] == "2023년: 예산 총괄 합계 864,910,000원 ≠ 864,900,000원 (행 30)"
    change = {f["key"]: f for f in Headlines(ds).of(2024, "ko")}["change"]
    assert change["value"] == "+27.2%" and change["slip"].startswith("원문 불일치: 2023년: 예산 총괄 합계")
    assert [x for x in narrative.overview_summary(ds, 2024, "ko") if x.startswith("⚠")][-1].startswith(
        "⚠ **원문 불일치** (2023년, 행 30)")


def test_the_overview_names_a_settlement_slip_of_its_year(tmp_path):
    text = RAW_2024.read_text(encoding="utf-8").replace(
        "(x-) 834,395\t(x-) 0\t(x-) 0\t(x-) 834,395\t(x-) 834,395", "(x-) 834,395\t(x-) 0\t(x-) 0\t(x-) 834,395\t(x-) 800,000")
    ds = _load(tmp_path, text=text)
    assert any(x.startswith("⚠ **Document slip** (FY2022, line 130)") for x in narrative.overview_summary(ds, 2022, "en"))


def test_the_terminal_summary_marks_misprinted_figures(tmp_path):
    from citynet_analysis.cli.summary import summary_text

    text = summary_text(_load(tmp_path, FIXTURES / "citynet_fy2026_sum_slip.txt"))
    marked = [line.split()[0] for line in text.splitlines() if line.endswith("⚠")]
    assert marked == ["회원도시", "국내", "해외"]  # lines 38, 39, 40
    assert "⚠ 1 slip in the documents' own figures" in text
