"""What a notebook calls to show its results and, when its run has an output folder, to save them.

One object per notebook, made in its first code cell from its parameters::

    report = Report(output_dir, lang)
    report.markdown(summaries.overview(ds, fiscal_year, lang))
    report.table(composition, "composition", ["name_ko", "amount_krw", "share_of_total_pct"])
    report.figure(charts.composition_chart(ds, fiscal_year, lang=lang), "composition")

``figure`` takes any matplotlib figure, one of :mod:`.charts` or one a notebook
draws itself: it shows it and, with an output folder, saves it as PNG (300 dpi), SVG and PDF under
``figures/``; ``title=`` is its caption in the page, the memos and the portal. ``table`` shows a formatted
copy and saves the CSV under ``tables/``; ``labels=`` and ``units=`` head the notebook's own columns::

    report.table(df, "my_costs", ["name_ko", "non_personnel_krw", "trips"],
                 labels={"non_personnel_krw": "비인건비", "trips": "출장"}, units={"trips": "회"})
    report.figure(fig, "my_chart", title="간접비와 사업비 비중")
 The same calls do the
same thing in JupyterLab, under papermill, nbval and the batch; with ``output_dir=None`` nothing is
written. A result that is not available (:class:`~citynet_analysis.analysis.metrics.Unavailable`) is shown
as the sentence that says why.

Every output carries a small record in its display metadata (``metadata["citynet"]``: the kind, the
name, the columns shown and their labels and units, a figure's title, whether it belongs in the Word
memo, the summary lines), so that the batch builds
the year's memo from the executed notebooks themselves, in their order, never from a second copy of the
numbers."""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ...analysis.metrics import available
from ...analysis.slips import SLIP
from ...config import FIGURES_DIR, TABLES_DIR
from .csv_tables import write_csv
from .figures import check_name, memo_style, save_figure, save_figure_cached, use_memo_fonts
from .format import check_lang, format_table, header_clash, unit_conflict
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
              memo: bool = False, labels: Mapping[str, str] | None = None,
              units: Mapping[str, str] | None = None) -> None:
        """Show a metric's table formatted for reading (only ``columns`` if given, no index column, long
        text wrapped; a ``slip`` column, naming slips of the document in the row's figures, is always
        shown when a row has one) and, with an output folder and a ``name``, save the whole table as
        ``tables/<name>.csv``. ``memo=True`` puts the shown columns in the year's Word memo. A result
        that is not available is shown as the sentence that says why, and nothing is saved.

        ``labels`` maps a column to its header, in the report's language and without its unit
        (``{"non_personnel_krw": "비인건비"}``); ``units`` maps a column of your own to its unit (``"회"``,
        ``"%"``, ``"원"``). Columns the vocabulary knows keep their labels and units; a column whose
        name ends in ``_krw`` (or whose unit is won: ``원``, ``KRW``) holds whole won and is shown in 백만원
        like every amount, one ending in ``_pct`` (or of unit ``%``) as a percent. A multiple of won
        (``천원``, ``백만원``, ``KRW million``) is refused: convert the column to won (``df["x"] * 1000``).
        Both travel in the output's record, so the page, the memos and the workbook head the columns the
        same way. A ``labels``/``units`` that is not a mapping of column names to text is a TypeError;
        one naming a column the table lacks, an empty text, a multiple of won, another unit for an amount
        or a percent, or a header another shown column has, a ValueError."""
        from IPython.display import Markdown, display

        labels = _column_texts(labels, "labels", {"non_personnel_krw": "비인건비"})
        units = _column_texts(units, "units", {"trips": "회"})
        if not available(result):
            text = unavailable_text(result, self.lang)
            display(Markdown(f"> {text}"), metadata=Record(Kind.UNAVAILABLE, name=name, text=text, memo=memo).metadata())
            return
        if name:
            check_name(name)
        shown = list(result.columns) if columns is None else list(columns)
        if SLIP in result.columns and SLIP not in shown and result[SLIP].fillna("").astype(str).str.len().any():
            shown.append(SLIP)  # a figure the document misprints is flagged where it is shown
        _check_columns(result, labels, units, [c for c in shown if c in result.columns], self.lang)
        if name and self.root is not None:
            self.written.append(write_csv(result, self.root / TABLES_DIR / f"{name}.csv"))
        record = Record(Kind.TABLE, name=name, columns=tuple(shown), memo=memo,
                        labels=tuple(labels.items()), units=tuple(units.items()))
        display(TableView(format_table(result, self.lang, shown, labels, units)), metadata=record.metadata())

    def figure(self, fig, name: str, title: str | None = None) -> None:
        """Show a figure and, with an output folder, save it as ``figures/<name>.png|svg|pdf``.

        ``title``: the figure's caption in the page, the memos (``그림 3. <title>``) and the portal's
        thumbnails, in the report's language (one text; a notebook run in both languages picks it with
        ``{"ko": …, "en": …}[lang]``). Without it a chart of the package keeps its own caption and an
        analyst's figure is captioned with its name in words. A title that is not text is a TypeError.

        A chart that is not available is shown as the sentence that says why. A pyplot figure is
        closed afterwards, so the inline backend does not show it a second time."""

        title = _text(title, "title") if title is not None else ""
        if not available(fig):
            self.table(fig)
            return
        check_name(name)
        width = int(round(fig.get_figwidth() * 100))
        record = Record(Kind.FIGURE, name=name, memo=True, text=title).metadata()
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


def _text(value, what: str) -> str:
    """A header, unit or title as one line of text; TypeError for anything but text, ValueError for none."""
    if isinstance(value, Mapping):
        raise TypeError(f"{what} is one text in the report's language, not a {type(value).__name__}: pick it "
                        f"with {{'ko': '…', 'en': '…'}}[lang]")
    if not isinstance(value, str):
        raise TypeError(f"{what} must be text (a str), not {type(value).__name__}: {value!r}")
    text = " ".join(value.split())
    if not text:
        raise ValueError(f"{what} is empty")
    return text


def _column_texts(given, what: str, example: dict[str, str]) -> dict[str, str]:
    """``labels=`` / ``units=`` checked: a mapping of column names (str) to text (str), as a dict."""
    if given is None:
        return {}
    hint = f"{what}= maps a column name to a text, e.g. {what}={example!r}"
    if not isinstance(given, Mapping):
        raise TypeError(f"{hint}; got {type(given).__name__}: {given!r}")
    out = {}
    for column, text in given.items():
        if not isinstance(column, str):
            raise TypeError(f"{hint}; a column name is text, not {type(column).__name__}: {column!r}")
        if isinstance(text, Mapping):
            raise TypeError(f"{hint}; the text of {column!r} is one text in the report's language, not a "
                            f"{type(text).__name__}: pick it with {{'ko': '…', 'en': '…'}}[lang]")
        if not isinstance(text, str):
            raise TypeError(f"{hint}; the text of {column!r} is not a str but {type(text).__name__}: {text!r}")
        out[column] = _text(text, f"{what}[{column!r}]")
    return out


def _check_columns(result: pd.DataFrame, labels: dict[str, str], units: dict[str, str], shown: list[str],
                   lang: str) -> None:
    """Every column ``labels``/``units`` name is in the table; a unit is never a multiple of won (천원: the
    column is converted to won) nor contradicts a known one; no labelled column is headed like another
    shown column (one would hide the other: :func:`.format.header_clash`)."""
    for what, given in (("labels", labels), ("units", units)):
        if missing := [c for c in given if c not in result.columns]:
            raise ValueError(f"{what}= names columns the table does not have: {', '.join(map(repr, missing))} "
                             f"(its columns: {', '.join(map(str, result.columns))})")
    for column, unit in units.items():
        if why := unit_conflict(column, unit):
            raise ValueError(f"units[{column!r}] = {unit!r}: {why}")
    if clash := header_clash(shown, lang, "display", labels, units):
        column, same, header = clash
        raise ValueError(f"columns {column!r} and {same!r} would both be headed {header!r}: "
                         f"give them labels that tell them apart")


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
