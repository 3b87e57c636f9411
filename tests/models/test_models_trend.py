"""Trends: Cochran–Armitage against Agresti / R and the score test, logistic trend against R,
pooled dispersion, segmented trend (closed form), distance to the goal, and the sentences."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.special import expit, logit

from sosu_analysis.danish import number_en
from sosu_analysis.models.api import (
    check_table,
    cochran_armitage,
    fit_grouped_logit,
    fit_trend,
    goal_distance,
    segmented_trend,
    trend_sentence,
    trend_tests,
)
from sosu_analysis.models.trend import trend_fits


@pytest.fixture
def cells(table1):
    return check_table(table1)


def test_cochran_armitage_snoring_matches_agresti_and_r(snoring, results):
    ref = results("snoring")
    ca = cochran_armitage(snoring["yes"], snoring["n"], snoring["score"])
    assert ca["chi2"] == pytest.approx(ref.CA_CHI2, rel=1e-7)
    assert ca["chi2"] == pytest.approx(72.688, abs=5e-4)
    assert ca["z"] > 0


def _score_test(events, trials, scores):
    """statsmodels' score test of adding the scores to an intercept-only grouped logit."""
    y, n = np.asarray(events, float), np.asarray(trials, float)
    null = sm.GLM(np.column_stack([y, n - y]), np.ones((len(y), 1)), family=sm.families.Binomial()).fit()
    chi2, p, df = null.model.score_test(null.params, exog_extra=np.asarray(scores, float)[:, None])
    return float(np.squeeze(chi2)), float(np.squeeze(p))


def test_cochran_armitage_is_the_score_test(snoring, cells):
    chi2, p = _score_test(snoring["yes"], snoring["n"], snoring["score"])
    assert cochran_armitage(snoring["yes"], snoring["n"], snoring["score"])["chi2"] == pytest.approx(chi2, rel=1e-9)
    tt = trend_tests(cells)
    for _, row in tt.iterrows():
        col = "n_dropout_total" if row["outcome_definition"] == "incl_switch" else "n_dropout_noswitch"
        d = cells[cells["programme"] == row["programme"]]
        chi2, p = _score_test(d[col], d["n_cohort"], d["year"])
        assert row["ca_chi2"] == pytest.approx(chi2, rel=1e-8)
        assert row["p_value"] == pytest.approx(p, rel=1e-7)


def test_cochran_armitage_ignores_origin_and_unit_of_scores(snoring):
    a = cochran_armitage(snoring["yes"], snoring["n"], snoring["score"])
    b = cochran_armitage(snoring["yes"], snoring["n"], 10 + 3 * snoring["score"])
    assert a["chi2"] == pytest.approx(b["chi2"], rel=1e-12)
    c = cochran_armitage(snoring["yes"], snoring["n"], -snoring["score"])
    assert c["z"] == pytest.approx(-a["z"])
    assert a["p_value_increase"] == pytest.approx(a["p_value"] / 2)


@pytest.mark.parametrize("definition", ["incl_switch", "excl_switch"])
def test_trend_matches_r(cells, results, definition):
    ref = results("sosu_table1_r")
    tt = trend_tests(cells).set_index(["outcome_definition", "programme"])
    gd = goal_distance(cells, 12.0).set_index(["outcome_definition", "programme"])
    for programme in ("PAU", "SSA", "SSH"):
        slope, se, chi2, p, phi, pred, pred_se = getattr(ref, f"{definition}_trend_{programme}")
        row = tt.loc[(definition, programme)]
        assert row["slope_log_odds_per_year"] == pytest.approx(slope, rel=1e-7)
        assert row["std_error"] == pytest.approx(se, rel=1e-4)
        assert row["ca_chi2"] == pytest.approx(chi2, rel=1e-8)
        assert row["p_value"] == pytest.approx(p, rel=1e-7)
        # R's glm stops at deviance tolerance 1e-8 and takes SEs and phi from the weights of its
        # last iteration: agreement to ~3e-5 relative for the small PAU cells
        assert row["dispersion_own"] == pytest.approx(phi, rel=1e-4)
        assert row["odds_ratio_per_year"] == pytest.approx(np.exp(slope), rel=1e-7)
        g = gd.loc[(definition, programme)]
        assert g["predicted_pct"] == pytest.approx(100 * pred, rel=1e-7)
        assert g["std_error_pp"] == pytest.approx(100 * pred_se, rel=1e-4)
        assert g["distance_pp"] == pytest.approx(100 * pred - 12.0, rel=1e-7)


def test_trend_tests_columns_and_ssa_answer(cells):
    tt = trend_tests(cells)
    for col in ("outcome_definition", "programme", "slope_log_odds_per_year", "odds_ratio_per_year", "ca_chi2",
                "p_value"):
        assert col in tt.columns
    assert set(tt["outcome_definition"]) == {"incl_switch", "excl_switch"}
    ssa = tt[tt["programme"] == "SSA"].set_index("outcome_definition")
    # published: SSA afbrudt totalt 14.4 -> 17.4 %, uden omvalg 11.2 -> 14.4 %
    assert ssa.loc["incl_switch", "pct_first"] == pytest.approx(14.4, abs=0.05)
    assert ssa.loc["incl_switch", "pct_last"] == pytest.approx(17.4, abs=0.05)
    assert ssa.loc["excl_switch", "pct_last"] == pytest.approx(14.4, abs=0.05)
    assert (ssa["p_value"] < 0.05).all() and (ssa["slope_log_odds_per_year"] > 0).all()
    # the AME per year of a logistic trend lies near the average slope of the rates
    assert 0.5 < ssa.loc["incl_switch", "ame_pp_per_year"] < 3


def test_pooled_dispersion_is_that_of_the_joint_trend_model(cells):
    """Independent route: one model with a separate intercept and slope per programme has
    Pearson X2 equal to the sum of the per-programme ones, so its dispersion is the pooled one."""
    for definition, col in (("incl_switch", "n_dropout_total"), ("excl_switch", "n_dropout_noswitch")):
        _, phi, df = trend_fits(cells, definition)
        d = cells.assign(year_c=cells["year"] - 2022)
        joint = fit_grouped_logit(d, col, "n_cohort", ["programme", "year_c", "programme:year_c"])
        assert df == joint.df_resid == 3
        assert phi == pytest.approx(joint.dispersion, rel=1e-8)
        tt = trend_tests(cells)
        row = tt[(tt["outcome_definition"] == definition) & (tt["programme"] == "SSA")].iloc[0]
        assert row["std_error_quasi"] == pytest.approx(row["std_error"] * np.sqrt(max(phi, 1)))


def test_segmented_trend_not_estimable_before_the_intervention(cells):
    seg = segmented_trend(cells, intervention_year=2025)
    assert len(seg) == 6
    assert not seg["estimable"].any()
    assert seg["note"].str.contains("no year at or after 2025").all()


def test_segmented_trend_closed_form_when_saturated(cells):
    """Two years before and one after: the fit is exact, the level shift is the distance of the
    post year's log-odds from the straight line through the two earlier ones."""
    seg = segmented_trend(cells, intervention_year=2024)
    post = seg[(seg["term"] == "post") & (seg["outcome_definition"] == "incl_switch")].set_index("programme")
    assert post["estimable"].all()
    for programme in ("PAU", "SSA", "SSH"):
        d = cells[cells["programme"] == programme].sort_values("year")
        p = (d["n_dropout_total"] / d["n_cohort"]).to_numpy()
        line = 2 * logit(p[1]) - logit(p[0])
        assert post.loc[programme, "estimate"] == pytest.approx(logit(p[2]) - line, rel=1e-6)
        assert post.loc[programme, "effect_pp"] == pytest.approx(100 * (p[2] - expit(line)), rel=1e-6)


def test_segmented_trend_with_two_post_years_adds_a_slope_change(table1):
    extra = table1[table1["year"] >= 2023].copy()
    extra["year"] = extra["year"] + 2  # 2025, 2026 copies: synthetic post-intervention years
    seg = segmented_trend(check_table(pd.concat([table1, extra], ignore_index=True)), 2025)
    assert seg["estimable"].all()
    assert set(seg["term"]) == {"year_c", "post", "post_slope"}


def test_goal_distance_flags_and_extrapolation(cells):
    gd = goal_distance(cells, 12.0)
    assert set(gd.loc[gd["goal_applies"], "programme"]) == {"SSA", "SSH"}
    ssa = gd[(gd["programme"] == "SSA") & (gd["outcome_definition"] == "incl_switch")].iloc[0]
    assert ssa["observed_pct"] == pytest.approx(231 / 1327 * 100)
    assert ssa["distance_ci_low"] < ssa["distance_pp"] < ssa["distance_ci_high"]
    assert ssa["distance_ci_low_quasi"] <= ssa["distance_ci_low"]
    later = goal_distance(cells, 12.0, year=2026)
    assert later["note"].str.contains("extrapolated 2 year").all()
    fit = fit_trend(cells, "SSA", "incl_switch")
    row = later[(later["programme"] == "SSA") & (later["outcome_definition"] == "incl_switch")].iloc[0]
    assert row["predicted_pct"] == pytest.approx(
        100 * expit(fit.params["Intercept"] + 4 * fit.params["year_c"]), rel=1e-10)


def test_trend_sentences(cells):
    tt = trend_tests(cells)
    ssa = tt[(tt["programme"] == "SSA") & (tt["outcome_definition"] == "incl_switch")].iloc[0]
    en = trend_sentence(ssa)
    assert "14.4 % in 2022" in en and "17.4 % in 2024" in en
    assert f"chi² = {number_en(ssa['ca_chi2'], 2)}" in en and "p = 0.043" in en
    assert "rise is larger than chance" in en
    assert "fragile" in en  # significance does not survive the pooled overdispersion
    da = trend_sentence(ssa, "da")
    assert "14,4\u00a0%" in da and "17,4\u00a0%" in da and "stigningen er større" in da and "p = 0,043" in da
    ns = ssa.copy()
    ns["p_value"] = 0.2
    assert "within what chance alone could give" in trend_sentence(ns)
    ssh = tt[(tt["programme"] == "SSH") & (tt["outcome_definition"] == "excl_switch")].iloc[0]
    assert "the fall is within" in trend_sentence(ssh)


def test_trend_curves_quasi_band_matches_statsmodels_glm_scale_x2(cells):
    """The quasi band against statsmodels as an independent reference.

    Reference: the joint binomial GLM ``programme + programme:year`` (separate intercept and slope per
    programme, the model whose Pearson dispersion is the pooled phi) with a proportion response and
    ``var_weights`` = trials (the form statsmodels' ``scale="X2"`` handles right, see models/quasi.py),
    fitted with ``scale="X2", use_t=True`` (t on the residual df), and
    ``get_prediction(..., which="linear").conf_int(alpha)`` transformed by expit.
    """
    from sosu_analysis.models.trend import programme_years, trend_curves

    alpha = 0.10
    curves = trend_curves(cells, alpha=alpha, n_points=7)
    for definition in ("incl_switch", "excl_switch"):
        progs = sorted(cells["programme"].unique())
        parts = [programme_years(cells, p, definition).assign(programme=p) for p in progs]
        d = pd.concat(parts, ignore_index=True)

        def design(frame, progs=progs):
            cols = {}
            for p in progs:
                ind = (frame["programme"] == p).to_numpy(float)
                cols[f"{p}"] = ind
                cols[f"{p}:year"] = ind * frame["year_c"].to_numpy(float)
            return pd.DataFrame(cols)

        glm = sm.GLM(d["events"] / d["trials"], design(d), family=sm.families.Binomial(),
                     var_weights=d["trials"]).fit(scale="X2", use_t=True)
        assert glm.scale > 1  # overdispersed, so the quasi band differs from the binomial one
        for p, part in zip(progs, parts, strict=True):
            c = curves[(curves["outcome_definition"] == definition) & (curves["programme"] == p)]
            grid = pd.DataFrame({"programme": p, "year_c": c["year"].to_numpy() - part["year"].min()})
            ci = glm.get_prediction(design(grid), which="linear").conf_int(alpha=alpha)
            np.testing.assert_allclose(c["band_low_quasi"], 100 * expit(ci[:, 0]), rtol=1e-6)
            np.testing.assert_allclose(c["band_high_quasi"], 100 * expit(ci[:, 1]), rtol=1e-6)
            assert (c["band_high_quasi"] - c["band_low_quasi"] > c["ci_high"] - c["ci_low"]).all()
