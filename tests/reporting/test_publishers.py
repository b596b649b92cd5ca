"""Publishers as plug-ins: an output format is one module with a ``PUBLISHER`` and one line in the registry;
the batch calls it and the portal links its file, with no change to either."""

from pathlib import Path

import nbformat
import pytest

from citynet_analysis.atomic import write_text
from citynet_analysis.reporting import publishers
from citynet_analysis.reporting.batch import run_batch
from citynet_analysis.reporting.notebook.records import read_records
from citynet_analysis.reporting.publishers.publisher import Publisher, Scope

from ..conftest import PROCESSED
from .conftest import page_path, report_folder

pytestmark = pytest.mark.slow


def _headings(folder: Path, fiscal_year: int, ds, lang: str, name: str) -> Path:
    """A toy format: the year's notebook headings, one per line."""
    lines = [r.text for nb in sorted(folder.glob("*.ipynb")) for r in read_records(nb) if r.kind == "heading"]
    target = folder / f"{name}_headings.txt"
    write_text(target, "\n".join(lines) + "\n")
    return target


TOY = Publisher(name="headings", scope=Scope.YEAR, publish=_headings, file=lambda name: f"{name}_headings.txt",
                label="memo", kind="txt")


def test_a_registered_publisher_is_called_by_the_batch_and_linked_by_the_portal(tmp_path, monkeypatch):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# 장난감 · Toy"),
                nbformat.v4.new_code_cell("fiscal_year = 2024\nprogram = None\nlang = 'ko'\ndata_dir = None\n"
                                          "output_dir = None\nfigure_cache = None", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("print(fiscal_year)")]
    nbformat.write(nb, folder / "toy.ipynb")
    monkeypatch.setattr(publishers, "PUBLISHERS", [*publishers.PUBLISHERS, TOY])  # the one line
    out = tmp_path / "reports"
    jobs = run_batch(years=[2024], data_dir=PROCESSED, out_dir=out, progress=False, notebook_dir=folder)
    assert [j.status for j in jobs] == ["ok"]
    assert (report_folder(out, 2024) / "citynet_2024_ko_headings.txt").read_text(encoding="utf-8") == "장난감 · Toy\n"
    assert 'href="citynet_2024_ko/citynet_2024_ko_headings.txt"' in (out / "index.html").read_text(encoding="utf-8")
    assert page_path(out, 2024, "toy").is_file()  # the registered page publisher ran too


def test_publishers_of_each_scope_are_the_registered_ones():
    assert [p.name for p in publishers.registered(Scope.NOTEBOOK)] == ["html_pages"]
    assert [p.name for p in publishers.registered(Scope.YEAR)] == ["word_memo", "hwpx_memo", "workbook"]
    assert [p.name for p in publishers.registered(Scope.SITE)] == ["portal"]


def test_every_file_starts_with_the_reports_name():
    """A file mailed alone still says what it is: the reports' name (program, year, language) first."""
    from citynet_analysis.config import report_name

    name = report_name("citynet", 2024, "ko")
    assert name == "citynet_2024_ko" and report_name("wego", 2023, "en") == "wego_2023_en"
    assert [p.file(name, "01_budget_overview") for p in publishers.registered(Scope.NOTEBOOK)] == [
        "citynet_2024_ko_01_budget_overview.html"]
    assert [p.file(name) for p in publishers.registered(Scope.YEAR)] == [
        "citynet_2024_ko_memo.docx", "citynet_2024_ko_memo.hwpx", "tables/citynet_2024_ko_tables.xlsx"]
