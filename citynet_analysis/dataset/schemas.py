"""pandera schemas built from the table definitions, the check that runs them on a data set, and the same
rules cell by cell for ``load()``."""

from __future__ import annotations

import re
import warnings

import pandas as pd

from .tables import TABLES, Field, Table, pandas_dtypes


def _schema(table: Table):
    import pandera.pandas as pa

    dtypes = pandas_dtypes(table)
    columns = {}
    for f in table.fields:
        checks = []
        if f.enum:
            checks.append(pa.Check.isin(list(f.enum)))
        if f.minimum is not None:
            checks.append(pa.Check.ge(f.minimum))
        if f.maximum is not None:
            checks.append(pa.Check.le(f.maximum))
        if f.pattern:
            checks.append(pa.Check.str_matches(f"^(?:{f.pattern})$"))
        columns[f.name] = pa.Column(dtypes[f.name], nullable=not f.required, checks=checks)
    return pa.DataFrameSchema(columns, unique=list(table.primary_key) or None, strict=True, ordered=True)


def schema_errors(tables: dict[str, pd.DataFrame]) -> list[str]:
    """One message per failing check of each table's pandera schema (empty when every table passes)."""
    import pandera.pandas as pa

    out = []
    for name, spec in TABLES.items():
        df = tables[name]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _schema(spec).validate(df, lazy=True)
        except pa.errors.SchemaErrors as exc:
            cases = exc.failure_cases
            for _, case in cases.head(20).iterrows():
                where = ""
                idx = case.get("index")
                if idx is not None and not pd.isna(idx) and "source_line" in df and int(idx) in df.index:
                    where = f" (line {df.loc[int(idx), 'source_line']} of {df.loc[int(idx), 'document_id']})"
                out.append(f"{name}.{case['column']}: {case['check']} failed for {case['failure_case']!r}{where}")
    return out


def cell_problem(field: Field, value) -> str | None:
    """What breaks the field's rules in one parsed cell (None if nothing): the checks of the pandera
    schema above, cell by cell, so that ``load()`` can apply them without pandera's import and overhead."""
    if value is None:
        return f"{field.name} is empty (required)" if field.required else None
    if field.enum and value not in field.enum:
        return f"{field.name} {value!r} is not one of {', '.join(field.enum)}"
    if field.minimum is not None and value < field.minimum:
        return f"{field.name} {value} is below the minimum {field.minimum}"
    if field.maximum is not None and value > field.maximum:
        return f"{field.name} {value} is above the maximum {field.maximum}"
    if field.pattern and not re.fullmatch(field.pattern, value):
        return f"{field.name} {value!r} does not match {field.pattern}"
    return None
