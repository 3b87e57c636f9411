"""The reader's-eye check itself: it must see a box that scrolls sideways inside the page, not only a wide page."""

from __future__ import annotations

import os

import pytest

from sosu_analysis.reporting import browser

needs_chromium = pytest.mark.skipif(browser.chromium_path() is None and not os.environ.get("CI"),
                                    reason="Chromium not installed (make browser); required on CI")

PAGE = """<!doctype html><html lang="da"><head><meta charset="utf-8"><title>t</title></head>
<body style="margin:0"><div id="ok" style="width:200px">kort tekst</div>
<div id="rulle" style="width:200px;overflow-x:auto"><table><tr><td style="white-space:nowrap">{cell}</td></tr></table></div>
<div class="svar" style="height:300px">a</div><div class="svar" style="height:300px">b</div></body></html>"""


@needs_chromium
def test_a_table_scrolling_inside_the_page_is_flagged(tmp_path):
    page = tmp_path / "wide.html"
    page.write_text(PAGE.format(cell="x" * 200))  # 200 characters never fit in 200 px
    seen = browser.check_page(page, width=390, height=844, last_selector=".svar")
    assert seen.scroll_width <= 390  # the page itself does not scroll: the old check saw nothing
    assert any("div#rulle" in d for d, _ in seen.overflowing), seen.overflowing
    assert seen.last_bottom == pytest.approx(18 + 600, abs=30)  # one line of text, then two 300 px boxes


@needs_chromium
def test_a_page_that_fits_has_no_overflow(tmp_path):
    page = tmp_path / "narrow.html"
    page.write_text(PAGE.format(cell="kort"))
    assert browser.check_page(page, width=390, height=844).overflowing == []
