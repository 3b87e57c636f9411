"""The lead's report on two other synthetic extracts: no effect, and a clear effect.

Each extract is made with ``sosu-analysis synth`` and run through the whole
pipeline with ``sosu-analysis run --students FILE --output DIR`` (as a user
would; the session fixture ``synth_run`` of conftest.py, with few power
simulations, shares the no-effect run with test_other_extract). They are part
of ``make test`` (and so of CI, marker ``e2e``) because they are what shows
that the verdicts follow the data.

The verdict must follow the data (cannot be decided on no effect; decided on a
clear one) and no statement may contradict another about the same quantity: the
consistency check (:mod:`sosu_analysis.reporting.rapport.consistency`) runs on
each rendered note and its appendix, and the pilot verdict in the HTML is the
strength of the CR2 p-value of ``did.csv`` on the one scale.
"""

from __future__ import annotations

import re
import subprocess

import pandas as pd
import pytest

from sosu_analysis.paths import project_root
from sosu_analysis.reporting import rapport
from sosu_analysis.reporting.rapport.consistency import claims, contradictions
from sosu_analysis.students import synthetic_label
from test_rapport import visible_text

ROOT = project_root()
pytestmark = pytest.mark.e2e


def _run(synth_run, seed: int, effect: float, scale: float = 1.0):
    run = synth_run(seed, effect, scale)
    res = rapport.load_results(run["out"], synthetic_label(run["students"]))
    return res, (run["out"] / "rapport.html").read_text(), run["out"]


@pytest.fixture(scope="module")
def no_effect(synth_run):
    return _run(synth_run, 7, 0.0)  # the extract of test_other_extract: one run for both


@pytest.fixture(scope="module")
def clear_effect(synth_run):
    # the largest effect the generator allows is about -10 pp (the treated cells' rate is about 10 %); three
    # times the students make it clearly detectable with six campuses (CR2 MDE about 6 pp instead of 11)
    return _run(synth_run, 11, -10.0, scale=3.0)


def _consistent(res, page, out):
    """No two statements about one quantity disagree; the pilot verdict is did.csv's CR2 p on the scale."""
    assert contradictions(page, (out / "rapport_bilag.html").read_text()) == {}
    said = dict(claims(page))
    for definition in ("incl_switch", "excl_switch"):
        r = rapport.did_row(res, definition)
        strength, p, _ = said[f"indsats:{definition}:{res.main_horizon}"]
        assert strength == rapport.strength(float(r["p_value"]), res.alpha)
        text = visible_text(page)
        assert f"{abs(r['att_pp']):.1f}".replace(".", ",") + "\u00a0procentpoint " + (
            "lavere" if r["att_pp"] < 0 else "højere") in text


def test_no_effect_cannot_be_decided(no_effect):
    res, page, out = no_effect
    assert rapport.strength(float(rapport.did_row(res, "incl_switch")["p_value"]), res.alpha) != "klart"
    assert "uden nogen indbygget virkning" in visible_text(page)
    _consistent(res, page, out)


def test_clear_effect_is_found(clear_effect):
    res, page, out = clear_effect
    main = rapport.did_row(res, "excl_switch")
    assert main["ci_high_pp"] < 0 and rapport.strength(float(main["p_value"]), res.alpha) != "uafklaret"
    assert "sænker frafaldet uden omvalg efter 3 måneder med 10,0" in visible_text(page)
    _consistent(res, page, out)


def test_verdicts_differ_between_the_extracts(no_effect, clear_effect):
    a = dict(claims(no_effect[1]))
    b = dict(claims(clear_effect[1]))
    assert a["indsats:excl_switch:3"] != b["indsats:excl_switch:3"]
    # the public numbers (trend, goal) are the same in both: they do not depend on the extract
    for q in ("tendens:SSA", "tendens:alle", "maal:SSA"):
        assert a[q] == b[q]
    pd.testing.assert_frame_equal(no_effect[0]["table1"], clear_effect[0]["table1"])


def test_note_fits_eight_pages_on_other_extracts(no_effect, clear_effect):
    import shutil

    if shutil.which("pdfinfo") is None:
        pytest.skip("pdfinfo not installed (make browser)")
    for _, _, out in (no_effect, clear_effect):
        info = subprocess.run(["pdfinfo", str(out / "rapport.pdf")], capture_output=True, text=True,
                              check=True).stdout
        assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) <= 8
