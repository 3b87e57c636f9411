"""Campus-by-intake ICC (method of moments) against simulations with a known ICC."""

import numpy as np
import pandas as pd
import pytest

from sosu_analysis.did.power import estimate_icc


def _cells(icc: float, seed: int, G: int = 30, T: int = 40, n: int = 200, p: float = 0.17) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sigma = np.sqrt(icc * p * (1 - p))
    campus = rng.normal(0, 0.03, G)
    intake = rng.normal(0, 0.02, T)
    rows = []
    for g in range(G):
        for t in range(T):
            q = np.clip(p + campus[g] + intake[t] + rng.normal(0, sigma), 0.001, 0.999)
            y = rng.binomial(n, q)
            rows.append({"programme": "SSA", "campus": f"c{g:02d}", "intake": f"t{t:02d}", "n": n,
                         "n_dropout_total": y, "n_dropout_noswitch": y, "pilot": g < 5,
                         "pilot_post": int(g < 5 and t >= T - 2)})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("icc", [0.0, 0.01, 0.03])
def test_icc_recovers_known_value(icc):
    # 30 x 38 pre-period cells of 200 students: the estimator's sampling SD is about 0.002 here
    est = np.mean([estimate_icc(_cells(icc, seed))["icc"] for seed in range(3)])
    assert est == pytest.approx(icc, abs=0.004)


def test_icc_moments_closed_form():
    # With no between-cell variation beyond binomial sampling, MS estimates p(1-p)
    res = estimate_icc(_cells(0.0, 11))
    assert res["ms"] == pytest.approx(res["p"] * (1 - res["p"]), rel=0.1)
    assert res["df"] == 30 * 38 - (1 + 29 + 37)
