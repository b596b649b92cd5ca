"""Publishers: each turns executed notebooks (their output records, ``tables/`` and ``figures/``) into a
file a reader opens: the notebook's page, the year's memos and workbook, the reports folder's portal.

A publisher is one module that ends with a ``PUBLISHER`` (:class:`~.publisher.Publisher`) and one line in
:data:`PUBLISHERS`: the batch calls every registered publisher of each scope, and the portal links every
file they name. The language is checked here, once, for every publisher. Publishers never import the batch."""

from __future__ import annotations

from pathlib import Path

from ..notebook.format import check_lang
from . import html_pages, hwpx_memo, portal, word_memo, workbook
from .publisher import Publisher, Scope

#: Every output format, in the order the portal lists their files.
PUBLISHERS: list[Publisher] = [
    html_pages.PUBLISHER,
    word_memo.PUBLISHER,
    hwpx_memo.PUBLISHER,
    workbook.PUBLISHER,
    portal.PUBLISHER,
]


def registered(scope: Scope | None = None) -> list[Publisher]:
    """The registered publishers (of one scope)."""
    return [p for p in PUBLISHERS if scope is None or p.scope is scope]


def publish_notebook(executed: Path, lang: str, name: str) -> list[Path]:
    """Every file made from one executed notebook of the reports ``name`` (its page), beside it."""
    check_lang(lang)
    written = [p.publish(executed, lang, name) for p in registered(Scope.NOTEBOOK)]
    return [w for w in written if w is not None]


def publish_year(folder: Path, fiscal_year: int, ds, lang: str, name: str) -> list[Path]:
    """Every registered publisher's file for one year folder of the reports ``name``; the files written."""
    check_lang(lang)
    written = [p.publish(folder, fiscal_year, ds, lang, name) for p in registered(Scope.YEAR)]
    return [w for w in written if w is not None]


def publish_site(out: Path, entries: list, lang: str, ds=None) -> list[Path]:
    """The reports folder's own files (the portal) for the manifest ``entries``."""
    check_lang(lang)
    written = [p.publish(out, entries, lang, ds, PUBLISHERS) for p in registered(Scope.SITE)]
    return [w for w in written if w is not None]
