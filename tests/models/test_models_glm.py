"""Grouped binomial logit: published/R references, and equality with the per-student fit."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from sosu_analysis.models.api import (
    check_table,
    coefficient_table,
    fit_grouped_logit,
    fit_logit_models,
    logit_models_table,
    lr_test,
    lr_tests_table,
    model_terms,
)
from sosu_analysis.models.data import events_column


def test_berkeley_gender_and_department_match_r(berkeley, results):
    ref = results("berkeley")
    fit = fit_grouped_logit(berkeley, "admitted", "applicants", ["male", "dept"])
    assert list(fit.params.index) == ref.GENDER_DEPT_TERMS
    np.testing.assert_allclose(fit.params, ref.GENDER_DEPT_COEF, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(fit.bse, ref.GENDER_DEPT_SE, rtol=1e-7)
    assert fit.deviance == pytest.approx(ref.GENDER_DEPT_DEVIANCE, rel=1e-8)
    assert fit.df_resid == ref.GENDER_DEPT_DF_RESID
    # the values as printed in the issue
    assert fit.params["male"] == pytest.approx(-0.09987, abs=5e-6)
    assert fit.bse["male"] == pytest.approx(0.08085, abs=5e-6)


def test_berkeley_gender_alone_matches_r(berkeley, results):
    ref = results("berkeley")
    fit = fit_grouped_logit(berkeley, "admitted", "applicants", ["male"])
    np.testing.assert_allclose(fit.params, ref.GENDER_COEF, rtol=1e-8)
    np.testing.assert_allclose(fit.bse, ref.GENDER_SE, rtol=1e-7)
    assert fit.params["male"] == pytest.approx(0.6104, abs=5e-5)


def test_snoring_matches_agresti(snoring, results):
    ref = results("snoring")
    fit = fit_grouped_logit(snoring, "yes", "n", ["score"])
    np.testing.assert_allclose(fit.params, ref.LOGIT_COEF, rtol=1e-8)
    np.testing.assert_allclose(fit.bse, ref.LOGIT_SE, rtol=1e-7)
    assert fit.deviance == pytest.approx(ref.DEVIANCE, rel=1e-8)
    assert fit.params["score"] == pytest.approx(0.3973, abs=5e-5)
    assert fit.params["Intercept"] == pytest.approx(-3.8662, abs=5e-5)


def _formula_name(name: str) -> str:
    """statsmodels formula names -> this package's (``C(year)[T.2023]`` -> ``year[2023]``)."""
    return re.sub(r"C\((\w+)(?:, Treatment\('?\w+'?\))?\)\[T\.([^\]]+)\]", r"\1[\2]", name)


@pytest.mark.parametrize("definition", ["incl_switch", "excl_switch"])
@pytest.mark.parametrize("model", ["programme", "year", "additive", "interaction"])
def test_cell_fit_equals_per_student_fit(table1, expand_students, definition, model):
    """The same model on one row per student (formula API, its own design) gives the same
    coefficients and standard errors; LR statistics are twice the per-student llf differences."""
    cells = check_table(table1)
    models = fit_logit_models(cells)
    fit = models.fits[(definition, model)]
    students = expand_students(cells, events_column(definition), "n_cohort", ["programme", "year"])
    assert len(students) == 7142
    rhs = {"programme": "C(programme, Treatment('SSA'))", "year": "C(year)",
           "additive": "C(programme, Treatment('SSA')) + C(year)",
           "interaction": "C(programme, Treatment('SSA')) * C(year)"}[model]
    per_student = smf.logit(f"y ~ {rhs}", data=students).fit(disp=False, method="newton", tol=1e-12)
    ps_params = per_student.params.rename(index=_formula_name)
    ps_bse = per_student.bse.rename(index=_formula_name)
    assert set(ps_params.index) == set(fit.params.index)
    np.testing.assert_allclose(fit.params, ps_params[fit.params.index], rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(fit.bse, ps_bse[fit.params.index], rtol=1e-6)
    if model == "additive":
        reduced = models.fits[(definition, "year")]
        ps_reduced = smf.logit("y ~ C(year)", data=students).fit(disp=False, method="newton")
        assert lr_test(reduced, fit)["lr_chi2"] == pytest.approx(2 * (per_student.llf - ps_reduced.llf), rel=1e-7)


@pytest.mark.parametrize("definition", ["incl_switch", "excl_switch"])
def test_sosu_models_match_r(table1, results, definition):
    ref = results("sosu_table1_r")
    models = fit_logit_models(check_table(table1))
    add = models.fits[(definition, "additive")]
    assert list(add.params.index) == ref.ADDITIVE_TERMS
    np.testing.assert_allclose(add.params, getattr(ref, f"{definition}_additive_coef"), rtol=1e-8)
    # R's vcov uses the IRLS weights of its last iteration (deviance tolerance 1e-8), so its SEs
    # differ from those at the exact optimum in the 6th digit
    np.testing.assert_allclose(add.bse, getattr(ref, f"{definition}_additive_se"), rtol=2e-5)
    assert add.deviance == pytest.approx(getattr(ref, f"{definition}_additive_deviance")[0], rel=1e-8)
    inter = models.fits[(definition, "interaction")]
    np.testing.assert_allclose(inter.params[ref.INTERACTION_TERMS], getattr(ref, f"{definition}_interaction_coef"),
                               rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(inter.bse[ref.INTERACTION_TERMS], getattr(ref, f"{definition}_interaction_se"),
                               rtol=2e-5)
    lr = lr_tests_table(check_table(table1), models)
    lr = lr[lr["outcome_definition"] == definition].set_index("test")
    for test, key in (("programme", "lr_programme"), ("year", "lr_year"), ("programme:year", "lr_interaction")):
        chi2, df, p = getattr(ref, f"{definition}_{key}")
        assert lr.loc[test, "lr_chi2"] == pytest.approx(chi2, rel=1e-7)
        assert lr.loc[test, "df"] == df
        assert lr.loc[test, "p_value"] == pytest.approx(p, rel=1e-5)


def test_logit_models_table_columns_and_odds_ratios(table1):
    tab = logit_models_table(fit_logit_models(check_table(table1)))
    for col in ("outcome_definition", "model", "term", "estimate", "std_error", "ci_low", "ci_high", "p_value",
                "odds_ratio", "or_ci_low", "or_ci_high", "std_error_quasi", "denominator"):
        assert col in tab.columns
    assert set(tab["outcome_definition"]) == {"incl_switch", "excl_switch"}
    assert (tab["denominator"] == "n_cohort").all()
    np.testing.assert_allclose(tab["odds_ratio"], np.exp(tab["estimate"]))
    np.testing.assert_allclose(tab["or_ci_low"], np.exp(tab["estimate"] - 1.959963984540054 * tab["std_error"]))
    assert (tab["ci_low"] < tab["estimate"]).all() and (tab["estimate"] < tab["ci_high"]).all()


def test_coefficient_table_p_values_are_wald(berkeley):
    fit = fit_grouped_logit(berkeley, "admitted", "applicants", ["male", "dept"])
    tab = coefficient_table(fit).set_index("term")
    # R: Pr(>|z|) of GenderMale
    assert tab.loc["male", "p_value"] == pytest.approx(0.2167168119, rel=1e-6)


def test_identical_replicates_keep_estimates_and_shrink_se(table1):
    """Closed form: duplicating every cell (two campuses with identical counts) leaves the
    coefficients unchanged, gives a zero campus effect, and divides the SEs of the programme
    and year contrasts by sqrt(2) (twice the information)."""
    one = check_table(table1)
    two = pd.concat([table1.assign(campus="A"), table1.assign(campus="B")], ignore_index=True)
    cells2 = check_table(two)
    assert "campus" in cells2.columns  # found automatically
    fit1 = fit_logit_models(one).fits[("incl_switch", "additive")]
    fit2 = fit_logit_models(cells2, ["campus"]).fits[("incl_switch", "additive")]
    assert fit2.params["campus[B]"] == pytest.approx(0, abs=1e-9)
    np.testing.assert_allclose(fit2.params[fit1.params.index], fit1.params, rtol=1e-8)
    slopes = fit1.params.index[1:]  # the intercept now belongs to campus A alone
    np.testing.assert_allclose(fit2.bse[slopes], fit1.bse[slopes] / np.sqrt(2), rtol=1e-7)


def test_aliased_columns_are_dropped_and_reported(table1):
    """An intake nested in year is aliased with the year dummies: dropped, as R's NA."""
    t = table1.copy()
    t["intake"] = t["year"].astype(str) + "-08"
    cells = check_table(t, ["intake"])
    models = fit_logit_models(cells, ["intake"])
    fit = models.fits[("incl_switch", "additive")]
    # every non-reference intake column is a copy of a year column
    assert set(fit.spec.dropped) == {f"intake[{lev}]" for lev in models.factors["intake"][1:]}
    plain = fit_logit_models(check_table(table1)).fits[("incl_switch", "additive")]
    np.testing.assert_allclose(fit.params[plain.params.index], plain.params, rtol=1e-8)
    tab = logit_models_table(models)
    assert tab.loc[tab["model"] == "additive", "note"].str.contains("aliased").all()


def test_model_terms_with_groups():
    assert model_terms("interaction", ["campus"]) == ["programme", "year", "programme:year", "campus"]
    with pytest.raises(ValueError):
        model_terms("nonsense")


def test_check_table_rejects_bad_input(table1):
    bad = table1.copy()
    bad.loc[0, "n_dropout_total"] += 1
    with pytest.raises(ValueError, match="n_dropout_total"):
        check_table(bad)
    neg = table1.copy()
    neg.loc[1, "n_other"] = -1
    with pytest.raises(ValueError, match="negative"):
        check_table(neg)
    with pytest.raises(ValueError, match="lacks"):
        check_table(table1.drop(columns="n_other"))
    with pytest.raises(ValueError, match="duplicate"):
        check_table(pd.concat([table1, table1.iloc[:1]]))
    # columns of the processed file that are not groupings are not taken as such
    extra = table1.assign(derived_cells=["n_dropout_switch"] * 3 + [""] * 6, source_row=range(9), institution="SOSU H")
    assert "derived_cells" not in check_table(extra).columns


def test_separation_is_flagged():
    d = pd.DataFrame({"g": ["a", "b"], "y": [0, 5], "n": [20, 20]})
    fit = fit_grouped_logit(d, "y", "n", ["g"])
    assert fit.separation
