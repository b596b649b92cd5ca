"""Publishers: each turns a year folder's executed notebooks (their output records, ``tables/`` and
``figures/``) into one file a reader opens. A publisher is one module that ends with a ``PUBLISHER`` and
one line in :data:`PUBLISHERS`: the batch calls every registered publisher for each year it publishes,
and the portal links every file they name. Publishers never import the batch."""

from __future__ import annotations

from pathlib import Path

from . import hwpx_memo, word_memo, workbook
from .publisher import Publisher

#: Every output format of a year folder, in the order the portal lists their files.
PUBLISHERS: list[Publisher] = [word_memo.PUBLISHER, hwpx_memo.PUBLISHER, workbook.PUBLISHER]


def registered() -> list[Publisher]:
    """The registered publishers (:data:`PUBLISHERS`)."""
    return list(PUBLISHERS)


def publish_all(folder: Path, fiscal_year: int, ds, lang: str) -> list[Path]:
    """Every registered publisher's file for one year folder; the files written."""
    written = [p.publish(folder, fiscal_year, ds, lang) for p in PUBLISHERS]
    return [w for w in written if w is not None]
