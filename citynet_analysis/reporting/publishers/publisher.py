"""What a publisher is: one output format, what it publishes from (its scope), and the file it writes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Scope(StrEnum):
    """What a publisher turns into a file, and when the batch calls it."""

    NOTEBOOK = "notebook"  # one executed notebook → a file beside it, right after its run (the page)
    YEAR = "year"  # a year folder's executed notebooks, tables and figures → one file in it (memo, workbook)
    SITE = "site"  # every year folder and its runs → one file of the reports folder (the portal)


@dataclass(frozen=True)
class Publisher:
    """One output format.

    ``publish`` writes its file atomically and returns its path (None when there is nothing to publish):

    - scope NOTEBOOK: ``publish(executed_notebook, lang, name)``; ``file(name, notebook_stem)``
    - scope YEAR: ``publish(year_folder, fiscal_year, ds, lang, name)``; ``file(name)``
    - scope SITE: ``publish(reports_folder, entries, lang, ds, publishers)``; ``file()``

    ``name`` is the name of the reports (``citynet_2024_ko``, :func:`citynet_analysis.config.report_name`):
    their folder's name and the start of every file name, so that a file mailed alone says what it is.

    ``file`` is the path of the file inside its folder; ``label`` the key of its link text in
    vocabulary.toml ``[portal_labels]`` and ``kind`` the file's type as the portal shows it."""

    name: str
    scope: Scope
    publish: Callable[..., Path | None]
    file: Callable[..., str]
    label: str
    kind: str
