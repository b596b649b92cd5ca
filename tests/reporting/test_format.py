import pandas as pd
import pytest

from citynet_analysis.reporting.notebook.format import category_label, column_label, item_label


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
    from citynet_analysis.reporting.notebook.format import format_table, value_label
    from citynet_analysis.reporting.publishers.workbook import cell_value

    row = {"cost_basis": "executed", "uncounted_reasons": "frequency 1, not_stated 2",
           "events_by_category": "webinar 9, executive_committee 1", "count_note": "not_stated"}
    shown = format_table(pd.DataFrame([row]), "ko").iloc[0].tolist()
    assert shown == [value_label(c, v, "ko") for c, v in row.items()]
    assert [cell_value(c, v, "ko") for c, v in row.items()] == shown
    assert shown[0] == "결산 집행액" and shown[2] == "웨비나 9, 집행위원회 1"
    assert not any(code in " ".join(shown) for code in ("executed", "frequency", "not_stated", "webinar"))
    assert value_label("events_by_category", "my_new_kind 2", "ko") == "my_new_kind 2"
