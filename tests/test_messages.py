"""The anomaly messages (messages.toml): every check the code raises has Korean and English wordings with the
same details, and a label; the stored 2024 anomalies are worded in both languages."""

import re
import string
from pathlib import Path

import pandas as pd

from citynet_analysis import vocabulary
from citynet_analysis.config import PACKAGE_DIR, PROCESSED_DIR


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_each_message_has_both_languages_with_the_same_placeholders():
    for key in vocabulary.message_checks():
        entry = vocabulary._messages()["checks"][key]
        # the Korean wording may leave out an English gloss (section=milestones), never a detail
        assert _fields(entry["ko"]) <= _fields(entry["en"]), key
        assert _fields(entry["en"]) - _fields(entry["ko"]) <= {"section"}, key
        check = key.split(".")[0]
        assert vocabulary.check_label(check, "ko") != check, f"{check} has no label"


def test_every_check_raised_in_the_code_has_messages():
    code = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE_DIR.rglob("*.py"))
    raised = set(re.findall(r'note\("(?:warning|info|error)", "(\w+)"', code))
    raised |= set(re.findall(r'_row\([^,]+, "(?:warning|info|error)", "(\w+)"', code))
    raised |= set(re.findall(r'anomaly_text\("(\w+)"', code))
    assert len(raised) > 30
    assert raised <= {k.split(".")[0] for k in vocabulary.message_checks()}, raised - set(vocabulary.message_checks())


def test_stored_anomalies_are_worded_in_both_languages():
    a = pd.read_csv(Path(PROCESSED_DIR) / "anomalies.csv", encoding="utf-8")
    row = a[a["check"] == "line_item_formula"].iloc[0]
    # 사무관리비: 833,330원 × 12개월 = 9,999,960원 against the stated 10,000천원
    assert row["message"] == "사무관리비: formula 833,330원*12개월 = 9,999,960 won, stated 10,000,000 won (difference 40)"
    assert row["message_ko"] == "사무관리비: 산출식 833,330원*12개월 = 9,999,960원, 기재 금액 10,000,000원 (차이 40원)"
    assert a["message_ko"].str.contains("[가-힣]").all()
