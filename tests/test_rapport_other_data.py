"""The lead's report on two other synthetic extracts: no effect, and a clear effect.

Each extract is made with ``sosu-analysis synth`` and run through the whole
pipeline with ``sosu-analysis run --students FILE --output DIR`` (as a user
would; the session fixture ``synth_run`` of conftest.py, with few power
simulations, shares the no-effect run with test_other_extract). They are part
of ``make test`` (and so of CI, marker ``e2e``) because they are what shows
that the verdicts follow the data.

The verdict must follow the data (red on no effect; not red on a clear one) and
no sentence may contradict its own table: the direction word matches the sign
of the estimate, the interval's words match its bounds, and the pilot answer
says "måske ingen forskel" exactly when its light is red (and then the interval
contains 0).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from sosu_analysis.paths import project_root
from sosu_analysis.reporting import rapport
from sosu_analysis.students import synthetic_label
from test_rapport import visible_text

ROOT = project_root()
pytestmark = pytest.mark.e2e


def _run(synth_run, seed: int, effect: float, scale: float = 1.0):
    run = synth_run(seed, effect, scale)
    res = rapport.load_results(run["out"], synthetic_label(run["students"]))
    return res, visible_text((run["out"] / "rapport.html").read_text()), run["out"]


@pytest.fixture(scope="module")
def no_effect(synth_run):
    return _run(synth_run, 7, 0.0)  # the extract of test_other_extract: one run for both


@pytest.fixture(scope="module")
def clear_effect(synth_run):
    # the largest effect the generator allows is about -10 pp (the treated cells' rate is about 10 %); three
    # times the students make it clearly detectable with six campuses (CR2 MDE about 6 pp instead of 11)
    return _run(synth_run, 11, -10.0, scale=3.0)


def _consistent(res, text):
    """Every interventions sentence agrees with did.csv: direction and whether zero is inside."""
    for definition in rapport.DEFINITION_DA:
        r = rapport.did_row(res, definition)
        assert rapport.pp(r["att_pp"]) in text
        assert rapport.change_words(r["ci_low_pp"], r["ci_high_pp"]) in text
        opgjort = re.search(r"Opgjort som " + re.escape(rapport.DEFINITION_LONG[definition]) + r"[^.]*?"
                            r"(lavere|højere) på pilotafdelingerne", text)
        assert opgjort and opgjort.group(1) == ("lavere" if r["att_pp"] < 0 else "højere")
    answer = rapport.answer_pilot(res)
    main = rapport.did_row(res, "incl_switch")
    contains_zero = main["ci_low_pp"] <= 0 <= main["ci_high_pp"]
    assert ("måske ingen forskel" in answer.sentence) == (rapport.pilot_light(res) == "rød")
    if rapport.pilot_light(res) == "rød":
        assert contains_zero
    assert ("lavere på pilotafdelingerne" in answer.sentence) == (main["att_pp"] < 0)
    assert answer.sentence in text


def test_no_effect_gives_a_red_light(no_effect):
    res, text, out = no_effect
    assert rapport.pilot_light(res) == "rød"
    assert "Kan ikke afgøres endnu" in text
    assert "uden nogen indbygget virkning" in text
    _consistent(res, text)


def test_clear_effect_is_found(clear_effect):
    res, text, out = clear_effect
    assert rapport.pilot_light(res) in ("grøn", "gul")
    main = rapport.did_row(res, "excl_switch")
    assert main["ci_high_pp"] < 0 and "lavere på pilotafdelingerne" in text
    assert "sænker frafaldet uden omvalg efter 3 måneder med 10,0" in text
    _consistent(res, text)


def test_verdicts_differ_between_the_extracts(no_effect, clear_effect):
    red = rapport.answer_pilot(no_effect[0])
    found = rapport.answer_pilot(clear_effect[0])
    assert red.light != found.light and red.sentence != found.sentence
    # the public numbers (trend, goal) are the same in both: they do not depend on the extract
    assert rapport.answer_trend(no_effect[0]) == rapport.answer_trend(clear_effect[0])
    pd.testing.assert_frame_equal(no_effect[0]["table1"], clear_effect[0]["table1"])


def test_front_page_is_at_most_250_words_on_other_extracts(no_effect, clear_effect):
    # the limit holds for the words a reader sees, headings and the Hvem/Hvornår labels included
    for _, _, out in (no_effect, clear_effect):
        page = (out / "rapport.html").read_text()
        front = page[re.search(r"<section class=[\"']forside", page).start():page.index("</section>")]
        assert len(visible_text(front).split()) <= 250
