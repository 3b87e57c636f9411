r"""Cluster-robust covariance: CRV1 and CR2 (bias-reduced linearization) with Satterthwaite df.

Notes
-----
Model ``y = X beta + e`` at the student level, clusters ``g = 1..G``
(campuses), ``M = (X'X)^{-1}``, ``H = X M X'``, residuals ``e = (I - H) y``.

**CRV1** (Liang–Zeger with the Stata small-sample factor)

.. math::

    V_{CR1} = \frac{G}{G-1}\frac{N-1}{N-k}\, M \Big(\sum_g X_g' e_g e_g' X_g\Big) M,

where ``N`` is the number of students and ``k`` the number of columns of the
full dummy design (fixed effects counted). Tests and intervals use ``t`` with
``G - 1`` degrees of freedom. This equals statsmodels
``OLS(...).fit(cov_type="cluster")`` on the dummy design.

**CR2** (Bell & McCaffrey 2002; Pustejovsky & Tipton 2018), working model
``Phi = I``:

.. math::

    V_{CR2} = M \Big(\sum_g X_g' A_g e_g e_g' A_g X_g\Big) M, \qquad
    A_g = (I_{n_g} - H_{gg})^{+1/2},

``(.)^{+1/2}`` being the symmetric square root of the Moore–Penrose inverse.
It is computed on the *full dummy design* (fixed effects as columns), not on a
demeaned design: with campus fixed effects and campus clusters, ``I - H_gg``
is singular (the campus dummy lies in the cluster), and the pseudo-inverse is
what Pustejovsky & Tipton (2018, sec. 3) and clubSandwich use. No ``G/(G-1)``
factor is applied.

Cell computation (exact). In cluster ``g`` let ``U`` (``n_g x c_g``) map
students to their cells, ``D = diag(n_c)``, ``Q = U D^{-1/2}`` (orthonormal
columns) and ``X_g = U Xc``. Then
``H_gg = Q S Q'`` with ``S = D^{1/2} Xc M Xc' D^{1/2}``, so

.. math::

    A_g = (I - QQ') + Q (I - S)^{+1/2} Q' ,\qquad
    X_g' A_g e_g = Xc' D^{1/2} (I-S)^{+1/2} D^{-1/2} r_g ,

because ``U'(I - QQ') = 0``; ``r_g`` are the residual sums per cell. Only a
``c_g x c_g`` eigen-decomposition per cluster is needed.

**Satterthwaite degrees of freedom** for ``c' beta`` (Bell & McCaffrey 2002;
Pustejovsky & Tipton 2018, eq. 11) under the working model ``Phi = I``:
``p_g = (I - H)_{.g} A_g X_g M c`` and

.. math::

    \nu = \frac{\big(\sum_g p_g' p_g\big)^2}{\sum_g \sum_h (p_g' p_h)^2}
         = \frac{\operatorname{tr}(\Omega)^2}{\|\Omega\|_F^2}, \qquad
    \Omega_{gh} = \delta_{gh} v_g' v_g - (X_g'v_g)' M (X_h' v_h),

with ``v_g = A_g X_g M c``, which is constant within cells:
``v_g = U w_g``, ``w_g = D^{-1/2}(I-S)^{+1/2}D^{1/2} Xc M c``.

References
----------
Bell, R. M. & McCaffrey, D. F. (2002). Bias reduction in standard errors for
linear regression with multi-stage samples. Survey Methodology 28(2).
Imbens, G. W. & Kolesár, M. (2016). Robust standard errors in small samples:
some practical advice. REStat 98(4).
Pustejovsky, J. E. & Tipton, E. (2018). Small-sample methods for
cluster-robust variance estimation and hypothesis testing in fixed effects
models. JBES 36(4), 672-683.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from .results import CoefTest, LinearFit

#: eigenvalues of ``I - H_gg`` at or below this are treated as zero
EIG_TOL = 1e-10


def crv1_factor(G: int, N: float, k: int) -> float:
    """Small-sample factor ``G/(G-1) * (N-1)/(N-k)``."""
    return G / (G - 1) * (N - 1) / (N - k)


def sandwich(bread: np.ndarray, scores: np.ndarray, factor: float = 1.0) -> np.ndarray:
    """``factor * B (sum_g s_g s_g') B`` for the ``(G, k)`` cluster scores ``s_g`` and bread ``B``."""
    return factor * (bread @ (scores.T @ scores) @ bread)


def crv1_vcov(fit: LinearFit) -> np.ndarray:
    """CRV1 covariance matrix (see module Notes)."""
    d = fit.design
    return sandwich(fit.bread, fit.cluster_scores(), crv1_factor(d.G, d.N, d.k))


def t_test(method: str, est: float, se: float, df: float, alpha: float, extra: dict | None = None) -> CoefTest:
    """Test of ``estimate = 0`` and the interval ``est +- q se`` on ``t(df)`` (normal when ``df`` is infinite)."""
    tstat = est / se if se > 0 else np.nan
    # the unfrozen distribution with df as an argument: the same sf/ppf, without building a frozen
    # distribution per test (that was most of this function's time in the power simulations)
    dist, args = (stats.norm, ()) if not np.isfinite(df) else (stats.t, (df,))
    p = float(2 * dist.sf(abs(tstat), *args)) if np.isfinite(tstat) else np.nan
    q = float(dist.ppf(1 - alpha / 2, *args))
    return CoefTest(method, float(est), float(se), float(df), float(tstat), p, est - q * se, est + q * se, extra or {},
                    alpha=alpha)


def contrast(k: int, coef: int | np.ndarray) -> np.ndarray:
    """Return the contrast vector ``c`` of ``c' beta``: a unit vector for a column index, else ``coef``."""
    if np.isscalar(coef):
        c = np.zeros(k)
        c[int(coef)] = 1.0  # type: ignore[arg-type]
        return c
    return np.asarray(coef, float)


def crv1_test(fit: LinearFit, coef: int | np.ndarray = 0, alpha: float = 0.05) -> CoefTest:
    """t-test of ``c' beta = 0`` with CRV1 and ``t(G-1)``."""
    c = contrast(fit.design.k, coef)
    V = crv1_vcov(fit)
    return t_test("crv1", c @ fit.beta, float(np.sqrt(c @ V @ c)), fit.design.G - 1, alpha)


def _adjustment(fit: LinearFit, rows: np.ndarray) -> np.ndarray:
    """``T = (I - S)^{+1/2}`` for the cells ``rows`` of one cluster."""
    d = fit.design
    Xc = d.X[rows]
    sq = np.sqrt(d.n[rows])
    S = (sq[:, None] * Xc) @ fit.bread @ (Xc.T * sq[None, :])
    lam, vec = np.linalg.eigh(np.eye(len(rows)) - S)
    inv_sqrt = np.where(lam > EIG_TOL, 1.0 / np.sqrt(np.clip(lam, EIG_TOL, None)), 0.0)
    return (vec * inv_sqrt) @ vec.T


def cr2_components(fit: LinearFit) -> tuple[np.ndarray, list]:
    """CR2-adjusted cluster scores ``X_g' A_g e_g`` (``G x k``) and per-cluster ``(rows, T)`` pairs for reuse."""
    d = fit.design
    U = np.zeros((d.G, d.k))
    parts = []
    for g, rows in enumerate(d.cluster_rows()):
        T = _adjustment(fit, rows)
        sq = np.sqrt(d.n[rows])
        adj_r = sq * (T @ (fit.resid_sum[rows] / sq))
        U[g] = d.X[rows].T @ adj_r
        parts.append((rows, T))
    return U, parts


def cr2_vcov(fit: LinearFit) -> np.ndarray:
    """CR2 covariance matrix on the full dummy design (see module Notes)."""
    U, _ = cr2_components(fit)
    return sandwich(fit.bread, U)


def satterthwaite_df(fit: LinearFit, coef: int | np.ndarray = 0, parts: list | None = None) -> float:
    """Satterthwaite degrees of freedom of the CR2 variance of ``c' beta`` under ``Phi = I`` (see module Notes)."""
    d = fit.design
    c = contrast(d.k, coef)
    if parts is None:
        _, parts = cr2_components(fit)
    b_all = d.X @ (fit.bread @ c)
    Z = np.zeros((d.k, d.G))
    diag = np.zeros(d.G)
    for g, (rows, T) in enumerate(parts):
        sq = np.sqrt(d.n[rows])
        w = (T @ (sq * b_all[rows])) / sq
        diag[g] = np.sum(d.n[rows] * w**2)
        Z[:, g] = d.X[rows].T @ (d.n[rows] * w)
    Omega = np.diag(diag) - Z.T @ fit.bread @ Z
    return float(np.trace(Omega) ** 2 / np.sum(Omega**2))


def cr2_test(fit: LinearFit, coef: int | np.ndarray = 0, alpha: float = 0.05) -> CoefTest:
    """t-test of ``c' beta = 0`` with CR2 and Satterthwaite degrees of freedom."""
    c = contrast(fit.design.k, coef)
    U, parts = cr2_components(fit)
    V = sandwich(fit.bread, U)
    df = satterthwaite_df(fit, c, parts)
    return t_test("cr2", c @ fit.beta, float(np.sqrt(c @ V @ c)), df, alpha)


def wald_test(estimate: np.ndarray, vcov: np.ndarray, df_denom: float) -> dict:
    """Joint Wald test of ``estimate = 0``: ``F = b' V^{-1} b / q`` on ``(q, df_denom)``.

    When ``q > rank(V)`` (e.g. more pre-period coefficients than ``G - 1`` with
    CRV1) the test is not defined and ``F``/``p`` are ``nan``.
    """
    b = np.asarray(estimate, float)
    V = np.asarray(vcov, float)
    q = len(b)
    rank = np.linalg.matrix_rank(V, tol=1e-12 * max(np.abs(V).max(), 1e-300))
    if q == 0 or rank < q:
        return {"wald": np.nan, "F": np.nan, "df_num": q, "df_denom": df_denom, "p_value": np.nan, "rank": rank}
    W = float(b @ np.linalg.solve(V, b))
    F = W / q
    p = float(stats.f.sf(F, q, df_denom)) if np.isfinite(df_denom) else float(stats.chi2.sf(W, q))
    return {"wald": W, "F": F, "df_num": q, "df_denom": df_denom, "p_value": p, "rank": rank}
