"""The design advisor and the one power rule (issue 18): closed forms, t tables, hand-made designs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from sosu_analysis.did import design
from sosu_analysis.did.power import PowerDesign, analytic_power, analytic_se, mde_from_se, power_from_se
from sosu_analysis.did.timeline import cr2_mde

# ---- the one power rule ---------------------------------------------------------------------------

def test_mde_is_bloom_with_t_quantiles():
    # Bloom (1995), Evaluation Review 19(5), eq. 1; normal quantiles z_0.975 = 1.959964, z_0.80 = 0.841621
    assert mde_from_se(1.0, np.inf) == pytest.approx(2.801585, abs=1e-6)
    # t table (NIST/SEMATECH e-Handbook 1.3.6.7.2): t_{0.975,5} = 2.570582, t_{0.80,5} = 0.919544
    assert mde_from_se(2.0, 5) == pytest.approx(2 * (2.570582 + 0.919544), abs=1e-5)


def _nct_power_by_quadrature(effect: float, se: float, df: float, alpha: float = 0.05) -> float:
    """P(|T| > c) for T = (Z + d) / sqrt(V/df), V ~ chi2(df): integrate the normal over the chi-square."""
    c = stats.t.ppf(1 - alpha / 2, df)
    d = abs(effect) / se

    def inner(v):
        s = np.sqrt(v / df)
        return (stats.norm.sf(c * s - d) + stats.norm.cdf(-c * s - d)) * stats.chi2.pdf(v, df)

    return integrate.quad(inner, 0, np.inf, limit=200)[0]


@pytest.mark.parametrize("effect,se,df", [(5.0, 3.4, 2.4), (5.0, 1.5, 30.0), (2.0, 1.0, 4.0)])
def test_power_is_the_noncentral_t(effect, se, df):
    assert power_from_se(effect, se, df) == pytest.approx(_nct_power_by_quadrature(effect, se, df), abs=1e-6)


def test_power_with_many_df_is_the_normal_closed_form():
    # Phi(d - z) + Phi(-d - z) with z = 1.959964: at d = 2.801585 (Bloom's MDE) the power is 0.80
    assert power_from_se(2.801585, 1.0, 1e9) == pytest.approx(0.8 + stats.norm.cdf(-2.801585 - 1.959964), abs=1e-5)
    assert power_from_se(0.0, 1.0, 3.0) == pytest.approx(0.05, abs=1e-12)


def test_issue_numbers_the_report_quoted():
    # issue 18: realised CR2 SE 3.4 pp on 2.4 df: MDE about 16 pp, power at 5 pp 16 % (not the 8 % of before)
    assert mde_from_se(3.4, 2.4) == pytest.approx(16.0, abs=0.1)
    assert power_from_se(5.0, 3.4, 2.4) == pytest.approx(0.16, abs=0.005)


def test_analytic_power_uses_the_rule():
    d = PowerDesign([100] * 6, [True] * 3 + [False] * 3, 4, 2, icc=0.01)
    se = analytic_se(d)
    assert float(analytic_power(d, 0.05)) == pytest.approx(power_from_se(0.05, se, 4))


# ---- the stepped roll-out --------------------------------------------------------------------------

def test_rollout_treats_the_other_campuses_from_their_start():
    d = PowerDesign([50] * 4, [True, True, False, False], 2, 3, rollout_start=3)
    t = d.cell_table().pivot(index="campus", columns="intake_idx", values="treated")
    assert t.loc["campus1"].tolist() == [0, 0, 1, 1, 1]
    assert t.loc["campus3"].tolist() == [0, 0, 0, 1, 1]
    same = PowerDesign([50] * 4, [True, True, False, False], 2, 3)
    assert same.cell_table()["treated"].sum() == 6


def test_balanced_design_se_is_the_closed_form():
    # balanced 2x2 blocks, icc 0: SE^2 = p(1-p)/n (1/G1 + 1/G0)(1/T0 + 1/T1)
    d = PowerDesign([100] * 4, [True, True, False, False], 2, 2, baseline=0.2, icc=0.0)
    assert analytic_se(d) == pytest.approx(np.sqrt(0.16 / 100 * (1 / 2 + 1 / 2) * (1 / 2 + 1 / 2)), rel=1e-10)


# ---- scaling and the national design --------------------------------------------------------------

def test_scale_to_realised_multiplies_by_the_ratio_at_the_observed_design():
    t = pd.DataFrame({"horizon": [3, 3, 3, 6, 6], "n_pre": [4, 4, 4, 4, 4], "n_post": [1, 2, 3, 1, 2],
                      "se_pp": [4.0, 2.0, 1.0, 5.0, 2.5]})
    out = design.scale_to_realised(t, {3: 3.0, 6: float("nan")}, n_post_observed=2)
    assert out["scale"].tolist() == [1.5] * 5  # horizon 6 borrows the first horizon's ratio
    assert out["se_pp"].tolist() == [6.0, 3.0, 1.5, 7.5, 3.75]


def test_national_known_from_adds_horizon_and_lag():
    assert design.PUBLICATION_LAG_MONTHS == 3
    assert design.national_known_from(2025) == "2026-06"  # December 2025 + 3 months + 3 months
    assert design.national_known_from(2025, last_intake_month=10) == "2026-04"


def test_national_design_counts_published_years_and_uses_normal_quantiles():
    se = pd.DataFrame({"n_post": [1, 2], "n_pre": [7, 6], "se": [2.0, 1.5]})
    out = design.national_design(se, 2025, 8, 40, 4, ["2026-05", "2026-06", "2027-06"], realised_se_pp=3.0,
                                 target_pp=5.0)
    assert out["n_post"].tolist() == [0, 1, 2]
    assert np.isnan(out["mde_pp"].iloc[0])
    # scale 3.0 / 2.0: SE 3.0 then 2.25; MDE = 2.801585 * SE (df infinite)
    assert out["se_pp"].iloc[1:].tolist() == pytest.approx([3.0, 2.25])
    assert out["mde_pp"].iloc[1:].tolist() == pytest.approx([2.801585 * 3.0, 2.801585 * 2.25], abs=1e-5)
    assert out["sees_target"].tolist() == [False, False, False]  # 8.4 and 6.3 pp are above 5


def test_first_dates_and_soonest():
    adv = pd.DataFrame({"design": ["a", "a", "b", "b"], "horizon": [3, 3, 3, 3],
                        "date": ["2026-01", "2026-02", "2026-01", "2026-02"], "mde_pp": [9.0, 4.0, 6.0, 6.0],
                        "target_pp": 5.0})
    adv["sees_target"] = adv["mde_pp"] <= 5
    first = design.first_dates(adv)
    assert first["first_date"].tolist() == ["2026-02", ""]
    assert first["mde_end_pp"].tolist() == [4.0, 6.0]
    assert design.soonest(first)["design"] == "a"
    assert design.soonest(first[first["design"] == "b"]) is None


def test_cr2_mde_with_rollout_runs_and_is_finite():
    d = PowerDesign([100] * 6, [True] * 4 + [False] * 2, 4, 4, icc=0.005, rollout_start=6)
    mde, se, df = cr2_mde(d)
    assert np.isfinite(mde) and se > 0 and df > 0
