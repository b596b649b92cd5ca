"""What a notebook calls to show its results and, when its run has an output folder, to save them.

One object per notebook, made in its first code cell from its parameters::

    report = Report(output_dir, lang)
    report.markdown(summaries.overview(ds, fiscal_year, lang))
    report.table(composition, "composition", ["name_ko", "amount_krw", "share_of_total_pct"])
    report.figure(charts.composition_chart(ds, fiscal_year, lang=lang), "composition")

``figure`` takes any matplotlib figure, one of :mod:`citynet_analysis.reporting.charts` or one a notebook
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
import re
from pathlib import Path

import pandas as pd

from ..analysis.metrics import available
from ..analysis.slips import SLIP
from .csv_tables import write_csv
from .figures import check_name, save_figure_cached
from .format import check_lang, format_table
from .narrative import unavailable_text


class Report:
    """A notebook's display and output settings: the language and the output folder (None: display only)."""

    def __init__(self, output_dir: str | os.PathLike | None = None, lang: str = "ko"):
        self.lang = check_lang(lang)
        self.root = Path(output_dir) if output_dir is not None else None
        self.written: list[Path] = []
        setup_display()

    def markdown(self, lines: list[str], memo: bool = True) -> None:
        """Bullet lines as Markdown (the summaries escape the document text they quote); ``memo``: the
        lines open the notebook's part of the Word memo."""
        from IPython.display import Markdown, display

        display(Markdown("\n".join(f"- {line}" for line in lines)),
                metadata=_record("summary", lines=list(lines), memo=memo))

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
            display(Markdown(f"> {text}"), metadata=_record("unavailable", name=name, text=text, memo=memo))
            return
        if name:
            check_name(name)
        if name and self.root is not None:
            self.written.append(write_csv(result, self.root / "tables" / f"{name}.csv"))
        shown = list(result.columns) if columns is None else list(columns)
        if SLIP in result.columns and SLIP not in shown and result[SLIP].fillna("").astype(str).str.len().any():
            shown.append(SLIP)  # a figure the document misprints is flagged where it is shown
        display(TableView(format_table(result, self.lang, shown)),
                metadata=_record("table", name=name, columns=shown, memo=memo))

    def figure(self, fig, name: str) -> None:
        """Show a figure and, with an output folder, save it as ``figures/<name>.png|svg|pdf``.

        A chart that is not available is shown as the sentence that says why. A pyplot figure is
        closed afterwards, so the inline backend does not show it a second time."""
        from IPython.display import Image, display

        if not available(fig):
            self.table(fig)
            return
        check_name(name)
        width = int(round(fig.get_figwidth() * 100))
        record = _record("figure", name=name, memo=True)
        if self.root is not None:
            paths = save_figure_cached(fig, name, self.root / "figures")
            self.written += paths
            display(Image(filename=str(paths[0]), width=width), metadata=record)
        else:
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=200, metadata={"Software": None})
            display(Image(data=buf.getvalue(), width=width), metadata=record)
        if fig.canvas.manager is not None:
            import matplotlib.pyplot as plt

            plt.close(fig)


RECORD_KEY = "citynet"
_HEADING = re.compile(r"^(#{1,6})[ \t]+(\S.*)$")  # a Markdown ATX heading with text


def _record(kind: str, **fields) -> dict:
    """The display metadata that says what an output is (read back by :func:`records`)."""
    return {RECORD_KEY: {"kind": kind, **fields}}


def records(nb) -> list[dict]:
    """The records of an executed notebook's outputs, in order: each ``{"kind": "summary" | "table" |
    "figure" | "unavailable", "name": …, …}`` plus ``"heading"`` records for its Markdown headings
    (``{"kind": "heading", "level": n, "text": …}``)."""
    out = []
    cells = nb.get("cells", []) if isinstance(nb, dict) else []
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict):
            continue
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            fenced = False
            for line in ("".join(source) if isinstance(source, list) else str(source)).splitlines():
                if line.lstrip().startswith(("```", "~~~")):
                    fenced = not fenced
                elif not fenced and (m := _HEADING.match(line)):
                    out.append({"kind": "heading", "level": len(m.group(1)), "text": m.group(2).strip()})
            continue
        for output in cell.get("outputs", []) if isinstance(cell.get("outputs"), list) else []:
            record = output.get("metadata", {}).get(RECORD_KEY) if isinstance(output, dict) else None
            if isinstance(record, dict) and "kind" in record:
                out.append(dict(record))
    return out


def read_records(path) -> list[dict]:
    """:func:`records` of an executed notebook file; none for a file that is not a readable notebook (a
    kept notebook someone edited must not stop the memo or the portal)."""
    import json

    try:
        return records(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return []


class TableView:
    """A formatted table as a notebook shows it: HTML without the index column, every cell escaped, long
    text in full (the page wraps it); plain text for consoles and nbval."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame

    def _repr_html_(self) -> str:
        with pd.option_context("display.max_colwidth", None):
            return self.frame.to_html(index=False, escape=True, border=0, na_rep="—",
                                      classes=["dataframe", "citynet-table"])

    def __repr__(self) -> str:
        with pd.option_context("display.max_colwidth", None):
            return self.frame.to_string(index=False)


def setup_display() -> None:
    """Display options for notebooks: aligned Hangul columns, no truncation of long text, no MathJax
    in tables (a ``$`` in a document is a dollar sign), and the memo look for figures."""
    from .figures import apply_memo_style

    pd.set_option("display.unicode.east_asian_width", True)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 160)
    pd.set_option("display.max_colwidth", 60)
    pd.set_option("display.html.use_mathjax", False)
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
