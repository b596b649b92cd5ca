"""Make the Word memo's reference document, ``citynet_analysis/templates/word/memo.docx``.

The memo (:mod:`citynet_analysis.reporting.publishers.word_memo`) opens this file, drops its sample body and writes the
fiscal year's content with its styles. An analyst can restyle the memo by opening the file in Word,
changing the styles (sizes, colours, spacing, borders, the footer) and saving it; the next batch uses it.
The fonts are the one thing the memo sets itself, per language, so that Word and Hangul (한글) on a
Korean PC always find a Korean face for Hangul.

Run from the repository: ``.venv/bin/python scripts/make_memo_template.py``."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor, Twips

from citynet_analysis.atomic import atomic_path
from citynet_analysis.reporting.publishers.word_memo import (
    FIGURE_STYLE,
    OOXML_FIRST,
    TABLE_STYLE,
    TABLE_TEXT_STYLE,
    TEMPLATE,
    clean_package,
    normalize_zip,
    set_document_fonts,
)

INK = RGBColor(0x1F, 0x2A, 0x44)
GREY = RGBColor(0x55, 0x5F, 0x6D)
KEEP_TABLE_STYLES = {"TableNormal", "TableGrid"}
#: The template's own date (its properties and zip entries): fixed, so that remaking it changes nothing.
TEMPLATE_TIME = dt.datetime(2024, 1, 1)


def _remove_table_styles(doc) -> None:
    """Word offers its built-in table styles anyway; the template keeps only the ones the memo uses."""
    for style in list(doc.styles.element.findall(qn("w:style"))):
        if style.get(qn("w:type")) == "table" and style.get(qn("w:styleId")) not in KEEP_TABLE_STYLES:
            style.getparent().remove(style)


def _korean_text(doc) -> None:
    """Korean text as a Hangul document sets it, in the document defaults: broken at spaces, never between
    two syllables of a word (``w:wordWrap`` off: Word's "allow Korean words to be broken" unchecked, as
    CSS ``word-break: keep-all``), and no automatic space between Hangul and Latin letters or digits
    (Word's default would write ``2024 년``, ``5 명``): Korean text is written ``2024년``, ``5명``."""
    ppr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    successors = ("w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
                  "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
                  "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
    for tag in ("w:wordWrap", "w:autoSpaceDE", "w:autoSpaceDN"):  # in this order (CT_PPrBase)
        el = OxmlElement(tag)
        el.set(qn("w:val"), "0")
        ppr.insert_element_before(el, *successors)
    rpr = ppr.getparent().getparent().find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for tag in ("w:sz", "w:szCs"):  # 10 pt, as Normal
        rpr.find(qn(tag)).set(qn("w:val"), "20")


def _paragraph_styles(doc) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.size = Pt(10)
    pf = normal.paragraph_format
    pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(6), 1.3  # Hangul needs air between lines

    title = styles["Title"]
    title.font.size, title.font.bold, title.font.color.rgb = Pt(20), True, INK
    title.paragraph_format.space_after = Pt(4)
    title.paragraph_format.line_spacing = 1.1

    subtitle = styles["Subtitle"]
    num = subtitle.element.pPr.find(qn("w:numPr")) if subtitle.element.pPr is not None else None
    if num is not None:  # python-docx's default has a stray numbering level here
        num.getparent().remove(num)
    subtitle.font.size, subtitle.font.italic, subtitle.font.color.rgb = Pt(10), False, GREY
    subtitle.paragraph_format.space_after = Pt(18)

    for name, size, before, after in (("Heading 1", 14, 18, 6), ("Heading 2", 12, 12, 4)):
        h = styles[name]
        h.font.size, h.font.bold, h.font.color.rgb = Pt(size), True, INK
        h.paragraph_format.space_before, h.paragraph_format.space_after = Pt(before), Pt(after)
        h.paragraph_format.keep_with_next = True

    bullet = styles["List Bullet"]
    bullet.paragraph_format.space_after = Pt(3)

    caption = styles["Caption"]
    caption.font.size, caption.font.bold, caption.font.color.rgb = Pt(9), True, GREY
    caption.paragraph_format.space_before, caption.paragraph_format.space_after = Pt(3), Pt(10)

    figure = styles.add_style(FIGURE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    figure.base_style, figure.quick_style = normal, True
    figure.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    figure.paragraph_format.keep_with_next = True  # the caption follows on the same page
    figure.paragraph_format.space_before, figure.paragraph_format.space_after = Pt(6), Pt(0)
    figure.paragraph_format.line_spacing = 1.0

    cell = styles.add_style(TABLE_TEXT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    cell.base_style, cell.quick_style = normal, True
    cell.font.size = Pt(9)
    cell.paragraph_format.space_before, cell.paragraph_format.space_after = Pt(0), Pt(0)
    cell.paragraph_format.line_spacing = 1.15


def _border(parent, side: str, size: int, color: str) -> None:
    el = OxmlElement(f"w:{side}")
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(size))
    el.set(qn("w:space"), "0")
    el.set(qn("w:color"), color)
    parent.append(el)


def _table_style(doc) -> None:
    """Rules above and below, light lines between rows, a shaded bold header row (Word's "header row"
    option of the table style), small cell margins."""
    style = doc.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
    style.base_style = doc.styles["Normal Table"]
    style.quick_style = True
    el = style.element
    ppr = OxmlElement("w:pPr")
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:before"), "0")
    spacing.set(qn("w:after"), "0")
    ppr.append(spacing)
    el.append(ppr)
    el.append(OxmlElement("w:rPr"))
    tblpr = OxmlElement("w:tblPr")
    borders = OxmlElement("w:tblBorders")
    _border(borders, "top", 8, "1F2A44")
    _border(borders, "bottom", 8, "1F2A44")
    _border(borders, "insideH", 4, "BFC5CE")
    tblpr.append(borders)
    margins = OxmlElement("w:tblCellMar")
    for side, width in (("top", 40), ("left", 80), ("bottom", 40), ("right", 80)):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), str(width))
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    tblpr.append(margins)
    el.append(tblpr)
    first = OxmlElement("w:tblStylePr")
    first.set(qn("w:type"), "firstRow")
    rpr = OxmlElement("w:rPr")
    rpr.append(OxmlElement("w:b"))
    first.append(rpr)
    tcpr = OxmlElement("w:tcPr")
    tcb = OxmlElement("w:tcBorders")
    _border(tcb, "bottom", 6, "1F2A44")
    tcpr.append(tcb)
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), "E4E8EF")
    tcpr.append(shd)
    first.append(tcpr)
    el.append(first)


def _page(doc) -> None:
    """A4 portrait, 2 cm margins, the page number in the footer."""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Twips(11906), Twips(16838)  # A4 as Word writes it
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    section.header_distance = section.footer_distance = Cm(1.0)
    p = section.footer.paragraphs[0]
    p.style = doc.styles["Footer"]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    r.append(t)
    field.append(r)
    p._p.append(field)


def _samples(doc) -> None:
    """One paragraph per style, so the analyst sees what to restyle (the memo removes them)."""
    doc.add_paragraph("시티넷 사무국 운영 지원 · 2024 회계연도 (Title)", style="Title")
    doc.add_paragraph("원문 seoul_citynet_budget_explanation_2024.txt · 작성 2024-01-01 (Subtitle)", style="Subtitle")
    doc.add_paragraph("시티넷 사무국 지원 예산 개요 (Heading 1)", style="Heading 1")
    doc.add_paragraph("요약 (Heading 2)", style="Heading 2")
    p = doc.add_paragraph("2024년 예산: ", style="List Bullet")
    p.add_run("1,100.0백만원").bold = True
    p.add_run(" (List Bullet)")
    doc.add_paragraph("본문 단락입니다. Body text in the Normal style.", style="Normal")
    doc.add_paragraph("[그림 / figure] (" + FIGURE_STYLE + ")", style=FIGURE_STYLE)
    doc.add_paragraph("그림 1. 항목별 구성 (Caption)", style="Caption")
    doc.add_paragraph("표 1. 항목별 구성 (Caption)", style="Caption")
    table = doc.add_table(rows=2, cols=2)
    table.style = doc.styles[TABLE_STYLE]
    for row, texts in zip(table.rows, (("항목", "금액 (백만원)"), ("인건비", "331.7")), strict=True):
        for cell, text in zip(row.cells, texts, strict=True):
            cell.paragraphs[0].style = doc.styles[TABLE_TEXT_STYLE]
            cell.paragraphs[0].add_run(text)
        row.cells[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def make_template(target: Path = TEMPLATE) -> Path:
    doc = Document()
    _remove_table_styles(doc)
    _korean_text(doc)
    _paragraph_styles(doc)
    _table_style(doc)
    _page(doc)
    _samples(doc)
    set_document_fonts(doc, "ko")
    props = doc.core_properties
    props.title, props.subject, props.author = "citynet-analysis memo template", "", "citynet-analysis"
    props.last_modified_by, props.comments, props.keywords, props.language = "", "", "", "ko-KR"
    props.revision = 1
    props.created = props.modified = TEMPLATE_TIME
    clean_package(doc)  # no "Microsoft Macintosh Word" and no thumbnail of a blank page from python-docx's default
    buf = io.BytesIO()
    doc.save(buf)
    with atomic_path(target) as tmp:
        tmp.write_bytes(normalize_zip(buf.getvalue(), TEMPLATE_TIME, first=OOXML_FIRST))  # the same bytes every time
    return target


if __name__ == "__main__":
    print(make_template())
