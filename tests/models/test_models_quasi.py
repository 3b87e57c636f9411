"""Pearson dispersion and quasi-binomial standard errors against R's quasibinomial."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy.special import expit

from sosu_analysis.models.api import (
    check_table,
    coefficient_table,
    fit_grouped_logit,
    fit_logit_models,
    lr_tests_table,
    pearson_chi2,
    pearson_dispersion,
    used_dispersion,
)


def test_snoring_quasibinomial_matches_r(snoring, results):
    ref = results("snoring")
    fit = fit_grouped_logit(snoring, "yes", "n", ["score"])
    assert fit.dispersion == pytest.approx(ref.QUASI_DISPERSION, rel=1e-7)
    assert fit.dispersion == pytest.approx(1.437162, abs=5e-7)
    se_q = np.sqrt(np.diag(fit.cov_params("quasi")))
    np.testing.assert_allclose(se_q, ref.QUASI_SE, rtol=1e-6)
    assert se_q[1] == pytest.approx(0.05995, abs=5e-6)
    tab = coefficient_table(fit).set_index("term")
    assert tab.loc["score", "std_error_quasi"] == pytest.approx(ref.QUASI_SE[1], rel=1e-6)
    # R's summary.glm refers the quasi t value to t on the residual df
    assert tab.loc["score", "p_value_quasi"] == pytest.approx(ref.QUASI_T_PVALUE_SCORE, rel=1e-6)


def test_pearson_chi2_by_hand(snoring):
    fit = fit_grouped_logit(snoring, "yes", "n", ["score"])
    p = expit(fit.params["Intercept"] + fit.params["score"] * snoring["score"].to_numpy())
    y, n = snoring["yes"].to_numpy(), snoring["n"].to_numpy()
    by_hand = sum((y[i] - n[i] * p[i]) ** 2 / (n[i] * p[i] * (1 - p[i])) for i in range(4))
    assert pearson_chi2(y, n, p) == pytest.approx(by_hand, rel=1e-12)
    assert pearson_dispersion(y, n, p, 2) == pytest.approx(by_hand / 2, rel=1e-12)
    assert np.isnan(pearson_dispersion(y, n, p, 0))


def test_statsmodels_two_column_x2_scale_is_wrong_and_not_used(snoring, results):
    """Why the package does not call fit(scale='X2') on the two-column response: in
    statsmodels 0.15 the scale comes out about phi / n and the SEs far too small. The
    proportion response with var_weights gets it right and agrees with ours."""
    ref = results("snoring")
    y, n = snoring["yes"].to_numpy(), snoring["n"].to_numpy()
    x = sm.add_constant(snoring["score"].to_numpy(dtype=float))
    two_col = sm.GLM(np.column_stack([y, n - y]), x, family=sm.families.Binomial()).fit(scale="X2")
    assert two_col.scale < 0.01 * ref.QUASI_DISPERSION          # the defect
    assert two_col.bse[1] < 0.1 * ref.QUASI_SE[1]
    var_w = sm.GLM(y / n, x, family=sm.families.Binomial(), var_weights=n).fit(scale="X2")
    assert var_w.scale == pytest.approx(ref.QUASI_DISPERSION, rel=1e-7)
    ours = fit_grouped_logit(snoring, "yes", "n", ["score"])
    np.testing.assert_allclose(np.sqrt(np.diag(ours.cov_params("quasi"))), var_w.bse, rtol=1e-7)


@pytest.mark.parametrize("definition", ["incl_switch", "excl_switch"])
def test_sosu_quasibinomial_matches_r(table1, results, definition):
    ref = results("sosu_table1_r")
    cells = check_table(table1)
    models = fit_logit_models(cells)
    add = models.fits[(definition, "additive")]
    # R's summary.glm computes phi from the working weights of its last IRLS iteration
    # (deviance tolerance 1e-8): agreement to about 1e-5 relative
    assert add.dispersion == pytest.approx(getattr(ref, f"{definition}_additive_quasi_dispersion")[0], rel=2e-5)
    tab = coefficient_table(add)
    np.testing.assert_allclose(tab["std_error_quasi"], getattr(ref, f"{definition}_additive_quasi_se"), rtol=2e-5)
    lr = lr_tests_table(cells, models)
    row = lr[(lr["outcome_definition"] == definition) & (lr["test"] == "programme")].iloc[0]
    f_ref, p_ref = getattr(ref, f"{definition}_quasi_F_programme")
    assert row["f_stat"] == pytest.approx(f_ref, rel=2e-5)
    assert row["p_value_quasi"] == pytest.approx(p_ref, rel=1e-4)
    # the saturated interaction model has no residual df: no quasi F
    inter = lr[(lr["outcome_definition"] == definition) & (lr["test"] == "programme:year")].iloc[0]
    assert np.isnan(inter["f_stat"])


def test_underdispersion_does_not_shrink_standard_errors():
    assert used_dispersion(0.4) == 1.0
    assert used_dispersion(2.5) == 2.5
    assert used_dispersion(float("nan")) == 1.0
    # a perfectly linear logit (expected counts) is underdispersed: quasi SE = binomial SE
    import pandas as pd
    n = np.array([1000, 1000, 1000, 1000])
    y = np.round(n * expit(-2 + 0.3 * np.arange(4))).astype(int)
    fit = fit_grouped_logit(pd.DataFrame({"x": np.arange(4), "y": y, "n": n}), "y", "n", ["x"])
    assert fit.dispersion < 1
    tab = coefficient_table(fit)
    np.testing.assert_allclose(tab["std_error_quasi"], tab["std_error"])
