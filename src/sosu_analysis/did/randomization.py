r"""Exact randomization inference over the assignment of pilot status to campuses.

Notes
-----
The campuses' pilot start dates ``s = (s_1, ..., s_G)`` (``inf`` = never a
pilot) are permuted over campuses: the set of assignments is every distinct
permutation of ``s`` (with one common start and ``G_1`` pilots:
``binom(G, G_1)`` assignments). For assignment ``pi`` the treatment is
``D_pi = SSA & intake >= s_pi(campus)`` and the statistic ``T_pi`` is the
fixed-effects estimate (``statistic="coef"``) or its CRV1 t-statistic
(``statistic="t"``). The two-sided p-value is

.. math::

    p = \frac{1}{|\Pi|} \sum_{\pi \in \Pi} 1\{|T_\pi| \ge |T_{obs}|\},

exact under the sharp null of no effect for any student and random
assignment of pilot status; the observed assignment is in ``Pi`` so
``p >= 1/|Pi|``. Assignments whose treatment lies in the span of the observed
treatment and the fixed effects (with one common start and ``G_1 = G/2``: the
complement assignment, ``D_pi = post - D_obs``) give ``|T_pi| = |T_obs|`` for
any data; the smallest attainable p-value reported (``min_p``) is their number
(including the observed one) over ``|Pi|``.

Confidence interval (linear estimators only): under the sharp null of a
constant additive effect ``tau``, ``y(0) = y - tau D_obs``. The statistic for
assignment ``pi`` on ``y - tau D_obs`` is linear in ``tau`` (coefficient
``b_pi(y) - tau b_pi(D_obs)``, residual cluster scores linear in ``tau``), so
``p(tau)`` is cheap and the interval ``{tau : p(tau) >= alpha}`` is found by
bisection on each side of the estimate. For 0/1 outcomes a constant additive
effect is only an approximation; the p-value at ``tau = 0`` needs no such
assumption.

Assignments in which ``D_pi`` has no variation left after the fixed effects
(the estimate is undefined) are dropped, counted in ``extra`` and named in
the test's ``notes``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import factorial
from typing import Literal

import numpy as np

from ..errors import NotEstimable, check_alpha, check_count
from .bootstrap import invert_test
from .covariance import crv1_factor
from .model import CellDesign, fit_ols
from .results import CoefTest, LinearFit

RIStatistic = Literal["coef", "t"]


def distinct_permutations(values: np.ndarray) -> list[tuple]:
    """All distinct permutations of a multiset (lexicographic order of positions)."""
    vals = list(values)
    uniq = sorted(set(vals), key=lambda x: (np.isinf(x), x))
    counts = {u: vals.count(u) for u in uniq}
    out: list[tuple] = []
    cur: list = []

    def rec() -> None:
        if len(cur) == len(vals):
            out.append(tuple(cur))
            return
        for u in uniq:
            if counts[u] > 0:
                counts[u] -= 1
                cur.append(u)
                rec()
                cur.pop()
                counts[u] += 1

    rec()
    return out


def n_distinct_permutations(values: np.ndarray) -> int:
    """Count the distinct permutations of a multiset, ``n! / prod(count!)``."""
    vals = list(values)
    res = factorial(len(vals))
    for u in set(vals):
        res //= factorial(vals.count(u))
    return res


def assignments(start_vec: np.ndarray, max_assignments: int = 100_000,
                rng: np.random.Generator | None = None) -> tuple[np.ndarray, bool]:
    """Return the assignment matrix ``(A, G)`` of start indices.

    Exact (every distinct permutation) when there are at most
    ``max_assignments``, else a seeded random sample (first row = observed).
    """
    start_vec = np.asarray(start_vec, float)
    if n_distinct_permutations(start_vec) <= max_assignments:
        return np.array(distinct_permutations(start_vec), dtype=float), True
    rng = rng or np.random.default_rng(0)
    A = np.array([rng.permutation(start_vec) for _ in range(max_assignments)])
    A[0] = start_vec
    return A, False


def smallest_attainable_p(start_vec: np.ndarray) -> float:
    """Return the smallest p-value randomization inference can give, before any data are seen.

    The number of assignments is ``n_distinct_permutations(start_vec)``; the
    observed assignment always ties with itself, and with one common start and
    half the campuses pilots the complement assignment ties too (its treatment
    is ``post - D_obs``, in the span of the observed treatment and the campus
    and intake fixed effects: see the module Notes). :func:`randomization_test`
    finds these ties numerically (``extra["n_mirror"]``); this is the same
    count in closed form, for a check made before any fit (the run's precheck).
    """
    start_vec = np.asarray(start_vec, float)
    starts = start_vec[np.isfinite(start_vec)]
    g, g1 = len(start_vec), len(starts)
    mirror = 0 < g1 and 2 * g1 == g and len(set(starts.tolist())) == 1
    return (2 if mirror else 1) / n_distinct_permutations(start_vec)


@dataclass(frozen=True)
class AssignmentStatistic:
    """The statistic of one assignment under the sharp null ``y(0) = y - tau D_obs``, linear in ``tau``.

    Attributes
    ----------
    coef_y, coef_d : float
        Treatment coefficient of the assignment's design fitted to ``y`` and to ``D_obs``;
        on ``y - tau D_obs`` it is ``coef_y - tau * coef_d``.
    scores_y, scores_d : ndarray, shape (G,)
        Per-cluster contributions ``e_1' M X_g' e_g`` of the two fits; the CRV1
        SE is ``sqrt(crv1_factor * sum (scores_y - tau scores_d)^2)``.
    crv1_factor : float
    mirror : bool
        ``D_obs`` lies in the span of this assignment's design (``|T|`` ties
        with the observed one for any data).
    """

    coef_y: float
    coef_d: float
    scores_y: np.ndarray
    scores_d: np.ndarray
    crv1_factor: float
    mirror: bool = False

    @classmethod
    def of(cls, fit_y: LinearFit, dsum: np.ndarray) -> AssignmentStatistic:
        """From the fit of the assignment's design to ``y`` and the observed treatment sums ``dsum``."""
        d = fit_y.design
        fit_d = fit_ols(d, dsum, fit_y.bread)
        m0 = fit_y.bread[:, 0]
        mirror = bool(np.max(np.abs(fit_d.resid_sum)) <= 1e-9 * max(1.0, float(np.max(np.abs(dsum)))))
        return cls(float(fit_y.beta[0]), float(fit_d.beta[0]), fit_y.cluster_scores() @ m0,
                   fit_d.cluster_scores() @ m0, crv1_factor(d.G, d.N, d.k), mirror)

    def value(self, tau: float, statistic: RIStatistic) -> float:
        """Return the coefficient (``"coef"``) or its CRV1 t-statistic (``"t"``) on ``y - tau D_obs``."""
        b = self.coef_y - tau * self.coef_d
        if statistic == "coef":
            return b
        se = np.sqrt(self.crv1_factor * np.sum((self.scores_y - tau * self.scores_d) ** 2))
        return b / se if se > 0 else 0.0

    @property
    def se(self) -> float:
        """CRV1 standard error of ``coef_y``."""
        return float(np.sqrt(self.crv1_factor * np.sum(self.scores_y**2)))


def randomization_test(
    fit: LinearFit,
    design_for: Callable[[np.ndarray], CellDesign],
    start_vec: np.ndarray,
    statistic: RIStatistic = "t",
    alpha: float = 0.05,
    ci: bool = True,
    max_assignments: int = 100_000,
    seed: int | np.random.Generator = 0,
    check_rank: bool = True,
) -> CoefTest:
    """Randomization test of no effect (and interval) for a linear fixed-effects estimator.

    Parameters
    ----------
    fit : LinearFit
        The observed fit (treatment column first).
    design_for : callable
        Maps a start vector (per campus) to the :class:`~sosu_analysis.did.model.CellDesign`
        with the treatment column for that assignment first.
    start_vec : ndarray
        Observed start index per campus (``inf`` = not a pilot).
    statistic : {"coef", "t"}
        Estimate or its CRV1 t-statistic.
    alpha : float
        1 - confidence level of the interval.
    ci : bool
        Compute the interval by test inversion.
    max_assignments : int
        Enumerate all assignments when at most this many, else sample.
    seed : int or numpy.random.Generator
    check_rank : bool
        Check each assignment's design for singularity (``fit_ols(check_rank=True)``).
        ``False`` when ``design_for`` itself raises
        :class:`~sosu_analysis.errors.NotEstimable` for an assignment without
        identifying variation (e.g. ``FittedModel.identified_design_for``).

    Returns
    -------
    CoefTest
        ``method = "randomization"``; ``extra`` has ``n_assignments``,
        ``exact``, ``min_p``, ``n_mirror``, ``n_dropped``, ``statistic``;
        ``notes`` names dropped assignments.
    """
    if statistic not in ("coef", "t"):
        raise ValueError(f"statistic must be 'coef' or 't', not {statistic!r}")
    check_alpha(alpha)
    check_count("max_assignments", max_assignments)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    Amat, exact = assignments(start_vec, max_assignments, rng)
    dsum = fit.design.n * fit.design.X[:, 0]
    obs = AssignmentStatistic.of(fit, dsum)
    stats: list[AssignmentStatistic] = []
    dropped = 0
    for row in Amat:
        try:
            stats.append(AssignmentStatistic.of(fit_ols(design_for(row), fit.ysum, check_rank=check_rank), dsum))
        except NotEstimable:
            dropped += 1
    # D_pi in span(D_obs, FE): |T_pi| = |T_obs| whatever the data (e.g. the complement
    # assignment when half the campuses are pilots), so p can never go below mirrors / n
    mirrors = sum(s.mirror for s in stats)

    def pfun(tau: float) -> float:
        t_obs = abs(obs.value(tau, statistic))
        tol = 1e-9 * max(1.0, t_obs)
        return float(np.mean([abs(s.value(tau, statistic)) >= t_obs - tol for s in stats]))

    p0 = pfun(0.0)
    lo = hi = np.nan
    min_p = max(mirrors, 1) / len(stats)
    if ci and min_p > alpha:
        lo, hi = -np.inf, np.inf  # too few assignments: no tau is ever rejected
    elif ci:
        scale = obs.se or 1.0
        lo = invert_test(pfun, obs.coef_y, scale, alpha, -1)
        hi = invert_test(pfun, obs.coef_y, scale, alpha, +1)
    extra = {
        "n_assignments": len(stats),
        "exact": exact,
        "min_p": min_p,
        "n_mirror": mirrors,
        "n_dropped": dropped,
        "statistic": statistic,
    }
    notes = (f"{dropped} of {len(Amat)} assignments dropped: no treatment variation left after the fixed effects",
             ) if dropped else ()
    return CoefTest("randomization", obs.coef_y, np.nan, np.nan, obs.value(0.0, statistic), p0, lo, hi, extra, notes,
                    alpha=alpha if ci else np.nan)


def randomization_test_generic(
    statistic_for: Callable[[np.ndarray], float],
    start_vec: np.ndarray,
    max_assignments: int = 100_000,
    seed: int | np.random.Generator = 0,
) -> CoefTest:
    """Randomization p-value for any statistic of an assignment (e.g. a logit AME).

    ``statistic_for(start_vec)`` returns the statistic (``nan`` = undefined,
    dropped and named in ``notes``). No interval is computed.
    """
    check_count("max_assignments", max_assignments)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    Amat, exact = assignments(start_vec, max_assignments, rng)
    t_obs = statistic_for(np.asarray(start_vec, float))
    vals = np.array([statistic_for(row) for row in Amat])
    ok = np.isfinite(vals)
    vals = vals[ok]
    tol = 1e-9 * max(1.0, abs(t_obs))
    p = float(np.mean(np.abs(vals) >= abs(t_obs) - tol))
    n_dropped = int((~ok).sum())
    extra = {"n_assignments": int(ok.sum()), "exact": exact, "min_p": 1.0 / ok.sum(), "n_dropped": n_dropped,
             "statistic": "estimate"}
    notes = (f"{n_dropped} of {len(Amat)} assignments dropped: statistic undefined",) if n_dropped else ()
    return CoefTest("randomization", float(t_obs), np.nan, np.nan, float(t_obs), p, np.nan, np.nan, extra, notes)
