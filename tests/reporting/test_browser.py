"""The published reports as a reader's browser shows them: headless Chromium (Debian's /usr/bin/chromium,
driven through Playwright) opens index.html and every report page of a Korean and an English batch from
file:// and checks that Hangul is drawn with the embedded NanumGothic (not a system CJK font), that the page
requests nothing but itself and its data: URIs, that no console or page error occurs, and that the links
lead to files. Full-page screenshots are kept in test-artifacts/screenshots/<batch>/ for a person to look
at.

Without Playwright or Chromium the tests skip (one line says why), unless CITYNET_REQUIRE_BROWSER=1 (CI),
where they fail."""

import os
import shutil
from pathlib import Path
from urllib.parse import urljoin, urlparse
from urllib.request import url2pathname

import pytest

from citynet_analysis import load
from citynet_analysis.reporting.batch.notebook_files import notebook_paths
from citynet_analysis.reporting.publishers.html_pages import FONT_UNICODE_RANGES

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
REQUIRED = os.environ.get("CITYNET_REQUIRE_BROWSER") == "1"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
EMBEDDED_FONT = "NanumGothic"
WIDTH = 1280

# Marks the first element (an h1 if it has Hangul) whose own text has Hangul/CJK; returns that text.
_CLASS = "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in FONT_UNICODE_RANGES)
PROBE_JS = """() => {
  const re = /[HANGUL]/;
  const own = el => [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.data).join('');
  const candidates = [...document.querySelectorAll('h1'), ...document.body.querySelectorAll('*')];
  const el = candidates.find(e => re.test(own(e)) && e.getClientRects().length > 0);
  if (!el) return null;
  el.setAttribute('data-hangul-probe', '');
  return own(el);
}""".replace("HANGUL", _CLASS)
#: What a page in one language must not show: headings of both languages, Korean words broken inside a
#: table header, text cells right-aligned or number cells not, a "not available" box twice.
LAYOUT_JS = """() => {
  const out = {headings: [], broken: [], aligned: [], boxes: []};
  for (const h of document.querySelectorAll('h1, h2, h3')) out.headings.push(h.textContent.replace('¶', '').trim());
  for (const th of document.querySelectorAll('table.citynet-table th')) {
    const node = th.firstChild;
    if (!node || node.nodeType !== 3) continue;
    let i = 0;
    for (const word of node.data.split(' ')) {
      if (word) {
        const r = document.createRange();
        r.setStart(node, i); r.setEnd(node, i + word.length);
        if (new Set([...r.getClientRects()].map(x => Math.round(x.top))).size > 1) out.broken.push(word);
      }
      i += word.length + 1;
    }
  }
  for (const td of document.querySelectorAll('table.citynet-table td')) {
    const align = getComputedStyle(td).textAlign;
    if ((align === 'right') !== td.classList.contains('num')) out.aligned.push(td.textContent + ': ' + align);
  }
  for (const q of document.querySelectorAll('blockquote')) out.boxes.push((q.querySelector('strong') || q).textContent.trim());
  return out;
}"""
FONTS_JS = """async () => { await document.fonts.ready;
  return [...document.fonts].map(f => [f.family.replace(/['"]/g, ''), f.status]); }"""


def _missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return None


MISSING = _missing()
if MISSING and not REQUIRED:
    pytest.skip(f"browser tests skipped: {MISSING}", allow_module_level=True)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module's batches."""
    if MISSING:
        pytest.fail(f"CITYNET_REQUIRE_BROWSER=1 but {MISSING}")
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        except Error as exc:
            reason = f"{CHROMIUM} does not start: {str(exc).strip().splitlines()[0]}"
            if REQUIRED:
                pytest.fail(reason)
            pytest.skip(f"browser tests skipped: {reason}")
        yield chromium
        chromium.close()


def _in_font_ranges(text: str) -> int:
    return sum(any(lo <= ord(c) <= hi for lo, hi in FONT_UNICODE_RANGES) for c in text)


def _font_problems(page) -> list[str]:
    """The embedded font is loaded, and the platform font that draws the Hangul of an element with Hangul
    is the embedded NanumGothic for every such glyph (DevTools: CSS.getPlatformFontsForNode)."""
    problems = []
    faces = page.evaluate(FONTS_JS)
    if [EMBEDDED_FONT, "loaded"] not in faces:
        problems.append(f"embedded font not loaded: {faces}")
    text = page.evaluate(PROBE_JS)
    if text is None:
        return problems + ["no element with Hangul text"]
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "[data-hangul-probe]"})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()
    custom = [f for f in fonts if f["isCustomFont"]]
    hangul = _in_font_ranges(text)
    if [f["familyName"] for f in custom] != [EMBEDDED_FONT] or custom[0]["glyphCount"] != hangul:
        problems.append(f"{text.strip()!r}: {hangul} Hangul glyphs, drawn with {fonts}")
    return problems


def _link_problems(page, out: Path, every_link: bool) -> list[str]:
    """Every link of the index (of a page: every relative link) resolves to a file of the reports."""
    problems = []
    for href in page.eval_on_selector_all("a[href]", "els => els.map(a => a.getAttribute('href'))"):
        if not every_link and (href.startswith("#") or urlparse(href).scheme):
            continue  # a page's anchors and absolute links are not files of the reports
        url = urlparse(urljoin(page.url, href))
        target = Path(url2pathname(url.path))
        if url.scheme != "file" or not target.is_file() or not target.resolve().is_relative_to(out.resolve()):
            problems.append(f"link {href!r} is not a file of the reports")
    return problems


#: The link at the top of every report page back to the portal, in the page's language.
BACK_TO_PORTAL = {"ko": "← 보고서 목록", "en": "← All reports"}


def _back_link_problems(page, out: Path, lang: str) -> list[str]:
    """A report page starts with one link, in its language, that leads to the portal (out/index.html)."""
    links = page.eval_on_selector_all("nav.citynet-portal a[href]", "els => els.map(a => [a.href, a.textContent])")
    if [text for _, text in links] != [BACK_TO_PORTAL[lang]]:
        return [f"no link back to the portal in its language: {links}"]
    target = Path(url2pathname(urlparse(links[0][0]).path))
    return [] if target.resolve() == (out / "index.html").resolve() else [f"the link back to the portal leads to {target}"]


def _layout_problems(page, lang: str) -> list[str]:
    """One language, whole Korean words in headers, text left and numbers right, one box per reason."""
    found = page.evaluate(LAYOUT_JS)
    problems = [f"heading in two languages: {h!r}" for h in found["headings"] if " · " in h]
    if lang == "en":
        problems += [f"Korean heading on an English page: {h!r}" for h in found["headings"] if _in_font_ranges(h)]
    else:
        problems += [f"English heading on a Korean page: {h!r}" for h in found["headings"] if not _in_font_ranges(h)]
    problems += [f"header word broken across lines: {w!r}" for w in found["broken"]]
    problems += [f"cell aligned against its kind: {a!r}" for a in found["aligned"][:5]]
    problems += [f"the same box twice: {b!r}" for b in {b for b in found["boxes"] if found["boxes"].count(b) > 1}]
    return problems


def _check(context, path: Path, out: Path, screenshot: Path, lang: str = "ko") -> list[str]:
    """Open one page and list what is wrong with it; keep its full-page screenshot."""
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    try:
        page.goto(path.as_uri(), wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        page.screenshot(path=str(screenshot), full_page=True)
        problems = _link_problems(page, out, every_link=path.name == "index.html")
        if path.name == "index.html":
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > WIDTH:
                problems.append(f"wider than the window: {width} px")
        # what the page itself did; DevTools' CSS agent (the font check below) fetches the document again
        # and logs an 'Unsafe attempt to load URL' error of its own, which is not the page's
        problems += list(errors)
        problems += [f"request to {u[:80]}" for u in list(requests) if not u.startswith(("file:", "data:"))]
        problems += _font_problems(page)
        if path.name != "index.html":
            problems += _layout_problems(page, lang) + _back_link_problems(page, out, lang)
    finally:
        page.close()
    return [f"{path.relative_to(out)}: {p}" for p in problems]


@pytest.mark.parametrize("batch", ["ko", "en"])
def test_reports_in_a_browser(browser, request, batch):
    out, jobs = request.getfixturevalue(f"batch_{batch}")
    assert all(j.status == "ok" for j in jobs), [j.error for j in jobs]
    pages = [out / "index.html"] + sorted(out.glob("*/*.html"))
    # the portal and a page per run: every notebook of the folder for every year
    assert len(pages) == 1 + len(jobs) == 1 + len(load().fiscal_years()) * len(notebook_paths())
    shots = SCREENSHOTS / batch
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    try:
        problems = []
        for path in pages:
            name = "index" if path.parent == out else path.stem  # a page's name carries its folder's
            problems += _check(context, path, out, shots / f"{name}.png", batch)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
    assert len(list(shots.glob("*.png"))) == len(pages)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f'<html lang="{batch}">' in index
