"""Turning one outcome item (a ``○ …`` or ``<li>`` entry of 추진실적) into activity rows."""

from __future__ import annotations

import html
import re

from .. import vocabulary
from .amounts import to_int

_NUM = r"\d{1,3}(?:,\d{3})+(?!\d)|\d+"  # 12 or 1,200
_RANGE_SIGN = re.compile(r"[~∼〜\-–]")
MAX_RANGE = 50
"""The most numbers a list or range of meetings (제41·42차, 제45~46차) may hold; a longer one is read as no
count (and the list's bound keeps the pattern's backtracking linear)."""

# ordinals: 제9차, 제3회, 제41차·42차, 제41·42차, 제41, 42차, 제45~46차, 제45차-제46차; when a few words and a
# meeting kind follow (제43차 CityNet 집행위원회), a numbered meeting
_ORDINAL = re.compile(
    r"제\s*(?P<nums>\d+(?:\s*차?\s*(?:[·,、~∼〜\-–]|및)\s*(?:제\s*)?\d+){0,49})\s*(?:차|회)"
    r"(?:(?:\s*[A-Za-z가-힣]+){0,3}?\s*(?P<kind>"
    + "|".join(map(re.escape, sorted(vocabulary.numbered_meetings(), key=len, reverse=True))) + "))?"
)
# frequencies, not counts: 월 1회 이상, 주 1회, 분기별 1회, 매월 2회, 월평균 2회; 매월, 매주, 월별, 분기별, 수시, 상시
_FREQUENCY = re.compile(
    r"(?<![가-힣\d])(?:(?:매\s*)?(?:월|주|일|분기|반기|격월|격주)\s*(?:별|마다)?\s*(?:평균\s*)?\d+\s*(?:회|건|차례)"
    r"(?:\s*(?:이상|이내|내외|정도))?|매\s*(?:월|달|주|일|년|분기|반기)|(?:월|분기|반기)\s*별|수시|상시|격월|격주)"
)
# stated counts: 총 3회, 3회 개최, 3차례, 2건, 연 4회, 1,200건, 5회의 워크숍; not 3회째, 3회차, 5회원, 2024 회계
_COUNT = re.compile(
    rf"(?<![\d.])(?<!\d,)(?P<total>총\s*)?(?P<n>{_NUM})(?:회|건|\s*차례)"
    r"(?=[^가-힣]|$|개최|진행|실시|운영|참여|참석|발간|체결|추진|(?:의|에|씩|을|를|이|가|과|와|로|으로|이상)(?![가-힣]))"
)
# not one count: a range (2~3회), a lower or upper bound (2회 이상, 3회 이내), a part of a total (3회 중 2회)
_VAGUE = re.compile(rf"(?:{_NUM})\s*[~∼〜\-–]\s*(?:{_NUM})\s*(?:회|건|차례)|(?:{_NUM})\s*(?:회|건|차례)\s*"
                    r"(?:이상|이내|미만|초과|내외|정도|가량|중)(?![가-힣])")
#: The most events one outcome item may state; a larger number is a misreading, not a count.
MAX_COUNT = 10_000
_PAREN = re.compile(r"\(([^()]*)\)")
_MONTH = re.compile(r"^\s*(\d{1,2})\s*월(?:\s*(?:개최|중|예정))?\s*$")  # a note (10월), (10월 개최)
_MONTH_INLINE = re.compile(r"(?<![\d.~∼\-])(\d{1,2})\s*월\s*(?:개최|중|예정|에)")  # 10월 개최 in running text
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


def _paren_facts(text: str) -> tuple[int | None, str | None]:
    """month and place from notes such as ``(10월)``, ``(9월, 쿠알라룸푸르)`` (else a month written ``10월 개최``)."""
    month = place = None
    for group in _PAREN.findall(text):
        parts = [p.strip() for p in re.split(r"[,，]", group) if p.strip()]
        found_month = None
        rest = []
        for part in parts:
            if (m := _MONTH.match(part)) and 1 <= int(m.group(1)) <= 12:
                found_month = int(m.group(1))
            elif not _COUNT.search(part):
                rest.append(part)
        if found_month is not None:
            month = month or found_month
            # a place stands beside the month: (9월, 쿠알라룸푸르)
            if rest and place is None and len(rest) == 1 and len(rest[0]) <= 30:
                place = rest[0]
    if month is None and (m := _MONTH_INLINE.search(text)) and 1 <= int(m.group(1)) <= 12:
        month = int(m.group(1))
    if place is None and re.search(r"(온라인|화상)\s*(?:으로\s*)?개최", text):
        place = "온라인"
    return month, place


def _numbers(nums: str) -> list[int] | None:
    """The numbers of ``41·42``, ``41, 42`` or ``45~46``; None for a reversed range or more than
    :data:`MAX_RANGE` numbers. A number beyond the amounts' bound raises AmountError."""
    out = []
    for part in re.split(r"[·、]|,(?!\d{3}(?!\d))|및", nums):  # a comma that is not a thousands separator
        ends = [to_int(n) for n in re.findall(_NUM, part)]
        if _RANGE_SIGN.search(part):
            if len(ends) != 2 or not 1 <= ends[1] - ends[0] + 1 <= MAX_RANGE:
                return None
            ends = list(range(ends[0], ends[1] + 1))
        out.extend(ends)
    return out if len(out) <= MAX_RANGE else None


def _blank(m: re.Match) -> str:
    """Spaces in place of a match, so that what was read once is not read again."""
    return " " * len(m.group(0))


def _row(category, count, note, number, month, place, frequency, text) -> dict:
    return dict(category=category, count=count, month=month, number=number, location_ko=place,
                description_ko=text, count_note=None if count is not None else note, frequency_ko=frequency)


def item_activities(text: str) -> list[dict]:
    """Rows (category, count, month, number, location_ko, description_ko, count_note, frequency_ko) for one
    item.

    A numbered meeting gives one row per number (``제9차 총회 및 제41·42차 집행위원회`` → a congress and two
    executive committees, each count 1; ``제45~46차`` → 45 and 46). Otherwise one row whose count is the one
    stated (``(9회)``, ``총 3회``, ``3차례``, ``2건``, ``연 4회``; a ``총`` count wins over the others), else
    implied by an ordinal (``제3회 서울포럼`` → 1). A frequency (``월 1회 이상``, ``매월``, ``수시``) is no count:
    it is kept in ``frequency_ko``. Where count is None, ``count_note`` says why: ``frequency``,
    ``not_stated`` or ``unreadable`` (a reversed or over-long range, two different counts). A count or number
    beyond the amounts' bound raises AmountError."""
    month, place = _paren_facts(text)
    frequency = ", ".join(m.group(0) for m in _FREQUENCY.finditer(text)) or None
    rest = _FREQUENCY.sub(_blank, text)
    rows, ordinals, bad_range = [], [], False
    for m in _ORDINAL.finditer(rest):
        numbers = _numbers(m.group("nums"))
        if m.group("kind"):
            kind = vocabulary.numbered_meetings()[m.group("kind")][0]
            for number in numbers or [None]:
                rows.append(_row(kind, 1 if numbers else None, "unreadable", number, month, place, frequency, text))
        elif numbers is None:
            bad_range = True
        else:
            ordinals += numbers
    if rows:
        return rows
    plain = _ORDINAL.sub(_blank, rest)
    vague = _VAGUE.search(plain) is not None
    found = [(m.group("total"), to_int(m.group("n"))) for m in _COUNT.finditer(_VAGUE.sub(_blank, plain))]
    totals = {n for total, n in found if total}
    counts = [n for _, n in found]
    count, note = None, "not_stated"
    if vague or any(n > MAX_COUNT for n in counts):
        note = "unreadable"  # 2~3회, 2회 이상, 3회 중 2회, or a number no outcome item holds
    elif len(totals) == 1:
        count = totals.pop()  # 총 N회 says how many in all, whatever parts it lists
    elif len(set(counts)) == 1 and len(_COUNT.findall(_PAREN.sub(_blank, _VAGUE.sub(_blank, plain)))) <= 1:
        count = counts[0]  # one count, perhaps restated in a note: 세미나 3회 개최(3회)
    elif counts:
        note = "unreadable"  # several counts (세미나 3회, 워크숍 2회; 회의 4차례, 실무회의 4차례) and no total
    elif frequency:
        note = "frequency"
    elif bad_range:
        note = "unreadable"
    elif ordinals:
        count = len(ordinals)  # 제3회 서울포럼: one event
    return [_row(classify(text), count, note, None, month, place, frequency, text)]
