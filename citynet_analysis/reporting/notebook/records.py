"""The output records: what each output of a notebook is, written by :class:`~.report.Report` into the
output's display metadata (``metadata["citynet"]``) and read back from the executed notebook by every
publisher, so that a memo, a workbook or the portal is built from the notebooks themselves, in their order,
never from a second copy of the numbers. Markdown headings of the notebook are records too."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

#: The key of the display metadata that holds a record.
RECORD_KEY = "citynet"
_HEADING = re.compile(r"^(#{1,6})[ \t]+(\S.*)$")  # a Markdown ATX heading with text


class Kind(StrEnum):
    """What an output is."""

    HEADING = "heading"  # a Markdown heading of the notebook (level, text)
    SUMMARY = "summary"  # bullet lines (lines)
    TABLE = "table"  # a table shown, saved as tables/<name>.csv (columns: the ones shown)
    FIGURE = "figure"  # a figure, saved as figures/<name>.png|svg|pdf
    UNAVAILABLE = "unavailable"  # a result that could not be computed, as the sentence saying why (text)


@dataclass(frozen=True)
class Record:
    """One output of a notebook. ``memo``: it belongs in the memo (summaries and figures by default,
    tables when the notebook says so)."""

    kind: Kind
    name: str | None = None
    memo: bool = True
    lines: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    text: str = ""
    level: int = 0

    def metadata(self) -> dict:
        """The display metadata that carries the record (read back by :func:`records`)."""
        fields = {k: v for k, v in asdict(self).items() if v not in (None, (), "", 0)}
        fields["kind"], fields["memo"] = str(self.kind), self.memo
        for key in ("lines", "columns"):
            if key in fields:
                fields[key] = list(fields[key])
        return {RECORD_KEY: fields}

    @classmethod
    def from_json(cls, data) -> Record | None:
        """The record stored in an output's metadata; None for anything that is not one (a kept notebook
        edited by hand must not stop the memo or the portal)."""
        if not isinstance(data, dict):
            return None
        try:
            kind = Kind(data.get("kind"))
        except ValueError:
            return None
        name = data.get("name")
        lines, columns = data.get("lines", ()), data.get("columns", ())
        level = data.get("level", 0)
        return cls(kind=kind, name=str(name) if name is not None else None,
                   memo=bool(data.get("memo", kind in (Kind.SUMMARY, Kind.FIGURE))),
                   lines=tuple(map(str, lines)) if isinstance(lines, list | tuple) else (),
                   columns=tuple(map(str, columns)) if isinstance(columns, list | tuple) else (),
                   text=str(data.get("text", "")), level=level if type(level) is int else 0)


def records(nb) -> list[Record]:
    """The records of an executed notebook (its JSON as a dict), in order, with a ``heading`` record for
    each Markdown heading outside code fences."""
    out: list[Record] = []
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
                    out.append(Record(Kind.HEADING, level=len(m.group(1)), text=m.group(2).strip()))
            continue
        for output in cell.get("outputs", []) if isinstance(cell.get("outputs"), list) else []:
            meta = output.get("metadata", {}) if isinstance(output, dict) else {}
            record = Record.from_json(meta.get(RECORD_KEY) if isinstance(meta, dict) else None)
            if record is not None:
                out.append(record)
    return out


def read_records(path) -> list[Record]:
    """:func:`records` of an executed notebook file; none for a file that is not a readable notebook."""
    try:
        return records(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, RecursionError):
        return []


def title(recs: list[Record]) -> str:
    """The notebook's title as written (its first level-1 heading; ``""`` when it has none)."""
    return next((r.text for r in recs if r.kind is Kind.HEADING and r.level == 1), "")
