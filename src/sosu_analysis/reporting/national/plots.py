"""Figures of the national comparison and the wellbeing survey: Danish labels, decimal comma on every axis.

Every function takes ``watermark``: the chapters pass
:data:`sosu_analysis.reporting.plotting.SYNTHETIC_WATERMARK` whenever the national answer
or the ETU file is synthetic, and the watermark is drawn on every axes.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from ...danish import confidence_level, number, percent
from ...definitions import OUTCOMES, TABLE1_ORDER
from ...national import funnel
from ...national.compare import GROUP_DA, GROUPS
from ..plotting import PROGRAMME_COLOURS, AxisFormatter, add_watermark, danish_axis, setup_style

GROUP_STYLE = {"school": ("#C44E52", "o", "-"), "rest": ("#4C72B0", "s", "--"), "national": ("#555555", "^", ":")}
#: the funnel's control limits (fixed by the method, Spiegelhalter 2005; not the run's confidence level)
LEVEL_STYLE = {level: (style, f"{confidence_level(1 - level)}-kontrolgrænse")
               for level, style in zip(funnel.LEVELS, ("--", ":"), strict=True)}


def danish_axes(ax, x: bool = True, y: bool = True) -> None:
    """Write tick labels with a decimal comma (``2,5`` not ``2.5``) (:func:`..plotting.danish_axis`)."""
    if x:
        danish_axis(ax, "x")
    if y:
        danish_axis(ax, "y")


def plot_comparison(rates: pd.DataFrame, watermark: str | None = None, school_label: str = "SOSU H",
                    alpha: float = 0.05):
    """Dropout of SOSU H, the other SOSU schools and the whole country by year; Wilson intervals.

    One column per programme, one row per definition (incl. and excl. switching). ``alpha`` is the one
    ``rates`` was computed with (:func:`sosu_analysis.national.compare.group_rates`); the title names its level.
    """
    setup_style()
    programmes = [p for p in TABLE1_ORDER if p in set(rates["programme"])]
    fig, axes = plt.subplots(2, len(programmes), figsize=(4.0 * len(programmes), 7.2), sharex=True, squeeze=False)
    offsets = {"school": -0.08, "rest": 0.0, "national": 0.08}
    for i, (definition, label_da) in enumerate((d, s.long_da) for d, s in OUTCOMES.items()):
        for j, programme in enumerate(programmes):
            ax = axes[i][j]
            d = rates[(rates["programme"] == programme) & (rates["outcome_definition"] == definition)]
            for group in GROUPS:
                g = d[(d["group"] == group) & d["pct"].notna()].sort_values("year")
                if g.empty:
                    continue
                colour, marker, ls = GROUP_STYLE[group]
                x = g["year"].astype(int).to_numpy() + offsets[group]
                y = g["pct"].to_numpy()
                err = np.vstack([y - g["ci_low"].to_numpy(), g["ci_high"].to_numpy() - y])
                label = school_label if group == "school" else GROUP_DA[group]
                ax.errorbar(x, y, yerr=err, fmt=marker, ls=ls, color=colour, capsize=3, label=label, ms=5)
            years = sorted(d["year"].astype(int).unique())
            ax.set_xticks(years)
            ax.xaxis.set_major_formatter(AxisFormatter(decimals=0, grouping=False))
            danish_axes(ax, x=False)
            ax.set_ylim(bottom=0)
            if i == 0:
                ax.set_title(programme, fontsize=11)
            if j == 0:
                ax.set_ylabel(f"Frafald {label_da.split(' (')[0]}, %")
    axes[1][0].set_xlabel("Startår")
    axes[0][-1].legend(loc="lower right", fontsize=8)
    fig.suptitle("Frafald 3 måneder efter start: SOSU H, andre SOSU-skoler og hele landet "
                 f"({confidence_level(alpha)}-Wilson-interval)", fontsize=10)
    add_watermark(fig, watermark)
    fig.tight_layout()
    return fig


def plot_funnels(tables: dict[str, tuple[pd.DataFrame, float]], title: str, watermark: str | None = None,
                 school_label: str = "SOSU H"):
    """Funnel plots, one panel per programme: schools by intake size, national level, the control limits.

    The control limits (:data:`sosu_analysis.national.funnel.LEVELS`) are fixed by the method and drawn
    and labelled as such ("kontrolgrænse"), so they are not read as the run's confidence level.

    Parameters
    ----------
    tables
        Programme -> (:func:`sosu_analysis.national.funnel.funnel_table` result, p0 in percent).
    title
        Figure title (year and definition).
    watermark
        Text drawn across every panel, or ``None``.
    school_label
        Name of the highlighted school in the legend.
    """
    setup_style()
    programmes = [p for p in TABLE1_ORDER if p in tables]
    fig, axes = plt.subplots(1, len(programmes), figsize=(4.2 * len(programmes), 4.2), squeeze=False)
    for ax, programme in zip(axes[0], programmes, strict=True):
        table, p0 = tables[programme]
        curve = funnel.funnel_curve(int(table["n_cohort"].max() * 1.15), p0 / 100,
                                     n_min=max(10, int(table["n_cohort"].min() * 0.5)))
        for level, (ls, label) in LEVEL_STYLE.items():
            ax.plot(curve["n"], curve[f"upper_{level}"], ls=ls, color="#333333", lw=1, label=label)
            ax.plot(curve["n"], curve[f"lower_{level}"], ls=ls, color="#333333", lw=1)
        ax.axhline(p0, color="#333333", lw=1.2, label=f"Hele landet {percent(p0)}")
        others = table[~table["is_school"]]
        ax.scatter(others["n_cohort"], others["pct"], s=22, color="#4C72B0", alpha=0.8, label="Andre SOSU-skoler",
                   zorder=3)
        own = table[table["is_school"]]
        ax.scatter(own["n_cohort"], own["pct"], s=70, color=PROGRAMME_COLOURS.get(programme, "#C44E52"),
                   edgecolor="black", marker="D", label=school_label, zorder=4)
        ax.set_title(programme, fontsize=11)
        ax.set_xlabel("Optag (antal elever)")
        ax.set_ylim(bottom=0)
        ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
        ax.xaxis.set_major_formatter(AxisFormatter(decimals=0))
        danish_axes(ax, x=False)
    axes[0][0].set_ylabel("Frafald, % af optag")
    axes[0][-1].legend(loc="upper right", fontsize=7)
    fig.suptitle(title, fontsize=10)
    add_watermark(fig, watermark)
    fig.tight_layout()
    return fig


def plot_etu(etu: pd.DataFrame, kind: str, year: int, title: str, watermark: str | None = None,
             items: tuple[str, ...] | None = None):
    """ETU scores (0-100) by item and programme for one year; a suppressed cell has no bar and says so."""
    setup_style()
    d = etu[(etu["kind"] == kind) & (etu["year"] == year)]
    if items is not None:
        d = d[d["item"].isin(items)]
    order = list(dict.fromkeys(d["item"]))
    programmes = [p for p in TABLE1_ORDER if p in set(d["programme"])]
    fig, ax = plt.subplots(figsize=(8.5, 0.65 * len(order) * len(programmes) / 3 + 1.6))
    height = 0.8 / max(len(programmes), 1)
    for k, programme in enumerate(programmes):
        for i, item in enumerate(order):
            row = d[(d["programme"] == programme) & (d["item"] == item)]
            y = i + (k - (len(programmes) - 1) / 2) * height
            if row.empty or bool(row["suppressed"].iloc[0]):
                ax.text(1, y, f"{programme}: færre end 5 svar, ikke vist", va="center", fontsize=7, color="#555555")
                continue
            score = float(row["score"].iloc[0])
            ax.barh(y, score, height=height * 0.95, color=PROGRAMME_COLOURS[programme],
                    label=programme if i == 0 else None)
            ax.text(score + 0.6, y, number(score), va="center", fontsize=7)
    ax.set_yticks(range(len(order)))
    ax.set_yticklabels(order, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Score (0 = mest negativ, 100 = mest positiv)")
    danish_axes(ax, y=False)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(title, fontsize=10)
    add_watermark(fig, watermark)
    fig.tight_layout()
    return fig


def plot_association(points: pd.DataFrame, item: str, watermark: str | None = None):
    """Dropout (incl. switching) against the score on one oplæring question, one point per programme-year.

    ``points``: ``programme, year, score, pct`` (suppressed scores already left out).
    """
    setup_style()
    fig, ax = plt.subplots(figsize=(6.2, 4.4))
    for programme in TABLE1_ORDER:
        p = points[points["programme"] == programme]
        ax.scatter(p["score"], p["pct"], s=45, color=PROGRAMME_COLOURS[programme], label=programme, zorder=3)
        for _, r in p.iterrows():
            ax.annotate(str(int(r["year"])), (r["score"], r["pct"]), textcoords="offset points", xytext=(4, 3),
                        fontsize=7)
    ax.set_xlabel(f"«{item}» (score 0-100)")
    ax.set_ylabel("Frafald inkl. omvalg, %")
    danish_axes(ax)
    ax.legend(fontsize=8)
    ax.set_title(f"Trivsel i oplæringen og frafald, {len(points)} uddannelse-år", fontsize=10)
    add_watermark(fig, watermark)
    fig.tight_layout()
    return fig
