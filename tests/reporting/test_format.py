from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from citynet_analysis.reporting.notebook.format import (
    MILLION,
    category_label,
    column_label,
    decimal_text,
    format_krw,
    format_table,
    item_display_name,
    item_label,
    krw_formatter,
    money,
    pct,
    text_width,
)


def test_item_labels():
    assert item_label("제44차 집행위원회 개최", "en") == "44th Executive Committee"
    assert item_label("제41차 집행위원회", "en") == "41st Executive Committee"
    assert item_label("사무관리비", "en") == "Office administration"
    assert item_label("임대료 및 관리비 등", "en") == "Rent and building management"
    assert item_label("알 수 없는 항목", "en") == "알 수 없는 항목"
    assert item_label("인건비", "ko") == "인건비"


def test_category_and_columns():
    assert category_label("executive_committee", "ko") == "집행위원회"
    assert column_label("amount_krw", "en") == "Amount (million KRW)"
    with pytest.raises(ValueError):
        category_label("webinar", "jp")


def test_one_lookup_names_code_values_for_every_output():
    """Pages (format_table) and the workbook (cell_value) name a code the same way: phases, count notes
    and lists of counted categories in Korean on a Korean report; an unknown code shows as itself."""
    from citynet_analysis.reporting.notebook.format import value_label
    from citynet_analysis.reporting.publishers.workbook import cell_value

    row = {"cost_basis": "executed", "uncounted_reasons": "frequency 1, not_stated 2",
           "events_by_category": "webinar 9, executive_committee 1", "count_note": "not_stated"}
    shown = format_table(pd.DataFrame([row]), "ko").iloc[0].tolist()
    assert shown == [value_label(c, v, "ko") for c, v in row.items()]
    assert [cell_value(c, v, "ko") for c, v in row.items()] == shown
    assert shown[0] == "결산 집행액" and shown[2] == "웨비나 9, 집행위원회 1"
    assert not any(code in " ".join(shown) for code in ("executed", "frequency", "not_stated", "webinar"))
    assert value_label("events_by_category", "my_new_kind 2", "ko") == "my_new_kind 2"


# -- numbers: one formatter, half-up (반올림) -------------------------------------------------------------

@pytest.mark.parametrize(("won", "shown"), [
    (69_350_000, "69.4"),  # float formatting of 69.35 gave 69.3
    (1_411_250_000, "1,411.3"),
    (1_411_249_999, "1,411.2"),
    (50_000, "0.1"),
    (49_999, "0.0"),
    (-69_350_000, "-69.4"),
    (-49_999, "0.0"),  # never "-0.0"
    (np.int64(69_350_000), "69.4"),
    (69_350_000.0, "69.4"),
    (Decimal("69350000"), "69.4"),
])
def test_decimal_text_rounds_won_half_up(won, shown):
    assert decimal_text(won, 1, scale=MILLION) == shown


@pytest.mark.parametrize(("value", "kwargs", "shown"), [
    (27.25, {}, "27.3"),  # through repr: 27.25, not a binary 27.2499…
    (4.95, {}, "5.0"),
    (-4.95, {}, "-5.0"),
    (-4.95, {"minus": "\u2212"}, "\u22125.0"),
    (4.95, {"signed": True}, "+5.0"),
    (0.0, {"signed": True}, "+0.0"),
    (-0.04, {"signed": True}, "+0.0"),  # rounds to zero: no "-0.0"
    (np.float64(14.45), {}, "14.5"),
    (1234.56, {}, "1,234.6"),
    (2.5, {"decimals": 0}, "3"),  # half-up, not banker's rounding
    (None, {}, "—"),
    (float("nan"), {}, "—"),
    (pd.NA, {}, "—"),
    (float("inf"), {}, "—"),
])
def test_decimal_text_percents_and_missing(value, kwargs, shown):
    assert decimal_text(value, **kwargs) == shown


def test_decimal_text_refuses_what_is_not_a_number():
    with pytest.raises(TypeError):
        decimal_text("69350000")
    with pytest.raises(TypeError):
        decimal_text(True)
    with pytest.raises(ValueError):
        decimal_text(1, -1)


@pytest.mark.parametrize(("won", "shown"), [
    (69_350_000, "69.4"), (1_411_250_000, "1,411.3"), (1_411_249_999, "1,411.2"), (50_000, "0.1"),
    (49_999, "0.0"), (-69_350_000, "-69.4"),
])
def test_every_formatter_writes_the_same_amount_the_same_way(won, shown):
    assert money(won, "ko") == f"{shown}백만원"
    assert money(won, "en") == f"KRW {shown} million"
    assert format_krw(won, decimals=1, minus="-") == shown
    assert format_krw(won, decimals=1) == shown.replace("-", "\u2212")  # the charts' minus (U+2212)
    assert krw_formatter(decimals=1)(won, 0) == shown.replace("-", "\u2212")
    table = format_table(pd.DataFrame({"amount_krw": [won], "cost_per_event_krw": [float(won)]}), "ko")
    assert table.iloc[0].tolist() == [shown, shown]


@pytest.mark.parametrize(("value", "shown"), [(27.25, "27.3"), (4.95, "5.0"), (-4.95, "-5.0")])
def test_percents_the_same_in_tables_and_text(value, shown):
    assert pct(value) == f"{shown}%"
    assert format_table(pd.DataFrame({"share_pct": [value]}), "en").iloc[0, 0] == shown


def test_pct_signed_and_money_missing():
    assert pct(27.25, signed=True) == "+27.3%" and pct(-4.95, signed=True) == "-5.0%"
    assert pct(None) == "—" and money(float("nan")) == "—" and money(pd.NA) == "—"
    assert format_table(pd.DataFrame({"amount_usd": [1_411_250.0], "amount_krw": [pd.NA]}), "en").iloc[0].tolist() \
        == ["1,411.3", "—"]


# -- the line-item hierarchy ---------------------------------------------------------------------------

def test_item_display_name_indents_sub_items_under_one_marker():
    nbsp = "\u00a0"
    assert item_display_name("사업비", 1, "ko") == "사업비"
    assert item_display_name("교육훈련비", 2, "ko") == f"{nbsp * 2}ㄴ 교육훈련비"
    assert item_display_name("교육훈련비", 3, "ko") == f"{nbsp * 4}ㄴ 교육훈련비"
    assert item_display_name("인건비", 2, "en") == f"{nbsp * 2}ㄴ 인건비 (Personnel)"
    assert item_display_name("인건비", None, "ko") == "인건비"
    assert item_display_name(None, 2, "ko") == "—"


def test_format_table_shows_the_hierarchy_and_shares_per_level(ds_2024):
    """사업비's sub-items are indented under it; 총액 대비 is stated for top-level items only (adding up to
    100 %, not 143.7 %), 상위 항목 대비 for sub-items only."""
    from citynet_analysis.analysis import metrics

    comp = metrics.composition(ds_2024, 2024)
    view = format_table(comp, "ko", ["name_ko", "amount_krw", "share_of_total_pct", "share_of_parent_pct"])
    names = view["항목"].tolist()
    assert names[:4] == ["임대료 및 관리비 등", "인건비", "사업비", "\u00a0\u00a0ㄴ 회원도시 역량강화 연수"]
    for name, level in zip(names, comp["level"], strict=True):
        assert name.lstrip("\u00a0").startswith("ㄴ ") == (level > 1)
    row = view.iloc[names.index("\u00a0\u00a0ㄴ 도시네트워크 활성화 사업")]
    assert row.tolist() == ["\u00a0\u00a0ㄴ 도시네트워크 활성화 사업", "69.4", "—", "14.4"]
    top = view[comp["level"].to_numpy() == 1]
    assert (view.loc[comp["level"].to_numpy() > 1, "총액 대비 (%)"] == "—").all()
    assert (top["상위 항목 대비 (%)"] == "—").all()
    assert sum(Decimal(s) for s in top["총액 대비 (%)"]) == Decimal("100.0")  # 21.1+30.2+43.7+2.7+0.9+1.4
    # without a level column (a table of the analyst's own) names are shown as they are
    assert format_table(comp.drop(columns="level"), "ko", ["name_ko"]).iloc[3, 0] == "회원도시 역량강화 연수"


# -- the terminal summary ------------------------------------------------------------------------------

def test_summary_aligns_amounts_by_display_width_and_agrees_with_the_tables(ds_2024):
    from citynet_analysis.analysis import metrics
    from citynet_analysis.cli.summary import summary_text

    lines = summary_text(ds_2024).splitlines()
    start = lines.index("Line items FY2024 (million won):") + 1
    items = lines[start:start + len(ds_2024.line_items)]
    assert len(items) == 11 and all(line.startswith("  ") for line in items)
    # the amount column (10 wide, amounts right-aligned in it) starts at the same screen column on every line,
    # Hangul names counted two columns a character, and no name runs into it
    columns = [line.removesuffix(" ⚠") for line in items]
    assert len({text_width(line[:-10]) for line in columns}) == 1, items
    assert all(line[-11] == " " and line[-10:].strip() for line in columns), items
    (line,) = [x for x in items if "도시네트워크 활성화 사업" in x]
    assert line.split()[-1] == "69.4"
    comp = metrics.composition(ds_2024, 2024)
    shown = format_table(comp, "en", ["amount_krw"]).iloc[:, 0].tolist()
    assert "69.4" in shown and money(69_350_000, "en") == "KRW 69.4 million"
    assert [x.removesuffix(" ⚠").split()[-1] for x in items] == shown  # the same string, row by row
