"""Memo figures: one consistent look, Korean text that renders, reproducible exports.

Why this module exists: matplotlib's default font (DejaVu Sans) has no Hangul, so Korean labels
turn into boxes and every notebook cell prints ``Glyph ... missing from font(s)`` to stderr (which
nbval then compares). We ship NanumGothic (OFL-1.1) inside the package and register it explicitly,
independent of any system font or matplotlib's font cache .

Importing this module is cheap: matplotlib is imported lazily inside the functions and no font is
registered until :func:`setup_fonts` (or a function that needs it) is called.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...atomic import atomic_path
from ...config import FONT_DIR

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "FONT_FAMILY",
    "FONT_NAME",
    "FONT_PATH",
    "MEMO_FIGSIZE",
    "MEMO_RC",
    "PALETTE",
    "SAVE_FORMATS",
    "add_source_note",
    "apply_memo_style",
    "memo_style",
    "new_figure",
    "save_figure",
    "setup_fonts",
]

# --------------------------------------------------------------------------------------------------
# Constants (cheap; no matplotlib import needed)
# --------------------------------------------------------------------------------------------------

#: The Korean font shipped with the package (SIL Open Font License 1.1, licence text beside it).
FONT_PATH: Path = FONT_DIR / "NanumGothic.ttf"
#: Family name of the shipped font as matplotlib sees it.
FONT_NAME = "NanumGothic"
#: Font fallback list: matplotlib falls back glyph by glyph, so Latin text and U+2212 (minus, which
#: NanumGothic lacks) come from DejaVu Sans and Hangul from NanumGothic.
FONT_FAMILY: tuple[str, ...] = ("DejaVu Sans", FONT_NAME)

#: Restrained memo palette: navy, steel blue, ochre, muted red, teal, warm grey.
PALETTE: tuple[str, ...] = ("#1f3b5c", "#5b8db8", "#c98b2b", "#a84a3f", "#3e8a7e", "#8c8c8c")

#: Memo figure size in inches (16:9, fits a portrait A4 page at full text width).
MEMO_FIGSIZE: tuple[float, float] = (6.4, 3.6)

#: Formats written by :func:`save_figure`, in order.
SAVE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")

_PNG_DPI = 300
_SVG_HASHSALT = "citynet-analysis"
# Metadata that would otherwise embed the current date and make re-runs differ byte for byte.
_SAVE_METADATA: dict[str, dict[str, Any]] = {
    "png": {},
    "svg": {"Date": None},
    "pdf": {"CreationDate": None, "ModDate": None},
}

#: rcParams of the memo look (fonts are added by :func:`apply_memo_style` / :func:`memo_style`).
MEMO_RC: dict[str, Any] = {
    "figure.figsize": MEMO_FIGSIZE,
    "figure.dpi": 100,
    "figure.facecolor": "white",
    "figure.constrained_layout.use": True,
    "savefig.dpi": _PNG_DPI,
    "savefig.facecolor": "white",
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titleweight": "normal",  # no NanumGothic Bold shipped: bold Hangul would log a findfont warning
    "axes.titlelocation": "left",
    "axes.titlepad": 8,
    "axes.labelsize": 9,
    "axes.labelcolor": "#333333",
    "axes.edgecolor": "#666666",
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "grid.linestyle": "-",
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "legend.fontsize": 8,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "lines.markersize": 5,
    "axes.unicode_minus": True,  # U+2212 is in DejaVu Sans, first in the fallback list
    "svg.fonttype": "path",  # text as outlines: SVG renders without the font installed
    "svg.hashsalt": _SVG_HASHSALT,  # stable clip-path ids, so SVGs are byte-identical on re-run
    "pdf.fonttype": 42,  # embed TrueType subsets (selectable, crisp Hangul)
    "text.parse_math": False,  # document text is data: a `$` is a dollar sign, never mathtext
    "text.usetex": False,
}

# --------------------------------------------------------------------------------------------------
# Fonts and style
# --------------------------------------------------------------------------------------------------


def _register_font() -> None:
    """Add the shipped font to matplotlib's font manager once (no rcParams change)."""
    from matplotlib import font_manager

    if not FONT_PATH.is_file():  # pragma: no cover - broken installation
        raise FileNotFoundError(f"shipped Korean font not found: {FONT_PATH}")
    fm = font_manager.fontManager
    target = os.path.realpath(FONT_PATH)
    if not any(os.path.realpath(f.fname) == target for f in fm.ttflist):
        fm.addfont(str(FONT_PATH))


def setup_fonts() -> None:
    """Register the shipped NanumGothic font and make it the Hangul fallback. Idempotent.

    Uses ``fontManager.addfont`` (no dependency on system fonts or the font cache) and sets
    ``font.family`` to ['DejaVu Sans', 'NanumGothic'] so each glyph comes from the first font that has
    it (NanumGothic has no U+2212 minus sign; DejaVu Sans has no Hangul).
    """
    import matplotlib as mpl

    _register_font()
    mpl.rcParams["font.family"] = list(FONT_FAMILY)
    mpl.rcParams["axes.unicode_minus"] = True


def _memo_rc() -> dict[str, Any]:
    from cycler import cycler

    rc = dict(MEMO_RC)
    rc["font.family"] = list(FONT_FAMILY)
    rc["axes.prop_cycle"] = cycler(color=list(PALETTE))
    return rc


def apply_memo_style() -> None:
    """Set the memo look globally (fonts, size, palette, light grid, no top/right spines): an analyst's
    choice for a whole notebook session; the package itself never calls it (charts draw inside
    :func:`memo_style`). Safe to call repeatedly."""
    import matplotlib as mpl

    setup_fonts()
    mpl.rcParams.update(_memo_rc())


@contextlib.contextmanager
def memo_style() -> Iterator[None]:
    """Context manager applying the memo look only inside the ``with`` block.

    Draw and save inside the block: settings are restored on exit (the font stays registered).
    """
    import matplotlib as mpl

    setup_fonts()
    with mpl.rc_context(_memo_rc()):
        yield


def use_memo_fonts(fig: Figure) -> None:
    """Every text of ``fig`` in the memo fonts (Hangul from the shipped font), also for a figure an analyst
    drew outside the memo style; tick labels take them when drawn inside :func:`memo_style`."""
    from matplotlib.text import Text

    _register_font()
    for text in fig.findobj(Text):
        if list(text.get_fontfamily()) != list(FONT_FAMILY):
            text.set_fontfamily(list(FONT_FAMILY))


def memo_chart(draw):
    """A chart function whose figure is made in the memo look (:func:`memo_style` while it draws), so that
    drawing a chart changes no global setting of the notebook."""
    @functools.wraps(draw)
    def drawn(*args, **kwargs):
        with memo_style():
            return draw(*args, **kwargs)

    return drawn


def new_figure(
    title: str | None = None,
    *,
    xlabel: str | None = None,
    ylabel: str | None = None,
    figsize: tuple[float, float] | None = None,
    pyplot: bool = True,
    **subplots_kw: Any,
) -> tuple[Figure, Axes]:
    """Create a memo-style figure with one axes and return ``(fig, ax)``.

    Call it inside :func:`memo_style` (a :func:`memo_chart` function is) for the memo look. ``title`` is set left-aligned on the axes; extra keyword
    arguments go to :func:`matplotlib.pyplot.subplots`. ``pyplot=False`` makes a plain Figure that pyplot
    does not manage (importing pyplot costs about 0.25 s, a large part of a short notebook run); the
    caller then shows it itself (``Report.figure`` does).
    """
    subplots_kw.setdefault("layout", "constrained")
    if pyplot:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=figsize or MEMO_FIGSIZE, **subplots_kw)
    else:
        from matplotlib.figure import Figure

        fig = Figure(figsize=figsize or MEMO_FIGSIZE, layout=subplots_kw.pop("layout"))
        ax = fig.subplots(**subplots_kw)
    if title:
        ax.set_title(title)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    return fig, ax


def add_source_note(fig: Figure, text: str, *, fontsize: float = 7, color: str = "#666666") -> Any:
    """Write a small source line at the bottom left of ``fig`` and reserve room for it.

    E.g. "Source: Seoul Metropolitan Government, 사업설명서 FY2024; CPI: Statistics Korea". Calling it
    again replaces the previous note. Returns the matplotlib Text.
    """
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    old = getattr(fig, "_citynet_source_note", None)
    if old is not None:
        with contextlib.suppress(ValueError):
            old.remove()
    lines = max(1, text.count("\n") + 1)
    height_in = fig.get_figheight()
    # line height ~1.35 x font size, plus ~5 pt padding, as a fraction of the figure height
    strip = min(0.4, (lines * 1.35 * fontsize + 5) / 72 / height_in)
    note = fig.text(
        0.01,
        0.012,
        text,
        ha="left",
        va="bottom",
        fontsize=fontsize,
        color=color,
        transform=fig.transFigure,
    )
    fig._citynet_source_note = note  # type: ignore[attr-defined]
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        engine.set(rect=(0, strip, 1, 1 - strip))
    elif engine is None:
        fig.subplots_adjust(bottom=max(fig.subplotpars.bottom, strip + 0.1))
    return note


# --------------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------------


def check_name(name: str) -> str:
    """A file name for a figure or table: no path separators, no leading dot, no control characters."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError("figure name must be a non-empty string")
    bad = {"/", "\\", "\0", os.sep}
    if os.altsep:
        bad.add(os.altsep)
    if any(ch in name for ch in bad) or name in {".", ".."} or name.startswith("."):
        raise ValueError(f"invalid figure name {name!r}: no path separators, no leading dot")
    if any(ord(ch) < 32 for ch in name):
        raise ValueError(f"invalid figure name {name!r}: control characters")
    return name


_SVG_CLIP_ID = re.compile(rb'id="(p[0-9a-f]{10})"')


def _normalize_svg_ids(data: bytes) -> bytes:
    """Renumber matplotlib's clip-path ids in order of appearance.

    The ids hash the clip rectangle's exact floats, whose last bits depend on earlier draws of the
    same figure (e.g. the 300 dpi PNG): renumbering makes re-saved SVGs byte-identical.
    """
    for i, old in enumerate(dict.fromkeys(_SVG_CLIP_ID.findall(data))):
        data = data.replace(old, b"clip%d" % i)
    return data


@functools.cache
def quiet_fonttools_subsetter() -> None:
    """fontTools' subsetter notes every table of the shipped font it drops ('TSI0 NOT subset; don't
    know how to subset; dropped') when matplotlib embeds the font in a PDF or a page embeds it: harmless,
    but on stderr, which nbval compares and users read. Called where we subset (saving a PDF, embedding
    the page font), once, and never switched back and forth around calls (threads may be subsetting)."""
    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)


def save_figure(
    fig: Figure,
    name: str,
    output_dir: str | os.PathLike[str],
    *,
    formats: tuple[str, ...] = SAVE_FORMATS,
    dpi: int = _PNG_DPI,
    metadata: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Path]:
    """Write ``fig`` as ``<name>.png`` (300 dpi), ``.svg`` and ``.pdf`` into ``output_dir``.

    Each file is written to a temporary file in the same folder and moved into place with
    ``os.replace``, so a reader never sees a half-written figure. SVG and PDF carry no dates and a
    fixed SVG hash salt, so saving the same figure again gives byte-identical files. Returns the
    paths in ``formats`` order.
    """
    import matplotlib as mpl

    check_name(name)
    unknown = [f for f in formats if f not in _SAVE_METADATA]
    if unknown:
        raise ValueError(f"unsupported format(s) {unknown}; expected a subset of {SAVE_FORMATS}")
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    _register_font()  # a figure styled elsewhere with NanumGothic still finds the font when drawn
    quiet_fonttools_subsetter()
    written: list[Path] = []
    rc = {
        "svg.hashsalt": _SVG_HASHSALT,
        "svg.fonttype": MEMO_RC["svg.fonttype"],
        "pdf.fonttype": MEMO_RC["pdf.fonttype"],
    }
    with memo_style(), mpl.rc_context(rc):  # drawn in the memo look (tick labels are made when drawn)
        for fmt in formats:
            target = out / f"{name}.{fmt}"
            meta = dict(_SAVE_METADATA[fmt])
            if metadata and fmt in metadata:
                meta.update(metadata[fmt])
            with atomic_path(target) as tmp, open(tmp, "wb") as fh:
                if fmt == "svg":
                    buf = io.BytesIO()
                    fig.savefig(buf, format=fmt, metadata=meta)
                    fh.write(_normalize_svg_ids(buf.getvalue()))
                else:
                    fig.savefig(fh, format=fmt, dpi=dpi if fmt == "png" else "figure", metadata=meta)
            written.append(target)
    return written


def save_figure_cached(fig: Figure, name: str, output_dir: str | os.PathLike[str],
                       cache_dir: str | os.PathLike[str]) -> list[Path]:
    """:func:`save_figure`, rendering the costly formats once per distinct figure.

    The SVG (needed anyway, and byte-identical for the same drawing) is rendered first; its hash, with
    matplotlib's version and the save settings, names a cache entry holding the PNG and PDF made from
    it. A figure drawn again from the same input (another year's notebook showing all years, or a re-run)
    gets those files copied instead of rendered; any change to what is drawn changes the SVG and so the
    key. Returns the paths in :data:`SAVE_FORMATS` order."""
    import hashlib
    import shutil

    import matplotlib as mpl

    out = Path(output_dir)
    (svg,) = save_figure(fig, name, out, formats=("svg",))
    h = hashlib.sha256(svg.read_bytes())
    h.update(f"{mpl.__version__}|{_PNG_DPI}|{sorted(_SAVE_METADATA.items())}".encode())
    entry = Path(cache_dir) / h.hexdigest()[:40]
    others = tuple(f for f in SAVE_FORMATS if f != "svg")
    cached = {f: entry / f"figure.{f}" for f in others}
    written = {"svg": svg}
    if all(p.is_file() for p in cached.values()):
        for fmt, src in cached.items():
            with atomic_path(out / f"{name}.{fmt}") as tmp:
                shutil.copyfile(src, tmp)
            written[fmt] = out / f"{name}.{fmt}"
    else:
        for path in save_figure(fig, name, out, formats=others):
            written[path.suffix[1:]] = path
        try:
            for fmt, dst in cached.items():
                with atomic_path(dst) as tmp:
                    shutil.copyfile(written[fmt], tmp)
        except OSError:
            pass  # an unwritable cache only costs time
    return [written[f] for f in SAVE_FORMATS]
