"""Parsing one budget program explanation (사업설명서) into table rows that keep their source line.

The parser reads the layout (headings, table headers, markers), never the 2024 numbers: year labels,
committee numbers and the number of items, outcome years and settlement years may all change."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import vocabulary
from ..dataset.checks import finding
from ..errors import InputError
from . import activities as act
from .amounts import (
    MAX_AMOUNT,
    UNIT_FACTORS,
    AmountError,
    AmountRangeError,
    ProductRangeError,
    amount_unit,
    evaluate_formula,
    find_dates,
    parse_amount,
    stated_unit,
    unit_factor,
    year_month,
)


@dataclass
class Parsed:
    """What one document says: its documents row, rows per table, anomalies found while reading, and
    stated figures that only the checks need (budget summary rows, the schedule's 계 row)."""

    document: dict
    tables: dict[str, list[dict]]
    anomalies: list[dict] = field(default_factory=list)
    summary: list[dict] = field(default_factory=list)
    schedule_total: dict | None = None


@dataclass
class Block:
    title: str  # heading text without markers, spaces removed
    heading: int  # 0-based index of the heading line
    end: int  # 0-based index of the next heading (exclusive)


# (key looked for in a heading, English name used in messages); in document order.
BLOCKS = (
    ("예산총괄", "예산 총괄 (budget summary)"),
    ("산출근거", "산출근거 (calculation basis)"),
    ("사업근거", "사업근거 (legal and policy basis)"),
    ("추진경위", "추진경위 (milestones)"),
    ("추진일정", "추진일정 (schedule)"),
    ("추진실적", "추진실적 (outcomes)"),
    ("결산", "결산 현황 (settlements)"),
)
REQUIRED = ("예산총괄", "산출근거", "결산")
_SUB_HEADINGS = {"사업개요", "사업담당자", "예산총괄", "산출근거", "예산설명"}
_SECTION = re.compile(r"^\s*[1-9]\s+[가-힣][가-힣0-9 ]*$")
# Item markers of 산출근거 by level: ○ items, - sub-items, · sub-sub-items (the middle dot as HWP and PDF
# extractions write it: U+00B7, U+318D ㆍ, U+2219 ∙).
_LEVEL_MARKERS = {"○": 1, "◦": 1, "-": 2, "－": 2, "·": 3, "ㆍ": 3, "∙": 3}
_MARKERS = re.escape("".join(_LEVEL_MARKERS))
_ITEM = re.compile(
    rf"^(?P<lead>[^{_MARKERS}=]*?)\s*(?P<marker>[{_MARKERS}])\s*(?P<name>.+?)\s*=\s*"
    r"(?P<amount>[-△]?\s*[\d,]+\s*(?:백만원|천원|원))\s*(?P<tail>.*)$"
)
_ITEM_LIKE = re.compile(rf"^[^=]*[{_MARKERS}][^=]*=\s*\S")
# ``name : basis`` before the ``=``: the basis starts with an amount (``국내 연수 : 3,000천원 × 20명``).
_INLINE_BASIS = re.compile(r"^(?P<name>.*?\S)\s*[:：]\s*(?P<basis>[-△]?\s*\d[\d,.]*\s*(?:백만원|천원|억원|원)[^:：]*)$")
_PARENTHESISED = re.compile(r"^\((?P<inner>[^()]*)\)$")
_AMOUNT_LIKE = re.compile(r"[-△]?[\d,.\s]*\d[\d,.\s]*(?:백만원|천원|억원|원)")
_NOTE = re.compile(r"^(?P<name>.*?\S)\s*\((?P<note>[^()]*)\)\s*$")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_YEAR_LABEL = re.compile(r"^\s*(?P<year>(?:19|20)\d{2})\s*년(?:도)?(?=\s|$)")
_BAD_YEAR_LABEL = re.compile(r"^\s*\d{3,}\s*년(?:도)?(?=\s|$)")
_SETTLEMENT_YEAR = re.compile(r"^((?:19|20)\d{2})\s*(?:년|년도)?$")
_TOTAL_LABELS = vocabulary.total_labels()
_OVERVIEW_LABELS = ("회계", "사업기간", "사업내용", "실·국")
_TABLE_NOTE = re.compile(r"^\s*(?:※|\*\s|주\s*[:：)]|\(주\)|비고\s*[:：])")
_TABLE_NAMES = {"budget_totals": "예산 총괄", "schedule": "추진일정", "settlements": "결산 현황", "milestones": "추진경위"}
_MILESTONE = re.compile(r"^[\s\-·○]*(?P<date>(?:19|20)\d{2}\s*\.\s*\d{1,2})(?!\d)\s*\.?(?:\s*~\s*[\d.]*)?\s*(?P<ev>.+)$")


def _key(text: str) -> str:
    return re.sub(r"[\s*□■▣◆]", "", text)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("\t")]


def find_blocks(lines: list[str]) -> list[Block]:
    """Headings (numbered sections, □ headings, table titles) and where each one's content ends."""
    starts = []
    for i, line in enumerate(lines):
        s = line.strip()
        if not s or "\t" in line:
            continue
        if _SECTION.match(s) or s.startswith("□") or _key(s) in _SUB_HEADINGS:
            starts.append((i, _key(s.lstrip("□"))))
    return [
        Block(title, i, starts[k + 1][0] if k + 1 < len(starts) else len(lines))
        for k, (i, title) in enumerate(starts)
    ]


class DocumentParser:
    """Holds one document's lines while its sections are read; use :func:`parse_document`."""

    def __init__(self, text: str, name: str):
        self.name = name
        self.lines = text.split("\n")
        self.blocks = find_blocks(self.lines)
        self.anomalies: list[dict] = []
        self.document_id = ""
        self.summary_unit: str | None = None  # the unit 예산 총괄 states (its unit line, else its cells)
        self.item_units: list[str] = []  # the units 산출근거 writes after its top-level amounts
        self.unit: str | None = None  # the document's unit: see document_unit()

    # -- helpers -------------------------------------------------------------------------------
    def error(self, message: str, index: int | None = None) -> InputError:
        return InputError(self.name, message, None if index is None else index + 1)

    def note(self, severity: str, check: str, index: int | None, variant: str | None = None, **params) -> None:
        """An anomaly at line ``index`` (0-based), its message in both languages from messages.toml; the
        keywords of :func:`finding` (``table``, ``fiscal_year``, ``other_line``, amounts) pass through."""
        self.anomalies.append(finding(None if index is None else index + 1, severity, check, variant, **params))

    def table_note(self, index: int, table: str, text: str) -> bool:
        """A note under a table (``※ …``, ``주: …``) is information about that table: kept as ``info``.
        False when the line is no note."""
        if not _TABLE_NOTE.match(text):
            return False
        self.note("info", "table_note", index, table=table, table_ko=_TABLE_NAMES[table], text=repr(text[:200]))
        return True

    def block(self, key: str) -> Block | None:
        for b in self.blocks:
            if key in b.title:
                return b
        return None

    def amount(self, cell: str, factor: int, index: int, what: str) -> int:
        try:
            return parse_amount(cell, factor)
        except AmountError as exc:
            raise self.error(f"{what}: {exc}", index) from None

    def block_unit(self, b: Block) -> str | None:
        """The unit a block's ``(단위 : 천원)`` line states, or None when it states none."""
        for i in range(b.heading, b.end):
            if (u := stated_unit(self.lines[i])) is not None:
                return u
        return None

    def block_factor(self, b: Block, default: int | None = None) -> int:
        """The factor for a block's bare numbers: its own unit line, else ``default``, else the document's
        unit (once known), else 천원, the convention of these documents."""
        if (u := self.block_unit(b)) is not None:
            return UNIT_FACTORS[u]
        if default is not None:
            return default
        return UNIT_FACTORS[self.unit] if self.unit else 1_000

    def document_unit(self) -> str | None:
        """The unit the document states for its budget amounts: the 예산 총괄 unit line (``(단위 : 천원, %)``),
        else the unit its amounts carry (``1,100,000천원`` in 예산 총괄, else ``= 232,360천원`` in 산출근거);
        None when it states none (bare numbers are then read as 천원)."""
        if self.summary_unit:
            return self.summary_unit
        return self.item_units[0] if self.item_units else None

    # -- sections ------------------------------------------------------------------------------
    def require_blocks(self) -> None:
        """Missing required tables: a cut-off document names where it ends, else the table missing. A
        section heading that appears twice is refused: which one holds the table would be a guess."""
        names = dict(BLOCKS)
        for key, name in BLOCKS:
            found = [b for b in self.blocks if key in b.title]
            if len(found) > 1:
                raise self.error(f"a second {name} heading (the first is line {found[0].heading + 1})",
                                 found[1].heading)
        missing = [k for k in REQUIRED if self.block(k) is None]
        if not missing:
            return
        last = max((i for i, ln in enumerate(self.lines) if ln.strip()), default=0)
        present = [b for b in self.blocks if any(k in b.title for k, _ in BLOCKS)]
        if "결산" in missing and present:
            where = names.get(next(k for k, _ in BLOCKS if k in present[-1].title))
            raise self.error(f"document ends inside {where}: no {', '.join(names[k] for k in missing)} "
                             "(cut off?)", last)
        raise self.error(f"no {', '.join(names[k] for k in missing)} table")

    def overview(self, summary_start: int) -> dict:
        doc: dict = dict(program_ko=None, department_ko=None, division_ko=None, account_ko=None,
                         period_type_ko=None, total_krw=None, national_krw=None, city_krw=None,
                         source_line=None)
        head = self.lines[:summary_start]
        doc["program_ko"] = self.title()
        for i, line in enumerate(head):
            cells = _cells(line)
            first = next((j for j, c in enumerate(cells) if c), 0)
            key = _key(cells[first])
            values = [c for c in cells[first + 1:] if c]
            if "\t" not in line.strip() and key.startswith(_OVERVIEW_LABELS) and key not in _OVERVIEW_LABELS:
                self.note("warning", "overview_row", i, text=repr(line.strip()[:60]))
            if key in ("사업명", "세부사업명") and values:
                doc["program_ko"] = values[0]
            elif key == "회계" and values:
                doc["account_ko"] = values[0]
            elif key == "사업기간":
                doc["period_type_ko"] = _checked_label(line)
            elif key.startswith("사업비") and doc["total_krw"] is None:
                self._overview_total(doc, values, i)
            elif "실·국" in cells and i + 1 < len(head):
                row = _cells(head[i + 1])
                for label, col in (("실·국", "department_ko"), ("부서명", "division_ko")):
                    j = cells.index(label) if label in cells else -1
                    if 0 <= j < len(row) and row[j]:
                        doc[col] = row[j]
        if doc["total_krw"] is None:
            raise self.error("no 사업비 (당해년도) total in the overview (사업개요)")
        if not doc["program_ko"]:
            raise self.error("no program name: neither a title line before the first section nor a 사업명 row",
                             self.blocks[0].heading if self.blocks else None)
        if not vocabulary.normalise_name(doc["program_ko"]) or len(doc["program_ko"]) > MAX_PROGRAM_NAME:
            line = next((i for i, text in enumerate(self.lines) if doc["program_ko"] in text), None)
            what = "has no letter or digit" if len(doc["program_ko"]) <= MAX_PROGRAM_NAME else (
                f"is longer than {MAX_PROGRAM_NAME} characters")
            raise self.error(f"the program name {doc['program_ko'][:40]!r} {what}: not a 사업명", line)
        return doc

    def title(self) -> str | None:
        """The program name: the document's first line of text, above its first section heading (a
        warning when that is not one plain line)."""
        end = self.blocks[0].heading if self.blocks else len(self.lines)
        found = [i for i in range(end) if self.lines[i].strip()]
        if not found:
            return None
        first = self.lines[found[0]].strip()
        title = " ".join(c for c in _cells(first) if c)
        if len(found) > 1 or title != first:
            self.note("warning", "program_title", found[0], count=len(found), title=repr(title[:40]))
        return title

    def _overview_total(self, doc: dict, values: list[str], i: int) -> None:
        funding = {"국비": "national_krw", "시비": "city_krw", "사비": "city_krw"}  # 사비: garbled 시비
        for cell in values:
            m = re.match(r"^\((?P<src>[^)]+)\)\s*(?P<amt>.*)$", cell)
            if m:
                col = funding.get(m.group("src").replace(" ", ""))
                if col and m.group("amt"):
                    doc[col] = self.amount(m.group("amt"), 1_000, i, f"사업비 {m.group('src')}")
            elif doc["total_krw"] is None:
                doc["total_krw"] = self.amount(cell, 1_000, i, "사업비 (당해년도)")
                doc["source_line"] = i + 1
        if doc["total_krw"] is None:
            raise self.error("사업비 (당해년도) row has no amount", i)

    def budget_summary(self) -> tuple[int, list[dict], list[dict]]:
        b = self.block("예산총괄")
        factor = self.block_factor(b, 1_000)
        self.summary_unit = self.block_unit(b)
        suffixes: set[str] = set()
        header = next((i for i in range(b.heading + 1, b.end)
                       if "(A)" in self.lines[i] and "(B)" in self.lines[i]), None)
        if header is None:
            raise self.error("예산 총괄 has no header row with (A) and (B) columns", b.heading)
        self.rows_before_header(b, header, "예산 총괄")
        cells = _cells(self.lines[header])
        ja, jb, jc, jp = _summary_columns(cells)
        if not ja or not jb:  # None, or the label column: cells run together
            raise self.error("예산 총괄 header needs one (A) and one (B) column, each a cell of its own "
                             f"(tab-separated): {self.lines[header].strip()!r}", header)
        years = [self.column_year(cells[j], header) for j in (ja, jb)]
        if years[0] == years[1]:
            raise self.error(f"예산 총괄 columns (A) and (B) are both labelled {years[0]}", header)
        if years[1] != years[0] + 1:
            raise self.error(f"예산 총괄 column (A) is labelled {years[0]} and (B) {years[1]}: (A) must be the "
                             "year before (B)", header)
        totals, summary = [], []
        for i in range(header + 1, b.end):
            line = self.lines[i]
            row = _cells(line)
            label = row[0]
            if not line.strip() or unit_factor(line) is not None:
                continue
            if not label:
                if any(row[j] for j in (ja, jb, jc) if j is not None and j < len(row)):
                    raise self.error("예산 총괄 row has amounts but no category (구분)", i)
                continue  # the stray percent-only row of the extraction
            if row == cells:
                continue  # the header repeated (a page break)
            if "\t" not in line.strip():
                if _is_percent(line) or self.table_note(i, "budget_totals", line.strip()):
                    continue  # the stray percent-only row, its tabs lost; a note under the table
                raise self.error(f"예산 총괄 row is not tab-separated: {line.strip()[:60]!r}", i)
            if len(row) <= max(ja, jb):
                raise self.error(f"예산 총괄 row {label!r} has {len(row)} cells (cut off?)", i)
            if any(row[len(cells):]):
                raise self.error(f"예산 총괄 row {label!r} has more cells than its header", i)
            a = self.amount(row[ja], factor, i, f"예산 총괄 {label} (A)")
            bb = self.amount(row[jb], factor, i, f"예산 총괄 {label} (B)")
            first = next((r for r in summary if r["category"] == label), None)
            if first is not None:  # the first row of a category is read; a different one is a slip
                same = (first["a"], first["b"]) == (a, bb)
                self.note("warning" if same else "error", "summary_twice", i, "same" if same else None,
                          fiscal_year=years[1], table="budget_totals", other_line=first["source_line"],
                          stated_krw=None if same else bb, computed_krw=None if same else first["b"],
                          category=label, line=first["source_line"], a=f"{a:,}", b=f"{bb:,}",
                          first_a=f"{first['a']:,}", first_b=f"{first['b']:,}")
                continue
            suffixes.update(u for u in (amount_unit(row[ja]), amount_unit(row[jb])) if u)
            change = pct = None
            if jc is not None and jc < len(row) and row[jc]:
                change = self.amount(row[jc], factor, i, f"예산 총괄 {label} (B-A)")
            if jp is not None and jp < len(row):
                pct = self.percent(row[jp], i, label)
            for year, amount, j in ((years[0], a, ja), (years[1], bb, jb)):
                totals.append(dict(fiscal_year=year, category=label, amount_krw=amount, column_ko=cells[j],
                                   source_line=i + 1))
            summary.append(dict(category=label, a=a, b=bb, change=change, pct=pct, source_line=i + 1,
                                pct_decimals=_decimals(row[jp]) if pct is not None else None))
        if not summary:
            raise self.error("예산 총괄 has no rows", header)
        if self.summary_unit is None and len(suffixes) == 1:
            self.summary_unit = suffixes.pop()  # no unit line, but every amount written as N천원
        if not any(_key(r["category"]) in _TOTAL_LABELS for r in summary):
            self.note("warning", "summary_no_total", header)
        return years[1], totals, summary

    def column_year(self, cell: str, index: int) -> int:
        """The one year a budget summary column label names (``2024예산액 (B)``)."""
        found = set(_YEAR.findall(cell))
        if len(found) != 1:
            raise self.error(f"예산 총괄 column {cell!r} names {'no' if not found else 'more than one'} year",
                             index)
        return int(found.pop())

    def percent(self, cell: str, index: int, label: str) -> float | None:
        """A change percent; an unreadable one is a warning (the percent repeats what A and B say)."""
        try:
            return _percent(cell)
        except ValueError:
            self.note("warning", "summary_percent_unread", index, label=label, cell=repr(cell))
            return None

    def rows_before_header(self, b: Block, header: int, table: str) -> None:
        """Lines between a table's title and its header: a tab-separated or numeric line is a row out of
        place (an error: it would be lost); other text is a warning."""
        for i in range(b.heading + 1, header):
            text = self.lines[i].strip()
            if not text or unit_factor(text) is not None:
                continue
            if "\t" in text or text[0].isdigit():
                raise self.error(f"{table} row before its header row: {text[:60]!r}", i)
            self.note("warning", "text_not_read", i, table_ko=table, text=repr(text[:60]))

    def line_items(self, fiscal_year: int) -> list[dict]:
        b = self.block("산출근거")
        items: list[dict] = []
        counters = [0, 0, 0]
        parents: list[str | None] = [None, None, None]
        category = None
        for i in range(b.heading + 1, b.end):
            line = self.lines[i]
            cells = [c for c in _cells(line) if c]
            if not cells or _key(" ".join(cells)).startswith("과목구분") or unit_factor(line) is not None:
                continue
            text = " ".join(cells)
            m = _ITEM.match(text)
            if not m and _ITEM_LIKE.match(text):
                raise self.error(f"산출근거 line looks like a line item (○ name = N천원) but cannot be read: "
                                 f"{text[:60]!r}", i)
            if m:
                level = _LEVEL_MARKERS[m.group("marker")]
                if level > 1 and parents[level - 2] is None:
                    raise self.error(f"sub-item {m.group('name').strip()!r} has no parent item above it", i)
                if m.group("lead").strip():
                    category = m.group("lead").strip()
                counters[level - 1] += 1
                for k in range(level, 3):
                    counters[k] = 0
                item_id = f"{fiscal_year}-" + "-".join(f"{n:02d}" for n in counters[:level])
                parents[level - 1] = item_id
                for k in range(level, 3):
                    parents[k] = None
                name, note, inline = m.group("name").strip(), None, None
                if bm := _INLINE_BASIS.match(name):  # 국내 연수 : 3,000천원 × 20명 = 60,000천원
                    name, inline = bm.group("name").strip(), bm.group("basis").strip()
                if nm := _NOTE.match(name):
                    name, note = nm.group("name").strip(), nm.group("note").strip()
                amount = self.amount(m.group("amount"), 1, i, name)
                if amount < 0:
                    raise self.error(f"line item {name!r} has a negative amount ({amount:,} won)", i)
                if level == 1 and (u := amount_unit(m.group("amount"))):
                    self.item_units.append(u)
                items.append(dict(
                    fiscal_year=fiscal_year, item_id=item_id, parent_id=parents[level - 2] if level > 1 else None,
                    level=level, name_ko=name, amount_krw=amount,
                    basis_ko=note, category_ko=category, stated_won_krw=None, formula_ko=None,
                    formula_krw=None, source_line=i + 1,
                ))
                if inline:
                    self._basis(items[-1], inline, i)
                if m.group("tail").strip():
                    self._basis(items[-1], m.group("tail").strip(" ()"), i)
            elif items:
                self._basis(items[-1], text, i)
            else:
                self.note("warning", "line_item_text", i, text=repr(text[:60]))
        if not items:
            raise self.error("산출근거 has no line items (○ … = N천원)", b.heading)
        return items

    def _basis(self, item: dict, text: str, i: int) -> None:
        """Attach a basis line (the amount in 원, or a formula) to its item and check it. Other text joins
        the item's basis_ko; an amount that cannot be read is a warning, one beyond the bound an error."""
        what = f"basis of line item {item['name_ko']!r}"
        try:
            try:  # a product written with its result (833,330원×12개월=9,999,960원) is the product
                formula = evaluate_formula(text.split("=", 1)[0] if "=" in text else text)
            except ProductRangeError:  # a product beyond every amount cannot be the item's amount: a slip
                self.note("error", "line_item_formula", i, fiscal_year=item["fiscal_year"], table="line_items",
                          other_line=item["source_line"], stated_krw=item["amount_krw"], item=item["name_ko"],
                          formula=text[:80], computed=f"> {MAX_AMOUNT:,}", stated=f"{item['amount_krw']:,}",
                          difference="—")
                formula = None
                text = text[:200]
            won = _stated_won(text) if "=" not in text else None
            if formula is None and won is None and (pm := _PARENTHESISED.match(text)):
                # a basis line in parentheses: (1,200,000원 × 12개월)
                inner = pm.group("inner").strip()
                formula, won = evaluate_formula(inner), _stated_won(inner)
                if formula is not None or won is not None:
                    text = inner
        except AmountError as exc:
            raise self.error(f"{what}: {exc}", i) from None
        if formula is not None:
            item["formula_ko"], item["formula_krw"] = text, formula
            if formula != item["amount_krw"]:
                self.note("error", "line_item_formula", i, fiscal_year=item["fiscal_year"], table="line_items",
                          other_line=item["source_line"], stated_krw=item["amount_krw"], computed_krw=formula,
                          item=item["name_ko"], formula=text, computed=f"{formula:,}",
                          stated=f"{item['amount_krw']:,}", difference=f"{item['amount_krw'] - formula:,}")
        elif won is not None:
            item["stated_won_krw"] = won
            if won != item["amount_krw"]:
                self.note("error", "line_item_won", i, fiscal_year=item["fiscal_year"], table="line_items",
                          other_line=item["source_line"], stated_krw=item["amount_krw"], computed_krw=won,
                          item=item["name_ko"], amount=f"{item['amount_krw']:,}", item_line=item["source_line"],
                          won=f"{won:,}")
        elif _AMOUNT_LIKE.fullmatch(text):
            self.note("warning", "line_item_basis", i, item=item["name_ko"], text=repr(text))
        if item["basis_ko"] is None:
            item["basis_ko"] = text
        elif formula is None and won is None:
            item["basis_ko"] = f"{item['basis_ko']}; {text}"

    def basis_dates(self, fiscal_year: int) -> None:
        """A policy basis dated inside the fiscal year itself cannot predate the document: flag it."""
        b = self.block("사업근거")
        if b is None:
            return
        for i in range(b.heading + 1, b.end):
            for year, month, day in find_dates(self.lines[i]):
                if year >= fiscal_year:
                    when = f"{year}-{month:02d}" + (f"-{day:02d}" if day else "")
                    self.note("warning", "basis_date", i, when=when, fiscal_year=fiscal_year)

    def milestones(self) -> list[dict]:
        """Dated lines of 추진경위; any other text there, a month that does not exist, a repeated line or a
        date out of order is a warning (the milestones are history, nothing adds them up)."""
        b = self.block("추진경위")
        if b is None:
            self.note("info", "missing_section", None, section_ko="추진경위", section="milestones")
            return []
        rows, seen = [], set()
        for i in range(b.heading + 1, b.end):
            text = self.lines[i].replace("\t", " ").strip()
            if not text:
                continue
            m = _MILESTONE.match(text)
            date = year_month(m.group("date")) if m else None
            if date is None:
                if not self.table_note(i, "milestones", text):
                    self.note("warning", "milestone_unread", i, text=repr(text[:60]))
                continue
            row = dict(date=date, event_ko=m.group("ev").strip(), source_line=i + 1)
            if (date, row["event_ko"]) in seen:
                self.note("warning", "milestone_repeated", i, date=date, event=repr(row["event_ko"][:40]))
                continue
            if rows and date < rows[-1]["date"]:
                self.note("warning", "milestone_order", i, date=date, previous=rows[-1]["date"],
                          previous_line=rows[-1]["source_line"])
            seen.add((date, row["event_ko"]))
            rows.append(row)
        return rows

    def schedule(self, fiscal_year: int) -> tuple[list[dict], dict | None]:
        """This year's schedule. Its identities are warnings, so lines it cannot read are warnings too,
        except an amount that is not a number (as everywhere) and a step listed twice with other values."""
        b = self.block("추진일정")
        if b is None:
            self.note("info", "missing_section", None, section_ko="추진일정", section="schedule")
            return [], None
        factor = self.block_factor(b)
        years = {int(y) for y in _YEAR.findall(b.title)}
        year = years.pop() if len(years) == 1 else fiscal_year
        if year != fiscal_year:
            self.note("warning", "schedule_year", b.heading, year=year, fiscal_year=fiscal_year)
        header = next((i for i in range(b.heading + 1, b.end)
                       if any("추진기간" in k or "추진절차" in k for k in map(_key, _cells(self.lines[i])))), None)
        if header is None:
            lines = [i for i in range(b.heading + 1, b.end)
                     if self.lines[i].strip() and unit_factor(self.lines[i]) is None]
            if lines:
                self.note("warning", "schedule_unread", lines[0], count=len(lines))
            return [], None
        self.rows_before_header(b, header, "추진일정")
        keys = [_key(c) for c in _cells(self.lines[header])]
        if twice := sorted({k for k in keys if k and keys.count(k) > 1}):
            raise self.error(f"추진일정 header lists {', '.join(twice)} twice", header)
        cols = _schedule_columns(keys)
        found = [j for j in cols.values() if j is not None]
        if len(found) != len(set(found)) or cols["step"] is None:
            raise self.error("추진일정 header columns cannot be told apart (tab-separated cells for 사업추진절차, "
                             f"추진기간, 금액 …): {self.lines[header].strip()[:60]!r}", header)
        need = max(found) + 1 if cols["amount"] is None else cols["amount"] + 1
        rows, total, steps = [], None, {}
        for i in range(header + 1, b.end):
            line = self.lines[i]
            cells = _cells(line)
            if not line.strip() or unit_factor(line) is not None or [_key(c) for c in cells] == keys:
                continue  # blank, the unit line, the header repeated
            step = cells[cols["step"]] if cols["step"] < len(cells) else ""
            if "\t" not in line or len(cells) < need or not step:
                if not self.table_note(i, "schedule", line.strip()):
                    self.note("warning", "schedule_row", i, text=repr(line.strip()[:60]))
                continue

            def cell(name, cells=cells):
                j = cols[name]
                return cells[j] if j is not None and j < len(cells) else ""

            raw = cell("amount")
            if raw:
                amount = self.amount(raw, factor, i, f"추진일정 {step}")
                if amount < 0:
                    raise self.error(f"추진일정 {step}: negative amount {raw!r}", i)
            else:
                amount = 0
                self.note("info", "schedule_amount", i, step=repr(step))
            if _key(step) in _TOTAL_LABELS:
                if total is not None and total["amount_krw"] != amount:
                    self.note("error", "schedule_totals", i, fiscal_year=year, table="schedule",
                              other_line=total["source_line"], stated_krw=amount, computed_krw=total["amount_krw"],
                              first=f"{total['amount_krw']:,}", line=total["source_line"], second=f"{amount:,}")
                total = total or dict(amount_krw=amount, source_line=i + 1)
                continue
            if extra := [c for c in cells[len(keys):] if c]:
                self.note("warning", "schedule_row", i, "cells", step=repr(step), text=repr(" | ".join(extra)[:60]))
            start, end = _period(cell("period"))
            if cell("period") and (start is None or end is None or start > end
                                   or not {start[:4], end[:4]} <= {str(year), str(year + 1)}):
                self.note("warning", "schedule_period", i, step=repr(step), period=repr(cell("period")), year=year)
            row = dict(fiscal_year=year, step_ko=step, start=start, end=end, amount_krw=amount,
                       detail_ko=cell("detail") or None, source_line=i + 1)
            first = steps.get(step)
            if first and any(first[k] != row[k] for k in ("start", "end", "amount_krw", "detail_ko")):
                self.note("error", "schedule_step_twice", i, fiscal_year=year, table="schedule",
                          other_line=first["source_line"], stated_krw=amount, computed_krw=first["amount_krw"],
                          step=repr(step), line=first["source_line"], first=f"{first['amount_krw']:,}",
                          second=f"{amount:,}")
                continue
            if first:
                self.note("warning", "schedule_repeated", i, step=repr(step))
                continue
            steps[step] = row
            rows.append(row)
        return rows, total

    def activities(self, fiscal_year: int) -> list[dict]:
        """Outcome items per year label. A label that is not a year, a year listed twice or items before
        the first year are errors: the items would land in the wrong year or be lost."""
        b = self.block("추진실적")
        if b is None:
            self.note("info", "missing_section", None, section_ko="추진실적", section="outcomes")
            return []
        items: list[tuple[int, str, int]] = []  # (year, text, line index)
        year, seen = None, {}  # year -> the line of its first label
        for i in range(b.heading + 1, b.end):
            line = self.lines[i]
            if m := _YEAR_LABEL.match(line):
                year = int(m.group("year"))
                if year in seen:
                    self.note("error", "outcome_year_twice", i, fiscal_year=year, table="activities",
                              other_line=seen[year], year=year, line=seen[year])
                elif seen and year != max(seen) + 1:
                    self.note("warning", "outcome_years", i, year=year, previous=max(seen))
                seen.setdefault(year, i + 1)
                if year > fiscal_year:
                    self.note("warning", "outcome_year", i, year=year, fiscal_year=fiscal_year)
                line = line[m.end():]
            elif m := _BAD_YEAR_LABEL.match(line):
                raise self.error(f"추진실적 year label {m.group(0).strip()!r} is not a year (YYYY년도)", i)
            if not line.strip():
                continue
            head, new = act.split_markers(line)
            if year is None:
                if new or "\t" in line.strip():
                    raise self.error(f"추진실적 items before the first year label (YYYY년도): "
                                     f"{line.strip()[:60]!r}", i)
                self.note("warning", "text_not_read", i, "outcomes", text=repr(line.strip()[:60]))
                continue
            if head:
                if items and items[-1][0] == year:
                    y, text, at = items[-1]
                    items[-1] = (y, f"{text} {head}", at)
                else:
                    items.append((year, head, i))
            items.extend((year, t, i) for t in new)
        rows, seq = [], {}
        for year, text, i in items:
            try:
                found = act.item_activities(text)
            except AmountError as exc:
                raise self.error(f"추진실적 {year}: {exc}", i) from None
            for row in found:
                if row["number"] == 0:  # no meeting is the 0th: a slip, and no count from it
                    self.note("warning", "meeting_number_zero", i, fiscal_year=year, table="activities",
                              text=repr(text[:60]))
                    row.update(number=None, count=None, count_note="unreadable")
                seq[year] = seq.get(year, 0) + 1
                rows.append(dict(fiscal_year=year, activity_id=f"{year}-{seq[year]:02d}", **row,
                                 source_line=i + 1))
        return rows

    def settlements(self, fiscal_year: int) -> list[dict]:
        """One row per past year, consecutive and before the document's fiscal year. Every line after the
        header is a year row, a 계 row (not read, noted) or prose (a warning); a row whose year cannot be
        read, or breaks that sequence, is an error. Bare numbers are in the table's own unit (its ``(단위 : 원)``
        line), else in the document's; each row records that unit (``unit_ko``, ``unit_factor``)."""
        b = self.block("결산")
        unit = self.block_unit(b) or self.unit  # its own unit line, else the document's
        factor = UNIT_FACTORS[unit] if unit else 1_000
        names = {"최종예산": "final_budget_krw", "전년이월": "carried_in_krw", "예산변경": "budget_change_krw",
                 "예산현액": "available_krw", "집행액": "executed_krw", "차년이월": "carried_out_krw",
                 "집행잔액": "unspent_krw"}
        header = next((i for i in range(b.heading + 1, b.end)
                       if "집행액" in map(_key, _cells(self.lines[i]))), None)
        if header is None:
            raise self.error("결산 현황 has no header row (연도 … 집행액 …)", b.heading)
        self.rows_before_header(b, header, "결산 현황")
        keys = [_key(c) for c in _cells(self.lines[header])]
        if twice := sorted({k for k in keys if k in names and keys.count(k) > 1}):
            raise self.error(f"결산 header lists {', '.join(twice)} twice", header)
        cols = {names[k]: j for j, k in enumerate(keys) if k in names}
        if missing := [k for k, v in names.items() if v not in cols]:
            raise self.error(f"결산 header lacks {', '.join(missing)}", header)
        rows = []
        for i in range(header + 1, b.end):
            line = self.lines[i]
            text = line.strip()
            if not text or unit_factor(line) is not None:
                continue
            cells = _cells(line)
            if [_key(c) for c in cells] == keys:
                continue  # the header repeated (a page break)
            m = _SETTLEMENT_YEAR.match(cells[0])
            if not m:
                if _key(cells[0]) in _TOTAL_LABELS:
                    self.note("info", "settlement_total", i)
                elif "\t" not in text and text[0].isdigit():
                    raise self.error(f"결산 row is not tab-separated: {text[:60]!r}", i)
                elif "\t" in text:
                    raise self.error(f"결산 row {cells[0]!r} does not start with a year (YYYY)"
                                     if cells[0] else "결산 row has no year in its first cell", i)
                elif not self.table_note(i, "settlements", text):
                    self.note("warning", "text_not_read", i, "settlement", text=repr(text[:60]))
                continue
            y = int(m.group(1))
            if len(cells) <= max(cols.values()):
                raise self.error(f"결산 row {y} has {len(cells)} cells, its header {len(keys)}", i)
            if len([c for c in cells if c]) < len(cols) + 1:
                raise self.error(f"결산 row {y} has {len([c for c in cells if c]) - 1} of "
                                 f"{len(cols)} amounts (cut off?)", i)
            if any(cells[len(keys):]):
                raise self.error(f"결산 row {y} has more cells than its header", i)
            row = dict(fiscal_year=y)
            for label, col in names.items():
                row[col] = self.amount(cells[cols[col]], factor, i, f"결산 {y} {label}")
            first = next((r for r in rows if r["fiscal_year"] == y), None)
            if first is not None:  # the first row of the year is read; which one is right, the analyst decides
                self.note("error", "settlement_year_twice", i, fiscal_year=y, table="settlements",
                          other_line=first["source_line"], stated_krw=row["executed_krw"],
                          computed_krw=first["executed_krw"], year=y, line=first["source_line"],
                          executed=f"{row['executed_krw']:,}", available=f"{row['available_krw']:,}",
                          first_executed=f"{first['executed_krw']:,}", first_available=f"{first['available_krw']:,}")
                continue
            if y >= fiscal_year:
                self.note("error", "settlement_year", i, fiscal_year=y, table="settlements", year=y,
                          document_year=fiscal_year)
            elif rows and y != rows[-1]["fiscal_year"] + 1:
                self.note("error", "settlement_years", i, fiscal_year=y, table="settlements",
                          other_line=rows[-1]["source_line"], year=y, previous=rows[-1]["fiscal_year"],
                          line=rows[-1]["source_line"])
            row.update(unit_ko=unit, unit_factor=UNIT_FACTORS[unit] if unit else None, source_line=i + 1)
            rows.append(row)
        if not rows:
            raise self.error("결산 현황 has no year rows (cut off?)", header)
        return rows


def _stated_won(text: str) -> int | None:
    """The amount of a basis line written in 원 (``232,360,000원``); None for any other text. An amount
    beyond the bound raises AmountRangeError."""
    if not text.rstrip().endswith("원"):
        return None
    try:
        return parse_amount(text)
    except AmountRangeError:
        raise
    except AmountError:
        return None


def _checked_label(line: str) -> str | None:
    """The label after the ticked ``<input checked …/>`` box of a 사업기간 row."""
    m = re.search(r"<input[^>]*checked[^>]*>\s*([^<\t]+)", line)
    return m.group(1).strip() if m else None


def _summary_columns(cells: list[str]) -> tuple[int | None, int | None, int | None, int | None]:
    """Columns (A), (B), change (B-A) and percent of a budget summary header; (A) or (B) is None unless
    exactly one cell ends with it."""
    keys = [c.replace(" ", "") for c in cells]
    ja = [j for j, k in enumerate(keys) if k.endswith("(A)")]
    jb = [j for j, k in enumerate(keys) if k.endswith("(B)")]
    a = ja[0] if len(ja) == 1 else None
    b = jb[0] if len(jb) == 1 else None
    rest = [j for j in range(len(keys)) if j not in (a, b)]
    jc = next((j for j in rest if keys[j].startswith("증감") or keys[j] == "(B-A)"), None)
    jp = next((j for j in rest if j != jc and ("*100" in keys[j] or "%" in keys[j] or "증감률" in keys[j])), None)
    return a, b, jc, jp


_PERCENT = re.compile(r"(?P<sign>[-△−]?)\s*(?P<num>\d{1,15}(?:\.\d{1,6})?)")


def _schedule_columns(keys: list[str]) -> dict[str, int | None]:
    """Columns of a schedule header (keys without spaces): step, period, amount, detail."""
    words = (("step", ("추진절차", "구분")), ("period", ("기간",)), ("amount", ("금액", "예산")),
             ("detail", ("세부", "내용")))
    return {name: next((j for j, k in enumerate(keys) if any(w in k for w in ws)), None) for name, ws in words}


def _is_percent(text: str) -> bool:
    try:
        return _percent(text) is not None
    except ValueError:
        return False


def _decimals(cell: str) -> int:
    """How many decimals a percent cell prints (``△4.9`` → 1, ``27`` → 0)."""
    m = re.search(r"\.(\d+)", cell)
    return len(m.group(1)) if m else 0


def _percent(cell: str) -> float | None:
    """A percent cell as a number; None when empty or ``-`` (not applicable, e.g. A = 0); ValueError when
    it is not a number."""
    text = re.sub(r"\(x-\)", "", cell).strip().rstrip("%").strip().replace(",", "")
    if text in ("", "-", "－", "—"):
        return None
    m = _PERCENT.fullmatch(text)
    if not m:
        raise ValueError(f"not a percent: {cell!r}")
    return -float(m.group("num")) if m.group("sign") else float(m.group("num"))


def _period(text: str) -> tuple[str | None, str | None]:
    """``2024.01~2024.12`` (or ``2024.01~12``, or one month) as start and end months; None for a part that
    cannot be read."""
    parts = re.split(r"\s*[~∼～]\s*", text.strip(), maxsplit=1)
    start = year_month(parts[0]) if parts[0] else None
    if len(parts) == 1:
        return start, start
    end = year_month(parts[1])
    if end is None and start and (m := re.fullmatch(r"(\d{1,2})\.?", parts[1])) and 1 <= int(m.group(1)) <= 12:
        end = f"{start[:4]}-{int(m.group(1)):02d}"
    return start, end


#: The longest program name (사업명) a document may have; a longer "title" is not one.
MAX_PROGRAM_NAME = 120


def parse_document(text: str, name: str) -> Parsed:
    """Every table of one document; raises InputError for a document the pipeline cannot read."""
    p = DocumentParser(text, name)
    p.require_blocks()
    summary_block = p.block("예산총괄")
    fiscal_year, totals, summary = p.budget_summary()
    doc = p.overview(summary_block.heading)
    doc["fiscal_year"] = fiscal_year
    items = p.line_items(fiscal_year)
    p.unit = p.document_unit()
    doc["unit_ko"], doc["unit_factor"] = p.unit, UNIT_FACTORS[p.unit] if p.unit else None
    p.basis_dates(fiscal_year)
    schedule, schedule_total = p.schedule(fiscal_year)
    tables = dict(
        budget_totals=totals,
        line_items=items,
        settlements=p.settlements(fiscal_year),
        activities=p.activities(fiscal_year),
        milestones=p.milestones(),
        schedule=schedule,
    )
    return Parsed(document=doc, tables=tables, anomalies=p.anomalies, summary=summary,
                  schedule_total=schedule_total)
