"""Program identity: a document's program gives its program_id and document_id; documents of two programs
never merge, and a data set of several programs is read one program at a time."""

import pandas as pd
import pytest

from citynet_analysis import load, vocabulary
from citynet_analysis.analysis import metrics
from citynet_analysis.dataset.load import ProgramError, read
from citynet_analysis.documents.ingest import build_dataset
from citynet_analysis.errors import InputError
from tests.conftest import RAW_2024, WEGO_2024


@pytest.mark.parametrize("name, expected", [
    ("시티넷 사무국 운영 지원", "citynet"),
    ("시티넷 사무국 운영지원", "citynet"),
    (" CityNet 사무국  운영 지원 ", "citynet"),
    ("세계스마트지속가능도시기구(WeGO) 사무국 운영 지원", "wego"),
    ("세계스마트지속가능도시기구 (WeGO) 사무국 운영 지원", "wego"),
])
def test_known_programs_get_their_slug(name, expected):
    assert vocabulary.program_id(name) == expected


def test_an_unknown_program_gets_a_stable_readable_id():
    a = vocabulary.program_id("세계도시포럼 사무국 운영 지원")
    assert a == vocabulary.program_id("세계도시포럼 사무국 운영지원")  # spacing does not matter
    assert a.startswith("program-") and len(a) == len("program-") + 8
    b = vocabulary.program_id("ICLEI 동아시아 사무국 운영 지원")
    assert b.startswith("iclei-") and b != a
    assert vocabulary.program_id("ICLEI 동남아시아 사무국 운영 지원") != b  # the hash tells them apart


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    return build_dataset([RAW_2024, WEGO_2024], relative_to=tmp_path_factory.mktemp("p"))


def test_a_second_program_ingests_under_its_own_id(both):
    docs = both["documents"].set_index("document_id")
    assert list(docs.index) == ["citynet-fy2024", "wego-fy2024"]
    wego = docs.loc["wego-fy2024"]
    # hand-checked against tests/fixtures/wego_fy2024.txt line 12: 사업비 780,000천원, all 시비
    assert (wego["program_id"], wego["fiscal_year"], wego["total_krw"], wego["city_krw"]) == (
        "wego", 2024, 780_000_000, 780_000_000)
    items = both["line_items"][both["line_items"]["program_id"] == "wego"].set_index("item_id")
    assert len(items) == 9
    assert items.loc["2024-03", ["name_ko", "amount_krw"]].tolist() == ["사업비", 318_000_000]
    assert items.loc[items["parent_id"] == "2024-03", "amount_krw"].sum() == 318_000_000
    assert items.loc["2024-03-02", ["event_category", "event_count"]].tolist() == ["executive_committee", 1]
    s = both["settlements"].set_index(["program_id", "fiscal_year"]).loc[("wego", 2022)]
    assert (s["final_budget_krw"], s["carried_in_krw"], s["budget_change_krw"], s["available_krw"],
            s["executed_krw"], s["carried_out_krw"], s["unspent_krw"]) == (
        620_000_000, 15_000_000, 5_000_000, 640_000_000, 612_450_000, 20_000_000, 7_550_000)
    for name, df in both.items():  # the WeGO fixture keeps every identity: no anomalies of its own
        assert set(df["program_id"]) == ({"citynet"} if name == "anomalies" else {"citynet", "wego"}), name


def test_citynet_is_unchanged_by_another_program_of_the_same_year(both, tmp_path):
    alone = build_dataset([RAW_2024], relative_to=tmp_path)
    assert not (both["anomalies"]["check"] == "revision").any()
    for name, df in alone.items():
        ours = both[name][both[name]["program_id"] == "citynet"].reset_index(drop=True)
        pd.testing.assert_frame_equal(ours, df.reset_index(drop=True), obj=name)


def test_load_and_metrics_take_a_program(processed_two_programs, processed_2024):
    with pytest.raises(ProgramError, match="several programs: name one .*; the data set holds citynet, wego"):
        load(processed_two_programs)
    with pytest.raises(ProgramError, match="no program 'nope'; the data set holds citynet, wego"):
        load(processed_two_programs, "nope")
    full = read(processed_two_programs)
    assert full.programs() == ["citynet", "wego"]
    with pytest.raises(ProgramError):
        metrics.budget_series(full)
    wego = load(processed_two_programs, "wego")
    assert wego.program == "wego" and set(wego.documents["document_id"]) == {"wego-fy2024"}
    budget = metrics.budget_series(full, program="wego").set_index("fiscal_year")["amount_krw"]
    assert budget[2024] == 780_000_000 and budget[2023] == 650_000_000  # 예산 총괄 (B) and (A)
    assert metrics.execution_rate(full, 2022, program="wego") == pytest.approx(100 * 612_450 / 640_000)
    # CityNet's figures are the same with or without WeGO beside it, and so is its fingerprint
    only = load(processed_2024)
    pd.testing.assert_frame_equal(metrics.metrics_by_year(full, program="citynet"), metrics.metrics_by_year(only))
    assert load(processed_two_programs, "citynet").fingerprint == only.fingerprint
    assert wego.fingerprint != only.fingerprint
    # one program's data set: program=None is that program, naming it works too, another does not
    assert metrics.budget_series(only, program="citynet").equals(metrics.budget_series(only))
    with pytest.raises(ProgramError, match="no program 'wego'"):
        metrics.budget_series(only, program="wego")


@pytest.mark.parametrize("title, message", [
    ("!!!---???", r"the program name '!!!---\?\?\?' has no letter or digit: not a 사업명"),
    ("가" * 121, "is longer than 120 characters: not a 사업명"),
])
def test_a_program_name_that_is_not_one_is_refused(tmp_path, title, message):
    """Two titles of punctuation only would share one id (and merge); a 500-character title is no 사업명."""
    from citynet_analysis.cli import main

    lines = WEGO_2024.read_text(encoding="utf-8").split("\n")
    assert lines[2].startswith("세계스마트")
    lines[2] = title
    doc = tmp_path / "doc.txt"
    doc.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError, match=message) as exc:
        build_dataset([doc], relative_to=tmp_path)
    assert exc.value.line == 3
    assert main(["ingest", str(doc), "--out", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()


def test_an_unknown_program_is_noted_so_a_renamed_program_is_not_split_silently(tmp_path):
    lines = WEGO_2024.read_text(encoding="utf-8").split("\n")
    lines[2] = "세계도시포럼 사무국 운영 지원"
    doc = tmp_path / "forum.txt"
    doc.write_text("\n".join(lines), encoding="utf-8")
    tables = build_dataset([doc], relative_to=tmp_path)
    program = vocabulary.program_id("세계도시포럼 사무국 운영 지원")
    assert tables["documents"]["document_id"].tolist() == [f"{program}-fy2024"]
    notes = tables["anomalies"]
    assert notes[["check", "severity", "program_id"]].values.tolist() == [["unknown_program", "info", program]]
    assert "add the name to a program's names" in notes["message"].iloc[0]
    assert "names에 추가" in notes["message_ko"].iloc[0]
