"""Overdispersion: Pearson's dispersion and quasi-binomial standard errors.

Why not ``GLM(...).fit(scale='X2')``
------------------------------------
In statsmodels 0.15 a binomial GLM with a two-column response
``(events, non-events)`` fitted with ``scale='X2'`` returns a wrong scale:
``GLM._estimate_x2_scale`` computes ``sum((y - mu)**2 * iweights / V(mu)) / df``
on the *proportions* ``y`` with ``iweights`` that do not include the numbers of
trials, so the "dispersion" comes out about ``phi / n`` and the standard errors
far too small (snoring data: scale 0.0026 instead of 1.437). A proportion
response with ``var_weights=n`` gets it right, but rather than depend on which
response form statsmodels handles, the dispersion is computed here from the
counts, explicitly, and the covariance matrix of the binomial fit is scaled by
it. ``tests/models/test_models_quasi.py`` checks the result against R's
``quasibinomial`` and shows the two-column ``scale='X2'`` discrepancy.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def pearson_chi2(events, trials, fitted_p) -> float:
    r"""Pearson's :math:`X^2` of a grouped binomial fit.

    Notes
    -----
    .. math:: X^2 = \sum_i \frac{(y_i - n_i \hat p_i)^2}{n_i \hat p_i (1 - \hat p_i)}

    over cells :math:`i` with :math:`y_i` events out of :math:`n_i` trials.
    Cells with :math:`\hat p_i \in \{0, 1\}` (separation) contribute 0.
    """
    y = np.asarray(events, dtype=float)
    n = np.asarray(trials, dtype=float)
    p = np.asarray(fitted_p, dtype=float)
    var = n * p * (1 - p)
    resid2 = (y - n * p) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(var > 0, resid2 / np.where(var > 0, var, 1.0), 0.0)
    return float(terms.sum())


def pearson_dispersion(events, trials, fitted_p, df_resid: int) -> float:
    r"""Pearson's dispersion :math:`\hat\phi = X^2 / (m - k)`; NaN when ``df_resid`` is 0.

    Notes
    -----
    :math:`m` cells, :math:`k` parameters. This is the dispersion R's
    ``summary(glm(..., family = quasibinomial))`` reports. Under the binomial
    model :math:`E[X^2] \approx m - k`, so :math:`\hat\phi > 1` signals
    overdispersion: cells vary more than binomial sampling allows (students
    within a cell are not independent, or the model misses structure).
    """
    if df_resid <= 0:
        return float("nan")
    return pearson_chi2(events, trials, fitted_p) / df_resid


def quasi_cov(cov, dispersion: float):
    r"""Quasi-binomial covariance: the binomial covariance times :math:`\hat\phi`.

    Notes
    -----
    The quasi-binomial model keeps the binomial estimating equations (so the
    point estimates are unchanged) and assumes
    :math:`\operatorname{Var}(y_i) = \phi\, n_i p_i (1 - p_i)`, which scales
    the inverse information by :math:`\phi`:
    :math:`\widehat{\operatorname{Var}}_Q(\hat\beta) = \hat\phi\,(X^\top W X)^{-1}`,
    standard errors by :math:`\sqrt{\hat\phi}`.
    """
    return cov * dispersion


def used_dispersion(dispersion: float) -> float:
    """Return the dispersion applied in the ``*_quasi`` columns: ``max(phi, 1)``; 1 when it is not estimable.

    Quasi-binomial standard errors are used only where the data are
    overdispersed; underdispersion (``phi < 1``) is not used to shrink the
    binomial standard errors.
    """
    if not np.isfinite(dispersion):
        return 1.0
    return max(float(dispersion), 1.0)


def quasi_reference(dispersion: float, df_dispersion: int | None):
    """Return the reference distribution of a quasi-binomial Wald statistic (the package's one rule).

    ``t`` on the dispersion's degrees of freedom when the dispersion is used
    (``max(phi, 1) > 1``, with ``df > 0``), as R's ``summary.glm`` does for an
    estimated dispersion; the normal otherwise (the binomial standard error is
    kept). Used by :func:`~sosu_analysis.models.glm.coefficient_table`, the
    trend tables and the national comparative trend.
    """
    if df_dispersion and df_dispersion > 0 and used_dispersion(dispersion) > 1:
        return stats.t(df_dispersion)
    return stats.norm
