"""The processed tables' columns: one definition that the CSV writer, datapackage.json, pandera and
``load()`` all read, so the data contract is stated once; and rows to DataFrames with its dtypes."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import vocabulary

ACTIVITY_CATEGORIES = vocabulary.category_ids()
LINE_ITEM_GROUPS = vocabulary.group_ids()
SEVERITIES = ("error", "warning", "info")
PHASES = vocabulary.phase_ids()
COUNT_NOTES = tuple(vocabulary.labels("count_notes"))
#: The tables an anomaly can concern (anomalies.table): where a report shows an affected number.
AFFECTED_TABLES = ("documents", "budget_totals", "line_items", "settlements", "activities", "milestones", "schedule")


@dataclass(frozen=True)
class Field:
    """One column: its name, Table Schema type, whether it may be empty, and what it means."""

    name: str
    type: str  # "string" | "integer" | "number"
    description: str
    required: bool = True
    unit: str | None = None  # "KRW" for money
    enum: tuple[str, ...] | None = None
    minimum: int | None = None
    maximum: int | None = None
    pattern: str | None = None
    phase: str | None = None  # money: the Fiscal Data Package phase of the amounts (budget, executed, ...)


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    phase: str | None = None  # the phase of every amount of a table with a ``phase`` column

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]


def _won(name: str, description: str, required: bool = True, minimum: int | None = None,
         phase: str | None = None) -> Field:
    return Field(name, "integer", description + " (won, KRW)", required, unit="KRW", minimum=minimum, phase=phase)


#: A program id: a slug from vocabulary.toml [[programs]] or, for an unknown program, one made from its name.
PROGRAM_ID = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_PROGRAM = Field("program_id", "string", "Program the row belongs to (documents.program_id)", pattern=PROGRAM_ID)
_PHASE = Field("phase", "string", "Phase of the amount (Fiscal Data Package): budget 예산, final_budget 최종예산, "
               "executed 집행, carried_over 이월, unspent 집행잔액", enum=PHASES)
_DOC = Field("document_id", "string", "Document the row was read from (documents.document_id)")
_LINE = Field("source_line", "integer", "1-based line number in that document", minimum=1)
_FY = Field("fiscal_year", "integer", "Fiscal year the fact is about", minimum=1900, maximum=2999)

DOCUMENTS = Table(
    "documents",
    "One row per ingested budget program explanation (사업설명서).",
    (
        Field("document_id", "string", "Identifier: <program_id>-fy<fiscal year>"),
        _PROGRAM,
        _FY,
        Field("program_ko", "string", "Program name (사업명)"),
        Field("department_ko", "string", "Bureau (실·국)", required=False),
        Field("division_ko", "string", "Division (부서명)", required=False),
        Field("account_ko", "string", "Account (회계), e.g. 일반회계 (general account)", required=False),
        Field("fiscal_period_start", "string", "First day of the fiscal year (Korea: the calendar year)",
              pattern=r"\d{4}-\d{2}-\d{2}"),
        Field("fiscal_period_end", "string", "Last day of the fiscal year", pattern=r"\d{4}-\d{2}-\d{2}"),
        Field("direction", "string", "Direction of every amount (Fiscal Data Package)", enum=("expenditure",)),
        Field("currency", "string", "Currency of every amount (ISO 4217)", enum=("KRW",)),
        Field("unit_ko", "string", "Unit the document states its amounts in (천원, 백만원, 원)", required=False),
        Field("unit_factor", "integer", "Factor applied to the stated amounts to give won (천원: 1000)",
              required=False, minimum=1),
        Field("period_type_ko", "string", "Period type (사업기간), the ticked box", required=False),
        _won("total_krw", "The year's total (사업비 당해년도)", minimum=0, phase="budget"),
        _won("national_krw", "National funding (국비), where stated", required=False, minimum=0,
             phase="budget"),
        _won("city_krw", "City funding (시비), where stated", required=False, minimum=0, phase="budget"),
        Field("source_line", "integer", "Line of the 사업비 (당해년도) row", minimum=1),
        Field("source_file", "string", "Raw file, relative to the processed data folder"),
        Field("sha256", "string", "SHA-256 of the decoded text (UTF-8, LF line ends, no BOM)",
              pattern="[0-9a-f]{64}"),
    ),
    ("document_id",),
)

BUDGET_TOTALS = Table(
    "budget_totals",
    "Budget summary (예산 총괄): approved budget per fiscal year and category; the previous year's (A) "
    "column gives the year before.",
    (
        _PROGRAM,
        _FY,
        Field("category", "string", "Budget category as in the source: 계 (total), 국제부담금, ..."),
        _won("amount_krw", "Approved budget", minimum=0),
        _PHASE,
        Field("column_ko", "string", "Source column label, e.g. 2024예산액 (B)"),
        _DOC,
        _LINE,
    ),
    ("program_id", "fiscal_year", "category"),
    phase="budget",
)

LINE_ITEMS = Table(
    "line_items",
    "Calculation basis (산출근거): the line items of a year's budget; level 1 items sum to the total, "
    "level 2 sub-items to their parent.",
    (
        _PROGRAM,
        _FY,
        Field("item_id", "string", "Stable id: <year>-<nn>[-<nn>[-<nn>]]"),
        Field("parent_id", "string", "item_id of the parent, empty at level 1", required=False),
        Field("level", "integer", "1 for ○ items, 2 for - sub-items, 3 for deeper", minimum=1, maximum=3),
        Field("name_ko", "string", "Item name without its parenthesised note"),
        _won("amount_krw", "Budgeted amount", minimum=0),
        _PHASE,
        Field("basis_ko", "string", "Basis as written: the parenthesised note, else the basis line",
              required=False),
        Field("category_ko", "string", "Budget category (과목구분) the item belongs to", required=False),
        _won("stated_won_krw", "The same amount as written in 원 on the basis line", required=False),
        Field("formula_ko", "string", "Formula basis as written, e.g. 833,330원*12개월", required=False),
        _won("formula_krw", "The formula evaluated", required=False),
        Field("group", "string", "Composition group of the item's top-level item, by its name (vocabulary)",
              enum=LINE_ITEM_GROUPS),
        Field("event_category", "string", "Activity category of a countable event the item funds "
              "(제44차 집행위원회 개최), empty otherwise", required=False, enum=ACTIVITY_CATEGORIES),
        Field("event_count", "integer", "How many such events the item funds, where its name says",
              required=False, minimum=0),
        Field("head_count", "integer", "People the basis states (직원 7명, 인턴 2명 → 9)", required=False, minimum=0),
        Field("head_count_detail", "string", "How they are made up, as stated (직원 7, 인턴 2)", required=False),
        _DOC,
        _LINE,
    ),
    ("program_id", "fiscal_year", "item_id"),
    phase="budget",
)

SETTLEMENTS = Table(
    "settlements",
    "Settlements (결산) of past years. available = final + carried_in + change; "
    "executed + carried_out + unspent = available.",
    (
        _PROGRAM,
        _FY,
        _won("final_budget_krw", "최종예산 final budget", phase="final_budget"),
        _won("carried_in_krw", "전년이월 carried in from the previous year", phase="carried_over"),
        _won("budget_change_krw", "예산변경 budget change", phase="adjustment"),
        _won("available_krw", "예산현액 available budget", phase="available"),
        _won("executed_krw", "집행액 executed", phase="executed"),
        _won("carried_out_krw", "차년이월 carried to the next year", phase="carried_over"),
        _won("unspent_krw", "집행잔액 unspent balance", phase="unspent"),
        Field("unit_ko", "string", "Unit the settlement table states its amounts in (원, 천원)", required=False),
        Field("unit_factor", "integer", "Factor applied to its stated amounts to give won", required=False, minimum=1),
        _DOC,
        _LINE,
    ),
    ("program_id", "fiscal_year"),
)

ACTIVITIES = Table(
    "activities",
    "Outcomes (추진실적): one row per activity (an outcome item gives one per clause that names an activity, "
    "one per number of a numbered meeting); one source line may give several rows.",
    (
        _PROGRAM,
        _FY,
        Field("activity_id", "string", "Stable id: <year>-<nn>"),
        Field("category", "string", "Closed set of activity types", enum=ACTIVITY_CATEGORIES),
        Field("count", "integer", "Number of events stated or implied; empty where the text gives none",
              required=False, minimum=0),
        Field("count_note", "string", "Why count is empty: frequency (a rate such as 월 1회 이상, not a "
              "number of events), not_stated, cumulative (누적 25회: a running total, not the year's), approximate "
              "(약 3회, 3회 내외), upper_bound (최대 3회, 3회 이내), unreadable (a range, a lower bound, two counts "
              "that differ, one count for several activities)", required=False, enum=COUNT_NOTES),
        Field("frequency_ko", "string", "A frequency as written (월 1회 이상), where the text states one",
              required=False),
        Field("month", "integer", "Month stated, 1-12", required=False, minimum=1, maximum=12),
        Field("number", "integer", "Ordinal of a numbered meeting (제N차)", required=False, minimum=1),
        Field("body_ko", "string", "The body whose meeting the row is, as written (총회, 이사회, 자문위원회); "
              "empty for an activity that is no meeting", required=False),
        Field("location_ko", "string", "Place stated", required=False),
        Field("description_ko", "string", "The item's text"),
        _DOC,
        _LINE,
    ),
    ("program_id", "fiscal_year", "activity_id"),
)

MILESTONES = Table(
    "milestones",
    "History (추진경위): dated milestones.",
    (
        _PROGRAM,
        Field("date", "string", "Year and month, YYYY-MM", pattern=r"\d{4}-\d{2}"),
        Field("event_ko", "string", "What happened"),
        _DOC,
        _LINE,
    ),
    ("program_id", "date", "event_ko"),
)

SCHEDULE = Table(
    "schedule",
    "This year's schedule (추진일정) with amounts.",
    (
        _PROGRAM,
        _FY,
        Field("step_ko", "string", "Step (사업추진절차)"),
        Field("start", "string", "Start month, YYYY-MM", required=False, pattern=r"\d{4}-\d{2}"),
        Field("end", "string", "End month, YYYY-MM", required=False, pattern=r"\d{4}-\d{2}"),
        _won("amount_krw", "Amount to execute in the step", minimum=0),
        _PHASE,
        Field("detail_ko", "string", "Details (추진세부내용)", required=False),
        _DOC,
        _LINE,
    ),
    ("program_id", "fiscal_year", "step_ko"),
    phase="budget",
)

ANOMALIES = Table(
    "anomalies",
    "Breaks of the document's identities (severity error: figures the document prints disagree; they are kept "
    "as printed and flagged wherever shown) and other inconsistencies found while reading it.",
    (
        _PROGRAM,
        Field("document_id", "string", "Document the anomaly is in"),
        Field("source_line", "integer", "Line it was found at", required=False, minimum=1),
        Field("severity", "string", "error, warning or info", enum=SEVERITIES),
        Field("check", "string", "Name of the check"),
        Field("message", "string", "What is wrong, with the numbers (English)"),
        Field("message_ko", "string", "The same in Korean (both from messages.toml)"),
        Field("fiscal_year", "integer", "Fiscal year whose figures the finding concerns, where it concerns one",
              required=False, minimum=1900, maximum=2999),
        Field("table", "string", "Table whose figures the finding concerns (line_items, settlements, …)",
              required=False, enum=AFFECTED_TABLES),
        Field("other_line", "integer", "The second line of a broken identity (the total it is checked against)",
              required=False, minimum=1),
        _won("stated_krw", "An identity's amount as the document prints it", required=False),
        _won("computed_krw", "What the identity gives instead (a sum, a formula, B − A)", required=False),
    ),
    (),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (DOCUMENTS, BUDGET_TOTALS, LINE_ITEMS, SETTLEMENTS, ACTIVITIES, MILESTONES, SCHEDULE, ANOMALIES)
}


def pandas_dtypes(table: Table) -> dict[str, str]:
    """dtypes for reading a table: int64 for required integers, nullable Int64 otherwise, str for text."""
    out = {}
    for f in table.fields:
        if f.type == "integer":
            out[f.name] = "int64" if f.required else "Int64"
        elif f.type == "number":
            out[f.name] = "float64"
        else:
            out[f.name] = "str"
    return out


def to_frame(rows: list[dict], table: str) -> pd.DataFrame:
    """A DataFrame with exactly the table's columns, in order, with its dtypes."""
    spec = TABLES[table]
    df = pd.DataFrame(rows, columns=spec.columns)
    return coerce(df, table)


def coerce(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Cast each column to the table's dtype; missing text stays missing (not the string 'nan')."""
    out = df[TABLES[table].columns].copy()
    for col, dtype in pandas_dtypes(TABLES[table]).items():
        if dtype == "str":
            out[col] = out[col].astype("object").where(out[col].notna(), None).astype("str")
        elif dtype == "Int64":
            out[col] = pd.array(out[col].astype("object").where(out[col].notna(), None), dtype="Int64")
        else:
            out[col] = out[col].astype(dtype)
    return out.reset_index(drop=True)
