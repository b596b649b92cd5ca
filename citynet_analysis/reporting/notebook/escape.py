"""Document text is data, never markup or code: escaping it for each place it is rendered.

Names, 산출근거, outcome items and anomaly messages come from documents nobody here wrote. In Markdown they
could carry raw HTML (``<img onerror=…>``), ``javascript:`` links, emphasis or LaTeX (``$…$``); in a
spreadsheet a cell that starts with ``=``, ``+``, ``-``, ``@``, tab or CR is evaluated as a formula (OWASP
"CSV injection"). Charts turn mathtext off in the memo style instead (``text.parse_math``)."""

from __future__ import annotations

import re

import pandas as pd

# What makes Markdown of plain text anywhere in a line: emphasis, code, links and images, headings inside
# list items, tables, strikethrough, math, backslashes. ``&<>`` become entities (no raw HTML).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#|~$!:])")  # ':' too: no autolinked https://…
# ... and what does so only at the start of the text: list items and numbered lists.
_MD_LEADING = re.compile(r"^(\s*)([-+]|\d+(?=[.)]))")
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters an XML document (.docx, .xlsx) cannot hold: C0 controls but tab, LF and CR; lone surrogates;
# the two non-characters. python-docx and openpyxl refuse them, so a workbook or memo would fail to save.
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value) -> str:
    """``value`` as text a Word or Excel file can store: the characters XML forbids are dropped."""
    return _XML_INVALID.sub("", str(value))


def markdown_text(value) -> str:
    """``value`` as Markdown that renders as exactly that text: no HTML, link, emphasis, heading or math."""
    text = str(value)
    text = "".join(_MD_ENTITIES.get(ch, ch) for ch in text)
    text = _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ").replace("\r", " ")
    text = re.sub(r"(?i)\bwww\.", lambda m: m.group(0)[:-1] + "\\.", text)  # no autolinked www.…
    m = _MD_LEADING.match(text)
    if m:
        lead = m.group(2)
        text = m.group(1) + ("\\" + lead if lead in "-+" else lead + "\\") + text[m.end():]
    return text


def spreadsheet_text(value):
    """A text cell that no spreadsheet evaluates: one that starts like a formula gets a leading ``'`` (the
    OWASP recommendation for CSV: shown as text, never run); anything that is not text is unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def spreadsheet_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells are made safe with :func:`spreadsheet_text`; numbers stay numbers."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(spreadsheet_text, na_action="ignore")
    return out


def is_formula_like(value) -> bool:
    """Whether a text would be evaluated as a formula if written to a spreadsheet cell as it is."""
    return isinstance(value, str) and value.startswith(_FORMULA_START)
