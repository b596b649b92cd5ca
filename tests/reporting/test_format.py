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
