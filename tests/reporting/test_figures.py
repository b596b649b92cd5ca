"""Tests for citynet_analysis.reporting.notebook.figures: Korean fonts, memo style, labels, number format, export."""

from __future__ import annotations

import logging
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from citynet_analysis import vocabulary  # noqa: E402
from citynet_analysis.reporting.notebook.figures import (  # noqa: E402
    MEMO_FIGSIZE,
    PALETTE,
    add_source_note,
    apply_memo_style,
    memo_chart,
    memo_style,
    new_figure,
    save_figure,
    setup_fonts,
)
from citynet_analysis.reporting.notebook.format import chart_label as label  # noqa: E402
from citynet_analysis.reporting.notebook.format import format_krw, krw_formatter  # noqa: E402

LABELS = vocabulary.labels("chart_labels")

MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "svg": None, "pdf": b"%PDF-"}
SOURCE = "Source: Seoul Metropolitan Government, 사업설명서 FY2024; CPI: Statistics Korea"


@pytest.fixture(autouse=True)
def _restore_rc():
    """Each test starts from and leaves matplotlib's defaults (apply_memo_style is global)."""
    with matplotlib.rc_context():
        yield
    plt.close("all")


@memo_chart
def _korean_figure():
    fig, ax = new_figure(
        "시티넷 사무국 예산 / CityNet secretariat budget",
        xlabel=f"{label('fiscal_year', 'ko')} / {label('fiscal_year', 'en')}",
        ylabel=label("amount", "ko"),
    )
    years = ["2021", "2022", "2023", "2024"]
    amounts = [1_050_000_000, -200_000_000, 1_080_000_000, 1_120_000_000]
    ax.bar(years, amounts, label=f"{label('budget', 'ko')} / {label('budget', 'en')}")
    ax.yaxis.set_major_formatter(krw_formatter())
    ax.annotate(format_krw(-200_000_000, with_unit=True), (1, -200_000_000))
    ax.legend()
    add_source_note(fig, SOURCE)
    return fig


def _glyph_problems(records) -> list[str]:
    return [
        str(getattr(r, "message", r))
        for r in records
        if "missing from font" in str(getattr(r, "message", r)) or "Glyph" in str(getattr(r, "message", r))
    ]


def test_korean_figure_exports_three_formats_without_glyph_warnings(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = _korean_figure()
        paths = save_figure(fig, "budget_trend", tmp_path / "figs")

    assert _glyph_problems(caught) == []
    assert not [r for r in caught if "missing from font" in str(r.message)]
    # matplotlib (findfont) and fontTools (subsetting) log to stderr, which nbval compares
    # (only theirs: a kernel client of an earlier test, collected now, may log its own farewell)
    assert [r.getMessage() for r in caplog.records
            if r.levelno >= logging.WARNING and r.name.split(".")[0] in ("matplotlib", "fontTools")] == []

    assert [p.name for p in paths] == ["budget_trend.png", "budget_trend.svg", "budget_trend.pdf"]
    for path in paths:
        data = path.read_bytes()
        assert len(data) > 1000, path
        fmt = path.suffix[1:]
        if fmt == "svg":
            head = data[:400].lstrip()
            assert head.startswith(b"<?xml") and b"<svg" in data[:2000]
        else:
            assert data.startswith(MAGIC[fmt]), path
    # no temporary files left behind
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == sorted(p.name for p in paths)


def test_png_is_300_dpi_and_memo_sized(tmp_path):
    from PIL import Image

    fig = _korean_figure()
    (png,) = save_figure(fig, "sized", tmp_path, formats=("png",))
    with Image.open(png) as im:
        width, height = im.size
        dpi = im.info.get("dpi")
    assert (width, height) == (round(MEMO_FIGSIZE[0] * 300), round(MEMO_FIGSIZE[1] * 300))
    assert dpi is not None and round(dpi[0]) == 300


def test_hangul_is_drawn_with_nanumgothic(tmp_path):
    fig = _korean_figure()
    (svg,) = save_figure(fig, "glyphs", tmp_path, formats=("svg",))
    text = svg.read_text(encoding="utf-8")
    # svg.fonttype 'path': glyph outlines are named after the font they came from
    assert 'id="NanumGothic-' in text
    # the minus sign (U+2212, not in NanumGothic) comes from DejaVu Sans
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    minus = FT2Font(font_manager.findfont("DejaVu Sans")).get_char_index(0x2212)
    assert minus and f'id="DejaVuSans-{minus:x}"' in text


@pytest.mark.slow  # renders a figure twice in three formats
def test_resaving_gives_identical_svg_and_pdf(tmp_path):
    fig = _korean_figure()
    first = {p.suffix: p.read_bytes() for p in save_figure(fig, "same", tmp_path / "a")}
    second = {p.suffix: p.read_bytes() for p in save_figure(fig, "same", tmp_path / "b")}
    third = {p.suffix: p.read_bytes() for p in save_figure(fig, "same", tmp_path / "a")}
    for suffix in (".svg", ".pdf"):
        assert first[suffix] == second[suffix] == third[suffix], suffix
    assert b"CreationDate" not in first[".pdf"]
    assert b"<dc:date>" not in first[".svg"]


def test_save_figure_rejects_bad_names(tmp_path):
    fig, _ = new_figure()
    for bad in ["", "a/b", "..", ".hidden", "a\\b", "x\0y"]:
        with pytest.raises(ValueError):
            save_figure(fig, bad, tmp_path)
    with pytest.raises(ValueError):
        save_figure(fig, "ok", tmp_path, formats=("jpg",))
    assert list(tmp_path.iterdir()) == []


def test_save_figure_leaves_no_partial_file_on_error(tmp_path, monkeypatch):
    fig, _ = new_figure()
    (tmp_path / "broken.png").write_bytes(b"old")

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(fig, "savefig", boom)
    with pytest.raises(RuntimeError):
        save_figure(fig, "broken", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.png"]
    assert (tmp_path / "broken.png").read_bytes() == b"old"


def test_setup_fonts_is_idempotent():
    from matplotlib import font_manager

    setup_fonts()
    setup_fonts()
    nanum = [f for f in font_manager.fontManager.ttflist if Path(f.fname).name == "NanumGothic.ttf"]
    assert len(nanum) == 1
    assert list(matplotlib.rcParams["font.family"]) == ["DejaVu Sans", "NanumGothic"]
    assert Path(font_manager.findfont("NanumGothic")).name == "NanumGothic.ttf"


@pytest.mark.slow
def test_import_is_cheap():
    code = "import sys, citynet_analysis.reporting.notebook.figures; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_memo_style_context_restores_rcparams():
    before = dict(matplotlib.rcParams)
    with memo_style():
        assert list(matplotlib.rcParams["figure.figsize"]) == list(MEMO_FIGSIZE)
        assert matplotlib.rcParams["axes.spines.top"] is False
        assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][0] == PALETTE[0]
    assert matplotlib.rcParams["axes.spines.top"] == before["axes.spines.top"]
    assert list(matplotlib.rcParams["figure.figsize"]) == list(before["figure.figsize"])


def test_new_figure_memo_look():
    with memo_style():
        fig, ax = new_figure("제목", xlabel="x", ylabel="y")
    assert tuple(fig.get_size_inches()) == pytest.approx(MEMO_FIGSIZE)
    assert ax.get_title(loc="left") == "제목"
    assert not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()
    assert ax.get_xlabel() == "x" and ax.get_ylabel() == "y"
    apply_memo_style()  # repeated calls are harmless


def test_add_source_note_replaces_previous_note():
    fig, _ = new_figure()
    add_source_note(fig, "first")
    note = add_source_note(fig, SOURCE)
    texts = [t.get_text() for t in fig.texts]
    assert texts == [SOURCE]
    x, y = note.get_position()
    assert x < 0.05 and y < 0.05 and note.get_ha() == "left"


def test_labels_both_languages_and_units():
    required = [
        "budget", "executed", "available_budget", "fiscal_year", "amount", "share",
        "events", "cost_per_event",
        "execution_rate", "constant_2020_won", "usd", "source",
    ]  # fmt: skip
    for key in required:
        assert label(key, "ko") and label(key, "en"), key
        assert set(LABELS[key]) == {"ko", "en"}
    assert label("amount", "ko") == "금액 (백만원)"
    assert label("amount", "en") == "Amount (million KRW)"
    assert label("budget") == "예산액"  # Korean by default
    assert "(%)" in label("share", "ko") and "(%)" in label("execution_rate", "en")
    assert "million KRW" in label("cost_per_event", "en") and "백만원" in label("constant_2020_won", "ko")
    assert "USD" in label("usd", "en")


def test_label_rejects_unknown_language_and_shows_an_unknown_key_as_itself():
    with pytest.raises(ValueError, match="lang must be one of"):
        label("budget", "fr")
    assert label("no_such_label", "en") == "no_such_label"  # one rule for every label look-up


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((1_100_000_000,), {}, "1,100"),
        ((1_100_000_000,), {"with_unit": True}, "1,100백만원"),
        ((1_100_000_000, "million", "en"), {"with_unit": True}, "1,100 million KRW"),
        ((1_100_000_000, "thousand"), {}, "1,100,000"),
        ((1_100_000_000, "hundred_million"), {"with_unit": True}, "11억원"),
        ((1_234_567_890, "billion", "en"), {"decimals": 2}, "1.23"),
        ((9_999_960, "won"), {"with_unit": True}, "9,999,960원"),
        ((-200_000_000,), {}, "\u2212200"),
        ((-200_000_000,), {"minus": "-"}, "-200"),
        ((500_000,), {}, "1"),  # half-up, not banker's rounding
        ((-400_000,), {}, "0"),  # no "-0"
        ((None,), {}, "—"),
        ((float("nan"),), {}, "—"),
    ],
)
def test_format_krw(args, kwargs, expected):
    assert format_krw(*args, **kwargs) == expected


def test_format_krw_rejects_bad_arguments():
    with pytest.raises(ValueError):
        format_krw(1, lang="jp")
    with pytest.raises(ValueError):
        format_krw(1, unit="lakh")


def test_format_krw_accepts_numpy_and_pandas_values():
    import numpy as np
    import pandas as pd

    assert format_krw(np.int64(1_100_000_000)) == "1,100"
    assert format_krw(np.float64(2_500_000.0), decimals=1) == "2.5"
    assert format_krw(pd.NA) == "—"


def test_krw_formatter_on_axis():
    formatter = krw_formatter("million", "en")
    assert formatter(1_100_000_000, 0) == "1,100"
    assert format_krw(0) == "0"
