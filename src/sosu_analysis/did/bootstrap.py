r"""Wild cluster restricted (WCR) bootstrap for one coefficient of a linear model.

Notes
-----
Null ``H0: beta_j = beta0``. Fit the restricted model
``y - beta0 x_j = Z gamma + u`` (``Z`` = all other columns of the full dummy
design) giving restricted fitted values ``y~ = Z gamma + beta0 x_j`` and
residuals ``u~``. For an auxiliary weight vector ``v`` (one weight per
cluster) the bootstrap sample is ``y*_i = y~_i + v_{g(i)} u~_i``; the
unrestricted model is refitted and the CRV1 t-statistic
``t* = (b*_j - beta0) / se_CRV1(b*_j)`` is compared with the observed
``t = (b_j - beta0) / se_CRV1(b_j)``. The symmetric p-value is
``p = #{|t*| >= |t|} / B``.

Because ``y~`` lies in the column space of ``X`` everything is linear in
``v`` (Roodman et al. 2019): with ``M = (X'X)^{-1}``,
``Psi_g = M X_g' u~_g``, ``a_g = (Psi_g)_j`` and
``q_h = X_h' X_h M e_j``,

.. math::

    b^*_j - \beta_0 = a' v, \qquad
    e_j' M X_h' e^*_h = (K v)_h, \quad K = \operatorname{diag}(a) - Q'\Psi,

so ``t*(v) = a'v / sqrt(c * ||K v||^2)`` with the CRV1 factor ``c``. Cluster
sums of ``u~`` per cell are all that is needed, so the bootstrap on cells is
*exactly* the student-level bootstrap. ``u~`` is linear in ``beta0``, so
``a`` and ``K`` are too; the confidence interval inverts ``p(beta0) = alpha``
by bisection on each side of ``b_j`` (Roodman et al. 2019, sec. 3.5).

Weights: Webb's six-point distribution ``{±sqrt(1/2), ±1, ±sqrt(3/2)}`` with
equal probabilities (Webb 2023), or Rademacher ``±1``. When the number of
sign patterns ``w^G`` is at most ``max_enumerate`` every pattern is used once
(exact bootstrap distribution, no simulation error); otherwise ``B`` patterns
are drawn with a seeded generator. With Rademacher weights ``v`` and ``-v``
give the same ``|t*|``, so at most ``2^(G-1)`` distinct values exist; with
``G = 5`` the smallest attainable p-value is 1/16 — report the weights. Any
constant pattern ``v = c 1`` gives ``|t*| = |t|`` exactly, so the smallest
attainable p-value is (number of constant patterns) / (number of patterns).

References
----------
Cameron, Gelbach & Miller (2008). Bootstrap-based improvements for inference
with clustered errors. REStat 90(3).
Roodman, Nielsen, MacKinnon & Webb (2019). Fast and wild: bootstrap
inference in Stata using boottest. Stata Journal 19(1).
Webb, M. D. (2023). Reworking wild bootstrap-based inference for clustered
errors. Canadian Journal of Economics 56(3).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..errors import check_alpha, check_count
from .covariance import crv1_factor
from .model import fit_ols
from .results import CoefTest, LinearFit

WildWeights = Literal["webb", "rademacher"]

_WEIGHT_VALUES = {
    "webb": np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)]),
    "rademacher": np.array([-1.0, 1.0]),
}


def weight_matrix(G: int, weights: WildWeights, max_enumerate: int, B: int,
                  rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """Auxiliary weights, ``(B, G)``; all patterns when ``len(values)**G <= max_enumerate``.

    Returns the matrix and whether it is a full enumeration.
    """
    vals = _WEIGHT_VALUES[weights]
    if len(vals) ** G <= max_enumerate:
        V = np.array(list(itertools.product(vals, repeat=G)), dtype=float)
        return V, True
    V = rng.choice(vals, size=(B, G))
    V[0] = 1.0  # keep the observed sample in the reference set
    return V, False


@dataclass(frozen=True)
class BootstrapT:
    """The bootstrap t-statistic as a function of the weights ``v`` and the null value ``beta0``.

    ``t*(v) = a' v / sqrt(crv1_factor * ||K v||^2)`` with ``a`` and ``K``
    affine in ``beta0`` (module Notes): ``a = coef_change + beta0 *
    coef_change_slope`` and ``K = score_map + beta0 * score_map_slope``.

    Attributes
    ----------
    coef_change : ndarray, shape (G,)
        ``a`` at ``beta0 = 0``: cluster ``g``'s share of ``b*_j - beta0`` per unit weight.
    coef_change_slope : ndarray, shape (G,)
        ``d a / d beta0``.
    score_map : ndarray, shape (G, G)
        ``K`` at ``beta0 = 0``: maps ``v`` to the bootstrap scores ``e_j' M X_h' e*_h``.
    score_map_slope : ndarray, shape (G, G)
        ``d K / d beta0``.
    crv1_factor : float
    estimate : float
        The observed ``b_j``.
    se : float
        Its CRV1 standard error.
    """

    coef_change: np.ndarray
    coef_change_slope: np.ndarray
    score_map: np.ndarray
    score_map_slope: np.ndarray
    crv1_factor: float
    estimate: float
    se: float

    def on(self, V: np.ndarray) -> PatternT:
        """Return the statistic on the fixed weight patterns ``V`` (products independent of ``beta0`` made once)."""
        scores0 = np.ascontiguousarray((V @ self.score_map.T).T)
        scores1 = np.ascontiguousarray((V @ self.score_map_slope.T).T)
        return PatternT(V @ self.coef_change, V @ self.coef_change_slope, scores0, scores1, self.crv1_factor,
                        self.estimate, self.se)

    def values(self, V: np.ndarray, beta0: float) -> np.ndarray:
        """``t*`` for each row of ``V`` (0 where the bootstrap SE is 0)."""
        return self.on(V).values(beta0)

    def p_value(self, V: np.ndarray, beta0: float) -> float:
        """Symmetric bootstrap p-value ``#{|t*| >= |t|} / B`` of ``H0: beta_j = beta0``."""
        return self.on(V).p_value(beta0)


@dataclass(frozen=True)
class PatternT:
    """:class:`BootstrapT` on fixed weight patterns ``V`` ``(B, G)``: ``t*`` of every pattern at any ``beta0``.

    ``a`` and ``K`` are affine in ``beta0``, so ``V a = num0 + beta0 num1`` and
    ``V K' = scores0 + beta0 scores1``; the matrix products are made once and
    a test inversion's many p-values cost ``O(B G)`` each. The scores are
    kept cluster by cluster (``(G, B)``) and their squares summed one cluster
    at a time: the same additions in the same order as a row sum, without a
    reduction over a short axis.

    Attributes
    ----------
    num0, num1 : ndarray, shape (B,)
        ``V @ coef_change`` and ``V @ coef_change_slope``.
    scores0, scores1 : ndarray, shape (G, B)
        ``(V @ score_map.T).T`` and ``(V @ score_map_slope.T).T``.
    crv1_factor, estimate, se : float
        As in :class:`BootstrapT`.
    """

    num0: np.ndarray
    num1: np.ndarray
    scores0: np.ndarray
    scores1: np.ndarray
    crv1_factor: float
    estimate: float
    se: float

    def values(self, beta0: float) -> np.ndarray:
        """``t*`` for each pattern (0 where the bootstrap SE is 0)."""
        num = self.num0 + beta0 * self.num1
        ss = (self.scores0[0] + beta0 * self.scores1[0]) ** 2
        for s0, s1 in zip(self.scores0[1:], self.scores1[1:], strict=True):
            ss += (s0 + beta0 * s1) ** 2
        den = np.sqrt(self.crv1_factor * ss)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(den > 0, num / den, 0.0)

    def p_value(self, beta0: float) -> float:
        """Symmetric bootstrap p-value ``#{|t*| >= |t|} / B`` of ``H0: beta_j = beta0``."""
        t = (self.estimate - beta0) / self.se
        tol = 1e-9 * max(1.0, abs(t))
        return float(np.mean(np.abs(self.values(beta0)) >= abs(t) - tol))


def bootstrap_t(fit: LinearFit, j: int) -> BootstrapT:
    """Build the pieces of the WCR bootstrap t-statistic of coefficient ``j`` (module Notes)."""
    design = fit.design
    G, k = design.G, design.k
    M = fit.bread
    c = crv1_factor(G, design.N, k)
    mj = M[:, j]
    se = float(np.sqrt(c * np.sum((fit.cluster_scores() @ mj) ** 2)))
    restricted = design.without_column(j)
    restricted_fit = fit_ols(restricted, fit.ysum)
    u0 = restricted_fit.resid_sum  # restricted residuals at beta0 = 0
    u1 = -fit_ols(restricted, design.n * design.X[:, j], restricted_fit.bread).resid_sum  # their slope in beta0
    Q = np.column_stack([design.gram(rows) @ mj for rows in design.cluster_rows()])

    def a_and_K(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        Psi = M @ design.cluster_sums(u).T  # k x G
        a = Psi[j]
        return a, np.diag(a) - Q.T @ Psi

    a0, K0 = a_and_K(u0)
    a1, K1 = a_and_K(u1)
    return BootstrapT(a0, a1, K0, K1, c, float(fit.beta[j]), se)


def invert_test(pfun: Callable[[float], float], center: float, scale: float, alpha: float, direction: int,
                max_steps: int = 40, rtol: float = 1e-7) -> float:
    """Boundary of ``{beta0 : p(beta0) >= alpha}`` on one side of ``center``, by bisection.

    The boundary is found to ``rtol * scale`` (the last value with
    ``p >= alpha`` and the first with ``p < alpha`` are averaged); ``+-inf``
    when ``p`` never drops below ``alpha``.
    """
    inside = center
    scale = scale if scale > 0 else 1.0
    step = scale
    outside = None
    for _ in range(max_steps):
        cand = center + direction * step
        if pfun(cand) < alpha:
            outside = cand
            break
        inside = cand
        step *= 2
    if outside is None:
        return direction * np.inf
    while abs(outside - inside) > rtol * scale:
        mid = 0.5 * (inside + outside)
        if pfun(mid) >= alpha:
            inside = mid
        else:
            outside = mid
    return 0.5 * (inside + outside)


def wild_cluster_bootstrap(
    fit: LinearFit,
    coef: int = 0,
    weights: WildWeights = "webb",
    max_enumerate: int = 100_000,
    B: int = 9_999,
    seed: int | np.random.Generator = 0,
    alpha: float = 0.05,
    ci: bool = True,
    beta0: float = 0.0,
) -> CoefTest:
    """WCR wild cluster bootstrap test of ``beta_coef = beta0`` and its test-inversion interval.

    Parameters
    ----------
    fit : LinearFit
        Least-squares fit of the full dummy design (:func:`~sosu_analysis.did.model.fit_ols`).
    coef : int
        Column of the tested coefficient.
    weights : {"webb", "rademacher"}
    max_enumerate : int
        Enumerate all ``w**G`` sign patterns when at most this many.
    B : int
        Number of random patterns otherwise (the first is the all-ones pattern).
    seed : int or numpy.random.Generator
    alpha : float
        1 - confidence level of the interval.
    ci : bool
        Compute the interval by test inversion.
    beta0 : float
        Null value.

    Returns
    -------
    CoefTest
        ``method = "wild_" + weights``; ``se`` is the CRV1 SE (for reference),
        ``df`` is nan; ``extra`` has ``n_draws``, ``enumerated``, ``weights``,
        ``n_zero_se`` (patterns whose bootstrap SE is 0; their ``t*`` is 0)
        and ``min_p``, the smallest attainable p-value: the constant patterns
        ``v = c 1`` (6 for Webb, 2 for Rademacher when enumerated) only rescale
        the sample and always tie with the observed ``|t|``, so
        ``min_p = #constant patterns / n_draws`` (Webb, ``G = 5``: 6/7776).
    """
    if weights not in _WEIGHT_VALUES:
        raise ValueError(f"weights must be one of {sorted(_WEIGHT_VALUES)}, not {weights!r}")
    check_alpha(alpha)
    check_count("max_enumerate", max_enumerate)
    check_count("B (wild_draws)", B)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    stat = bootstrap_t(fit, coef)
    V, enumerated = weight_matrix(fit.design.G, weights, max_enumerate, B, rng)
    on_v = stat.on(V)
    p_val = on_v.p_value(beta0)
    lo = hi = np.nan
    if ci:
        lo = invert_test(on_v.p_value, stat.estimate, stat.se, alpha, -1)
        hi = invert_test(on_v.p_value, stat.estimate, stat.se, alpha, +1)
    # a constant pattern v = c * 1 rescales the sample: |t*| = |t| for any data
    n_const = int(np.sum(np.all(V == V[:, :1], axis=1)))
    K = stat.score_map + beta0 * stat.score_map_slope
    n_zero_se = int(np.sum(np.sum((V @ K.T) ** 2, axis=1) <= 0))
    notes = (f"{n_zero_se} of {len(V)} weight patterns gave a zero bootstrap SE (t* set to 0)",) if n_zero_se else ()
    extra = {"n_draws": len(V), "enumerated": enumerated, "weights": weights, "min_p": max(n_const, 1) / len(V),
             "n_zero_se": n_zero_se}
    return CoefTest(f"wild_{weights}", stat.estimate, stat.se, np.nan, (stat.estimate - beta0) / stat.se, p_val,
                    lo, hi, extra, notes, alpha=alpha if ci else np.nan)
