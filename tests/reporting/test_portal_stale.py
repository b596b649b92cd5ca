"""The portal shows what the folders hold: a card whose reports were made from other data than the data
set now holds is marked stale and shows no headline figures that would disagree with its pages."""

from citynet_analysis.reporting.publishers.portal import Headlines, year_card
from citynet_analysis.reporting.runs import RunEntry, Status


def _entry(data: str) -> RunEntry:
    return RunEntry(year=2024, notebook="01_budget_overview", path="citynet_2024_ko/01_budget_overview.ipynb",
                    status=Status.OK, program="citynet", folder="citynet_2024_ko", key_parts={"data": data})


def test_a_card_of_other_data_is_stale_without_figures(tmp_path, ds_2024):
    headlines = Headlines(ds_2024)
    now = ds_2024.fingerprint
    fresh = year_card(tmp_path, 2024, [_entry(now)], "ko", headlines, "citynet_2024_ko", data=now)
    stale = year_card(tmp_path, 2024, [_entry("made-from-other-data")], "ko", headlines, "citynet_2024_ko", data=now)
    assert fresh["state"] == "ok" and fresh["figures"][0]["value"] == "1,100.0백만원"
    assert stale["state"] == "stale" and stale["figures"] == [] and "다시 실행" in stale["state_text"]


def test_a_stale_card_says_so_in_its_own_language(tmp_path, ds_2024):
    """The card's words are its reports' language: an English card of a portal any batch writes."""
    entry = RunEntry(year=2024, notebook="01_budget_overview", path="citynet_2024_en/01_budget_overview.ipynb",
                     status=Status.OK, program="citynet", folder="citynet_2024_en", lang="en",
                     key_parts={"data": "made-from-other-data"})
    card = year_card(tmp_path, 2024, [entry], "en", Headlines(ds_2024), "citynet_2024_en", language="en",
                     data=ds_2024.fingerprint)
    assert card["heading"] == "FY2024 · English" and card["lang"] == "en"
    assert card["state_text"] == "data changed since: run this year again" and card["t"]["figures"] == "Figures"
