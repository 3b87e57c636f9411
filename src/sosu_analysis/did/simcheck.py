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
