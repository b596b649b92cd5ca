"""Money, numbers and language: how amounts, percentages and names are written in tables, charts and memos.

The data hold integer won; display units (백만원, thousand USD) are chosen here, at the edge. Labels come
from the vocabulary file; a language is ``ko`` or ``en``."""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from ... import vocabulary

LANGS: tuple[str, ...] = vocabulary.languages()
MILLION = 1_000_000
MINUS = "\u2212"

#: Display units: divisor of an amount in won (the amount with its unit: ``[amount_units]``).
UNITS: dict[str, int] = {
    "won": 1,
    "thousand": 1_000,
    "million": 1_000_000,
    "hundred_million": 100_000_000,
    "billion": 1_000_000_000,
}


def check_lang(lang: str) -> str:
    """``lang`` if it is a language of the reports; ValueError otherwise."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


# -- labels ------------------------------------------------------------------------------------------

def label(section: str, key: str, lang: str, **values) -> str:
    """The one lookup of every word the reports show: entry ``key`` of ``[section]`` in vocabulary.toml, in
    ``lang``, with ``{placeholders}`` filled from ``values``. One rule for a key the vocabulary lacks (a
    code an analyst's own table or category introduces): it is shown as the code itself, never hidden."""
    check_lang(lang)
    entry = vocabulary.labels(section).get(key)
    text = entry[lang] if entry else str(key)
    return text.format(**values) if values and entry else text


def text_column(column: str, lang: str) -> str:
    """The column that holds a text in ``lang``: the data keep Korean in a twin column ``X_ko`` beside
    ``X`` (an anomaly's ``message_ko``, a row's ``slip_ko``); a column name, not a word shown."""
    return f"{column}_ko" if check_lang(lang) == "ko" else column


def category_label(category: str, lang: str) -> str:
    return label("activity_categories", category, lang)


def group_label(group: str, lang: str) -> str:
    """A line-item group or a side (overhead, program)."""
    if group in vocabulary.labels("sides") and group not in vocabulary.labels("line_item_groups"):
        return label("sides", group, lang)
    return label("line_item_groups", group, lang)


def side_label(side: str, lang: str) -> str:
    return label("sides", side, lang)


def metric_label(metric: str, lang: str) -> str:
    return label("metrics", metric, lang)


def measure_label(measure: str, lang: str) -> str:
    return label("measures", measure, lang)


def column_label(column: str, lang: str, labels: dict[str, str] | None = None,
                 units: dict[str, str] | None = None) -> str:
    """The header of a displayed table (amounts in 백만원): ``금액 (백만원)``; an unknown column its code,
    with the unit its name's ending implies (``non_personnel_krw (백만원)``). ``labels`` and ``units``: the
    headers and units a notebook gave its own columns (:func:`column_header`)."""
    return column_header(column, lang, "display", labels, units)


#: Header styles: ``display`` (memos' tables: 백만원, thousand USD) and ``exact`` (the workbook: 원, dollars).
HEADER_STYLES = ("display", "exact")
_UNIT_SUFFIXES = (("_krw", "krw"), ("_usd", "usd"), ("_pct", "pct"))


#: Unit kinds that are amounts of one currency (a notebook's ``원`` agrees with ``amount_2020krw``'s).
_SAME_KIND = {"krw_2020": "krw"}


def _unit_key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text)).casefold().split())


@functools.cache
def _unit_words() -> dict[str, tuple[str, int]]:
    """Every unit word of ``[unit_words]``, normalised: its kind and multiple (1: the unit itself, as the
    data hold it; more: a multiple of it, which a notebook may not give). A word in two places is an error
    of the vocabulary."""
    out: dict[str, tuple[str, int]] = {}
    for kind, entry in vocabulary.unit_words().items():
        for word, multiple in [(w, 1) for w in entry["words"]] + list(entry["scaled"].items()):
            key = _unit_key(word)
            if key in out:
                raise ValueError(f"[unit_words]: {word!r} is listed twice")
            out[key] = (kind, multiple)
    return out


def unit_kind(text: str) -> str | None:
    """The kind of amount or percent (``krw``, ``usd``, ``pct``) a notebook's unit text names (``원``,
    ``KRW``, ``%``): the column holds whole won (or dollars, or a percent) and is shown as the package
    shows those. None for any other text (``회``, ``km``), and for a multiple of won or dollars (``천원``,
    :func:`scaled_unit`): a notebook may not give one, and a record that carries one anyway (edited by
    hand) has its values shown as they are, under that unit. See ``[unit_words]``."""
    kind, multiple = _unit_words().get(_unit_key(text), (None, 0))
    return kind if multiple == 1 else None


def scaled_unit(text: str) -> tuple[str, int] | None:
    """``(kind, multiple)`` when a unit text names a multiple of won or dollars (``천원`` → ``("krw",
    1000)``, ``KRW million`` → ``("krw", 1000000)``), else None."""
    kind, multiple = _unit_words().get(_unit_key(text), (None, 0))
    return (kind, multiple) if multiple > 1 else None


def column_unit(column: str, units: dict[str, str] | None = None) -> str | None:
    """The kind of unit of a column (``krw``, ``pct``, …; see ``[column_units]``): from the vocabulary, or
    from the name's ending (``_krw``, ``_usd``, ``_pct``) for a column the vocabulary does not know; else,
    for a column of a notebook's own ``units``, the kind its unit text names (:func:`unit_kind`)."""
    entry = vocabulary.labels("columns").get(column)
    known = entry.get("unit") if entry is not None else next(
        (unit for suffix, unit in _UNIT_SUFFIXES if column.endswith(suffix)), None)
    if known is None and units and column in units:
        return unit_kind(units[column])
    return known


def _unit_text(kind: str, style: str) -> str:
    text = vocabulary.column_units()[kind][style]
    return f"{text['ko']} ({text['en']})"


def unit_conflict(column: str, unit: str) -> str | None:
    """Why a notebook cannot give ``column`` the unit ``unit``, with what to do instead; None if it can.
    A multiple of won or dollars (``천원``, ``KRW million``) is refused for every column: amounts are given
    in won and shown in 백만원, so the column is converted to won (the factor is in the text). A column
    whose unit is known (an amount ``…_krw``, a percent ``…_pct``) takes no other unit."""
    if scaled := scaled_unit(unit):
        kind, multiple = scaled
        base = vocabulary.unit_words()[kind]["words"][0]
        return (f"amounts are given in {_unit_text(kind, 'exact')} and shown in "
                f"{_unit_text(kind, 'display')}; convert the column to {base} "
                f"(df[{column!r}] * {multiple:_}) and give its unit as {base!r}")
    known = column_unit(column)  # the vocabulary's, else the name's ending
    if _SAME_KIND.get(known, known) not in vocabulary.unit_words():  # none, or one no unit text names (회)
        return None
    if _SAME_KIND.get(known, known) == _SAME_KIND.get(unit_kind(unit) or "", unit_kind(unit)):
        return None
    return (f"{column} is {'an amount' if known != 'pct' else 'a percent'} shown in "
            f"{_unit_text(known, 'display')}; leave it out of units=")


def column_header(column: str, lang: str, style: str = "display", labels: dict[str, str] | None = None,
                  units: dict[str, str] | None = None) -> str:
    """A column's header with its unit in ``style``: ``금액 (백만원)`` (display) or ``금액 (원)`` (exact).
    An unknown column keeps its code name, with the unit its name's ending implies. ``labels``: headers a
    notebook gave its columns (the header without its unit: the unit is added, unless the label already
    ends with it); ``units``: units a notebook gave its own columns (a kind :func:`unit_kind` knows is
    written as the package writes it, in the style's unit; any other text as it is)."""
    check_lang(lang)
    if style not in HEADER_STYLES:
        raise ValueError(f"style must be one of {', '.join(HEADER_STYLES)}, not {style!r}")
    entry = vocabulary.labels("columns").get(column)
    own = (labels or {}).get(column)
    label = own if own else entry[lang] if entry else column
    unit = column_unit(column, units)
    if unit:
        text = vocabulary.column_units()[unit].get(style, {}).get(lang, "")
    else:
        text = str((units or {}).get(column) or "")
    return f"{label} ({text})" if text and not label.endswith(f"({text})") else label


def header_clash(columns: list[str], lang: str, style: str = "display", labels: dict[str, str] | None = None,
                 units: dict[str, str] | None = None) -> tuple[str, str, str] | None:
    """The one check that a notebook's ``labels``/``units`` keep a table's headers apart: the first of
    ``columns`` the notebook labelled or gave a unit whose header (:func:`column_header` in ``style``) is
    also another column's, as ``(that column, the other, the header)``; None when every column it named
    has a header of its own. Two columns headed alike would show one header with two meanings (and a
    formatted table keeps only one of them): the notebook refuses such labels, the memos and the workbook
    leave the record's labels and units out."""
    labels, units = labels or {}, units or {}
    headers = {c: column_header(c, lang, style, labels, units) for c in columns}
    for own in (c for c in columns if c in labels or c in units):
        if same := next((c for c in columns if c != own and headers[c] == headers[own]), None):
            return own, same, headers[own]
    return None


def column_number_format(column: str, units: dict[str, str] | None = None) -> str | None:
    """The workbook's number format of a column (``#,##0`` for won, ``0.0`` for percent); None: as is."""
    unit = column_unit(column, units)
    return vocabulary.column_units()[unit].get("number_format") if unit else None


def table_title(name: str, lang: str) -> str:
    """The title of a saved table (``composition`` → 예산 구성); an unknown table keeps its name."""
    check_lang(lang)
    entry = vocabulary.tables().get(name)
    return entry["title"][lang] if entry else name


def table_description(name: str, lang: str) -> str:
    """What a saved table holds, in a sentence; empty for an unknown table."""
    check_lang(lang)
    entry = vocabulary.tables().get(name)
    return entry["description"][lang] if entry else ""


def program_name(program_ko: str, lang: str) -> str:
    """A program's name in the language, for a program the vocabulary knows; else as the document says."""
    known = vocabulary.known_program(program_ko)
    return known[check_lang(lang)] if known else program_ko


def program_title(ds, lang: str, fiscal_year: int | None = None) -> str:
    """The one way a report names its program: as the document of ``fiscal_year`` writes it (else the
    newest document), in the language where the vocabulary knows the program; empty without documents."""
    docs = ds.documents
    own = docs[docs["fiscal_year"] == fiscal_year] if fiscal_year is not None else docs.iloc[0:0]
    names = (own if len(own) else docs.sort_values("fiscal_year").iloc[::-1])["program_ko"].dropna()
    return program_name(str(names.iloc[0]), lang) if len(names) else ""


def heading_part(text: str, lang: str) -> str:
    """The language's part of a bilingual notebook heading ``한국어 · English`` (its parts in the order of
    :data:`LANGS`); the whole text if it has no `` · ``."""
    parts = [p.strip() for p in str(text).split(" · ") if p.strip()]
    if len(parts) < 2:
        return str(text).strip()
    return parts[LANGS.index(check_lang(lang))]


def file_name(path) -> str:
    """The file name of a recorded path (``../raw/x.txt`` → ``x.txt``; either slash); empty for none."""
    return re.split(r"[\\/]", path)[-1] if isinstance(path, str) and path else ""


def text_width(text: str) -> int:
    """How many columns a text takes on screen: East Asian wide and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def chart_label(key: str, lang: str = "ko") -> str:
    """A word of the charts (legend entries, axis titles with their unit); the key itself if unknown."""
    return label("chart_labels", key, lang)


def item_label(name_ko: str, lang: str) -> str:
    """A line item's name in the chosen language; numbered committees become '44th Executive Committee'.
    Names without an English entry stay in Korean (the figures' font renders them)."""
    if check_lang(lang) == "ko":
        return name_ko
    if len(re.findall(r"제\s*\d+", name_ko)) == 1 and "및" not in name_ko:  # one meeting, one number
        for word, (_, english) in vocabulary.numbered_meetings().items():
            if m := re.search(rf"제\s*(\d+)\s*차\s*(?:[A-Za-z]+\s*)?{re.escape(word)}", name_ko):
                return f"{ordinal(int(m.group(1)))} {english}"
    for word, english in vocabulary.item_names():
        if word in name_ko:
            return english
    return name_ko


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# -- numbers -----------------------------------------------------------------------------------------
#
# Every number a reader sees (pages, memos, the portal, chart labels, the terminal summary) is written by
# :func:`decimal_text`: the exact value (integer won, or a percent read as the decimal it prints as),
# divided by the display unit, rounded half-up (반올림) to the shown precision, with thousands separators.

def to_decimal(value) -> Decimal | None:
    """``value`` as an exact Decimal: integers (Python, NumPy) as they are, a float as the decimal it
    prints as (``Decimal(repr(27.25))``, never the binary expansion ``27.2499…``), a Decimal as it is.
    None for a missing value (None, NaN, NA, NaT) or an infinite one; TypeError for anything else (a
    text, a bool)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"not a number: {value!r}")
    if isinstance(value, (int, np.integer)):
        return Decimal(int(value))
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    raise TypeError(f"not a number: {value!r}")


def decimal_text(value, decimals: int = 1, *, scale: int = 1, signed: bool = False, minus: str = "-",
                 missing: str = "—") -> str:
    """The one way a number is written: ``value`` (integer won, or a percent) divided by ``scale`` (the
    display unit: ``MILLION`` for 백만원), rounded half-up to ``decimals`` places, with thousands
    separators: ``decimal_text(69_350_000, 1, scale=MILLION)`` → ``69.4``; ``decimal_text(27.25)`` →
    ``27.3``. A negative number starts with ``minus``; with ``signed`` a positive one (and zero) with
    ``+``; a value that rounds to zero is never ``-0``. ``missing`` for a missing or infinite value."""
    if decimals < 0:
        raise ValueError("decimals must be >= 0")
    exact = to_decimal(value)
    if exact is None:
        return missing
    shown = (exact / Decimal(scale)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{abs(shown):,.{decimals}f}"
    if shown < 0:
        return minus + text
    return "+" + text if signed else text


def money(won, lang: str = "ko", decimals: int = 1) -> str:
    """``1,100.0백만원`` / ``KRW 1,100.0 million``; ``—`` where missing."""
    if is_missing(won):
        return "—"
    return label("format_text", "money", lang, value=decimal_text(won, decimals, scale=MILLION))


def pct(value, decimals: int = 1, signed: bool = False) -> str:
    """``27.2%`` (``+27.2%`` when signed); ``—`` where missing."""
    if is_missing(value):
        return "—"
    return decimal_text(value, decimals, signed=signed) + "%"


def format_krw(amount, unit: str = "million", lang: str = "ko", *, decimals: int = 0,
               with_unit: bool = False, minus: str = MINUS) -> str:
    """An amount in won for a tick label or annotation, e.g. 1_100_000_000 -> '1,100'.

    ``unit`` is one of :data:`UNITS`; the amount is divided and rounded half-up to ``decimals`` places,
    with thousands separators (:func:`decimal_text`). ``with_unit=True`` appends the unit. Negative
    amounts use U+2212 (as matplotlib's ``axes.unicode_minus`` does) unless ``minus`` says otherwise.
    Missing values (and anything that is not a number) give '—'."""
    check_lang(lang)
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
    if decimals < 0:
        raise ValueError("decimals must be >= 0")
    try:
        text = decimal_text(amount, decimals, scale=UNITS[unit], minus=minus)
    except TypeError:
        return "—"
    if text == "—":
        return text
    return label("amount_units", unit, lang, value=text) if with_unit else text


def krw_formatter(unit: str = "million", lang: str = "ko", *, decimals: int = 0):
    """A matplotlib tick formatter that shows won amounts in ``unit`` (no unit text)."""
    from matplotlib.ticker import FuncFormatter

    check_lang(lang)
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
    return FuncFormatter(functools.partial(_tick, unit=unit, lang=lang, decimals=decimals))


def _tick(x: float, _pos: int, *, unit: str, lang: str, decimals: int) -> str:
    return format_krw(x, unit, lang, decimals=decimals)


def phase_label(phase: str, lang: str) -> str:
    """budget → 예산액 (예산 총괄) / Budget (budget summary); final_budget; executed."""
    return label("phases", phase, lang)


def check_label(check: str, lang: str) -> str:
    """The kind of an anomaly (basis_date → 사업근거 날짜)."""
    return vocabulary.check_label(check, check_lang(lang))


def severity_label(severity: str, lang: str) -> str:
    return vocabulary.severity_label(severity, check_lang(lang))


def growth_note(note: str, year, lang: str) -> str:
    """The note of a growth row (codes ``no_cpi; no_fx``) in words for its year."""
    return "; ".join(label("growth_notes", c, lang, year=year) for c in str(note).split("; ") if c)


def item_name(name_ko: str, lang: str) -> str:
    """A line item's name for a table: the document's Korean, with the glossary's English after it on an
    English page (``인건비 (Personnel)``)."""
    english = item_label(name_ko, lang)
    return name_ko if english == name_ko else f"{name_ko} ({english})"


#: The indent of a sub-item's name, per level below the top (no-break spaces: a page's HTML keeps them).
SUB_ITEM_INDENT = "\u00a0\u00a0"


def item_display_name(name_ko: str, level, lang: str) -> str:
    """A line item's name as every table shows it (pages, memos, the workbook): :func:`item_name`, and for
    a sub-item (``level`` > 1) indented by level under the sub-item marker of ``[format_text]``:
    ``ㄴ 교육훈련비`` after two no-break spaces for level 2, four for level 3. A top-level item, or a
    missing level, shows the name alone; a missing name is ``—``."""
    if is_missing(name_ko):
        return "—"
    name = item_name(name_ko, lang)
    depth = 0 if is_missing(level) else int(level) - 1
    if depth < 1:
        return name
    return SUB_ITEM_INDENT * depth + label("format_text", "sub_item", lang, name=name)


def is_missing(v) -> bool:
    """None, NaN or NA (a text is never missing)."""
    return v is None or (not isinstance(v, str) and pd.isna(v))



def counted_codes(text: str, section: str, lang: str, separator: str = ", ") -> str:
    """A list of codes with their numbers (``webinar 9, executive_committee 1``; ``frequency 1``) in words:
    ``웨비나 9, 집행위원회 1``."""
    parts = []
    for part in filter(None, (p.strip() for p in str(text).split(","))):
        code, _, n = part.rpartition(" ")
        parts.append(f"{label(section, code, lang)} {n}" if code and n.isdigit() else label(section, part, lang))
    return separator.join(parts)


#: Columns whose values are codes, and the vocabulary section that names them: one table for the pages,
#: the memos and the workbook, so that no output shows a code another names.
VALUE_SECTIONS = {"category": "activity_categories", "event_category": "activity_categories",
                  "measure": "measures", "basis": "phases", "cost_basis": "phases", "phase": "phases",
                  "count_note": "count_notes"}
#: Columns holding ``code n, code n`` lists.
COUNTED_SECTIONS = {"uncounted_reasons": "count_notes", "events_by_category": "activity_categories"}


def value_label(column: str, value, lang: str):
    """A value as every output shows it: a code column's value in words (categories, groups and sides,
    phases, measures, count notes, anomaly kinds and severities, lists of counted codes), anything else
    as it is. Missing and empty values are returned as they are."""
    if is_missing(value) or value == "" or not isinstance(value, str):
        return value
    if column in VALUE_SECTIONS:
        return label(VALUE_SECTIONS[column], value, lang)
    if column in COUNTED_SECTIONS:
        return counted_codes(value, COUNTED_SECTIONS[column], lang)
    if column in ("group", "side"):
        return group_label(value, lang)
    if column == "document_id" and (m := re.fullmatch(r"[a-z0-9-]+-fy(\d{4})", value)):
        return label("format_text", "document", lang, year=m.group(1))  # citynet-fy2024: a code
    if column == "check":
        return check_label(value, lang)
    if column == "severity":
        return severity_label(value, lang)
    return value


def in_language(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The table in one language: where a text column ``X`` has a Korean twin ``X_ko`` (an anomaly's
    ``message`` and ``message_ko``), Korean shows the twin's text under ``X`` and English keeps ``X``;
    the twin column itself is left out (the CSV keeps both)."""
    twins = [c for c in df.columns if isinstance(c, str) and c.endswith("_ko") and c[:-3] in df.columns]
    if not twins:
        return df
    out = df.copy()
    for twin in twins:
        if text_column(twin[:-3], lang) == twin:
            out[twin[:-3]] = out[twin].where(out[twin].notna(), out[twin[:-3]])
    return out.drop(columns=twins)


def format_table(df: pd.DataFrame, lang: str = "ko", columns: list[str] | None = None,
                 labels: dict[str, str] | None = None, units: dict[str, str] | None = None) -> pd.DataFrame:
    """A display copy of ``df`` (only ``columns`` if given), in the language throughout: won columns in
    백만원 (1 decimal), percents to 1 decimal, USD in thousands; categories, groups, phases (basis),
    anomaly kinds and severities by their labels; a column with a Korean twin (``message``/``message_ko``)
    in the page's language (:func:`in_language`); item names with their English on an English page, a
    sub-item's (``level`` > 1) indented under a marker (:func:`item_display_name`); columns labelled with
    their units. Numbers are written by :func:`decimal_text` (half-up). Missing values show as ``—``; the
    index is dropped. ``labels`` and ``units``: the headers and units a notebook gave its columns
    (:func:`column_header`); a column whose unit names an amount or a percent is shown as those are."""
    check_lang(lang)
    columns = list(df.columns) if columns is None else list(columns)
    # a Korean twin (message_ko) is shown under its pair; any other unknown column is a KeyError
    columns = [c for c in columns if not (c.endswith("_ko") and c[:-3] in df.columns)]
    df = in_language(df, lang)
    out = pd.DataFrame(index=df.index)
    for col in columns:
        s = df[col]
        unit = column_unit(col, units)
        if col.endswith("_krw") or col == "amount_2020krw" or unit in ("krw", "krw_2020"):
            text = s.map(lambda v: _number_text(v, 1, MILLION))
        elif col == "amount_usd" or unit == "usd":
            text = s.map(lambda v: _number_text(v, 1, 1000))
        elif col.endswith("_pct") or col in ("cpi_2020_100", "krw_per_usd") or unit == "pct":
            text = s.map(lambda v: _number_text(v, 1))
        elif col in VALUE_SECTIONS or col in COUNTED_SECTIONS or col in ("group", "side", "check", "severity",
                                                                           "document_id"):
            text = s.map(lambda v, c=col: "—" if is_missing(v) or v == "" else value_label(c, v, lang))
        elif col == "slip":  # the document's own figures disagree here: a mark, blank elsewhere
            text = s.map(lambda v: "" if is_missing(v) or v == "" else f"⚠ {v}")
        elif col == "name_ko" and "level" in df.columns:  # sub-items indented under their parent
            text = pd.Series([item_display_name(v, level, lang) for v, level in zip(s, df["level"], strict=True)],
                             index=s.index, dtype=object)
        elif col == "name_ko":
            text = s.map(lambda v: "—" if is_missing(v) else item_name(v, lang))
        elif col == "note" and "fiscal_year" in df.columns:
            text = pd.Series([growth_note(n, y, lang) if not is_missing(n) else ""
                              for n, y in zip(s, df["fiscal_year"], strict=True)], index=s.index)
        elif s.dtype == bool:
            text = s.map(lambda v: label("format_text", "yes" if v else "no", lang))
        else:
            text = s.map(lambda v: "—" if is_missing(v) else str(v))
        out[column_label(col, lang, labels, units)] = text.astype(object)
    return out.reset_index(drop=True)


def _number_text(value, decimals: int, scale: int = 1) -> str:
    """:func:`decimal_text` of a number; a value that is no number (a text in a column a notebook said
    was an amount) as it is, so that a publisher never stops on it."""
    try:
        return decimal_text(value, decimals, scale=scale)
    except TypeError:
        return str(value)
