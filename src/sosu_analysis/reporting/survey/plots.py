"""Figures of the survey chapter: Danish labels, decimal comma on the axes, watermark on every axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ...danish import confidence_level, percent
from ...definitions import CAMPUS_GROUP_LABEL_DA, PERIOD_LABEL_DA, PERIODS
from ...survey.tables import SPU_BASELINE
from ..plotting import add_watermark, danish_axis, setup_style


def _pct(x: float) -> str:
    """Format a reference level for a label: whole when it is whole (``60 %``), else one decimal (``62,5 %``)."""
    return percent(x, 0 if float(x).is_integer() else 1)

GROUP_DA = CAMPUS_GROUP_LABEL_DA  # the one label map (definitions); kept under this name for notebook 09
PERIOD_DA = PERIOD_LABEL_DA
GROUP_COLOURS = {"pilot": "#DD8452", "non-pilot": "#4C72B0"}


def _comma(ax, axis: str = "y") -> None:
    danish_axis(ax, axis)


def _ci_bars(ax, table: pd.DataFrame, value: str, low: str, high: str, labels: list[str]) -> None:
    """Points with intervals by group × period; intervals clipped to 0-100 (the scale's range)."""
    x = 0
    ticks, names = [], []
    for group in ("non-pilot", "pilot"):
        for period in PERIODS:
            rows = table[(table["group"] == group) & (table["period"] == period)]
            for j, (_, r) in enumerate(rows.iterrows()):
                v = r[value]
                if pd.isna(v):
                    continue
                lo = max(0.0, float(r[low])) if pd.notna(r[low]) else np.nan
                hi = min(100.0, float(r[high])) if pd.notna(r[high]) else np.nan
                xx = x + (j - (len(rows) - 1) / 2) * 0.22
                ax.errorbar([xx], [float(v)], yerr=[[float(v) - lo], [hi - float(v)]] if np.isfinite(lo) else None,
                            fmt="o", color=GROUP_COLOURS[group], capsize=3,
                            alpha=1.0 if period == "post" else 0.55)
                ax.text(xx + 0.04, float(v), labels[j] if j < len(labels) else "", fontsize=7, va="center")
            ticks.append(x)
            names.append(f"{GROUP_DA[group]}\n{PERIOD_DA[period]}")
            x += 1
    ax.set_xticks(ticks, names, fontsize=8)
    ax.set_xlim(-0.6, x - 0.2)


def plot_indices(by_group: pd.DataFrame, watermark: str | None = None, alpha: float = 0.05):
    """Index scores (0-100) by campus group and period, with CR2 intervals (waves pooled).

    ``alpha`` is the one ``by_group`` was computed with; the title names its level.
    """
    setup_style()
    t = by_group[by_group["kind"] == "index"]
    indices = list(dict.fromkeys(t["measure"]))
    fig, ax = plt.subplots(figsize=(9, 4.8))
    t = t.assign(_order=t["measure"].map({m: i for i, m in enumerate(indices)})).sort_values("_order")
    _ci_bars(ax, t, "score", "score_ci_low", "score_ci_high", indices)
    ax.set_ylim(0, 100)
    ax.set_ylabel("Gennemsnit på 0-100-skalaen (ETU)")
    ax.set_title(f"Indeks efter afdelingsgruppe og periode, {confidence_level(alpha)}-konfidensinterval (CR2)",
                 fontsize=10)
    _comma(ax)
    add_watermark(fig, watermark)
    fig.tight_layout()
    return fig


def plot_spu(spu: pd.DataFrame, by_group: pd.DataFrame, item: str | None, watermark: str | None = None,
             alpha: float = 0.05):
    """Share agreeing with the SPU-comparable item by group and period, beside SPU's 52 % and 49 %.

    ``alpha`` is the one ``by_group`` was computed with; the title names its level.
    """
    setup_style()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    if item is not None:
        t = by_group[by_group["measure"] == item]
        _ci_bars(ax, t, "agree_pct", "agree_ci_low", "agree_ci_high", [""])
    for (population, base), style in zip(SPU_BASELINE.items(), ("--", ":"), strict=True):
        ax.axhline(base, color="#555555", ls=style, lw=1.2,
                   label=f"SPU 2024, {population}: {_pct(base)}")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_ylim(0, 100)
    ax.set_ylabel("Andel enig eller helt enig, %")
    ax.set_title("Følte sig tilstrækkeligt klædt på til oplæringen: andel enige, "
                 f"{confidence_level(alpha)}-KI (CR2)", fontsize=10)
    _comma(ax)
    add_watermark(fig, watermark)
    fig.tight_layout()
    return fig


def plot_response(response: pd.DataFrame, low: float = 50.0, watermark: str | None = None):
    """Response rate by campus and wave; the dashed line marks the warning threshold."""
    setup_style()
    t = response[response["response_rate"].notna()].copy()
    waves = list(dict.fromkeys(t["wave"]))
    campuses = list(dict.fromkeys(t.sort_values(["group", "campus"])["campus"]))
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.8 / max(len(waves), 1)
    for j, wave in enumerate(waves):
        sub = t[t["wave"] == wave].set_index("campus").reindex(campuses)
        xs = np.arange(len(campuses)) + (j - (len(waves) - 1) / 2) * width
        ax.bar(xs, sub["response_rate"].astype(float).fillna(0), width=width * 0.95, label=wave)
    ax.axhline(low, color="#C00000", ls="--", lw=1.2)
    ax.set_xticks(np.arange(len(campuses)), campuses, fontsize=8)
    top = float(t["response_rate"].astype(float).max()) if len(t) else 0.0
    ax.set_ylim(0, max(100.0, 1.1 * top))
    ax.set_ylabel("Svarprocent, % af optaget")
    ax.set_title(f"Svarprocent efter afdeling og runde (stiplet: {_pct(low)})", fontsize=10)
    ax.legend(title="Runde", fontsize=8)
    _comma(ax)
    add_watermark(fig, watermark)
    fig.tight_layout()
    return fig


def plot_association(points: pd.DataFrame, fit: dict, watermark: str | None = None):
    """Campus × intake mean score against 3-month dropout (points that pass the privacy rule)."""
    setup_style()
    fig, ax = plt.subplots(figsize=(8, 4.8))
    shown = points[points["shown"]] if "shown" in points else points.iloc[0:0]
    for group, sub in shown.groupby("group"):
        ax.scatter(sub["score"], sub["dropout_pct"], color=GROUP_COLOURS.get(str(group), "grey"),
                   label=GROUP_DA.get(str(group), str(group)), s=30)
    ax.set_xlabel(f"Gennemsnit, indeks '{fit.get('measure', '')}' (0-100)")
    ax.set_ylabel("Frafald 3 måneder efter start, % af optaget")
    ax.set_title(f"Afdeling × optag: svar og senere frafald, {fit.get('n_points', 0)} optag "
                 "(kun sammenhæng, ikke årsag)", fontsize=10)
    if len(shown):
        ax.legend(fontsize=8)
    _comma(ax, "x")
    _comma(ax, "y")
    add_watermark(fig, watermark)
    fig.tight_layout()
    return fig
