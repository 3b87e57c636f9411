"""Logit with fixed effects: the ATT on the probability scale (Puhani 2012), not the coefficient."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from did_helpers import make_students
from scipy import stats
from scipy.special import expit

from sosu_analysis.did.data import student_rows, to_cells
from sosu_analysis.did.estimate import InferenceOptions, estimate_did
from sosu_analysis.did.logit import att_probability, fit_logit, logit_att_crv1, logit_vcov_crv1
from sosu_analysis.did.model import cell_design as build_design


@pytest.fixture(scope="module")
def logit_case():
    df = make_students(seed=3, programmes=("SSA",))
    cells = to_cells(df)
    tab = cells.table
    design = build_design(tab, tab["treated"].to_numpy(float), "did")
    ysum = cells.outcome_sum("incl_switch")
    fit = fit_logit(design, ysum)
    st = student_rows(tab, ysum)
    rows = st["cell"].to_numpy()
    X, y, g = design.X[rows], st["y"].to_numpy(), design.cluster[rows]
    ref = sm.Logit(y, X).fit(disp=0, cov_type="cluster", cov_kwds={"groups": g}, method="newton", maxiter=200, tol=1e-12)
    return df, design, fit, X, y, g, ref


def test_logit_equals_statsmodels_student_level(logit_case):
    """Reference: statsmodels 0.15 Logit on the student-level dummy design, cov_type="cluster"
    (factor G/(G-1)*(N-1)/(N-k), the same as ours)."""
    _, _, fit, *_, ref = logit_case
    np.testing.assert_allclose(fit.beta, ref.params, atol=1e-8)
    np.testing.assert_allclose(logit_vcov_crv1(fit), ref.cov_params(), rtol=1e-6, atol=1e-12)


def test_att_is_average_over_treated_of_probability_difference(logit_case):
    _, _, fit, X, y, g, ref = logit_case
    treated = X[:, 0] == 1
    X0 = X[treated].copy()
    X0[:, 0] = 0
    by_hand = np.mean(ref.predict(X[treated]) - ref.predict(X0))
    att, grad = att_probability(fit)
    assert att == pytest.approx(by_hand, rel=1e-7)
    # not the coefficient, and not the marginal effect at the mean
    assert abs(att - fit.beta[0]) > 1e-3
    # gradient by central differences
    num = np.zeros_like(fit.beta)
    for j in range(len(num)):
        h = np.zeros_like(num)
        h[j] = 1e-6
        f = lambda b: np.mean(expit(X[treated] @ b) - expit(X0 @ b))  # noqa: E731
        num[j] = (f(fit.beta + h) - f(fit.beta - h)) / 2e-6
    np.testing.assert_allclose(grad, num, atol=1e-8)
    t = logit_att_crv1(fit)
    se = np.sqrt(num @ ref.cov_params() @ num)
    assert t.se == pytest.approx(se, rel=1e-5)
    assert t.df == fit.design.G - 1
    assert t.p_value == pytest.approx(2 * stats.t.sf(abs(att / se), fit.design.G - 1), rel=1e-5)


def test_logit_has_no_wild_or_cr2_rows(logit_case):
    """A wild bootstrap of the LPM must not be reported as a logit bootstrap."""
    df, *_ = logit_case
    res = estimate_did(df, "incl_switch", "logit_ame", ("crv1", "cr2", "wild_webb", "randomization"), InferenceOptions(ci=False))
    assert set(res.tests) == {"crv1", "randomization"}
    assert any("wild_webb" in n for n in res.notes) and any("cr2" in n for n in res.notes)
    lpm = estimate_did(df, "incl_switch", "lpm", ("crv1",))
    assert res.estimate != pytest.approx(lpm.estimate, abs=1e-6)
    # randomization of the logit ATT: 6 campuses, 4 pilots -> 15 assignments, every one refitted
    assert res.tests["randomization"].extra["n_assignments"] == 15
    assert res.tests["randomization"].estimate == pytest.approx(res.estimate)
