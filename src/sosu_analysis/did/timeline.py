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

from dataclasses import replace

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
