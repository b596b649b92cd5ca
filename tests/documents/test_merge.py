"""Merging: a fact stated twice appears once, the newer document wins, differences become revisions."""

from citynet_analysis.documents.ingest import build_dataset

from ..conftest import RAW_2024, VARIANT_2025


def test_merge_2024_and_2025(tmp_path):
    t = build_dataset([VARIANT_2025, RAW_2024], relative_to=tmp_path)  # order of arguments does not matter
    assert list(t["documents"]["document_id"]) == ["citynet-fy2024", "citynet-fy2025"]
    s = t["settlements"].set_index("fiscal_year")
    assert list(s.index) == [2020, 2021, 2022, 2023]
    assert s.loc[2022, "executed_krw"] == 830_000_000 and s.loc[2022, "document_id"] == "citynet-fy2025"
    bt = t["budget_totals"]
    fy2024 = bt[(bt["fiscal_year"] == 2024) & (bt["category"] == "계")]
    assert len(fy2024) == 1 and fy2024["document_id"].iloc[0] == "citynet-fy2025"  # same value: no revision
    assert sorted(bt["fiscal_year"].unique()) == [2023, 2024, 2025]
    rev = t["anomalies"][t["anomalies"]["check"] == "revision"]
    msgs = " | ".join(rev["message"])
    assert "settlements fiscal_year=2022 revised: executed_krw 834,395,000 → 830,000,000" in msgs
    assert "date 2022-10 → 2022-09" in msgs
    assert "budget_totals" not in msgs
    assert set(rev["document_id"]) == {"citynet-fy2025"}
    # line items of each year come from the document that budgets that year
    li = t["line_items"]
    assert set(li.loc[li["fiscal_year"] == 2024, "document_id"]) == {"citynet-fy2024"}
    assert li.loc[li["fiscal_year"] == 2025, "amount_krw"][li["level"] == 1].sum() == 1_250_000_000
    # 2024 activities exist only in the newer document; the 2022 list is the newer one
    acts = t["activities"]
    assert set(acts.loc[acts["fiscal_year"] == 2022, "document_id"]) == {"citynet-fy2025"}
    assert len(t["milestones"]) == 8


def test_same_document_named_twice_is_read_once(tmp_path):
    t = build_dataset([RAW_2024, RAW_2024], relative_to=tmp_path)
    assert list(t["documents"]["document_id"]) == ["citynet-fy2024"]
    assert len(t["line_items"]) == 11 and len(t["settlements"]) == 3
    assert (t["anomalies"]["check"] == "revision").sum() == 0
