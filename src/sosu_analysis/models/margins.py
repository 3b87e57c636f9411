"""Predicted probabilities and average marginal effects with delta-method intervals.

All quantities are on the probability scale (0-1); the table builders turn
them into percent and percentage points. Averages are over students: each
cell is weighted by its number of students, so a margin is what the
per-student ``statsmodels`` ``get_margeff(at='overall')`` would average.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit

from .glm import GroupedLogitFit


def _cov(fit: GroupedLogitFit, cov: pd.DataFrame | None) -> np.ndarray:
    return (fit.cov if cov is None else cov).to_numpy()


def _weights(fit: GroupedLogitFit, data: pd.DataFrame | None, weights) -> tuple[pd.DataFrame, np.ndarray]:
    data = fit.data if data is None else data
    w = fit.trials if weights is None else np.asarray(weights, dtype=float)
    if len(w) != len(data):
        raise ValueError("weights must have one value per row of data")
    return data, w / w.sum()


def _wald(est, se, alpha):
    est, se = np.asarray(est, dtype=float), np.asarray(se, dtype=float)
    zcrit = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = est / se
    return z, 2 * stats.norm.sf(np.abs(z)), est - zcrit * se, est + zcrit * se


def average_prediction(fit: GroupedLogitFit, data: pd.DataFrame | None = None, weights=None,
                       set_values: dict | None = None) -> tuple[float, np.ndarray]:
    r"""Average predicted probability with every row set to ``set_values``, and its gradient.

    Notes
    -----
    :math:`\bar p = \sum_i w_i\, \operatorname{expit}(x_i^{*\top}\hat\beta)`
    with :math:`x_i^*` the design row of cell :math:`i` after setting the
    variables in ``set_values`` and :math:`w_i = n_i / \sum n` by default.
    Gradient :math:`\partial \bar p / \partial\beta = \sum_i w_i p_i (1 - p_i) x_i^*`.
    """
    data, w = _weights(fit, data, weights)
    d = data.copy()
    for var, value in (set_values or {}).items():
        d[var] = value
    x = fit.exog(d).to_numpy()
    p = expit(x @ fit.params.to_numpy())
    return float(w @ p), (w * p * (1 - p)) @ x


def average_slope(fit: GroupedLogitFit, var: str, data: pd.DataFrame | None = None,
                  weights=None) -> tuple[float, np.ndarray]:
    r"""Average derivative :math:`\partial p / \partial x` of a numeric variable, and its gradient.

    Notes
    -----
    With :math:`d_i = \partial x_i / \partial v` (the design is linear in a
    numeric variable :math:`v`, also inside interactions, so
    :math:`d_i = x_i(v + \tfrac12) - x_i(v - \tfrac12)` exactly),
    :math:`\eta_i' = d_i^\top\beta` and
    :math:`\mathrm{AME} = \sum_i w_i p_i (1 - p_i)\eta_i'`, with gradient
    :math:`\sum_i w_i [p_i(1-p_i)(1-2p_i)\eta_i' x_i + p_i(1-p_i) d_i]`.
    """
    if var in fit.spec.factors:
        raise ValueError(f"{var} is a factor; use average_marginal_effects for contrasts")
    data, w = _weights(fit, data, weights)
    hi, lo = data.copy(), data.copy()
    hi[var] = data[var].astype(float) + 0.5
    lo[var] = data[var].astype(float) - 0.5
    x = fit.exog(data).to_numpy()
    dx = fit.exog(hi).to_numpy() - fit.exog(lo).to_numpy()
    beta = fit.params.to_numpy()
    p = expit(x @ beta)
    s = p * (1 - p)
    deta = dx @ beta
    value = float(w @ (s * deta))
    grad = w @ ((s * (1 - 2 * p) * deta)[:, None] * x + s[:, None] * dx)
    return value, grad


def predicted_probabilities(fit: GroupedLogitFit, data: pd.DataFrame | None = None,
                            cov: pd.DataFrame | None = None, alpha: float = 0.05) -> pd.DataFrame:
    r"""Predicted probability per row of ``data`` (default the fitted cells) with delta-method interval.

    Notes
    -----
    :math:`\hat p = \operatorname{expit}(x^\top\hat\beta)`,
    :math:`\mathrm{SE}(\hat p) = \hat p(1-\hat p)\sqrt{x^\top V x}`; interval
    :math:`\hat p \pm z_{1-\alpha/2}\mathrm{SE}` (may pass 0 for rare events).
    """
    data = fit.data if data is None else data
    x = fit.exog(data).to_numpy()
    v = _cov(fit, cov)
    p = expit(x @ fit.params.to_numpy())
    se = p * (1 - p) * np.sqrt(np.einsum("ij,jk,ik->i", x, v, x))
    out = data.copy()
    out["estimate"], out["std_error"] = p, se
    _, _, out["ci_low"], out["ci_high"] = _wald(p, se, alpha)
    return out


def margins(fit: GroupedLogitFit, var: str, weights=None, cov: pd.DataFrame | None = None,
            alpha: float = 0.05) -> pd.DataFrame:
    r"""Average predicted probability at each level of factor ``var`` (standardised over the other variables).

    Notes
    -----
    For level :math:`k`: :math:`\bar p_k` of :func:`average_prediction` with
    every cell set to :math:`v = k`;
    :math:`\mathrm{SE} = \sqrt{g_k^\top V g_k}` (delta method).
    """
    v = _cov(fit, cov)
    rows = []
    for level in fit.spec.factors[var]:
        est, g = average_prediction(fit, weights=weights, set_values={var: level})
        rows.append({"variable": var, "level": level, "estimate": est, "std_error": float(np.sqrt(g @ v @ g))})
    out = pd.DataFrame(rows)
    _, _, out["ci_low"], out["ci_high"] = _wald(out["estimate"], out["std_error"], alpha)
    return out


def average_marginal_effects(fit: GroupedLogitFit, var: str, weights=None, cov: pd.DataFrame | None = None,
                             alpha: float = 0.05) -> pd.DataFrame:
    r"""Average marginal effect of ``var``: level contrasts for a factor, the average derivative for a number.

    Returns
    -------
    DataFrame
        ``variable, level, reference, estimate, std_error, z, p_value,
        ci_low, ci_high`` on the probability scale (a difference of
        probabilities, or per unit of a numeric variable).

    Notes
    -----
    Factor level :math:`k` against reference :math:`r`:
    :math:`\mathrm{AME}_k = \bar p_k - \bar p_r` (every student set to
    :math:`k`, minus every student set to :math:`r`), gradient
    :math:`g_k - g_r`, :math:`\mathrm{SE} = \sqrt{(g_k - g_r)^\top V (g_k - g_r)}`.
    Numeric variable: :func:`average_slope`.
    """
    v = _cov(fit, cov)
    rows = []
    if var in fit.spec.factors:
        levels = fit.spec.factors[var]
        ref_est, ref_g = average_prediction(fit, weights=weights, set_values={var: levels[0]})
        for level in levels[1:]:
            est, g = average_prediction(fit, weights=weights, set_values={var: level})
            d = g - ref_g
            rows.append({"variable": var, "level": level, "reference": levels[0],
                         "estimate": est - ref_est, "std_error": float(np.sqrt(d @ v @ d))})
    else:
        est, g = average_slope(fit, var, weights=weights)
        rows.append({"variable": var, "level": "per unit", "reference": "",
                     "estimate": est, "std_error": float(np.sqrt(g @ v @ g))})
    out = pd.DataFrame(rows)
    out["z"], out["p_value"], out["ci_low"], out["ci_high"] = _wald(out["estimate"], out["std_error"], alpha)
    return out
