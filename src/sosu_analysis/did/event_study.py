r"""Event study: effects by intake relative to the pilot start, and a pre-trend test.

Notes
-----
For SSA cells at pilot campus ``c`` with start intake ``s_c`` the relative
time is ``r = intake_idx - s_c`` (in intakes, not months). The model is

.. math::

    y_{i} = \alpha_{campus} + \gamma_{intake}
          + \sum_{r \ne r_0} \beta_r 1\{pilot, r_{i} = r\} + e_i

with reference period ``r_0 = -1`` (the last intake before the start).
Non-pilot campuses have all indicators 0. With ``window = (lo, hi)`` relative
times outside are binned into the end points. Coefficients are tested with
CRV1 (``t(G-1)``) and CR2 (Satterthwaite df).

Pre-trend test: ``H0: beta_r = 0`` for all ``r < 0, r != r_0``.
(1) Wald ``F = b' V^{-1} b / q`` with the CRV1 covariance on ``F(q, G-1)``
(undefined when ``q > G - 1``: the CRV1 covariance has rank at most
``G - 1``); (2) the same with CR2 on ``F(q, G-1)`` (no HTZ correction); and
(3) a randomization p-value of ``W = b' V_{CRV1}^{+} b / q`` (pseudo-inverse)
over all assignments of pilot start dates to campuses, which is exact
whatever the rank.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .covariance import cr2_components, crv1_vcov, sandwich, satterthwaite_df, wald_test
from .data import MIN_CELL, Cells, OutcomeDefinition, as_cells, sample_mask
from .estimate import DEFAULT_OPTIONS, OUTCOMES, InferenceOptions, check_names
from .htz import htz_wald_test
from .model import CellDesign, cell_design, fit_ols
from .randomization import assignments, n_distinct_permutations, smallest_attainable_p
from .results import EventStudyResult, LinearFit

#: the joint pre-trend tests an event study reports (``EventStudyResult.pretrend`` keys); ``cr2_htz`` and
#: ``cr2_slope`` need a pre-period, ``randomization`` is computed only when asked for
PRETREND_METHODS = ("crv1", "cr2", "cr2_htz", "cr2_slope", "randomization")


def _rel_time(tab: pd.DataFrame, labels: tuple, start: np.ndarray, window: tuple[int, int] | None) -> np.ndarray:
    # Relative time counts the intakes of the estimation sample only: intakes
    # with no SSA cells (e.g. SSH-only February intakes) are skipped, else the
    # reference period could be an empty intake and the design singular.
    present = np.unique(tab["intake_idx"].to_numpy())
    rank = np.searchsorted(present, tab["intake_idx"].to_numpy())
    idx = {c: i for i, c in enumerate(labels)}
    s = start[tab["campus"].map(idx).to_numpy()]
    s_rank = np.where(np.isfinite(s), np.searchsorted(present, np.where(np.isfinite(s), s, 0)), np.inf)
    r = rank.astype(float) - s_rank  # inf for never-treated
    if window is not None:
        lo, hi = window
        r = np.where(np.isfinite(r), np.clip(r, lo, hi), r)
    return r


def _event_design(base: CellDesign, r: np.ndarray, reference: int) -> tuple[CellDesign, list[int]]:
    times = sorted({int(v) for v in r[np.isfinite(r)]} - {reference})
    T = np.column_stack([(r == t).astype(float) for t in times]) if times else np.zeros((len(r), 0))
    keep = [j for j in range(T.shape[1]) if T[:, j].any()]
    T = T[:, keep]
    times = [times[j] for j in keep]
    return base.with_treatment(T, [f"rel[{t}]" for t in times]), times


def pre_slope_contrast(times: list[int], reference: int, k: int) -> np.ndarray:
    """Contrast ``(1, k)`` of the least-squares slope of the pre-period coefficients over relative time.

    The pre-period points are the relative times ``r < 0`` with their
    coefficients and the reference period with its coefficient fixed at 0; the
    slope ``sum_r (r - rbar) beta_r / sum_r (r - rbar)^2`` is a single linear
    contrast, so its CR2 test has Satterthwaite degrees of freedom (a one-
    constraint HTZ test) and keeps its size with few campuses where the joint
    test of every pre-period coefficient has almost no degrees of freedom left.
    """
    pre = [(j, t) for j, t in enumerate(times) if t < 0]
    r = np.array([t for _, t in pre] + [reference], float)
    dev = r - r.mean()
    C = np.zeros((1, k))
    for (j, _), d in zip(pre, dev[:-1], strict=True):
        C[0, j] = d / np.sum(dev**2)
    return C


def _pre_wald_stat(fit: LinearFit, pre_idx: list[int]) -> float:
    if not pre_idx:
        return np.nan
    V = crv1_vcov(fit)[np.ix_(pre_idx, pre_idx)]
    b = fit.beta[pre_idx]
    return float(b @ np.linalg.pinv(V, rcond=1e-10) @ b / len(pre_idx))


def event_study(
    data: pd.DataFrame | Cells,
    outcome: OutcomeDefinition = "incl_switch",
    reference: int = -1,
    window: tuple[int, int] | None = None,
    options: InferenceOptions = DEFAULT_OPTIONS,
    randomization: bool = True,
    intake_order: Sequence | None = None,
) -> EventStudyResult:
    """Event study of SSA dropout by intake relative to the pilot start.

    Parameters
    ----------
    data : DataFrame or Cells
    outcome : {"incl_switch", "excl_switch"}
    reference : int
        Omitted relative time (default -1).
    window : (int, int), optional
        Bin relative times below/above into the end points.
    options : InferenceOptions
    randomization : bool
        Add the randomization p-value of the pre-trend Wald statistic.

    Returns
    -------
    EventStudyResult
    """
    check_names("outcome definition", outcome, OUTCOMES)
    cells = as_cells(data, intake_order)
    sub = cells.subset(sample_mask(cells.table, "did"))
    tab = sub.table
    base = cell_design(tab, tab["treated"].to_numpy(float), "did", campuses=sub.campuses)
    labels = base.cluster_labels
    start = sub.start_for(labels)
    r = _rel_time(tab, labels, start, window)
    design, times = _event_design(base, r, reference)
    ysum = sub.outcome_sum(outcome)
    fit = fit_ols(design, ysum)
    G = design.G
    V1 = crv1_vcov(fit)
    U, parts = cr2_components(fit)
    V2 = sandwich(fit.bread, U)
    q1 = stats.t.ppf(1 - options.alpha / 2, G - 1)
    rows = []
    for j, t in enumerate(times):
        b = fit.beta[j]
        se1 = np.sqrt(V1[j, j])
        se2 = np.sqrt(V2[j, j])
        df2 = satterthwaite_df(fit, j, parts)
        q2 = stats.t.ppf(1 - options.alpha / 2, df2)
        mask = r == t
        n_t = int(design.n[mask].sum())
        rows.append(
            {
                "rel_time": t,
                "att_pp": 100 * b,
                "se_crv1_pp": 100 * se1,
                "ci_low_crv1_pp": 100 * (b - q1 * se1),
                "ci_high_crv1_pp": 100 * (b + q1 * se1),
                "p_crv1": float(2 * stats.t.sf(abs(b / se1), G - 1)),
                "se_cr2_pp": 100 * se2,
                "df_cr2": df2,
                "ci_low_cr2_pp": 100 * (b - q2 * se2),
                "ci_high_cr2_pp": 100 * (b + q2 * se2),
                "p_cr2": float(2 * stats.t.sf(abs(b / se2), df2)),
                "n_students_pilot": n_t if (n_t >= MIN_CELL or not sub.student_level) else np.nan,
            }
        )
    ref_mask = r == reference
    n_ref = int(design.n[ref_mask].sum())
    rows.append({"rel_time": reference, "att_pp": 0.0,
                 "n_students_pilot": n_ref if (n_ref >= MIN_CELL or not sub.student_level) else np.nan})
    coefs = pd.DataFrame(rows).sort_values("rel_time").reset_index(drop=True)
    # A relative time with 1-4 pilot students shows nothing: its estimate would describe those students.
    small = coefs["n_students_pilot"].isna() & sub.student_level
    coefs["suppressed"] = small
    coefs.loc[small, [c for c in coefs.columns if c not in ("rel_time", "n_students_pilot", "suppressed")]] = np.nan
    pre_idx = [j for j, t in enumerate(times) if t < 0]
    b_pre = fit.beta[pre_idx]
    pretrend = {  # keys: PRETREND_METHODS
        "crv1": wald_test(b_pre, V1[np.ix_(pre_idx, pre_idx)], G - 1),
        "cr2": wald_test(b_pre, V2[np.ix_(pre_idx, pre_idx)], G - 1),
    }
    if pre_idx:
        htz = htz_wald_test(fit, pre_idx)
        pretrend["cr2_htz"] = {"wald": htz.Q, "F": htz.F, "df_num": htz.df_num, "df_denom": htz.df_denom,
                               "p_value": htz.p_value, "eta": htz.eta}
        slope = htz_wald_test(fit, pre_slope_contrast(times, reference, fit.design.k))
        pretrend["cr2_slope"] = {"wald": slope.Q, "F": slope.F, "df_num": slope.df_num,
                                 "df_denom": slope.df_denom, "p_value": slope.p_value, "eta": slope.eta}
    notes = []
    if pre_idx and len(pre_idx) > G - 1:
        notes.append(f"{len(pre_idx)} pre-period coefficients but only G - 1 = {G - 1}: the CRV1 Wald test is not "
                     "defined; use the randomization test")
    if randomization and pre_idx:
        rng = np.random.default_rng(options.seed)
        Amat, exact = assignments(start, options.ri_max_assignments, rng)
        w_obs = _pre_wald_stat(fit, pre_idx)
        stats_ri: list[float] = []
        for s in Amat:
            rr = _rel_time(tab, labels, s, window)
            dd, tt = _event_design(base, rr, reference)
            if dd.n_treat == 0:
                stats_ri.append(np.nan)  # no pilot intake left in the window
                continue
            try:
                ff = fit_ols(dd, ysum)
            except np.linalg.LinAlgError:  # singular design under this assignment
                stats_ri.append(np.nan)
                continue
            stats_ri.append(_pre_wald_stat(ff, [j for j, t in enumerate(tt) if t < 0]))
        all_vals = np.array(stats_ri)
        vals = all_vals[np.isfinite(all_vals)]
        if len(vals) < len(all_vals):
            notes.append(f"pre-trend randomization: {len(all_vals) - len(vals)} of {len(all_vals)} assignments "
                         "dropped (no pre-period coefficient or a singular design)")
        p = float(np.mean(vals >= w_obs - 1e-9 * max(1.0, w_obs)))
        # the mirror assignment (half the campuses pilots, one start) ties with the observed Wald for any
        # data, as in randomization_test: the smallest attainable p counts it (smallest_attainable_p)
        n_tie = round(smallest_attainable_p(start) * n_distinct_permutations(start)) if exact else 1
        pretrend["randomization"] = {"wald": w_obs, "p_value": p, "n_assignments": len(vals),
                                     "min_p": min(n_tie, len(vals)) / len(vals), "exact": exact}
    return EventStudyResult(outcome, reference, coefs, pretrend, G, int(np.isfinite(start).sum()), notes)


def last_pre_step(table: pd.DataFrame, definition: str, reference: int = -1) -> tuple[float, float] | None:
    """How the pilot-minus-comparison gap moved over the last step before the start, from an event study table.

    The event study's coefficients are gaps relative to the reference intake
    (``rel_time == reference``, 0 by construction), so the change from the
    intake before it to the reference is ``-att_pp`` of ``reference - 1``, and
    its test is that coefficient's CR2 test. A negative change means the gap
    narrowed just before the start: a difference-in-differences estimate then
    partly continues a movement that began before the interventions.

    Parameters
    ----------
    table : DataFrame
        ``event_study.csv`` (columns ``outcome_definition, rel_time, att_pp, p_cr2``).
    definition : str
        The outcome definition.
    reference : int
        The omitted relative time (default -1).

    Returns
    -------
    (change_pp, p_value) or None
        ``None`` when the table has no estimate for ``reference - 1``.
    """
    rows = table[(table["outcome_definition"] == definition) & (table["rel_time"] == reference - 1)]
    if len(rows) != 1 or not np.isfinite(float(rows["att_pp"].iloc[0])):
        return None
    return -float(rows["att_pp"].iloc[0]), float(rows["p_cr2"].iloc[0])
