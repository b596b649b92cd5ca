"""Mutated copies of the 2024 document for the property and command-level fuzz tests.

``mutated_documents()`` is a hypothesis strategy giving a document text after one to four mutations of
the kinds a real extraction or a hand edit produces: lines deleted, repeated, swapped or cut off; tabs
turned into spaces and back, doubled, trailing whitespace; table headers with cells dropped, swapped,
relabelled or run together; year labels repeated, retyped or given five digits; digits changed and
huge numbers (15 to 25 digits) typed into amounts."""

from __future__ import annotations

import re

from hypothesis import strategies as st

from .conftest import RAW_2024

LINES = RAW_2024.read_text(encoding="utf-8").split("\n")

_HEADER_WORDS = ("(A)", "집행액", "추진기간", "과목구분", "구 분", "연도", "실·국")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_DIGITS = re.compile(r"\d[\d,]*")
KINDS = ("delete", "duplicate", "repeat", "swap", "digit", "truncate", "tabs_to_spaces", "spaces_to_tabs",
         "extra_tab", "trailing", "header", "year", "huge")


def _pick(draw, lines: list[str], want=None) -> int | None:
    """A line index: any line, or (with ``want``) one that satisfies it; None when none does."""
    pool = [i for i, ln in enumerate(lines) if want(ln)] if want else range(len(lines))
    return draw(st.sampled_from(list(pool))) if pool else None


def _header(draw, line: str) -> str:
    """One header mutation: a cell dropped, two swapped, one repeated, one relabelled, or all cells run
    together with spaces."""
    cells = line.split("\t")
    kind = draw(st.sampled_from(["drop", "swap", "repeat", "relabel", "join"]))
    j = draw(st.integers(0, len(cells) - 1))
    k = draw(st.integers(0, len(cells) - 1))
    if kind == "drop":
        del cells[j]
    elif kind == "swap":
        cells[j], cells[k] = cells[k], cells[j]
    elif kind == "repeat":
        cells.insert(j, cells[j])
    elif kind == "relabel":
        cells[j] = cells[k]
    else:
        return draw(st.sampled_from([" ", "  "])).join(cells)
    return "\t".join(cells)


def _year(draw, line: str, years: list[str]) -> str:
    """One year mutation: another year of the document (a repeated year), a digit changed, a fifth digit."""
    spans = [m.span() for m in _YEAR.finditer(line)]
    a, b = draw(st.sampled_from(spans))
    kind = draw(st.sampled_from(["repeat", "digit", "five"]))
    if kind == "repeat":
        new = draw(st.sampled_from(years))
    elif kind == "digit":
        k = draw(st.integers(0, 3))
        new = line[a:b][:k] + draw(st.sampled_from("0123456789")) + line[a:b][k + 1:]
    else:
        new = line[a:b] + draw(st.sampled_from("0123456789"))
    return line[:a] + new + line[b:]


def _huge(draw, line: str) -> str:
    """15 to 25 digits typed into a number of the line."""
    spans = [m.span() for m in _DIGITS.finditer(line)]
    a, b = draw(st.sampled_from(spans))
    at = draw(st.integers(a, b))
    digits = draw(st.text("0123456789", min_size=15, max_size=25))
    return line[:at] + digits + line[at:]


def mutate(draw, lines: list[str], kind: str) -> list[str]:
    """Apply one mutation of ``kind`` to a copy of the lines."""
    lines = list(lines)
    years = sorted({y for ln in lines for y in _YEAR.findall(ln)}) or ["2024"]
    if kind == "truncate":
        text = "\n".join(lines)
        return text[: draw(st.integers(0, len(text)))].split("\n")
    if kind == "header":
        i = _pick(draw, lines, lambda ln: "\t" in ln and any(w in ln for w in _HEADER_WORDS))
    elif kind in ("tabs_to_spaces", "extra_tab"):
        i = _pick(draw, lines, lambda ln: "\t" in ln) if draw(st.booleans()) else _pick(draw, lines)
    elif kind == "spaces_to_tabs":
        i = _pick(draw, lines, lambda ln: " " in ln)
    elif kind == "year":
        i = _pick(draw, lines, lambda ln: _YEAR.search(ln) is not None)
    elif kind in ("digit", "huge"):
        i = _pick(draw, lines, lambda ln: any(c.isdigit() for c in ln))
    else:
        i = _pick(draw, lines)
    if i is None:
        return lines
    line = lines[i]
    if kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, line)
    elif kind == "repeat":  # a run of lines repeated, possibly several times
        n = draw(st.integers(1, 6))
        lines[i:i] = lines[i:i + n] * draw(st.integers(1, 3))
    elif kind == "swap":
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "digit":
        k = draw(st.sampled_from([k for k, ch in enumerate(line) if ch.isdigit()]))
        lines[i] = line[:k] + draw(st.sampled_from("0123456789")) + line[k + 1:]
    elif kind == "tabs_to_spaces":
        lines[i] = line.replace("\t", draw(st.sampled_from([" ", "  ", "    "])))
    elif kind == "spaces_to_tabs":
        if draw(st.booleans()):
            lines[i] = line.replace(" ", "\t")
        else:
            k = draw(st.sampled_from([k for k, ch in enumerate(line) if ch == " "]))
            lines[i] = line[:k] + "\t" + line[k + 1:]
    elif kind == "extra_tab":
        k = draw(st.integers(0, len(line)))
        lines[i] = line[:k] + "\t" * draw(st.integers(1, 2)) + line[k:]
    elif kind == "trailing":
        lines[i] = line + draw(st.sampled_from([" ", "\t", "  \t", "\t\t", " \u3000"]))
    elif kind == "header":
        lines[i] = _header(draw, line)
    elif kind == "year":
        lines[i] = _year(draw, line, years)
    else:
        lines[i] = _huge(draw, line)
    return lines


@st.composite
def mutated_documents(draw, base: list[str] = LINES) -> str:
    """The document after one to four mutations."""
    lines = list(base)
    for _ in range(draw(st.integers(1, 4))):
        lines = mutate(draw, lines, draw(st.sampled_from(KINDS))) or [""]
    return "\n".join(lines)
