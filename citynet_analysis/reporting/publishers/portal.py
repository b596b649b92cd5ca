"""The reports portal (``reports/index.html``): one card per fiscal year, newest first, with the year's
headline figures, thumbnails of its figures, links to its pages, memo, workbook and executed notebooks, and
the runs that failed and why.

Why a portal: a reader opens one page and sees the numbers and where to read more, without knowing the
folder layout. The headline figures come from the same functions the notebooks use
(:mod:`citynet_analysis.analysis.metrics`) and are written with the same ``money``/``pct``, so the portal
never disagrees with a report. Each card speaks its reports' language (its manifest entry's ``lang``): its
heading, figures, notes, captions, page titles and file labels, whichever language's batch wrote the page
last. The page's own words (title, counts, the runs table) are in every language its cards are in, Korean
first, so the page is the same for the same reports whichever batch wrote it. The page is rendered from
``templates/portal/index.html.j2`` with autoescape (error messages and notebook headings are data), under
the report pages' Content-Security-Policy, with the Korean font embedded the same way (subset to the
characters the page uses) and thumbnails as ``data:`` URIs, so it works offline and loads nothing."""

from __future__ import annotations

import base64
import html
import io
import math
import re
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from ... import config, vocabulary
from ...analysis import metrics
from ...analysis import slips as document_slips
from ...atomic import write_text
from ...dataset.load import ProgramError
from ..notebook.format import (
    LANGS,
    is_missing,
    money,
    pct,
    phase_label,
    program_title,
    text_column,
)
from ..notebook.format import label as format_label
from ..notebook.records import Kind, Record, in_language, read_records, title
from ..runs import RunEntry, Status
from .html_pages import CSP, CSS_FONT_FAMILY, font_face_css
from .outline import figure_title
from .publisher import Publisher, Scope

TEMPLATE = "portal/index.html.j2"
#: Width in pixels of a figure thumbnail (the figures are 300 dpi PNGs, several thousand pixels wide).
THUMB_WIDTH = 320


def label(key: str, lang: str, **values) -> str:
    """A word of the portal (``[portal_labels]`` of vocabulary.toml), filled with ``values``; the key
    itself if the vocabulary lacks it."""
    return format_label("portal_labels", key, lang, **values)


def count_label(key: str, n: int, lang: str, **values) -> str:
    """A count in words, singular or plural (``[portal_labels]`` ``<key>_one`` for 1, ``<key>_other`` for
    any other number): ``1 fiscal year``, ``2 fiscal years``."""
    return label(f"{key}_one" if n == 1 else f"{key}_other", lang, n=n, **values)


def status_label(status: Status, lang: str) -> str:
    """A run's status (ok, failed, not published) in words."""
    return label(f"status {status}", lang)


def figure_label(name: str, lang: str, recorded: str = "") -> str:
    """The caption of a figure, as the memo captions it (:func:`.outline.figure_title`: the title its
    notebook gave it (``recorded``), else ``[portal_figures]``, else the name in words for an analyst's own
    chart). The template escapes it."""
    return figure_title(name, lang, recorded)


def _href(path: str) -> str:
    """A relative link to a file of the reports folder: each path segment percent-encoded."""
    return quote(path, safe="/")


# -- headline figures ----------------------------------------------------------------------------------

def _cost_reason(row: pd.Series, lang: str) -> str:
    """Why a cost-per-event row has no number: the activities without a stated count that make the
    year's count incomplete (:func:`metrics.cost_per_event`)."""
    uncounted = row.get("uncounted_activities")
    if not is_missing(uncounted) and int(uncounted):
        return label("incomplete", lang, n=int(uncounted), events=int(row.get("events", 0)))
    return label("not_available", lang)


_NUMBER = re.compile(r"[−+-]?\d[\d,]*(?:\.\d+)?%?")


def _value_parts(value: str) -> tuple[str, str, str]:
    """``KRW 1,100.0 million`` → (``KRW ``, ``1,100.0``, `` million``): the page shows the unit smaller; the
    text stays what ``money``/``pct`` wrote."""
    m = _NUMBER.search(value)
    return (value[: m.start()], m.group(0), value[m.end():]) if m else ("", value, "")


class Headlines:
    """The metrics of every year, computed once per page: budget (and basis), the change on the year
    before, the executed amount, the execution rate and the cost per event."""

    def __init__(self, ds):
        self.ds = ds
        budget = metrics.budget_series(ds)
        self.budget = budget.set_index("fiscal_year")
        self.growth = metrics.growth(budget).set_index("fiscal_year")
        self.rates = metrics.execution_rates(ds).set_index("fiscal_year")

    def of(self, year: int, lang: str) -> list[dict]:
        """The year's figures as ``{"key", "label", "value", "note"}`` (value ``—`` with the reason in the
        note where the data cannot give it)."""
        figures = [self._budget(year, lang), self._change(year, lang), self._executed(year, lang),
                   self._rate(year, lang), self._cost(year, lang)]
        return [f | dict(parts=_value_parts(f["value"])) for f in figures]

    def slips(self, year: int, lang: str) -> str:
        """Every slip of the year's figures in use, in a line (empty when the documents agree with
        themselves); the pages, memo and workbook show each beside its number."""
        found = document_slips.slips(self.ds, fiscal_year=year)
        return count_label("slips", len(found), lang, slips=document_slips.slip_text(found, lang)) if len(found) else ""

    @staticmethod
    def _slip(row, lang: str) -> dict:
        """The slip a metric's row carries (its ``slip``/``slip_ko``), for the tile: a figure the document
        misprints says so where it is shown."""
        text = row.get(text_column("slip", lang)) if row is not None else None
        return dict(slip=label("slip", lang, slips=text)) if isinstance(text, str) and text else {}

    def _budget(self, year, lang):
        item = dict(key="budget", label=label("budget", lang))
        if year not in self.budget.index:
            return item | dict(value="—", note=label("no_budget", lang))
        row = self.budget.loc[year]
        return item | dict(value=money(int(row["amount_krw"]), lang), note=phase_label(str(row["basis"]), lang),
                           **self._slip(row, lang))

    def _change(self, year, lang):
        item = dict(key="change", label=label("change", lang))
        change = self.growth["yoy_nominal_pct"].get(year, math.nan)
        if is_missing(change):
            why = metrics.budget_change_pct(self.ds, year)
            if not metrics.available(why) and why.reason != "no_previous_year":  # e.g. a new program's 0
                return item | dict(value="—", note=f"{label('not_available', lang)}: {why.reason_text(lang)}")
            return item | dict(value="—", note=label("no_previous", lang, year=year - 1))
        previous = money(int(self.growth.loc[year - 1, "amount_krw"]), lang)
        return item | dict(value=pct(change, signed=True), note=label("versus", lang, year=year - 1,
                                                                       amount=previous),
                           **self._slip(self.growth.loc[year], lang))

    def _executed(self, year, lang):
        item = dict(key="executed", label=label("executed", lang))
        if year not in self.rates.index:
            return item | dict(value="—", note=label("not_settled", lang))
        row = self.rates.loc[year]
        return item | dict(value=money(int(row["executed_krw"]), lang),
                           note=label("executed_of", lang, amount=money(int(row["available_krw"]), lang)),
                           **self._slip(row, lang))

    def _rate(self, year, lang):
        item = dict(key="execution_rate", label=label("execution_rate", lang))
        rate = metrics.execution_rate(self.ds, year)
        if not metrics.available(rate):
            note = label("not_settled", lang) if rate.reason == "no_settlement_year" else (
                f"{label('not_available', lang)}: {rate.reason_text(lang)}")
            return item | dict(value="—", note=note)
        row = self.rates.loc[year] if year in self.rates.index else None
        return item | dict(value=pct(rate), note=label("rate_basis", lang), **self._slip(row, lang))

    def _cost(self, year, lang):
        item = dict(key="cost_per_event", label=label("cost_per_event", lang))
        cpe = metrics.cost_per_event(self.ds, year)
        if not metrics.available(cpe):
            return item | dict(value="—", note=f"{label('not_available', lang)}: {cpe.reason_text(lang)}")
        row = cpe.iloc[0]
        if is_missing(row.get("cost_per_event_krw")):
            return item | dict(value="—", note=_cost_reason(row, lang))
        note = count_label("events", int(row["events"]), lang, basis=phase_label(str(row["basis"]), lang))
        return item | dict(value=money(row["cost_per_event_krw"], lang), note=note, **self._slip(row, lang))


# -- files of a year ----------------------------------------------------------------------------------

def thumbnail_uri(png: Path, width: int = THUMB_WIDTH) -> tuple[str, int, int] | None:
    """A PNG downscaled to ``width`` pixels as a ``data:`` URI, with its size; None if it is no image."""
    from PIL import Image

    try:
        with Image.open(png) as im:
            im.load()
            if im.width > width:
                im = im.resize((width, max(1, round(im.height * width / im.width))), Image.Resampling.LANCZOS,
                               reducing_gap=3.0)  # a box reduction first: 2x faster, as sharp
            if im.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                im = im.convert("RGBA")
            buf = io.BytesIO()
            im.save(buf, format="PNG")  # optimize=True: 10x slower for 1% smaller
            size = im.size
    except (OSError, ValueError, Image.DecompressionBombError):  # not an image, or too large to decode
        return None
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii"), *size


def notebook_title(recs: list[Record], notebook: str, lang: str) -> str:
    """The notebook's title in ``lang``: its first heading of that language (of a ``lang-ko`` / ``lang-en``
    cell, or the language's part of an untagged ``한국어 · English``), else its name."""
    return title(recs, lang) or notebook


def _figures(out: Path, folder: str, order: list[str], lang: str, titles: dict[str, str] | None = None) -> list[dict]:
    """Every ``figures/*.png`` of a year's folder, in the order the notebooks show them, with a thumbnail,
    captioned by :func:`figure_label` (``titles``: the titles the notebooks gave their figures, by name)."""
    titles = titles or {}
    year_dir = out / folder
    pngs = {p.stem: p for p in sorted((year_dir / config.FIGURES_DIR).glob("*.png")) if p.is_file()}
    names = [n for n in dict.fromkeys(order) if n in pngs] + [n for n in pngs if n not in order]
    out = []
    for name in names:
        rel = f"{folder}/{config.FIGURES_DIR}/{pngs[name].name}"
        thumb = thumbnail_uri(pngs[name])
        others = [dict(href=_href(f"{folder}/{config.FIGURES_DIR}/{name}.{ext}"), text=ext.upper())
                  for ext in ("svg", "pdf") if (year_dir / config.FIGURES_DIR / f"{name}.{ext}").is_file()]
        out.append(dict(name=name, caption=figure_label(name, lang, titles.get(name, "")), href=_href(rel),
                        src=thumb[0] if thumb else None, width=thumb[1] if thumb else None,
                        height=thumb[2] if thumb else None, others=others))
    return out


def _failure(out: Path, e: RunEntry, lang: str, latest: bool) -> dict:
    """A failed run of a card, its status in the card's language ``lang``."""
    status = e.latest_run if latest else e.status
    path = e.latest_path if latest else e.path
    error = (e.latest_error if latest else e.error) or ""
    return dict(notebook=e.notebook, status=status_label(status, lang), error=error, kept_previous=latest,
                href=_href(path) if path and (out / path).is_file() else None, path=path or "")


def year_card(out: Path, year: int, entries: list[RunEntry], lang: str, headlines: Headlines | None,
              folder: str | None = None, program: str = "", publishers: list[Publisher] = (),
              language: str = "", data: str | None = None) -> dict:
    """Everything the portal shows of one fiscal year (of ``program``, whose name heads the card when the
    reports hold several programs; ``language``, the reports' language, named when the portal holds
    reports in more than one), every word of it in ``lang``, the language of the card's reports. ``data``
    is the program's data fingerprint now: a card whose reports were made from other data is marked stale
    and shows no headline figures (they would disagree with its pages); the next batch of that year re-runs
    it."""
    folder = folder or str(year)
    year_dir = out / folder
    pages, notebooks, failures, figure_order = [], [], [], []
    titles: dict[str, str] = {}  # the titles the notebooks gave their figures
    for e in entries:
        if e.status is Status.OK and (out / e.path).is_file():
            recs = read_records(out / e.path)
            figure_order += [r.name for r in recs if r.kind is Kind.FIGURE and r.name]
            for r in in_language(recs, lang):
                if r.kind is Kind.FIGURE and r.name and r.text.strip():
                    titles.setdefault(r.name, r.text)
            title = notebook_title(recs, e.notebook, lang)
            for publisher in (p for p in publishers if p.scope is Scope.NOTEBOOK):
                page = (Path(e.path).parent / publisher.file(Path(e.path).parent.name, Path(e.path).stem)).as_posix()
                if (out / page).is_file():
                    pages.append(dict(href=_href(page), text=title))
            notebooks.append(dict(href=_href(e.path), text=Path(e.path).stem))
        if e.status is not Status.OK:
            failures.append(_failure(out, e, lang, latest=False))
        elif e.latest_run:
            failures.append(_failure(out, e, lang, latest=True))
    downloads = []
    for publisher in (p for p in publishers if p.scope is Scope.YEAR):  # whatever files they wrote
        path = f"{folder}/{publisher.file(Path(folder).name)}"
        if (out / path).is_file():
            downloads.append(dict(href=_href(path), text=label(publisher.label, lang), kind=publisher.kind))
    published = year_dir.is_dir() and any(e.status is Status.OK for e in entries)
    stale = data is not None and any(e.status is Status.OK and e.key_parts.get("data") not in (None, data)
                                     for e in entries)
    heading = label("year_heading", lang, year=year)
    heading = " · ".join(part for part in (program, heading, label(f"language {language}", lang) if language
                                           else "") if part)
    return dict(
        year=year, anchor=folder.replace("/", "-"), heading=heading, lang=lang, t=_labels(lang),
        figures=headlines.of(year, lang) if headlines is not None and not stale else [],
        slips=headlines.slips(year, lang) if headlines is not None and not stale else "",
        thumbnails=_figures(out, folder, figure_order, lang, titles) if published else [],
        pages=pages, downloads=downloads, notebooks=notebooks, failures=failures,
        state="failed" if failures else "stale" if stale else "ok",
        state_text=(count_label("n_failed", len(failures), lang) if failures
                    else label("stale", lang) if stale else label("all_ok", lang)),
    )


# -- the page -------------------------------------------------------------------------------------------

def _labels(lang: str) -> dict[str, str]:
    """Every word of ``[portal_labels]`` in ``lang`` (the template's ``t`` of a card or of the page)."""
    return {k: v[lang] for k, v in vocabulary.labels("portal_labels").items()}


def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(loader=FileSystemLoader(str(config.TEMPLATE_DIR)), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _headlines(ds, program: str | None) -> Headlines | None:
    """The headline figures of one program, or None (no data set, or a program it does not hold)."""
    if ds is None:
        return None
    try:
        return Headlines(ds.select(program))
    except ProgramError:
        return None


def _fingerprint(ds, program: str | None) -> str | None:
    """The program's data fingerprint now (None without a data set, or for a program it does not hold)."""
    if ds is None:
        return None
    try:
        return ds.select(program).fingerprint
    except ProgramError:
        return None


def _program_names(ds, programs: list[str], lang: str) -> dict[str, str]:
    """program_id → its name in the language (the id where the data set does not hold it)."""
    out = {}
    for p in programs:
        try:
            out[p] = program_title(ds.select(p), lang) if ds is not None else p
        except ProgramError:
            out[p] = p
    return out


def page_title(names: dict[str, str], lang: str) -> str:
    """The portal's title: the program's name for one program (``names``: program_id → name), a general
    title for several."""
    if len(names) == 1 and next(iter(names.values())):
        return label("title_one", lang, program=next(iter(names.values())))
    return label("title", lang)


def entry_language(e: RunEntry, lang: str) -> str:
    """The language of a run's reports: its entry's ``lang``; ``lang`` (the batch's) for an entry of an
    older manifest, which names none, or one that names a language the package does not have."""
    return e.lang if e.lang in LANGS else lang


def page_languages(entries: list[RunEntry], lang: str) -> list[str]:
    """The languages of the page's own words: every language its cards are in, in the package's order
    (Korean first); the batch's ``lang`` for a page without a card. Not the language of the batch that
    writes the page: the same reports give the same page, whichever language's batch ran last."""
    present = {entry_language(e, lang) for e in entries} or {lang}
    return [code for code in LANGS if code in present]


def portal_html(out: Path, entries: list[RunEntry], lang: str, ds=None, publishers: list[Publisher] = ()) -> str:
    """The index page of the reports folder ``out`` for the manifest ``entries`` (one per year and
    notebook) of a batch in ``lang`` (the language of entries that name none). Each card is in the
    language of its reports; the page's own words in every language of its cards (:func:`page_languages`).
    Headline figures need the data set ``ds``; without it they are left out."""
    from markupsafe import Markup

    out = Path(out)
    groups: dict[str, list[dict]] = {}
    for e in entries:
        groups.setdefault(e.folder, []).append(e)
    programs = sorted({e.program for e in entries} - {""})
    if not programs and ds is not None and len(ds.programs()) == 1:  # entries of an older manifest
        programs = ds.programs()
    several = len(programs) > 1
    languages = page_languages(entries, lang)
    names = {code: _program_names(ds, programs, code) for code in languages}
    headlines = {p: _headlines(ds, p) for p in programs or [None]}
    cards = []
    def order(f):  # by program, newest year first, then the languages in the page's order
        e = groups[f][0]
        return e.program, -e.year, languages.index(entry_language(e, lang)), f
    for folder in sorted(groups, key=order):
        group = groups[folder]
        program = group[0].program or (programs[0] if len(programs) == 1 else None)
        card_lang = entry_language(group[0], lang)
        cards.append(year_card(out, group[0].year, group, card_lang, headlines.get(program), folder,
                               names[card_lang].get(program, program or "") if several else "", publishers,
                               card_lang if len(languages) > 1 else "", _fingerprint(ds, program)))
    years = sorted({e.year for e in entries}, reverse=True)
    failed = sum(len(c["failures"]) for c in cards)
    ok = sum(e.status is Status.OK for e in entries)
    chrome = []  # the page's own words, in each of its languages
    for code in languages:
        t = _labels(code)
        t["title"] = page_title(names[code], code)
        chrome.append(dict(
            lang=code, t=t,
            summary=label("summary", code, years=count_label("years", len(years), code),
                          runs=count_label("runs", len(entries), code, ok=ok)),
            failed_summary=count_label("n_failed", failed, code) if failed else ""))
    # No run times: they differ from run to run, and the page is the same bytes for the same reports
    # (docs/reproducible.md); manifest.json keeps them. The runs in the cards' order, a run's status in its
    # reports' language.
    runs = []
    for e in sorted(entries, key=lambda e: (*order(e.folder), e.notebook)):
        code = entry_language(e, lang)
        runs.append(dict(year=e.folder, notebook=e.notebook, status=str(e.status), lang=code,
                         status_text=status_label(e.status, code),
                         latest_label=label("latest", code),
                         latest=status_label(e.latest_run, code) if e.latest_run else ""))
    context = dict(
        lang=languages[0], csp=Markup(CSP), chrome=chrome, cards=cards, runs=runs,
        font_family=Markup(CSS_FONT_FAMILY),
    )
    template = _environment().get_template(TEMPLATE)
    draft = template.render(**context, font_css=Markup(""))
    css = font_face_css(html.unescape(draft))  # subset to what the page shows (filtered to Hangul/CJK)
    return template.render(**context, font_css=Markup(css))


def publish_portal(out: Path, entries: list[RunEntry], lang: str, ds, publishers: list[Publisher]) -> Path:
    """``index.html`` of the reports folder ``out``, linking every file the ``publishers`` wrote."""
    target = Path(out) / config.INDEX_FILE
    write_text(target, portal_html(out, entries, lang, ds, publishers))
    return target


PUBLISHER = Publisher(name="portal", scope=Scope.SITE, publish=publish_portal, file=lambda: config.INDEX_FILE,
                      label="portal", kind="html")
