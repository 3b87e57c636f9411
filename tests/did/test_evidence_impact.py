"""The evidence rating's rules and effects in students, against hand-computed values."""

from __future__ import annotations

import math

import pytest

from sosu_analysis.did import evidence, impact


def test_in_school_with_two_comparison_campuses():
    # ceiling 3; 2 units -> -2; RMSE 4.0 of target 5 (0.8 > 0.5) -> -1; coverage 1.0 -> 0; MDE 16/5 > 2 -> -2
    r = evidence.rate_evidence("in_school", 2, 4.0, 1.0, 16.0, 5.0)
    assert r.rating == 0 and r.ceiling == 3
    assert r.codes == ("design_in_school", "few_comparison_units", "loose_pre_fit", "good_coverage",
                       "mde_far_above_target")


def test_national_donors():
    # ceiling 4; 54 units -> 0; RMSE 1.0 (0.2 of target) -> 0; coverage 0.996 -> 0; MDE 6.8 (1.36 x) -> -1
    r = evidence.rate_evidence("national_sdid", 54, 1.0, 0.996, 6.8, 5.0)
    assert r.rating == 3
    assert [x.code for x in r.deductions] == ["mde_above_target"]


@pytest.mark.parametrize("units,code,points", [(4, "few_comparison_units", -2), (5, "some_comparison_units", -1),
                                               (19, "some_comparison_units", -1), (20, "many_comparison_units", 0)])
def test_unit_thresholds(units, code, points):
    r = evidence.rate_evidence("stepped_rollout", units, 0.0, 1.0, 1.0, 5.0)
    assert r.reasons[1] == evidence.Reason(code, points)
    assert r.rating == 4 + points


@pytest.mark.parametrize("rmse,code", [(2.5, "good_pre_fit"), (2.51, "loose_pre_fit"), (5.0, "loose_pre_fit"),
                                       (5.01, "poor_pre_fit")])
def test_fit_thresholds_are_relative_to_the_target(rmse, code):
    assert evidence.rate_evidence("national_sdid", 30, rmse, 1.0, 1.0, 5.0).reasons[2].code == code


def test_unknown_fit_and_mde_and_low_coverage_and_floor():
    r = evidence.rate_evidence("before_after", 0, float("nan"), 0.4, None, 5.0)
    assert r.codes[2:] == ("pre_fit_unknown", "very_low_coverage", "mde_unknown")
    assert r.rating == 0  # 1 - 2 - 1 - 2 - 2, floored at 0
    assert evidence.rate_evidence("randomised", 30, 0.0, 0.79, 5.0, 5.0).rating == 4  # low coverage only


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown design"):
        evidence.rate_evidence("rct", 3, 1.0, 1.0, 1.0, 5.0)
    with pytest.raises(ValueError, match="coverage"):
        evidence.rate_evidence("in_school", 3, 1.0, 1.5, 1.0, 5.0)
    with pytest.raises(ValueError, match="positive"):
        evidence.rate_evidence("in_school", 3, 1.0, 1.0, 1.0, 0.0)


# ---- effects in students: hand-computed ------------------------------------------------------------

def test_the_issue_example():
    # 4.2 pp of 792 students = 0.042 * 792 = 33.264 dropouts a year (issue 18's "≈ 33 færre afbrud")
    assert impact.avoided_dropouts(-4.2, 792) == pytest.approx(33.264)
    # the goal: 17.4 % -> 12 % among 1.327 = 0.054 * 1327 = 71.658
    assert impact.goal_in_students(17.4, 12.0, 1327) == pytest.approx(71.658)


def test_interval_ends_swap():
    e = impact.effect_in_students(-5.0, -10.0, 2.0, 1000)
    assert (e.avoided, e.avoided_low, e.avoided_high) == pytest.approx((50.0, -20.0, 100.0))


def test_cost_per_avoided_dropout():
    e = impact.effect_in_students(-5.0, -8.0, -2.0, 1000)  # 50 avoided, interval 20-80
    c = impact.cost_per_avoided(400_000, e)
    assert (c.per_avoided, c.low, c.high) == pytest.approx((8000.0, 5000.0, 20000.0))
    wide = impact.cost_per_avoided(400_000, impact.effect_in_students(-5.0, -8.0, 1.0, 1000))
    assert wide.high == math.inf and wide.low == pytest.approx(5000.0)
    none = impact.cost_per_avoided(400_000, impact.effect_in_students(1.0, -2.0, 3.0, 1000))
    assert math.isnan(none.per_avoided)
    with pytest.raises(ValueError):
        impact.cost_per_avoided(-1.0, e)
