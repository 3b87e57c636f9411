"""Synthetic DiD, synthetic control and DiD (sosu_analysis.did.sdid) against published results and closed forms."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sosu_analysis.did.api import synthetic_did
from sosu_analysis.errors import NotEstimable

PROP99 = Path(__file__).resolve().parents[1] / "results" / "california_prop99.csv"

# Point estimates of synthdid 0.0.9 (R) on the Proposition 99 panel with default settings:
# synthdid_estimate, sc_estimate, did_estimate (Arkhangelsky, Athey, Hirshberg, Imbens & Wager 2021,
# AER 111:4088-4118, Table 1: -15.6, -19.6, -27.3), to 8 decimals as listed in
# ../shared/reference/README.md (packs per capita).
PUBLISHED = {"sdid": -15.60382787, "sc": -19.61966347, "did": -27.34911108}
# Tolerance reached: 1e-6 packs (absolute), i.e. the 8 printed decimals up to rounding. The weights
# come from the same Frank-Wolfe iterations as synthdid (same start, step, stopping rule and
# sparsification), so the only differences are floating-point summation order; DiD has no
# iterations and matches to rounding of the printed value. A looser tolerance would let a wrong
# stopping rule or a missing sparsification step pass (each moves the SDID estimate by more
# than 1e-4, see test_sparsification_matters).
TOL = 1e-6


@pytest.fixture(scope="module")
def prop99() -> pd.DataFrame:
    return pd.read_csv(PROP99, sep=";")


def fit(df: pd.DataFrame, **kw):
    return synthetic_did(df, unit="State", time="Year", outcome="PacksPerCapita", treated="treated", **kw)


@pytest.mark.parametrize("estimator", ["sdid", "sc", "did"])
def test_prop99_point_estimates_match_synthdid(prop99, estimator):
    res = fit(prop99, estimator=estimator, se_method="none")
    assert res.estimate == pytest.approx(PUBLISHED[estimator], abs=TOL)
    assert res.n_treated == 1 and res.n_control == 38
    assert res.n_pre == 19 and res.n_post == 12
    assert res.unit_weights.sum() == pytest.approx(1.0)
    assert (res.unit_weights >= 0).all()
    assert not res.notes


def test_prop99_weights_have_the_published_shape(prop99):
    """Arkhangelsky et al. (2021), Figure 1 / synthdid vignette: SDID time weights sit on the last
    pre-years (1986-1988), SC puts zero time weight, DiD is uniform; SDID spreads unit weight
    over more states than SC."""
    sdid = fit(prop99, se_method="none")
    sc = fit(prop99, estimator="sc", se_method="none")
    did = fit(prop99, estimator="did", se_method="none")
    lam = sdid.time_weights[sdid.time_weights > 0]
    assert set(lam.index) <= {1986, 1987, 1988}
    assert lam.sum() == pytest.approx(1.0)
    assert (sc.time_weights == 0).all()
    np.testing.assert_allclose(did.time_weights, 1 / 19)
    np.testing.assert_allclose(did.unit_weights, 1 / 38)
    assert (sdid.unit_weights > 0).sum() > (sc.unit_weights > 0).sum()
    # the estimate is the weighted double difference of the returned weights and paths
    p = sdid.paths
    pre, post = p.loc[~p["post"]], p.loc[p["post"]]
    manual = (post["treated"].mean() - pre["treated"] @ sdid.time_weights) - (
        post["synthetic"].mean() - pre["synthetic"] @ sdid.time_weights)
    assert sdid.estimate == pytest.approx(manual, abs=1e-10)


def test_sparsification_matters(prop99, monkeypatch):
    """Without the sparsify step the SDID estimate moves by more than TOL: the test above can fail."""
    import sosu_analysis.did.sdid as sdid_mod

    monkeypatch.setattr(sdid_mod, "_sparsify", lambda v: v)
    res = fit(prop99, se_method="none")
    assert abs(res.estimate - PUBLISHED["sdid"]) > 100 * TOL


def test_did_is_the_difference_of_four_means_by_hand():
    """2 treated and 3 control units, 3 periods (start at period 3): uniform weights give
    (treated post - treated pre) - (control post - control pre), computed here by hand."""
    y = {  # unit: outcomes at t = 1, 2, 3
        "a": [10.0, 12.0, 9.0], "b": [14.0, 13.0, 11.0],  # treated from t = 3
        "c": [5.0, 6.0, 8.0], "d": [7.0, 9.0, 10.0], "e": [4.0, 4.0, 7.0],
    }
    rows = [{"unit": u, "time": t + 1, "outcome": v[t], "treated": int(u in "ab" and t == 2)}
            for u, v in y.items() for t in range(3)]
    df = pd.DataFrame(rows)
    # treated pre mean (10+12+14+13)/4 = 12.25, post (9+11)/2 = 10; control pre (5+6+7+9+4+4)/6 = 35/6,
    # post (8+10+7)/3 = 25/3; DiD = (10 - 12.25) - (25/3 - 35/6) = -2.25 - 2.5 = -4.75
    res = synthetic_did(df, estimator="did", se_method="none")
    assert res.estimate == pytest.approx(-4.75, abs=1e-12)
    assert res.pre_periods == (1, 2) and res.post_periods == (3,)


def test_did_equals_twfe_regression_on_a_random_balanced_panel():
    """A second closed form: with uniform weights the block DiD equals the two-way fixed-effects OLS
    coefficient on a balanced panel."""
    rng = np.random.default_rng(5)
    n, t, n1, t0 = 9, 6, 3, 4
    Y = rng.normal(size=(n, t)) + np.arange(n)[:, None] + np.arange(t)[None, :]
    D = np.zeros((n, t))
    D[n - n1:, t0:] = 1
    df = pd.DataFrame({"unit": np.repeat(np.arange(n), t), "time": np.tile(np.arange(t), n),
                       "outcome": Y.ravel(), "treated": D.ravel().astype(int)})
    X = np.column_stack([D.ravel(), pd.get_dummies(df["unit"], dtype=float),
                         pd.get_dummies(df["time"], dtype=float).iloc[:, 1:]])
    beta = np.linalg.lstsq(X, Y.ravel(), rcond=None)[0]
    assert synthetic_did(df, estimator="did", se_method="none").estimate == pytest.approx(beta[0], abs=1e-10)


def test_placebo_se_reproducible_and_seeded(prop99):
    a = fit(prop99, estimator="did", replications=30, seed=3)
    b = fit(prop99, estimator="did", replications=30, seed=3)
    c = fit(prop99, estimator="did", replications=30, seed=4)
    assert a.se == b.se and np.array_equal(a.placebo_estimates, b.placebo_estimates)
    assert a.se != c.se
    assert len(a.placebo_estimates) == 30 and not a.placebo_estimates.flags.writeable
    # SE is the SD of the placebo estimates with divisor B (synthdid: sqrt((B-1)/B) * sd)
    assert a.se == pytest.approx(np.sqrt(np.mean((a.placebo_estimates - a.placebo_estimates.mean()) ** 2)))
    lo, hi = a.conf_int(0.1)
    z = stats.norm.ppf(0.95)
    assert (lo, hi) == pytest.approx((a.estimate - z * a.se, a.estimate + z * a.se))
    assert a.p_value == pytest.approx(2 * stats.norm.sf(abs(a.estimate / a.se)))
    assert a.ci_low == pytest.approx(a.estimate - stats.norm.ppf(0.975) * a.se)


def test_placebo_did_by_hand_on_a_small_panel():
    """Placebo DiD with uniform weights: each placebo estimate is the four-means DiD of the
    placebo-treated controls against the remaining controls; with 3 controls and 1 treated unit there
    are 3 possible placebo treated units, so every draw must be one of these three numbers."""
    y = {"tr": [1.0, 2.0, 5.0], "c1": [1.0, 2.0, 3.0], "c2": [2.0, 2.0, 4.0], "c3": [0.0, 1.0, 1.5]}
    df = pd.DataFrame([{"unit": u, "time": t, "outcome": v[t], "treated": int(u == "tr" and t == 2)}
                       for u, v in y.items() for t in range(3)])
    res = synthetic_did(df, estimator="did", replications=50, seed=1)

    def did(tr, co):
        d = lambda u: y[u][2] - (y[u][0] + y[u][1]) / 2  # noqa: E731
        return d(tr) - np.mean([d(c) for c in co])

    possible = {round(did(p, [c for c in ("c1", "c2", "c3") if c != p]), 12) for p in ("c1", "c2", "c3")}
    assert {round(v, 12) for v in res.placebo_estimates} <= possible
    assert len({round(v, 12) for v in res.placebo_estimates}) == 3


def test_placebo_refuses_without_more_controls_than_treated():
    rows = [{"unit": u, "time": t, "outcome": float(i + t), "treated": int(u in ("a", "b") and t >= 2)}
            for i, u in enumerate("abcd") for t in range(4)]
    df = pd.DataFrame(rows)
    with pytest.raises(NotEstimable, match="more control units than treated"):
        synthetic_did(df, replications=10)
    assert np.isfinite(synthetic_did(df, se_method="none").estimate)  # the estimate itself is fine
    assert np.isnan(synthetic_did(df, se_method="none").p_value)


def small_panel() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame([{"unit": f"u{i}", "time": t, "outcome": rng.normal(), "treated": int(i < 2 and t >= 3)}
                         for i in range(8) for t in range(5)])


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"estimator": "synth"}, "unknown estimator 'synth'"),
        ({"se_method": "bootstrap"}, "unknown se_method 'bootstrap'"),
        ({"replications": 1}, "replications must be an integer >= 2"),
        ({"replications": 2.5}, "replications must be an integer"),
        ({"alpha": 1.5}, "alpha must be strictly between 0 and 1"),
        ({"seed": "x"}, "seed must be an integer"),
        ({"outcome": "y"}, "no column outcome='y'"),
    ],
)
def test_invalid_options_raise(kw, match):
    with pytest.raises(ValueError, match=match):
        synthetic_did(small_panel(), **kw)


def test_bad_panels_are_refused_with_the_reason():
    df = small_panel()
    with pytest.raises(ValueError, match=r"unbalanced: 1 unit x time cells are absent \(e.g. unit='u3', time=2\)"):
        synthetic_did(df.drop(index=df.index[(df.unit == "u3") & (df.time == 2)]))
    gap = df.copy()
    gap.loc[(gap.unit == "u5") & (gap.time == 1), "outcome"] = np.nan
    with pytest.raises(ValueError, match="missing or infinite in 1 cells.*unit='u5', time=1.*balanced panel"):
        synthetic_did(gap)
    stag = df.copy()
    stag.loc[(stag.unit == "u1") & (stag.time == 3), "treated"] = 0
    with pytest.raises(ValueError, match="staggered adoption.*'u0' from 3, 'u1' from 4"):
        synthetic_did(stag)
    off = df.copy()
    off.loc[(off.unit == "u1") & (off.time == 4), "treated"] = 0
    with pytest.raises(ValueError, match="treatment of unit 'u1' stops"):
        synthetic_did(off)
    with pytest.raises(ValueError, match="repeat a unit x time pair"):
        synthetic_did(pd.concat([df, df.iloc[[0]]]))
    bad_d = df.copy()
    bad_d["treated"] = bad_d["treated"] * 2
    with pytest.raises(ValueError, match="must be 0 or 1"):
        synthetic_did(bad_d)
    with pytest.raises(ValueError, match="no unit is treated"):
        synthetic_did(df.assign(treated=0))
    early = df.copy()
    early.loc[early.unit.isin(["u0", "u1"]) & (early.time >= 1), "treated"] = 1
    with pytest.raises(NotEstimable, match="at least two pre-periods"):
        synthetic_did(early)


def test_unit_order_and_bool_treatment_do_not_change_the_result(prop99):
    shuffled = prop99.sample(frac=1.0, random_state=1)
    shuffled["treated"] = shuffled["treated"].astype(bool)
    a = fit(prop99, se_method="none")
    b = fit(shuffled, se_method="none")
    assert a.estimate == b.estimate
    pd.testing.assert_series_equal(a.unit_weights, b.unit_weights)


def test_pre_fit_and_intercept_on_a_shifted_synthetic_twin():
    """A treated unit equal to the mean of two controls plus 3: synthetic control (no intercept) cannot fit
    the level shift, SDID (intercept) tracks the path closely and recovers the post-period effect of -2
    up to its ridge; DiD's intercept is the mean pre-period gap."""
    rng = np.random.default_rng(2)
    T, t0 = 8, 6
    base = rng.normal(size=(6, T)).cumsum(axis=1)
    tr = (base[0] + base[1]) / 2 + 3.0
    tr[t0:] -= 2.0
    Y = np.vstack([base, tr])
    df = pd.DataFrame({"unit": np.repeat([f"c{i}" for i in range(6)] + ["T"], T), "time": np.tile(np.arange(T), 7),
                       "outcome": Y.ravel(), "treated": [int(u == 6 and t >= t0) for u in range(7) for t in range(T)]})
    res = synthetic_did(df, estimator="sc", se_method="none")  # SC: no intercept, the +3 is not fitted
    assert res.pre_fit_rmse > 1
    sdid = synthetic_did(df, se_method="none")
    assert sdid.pre_fit_rmse < 0.5 * res.pre_fit_rmse
    assert sdid.intercept == pytest.approx(np.mean(tr[:t0] - sdid.paths["synthetic"].to_numpy()[:t0]))
    did = synthetic_did(df, estimator="did", se_method="none")
    assert did.intercept == pytest.approx(np.mean(tr[:t0] - base[:, :t0].mean(axis=0)))


def test_identical_controls_give_no_interval_and_say_why():
    """Every placebo DiD is 0 when all controls follow the same path: SE 0 is not an interval of width 0."""
    rows = [{"unit": u, "time": t, "outcome": float(t) + (2.0 if u == "tr" and t >= 3 else 0.0),
             "treated": int(u == "tr" and t >= 3)} for u in ("tr", "c1", "c2", "c3") for t in range(5)]
    res = synthetic_did(pd.DataFrame(rows), estimator="did", replications=10)
    assert res.estimate == pytest.approx(2.0)
    assert np.isnan(res.se) and np.isnan(res.p_value) and np.isnan(res.ci_low)
    assert "placebo standard error is 0" in res.notes[0]
    row = res.to_frame().iloc[0]
    assert row["n_treated"] == 1 and row["n_control"] == 3 and "placebo" in row["note"]
