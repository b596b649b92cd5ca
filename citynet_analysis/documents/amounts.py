"""Reading amounts, units and dates as the documents write them."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, localcontext

UNIT_FACTORS = {"원": 1, "천원": 1_000, "백만원": 1_000_000, "억원": 100_000_000}

MAX_AMOUNT = 10**15
"""The largest amount (in won) or count the pipeline reads: 1,000 trillion won, above any Korean public
budget (the national budget is about 650 trillion won) and 9,000 times below the int64 limit, so that
tables of amounts and their sums stay exact int64. A larger number is a typing error in the document."""
_MAX_DIGITS = len(str(MAX_AMOUNT))

_MARKER = re.compile(r"\(x-\)")
_NUMBER = re.compile(r"^(?P<sign>[-△▲−]?)\s*(?P<digits>\d{1,3}(?:,\d{3})+|\d+)\s*(?P<unit>백만원|천원|억원|원)?$")


class AmountError(ValueError):
    """A cell that should hold an amount does not, or holds one beyond :data:`MAX_AMOUNT`."""


class AmountRangeError(AmountError):
    """A number beyond :data:`MAX_AMOUNT`: written as an amount, but not a real one."""


class ProductRangeError(AmountRangeError):
    """A formula whose factors are each in range but whose product is beyond :data:`MAX_AMOUNT`: it cannot
    be its item's amount, a slip of the document rather than an unreadable number."""


def bounded(value: int | float, text: str) -> int:
    """``value`` as an int when its magnitude is at most :data:`MAX_AMOUNT`; AmountRangeError otherwise (also
    for inf and nan)."""
    if not abs(value) <= MAX_AMOUNT:
        raise AmountRangeError(f"{text.strip()!r} is beyond the largest amount read ({MAX_AMOUNT:,})")
    return int(value)


def to_int(digits: str) -> int:
    """A count or number written in digits (commas allowed), bounded like every amount."""
    plain = digits.replace(",", "").lstrip("0") or "0"
    if len(plain) > _MAX_DIGITS:  # before int(): Python refuses to convert very long digit strings
        raise AmountRangeError(f"{digits!r} is beyond the largest amount read ({MAX_AMOUNT:,})")
    return bounded(int(plain), digits)


def parse_amount(cell: str, factor: int = 1) -> int:
    """An integer number of won from a cell such as ``(x-) 864,910`` (in the table's unit ``factor``),
    ``1,100,000천원`` or ``△ 5,000``. ``-`` alone means zero, as Korean tables write it."""
    text = _MARKER.sub("", cell).strip()
    if text in {"-", "－", "—"}:
        return 0
    m = _NUMBER.match(text)
    if not m:
        raise AmountError(f"not an amount: {cell.strip()!r}")
    value = to_int(m.group("digits")) * (UNIT_FACTORS[m.group("unit")] if m.group("unit") else factor)
    value = bounded(value, cell)
    return -value if m.group("sign") else value


_UNIT_LINE = re.compile(r"단위\s*[:：]\s*(백만원|천원|억원|원)")


def stated_unit(line: str) -> str | None:
    """The unit a ``(단위 : 천원, %)`` line declares (``천원``), or None when the line declares none."""
    m = _UNIT_LINE.search(line)
    return m.group(1) if m else None


def unit_factor(line: str) -> int | None:
    """The factor a ``(단위 : 천원, %)`` line declares, or None when the line declares none."""
    unit = stated_unit(line)
    return UNIT_FACTORS[unit] if unit else None


def amount_unit(cell: str) -> str | None:
    """The unit written after an amount (``1,100,000천원`` → ``천원``); None for a bare number or text that
    is not an amount."""
    m = _NUMBER.match(_MARKER.sub("", cell).strip())
    return m.group("unit") if m else None


_FORMULA_TERM = re.compile(r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*([가-힣%]*)")


def evaluate_formula(text: str) -> int | None:
    """Evaluate a product basis such as ``833,330원*12개월`` or ``1,000천원×5명×2회`` to won, exactly
    (decimal arithmetic) and rounded half up to the won (``833333.33원*12개월`` → 10,000,000).

    The first factor carries the money unit (원 or 천원); the others are counts. Returns None where the
    text is not such a product; raises AmountError when the product is beyond :data:`MAX_AMOUNT`."""
    parts = re.split(r"\s*[*×xX]\s*", text.strip())
    terms = [_FORMULA_TERM.fullmatch(p.strip()) for p in parts]
    if len(terms) < 2 or not all(terms) or terms[0].group(2) not in UNIT_FACTORS:
        return None
    digits = [m.group(1).replace(",", "") for m in terms]
    if any(len(d.split(".")[0].lstrip("0")) > _MAX_DIGITS or not Decimal(d) <= MAX_AMOUNT for d in digits):
        raise AmountRangeError(f"{text.strip()!r} is beyond the largest amount read ({MAX_AMOUNT:,})")
    with localcontext() as ctx:
        ctx.prec = sum(len(d) for d in digits) + 10  # exact: no product of these factors has more digits
        value = Decimal(UNIT_FACTORS[terms[0].group(2)])
        for d in digits:
            value *= Decimal(d)
    if not abs(value) <= MAX_AMOUNT:
        raise ProductRangeError(f"{text.strip()!r} is beyond the largest amount read ({MAX_AMOUNT:,})")
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


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


_YM = re.compile(r"(?<!\d)(\d{4})\s*[.\-/년]\s*(\d{1,2})(?!\d)")


def year_month(text: str) -> str | None:
    """``2024.01`` or ``2024년 1월`` as ``2024-01``; None when absent or not a real month."""
    m = _YM.search(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
