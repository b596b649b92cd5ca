"""Self-contained HTML reports from notebooks, with the Korean font embedded.

Why: nbconvert's default HTML shows Hangul as boxes on a machine without a Korean system font (the
browser does not use matplotlib's font) and loads require.js and MathJax from a CDN, which an offline
reader cannot reach. The ``memo`` template (``templates/memo``) drops every
network script and puts an embedded NanumGothic ``@font-face`` first in the font stacks, limited to
Hangul/CJK code points by ``unicode-range`` so Latin text keeps the reader's usual fonts. Figures are
already embedded by nbconvert as base64 PNGs; local markdown images are embedded too.

With fontTools (a matplotlib dependency, so normally present) the font is subset to the characters the
notebook uses (a few kB instead of 4.7 MB); without it the whole font is embedded.
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
    "notebook_to_html",
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
        wanted = "".join(sorted({c for c in "".join(chars) if _in_ranges(ord(c))}))
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
    batch of many notebooks should pay once."""
    from nbconvert import HTMLExporter

    cache = _LOCAL.__dict__.setdefault("exporters", {})
    key = (exclude_input, lang)
    if key not in cache:
        cache[key] = HTMLExporter(
            template_name=TEMPLATE_NAME,
            extra_template_basedirs=[str(TEMPLATE_DIR)],
            embed_images=True,
            exclude_input=exclude_input,
            language_code=lang,
        )
    return cache[key]


def notebook_to_html(
    nb_node_or_path: Any,
    out_path: str | os.PathLike[str] | None = None,
    *,
    exclude_input: bool = False,
    subset_font: bool = True,
    lang: str = "ko",
    allow_external: bool = False,
) -> str:
    """Render a notebook (node or ``.ipynb`` path) to one self-contained HTML page and return it.

    Figures and local markdown images are embedded as base64, the Korean font as a base64
    ``@font-face`` (subset to the notebook's characters unless ``subset_font=False``), and no script or
    stylesheet is loaded from the network. If ``out_path`` is given the page is written there
    atomically (temporary file + ``os.replace``). ``exclude_input=True`` hides code cells (a memo for
    readers). Raises ValueError if the page would still fetch something from the network (e.g. a
    plotting library's CDN script in an output), unless ``allow_external=True``.
    """
    nb, name, folder = _load(nb_node_or_path)
    css = font_face_css(font_chars(nb) if subset_font else None)
    exporter = _exporter(exclude_input, lang)
    resources = {
        "metadata": {"name": name, "path": folder},
        "citynet_font_css": css,
        "citynet_font_family": CSS_FONT_FAMILY,
        "citynet_csp": CSP,
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


def publish_page(executed: Path, lang: str) -> Path:
    """The executed notebook's page for readers (``<notebook>.html`` beside it: outputs only, no code)."""
    target = Path(executed).with_suffix(".html")
    notebook_to_html(executed, target, exclude_input=True, lang=lang)
    return target


PUBLISHER = Publisher(name="html_pages", scope=Scope.NOTEBOOK, publish=publish_page,
                      file=lambda notebook: f"{notebook}.html", label="page", kind="html")
