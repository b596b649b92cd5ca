"""Inputs found in a review of the memo, workbook and portal that ended in an internal error (exit 3):
characters XML refuses in a document's program name, a figure too large to decode for a thumbnail, and a
kept notebook that is not a notebook. Each now gives a clean result."""

import dataclasses
import io
import json

import pandas as pd
from docx import Document
from openpyxl import load_workbook
from PIL import Image

from citynet_analysis.documents.textio import decode
from citynet_analysis.reporting.notebook.records import Kind, Record, read_records, records
from citynet_analysis.reporting.publishers.portal import thumbnail_uri
from citynet_analysis.reporting.publishers.word_memo import write_memo
from citynet_analysis.reporting.publishers.workbook import make_workbook, workbook_info

from .conftest import report_name


def test_non_characters_are_not_text_of_a_document():
    assert decode("시티넷\uffff 사무국\ufffe".encode(), "doc.txt") == "시티넷  사무국 "


def _with_program(ds, name):
    documents = ds.documents.copy()
    documents["program_ko"] = name
    return dataclasses.replace(ds, documents=documents)


def test_a_program_name_xml_refuses_still_gives_a_workbook_and_a_memo(ds_2024, tmp_path):
    ds = _with_program(ds_2024, "시티넷 (2차)\uffff\x0b지원")
    wb = make_workbook({"x": pd.DataFrame({"amount_krw": [1]})}, workbook_info(ds, 2024, "ko"))
    buf = io.BytesIO()
    wb.save(buf)
    title = load_workbook(buf).worksheets[0]["A1"].value
    assert title.startswith("시티넷 (2차)지원")
    (tmp_path / "01_x.ipynb").write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4,
                                                     "nbformat_minor": 5}), encoding="utf-8")
    memo = write_memo(tmp_path, 2024, ds, "ko", report_name(2024))
    assert Document(str(memo)).core_properties.title.startswith("시티넷 (2차)지원")


def test_a_figure_too_large_to_decode_gets_no_thumbnail(tmp_path):
    png = tmp_path / "wide.png"
    Image.new("1", (20_000, 9_000)).save(png)  # 180 million pixels: Pillow refuses to decode it
    assert thumbnail_uri(png) is None


def test_a_kept_file_that_is_not_a_notebook_has_no_records(tmp_path):
    bad = tmp_path / "03_trends.ipynb"
    bad.write_text("[]", encoding="utf-8")
    assert read_records(bad) == [] and records([]) == []
    bad.write_text("{not json", encoding="utf-8")
    assert read_records(bad) == []


def test_only_markdown_headings_outside_code_are_headings():
    nb = {"cells": [{"cell_type": "markdown",
                     "source": "#\n#hashtag\n## 요약 · Summary\n```\n# not a heading\n```\n"}]}
    assert records(nb) == [Record(Kind.HEADING, level=2, text="요약 · Summary")]
