"""Figures of the campus comparison.

Every function takes ``watermark``: text drawn large, diagonal and semi-transparent on every axes (required for
synthetic data, e.g. ``watermark="SYNTHETIC DATA"``).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ...danish import confidence_level
from ...definitions import (
    CAMPUS_GROUP_LABEL_DA,
    CAMPUS_GROUP_LABEL_EN,
    CAMPUS_GROUPS,
    OUTCOME_LABEL_DA,
    OUTCOME_LABEL_EN,
    PERIOD_LABEL_DA,
    PERIOD_LABEL_EN,
    PERIODS,
)
from ..plotting import add_watermark, danish_axis

#: figure text by language ("en" for the researchers' chapters, "da" for the project lead's report)
TEXT: dict[str, dict[str, str]] = {
    "en": {**OUTCOME_LABEL_EN, **CAMPUS_GROUP_LABEL_EN, **PERIOD_LABEL_EN, "ssa_dropout": "SSA dropout",
           "dropout_pct": "dropout (%)", "rel_intake": "intake relative to pilot start",
           "effect_pp": "effect on dropout (pp)", "reduction_pp": "reduction in dropout (pp)",
           "power": "power"},
    "da": {**OUTCOME_LABEL_DA, **CAMPUS_GROUP_LABEL_DA, **PERIOD_LABEL_DA, "ssa_dropout": "Frafald SSA",
           "dropout_pct": "frafald (%)", "rel_intake": "optag i forhold til pilotstart",
           "effect_pp": "effekt på frafald (procentpoint)",
           "reduction_pp": "reduktion i frafald (procentpoint)", "power": "styrke (sandsynlighed for at opdage)",
           "analytic_t(G-2)": "beregnet (t-fordeling, G−2 frihedsgrader)"},
}


def plot_rates_2x2(rates: pd.DataFrame, watermark: str | None = None, language: str = "en") -> Figure:
    """Pre/post SSA dropout rates of pilot and non-pilot campuses, one panel per outcome definition.

    Parameters
    ----------
    rates : DataFrame
        Output of :func:`~sosu_analysis.did.tables.rates_2x2` (suppressed
        cells stay blank).
    watermark : str, optional
    """
    T = TEXT[language]
    outcomes = list(dict.fromkeys(rates["outcome_definition"]))
    fig, axes = plt.subplots(1, len(outcomes), figsize=(5 * len(outcomes), 4), squeeze=False, sharey=True)
    for ax, outcome in zip(axes[0], outcomes, strict=True):
        sub = rates[rates["outcome_definition"] == outcome]
        for g, marker in zip(CAMPUS_GROUPS, ("o", "s"), strict=True):
            s = sub[sub["group"] == g].set_index("period").reindex(list(PERIODS))
            ax.plot([0, 1], s["rate_pct"].to_numpy(float), marker=marker, label=T[g])
        ax.set_xticks([0, 1], [T["pre"], T["post"]])
        ax.set_title(f"{T['ssa_dropout']}, {T.get(outcome, outcome)}")
        ax.set_ylabel(T["dropout_pct"])
        ax.legend()
        if language == "da":
            danish_axis(ax, "y")
    fig.tight_layout()
    return add_watermark(fig, watermark)


def plot_event_study(table: pd.DataFrame, inference: str = "cr2", watermark: str | None = None,
                     language: str = "en", alpha: float = 0.05) -> Figure:
    """Event-study coefficients with confidence intervals, one panel per outcome definition.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`~sosu_analysis.did.tables.event_study_table`.
    inference : {"cr2", "crv1"}
        Which intervals to draw.
    watermark : str, optional
    alpha : float
        The ``alpha`` the table's intervals were computed with
        (``InferenceOptions.alpha``); it names their level in the titles.
    """
    ci = (f"{confidence_level(alpha, 'en')} CI" if language == "en" else f"{confidence_level(alpha)}-interval")
    outcomes = list(dict.fromkeys(table["outcome_definition"]))
    fig, axes = plt.subplots(1, len(outcomes), figsize=(5.5 * len(outcomes), 4), squeeze=False, sharey=True)
    for ax, outcome in zip(axes[0], outcomes, strict=True):
        s = table[table["outcome_definition"] == outcome].sort_values("rel_time")
        x = s["rel_time"].to_numpy(float)
        y = s["att_pp"].to_numpy(float)
        lo = s[f"ci_low_{inference}_pp"].to_numpy(float)
        hi = s[f"ci_high_{inference}_pp"].to_numpy(float)
        err = np.vstack([y - lo, hi - y])
        err = np.where(np.isfinite(err), err, 0)
        ax.errorbar(x, y, yerr=err, fmt="o", capsize=3)
        ax.axhline(0, color="black", lw=0.8)
        ax.axvline(-0.5, color="grey", ls="--", lw=0.8)
        T = TEXT[language]
        ax.set_xlabel(T["rel_intake"])
        ax.set_ylabel(T["effect_pp"])
        ax.set_title(f"{T.get(outcome, outcome)} ({inference.upper()} {ci})")
        if language == "da":
            danish_axis(ax, "both")
    fig.tight_layout()
    return add_watermark(fig, watermark)


def plot_power_curve(curve: pd.DataFrame, target_pp: float | None = 5.0, watermark: str | None = None,
                     language: str = "en") -> Figure:
    """Power against the effect size, one line per method.

    Parameters
    ----------
    curve : DataFrame
        Output of :func:`~sosu_analysis.did.power.power_curve`.
    target_pp : float, optional
        Vertical marker (default 5 pp: 17 % -> 12 %).
    watermark : str, optional
    """
    fig, ax = plt.subplots(figsize=(6, 4))
    for m, s in curve.groupby("method", sort=False):
        ax.plot(s["effect_pp"], s["power"], marker=".", label=TEXT[language].get(str(m), str(m)))
    ax.axhline(0.8, color="grey", ls=":", lw=0.8)
    if target_pp is not None:
        ax.axvline(target_pp, color="grey", ls="--", lw=0.8)
    ax.set_ylim(0, 1)
    ax.set_xlabel(TEXT[language]["reduction_pp"])
    ax.set_ylabel(TEXT[language]["power"])
    ax.legend()
    if language == "da":
        danish_axis(ax, "both")
    fig.tight_layout()
    return add_watermark(fig, watermark)


__all__ = ["add_watermark", "plot_rates_2x2", "plot_event_study", "plot_power_curve"]
