"""CRV1 and CR2: cells = students, statsmodels, clubSandwich, closed forms, a dense second implementation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from did_helpers import expand_students, load_reference, small_panel_frame
from scipy import stats

from sosu_analysis.did.covariance import cr2_test, cr2_vcov, crv1_test, crv1_vcov, satterthwaite_df
from sosu_analysis.did.model import CellDesign as Design
from sosu_analysis.did.model import fit_ols

REF = load_reference("did_clubsandwich_small_panel")


def test_cell_fit_equals_student_ols(panel):
    design, fit, Xs, y, _ = panel
    beta, *_ = np.linalg.lstsq(Xs, y, rcond=None)
    np.testing.assert_allclose(fit.beta, beta, rtol=1e-10, atol=1e-12)
    assert len(y) == REF.N_STUDENTS


def test_crv1_equals_statsmodels_cluster(panel):
    """Reference: statsmodels 0.15 OLS(...).fit(cov_type="cluster") on the student-level dummy design
    (its default correction is G/(G-1)*(N-1)/(N-k))."""
    design, fit, Xs, y, gs = panel
    res = sm.OLS(y, Xs).fit(cov_type="cluster", cov_kwds={"groups": gs})
    np.testing.assert_allclose(crv1_vcov(fit), res.cov_params(), rtol=1e-9, atol=1e-14)
    t = crv1_test(fit)
    assert t.se == pytest.approx(res.bse[0], rel=1e-10)
    assert t.df == design.G - 1
    assert t.p_value == pytest.approx(2 * stats.t.sf(abs(res.tvalues[0]), design.G - 1), rel=1e-10)


def test_crv1_matches_clubsandwich_cr1s(panel):
    _, fit, *_ = panel
    t = crv1_test(fit)
    assert t.estimate == pytest.approx(REF.BETA_D, rel=1e-12)
    assert t.se == pytest.approx(REF.CR1S_SE_D, rel=1e-10)
    assert t.p_value == pytest.approx(REF.CR1S_P_NAIVE_T_D, rel=1e-9)


def test_cr2_matches_clubsandwich(panel):
    """Reference: R clubSandwich 0.5.8 coef_test(vcov="CR2", test="Satterthwaite"), see the fixture file."""
    _, fit, *_ = panel
    t = cr2_test(fit)
    assert t.se == pytest.approx(REF.CR2_SE_D, rel=1e-10)
    assert t.df == pytest.approx(REF.CR2_DF_D, rel=1e-10)
    assert t.statistic == pytest.approx(REF.CR2_T_D, rel=1e-10)
    assert t.p_value == pytest.approx(REF.CR2_P_D, rel=1e-9)
    assert (t.ci_low, t.ci_high) == pytest.approx(REF.CR2_CI_D, rel=1e-9)


def test_cr2_contrast_other_parameterisation(panel):
    """R's intake4 (intake 4 minus intake 0) is minus our intake[0000] dummy (intake 4 is our base)."""
    design, fit, *_ = panel
    c = np.zeros(design.k)
    c[design.names.index("intake[0000]")] = -1.0
    t = cr2_test(fit, c)
    assert t.estimate == pytest.approx(REF.BETA_INTAKE4, rel=1e-10)
    assert t.se == pytest.approx(REF.CR2_SE_INTAKE4, rel=1e-10)
    assert t.df == pytest.approx(REF.CR2_DF_INTAKE4, rel=1e-10)
    assert t.p_value == pytest.approx(REF.CR2_P_INTAKE4, rel=1e-9)


def _dense_cr2(X, y, g, c):
    """Second implementation, student level, written from Pustejovsky & Tipton (2018) eqs. (5)-(11):
    N x N hat matrix, pseudo-inverse square root by eigen-decomposition of each I - H_gg,
    Satterthwaite df from the N x G matrix P."""
    N = len(y)
    XtXi = np.linalg.pinv(X.T @ X)
    H = X @ XtXi @ X.T
    IH = np.eye(N) - H
    e = IH @ y
    meat = np.zeros((X.shape[1], X.shape[1]))
    P = np.zeros((N, g.max() + 1))
    for h in range(g.max() + 1):
        idx = np.flatnonzero(g == h)
        w, V = np.linalg.eigh(IH[np.ix_(idx, idx)])
        keep = w > 1e-10
        A = (V[:, keep] / np.sqrt(w[keep])) @ V[:, keep].T
        u = X[idx].T @ A @ e[idx]
        meat += np.outer(u, u)
        P[:, h] = IH[:, idx] @ (A @ (X[idx] @ (XtXi @ c)))
    Vcr2 = XtXi @ meat @ XtXi
    Om = P.T @ P
    return Vcr2, np.trace(Om) ** 2 / np.sum(Om**2)


def test_cr2_equals_dense_student_level_implementation(panel):
    design, fit, Xs, y, gs = panel
    for j in (0, 3, design.k - 1):
        c = np.eye(design.k)[j]
        V, df = _dense_cr2(Xs, y, gs, c)
        np.testing.assert_allclose(cr2_vcov(fit)[j, j], V[j, j], rtol=1e-9)
        assert satterthwaite_df(fit, c) == pytest.approx(df, rel=1e-9)


def test_cr2_intercept_only_closed_form():
    """Closed form for y ~ 1 with unbalanced clusters (clubSandwich tests/testthat/test_intercept_formulas.R,
    Pustejovsky & Tipton 2018): V = sum n_j^2 (ybar_j - ybar)^2 / (1 - n_j/N) / N^2 and
    df = N^2 / (N^2 sum n_j^2/(N-n_j)^2 - 2N sum n_j^3/(N-n_j)^2 + (sum n_j^2/(N-n_j))^2)."""
    rng = np.random.default_rng(7)
    nj = np.array([3, 8, 5, 12, 7, 4])
    ybar = rng.normal(size=len(nj))
    N = nj.sum()
    design = Design(np.ones((len(nj), 1)), ["1"], nj.astype(float), np.arange(len(nj)), 0)
    fit = fit_ols(design, nj * ybar)
    grand = np.sum(nj * ybar) / N
    V = np.sum(nj**2 * (ybar - grand) ** 2 / (1 - nj / N)) / N**2
    df = N**2 / (N**2 * np.sum(nj**2 / (N - nj) ** 2) - 2 * N * np.sum(nj**3 / (N - nj) ** 2) + np.sum(nj**2 / (N - nj)) ** 2)
    assert cr2_vcov(fit)[0, 0] == pytest.approx(V, rel=1e-12)
    assert satterthwaite_df(fit, 0) == pytest.approx(df, rel=1e-12)


def test_cr2_balanced_two_group_closed_form():
    """Balanced clusters and a cluster-level binary regressor: CR2 is the unpooled (Welch) variance
    of the cluster means, s1^2/G1 + s0^2/G0, and the Satterthwaite df under Phi = I is
    (G0+G1)^2 (G1-1)(G0-1) / (G1^2 (G1-1) + G0^2 (G0-1)) (Bell & McCaffrey 2002;
    Imbens & Kolesar 2016, the Behrens-Fisher case applied to cluster means)."""
    rng = np.random.default_rng(3)
    G1, G0, m = 3, 5, 4
    x = np.r_[np.ones(G1), np.zeros(G0)]
    ybar = rng.normal(size=G1 + G0)
    # m students per cluster, one cell per cluster
    design = Design(np.column_stack([x, np.ones(G1 + G0)]), ["x", "1"], np.full(G1 + G0, m, float), np.arange(G1 + G0), 1)
    fit = fit_ols(design, m * ybar)
    welch = ybar[:G1].var(ddof=1) / G1 + ybar[G1:].var(ddof=1) / G0
    df = (G0 + G1) ** 2 * (G1 - 1) * (G0 - 1) / (G1**2 * (G1 - 1) + G0**2 * (G0 - 1))
    t = cr2_test(fit, 0)
    assert t.se**2 == pytest.approx(welch, rel=1e-12)
    assert t.df == pytest.approx(df, rel=1e-12)


def test_aggregated_and_student_input_identical(panel):
    """The same numbers from a cell-level frame and from its student rows."""
    from sosu_analysis.did.estimate import InferenceOptions, estimate_did

    cells_df = small_panel_frame()
    stud = expand_students(cells_df)
    opts = InferenceOptions(ci=True, wild_max_enumerate=1000, wild_draws=999, seed=5)
    for outcome in ("incl_switch", "excl_switch"):
        a = estimate_did(cells_df, outcome, "lpm", ("crv1", "cr2", "wild_webb", "randomization"), opts)
        b = estimate_did(stud, outcome, "lpm", ("crv1", "cr2", "wild_webb", "randomization"), opts)
        assert a.estimate == pytest.approx(b.estimate, rel=1e-12)
        for m in a.tests:
            ta, tb = a.tests[m], b.tests[m]
            for f in ("se", "df", "p_value", "ci_low", "ci_high"):
                va, vb = getattr(ta, f), getattr(tb, f)
                assert (np.isnan(va) and np.isnan(vb)) or va == pytest.approx(vb, rel=1e-9), (outcome, m, f)
        assert a.n_students == b.n_students == len(stud)
    # and the student-level CRV1 of the excl. outcome agrees with statsmodels
    X = pd.get_dummies(stud[["campus", "intake"]].astype(str), drop_first=False, dtype=float)
    X = X.drop(columns=["intake_4"])
    X.insert(0, "pilot_post", stud["pilot_post"].astype(float))
    res = sm.OLS(stud["dropout_noswitch"].astype(float), X).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(stud["campus"])[0]})
    assert b.tests["crv1"].estimate == pytest.approx(res.params["pilot_post"], rel=1e-10)
    assert b.tests["crv1"].se == pytest.approx(res.bse["pilot_post"], rel=1e-9)
