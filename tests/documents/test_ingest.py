"""End to end: the committed data set, encodings and line ends, determinism."""

import filecmp

import pandas as pd
import pytest

from citynet_analysis.cli import main
from citynet_analysis.dataset.tables import TABLES
from citynet_analysis.documents.ingest import build_dataset, locate
from citynet_analysis.errors import InputError

from ..conftest import PROCESSED, RAW_2024, REPO


def _ingest(tmp_path, *raw):
    out = tmp_path / "processed"
    assert main(["ingest", *map(str, raw), "--out", str(out)]) == 0
    return out


def test_reingesting_data_raw_reproduces_the_committed_data_set(tmp_path, monkeypatch, capsys):
    # the same relative layout as data/processed, so source_file is the same relative path
    out = tmp_path / "data" / "processed"
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    for p in (REPO / "data" / "raw").glob("*.txt"):
        (raw / p.name).write_bytes(p.read_bytes())
    monkeypatch.chdir(tmp_path)
    assert main(["ingest", *sorted(str(p) for p in raw.glob("*.txt")), "--out", str(out)]) == 0
    names = sorted(p.name for p in PROCESSED.iterdir())
    assert names == sorted(p.name for p in out.iterdir())
    match, mismatch, errors = filecmp.cmpfiles(PROCESSED, out, names, shallow=False)
    assert mismatch == [] and errors == [], "run `citynet-analysis ingest` and commit data/processed"


def test_committed_figures():
    """The embedded data set holds the 2024 document's figures (and stays true when later documents are
    added: it looks at the facts the 2024 document states)."""
    from citynet_analysis import load

    ds = load()
    docs = ds.documents.set_index("fiscal_year")
    assert docs.loc[2024, "total_krw"] == 1_100_000_000
    li = ds.line_items[ds.line_items["fiscal_year"] == 2024].set_index("name_ko")
    assert li.loc["사업비", "amount_krw"] == 480_350_000
    assert (li["parent_id"] == "2024-03").sum() == 5
    assert {2020, 2021, 2022} <= set(ds.settlements["fiscal_year"])
    a = ds.activities
    count = lambda y, c: int(a.loc[(a["fiscal_year"] == y) & (a["category"] == c), "count"].sum())  # noqa: E731
    assert count(2021, "webinar") == 9
    assert (count(2022, "seminar"), count(2022, "conference"), count(2022, "congress"),
            count(2022, "executive_committee")) == (7, 2, 1, 2)
    assert len(ds.milestones) >= 7
    an = ds.anomalies[ds.anomalies["document_id"] == "citynet-fy2024"]
    found = sorted(zip(an["severity"], an["check"], an["source_line"], strict=True))
    assert found == [("error", "line_item_formula", 56),  # 833,330원*12개월 = 9,999,960 ≠ 10,000,000
                     ("info", "summary_percent_rounded", 30), ("info", "summary_percent_rounded", 31),  # 27.18 → 27
                     ("warning", "basis_date", 78), ("warning", "congress_date", 115)]


def test_same_input_byte_identical_output(tmp_path):
    a = _ingest(tmp_path / "a", RAW_2024)
    b = _ingest(tmp_path / "b", RAW_2024)
    names = [f"{n}.csv" for n in TABLES] + ["datapackage.json"]
    assert filecmp.cmpfiles(a, b, names, shallow=False)[0] == names


def test_no_absolute_paths_in_output(tmp_path):
    out = _ingest(tmp_path, RAW_2024)
    for p in out.iterdir():
        text = p.read_text(encoding="utf-8")
        assert str(tmp_path) not in text and str(REPO) not in text


@pytest.mark.parametrize(
    "encoding, newline, bom",
    [
        ("utf-8", "\r\n", False),
        ("utf-8", "\n", True),
        ("cp949", "\n", False),
        ("euc-kr", "\r\n", False),
    ],
)
def test_encodings_and_line_ends_give_identical_tables(tmp_path, text_2024, encoding, newline, bom):
    variant = tmp_path / "raw" / RAW_2024.name
    variant.parent.mkdir()
    data = text_2024.replace("\n", newline).encode(encoding)
    variant.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    base = build_dataset([RAW_2024], relative_to=tmp_path)
    other = build_dataset([variant], relative_to=tmp_path)
    for name in TABLES:
        left, right = base[name], other[name]
        if name == "documents":
            left, right = left.drop(columns="source_file"), right.drop(columns="source_file")
        assert left.equals(right), name


def test_schema_problems_name_the_file_and_line():
    files = {"citynet-fy2024": "raw/a.txt"}
    assert locate("activities.number: greater_than_or_equal_to(1) failed for 0 (line 115 of citynet-fy2024)",
                  files) == "raw/a.txt:115: activities.number: greater_than_or_equal_to(1) failed for 0"
    assert locate("milestones: unique failed", files) == "raw/a.txt: milestones: unique failed"


def test_meeting_number_zero_is_a_warning_and_no_count(tmp_path, text_2024):
    bad = tmp_path / "zero.txt"
    bad.write_text(text_2024.replace("제43차 CityNet", "제0차 CityNet"), encoding="utf-8")
    t = build_dataset([bad], relative_to=tmp_path)
    zero = t["anomalies"][t["anomalies"]["check"] == "meeting_number_zero"]
    assert list(zip(zero["severity"], zero["source_line"], strict=True)) == [("warning", 116)]
    row = t["activities"][t["activities"]["description_ko"].str.contains("제0차")].iloc[0]
    assert pd.isna(row["number"]) and pd.isna(row["count"]) and row["count_note"] == "unreadable"


def test_a_refused_document_leaves_the_output_folder_as_it_was(tmp_path, text_2024, capsys):
    out = _ingest(tmp_path, RAW_2024)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = tmp_path / "huge.txt"
    bad.write_text(text_2024.replace("833,330원*12개월", "833,330원*99999999999999999999개월"), encoding="utf-8")
    capsys.readouterr()
    assert main(["ingest", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"citynet-analysis: error: {bad}:56: basis of line item '사무관리비': "
                   "'833,330원*99999999999999999999개월' is beyond the largest amount read (1,000,000,000,000,000)"]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["huge.txt", "processed"]


def test_a_meeting_number_beyond_every_bound_in_a_line_item_is_a_clean_error(tmp_path):
    """Found by the property test on a fresh clone: a line item named 제40000000000000004차 집행위원회 개최
    crashed the ingest-time classification; it is an InputError naming the file and the item's line."""
    text = RAW_2024.read_text(encoding="utf-8").replace("- 제44차 집행위원회 개최", "- 제40000000000000004차 집행위원회 개최")
    assert "제40000000000000004차" in text
    bad = tmp_path / "bad.txt"
    bad.write_text(text, encoding="utf-8")
    line = text.split("\n").index(next(s for s in text.split("\n") if "제40000000000000004차" in s)) + 1
    with pytest.raises(InputError) as err:
        build_dataset([bad], relative_to=tmp_path)
    assert err.value.file == str(bad) and err.value.line == line
    assert "beyond the largest amount" in err.value.message
