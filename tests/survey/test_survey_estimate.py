"""Clustered means and contrasts of survey scores against independent computations.

References used here, written beside the values:

- a hand-worked CR2 example (the closed form of Bell & McCaffrey 2002 for an
  intercept-only model, worked out below with fractions);
- statsmodels ``OLS(...).fit(cov_type="cluster")`` (CRV1), which for equal
  cluster sizes equals CR2 of an intercept-only model (both are
  ``G/(G-1) * sum_g E_g^2 / N^2``);
- the t interval of the campus means (closed form), which CR2 with
  Satterthwaite df reproduces exactly for equal cluster sizes;
- the project's CR2 on the full respondent-level design (the code path
  validated against R's clubSandwich in tests/did), to show that the cell
  aggregation of the survey contrasts is exact.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from sosu_analysis.did.covariance import cr2_test
from sosu_analysis.did.model import CellDesign as Design
from sosu_analysis.did.model import fit_ols
from sosu_analysis.survey.estimate import (
    before_after,
    campus_means_t,
    clustered_mean,
    difference_in_differences,
    pilot_vs_comparison,
    weighted_slope,
)

# Hand-worked example: three campuses, 0-100 scores.
#   A: 50, 75          (n=2, sum 125)
#   B: 25, 50, 100     (n=3, sum 175)
#   C: 100             (n=1, sum 100)
# N = 6, mean = 400/6 = 66.67.
# Residual sums E_g = sum_g - n_g * mean: A 125 - 800/6 = -50/6, B 175 - 1200/6 = -150/6, C 100 - 400/6 = 200/6.
# h_g = n_g / N: 2/6, 3/6, 1/6.
# V_CR2 = (1/N^2) * sum E_g^2 / (1 - h_g)
#       = (1/36) * [(2500/36)/(4/6) + (22500/36)/(3/6) + (40000/36)/(5/6)]
HAND_Y = [50.0, 75.0, 25.0, 50.0, 100.0, 100.0]
HAND_G = ["A", "A", "B", "B", "B", "C"]


def _hand_v_cr2() -> Fraction:
    E = {"A": Fraction(-50, 6), "B": Fraction(-150, 6), "C": Fraction(200, 6)}
    h = {"A": Fraction(2, 6), "B": Fraction(3, 6), "C": Fraction(1, 6)}
    return sum((E[g] ** 2 / (1 - h[g]) for g in E), Fraction(0)) / 36


def test_hand_worked_cr2_variance():
    est = clustered_mean(HAND_Y, HAND_G)
    assert est.estimate == pytest.approx(400 / 6, abs=1e-12)
    assert est.se**2 == pytest.approx(float(_hand_v_cr2()), rel=1e-12)
    assert est.G == 3 and est.n == 6


def test_hand_worked_satterthwaite_df():
    # Closed form for the intercept-only model (Pustejovsky & Tipton 2018, eq. 11 with Phi = I):
    # v_g = (1 - h_g)^{-1/2} 1 / N, Omega_gh = delta_gh n_g / (N^2 (1 - h_g)) - n_g n_h / (N^3 sqrt((1-h_g)(1-h_h))),
    # df = tr(Omega)^2 / ||Omega||_F^2.
    n = np.array([2.0, 3.0, 1.0])
    N = n.sum()
    h = n / N
    a = 1 / np.sqrt(1 - h)
    omega = np.diag(n * a**2 / N**2) - np.outer(n * a, n * a) / N**3
    df = np.trace(omega) ** 2 / np.sum(omega**2)
    est = clustered_mean(HAND_Y, HAND_G)
    assert est.df == pytest.approx(df, rel=1e-10)
    q = stats.t.ppf(0.975, df)
    assert est.ci_low == pytest.approx(400 / 6 - q * np.sqrt(float(_hand_v_cr2())), rel=1e-10)


def test_design_effect_hand_worked():
    # deff = V_CR2 / (s^2 / N); s^2 of the six scores with N - 1 = 5.
    s2 = sum((Fraction(int(v)) - Fraction(400, 6)) ** 2 for v in HAND_Y) / 5
    assert clustered_mean(HAND_Y, HAND_G).deff == pytest.approx(float(_hand_v_cr2() / (s2 / 6)), rel=1e-12)


def _balanced(seed: int = 3, G: int = 5, m: int = 8):
    rng = np.random.default_rng(seed)
    campus = np.repeat([f"c{g}" for g in range(G)], m)
    y = 60 + np.repeat(rng.normal(0, 8, G), m) + rng.normal(0, 15, G * m)
    return y, campus


def test_balanced_cr2_equals_statsmodels_crv1_and_deff():
    y, campus = _balanced()
    codes = pd.Categorical(campus).codes
    crv1 = sm.OLS(y, np.ones((len(y), 1))).fit(cov_type="cluster", cov_kwds={"groups": codes})
    srs = sm.OLS(y, np.ones((len(y), 1))).fit()
    est = clustered_mean(y, campus)
    # equal cluster sizes: CR2 = G/(G-1) * CR0 = statsmodels' CRV1 (its (N-1)/(N-k) factor is 1 with k = 1)
    assert est.se == pytest.approx(float(crv1.bse[0]), rel=1e-10)
    assert est.deff == pytest.approx(float(crv1.bse[0] ** 2 / srs.bse[0] ** 2), rel=1e-10)


def test_balanced_cr2_equals_campus_means_t_interval():
    y, campus = _balanced(seed=11, G=4, m=6)
    means = pd.Series(y).groupby(campus).mean().to_numpy()
    G = len(means)
    q = stats.t.ppf(0.975, G - 1)
    half = q * means.std(ddof=1) / np.sqrt(G)
    est = clustered_mean(y, campus)
    assert est.df == pytest.approx(G - 1, rel=1e-10)
    assert est.ci_low == pytest.approx(means.mean() - half, rel=1e-10)
    assert est.ci_high == pytest.approx(means.mean() + half, rel=1e-10)
    agg = campus_means_t(y, campus)
    assert agg.ci_low == pytest.approx(means.mean() - half, rel=1e-12)
    assert agg.df == G - 1


def test_one_campus_gives_no_interval():
    est = clustered_mean([10.0, 20.0, 30.0], ["A", "A", "A"])
    assert est.estimate == pytest.approx(20.0)
    assert np.isnan(est.ci_low) and np.isnan(est.se)


def _frame(seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    campuses = {"P1": 1, "P2": 1, "P3": 1, "C1": 0, "C2": 0, "C3": 0}
    for c, pilot in campuses.items():
        u = rng.normal(0, 5)
        for period in ("pre", "post"):
            for wave in ("w1", "w2"):
                n = int(rng.integers(6, 15))
                eff = 6.0 if (pilot and period == "post") else 0.0
                for _ in range(n):
                    rows.append({"campus": c, "pilot": pilot, "period": period, "wave": wave,
                                 "score": 60 + u + eff + rng.normal(0, 12)})
    return pd.DataFrame(rows)


def _respondent_cr2(frame: pd.DataFrame, X: np.ndarray):
    """CR2 on the respondent-level design (one cell per respondent): the clubSandwich-validated path."""
    codes = pd.Categorical(frame["campus"]).codes
    d = Design(X, [f"x{j}" for j in range(X.shape[1])], np.ones(len(frame)), codes.astype(int), 1)
    return cr2_test(fit_ols(d, frame["score"].to_numpy(float)), 0)


def test_pilot_vs_comparison_matches_statsmodels_and_respondent_level_cr2():
    f = _frame()
    sub = f[f["period"] == "post"].reset_index(drop=True)
    X = np.column_stack([sub["pilot"], np.ones(len(sub)), (sub["wave"] == "w2").astype(float)])
    ols = sm.OLS(sub["score"].to_numpy(), X).fit()
    ref = _respondent_cr2(sub, X)
    c = pilot_vs_comparison(f)
    assert c is not None
    assert c.fit.estimate == pytest.approx(float(ols.params[0]), rel=1e-10)
    assert c.fit.se == pytest.approx(ref.se, rel=1e-8)
    assert c.fit.df == pytest.approx(ref.df, rel=1e-8)
    assert (c.G_treated, c.G_control) == (3, 3)
    # randomization inference by brute force: every choice of 3 pilot campuses among 6, refit with statsmodels
    campuses = sorted(sub["campus"].unique())
    stats_ = []
    for chosen in combinations(campuses, 3):
        Xp = X.copy()
        Xp[:, 0] = sub["campus"].isin(chosen).to_numpy(float)
        stats_.append(sm.OLS(sub["score"].to_numpy(), Xp).fit().params[0])
    p = np.mean(np.abs(stats_) >= abs(ols.params[0]) - 1e-9)
    assert c.n_assignments == 20
    assert c.p_ri == pytest.approx(p)
    # smallest attainable p by enumeration: the assignments whose |estimate| ties with the observed
    # one for EVERY outcome vector (here: the observed one and its mirror), over the 20 assignments
    rng = np.random.default_rng(11)
    always_tie = set(combinations(campuses, 3))
    for _ in range(3):
        y = rng.normal(size=len(sub))
        b_obs = abs(sm.OLS(y, X).fit().params[0])
        for chosen in list(always_tie):
            Xp = X.copy()
            Xp[:, 0] = sub["campus"].isin(chosen).to_numpy(float)
            if abs(abs(sm.OLS(y, Xp).fit().params[0]) - b_obs) > 1e-9:
                always_tie.discard(chosen)
    assert len(always_tie) == 2  # observed {P1,P2,P3} and mirror {C1,C2,C3}
    assert c.min_p_ri == pytest.approx(len(always_tie) / 20) == pytest.approx(2 / 20)


def test_randomization_at_its_smallest_p_is_two_of_twenty_with_three_of_six_pilots():
    """A pilot effect far larger than the noise: no other assignment beats it, the mirror ties.

    Reference: with 3 of 6 campuses, binom(6, 3) = 20 assignments; the complement ``1 - pilot`` lies
    in the span of (pilot, constant), so its |estimate| equals the observed one: p = 2/20.
    """
    f = _frame(seed=3)
    f.loc[(f["pilot"] == 1) & (f["period"] == "post"), "score"] += 500.0
    c = pilot_vs_comparison(f)
    assert c is not None
    assert len(list(combinations(range(6), 3))) == c.n_assignments == 20
    assert c.p_ri == pytest.approx(2 / 20) and c.min_p_ri == pytest.approx(2 / 20)


def test_difference_in_differences_matches_statsmodels_and_respondent_level_cr2():
    f = _frame(seed=8).reset_index(drop=True)
    after = (f["period"] == "post").to_numpy(float)
    camp = pd.get_dummies(f["campus"], drop_first=True, dtype=float).to_numpy()
    X = np.column_stack([f["pilot"] * after, np.ones(len(f)), after, camp, (f["wave"] == "w2").astype(float)])
    ols = sm.OLS(f["score"].to_numpy(), X).fit()
    codes = pd.Categorical(f["campus"]).codes
    crv1 = sm.OLS(f["score"].to_numpy(), X).fit(cov_type="cluster", cov_kwds={"groups": codes})
    ref = _respondent_cr2(f, X)
    c = difference_in_differences(f)
    assert c is not None
    assert c.fit.estimate == pytest.approx(float(ols.params[0]), rel=1e-10)
    assert c.fit.se == pytest.approx(ref.se, rel=1e-8)
    assert c.fit.df == pytest.approx(ref.df, rel=1e-8)
    # CR2 and CRV1 differ, but not wildly (sanity against statsmodels' cluster covariance)
    assert 0.5 < c.fit.se / float(crv1.bse[0]) < 2.0
    assert (c.G_treated, c.G_control) == (3, 3)


def test_before_after_matches_statsmodels():
    f = _frame(seed=9)
    sub = f[f["pilot"] == 1].reset_index(drop=True)
    after = (sub["period"] == "post").to_numpy(float)
    camp = pd.get_dummies(sub["campus"], drop_first=True, dtype=float).to_numpy()
    X = np.column_stack([after, np.ones(len(sub)), camp, (sub["wave"] == "w2").astype(float)])
    c = before_after(f)
    assert c is not None
    assert c.fit.estimate == pytest.approx(float(sm.OLS(sub["score"].to_numpy(), X).fit().params[0]), rel=1e-10)
    assert c.fit.se == pytest.approx(_respondent_cr2(sub, X).se, rel=1e-8)
    assert np.isnan(c.p_ri)  # no control group: no randomization inference


def test_contrast_not_identified_returns_none():
    f = _frame()
    assert difference_in_differences(f[f["pilot"] == 1]) is None
    assert pilot_vs_comparison(f[f["pilot"] == 1]) is None


def test_weighted_slope_matches_statsmodels_wls():
    rng = np.random.default_rng(2)
    x = rng.uniform(50, 80, 12)
    y = 30 - 0.2 * x + rng.normal(0, 2, 12)
    w = rng.integers(20, 60, 12).astype(float)
    campus = np.repeat(["a", "b", "c", "d"], 3)
    est = weighted_slope(x, y, w, campus)
    wls = sm.WLS(y, np.column_stack([x, np.ones(12)]), weights=w).fit()
    assert est.estimate == pytest.approx(float(wls.params[0]), rel=1e-10)
    assert est.G == 4


def test_report_verdict_follows_the_smallest_attainable_p_of_three_of_six():
    """At alpha = 0.10 the 3-of-6 randomization test cannot reject (its minimum is 2/20 = 0.10):
    the Danish verdict must say so, from the contrast's own ``min_p_ri``."""
    from sosu_analysis.reporting.survey.section import _verdict

    f = _frame(seed=3)
    f.loc[(f["pilot"] == 1) & (f["period"] == "post"), "score"] += 500.0
    c = pilot_vs_comparison(f)
    assert c is not None
    row = pd.Series(c.as_dict())
    assert "kan randomiseringstesten aldrig komme under p = 0,100" in _verdict(row, 0.10)
    assert "randomiseringstesten" not in _verdict(row, 0.11)  # the floor 2/20 lies below alpha: no caveat


def test_estimate_conf_int_at_another_level_equals_a_refit_at_that_level():
    """The interval is computed when asked: at alpha 0.10 it is the one the fit made with alpha 0.10."""
    f = _frame(seed=5)
    c05, c10 = pilot_vs_comparison(f, alpha=0.05), pilot_vs_comparison(f, alpha=0.10)
    assert c05 is not None and c10 is not None
    assert c05.fit.conf_int(0.10) == pytest.approx((c10.fit.ci_low, c10.fit.ci_high), rel=1e-12)
    assert c05.fit.conf_int(0.05) == pytest.approx((c05.fit.ci_low, c05.fit.ci_high), rel=1e-12)
