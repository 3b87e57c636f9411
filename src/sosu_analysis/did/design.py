r"""The design advisor: which design can see the hoped-for effect, and from when (issue 18, item 4).

Notes
-----
**One power rule** (docs/decisions.md, issue 18), for every design and date:

.. math::

    MDE = (t_{1-\alpha/2,\nu} + t_{\pi,\nu})\, SE \quad\text{(Bloom 1995)}, \qquad
    power(\delta) = P(|T| > t_{1-\alpha/2,\nu}),\; T \sim t_\nu(|\delta|/SE),

:func:`~sosu_analysis.did.power.mde_from_se` and
:func:`~sosu_analysis.did.power.power_from_se` (noncentral ``t``), with the
``SE`` and ``nu`` of each design:

``in_school``
    The planned comparison of SOSU H's pilot and non-pilot campuses
    (:func:`~sosu_analysis.did.timeline.detection_timeline`: the working-model SE of the
    fixed-effects DiD for the intakes whose status is known by the date, CR2 Satterthwaite
    ``nu``), at every horizon.
``stepped_rollout``
    The same, with the non-pilot SSA campuses starting the interventions at a chosen intake
    (:attr:`~sosu_analysis.did.power.PowerDesign.rollout_start`).
``national_sdid``
    SOSU H's pilot campuses against the other schools' campuses by synthetic DiD, 3 months only
    (the ministry publishes the 3-month status). A start year counts from the month its last
    intake's status is known plus :data:`PUBLICATION_LAG_MONTHS` (UNVERIFIED). Its SE for ``T_1``
    post years is the placebo SE of a *backdated* design: the estimator run on the pre-period only,
    the last ``T_1`` pre years taken as post years (:func:`national_se_by_post_years`), so the SE
    reflects the year-to-year variance the donors show; ``nu`` is infinite, as the estimator's own
    interval is normal.

**From the variance the data show.** The working-model SE of the in-school designs uses the
pre-period ICC, which with six campuses is often estimated at its boundary 0 (a best case). When
the realised SE of the estimate is known (chapter 04's CR2 SE; the synthetic DiD's placebo SE),
every SE of that design is multiplied by ``realised / design`` at the observed intakes
(:func:`scale_to_realised`), the rule of the report's timeline. The in-school scale also applies to
the stepped roll-out (the same campuses and noise).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from .data import Cells, as_cells
from .power import mde_from_se, power_from_se
from .timeline import detection_timeline, intake_calendar, month_index, month_label, scale_se

Design = Literal["in_school", "stepped_rollout", "national_sdid"]
DESIGNS: tuple[Design, ...] = ("in_school", "stepped_rollout", "national_sdid")
#: months from the end of a start year's 3-month status to its publication on uddannelsesstatistik.dk
#: (UNVERIFIED assumption: the yearly figures appear about a quarter after the last status is known)
PUBLICATION_LAG_MONTHS = 3
#: columns of :func:`design_advisor`
ADVISOR_COLUMNS = ("design", "horizon", "date", "n_comparison_units", "n_treated_units", "n_pre", "n_post",
                   "se_pp", "df", "mde_pp", "power_target", "target_pp", "sees_target")


def monthly_dates(first: str, until: str) -> list[str]:
    """Every month ``YYYY-MM`` from ``first`` to ``until``, both included."""
    return [month_label(m) for m in range(month_index(first), month_index(until) + 1)]


def scale_to_realised(timeline: pd.DataFrame, realised_se_pp: Mapping[int, float], n_post_observed: int
                      ) -> pd.DataFrame:
    """Multiply each horizon's ``se_pp`` by realised / design SE at the observed intakes.

    The design row of the observed intakes is the one with ``n_post == n_post_observed`` and the
    most pre intakes; :func:`sosu_analysis.did.timeline.scale_se` (the one scaling rule, shared with
    the report's timeline) with the first horizon as the one others borrow from. ``mde_pp`` is
    recomputed by the caller.
    """
    return scale_se(timeline, realised_se_pp, n_post_observed, min(realised_se_pp) if realised_se_pp else 0)


def _finish(frame: pd.DataFrame, design: str, target_pp: float, power: float, alpha: float) -> pd.DataFrame:
    out = frame.copy()
    out["design"] = design
    ok = out["se_pp"].notna() & out["df"].notna()
    out["mde_pp"] = np.nan
    out["power_target"] = np.nan
    out.loc[ok, "mde_pp"] = [mde_from_se(se, df, alpha, power) for se, df in
                             zip(out.loc[ok, "se_pp"], out.loc[ok, "df"], strict=True)]
    out.loc[ok, "power_target"] = [power_from_se(target_pp, se, df, alpha) for se, df in
                                   zip(out.loc[ok, "se_pp"], out.loc[ok, "df"], strict=True)]
    out["target_pp"] = float(target_pp)
    out["sees_target"] = (out["mde_pp"] <= target_pp).fillna(False).astype(bool)
    return out[list(ADVISOR_COLUMNS)]


def in_school_designs(data: pd.DataFrame | Cells, horizons: Sequence[int], dates: Sequence[str], baseline: float,
                      icc: float, rollout: str | None, realised_se_pp: Mapping[int, float] | None = None,
                      target_pp: float = 5.0, power: float = 0.8, alpha: float = 0.05) -> pd.DataFrame:
    """Return the planned in-school comparison and the stepped roll-out at ``rollout`` (see module Notes)."""
    cells = as_cells(data)
    cal = intake_calendar(cells, max(dates))
    n_post_obs = int((cal["observed"] & cal["pilot_period"]).sum())
    pilots = len(cells.start)
    campuses = cells.table.loc[cells.table["programme"] == "SSA", "campus"].nunique()
    frames = []
    for design, roll in (("in_school", None), ("stepped_rollout", rollout)):
        if design == "stepped_rollout" and roll is None:
            continue
        t = detection_timeline(cells, list(horizons), list(dates), baseline, icc, power, alpha, rollout=roll)
        t = t.rename(columns={"df_cr2": "df"})
        if realised_se_pp:
            t = scale_to_realised(t, realised_se_pp, n_post_obs)
        t["n_comparison_units"] = campuses - pilots
        t["n_treated_units"] = pilots
        frames.append(_finish(t, design, target_pp, power, alpha))
    return pd.concat(frames, ignore_index=True)


def national_known_from(year: int, last_intake_month: int = 12, horizon: int = 3) -> str:
    """Return the month the ministry's ``horizon``-month status of start year ``year`` is published (assumed)."""
    return month_label(month_index(f"{year:04d}-{last_intake_month:02d}") + horizon + PUBLICATION_LAG_MONTHS)


def national_se_by_post_years(panel: pd.DataFrame, max_post: int, replications: int = 200, seed: int = 0,
                              unit: str = "unit", time: str = "year", outcome: str = "rate_pct",
                              treated: str = "treated") -> pd.DataFrame:
    """Placebo SE of synthetic DiD with ``T_1 = 1..max_post`` post years, from the pre-period alone.

    The pre-period panel (years before the first treated year) is re-cut: the last ``T_1`` years are
    taken as post years for the treated units, the years before as pre years, and the estimator's
    placebo SE (Arkhangelsky et al. 2021, Algorithm 4) is computed. Needs at least two pre years
    left (else the row is missing).

    Returns
    -------
    DataFrame
        ``n_post``, ``n_pre``, ``se`` (unit of ``outcome``).
    """
    from .api import synthetic_did

    ever = panel.groupby(unit)[treated].transform("max").astype(bool)
    first = int(panel.loc[panel[treated].astype(bool), time].min())
    pre = panel[panel[time] < first]
    years = sorted(pre[time].unique())
    rows = []
    for t1 in range(1, max_post + 1):
        if len(years) - t1 < 2:
            rows.append({"n_post": t1, "n_pre": len(years) - t1, "se": np.nan})
            continue
        cut = years[-t1]
        fake = pre.assign(**{treated: (ever[pre.index] & (pre[time] >= cut)).astype(int)})
        res = synthetic_did(fake, unit=unit, time=time, outcome=outcome, treated=treated, estimator="sdid",
                            se_method="placebo", replications=replications, seed=seed + t1)
        rows.append({"n_post": t1, "n_pre": len(years) - t1, "se": float(res.se)})
    return pd.DataFrame(rows)


def national_design(se_by_post: pd.DataFrame, first_year: int, n_pre: int, n_donors: int, n_treated: int,
                    dates: Sequence[str], realised_se_pp: float | None = None, target_pp: float = 5.0,
                    power: float = 0.8, alpha: float = 0.05, last_intake_month: int = 12) -> pd.DataFrame:
    """Return the national-donor design by date (3 months): ``T_1`` = start years published by the date.

    ``se_by_post`` is :func:`national_se_by_post_years` (``se`` in percentage points); when
    ``realised_se_pp`` (the placebo SE of the actual estimate, with the post years observed now) is
    given, every SE is scaled by ``realised / backdated`` at ``T_1 = 1``.
    """
    se = dict(zip(se_by_post["n_post"].astype(int), se_by_post["se"].astype(float), strict=True))
    scale = realised_se_pp / se[1] if realised_se_pp and se.get(1, np.nan) > 0 else 1.0
    rows = []
    for date in dates:
        t1 = 0
        while month_index(national_known_from(first_year + t1, last_intake_month)) <= month_index(date):
            t1 += 1
        value = se.get(t1, np.nan) * scale if t1 else np.nan
        if t1 and not np.isfinite(value) and se:  # more post years than the backdated panel allows: the last SE
            value = se[max(k for k, v in se.items() if np.isfinite(v))] * scale
        rows.append({"horizon": 3, "date": date, "n_comparison_units": n_donors, "n_treated_units": n_treated,
                     "n_pre": n_pre, "n_post": t1, "se_pp": value, "df": np.inf if t1 else np.nan})
    return _finish(pd.DataFrame(rows), "national_sdid", target_pp, power, alpha)


def design_advisor(*tables: pd.DataFrame) -> pd.DataFrame:
    """Stack the designs' tables (:data:`ADVISOR_COLUMNS`), in the order of :data:`DESIGNS` and horizon."""
    out = pd.concat([t for t in tables if len(t)], ignore_index=True) if any(len(t) for t in tables) else \
        pd.DataFrame(columns=list(ADVISOR_COLUMNS))
    order = {d: i for i, d in enumerate(DESIGNS)}
    out = out.assign(_o=out["design"].map(order)).sort_values(["_o", "horizon", "date"], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)


def first_dates(advisor: pd.DataFrame) -> pd.DataFrame:
    """Return the first month each design × horizon can see the target (``None`` if never in the window).

    Returns
    -------
    DataFrame
        ``design``, ``horizon``, ``first_date`` (``""`` when never), ``mde_first_pp`` (the first month
        with a value), ``mde_end_pp`` (the last date), ``target_pp``.
    """
    rows = []
    for (design, h), d in advisor.groupby(["design", "horizon"], sort=False):
        ok = d[d["sees_target"]].sort_values("date")
        valued = d[d["mde_pp"].notna()].sort_values("date")
        rows.append({"design": design, "horizon": int(str(h)), "first_date": str(ok["date"].iloc[0]) if len(ok) else "",
                     "mde_first_pp": float(valued["mde_pp"].iloc[0]) if len(valued) else np.nan,
                     "mde_end_pp": float(valued["mde_pp"].iloc[-1]) if len(valued) else np.nan,
                     "target_pp": float(d["target_pp"].iloc[0])})
    return pd.DataFrame(rows, columns=["design", "horizon", "first_date", "mde_first_pp", "mde_end_pp", "target_pp"])


def soonest(first: pd.DataFrame) -> pd.Series | None:
    """Return the design × horizon that can see the target soonest (ties: the shorter horizon), or ``None``."""
    ok = first[first["first_date"] != ""]
    if ok.empty:
        return None
    return ok.sort_values(["first_date", "horizon"], kind="stable").iloc[0]
