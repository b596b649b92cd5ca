"""What a notebook calls to show its results and, when its run has an output folder, to save them.

One object per notebook, made in its first code cell from its parameters::

    report = Report(output_dir, lang)
    report.markdown(summaries.overview(ds, fiscal_year, lang))
    report.table(composition, "composition", ["name_ko", "amount_krw", "share_of_total_pct"])
    report.figure(charts.composition_chart(ds, fiscal_year, lang=lang), "composition")

``figure`` takes any matplotlib figure, one of :mod:`.charts` or one a notebook
draws itself: it shows it and, with an output folder, saves it as PNG (300 dpi), SVG and PDF under
``figures/``. ``table`` shows a formatted copy and saves the CSV under ``tables/``. The same calls do the
same thing in JupyterLab, under papermill, nbval and the batch; with ``output_dir=None`` nothing is
written. A result that is not available (:class:`~citynet_analysis.analysis.metrics.Unavailable`) is shown
as the sentence that says why.

Every output carries a small record in its display metadata (``metadata["citynet"]``: the kind, the
name, the columns shown, whether it belongs in the Word memo, the summary lines), so that the batch builds
the year's memo from the executed notebooks themselves, in their order, never from a second copy of the
numbers."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd

from ...analysis.metrics import available
from ...analysis.slips import SLIP
from ...config import FIGURES_DIR, TABLES_DIR
from .csv_tables import write_csv
from .figures import check_name, memo_style, save_figure, save_figure_cached, use_memo_fonts
from .format import check_lang, format_table
from .narrative import unavailable_text
from .records import Kind, Record


class Report:
    """A notebook's display and output settings: the language, the output folder (None: display only) and
    the figure cache (None: every figure is rendered; a folder: rendered PNG/PDF are kept there by content
    and copied when the same figure is drawn again, see :func:`.figures.save_figure_cached`)."""

    def __init__(self, output_dir: str | os.PathLike | None = None, lang: str = "ko",
                 figure_cache: str | os.PathLike | None = None):
        self.lang = check_lang(lang)
        self.root = Path(output_dir) if output_dir is not None else None
        self.figure_cache = Path(figure_cache) if figure_cache is not None else None
        self.written: list[Path] = []

    def markdown(self, lines: list[str], memo: bool = True) -> None:
        """Bullet lines as Markdown (the summaries escape the document text they quote); ``memo``: the
        lines open the notebook's part of the Word memo."""
        from IPython.display import Markdown, display

        display(Markdown("\n".join(f"- {line}" for line in lines)),
                metadata=Record(Kind.SUMMARY, lines=tuple(lines), memo=memo).metadata())

    def table(self, result, name: str | None = None, columns: list[str] | None = None,
              memo: bool = False) -> None:
        """Show a metric's table formatted for reading (only ``columns`` if given, no index column, long
        text wrapped; a ``slip`` column, naming slips of the document in the row's figures, is always
        shown when a row has one) and, with an output folder and a ``name``, save the whole table as
        ``tables/<name>.csv``. ``memo=True`` puts the shown columns in the year's Word memo. A result
        that is not available is shown as the sentence that says why, and nothing is saved."""
        from IPython.display import Markdown, display

        if not available(result):
            text = unavailable_text(result, self.lang)
            display(Markdown(f"> {text}"), metadata=Record(Kind.UNAVAILABLE, name=name, text=text, memo=memo).metadata())
            return
        if name:
            check_name(name)
        if name and self.root is not None:
            self.written.append(write_csv(result, self.root / TABLES_DIR / f"{name}.csv"))
        shown = list(result.columns) if columns is None else list(columns)
        if SLIP in result.columns and SLIP not in shown and result[SLIP].fillna("").astype(str).str.len().any():
            shown.append(SLIP)  # a figure the document misprints is flagged where it is shown
        display(TableView(format_table(result, self.lang, shown)),
                metadata=Record(Kind.TABLE, name=name, columns=tuple(shown), memo=memo).metadata())

    def figure(self, fig, name: str) -> None:
        """Show a figure and, with an output folder, save it as ``figures/<name>.png|svg|pdf``.

        A chart that is not available is shown as the sentence that says why. A pyplot figure is
        closed afterwards, so the inline backend does not show it a second time."""

        if not available(fig):
            self.table(fig)
            return
        check_name(name)
        width = int(round(fig.get_figwidth() * 100))
        record = Record(Kind.FIGURE, name=name, memo=True).metadata()
        with memo_style():  # drawn in the memo look, without changing the notebook's own settings
            use_memo_fonts(fig)
            self._show_figure(fig, name, width, record)
        if fig.canvas.manager is not None:
            import matplotlib.pyplot as plt

            plt.close(fig)

    def _show_figure(self, fig, name: str, width: int, record: dict) -> None:
        from IPython.display import Image, display

        if self.root is not None:
            paths = (save_figure_cached(fig, name, self.root / FIGURES_DIR, self.figure_cache)
                     if self.figure_cache is not None else save_figure(fig, name, self.root / FIGURES_DIR))
            self.written += paths
            display(Image(filename=str(paths[0]), width=width), metadata=record)
        else:
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=200, metadata={"Software": None})
            display(Image(data=buf.getvalue(), width=width), metadata=record)


class TableView:
    """A formatted table as a notebook shows it: HTML without the index column, every cell escaped, long
    text in full (the page wraps it); plain text for consoles and nbval."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame

    #: Display options of a table, scoped to it: Hangul counted double width, long text in full, no MathJax
    #: (a ``$`` in a document is a dollar sign).
    OPTIONS = ("display.unicode.east_asian_width", True, "display.max_colwidth", None,
               "display.html.use_mathjax", False, "display.width", 160)

    def _repr_html_(self) -> str:
        with pd.option_context(*self.OPTIONS):
            return self.frame.to_html(index=False, escape=True, border=0, na_rep="—",
                                      classes=["dataframe", "citynet-table"])

    def __repr__(self) -> str:
        with pd.option_context(*self.OPTIONS):
            return self.frame.to_string(index=False)
