"""Self-contained HTML reports from notebooks, with the Korean font embedded.

Why: nbconvert's default HTML shows Hangul as boxes on a machine without a Korean system font (the
browser does not use matplotlib's font) and loads require.js and MathJax from a CDN, which an offline
reader cannot reach. The ``memo`` template (``templates/memo``) drops every
network script and puts an embedded NanumGothic ``@font-face`` first in the font stacks, limited to
Hangul/CJK code points by ``unicode-range`` so Latin text keeps the reader's usual fonts. Figures are
already embedded by nbconvert as base64 PNGs; local markdown images are embedded too.

With fontTools (a matplotlib dependency, so normally present) the font is subset to the characters the
notebook uses (a few kB instead of 4.7 MB); without it the whole font is embedded.

A page is in one language. A notebook holds its prose in both: Markdown cells tagged ``lang-ko`` and
``lang-en`` (and untagged cells for both), plus a cell tagged ``instructions`` (how to run it) that is
never published. nbconvert's ``TagRemovePreprocessor`` drops the other language's cells and the
instructions; :class:`PagePreprocessor` then makes the rest read as one page in the language (see
:func:`prepare_page`): an untagged heading ``한국어 · English`` shows its language's part, the page title
is the notebook's title in the language, a result that is not available is said once (one box per
metric, its reasons together), every report table gets its caption (its ``[tables]`` title) and a
``num`` class on the cells of its number columns (the template aligns text left and numbers right), and a
figure the notebook gave a title (``report.figure(..., title=)``) is captioned with it (escaped, below the
figure). Every figure's alt text is its caption in the page's language (:func:`.outline.figure_title`: its
title, else ``[portal_figures]``, else its name in words), an image no record names is a ``그림`` /
``Figure``. A table's headers are as the notebook showed them, with the labels and units it gave its
columns (``TableView`` escapes them). A published page (:func:`publish_page`) starts with a link back to
the portal, ``../index.html``, in the page's language (a plain relative link: in a copy mailed alone it
leads nowhere, and nothing else breaks).
"""

from __future__ import annotations

import base64
import contextlib
import copy
import functools
import html
import io
import os
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ... import config
from ...atomic import write_text
from ..notebook.figures import FONT_NAME, FONT_PATH, quiet_fonttools_subsetter
from ..notebook.format import heading_part, label
from ..notebook.records import RECORD_KEY, Kind, cell_language, records, title, unpublished_tags
from .outline import figure_title, table_caption_title
from .publisher import Publisher, Scope

__all__ = [
    "CSP",
    "CSS_FONT_FAMILY",
    "FONT_UNICODE_RANGES",
    "TEMPLATE_DIR",
    "TEMPLATE_NAME",
    "find_external_resources",
    "font_face_css",
    "font_chars",
    "mark_number_columns",
    "notebook_to_html",
    "prepare_page",
]

#: Folder holding nbconvert templates shipped with the package (package-data ``templates/**/*``).
TEMPLATE_DIR: Path = config.TEMPLATE_DIR
TEMPLATE_NAME = "memo"
#: CSS family name of the embedded font.
CSS_FONT_FAMILY = f"'{FONT_NAME}'"
#: Code point ranges the embedded font is used for: Hangul Jamo, CJK symbols and punctuation, Hangul
#: compatibility Jamo, enclosed CJK letters (㈜), Jamo extended A, CJK unified ideographs (hanja),
#: Hangul syllables, Jamo extended B, CJK compatibility ideographs, half-/full-width forms.
FONT_UNICODE_RANGES: tuple[tuple[int, int], ...] = (
    (0x1100, 0x11FF),
    (0x3000, 0x303F),
    (0x3130, 0x318F),
    (0x3200, 0x32FF),
    (0x4E00, 0x9FFF),
    (0xA960, 0xA97F),
    (0xAC00, 0xD7AF),
    (0xD7B0, 0xD7FF),
    (0xF900, 0xFAFF),
    (0xFF00, 0xFFEF),
)

#: Content-Security-Policy of every page we write: no script, nothing from the network; images and
#: fonts only as data: URLs, styles only inline.
CSP = ("default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; "
       "base-uri 'none'; form-action 'none'")

# Output data that is binary (base64) and can hold no text worth a glyph.
_BINARY_MIMETYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf")
# Tables fontTools cannot subset (VTT hinting sources): dropping them up front avoids log noise.
_DROP_TABLES = ("TSI0", "TSI1", "TSI2", "TSI3", "TSI5")


# --------------------------------------------------------------------------------------------------
# Font
# --------------------------------------------------------------------------------------------------


def _in_ranges(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in FONT_UNICODE_RANGES)


def _unicode_range_css() -> str:
    return ", ".join(f"U+{lo:04X}-{hi:04X}" for lo, hi in FONT_UNICODE_RANGES)


def _iter_strings(obj: Any, key: str | None = None) -> Iterator[str]:
    if isinstance(obj, str):
        if key not in _BINARY_MIMETYPES:
            yield obj
    elif isinstance(obj, Mapping):
        for k, v in obj.items():
            if k == "attachments":
                continue
            yield from _iter_strings(v, k)
    elif isinstance(obj, list | tuple):
        for v in obj:
            yield from _iter_strings(v, key)


def font_chars(nb: Mapping[str, Any]) -> str:
    """Return the sorted distinct characters of ``nb`` that the embedded font should cover.

    Looks at every cell source, output text/HTML and metadata string (HTML entities decoded), skipping
    binary image data.
    """
    chars: set[str] = set()
    for s in _iter_strings(nb):
        for text in (s, html.unescape(s)) if "&" in s else (s,):
            chars.update(ch for ch in text if _in_ranges(ord(ch)))
    return "".join(sorted(chars))


@functools.lru_cache(maxsize=16)
def _subset_font(chars: str) -> tuple[bytes, str]:
    """Subset the shipped font to ``chars``; return (font bytes, CSS format name)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    quiet_fonttools_subsetter()
    try:
        import brotli  # noqa: F401

        flavor = "woff2"
    except ImportError:
        flavor = "woff"  # zlib, always available
    options = subset.Options()
    options.flavor = flavor
    options.drop_tables = list(options.drop_tables) + list(_DROP_TABLES)
    options.notdef_outline = True
    # recalcTimestamp=False keeps head.modified as shipped: same notebook -> same bytes.
    font = TTFont(str(FONT_PATH), recalcTimestamp=False)
    try:
        subsetter = subset.Subsetter(options=options)
        subsetter.populate(unicodes=sorted({ord(c) for c in chars}))
        subsetter.subset(font)
        buf = io.BytesIO()
        subset.save_font(font, buf, options)
    finally:
        font.close()
    return buf.getvalue(), flavor


def font_face_css(chars: Iterable[str] | None = None, *, family: str = CSS_FONT_FAMILY) -> str:
    """Return a ``@font-face`` rule embedding the shipped Korean font as base64.

    ``chars``: the characters to keep (subset with fontTools, if importable); None embeds the whole
    font. The rule carries a ``unicode-range`` so browsers use it only for Hangul/CJK text.
    """
    data: bytes | None = None
    fmt = "truetype"
    if chars is not None:
        wanted = "".join(sorted(c for c in set("".join(chars)) if _in_ranges(ord(c))))  # set first: pages are MBs
        with contextlib.suppress(ImportError):
            data, fmt = _subset_font(wanted)
    if data is None:
        data, fmt = FONT_PATH.read_bytes(), "truetype"
    mime = {"truetype": "font/ttf", "woff": "font/woff", "woff2": "font/woff2"}[fmt]
    b64 = base64.b64encode(data).decode("ascii")
    return (
        "@font-face {\n"
        f"  font-family: {family};\n"
        f"  src: url(data:{mime};base64,{b64}) format('{fmt}');\n"
        "  font-weight: normal;\n"
        "  font-style: normal;\n"
        "  font-display: block;\n"
        f"  unicode-range: {_unicode_range_css()};\n"
        "}\n"
    )


# --------------------------------------------------------------------------------------------------
# Offline check
# --------------------------------------------------------------------------------------------------

_NETWORK_URL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
_CSS_URL = re.compile(
    r"""(?:url\(\s*['"]?|@import\s+['"])\s*((?:[a-z][a-z0-9+.-]*:)?//[^'")\s]*)""", re.IGNORECASE
)
# tag -> attributes whose URL the browser fetches while loading the page
_FETCHING_ATTRS: dict[str, tuple[str, ...]] = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "input": ("src",),
}


class _ExternalFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = _FETCHING_ATTRS.get(tag, ())
        for name, value in attrs:
            if not value:
                continue
            if name in wanted:
                urls = (
                    [u.strip().split()[0] for u in value.split(",") if u.strip()]
                    if name == "srcset"
                    else [value]
                )
                self.found.extend(f"<{tag} {name}={u}>" for u in urls if _NETWORK_URL.match(u))
            elif name == "style":
                self.found.extend(f"<{tag} style> {u}" for u in _CSS_URL.findall(value))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found.extend(f"<style> {u}" for u in _CSS_URL.findall(data))


def find_external_resources(html_text: str) -> list[str]:
    """List what a browser would fetch from the network when opening ``html_text``.

    Covers ``<script src>``, ``<link href>``, images, frames and media, and ``url(...)``/``@import`` in
    CSS. Ordinary hyperlinks (``<a href>``) are not fetched and are not listed.
    """
    finder = _ExternalFinder()
    finder.feed(html_text)
    finder.close()
    return finder.found


# --------------------------------------------------------------------------------------------------
# One page in one language
# --------------------------------------------------------------------------------------------------

_HEADING_LINE = re.compile(r"^(#{1,6}[ \t]+)(\S.*)$")
_FENCE = ("```", "~~~")
#: A sentence of a result that is not available: ``**<what, when>** (<reason>).`` (``[narrative_text]``).
_UNAVAILABLE = re.compile(r"^(\*\*.+?\*\*) \((.*)\)\.$", re.DOTALL)
_TABLE_OPEN = re.compile(r"<table\b[^>]*\bcitynet-table\b[^>]*>")
_ROW = re.compile(r"(<tr\b)([^>]*)(>)(.*?)(</tr>)", re.DOTALL)
_CELL = re.compile(r"<(t[dh])\b([^>]*)>(.*?)</\1>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
#: The text of a number cell as format.py writes it: 1,100.0 · -2.4 · −3 · +27.2 · 12.0% · 56.
_NUMBER_TEXT = re.compile(r"^[−+-]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)[ \u00a0]?%?$")
#: The output metadata key of a figure's caption on the page (set by :func:`prepare_page`, shown by the
#: template below the image, escaped).
CAPTION_KEY = "citynet_caption"
#: Cells that say "no number" in a number column.
_NO_NUMBER = frozenset({"", "—", "–", "-", "nan", "NaN", "<NA>"})


def _cell_text(inner: str) -> str:
    return html.unescape(_TAG.sub("", inner)).strip()


def mark_number_columns(table_html: str, caption: str = "") -> str:
    """A table as pandas writes it (``TableView``) with ``class="num"`` on every header and data cell of
    its number columns (each cell a number or empty/—, at least one a number), pandas' right-aligned
    header row style removed, and ``caption`` (escaped) as its ``<caption>``."""
    body = [[_cell_text(c[2]) for c in _CELL.findall(row[3]) if c[0] == "td"] for row in _ROW.findall(table_html)]
    body = [r for r in body if r]
    width = max(map(len, body), default=0)
    number = []
    for i in range(width):
        cells = [r[i] for r in body if i < len(r)]
        number.append(any(_NUMBER_TEXT.match(c) for c in cells)
                      and all(c in _NO_NUMBER or _NUMBER_TEXT.match(c) for c in cells))

    def row(m: re.Match) -> str:
        index = iter(range(1 << 30))

        def cell(c: re.Match) -> str:
            i = next(index)
            if i < width and number[i] and "class=" not in c.group(2):
                return f'<{c.group(1)} class="num"{c.group(2)}>{c.group(3)}</{c.group(1)}>'
            return c.group(0)

        attrs = re.sub(r'\s*style="text-align: right;"', "", m.group(2))
        return m.group(1) + attrs + m.group(3) + _CELL.sub(cell, m.group(4)) + m.group(5)

    out = _ROW.sub(row, table_html)
    if caption:
        out = _TABLE_OPEN.sub(lambda m: f"{m.group(0)}\n  <caption>{html.escape(caption)}</caption>", out, count=1)
    return out


def _one_language_headings(source: str, lang: str) -> str:
    """An untagged cell's headings ``한국어 · English`` as the language's part (outside code fences)."""
    lines, fenced = [], False
    for line in source.splitlines(keepends=True):
        if line.lstrip().startswith(_FENCE):
            fenced = not fenced
        elif not fenced and (m := _HEADING_LINE.match(line.rstrip("\r\n"))):
            end = line[len(line.rstrip("\r\n")):]
            line = m.group(1) + heading_part(m.group(2), lang) + end
        lines.append(line)
    return "".join(lines)


def _record(output) -> dict:
    meta = output.get("metadata") if isinstance(output, Mapping) else None
    record = meta.get(RECORD_KEY) if isinstance(meta, Mapping) else None
    return record if isinstance(record, Mapping) else {}


def prepare_page(nb, lang: str) -> None:
    """Make a notebook (node, changed in place; its other language's cells already removed) read as one
    page in ``lang``: headings, page title, one box per metric not available, table captions and number
    columns, figure captions (the title a notebook gave a figure). The stored notebook is not touched: the
    page exporter works on a copy."""
    nb.metadata["title"] = title(records(nb), lang) or nb.metadata.get("title", "")
    year = nb.metadata.get("papermill", {}).get("parameters", {}).get("fiscal_year")
    if nb.metadata["title"] and type(year) is int:  # a page mailed alone says which year it is
        nb.metadata["title"] += " · " + label("portal_labels", "year_heading", lang, year=year)
    if not nb.metadata["title"]:
        del nb.metadata["title"]
    boxes: dict[str, tuple[Any, list[str]]] = {}  # what is not available → (its first output, reasons)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if not cell_language(cell):
                cell.source = _one_language_headings(cell.source, lang)
            continue
        kept = []
        for output in cell.get("outputs", []):
            record = _record(output)
            if record.get("kind") == Kind.UNAVAILABLE and isinstance(record.get("text"), str):
                m = _UNAVAILABLE.match(record["text"])
                what, reason = (m.group(1), m.group(2)) if m else (record["text"], "")
                if what in boxes:  # the same metric not available again (a table and its chart)
                    if reason and reason not in boxes[what][1]:
                        boxes[what][1].append(reason)
                    continue
                boxes[what] = (output, [reason] if reason else [])
            elif record.get("kind") == Kind.FIGURE:
                text = record.get("text") if isinstance(record.get("text"), str) else ""
                if text.strip():
                    output.metadata[CAPTION_KEY] = " ".join(text.split())  # title=; the template escapes it
                name = record.get("name") if isinstance(record.get("name"), str) else ""
                if text.strip() or name:  # the caption the memo and the portal give it, in the page's language
                    output.metadata.setdefault("alt", figure_title(name, lang, text))
            elif record.get("kind") == Kind.TABLE and "text/html" in output.get("data", {}):
                name = record.get("name")
                caption = table_caption_title(name, lang) if isinstance(name, str) and name else ""
                output.data["text/html"] = mark_number_columns(output.data["text/html"], caption)
            kept.append(output)
        if "outputs" in cell:
            cell.outputs = kept
    for what, (output, reasons) in boxes.items():
        if len(reasons) > 1:
            text = f"{what} ({'; '.join(reasons)})."
            output.data["text/markdown"] = f"> {text}"
            output.data["text/plain"] = text


def _page_preprocessor(lang: str):
    """An nbconvert preprocessor that runs :func:`prepare_page` (after the tag removal)."""
    from nbconvert.preprocessors import Preprocessor

    class PagePreprocessor(Preprocessor):
        def preprocess(self, nb, resources):
            prepare_page(nb, lang)
            return nb, resources

    return PagePreprocessor()


# --------------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------------


def _load(nb_node_or_path: Any) -> tuple[Any, str, str]:
    """Return (notebook node copy, report name, folder for relative resources)."""
    import nbformat

    if isinstance(nb_node_or_path, str | os.PathLike):
        path = Path(nb_node_or_path)
        nb = nbformat.read(path, as_version=4)
        return nb, path.stem, str(path.resolve().parent)
    if isinstance(nb_node_or_path, Mapping):
        nb = nbformat.from_dict(copy.deepcopy(dict(nb_node_or_path)))
        name = str(nb.get("metadata", {}).get("title") or "notebook")
        return nb, name, os.getcwd()
    raise TypeError(f"expected a notebook node or a path, got {type(nb_node_or_path).__name__}")


_LOCAL = threading.local()


def _exporter(exclude_input: bool, lang: str):
    """One HTMLExporter per thread and settings: building one compiles the templates (~0.15 s), which a
    batch of many notebooks should pay once. It leaves out the cells of the other language and the
    instructions (by their tags) and prepares the page in ``lang`` (:func:`prepare_page`)."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    cache = _LOCAL.__dict__.setdefault("exporters", {})
    key = (exclude_input, lang)
    if key not in cache:
        config = Config()
        config.TagRemovePreprocessor.enabled = True
        config.TagRemovePreprocessor.remove_cell_tags = unpublished_tags(lang)
        exporter = HTMLExporter(
            config=config,
            template_name=TEMPLATE_NAME,
            extra_template_basedirs=[str(TEMPLATE_DIR)],
            embed_images=True,
            exclude_input=exclude_input,
            language_code=lang,
        )
        exporter.register_preprocessor(_page_preprocessor(lang), enabled=True)
        cache[key] = exporter
    return cache[key]


def notebook_to_html(
    nb_node_or_path: Any,
    out_path: str | os.PathLike[str] | None = None,
    *,
    exclude_input: bool = False,
    subset_font: bool = True,
    lang: str = "ko",
    allow_external: bool = False,
    portal: str | None = None,
) -> str:
    """Render a notebook (node or ``.ipynb`` path) to one self-contained HTML page and return it.

    Figures and local markdown images are embedded as base64, the Korean font as a base64
    ``@font-face`` (subset to the notebook's characters unless ``subset_font=False``), and no script or
    stylesheet is loaded from the network. If ``out_path`` is given the page is written there
    atomically (temporary file + ``os.replace``). ``exclude_input=True`` hides code cells (a memo for
    readers). ``portal``: the relative link of the reports' portal, shown at the top of the page in
    ``lang`` (``../index.html`` for a published page); None shows none. Raises ValueError if the page would
    still fetch something from the network (e.g. a plotting library's CDN script in an output), unless
    ``allow_external=True``.
    """
    nb, name, folder = _load(nb_node_or_path)
    back = label("portal_labels", "back_to_portal", lang) if portal else ""
    css = font_face_css(font_chars(nb) + back if subset_font else None)
    exporter = _exporter(exclude_input, lang)
    resources = {
        "metadata": {"name": name, "path": folder},
        "citynet_font_css": css,
        "citynet_font_family": CSS_FONT_FAMILY,
        "citynet_csp": CSP,
        "citynet_figure_alt": label("portal_labels", "figure_alt", lang),
        "citynet_portal_href": portal or "",
        "citynet_portal_label": back,
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    if not allow_external:
        external = find_external_resources(body)
        if external:
            shown = "; ".join(external[:5]) + (" ..." if len(external) > 5 else "")
            raise ValueError(f"HTML report would load {len(external)} resource(s) from the network: {shown}")
    if out_path is not None:
        write_text(out_path, body)
    return body


def page_file(name: str, notebook: str) -> str:
    """A page's file name in the folder of the reports ``name``: ``citynet_2024_ko_01_budget_overview.html``."""
    return f"{name}_{notebook}.html"


def publish_page(executed: Path, lang: str, name: str) -> Path:
    """The executed notebook's page for readers (:func:`page_file`, beside it: outputs only, no code), linking
    back to the portal of the reports folder (the page's folder is in it)."""
    target = Path(executed).parent / page_file(name, Path(executed).stem)
    notebook_to_html(executed, target, exclude_input=True, lang=lang, portal=f"../{config.INDEX_FILE}")
    return target


PUBLISHER = Publisher(name="html_pages", scope=Scope.NOTEBOOK, publish=publish_page,
                      file=page_file, label="page", kind="html")
