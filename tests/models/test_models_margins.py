"""Predicted probabilities and average marginal effects: closed forms, statsmodels get_margeff,
finite differences, and R's predict(se.fit = TRUE)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from sosu_analysis.models.api import (
    average_marginal_effects,
    check_table,
    fit_grouped_logit,
    fit_logit_models,
    marginal_effects_table,
    margins,
    predicted_probabilities,
)
from sosu_analysis.models.margins import average_prediction


@pytest.fixture
def models(table1):
    return fit_logit_models(check_table(table1))


@pytest.mark.parametrize("definition", ["incl_switch", "excl_switch"])
def test_single_factor_margins_are_observed_rates(table1, models, definition):
    """Closed form: with programme alone, the margin of a programme is its observed pooled rate,
    the AME a difference of two rates with SE sqrt(p1 q1 / n1 + p2 q2 / n2)."""
    fit = models.fits[(definition, "programme")]
    col = "n_dropout_total" if definition == "incl_switch" else "n_dropout_noswitch"
    pooled = table1.groupby("programme")[[col, "n_cohort"]].sum()
    rate = pooled[col] / pooled["n_cohort"]
    m = margins(fit, "programme").set_index("level")
    np.testing.assert_allclose(m["estimate"], rate[m.index], rtol=1e-10)
    np.testing.assert_allclose(m["std_error"], np.sqrt(rate * (1 - rate) / pooled["n_cohort"])[m.index], rtol=1e-7)
    a = average_marginal_effects(fit, "programme").set_index("level")
    for lev in ("PAU", "SSH"):
        assert a.loc[lev, "estimate"] == pytest.approx(rate[lev] - rate["SSA"], rel=1e-9)
        se = np.sqrt(rate[lev] * (1 - rate[lev]) / pooled.loc[lev, "n_cohort"]
                     + rate["SSA"] * (1 - rate["SSA"]) / pooled.loc["SSA", "n_cohort"])
        assert a.loc[lev, "std_error"] == pytest.approx(se, rel=1e-7)


def test_saturated_cell_predictions_are_observed_rates(table1, models):
    fit = models.fits[("incl_switch", "interaction")]
    pred = predicted_probabilities(fit)
    p = table1["n_dropout_total"] / table1["n_cohort"]
    np.testing.assert_allclose(pred["estimate"], p, rtol=1e-9)
    np.testing.assert_allclose(pred["std_error"], np.sqrt(p * (1 - p) / table1["n_cohort"]), rtol=1e-6)


@pytest.mark.parametrize("definition", ["incl_switch", "excl_switch"])
def test_cell_predictions_match_r_predict(models, results, definition):
    ref = results("sosu_table1_r")
    pred = predicted_probabilities(models.fits[(definition, "additive")])
    np.testing.assert_allclose(pred["estimate"], getattr(ref, f"{definition}_additive_pred"), rtol=1e-7)
    np.testing.assert_allclose(pred["std_error"], getattr(ref, f"{definition}_additive_pred_se"), rtol=2e-5)


def test_binary_factor_ame_matches_statsmodels_get_margeff(berkeley, expand_students):
    """Gender (two levels) is a discrete change; statsmodels' dummy=True margeff on one row per
    student is the same quantity with the same delta-method SE."""
    fit = fit_grouped_logit(berkeley, "admitted", "applicants", ["gender", "dept"])
    ours = average_marginal_effects(fit, "gender").iloc[0]
    assert ours["level"] == "male" and ours["reference"] == "female"
    students = expand_students(berkeley, "admitted", "applicants", ["male", "dept"])
    x = pd.get_dummies(students["dept"], prefix="dept", drop_first=True, dtype=float)
    x.insert(0, "male", students["male"].astype(float))
    x = sm.add_constant(x)
    logit = sm.Logit(students["y"], x).fit(disp=False, method="newton", tol=1e-12)
    me = logit.get_margeff(at="overall", dummy=True)
    assert ours["estimate"] == pytest.approx(me.margeff[0], rel=1e-7)
    assert ours["std_error"] == pytest.approx(me.margeff_se[0], rel=1e-5)


def test_numeric_ame_matches_statsmodels_get_margeff(snoring, expand_students):
    fit = fit_grouped_logit(snoring, "yes", "n", ["score"])
    ours = average_marginal_effects(fit, "score").iloc[0]
    students = expand_students(snoring, "yes", "n", ["score"])
    logit = sm.Logit(students["y"], sm.add_constant(students["score"].astype(float))).fit(disp=False, tol=1e-12)
    me = logit.get_margeff(at="overall", method="dydx")
    assert ours["estimate"] == pytest.approx(me.margeff[0], rel=1e-7)
    assert ours["std_error"] == pytest.approx(me.margeff_se[0], rel=1e-5)


def _numeric_gradient(fun, fit, h=1e-6):
    base = fit.params.to_numpy()
    grad = np.empty(len(base))
    for j in range(len(base)):
        up, down = base.copy(), base.copy()
        up[j] += h
        down[j] -= h
        f_up = fun(dataclasses.replace(fit, params=pd.Series(up, index=fit.params.index)))
        f_down = fun(dataclasses.replace(fit, params=pd.Series(down, index=fit.params.index)))
        grad[j] = (f_up - f_down) / (2 * h)
    return grad


@pytest.mark.parametrize("model", ["additive", "interaction"])
def test_delta_method_gradients_match_finite_differences(models, model):
    fit = models.fits[("incl_switch", model)]
    v = fit.cov.to_numpy()

    def ame_pau(f):
        return average_prediction(f, set_values={"programme": "PAU"})[0] - \
            average_prediction(f, set_values={"programme": "SSA"})[0]

    g = _numeric_gradient(ame_pau, fit)
    ours = average_marginal_effects(fit, "programme").set_index("level").loc["PAU"]
    assert ours["estimate"] == pytest.approx(ame_pau(fit), rel=1e-12)
    assert ours["std_error"] == pytest.approx(np.sqrt(g @ v @ g), rel=1e-6)

    def margin_2024(f):
        return average_prediction(f, set_values={"year": 2024})[0]

    g = _numeric_gradient(margin_2024, fit)
    m = margins(fit, "year").set_index("level").loc[2024]
    assert m["std_error"] == pytest.approx(np.sqrt(g @ v @ g), rel=1e-6)


def test_numeric_ame_is_the_average_derivative(snoring):
    """Finite difference in the covariate itself: the AME of a number is the average slope dp/dx."""
    fit = fit_grouped_logit(snoring, "yes", "n", ["score"])
    h = 1e-6
    w = snoring["n"] / snoring["n"].sum()
    up = fit.predict(snoring.assign(score=snoring["score"] + h))
    down = fit.predict(snoring.assign(score=snoring["score"] - h))
    numeric = float(np.sum(w * (up - down) / (2 * h)))
    assert average_marginal_effects(fit, "score").iloc[0]["estimate"] == pytest.approx(numeric, rel=1e-7)


def test_marginal_effects_table(models):
    tab = marginal_effects_table(models)
    assert set(tab["kind"]) == {"margin", "ame", "cell"}
    assert set(tab["outcome_definition"]) == {"incl_switch", "excl_switch"}
    assert (tab.loc[tab["kind"] == "ame", "unit"] == "pp").all()
    assert (tab.loc[tab["kind"] != "ame", "unit"] == "%").all()
    ame = tab[(tab["kind"] == "ame") & (tab["model"] == "additive") & (tab["outcome_definition"] == "incl_switch")]
    pau = ame[(ame["variable"] == "programme") & (ame["level"] == "PAU")].iloc[0]
    direct = average_marginal_effects(models.fits[("incl_switch", "additive")], "programme").set_index("level")
    assert pau["estimate"] == pytest.approx(100 * direct.loc["PAU", "estimate"])
    assert (tab["std_error_quasi"] >= tab["std_error"] - 1e-12).all()
    cells = tab[(tab["kind"] == "cell")]
    assert len(cells) == 2 * 2 * 9
