"""Reading amounts, units and dates as the documents write them."""

from __future__ import annotations

import re

UNIT_FACTORS = {"원": 1, "천원": 1_000, "백만원": 1_000_000, "억원": 100_000_000}

_MARKER = re.compile(r"\(x-\)")
_NUMBER = re.compile(r"^(?P<sign>[-△▲−]?)\s*(?P<digits>\d{1,3}(?:,\d{3})+|\d+)\s*(?P<unit>백만원|천원|억원|원)?$")


class AmountError(ValueError):
    """A cell that should hold an amount does not."""


def parse_amount(cell: str, factor: int = 1) -> int:
    """An integer number of won from a cell such as ``(x-) 864,910`` (in the table's unit ``factor``),
    ``1,100,000천원`` or ``△ 5,000``. ``-`` alone means zero, as Korean tables write it."""
    text = _MARKER.sub("", cell).strip()
    if text in {"-", "－", "—"}:
        return 0
    m = _NUMBER.match(text)
    if not m:
        raise AmountError(f"not an amount: {cell.strip()!r}")
    value = int(m.group("digits").replace(",", ""))
    if m.group("unit"):
        value *= UNIT_FACTORS[m.group("unit")]
    else:
        value *= factor
    return -value if m.group("sign") else value


_UNIT_LINE = re.compile(r"단위\s*[:：]\s*(백만원|천원|억원|원)")


def unit_factor(line: str) -> int | None:
    """The factor a ``(단위 : 천원, %)`` line declares, or None when the line declares none."""
    m = _UNIT_LINE.search(line)
    return UNIT_FACTORS[m.group(1)] if m else None


_FORMULA_TERM = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*([가-힣%]*)")


def evaluate_formula(text: str) -> int | None:
    """Evaluate a product basis such as ``833,330원*12개월`` or ``1,000천원×5명×2회`` to won.

    The first factor carries the money unit (원 or 천원); the others are counts. Returns None where the
    text is not such a product."""
    parts = re.split(r"\s*[*×xX]\s*", text.strip())
    if len(parts) < 2:
        return None
    value: float = 1
    for i, part in enumerate(parts):
        m = _FORMULA_TERM.fullmatch(part.strip())
        if not m:
            return None
        number = float(m.group(1).replace(",", ""))
        if i == 0:
            if m.group(2) not in UNIT_FACTORS:
                return None
            number *= UNIT_FACTORS[m.group(2)]
        value *= number
    return round(value)


_FULL_DATE = re.compile(r"(?<!\d)(?:(\d{4})|'(\d{2}))\s*\.\s*(\d{1,2})\s*\.(?:\s*(\d{1,2})\s*\.?)?")


def find_dates(text: str) -> list[tuple[int, int, int | None]]:
    """(year, month, day) for every ``2010.10.26.``, ``'24.12.27.`` or ``2009.09.`` in the text."""
    out = []
    for m in _FULL_DATE.finditer(text):
        year = int(m.group(1)) if m.group(1) else 2000 + int(m.group(2))
        month = int(m.group(3))
        day = int(m.group(4)) if m.group(4) else None
        if 1 <= month <= 12 and (day is None or 1 <= day <= 31):
            out.append((year, month, day))
    return out


_YM = re.compile(r"(\d{4})\s*[.\-/년]\s*(\d{1,2})")


def year_month(text: str) -> str | None:
    """``2024.01`` or ``2024년 1월`` as ``2024-01``; None when absent or not a real month."""
    m = _YM.search(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
