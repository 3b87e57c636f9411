"""The 12 % goal only where it applies, and the confidence level named from alpha (never a typed 95 %).

Independent references: the Wilson interval is computed here from its formula
(Wilson 1927; Agresti & Coull 1998, The American Statistician 52(2), eq. 2)
with scipy's normal quantile, not with the package's statsmodels call.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402

from sosu_analysis.danish import confidence_level  # noqa: E402
from sosu_analysis.definitions import GOAL_PROGRAMMES, goal_applies  # noqa: E402
from sosu_analysis.models import descriptives  # noqa: E402
from sosu_analysis.reporting import descriptive_plots, rapport_figures  # noqa: E402
from sosu_analysis.reporting.models.plots import plot_trends  # noqa: E402

# Seed 003, Table 1 as cleaned (SOSU H; the same rows as tests/models/conftest.py):
# programme, year, n_cohort, n_dropout_total, n_dropout_noswitch
CELLS = [("PAU", 2022, 213, 6, 6), ("PAU", 2023, 217, 16, 16), ("PAU", 2024, 186, 4, 4),
         ("SSA", 2022, 1072, 154, 120), ("SSA", 2023, 1393, 222, 179), ("SSA", 2024, 1327, 231, 191),
         ("SSH", 2022, 788, 76, 68), ("SSH", 2023, 914, 123, 89), ("SSH", 2024, 1032, 112, 82)]


@pytest.fixture
def tidy() -> pd.DataFrame:
    return pd.DataFrame(CELLS, columns=["programme", "year", "n_cohort", "n_dropout_total", "n_dropout_noswitch"])


def wilson_by_hand(k: int, n: int, alpha: float) -> tuple[float, float]:
    """Wilson score interval: (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    z = stats.norm.ppf(1 - alpha / 2)
    p = k / n
    centre, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)


def goal_axes(fig, goal: float) -> list[bool]:
    return [any(np.allclose(np.asarray(line.get_ydata(), float), goal) for line in ax.get_lines())
            for ax in fig.axes]


def test_goal_applies_to_ssa_and_ssh_incl_switching_only():
    assert GOAL_PROGRAMMES == ("SSA", "SSH")  # seed 000: the goal is stated for SSA and SSH
    assert goal_applies("SSA", "incl_switch") and goal_applies("SSH", "incl_switch")
    assert not goal_applies("PAU", "incl_switch")
    assert not goal_applies("SSA", "excl_switch")
    assert goal_applies(None, "incl_switch") and not goal_applies(None, "excl_switch")


def test_every_two_panel_figure_draws_the_goal_on_the_incl_switching_panel_only(tidy):
    rates = descriptives.outcome_rates(tidy)
    table1 = tidy.assign(n_in_progress=tidy["n_cohort"] - tidy["n_dropout_total"],
                         n_dropout_switch=tidy["n_dropout_total"] - tidy["n_dropout_noswitch"], n_other=0)
    figs = {"plot_trends": plot_trends(table1, goal_pct=12.0),
            "figure_definitions": descriptive_plots.figure_definitions(rates, goal_pct=12.0),
            "rapport trend_figure": rapport_figures.trend_figure(rates, 12.0, 18.0, "95 %")}
    try:
        for name, fig in figs.items():
            titles = [ax.get_title() for ax in fig.axes]
            assert goal_axes(fig, 12.0) == [True, False], name
            assert "inkl" in titles[0].lower() or "incl" in titles[0].lower(), name
        # labelled with what it is: the programmes it applies to
        ax = figs["plot_trends"].axes[0]
        label = next(line.get_label() for line in ax.get_lines() if line.get_gid() == "goal")
        assert label == "national goal for SSA and SSH: 12 %"
    finally:
        for fig in figs.values():
            plt.close(fig)


def test_confidence_level_from_alpha():
    assert confidence_level(0.05) == "95\u00a0%"
    assert confidence_level(0.10, "en") == "90 %"
    assert confidence_level(0.025, "en") == "97.5 %" and confidence_level(0.025) == "97,5\u00a0%"
    with pytest.raises(ValueError):
        confidence_level(1.5)


def test_descriptives_at_alpha_010_say_90_and_use_the_90_interval(tidy):
    rates = descriptives.outcome_rates(tidy, alpha=0.10)
    for _, r in rates.iterrows():
        lo, hi = wilson_by_hand(int(r["n_dropout"]), int(r["n_cohort"]), 0.10)
        assert r["ci_low"] == pytest.approx(100 * lo, rel=1e-10)
        assert r["ci_high"] == pytest.approx(100 * hi, rel=1e-10)
    text = " ".join(descriptives.descriptive_sentences(rates, 12.0, alpha=0.10))
    assert "90 % CI" in text and "95" not in text
    # the goal is mentioned for SSA and SSH incl. switching only, never for PAU or excl. switching
    incl, excl = descriptives.descriptive_sentences(rates, 12.0, alpha=0.10)
    assert incl.count("national goal") == 2 and "national goal" not in excl
    assert "PAU (" in incl and "national goal" not in incl.split("PAU (")[1].split("SSA (")[0]
    fig = descriptive_plots.figure_definitions(rates, goal_pct=12.0, alpha=0.10)
    try:
        assert "90" in fig.axes[0].get_ylabel() and "95" not in fig.axes[0].get_ylabel()
    finally:
        plt.close(fig)


def test_trend_figure_names_the_level_of_alpha(tidy):
    table1 = tidy.assign(n_in_progress=tidy["n_cohort"] - tidy["n_dropout_total"],
                         n_dropout_switch=tidy["n_dropout_total"] - tidy["n_dropout_noswitch"], n_other=0)
    fig = plot_trends(table1, goal_pct=12.0, alpha=0.10)
    try:
        caption = " ".join(t.get_text() for t in fig.texts)
        assert "Wilson 90 % intervals" in caption and "95" not in caption
        # the error bars of the points are the 90 % Wilson intervals (SSA 2024, incl. switching: 231 of 1327)
        lo, hi = wilson_by_hand(231, 1327, 0.10)
        segs = [seg for coll in fig.axes[0].collections if hasattr(coll, "get_segments")
                for seg in coll.get_segments() if len(seg) == 2]
        assert any(np.allclose(sorted([seg[0][1], seg[1][1]]), [100 * lo, 100 * hi]) for seg in segs)
    finally:
        plt.close(fig)
