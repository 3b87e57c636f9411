"""Typed results compute their interval when asked, and every option is checked where it enters (issue 17)."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from did_helpers import small_panel_frame

from sosu_analysis.did.bootstrap import wild_cluster_bootstrap
from sosu_analysis.did.covariance import cr2_test, crv1_test
from sosu_analysis.did.estimate import InferenceOptions, estimate_did


@pytest.mark.parametrize("alpha", [0.01, 0.10, 0.32])
def test_crv1_conf_int_at_any_level_matches_statsmodels(panel, alpha):
    """Reference: statsmodels OLS with cluster covariance and ``use_t`` (t on G - 1 df) ``conf_int(alpha)``."""
    _, fit, Xs, y, gs = panel
    res = sm.OLS(y, Xs).fit(cov_type="cluster", cov_kwds={"groups": gs}, use_t=True)
    t = crv1_test(fit)  # computed at 0.05
    assert t.alpha == 0.05 and t.conf_int() == (t.ci_low, t.ci_high)
    assert t.conf_int(alpha) == pytest.approx(tuple(res.conf_int(alpha=alpha)[0]), rel=1e-9)


def test_stored_interval_equals_conf_int_at_its_level(panel):
    _, fit, *_ = panel
    for a in (0.05, 0.2):
        t = cr2_test(fit, alpha=a)
        assert cr2_test(fit).conf_int(a) == pytest.approx((t.ci_low, t.ci_high), rel=1e-12)


def test_test_inversion_intervals_are_not_silently_recomputed(panel):
    _, fit, *_ = panel
    t = wild_cluster_bootstrap(fit, alpha=0.05)
    assert t.conf_int(0.05) == (t.ci_low, t.ci_high)
    with pytest.raises(ValueError, match="run the test again"):
        t.conf_int(0.10)
    with pytest.raises(ValueError, match="alpha"):
        t.conf_int(1.5)


@pytest.mark.parametrize("option,value,message", [
    ("wild_draws", 0, "wild_draws must be at least 1"),
    ("wild_draws", 2.5, "wild_draws must be a whole number"),
    ("wild_max_enumerate", -1, "wild_max_enumerate must be at least 1"),
    ("ri_max_assignments", 0, "ri_max_assignments must be at least 1"),
    ("seed", -3, "seed must be at least 0"),
    ("alpha", 0.0, "alpha must lie strictly between 0 and 1"),
    ("ci", "yes", "ci must be True or False"),
])
def test_options_are_checked_where_they_enter(option, value, message):
    with pytest.raises(ValueError, match=message):
        InferenceOptions(**{option: value})


def test_wild_draws_zero_was_an_index_error_and_is_now_named(panel):
    """With wild_max_enumerate below 6^G the draws are sampled; 0 draws used to fail with an IndexError."""
    _, fit, *_ = panel
    with pytest.raises(ValueError, match="B \\(wild_draws\\) must be at least 1"):
        wild_cluster_bootstrap(fit, max_enumerate=1, B=0)
    df = small_panel_frame()
    ok = estimate_did(df, "incl_switch", "lpm", ("wild_webb",),
                      InferenceOptions(wild_max_enumerate=1, wild_draws=99, ci=False))
    assert ok.tests["wild_webb"].extra["n_draws"] == 99 and np.isnan(ok.tests["wild_webb"].alpha)


def test_event_study_pretrend_randomization_counts_the_mirror_assignment():
    """3 of 6 campuses pilots from one start: binom(6, 3) = 20 assignments; the complement's event
    design spans the same columns with the fixed effects (its pre-period coefficients are the negated
    ones), so its Wald ties with the observed one: smallest attainable p = 2/20, and p is never below it."""
    from itertools import combinations

    from sosu_analysis.did.event_study import event_study

    df = small_panel_frame()
    df["pilot_post"] = ((df["campus"].isin(["A", "B", "C"])) & (df["intake"] >= 3)).astype(int)
    es = event_study(df, "incl_switch", options=InferenceOptions())
    ri = es.pretrend["randomization"]
    assert ri["n_assignments"] == len(list(combinations("ABCDEF", 3))) == 20
    assert ri["min_p"] == pytest.approx(2 / 20) and ri["p_value"] >= 2 / 20 - 1e-12
    # for any data: with a strong pre-trend at the pilots the observed Wald is the largest, and still ties
    rng = np.random.default_rng(0)
    for _ in range(3):
        d = df.copy()
        trend = np.where(d["campus"].isin(["A", "B", "C"]) & (d["intake"] < 3), 0.3 * d["intake"], 0.0)
        d["n_dropout_total"] = rng.binomial(d["n"], np.clip(0.15 + trend + rng.normal(0, 0.01, len(d)), 0, 1))
        d["n_dropout_noswitch"] = d["n_dropout_total"] // 2
        assert event_study(d, "incl_switch", options=InferenceOptions()).pretrend["randomization"]["p_value"] \
            == pytest.approx(2 / 20)
