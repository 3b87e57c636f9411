"""Monte Carlo check of bias and coverage of each inference method for a known effect."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from ..errors import NotEstimable
from .data import Cells, OutcomeDefinition, as_cells
from .estimate import DEFAULT_INFERENCE, DEFAULT_OPTIONS, Estimator, Inference, InferenceOptions, estimate_cells


def simulation_check(
    dgp: Callable[[np.random.Generator], pd.DataFrame | Cells],
    true_effect: float,
    n_reps: int = 200,
    estimator: Estimator = "lpm",
    outcome: OutcomeDefinition = "incl_switch",
    inference: Sequence[Inference] = DEFAULT_INFERENCE,
    options: InferenceOptions = DEFAULT_OPTIONS,
    seed: int = 0,
) -> pd.DataFrame:
    """Draw ``n_reps`` data sets with a known effect and score each inference method.

    Parameters
    ----------
    dgp : callable
        ``dgp(rng) -> DataFrame | Cells``: one data set (student-level or
        cells) drawn with the given numpy Generator.
    true_effect : float
        The true ATT (proportion, e.g. -0.05 for a 5 pp reduction) of the
        estimand of ``estimator`` in the DGP.
    n_reps : int
    estimator, outcome, inference, options
        As in :func:`~sosu_analysis.did.estimate.estimate_did`.
    seed : int
        Seed of the Generator passed to ``dgp`` (the inference draws use
        ``options.seed + replication``).

    Returns
    -------
    DataFrame
        One row per method: ``bias_pp`` (mean estimate - truth), ``rmse_pp``,
        ``coverage`` (share of intervals containing the truth), ``rejection_rate``
        (share with p <= alpha for H0: effect = 0), ``mean_ci_width_pp``,
        ``mc_se_coverage`` (binomial Monte Carlo SE), ``n_reps``, ``n_failed``.
    """
    rng = np.random.default_rng(seed)
    estimates: list[float] = []
    rec: dict[str, list] = {m: [] for m in inference}
    failed = 0
    for r in range(n_reps):
        data = dgp(rng)
        opts = replace(options, seed=options.seed + r)
        try:
            res = estimate_cells(as_cells(data), outcome, estimator, inference, opts)
        except NotEstimable:  # e.g. a draw with no variation left: counted, not hidden
            failed += 1
            continue
        estimates.append(res.estimate)
        for m in inference:
            t = res.tests.get(m)
            if t is None:
                continue
            rec[m].append((t.ci_low, t.ci_high, t.p_value))
    est = np.array(estimates)
    rows = []
    for m in inference:
        a = np.array(rec[m], float).reshape(-1, 3)
        # A method that gave no interval (ci=False, or none defined) has no coverage: NaN, not 0.
        has_ci = len(a) and not np.isnan(a[:, :2]).any()
        cov = np.mean((a[:, 0] <= true_effect) & (true_effect <= a[:, 1])) if has_ci else np.nan
        rows.append(
            {
                "inference": m,
                "estimator": estimator,
                "true_effect_pp": 100 * true_effect,
                "bias_pp": 100 * (est.mean() - true_effect) if len(est) else np.nan,
                "rmse_pp": 100 * np.sqrt(np.mean((est - true_effect) ** 2)) if len(est) else np.nan,
                "coverage": cov,
                "mc_se_coverage": np.sqrt(cov * (1 - cov) / len(a)) if len(a) else np.nan,
                "rejection_rate": np.mean(a[:, 2] <= options.alpha) if len(a) else np.nan,
                "mean_ci_width_pp": 100 * np.mean(a[:, 1] - a[:, 0]) if has_ci else np.nan,
                "n_reps": len(a),
                "n_failed": failed,
            }
        )
    return pd.DataFrame(rows)


#: confidence of the binomial acceptance band of :func:`pretrend_size_check`
SIZE_TOLERANCE_LEVEL = 0.99


def pretrend_size_check(
    dgp: Callable[[np.random.Generator], pd.DataFrame | Cells],
    n_reps: int = 200,
    outcomes: Sequence[OutcomeDefinition] = ("incl_switch", "excl_switch"),
    method: str = "cr2_slope",
    window: tuple[int, int] | None = (-4, 3),
    options: InferenceOptions = DEFAULT_OPTIONS,
    seed: int = 0,
) -> pd.DataFrame:
    """Size of the event study's pre-trend test on data drawn with no true pre-trend.

    Parameters
    ----------
    dgp : callable
        ``dgp(rng) -> DataFrame | Cells``: one data set whose pre-period
        event-study coefficients are zero in truth (parallel trends by
        construction, e.g. the project's generator with ``effect = 0``).
    n_reps : int
    outcomes : sequence of {"incl_switch", "excl_switch"}
    method : str
        Key of :attr:`EventStudyResult.pretrend` (default ``cr2_slope``, the
        test the report's pre-trend verdict rests on).
    window : (int, int)
        As in :func:`~sosu_analysis.did.event_study.event_study` (the report's window).
    options : InferenceOptions
        ``alpha`` is the nominal size.
    seed : int
        Seed of the Generator passed to ``dgp``.

    Returns
    -------
    DataFrame
        One row per outcome: ``method, outcome_definition, alpha, rejection_rate``
        (share of defined tests with ``p <= alpha``), ``mc_se`` (binomial Monte
        Carlo SE), ``tol_low, tol_high`` (the central
        :data:`SIZE_TOLERANCE_LEVEL` binomial range of the rejection rate of a
        test of exact size ``alpha`` over ``n_defined`` draws),
        ``size_ok`` (rate ≤ ``tol_high``: not liberal), ``conservative`` (rate
        < ``tol_low``), ``n_defined``, ``n_reps``.

    Notes
    -----
    Under H0 the number of rejections of a test of exact size alpha is
    Binomial(n, alpha); a rate above the upper end of its central range says
    the test is liberal (false alarms for the lead), one below the lower end
    that it is conservative (it keeps its size but has less power).
    """
    from scipy import stats

    from .event_study import PRETREND_METHODS, event_study

    if method not in PRETREND_METHODS or method == "randomization":
        # a misspelt name would otherwise give a table of undefined tests instead of an error
        raise ValueError(f"method must be one of {', '.join(PRETREND_METHODS[:-1])}, got {method!r}")
    rng = np.random.default_rng(seed)
    p: dict[str, list[float]] = {o: [] for o in outcomes}
    for _ in range(n_reps):
        cells = as_cells(dgp(rng))
        for o in outcomes:
            res = event_study(cells, o, window=window, options=options, randomization=False)
            p[o].append(float(res.pretrend.get(method, {}).get("p_value", np.nan)))
    rows = []
    tail = (1 - SIZE_TOLERANCE_LEVEL) / 2
    for o in outcomes:
        a = np.array(p[o], float)
        a = a[np.isfinite(a)]
        n = len(a)
        rate = float(np.mean(a <= options.alpha)) if n else np.nan
        lo = float(stats.binom.ppf(tail, n, options.alpha) / n) if n else np.nan
        hi = float(stats.binom.isf(tail, n, options.alpha) / n) if n else np.nan
        rows.append({"method": method, "outcome_definition": o, "alpha": options.alpha, "rejection_rate": rate,
                     "mc_se": np.sqrt(rate * (1 - rate) / n) if n else np.nan, "tol_low": lo, "tol_high": hi,
                     "size_ok": bool(n and rate <= hi), "conservative": bool(n and rate < lo),
                     "n_defined": n, "n_reps": n_reps})
    return pd.DataFrame(rows)
