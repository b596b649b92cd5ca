"""The anomaly messages (messages.toml): every check the code raises has Korean and English wordings with the
same details, and a label; the English wording is English (only the document's own values are Korean); the
2024 document's anomalies are worded in both languages."""

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
        ko, en = _fields(entry["ko"]), _fields(entry["en"])
        # one wording may name a thing in its own language where the other does (section_ko: 추진경위,
        # section: milestones), never leave out a detail
        english_for_korean = {f for f in ko if f.endswith("_ko") and f[:-3] in en}
        assert ko - english_for_korean <= en, key
        assert en - ko <= {f[:-3] for f in english_for_korean}, key
        check = key.split(".")[0]
        assert vocabulary.check_label(check, "ko") != check, f"{check} has no label"


def _literal(template: str) -> str:
    """A template's own words, without the {placeholders} the code fills in."""
    return "".join(text for text, *_ in string.Formatter().parse(template))


def test_the_english_messages_are_english():
    """Our own words in an English message are English: the sections and columns are named in English and
    every amount has its unit; Hangul only comes in with the values quoted from a document."""
    for key, entry in vocabulary._messages()["checks"].items():
        assert not re.search("[가-힣]", _literal(entry["en"])), (key, entry["en"])
        assert re.search("[가-힣]", _literal(entry["ko"])), (key, entry["ko"])
        for field in _fields(entry["en"]):  # an amount (a thousands-separated number) is followed by "won"
            if field in ("sum", "total", "amount", "stated", "computed", "difference", "won", "available",
                         "executed", "first", "second", "summary", "schedule", "exact", "a", "b", "first_a",
                         "first_b", "first_available", "first_executed", "old_total", "new_total"):
                assert "{" + field + "} won" in entry["en"] or key.startswith("summary_percent"), (key, field)
        if "label" in entry:
            assert not re.search("[가-힣]", entry["label"]["en"]), key


def test_every_check_raised_in_the_code_has_messages():
    code = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE_DIR.rglob("*.py"))
    raised = set(re.findall(r'note\("(?:warning|info|error)", "(\w+)"', code))
    raised |= set(re.findall(r'_row\([^,]+, "(?:warning|info|error)", "(\w+)"', code))
    raised |= set(re.findall(r'anomaly_text\("(\w+)"', code))
    assert len(raised) > 30
    assert raised <= {k.split(".")[0] for k in vocabulary.message_checks()}, raised - set(vocabulary.message_checks())


def test_the_2024_anomalies_are_worded_in_both_languages(dataset_2024):
    """The 2024 document as ingest reads it (a fresh ingest of data/raw; data/processed holds the same)."""
    a = dataset_2024["anomalies"].set_index(["check", "source_line"])
    # line 55 ○ 사무관리비 = 10,000천원; line 56 833,330원*12개월 = 9,999,960원: 40원 less
    formula = a.loc[("line_item_formula", 56)]
    assert formula["message"] == ("사무관리비: the formula 833,330원*12개월 gives 9,999,960 won, but the stated amount "
                                  "is 10,000,000 won (a difference of 40 won)")
    assert formula["message_ko"] == "사무관리비: 산출식 833,330원*12개월 = 9,999,960원, 기재 금액 10,000,000원 (차이 40원)"
    assert (formula["stated_krw"], formula["computed_krw"], formula["other_line"]) == (10_000_000, 9_999_960, 55)
    # line 115 (2022년도): 제9차 총회 … (9월); line 97: 2022.10. 제9차 총회 개최
    congress = a.loc[("congress_date", 115)]
    assert congress["message"] == ("Congress no. 9 is dated 2022-10 in the milestones (line 97) but 2022-09 in the "
                                   "outcomes (line 115)")
    assert congress["message_ko"] == "제9차 총회가 추진경위(행 97)에는 2022-10, 추진실적(행 115)에는 2022-09로 되어 있음"
    # line 30: 계 864,910 → 1,100,000천원, shown as 27 for 235,090 / 864,910 = 27.18 %
    assert a.loc[("summary_percent_rounded", 30), "message"] == (
        "계: the change is shown as 27% for an exact 27.18% ((B-A)*100/A, rounded)")
    assert a.loc[("basis_date", 78), "message"] == (
        "a document prepared for fiscal 2024 (so written before 2024-01-01) cites a basis dated 2024-12-27: "
        "possibly a mistyped year")
    assert a["message_ko"].str.contains("[가-힣]").all()
    quoted = ("사무관리비", "833,330원*12개월", "계", "국제부담금")  # the document's own words
    for message in a["message"]:
        for q in quoted:
            message = message.replace(q, "")
        assert not re.search("[가-힣]", message), message


def test_the_committed_anomalies_keep_their_korean_wording():
    """data/processed (re-ingested with the English wording) keeps every Korean message as it was."""
    a = pd.read_csv(Path(PROCESSED_DIR) / "anomalies.csv", encoding="utf-8")
    row = a[a["check"] == "line_item_formula"].iloc[0]
    assert row["message_ko"] == "사무관리비: 산출식 833,330원*12개월 = 9,999,960원, 기재 금액 10,000,000원 (차이 40원)"
    assert a["message_ko"].str.contains("[가-힣]").all()
