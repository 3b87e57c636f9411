"""The HTZ Wald test (Pustejovsky & Tipton 2018) against R clubSandwich 0.5.8's ``Wald_test``."""

import numpy as np
import pytest
from did_helpers import load_reference, small_panel_frame

from sosu_analysis.did.covariance import cr2_vcov, satterthwaite_df, wald_test
from sosu_analysis.did.data import as_cells
from sosu_analysis.did.event_study import pre_slope_contrast
from sosu_analysis.did.htz import htz_wald_test
from sosu_analysis.did.model import cell_design, fit_ols

REF = load_reference("did_htz_small_panel")
PANEL = load_reference("did_small_panel")


def write_panel_csv(path):
    """The student rows the R script reads (documents how panel.csv was made)."""
    lines = ["campus,intake,y,lead1,lead2,post"]
    for c, t, n, k in PANEL.CELLS:
        pilot = c in PANEL.START
        for i in range(n):
            post = int(t >= PANEL.START.get(c, 99))
            lines.append(f"{c},{t},{int(i < k)},{int(pilot and t == 1)},{int(pilot and t == 2)},{post}")
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def fit():
    cells = as_cells(small_panel_frame())
    tab = cells.table
    base = cell_design(tab, tab["treated"].to_numpy(float), "did")
    pilot = tab["campus"].isin(list(PANEL.START)).to_numpy()
    intake = tab["intake"].astype(int).to_numpy()
    T = np.column_stack([pilot & (intake == 1), pilot & (intake == 2), tab["treated"].to_numpy(float)]).astype(float)
    return fit_ols(base.with_treatment(T, ["lead1", "lead2", "post"]), cells.outcome_sum("incl_switch"))


@pytest.mark.parametrize(
    "constraints, F, df_denom, p",
    [
        ([0, 1], REF.LEADS_HTZ_F, REF.LEADS_HTZ_DF_DENOM, REF.LEADS_HTZ_P),
        ([0, 1, 2], REF.ALL_HTZ_F, REF.ALL_HTZ_DF_DENOM, REF.ALL_HTZ_P),
        ([2], REF.POST_HTZ_F, REF.POST_HTZ_DF_DENOM, REF.POST_HTZ_P),
    ],
)
def test_htz_matches_clubsandwich(fit, constraints, F, df_denom, p):
    res = htz_wald_test(fit, constraints)
    assert res.q == len(constraints)
    np.testing.assert_allclose([res.F, res.df_denom, res.p_value], [F, df_denom, p], rtol=1e-9)


@pytest.mark.parametrize(
    "constraints, F, p",
    [([0, 1], REF.LEADS_NAIVE_F, REF.LEADS_NAIVE_P), ([0, 1, 2], REF.ALL_NAIVE_F, REF.ALL_NAIVE_P)],
)
def test_naive_f_with_cr2_matches_clubsandwich(fit, constraints, F, p):
    """The uncorrected test the HTZ test replaces: same Q, F(q, G - 1)."""
    V = cr2_vcov(fit)
    res = wald_test(fit.beta[constraints], V[np.ix_(constraints, constraints)], fit.design.G - 1)
    np.testing.assert_allclose([res["F"], res["p_value"]], [F, p], rtol=1e-9)


def test_htz_with_one_constraint_is_the_satterthwaite_t_test(fit):
    res = htz_wald_test(fit, [2])
    assert res.df_denom == pytest.approx(satterthwaite_df(fit, 2), rel=1e-12)


def test_htz_is_more_conservative_than_the_naive_test(fit):
    V = cr2_vcov(fit)
    naive = wald_test(fit.beta[[0, 1]], V[np.ix_([0, 1], [0, 1])], fit.design.G - 1)
    assert htz_wald_test(fit, [0, 1]).p_value > naive["p_value"]


def test_constraint_matrix_equals_indices(fit):
    C = np.zeros((2, fit.design.k))
    C[0, 0] = C[1, 1] = 1.0
    a, b = htz_wald_test(fit, C), htz_wald_test(fit, [0, 1])
    assert (a.F, a.df_denom) == pytest.approx((b.F, b.df_denom), rel=1e-12)


def test_htz_invariant_to_rescaling_constraints(fit):
    """A test of C beta = 0 is the same test as one of (A C) beta = 0 for invertible A."""
    C = np.zeros((2, fit.design.k))
    C[0, 0] = C[1, 1] = 1.0
    A = np.array([[2.0, 1.0], [0.5, -3.0]])
    a, b = htz_wald_test(fit, A @ C), htz_wald_test(fit, C)
    assert (a.F, a.df_denom, a.p_value) == pytest.approx((b.F, b.df_denom, b.p_value), rel=1e-9)


def test_wrong_constraint_shape_raises(fit):
    with pytest.raises(ValueError, match="constraints"):
        htz_wald_test(fit, np.zeros((2, 3)))


def test_pre_slope_contrast_recovers_a_linear_pre_trend():
    """Closed form: coefficients on a line through the reference period have exactly that slope."""
    times = [-4, -3, -2, 0, 1]
    C = pre_slope_contrast(times, reference=-1, k=8)
    beta = np.zeros(8)
    for j, t in enumerate(times):
        beta[j] = 0.7 * (t + 1)
    assert (C @ beta).item() == pytest.approx(0.7)
    assert np.all(C[0, 3:] == 0)  # post-period and fixed effects do not enter
