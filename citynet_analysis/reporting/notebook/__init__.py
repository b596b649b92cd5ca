"""What notebooks import (the kernel side): ``Report`` (:mod:`.report`), the output records it writes
(:mod:`.records`), :mod:`.charts`, :mod:`.narrative`, figure export (:mod:`.figures`), formatting and
language (:mod:`.format`), escaping document text (:mod:`.escape`) and saved tables (:mod:`.csv_tables`).

A notebook's first code cell::

    from citynet_analysis.reporting.notebook import Report, charts, narrative

Nothing here imports the batch or the publishers. ``Report`` is loaded on first use, so that a publisher
reading records or formatting a number does not import IPython."""

from __future__ import annotations

__all__ = ["Report", "charts", "narrative"]


def __getattr__(name: str):
    if name == "Report":
        from .report import Report

        return Report
    if name in ("charts", "narrative"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(name)
