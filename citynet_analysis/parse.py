"""Parsing one budget program explanation (사업설명서) into table rows that keep their source line.

The parser reads the layout (headings, table headers, markers), never the 2024 numbers: year labels,
committee numbers and the number of items, outcome years and settlement years may all change."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import activities as act
from .amounts import AmountError, evaluate_formula, find_dates, parse_amount, unit_factor, year_month
from .errors import InputError


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
_LEVEL_MARKERS = {"○": 1, "◦": 1, "-": 2, "－": 2, "·": 3, "ㆍ": 3}
_ITEM = re.compile(
    r"^(?P<lead>[^○◦\-－·ㆍ=]*?)\s*(?P<marker>[○◦\-－·ㆍ])\s*(?P<name>[^=]+?)\s*=\s*"
    r"(?P<amount>[-△]?\s*[\d,]+\s*(?:백만원|천원|원))\s*(?P<tail>.*)$"
)
_NOTE = re.compile(r"^(?P<name>.*?\S)\s*\((?P<note>[^()]*)\)\s*$")
_YEAR_LABEL = re.compile(r"^\s*(?P<year>(?:19|20)\d{2})\s*년(?:도)?(?=\s|$|\t)")


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

    # -- helpers -------------------------------------------------------------------------------
    def error(self, message: str, index: int | None = None) -> InputError:
        return InputError(self.name, message, None if index is None else index + 1)

    def note(self, severity: str, check: str, message: str, index: int | None) -> None:
        self.anomalies.append(dict(source_line=None if index is None else index + 1, severity=severity,
                                   check=check, message=message))

    def block(self, key: str) -> Block | None:
        for b in self.blocks:
            if key in b.title:
                return b
        return None

    def amount(self, cell: str, factor: int, index: int, what: str) -> int:
        try:
            return parse_amount(cell, factor)
        except AmountError:
            raise self.error(f"{what}: not an amount: {cell.strip()!r}", index) from None

    def block_factor(self, b: Block, default: int = 1_000) -> int:
        for i in range(b.heading, b.end):
            if (f := unit_factor(self.lines[i])) is not None:
                return f
        return default

    # -- sections ------------------------------------------------------------------------------
    def require_blocks(self) -> None:
        """Missing required tables: a cut-off document names where it ends, else the table missing."""
        missing = [k for k in REQUIRED if self.block(k) is None]
        if not missing:
            return
        names = dict(BLOCKS)
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
        for i, line in enumerate(head):
            cells = _cells(line)
            key = _key(cells[0])
            values = [c for c in cells[1:] if c]
            if doc["program_ko"] is None and line.strip() and not _SECTION.match(line.strip()):
                doc["program_ko"] = line.strip()
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
        return doc

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
        factor = self.block_factor(b)
        header = None
        for i in range(b.heading + 1, b.end):
            cells = _cells(self.lines[i])
            if any("(A)" in c for c in cells) and any("(B)" in c for c in cells):
                header = i
                break
        if header is None:
            raise self.error("예산 총괄 has no header row with (A) and (B) columns", b.heading)
        cells = _cells(self.lines[header])

        def col(pred) -> int | None:
            return next((j for j, c in enumerate(cells) if pred(c.replace(" ", ""))), None)

        ja = col(lambda c: c.endswith("(A)"))
        jb = col(lambda c: c.endswith("(B)"))
        jc = col(lambda c: c.startswith("증감") or c == "(B-A)")
        jp = col(lambda c: "*100" in c or "%" in c or "증감률" in c)
        years = []
        for j in (ja, jb):
            m = re.search(r"((?:19|20)\d{2})", cells[j])
            if not m:
                raise self.error(f"예산 총괄 column {cells[j]!r} names no year", header)
            years.append(int(m.group(1)))
        totals, summary = [], []
        for i in range(header + 1, b.end):
            row = _cells(self.lines[i])
            label = row[0] if row else ""
            if not label or unit_factor(self.lines[i]) is not None:
                continue  # blank lines and the stray percent-only row of the extraction
            if len(row) <= max(j for j in (ja, jb) if j is not None):
                raise self.error(f"예산 총괄 row {label!r} has {len(row)} cells (cut off?)", i)
            if any(r["category"] == label for r in summary):
                raise self.error(f"예산 총괄 lists {label!r} twice", i)
            a = self.amount(row[ja], factor, i, f"예산 총괄 {label} (A)")
            bb = self.amount(row[jb], factor, i, f"예산 총괄 {label} (B)")
            change = self.amount(row[jc], factor, i, f"예산 총괄 {label} (B-A)") if jc and jc < len(row) else None
            pct = _percent(row[jp]) if jp and jp < len(row) else None
            for year, amount, j in ((years[0], a, ja), (years[1], bb, jb)):
                totals.append(dict(fiscal_year=year, category=label, amount_krw=amount, column_ko=cells[j],
                                   source_line=i + 1))
            summary.append(dict(category=label, a=a, b=bb, change=change, pct=pct, source_line=i + 1))
        if not summary:
            raise self.error("예산 총괄 has no rows", header)
        return years[1], totals, summary

    def line_items(self, fiscal_year: int) -> list[dict]:
        b = self.block("산출근거")
        items: list[dict] = []
        counters = [0, 0, 0]
        parents: list[str | None] = [None, None, None]
        category = None
        for i in range(b.heading + 1, b.end):
            line = self.lines[i]
            cells = [c for c in _cells(line) if c]
            if not cells or _key(cells[0]) == "과목구분" or unit_factor(line) is not None:
                continue
            m = _ITEM.match(" ".join(cells))
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
                name, note = m.group("name").strip(), None
                if nm := _NOTE.match(name):
                    name, note = nm.group("name").strip(), nm.group("note").strip()
                items.append(dict(
                    fiscal_year=fiscal_year, item_id=item_id, parent_id=parents[level - 2] if level > 1 else None,
                    level=level, name_ko=name, amount_krw=self.amount(m.group("amount"), 1, i, name),
                    basis_ko=note, category_ko=category, stated_won_krw=None, formula_ko=None,
                    formula_krw=None, source_line=i + 1,
                ))
                if m.group("tail").strip():
                    self._basis(items[-1], m.group("tail").strip(" ()"), i)
            elif items:
                self._basis(items[-1], " ".join(cells), i)
            else:
                self.note("info", "line_item_text", f"text before the first line item ignored: {cells[0]!r}", i)
        if not items:
            raise self.error("산출근거 has no line items (○ … = N천원)", b.heading)
        return items

    def _basis(self, item: dict, text: str, i: int) -> None:
        """Attach a basis line (the amount in 원, or a formula) to its item and check it."""
        formula = evaluate_formula(text)
        if formula is not None:
            item["formula_ko"], item["formula_krw"] = text, formula
            if formula != item["amount_krw"]:
                self.note("warning", "line_item_formula",
                          f"{item['name_ko']}: formula {text} = {formula:,} won, stated "
                          f"{item['amount_krw']:,} won (difference {item['amount_krw'] - formula:,})", i)
        else:
            try:
                won = parse_amount(text)
            except AmountError:
                won = None
            if won is not None and text.rstrip().endswith("원"):
                item["stated_won_krw"] = won
                if won != item["amount_krw"]:
                    raise self.error(f"line item {item['name_ko']!r} is {item['amount_krw']:,} won in 천원 "
                                     f"(line {item['source_line']}) but {won:,} won here", i)
        if item["basis_ko"] is None:
            item["basis_ko"] = text

    def basis_dates(self, fiscal_year: int) -> None:
        """A policy basis dated inside the fiscal year itself cannot predate the document: flag it."""
        b = self.block("사업근거")
        if b is None:
            return
        for i in range(b.heading + 1, b.end):
            for year, month, day in find_dates(self.lines[i]):
                if year >= fiscal_year:
                    when = f"{year}-{month:02d}" + (f"-{day:02d}" if day else "")
                    self.note("warning", "basis_date",
                              f"basis dated {when} inside a document prepared for fiscal {fiscal_year} "
                              f"(before {fiscal_year}-01-01): possibly a wrong year", i)

    def milestones(self) -> list[dict]:
        b = self.block("추진경위")
        if b is None:
            self.note("info", "missing_section", "no 추진경위 (milestones) section", None)
            return []
        rows = []
        pattern = re.compile(r"^[\s\-·○]*(?P<date>(?:19|20)\d{2}\s*\.\s*\d{1,2})\s*\.?(?:\s*~\s*[\d.]*)?\s*(?P<ev>.+)$")
        for i in range(b.heading + 1, b.end):
            m = pattern.match(self.lines[i].replace("\t", " "))
            if m and (date := year_month(m.group("date"))):
                rows.append(dict(date=date, event_ko=m.group("ev").strip(), source_line=i + 1))
        return rows

    def schedule(self, fiscal_year: int) -> tuple[list[dict], dict | None]:
        b = self.block("추진일정")
        if b is None:
            self.note("info", "missing_section", "no 추진일정 (schedule) section", None)
            return [], None
        factor = self.block_factor(b)
        year = re.search(r"((?:19|20)\d{2})", b.title)
        year = int(year.group(1)) if year else fiscal_year
        header = cols = None
        rows, total = [], None
        for i in range(b.heading + 1, b.end):
            cells = _cells(self.lines[i])
            if header is None:
                keys = [_key(c) for c in cells]
                if any("추진기간" in k or "추진절차" in k for k in keys):
                    header = i
                    cols = {
                        name: next((j for j, k in enumerate(keys) if any(w in k for w in words)), None)
                        for name, words in (("step", ("추진절차", "구분")), ("period", ("기간",)),
                                            ("amount", ("금액", "예산")), ("detail", ("세부", "내용")))
                    }
                continue
            if not cells or not cells[0]:
                continue

            def cell(name, cells=cells, cols=cols):
                j = cols.get(name)
                return cells[j] if j is not None and j < len(cells) else ""

            raw = cell("amount")
            if raw:
                amount = self.amount(raw, factor, i, f"추진일정 {cells[0]}")
            else:
                amount = 0
                self.note("info", "schedule_amount", f"schedule step {cells[0]!r} has no amount; read as 0", i)
            if _key(cells[0]) in ("계", "합계", "총계"):
                total = dict(amount_krw=amount, source_line=i + 1)
                continue
            start, end = _period(cell("period"))
            rows.append(dict(fiscal_year=year, step_ko=cells[0], start=start, end=end, amount_krw=amount,
                             detail_ko=cell("detail") or None, source_line=i + 1))
        return rows, total

    def activities(self) -> list[dict]:
        b = self.block("추진실적")
        if b is None:
            self.note("info", "missing_section", "no 추진실적 (outcomes) section", None)
            return []
        items: list[tuple[int, str, int]] = []  # (year, text, line index)
        year = None
        for i in range(b.heading + 1, b.end):
            line = self.lines[i]
            if m := _YEAR_LABEL.match(line):
                year = int(m.group("year"))
                line = line[m.end():]
            if year is None or not line.strip():
                continue
            head, new = act.split_markers(line)
            if head:
                if items and items[-1][0] == year:
                    y, text, at = items[-1]
                    items[-1] = (y, f"{text} {head}", at)
                else:
                    items.append((year, head, i))
            items.extend((year, t, i) for t in new)
        rows, seq = [], {}
        for year, text, i in items:
            for row in act.item_activities(text):
                seq[year] = seq.get(year, 0) + 1
                rows.append(dict(fiscal_year=year, activity_id=f"{year}-{seq[year]:02d}", **row,
                                 source_line=i + 1))
        return rows

    def settlements(self) -> list[dict]:
        b = self.block("결산")
        factor = self.block_factor(b)
        names = {"최종예산": "final_budget_krw", "전년이월": "carried_in_krw", "예산변경": "budget_change_krw",
                 "예산현액": "available_krw", "집행액": "executed_krw", "차년이월": "carried_out_krw",
                 "집행잔액": "unspent_krw"}
        header, cols, rows = None, {}, []
        for i in range(b.heading + 1, b.end):
            cells = _cells(self.lines[i])
            if header is None:
                keys = [_key(c) for c in cells]
                if "집행액" in keys:
                    header = i
                    cols = {names[k]: j for j, k in enumerate(keys) if k in names}
                    if missing := [k for k, v in names.items() if v not in cols]:
                        raise self.error(f"결산 header lacks {', '.join(missing)}", i)
                continue
            m = re.match(r"^((?:19|20)\d{2})\s*(?:년|년도)?$", cells[0]) if cells else None
            if not m:
                continue
            need = max(cols.values()) + 1
            if len([c for c in cells if c]) < len(cols) + 1 or len(cells) < need:
                raise self.error(f"결산 row {m.group(1)} has {len([c for c in cells if c]) - 1} of "
                                 f"{len(cols)} amounts (cut off?)", i)
            if any(r["fiscal_year"] == int(m.group(1)) for r in rows):
                raise self.error(f"결산 lists {m.group(1)} twice", i)
            row = dict(fiscal_year=int(m.group(1)))
            for col, j in cols.items():
                row[col] = self.amount(cells[j], factor, i, f"결산 {m.group(1)} {col}")
            row["source_line"] = i + 1
            rows.append(row)
        if header is None:
            raise self.error("결산 현황 has no header row (연도 … 집행액 …)", b.heading)
        if not rows:
            raise self.error("결산 현황 has no year rows (cut off?)", header)
        return rows


def _checked_label(line: str) -> str | None:
    """The label after the ticked ``<input checked …/>`` box of a 사업기간 row."""
    m = re.search(r"<input[^>]*checked[^>]*>\s*([^<\t]+)", line)
    return m.group(1).strip() if m else None


def _percent(cell: str) -> float | None:
    text = re.sub(r"\(x-\)", "", cell).strip().rstrip("%")
    try:
        return float(text.replace("△", "-").replace(",", ""))
    except ValueError:
        return None


def _period(text: str) -> tuple[str | None, str | None]:
    """``2024.01~2024.12`` (or ``2024.01~12``) as start and end months."""
    parts = re.split(r"\s*[~∼～]\s*", text.strip(), maxsplit=1)
    start = year_month(parts[0]) if parts[0] else None
    end = None
    if len(parts) == 2:
        end = year_month(parts[1])
        if end is None and start and (m := re.match(r"^(\d{1,2})\.?$", parts[1])) and 1 <= int(m.group(1)) <= 12:
            end = f"{start[:4]}-{int(m.group(1)):02d}"
    return start, end or start


def parse_document(text: str, name: str) -> Parsed:
    """Every table of one document; raises InputError for a document the pipeline cannot read."""
    p = DocumentParser(text, name)
    p.require_blocks()
    summary_block = p.block("예산총괄")
    fiscal_year, totals, summary = p.budget_summary()
    doc = p.overview(summary_block.heading)
    doc["fiscal_year"] = fiscal_year
    items = p.line_items(fiscal_year)
    p.basis_dates(fiscal_year)
    schedule, schedule_total = p.schedule(fiscal_year)
    tables = dict(
        budget_totals=totals,
        line_items=items,
        settlements=p.settlements(),
        activities=p.activities(),
        milestones=p.milestones(),
        schedule=schedule,
    )
    return Parsed(document=doc, tables=tables, anomalies=p.anomalies, summary=summary,
                  schedule_total=schedule_total)
