"""Result types of :mod:`sosu_analysis.did`: fits, tests and estimates with their inference.

These classes hold numbers; they compute nothing beyond simple views of
them. The fits are made in :mod:`~sosu_analysis.did.model` (linear) and
:mod:`~sosu_analysis.did.logit`, the tests in
:mod:`~sosu_analysis.did.covariance`, :mod:`~sosu_analysis.did.bootstrap` and
:mod:`~sosu_analysis.did.randomization`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit

if TYPE_CHECKING:
    from .model import CellDesign

#: ``note`` of a table row whose inference method the estimator does not offer
NOT_AVAILABLE = "not available for this estimator"


@dataclass(frozen=True)
class CoefTest:
    """A test of one coefficient (or contrast) and its confidence interval.

    ``df`` is ``inf`` for normal reference distributions and ``nan`` where a
    method has no degrees of freedom (bootstrap, randomization). ``extra``
    holds method-specific counts (draws, assignments, smallest attainable
    p-value); ``notes`` says what a reader of the table must know (skipped
    assignments, refits with problems).
    """

    method: str
    estimate: float
    se: float
    df: float
    statistic: float
    p_value: float
    ci_low: float
    ci_high: float
    extra: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class LinearFit:
    """Least-squares fit of a :class:`~sosu_analysis.did.model.CellDesign` to cell outcome sums.

    Attributes
    ----------
    design : CellDesign
    ysum : ndarray, shape (m,)
        Sum of the student outcomes per cell.
    beta : ndarray, shape (k,)
    bread : ndarray, shape (k, k)
        ``(X'X)^{-1}`` at the student level, ``(sum_c n_c x_c x_c')^{-1}``.
    resid_sum : ndarray, shape (m,)
        Sum of student residuals per cell, ``ysum - n * (X @ beta)``.
    """

    design: CellDesign
    ysum: np.ndarray
    beta: np.ndarray
    bread: np.ndarray
    resid_sum: np.ndarray

    def cluster_scores(self) -> np.ndarray:
        """``(G, k)`` array of the cluster scores ``X_g' e_g``."""
        return self.design.cluster_sums(self.resid_sum)


@dataclass(frozen=True)
class LogitFit:
    """Maximum-likelihood logit on cells (see :mod:`~sosu_analysis.did.logit`).

    Attributes
    ----------
    design : CellDesign
    ysum : ndarray
        Events (dropouts) per cell.
    beta : ndarray
        Log-odds coefficients, treatment first.
    hessian : ndarray
        Information ``X' diag(n p (1-p)) X`` at ``beta``.
    converged : bool
    iterations : int
    problems : tuple of str
        Non-convergence and separation, in words; they reach the ``note``
        column of the tables.
    """

    design: CellDesign
    ysum: np.ndarray
    beta: np.ndarray
    hessian: np.ndarray
    converged: bool
    iterations: int
    problems: tuple[str, ...] = ()

    def probabilities(self) -> np.ndarray:
        """Fitted probability per cell."""
        return expit(self.design.X @ self.beta)

    def cluster_scores(self) -> np.ndarray:
        """``(G, k)`` array of the cluster scores ``sum_{c in g} x_c (s_c - n_c p_c)``."""
        return self.design.cluster_sums(self.ysum - self.design.n * self.probabilities())


@dataclass
class DidResult:
    """One estimate with its inference side by side.

    Attributes
    ----------
    estimator : {"lpm", "logit_ame", "triple_diff"}
    outcome : {"incl_switch", "excl_switch"}
    estimate : float
        ATT as a proportion (multiply by 100 for percentage points).
    tests : dict
        Inference method -> :class:`CoefTest`, in the order asked for.
    n_students, n_campuses, n_pilot_campuses, n_cells : int
    warnings : list of str
        Problems of the estimate itself (e.g. the logit did not converge);
        shown in the ``note`` of every row of this estimate.
    unavailable : dict
        Inference method asked for but not offered by the estimator -> why.
    label : str
        What the estimate is when it is not the main one (e.g. a placebo).
    """

    estimator: str
    outcome: str
    estimate: float
    tests: dict
    n_students: int
    n_campuses: int
    n_pilot_campuses: int
    n_cells: int
    warnings: list = field(default_factory=list)
    unavailable: dict = field(default_factory=dict)
    label: str = ""

    @property
    def notes(self) -> list[str]:
        """Every note in words: warnings, methods not offered and why, and the notes of each test."""
        out = list(self.warnings)
        out += [f"{m}: {why}" for m, why in self.unavailable.items()]
        out += [f"{m}: {n}" for m, t in self.tests.items() for n in t.notes]
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per inference method (effects in percentage points), with a ``note``.

        Methods not offered by the estimator follow as rows with only the
        estimate and the counts, and :data:`NOT_AVAILABLE` in ``note``.
        """
        common = {"n_students": self.n_students, "n_campuses": self.n_campuses,
                  "n_pilot_campuses": self.n_pilot_campuses}
        rows = []
        for m, t in self.tests.items():
            rows.append(
                {
                    "outcome_definition": self.outcome,
                    "estimator": self.estimator,
                    "inference": m,
                    "att_pp": 100 * self.estimate,
                    "se_pp": 100 * t.se if np.isfinite(t.se) else np.nan,
                    "df": t.df,
                    "ci_low_pp": 100 * t.ci_low,
                    "ci_high_pp": 100 * t.ci_high,
                    "p_value": t.p_value,
                    "n_draws": t.extra.get("n_draws", t.extra.get("n_assignments", np.nan)),
                    "min_p": t.extra.get("min_p", np.nan),
                    **common,
                    "note": "; ".join([*self.warnings, *t.notes]),
                }
            )
        for m in self.unavailable:
            rows.append({"outcome_definition": self.outcome, "estimator": self.estimator, "inference": m,
                         "att_pp": 100 * self.estimate, **common, "note": NOT_AVAILABLE})
        return pd.DataFrame(rows)


@dataclass
class EventStudyResult:
    """Event-study coefficients and the pre-trend tests.

    Attributes
    ----------
    outcome : str
    reference : int
        The omitted relative time.
    coefficients : DataFrame
        One row per relative time (reference row included with 0), effects
        in percentage points.
    pretrend : dict
        ``{"crv1": {...}, "cr2": {...}, "randomization": {...}}`` Wald test results.
    n_campuses, n_pilot_campuses : int
    notes : list of str
        Tests not defined and assignments skipped, in words.
    """

    outcome: str
    reference: int
    coefficients: pd.DataFrame
    pretrend: dict
    n_campuses: int
    n_pilot_campuses: int
    notes: list = field(default_factory=list)


def normal_interval(estimate: float | np.ndarray, se: float | np.ndarray, alpha: float
                    ) -> tuple[float | np.ndarray, float | np.ndarray]:
    """``estimate -/+ z_{1-alpha/2} se`` (elementwise): the interval synthdid's ``vcov`` is used with."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be strictly between 0 and 1, got {alpha!r}")
    half = stats.norm.ppf(1 - alpha / 2) * np.asarray(se, float)
    return estimate - half, estimate + half


def normal_p_value(estimate: float | np.ndarray, se: float | np.ndarray) -> float | np.ndarray:
    """Two-sided ``2 (1 - Phi(|estimate / se|))`` (elementwise), NaN where ``se`` is not positive."""
    se = np.asarray(se, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, np.abs(np.asarray(estimate, float)) / se, np.nan)
    p = 2 * stats.norm.sf(z)
    return float(p) if p.ndim == 0 else p


@dataclass(frozen=True)
class SyntheticDidResult:
    """Synthetic DiD, synthetic control or DiD estimate on a block-design panel (:mod:`~sosu_analysis.did.sdid`).

    Attributes
    ----------
    estimator : {"sdid", "sc", "did"}
    estimate : float
        ATT in the unit of the outcome.
    se : float
        Placebo standard error (Algorithm 4 of Arkhangelsky et al. 2021); NaN when ``se_method="none"``.
    se_method : {"placebo", "none"}
    alpha : float
        1 - confidence level of :attr:`ci_low` / :attr:`ci_high` (others via :meth:`conf_int`).
    unit_weights : Series
        ``omega`` by control unit (sums to one).
    time_weights : Series
        ``lambda`` by pre-period (sums to one; all zero for synthetic control).
    treated_units, control_units, pre_periods, post_periods : tuple
    pre_fit_rmse : float
        RMSE over the pre-periods between the treated units' mean and the weighted controls
        plus :attr:`intercept`.
    intercept : float
        Mean pre-period gap treated - synthetic (SDID, DiD); 0 for synthetic control.
    paths : DataFrame
        By time: ``treated`` (mean of the treated units), ``synthetic`` (``omega``-weighted
        controls), ``synthetic_shifted`` (plus :attr:`intercept`), ``post`` (bool).
    placebo_estimates : ndarray
        The ``replications`` placebo estimates (read-only), for a placebo-distribution figure.
    replications : int
        Placebo replications (0 without a standard error).
    seed : int
    noise_level : float
        SD of the first differences of the controls over the pre-periods.
    zeta_omega, zeta_lambda : float
        Ridge penalties of the unit and time weights (NaN where the weights are fixed).
    notes : tuple of str
        What a reader must know (e.g. the solver stopped at its iteration limit).
    """

    estimator: str
    estimate: float
    se: float
    se_method: str
    alpha: float
    unit_weights: pd.Series
    time_weights: pd.Series
    treated_units: tuple
    control_units: tuple
    pre_periods: tuple
    post_periods: tuple
    pre_fit_rmse: float
    intercept: float
    paths: pd.DataFrame
    placebo_estimates: np.ndarray
    replications: int
    seed: int
    noise_level: float
    zeta_omega: float
    zeta_lambda: float
    notes: tuple[str, ...] = ()

    @property
    def n_treated(self) -> int:
        """Number of treated units."""
        return len(self.treated_units)

    @property
    def n_control(self) -> int:
        """Number of control (donor) units."""
        return len(self.control_units)

    @property
    def n_pre(self) -> int:
        """Number of pre-periods."""
        return len(self.pre_periods)

    @property
    def n_post(self) -> int:
        """Number of post-periods."""
        return len(self.post_periods)

    @property
    def statistic(self) -> float:
        """``estimate / se`` (NaN without a positive standard error)."""
        return self.estimate / self.se if np.isfinite(self.se) and self.se > 0 else np.nan

    @property
    def p_value(self) -> float:
        """Two-sided normal p-value of ``estimate / se`` (:func:`normal_p_value`)."""
        return float(normal_p_value(self.estimate, self.se))

    def conf_int(self, alpha: float | None = None) -> tuple[float, float]:
        """Return the normal interval ``estimate -/+ z_{1-alpha/2} se`` (default :attr:`alpha`)."""
        lo, hi = normal_interval(self.estimate, self.se, self.alpha if alpha is None else alpha)
        return float(lo), float(hi)

    @property
    def ci_low(self) -> float:
        """Lower end of the ``1 - alpha`` interval."""
        return self.conf_int()[0]

    @property
    def ci_high(self) -> float:
        """Upper end of the ``1 - alpha`` interval."""
        return self.conf_int()[1]

    def to_frame(self) -> pd.DataFrame:
        """One row: estimator, estimate, se, interval, p-value, counts, pre-period fit, note."""
        return pd.DataFrame([{
            "estimator": self.estimator, "estimate": self.estimate, "se": self.se, "ci_low": self.ci_low,
            "ci_high": self.ci_high, "p_value": self.p_value, "se_method": self.se_method,
            "replications": self.replications, "n_treated": self.n_treated, "n_control": self.n_control,
            "n_pre": self.n_pre, "n_post": self.n_post, "pre_fit_rmse": self.pre_fit_rmse,
            "n_donors_weighted": int((self.unit_weights > 0).sum()), "note": "; ".join(self.notes)}])
