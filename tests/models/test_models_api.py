"""run_all, summary_sentences and plot_trends: shapes, consistency between tables, determinism."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from sosu_analysis.models.api import RESULT_KEYS, run_all  # noqa: E402
from sosu_analysis.reporting.models.plots import plot_trends  # noqa: E402
from sosu_analysis.reporting.models.summary import summary_sentences  # noqa: E402

REQUIRED = {
    "logit_models": ["outcome_definition", "model", "term", "estimate", "std_error", "ci_low", "ci_high", "p_value"],
    "trend_tests": ["outcome_definition", "programme", "slope_log_odds_per_year", "odds_ratio_per_year", "ca_chi2",
                    "p_value"],
    "marginal_effects": ["outcome_definition", "model", "kind", "estimate", "std_error", "ci_low", "ci_high"],
    "lr_tests": ["outcome_definition", "test", "lr_chi2", "df", "p_value"],
    "dispersion": ["outcome_definition", "model", "dispersion"],
    "goal_distance": ["outcome_definition", "programme", "distance_pp", "distance_ci_low", "distance_ci_high"],
    "multinomial_shares": ["programme", "year", "category", "observed_pct", "predicted_pct"],
}


@pytest.fixture
def results_all(table1):
    return run_all(table1)


def test_run_all_keys_and_columns(results_all):
    assert tuple(results_all) == RESULT_KEYS
    for key, cols in REQUIRED.items():
        missing = [c for c in cols if c not in results_all[key].columns]
        assert not missing, (key, missing)
    for key in ("logit_models", "trend_tests", "marginal_effects", "lr_tests", "dispersion", "goal_distance"):
        assert set(results_all[key]["outcome_definition"]) == {"incl_switch", "excl_switch"}, key
    s = results_all["settings"].iloc[0]
    assert s["denominator"] == "n_cohort" and s["programme_reference"] == "SSA" and s["n_students"] == 7142


def test_run_all_is_deterministic(table1, results_all):
    again = run_all(table1)
    for key in RESULT_KEYS:
        pd.testing.assert_frame_equal(results_all[key], again[key])


def test_tables_agree_with_each_other(results_all):
    lm = results_all["logit_models"]
    disp = results_all["dispersion"].set_index(["outcome_definition", "model"])
    add = lm[(lm["outcome_definition"] == "incl_switch") & (lm["model"] == "additive")]
    assert (add["dispersion"] == disp.loc[("incl_switch", "additive"), "dispersion"]).all()
    lr = results_all["lr_tests"].set_index(["outcome_definition", "test"])
    # the interaction LR test is the deviance of the additive model (the interaction model is saturated)
    assert lr.loc[("excl_switch", "programme:year"), "lr_chi2"] == pytest.approx(
        disp.loc[("excl_switch", "additive"), "deviance"])


def test_summary_sentences(results_all):
    en = summary_sentences(results_all).sentences()
    text = "\n".join(en)
    assert "n_cohort" in text and "7142 students" in text
    assert "SSA, dropout incl. switching" in text and "SSA, dropout excl. switching" in text
    assert "not estimable yet" in text
    assert "12 % goal" in text
    assert "PAU had no switchers" in text
    da = summary_sentences(results_all, "da")
    assert da.trends[("SSA", "incl_switch")].startswith("SSA, frafald inkl. omvalg")
    # every number is rounded: no long decimals in the prose
    assert not re.search(r"\d\.\d{4,}", text)


def test_extra_grouping_column(table1):
    """A campus column: found automatically, enters every model, gets its own LR test."""
    a = table1.assign(campus="Brøndby")
    b = table1.assign(campus="Herlev")  # same counts: campus effect exactly 0
    res = run_all(pd.concat([a, b], ignore_index=True))
    assert res["settings"].iloc[0]["group_cols"] == "campus"
    lr = res["lr_tests"]
    camp = lr[lr["test"] == "campus"]
    assert len(camp) == 2 and np.allclose(camp["lr_chi2"], 0, atol=1e-8)
    assert "campus" in res["marginal_effects"].columns
    assert (res["logit_models"]["term"] == "campus[Herlev]").any()


def test_plot_trends_with_and_without_watermark(table1):
    fig = plot_trends(table1, goal_pct=12.0, watermark="SYNTHETIC DATA")
    try:
        assert len(fig.axes) == 2
        for ax in fig.axes:
            assert any(t.get_text() == "SYNTHETIC DATA" for t in ax.texts)
            assert len(ax.collections) >= 3  # one band per programme
        # the goal line only on the panel it applies to (incl. switching; goal_applies)
        has_goal = [any(np.allclose(line.get_ydata(), 12.0) for line in ax.get_lines()) for ax in fig.axes]
        assert has_goal == [True, False]
    finally:
        plt.close(fig)
    fig = plot_trends(table1, watermark=None)
    try:
        assert all(not ax.texts for ax in fig.axes)
    finally:
        plt.close(fig)


def test_plot_trends_draws_the_quasi_binomial_band_the_text_uses(table1):
    from sosu_analysis.models.trend import trend_curves

    curves = trend_curves(table1, 0.05)
    fig = plot_trends(table1, curves=curves)
    try:
        tops = sorted(float(np.max(c.get_paths()[0].vertices[:, 1])) for c in fig.axes[0].collections
                      if len(c.get_paths()) and c.get_paths()[0].vertices.shape[0] > 4)
        sub = curves[curves["outcome_definition"] == "incl_switch"]
        quasi = sorted(sub.groupby("programme")["band_high_quasi"].max())
        binomial = sorted(sub.groupby("programme")["ci_high"].max())
        assert np.allclose(tops, quasi) and not np.allclose(tops, binomial)  # wider than the binomial band
    finally:
        plt.close(fig)
