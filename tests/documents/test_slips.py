"""Documents as the city writes them: a slip is flagged and the rest read, one text is one name, revisions
hold whatever order the documents are named in. Every number below was checked by hand against the
fixture's lines."""

import unicodedata

import pandas as pd
import pytest

from citynet_analysis.cli import main
from citynet_analysis.dataset.load import read
from citynet_analysis.dataset.store import write_dataset
from citynet_analysis.dataset.validate import dataset_errors
from citynet_analysis.documents.amounts import evaluate_formula
from citynet_analysis.documents.ingest import build_dataset
from citynet_analysis.errors import InputError, ValidationFailed

from ..conftest import RAW_2024, REPO, VARIANT_2025

FIXTURES = REPO / "tests" / "fixtures"
SLIP_2026 = FIXTURES / "citynet_fy2026_sum_slip.txt"
REVISED_2025 = FIXTURES / "citynet_fy2025_revised.txt"


def _errors(tables):
    a = tables["anomalies"]
    return a[a["severity"] == "error"]


# -- a slip costs nothing but a flag ------------------------------------------------------------------

def test_a_level_3_pair_that_does_not_add_up_is_flagged_and_everything_else_is_read(tmp_path):
    # line 38: - 회원도시 역량강화 = 150,000천원; lines 39-40: 국내 연수 60,000 + 해외 연수 87,000 = 147,000천원
    t = build_dataset([SLIP_2026], relative_to=tmp_path)
    (e,) = _errors(t).itertuples()
    assert (e.check, e.source_line, e.other_line, e.fiscal_year, e.table) == (
        "sub_items_total", 38, 39, 2026, "line_items")
    assert (e.stated_krw, e.computed_krw) == (150_000_000, 147_000_000)
    assert "147,000,000" in e.message_ko and "150,000,000" in e.message_ko
    # the amounts stay as printed, and nothing else is lost
    items = t["line_items"].set_index("source_line")
    assert (items.loc[38, "amount_krw"], items.loc[40, "amount_krw"]) == (150_000_000, 87_000_000)
    assert t["documents"]["total_krw"].iloc[0] == 1_411_250_000
    assert list(t["settlements"]["fiscal_year"]) == [2022, 2023, 2024]
    assert set(t["activities"]["fiscal_year"]) == {2023, 2024, 2025}
    assert t["budget_totals"].query("fiscal_year == 2026 and category == '계'")["amount_krw"].iloc[0] == 1_411_250_000


def test_strict_refuses_the_slip(tmp_path):
    with pytest.raises(ValidationFailed) as exc:
        build_dataset([SLIP_2026], relative_to=tmp_path, strict=True)
    assert exc.value.errors == [f"{SLIP_2026.resolve()}:38: sub-items of 회원도시 역량강화 (from line 39) sum to "
                                "147,000,000 won, the item (line 38) is 150,000,000 won"]


def test_ingest_goes_on_with_a_count_of_errors_and_strict_exits_2(tmp_path, capsys):
    out = tmp_path / "processed"
    assert main(["ingest", str(SLIP_2026), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "1 error(s), 0 warning(s)" in captured.out
    assert captured.err.splitlines()[0].startswith("citynet-analysis: 1 error(s) in the documents")
    assert "citynet_fy2026_sum_slip.txt:38: sub-items of 회원도시 역량강화" in captured.err
    assert main(["validate", "--data", str(out)]) == 0  # a recorded slip is no failure of the data set
    strict = tmp_path / "strict"
    assert main(["ingest", str(SLIP_2026), "--out", str(strict), "--strict"]) == 2
    assert f"{SLIP_2026}:38:" in capsys.readouterr().err and not strict.exists()


def test_validate_still_refuses_a_break_nobody_recorded(tmp_path, capsys):
    out = tmp_path / "processed"
    write_dataset(build_dataset([SLIP_2026], relative_to=out), out, inputs=(SLIP_2026,))
    csv = out / "settlements.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("830000000", "820000000"), encoding="utf-8")
    errors = dataset_errors(read(out))
    assert len(errors) == 1 and "executed + carried over + unspent = 824,395,000 won" in errors[0]
    assert "not recorded in anomalies.csv" in errors[0]


def test_a_settlement_identity_break_is_flagged_with_both_sides(tmp_path):
    text = RAW_2024.read_text(encoding="utf-8").replace(
        "(x-) 834,395\t(x-) 0\t(x-) 0\t(x-) 834,395\t(x-) 834,395", "(x-) 834,395\t(x-) 0\t(x-) 0\t(x-) 834,395\t(x-) 800,000")
    doc = tmp_path / "slip.txt"
    doc.write_text(text, encoding="utf-8")
    t = build_dataset([doc], relative_to=tmp_path)
    e = _errors(t).set_index("check").loc["settlement_use"]
    assert (e["source_line"], e["fiscal_year"], e["table"]) == (130, 2022, "settlements")
    assert (e["stated_krw"], e["computed_krw"]) == (834_395_000, 800_000_000)
    assert t["settlements"].set_index("fiscal_year").loc[2022, "executed_krw"] == 800_000_000  # as printed


def test_formulas_round_half_up_to_the_won():
    assert evaluate_formula("833333.33원*12개월") == 10_000_000  # 9,999,999.96: truncating gave 9,999,999
    assert evaluate_formula("0.5원*1개") == 1 and evaluate_formula("2.5원*1개") == 3  # halves up, not to even
    assert evaluate_formula("833,330원*12개월") == 9_999_960


# -- one text, one name -------------------------------------------------------------------------------

def test_a_document_in_decomposed_hangul_reads_as_the_composed_one(tmp_path):
    nfd = tmp_path / "nfd.txt"
    nfd.write_text(unicodedata.normalize("NFD", RAW_2024.read_text(encoding="utf-8")), encoding="utf-8")
    assert nfd.read_bytes() != RAW_2024.read_bytes()
    a = build_dataset([nfd], relative_to=tmp_path)
    b = build_dataset([RAW_2024], relative_to=tmp_path)
    for name in b:
        left, right = a[name].drop(columns="source_file", errors="ignore"), b[name].drop(columns="source_file",
                                                                                         errors="ignore")
        pd.testing.assert_frame_equal(left, right)
    assert a["documents"]["program_ko"].iloc[0] == "시티넷 사무국 운영 지원"


@pytest.mark.parametrize("title", [unicodedata.normalize("NFD", "시티넷 사무국 운영 지원"),
                                   "시티넷  사무국\u3000운영 지원", "ＣｉｔｙＮｅｔ 사무국 운영 지원"])
def test_a_title_written_another_way_is_the_same_program(tmp_path, title):
    text = VARIANT_2025.read_text(encoding="utf-8")
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.strip() == "시티넷 사무국 운영 지원")
    lines[at] = title
    doc = tmp_path / "fy2025.txt"
    doc.write_bytes("\n".join(lines).encode("utf-8"))
    t = build_dataset([RAW_2024, doc], relative_to=tmp_path)
    assert list(t["documents"]["program_id"]) == ["citynet", "citynet"]
    assert not (t["anomalies"]["check"] == "unknown_program").any()


def test_an_unknown_programs_name_in_full_width_latin_keeps_its_id(tmp_path):
    from citynet_analysis.vocabulary import program_id

    assert program_id("ＩＣＬＥＩ 동아시아 사무국") == program_id("ICLEI 동아시아 사무국")
    assert program_id("ICLEI 동아시아 사무국").startswith("iclei-")


# -- revisions hold ------------------------------------------------------------------------------------

def test_a_revision_of_the_previous_years_budget_gives_a_data_set_that_validates(tmp_path):
    # the revised fy2025 document states 2024 as 1,150,000천원 (the fy2024 document: 1,100,000천원)
    out = tmp_path / "processed"
    tables = build_dataset([RAW_2024, REVISED_2025], relative_to=out)
    bt = tables["budget_totals"].set_index(["fiscal_year", "category"])
    assert bt.loc[(2024, "계"), "amount_krw"] == 1_150_000_000
    assert bt.loc[(2024, "계"), "document_id"] == "citynet-fy2025"
    assert 2024 not in set(tables["line_items"]["fiscal_year"])  # they add up to the old total
    assert tables["line_items"].query("fiscal_year == 2025 and level == 1")["amount_krw"].sum() == 1_250_000_000
    rev = tables["anomalies"][tables["anomalies"]["check"] == "revision"].set_index("table")
    items = rev.loc["line_items"]
    assert (items["fiscal_year"], items["stated_krw"], items["computed_krw"]) == (2024, 1_100_000_000, 1_150_000_000)
    assert "11 line items of citynet-fy2024" in items["message"]
    totals = rev.loc["budget_totals"]
    assert sorted(totals["stated_krw"]) == [1_100_000_000, 1_100_000_000]
    assert "amount_krw 1,100,000,000 → 1,150,000,000" in " ".join(totals["message"])
    write_dataset(tables, out, inputs=(RAW_2024, REVISED_2025))
    assert dataset_errors(read(out)) == []


def test_an_unrevised_year_keeps_its_line_items(tmp_path):
    tables = build_dataset([RAW_2024, VARIANT_2025], relative_to=tmp_path)
    li = tables["line_items"]
    assert li.query("fiscal_year == 2024 and level == 1")["amount_krw"].sum() == 1_100_000_000


def test_the_order_documents_are_named_in_does_not_matter(tmp_path):
    a = build_dataset([RAW_2024, REVISED_2025, FIXTURES / "wego_fy2024.txt"], relative_to=tmp_path)
    b = build_dataset([FIXTURES / "wego_fy2024.txt", REVISED_2025, RAW_2024], relative_to=tmp_path)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])


def test_two_documents_for_one_program_and_year_are_refused_naming_both(tmp_path):
    copy = tmp_path / "copy_of_2024.txt"
    copy.write_bytes(RAW_2024.read_bytes())
    for order in ([RAW_2024, copy], [copy, RAW_2024]):
        with pytest.raises(InputError) as exc:
            build_dataset(order, relative_to=tmp_path)
        assert {exc.value.file, str(exc.value).split("(the first is ")[1].split(")")[0]} == {str(RAW_2024), str(copy)}
        assert "a second document for program citynet and fiscal 2024" in exc.value.message
    # the same path named twice is one document
    assert len(build_dataset([RAW_2024, RAW_2024], relative_to=tmp_path)["documents"]) == 1


def test_a_category_only_the_older_document_states_is_not_kept_beside_the_newer_budget(tmp_path):
    # fy2024 splits 1,100,000천원 as 국제부담금 1,070,000 + 기타보조 30,000; fy2025 restates 2024 as
    # 국제부담금 1,100,000 + 민간경상보조 0: 기타보조 would make 2024's categories sum to 1,130,000
    text = RAW_2024.read_text(encoding="utf-8").replace(
        "국제부담금\t(x-) 864,910\t(x-) 1,100,000\t(x-) 235,090\t(x-) 27",
        "국제부담금\t(x-) 864,910\t(x-) 1,070,000\t(x-) 205,090\t(x-) 24\n기타보조\t(x-) 0\t(x-) 30,000\t(x-) 30,000\t(x-) -")
    doc = tmp_path / "fy2024.txt"
    doc.write_text(text, encoding="utf-8")
    out = tmp_path / "processed"
    tables = build_dataset([doc, VARIANT_2025], relative_to=out)
    fy2024 = tables["budget_totals"].query("fiscal_year == 2024").set_index("category")["amount_krw"]
    assert fy2024.to_dict() == {"계": 1_100_000_000, "국제부담금": 1_100_000_000, "민간경상보조": 0}
    dropped = tables["anomalies"][tables["anomalies"]["message"].str.contains("기타보조")]
    assert list(dropped["check"]) == ["revision"] and list(dropped["stated_krw"]) == [30_000_000]
    write_dataset(tables, out, inputs=(doc, VARIANT_2025))
    assert dataset_errors(read(out)) == []


def test_a_recorded_slip_edited_afterwards_is_no_longer_the_recorded_one(tmp_path):
    out = tmp_path / "processed"
    write_dataset(build_dataset([SLIP_2026], relative_to=out), out, inputs=(SLIP_2026,))
    csv = out / "line_items.csv"  # 해외 연수 87,000,000 → 97,000,000: the sub-items now sum to 157,000,000
    csv.write_text(csv.read_text(encoding="utf-8").replace(",87000000,", ",97000000,"), encoding="utf-8")
    errors = dataset_errors(read(out))
    assert len(errors) == 1 and "sum to 157,000,000 won" in errors[0] and "not recorded" in errors[0]


@pytest.mark.slow  # ingests a document of many amounts
def test_sums_of_many_amounts_near_the_bound_do_not_wrap_around(tmp_path):
    lines = RAW_2024.read_text(encoding="utf-8").split("\n")
    extra = [f"- 부대비용 {n}\t=\t999,999,999,999천원" for n in range(12_000)]  # each 10^15 − 1,000 won
    doc = tmp_path / "big.txt"
    doc.write_text("\n".join(lines[:44] + extra + lines[44:]), encoding="utf-8")
    t = build_dataset([doc], relative_to=tmp_path)
    e = _errors(t).set_index("check").loc["sub_items_total"]
    assert "12,000,000,000,468,350,000 won" in e["message"]  # exact: 12,000 × 999,999,999,999,000 + 480,350,000
    assert pd.isna(e["computed_krw"]) and e["stated_krw"] == 480_350_000  # beyond int64: in the message only
