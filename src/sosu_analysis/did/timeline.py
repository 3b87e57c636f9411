r"""When will we know? The minimum detectable effect as pilot intakes arrive and outcomes mature.

Notes
-----
The campus comparison can only detect an effect once enough pilot intakes have
been followed long enough. For a date ``d`` and a horizon ``h`` (months after
start) an SSA intake that starts in month ``m`` counts when ``m + h <= d``: its
``h``-month status is then known. Intakes after the last one in the data
follow the data's own calendar of SSA intake months (e.g. April, June,
August, October), with each campus' mean SSA intake size.

For each ``(d, h)`` the design has ``T_0`` pre intakes and ``T_1`` pilot-period
intakes (the pilot campuses' start and later), the campuses and pilot flags
of the data, the pre-period dropout rate ``p`` and the campus-by-intake ICC
``rho`` (:func:`~sosu_analysis.did.power.estimate_icc`). Its minimum
detectable effect is computed for the inference the report uses, CR2 with
Satterthwaite degrees of freedom:

.. math::

    MDE = (t_{1-\alpha/2,\nu} + t_{\pi,\nu})\, SE, \qquad
    SE^2 = \sum_{ct} w_{ct}^2\, p(1-p)\,[\rho + (1-\rho)/n_{ct}],

``SE`` being the working-model standard error of the fixed-effects estimate
(:func:`~sosu_analysis.did.power.analytic_se`; CR2 is unbiased for it when the
working model holds) and ``nu`` the Satterthwaite degrees of freedom of the
CR2 variance for that design (:func:`~sosu_analysis.did.covariance.satterthwaite_df`,
which depends on the design only, not on the outcomes). In a balanced design
(equal cells) the DiD is a two-sample comparison of campus change scores and
``nu`` is Welch's degrees of freedom with equal variances,
``(1/G_1 + 1/G_0)^2 / (1/(G_1^2 (G_1-1)) + 1/(G_0^2 (G_0-1)))``, which the tests
check. With 4 pilot and 2 comparison campuses ``nu`` is about 2, so the
``t`` quantiles, not the number of students, dominate the MDE.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .covariance import satterthwaite_df
from .data import Cells, as_cells
from .model import cell_design, fit_ols
from .power import PowerDesign, analytic_se, mde_from_se

#: the programme the interventions target
TARGET = "SSA"


def month_index(label: str) -> int:
    """Months since year 0 of an intake label ``YYYY-MM`` (or a date ``YYYY-MM-DD``)."""
    year, month = int(label[:4]), int(label[5:7])
    return 12 * year + month - 1


def month_label(index: int) -> str:
    """Inverse of :func:`month_index`: ``YYYY-MM``."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def intake_calendar(cells: Cells, until: str) -> pd.DataFrame:
    """SSA intakes of the data and the future ones up to ``until`` (``YYYY-MM``).

    Future intakes repeat the calendar months in which SSA intakes started in
    the data (any year), so a partly observed last year does not lose months.

    Returns
    -------
    DataFrame
        ``intake`` (``YYYY-MM``), ``observed`` (in the data), ``pilot_period``
        (at or after the earliest pilot start).
    """
    tab = cells.table[cells.table["programme"] == TARGET]
    present = sorted({str(cells.intakes[i])[:7] for i in tab["intake_idx"].unique()})
    if not present:
        raise ValueError(f"no {TARGET} intakes in the data")
    last_year = int(present[-1][:4])
    months = sorted({int(p[5:7]) for p in present})
    future = []
    end = month_index(until)
    year = last_year
    while 12 * year <= end:
        for m in months:
            label = f"{year:04d}-{m:02d}"
            if label > present[-1] and month_index(label) <= end:
                future.append(label)
        year += 1
    starts = [str(cells.intakes[i])[:7] for i in cells.start.values()]
    first_start = min(starts) if starts else None
    rows = [{"intake": p, "observed": True} for p in present] + [{"intake": f, "observed": False} for f in future]
    out = pd.DataFrame(rows)
    out["pilot_period"] = out["intake"] >= first_start if first_start else False
    return out


def cr2_satterthwaite_df(design: PowerDesign) -> float:
    """Satterthwaite df of the CR2 variance of the DiD estimate in ``design``'s expected cells."""
    tab = design.cell_table()
    d = cell_design(tab, tab["treated"].to_numpy(float), "did")
    fit = fit_ols(d, np.zeros(len(tab)))
    return satterthwaite_df(fit, 0)


def cr2_mde(design: PowerDesign, power: float = 0.8, alpha: float = 0.05) -> tuple[float, float, float]:
    """MDE (proportion), its working-model SE and the CR2 Satterthwaite df (see module Notes)."""
    se = analytic_se(design)
    df = cr2_satterthwaite_df(design)
    return mde_from_se(se, df, alpha, power), float(se), float(df)


def detection_timeline(
    data: pd.DataFrame | Cells,
    horizons: list[int],
    dates: list[str],
    baseline: float,
    icc: float,
    power: float = 0.8,
    alpha: float = 0.05,
    rollout: str | None = None,
) -> pd.DataFrame:
    """Minimum detectable effect by date and horizon (see module Notes).

    Parameters
    ----------
    data : DataFrame or Cells
        The campus comparison's cells at any horizon (campuses, sizes, starts).
    horizons : list of int
        Months after start.
    dates : list of str
        ``YYYY-MM`` dates at which to evaluate.
    baseline, icc : float
        Pre-period dropout rate and campus-by-intake ICC.
    power, alpha : float
    rollout : str, optional
        A stepped roll-out: the ``YYYY-MM`` intake from which the non-pilot
        campuses get the interventions too (:attr:`PowerDesign.rollout_start`);
        until that intake's outcome is known the design is the planned one.

    Returns
    -------
    DataFrame
        ``date``, ``horizon``, ``n_pre``, ``n_post``, ``mde_pp`` (NaN before the
        first pilot intake's outcome is known), ``se_pp``, ``df_cr2``.
    """
    cells = as_cells(data)
    calendar = intake_calendar(cells, max(dates))
    base = PowerDesign.from_cells(cells, baseline=baseline, icc=icc)
    rows = []
    for date in dates:
        for h in horizons:
            known = calendar[calendar["intake"].map(month_index) + h <= month_index(date)]
            n_pre = int((~known["pilot_period"]).sum())
            n_post = int(known["pilot_period"].sum())
            row = {"date": date, "horizon": h, "n_pre": n_pre, "n_post": n_post,
                   "mde_pp": np.nan, "se_pp": np.nan, "df_cr2": np.nan}
            start = None
            if rollout is not None and (known["intake"] >= rollout).any():
                start = n_pre + int((known["pilot_period"] & (known["intake"] < rollout)).sum())
            if n_post > 0 and n_pre > 0:
                mde, se, df = cr2_mde(replace(base, n_pre=n_pre, n_post=n_post, rollout_start=start), power, alpha)
                row.update(mde_pp=100 * mde, se_pp=100 * se, df_cr2=df)
            rows.append(row)
    return pd.DataFrame(rows)


def outcome_milestones(data: pd.DataFrame | Cells, horizons: list[int], until: str) -> pd.DataFrame:
    """Give the month in which each pilot-period intake's ``h``-month outcome is first known.

    Returns
    -------
    DataFrame
        ``intake``, ``observed`` (the intake is in the data), ``horizon``,
        ``known_from`` (``YYYY-MM``).
    """
    cells = as_cells(data)
    cal = intake_calendar(cells, until)
    pilot = cal[cal["pilot_period"]]
    rows = [{"intake": intake, "observed": bool(observed), "horizon": h,
             "known_from": month_label(month_index(intake) + h)}
            for intake, observed in zip(pilot["intake"].astype(str), pilot["observed"], strict=True)
            for h in horizons]
    return pd.DataFrame(rows)


#: how far ahead the report looks: the SSA intakes of this many calendar years after the last one in the data
#: (a planning horizon, not a fact of the data; the report names the last intake it assumes)
YEARS_AHEAD = 2


@dataclass(frozen=True)
class Timing:
    """When the hoped-for effect can be shown: one object for every statement about detectability.

    ``mde_now_pp``/``power_now`` are from the realised standard error of the
    verdict's estimate at the main horizon (:func:`realised_timeline`);
    ``best_case_now_pp`` the design value when intakes differ only by chance
    among students. ``first_month[h]`` is the first month (``YYYY-MM``) in
    which the ``h``-month status shows the target effect, ``None`` if not by
    ``until``; ``mde_end[h]`` the detectable effect at ``until``;
    ``last_intake`` the last planned intake the timeline assumes; ``planned``
    the intakes after the data and ``known[h]`` the months each pilot intake's
    ``h``-month status is known. ``se_from[h]`` says which standard error the
    horizon's detectable effects rest on (:func:`scale_se`): ``"realised"``, ``"borrowed"``
    (the main horizon's ratio: no realised SE at this horizon) or ``"design"`` (no realised SE
    at all: the best case), so that a statement about them can say so.
    """

    horizon: int
    mde_now_pp: float
    power_now: float
    best_case_now_pp: float
    now: str
    target_pp: float
    first_month: dict[int, str | None]
    until: str
    last_intake: str
    mde_end: dict[int, float]
    planned: list[str]
    known: dict[int, list[str]]
    se_from: dict[int, str]

    @property
    def not_realised(self) -> dict[int, str]:
        """The horizons whose standard error is not their own realised one, with where it comes from."""
        return {h: s for h, s in self.se_from.items() if s != "realised"}

    @property
    def reachable(self) -> dict[int, str]:
        """The horizons at which the target effect can be shown, with the first month."""
        return {h: m for h, m in self.first_month.items() if m is not None}


def planning_until(cells: Cells, horizons: list[int], years_ahead: int = YEARS_AHEAD) -> tuple[str, str]:
    """Return the last planned SSA intake (``YYYY-MM``) and the month its longest status is known.

    Future intakes follow the data's calendar months (:func:`intake_calendar`), ``years_ahead`` calendar
    years after the last intake in the data.
    """
    tab = cells.table[cells.table["programme"] == TARGET]
    present = sorted({str(cells.intakes[i])[:7] for i in tab["intake_idx"].unique()})
    if not present:
        raise ValueError(f"no {TARGET} intakes in the data")
    cal = intake_calendar(cells, f"{int(present[-1][:4]) + years_ahead:04d}-12")
    last = str(cal["intake"].max())
    return last, month_label(month_index(last) + max(horizons))


def build_timeline(data: pd.DataFrame | Cells, horizons: list[int], baseline: float, icc: float,
                   power: float = 0.8, alpha: float = 0.05,
                   years_ahead: int = YEARS_AHEAD) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the design's detectable effect by month (CR2 df) and the outcome milestones of each pilot intake.

    From the first pilot intake's month to the month the longest status of the
    last planned intake (:func:`planning_until`) is known. ``baseline`` and
    ``icc`` are those of the power chapter. With an ICC of zero this is the
    best case; :func:`realised_timeline` scales it to the standard error the
    verdict's estimate actually has.
    """
    cells = as_cells(data)
    last, until = planning_until(cells, horizons, years_ahead)
    cal = intake_calendar(cells, last)
    first = cal.loc[cal["pilot_period"], "intake"].min()
    dates = [month_label(m) for m in range(month_index(first), month_index(until) + 1)]
    timeline = detection_timeline(cells, list(horizons), dates, baseline=baseline, icc=icc, power=power, alpha=alpha)
    milestones = outcome_milestones(cells, list(horizons), last)
    return timeline, milestones


def scale_se(timeline: pd.DataFrame, realised_se_pp: Mapping[int, float], n_post_observed: int,
             main_horizon: int) -> pd.DataFrame:
    """Multiply each horizon's ``se_pp`` by realised / design SE at the observed intakes (the one scaling rule).

    The design row of the observed intakes is the one with ``n_post == n_post_observed`` and the most
    pre intakes. A horizon without a finite, positive realised SE borrows ``main_horizon``'s ratio; with
    none at all the design SE is kept. Adds ``scale`` and ``scale_from`` (``"realised"``, ``"borrowed"``
    or ``"design"``), so a table or a sentence can state which SE a detectable effect rests on.
    """
    out = timeline.copy()
    ratios: dict[int, float] = {}
    for h, realised in realised_se_pp.items():
        d = out[(out["horizon"] == h) & (out["n_post"] == n_post_observed) & out["se_pp"].notna()]
        if len(d) and np.isfinite(realised) and realised > 0:
            d = d[d["n_pre"] == d["n_pre"].max()]
            ratios[int(h)] = float(realised) / float(d["se_pp"].iloc[0])
    main = ratios.get(int(main_horizon))
    out["scale"] = [ratios.get(int(h), main if main is not None else 1.0) for h in out["horizon"]]
    out["scale_from"] = ["realised" if int(h) in ratios else "borrowed" if main is not None else "design"
                         for h in out["horizon"]]
    out["se_pp"] = out["se_pp"] * out["scale"]
    return out


def realised_timeline(timeline: pd.DataFrame, milestones: pd.DataFrame, realised_se_pp: dict[int, float],
                      target_pp: float, main_horizon: int, power: float = 0.8,
                      alpha: float = 0.05) -> pd.DataFrame:
    """Scale the design timeline to the standard error the verdict's estimate actually has, per horizon.

    For each horizon the design SE of the observed intakes is set against the
    realised (CR2) SE of the same estimate (``realised_se_pp[h]``); their
    ratio scales the design SE of every later month, and the detectable effect
    (:func:`~sosu_analysis.did.power.mde_from_se`) and the power at
    ``target_pp`` (:func:`~sosu_analysis.did.power.power_from_se`, noncentral
    t) are computed from that SE with the design's Satterthwaite df. A horizon
    without a realised SE borrows the main horizon's ratio; with none at all
    the design SE is kept (``scale`` 1, stated in the column).
    """
    from .power import power_from_se

    n_post_obs = int(milestones.loc[milestones["observed"].astype(bool), "intake"].nunique())
    out = timeline.copy()
    out["se_best_pp"], out["mde_best_pp"] = out["se_pp"], out["mde_pp"]
    out = scale_se(out, realised_se_pp, n_post_obs, main_horizon)
    ok = out["se_pp"].notna()
    out.loc[ok, "mde_pp"] = [mde_from_se(se, df, alpha, power) for se, df in
                             zip(out.loc[ok, "se_pp"], out.loc[ok, "df_cr2"], strict=True)]
    out["power_target"] = np.nan
    out.loc[ok, "power_target"] = [power_from_se(target_pp, se, df, alpha) for se, df in
                                   zip(out.loc[ok, "se_pp"], out.loc[ok, "df_cr2"], strict=True)]
    return out


def timing(timeline: pd.DataFrame, milestones: pd.DataFrame, horizons: list[int], target_pp: float) -> Timing:
    """When ``target_pp`` can first be shown, per horizon, and the detectable effect now (``horizons[0]``: main)."""
    h = int(horizons[0])
    observed = milestones[milestones["observed"].astype(bool) & (milestones["horizon"] == h)]
    now = str(observed["known_from"].max()) if len(observed) else str(timeline["date"].min())
    row = timeline[(timeline["date"] == now) & (timeline["horizon"] == h)]
    if len(row) != 1:
        raise ValueError(f"the timeline has no single row for {now} at {h} months")
    row_now = row.iloc[0]
    first: dict[int, str | None] = {}
    for hh in horizons:
        ok = timeline[(timeline["horizon"] == hh) & (timeline["mde_pp"] <= target_pp)].sort_values("date")
        first[int(hh)] = str(ok["date"].iloc[0]) if len(ok) else None
    until = str(timeline["date"].max())
    end = timeline[timeline["date"] == until]
    mde_end = {int(hh): float(end.loc[end["horizon"] == hh, "mde_pp"].iloc[0]) if (end["horizon"] == hh).any()
               else float("nan") for hh in horizons}
    planned = sorted(set(milestones.loc[~milestones["observed"].astype(bool), "intake"].astype(str)))
    known = {int(hh): sorted(set(milestones.loc[milestones["horizon"] == hh, "known_from"].astype(str)))
             for hh in horizons}
    se_from = {int(hh): (str(timeline.loc[timeline["horizon"] == hh, "scale_from"].iloc[0])
                         if "scale_from" in timeline.columns and (timeline["horizon"] == hh).any() else "design")
               for hh in horizons}
    return Timing(h, float(row_now["mde_pp"]), float(row_now.get("power_target", np.nan)),
                  float(row_now.get("mde_best_pp", np.nan)), now, float(target_pp), first, until,
                  str(milestones["intake"].max()), mde_end, planned, known, se_from)
