"""Turning one outcome item (a ``○ …`` or ``<li>`` entry of 추진실적) into activity rows."""

from __future__ import annotations

import html
import re

from .. import vocabulary
from .amounts import to_int

# 제9차 총회, 제41차·42차 집행위원회, 제43차 CityNet 집행위원회
_NUMBERED = re.compile(
    r"제\s*(?P<nums>\d+)\s*차(?P<more>(?:\s*[·,、및]\s*(?:제\s*)?\d+\s*차)*)"
    r"(?P<between>(?:\s*[A-Za-z가-힣]+){0,3}?)\s*(?P<kind>총회|집행위원회)"
)
_PAREN = re.compile(r"\(([^()]*)\)")
_COUNT = re.compile(r"^\s*(?:총\s*)?(\d+)\s*(?:회|건|차례)\s*$")
_MONTH = re.compile(r"^\s*(\d{1,2})\s*월(?:\s*(?:개최|중|예정))?\s*$")
_TAG = re.compile(r"<[^>]*>")


def split_markers(text: str) -> tuple[str, list[str]]:
    """Split one line of an outcome cell at its item markers (``<li>`` or ``○``).

    Returns the text before the first marker (a continuation of the previous line's item) and the items
    the line starts, each cleaned of HTML and extra spaces."""
    if re.search(r"<li\b", text, re.I):
        chunks = re.split(r"<li\b[^>]*>", text, flags=re.I)
    else:
        chunks = re.split(r"[○◦●•]", text)
    head, items = _clean(chunks[0]), [_clean(c) for c in chunks[1:]]
    return head, [i for i in items if i]


def _clean(chunk: str) -> str:
    text = html.unescape(_TAG.sub(" ", chunk))
    text = re.sub(r"^[\s○◦●•]+", "", text)
    return re.sub(r"\s+", " ", text).strip()


def classify(text: str) -> str:
    """The activity category of an item by its key words (the vocabulary's, first match wins); ``other``
    when none matches."""
    return vocabulary.classify_activity(text)


def _paren_facts(text: str) -> tuple[int | None, int | None, str | None]:
    """count, month and place from parenthesised notes such as ``(9회)``, ``(10월)``, ``(9월, 쿠알라룸푸르)``."""
    count = month = None
    place = None
    for group in _PAREN.findall(text):
        parts = [p.strip() for p in re.split(r"[,，]", group) if p.strip()]
        found_month = None
        rest = []
        for part in parts:
            if (m := _COUNT.match(part)) and count is None:
                count = to_int(m.group(1))
            elif (m := _MONTH.match(part)) and 1 <= int(m.group(1)) <= 12:
                found_month = int(m.group(1))
            else:
                rest.append(part)
        if found_month is not None:
            month = month or found_month
            # a place stands beside the month: (9월, 쿠알라룸푸르)
            if rest and place is None and len(rest) == 1 and len(rest[0]) <= 30:
                place = rest[0]
    if place is None and re.search(r"(온라인|화상)\s*(?:으로\s*)?개최", text):
        place = "온라인"
    return count, month, place


def item_activities(text: str) -> list[dict]:
    """Rows (category, count, month, number, location_ko, description_ko) for one item.

    A numbered meeting gives one row per number (``제9차 총회 및 제41차·42차 집행위원회`` → a congress and two
    executive committees, each count 1); otherwise one row whose count is the stated ``(N회)``. A count or
    number beyond the amounts' bound raises AmountError."""
    count, month, place = _paren_facts(text)
    rows = []
    for m in _NUMBERED.finditer(text):
        kind = "congress" if m.group("kind") == "총회" else "executive_committee"
        numbers = [to_int(m.group("nums"))] + [to_int(n) for n in re.findall(r"\d+", m.group("more"))]
        for number in numbers:
            rows.append(dict(category=kind, count=1, month=month, number=number, location_ko=place,
                             description_ko=text))
    if not rows:
        rows.append(dict(category=classify(text), count=count, month=month, number=None, location_ko=place,
                         description_ko=text))
    return rows
