"""The descriptive figures of notebook 01 (Figure 1 of seed 003 redrawn, and both definitions)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from .danish import format_pct
from .descriptives import OUTCOME_DEFINITIONS
from .plotting import PROGRAMME_ORDER, add_watermark, setup_style

YEAR_PALETTE = "Blues"


def figure1(tidy: pd.DataFrame, goal_pct: float | None = None, watermark: str | None = None):
    """Afbrudt totalt by programme and year, as Figure 1 of seed 003 (bars by year within programme)."""
    setup_style()
    d = tidy.loc[:, ["programme", "year", "pct_dropout_total"]].copy()
    d["year"] = d["year"].astype(int).astype(str)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    sns.barplot(data=d, x="programme", y="pct_dropout_total", hue="year", order=PROGRAMME_ORDER,
                palette=YEAR_PALETTE, ax=ax)
    for container in ax.containers:
        ax.bar_label(container, labels=[format_pct(v) for v in container.datavalues], fontsize=8, padding=2)
    if goal_pct is not None:
        ax.axhline(goal_pct, color="#C00000", ls="--", lw=1.2)
        ax.text(-0.45, goal_pct + 0.3, f"Nationalt mål {format_pct(goal_pct, 0)}", color="#C00000",
                ha="left", va="bottom", fontsize=9)
    ax.set_xlabel("")
    ax.set_ylabel("Afbrudt totalt, % af optag")
    ax.set_title("Afbrudt totalt 3 måneder efter start på hovedforløbet, SOSU H")
    ax.legend(title="År", loc="upper left")
    ax.set_ylim(0, max(d["pct_dropout_total"].max(), goal_pct or 0) * 1.2)
    add_watermark(fig, watermark)
    fig.tight_layout()
    return fig


def figure_definitions(rates: pd.DataFrame, goal_pct: float | None = None, watermark: str | None = None):
    """Dropout by programme and year under both definitions, with Wilson 95 % intervals."""
    setup_style()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
    offsets = {"PAU": -0.12, "SSA": 0.0, "SSH": 0.12}
    colours = dict(zip(PROGRAMME_ORDER, sns.color_palette("deep", 3)))
    for ax, (definition, (_, _, label_da)) in zip(axes, OUTCOME_DEFINITIONS.items()):
        sub = rates[rates["outcome_definition"] == definition]
        for prog in PROGRAMME_ORDER:
            p = sub[sub["programme"] == prog].sort_values("year")
            if p.empty:
                continue
            x = p["year"].astype(int).to_numpy() + offsets[prog]
            y = p["pct"].to_numpy()
            err = np.vstack([y - p["ci_low"].to_numpy(), p["ci_high"].to_numpy() - y])
            ax.errorbar(x, y, yerr=err, fmt="o-", capsize=3, color=colours[prog], label=prog)
        if goal_pct is not None:
            ax.axhline(goal_pct, color="#C00000", ls="--", lw=1.2, label=f"Nationalt mål {format_pct(goal_pct, 0)}")
        years = sorted(sub["year"].astype(int).unique())
        ax.set_xticks(years)
        ax.set_title(f"Frafald {label_da}", fontsize=10)
        ax.set_xlabel("Startår")
    axes[0].set_ylabel("% af optag (95 % Wilson-interval)")
    axes[0].set_ylim(bottom=0)
    axes[1].legend(loc="upper right", fontsize=8)
    add_watermark(fig, watermark)
    fig.tight_layout()
    return fig
