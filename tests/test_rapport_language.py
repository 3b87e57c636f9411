"""A Danish language pass over the lead's report: no English, no translated-English phrases, the sector's words.

The forbidden phrases are the issue's own examples of Danish that reads as
translated English, plus words a Danish evaluation note (EVA / Rambøll style)
would not use; the required words are the terms the sector uses for what the
report is about. The lists are short on purpose: each entry is a mistake seen.
"""

from __future__ import annotations

import re

import pytest

from test_rapport import visible_text

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
#: the note's word list: short, at the end, and the p-value defined correctly
WORD_LIST = ("p-værdi", "Procentpoint", "Klart / sandsynligvis / tyder på / kan ikke afgøres", "Kontrolgrænse")


@pytest.fixture(scope="module")
def text(fresh_run):
    _, out = fresh_run
    return visible_text((out / "rapport.html").read_text())


@pytest.mark.parametrize("phrase", sorted(FORBIDDEN))
def test_no_translated_english(text, phrase):
    hits = [m.start() for m in re.finditer(re.escape(phrase), text, re.IGNORECASE)]
    assert not hits, f"'{phrase}' (say '{FORBIDDEN[phrase]}'): …{text[hits[0] - 40:hits[0] + 40]}…"


def test_no_english_words(text):
    found = ENGLISH.findall(text)
    assert not found, found[:10]


def test_the_appendix_is_danish_too(fresh_run):
    _, out = fresh_run
    appendix = visible_text((out / "rapport_bilag.html").read_text())
    appendix = appendix[appendix.index("Bilag til rapporten"):]
    # only file names, checksums and package names may be non-Danish there
    prose = re.sub(r"\S*[/_.]\S*|[0-9a-f]{40,64}|\b[a-z]+-?[a-z]*\b(?=\s+\d)", " ", appendix)
    assert not re.search(r"\b(the|and|of|with|from|file|key|bytes)\b", prose), prose[:300]


@pytest.mark.parametrize("term", SECTOR_TERMS)
def test_sector_terms(text, term):
    assert term.lower() in text.lower()


@pytest.mark.parametrize("term", WORD_LIST)
def test_word_list_at_the_end(fresh_run, term):
    _, out = fresh_run
    page = (out / "rapport.html").read_text()
    box = page[re.search(r"<section class=[\"']ordliste", page).start():]
    assert f"<b>{term}</b>:" in box
    start = re.search(r"<section class=[\"']ordliste", page).start()
    assert start > re.search(r"id=[\"']kan-ikke[\"']", page).start()


def test_p_value_is_defined_correctly(text):
    # the probability of a result at least this extreme if there were no difference; not "how likely it is
    # that the difference is due to chance"
    assert "mindst så langt fra nul som det målte, hvis der i virkeligheden ingen forskel var" in text
    assert "sandsynligt er det, at forskellen er tilfældig" not in text


def test_number_words_in_prose(text):
    # Danish prose writes small counts as words at the start of a sentence: "Tre år", not "3 år"
    assert not re.search(r"(^|[.!?]\s+)\d+ år\b", text)


def test_no_markup_shown_as_text(text):
    # sections from other modules reach the note as plain text through the template: no raw markup
    for raw in ("<div", "</", "## ", "**", "kubekode"):
        assert raw not in text, f"{raw!r}: …{text[text.index(raw) - 40:text.index(raw) + 40]}…"
    assert not re.search(r"(?<![\w*])\*\w", text)


def test_section_text_is_escaped():
    from sosu_analysis.reporting.rapport import render

    out = str(render.para("SPU <b>ikke tilladt</b> & 2 * 3"))
    assert out == "<p>SPU &lt;b&gt;ikke tilladt&lt;/b&gt; &amp; 2 * 3</p>"
