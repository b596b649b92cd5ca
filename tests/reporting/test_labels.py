"""Analysts label their own columns and figures (``report.table(..., labels=, units=)``,
``report.figure(..., title=)``): the page, the Word and HWPX memos, the workbook and the portal head and
caption them as the notebook says, an amount column of their own is in 백만원 with its unit, and what
they typed is text everywhere.

No kernel: the notebook's cells are run in this process (``Report`` writes its CSVs and figures, its
displays are caught as a kernel would send them) and the publishers are called directly on the folder.
Numbers by hand: 488,000,000 won is 488.0 백만원; 331,690,000 won is 331.7."""

import base64
import re
import zipfile
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")

import nbformat  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from docx import Document  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from citynet_analysis import vocabulary  # noqa: E402
from citynet_analysis.reporting.notebook.format import (  # noqa: E402
    column_header,
    column_label,
    format_table,
    header_clash,
    scaled_unit,
    unit_kind,
)
from citynet_analysis.reporting.notebook.records import Kind, Record, read_records, table_words  # noqa: E402
from citynet_analysis.reporting.notebook.report import Report  # noqa: E402
from citynet_analysis.reporting.publishers import hwpx_memo, word_memo  # noqa: E402
from citynet_analysis.reporting.publishers.html_pages import notebook_to_html  # noqa: E402
from citynet_analysis.reporting.publishers.outline import figure_title  # noqa: E402
from citynet_analysis.reporting.publishers.portal import portal_html  # noqa: E402
from citynet_analysis.reporting.publishers.workbook import _own_words, publish_workbook  # noqa: E402
from citynet_analysis.reporting.runs import RunEntry, Status  # noqa: E402

from .conftest import hand_made_year_folder, record_output, report_name  # noqa: E402

COSTS = pd.DataFrame({"name_ko": ["인건비", "사업비"], "amount_krw": [331_690_000, 488_000_000],
                      "non_personnel_krw": [0, 488_000_000], "trips": [3, 12]})
#: What the analyst writes, per report language (a notebook picks with [lang]).
LABELS = {"ko": {"non_personnel_krw": "비인건비", "trips": "출장"},
          "en": {"non_personnel_krw": "Non-personnel", "trips": "Trips"}}
UNITS = {"ko": {"trips": "회"}, "en": {"trips": "times"}}
TITLE = {"ko": "간접비와 사업비 비중", "en": "Overhead and program shares"}
MONEY = {"ko": "백만원", "en": "million KRW"}
EXACT = {"ko": "원", "en": "KRW"}
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example","click")'
MATH = "$x^2$"


# -- a notebook run in this process --------------------------------------------------------------------------

class _Cell:
    """Catches what ``Report`` displays, as a kernel sends it (data by MIME type, metadata with the record)."""

    def __init__(self):
        self.outputs = []

    def display(self, obj, metadata=None, **_):
        from IPython.core.formatters import DisplayFormatter

        data, md = DisplayFormatter().format(obj)
        data = {k: base64.b64encode(v).decode("ascii") if isinstance(v, bytes) else v for k, v in data.items()}
        self.outputs.append(nbformat.v4.new_output("display_data", data=data, metadata={**md, **(metadata or {})}))


def run_notebook(folder, lang: str, cells, title: str = "# 내 분석") -> None:
    """``cells``: functions of a ``Report`` (of ``folder``, in ``lang``), each a code cell; the executed
    notebook is written as ``folder/01_mine.ipynb`` (a year folder as the batch leaves it)."""
    import IPython.display

    folder.mkdir(parents=True, exist_ok=True)
    report = Report(folder, lang)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(title)]
    with pytest.MonkeyPatch.context() as mp:
        for cell in cells:
            caught = _Cell()
            mp.setattr(IPython.display, "display", caught.display)
            cell(report)
            code = nbformat.v4.new_code_cell("report…")
            code.outputs = caught.outputs
            nb.cells.append(code)
    nbformat.write(nb, folder / "01_mine.ipynb")


def _bars(title_in_figure: str | None = None):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 2))
    ax = fig.subplots()
    ax.barh(["overhead", "program"], [45.2, 54.8])
    if title_in_figure:
        ax.set_title(title_in_figure)
    return fig


def _publish(folder, lang, ds):
    """The page, the Word and HWPX memos and the workbook of the year folder."""
    name = report_name(2024, lang)
    page = notebook_to_html(folder / "01_mine.ipynb", exclude_input=True, lang=lang)
    docx = word_memo.write_memo(folder, 2024, ds, lang, name)
    hwpx = hwpx_memo.write_hwpx_memo(folder, 2024, ds, lang, name)
    workbook = publish_workbook(folder, 2024, ds, lang, name)
    return page, docx, hwpx, workbook


def _portal(out, folder, lang) -> str:
    entry = RunEntry(year=2024, notebook="01_mine", path=f"{folder.name}/01_mine.ipynb", status=Status.OK,
                     program="citynet", folder=folder.name, lang=lang)
    return portal_html(out, [entry], lang)


# -- reading the outputs back --------------------------------------------------------------------------------

def _page_tables(page: str) -> list[tuple[list[str], list[list[str]]]]:
    """The report tables of a page: (headers, rows), text unescaped."""
    out = []
    for table in re.findall(r"<table[^>]*citynet-table[^>]*>.*?</table>", page, re.S):
        cells = lambda tag, html: [_unescape(c) for c in re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", html, re.S)]  # noqa: E731
        rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("</thead>")[-1], re.S)
        out.append((cells("th", table.split("</thead>")[0]), [cells("td", r) for r in rows]))
    return out


def _unescape(text: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def _docx_tables(path) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in Document(str(path)).tables]


def _docx_captions(path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs if p.style.name == "Caption"]


def _hwpx_tables(path) -> list[list[list[str]]]:
    from hwpx import HwpxDocument

    doc = HwpxDocument.open(str(path))
    return [[[t.cell(r, c).text for c in range(t.column_count)] for r in range(t.row_count)] for t in doc.tables.all]


def _hwpx_paragraphs(path) -> list[str]:
    from hwpx import HwpxDocument

    return [p.text for p in HwpxDocument.open(str(path)).paragraphs]


def _table_with(tables, header: str) -> list[list[str]]:
    found = [t for t in tables if header in t[0]]
    assert found, (header, [t[0] for t in tables])
    return found[0]


def _column(table: list[list[str]], header: str) -> list[str]:
    i = table[0].index(header)
    return [row[i] for row in table[1:]]


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.imgs = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.imgs.append(dict(attrs))


def _imgs(page: str) -> list[dict]:
    parser = _Images()
    parser.feed(page)
    return parser.imgs


# -- the analyst's notebook --------------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["ko", "en"])
def labelled(request, tmp_path_factory, ds_2024):
    """A year folder whose notebook shows the costs twice (as they are, and labelled, both in the memo) and
    a figure of its own with a title; published."""
    lang = request.param
    out = tmp_path_factory.mktemp(f"labelled_{lang}") / "reports"
    folder = out / report_name(2024, lang)
    run_notebook(folder, lang, [
        lambda r: r.table(COSTS, "raw_costs", ["name_ko", "non_personnel_krw"], memo=True),
        lambda r: r.table(COSTS, "my_costs", ["name_ko", "amount_krw", "non_personnel_krw", "trips"], memo=True,
                          labels=LABELS[lang], units=UNITS[lang]),
        lambda r: r.figure(_bars(), "spending_by_side", title=TITLE[lang]),
    ])
    return lang, out, folder, _publish(folder, lang, ds_2024)


def test_the_record_carries_the_labels_units_and_title(labelled):
    lang, _, folder, _ = labelled
    recs = read_records(folder / "01_mine.ipynb")
    tables = [r for r in recs if r.kind is Kind.TABLE]
    assert [(r.name, r.column_labels(), r.column_units()) for r in tables] == [
        ("raw_costs", {}, {}), ("my_costs", LABELS[lang], UNITS[lang])]
    assert table_words(recs) == {"my_costs": (LABELS[lang], UNITS[lang])}
    assert [(r.name, r.text) for r in recs if r.kind is Kind.FIGURE] == [("spending_by_side", TITLE[lang])]
    # the whole table is saved, code names and won: the labels are for readers
    saved = pd.read_csv(folder / "tables" / "my_costs.csv", encoding="utf-8-sig")
    assert list(saved.columns) == list(COSTS.columns) and saved["non_personnel_krw"].tolist() == [0, 488_000_000]


def test_an_amount_column_of_your_own_is_in_millions_with_its_unit(labelled):
    """non_personnel_krw = 488,000,000 won, without labels=: 488.0 under a header with 백만원 in the page and
    both memos; the workbook keeps won (its About sheet says so), with 원 in the header."""
    lang, _, _, (page, docx, hwpx, workbook) = labelled
    header = f"non_personnel_krw ({MONEY[lang]})"
    headers, rows = _page_tables(page)[0]
    assert headers == [column_label("name_ko", lang), header]
    assert [r[1] for r in rows] == ["0.0", "488.0"]
    for tables in (_docx_tables(docx), _hwpx_tables(hwpx)):
        assert _column(_table_with(tables, header), header) == ["0.0", "488.0"]
    ws = load_workbook(workbook)[_sheet(workbook, "raw_costs")]
    col = [c.value for c in ws[1]].index(f"non_personnel_krw ({EXACT[lang]})") + 1
    assert ws.cell(row=3, column=col).value == 488_000_000 and ws.cell(row=3, column=col).number_format == "#,##0"


def _sheet(workbook, table: str) -> str:
    """The sheet of a table of one's own: named by the table (the About sheet lists it)."""
    names = load_workbook(workbook).sheetnames
    assert table in names, names
    return table


def test_labels_head_the_columns_everywhere(labelled):
    lang, _, _, (page, docx, hwpx, workbook) = labelled
    own, trips = f"{LABELS[lang]['non_personnel_krw']} ({MONEY[lang]})", f"{LABELS[lang]['trips']} ({UNITS[lang]['trips']})"
    expected = [column_label("name_ko", lang), column_label("amount_krw", lang), own, trips]  # known ones as before
    headers, rows = _page_tables(page)[1]
    assert headers == expected
    assert rows == [[rows[0][0], "331.7", "0.0", "3"], [rows[1][0], "488.0", "488.0", "12"]]
    for tables in (_docx_tables(docx), _hwpx_tables(hwpx)):
        table = _table_with(tables, own)
        assert table[0] == expected and [r[1:] for r in table[1:]] == [["331.7", "0.0", "3"], ["488.0", "488.0", "12"]]
    ws = load_workbook(workbook)[_sheet(workbook, "my_costs")]
    header = [c.value for c in ws[1]]
    assert header == [column_header(c, lang, "exact") for c in ("name_ko", "amount_krw")] + [
        f"{LABELS[lang]['non_personnel_krw']} ({EXACT[lang]})", trips]
    assert [c.value for c in ws[3]][1:] == [488_000_000, 488_000_000, 12]
    readme = (workbook.parent / "README.txt").read_text(encoding="utf-8")
    assert f"    non_personnel_krw: {LABELS[lang]['non_personnel_krw']} ({EXACT[lang]})\n" in readme


def test_a_title_is_the_figures_caption_everywhere(labelled):
    lang, out, folder, (page, docx, hwpx, _) = labelled
    caption = f"{'그림' if lang == 'ko' else 'Figure'} 1. {TITLE[lang]}"
    assert caption in _docx_captions(docx)
    assert caption in _hwpx_paragraphs(hwpx)
    assert f'<div class="citynet-caption">{TITLE[lang]}</div>' in page
    assert [i["alt"] for i in _imgs(page)] == [TITLE[lang]]
    portal = _portal(out, folder, lang)
    thumbs = [i for i in _imgs(portal) if i.get("src", "").startswith("data:image/png")]
    assert [i["alt"] for i in thumbs] == [TITLE[lang]]
    assert f'<div class="caption">{TITLE[lang]}</div>' in portal


def test_the_package_charts_keep_their_captions(tmp_path, ds_2024):
    """Without title=, a known chart keeps its [portal_figures] title and an analyst's figure its name in
    words; a page shows no caption of its own for them."""
    assert figure_title("composition", "ko") == "예산 구성" and figure_title("composition", "en") == "Budget composition"
    assert figure_title("spending_by_side", "ko") == "spending by side"
    assert figure_title("spending_by_side", "ko", TITLE["ko"]) == TITLE["ko"]
    folder = hand_made_year_folder(tmp_path, ["요약"], ["가", "나", "다"])
    docx = word_memo.write_memo(folder, 2024, ds_2024, "ko", report_name(2024))
    assert _docx_captions(docx) == ["그림 1. f", "표 1. x"]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("report.figure(...)")]
    nb.cells[0].outputs = [nbformat.v4.new_output(
        "display_data", data={"image/png": base64.b64encode((folder / "figures" / "f.png").read_bytes()).decode()},
        metadata={"citynet": {"kind": "figure", "name": "composition", "memo": True}})]
    assert '<div class="citynet-caption">' not in notebook_to_html(nb)


# -- what an analyst types is text ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile(tmp_path_factory, ds_2024):
    out = tmp_path_factory.mktemp("hostile") / "reports"
    folder = out / report_name(2024)
    run_notebook(folder, "ko", [
        lambda r: r.table(COSTS, "my_costs", ["name_ko", "non_personnel_krw", "trips"], memo=True,
                          labels={"non_personnel_krw": SCRIPT, "trips": FORMULA}, units={"trips": MATH}),
        lambda r: r.figure(_bars(), "spending_by_side", title=f"{MATH} {SCRIPT}"),
    ])
    return out, folder, _publish(folder, "ko", ds_2024)


def test_a_hostile_title_or_label_is_text_in_every_output(hostile):
    out, folder, (page, docx, hwpx, workbook) = hostile
    money, trips, title = f"{SCRIPT} (백만원)", f"{FORMULA} ({MATH})", f"{MATH} {SCRIPT}"
    # the page: escaped in the table header, the caption and the alt text; no script of ours
    assert "<script>alert" not in page
    assert _page_tables(page)[0][0] == ["항목", money, trips]
    assert '<div class="citynet-caption">$x^2$ &lt;script&gt;alert(1)&lt;/script&gt;</div>' in page
    assert [i["alt"] for i in _imgs(page)] == [title]
    # the memos: literal text, headers and caption
    for tables, paragraphs in ((_docx_tables(docx), _docx_captions(docx)),
                               (_hwpx_tables(hwpx), _hwpx_paragraphs(hwpx))):
        assert _table_with(tables, money)[0] == ["항목", money, trips]
        assert f"그림 1. {title}" in paragraphs
    with zipfile.ZipFile(docx) as z:
        assert "<script>" not in z.read("word/document.xml").decode("utf-8")
    with zipfile.ZipFile(hwpx) as z:
        assert "<script>" not in z.read("Contents/section0.xml").decode("utf-8")
    # the workbook: the formula-like header is stored as text, never a formula
    ws = load_workbook(workbook)["my_costs"]
    cell = next(c for c in ws[1] if str(c.value).startswith("=HYPERLINK"))
    assert cell.value == f"{FORMULA} ({MATH})" and cell.data_type == "s" and cell.quotePrefix
    assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
    # the portal: escaped in the caption and the alt text
    portal = _portal(out, folder, "ko")
    assert "<script>alert" not in portal and "$x^2$ &lt;script&gt;alert(1)&lt;/script&gt;" in portal
    assert title in [i.get("alt") for i in _imgs(portal)]


# -- checked in the notebook ----------------------------------------------------------------------------------

@pytest.fixture
def shown(monkeypatch):
    import IPython.display

    cell = _Cell()
    monkeypatch.setattr(IPython.display, "display", cell.display)
    return cell


@pytest.mark.parametrize(("labels", "error", "message"), [
    (["non_personnel_krw"], TypeError, "labels= maps a column name to a text"),
    ("비인건비", TypeError, "got str"),
    ({"non_personnel_krw": 1}, TypeError, "not a str but int"),
    ({"non_personnel_krw": {"ko": "비인건비", "en": "Non-personnel"}}, TypeError, "pick it"),
    ({3: "셋"}, TypeError, "a column name is text"),
    ({"non_personel_krw": "비인건비"}, ValueError, "does not have: 'non_personel_krw'"),
    ({"non_personnel_krw": "  "}, ValueError, "is empty"),
    ({"trips": "금액"}, ValueError, "would both be headed '금액 (백만원)'"),
])
def test_bad_labels_are_a_clear_error(shown, labels, error, message):
    with pytest.raises(error, match=re.escape(message)):
        Report(None, "ko").table(COSTS, "costs", labels=labels, units={"trips": "원"} if "금액" in str(labels) else None)
    assert not shown.outputs


@pytest.mark.parametrize(("units", "error", "message"), [
    ({"trips": 1}, TypeError, "units= maps a column name to a text"),
    ({"non_personnel_krw": "회"}, ValueError, "non_personnel_krw is an amount shown in 백만원"),
    ({"amount_krw": "%"}, ValueError, "amount_krw is an amount"),
])
def test_bad_units_are_a_clear_error(shown, units, error, message):
    with pytest.raises(error, match=re.escape(message)):
        Report(None, "ko").table(COSTS, "costs", units=units)


@pytest.mark.parametrize(("title", "error"), [({"ko": "제목", "en": "Title"}, TypeError), (3, TypeError), (" ", ValueError)])
def test_a_bad_title_is_a_clear_error(shown, title, error):
    with pytest.raises(error, match="title"):
        Report(None, "ko").figure(_bars(), "mine", title=title)


def test_units_of_your_own(shown):
    """A unit text that names won makes an amount (won, shown in 백만원), % a percent; any other text is the
    header's unit and the values are as they are."""
    df = pd.DataFrame({"spend": [488_000_000], "ratio": [27.25], "km": [12.5]})
    units = {"spend": "KRW", "ratio": "%", "km": "km"}
    view = format_table(df, "ko", labels={"spend": "지출"}, units=units)
    assert view.to_dict("records") == [{"지출 (백만원)": "488.0", "ratio (%)": "27.3", "km (km)": "12.5"}]
    assert list(format_table(df, "en", units=units).columns) == ["spend (million KRW)", "ratio (%)", "km (km)"]
    assert column_header("spend", "ko", "exact", units=units) == "spend (원)"
    assert [unit_kind(t) for t in ("원", "KRW", " Won ", "ＫＲＷ", "달러", "USD", "％", "회", "")] == [
        "krw", "krw", "krw", "krw", "usd", "usd", "pct", None, None]
    # a multiple of won names no amount: the notebook refuses it (below)
    assert [unit_kind(t) for t in ("천원", "백만원", "KRW million")] == [None, None, None]
    # a label that already ends with its unit is not given it twice
    assert column_label("non_personnel_krw", "ko", {"non_personnel_krw": "비인건비 (백만원)"}) == "비인건비 (백만원)"
    # a column of the package keeps its vocabulary; an unknown one its code, with its ending's unit
    assert column_label("amount_krw", "ko") == "금액 (백만원)" and column_label("my_own", "en") == "my_own"
    assert column_label("non_personnel_krw", "en") == "non_personnel_krw (million KRW)"
    Report(None, "ko").table(df, "mine", labels={"spend": "지출"}, units=units)
    assert shown.outputs[0].metadata["citynet"]["labels"] == {"spend": "지출"}
    assert shown.outputs[0].metadata["citynet"]["units"] == units


@pytest.mark.parametrize(("unit", "multiple"), [
    ("천원", 1_000), ("천 원", 1_000), ("백만원", 1_000_000), ("억원", 100_000_000), ("KRW thousand", 1_000),
    ("ＫＲＷ Million", 1_000_000), ("thousand won", 1_000)])
def test_a_multiple_of_won_is_refused_with_the_factor(shown, unit, multiple):
    """A column in 천원 read as won would show 1,000 times too small: a unit naming a multiple of won is a
    ValueError that says amounts are given in won and shown in 백만원, with the factor to convert by."""
    df = pd.DataFrame({"x": [488_000]})
    assert scaled_unit(unit) == ("krw", multiple)
    message = (f"units['x'] = {unit!r}: amounts are given in 원 (KRW) and shown in 백만원 (million KRW); "
               f"convert the column to 원 (df['x'] * {multiple:_}) and give its unit as '원'")
    with pytest.raises(ValueError, match=re.escape(message)):
        Report(None, "ko").table(df, "mine", units={"x": unit})
    with pytest.raises(ValueError, match=re.escape("amounts are given in 원 (KRW)")):  # an amount of the package too
        Report(None, "ko").table(COSTS, "costs", units={"non_personnel_krw": unit})
    assert not shown.outputs


def test_a_multiple_of_dollars_is_refused_too(shown):
    assert scaled_unit("천달러") == ("usd", 1_000) and scaled_unit("USD thousand") == ("usd", 1_000)
    with pytest.raises(ValueError, match=re.escape("amounts are given in 달러 (dollars) and shown in 천 달러 "
                                                   "(thousand); convert the column to 달러 (df['x'] * 1_000)")):
        Report(None, "ko").table(pd.DataFrame({"x": [1]}), "mine", units={"x": "천달러"})


def test_a_column_in_thousands_converted_to_won_is_right_everywhere(tmp_path, ds_2024):
    """By hand: 488,000 천원 = 488,000,000 won = 488.0 백만원. The column converted as the error says, with
    the unit 원, shows 488.0 under (백만원) on the page and in both memos, 488,000,000 under (원) in the
    workbook; 331,690 천원 = 331.7 백만원."""
    thousands = pd.DataFrame({"name_ko": ["인건비", "사업비"], "cost": [331_690, 488_000]})
    won = thousands.assign(cost=thousands["cost"] * 1000)
    assert won["cost"].tolist() == [331_690_000, 488_000_000]
    folder = tmp_path / "reports" / report_name(2024)
    run_notebook(folder, "ko", [lambda r: r.table(won, "my_costs", memo=True, labels={"cost": "비용"},
                                                  units={"cost": "원"})])
    page, docx, hwpx, workbook = _publish(folder, "ko", ds_2024)
    assert _page_tables(page)[0] == (["항목", "비용 (백만원)"], [["인건비", "331.7"], ["사업비", "488.0"]])
    for tables in (_docx_tables(docx), _hwpx_tables(hwpx)):
        assert _column(_table_with(tables, "비용 (백만원)"), "비용 (백만원)") == ["331.7", "488.0"]
    ws = load_workbook(workbook)["my_costs"]
    assert [c.value for c in ws[1]] == ["항목", "비용 (원)"]
    assert [r[1].value for r in ws.iter_rows(min_row=2)] == [331_690_000, 488_000_000]
    assert ws.cell(row=3, column=2).number_format == "#,##0"


def test_a_record_with_a_multiple_of_won_shows_its_values_as_they_are():
    """A record edited by hand that carries 천원 anyway: the values are shown as written under that unit,
    never divided as if they were won."""
    df = pd.DataFrame({"x": [488_000]})
    assert format_table(df, "ko", units={"x": "천원"}).to_dict("records") == [{"x (천원)": "488000"}]
    assert column_header("x", "ko", "exact", units={"x": "천원"}) == "x (천원)"


def test_the_unit_words_are_the_vocabularys():
    """[unit_words] of vocabulary.toml: every kind is a unit of [column_units], won and its multiples."""
    words = vocabulary.unit_words()
    assert set(words) == {"krw", "usd", "pct"} <= set(vocabulary.column_units())
    assert "원" in words["krw"]["words"] and words["krw"]["scaled"]["천원"] == 1_000
    assert words["krw"]["scaled"]["백만원"] == 1_000_000 and words["krw"]["scaled"]["억원"] == 100_000_000
    assert words["krw"]["words"][0] == "원" and words["usd"]["words"][0] == "달러"  # what the errors suggest


@pytest.mark.parametrize(("style", "labels", "units", "clash"), [
    ("display", {"trips": "금액"}, {"trips": "원"}, ("trips", "amount_krw", "금액 (백만원)")),
    ("exact", {"trips": "금액"}, {"trips": "원"}, ("trips", "amount_krw", "금액 (원)")),
    ("display", {"name_ko": "금액 (백만원)"}, {}, ("name_ko", "amount_krw", "금액 (백만원)")),
    ("display", {"trips": "금액"}, {}, None),  # 금액 (no unit) is not 금액 (백만원)
    ("display", {}, {}, None),
    ("exact", {"trips": "출장"}, {"trips": "회"}, None),
])
def test_one_check_keeps_headers_apart(style, labels, units, clash):
    """header_clash: the check the notebook (an error), the memos and the workbook (the record's words left
    out) share."""
    columns = list(COSTS.columns)
    assert header_clash(columns, "ko", style, labels, units) == clash
    if style == "exact":  # the workbook's headers: the record's words, unless they clash
        assert _own_words(columns, labels, units, "ko") == (({}, {}) if clash else (labels, units))


def test_a_record_edited_by_hand_stops_no_publisher():
    """Labels and units that are not text are left out of the record read back."""
    record = Record.from_json({"kind": "table", "name": "t", "columns": ["a"], "memo": True,
                               "labels": {"a": "가", "b": 5, "c": ["x"], "d": " "}, "units": "회"})
    assert record.column_labels() == {"a": "가"} and record.column_units() == {}
    assert Record.from_json({"kind": "figure", "name": "f", "text": TITLE["ko"]}).text == TITLE["ko"]
    assert Record(Kind.FIGURE, name="f").metadata() == {"citynet": {"kind": "figure", "name": "f", "memo": True}}


def test_labels_that_clash_in_a_record_are_left_out_of_the_memo(tmp_path, ds_2024):
    """A hand-edited record whose label heads a column like another: the memo uses the vocabulary's headers
    (two columns, two headers) rather than lose a column."""
    folder = hand_made_year_folder(tmp_path, ["요약"], ["가", "나", "다"])
    nb = nbformat.read(folder / "01_test.ipynb", as_version=4)
    nb.cells[1].outputs[1] = record_output({"kind": "table", "name": "x", "columns": ["name_ko", "amount_krw"],
                                            "memo": True, "labels": {"name_ko": "금액 (백만원)"}})
    nbformat.write(nb, folder / "01_test.ipynb")
    table = _docx_tables(word_memo.write_memo(folder, 2024, ds_2024, "ko", report_name(2024)))[0]
    assert table[0] == ["항목", "금액 (백만원)"] and len(table[1]) == 2


@pytest.mark.slow
def test_the_readmes_chart_has_its_caption_in_the_batch(batch_ko):
    """The README's example (ANALYST_CELLS) passes title=: the Korean batch's 2024 memo, page and portal
    caption the analyst's chart 간접비와 사업비 비중."""
    from .conftest import memo_path, page_path

    out, _ = batch_ko
    assert any(re.fullmatch(r"그림 \d+\. 간접비와 사업비 비중", c) for c in _docx_captions(memo_path(out, 2024)))
    assert '<div class="citynet-caption">간접비와 사업비 비중</div>' in page_path(
        out, 2024, "01_budget_overview").read_text(encoding="utf-8")
    assert "간접비와 사업비 비중" in [i.get("alt") for i in _imgs((out / "index.html").read_text(encoding="utf-8"))]
