"""The descriptive figures of chapter 01: Figure 1 of seed 003 redrawn, and both outcome definitions.

Both figures are in Danish (the lead's report shows them): decimal comma on
the axes and labels (:mod:`sosu_analysis.danish`).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

from ..danish import confidence_level, percent
from ..definitions import GOAL_PROGRAMMES, OUTCOMES, PROGRAMME_COLOURS, TABLE1_ORDER, goal_applies
from .plotting import add_watermark, danish_axis, setup_style

YEAR_PALETTE = "Blues"


def _goal_label(goal_pct: float) -> str:
    """``"Nationalt mål for SSA og SSH: 12 %"``: the goal with the programmes it applies to."""
    return (f"Nationalt mål for {' og '.join(GOAL_PROGRAMMES)}: "
            f"{percent(goal_pct, 0 if float(goal_pct).is_integer() else 1)}")


def figure1(tidy: pd.DataFrame, goal_pct: float | None = None, watermark: str | None = None) -> Figure:
    """Draw *afbrudt totalt* by programme and year, as Figure 1 of seed 003 (bars by year within programme)."""
    setup_style()
    d = tidy.loc[:, ["programme", "year", "pct_dropout_total"]].copy()
    d["year"] = d["year"].astype(int).astype(str)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    sns.barplot(data=d, x="programme", y="pct_dropout_total", hue="year", order=list(TABLE1_ORDER),
                palette=YEAR_PALETTE, ax=ax)
    for container in ax.containers:
        assert isinstance(container, BarContainer)
        labels = [percent(v) for v in np.asarray(container.datavalues, dtype=float)]
        ax.bar_label(container, labels=labels, fontsize=8, padding=2)
    if goal_pct is not None:
        ax.axhline(goal_pct, color="#C00000", ls="--", lw=1.2)
        ax.text(-0.45, goal_pct + 0.3, _goal_label(goal_pct), color="#C00000", ha="left", va="bottom", fontsize=9)
    ax.set_xlabel("")
    ax.set_ylabel("Afbrudt totalt, % af optag")
    ax.set_title("Afbrudt totalt 3 måneder efter start på hovedforløbet, SOSU H")
    ax.legend(title="År", loc="upper left")
    ax.set_ylim(0, max(d["pct_dropout_total"].max(), goal_pct or 0) * 1.2)
    danish_axis(ax, "y")
    add_watermark(fig, watermark)
    fig.tight_layout()
    return fig


def figure_definitions(rates: pd.DataFrame, goal_pct: float | None = None, watermark: str | None = None,
                       alpha: float = 0.05) -> Figure:
    """Draw dropout by programme and year under both definitions, with Wilson intervals.

    ``alpha`` is the one the intervals in ``rates`` were computed with
    (:func:`~sosu_analysis.models.descriptives.outcome_rates`); it names their
    level on the axis. The national goal is drawn only on the panel it applies
    to (:func:`~sosu_analysis.definitions.goal_applies`).
    """
    setup_style()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
    offsets = dict(zip(TABLE1_ORDER, (-0.12, 0.0, 0.12), strict=True))
    for ax, (definition, spec) in zip(axes, OUTCOMES.items(), strict=True):
        sub = rates[rates["outcome_definition"] == definition]
        for prog in TABLE1_ORDER:
            p = sub[sub["programme"] == prog].sort_values("year")
            if p.empty:
                continue
            x = p["year"].astype(int).to_numpy() + offsets[prog]
            y = p["pct"].to_numpy()
            err = np.vstack([y - p["ci_low"].to_numpy(), p["ci_high"].to_numpy() - y])
            ax.errorbar(x, y, yerr=err, fmt="o-", capsize=3, color=PROGRAMME_COLOURS[prog], label=prog)
        if goal_pct is not None and goal_applies(None, definition):
            ax.axhline(goal_pct, color="#C00000", ls="--", lw=1.2, label=_goal_label(goal_pct))
        years = sorted(sub["year"].astype(int).unique())
        ax.set_xticks(years)
        ax.set_title(f"Frafald {spec.long_da}", fontsize=10)
        ax.set_xlabel("Startår")
        danish_axis(ax, "y")
    axes[0].set_ylabel(f"% af optag ({confidence_level(alpha)} Wilson-interval)")
    axes[0].set_ylim(bottom=0)
    axes[1].legend(loc="upper right", fontsize=8)
    add_watermark(fig, watermark)
    fig.tight_layout()
    return fig
