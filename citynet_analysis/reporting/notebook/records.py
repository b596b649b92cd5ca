"""The output records: what each output of a notebook is, written by :class:`~.report.Report` into the
output's display metadata (``metadata["citynet"]``) and read back from the executed notebook by every
publisher, so that a memo, a workbook or the portal is built from the notebooks themselves, in their order,
never from a second copy of the numbers. Markdown headings of the notebook are records too.

One notebook holds an analysis's prose in both languages: a Markdown cell tagged ``lang-ko`` holds the
Korean text (and headings), one tagged ``lang-en`` the English; an untagged cell is shown in either
language. A cell tagged ``instructions`` (how to run the notebook) stays in the notebook and is never
published. Every record carries the language of its cell (``""``: untagged); a publisher keeps the
records of its language with :func:`in_language` and reads headings with :func:`heading_text`, which
still splits an older heading ``한국어 · English`` of a notebook nobody has split into cells."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from pathlib import Path

#: The key of the display metadata that holds a record.
RECORD_KEY = "citynet"
_HEADING = re.compile(r"^(#{1,6})[ \t]+(\S.*)$")  # a Markdown ATX heading with text
#: The cell tag of each language's prose (visible in JupyterLab's property inspector, like papermill's
#: ``parameters``).
LANG_TAGS = {"ko": "lang-ko", "en": "lang-en"}
#: The cell tag of text for whoever runs the notebook (how to change its parameters): never published.
INSTRUCTIONS_TAG = "instructions"


def cell_tags(cell) -> list[str]:
    """A cell's tags (none for a cell whose metadata is not what nbformat writes)."""
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    tags = meta.get("tags") if isinstance(meta, dict) else None
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def cell_language(cell) -> str:
    """The language a cell is written for by its tag (``ko``, ``en``), ``""`` for both."""
    tags = cell_tags(cell)
    return next((lang for lang, tag in LANG_TAGS.items() if tag in tags), "")


def unpublished_tags(lang: str) -> set[str]:
    """The tags of the cells a page, memo or portal in ``lang`` leaves out: the other languages' prose and
    the instructions for running the notebook."""
    return {tag for other, tag in LANG_TAGS.items() if other != lang} | {INSTRUCTIONS_TAG}


class Kind(StrEnum):
    """What an output is."""

    HEADING = "heading"  # a Markdown heading of the notebook (level, text)
    SUMMARY = "summary"  # bullet lines (lines)
    TABLE = "table"  # a table shown, saved as tables/<name>.csv (columns: the ones shown; labels, units)
    FIGURE = "figure"  # a figure, saved as figures/<name>.png|svg|pdf (text: its title, when given)
    UNAVAILABLE = "unavailable"  # a result that could not be computed, as the sentence saying why (text)


@dataclass(frozen=True)
class Record:
    """One output of a notebook. ``memo``: it belongs in the memo (summaries and figures by default,
    tables when the notebook says so). A table's ``labels`` and ``units`` are the headers and units the
    notebook gave its columns (``(column, text)`` pairs; :meth:`column_labels`, :meth:`column_units`); a
    figure's ``text`` is the title the notebook gave it (its caption). All of it is text an analyst typed:
    every publisher escapes it where it renders it."""

    kind: Kind
    name: str | None = None
    memo: bool = True
    lines: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    text: str = ""
    level: int = 0
    lang: str = ""  # the language of the cell it comes from (its lang-ko / lang-en tag), "" for both
    labels: tuple[tuple[str, str], ...] = ()
    units: tuple[tuple[str, str], ...] = ()

    def metadata(self) -> dict:
        """The display metadata that carries the record (read back by :func:`records`)."""
        fields = {k: v for k, v in asdict(self).items() if v not in (None, (), "", 0)}
        fields["kind"], fields["memo"] = str(self.kind), self.memo
        for key in ("lines", "columns"):
            if key in fields:
                fields[key] = list(fields[key])
        for key in ("labels", "units"):
            if key in fields:
                fields[key] = dict(fields[key])
        return {RECORD_KEY: fields}

    def column_labels(self) -> dict[str, str]:
        """The headers the notebook gave its columns: ``{column: header}`` (without the unit)."""
        return dict(self.labels)

    def column_units(self) -> dict[str, str]:
        """The units the notebook gave its columns: ``{column: unit}``."""
        return dict(self.units)

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
        lang = data.get("lang", "")
        return cls(kind=kind, name=str(name) if name is not None else None,
                   memo=bool(data.get("memo", kind in (Kind.SUMMARY, Kind.FIGURE))),
                   lines=tuple(map(str, lines)) if isinstance(lines, list | tuple) else (),
                   columns=tuple(map(str, columns)) if isinstance(columns, list | tuple) else (),
                   text=str(data.get("text", "")), level=level if type(level) is int else 0,
                   lang=lang if lang in LANG_TAGS else "", labels=_text_pairs(data.get("labels")),
                   units=_text_pairs(data.get("units")))


def _text_pairs(data) -> tuple[tuple[str, str], ...]:
    """A record's ``{column: text}`` as pairs: only text keys with non-empty text values (anything else in
    a notebook edited by hand is left out)."""
    if not isinstance(data, dict):
        return ()
    return tuple((k, v) for k, v in data.items() if isinstance(k, str) and isinstance(v, str) and v.strip())


def table_words(recs: list[Record]) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    """Per saved table (by name), the headers and units its notebook gave its columns: ``{name: (labels,
    units)}``, from the first record of each table that gives any (for the workbook, which shows the saved
    tables rather than the outputs)."""
    out: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
    for r in recs:
        if r.kind is Kind.TABLE and r.name and (r.labels or r.units) and r.name not in out:
            out[r.name] = (r.column_labels(), r.column_units())
    return out


def records(nb) -> list[Record]:
    """The records of an executed notebook (its JSON as a dict), in order, with a ``heading`` record for
    each Markdown heading outside code fences; each record carries its cell's language. Cells tagged
    ``instructions`` give none."""
    out: list[Record] = []
    cells = nb.get("cells", []) if isinstance(nb, dict) else []
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or INSTRUCTIONS_TAG in cell_tags(cell):
            continue
        lang = cell_language(cell)
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            fenced = False
            for line in ("".join(source) if isinstance(source, list) else str(source)).splitlines():
                if line.lstrip().startswith(("```", "~~~")):
                    fenced = not fenced
                elif not fenced and (m := _HEADING.match(line)):
                    out.append(Record(Kind.HEADING, level=len(m.group(1)), text=m.group(2).strip(), lang=lang))
            continue
        for output in cell.get("outputs", []) if isinstance(cell.get("outputs"), list) else []:
            meta = output.get("metadata", {}) if isinstance(output, dict) else {}
            record = Record.from_json(meta.get(RECORD_KEY) if isinstance(meta, dict) else None)
            if record is not None:
                out.append(replace(record, lang=lang) if lang else record)
    return out


def read_records(path) -> list[Record]:
    """:func:`records` of an executed notebook file; none for a file that is not a readable notebook."""
    try:
        return records(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, RecursionError):
        return []


def in_language(recs: list[Record], lang: str) -> list[Record]:
    """The records a report in ``lang`` shows: those of the language's cells and of untagged cells."""
    return [r for r in recs if r.lang in ("", lang)]


def heading_text(record: Record, lang: str) -> str:
    """A heading's text in ``lang``: as written in a cell of its language; of an untagged cell, the
    language's part of ``한국어 · English`` (the whole text when it has no `` · ``)."""
    from .format import heading_part

    return record.text if record.lang else heading_part(record.text, lang)


def title(recs: list[Record], lang: str | None = None) -> str:
    """The notebook's title (its first level-1 heading; ``""`` when it has none): in ``lang``, the first
    one of that language or of an untagged cell, in that language's part; without ``lang``, the first as
    written."""
    for r in recs:
        if r.kind is Kind.HEADING and r.level == 1 and (lang is None or r.lang in ("", lang)):
            return r.text if lang is None else heading_text(r, lang)
    return ""
