"""The notebooks' own code cells, run in this process (no kernel): every metric, summary, table and chart
call a notebook makes, with the parameters the batch passes, on a data set already loaded.

``run_notebook`` executes the code cells of ``notebooks/<name>.ipynb`` after their parameters cell, with
``citynet_analysis.load`` answering with the given data set and ``Report`` replaced by
:class:`RecordingReport`: the real one without an output folder, whose displays (the formatted table, the
sentence saying why a result is not available) are captured instead of shown and whose figures are looked
at instead of rendered, and which records each output so that a test can look at it. The calls are the
notebooks' own: a cell added to a notebook is run here too. ``charts=False`` leaves the memo charts out
(each chart function of :mod:`citynet_analysis.reporting.notebook.charts` answers :data:`SKIPPED`), for runs that
must be quick, and so does :func:`memoized`."""

from __future__ import annotations

import contextlib
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import nbformat
import pandas as pd
from matplotlib.figure import Figure

import citynet_analysis
from citynet_analysis.analysis.metrics import Unavailable, available
from citynet_analysis.reporting import notebook as notebook_module
from citynet_analysis.reporting.batch.notebook_files import notebook_paths
from citynet_analysis.reporting.notebook import charts as charts_module
from citynet_analysis.reporting.notebook.records import RECORD_KEY

NOTEBOOKS = notebook_paths()  # name -> path, in order
CHARTS = [name for name in dir(charts_module) if name.endswith("_chart")]
SKIPPED = object()  # what a chart function answers in a run without charts
LANGS = ("ko", "en")

#: A number printed as ``nan`` or ``inf`` (a division that should have said "not available").
NOT_A_NUMBER = re.compile(r"(?<![A-Za-z])[+\-−]?(nan|inf|infinity)(?![A-Za-z])", re.IGNORECASE)


@dataclass
class Output:
    kind: str  # summary, table, figure, unavailable
    name: str | None
    result: object  # the lines, the metric's table, the Figure or the Unavailable
    text: list[str]  # what a reader sees: the lines, the formatted cells, the figure's texts, the reason


class RecordingReport(notebook_module.Report):
    """The real ``Report`` without an output folder, its displays captured instead of shown (so a table is
    formatted exactly as on the page), and its figures looked at instead of rendered to PNG."""

    def __init__(self, output_dir=None, lang: str = "ko", figure_cache=None):
        assert output_dir is None, "the in-process run saves nothing"
        super().__init__(None, lang, figure_cache)
        self.outputs: list[Output] = []
        self.shown: list = []  # what display() was given, (object, metadata)

    def _display(self, obj, metadata=None, **kwargs) -> None:
        self.shown.append((obj, metadata))

    def _run(self, call, *args):
        from IPython import display

        with mock.patch.object(display, "display", self._display):
            call(*args)
        return self.shown[-1]

    def markdown(self, lines, memo: bool = True) -> None:
        assert isinstance(lines, list) and all(isinstance(s, str) and s for s in lines), lines
        self._run(super().markdown, lines, memo)
        self.outputs.append(Output("summary", None, list(lines), list(lines)))

    def table(self, result, name: str | None = None, columns: list[str] | None = None, memo: bool = False) -> None:
        if not available(result):
            assert isinstance(result, Unavailable), f"{name}: {type(result).__name__} is neither a result nor Unavailable"
        else:
            assert isinstance(result, pd.DataFrame), f"{name}: {type(result).__name__}"
        obj, metadata = self._run(super().table, result, name, columns, memo)
        record = metadata[RECORD_KEY]
        if record["kind"] == "unavailable":
            self.outputs.append(Output("unavailable", name, result, [record["text"]]))
        else:
            cells = [str(v) for v in obj.frame.to_numpy().ravel()] + [str(c) for c in obj.frame.columns]
            self.outputs.append(Output("table", name, result, cells))

    def figure(self, fig, name: str) -> None:
        if fig is SKIPPED:
            return
        if not available(fig):
            self.table(fig, name)  # as Report.figure does (there without the name)
            return
        assert isinstance(fig, Figure), f"{name}: {type(fig).__name__}"
        texts = [t.get_text() for t in fig.texts]
        for ax in fig.axes:
            texts += [t.get_text() for t in ax.texts] + [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
            for lim in (*ax.get_xlim(), *ax.get_ylim()):
                assert math.isfinite(lim), f"{name}: axis limit {lim}"
        self.outputs.append(Output("figure", name, fig, texts))


def _cells(name: str, path: Path):
    """The parameters cell and the other code cells of a notebook, compiled."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    params = [c.source for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1, f"{path.name}: one parameters cell expected"
    cells = [c.source for c in code if "parameters" not in c.metadata.get("tags", [])]
    return (compile(params[0], f"{name}[parameters]", "exec"),
            [compile(source, f"{name}[{i}]", "exec") for i, source in enumerate(cells)])


_CELLS = {name: _cells(name, path) for name, path in NOTEBOOKS.items()}


def run_notebook(name: str, ds, fiscal_year: int, lang: str, charts: bool = True, **parameters) -> list[Output]:
    """Run one notebook's code cells for a year and language on ``ds``; the outputs in order. Warnings
    are errors (in a notebook they would print to the page)."""
    params, cells = _CELLS[name]
    ns: dict = {}
    exec(params, ns)  # the defaults, as papermill sees them
    ns.update(fiscal_year=fiscal_year, lang=lang, program=None, data_dir=str(ds.path), output_dir=None,
              **parameters)

    def load(data_dir=None, program=None, fingerprint=None):
        assert data_dir == str(ds.path) and program is None and fingerprint is None
        return ds

    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(citynet_analysis, "load", load))
        stack.enter_context(mock.patch.object(notebook_module, "Report", RecordingReport))
        if not charts:
            for chart in CHARTS:
                stack.enter_context(mock.patch.object(charts_module, chart, lambda *a, **k: SKIPPED))
        stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("error")
        for cell in cells:
            exec(cell, ns)
    return ns["report"].outputs


def run_all(ds, fiscal_year: int, lang: str, charts: bool = True) -> dict[str, list[Output]]:
    """Every notebook for one year and language."""
    return {name: run_notebook(name, ds, fiscal_year, lang, charts) for name in NOTEBOOKS}


def check_readable(outputs: list[Output], where: str) -> None:
    """No number a reader sees is ``nan`` or ``inf``; every unavailable result says why in words."""
    for out in outputs:
        for text in out.text:
            assert not NOT_A_NUMBER.search(text), f"{where} {out.kind} {out.name}: {text!r}"
        if out.kind == "unavailable":
            assert out.result.reason in _reasons(), f"{where} {out.name}: unknown reason {out.result.reason!r}"


def _reasons() -> set[str]:
    from citynet_analysis import vocabulary

    return set(vocabulary.labels("unavailable"))


@contextlib.contextmanager
def memoized(ds):
    """Within: each metric (the ``per_program`` functions of ``metrics``), reference series and chart is
    computed once per distinct arguments on ``ds`` and answered from that result afterwards (a copy of a
    table): they are pure functions of the data set, and a notebook run per year and language asks for the
    same all-years tables and charts again and again. The summaries and table formatting still run every
    time. Calls with an argument that cannot be a key (a table, as ``growth`` takes) are not kept."""
    from citynet_analysis.analysis import metrics, reference

    cache: dict = {}

    def keep(name, fn, copy):
        def run(*args, **kwargs):
            key = (name, tuple(("ds", id(a)) if a is ds else a for a in args), tuple(sorted(kwargs.items())))
            try:
                hash(key)
            except TypeError:
                return fn(*args, **kwargs)
            if key not in cache:
                cache[key] = fn(*args, **kwargs)
            result = cache[key]
            return result.copy() if copy and isinstance(result, pd.DataFrame | pd.Series | dict) else result
        return run

    with contextlib.ExitStack() as stack:
        for module, names, copy in (
                (metrics, [n for n in dir(metrics) if hasattr(getattr(metrics, n), "__wrapped__")], True),
                (reference, ["cpi", "krw_per_usd"], True),
                (charts_module, CHARTS, False)):  # a Figure is only read by RecordingReport
            for name in names:
                stack.enter_context(mock.patch.object(module, name, keep(name, getattr(module, name), copy)))
        yield


def by_name(outputs: list[Output]) -> dict[str | None, Output]:
    return {o.name: o for o in outputs if o.name}
