"""Figure: observed dropout with fitted logistic trends, their bands and the national goal."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from ...danish import confidence_level, percent
from ...definitions import GOAL_PROGRAMMES, OUTCOMES, PROGRAMME_COLOURS, goal_applies
from ...models.data import check_table
from ...models.descriptives import wilson_interval
from ...models.options import Language
from ...models.trend import programme_years, trend_curves
from ..plotting import danish_axis, setup_style, watermark_axes


def plot_trends(table1: pd.DataFrame, goal_pct: float | None = 12.0, *, watermark: str | None = None,
                group_cols: Sequence[str] | None = None, alpha: float = 0.05, language: Language = "en",
                curves: pd.DataFrame | None = None):
    r"""Observed dropout per programme and year with fitted logistic trends, for both definitions.

    Parameters
    ----------
    table1 : DataFrame
        The cell table (see :func:`~sosu_analysis.models.data.check_table`).
    goal_pct : float or None
        Draw the national goal as a horizontal line (None: no line), only on
        the panel of the definition it applies to
        (:func:`~sosu_analysis.definitions.goal_applies`), labelled with the
        programmes it is stated for.
    watermark : str, optional
        Text drawn diagonally on every axes (for synthetic data).
    group_cols : sequence of str, optional
        Extra grouping columns; the figure sums over them.
    alpha : float
        1 − level of the intervals.
    language : {"en", "da"}
        Labels.
    curves : DataFrame, optional
        The fitted trends as :func:`~sosu_analysis.models.trend.trend_curves`
        returns them (e.g. the ``trend_curves`` table chapter 02 wrote), so
        the figure does not fit the models again; computed when left out.
        Must have been computed with the same ``alpha``.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels (incl. / excl. switching): points with Wilson intervals,
        the fitted trend :math:`\operatorname{expit}(\hat\alpha + \hat\beta t)`
        and its pointwise delta-method band, computed on the log-odds scale
        and transformed (so it stays within 0–100 %), with the quasi-binomial
        (overdispersion-scaled, t-based) standard error the trend verdicts use
        (``band_low_quasi``/``band_high_quasi``).
    """
    cells = check_table(table1, group_cols)
    if curves is None:
        curves = trend_curves(cells, alpha)
    setup_style()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.4), sharey=True)
    programmes = sorted(cells["programme"].unique())
    deep = sns.color_palette("deep", len(programmes))
    palette = {p: PROGRAMME_COLOURS.get(p, c) for p, c in zip(programmes, deep, strict=True)}
    offsets = dict(zip(programmes, np.linspace(-0.08, 0.08, len(programmes)), strict=True))
    ymax = goal_pct or 0.0
    for ax, (definition, spec) in zip(axes, OUTCOMES.items(), strict=True):
        for programme in programmes:
            d = programme_years(cells, programme, definition)
            pct = 100 * d["events"] / d["trials"]
            lo, hi = wilson_interval(d["events"], d["trials"], alpha)
            colour = palette[programme]
            ax.errorbar(d["year"] + offsets[programme], pct, yerr=[pct - 100 * lo, 100 * hi - pct], fmt="o",
                        capsize=3, color=colour, label=programme, zorder=3)
            ymax = max(ymax, float(np.max(100 * hi)))
            c = curves[(curves["outcome_definition"] == definition) & (curves["programme"] == programme)]
            if c.empty:
                continue
            ax.plot(c["year"], c["pct"], color=colour, lw=1.6)
            # the band the text's verdict uses: quasi-binomial, widened for year-to-year variation
            ax.fill_between(c["year"], c["band_low_quasi"], c["band_high_quasi"], color=colour, alpha=0.18, lw=0)
            ymax = max(ymax, min(100.0, float(c["band_high_quasi"].max())))
        if goal_pct is not None and goal_applies(None, definition):
            ax.axhline(goal_pct, color="#C00000", ls="--", lw=1.2, gid="goal",
                       label=(f"national goal for {' and '.join(GOAL_PROGRAMMES)}: {goal_pct:g} %" if language == "en"
                              else f"nationalt mål for {' og '.join(GOAL_PROGRAMMES)}: "
                                   f"{percent(goal_pct, 0 if float(goal_pct).is_integer() else 1)}"))
        years = sorted(cells["year"].unique())
        ax.set_xticks(years)
        ax.set_xlabel("Intake year" if language == "en" else "Startår")
        ax.set_title(f"Dropout {spec.long_en}" if language == "en" else f"Frafald {spec.long_da}", fontsize=10)
        if language == "da":
            danish_axis(ax, "y")
        watermark_axes(ax, watermark)
    level_en, level_da = confidence_level(alpha, "en"), confidence_level(alpha)
    axes[0].set_ylabel("% of intake" if language == "en" else "% af optag")
    fig.text(0.5, 0.005, (f"Points: observed dropout with Wilson {level_en} intervals; lines: logistic trend in year "
                          f"with its {level_en} band allowing for year-to-year variation (quasi-binomial)."
                          if language == "en" else
                          f"Punkter: observeret frafald med Wilson {level_da}-interval; linjer: logistisk tendens "
                          f"med {level_da}-bånd, der tager højde for udsving fra år til år (kvasi-binomial)."),
             ha="center", va="bottom", fontsize=8, color="#444444")
    axes[0].set_ylim(0, ymax * 1.15)
    for ax in axes:
        ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig
