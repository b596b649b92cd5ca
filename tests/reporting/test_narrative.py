"""Summaries, table formatting and exports of the notebooks' helper module."""

import html
import re
import string

import pandas as pd
import pytest

from citynet_analysis import load, vocabulary
from citynet_analysis.analysis import metrics
from citynet_analysis.dataset.store import write_dataset
from citynet_analysis.documents.ingest import build_dataset
from citynet_analysis.reporting.notebook import narrative as memo
from citynet_analysis.reporting.notebook.format import category_label, format_table

from ..conftest import RAW_2024, REPO

FIXTURES = REPO / "tests" / "fixtures"
HANGUL = re.compile(r"[가-힣]")


@pytest.fixture(scope="module")
def ds(ds_2024):
    return ds_2024


def test_overview_summary_numbers_first(ds):
    ko = memo.overview_summary(ds, 2024, "ko")
    assert ko.pop(0) == "사업: **시티넷 사무국 운영 지원**"  # whose budget, first; no codes for readers
    assert ko[0] == "2024년 예산: **1,100.0백만원** (예산 총괄 예산액), 전년 대비 +27.2% (235.1백만원)"
    assert "53.6%" in ko[1] and "46.4%" in ko[1]
    assert "47.4백만원" in ko[3]
    assert "결산은 아직 자료에 없습니다" in ko[4]
    en = memo.overview_summary(ds, 2024, "en")
    assert en.pop(0) == "Program: **Support for the CityNet secretariat**"
    assert en[0].startswith("FY2024 budget: **KRW 1,100.0 million**")
    assert en[-2] == "FY2024 is not yet settled in the data, so there is no execution rate."
    # last, the document's slip in a figure of the year: 사무관리비 10,000천원 against 833,330원*12개월
    assert en[-1].startswith("⚠ **Document slip** (FY2024, line 56): 사무관리비") and "9,999,960" in en[-1]
    assert ko[-1].startswith("⚠ **원문 불일치** (2024년, 행 56): 사무관리비")
    assert any("not available for FY2021" in line for line in memo.overview_summary(ds, 2021, "en"))


def test_cost_summary(ds):
    en = memo.cost_summary(ds, 2022, "en")
    assert en[0] == ("Cost per event: **KRW 69.5 million** = KRW 834.4 million (executed per settlement) ÷ 12 "
                     "events (Seminars 7, Conferences 2, Congress 1, Executive committees 2)")
    # 2023: one committee counted, the seminar without a count: no number, and why
    ko23 = memo.cost_summary(ds, 2023, "ko")
    assert ko23[0].startswith("행사당 비용: **산출하지 않음** — 정확한 횟수가 없는 활동이 1건")
    assert "864.9백만원" in ko23[0] and "=" not in ko23[0]  # the amount is named, no quotient given
    en23 = memo.cost_summary(ds, 2023, "en")
    assert en23[0] == ("Cost per event: **not computed** — 1 activity without a stated count (no number of events "
                       "stated: 1); dividing KRW 864.9 million (budget summary) by the 1 event counted (Executive "
                       "committees 1) would overstate it.")
    ko24 = memo.cost_summary(ds, 2024, "ko")
    # the document's outcomes end with 2023: the reason is that, as the year's activity list says it
    assert ko24[0] == "**2024년에는 '행사당 비용' 지표를 산출할 수 없습니다** (이 해의 추진실적이 없음)."
    # a year with outcomes, none of the chosen types: that reason, naming the types
    assert memo.cost_summary(ds, 2022, "ko", categories=("site_visit",))[0] == (
        f"**2022년에는 '행사당 비용' 지표를 산출할 수 없습니다** (이 해의 추진실적에 {category_label('site_visit', 'ko')} 유형이 없음).")
    assert "제44차 집행위원회 개최: 60.0백만원 / 1회" in ko24


def test_trend_summary(ds):
    en = memo.trend_summary(ds, 2020, "en")
    assert "nominal **12.0%**" in en[0]
    assert en[1] == "FY2020: the data has no budget for the previous year, so there is no year-on-year change."
    assert en[-1] == "Execution rates: 2020 100.0%, 2021 100.0%, 2022 100.0%"


def test_lang_is_checked(ds):
    with pytest.raises(ValueError, match="lang must be one of"):
        memo.overview_summary(ds, 2024, "fr")


def test_format_table_units_and_labels(ds):
    t = format_table(metrics.group_shares(ds, 2024), "en")
    assert list(t.columns) == ["Fiscal year", "Group", "Amount (million KRW)", "Share (%)", "Side", "Document slip"]
    assert t.set_index("Group")["Document slip"].to_dict()["Office administration"] == "⚠ Formula mismatch 10,000,000 ≠ 9,999,960 won (line 56)"
    assert t.iloc[0].tolist() == ["2024", "Rent and building management", "232.4", "21.1", "Overhead", ""]
    missing = format_table(pd.DataFrame({"amount_krw": [None], "note": [None]}), "ko")
    assert missing.iloc[0].tolist() == ["—", "—"]


def test_korean_tables_are_korean_and_english_tables_english(ds):
    """Values as well as headers follow the page's language: phases, anomaly kinds and messages, and
    item names keep their Korean with the glossary's English on an English page."""
    budget = metrics.growth(metrics.budget_series(ds))
    ko = format_table(budget, "ko", ["fiscal_year", "basis"])
    assert ko.iloc[0].tolist() == ["2020", "결산 최종예산"] and ko.iloc[-1].tolist() == ["2024", "예산 총괄 예산액"]
    en = format_table(budget, "en", ["fiscal_year", "basis"])
    assert en.iloc[-1].tolist() == ["2024", "budget summary"]
    anomalies = metrics.year_anomalies(ds, 2024)
    ko = format_table(anomalies, "ko", ["check", "severity", "message"])
    row = ko[ko["점검 항목"] == "사업근거 날짜"].iloc[0]
    assert row["수준"] == "경고"
    assert row["내용"] == "2024회계연도 문서(작성 시점 2024-01-01 이전)에 2024-12-27 날짜의 근거가 있음: 연도 오기 가능성"
    en = format_table(anomalies, "en", ["check", "message"])
    # line 78: 업무협약 체결 계획('24.12.27.) in the document for fiscal 2024
    assert ("Basis date", "a document prepared for fiscal 2024 (so written before 2024-01-01) cites a basis dated "
            "2024-12-27: possibly a mistyped year") in list(en.itertuples(index=False, name=None))
    names = format_table(metrics.composition(ds, 2024), "en", ["name_ko"])["Item"].tolist()
    assert "인건비 (Personnel)" in names
    notes = format_table(pd.DataFrame({"fiscal_year": [2025], "note": ["no_cpi; no_fx"]}), "ko")
    assert notes.iloc[0, 1] == "2025년 소비자물가지수 없음; 2025년 원/달러 환율 없음"


def test_summaries_of_a_year_after_a_zero_budget_give_the_change_in_won_not_inf(ds):
    """A previous year of 0 (a new program) and a settlement of 0 available: words, never +inf% or nan%."""
    import dataclasses

    bt = ds.budget_totals.copy()
    bt.loc[bt["fiscal_year"] == 2023, "amount_krw"] = 0
    s = ds.settlements.copy()
    s.loc[s["fiscal_year"] == 2022, ["available_krw", "executed_krw"]] = 0
    zero = dataclasses.replace(ds, budget_totals=bt, settlements=s, fingerprint="zero", _views={})
    en = memo.overview_summary(zero, 2024, "en")
    assert en[1] == ("FY2024 budget: **KRW 1,100.0 million** (budget summary), a change of KRW 1,100.0 million on "
                     "the previous year (the previous year's budget is 0, as for a new program, so there is no "
                     "percent change)")
    assert memo.overview_summary(zero, 2022, "ko")[-1] == (
        "**2022년에는 '집행률' 지표를 산출할 수 없습니다** (이 해 결산의 예산현액이 0원임).")
    tr = memo.trend_summary(zero, 2024, "ko")
    assert tr[1] == "2024년 전년 대비 증감: 1,100.0백만원 (전년도 예산이 0원이어서(신규 사업 등) 증감률이 없음)"
    assert tr[-1] == "집행률: 2020 100.0%, 2021 100.0%, 2022 (산출 불가: 이 해 결산의 예산현액이 0원임)"
    assert memo.cost_summary(zero, 2022, "en")[0] == (
        "**The cost per event is not available for FY2022** (the year's executed amount is 0, so there is no "
        "cost to divide among its events).")
    for year in zero.fiscal_years():
        for lang in ("ko", "en"):
            for summary in (memo.overview_summary, memo.cost_summary, memo.trend_summary):
                text = " ".join(summary(zero, year, lang))
                assert "inf" not in text and "nan" not in text, (year, lang, text)


# -- English reads as English -------------------------------------------------------------------------

def _document_line(n: int) -> str:
    return RAW_2024.read_text(encoding="utf-8").splitlines()[n - 1]


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d[\d,]*\d|\d", text)


def test_the_english_slip_names_the_numbers_the_korean_one_does(ds):
    """The 2024 document's one slip, 사무관리비: line 55 states 10,000천원, its basis on line 56 is
    833,330원*12개월 = 9,999,960원, 40원 less. The English bullet says so in English, with the same numbers
    as the Korean one (which stays as it was); the item's name and the formula are quoted as printed."""
    assert _document_line(55).split("\t") == ["○ 사무관리비", "=", "10,000천원"]
    assert _document_line(56).strip() == "833,330원*12개월"
    assert 833_330 * 12 == 9_999_960 and 10_000 * 1_000 - 9_999_960 == 40
    (en,) = [x for x in memo.overview_summary(ds, 2024, "en") if x.startswith("⚠")]
    (ko,) = [x for x in memo.overview_summary(ds, 2024, "ko") if x.startswith("⚠")]
    assert en == ("⚠ **Document slip** (FY2024, line 56): 사무관리비\\: the formula 833,330원\\*12개월 gives "
                  "9,999,960 won, but the stated amount is 10,000,000 won (a difference of 40 won)")
    assert ko == ("⚠ **원문 불일치** (2024년, 행 56): 사무관리비\\: 산출식 833,330원\\*12개월 = 9,999,960원, "
                  "기재 금액 10,000,000원 (차이 40원)")
    assert _numbers(en) == _numbers(ko) == ["2024", "56", "833,330", "12", "9,999,960", "10,000,000", "40"]
    # the anomalies table of an English page: the same sentence, unescaped; the row's mark in English too
    table = format_table(metrics.year_anomalies(ds, 2024), "en", ["source_line", "check", "message"])
    row = table[table["Source line"] == "56"].iloc[0]
    assert (row["Check"], row["Message"]) == ("Formula mismatch", en.split("): ", 1)[1].replace("\\", ""))
    marks = format_table(metrics.composition(ds, 2024), "en", ["name_ko", "slip"])
    assert marks[marks["Document slip"] != ""].values.tolist() == [
        ["사무관리비 (Office administration)", "⚠ Formula mismatch 10,000,000 ≠ 9,999,960 won (line 56)"]]


def test_personnel_cost_per_person_says_who_in_english(ds):
    """Line 40: 인건비(직원 5명, 인턴 2명 등) = 331,690천원: 331,690,000 / 7 = 47,384,285.7 won a person. The
    English sentence counts people and says who they are in English; the Korean one quotes the basis."""
    assert _document_line(40).split("\t") == ["○ 인건비(직원 5명, 인턴 2명 등)", "=", "331,690천원"]
    assert "Personnel cost per person: KRW 47.4 million (7 people: 5 staff, 2 interns, etc.)" in memo.overview_summary(
        ds, 2024, "en")
    assert "1인당 인건비: 47.4백만원 (직원 5명, 인턴 2명 등, 7명 기준)" in memo.overview_summary(ds, 2024, "ko")
    table = metrics.personnel_cost_per_head(ds, 2024)
    assert table[["heads", "heads_detail", "heads_detail_ko"]].values.tolist() == [[7, "5 staff, 2 interns",
                                                                                   "직원 5, 인턴 2"]]
    assert format_table(table, "en", ["heads", "heads_detail"]).values.tolist() == [["7", "5 staff, 2 interns"]]
    assert format_table(table, "ko", ["heads", "heads_detail"]).values.tolist() == [["7", "직원 5, 인턴 2"]]
    assert list(format_table(table, "en", ["heads", "cost_per_head_krw"]).columns) == [
        "People", "Cost per person (million KRW)"]


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def _literal(template: str) -> str:
    """A template's own words: its text without the {placeholders} the code fills in."""
    return "".join(text for text, *_ in string.Formatter().parse(template))


#: The vocabulary sections the English sentences and tables are worded from.
SENTENCE_SECTIONS = ("narrative_text", "unavailable", "metrics", "count_notes", "growth_notes", "phases",
                     "amount_units", "measures", "sides", "activity_categories", "line_item_groups")


def test_the_english_words_of_the_summaries_are_english():
    """Our own words are English in an English report: every English template the summaries and the
    tables are made from, without the values the code fills in, has no Hangul."""
    for section in SENTENCE_SECTIONS:
        for key, entry in vocabulary.labels(section).items():
            assert not HANGUL.search(_literal(entry["en"])), (section, key, entry["en"])
    for word, entry in vocabulary.labels("staff_roles").items():
        assert HANGUL.search(word) and not HANGUL.search(entry["one"] + entry["other"]), word
    assert metrics.staff_text("직원 1, 인턴 2, 상근직원 3", "en") == "1 staff member, 2 interns, 상근직원 3"


def _ingest(folder, *docs, text: str | None = None):
    out = folder / "processed"
    if text is not None:
        doc = folder / "doc.txt"
        doc.write_text(text, encoding="utf-8")
        docs = (*docs, doc)
    write_dataset(build_dataset(list(docs), relative_to=out), out)
    return load(out)


@pytest.fixture(scope="module")
def data_sets(ds, tmp_path_factory):
    """The 2024 document; the same with two slips of its own (결산 2022: 집행잔액 … 800,000천원 for
    834,395천원 executed; 예산 총괄 계: change 235,000 for 1,100,000 − 864,910 = 235,090); and the fixtures:
    a sum slip (2026), a new program, a sibling program with other meetings, WeGO."""
    text = RAW_2024.read_text(encoding="utf-8")
    slips = text.replace("(x-) 834,395\t(x-) 0\t(x-) 0\t(x-) 834,395\t(x-) 834,395",
                         "(x-) 834,395\t(x-) 0\t(x-) 0\t(x-) 834,395\t(x-) 800,000")
    slips = slips.replace("계\t(x-) 864,910\t(x-) 1,100,000\t(x-) 235,090", "계\t(x-) 864,910\t(x-) 1,100,000\t(x-) 235,000")
    assert slips.count("800,000") == text.count("800,000") + 1 and "235,000" in slips
    sets = {"2024": ds, "2024 with slips": _ingest(tmp_path_factory.mktemp("slips"), text=slips)}
    for name in ("citynet_fy2026_sum_slip", "newprogram_fy2025_zero_previous", "sibling_fy2025_board",
                 "wego_fy2024"):
        sets[name] = _ingest(tmp_path_factory.mktemp(name), FIXTURES / f"{name}.txt")
    return sets


def _document_texts(ds) -> list[str]:
    """Every text with Hangul the data set's documents hold (names, bases, formulas, categories, outcome
    items, program names), longest first: what an English sentence may quote."""
    found = set()
    for name in ("documents", "budget_totals", "line_items", "settlements", "activities", "milestones",
                 "schedule"):
        frame = getattr(ds, name)
        for col in frame.columns:
            found |= {v for v in frame[col].dropna() if isinstance(v, str) and HANGUL.search(v)}
    return sorted(found, key=len, reverse=True)


def _own_words(line: str, quoted: list[str]) -> str:
    """A summary line as plain text without what it quotes from the documents."""
    text = html.unescape(re.sub(r"\\(.)", r"\1", line))
    for q in quoted:
        text = text.replace(q, " ")
    return text


@pytest.mark.slow  # sweeps six data sets, every year, both languages
def test_english_summaries_have_no_korean_but_the_documents_own_words(data_sets):
    """Every English summary line of every year of several documents (with slips in line items, a sum, a
    settlement and the budget summary): once the names and text quoted from the document are taken out,
    no Hangul is left. The slips are there, named in English."""
    slip_lines = []
    for name, ds in data_sets.items():
        quoted = _document_texts(ds)
        for year in ds.fiscal_years():
            for summary in (memo.overview_summary, memo.cost_summary, memo.trend_summary):
                for line in summary(ds, year, "en"):
                    own = _own_words(line, quoted)
                    assert not HANGUL.search(own), (name, year, summary.__name__, line, own)
                    if line.startswith("⚠"):
                        slip_lines.append(line)
    slip_lines = set(slip_lines)
    assert {"⚠ **Document slip** (FY2022, line 130): FY2022 settlement\\: executed + carried over + unspent = "
            "800,000,000 won, but the available budget is 834,395,000 won",
            "⚠ **Document slip** (FY2024, line 30): 계\\: the change (B-A) is shown as 235,000,000 won, but B − A "
            "is 235,090,000 won",
            "⚠ **Document slip** (FY2026, line 38): sub-items of 회원도시 역량강화 (from line 39) sum to "
            "147,000,000 won, the item (line 38) is 150,000,000 won"} <= slip_lines, slip_lines
