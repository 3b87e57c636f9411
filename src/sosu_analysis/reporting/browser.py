"""A real browser for the report: the PDF copy and the reader's-eye test.

Uses Playwright's Python API to drive Debian's Chromium (``apt-get install
chromium``; ``make browser`` does it). Playwright's own browser download is not
used: it fetches a browser build from outside the package registries, which
this project's machines cannot reach, and the distribution's Chromium is the
one a reader on Debian would use.
"""

from __future__ import annotations

import os
import re
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .. import atomic

#: flags for a quiet, offline, headless Chromium (no background connections, no sandbox as root)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-default-apps", "--disable-extensions"]


def chromium_path() -> str | None:
    """Chromium to use: ``$SOSU_CHROMIUM``, else ``chromium`` or ``chromium-browser`` on the PATH."""
    return os.environ.get("SOSU_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def browser():
    """Start headless Chromium through Playwright (a context manager yielding the browser)."""
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    if exe is None:
        raise RuntimeError("Chromium not found: install Debian's chromium ('make browser') or set SOSU_CHROMIUM")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


#: Chromium stamps the print time into the PDF; a fixed stamp of the same length keeps the
#: byte offsets of the file valid and the same report gives the same bytes.
_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}")
FIXED_PDF_DATE = b"20000101000000"


def html_to_pdf(html: str | os.PathLike, pdf: str | os.PathLike) -> None:
    """Print ``html`` to ``pdf`` (A4, backgrounds kept), atomically, with a fixed date stamp.

    Page size, margins, the running header, page numbers and each page's footer (what the page
    holds: public figures, synthetic data, the school's data) come from the page's own CSS
    (``@page`` rules with margin boxes and named pages in the report template), so nothing here
    reads or splits the page's text.
    """
    with browser() as b:
        page = b.new_page()
        page.goto(Path(html).resolve().as_uri(), wait_until="load")
        data = page.pdf(print_background=True, prefer_css_page_size=True)
    data = _PDF_DATE.sub(lambda m: b"/" + m.group(1) + b" (D:" + FIXED_PDF_DATE, data)
    atomic.write_bytes(pdf, data)


@dataclass
class PageCheck:
    """What a reader's browser saw."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    failed_images: int = 0
    scroll_width: int = 0
    viewport_width: int = 0
    title: str = ""
    #: texts (first 40 characters) under ``min_px`` inside the checked selectors, with their size
    small_text: list[tuple[str, float]] = field(default_factory=list)
    #: images as shown: (alt text, shown width in px, natural width in px)
    images: list[tuple[str, float, float]] = field(default_factory=list)
    #: elements wider than their box or sticking out of their container: (description, by how many px)
    overflowing: list[tuple[str, float]] = field(default_factory=list)
    #: bottom (px from the top of the page) of the last element matching ``last_selector`` (0: none)
    last_bottom: float = 0.0


#: every visible element whose content is wider than its own box (it scrolls or is cut) or whose box sticks
#: out to the right of its parent's; hidden elements and the page's own scroll box are skipped
_OVERFLOW_JS = """() => {
  const out = [];
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
      (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
  const where = e => { let a = e, path = []; while (a && a !== document.body && path.length < 4) {
      path.unshift(name(a)); a = a.parentElement; } return path.join(' > '); };
  for (const e of document.body.querySelectorAll('*')) {
    const cs = getComputedStyle(e);
    if (cs.display === 'none' || cs.visibility === 'hidden' || e.closest('[hidden]')) continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (cs.display !== 'inline' && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1) {
      out.push([where(e) + ' (content ' + e.scrollWidth + ' px in ' + e.clientWidth + ' px)',
                e.scrollWidth - e.clientWidth]);
      continue;
    }
    const p = e.parentElement;
    if (p && p !== document.body && p !== document.documentElement) {
      const pr = p.getBoundingClientRect();
      if (pr.width > 0 && r.right > pr.right + 1 && getComputedStyle(p).display !== 'inline') {
        out.push([where(e) + ' (' + Math.round(r.right - pr.right) + ' px beyond its container)',
                  r.right - pr.right]);
      }
    }
  }
  return out;
}"""


def check_page(html: str | os.PathLike, screenshot: str | os.PathLike | None = None,
               width: int = 1280, height: int = 900, text_selectors: tuple[str, ...] = (),
               min_px: float = 11.0, last_selector: str = "") -> PageCheck:
    """Open ``html`` like a reader: record console errors, page errors, requests leaving the file, broken images.

    Also records every element that overflows its box or its container
    (:attr:`PageCheck.overflowing`; a table that scrolls sideways inside the
    page counts, not only a page wider than the screen) and where the last
    element matching ``last_selector`` ends (:attr:`PageCheck.last_bottom`).
    """
    url = Path(html).resolve().as_uri()
    result = PageCheck(viewport_width=width)
    with browser() as b:
        page = b.new_page(viewport={"width": width, "height": height})
        page.on("console", lambda m: result.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: result.page_errors.append(str(e)))
        page.on("request", lambda r: result.external_requests.append(r.url)
                if r.url != url and not r.url.startswith(("data:", "about:")) else None)
        page.goto(url, wait_until="load")
        result.title = page.title()
        result.failed_images = page.evaluate(
            "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).length")
        result.scroll_width = page.evaluate("document.documentElement.scrollWidth")
        result.overflowing = [(str(d), float(px)) for d, px in page.evaluate(_OVERFLOW_JS)]
        if last_selector:
            result.last_bottom = float(page.evaluate(
                "(sel) => { const all = document.querySelectorAll(sel); if (!all.length) return 0;"
                " const r = all[all.length - 1].getBoundingClientRect(); return r.bottom + window.scrollY; }",
                last_selector))
        result.images = [tuple(x) for x in page.evaluate(
            "Array.from(document.images).map(i => [i.alt || '', i.getBoundingClientRect().width, i.naturalWidth])")]
        for sel in text_selectors:
            small = page.evaluate(
                """([sel, minPx]) => Array.from(document.querySelectorAll(sel + ', ' + sel + ' *'))
                   .filter(e => Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim()))
                   .map(e => [e.textContent.trim().slice(0, 40), parseFloat(getComputedStyle(e).fontSize)])
                   .filter(x => x[1] < minPx)""", [sel, min_px])
            result.small_text.extend((t, float(px)) for t, px in small)
        if screenshot:
            page.screenshot(path=str(screenshot), full_page=False)
    return result
