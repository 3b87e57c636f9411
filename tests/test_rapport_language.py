"""A Danish language pass over the lead's report: no English, no translated-English phrases, the sector's words.

The forbidden phrases are the issue's own examples of Danish that reads as
translated English, plus words a Danish evaluation note (EVA / Rambøll style)
would not use; the required words are the terms the sector uses for what the
report is about. The lists are short on purpose: each entry is a mistake seen.
"""

from __future__ import annotations

import re

import pytest

from test_rapport import body_text, visible_text

#: phrases that read as translated English (left) and what Danish says instead (right, for the reader)
FORBIDDEN = {
    "op om året": "stiger med ... om året",
    "større end tilfældig variation": "for stor til at være tilfældig",
    "procentpoint færre frafaldne": "procentpoint lavere frafald",
    "med 80 % sikkerhed": "med 80 % sandsynlighed",
    "horisont": "status efter ... måneder",
    "proveniens": "datagrundlag",
    "inddatafil": "datafil",
    "estimat": "resultat, skøn",
    "signifikant effekt": "en virkning, der ikke kan skyldes tilfældigheder",
    "implementer": "indføre, afprøve",
    "target": "mål",
    "dropout": "frafald",
    "baseline": "udgangspunkt",
    "outcome": "resultat",
    "campus": "afdeling",
    "performance": "resultater",
    "treatment": "indsats",
}
#: English words that never occur in Danish prose
ENGLISH = re.compile(r"\b(the|and|of|with|from|this|that|which|switching|effect|students|rate|pilot vs|"
                     r"confidence|interval of|No description|synthetic|answer|fetch|json)\b", re.IGNORECASE)
#: the sector's words the report must use
SECTOR_TERMS = ("frafald", "omvalg", "hovedforløb", "oplæring 1a", "uddannelsesaftale", "oplæringsvejleder",
                "kontaktlærer", "optag", "afdeling")
#: the statistical words the terms box must explain
EXPLAINED = ("p-værdi", "Signifikans", "Konfidensinterval", "Statistisk styrke", "Klyngerobuste standardfejl (CR2)",
             "Frihedsgrader", "Randomiseringstest", "Odds", "Korrelation", "Designeffekt", "Kontrolgrænse")


@pytest.fixture(scope="module")
def text(fresh_run):
    _, out = fresh_run
    return body_text((out / "rapport.html").read_text())


@pytest.mark.parametrize("phrase", sorted(FORBIDDEN))
def test_no_translated_english(text, phrase):
    hits = [m.start() for m in re.finditer(re.escape(phrase), text, re.IGNORECASE)]
    assert not hits, f"'{phrase}' (say '{FORBIDDEN[phrase]}'): …{text[hits[0] - 40:hits[0] + 40]}…"


def test_no_english_words(text):
    found = ENGLISH.findall(text)
    assert not found, found[:10]


def test_the_appendix_is_danish_too(fresh_run):
    _, out = fresh_run
    page = visible_text((out / "rapport.html").read_text())
    appendix = page[page.rindex("Bilag: datagrundlag og versioner"):]
    # only file names, checksums and package names may be non-Danish there
    prose = re.sub(r"\S*[/_.]\S*|[0-9a-f]{40,64}|\b[a-z]+-?[a-z]*\b(?=\s+\d)", " ", appendix)
    assert not re.search(r"\b(the|and|of|with|from|file|key|bytes)\b", prose), prose[:300]


@pytest.mark.parametrize("term", SECTOR_TERMS)
def test_sector_terms(text, term):
    assert term.lower() in text.lower()


@pytest.mark.parametrize("term", EXPLAINED)
def test_terms_box_explains_the_statistics(fresh_run, term):
    _, out = fresh_run
    page = (out / "rapport.html").read_text()
    box = page[re.search(r"<div class=[\"']begreber", page).start():]
    box = box[:box.index("</div>")]
    assert f"<b>{term}</b>:" in box


def test_number_words_in_prose(text):
    # Danish prose writes small counts as words at the start of a sentence: "Tre år", not "3 år"
    assert not re.search(r"(^|[.!?]\s+)\d+ år\b", text)


def test_no_markup_shown_as_text(text):
    # sections 8-9 are written as Markdown by chapters 07-09; none of it may reach the reader raw
    for raw in ("<div", "</", "## ", "**", "kubekode"):
        assert raw not in text, f"{raw!r}: …{text[text.index(raw) - 40:text.index(raw) + 40]}…"
    assert not re.search(r"(?<![\w*])\*\w", text)


def test_section_markdown_never_shows_markup_as_text():
    from sosu_analysis.reporting.rapport import paragraphs

    out = paragraphs("<div class='syntetisk'>SYNTETISKE DATA – a & b</div>\n\n## Elevernes svar\n\n"
                     "SPU (*Status på praktik 2024*) fandt 2 * 3; **fed**.\n\n<b>ikke tilladt</b>")
    assert out.startswith("<div class='syntetisk'>SYNTETISKE DATA – a &amp; b</div><h3>Elevernes svar</h3>")
    assert "<i>Status på praktik 2024</i>" in out and "2 * 3" in out and "<b>fed</b>" in out
    assert "&lt;b&gt;ikke tilladt" in out  # any other markup is escaped, never passed through
