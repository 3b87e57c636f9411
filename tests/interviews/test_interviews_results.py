"""Theme counts against hand counts, the quote rule, masking, and the joint display's classification.

The expected numbers are counted by hand from ``interview_helpers.REGISTER``
and ``SEGMENTS`` (written out in each test), not computed by the code under test.
"""

from __future__ import annotations

import pandas as pd
import pytest
from interview_helpers import PLANTED, SEGMENTS, load, write_inputs

from sosu_analysis.interviews.analysis import analyse
from sosu_analysis.interviews.joint import agreement, joint_display
from sosu_analysis.privacy import mask_text


@pytest.fixture()
def res(tmp_path):
    return analyse(load(write_inputs(tmp_path)), None)


def _row(frame: pd.DataFrame, **keys) -> pd.Series:
    m = pd.Series(True, index=frame.index)
    for k, v in keys.items():
        m &= frame[k] == v
    assert m.sum() == 1, keys
    return frame[m].iloc[0]


def test_theme_counts_are_interviews_not_segments(res):
    # Klædt på, pilot, efter: A2 (3 segments: Klar, Klar, Uklar), A3 (Klar, Uklar), H1 (Uklar) -> 3 interviews of 3,
    # at 2 campuses (Skelbækgade, Herlev) of 2; positive in A2, A3 = 2; negative in A2, A3, H1 = 3
    r = _row(res.themes, theme="Klædt på", group="pilot", period="post")
    assert (r["n_interviews"], r["n_interviews_total"], r["n_campuses"], r["n_campuses_total"]) == (3, 3, 2, 2)
    assert (r["n_positive"], r["n_negative"], r["n_mixed"]) == (2, 3, 0)
    # Klædt på, comparison, efter: G1 (Uklar), G2 (Klar, Uklar) -> 2 of 2, 1 campus; positive 1, negative 2
    r = _row(res.themes, theme="Klædt på", group="non-pilot", period="post")
    assert (r["n_interviews"], r["n_interviews_total"], r["n_campuses"], r["n_positive"], r["n_negative"]) == \
        (2, 2, 1, 1, 2)
    # Klædt på, pilot, før: A1 with two Klar segments counts once
    r = _row(res.themes, theme="Klædt på", group="pilot", period="pre")
    assert (r["n_interviews"], r["n_interviews_total"], r["n_positive"]) == (1, 1, 1)
    # Modtagelse (mixed): only A2 -> pilot efter 1 of 3, mixed 1; comparison efter 0 of 2 (listed, not left out)
    r = _row(res.themes, theme="Modtagelse", group="pilot", period="post")
    assert (r["n_interviews"], r["n_interviews_total"], r["n_mixed"]) == (1, 3, 1)
    assert _row(res.themes, theme="Modtagelse", group="non-pilot", period="post")["n_interviews"] == 0
    # no percentage anywhere
    assert not [c for c in res.themes.columns if "pct" in c or "share" in c]


def test_themes_by_wave(res):
    # Tryghed in wave "aug 2025" at pilot campuses: H1 (Nervøs) -> 1 of 3 (A2, A3, H1)
    r = _row(res.themes_by_wave, theme="Tryghed", group="pilot", wave="aug 2025")
    assert (r["n_interviews"], r["n_interviews_total"], r["n_negative"]) == (1, 3, 1)


def test_overview_counts_and_quotable(res):
    # pilot efter: A2 (6), A3 (2), H1 (4) -> 3 interviews, 12 participants, quotable A2 and H1 (A3 has 2)
    r = _row(res.overview, group="pilot", period="post")
    assert (r["n_interviews"], r["n_participants"], r["n_quotable"]) == (3, 12, 2)
    # comparison efter: G1 (no consent, 4), G2 (5) -> quotable 1
    r = _row(res.overview, group="non-pilot", period="post")
    assert (r["n_interviews"], r["n_participants"], r["n_quotable"]) == (2, 9, 1)


def test_quote_rule_marked_first_then_shortest_sentence(res):
    q = res.quotes[res.quotes["theme"] == "Klædt på"].reset_index(drop=True)
    # marked: A2 row 5 (A3's and G1's marked segments are not quotable); masked staff name and e-mail
    assert q.loc[0, "rule"] == "marked"
    assert q.loc[0, "quote"] == "Det var godt at [skjult] havde skrevet til [skjult] om planen."
    # then the shortest complete sentence (characters) of the other quotable interviews: A1's first segment
    assert q.loc[1, "rule"] == "shortest_sentence"
    assert q.loc[1, "quote"] == "Jeg følte mig klædt på til den første dag i oplæringen."
    assert len(q) == 2  # at most two per theme


def test_quotes_never_from_small_or_unconsented_groups_and_masked(res):
    text = " ".join(res.quotes["quote"])
    for planted in PLANTED:
        assert planted.casefold() not in text.casefold(), planted
    assert "[skjult]" in text


def test_campus_hidden_below_three_interviews(res):
    # H1 is Herlev's only interview: its quote shows no campus, and "Herlev" is masked in its text
    q = _row(res.quotes, theme="Tryghed", rank=2)
    assert q["quote"] == "Ring til mig på [skjult] eller [skjult] sagde min kontaktlærer i [skjult]."
    assert q["campus"] == ""
    # Herlev is the pilot group's only small campus: a blank would name it, so Skelbækgade (3) is hidden too
    assert set(res.quotes["campus"]) == {""}


def test_hidden_campuses_complement_a_lone_small_campus():
    from sosu_analysis.interviews.quotes import hidden_campuses

    # comparison: D has 4, E and F one each -> E, F hidden; two small ones need no complement
    reg = pd.DataFrame({"interview_id": [f"i{k}" for k in range(14)],
                        "campus": ["A"] * 3 + ["B"] * 4 + ["C"] + ["D"] * 4 + ["E", "F"],
                        "group": ["pilot"] * 8 + ["non-pilot"] * 6})
    # pilot: C alone is small -> the smallest other, A (3 < 4), is hidden with it
    assert hidden_campuses(reg) == {"C", "A", "E", "F"}


def test_mask_text_names_genitive_and_word_boundaries():
    assert mask_text("Birthes bog, ikke Birthelund", ["Birthe"]) == "[skjult] bog, ikke Birthelund"
    assert mask_text("anne marie kom", ["Anne Marie", "Anne"]) == "[skjult] kom"


@pytest.mark.parametrize("survey, interviews, expected", [
    (1, 1, "agree"), (-1, -1, "agree"), (1, -1, "disagree"), (1, None, "only_survey"), (1, 0, "only_survey"),
    (None, -1, "only_interviews"), (None, None, "neither"), (0, 0, "neither"),
])
def test_agreement_classification(survey, interviews, expected):
    assert agreement(survey, interviews) == expected


def _contrasts(measure: str, est: float, lo: float, hi: float) -> pd.DataFrame:
    return pd.DataFrame([{"kind": "index", "index": measure, "measure": measure, "metric": "score",
                          "contrast": "pilot_vs_comparison", "estimate": est, "ci_low": lo, "ci_high": hi, "df": 2.1,
                          "p_value": 0.04, "p_ri": 0.067, "min_p_ri": 0.067}])


def test_joint_display_reads_the_survey_and_classifies(tmp_path):
    # pilot interviews all positive on forberedelse: drop the Uklar segments of A2, A3, H1
    segments = [s for s in SEGMENTS if not (s[0] in ("A2", "A3", "H1") and s[1] == "Forb\\Uklar")]
    inputs = load(write_inputs(tmp_path, segments=segments))
    base = analyse(inputs, None)
    # by hand: pilot efter N=3, positive A2, A3 -> b = 2/3; comparison N=2, positive G2, negative G1, G2 -> b = -1/2;
    # difference 7/6 >= 1/min(3, 2) = 1/2 -> the interviews speak, pilot more positive
    r = _row(base.joint, criterion="forberedelse")
    assert (r["n_positive_pilot"], r["n_negative_pilot"], r["n_total_pilot"]) == (2, 0, 3)
    assert (r["n_positive_comparison"], r["n_negative_comparison"], r["n_total_comparison"]) == (1, 2, 2)
    assert r["interview_direction"] == 1 and r["interviews_speak"]
    assert r["agreement"] == "only_interviews"  # no survey read
    joint = joint_display(inputs.segments, inputs.register, inputs.codebook, base.quotes,
                          _contrasts("forberedelse", 3.0, 1.0, 5.0))
    r = _row(joint, criterion="forberedelse")
    assert r["survey_speaks"] and r["survey_estimate"] == 3.0 and r["agreement"] == "agree"
    joint = joint_display(inputs.segments, inputs.register, inputs.codebook, base.quotes,
                          _contrasts("forberedelse", -3.0, -5.0, -1.0))
    assert _row(joint, criterion="forberedelse")["agreement"] == "disagree"
    joint = joint_display(inputs.segments, inputs.register, inputs.codebook, base.quotes,
                          _contrasts("forberedelse", 3.0, -1.0, 7.0))  # interval covers 0: the survey is silent
    r = _row(joint, criterion="forberedelse")
    assert not r["survey_speaks"] and r["agreement"] == "only_interviews"
    # a survey index no criterion names gets its own row, where only the survey can speak
    joint = joint_display(inputs.segments, inputs.register, inputs.codebook, base.quotes,
                          pd.concat([_contrasts("forberedelse", 3.0, 1.0, 5.0), _contrasts("oplæring", 2.0, 1.0, 3.0)]))
    assert _row(joint, criterion="oplæring")["agreement"] == "only_survey"


def test_interviews_silent_when_difference_below_one_interview(res):
    # forberedelse with every segment: b_pilot = (2 - 3) / 3, b_comparison = (1 - 2) / 2; |diff| = 1/6 < 1/2
    r = _row(res.joint, criterion="forberedelse")
    assert r["interview_direction"] == 0 and not r["interviews_speak"] and r["agreement"] == "neither"
