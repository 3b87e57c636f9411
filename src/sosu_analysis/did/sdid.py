r"""Synthetic difference-in-differences, synthetic control and DiD on a block-design panel.

Arkhangelsky, Athey, Hirshberg, Imbens & Wager (2021), "Synthetic Difference-in-Differences",
*American Economic Review* 111(12):4088-4118, implemented as the authors' R package
``synthdid`` 0.0.9 does it (``synthdid_estimate``, ``sc_estimate``, ``did_estimate`` and the
placebo variance ``vcov(method = "placebo")``). Written here because no maintained Python
package implements it on numpy/scipy alone with the paper's defaults (the project wants no
convex-optimisation dependency for three small quadratic programmes); the R source was read to
match its defaults and stopping rules, none of it is copied.

Notes
-----
**Data.** ``Y`` is the ``N x T`` outcome matrix, rows ``1..N0`` the control units and rows
``N0+1..N`` the ``N1 = N - N0`` treated units, columns ``1..T0`` the pre-periods and
``T0+1..T`` the ``T1 = T - T0`` post-periods (a *block* design: every treated unit is treated
from period ``T0+1`` on).

**Estimate.** With unit weights :math:`\omega \in \Delta^{N_0}` (the simplex) and time weights
:math:`\lambda \in \Delta^{T_0}` (or zero, for synthetic control),

.. math::

    \hat\tau = \Big(\bar Y_{tr,post} - \sum_{t \le T_0} \lambda_t \bar Y_{tr,t}\Big)
             - \sum_{i \le N_0} \omega_i \Big(\bar Y_{i,post} - \sum_{t \le T_0} \lambda_t Y_{it}\Big),

where :math:`\bar Y_{tr,t}` is the mean of the treated units at ``t`` and a bar over ``post`` the
mean over the post-periods. DiD takes :math:`\omega_i = 1/N_0` and :math:`\lambda_t = 1/T_0`, and
then :math:`\hat\tau` is the difference of the four means (treated/control x post/pre).

**Regularisation (synthdid defaults).** ``noise_level`` :math:`\hat\sigma` is the standard deviation
(``ddof = 1``) of all first differences :math:`Y_{i,t+1} - Y_{it}` of the control units over the
pre-periods. For SDID, :math:`\zeta_\omega = (N_1 T_1)^{1/4} \hat\sigma` and
:math:`\zeta_\lambda = 10^{-6} \hat\sigma`; for synthetic control
:math:`\zeta_\omega = 10^{-6} \hat\sigma`.

**Unit weights.** On the pre-periods, with the treated mean as the target,

.. math::

    (\hat\omega_0, \hat\omega) = \arg\min_{\omega_0 \in \mathbb{R},\, \omega \in \Delta^{N_0}}
        \frac{1}{T_0} \sum_{t \le T_0} \Big(\omega_0 + \sum_i \omega_i Y_{it} - \bar Y_{tr,t}\Big)^2
        + \zeta_\omega^2 \lVert\omega\rVert_2^2 .

The intercept :math:`\omega_0` is profiled out by centering every column (unit) over the
pre-periods; synthetic control has no intercept (and no centering).

**Time weights.** On the control units, with each unit's post-period mean as the target,

.. math::

    (\hat\lambda_0, \hat\lambda) = \arg\min_{\lambda_0,\, \lambda \in \Delta^{T_0}}
        \frac{1}{N_0} \sum_{i \le N_0} \Big(\lambda_0 + \sum_t \lambda_t Y_{it} - \bar Y_{i,post}\Big)^2
        + \zeta_\lambda^2 \lVert\lambda\rVert_2^2 ,

with the intercept again profiled out by centering. Synthetic control uses :math:`\lambda = 0`.

**Solver.** Each problem, written as :math:`\min_{x \in \Delta} \lVert Ax - b\rVert^2 + \eta
\lVert x\rVert^2` with :math:`\eta = (\text{rows of } A)\, \zeta^2`, is solved by Frank-Wolfe with
exact line search, starting at uniform weights: the vertex :math:`e_i` with the smallest
coordinate of the half-gradient :math:`A'(Ax - b) + \eta x` gives the direction
:math:`d = e_i - x`, the step is :math:`\min(1, \max(0, -g'd / (\lVert A d\rVert^2 + \eta
\lVert d\rVert^2)))`. It stops when the objective
:math:`\zeta^2\lVert x\rVert^2 + \lVert Ax - b\rVert^2/\text{rows}` fell by less than
``min_decrease**2`` in the last iteration (after at least two), with
``min_decrease`` :math:`= 10^{-5}\hat\sigma`, or after ``max_iter``. As in synthdid, the first
run stops after 100 iterations; the weights are then **sparsified** (weights at or below a
quarter of the largest set to 0, the rest renormalised to sum to one) and the solver is run again
from there for up to :data:`MAX_ITER` = 10 000 iterations. This applies to every weight the
estimator optimises (unit and time weights of SDID, unit weights of SC).

**Placebo standard error (Algorithm 4 of the paper).** For ``r = 1..B``: draw a random
permutation of the ``N0`` controls, take its last ``N1`` units as placebo-treated and the first
``N0 - N1`` as controls, and re-estimate on these control rows only, with the original
:math:`\zeta`'s and ``min_decrease``, starting the solver at the original :math:`\hat\lambda` and
at the original :math:`\hat\omega` of the placebo controls renormalised to sum to one (uniform
if they sum to zero), weights re-optimised where the estimator optimises them. Then

.. math:: \widehat{SE} = \sqrt{\tfrac{B-1}{B}}\, \operatorname{sd}(\hat\tau^{(1)},\ldots,\hat\tau^{(B)}),

i.e. the standard deviation of the placebo estimates with divisor ``B``. It needs
``N0 > N1``. The interval is :math:`\hat\tau \pm z_{1-\alpha/2}\widehat{SE}` and the p-value
:math:`2\{1 - \Phi(|\hat\tau|/\widehat{SE})\}`, the normal approximation synthdid's ``vcov`` is
used with. Draws use ``numpy.random.default_rng(seed)``, so the SE is reproducible in Python
but is not the same random draw as R's (only the point estimates are exact references).

**Pre-period fit.** ``pre_fit_rmse`` is the root mean square, over the pre-periods, of
:math:`\bar Y_{tr,t} - \hat\omega_0 - \sum_i \hat\omega_i Y_{it}`, where the intercept
:math:`\hat\omega_0` is the mean pre-period gap for the estimators with an intercept (SDID, DiD)
and 0 for synthetic control: it measures how well the comparison tracks the treated units'
*path*, the thing each estimator relies on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal, get_args

import numpy as np
import pandas as pd

from ..errors import NotEstimable
from .results import SyntheticDidResult

SdidEstimator = Literal["sdid", "sc", "did"]
SdidSeMethod = Literal["placebo", "none"]

SDID_ESTIMATORS: tuple[SdidEstimator, ...] = get_args(SdidEstimator)
SDID_SE_METHODS: tuple[SdidSeMethod, ...] = get_args(SdidSeMethod)

#: iterations of the second (post-sparsification) Frank-Wolfe run (synthdid ``max.iter``)
MAX_ITER = 10_000
#: iterations of the first run before sparsification (synthdid ``max.iter.pre.sparsify``)
MAX_ITER_PRE_SPARSIFY = 100
#: ``min.decrease`` = this times the noise level (synthdid 0.0.9 default)
MIN_DECREASE_FACTOR = 1e-5
#: "infinitesimal" ridge of the time weights (SDID) and of the unit weights (SC), times the noise level
ETA_SMALL = 1e-6
#: iterations after which the solver recomputes its residual and gradient from scratch (stops rounding drift)
REFRESH_EVERY = 100
#: weights at or below max / this are set to zero before the second run (synthdid ``sparsify_function``)
SPARSIFY_DIVISOR = 4.0


@dataclass(frozen=True)
class _Options:
    """Weight settings of one estimator for a batch of ``B`` panels, fixed from each full panel.

    ``zeta_omega``, ``zeta_lambda`` and ``min_decrease`` have shape ``(B,)``; the placebo
    replications of a panel reuse that panel's values (as synthdid passes its ``opts`` on).
    """

    omega_intercept: bool
    lambda_intercept: bool
    update_omega: bool
    update_lambda: bool
    zeta_omega: np.ndarray
    zeta_lambda: np.ndarray
    min_decrease: np.ndarray

    def repeat(self, k: int) -> _Options:
        """Return the settings of each panel repeated ``k`` times (one per placebo replication)."""
        return replace(self, zeta_omega=np.repeat(self.zeta_omega, k), zeta_lambda=np.repeat(self.zeta_lambda, k),
                       min_decrease=np.repeat(self.min_decrease, k))


def _fw_weights(Y: np.ndarray, zeta: np.ndarray, intercept: bool, x0: np.ndarray | None, min_decrease: np.ndarray,
                max_iter: int) -> np.ndarray:
    """Simplex weights on the columns ``Y[b, :, :-1]`` to fit ``Y[b, :, -1]``, for a batch of problems ``b``.

    synthdid's ``sc.weight.fw``, run on ``B`` independent problems of the same shape at once (the
    panels of a simulation and their placebo replications): each problem follows exactly the
    iterations it would follow alone and stops by its own rule; a finished problem is no longer
    updated. Batching is what makes the placebo standard error cheap: the Python overhead of an
    iteration is paid once for all problems. The residual ``Ax - b`` and the gradient ``A'(Ax - b)``
    are updated along the step (with ``A'A`` computed once) instead of recomputed, and recomputed
    every :data:`REFRESH_EVERY` iterations; the iterates are synthdid's up to rounding.

    Parameters
    ----------
    Y : ndarray, shape (B, rows, k + 1)
    zeta : ndarray, shape (B,)
        Ridge penalty of each problem.
    intercept : bool
        Center every column over the rows first (profiles out an intercept).
    x0 : ndarray, shape (B, k), optional
        Start (default uniform).
    min_decrease : ndarray, shape (B,)
    max_iter : int
        Stop after an iteration that lowered the objective by at most ``min_decrease**2`` (and at
        least two iterations), or after ``max_iter``.

    Returns
    -------
    ndarray, shape (B, k)
    """
    if intercept:
        Y = Y - Y.mean(axis=1, keepdims=True)
    A_all, b_all = Y[:, :, :-1], Y[:, :, -1]
    n_b, rows, k = A_all.shape
    x_all = np.full((n_b, k), 1.0 / k) if x0 is None else np.array(x0, dtype=float).reshape(n_b, k)
    G_all = np.matmul(A_all.transpose(0, 2, 1), A_all)  # A'A
    c_all = np.matmul(b_all[:, None, :], A_all)[:, 0, :]  # A'b
    zeta2_all = np.asarray(zeta, float) ** 2
    thr_all = np.asarray(min_decrease, float) ** 2
    active = np.arange(n_b)
    A, b, G, c, x, zeta2, thr = A_all, b_all, G_all, c_all, x_all.copy(), zeta2_all, thr_all
    eta = (rows * zeta2)[:, None]
    m = np.arange(n_b)
    prev = np.full(n_b, np.inf)
    cur = np.full(n_b, np.inf)
    it = 0
    while active.size and it < max_iter:
        if it % REFRESH_EVERY == 0:  # residual r = Ax - b and gradient A'r from scratch (no drift)
            r = np.matmul(A, x[:, :, None])[:, :, 0] - b
            g = np.matmul(r[:, None, :], A)[:, 0, :]
        it += 1
        half_grad = g + eta * x
        i = np.argmin(half_grad, axis=1)  # first minimum, as R's which.min
        d_x = -x
        d_x[m, i] += 1.0  # e_i - x
        d_err = A[m, :, i] - (r + b)  # A e_i - A x
        denom = np.einsum("br,br->b", d_err, d_err) + eta[:, 0] * np.einsum("bk,bk->b", d_x, d_x)
        num = -np.einsum("bk,bk->b", half_grad, d_x)
        # denom = 0 only when the move changes nothing (d_x = 0, or a vertex identical in the data)
        step = np.clip(np.divide(num, denom, out=np.zeros_like(num), where=denom > 0), 0.0, 1.0)[:, None]
        x = x + step * d_x
        r = r + step * d_err  # = A x - b at the new x
        g = g + step * (G[m, i, :] - g - c)  # = A'r at the new x (A'A e_i - A'A x)
        prev, cur = cur, zeta2 * np.einsum("bk,bk->b", x, x) + np.einsum("br,br->b", r, r) / rows
        if it >= 2:
            go = prev - cur > thr
            if not go.all():  # freeze the finished problems, keep iterating the others
                x_all[active] = x
                active, A, b, G, c, x, r, g = (active[go], A[go], b[go], G[go], c[go], x[go], r[go], g[go])
                zeta2, thr, eta, prev, cur, m = zeta2[go], thr[go], eta[go], prev[go], cur[go], m[: go.sum()]
    x_all[active] = x
    return x_all


def _sparsify(v: np.ndarray) -> np.ndarray:
    """Row-wise: weights at or below a quarter of the row's largest set to 0, the rest renormalised."""
    v = np.where(v <= v.max(axis=1, keepdims=True) / SPARSIFY_DIVISOR, 0.0, v)
    return v / v.sum(axis=1, keepdims=True)


def _sum_normalize(v: np.ndarray) -> np.ndarray:
    """Row-wise ``v / sum(v)``, uniform for a row summing to zero (synthdid ``sum_normalize``)."""
    s = v.sum(axis=1, keepdims=True)
    return np.divide(v, s, out=np.full_like(v, 1.0 / v.shape[1]), where=s != 0)


def _solve(Y: np.ndarray, zeta: np.ndarray, intercept: bool, x0: np.ndarray | None, min_decrease: np.ndarray
           ) -> np.ndarray:
    """First run (100 iterations), sparsify, second run (10 000): synthdid's weight estimate, batched."""
    x = _fw_weights(Y, zeta, intercept, x0, min_decrease, MAX_ITER_PRE_SPARSIFY)
    return _fw_weights(Y, zeta, intercept, _sparsify(x), min_decrease, MAX_ITER)


def _collapsed(Y: np.ndarray, n0: int, t0: int) -> np.ndarray:
    """``(B, N0+1, T0+1)``: controls and treated mean (rows) by pre-periods and post mean (columns)."""
    top = np.concatenate([Y[:, :n0, :t0], Y[:, :n0, t0:].mean(axis=2, keepdims=True)], axis=2)
    bottom = np.concatenate([Y[:, n0:, :t0].mean(axis=1, keepdims=True),
                             Y[:, n0:, t0:].mean(axis=(1, 2))[:, None, None]], axis=2)
    return np.concatenate([top, bottom], axis=1)


def _fit(Y: np.ndarray, n0: int, t0: int, opts: _Options, omega0: np.ndarray | None,
         lambda0: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Estimates and weights for a batch ``Y`` of shape ``(B, N, T)`` (controls first).

    Weights are optimised from ``omega0`` / ``lambda0`` (``(B, N0)`` / ``(B, T0)``, None = uniform)
    or kept fixed at them, as ``opts`` says. Returns ``tau (B,)``, ``omega (B, N0)``, ``lambda (B, T0)``.
    """
    n_b, n, t = Y.shape
    Yc = _collapsed(Y, n0, t0)
    if opts.update_lambda:
        lam = _solve(Yc[:, :n0, :], opts.zeta_lambda, opts.lambda_intercept, lambda0, opts.min_decrease)
    else:
        assert lambda0 is not None
        lam = np.broadcast_to(lambda0, (n_b, t0))
    if opts.update_omega:
        omega = _solve(Yc[:, :, :t0].transpose(0, 2, 1), opts.zeta_omega, opts.omega_intercept, omega0,
                       opts.min_decrease)
    else:
        assert omega0 is not None
        omega = np.broadcast_to(omega0, (n_b, n0))
    w_unit = np.concatenate([-omega, np.full((n_b, n - n0), 1.0 / (n - n0))], axis=1)
    w_time = np.concatenate([-lam, np.full((n_b, t - t0), 1.0 / (t - t0))], axis=1)
    tau = np.einsum("bn,bnt,bt->b", w_unit, Y, w_time)
    return tau, omega, lam


def noise_level(Y: np.ndarray, n0: int, t0: int) -> np.ndarray:
    """SD (``ddof=1``) of the first differences of the control units over the pre-periods, per panel of ``Y (B, N, T)``.

    synthdid's default ``noise.level``.
    """
    d = np.diff(Y[:, :n0, :t0], axis=2).reshape(Y.shape[0], -1)
    return np.std(d, axis=1, ddof=1)


def _options(estimator: SdidEstimator, Y: np.ndarray, n0: int, t0: int) -> tuple[_Options, np.ndarray]:
    n1, t1 = Y.shape[1] - n0, Y.shape[2] - t0
    sigma = noise_level(Y, n0, t0)
    min_dec = MIN_DECREASE_FACTOR * sigma
    big, small = (n1 * t1) ** 0.25 * sigma, ETA_SMALL * sigma
    if estimator == "sdid":
        opts = _Options(True, True, True, True, big, small, min_dec)
    elif estimator == "sc":
        opts = _Options(False, True, True, False, small, small, min_dec)
    else:
        opts = _Options(True, True, False, False, big, small, min_dec)
    return opts, sigma


def _initial(estimator: SdidEstimator, n_b: int, n0: int, t0: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Return the starting (or, where not optimised, fixed) unit and time weights, shapes (B, N0) and (B, T0)."""
    if estimator == "sc":
        return None, np.zeros((n_b, t0))
    if estimator == "did":
        return np.full((n_b, n0), 1.0 / n0), np.full((n_b, t0), 1.0 / t0)
    return None, None


@dataclass(frozen=True)
class BatchFit:
    """Estimates of one estimator on a batch of ``B`` panels of the same shape (see :func:`fit_batch`).

    Attributes
    ----------
    estimate : ndarray, shape (B,)
    omega : ndarray, shape (B, N0)
    lam : ndarray, shape (B, T0)
    noise_level, zeta_omega, zeta_lambda : ndarray, shape (B,)
    placebo : ndarray, shape (B, replications)
        Placebo estimates (no columns without a standard error).
    se : ndarray, shape (B,)
        ``sqrt((B-1)/B) * sd`` of each row of ``placebo`` (NaN without).
    """

    estimate: np.ndarray
    omega: np.ndarray
    lam: np.ndarray
    noise_level: np.ndarray
    zeta_omega: np.ndarray
    zeta_lambda: np.ndarray
    placebo: np.ndarray
    se: np.ndarray


def fit_batch(Y: np.ndarray, n0: int, t0: int, estimator: SdidEstimator = "sdid", replications: int = 0,
              seeds: Sequence[int] = ()) -> BatchFit:
    """Estimate and placebo SE on a batch of outcome matrices ``Y (B, N, T)``, controls first, pre-periods first.

    The engine of :func:`synthetic_did` (which checks a long panel and calls it with ``B = 1``)
    and of simulation studies (many panels of one design at once). Panel ``b`` gives exactly what
    ``synthetic_did`` gives on it with ``seed = seeds[b]``.

    Parameters
    ----------
    Y : ndarray, shape (B, N, T)
    n0, t0 : int
        Control units (the first ``n0`` rows) and pre-periods (the first ``t0`` columns).
    estimator : {"sdid", "sc", "did"}
    replications : int
        Placebo replications per panel; 0 for no standard error.
    seeds : sequence of int
        Seed of each panel's placebo draws (``len == B`` when ``replications > 0``).

    Raises
    ------
    NotEstimable
        Placebo SE asked for without more controls than treated units.
    """
    Y = np.asarray(Y, dtype=float)
    n_b, n, _ = Y.shape
    n1 = n - n0
    opts, sigma = _options(estimator, Y, n0, t0)
    om0, la0 = _initial(estimator, n_b, n0, t0)
    tau, omega, lam = _fit(Y, n0, t0, opts, om0, la0)
    if replications:
        if n0 <= n1:
            raise NotEstimable(f"the placebo standard error needs more control units than treated units "
                               f"({n0} controls, {n1} treated)")
        if len(seeds) != n_b:
            raise ValueError(f"need one seed per panel ({n_b}), got {len(seeds)}")
        n0p = n0 - n1
        # Algorithm 4: a random permutation of the controls; its last N1 units are the placebo treated
        perms = np.stack([np.stack([rng.permutation(n0) for _ in range(replications)])
                          for rng in (np.random.default_rng(int(s)) for s in seeds)])  # (B, R, N0)
        Yp = np.take_along_axis(Y[:, None, :n0, :], perms[:, :, :, None], axis=2).reshape(-1, n0, Y.shape[2])
        omega0 = _sum_normalize(np.take_along_axis(omega[:, None, :], perms[:, :, :n0p], axis=2).reshape(-1, n0p))
        lambda0 = np.repeat(lam, replications, axis=0)
        placebo = _fit(Yp, n0p, t0, opts.repeat(replications), omega0, lambda0)[0].reshape(n_b, replications)
        se = np.std(placebo, axis=1, ddof=0)  # = sqrt((R-1)/R) * sd(ddof=1), as synthdid
    else:
        placebo, se = np.empty((n_b, 0)), np.full(n_b, np.nan)
    nan = np.full(n_b, np.nan)
    return BatchFit(tau, np.array(omega), np.array(lam), sigma, opts.zeta_omega if opts.update_omega else nan,
                    opts.zeta_lambda if opts.update_lambda else nan, placebo, se)


@dataclass(frozen=True)
class PanelMatrix:
    """A checked block-design panel as a matrix (see :func:`panel_matrix`).

    Attributes
    ----------
    Y : ndarray, shape (N, T)
        Outcomes, control units first (sorted by label), then treated units; columns in time order.
    n0, t0 : int
        Number of control units and of pre-periods.
    controls, treated, times : tuple
        Row and column labels.
    """

    Y: np.ndarray
    n0: int
    t0: int
    controls: tuple
    treated: tuple
    times: tuple


def _show(v: object) -> str:
    """``repr`` of a label as the user wrote it (numpy scalars as plain Python values)."""
    return repr(v.item() if isinstance(v, np.generic) else v)


def panel_matrix(panel: pd.DataFrame, unit: str, time: str, outcome: str, treated: str) -> PanelMatrix:
    """Check a long block-design panel and return its outcome matrix, or raise ``ValueError`` saying what is wrong.

    The checks and errors are those listed in :func:`synthetic_did`.
    """
    if not isinstance(panel, pd.DataFrame):
        raise ValueError(f"panel must be a pandas DataFrame, got {type(panel).__name__}")
    cols = {"unit": unit, "time": time, "outcome": outcome, "treated": treated}
    missing = [f"{role}={name!r}" for role, name in cols.items() if name not in panel.columns]
    if missing:
        raise ValueError(f"panel has no column {', '.join(missing)}; columns are {list(map(str, panel.columns))}")
    if len(set(cols.values())) < 4:
        raise ValueError(f"unit, time, outcome and treated must be four different columns, got {cols}")
    if panel.empty:
        raise ValueError("panel has no rows")
    for role in ("unit", "time"):
        if panel[cols[role]].isna().any():
            raise ValueError(f"column {cols[role]!r} ({role}) has {int(panel[cols[role]].isna().sum())} missing values")
    dup = panel.duplicated([unit, time], keep=False)
    if dup.any():
        row = panel.loc[dup].iloc[0]
        raise ValueError(f"panel has {int(dup.sum())} rows that repeat a unit x time pair (e.g. {unit}="
                         f"{_show(row[unit])}, {time}={_show(row[time])}); one row per unit x time is needed")
    y = pd.to_numeric(panel[outcome], errors="coerce")
    bad = y.isna() & panel[outcome].notna()
    if bad.any():
        raise ValueError(f"column {outcome!r} (outcome) is not numeric in {int(bad.sum())} rows "
                         f"(e.g. {_show(panel.loc[bad, outcome].iloc[0])})")
    if y.isna().any() or not np.isfinite(y.to_numpy(float)).all():
        nan = ~np.isfinite(y.to_numpy(float))
        r = panel.loc[nan].iloc[0]
        raise ValueError(f"column {outcome!r} (outcome) is missing or infinite in {int(nan.sum())} cells "
                         f"(e.g. {unit}={_show(r[unit])}, {time}={_show(r[time])}); synthetic_did needs a "
                         "balanced panel with every cell observed: drop the unit or fill the cell before calling")
    d = panel[treated]
    d_num = pd.to_numeric(d.astype(float) if d.dtype == bool else d, errors="coerce")
    if d_num.isna().any() or not d_num.isin([0, 1]).all():
        raise ValueError(f"column {treated!r} (treated) must be 0 or 1 in every row; "
                         f"found {sorted(map(str, pd.unique(d[~d_num.isin([0, 1]) | d_num.isna()])))[:5]}")
    units = pd.unique(panel[unit])
    times = np.sort(np.asarray(pd.unique(panel[time])))
    if len(panel) != len(units) * len(times):
        have = set(zip(panel[unit], panel[time], strict=True))
        gaps = [(u, t) for u in units for t in times if (u, t) not in have]
        u0, t0_ = gaps[0]
        raise ValueError(f"panel is unbalanced: {len(gaps)} unit x time cells are absent "
                         f"(e.g. {unit}={_show(u0)}, {time}={_show(t0_)}); synthetic_did needs every unit at "
                         "every time: drop the unit or fill the cell before calling")
    frame = pd.DataFrame({"u": panel[unit].to_numpy(), "t": panel[time].to_numpy(), "y": y.to_numpy(float),
                          "d": d_num.to_numpy(float)})
    Yw = frame.pivot(index="u", columns="t", values="y").reindex(columns=times)
    Dw = frame.pivot(index="u", columns="t", values="d").reindex(columns=times).to_numpy()
    labels = list(Yw.index)
    is_tr = np.asarray(Dw.any(axis=1), dtype=bool)
    if not is_tr.any():
        raise ValueError(f"no unit is treated: column {treated!r} is 0 in every row")
    if is_tr.all():
        raise ValueError(f"every unit is treated at some time: column {treated!r}; a control unit is needed")
    starts: dict = {}
    for k in np.flatnonzero(is_tr):
        first = int(np.argmax(Dw[k] > 0))
        if not (Dw[k, first:] > 0).all():
            raise ValueError(f"treatment of unit {_show(labels[k])} stops after it started (column {treated!r}); "
                             "synthetic_did needs treatment to stay on once it starts")
        starts[labels[k]] = first
    if len(set(starts.values())) > 1:
        shown = ", ".join(f"{_show(u)} from {_show(times[s])}" for u, s in list(starts.items())[:6])
        raise ValueError(f"staggered adoption: treated units start at different times ({shown}); "
                         "synthetic_did handles a block design only (all treated units start together)")
    t0 = int(next(iter(starts.values())))
    if t0 < 2:
        raise NotEstimable(f"treatment starts at period {t0 + 1} of {len(times)}: at least two pre-periods are needed "
                           "(the noise level is the SD of first differences before the start)")
    controls = tuple(u for u, d in zip(labels, is_tr, strict=True) if not d)
    treated_units = tuple(u for u, d in zip(labels, is_tr, strict=True) if d)
    Y = np.vstack([Yw.to_numpy(float)[~is_tr], Yw.to_numpy(float)[is_tr]])
    return PanelMatrix(Y, len(controls), t0, controls, treated_units, tuple(times))


def synthetic_did(
    panel: pd.DataFrame,
    unit: str = "unit",
    time: str = "time",
    outcome: str = "outcome",
    treated: str = "treated",
    estimator: SdidEstimator = "sdid",
    se_method: SdidSeMethod = "placebo",
    replications: int = 200,
    seed: int = 0,
    alpha: float = 0.05,
) -> SyntheticDidResult:
    """Synthetic difference-in-differences (or synthetic control, or DiD) on a long block-design panel.

    Parameters
    ----------
    panel : DataFrame
        One row per unit x time. Balanced (every unit observed at every time, outcome finite):
        missing cells must be handled by the caller (drop the unit or impute the cell); they are
        refused with a ``ValueError`` naming one of them.
    unit, time, outcome, treated : str
        Column names. ``time`` must sort in time order. ``treated`` is 1 for a treated unit from
        its treatment start on and 0 otherwise; all treated units must start at the same time
        (block design) and stay treated; a staggered or switching treatment is refused.
    estimator : {"sdid", "sc", "did"}
        Synthetic DiD (unit and time weights, intercepts), synthetic control (unit weights without
        intercept, no time weights) or DiD (uniform weights), as synthdid 0.0.9's
        ``synthdid_estimate``, ``sc_estimate`` and ``did_estimate``.
    se_method : {"placebo", "none"}
        The paper's placebo standard error (Algorithm 4), or none (SE, interval and p-value NaN).
    replications : int
        Placebo replications (synthdid's default 200), at least 2.
    seed : int
        Seed of the ``numpy.random.default_rng`` the placebo draws use.
    alpha : float
        1 - confidence level of :attr:`SyntheticDidResult.ci_low` / ``ci_high``.

    Returns
    -------
    SyntheticDidResult

    Raises
    ------
    ValueError
        Unknown option, missing column, duplicate or absent unit x time cell, non-numeric or
        missing outcome, treatment not 0/1, no treated or no control unit, staggered adoption.
    NotEstimable
        Fewer than two pre-periods, or (placebo SE) not more control than treated units.

    Notes
    -----
    The estimator, the weights, the solver and the placebo standard error are written out in
    :mod:`sosu_analysis.did.sdid`. Reproduces synthdid 0.0.9 on the Proposition 99 panel
    (``tests/did/test_sdid.py``).
    """
    if estimator not in SDID_ESTIMATORS:
        raise ValueError(f"unknown estimator {estimator!r}; valid: {', '.join(SDID_ESTIMATORS)}")
    if se_method not in SDID_SE_METHODS:
        raise ValueError(f"unknown se_method {se_method!r}; valid: {', '.join(SDID_SE_METHODS)}")
    if isinstance(replications, bool) or not isinstance(replications, int | np.integer) or replications < 2:
        raise ValueError(f"replications must be an integer >= 2, got {replications!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    if not (isinstance(alpha, float | int) and 0 < alpha < 1):
        raise ValueError(f"alpha must be strictly between 0 and 1, got {alpha!r}")
    p = panel_matrix(panel, unit, time, outcome, treated)
    Y, n0, t0 = p.Y, p.n0, p.t0
    reps = int(replications) if se_method == "placebo" else 0
    bf = fit_batch(Y[None], n0, t0, estimator, reps, [int(seed)])
    tau, omega, lam = float(bf.estimate[0]), bf.omega[0], bf.lam[0]
    notes: list[str] = []
    if se_method == "placebo":
        placebo, se = bf.placebo[0].copy(), float(bf.se[0])
        if se == 0:
            notes.append("every placebo estimate is the same: the placebo standard error is 0 and no interval is given")
            se = np.nan
    else:
        placebo, se = np.empty(0), np.nan
    placebo.setflags(write=False)
    treated_path = Y[n0:].mean(axis=0)
    synthetic_path = omega @ Y[:n0]
    gap = treated_path[:t0] - synthetic_path[:t0]
    intercept = float(gap.mean()) if estimator != "sc" else 0.0
    pre_rmse = float(np.sqrt(np.mean((gap - intercept) ** 2)))
    paths = pd.DataFrame({"treated": treated_path, "synthetic": synthetic_path,
                          "synthetic_shifted": synthetic_path + intercept,
                          "post": np.arange(len(p.times)) >= t0}, index=pd.Index(p.times, name=time))
    return SyntheticDidResult(
        estimator=estimator,
        estimate=tau,
        se=se,
        se_method=se_method,
        alpha=float(alpha),
        unit_weights=pd.Series(omega, index=pd.Index(p.controls, name=unit), name="omega"),
        time_weights=pd.Series(lam, index=pd.Index(p.times[:t0], name=time), name="lambda"),
        treated_units=p.treated,
        control_units=p.controls,
        pre_periods=p.times[:t0],
        post_periods=p.times[t0:],
        pre_fit_rmse=pre_rmse,
        intercept=intercept,
        paths=paths,
        placebo_estimates=placebo,
        replications=int(replications) if se_method == "placebo" else 0,
        seed=int(seed),
        noise_level=float(bf.noise_level[0]),
        zeta_omega=float(bf.zeta_omega[0]),
        zeta_lambda=float(bf.zeta_lambda[0]),
        notes=tuple(notes),
    )

