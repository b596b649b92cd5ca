"""Writing and reading a processed data set: one UTF-8 CSV per table plus ``datapackage.json``.

Writes go to a temporary folder beside the target that replaces it only when complete, so a failed run
leaves the previous data set exactly as it was."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from .atomic import replace_dir
from .errors import InputError
from .frames import coerce
from .tables import TABLES, Table, pandas_dtypes

PACKAGE_NAME = "citynet-secretariat-budget"


def table_schema(table: Table) -> dict:
    """The frictionless Table Schema of one table."""
    fields = []
    for f in table.fields:
        d: dict = {"name": f.name, "type": f.type, "description": f.description}
        constraints: dict = {}
        if f.required:
            constraints["required"] = True
        if f.enum:
            constraints["enum"] = list(f.enum)
        if f.minimum is not None:
            constraints["minimum"] = f.minimum
        if f.maximum is not None:
            constraints["maximum"] = f.maximum
        if f.pattern:
            constraints["pattern"] = f.pattern
        if constraints:
            d["constraints"] = constraints
        if f.unit:
            d["unit"] = f.unit
            d["currency"] = f.unit
        fields.append(d)
    schema: dict = {"fields": fields, "missingValues": [""]}
    if table.primary_key:
        schema["primaryKey"] = list(table.primary_key)
    return schema


def datapackage(tables: dict[str, pd.DataFrame]) -> dict:
    """The ``datapackage.json`` descriptor: a resource with its Table Schema per CSV."""
    return {
        "name": PACKAGE_NAME,
        "title": "Seoul Metropolitan Government support for the CityNet secretariat: budget documents as tables",
        "description": "Parsed from the city's budget program explanations (사업설명서); every amount is an "
                       "integer number of won (KRW); every row names its document and source line.",
        "currency": "KRW",
        "resources": [
            {
                "name": name,
                "path": f"{name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": TABLES[name].description,
                "schema": table_schema(TABLES[name]),
            }
            for name in TABLES
            if name in tables
        ],
    }


def write_dataset(tables: dict[str, pd.DataFrame], out_dir: str | Path) -> None:
    """Write every table and the descriptor into ``out_dir``, replacing it whole and only when complete."""
    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        for name in TABLES:
            tables[name].to_csv(tmp / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\n")
        text = json.dumps(datapackage(tables), ensure_ascii=False, indent=2) + "\n"
        (tmp / "datapackage.json").write_text(text, encoding="utf-8")
        replace_dir(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def read_dataset(data_dir: str | Path) -> dict[str, pd.DataFrame]:
    """Every table of a processed data set, with the contract's dtypes."""
    d = Path(data_dir)
    if not (d / "datapackage.json").is_file():
        raise InputError(str(d), "not a processed data set (no datapackage.json); run `citynet-analysis ingest`")
    out = {}
    for name, spec in TABLES.items():
        path = d / f"{name}.csv"
        if not path.is_file():
            raise InputError(str(path), "missing table")
        dtypes = pandas_dtypes(spec)
        read_as = {c: ("str" if t == "str" else "Int64") for c, t in dtypes.items() if t != "float64"}
        try:
            df = pd.read_csv(path, dtype=read_as, keep_default_na=False, na_values=[""], encoding="utf-8")
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(str(path), f"cannot read table: {str(exc).splitlines()[0]}") from None
        if list(df.columns) != spec.columns:
            raise InputError(str(path), f"columns {list(df.columns)} differ from {spec.columns}", 1)
        try:
            out[name] = coerce(df, name)
        except (ValueError, TypeError):
            bad = [c for c, t in dtypes.items() if t == "int64" and df[c].isna().any()]
            raise InputError(str(path), f"empty values in required column(s) {', '.join(bad)}") from None
    return out
