"""The vocabularies (``vocabulary.toml``) as Python values: activity categories and their keywords, line-item
groups, total labels, known programs and the Korean/English labels. Read once; every module asks here."""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass

from .config import MESSAGES_FILE, VOCABULARY_FILE


@dataclass(frozen=True)
class Term:
    """One entry of a vocabulary: its id, Korean and English names, and the words that identify it."""

    id: str
    ko: str
    en: str
    keywords: tuple[str, ...] = ()
    event: bool = False  # activity categories: counted as an event by default
    side: str = ""  # line-item groups: overhead, program or other


@functools.cache
def _raw() -> dict:
    with open(VOCABULARY_FILE, "rb") as fh:
        return tomllib.load(fh)


def _terms(section: str) -> tuple[Term, ...]:
    return tuple(Term(id=t["id"], ko=t["ko"], en=t["en"], keywords=tuple(t.get("keywords", ())),
                      event=bool(t.get("event", False)), side=t.get("side", "")) for t in _raw()[section])


@functools.cache
def languages() -> tuple[str, ...]:
    return tuple(_raw()["languages"])


@functools.cache
def activity_categories() -> tuple[Term, ...]:
    """Activity categories in match order (first match wins); ``other`` last."""
    return _terms("activity_categories")


@functools.cache
def category_ids() -> tuple[str, ...]:
    return tuple(t.id for t in activity_categories())


@functools.cache
def event_categories() -> tuple[str, ...]:
    """The categories counted as events unless a notebook says otherwise."""
    return tuple(t.id for t in activity_categories() if t.event)


def _meetings(term: dict) -> list[dict]:
    return ([term["meeting"]] if "meeting" in term else []) + list(term.get("meetings", ()))


@functools.cache
def numbered_meetings() -> dict[str, tuple[str, str]]:
    """The known meetings (제9차 총회, 제12차 이사회, 제3차 실무회의): their word → (their activity category,
    their English name), from the categories' ``meeting`` and ``meetings`` entries, in vocabulary order."""
    return {m["ko"]: (t["id"], m["en"]) for t in _raw()["activity_categories"] for m in _meetings(t)}


@functools.cache
def meeting_categories() -> tuple[str, ...]:
    """The categories of meetings of a body (those with ``meeting`` or ``meetings`` entries: congress,
    executive_committee, steering_committee, board and the generic meeting): a row of one names its body
    (``body_ko``) and a 제N차 before its word numbers it."""
    return tuple(t["id"] for t in _raw()["activity_categories"] if _meetings(t))


@functools.cache
def activity_verbs() -> tuple[str, ...]:
    """Verbs of outcome items (개최, 운영, …): never a clause's head noun, even where one is a keyword."""
    return tuple(_raw()["activity_words"]["verbs"])


@functools.cache
def activity_ignored_words() -> tuple[str, ...]:
    """Words that hold an activity keyword but name no activity (회의실)."""
    return tuple(_raw()["activity_words"].get("ignore", ()))


@functools.cache
def activity_part_verbs() -> tuple[str, ...]:
    """Verbs a part of an activity may carry (국내 1회 개최) and still be a part, not an activity."""
    return tuple(_raw()["activity_words"].get("part_verbs", ()))


@functools.cache
def line_item_groups() -> tuple[Term, ...]:
    """Line-item groups in match order (first match wins); ``other`` last."""
    return _terms("line_item_groups")


@functools.cache
def group_ids() -> tuple[str, ...]:
    return tuple(t.id for t in line_item_groups())


@functools.cache
def total_labels() -> tuple[str, ...]:
    return tuple(_raw()["total_labels"])


@functools.cache
def programs() -> tuple[dict, ...]:
    return tuple(_raw()["programs"])


@functools.cache
def phase_ids() -> tuple[str, ...]:
    """The phases an amount can have (budget, final_budget, executed, ...), from ``[phases]``."""
    return tuple(_raw()["phases"])


def fdp_phase(phase: str) -> str | None:
    """The Fiscal Data Package phase (approved, adjusted, executed) of one of our phases; None for a part
    of a settlement's identities (carried over, unspent, ...), which is no phase of its own."""
    return _raw()["phases"][phase].get("fdp")


def first_match(text: str, terms: tuple[Term, ...], default: str = "other") -> str:
    """The id of the first term one of whose keywords occurs in ``text`` (case-insensitive)."""
    lowered = text.lower()
    for term in terms:
        if any(word.lower() in lowered for word in term.keywords):
            return term.id
    return default


def classify_activity(text: str) -> str:
    """The first category one of whose keywords occurs in ``text``: what an outcome clause without a head
    noun is (공모전 개최 → event); ``documents.activities.classify`` reads a clause by its head noun."""
    return first_match(text, activity_categories())


def group_of(name_ko: str) -> str:
    """The group of a top-level line item by its name."""
    return first_match(name_ko, line_item_groups())


def side_of(group: str) -> str:
    """overhead, program or other."""
    return next((t.side for t in line_item_groups() if t.id == group), "other")


def normalise_name(text: str) -> str:
    """A program name for comparing names as documents write them: NFKC (full-width ＣｉｔｙＮｅｔ is CityNet,
    decomposed Hangul is composed), case folded, without spaces and punctuation. The stored name stays as
    printed."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text)).casefold()


def known_program(program_ko: str) -> dict | None:
    """The ``[[programs]]`` entry whose Korean name or one of whose ``names`` is ``program_ko`` (compared
    without spaces and punctuation), or None."""
    key = normalise_name(program_ko)
    for program in programs():
        if key and key in {normalise_name(n) for n in [program["ko"], *program.get("names", ())]}:
            return program
    return None


def program_id(program_ko: str) -> str:
    """A program's id: the slug of a known program (``citynet``), else a stable one made from its name:
    its Latin words, if any, and 8 hex digits of the SHA-256 of the normalised name
    (``세계도시포럼 사무국`` → ``program-1a2b3c4d``, ``ICLEI 동아시아 사무국`` → ``iclei-5e6f7a8b``), so two
    documents of one program agree and two programs share an id only if their names are the same without
    spaces and punctuation. ValueError for a name without a letter or digit (the parser refuses those)."""
    known = known_program(program_ko)
    if known:
        return known["id"]
    key = normalise_name(program_ko)
    if not key:
        raise ValueError(f"a program name needs a letter or digit: {program_ko!r}")
    words = re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode())
    stem = "-".join(words)[:24].strip("-") or "program"
    return f"{stem}-{hashlib.sha256(key.encode()).hexdigest()[:8]}"


@functools.cache
def labels(section: str) -> dict[str, dict[str, str]]:
    """Korean/English labels of a section: ``metrics``, ``measures``, ``columns``, ``chart_labels``,
    ``sides``, or the terms of ``activity_categories`` and ``line_item_groups``."""
    raw = _raw()[section]
    if isinstance(raw, list):
        return {t["id"]: {"ko": t["ko"], "en": t["en"]} for t in raw}
    return {k: dict(v) for k, v in raw.items()}


@functools.cache
def item_names() -> tuple[tuple[str, str], ...]:
    """(word, English name) of line items, first match wins."""
    return tuple((t["word"], t["en"]) for t in _raw()["item_names"])


@functools.cache
def column_units() -> dict[str, dict]:
    """Units of the table columns: ``{unit: {"display": {lang: text}, "exact": {lang: text},
    "number_format": str}}`` (a style or language without text: no unit in the header)."""
    return {k: dict(v) for k, v in _raw()["column_units"].items()}


@functools.cache
def unit_words() -> dict[str, dict]:
    """The units a notebook may give a column of its own, per kind of unit (a key of ``[column_units]``:
    ``krw``, ``usd``, ``pct``): ``{kind: {"words": (text, …), "scaled": {text: multiple}}}``, as written in
    ``[unit_words]`` (the caller compares them normalised). ``words`` name the unit itself (원, USD, %),
    ``scaled`` a multiple of it (천원 → 1000)."""
    kinds = column_units()
    out = {}
    for kind, entry in _raw()["unit_words"].items():
        if kind not in kinds:
            raise ValueError(f"[unit_words.{kind}]: not a unit of [column_units] ({', '.join(kinds)})")
        scaled = dict(entry.get("scaled", {}))
        if bad := [w for w, n in scaled.items() if type(n) is not int or n <= 1]:
            raise ValueError(f"[unit_words.{kind}.scaled]: a multiple is a whole number above 1: {bad}")
        out[kind] = {"words": tuple(entry.get("words", ())), "scaled": scaled}
    return out


@functools.cache
def tables() -> dict[str, dict[str, dict[str, str]]]:
    """The known saved tables in workbook order: ``{name: {"title": {lang: …}, "description": {lang: …}}}``."""
    return {k: {part: dict(text) for part, text in v.items()} for k, v in _raw()["tables"].items()}


@functools.cache
def workbook_words() -> dict:
    """Words of the tables workbook and README.txt: ``{key: {lang: text or list of lines}}``."""
    return {k: dict(v) for k, v in _raw()["workbook"].items()}


# -- anomaly messages (messages.toml) ----------------------------------------------------------------

@functools.cache
def _messages() -> dict:
    with open(MESSAGES_FILE, "rb") as fh:
        return tomllib.load(fh)


def anomaly_text(check: str, variant: str | None = None, **params) -> dict[str, str]:
    """The message of a finding in both languages, ``{"message": English, "message_ko": Korean}``, from the
    templates of ``check`` (or its ``check.variant`` wording) filled with ``params``. KeyError for a check
    or placeholder the file does not know (a bug, caught by the tests)."""
    entry = _messages()["checks"][f"{check}.{variant}" if variant else check]
    return {"message": entry["en"].format(**params), "message_ko": entry["ko"].format(**params)}


def check_label(check: str, lang: str) -> str:
    """The label of a kind of finding (``basis_date`` → 사업근거 날짜); the id itself if unknown."""
    entry = _messages()["checks"].get(check, {})
    return entry.get("label", {}).get(lang, check)


def severity_label(severity: str, lang: str) -> str:
    return _messages()["severity"].get(severity, {}).get(lang, severity)


def message_checks() -> tuple[str, ...]:
    """Every check (and check.variant) that has messages."""
    return tuple(_messages()["checks"])
