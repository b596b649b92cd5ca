"""What the notebooks show and write: formatted tables, numbers-first summaries in Korean or English,
and the exports (figures as PNG/SVG/PDF, tables as CSV with BOM and one Excel workbook).

Notebooks stay thin: they call these functions; the wording and the numbers are tested here."""

from __future__ import annotations

import hashlib
import io
import math
import os
import shutil
import threading
from pathlib import Path

import pandas as pd

from . import metrics
from .atomic import atomic_path
from .data import Dataset
from .escape import is_formula_like, spreadsheet_frame
from .escape import markdown_text as md
from .labels import LANGS, category_label, column_label, group_label, measure_label, metric_label
from .metrics import Unavailable, available

MILLION = 1_000_000
DEFER_ENV = "CITYNET_DEFER_FIGURES"  # set by the batch: kernels leave chart placeholders, the batch draws
FIGURE_KEY = "citynet_figure"
_RENDER_LOCK = threading.Lock()
OUTPUT_ENV = "CITYNET_OUTPUT_DIR"  # set by the batch for its kernels: where a notebook with output_dir=None writes


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


def setup(lang: str = "ko") -> None:
    """Display options for notebooks: aligned Hangul columns, no truncation, memo figure style."""
    check_lang(lang)
    pd.set_option("display.unicode.east_asian_width", True)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 160)
    pd.set_option("display.max_colwidth", 60)
    pd.set_option("display.html.use_mathjax", False)  # a `$` in a document's text is a dollar sign
    if os.environ.get(DEFER_ENV):  # a batch kernel draws nothing: no matplotlib here
        return
    from .figures import apply_memo_style

    apply_memo_style()
    _inline_without_tight_bbox()


def _inline_without_tight_bbox() -> None:
    """Memo figures use constrained layout, so the inline backend's tight bounding box (which draws every
    figure twice) is not needed."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return
    shell = get_ipython()
    if shell is not None and type(shell).__name__ == "ZMQInteractiveShell":
        shell.run_line_magic("config", "InlineBackend.print_figure_kwargs = {'bbox_inches': None}")


def money(won, lang: str = "ko", decimals: int = 1) -> str:
    """``1,100.0백만원`` / ``KRW 1,100.0 million``; ``—`` where missing."""
    if won is None or pd.isna(won):
        return "—"
    value = f"{won / MILLION:,.{decimals}f}"
    return f"{value}백만원" if lang == "ko" else f"KRW {value} million"


def pct(value, decimals: int = 1, signed: bool = False) -> str:
    if value is None or pd.isna(value):
        return "—"
    return f"{value:+.{decimals}f}%" if signed else f"{value:.{decimals}f}%"


def format_table(df: pd.DataFrame, lang: str = "ko") -> pd.DataFrame:
    """A display copy: won columns in 백만원 (1 decimal), percents to 1 decimal, USD in thousands,
    categories and groups named in the language, columns labelled. Missing values show as ``—``."""
    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        s = df[col]
        if col.endswith("_krw") or col == "amount_2020krw":
            text = s.map(lambda v: "—" if pd.isna(v) else f"{v / MILLION:,.1f}")
        elif col == "amount_usd":
            text = s.map(lambda v: "—" if pd.isna(v) else f"{v / 1000:,.1f}")
        elif col.endswith("_pct"):
            text = s.map(lambda v: "—" if pd.isna(v) else f"{v:,.1f}")
        elif col == "category":
            text = s.map(lambda v: category_label(v, lang))
        elif col == "measure":
            text = s.map(lambda v: measure_label(v, lang))
        elif col in ("group", "side"):
            text = s.map(lambda v: group_label(v, lang))
        elif col in ("cpi_2020_100", "krw_per_usd"):
            text = s.map(lambda v: "—" if pd.isna(v) else f"{v:,.1f}")
        else:
            text = s.map(lambda v: "—" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v))
        out[column_label(col, lang)] = text.astype(object)
    return out.reset_index(drop=True)


def show(result, lang: str = "ko", columns: list[str] | None = None):
    """Display a metric result: a formatted table, or the plain 'not available' sentence."""
    from IPython.display import Markdown, display

    if not available(result):
        display(Markdown(f"> {unavailable_text(result, lang)}"))
        return
    df = result if columns is None else result[columns]
    display(format_table(df, lang))


def chart(exporter: Exporter, name: str, chart_fn, ds: Dataset, *args, lang: str = "ko", **kwargs) -> None:
    """Draw a chart of :mod:`citynet_analysis.charts` and show it (saved when exporting), or say why it
    is not available.

    Under a batch the kernel only checks that the chart is available and leaves a placeholder naming the
    chart and its arguments; the batch draws it in its own process (see :func:`render_deferred`), so a
    kernel never imports matplotlib's figure machinery."""
    if exporter.active and os.environ.get(DEFER_ENV):
        result = chart_fn(ds, *args, lang=lang, draw=False, **kwargs)
        if not available(result):
            show(result, lang)
            return
        from IPython.display import publish_display_data

        stem = exporter.prefix + name
        spec = {"stem": stem, "chart": chart_fn.__name__, "args": list(args), "kwargs": {**kwargs, "lang": lang}}
        publish_display_data({"text/plain": f"<figure {stem}, drawn by the batch>"}, metadata={FIGURE_KEY: spec})
        return
    figure(chart_fn(ds, *args, lang=lang, **kwargs), name, exporter, lang)


def figure(fig, name: str, exporter: Exporter, lang: str = "ko") -> None:
    """Show a figure, saving it when exporting; where it is not available, say so instead.

    Display only: a PNG drawn at 200 dpi, shown at memo width. Exporting: the saved 300 dpi PNG is shown,
    so the figure is not drawn twice."""
    if not available(fig):
        show(fig, lang)
        return
    from IPython.display import Image, display

    exporter.figure(fig, name)
    width = int(round(fig.get_figwidth() * 100))
    if exporter.active:
        display(Image(filename=str(exporter.root / "figures" / f"{exporter.prefix}{name}.png"), width=width))
    else:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=200, metadata={"Software": None})
        display(Image(data=buf.getvalue(), width=width))
    if fig.canvas.manager is not None:  # a pyplot figure: do not let the inline backend draw it again
        import matplotlib.pyplot as plt

        plt.close(fig)


def unavailable_text(result: Unavailable, lang: str) -> str:
    if lang == "ko":
        year = f"{result.fiscal_year}년" if result.fiscal_year is not None else "이 데이터"
        return f"**{year}에는 '{metric_label(result.metric, lang)}' 지표를 산출할 수 없습니다** ({md(result.reason)})."
    return f"**{md(result)}.**"


def markdown(lines: list[str]):
    """Display bullet lines as Markdown."""
    from IPython.display import Markdown, display

    display(Markdown("\n".join(f"- {line}" for line in lines)))


# -- numbers-first summaries -----------------------------------------------------------------------

def overview_summary(ds: Dataset, fiscal_year: int, lang: str = "ko") -> list[str]:
    """Headline facts of a year's budget, each a sentence with its number."""
    check_lang(lang)
    ko = lang == "ko"
    out = []
    budget = metrics.budget_series(ds).set_index("fiscal_year")
    if fiscal_year in budget.index:
        amount = int(budget.loc[fiscal_year, "amount_krw"])
        line = (f"{fiscal_year}년 예산: **{money(amount, lang)}** ({md(budget.loc[fiscal_year, 'basis'])})" if ko else
                f"FY{fiscal_year} budget: **{money(amount, lang)}** ({md(budget.loc[fiscal_year, 'basis'])})")
        if fiscal_year - 1 in budget.index:
            prev = int(budget.loc[fiscal_year - 1, "amount_krw"])
            change = 100 * (amount / prev - 1)
            line += (f", 전년 대비 {pct(change, signed=True)} ({money(amount - prev, lang)})" if ko else
                     f", {pct(change, signed=True)} on the year before ({money(amount - prev, lang)})")
        out.append(line)
    else:
        out.append(f"{fiscal_year}년 예산 자료가 없습니다." if ko else f"No budget for FY{fiscal_year} in the data.")
    shares = metrics.overhead_vs_program(ds, fiscal_year)
    if available(shares):
        s = shares.set_index("side")["share_pct"]
        out.append(f"운영경비(인건비·임대료·사무관리비·업무추진비) {pct(s.get('overhead', 0))}, "
                   f"사업성 경비(사업비·행사) {pct(s.get('program', 0))}" if ko else
                   f"Overhead (personnel, rent, administration, promotion) {pct(s.get('overhead', 0))}; "
                   f"programs and events {pct(s.get('program', 0))}")
        comp = metrics.composition(ds, fiscal_year)
        top = comp[comp["level"] == 1].sort_values("amount_krw", ascending=False).iloc[0]
        out.append(f"가장 큰 항목: {md(top['name_ko'])} {money(top['amount_krw'], lang)} "
                   f"({pct(top['share_of_total_pct'])})" if ko else
                   f"Largest item: {md(top['name_ko'])} ({group_label(top['group'], lang)}) "
                   f"{money(top['amount_krw'], lang)} ({pct(top['share_of_total_pct'])})")
    else:
        out.append(unavailable_text(shares, lang))
    head = metrics.personnel_cost_per_head(ds, fiscal_year)
    if available(head):
        h = head.iloc[0]
        out.append(f"1인당 인건비: {money(h['cost_per_head_krw'], lang)} ({md(h['basis_ko'])}, {h['heads']}명 기준)" if ko
                   else f"Personnel cost per head: {money(h['cost_per_head_krw'], lang)} "
                        f"({h['heads']} heads: {md(h['basis_ko'])})")
    rate = metrics.execution_rate(ds, fiscal_year)
    if available(rate):
        out.append(f"집행률(집행액/예산현액): {pct(rate)}" if ko else f"Execution rate (executed / available): {pct(rate)}")
    else:
        out.append(f"{fiscal_year}년 결산은 아직 자료에 없습니다 (집행률 산출 불가)." if ko else
                   f"FY{fiscal_year} is not settled in the data (no execution rate).")
    return out


def cost_summary(ds: Dataset, fiscal_year: int, lang: str = "ko",
                 categories: tuple[str, ...] = metrics.EVENT_CATEGORIES) -> list[str]:
    """Cost per event of a year with its basis and what was counted."""
    check_lang(lang)
    ko = lang == "ko"
    out = []
    cpe = metrics.cost_per_event(ds, fiscal_year, categories)
    if available(cpe):
        r = cpe.iloc[0]
        counted = ", ".join(f"{category_label(part.rsplit(' ', 1)[0], lang)} {part.rsplit(' ', 1)[1]}"
                            for part in r["events_by_category"].split(";")[0].split(", "))
        out.append(f"행사당 비용: **{money(r['cost_per_event_krw'], lang)}** = {money(r['amount_krw'], lang)} "
                   f"({md(r['basis'])}) ÷ {r['events']}회 ({counted})" if ko else
                   f"Cost per event: **{money(r['cost_per_event_krw'], lang)}** = {money(r['amount_krw'], lang)} "
                   f"({md(r['basis'])}) ÷ {r['events']} events ({counted})")
        if r["uncounted_activities"]:
            out.append(f"주의: 횟수가 기재되지 않은 활동 {r['uncounted_activities']}건은 세지 않았습니다 "
                       "(행사당 비용은 상한값)." if ko else
                       f"Caution: {r['uncounted_activities']} activities without a stated count are not "
                       "counted (the cost per event is an upper bound).")
    else:
        out.append(unavailable_text(cpe, lang))
    by_type = metrics.cost_per_event_by_type(ds, fiscal_year, categories)
    if available(by_type):
        for r in by_type.itertuples():
            if pd.notna(r.events):
                out.append(f"{md(r.name_ko)}: {money(r.cost_per_event_krw, lang)} / {r.events}회" if ko else
                           f"{md(r.name_ko)}: {money(r.cost_per_event_krw, lang)} per event ({r.events})")
            else:
                out.append(f"{md(r.name_ko)}: {money(r.amount_krw, lang)} (횟수 미기재, 행사당 비용 산출 불가)" if ko else
                           f"{md(r.name_ko)}: {money(r.amount_krw, lang)} (no count stated; no cost per event)")
    return out


def trend_summary(ds: Dataset, fiscal_year: int, lang: str = "ko") -> list[str]:
    """Growth of the budget (nominal, real, USD) and execution over the years in the data."""
    check_lang(lang)
    ko = lang == "ko"
    out = []
    g = metrics.growth(metrics.budget_series(ds))
    if len(g) >= 2:
        c = metrics.cagr(g).set_index("measure")["cagr_pct"]
        start, end = int(g["fiscal_year"].min()), int(g["fiscal_year"].max())
        out.append(f"{start}–{end}년 예산 연평균 증가율: 명목 **{pct(c['amount_krw'])}**, "
                   f"실질(2020년 불변) {pct(c['amount_2020krw'])}, 달러 기준 {pct(c['amount_usd'])}" if ko else
                   f"Budget growth {start}–{end} per year (CAGR): nominal **{pct(c['amount_krw'])}**, real "
                   f"(constant 2020 won) {pct(c['amount_2020krw'])}, in USD {pct(c['amount_usd'])}")
    row = g[g["fiscal_year"] == fiscal_year]
    if len(row) and not math.isnan(row["yoy_nominal_pct"].iloc[0]):
        r = row.iloc[0]
        out.append(f"{fiscal_year}년 전년 대비: 명목 {pct(r['yoy_nominal_pct'], signed=True)}, 실질 "
                   f"{pct(r['yoy_real_pct'], signed=True)}, 달러 {pct(r['yoy_usd_pct'], signed=True)}" if ko else
                   f"FY{fiscal_year} on the year before: nominal {pct(r['yoy_nominal_pct'], signed=True)}, real "
                   f"{pct(r['yoy_real_pct'], signed=True)}, USD {pct(r['yoy_usd_pct'], signed=True)}")
    elif len(row) == 0:
        out.append(f"{fiscal_year}년 예산 자료가 없습니다." if ko else f"No budget for FY{fiscal_year} in the data.")
    else:
        out.append(f"{fiscal_year}년은 전년 자료가 없어 증감률을 산출할 수 없습니다." if ko else
                   f"FY{fiscal_year}: no previous year in the data, so no year-over-year change.")
    for note in g.loc[g["note"] != "", "note"]:
        out.append(f"참고: {md(note)} (해당 연도 실질·달러 금액은 비워 둠)" if ko else
                   f"Note: {md(note)} (the real and USD amounts are left empty)")
    rates = metrics.execution_rates(ds)
    if len(rates):
        listed = ", ".join(f"{int(r.fiscal_year)} {pct(r.execution_rate_pct)}" for r in rates.itertuples())
        out.append(f"집행률: {listed}" if ko else f"Execution rates: {listed}")
    return out


def year_anomalies(ds: Dataset, fiscal_year: int) -> pd.DataFrame:
    """Anomalies of the documents that state facts about the year (its own document and later ones)."""
    docs = ds.documents[ds.documents["fiscal_year"] >= fiscal_year]["document_id"]
    a = ds.anomalies[ds.anomalies["document_id"].isin(docs)]
    return a[["document_id", "source_line", "severity", "check", "message"]].reset_index(drop=True)


# -- exports ---------------------------------------------------------------------------------------

class Exporter:
    """Writes a notebook's figures to ``<output_dir>/figures`` and its tables to ``<output_dir>/tables``
    (CSV in UTF-8 with BOM, which Excel opens with Hangul intact, plus one workbook of every CSV there).
    With ``output_dir=None`` it writes nothing (unless the batch named a folder in $CITYNET_OUTPUT_DIR),
    so a notebook run for display only leaves no files."""

    def __init__(self, output_dir: str | os.PathLike | None, prefix: str = ""):
        if output_dir is None:
            output_dir = os.environ.get(OUTPUT_ENV) or None
        self.root = Path(output_dir) if output_dir is not None else None
        self.prefix = prefix
        self.written: list[Path] = []

    @property
    def active(self) -> bool:
        return self.root is not None

    def figure(self, fig, name: str) -> None:
        """Save a figure as PNG, SVG and PDF into ``figures/``."""
        if self.root is None or not available(fig):
            return
        self.written += export_figure(fig, self.prefix + name, self.root / "figures")

    def table(self, df, name: str) -> None:
        if self.root is None or not available(df):
            return
        path = self.root / "tables" / f"{self.prefix}{name}.csv"
        write_csv_bom(df, path)
        self.written.append(path)

    def finish(self) -> None:
        """Rebuild the workbook from every CSV in the tables folder (a batch builds it once at the end)."""
        if self.root is None or not (self.root / "tables").is_dir() or os.environ.get(DEFER_ENV):
            return
        build_workbook(self.root / "tables")


def export_figure(fig, stem: str, folder: Path, cache: str | os.PathLike | None = None) -> list[Path]:
    """``<stem>.png/.svg/.pdf`` in ``folder``. With a ``cache`` folder, a figure whose cache key (set by
    the charts: chart, arguments, data fingerprint) was rendered before is copied instead of drawn."""
    from .figures import SAVE_FORMATS, save_figure

    key = getattr(fig, "_citynet_cache_key", None)
    if not (key and cache):
        return save_figure(fig, stem, folder)
    entry = Path(cache) / hashlib.sha256(key.encode()).hexdigest()[:32]
    cached = [entry / f"figure.{fmt}" for fmt in SAVE_FORMATS]
    if not all(p.exists() for p in cached):
        save_figure(fig, "figure", entry)  # each file lands atomically; a racing run writes the same bytes
    written = []
    for src, fmt in zip(cached, SAVE_FORMATS, strict=True):
        with atomic_path(folder / f"{stem}.{fmt}") as tmp:
            shutil.copyfile(src, tmp)
        written.append(folder / f"{stem}.{fmt}")
    return written


def render_deferred(notebook: str | os.PathLike, output_dir: str | os.PathLike, ds: Dataset,
                    cache: str | os.PathLike | None = None) -> int:
    """Draw the charts a batch kernel left as placeholders (:func:`chart`), from the same data, write them
    to ``figures/`` and put each PNG where its placeholder was; returns how many. Runs in the batch."""
    import base64

    import nbformat

    from . import charts
    from .figures import memo_style

    nb = nbformat.read(notebook, as_version=4)
    root, done = Path(output_dir), 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            spec = out.get("metadata", {}).get(FIGURE_KEY)
            if out.get("output_type") != "display_data" or not isinstance(spec, dict):
                continue
            if spec.get("chart") not in charts.CHARTS:
                raise ValueError(f"unknown chart {spec.get('chart')!r} in {notebook}")
            with _RENDER_LOCK, memo_style():  # rcParams are process-wide: one figure at a time
                fig = getattr(charts, spec["chart"])(ds, *spec["args"], **spec["kwargs"])
                export_figure(fig, spec["stem"], root / "figures", cache)
            png = (root / "figures" / f"{spec['stem']}.png").read_bytes()
            w, h = (int(round(v * 100)) for v in fig.get_size_inches())
            out["data"] = {"image/png": base64.b64encode(png).decode("ascii"),
                           "text/plain": f"<Figure size {w}x{h} with {len(fig.axes)} Axes>"}
            out["metadata"] = {"image/png": {"width": w}}
            done += 1
    if done:
        with atomic_path(notebook) as tmp:
            nbformat.write(nb, tmp)
    return done


def write_csv_bom(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """A CSV in UTF-8 with BOM (Excel shows Hangul), written atomically; a text cell that a spreadsheet
    would evaluate (``=…``, ``+…``, ``-…``, ``@…``) is written with a leading ``'``."""
    with atomic_path(path) as tmp:
        spreadsheet_frame(df).to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return Path(path)


WORKBOOK_NAME = "tables.xlsx"


def build_workbook(tables_dir: str | os.PathLike, name: str = WORKBOOK_NAME) -> Path | None:
    """One .xlsx with a sheet per CSV in ``tables_dir`` (sheet names cut to Excel's 31 characters)."""
    tables_dir = Path(tables_dir)
    csvs = sorted(tables_dir.glob("*.csv"))
    if not csvs:
        return None
    target = tables_dir / name
    with atomic_path(target) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as xl:
        used = set()
        for csv in csvs:
            sheet = csv.stem[:31]
            n = 2
            while sheet in used:
                sheet, n = f"{csv.stem[:28]}~{n}", n + 1
            used.add(sheet)
            df = pd.read_csv(csv, encoding="utf-8-sig")
            df.to_excel(xl, sheet_name=sheet, index=False)
            _text_cells_stay_text(xl.sheets[sheet])
    return target


def _text_cells_stay_text(ws) -> None:
    """Store every text cell that looks like a formula as text, with Excel's quote prefix: openpyxl
    would otherwise write ``=HYPERLINK(…)`` as a live formula. The CSV's protective ``'`` is dropped,
    since the cell type now carries that meaning."""
    for row in ws.iter_rows():
        for cell in row:
            value = cell.value
            if isinstance(value, str) and value[:1] == "'" and is_formula_like(value[1:]):
                value = value[1:]
            if is_formula_like(value) or cell.data_type == "f":
                cell.value = value
                cell.data_type = "s"
                cell.quotePrefix = True
