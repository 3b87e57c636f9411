"""Funnel plots: is a school's dropout further from the national level than chance allows.

Each school is a point at (intake size :math:`n`, dropout share :math:`y/n`);
the funnel is the range a school of that size would fall in by chance if its true
rate were the national one, :math:`p_0`. Control limits at 95 % and 99,8 % (about 2
and 3 standard errors), as in Spiegelhalter (2005). They are conventional control
limits of the method, fixed whatever the run's ``alpha`` (the confidence level of the
chapters' intervals), and are labelled "kontrolgrænse" wherever they are shown.

Reference: D. J. Spiegelhalter, "Funnel plots for comparing institutional
performance", *Statistics in Medicine* 24 (2005) 1185-1202, section 3 and
appendix A.1.1 (exact binomial limits with interpolation).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

#: the control limits (Spiegelhalter 2005), not a confidence level: they do not follow ``alpha``
LEVELS: tuple[float, ...] = (0.95, 0.998)


def exact_binomial_limit(n: np.ndarray | float, p0: float, prob: float) -> np.ndarray:
    r"""Return the ``prob`` quantile of the share :math:`Y/n`, :math:`Y \sim \text{Bin}(n, p_0)`, interpolated.

    Notes
    -----
    Spiegelhalter (2005), appendix A.1.1: let :math:`r_p` be the smallest :math:`r` with
    :math:`F(r) = P(Y \le r) \ge p` (``scipy.stats.binom.ppf``) and

    .. math::

        \alpha = \frac{F(r_p) - p}{F(r_p) - F(r_p - 1)} , \qquad
        \text{limit} = \frac{r_p - \alpha}{n} ,

    which interpolates between the discrete steps so that the limits are smooth in :math:`n`.
    """
    n = np.asarray(n, dtype=float)
    r = stats.binom.ppf(prob, n, p0)
    f_r = stats.binom.cdf(r, n, p0)
    f_r1 = stats.binom.cdf(r - 1, n, p0)
    step = f_r - f_r1
    a = np.where(step > 0, (f_r - prob) / np.where(step > 0, step, 1.0), 0.0)
    return np.clip((r - a) / n, 0.0, 1.0)


def normal_limit(n: np.ndarray | float, p0: float, prob: float, phi: float = 1.0) -> np.ndarray:
    r"""Return the normal approximation :math:`p_0 + z_p \sqrt{\varphi\, p_0 (1 - p_0) / n}`, clipped to [0, 1].

    ``phi`` > 1 widens the limits for overdispersion (Spiegelhalter 2005, section 4.2).
    """
    n = np.asarray(n, dtype=float)
    return np.clip(p0 + stats.norm.ppf(prob) * np.sqrt(phi * p0 * (1 - p0) / n), 0.0, 1.0)


def limits(n: np.ndarray | float, p0: float, level: float, method: str = "exact") -> tuple[np.ndarray, np.ndarray]:
    """Return the lower and upper control limits (shares 0-1) at ``level`` for intake sizes ``n``."""
    lower_p, upper_p = (1 - level) / 2, 1 - (1 - level) / 2
    f = exact_binomial_limit if method == "exact" else normal_limit
    return f(n, p0, lower_p), f(n, p0, upper_p)


def funnel_curve(n_max: int, p0: float, levels: Sequence[float] = LEVELS, n_min: int = 10,
                 points: int = 200) -> pd.DataFrame:
    """Tabulate the funnel's limits on a grid of intake sizes, for drawing (percent 0-100)."""
    n = np.unique(np.round(np.geomspace(n_min, max(n_max, n_min + 1), points)))
    out = pd.DataFrame({"n": n})
    for level in levels:
        lo, hi = limits(n, p0, level)
        out[f"lower_{level}"] = 100 * lo
        out[f"upper_{level}"] = 100 * hi
    return out


def overdispersion(z: np.ndarray, winsor: float = 0.1) -> float:
    r"""Estimate the winsorised overdispersion :math:`\varphi = \frac{1}{k} \sum z_i^2` (Spiegelhalter 2005, 4.2).

    The ``winsor`` share of the smallest and of the largest z-scores are set to the
    nearest remaining ones first, so one outlying school does not inflate it.
    """
    z = np.sort(np.asarray(z, dtype=float))
    k = len(z)
    if k == 0:
        return float("nan")
    cut = int(np.floor(winsor * k))
    if cut and k > 2 * cut:
        z[:cut] = z[cut]
        z[k - cut:] = z[k - cut - 1]
    return float(np.mean(z ** 2))


def funnel_table(counts: pd.DataFrame, outcome_col: str, school: str, levels: Sequence[float] = LEVELS
                 ) -> tuple[pd.DataFrame, float]:
    """Place each school in the funnel around the pooled rate of all schools.

    Parameters
    ----------
    counts
        One programme × year: ``institution``, ``n_cohort`` and ``outcome_col``.
    outcome_col
        ``n_dropout_total`` or ``n_dropout_noswitch``.
    school
        SOSU H's institution name (flagged ``is_school``).
    levels
        Confidence levels of the limits.

    Returns
    -------
    (pandas.DataFrame, float)
        Per school: ``institution, is_school, n_cohort, n_dropout, pct, z`` and for each level
        ``lower_L, upper_L`` (percent) and ``position_L`` (``below``, ``inside``, ``above``); and the
        target :math:`p_0` in percent. Schools whose outcome is not published are left out.
    """
    d = counts[counts[outcome_col].notna() & counts["n_cohort"].notna() & (counts["n_cohort"] > 0)]
    n = d["n_cohort"].astype(float).to_numpy()
    y = d[outcome_col].astype(float).to_numpy()
    p0 = float(y.sum() / n.sum())
    out = pd.DataFrame({"institution": d["institution"].astype(str).to_numpy(),
                        "is_school": (d["institution"] == school).to_numpy(),
                        "n_cohort": n.astype(int), "n_dropout": y.astype(int), "pct": 100 * y / n,
                        "z": (y / n - p0) / np.sqrt(p0 * (1 - p0) / n)})
    for level in levels:
        lo, hi = limits(n, p0, level)
        out[f"lower_{level}"], out[f"upper_{level}"] = 100 * lo, 100 * hi
        out[f"position_{level}"] = np.where(out["pct"] > out[f"upper_{level}"], "above",
                                            np.where(out["pct"] < out[f"lower_{level}"], "below", "inside"))
    return out, 100 * p0
