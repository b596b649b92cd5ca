"""Every chart either draws (with Hangul, no font warnings, a source line) or says why it cannot."""

import warnings

import matplotlib
import pytest

from citynet_analysis.analysis.metrics import Unavailable
from citynet_analysis.reporting.notebook import charts

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def ds(ds_2024):
    return ds_2024


CHARTS = {
    "composition": lambda ds, y, lang: charts.composition_chart(ds, y, lang),
    "program": lambda ds, y, lang: charts.program_chart(ds, y, lang),
    "activities": lambda ds, y, lang: charts.activities_chart(ds, y, lang),
    "trend": lambda ds, y, lang: charts.trend_chart(ds, lang),
    "execution": lambda ds, y, lang: charts.execution_chart(ds, lang),
    "cost_per_event": lambda ds, y, lang: charts.cost_per_event_chart(ds, lang),
}
DRAWS = {"composition": {2024}, "program": {2024}, "activities": {2021, 2022, 2023},
         "trend": {2020, 2021, 2022, 2023, 2024}, "execution": {2020, 2021, 2022, 2023, 2024},
         "cost_per_event": {2020, 2021, 2022, 2023, 2024}}


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_for_every_year(ds, name, lang):
    import matplotlib.pyplot as plt

    for year in ds.fiscal_years():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig = CHARTS[name](ds, year, lang)
            if isinstance(fig, Unavailable):
                assert year not in DRAWS[name], f"{name} {year}: {fig}"
                continue
            assert year in DRAWS[name]
            fig.canvas.draw()
        assert not [w for w in caught if "missing from font" in str(w.message)]
        texts = [t.get_text() for t in fig.texts]
        assert any(t.startswith("출처:" if lang == "ko" else "Source:") for t in texts)
        plt.close(fig)


def test_source_text_cites_reference_series(ds):
    text = charts.source_text(ds, "en", prices=True)
    assert "Statistics Korea" in text and "Bank of Korea" in text and "FY2024" in text
