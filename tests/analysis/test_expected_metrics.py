"""Expected results, Tax-Calculator style: metric tables over every fiscal year of the embedded data are
compared with ``expected/<name>_expect.csv``. On a mismatch the actual table is written beside it as
``<name>_actual.csv``; if the new numbers are right, accept them with

    mv tests/expected/<name>_actual.csv tests/expected/<name>_expect.csv
"""

import io
from pathlib import Path

import pandas as pd
import pytest

from citynet_analysis import load
from citynet_analysis.analysis import metrics

EXPECTED_DIR = Path(__file__).parent / "expected"

TABLES = {
    "metrics_by_year": metrics.metrics_by_year,
    "budget_growth": lambda ds: metrics.growth(metrics.budget_series(ds)),
    "executed_growth": lambda ds: metrics.growth(metrics.executed_series(ds)),
    "execution_rates": metrics.execution_rates,
    "cost_per_event": metrics.cost_per_event_table,
    "composition_2024": lambda ds: metrics.composition(ds, 2024),
    "activity_counts": metrics.activity_counts,
}


def _same(got: pd.DataFrame, expected: pd.DataFrame) -> bool:
    if list(got.columns) != list(expected.columns) or got.shape != expected.shape:
        return False
    for col in expected.columns:
        a, e = got[col], expected[col]
        if (pd.api.types.is_numeric_dtype(e) and pd.api.types.is_numeric_dtype(a)
                and not pd.api.types.is_bool_dtype(e)):
            if not (((a - e).abs().fillna(0) <= 1e-6).all() and (a.isna() == e.isna()).all()):
                return False
        elif not (a.astype(str).where(a.notna(), "") == e.astype(str).where(e.notna(), "")).all():
            return False
    return True


@pytest.mark.parametrize("name", sorted(TABLES))
def test_metric_table_matches_expected(name):
    actual = TABLES[name](load())
    expect_path = EXPECTED_DIR / f"{name}_expect.csv"
    actual_path = EXPECTED_DIR / f"{name}_actual.csv"
    text = actual.to_csv(index=False, lineterminator="\n")
    got = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])
    if expect_path.exists():
        expected = pd.read_csv(expect_path, encoding="utf-8", keep_default_na=False, na_values=[""])
        if _same(got, expected):
            actual_path.unlink(missing_ok=True)
            return
    actual_path.write_text(text, encoding="utf-8")
    raise AssertionError(f"{name} differs from {expect_path.name}; wrote {actual_path.name}. If the new numbers "
                         f"are right: mv {actual_path} {expect_path}")
