"""One rule for uncertainty and no contradictions (issue 19), on the shipped result tables.

Every statement of the note about a quantity (trend, goal, national level and development, pilot,
detectable effect, power) comes from one :class:`~sosu_analysis.reporting.rapport.verdicts.Verdicts`;
:func:`~sosu_analysis.reporting.rapport.consistency.contradictions` reads the marked statements back
from the rendered HTML. A planted contradiction — a second trend verdict computed with another
dispersion, a second detectable effect from another table — must be caught. The same check runs on
two other extracts in ``tests/test_rapport_other_data.py``.
"""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest
from markupsafe import Markup
from scipy import stats

from sosu_analysis.paths import project_root
from sosu_analysis.reporting import rapport
from sosu_analysis.reporting.rapport import prose, uncertainty
from sosu_analysis.reporting.rapport.consistency import claims, contradictions

ROOT = project_root()
SHIPPED_STUDENTS = "data/raw/synthetic/students_synthetic_seed20250401_effect-5.csv"


def note_html(res, v, goals=None, national=None) -> str:
    """The note's HTML as the notebook assembles it (without figures)."""
    parts = [rapport.first_screen(v, ["Gladsaxe", "Frederikssund"], "2026-12-01", res, "1. december 2026", "0",
                                  "syntetisk udtræk"),
             prose.pilot_section(v, res).html(), prose.timeline_section(v).html(), prose.trend_section(v, res).html()]
    if goals is not None:
        parts.append(prose.goal_section(v, goals).html())
    parts.append(prose.national_section(v, national, None).html())
    return "".join(str(p) for p in parts)


@pytest.fixture(scope="module")
def shipped():
    """The shipped result tables, the verdicts built from them, and the note's HTML."""
    from sosu_analysis.did import timeline as tl
    from sosu_analysis.pipeline.student_data import load_students
    from sosu_analysis.readers import goals
    from sosu_analysis.reporting.national import section as national_section
    from sosu_analysis.students import synthetic_label

    res = rapport.load_results(ROOT / "reports", synthetic_label(ROOT / SHIPPED_STUDENTS))
    data = load_students(SHIPPED_STUDENTS, "data/raw/campuses.csv", res.horizons, "")
    p = rapport.power_row(res)
    timeline, milestones = tl.build_timeline(data.main, res.horizons, float(p["baseline_pct"]) / 100,
                                             float(p["icc"]))
    realised = {h: float(rapport.did_row(res, "incl_switch", h)["se_pp"]) for h in res.horizons}
    timeline = tl.realised_timeline(timeline, milestones, realised, float(p["target_effect_pp"]), res.horizons[0])
    when = tl.timing(timeline, milestones, res.horizons, float(p["target_effect_pp"]))
    national = national_section.load_tables(ROOT / "reports")
    v = rapport.build(res, when, national)
    goal_table = goals.read_goals(ROOT / "data/raw/national_goals_danske_sosu_skoler.csv")
    return res, v, note_html(res, v, goal_table, national), national


def test_the_shipped_note_has_no_contradictions(shipped):
    res, v, html, _ = shipped
    found = {q for q, _ in claims(html)}
    # every kind of quantity is stated, and stated more than once where the first screen repeats it
    for prefix in ("tendens:", "maal:", "indsats:", "national-niveau:", "national-tendens:", "mde:", "styrke:"):
        assert any(q.startswith(prefix) for q in found), prefix
    assert sum(q == "tendens:SSA" for q, _ in claims(html)) >= 2
    assert contradictions(html) == {}


def test_a_second_trend_verdict_from_another_dispersion_is_caught(shipped):
    # the contradiction of the shipped report before issue 19: the national section judged SSA's development
    # with the national model's dispersion (p = 0,038) while the trend card used SOSU H's own (p = 0,427)
    res, v, html, national = shipped
    nt = national["national_trend"]
    row = nt[(nt["programme"] == "SSA") & (nt["outcome_definition"] == "incl_switch")].iloc[0]
    p = float(row["p_value_quasi"])
    second = uncertainty.Evidence("tendens:SSA", float(row["slope_diff"]), float(row["ci_low_quasi"]),
                                  float(row["ci_high_quasi"]), p, uncertainty.strength(p, res.alpha), "offentlig",
                                  "national model")
    assert second.strength != v.trend["SSA"].strength  # it would say something else
    planted = html + str(second.says("udviklingen på SSA adskiller sig"))
    assert "tendens:SSA" in contradictions(planted)


def test_a_second_detectable_effect_is_caught(shipped):
    res, v, html, _ = shipped
    analytic = float(res["power"].query("icc_source == 'estimated' and method == 'analytic_t(G-2)'")["mde_pp"].iloc[0])
    planted = html + str(uncertainty.mark_value(f"mde:{v.timing.horizon}", f"{analytic:.1f}".replace(".", ","),
                                                "syntetisk"))
    assert f"mde:{v.timing.horizon}" in contradictions(planted)


def test_the_scale_has_fixed_thresholds():
    # the rule of docs/decisions.md: p < alpha/5 klart, < alpha sandsynligvis, < 2 alpha tyder på
    a = 0.05
    assert [uncertainty.strength(p, a) for p in (0.0099, 0.0101, 0.0499, 0.0501, 0.0999, 0.1001, math.nan)] == \
        ["klart", "sandsynligvis", "sandsynligvis", "tyder", "tyder", "uafklaret", "uafklaret"]
    assert uncertainty.strength(0.15, 0.10) == "tyder"  # follows the run's alpha


def test_funnel_verdict_uses_spiegelhalters_overdispersion(shipped):
    res, v, _, national = shipped
    fu = national["national_funnel"]
    r = fu[(fu["programme"] == "SSH") & (fu["outcome_definition"] == "incl_switch")].iloc[0]
    # the numbers: z = -4,6 without and -1,7 with the adjustment (Spiegelhalter 2005, z / sqrt(phi))
    assert round(float(r["z"]), 1) == -4.6
    z_adj = float(r["z"]) / math.sqrt(float(r["phi"]))
    assert round(z_adj, 1) == -1.7
    assert v.national_level["SSH"].p == pytest.approx(math.erfc(abs(z_adj) / math.sqrt(2)), rel=1e-12)
    assert v.national_level["SSH"].strength != "klart"  # no longer "sikkert forskelligt"


def test_trend_interval_is_widened_by_the_schools_dispersion(shipped):
    res, v, _, _ = shipped
    r = res["trend_tests"].query("programme == 'SSA' and outcome_definition == 'incl_switch'").iloc[0]
    ev = v.trend["SSA"]
    half = (r["ame_ci_high"] - r["ame_ci_low"]) / 2 * math.sqrt(r["dispersion"]) * stats.t.ppf(0.975, 3) / 1.959964
    assert ev.high - ev.estimate == pytest.approx(half, rel=1e-5)
    assert ev.p == pytest.approx(0.427, abs=5e-4) and ev.strength == "uafklaret"


def test_national_development_uses_the_same_dispersion_as_the_trend(shipped):
    # Var(difference) = Var(national model, binomial) + (phi - 1) Var(SOSU H's slope), t on phi's df
    res, v, _, national = shipped
    nt = national["national_trend"].query("programme == 'SSA' and outcome_definition == 'incl_switch'").iloc[0]
    own = res["trend_tests"].query("programme == 'SSA' and outcome_definition == 'incl_switch'").iloc[0]
    se = math.sqrt(nt["se"] ** 2 + (own["dispersion"] - 1) * own["std_error"] ** 2)
    p = 2 * stats.t.sf(abs(nt["slope_diff"] / se), own["df_dispersion"])
    assert v.national_trend["SSA"].p == pytest.approx(p, rel=1e-10)
    assert v.national_trend["SSA"].strength == v.trend["SSA"].strength == "uafklaret"


def test_every_flagging_pretrend_test_is_reported(shipped):
    res, v, html, _ = shipped
    text = re.sub(r"<[^>]+>", "", html)
    flagged = res["event_study_pretrend"].query("p_value < 0.05")
    assert len(flagged) >= 2  # the excl_switch joint tests, p = 0,033 and 0,044
    for p in flagged["p_value"]:
        assert f"p = {p:.3f}".replace(".", ",") in text


def test_the_narrowing_just_before_the_start_is_reported(shipped):
    """Chapter 04's event study: the gap at the second-last pre-start intake, relative to the last one (0)."""
    res, v, html, _ = shipped
    text = re.sub(r"<[^>]+>", "", html).replace("\u00a0", " ")
    es = res["event_study"]
    for definition in ("incl_switch", "excl_switch"):
        att = float(es[(es.outcome_definition == definition) & (es.rel_time == -2)]["att_pp"].iloc[0])
        assert att > 0  # the shipped data: the pilot campuses' excess dropout fell just before the start
        assert f"{att:.1f} procentpoint".replace(".", ",") in text
    assert "Lige før start blev forskellen mindre" in text


def test_the_design_floor_is_computed_not_typed(shipped):
    res, v, html, _ = shipped
    # 4 pilot of 6 campuses: C(6, 4) = 15 assignments, the smallest randomization p is 1/15
    assert v.floor == pytest.approx(1 / math.comb(v.n_campuses, v.n_pilot))
    text = re.sub(r"<[^>]+>", "", html)
    assert "0,067" in text and "december 2028" not in text
    assert not re.search(r"\b(endnu|sikkert)\b", text), re.findall(r".{30}\b(?:endnu|sikkert)\b.{10}", text)


def test_the_cards_answer_all_programmes_and_the_goal_by_when(shipped):
    res, v, html, _ = shipped
    cards = {a.key: a for a in rapport.answers(v)}
    assert [a.key for a in rapport.answers(v)] == ["indsatser", "tendens", "maal"]
    lines = " ".join(str(x) for x in cards["tendens"].lines)
    for name in ("SSA", "SSH", "PAU", "Skolen samlet"):
        assert name in lines
    goal = " ".join(str(x) for x in cards["maal"].lines)
    assert "på sporet" in goal.lower() and "nuværende tempo" in goal
    # grey, not red, when it cannot be decided
    assert cards["indsatser"].strength == "uafklaret" and "lys-uafklaret" in html and "lys-rød" not in html


def test_decisions_pick_one_way_with_a_dated_decision_point(shipped):
    res, v, _, _ = shipped
    ds = rapport.decisions(v, ["Gladsaxe", "Frederikssund"], "2026-12")
    assert 3 <= len(ds) <= 6
    assert {d.action for d in ds} <= {"fortsæt", "justér", "stop"}
    assert [d.when for d in ds] == sorted(d.when for d in ds)
    assert len({d.when for d in ds}) >= 2  # not all the same deadline
    assert not any(" eller " in d.what and "Vælg" in d.what for d in ds)  # no menu of options
    assert all(re.fullmatch(r"\d{4}-\d{2}", d.when) for d in ds)


def test_markup_in_data_is_escaped():
    ev = uncertainty.Evidence("x", 1.0, 0.0, 2.0, 0.5, "uafklaret", "offentlig", "b")
    out = ev.says("<script>alert(1)</script> steg")
    assert "<script>" not in str(out) and isinstance(out, Markup)


def test_school_trend_matches_a_direct_glm():
    # reference: statsmodels' binomial GLM on the three programmes' counts summed per year (independent fit)
    import numpy as np
    import statsmodels.api as sm

    from sosu_analysis.models.trend import school_trend

    t1 = pd.read_csv(ROOT / "reports/tables/table1.csv")
    by = t1.groupby("year")[["n_cohort", "n_dropout_total"]].sum().reset_index()
    X = sm.add_constant(by["year"] - by["year"].min())
    y = np.column_stack([by["n_dropout_total"], by["n_cohort"] - by["n_dropout_total"]])
    fit = sm.GLM(y, X, family=sm.families.Binomial()).fit()
    row = school_trend(t1, "incl_switch")
    assert row["slope_log_odds_per_year"] == pytest.approx(fit.params.iloc[1], rel=1e-8)
    assert row["std_error"] == pytest.approx(fit.bse.iloc[1], rel=1e-6)


def _design_tables(best: str) -> dict:
    """Chapter 11's tables, minimal, with ``best`` as the strongest design (the rest as the contract says)."""
    import pandas as pd

    ratings = {"in_school": 3 if best == "in_school" else 0, "national_sdid": 3 if best == "national_sdid" else 1}
    evidence = pd.DataFrame([{"design": d, "rating": r, "ceiling": 4, "reasons": f"design_{d};good_coverage",
                              "n_comparison_units": 2 if d == "in_school" else 54, "pre_fit_rmse_pp": 1.0,
                              "coverage": 1.0, "mde_pp": 7.0, "target_pp": 5.0} for d, r in ratings.items()])
    sdid = pd.DataFrame([{"estimator": "sdid", "estimate_pp": -6.5, "se_pp": 2.5, "ci_low_pp": -11.4, "ci_high_pp": -1.6,
                          "p_value": 0.0097, "pre_fit_rmse_pp": 1.0, "n_donors": 54, "n_treated": 4, "n_pre": 8,
                          "n_post": 1, "replications": 200, "seed": 1}])
    panel = pd.DataFrame([{"status": "ok", "n_donors_kept": 54, "n_donors_dropped": 7, "threshold": 0.15,
                           "synthetic": True}])
    students = pd.DataFrame([
        {"source": "in_school", "effect_pp": -4.2, "n_students": 795, "avoided": 33.5, "cost_dkk_per_year": math.nan,
         "cost_per_avoided": math.nan, "cost_low": math.nan, "cost_high": math.nan},
        {"source": "goal", "effect_pp": -5.4, "n_students": 1327, "avoided": 71.8, "cost_dkk_per_year": math.nan,
         "cost_per_avoided": math.nan, "cost_low": math.nan, "cost_high": math.nan}])
    first = pd.DataFrame([{"design": "national_sdid", "horizon": 3, "first_date": "2028-06", "mde_first_pp": 7.0,
                           "mde_end_pp": 4.5, "target_pp": 5.0},
                          {"design": "in_school", "horizon": 3, "first_date": "", "mde_first_pp": 28.0,
                           "mde_end_pp": 10.7, "target_pp": 5.0}])
    return {"design_evidence": evidence, "design_sdid": sdid, "design_panel": panel, "design_students": students,
            "design_first": first}


def test_the_design_section_states_the_in_school_verdict_as_the_same_quantity(shipped):
    from sosu_analysis.reporting.rapport import design

    res, v, html, _ = shipped
    part = str(design.design_section(v, _design_tables("in_school"), res["did"], v.timing.until).html())
    main = v.main_pilot()
    assert any(q == main.quantity for q, _ in claims(part))  # the same Evidence as the note's first section
    assert contradictions(html, part) == {}
    assert "Evidensens styrke: 3 af 5" in part and "færre afbrud om året blandt 795 elever" in part
    assert "ukendt" in part  # no cost column: the cost is stated as unknown


def test_the_national_design_is_keyed_apart_and_worded_on_the_scale(shipped):
    from sosu_analysis.reporting.rapport import design

    res, v, html, _ = shipped
    part = str(design.design_section(v, _design_tables("national_sdid"), res["did"], v.timing.until).html())
    keys = {q for q, _ in claims(part)}
    assert keys == {f"pilot:national_sdid:{v.timing.horizon}"}  # not the in-school comparison's quantity
    assert contradictions(html, part) == {}
    # p = 0,0097 < alpha / 5: "klart", on synthetic data
    assert "I de syntetiske data er det klart" in part and "data-styrke='klart'" in part
    # a planted second statement of the same quantity with another p is caught
    from sosu_analysis.reporting.rapport.uncertainty import Evidence

    other = Evidence(f"pilot:national_sdid:{v.timing.horizon}", -6.5, -12, -1, 0.04, "sandsynligvis", "syntetisk", "")
    assert contradictions(part + str(other.says("x"))) != {}


def test_the_soonest_design_is_a_dated_recommendation():
    from sosu_analysis.reporting.rapport import design

    (d,) = design.soonest_decision(_design_tables("in_school"), "2028-12", synthetic=True)
    assert d.when == "2028-06" and d.when_da == "juni 2028"
    assert "andre skolers afdelinger" in d.what and "syntetiske" in d.why
    t = _design_tables("in_school")
    t["design_first"] = t["design_first"].assign(first_date="")
    (none,) = design.soonest_decision(t, "2028-12", synthetic=False)
    assert none.when == "2028-12" and "Intet af designene" in none.what
    assert design.soonest_decision(None, "2028-12", synthetic=False) == []


def _timing_with(shipped_res, realised_at):
    """The note's Timing when only the horizons in ``realised_at`` have a realised SE (the others missing)."""
    from sosu_analysis.did import timeline as tl
    from sosu_analysis.pipeline.student_data import load_students

    res = shipped_res
    data = load_students(SHIPPED_STUDENTS, "data/raw/campuses.csv", res.horizons, "")
    p = rapport.power_row(res)
    timeline, milestones = tl.build_timeline(data.main, res.horizons, float(p["baseline_pct"]) / 100,
                                             float(p["icc"]))
    realised = {h: (float(rapport.did_row(res, "incl_switch", h)["se_pp"]) if h in realised_at else float("nan"))
                for h in res.horizons}
    timeline = tl.realised_timeline(timeline, milestones, realised, float(p["target_effect_pp"]), res.horizons[0])
    return tl.timing(timeline, milestones, res.horizons, float(p["target_effect_pp"]))


def test_a_borrowed_or_best_case_standard_error_is_said_not_passed_off_as_realised(shipped):
    """Issue 17, item 4 (fail closed): the shipped data have a realised SE at every horizon, so the note is
    silent about it; without one at 6 and 12 months their dates borrow the 3-month ratio, and without any the
    best case is used, and the section says which."""
    res, v, _, _ = shipped
    assert v.timing.se_from == {3: "realised", 6: "realised", 12: "realised"}
    assert "egen usikkerhed" not in str(prose.timeline_section(v).html())
    when = _timing_with(res, {3})
    assert when.se_from == {3: "realised", 6: "borrowed", 12: "borrowed"}
    text = re.sub(r"\s+", " ", str(prose.timeline_section(rapport.build(res, when)).html()))
    assert "Efter 6 og 12 måneder er der endnu intet skøn med egen usikkerhed" in text
    assert "som efter 3 måneder" in text
    when = _timing_with(res, set())
    assert when.not_realised == {3: "design", 6: "design", 12: "design"}
    text = re.sub(r"\s+", " ", str(prose.timeline_section(rapport.build(res, when)).html()))
    assert "Efter 3, 6 og 12 måneder bygger datoerne på den planlagte usikkerhed" in text
    assert "det bedste tilfælde" in text
