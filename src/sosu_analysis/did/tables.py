"""Output tables of the campus comparison.

Personal-data rule: a table built from student-level data never shows a cell
of fewer than :data:`~sosu_analysis.did.data.MIN_CELL` (5) students; such
cells have their counts and rates blanked (``NaN``) and ``suppressed = True``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..definitions import CAMPUS_GROUPS, PERIODS
from ..errors import NotEstimable
from ..privacy import protect_event_counts, protect_horizon_totals, protect_rates_2x2
from .data import MIN_CELL, TARGET_PROGRAMME, Cells, OutcomeDefinition, as_cells
from .estimate import (
    DEFAULT_INFERENCE,
    DEFAULT_OPTIONS,
    ESTIMATORS,
    INFERENCES,
    OUTCOMES,
    Estimator,
    Inference,
    InferenceOptions,
    check_names,
    estimate_cells,
    placebo_cells,
)
from .event_study import event_study

DID_COLUMNS = [
    "outcome_definition",
    "horizon_months",
    "estimator",
    "inference",
    "att_pp",
    "ci_low_pp",
    "ci_high_pp",
    "p_value",
    "se_pp",
    "df",
    "n_draws",
    "min_p",
    "n_students",
    "n_campuses",
    "n_pilot_campuses",
    "note",
]


def _by_horizon(data: pd.DataFrame | Cells | Mapping[int, pd.DataFrame | Cells], horizon_months: int) -> dict:
    if isinstance(data, Mapping):
        return {int(h): as_cells(d) for h, d in data.items()}
    return {int(horizon_months): as_cells(data)}


def did_table(
    data: pd.DataFrame | Cells | Mapping[int, pd.DataFrame | Cells],
    outcomes: Sequence[OutcomeDefinition] = OUTCOMES,
    estimators: Sequence[Estimator] = ESTIMATORS,
    inference: Sequence[Inference] = DEFAULT_INFERENCE,
    horizon_months: int = 3,
    options: InferenceOptions = DEFAULT_OPTIONS,
    include_placebo: bool = False,
) -> pd.DataFrame:
    """All estimates × inference methods side by side.

    Parameters
    ----------
    data : DataFrame, Cells or mapping horizon_months -> data
        Student-level or cell data; a mapping gives one data set per
        measurement horizon (months after start).
    outcomes : sequence of {"incl_switch", "excl_switch"}
    estimators : sequence of {"lpm", "logit_ame", "triple_diff"}
    inference : sequence of {"crv1", "cr2", "wild_webb", "wild_rademacher", "randomization"}
    horizon_months : int
        Horizon of a single data set (default 3, the ministry's measure).
    options : InferenceOptions
    include_placebo : bool
        Add ``estimator = "lpm_placebo"`` rows (pre-period, fake start).

    Returns
    -------
    DataFrame
        Columns :data:`DID_COLUMNS`. Method/estimator pairs that are not
        available (wild bootstrap or CR2 of the logit) are rows of ``NaN``
        with the reason in ``note``; an estimator the data cannot identify
        (:class:`~sosu_analysis.errors.NotEstimable`, e.g. a triple
        difference without SSH or PAU cells) is one row with
        ``"not estimable: <reason>"``. Problems of a fit (logit
        non-convergence or separation) and skipped assignments or weight
        patterns are in ``note`` too. ``min_p`` is the smallest attainable
        p-value of the bootstrap/randomization method.

    Raises
    ------
    ValueError
        An unknown outcome, estimator or inference name (before anything is computed).
    """
    check_names("outcome definition", outcomes, OUTCOMES)
    check_names("estimator", estimators, ESTIMATORS)
    check_names("inference method", inference, INFERENCES)
    frames = []
    for h, cells in _by_horizon(data, horizon_months).items():
        for outcome in outcomes:
            jobs: list[tuple[str, Estimator]] = [(e, e) for e in estimators]
            if include_placebo:
                jobs.append(("lpm_placebo", "lpm"))
            for label, est in jobs:
                try:
                    sample = placebo_cells(cells) if label == "lpm_placebo" else cells
                    res = estimate_cells(sample, outcome, est, inference, options)
                except NotEstimable as err:
                    frames.append(pd.DataFrame([{"outcome_definition": outcome, "estimator": label,
                                                 "horizon_months": h, "note": f"not estimable: {err.reason}"}]))
                    continue
                f = res.to_frame()
                f["estimator"] = label
                f["horizon_months"] = h
                frames.append(f)
    out = pd.concat(frames, ignore_index=True).reindex(columns=DID_COLUMNS)
    if any(c.student_level for c in _by_horizon(data, horizon_months).values()):
        # two horizons' intakes differing by 1-4 would show students not yet past the later horizon
        out = protect_horizon_totals(out)
    return out


def event_study_table(
    data: pd.DataFrame | Cells,
    outcomes: Sequence[OutcomeDefinition] = OUTCOMES,
    reference: int = -1,
    window: tuple[int, int] | None = None,
    options: InferenceOptions = DEFAULT_OPTIONS,
    randomization: bool = True,
) -> pd.DataFrame:
    """Event-study coefficients for each outcome definition (percentage points).

    The pre-trend tests are in ``DataFrame.attrs["pretrend"]`` (a DataFrame
    with one row per outcome × method); see :func:`pretrend_table`.
    """
    check_names("outcome definition", outcomes, OUTCOMES)
    cells = as_cells(data)
    frames, pre = [], []
    for outcome in outcomes:
        res = event_study(cells, outcome, reference, window, options, randomization)
        f = res.coefficients.copy()
        f.insert(0, "outcome_definition", outcome)
        frames.append(f)
        for m, d in res.pretrend.items():
            pre.append({"outcome_definition": outcome, "method": m,
                        **{k: d.get(k) for k in ("F", "wald", "df_num", "df_denom", "p_value", "n_assignments",
                                                 "min_p")}})
    out = pd.concat(frames, ignore_index=True)
    if cells.student_level and "n_students_pilot" in out.columns:
        # secondary suppression: a blank relative time must not follow from the 2x2 table's pilot totals
        totals = rates_2x2(cells, outcomes[:1], suppress=False).set_index("period")
        pilot = totals[totals["group"] == "pilot"]["n_students"]
        out = protect_event_counts(out, int(pilot.get("pre", 0)), int(pilot.get("post", 0)))
    out.attrs["pretrend"] = pd.DataFrame(pre)
    return out


def pretrend_table(event_table: pd.DataFrame) -> pd.DataFrame:
    """Return the pre-trend Wald tests stored by :func:`event_study_table`."""
    return event_table.attrs["pretrend"]


def rates_2x2(data: pd.DataFrame | Cells, outcomes: Sequence[OutcomeDefinition] = OUTCOMES,
              suppress: bool = True) -> pd.DataFrame:
    """SSA dropout rates: pilot / non-pilot campuses × pre / post the first pilot start.

    Returns
    -------
    DataFrame
        ``outcome_definition``, ``group`` ("pilot"/"non-pilot"), ``period``
        ("pre"/"post"), ``n_students``, ``n_dropout``, ``rate_pct``,
        ``suppressed``. From student-level data (and ``suppress``) rows are
        blanked so that no count of 1-4 students is shown or derivable, across
        the two definitions and the margins
        (:func:`sosu_analysis.privacy.protect_rates_2x2`).
    """
    check_names("outcome definition", outcomes, OUTCOMES)
    cells = as_cells(data)
    tab = cells.table[cells.table["programme"] == TARGET_PROGRAMME]
    first = min(cells.start.values()) if cells.start else np.inf
    grp = np.where(tab["pilot"].to_numpy(bool), "pilot", "non-pilot")
    per = np.where(tab["intake_idx"] >= first, "post", "pre")
    rows = []
    for outcome in outcomes:
        ycol = f"y_{outcome}"
        for g in CAMPUS_GROUPS:
            for p in PERIODS:
                m = (grp == g) & (per == p)
                n = int(tab.loc[m, "n"].sum())
                y = int(tab.loc[m, ycol].sum())
                rows.append({"outcome_definition": outcome, "group": g, "period": p, "n_students": n,
                             "n_dropout": y, "n_not_dropout": n - y,
                             "rate_pct": np.nan if n == 0 else 100 * y / n})
    out = pd.DataFrame(rows)
    if cells.student_level and suppress:
        # no count of 1-4 students shown or derivable (differences of definitions, margins): privacy.protect_rates_2x2
        out = protect_rates_2x2(out, min_cell=MIN_CELL)
    else:
        out["suppressed"] = False
    return out.drop(columns="n_not_dropout")
