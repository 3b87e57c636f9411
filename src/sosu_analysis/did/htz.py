r"""Joint tests of several coefficients that hold their size with few clusters: the HTZ Wald test.

Notes
-----
The pre-trend test asks whether ``q`` event-study coefficients are jointly
zero, ``H0: C beta = 0`` with ``C`` of shape ``(q, k)``. The naive Wald test
``F = Q / q`` with ``Q = (C b)' (C V C')^{-1} (C b)`` on ``F(q, G - 1)`` uses
the CR2 (or CRV1) covariance ``V`` as if it were known; with 4-8 clusters
its size is far too large (a false alarm in most data sets with parallel
trends). Pustejovsky & Tipton (2018, sec. 3.2) approximate the distribution
of ``C V^{CR2} C'`` by a Wishart distribution with ``eta`` degrees of freedom,
so that ``Q`` follows Hotelling's ``T^2`` and

.. math::

    F = \frac{\eta - q + 1}{\eta\, q}\, Q \sim F(q,\ \eta - q + 1).

``eta`` matches the *total variance* of ``C V C'`` under the working model
``y ~ N(X beta, I)`` ("HTZ", the default of clubSandwich's ``Wald_test``).
Write ``C V^{CR2} C' = \sum_g (P_g' e)(P_g' e)'`` with ``P_g`` the ``N x q``
matrix whose column ``s`` is ``p_{sg} = (I - H)_{.g} A_g X_g M c_s``. Under the
working model the ``q x q`` blocks ``P^{st}_{gh} = p_{sg}' p_{th}`` give
``E[C V C'] = Omega``, ``Omega_{st} = \sum_g P^{st}_{gg}``, and (Isserlis'
theorem for Gaussian fourth moments)

.. math::

    \operatorname{Var}(W_{st}) = \sum_{g,h} \big(P^{ss}_{gh} P^{tt}_{gh}
        + P^{st}_{gh} P^{ts}_{gh}\big)

for the standardised ``W = Omega^{-1/2} C V C' Omega^{-1/2}`` (the ``P`` blocks
standardised the same way). A Wishart ``W_q(eta, I/eta)`` has total variance
``q (q + 1) / eta``, hence

.. math::

    \eta = \frac{q (q + 1)}{\sum_{s,t} \operatorname{Var}(W_{st})}.

With ``q = 1`` this is the Satterthwaite degrees of freedom of the single
coefficient test (``covariance.satterthwaite_df``), which the tests check.

Everything is computed on the frequency-weighted cells: ``p_{sg}' p_{th} =
\delta_{gh} v_{sg}' v_{tg} - (X_g' v_{sg})' M (X_h' v_{th})`` with
``v_{sg} = A_g X_g M c_s``, constant within cells (``covariance`` module Notes).

References
----------
Pustejovsky, J. E. & Tipton, E. (2018). Small-sample methods for
cluster-robust variance estimation and hypothesis testing in fixed effects
models. Journal of Business & Economic Statistics 36(4), 672-683.
Tipton, E. & Pustejovsky, J. E. (2015). Small-sample adjustments for tests of
moderators and model fit using robust variance estimation in meta-regression.
Journal of Educational and Behavioral Statistics 40(6), 604-634.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from .covariance import cr2_components
from .results import LinearFit


@dataclass(frozen=True)
class HTZResult:
    """The HTZ Wald test of ``C beta = 0``.

    Attributes
    ----------
    q : int
        Number of constraints.
    Q : float
        The Wald statistic ``(C b)' (C V C')^{-1} (C b)`` with the CR2 covariance.
    eta : float
        Degrees of freedom of the Wishart approximation.
    F : float
        ``(eta - q + 1) / (eta q) * Q``.
    df_num, df_denom : float
        ``q`` and ``eta - q + 1``.
    p_value : float
        ``P(F(q, eta - q + 1) > F)``; ``nan`` when ``eta <= q - 1`` (not enough
        information for the test).
    """

    q: int
    Q: float
    eta: float
    F: float
    df_num: float
    df_denom: float
    p_value: float


def _standard_constraints(fit: LinearFit, constraints: np.ndarray | list[int]) -> np.ndarray:
    arr = np.asarray(constraints)
    if arr.ndim == 1:
        C = np.zeros((len(arr), fit.design.k))
        C[np.arange(len(arr)), arr.astype(int)] = 1.0
        return C
    if arr.ndim != 2 or arr.shape[1] != fit.design.k:
        raise ValueError(
            f"constraints must be coefficient indices or a (q, {fit.design.k}) matrix, got shape {arr.shape}"
        )
    return arr.astype(float)


def htz_wald_test(fit: LinearFit, constraints: np.ndarray | list[int]) -> HTZResult:
    """HTZ test of ``C beta = 0`` with the CR2 covariance (see module Notes).

    Parameters
    ----------
    fit : LinearFit
        A cell-level fit (``model.fit_ols``).
    constraints : sequence of int or ndarray, shape (q, k)
        Indices of the coefficients that are jointly zero under H0, or a
        full constraint matrix ``C``.

    Returns
    -------
    HTZResult
    """
    d = fit.design
    C = _standard_constraints(fit, constraints)
    q = C.shape[0]
    U, parts = cr2_components(fit)
    V = fit.bread @ (U.T @ U) @ fit.bread
    b = C @ fit.beta
    CVC = C @ V @ C.T
    Q = float(b @ np.linalg.solve(CVC, b))

    # v_{sg} per cell (rows of cluster g), for every constraint s: columns of W.
    B = d.X @ (fit.bread @ C.T)  # (m, q): X M c_s per cell
    G = d.G
    Wcell = np.zeros_like(B)
    for rows, T in parts:
        sq = np.sqrt(d.n[rows])
        Wcell[rows] = (T @ (sq[:, None] * B[rows])) / sq[:, None]
    # Z[s] is (k, G): X_g' diag(n) v_{sg}; D[s, t] is (G,) diag terms v_{sg}' v_{tg}.
    nW = d.n[:, None] * Wcell
    Z = np.zeros((q, d.k, G))
    D = np.zeros((q, q, G))
    for g, (rows, _) in enumerate(parts):
        Z[:, :, g] = (d.X[rows].T @ nW[rows]).T
        D[:, :, g] = Wcell[rows].T @ nW[rows]
    # P[s, t] is the (G, G) matrix of p_{sg}' p_{th}.
    P = np.zeros((q, q, G, G))
    for s in range(q):
        for t in range(q):
            P[s, t] = np.diag(D[s, t]) - Z[s].T @ fit.bread @ Z[t]
    Omega = np.einsum("stgg->st", P)
    lam, vec = np.linalg.eigh(Omega)
    Om_isqrt = (vec / np.sqrt(lam)) @ vec.T
    Pt = np.einsum("as,bt,stgh->abgh", Om_isqrt, Om_isqrt, P)
    total_var = 0.0
    for s in range(q):
        for t in range(q):
            total_var += float(np.sum(Pt[s, s] * Pt[t, t] + Pt[s, t] * Pt[t, s]))
    eta = q * (q + 1) / total_var
    df_denom = eta - q + 1
    if df_denom <= 0:
        return HTZResult(q, Q, float(eta), np.nan, float(q), float(df_denom), np.nan)
    F = df_denom / (eta * q) * Q
    return HTZResult(q, Q, float(eta), float(F), float(q), float(df_denom), float(stats.f.sf(F, q, df_denom)))
