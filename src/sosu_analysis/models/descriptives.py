"""Descriptive tables: Table 1 reproduced, and dropout under both definitions with Wilson intervals.

Two outcome definitions are used everywhere (:data:`sosu_analysis.definitions.OUTCOMES`):
``incl_switch`` (*afbrudt totalt*) and ``excl_switch`` (*afbrudt uden omvalg*).
Both use the whole intake (``n_cohort``) as denominator, as the ministry does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..danish import confidence_level, format_tenths, number_en, round_half_up_tenths
from ..definitions import GOAL_PROGRAMMES, OUTCOMES, STATUSES, goal_applies


def wilson_interval(count, nobs, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion (statsmodels ``method='wilson'``).

    Returns the lower and upper bounds as proportions (0-1).
    """
    # Imported here: statsmodels.stats.proportion imports scipy.stats (about 0.9 s), which chapter 00
    # (this module for its reconciliation sentences) would otherwise pay for nothing.
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(np.asarray(count, dtype=float), np.asarray(nobs, dtype=float),
                                alpha=alpha, method="wilson")
    return np.asarray(lo), np.asarray(hi)


def table1_comparison(tidy: pd.DataFrame) -> pd.DataFrame:
    """Every cell of the published Table 1 beside its reproduction from the cleaned counts.

    One row per programme × year × status (36 rows for the shipped table):
    the share as published (``(blank)`` where suppressed), the count, the
    share recomputed as count / n_cohort rounded half up to one decimal, and
    whether the two agree (``derived`` where the published cell was blank and
    the count was derived from the row's other cells).
    """
    rows = []
    for _, r in tidy.iterrows():
        for key, label in STATUSES:
            cnt, pub = r[f"n_{key}"], r[f"published_pct_{key}"]
            reproduced = round_half_up_tenths(int(cnt), int(r["n_cohort"])) if pd.notna(cnt) else None
            if pd.isna(pub):
                check = "derived" if pd.notna(cnt) else "suppressed"
            else:
                check = "yes" if reproduced == round(pub * 10) else "NO"
            rows.append({
                "programme": r["programme"], "year": int(r["year"]), "status": label,
                "published": format_tenths(round(pub * 10)) if pd.notna(pub) else "(blank)",
                "count": int(cnt) if pd.notna(cnt) else pd.NA,
                "n_cohort": int(r["n_cohort"]),
                "reproduced": format_tenths(reproduced) if reproduced is not None else "",
                "match": check,
            })
    return pd.DataFrame(rows)


def outcome_rates(tidy: pd.DataFrame, alpha: float = 0.05,
                  groups: tuple[str, ...] = ("programme", "year")) -> pd.DataFrame:
    """Dropout under both definitions with Wilson intervals, long format.

    Columns: the ``groups``, ``outcome_definition``, ``n_dropout``, ``n_cohort``,
    ``pct``, ``ci_low``, ``ci_high`` (percent, 0-100, unrounded).
    """
    parts = []
    for definition, spec in OUTCOMES.items():
        d = tidy.loc[:, list(groups)].copy()
        d["outcome_definition"] = definition
        d["n_dropout"] = tidy[spec.count_column].astype(int).to_numpy()
        d["n_cohort"] = tidy["n_cohort"].astype(int).to_numpy()
        lo, hi = wilson_interval(d["n_dropout"], d["n_cohort"], alpha)
        d["pct"] = 100 * d["n_dropout"] / d["n_cohort"]
        d["ci_low"], d["ci_high"] = 100 * lo, 100 * hi
        parts.append(d)
    return pd.concat(parts, ignore_index=True)


def _pct(x: float) -> str:
    return f"{number_en(x, 1)} %"


def reconciliation_sentences(tidy: pd.DataFrame) -> list[str]:
    """Plain-text account of what the cleaning derived and reconciled, from the numbers."""
    out = []
    derived = tidy[tidy["derived_cells"].fillna("") != ""]
    for _, r in derived.iterrows():
        out.append(f"{r['programme']} {int(r['year'])}: blank cell(s) {r['derived_cells']} derived from the "
                   f"row's other counts (total = with switch + without switch).")
    for _, r in tidy.iterrows():
        shown = int(r["n_in_progress"]) + int(r["n_dropout_total"])
        n, n_max = int(r["n_cohort"]), int(r["n_cohort_max"])
        if n != shown or n_max != n:
            extra = f"; sizes up to {n_max} fit as well, the smallest is used" if n_max != n else ""
            out.append(f"{r['programme']} {int(r['year'])}: the counts shown add up to {shown}, the published "
                       f"shares imply an intake of {n}{extra}: n_other = {int(r['n_other'])}.")
    n_pub = int(tidy[[c for c in tidy.columns if c.startswith("published_pct_")]].notna().sum().sum())
    out.append(f"All {n_pub} published percentages are reproduced at one decimal from the cleaned counts.")
    return out


def descriptive_sentences(rates: pd.DataFrame, goal_pct: float, alpha: float = 0.05) -> list[str]:
    """Say what the descriptive rates show, per definition, generated from the numbers.

    ``alpha`` is the one the intervals in ``rates`` were computed with; it names their level.
    """
    out = []
    level = confidence_level(alpha, "en")
    for definition, spec in OUTCOMES.items():
        label = spec.long_en
        sub = rates[rates["outcome_definition"] == definition]
        last_year = int(sub["year"].max())
        first_year = int(sub["year"].min())
        last = sub[sub["year"] == last_year].sort_values("pct")
        lowest, highest = last.iloc[0], last.iloc[-1]
        parts = [f"Dropout {label}, {last_year}: lowest in {lowest['programme']} ({_pct(lowest['pct'])}), "
                 f"highest in {highest['programme']} ({_pct(highest['pct'])}, {level} CI "
                 f"{_pct(highest['ci_low'])} to {_pct(highest['ci_high'])})."]
        for prog, p in sub.groupby("programme", sort=True):
            p = p.sort_values("year")
            seq = ", ".join(f"{int(y)}: {_pct(v)}" for y, v in zip(p["year"], p["pct"], strict=True))
            d = p["pct"].iloc[-1] - p["pct"].iloc[0]
            direction = "up" if d > 0 else "down" if d < 0 else "unchanged"
            goal = ""
            if goal_applies(str(prog), definition):
                above = "above" if p["pct"].iloc[-1] > goal_pct else "at or below"
                goal = (f"; {last_year} is {above} the national goal for {' and '.join(GOAL_PROGRAMMES)} "
                        f"of {goal_pct:g} %")
            parts.append(f"{prog} ({seq}): {direction} {number_en(abs(d), 1)} percentage points "
                         f"{first_year}-{last_year}{goal}.")
        out.append(" ".join(parts))
    return out
