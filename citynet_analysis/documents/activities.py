"""Turning one outcome item (a ``○ …`` or ``<li>`` entry of 추진실적) into activity rows.

An item is read clause by clause: ``재난관리 웨비나 개최(4회), 감염병 대응 세미나 개최(4회)`` is two activities.
Clauses are cut at top-level commas, 및, ·, / (never inside a parenthesised note, a thousands separator or
a numbered list such as 제41·42차). A clause that names no activity of its own (``해외 2회``, ``홍보``) is part
of the activity before it (of the one after it, at the start of the item); a clause with a noun or verb of
its own (``결과보고서 발간(1건)``) is an activity of its own. Parts alone add up (``국내 1회, 해외 2회`` → 3);
parts beside a count the activity states restate it when they add up to it (``세미나 7회 진행, 국내 3회,
해외 4회`` → 7), else the count is unreadable. A clause is classified by its head noun, the last word holding an activity keyword (Korean is
head-final: ``총회 계기 현장시찰`` is a site visit). A meeting of any body (총회, 이사회, 실무회의, an unknown
자문위원회) names its body (``body_ko``), and a 제N차 before it gives one row per number.

Everything here is linear in the length of the text: each pattern is matched once per clause and every
repetition is bounded."""

from __future__ import annotations

import bisect
import functools
import html
import re
from dataclasses import dataclass, field

from .. import vocabulary
from .amounts import to_int

_NUM = r"\d{1,3}(?:,\d{3})+(?!\d)|\d+"  # 12 or 1,200
_START = r"(?<![\d.])(?<!\d,)"
"""Before a number a pattern starts with: its first digit, never one inside a longer number (1,200 is not read
again from 200), which keeps a long run of digits and commas linear."""
_UNIT = r"(?:회|건|\s*차례)"  # 3회, 2건, 3차례, 3 차례
_RANGE_SIGN = re.compile(r"[~∼〜\-–]")
MAX_RANGE = 50
"""The most numbers a list or range of meetings (제41·42차, 제45~46차) may hold; a longer one is read as no
count (and the list's bound keeps the pattern's backtracking linear)."""

# ordinals: 제9차, 제3회, 제41차·42차, 제41·42차, 제41, 42차, 제41차 및 제42차, 제45~46차, 제45차-제46차 (not the
# 제 ending a word such as 과제 or 경제)
_ORDINAL = re.compile(
    r"(?:(?<![가-힣])|(?<=및))제\s*(?P<nums>\d+(?:\s*차?\s*(?:[·,、~∼〜\-–]|및)\s*(?:제\s*)?\d+){0,49})\s*(?:차|회)"
)
_MAX_BETWEEN = 3
"""The most words between a 제N차 and its meeting's word (제43차 CityNet 집행위원회: one)."""
# frequencies, not counts: 월 1회 이상, 주 1회, 분기별 1회, 매월 2회, 월평균 2회; 매월, 매주, 월별, 분기별, 수시, 상시
_FREQUENCY = re.compile(
    r"(?<![가-힣\d])(?:(?:매\s*)?(?:월|주|일|분기|반기|격월|격주)\s*(?:별|마다)?\s*(?:평균\s*)?\d+\s*(?:회|건|차례)"
    r"(?:\s*(?:이상|이내|내외|정도))?|매\s*(?:월|달|주|일|년|분기|반기)|(?:월|분기|반기)\s*별|수시|상시|격월|격주)"
)
# stated counts: 총 3회, 3회 개최, 3차례, 2건, 연 4회, 1,200건, 5회의 워크숍, 각 2회, a sum 2+1회; not 3회째,
# 3회차, 5회원, 2024 회계
_COUNT = re.compile(
    rf"(?<![\d.+])(?<!\d,)(?:(?P<total>총)\s*|(?<![가-힣])(?P<each>각)\s*)?(?P<n>(?:{_NUM})(?:\s*\+\s*(?:{_NUM})){{0,49}})"
    + _UNIT
    + r"(?=[^가-힣]|$|개최|진행|실시|운영|참여|참석|발간|체결|추진|(?:의|에|씩|을|를|이|가|과|와|로|으로|이상)(?![가-힣]))"
)
# not one count: a range (2~3회), a lower bound (2회 이상, 2회 초과), a part of a total (3회 중 2회)
_VAGUE = re.compile(rf"{_START}(?:{_NUM})\s*[~∼〜\-–]\s*(?:{_NUM})\s*{_UNIT}|{_START}(?:{_NUM})\s*{_UNIT}\s*"
                    r"(?:이상|초과|중)(?![가-힣])")
_ENDING = r"(?:로|의|에|인|을|를|이|가|으로)?(?![가-힣])"
# counts that are not the year's exact count: count_note says which (a number is still checked for the bound)
_QUALIFIED = (
    ("cumulative", re.compile(rf"(?<![가-힣])(?:누적|누계)\s*(?:총\s*|합계\s*)?(?:{_NUM})\s*{_UNIT}"
                              rf"|{_START}(?:{_NUM})\s*{_UNIT}\s*\(?\s*(?:누적|누계)")),
    ("approximate", re.compile(rf"(?<![가-힣])약\s*(?:{_NUM})\s*{_UNIT}|{_START}(?:{_NUM})\s*여\s*{_UNIT}"
                               rf"|{_START}(?:{_NUM})\s*{_UNIT}\s*(?:내외|정도|가량|남짓){_ENDING}")),
    ("upper_bound", re.compile(rf"(?<![가-힣])최대\s*(?:{_NUM})\s*{_UNIT}"
                               rf"|{_START}(?:{_NUM})\s*{_UNIT}\s*(?:이내|미만|이하){_ENDING}")),
)
#: The most events one outcome item may state; a larger number is a misreading, not a count.
MAX_COUNT = 10_000
_PAREN = re.compile(r"\(([^()]*)\)")
_MONTH = re.compile(r"^\s*(\d{1,2})\s*월(?:\s*(?:개최|중|예정))?\s*$")  # a note (10월), (10월 개최)
_MONTH_INLINE = re.compile(r"(?<![\d.~∼\-])(\d{1,2})\s*월\s*(?:개최|중|예정|에)")  # 10월 개최 in running text
_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"\S+")
_HANGUL = re.compile(r"[가-힣]")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")  # keeps positions
_OPEN, _CLOSE = "(（", ")）"
_COMMAS = ",，、"
_SEPARATORS = _COMMAS + "·ㆍ/및"


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


# -- notes and clauses ---------------------------------------------------------------------------------

def _notes(text: str) -> list[tuple[int, int]]:
    """The top-level parenthesised notes, as (position of ``(``, position of its ``)``); a bracket without
    its partner is plain text."""
    stack, pairs = [], []
    for i, ch in enumerate(text):
        if ch in _OPEN:
            stack.append(i)
        elif ch in _CLOSE and stack:
            start = stack.pop()
            if not stack:
                pairs.append((start, i))
    return pairs


def _blank_spans(text: str, spans) -> str:
    """Spaces in place of the spans, so that positions stay and what was read once is not read again."""
    out, at = [], 0
    for start, end in spans:
        if start >= at:
            out += [text[at:start], " " * (end - start)]
            at = end
    return "".join(out) + text[at:]


def _blank_notes(text: str) -> str:
    return _blank_spans(text, [(a, b + 1) for a, b in _notes(text)])


def _blank(m: re.Match) -> str:
    """Spaces in place of a match, so that what was read once is not read again."""
    return " " * len(m.group(0))


def _is_thousands(text: str, i: int) -> bool:
    """Whether the comma at ``i`` separates thousands (1,200)."""
    return 0 < i and text[i - 1].isdigit() and re.match(r"\d{3}(?!\d)", text[i + 1:i + 5]) is not None


def _clauses(text: str) -> list[tuple[int, int]]:
    """The clauses of an item as (start, end): cut at commas, 및, ·, / outside notes, numbered lists
    (제41·42차, 제41차 및 제42차) and thousands separators; each stripped of spaces, empty ones left out."""
    inside = [False] * len(text)
    for start, end in [(a, b + 1) for a, b in _notes(text)] + [m.span() for m in _ORDINAL.finditer(text)]:
        inside[start:end] = [True] * (end - start)
    spans, start = [], 0
    for i, ch in enumerate(text):
        if ch in _SEPARATORS and not inside[i] and not (ch == "," and _is_thousands(text, i)):
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(text)))
    out = []
    for start, end in spans:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            out.append((start, end))
    return out


# -- head nouns -------------------------------------------------------------------------------------

@functools.cache
def _keywords() -> tuple[tuple[str, int], ...]:
    """(keyword in lower case, index of its category) in vocabulary order."""
    return tuple((word.translate(_ASCII_LOWER), i) for i, term in enumerate(vocabulary.activity_categories())
                 for word in term.keywords)


@functools.cache
def _verb() -> re.Pattern:
    verbs = "|".join(map(re.escape, vocabulary.activity_verbs()))
    return re.compile(rf"(?:{verbs})(?:함|됨|중|예정|하여|하고|을|를|와|과|도)?")


@functools.cache
def _part_verb() -> re.Pattern:
    verbs = "|".join(map(re.escape, vocabulary.activity_part_verbs()))
    return re.compile(rf"(?:{verbs})(?:함|됨|중|예정|하여|하고|을|를|와|과|도)?") if verbs else re.compile(r"(?!)")


def _ignored(text: str) -> str:
    """The text without the words that hold a keyword but name no activity (회의실)."""
    for word in vocabulary.activity_ignored_words():
        text = text.replace(word, " " * len(word))
    return text


@dataclass(frozen=True)
class _Head:
    category: str
    start: int  # where the head word starts in the clause
    body_ko: str | None  # a meeting's body as written (이사회, 자문위원회)


def _head(clause: str) -> _Head | None:
    """The clause's head noun: of the words outside notes and ordinals that hold an activity keyword and
    are no verb, the last one (a keyword of several words counts in its first, 기술협력 사업); within it,
    the first category of the vocabulary. A keyword inside a longer one is not read (운영위원회 is no
    위원회, board meeting no meeting). None where no word holds a keyword."""
    plain = _ORDINAL.sub(_blank, _blank_notes(clause))
    lowered = _ignored(plain.translate(_ASCII_LOWER))
    found = []  # (start, -end, category index) of each keyword found
    for keyword, index in _keywords():
        at = lowered.find(keyword)
        while at != -1:
            found.append((at, -(at + len(keyword)), index))
            at = lowered.find(keyword, at + 1)
    words = [m.span() for m in _WORD.finditer(lowered)]
    starts = [s for s, _ in words]
    verb = _verb()
    per_word = {}  # word index -> (word index, -category index, end, start of the keyword)
    reach = -1  # the furthest end so far
    for at, end, index in sorted(found):
        if -end <= reach:
            continue  # inside a longer keyword (or the same one of an earlier category)
        reach = -end
        w = bisect.bisect_right(starts, at) - 1
        if not verb.fullmatch(lowered, *words[w]):
            per_word[w] = max(per_word.get(w, (w, -index, 0, 0)), (w, -index, -end, at))
    if not per_word:
        return None
    w, index, end, at = max(per_word.values())
    categories = vocabulary.activity_categories()
    meetings = vocabulary.meeting_categories()
    if (w - 1 in per_word and categories[-index].id == "meeting" and at == words[w][0]
            and lowered[at:end] in ("회의", "meeting")
            and categories[-per_word[w - 1][1]].id in meetings and categories[-per_word[w - 1][1]].id != "meeting"):
        w, index, end, at = per_word[w - 1]  # 집행위원회 회의: the committee's meeting
    category = categories[-index].id
    body = None
    if category in vocabulary.meeting_categories():
        begin = end
        while begin > words[w][0] and _HANGUL.match(plain[begin - 1]):
            begin -= 1
        body = plain[min(begin, at):end]  # the Hangul word (도시재생분과위원회), else the keyword (Board meeting)
    return _Head(category, words[w][0], body)


def classify(text: str) -> str:
    """The activity category of one clause by its head noun (``총회 계기 현장시찰`` → site_visit, ``역량강화
    세미나`` → seminar); where no word is an activity, the first category whose keyword occurs in it
    (``공모전 개최`` → event), else ``other``."""
    head = _head(text)
    return head.category if head else vocabulary.classify_activity(_ignored(text))


# -- counts -------------------------------------------------------------------------------------------

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


def _value(m: re.Match) -> int:
    """A stated count: ``3``, or a sum written as its parts, ``2+1`` → 3."""
    return sum(to_int(n) for n in re.findall(_NUM, m.group("n")))


@dataclass
class _Reading:
    """What one clause states about how many."""

    count: int | None = None  # one exact count (a note restating it, or listing its parts, agrees)
    total: set = field(default_factory=set)  # 총 N
    each: bool = False  # 각 N회: N for each of several activities
    note: str | None = None  # unreadable, or the qualifier of its only counts (cumulative, approximate, …)
    ordinals: list = field(default_factory=list)  # (start, end, numbers or None) of each 제N차
    bare: bool = True  # no note, verb, count or frequency: it shares the next clause's (A 및 B 개최(9월))
    count_at: int | None = None  # where the count stated in running text starts (None: only in a note)


def _note_value(note: str) -> int | str | None:
    """The count a note states: its one count, the sum of parts in separate pieces (``국내 1회, 해외 2회``
    → 3), ``unreadable`` for two counts in one piece; None for none. A 총 count is read as a total. A count
    of its own beside parts (``7회, 국내 3회, 해외 4회``) is restated by them when they add up to it (7), else
    unreadable (``4회, 국내 1회, 해외 2회``)."""
    stated, parts = [], []
    for piece in re.split(r"[，、]|,(?!\d{3}(?!\d))", note):
        found = [m for m in _COUNT.finditer(piece) if not m.group("total")]
        if len(found) > 1:
            return "unreadable"
        if found:
            rest = (piece[:found[0].start()] + " " + piece[found[0].end():]).split()
            own = all(w == "연" or _verb().fullmatch(w) for w in rest)  # 7회, 연 4회, 3회 개최: no part word
            (stated if own else parts).append(_value(found[0]))
    if len(stated) == 1 and parts:
        return stated[0] if sum(parts) == stated[0] else "unreadable"
    return sum(stated + parts) if stated or parts else None


def _read(clause: str) -> _Reading:
    """How many one clause states. A number beyond the amounts' bound raises AmountError."""
    r = _Reading()
    rest = _FREQUENCY.sub(_blank, clause)
    r.bare = rest == clause and not _notes(clause) and not any(
        _verb().fullmatch(w) for w in clause.split())
    for m in _ORDINAL.finditer(rest):
        r.ordinals.append((m.start(), m.end(), _numbers(m.group("nums"))))
    plain = _ORDINAL.sub(_blank, rest)
    if _VAGUE.search(plain):
        r.note, r.bare = "unreadable", False  # 2~3회, 2회 이상, 3회 중 2회
        return r
    qualified = []
    for note, pattern in _QUALIFIED:
        for m in pattern.finditer(plain):
            for n in re.findall(_NUM, m.group(0)):
                to_int(n)  # bounded like every number
            qualified.append(note)
        plain = pattern.sub(_blank, plain)
    found = list(_COUNT.finditer(plain))
    if found or qualified:
        r.bare = False
    values = [_value(m) for m in found]
    r.each = any(m.group("each") for m in found)
    r.total = {v for m, v in zip(found, values, strict=True) if m.group("total")}
    outside_found = [m for m in _COUNT.finditer(_blank_notes(plain)) if not m.group("total")]
    outside = [_value(m) for m in outside_found]
    r.count_at = outside_found[0].start() if outside_found else None
    stated = list(outside)
    for start, end in _notes(plain):
        value = _note_value(plain[start + 1:end])
        if value == "unreadable":
            r.note = "unreadable"
        elif value is not None:
            stated.append(value)
    if any(v > MAX_COUNT for v in values) or len(r.total) > 1 or len(outside) > 1 or len(set(stated)) > 1:
        r.note = "unreadable"  # a number no item holds; two totals; two counts in running text; two that differ
    elif r.note is None and not r.total:
        if stated:
            r.count = stated[0]  # one count, perhaps restated in a note: 세미나 3회 개최(3회)
        elif qualified:
            r.note = qualified[0]  # 누적 25회, 약 3회, 최대 3회
    return r


@dataclass
class _Activity:
    """One activity of an item: a clause with an activity noun and the clauses that are parts of it."""

    category: str
    body_ko: str | None
    numbers: list | None  # a numbered meeting's numbers ([None] for a list that cannot be read); else None
    count: int | None
    note: str | None
    stated: bool  # the count or note comes from what the text states (not from an ordinal)
    each: bool
    bare: bool
    month: int | None
    place: str | None
    frequency: str | None


def _attached(head: _Head, reading: _Reading, clause: str) -> tuple | None:
    """The 제N차 that numbers the head meeting: the last one before its word, at most
    :data:`_MAX_BETWEEN` words before it and with no other meeting between (제44차 집행위원회 준비회의: the
    44th is the committee's, not the preparatory meeting's)."""
    before = [o for o in reading.ordinals if o[1] <= head.start]
    if not before:
        return None
    between = clause[before[-1][1]:head.start]
    if len(between.split()) > _MAX_BETWEEN or _meets(between):
        return None
    return before[-1]


def _meets(text: str) -> bool:
    """Whether a text names a meeting (a keyword of a meeting category)."""
    lowered = _ignored(text.translate(_ASCII_LOWER))
    meetings = vocabulary.meeting_categories()
    names = vocabulary.category_ids()
    return any(names[i] in meetings and word in lowered for word, i in _keywords())


def _activity(text: str, spans: list[tuple[int, int]], main: int | None) -> _Activity:
    """The activity of clauses ``spans`` of ``text`` whose ``main`` one (an index, None for none) names it."""
    whole = text[spans[0][0]:spans[-1][1]]
    readings = [_read(text[s:e]) for s, e in spans]
    head = _head(text[spans[main][0]:spans[main][1]]) if main is not None else None
    month, place = _paren_facts(whole)
    frequency = ", ".join(m.group(0) for m in _FREQUENCY.finditer(whole)) or None
    category = head.category if head else vocabulary.classify_activity(_ignored(whole))
    body = head.body_ko if head else None
    numbers = attached = None
    if head and body:
        attached = _attached(head, readings[main], text[spans[main][0]:spans[main][1]])
        if attached:
            numbers = attached[2] or [None]
    ordinals = [o for i, r in enumerate(readings) for o in r.ordinals if not (i == main and o == attached)]
    totals = set().union(*(r.total for r in readings))
    counts = [r.count for r in readings if r.count is not None]
    notes = [r.note for r in readings if r.note]
    count, note, stated = None, "not_stated", True
    if "unreadable" in notes or len(totals) > 1:
        note = "unreadable"
    elif totals:
        count = totals.pop()  # 총 N회 says how many in all, whatever parts it lists
    elif counts and (inexact := [n for n in notes if n in ("approximate", "upper_bound")]):
        note = inexact[0]  # a sum with a part that is not exact: 3회, 약 2회
    elif counts:
        own = None  # the count the activity's own clause states, not one of its parts (연수 국내 1회)
        if main is not None and readings[main].count is not None and not _is_part(
                text[spans[main][0]:spans[main][1]], readings[main].count_at):
            own = readings[main].count
        parts = [r.count for i, r in enumerate(readings)
                 if r.count is not None and not (i == main and own is not None)]
        if own is not None and parts:
            if sum(parts) == own:
                count = own  # parts that restate the count: 세미나 7회 진행, 국내 3회, 해외 4회
            else:
                note = "unreadable"  # parts that do not add up to it: 웨비나 개최(4회), 해외 2회
        else:
            count = sum(counts)  # parts written as clauses: 국내 1회, 해외 2회
    elif notes:
        note = notes[0]  # 누적 25회, 약 3회, 최대 3회
    elif frequency:
        note = "frequency"
    else:
        stated = False
        if any(o[2] is None for o in ordinals):
            note = "unreadable"  # a reversed or over-long range: 제46~45회
        elif ordinals:
            count = sum(len(o[2]) for o in ordinals)  # 제3회 서울포럼, 제5차 총회 계기 현장시찰: one event
    if count is not None and count > MAX_COUNT:
        count, note = None, "unreadable"
    return _Activity(category, body, numbers, count, note, stated, any(r.each for r in readings),
                     all(r.bare for r in readings), month, place, frequency)


def _is_part(clause: str, at: int | None) -> bool:
    """Whether the count of a clause starting at ``at`` in running text is a part, a place or part word before
    it (연수 국내 1회), not the activity's own count (세미나 7회 진행, MOU 체결 2건, 웨비나 총 5회 개최)."""
    if at is None:
        return False  # a note's count
    before = _blank_notes(clause)[:at].split()
    if not before:
        return False
    word = before[-1]
    return not (word in ("총", "연", "각") or _verb().fullmatch(word) or _head(word) is not None)


def _stands_alone(clause: str) -> bool:
    """Whether a clause without an activity noun still states an activity of its own: a count and more
    than the one word of a place or part (``자료 1,200건 제공``; not ``해외 2회``, ``국내 1회 개최``)."""
    plain = _ORDINAL.sub(_blank, _FREQUENCY.sub(_blank, clause))
    found = 0
    for pattern in (_VAGUE, *(p for _, p in _QUALIFIED), _COUNT):
        plain, n = pattern.subn(_blank, plain)
        found += n
    words = _blank_notes(plain).split()
    own = [w for w in words if not _part_verb().fullmatch(w)]  # a place word, a noun, a verb such as 발간
    return found > 0 and (len(own) > 1 or any(_verb().fullmatch(w) for w in own))


def _activities(text: str) -> list[_Activity]:
    """The item's clauses grouped into activities: a clause without an activity noun joins the activity
    before it (the one after it, at the start of the item), unless it stands alone."""
    spans = _clauses(text) or [(0, len(text))]
    groups: list[tuple[list, int | None]] = []  # (clause spans, index of the one that names the activity)
    leading = []
    for span in spans:
        clause = text[span[0]:span[1]]
        if _head(clause) is None and not _stands_alone(clause):
            (groups[-1][0] if groups else leading).append(span)
        else:
            groups.append((leading + [span], len(leading)))
            leading = []
    if not groups:
        groups = [(leading, None)]
    return [_activity(text, g, main) for g, main in groups]


def _share(acts: list[_Activity]) -> None:
    """Clauses joined without a predicate of their own share the next one's: ``제9차 총회 및 제41차 집행위원회
    개최(9월)`` → both in September. A count stated once for several activities (``웨비나 및 세미나 개최(9회)``)
    cannot be split among them: each is unreadable, unless stated for each (``각 2회``). Numbered meetings
    keep their own count."""
    targets, target = [], None
    for a in reversed(acts):  # the first activity after each one that has a predicate of its own
        targets.append(target)
        target = target if a.bare else a
    for a, target in zip(acts, reversed(targets), strict=True):
        if not a.bare or target is None:
            continue
        a.month, a.place = a.month or target.month, a.place or target.place
        if a.numbers is not None or (not a.stated and a.count is not None) or not target.stated:
            continue  # a numbered meeting or event (제3회 서울포럼) keeps its own count
        a.frequency = target.frequency
        if target.count is not None and not target.each:
            a.note = target.note = "unreadable"
            target.count = None
        else:
            a.count, a.note = target.count, target.note


def _row(a: _Activity, count, note, number, text) -> dict:
    return dict(category=a.category, count=count, month=a.month, number=number, body_ko=a.body_ko,
                location_ko=a.place, description_ko=text, count_note=None if count is not None else note,
                frequency_ko=a.frequency)


def item_activities(text: str) -> list[dict]:
    """Rows (category, count, month, number, body_ko, location_ko, description_ko, count_note, frequency_ko)
    for one item, one or more per clause that names an activity.

    A numbered meeting gives one row per number (``제9차 총회 및 제41·42차 집행위원회`` → a congress and two
    executive committees, each count 1; ``제45~46차`` → 45 and 46), of any body (``제12차 이사회``,
    ``제7차 자문위원회``), whose word is ``body_ko``. Otherwise one row whose count is the one stated (``(9회)``,
    ``총 3회``, ``3차례``, ``2건``, ``연 4회``, ``2+1회`` → 3; a ``총`` count wins over the others), the sum of
    parts (``(국내 1회, 해외 2회)`` or ``국내 1회, 해외 2회`` → 3), else implied by an ordinal (``제3회 서울포럼``
    → 1). A frequency (``월 1회 이상``, ``매월``, ``수시``) is no count: it is kept in ``frequency_ko``. Where
    count is None, ``count_note`` says why: ``frequency``, ``not_stated``, ``cumulative`` (``누적 25회``),
    ``approximate`` (``약 3회``, ``3회 내외``), ``upper_bound`` (``최대 3회``, ``3회 이내``) or ``unreadable``
    (a range, a lower bound, a reversed or over-long list, two different counts, one count for several
    activities). A count or number beyond the amounts' bound raises AmountError."""
    acts = _activities(text)
    _share(acts)
    rows = []
    for a in acts:
        if a.numbers is not None:
            rows += [_row(a, 1 if n is not None else None, "unreadable", n, text) for n in a.numbers]
        else:
            rows.append(_row(a, a.count, a.note, None, text))
    return rows
