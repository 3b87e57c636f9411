"""Exact randomization inference over the assignment of pilot status to campuses.

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

    p = \\frac{1}{|\\Pi|} \\sum_{\\pi \\in \\Pi} 1\\{|T_\\pi| \\ge |T_{obs}|\\},

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
(the estimate is undefined) are dropped and counted in ``extra``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import factorial
from typing import Literal

import numpy as np

from .bootstrap import _invert
from .covariance import CoefTest, crv1_factor
from .model import Design

RIStatistic = Literal["coef", "t"]


def distinct_permutations(values: np.ndarray) -> list[tuple]:
    """All distinct permutations of a multiset (lexicographic order of positions)."""
    vals = list(values)
    uniq = sorted(set(vals), key=lambda x: (np.isinf(x), x))
    counts = {u: vals.count(u) for u in uniq}
    out: list[tuple] = []
    cur: list = []

    def rec():
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


def n_distinct_permutations(values) -> int:
    vals = list(values)
    res = factorial(len(vals))
    for u in set(vals):
        res //= factorial(vals.count(u))
    return res


def assignments(start_vec: np.ndarray, max_assignments: int = 100_000, rng: np.random.Generator | None = None) -> tuple[np.ndarray, bool]:
    """Assignment matrix ``(A, G)`` of start indices; exact when the number of distinct
    permutations is at most ``max_assignments``, else a seeded random sample
    (first row = observed).
    """
    start_vec = np.asarray(start_vec, float)
    if n_distinct_permutations(start_vec) <= max_assignments:
        return np.array(distinct_permutations(start_vec), dtype=float), True
    rng = rng or np.random.default_rng(0)
    A = np.array([rng.permutation(start_vec) for _ in range(max_assignments)])
    A[0] = start_vec
    return A, False


@dataclass(frozen=True)
class _PermPieces:
    b_y: float
    b_d: float
    A: np.ndarray  # per-cluster score contributions of y
    Bv: np.ndarray  # ... of D_obs
    c: float
    mirror: bool = False  # D_obs lies in span(D_pi, FE)


def _perm_pieces(design: Design, ysum: np.ndarray, d_obs_sum: np.ndarray) -> _PermPieces | None:
    X, n, cl, G = design.X, design.n, design.cluster, design.G
    XtX = X.T @ (X * n[:, None])
    if np.linalg.matrix_rank(XtX) < X.shape[1]:
        return None
    M = np.linalg.inv(XtX)
    by = M @ (X.T @ ysum)
    bd = M @ (X.T @ d_obs_sum)
    ry = ysum - n * (X @ by)
    rd = d_obs_sum - n * (X @ bd)
    Sy = np.zeros((G, X.shape[1]))
    Sd = np.zeros((G, X.shape[1]))
    np.add.at(Sy, cl, X * ry[:, None])
    np.add.at(Sd, cl, X * rd[:, None])
    mirror = bool(np.max(np.abs(rd)) <= 1e-9 * max(1.0, float(np.max(np.abs(d_obs_sum)))))
    return _PermPieces(float(by[0]), float(bd[0]), Sy @ M[:, 0], Sd @ M[:, 0], crv1_factor(G, design.N, X.shape[1]), mirror)


def _stat(p: _PermPieces, tau: float, statistic: RIStatistic) -> float:
    b = p.b_y - tau * p.b_d
    if statistic == "coef":
        return b
    se = np.sqrt(p.c * np.sum((p.A - tau * p.Bv) ** 2))
    return b / se if se > 0 else 0.0


def randomization_test(
    design_for: Callable[[np.ndarray], Design],
    ysum: np.ndarray,
    n: np.ndarray,
    d_obs: np.ndarray,
    start_vec: np.ndarray,
    statistic: RIStatistic = "t",
    alpha: float = 0.05,
    ci: bool = True,
    max_assignments: int = 100_000,
    seed: int | np.random.Generator = 0,
) -> CoefTest:
    """Randomization test of no effect (and interval) for a linear fixed-effects estimator.

    Parameters
    ----------
    design_for : callable
        Maps a start vector (per campus) to the :class:`Design` with the
        treatment column for that assignment first.
    ysum, n : ndarray
        Outcome sums and students per cell.
    d_obs : ndarray
        Observed treatment per cell.
    start_vec : ndarray
        Observed start index per campus (``inf`` = not a pilot).
    statistic : {"coef", "t"}
        Estimate or its CRV1 t-statistic.

    Returns
    -------
    CoefTest
        ``method = "randomization"``; ``extra`` has ``n_assignments``,
        ``exact``, ``min_p`` (= 1/n_assignments), ``n_dropped``, ``statistic``.
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    Amat, exact = assignments(start_vec, max_assignments, rng)
    dsum = n * d_obs
    obs = _perm_pieces(design_for(np.asarray(start_vec, float)), ysum, dsum)
    if obs is None:
        raise ValueError("observed treatment is collinear with the fixed effects")
    pieces = []
    dropped = 0
    mirrors = 0
    for row in Amat:
        p = _perm_pieces(design_for(row), ysum, dsum)
        if p is None:
            dropped += 1
            continue
        pieces.append(p)
        # D_pi in span(D_obs, FE): |T_pi| = |T_obs| whatever the data (e.g. the complement
        # assignment when half the campuses are pilots), so p can never go below mirrors / n
        mirrors += p.mirror

    def pfun(tau: float) -> float:
        t_obs = abs(_stat(obs, tau, statistic))
        tol = 1e-9 * max(1.0, t_obs)
        return float(np.mean([abs(_stat(p, tau, statistic)) >= t_obs - tol for p in pieces]))

    p0 = pfun(0.0)
    lo = hi = np.nan
    min_p = max(mirrors, 1) / len(pieces)
    if ci and min_p > alpha:
        lo, hi = -np.inf, np.inf  # too few assignments: no tau is ever rejected
    elif ci:
        scale = float(np.sqrt(obs.c * np.sum(obs.A**2))) or 1.0
        lo = _invert(pfun, obs.b_y, scale, alpha, -1)
        hi = _invert(pfun, obs.b_y, scale, alpha, +1)
    extra = {
        "n_assignments": len(pieces),
        "exact": exact,
        "min_p": min_p,
        "n_mirror": mirrors,
        "n_dropped": dropped,
        "statistic": statistic,
    }
    return CoefTest("randomization", obs.b_y, np.nan, np.nan, _stat(obs, 0.0, statistic), p0, lo, hi, extra)


def randomization_test_generic(
    statistic_for: Callable[[np.ndarray], float],
    start_vec: np.ndarray,
    max_assignments: int = 100_000,
    seed: int | np.random.Generator = 0,
) -> CoefTest:
    """Randomization p-value for any statistic of an assignment (e.g. a logit AME).

    ``statistic_for(start_vec)`` returns the statistic (``nan`` = undefined,
    dropped). No interval is computed.
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    Amat, exact = assignments(start_vec, max_assignments, rng)
    t_obs = statistic_for(np.asarray(start_vec, float))
    vals = np.array([statistic_for(row) for row in Amat])
    ok = np.isfinite(vals)
    vals = vals[ok]
    tol = 1e-9 * max(1.0, abs(t_obs))
    p = float(np.mean(np.abs(vals) >= abs(t_obs) - tol))
    extra = {"n_assignments": int(ok.sum()), "exact": exact, "min_p": 1.0 / ok.sum(), "n_dropped": int((~ok).sum()), "statistic": "estimate"}
    return CoefTest("randomization", float(t_obs), np.nan, np.nan, float(t_obs), p, np.nan, np.nan, extra)
