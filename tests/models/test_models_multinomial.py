"""Multinomial logit (in progress / switched / left): closed forms, R's equivalent Poisson
log-linear fit, finite-difference delta method, and the empty-category rule."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from sosu_analysis.models.api import (
    CATEGORY_COLUMNS,
    check_table,
    fit_multinomial,
    multinomial_tables,
    predicted_shares,
)
from sosu_analysis.models.tables import sosu_factors

COLS = list(CATEGORY_COLUMNS.values())


@pytest.fixture
def cells(table1):
    return check_table(table1)


def test_saturated_model_predicts_observed_shares(cells):
    """Closed form: one parameter set per cell reproduces the observed shares."""
    ssa_ssh = cells[cells["programme"] != "PAU"].assign(cell=lambda d: d["programme"] + d["year"].astype(str))
    fit = fit_multinomial(ssa_ssh, ["cell"])
    observed = ssa_ssh[COLS].to_numpy() / ssa_ssh[COLS].to_numpy().sum(axis=1, keepdims=True)
    np.testing.assert_allclose(fit.predict(), observed, rtol=1e-7)


def test_single_factor_coefficients_are_log_ratios(cells):
    """Closed form: with programme alone, beta_j[k] = log(n_jk / n_0k) - log(n_j,ref / n_0,ref)."""
    d = cells[cells["programme"] != "PAU"]
    fit = fit_multinomial(d, ["programme"], {"programme": ("SSA", "SSH")})
    tot = d.groupby("programme")[COLS].sum()
    for cat, col in (("switched", "n_dropout_switch"), ("left", "n_dropout_noswitch")):
        lr = np.log(tot[col] / tot["n_in_progress"])
        assert fit.params.loc["Intercept", cat] == pytest.approx(lr["SSA"], rel=1e-8)
        assert fit.params.loc["programme[SSH]", cat] == pytest.approx(lr["SSH"] - lr["SSA"], rel=1e-7)


def test_additive_model_matches_r_poisson_loglinear(cells, results):
    ref = results("sosu_table1_r")
    fit = fit_multinomial(cells, ["programme", "year"], sosu_factors(cells))
    assert fit.excluded == {"programme": ["PAU"]}
    est = fit.params.to_numpy().ravel(order="F")
    np.testing.assert_allclose(est, ref.multinomial_coef, rtol=1e-7)
    np.testing.assert_allclose(np.sqrt(np.diag(fit.cov)), ref.multinomial_se, rtol=2e-5)
    p = fit.predict()
    np.testing.assert_allclose(p[:, 0], ref.multinomial_shares_in_progress, rtol=1e-7)
    np.testing.assert_allclose(p[:, 1], ref.multinomial_shares_switched, rtol=1e-7)
    np.testing.assert_allclose(p[:, 2], ref.multinomial_shares_left, rtol=1e-7)


def test_share_standard_errors_match_finite_differences(cells):
    fit = fit_multinomial(cells, ["programme", "year"], sosu_factors(cells))
    shares = predicted_shares(fit)
    v = fit.cov.to_numpy()
    theta = fit.params.to_numpy().ravel(order="F")
    h = 1e-6
    grad = np.empty((len(fit.data), len(fit.categories), len(theta)))
    for k in range(len(theta)):
        up, down = theta.copy(), theta.copy()
        up[k] += h
        down[k] -= h
        shape = fit.params.shape
        fu = dataclasses.replace(fit, params=pd.DataFrame(up.reshape(shape, order="F"), index=fit.params.index,
                                                          columns=fit.params.columns)).predict()
        fd = dataclasses.replace(fit, params=pd.DataFrame(down.reshape(shape, order="F"), index=fit.params.index,
                                                          columns=fit.params.columns)).predict()
        grad[:, :, k] = (fu - fd) / (2 * h)
    se_numeric = np.sqrt(np.einsum("rjk,kl,rjl->rj", grad, v, grad))
    for j, cat in enumerate(fit.categories):
        np.testing.assert_allclose(shares.loc[shares["category"] == cat, "std_error"], se_numeric[:, j], rtol=1e-5)


def test_multinomial_tables(cells):
    out = multinomial_tables(cells)
    shares = out["multinomial_shares"]
    assert len(shares) == 27
    # shares of a cell add up to 100 %, observed and predicted
    sums = shares.groupby(["programme", "year"])[["observed_pct", "predicted_pct"]].sum(min_count=1)
    np.testing.assert_allclose(sums["observed_pct"], 100)
    np.testing.assert_allclose(sums["predicted_pct"].dropna(), 100)
    pau = shares[shares["programme"] == "PAU"]
    assert pau["predicted_pct"].isna().all() and pau["note"].str.contains("excluded").all()
    assert (pau.loc[pau["category"] == "switched", "observed_pct"] == 0).all()
    # denominator excludes n_other
    ssa24 = shares[(shares["programme"] == "SSA") & (shares["year"] == 2024)]
    assert (ssa24["n_students"] == 1327 - 1).all()
    lr = out["multinomial_lr_tests"].set_index("test")
    assert lr.loc["programme", "df"] == 2 and lr.loc["year", "df"] == 4
    # LR statistic by hand from the two fits
    full = fit_multinomial(cells, ["programme", "year"], sosu_factors(cells))
    reduced = fit_multinomial(full.data, ["year"], full.spec.factors, exclude_empty=False)
    assert lr.loc["programme", "lr_chi2"] == pytest.approx(2 * (full.llf - reduced.llf))
    coefs = out["multinomial_models"]
    np.testing.assert_allclose(coefs["rrr"], np.exp(coefs["estimate"]))


def test_all_empty_category_is_dropped():
    d = pd.DataFrame({"g": ["a", "b"], "n_in_progress": [50, 60], "n_dropout_switch": [0, 0],
                      "n_dropout_noswitch": [5, 9]})
    fit = fit_multinomial(d, ["g"])
    assert fit.categories == ("in_progress", "left")
    np.testing.assert_allclose(fit.predict()[:, 1], [5 / 55, 9 / 69], rtol=1e-7)
