"""Figures of the project lead's report: one panel wide, readable on a phone, Danish throughout.

Every figure here is drawn :data:`WIDTH_IN` inches wide with text of at least
:data:`MIN_FONT_PT` points, so that shown 366 px wide (a 390 px phone less the
page margins) its smallest text is still at least 11 px high:
``MIN_FONT_PT * 366 / (72 * WIDTH_IN)`` (the report's browser test checks it
from the image sizes the browser actually shows). Several panels are stacked,
never put side by side. Axes use decimal commas (the one axis formatter,
:func:`sosu_analysis.reporting.plotting.danish_axis`), and every figure made from synthetic
data carries the watermark on every panel.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.figure import Figure

from ..definitions import CAMPUS_GROUP_LABEL_DA, GOAL_PROGRAMMES, PERIOD_LABEL_DA, goal_applies
from ..models.descriptives import wilson_interval
from .plotting import PROGRAMME_COLOURS, danish_axis, setup_style

#: width of every report figure (inches) and its smallest font size (points)
WIDTH_IN = 4.6
MIN_FONT_PT = 10.5
DEFINITION_SHORT = {"incl_switch": "inkl. omvalg", "excl_switch": "ekskl. omvalg"}
GROUP_DA = CAMPUS_GROUP_LABEL_DA  # the one label map (definitions)
PERIOD_DA = PERIOD_LABEL_DA
HORIZON_COLOURS = {3: "#4C72B0", 6: "#DD8452", 12: "#55A868"}


def _num(x: float, decimals: int = 1) -> str:
    from ..danish import number

    return number(x, decimals)


def _style() -> None:
    setup_style()
    plt.rcParams.update({"font.size": MIN_FONT_PT + 0.5, "axes.titlesize": MIN_FONT_PT + 1.5,
                         "axes.labelsize": MIN_FONT_PT + 0.5, "xtick.labelsize": MIN_FONT_PT,
                         "ytick.labelsize": MIN_FONT_PT, "legend.fontsize": MIN_FONT_PT,
                         "font.family": "DejaVu Sans", "axes.formatter.use_locale": False})


def add_watermark(fig: Figure, text: str | None) -> Figure:
    """Watermark every panel with ``text`` on two lines, behind the data and whole inside the panel.

    The text is drawn under the curves and points (low ``zorder``, light) so it
    never hides them, and its size shrinks (not below :data:`MIN_FONT_PT`, then
    unrotated) until it fits inside the panel, so no letters are cut off. No-op for ``None``.
    """
    if not text:
        return fig
    fig.canvas.draw()  # the panel sizes after tight_layout
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    for ax in fig.axes:
        box = ax.get_window_extent(renderer)
        mark = ax.text(0.5, 0.5, text.replace(" – ", "\n"), transform=ax.transAxes, fontsize=MIN_FONT_PT + 5,
                       color="#C00000", alpha=0.22, ha="center", va="center", rotation=15, zorder=0.5,
                       fontweight="bold", clip_on=False, gid="watermark", multialignment="center")
        for size, rotation in [(MIN_FONT_PT + 5 - k, 15) for k in range(6)] + [(MIN_FONT_PT, 0)]:
            mark.set_fontsize(size)
            mark.set_rotation(rotation)
            ext = mark.get_window_extent(renderer)
            if ext.width <= box.width * 0.96 and ext.height <= box.height * 0.96:
                break
    return fig


def wilson(events: Sequence[float], trials: Sequence[float], alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Wilson interval of a proportion in percent: :func:`~sosu_analysis.models.descriptives.wilson_interval` × 100."""
    lo, hi = wilson_interval(events, trials, alpha)
    return 100 * np.asarray(lo), 100 * np.asarray(hi)


def trend_figure(rates: pd.DataFrame, goal_pct: float | None, start_pct: float | None, level: str,
                 goal_programmes: Sequence[str] = GOAL_PROGRAMMES, curves: pd.DataFrame | None = None) -> Figure:
    """Dropout per programme and year, incl. switching on top, excl. below.

    With ``curves`` (the ``trend_curves`` table) each programme's fitted
    trend is drawn as a line with its quasi-binomial band (``band_low_quasi``
    to ``band_high_quasi``: the overdispersion-scaled interval the report's
    trend verdict uses) and the yearly rates as points without bars; without
    it, the yearly rates with their binomial intervals (too narrow when the
    years vary more than binomially).

    The national goal is drawn only in the panel it applies to
    (:func:`~sosu_analysis.definitions.goal_applies`: dropout incl. switching,
    the only definition the goal can be read as) and labelled with the
    programmes it applies to and the level it starts from.
    """
    _style()
    fig, axes = plt.subplots(2, 1, figsize=(WIDTH_IN, 7.2), sharex=True)
    years = sorted(rates["year"].unique())
    ymax = 0.0
    for ax, definition in zip(axes, ("incl_switch", "excl_switch"), strict=True):
        sub = rates[rates["outcome_definition"] == definition]
        for k, prog in enumerate(("SSA", "SSH", "PAU")):
            d = sub[sub["programme"] == prog].sort_values("year")
            if d.empty:
                continue
            x = d["year"].to_numpy(float) + (k - 1) * 0.06
            y = d["pct"].to_numpy(float)
            colour = PROGRAMME_COLOURS[prog]
            if curves is not None:
                c = curves[(curves["outcome_definition"] == definition) & (curves["programme"] == prog)]
                c = c.sort_values("year")
                ax.fill_between(c["year"], c["band_low_quasi"], c["band_high_quasi"], color=colour, alpha=0.18,
                                linewidth=0)
                ax.plot(c["year"], c["pct"], color=colour, linewidth=1.6)
                ax.plot(x, y, "o", color=colour, label=prog)
                ymax = max(ymax, float(c["band_high_quasi"].max()) if len(c) else 0.0, float(y.max()))
                continue
            err = np.vstack([y - d["ci_low"].to_numpy(float), d["ci_high"].to_numpy(float) - y])
            ax.errorbar(x, y, yerr=err, marker="o", capsize=3, color=colour, label=prog)
            ymax = max(ymax, float(d["ci_high"].max()))
        ax.set_title(f"Frafald {DEFINITION_SHORT[definition]}")
        ax.set_ylabel("Frafald (%)")
        if goal_applies(None, definition) and goal_pct is not None:
            label = f"Mål for {' og '.join(goal_programmes)}: {_num(goal_pct, 0)} %"
            if start_pct is not None:
                label += f" (fra {_num(start_pct, 0)} %)"
            ax.axhline(goal_pct, color="#333333", linestyle="--", linewidth=1.2)
            ax.text(0.03, 0.80, f"Stiplet linje: {label[0].lower()}{label[1:]}", transform=ax.transAxes,
                    fontsize=MIN_FONT_PT, color="#333333", va="top")
    for ax in axes:
        ax.set_ylim(0, ymax * 1.55)
        ax.yaxis.set_major_locator(ticker.MultipleLocator(5))
        ax.set_xticks(years, [str(int(y)) for y in years])
        ax.set_xlim(years[0] - 0.3, years[-1] + 0.3)
        danish_axis(ax, "y")
        ax.legend(loc="upper left", ncol=3, frameon=True, columnspacing=0.8, handlelength=1.5)
    fig.tight_layout()
    return fig


def pilot_rates_figure(rates: pd.DataFrame, alpha: float = 0.05, watermark: str | None = None) -> Figure:
    """Raw SSA dropout before and from the pilot start, pilot vs other campuses, y-axis from zero.

    Intervals are Wilson intervals per group and period (students counted as
    independent, so they are too narrow for a comparison of campuses; the
    caption says so). Suppressed cells are not drawn.
    """
    _style()
    fig, axes = plt.subplots(2, 1, figsize=(WIDTH_IN, 7.0), sharex=True)
    ymax = 0.0
    for ax, definition in zip(axes, ("incl_switch", "excl_switch"), strict=True):
        sub = rates[rates["outcome_definition"] == definition]
        for k, (group, colour, marker) in enumerate((("pilot", "#DD8452", "o"), ("non-pilot", "#4C72B0", "s"))):
            s = sub[sub["group"] == group].set_index("period").reindex(["pre", "post"])
            keep = ~s["suppressed"].astype(str).str.lower().eq("true") & s["n_students"].notna()
            s = s[keep]
            if s.empty:
                continue
            lo, hi = wilson(s["n_dropout"].tolist(), s["n_students"].tolist(), alpha)
            y = s["rate_pct"].to_numpy(float)
            x = np.array([0 if p == "pre" else 1 for p in s.index], float) + (k - 0.5) * 0.12
            ax.errorbar(x, y, yerr=np.vstack([y - lo, hi - y]), marker=marker, capsize=4, color=colour,
                        label=GROUP_DA[group], linestyle="-")
            ymax = max(ymax, float(np.max(hi)))
        ax.set_title(f"Frafald på SSA {DEFINITION_SHORT[definition]}")
        ax.set_ylabel("Frafald (%)")
    for ax in axes:
        ax.set_ylim(0, max(ymax * 1.3, 5))
        ax.set_xticks([0, 1], [PERIOD_DA["pre"], PERIOD_DA["post"]])
        ax.set_xlim(-0.4, 1.4)
        danish_axis(ax, "y")
        ax.legend(loc="lower center", ncol=1, frameon=True)
    fig.tight_layout()
    return add_watermark(fig, watermark)


def pilot_estimates_figure(did: pd.DataFrame, horizons: Sequence[int], estimator: str = "lpm",
                           inference: str = "cr2", watermark: str | None = None) -> Figure:
    """Return the campus comparison's estimates with their intervals, per horizon and definition, and a zero line.

    One row per (horizon, definition): the point is the estimated difference in
    the development of dropout (pilot minus other campuses, procentpoint), the
    line its interval from ``inference`` (the one the verdict uses).
    """
    _style()
    rows = []
    for h in horizons:
        for definition in ("incl_switch", "excl_switch"):
            sel = did[(did["estimator"] == estimator) & (did["inference"] == inference)
                      & (did["horizon_months"] == h) & (did["outcome_definition"] == definition)]
            if len(sel) == 1:
                rows.append((f"{h} mdr., {DEFINITION_SHORT[definition]}", h, sel.iloc[0]))
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 1.0 + 0.55 * max(len(rows), 1)))
    r: pd.Series
    for i, (_label, h, r) in enumerate(rows):
        y = len(rows) - 1 - i
        lo, hi = float(r["ci_low_pp"]), float(r["ci_high_pp"])
        finite = np.isfinite(lo) and np.isfinite(hi)
        if finite:
            ax.plot([lo, hi], [y, y], color=HORIZON_COLOURS.get(h, "#333333"), linewidth=2.2)
        ax.plot([float(r["att_pp"])], [y], "o", color=HORIZON_COLOURS.get(h, "#333333"), markersize=7)
    ax.axvline(0, color="#333333", linewidth=1.2)
    ax.set_yticks(range(len(rows)), [lab for lab, _, _ in reversed(rows)])
    ax.set_xlabel("Forskel i frafald (procentpoint)\n← lavere på pilotafdelinger   højere →")
    danish_axis(ax, "x")
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return add_watermark(fig, watermark)


def _month(label: str) -> pd.Timestamp:
    return pd.Timestamp(f"{label[:7]}-01")


def timeline_figure(timeline: pd.DataFrame, milestones: pd.DataFrame, target_pp: float | None,
                    watermark: str | None = None) -> Figure:
    """Minimum detectable effect (procentpoint) by date, one line per horizon, milestone dates marked.

    A marker on a line is a month in which one more pilot intake's outcome at
    that horizon becomes known (:func:`~sosu_analysis.did.timeline.outcome_milestones`).
    The dotted line is the effect the project hopes for (``target_pp``).
    """
    _style()
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 4.6))
    top = 0.0
    for h in sorted(timeline["horizon"].unique()):
        d = timeline[(timeline["horizon"] == h) & timeline["mde_pp"].notna()].sort_values("date")
        if d.empty:
            continue
        x = mdates.date2num([_month(s) for s in d["date"]])
        ax.plot(x, d["mde_pp"], drawstyle="steps-post", color=HORIZON_COLOURS.get(int(h), "#333333"),
                label=f"{int(h)} måneder")
        known = set(milestones.loc[milestones["horizon"] == h, "known_from"].astype(str))
        marks = d[d["date"].astype(str).isin(known)]
        ax.plot(mdates.date2num([_month(s) for s in marks["date"]]), marks["mde_pp"], "o", markersize=4,
                color=HORIZON_COLOURS.get(int(h), "#333333"))
        top = max(top, float(d["mde_pp"].max()))
    if target_pp is not None:
        ax.axhline(target_pp, color="#333333", linestyle=":", linewidth=1.4)
        ax.text(0.02, target_pp, f"Ønsket virkning: {_num(target_pp, 0)} procentpoint", va="top",
                transform=ax.get_yaxis_transform(), fontsize=MIN_FONT_PT, color="#333333",
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})
    ax.set_ylim(0, max(top, (target_pp or 0) * 2, 1.0) * 1.1)
    ax.set_ylabel("Mindste virkning, der kan\npåvises (procentpoint)")
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    danish_axis(ax, "y")
    ax.legend(title="Status målt efter", loc="upper right", frameon=True)
    fig.tight_layout()
    return add_watermark(fig, watermark)


def min_text_px(fig_width_in: float = WIDTH_IN, shown_px: float = 366.0) -> float:
    """Return the smallest text height (px) of a report figure shown ``shown_px`` wide (see module docstring)."""
    return MIN_FONT_PT * shown_px / (72.0 * fig_width_in)
