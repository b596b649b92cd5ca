"""Money, numbers and language: how amounts, percentages and names are written in tables, charts and memos.

The data hold integer won; display units (백만원, thousand USD) are chosen here, at the edge. Labels come
from the vocabulary file; a language is ``ko`` or ``en``."""

from __future__ import annotations

import functools
import math
import re
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from .. import vocabulary

LANGS: tuple[str, ...] = vocabulary.languages()
MILLION = 1_000_000
MINUS = "\u2212"

#: Display units: divisor of an amount in won, and unit text per language.
UNITS: dict[str, tuple[int, dict[str, str]]] = {
    "won": (1, {"ko": "원", "en": "KRW"}),
    "thousand": (1_000, {"ko": "천원", "en": "thousand KRW"}),
    "million": (1_000_000, {"ko": "백만원", "en": "million KRW"}),
    "hundred_million": (100_000_000, {"ko": "억원", "en": "hundred million KRW"}),
    "billion": (1_000_000_000, {"ko": "십억원", "en": "billion KRW"}),
}


def check_lang(lang: str) -> str:
    """``lang`` if it is a language of the reports; ValueError otherwise."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


# -- labels ------------------------------------------------------------------------------------------

def _label(section: str, key: str, lang: str) -> str:
    check_lang(lang)
    entry = vocabulary.labels(section).get(key)
    return entry[lang] if entry else key


def category_label(category: str, lang: str) -> str:
    return _label("activity_categories", category, lang)


def group_label(group: str, lang: str) -> str:
    """A line-item group or a side (overhead, program)."""
    if group in vocabulary.labels("sides") and group not in vocabulary.labels("line_item_groups"):
        return _label("sides", group, lang)
    return _label("line_item_groups", group, lang)


def side_label(side: str, lang: str) -> str:
    return _label("sides", side, lang)


def metric_label(metric: str, lang: str) -> str:
    return _label("metrics", metric, lang)


def measure_label(measure: str, lang: str) -> str:
    return _label("measures", measure, lang)


def column_label(column: str, lang: str) -> str:
    return _label("columns", column, lang)


def chart_label(key: str, lang: str = "ko") -> str:
    """A word of the charts (legend entries, axis titles with their unit). KeyError for an unknown key."""
    check_lang(lang)
    labels = vocabulary.labels("chart_labels")
    if key not in labels:
        raise KeyError(f"unknown label key {key!r}; known keys: {', '.join(sorted(labels))}")
    return labels[key][lang]


def item_label(name_ko: str, lang: str) -> str:
    """A line item's name in the chosen language; numbered committees become '44th Executive Committee'.
    Names without an English entry stay in Korean (the figures' font renders them)."""
    if check_lang(lang) == "ko":
        return name_ko
    if m := re.search(r"제\s*(\d+)\s*차\s*집행위원회", name_ko):
        return f"{ordinal(int(m.group(1)))} Executive Committee"
    if m := re.search(r"제\s*(\d+)\s*차.*총회", name_ko):
        return f"{ordinal(int(m.group(1)))} Congress"
    for word, english in vocabulary.item_names():
        if word in name_ko:
            return english
    return name_ko


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# -- numbers -----------------------------------------------------------------------------------------

def money(won, lang: str = "ko", decimals: int = 1) -> str:
    """``1,100.0백만원`` / ``KRW 1,100.0 million``; ``—`` where missing."""
    if won is None or pd.isna(won):
        return "—"
    value = f"{won / MILLION:,.{decimals}f}"
    return f"{value}백만원" if check_lang(lang) == "ko" else f"KRW {value} million"


def pct(value, decimals: int = 1, signed: bool = False) -> str:
    """``27.2%`` (``+27.2%`` when signed); ``—`` where missing."""
    if value is None or pd.isna(value):
        return "—"
    return f"{value:+.{decimals}f}%" if signed else f"{value:.{decimals}f}%"


def format_krw(amount, unit: str = "million", lang: str = "ko", *, decimals: int = 0,
               with_unit: bool = False, minus: str = MINUS) -> str:
    """An amount in won for a tick label or annotation, e.g. 1_100_000_000 -> '1,100'.

    ``unit`` is one of :data:`UNITS`; the amount is divided and rounded half-up to ``decimals`` places,
    with thousands separators. ``with_unit=True`` appends the unit. Negative amounts use U+2212 (as
    matplotlib's ``axes.unicode_minus`` does) unless ``minus`` says otherwise. Missing values give '—'."""
    check_lang(lang)
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
    if decimals < 0:
        raise ValueError("decimals must be >= 0")
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return "—"
    try:
        value = Decimal(str(amount))
    except (ArithmeticError, ValueError, TypeError):
        try:
            if amount != amount:  # NaN-like
                return "—"
        except TypeError:
            return "—"
        value = Decimal(str(float(amount)))
    if not value.is_finite():
        return "—"
    divisor, names = UNITS[unit]
    scaled = (value / divisor).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if scaled == 0:
        scaled = abs(scaled)  # no "-0"
    text = f"{abs(scaled):,.{decimals}f}"
    if scaled < 0:
        text = minus + text
    if with_unit:
        text = f"{text}{names['ko']}" if lang == "ko" else f"{text} {names['en']}"
    return text


def krw_formatter(unit: str = "million", lang: str = "ko", *, decimals: int = 0):
    """A matplotlib tick formatter that shows won amounts in ``unit`` (no unit text)."""
    from matplotlib.ticker import FuncFormatter

    check_lang(lang)
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
    return FuncFormatter(functools.partial(_tick, unit=unit, lang=lang, decimals=decimals))


def _tick(x: float, _pos: int, *, unit: str, lang: str, decimals: int) -> str:
    return format_krw(x, unit, lang, decimals=decimals)


def format_table(df: pd.DataFrame, lang: str = "ko") -> pd.DataFrame:
    """A display copy: won columns in 백만원 (1 decimal), percents to 1 decimal, USD in thousands,
    categories and groups named in the language, columns labelled. Missing values show as ``—``."""
    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        s = df[col]
        if col.endswith("_krw") or col == "amount_2020krw":
            text = s.map(lambda v: "—" if pd.isna(v) else f"{v / MILLION:,.1f}")
        elif col == "amount_usd":
            text = s.map(lambda v: "—" if pd.isna(v) else f"{v / 1000:,.1f}")
        elif col.endswith("_pct") or col in ("cpi_2020_100", "krw_per_usd"):
            text = s.map(lambda v: "—" if pd.isna(v) else f"{v:,.1f}")
        elif col == "category":
            text = s.map(lambda v: category_label(v, lang))
        elif col == "measure":
            text = s.map(lambda v: measure_label(v, lang))
        elif col in ("group", "side"):
            text = s.map(lambda v: group_label(v, lang))
        else:
            text = s.map(lambda v: "—" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v))
        out[column_label(col, lang)] = text.astype(object)
    return out.reset_index(drop=True)
