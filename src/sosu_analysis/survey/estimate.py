r"""Clustered means and contrasts of survey scores, with campus-level inference.

Notes
-----
Respondents are clustered in campuses (and intakes within campuses; a campus
cluster contains its intakes, so clustering on campus also covers
intake-level correlation). Every interval here is cluster-robust with the
campus as cluster, computed by the project's CR2 code
(:mod:`sosu_analysis.did.covariance`, validated against R's clubSandwich).

**Mean of a group.** The intercept-only model ``y_i = mu + e_i`` over the
``N`` respondents of the group, ``G`` campuses. With ``h_g = n_g / N`` and
``E_g`` the sum of residuals ``y_i - ybar`` in campus ``g``, CR2 (Bell &
McCaffrey 2002) is

.. math::

    V_{CR2} = \frac{1}{N^2} \sum_g \frac{E_g^2}{1 - h_g},

with Satterthwaite degrees of freedom (at most ``G - 1``; exactly ``G - 1``
and then the same interval as the t interval of the ``G`` campus means when
the campuses have equal numbers of respondents). The interval is
``ybar ± t_{df, 1-alpha/2} sqrt(V_CR2)``. With one campus there is no
interval.

**Design effect** (Kish): ``deff = V_CR2 / V_SRS`` with
``V_SRS = s^2 / N`` (``s^2`` the sample variance, ``N - 1``), the variance a
simple random sample of ``N`` independent respondents would have.

**Contrasts** (least squares on respondent level, campus clusters, CR2 and
Satterthwaite df for the first column):

- pilot vs comparison: ``y ~ pilot + wave`` on respondents from the pilot
  start on;
- before vs after at the pilot campuses: ``y ~ after + campus + wave``;
- difference-in-differences where the comparison campuses have both
  periods: ``y ~ pilot:after + after + campus + wave``.

"Before" and "after" compare intakes (before / from the campus's pilot
start), "wave" the time of asking; wave dummies keep a contrast within
waves when the waves' mix differs between the groups.

**Randomization inference** over campuses for the first and third: the
pilot label is permuted over the campuses in the sample (every way to choose
``G_1`` of ``G`` campuses), the coefficient refitted, and
``p = #{|b_pi| >= |b_obs|} / #assignments``, computed by the campus
comparison's core :func:`sosu_analysis.did.randomization.randomization_test`.
The smallest possible p is the number of assignments that tie with the
observed one whatever the data (the observed one, and with ``G_1 = G/2`` its
mirror) over ``binom(G, G_1)``: 2/20 with 3 of 6 campuses, not 1/20. Respondents are never treated as independent across
campuses.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from math import comb

import numpy as np
import pandas as pd
from scipy import stats

from ..did.covariance import cr2_components, satterthwaite_df
from ..did.model import CellDesign as Design
from ..did.model import fit_ols, independent_columns
from ..did.randomization import randomization_test
from ..did.results import LinearFit
from ..errors import NotEstimable

METHOD = "CR2 (campus clusters), Satterthwaite df"
#: largest number of assignments enumerated for randomization inference
MAX_ASSIGNMENTS = 5000


@dataclass(frozen=True)
class Estimate:
    """An estimate with its cluster-robust interval."""

    estimate: float
    se: float
    df: float
    ci_low: float
    ci_high: float
    p_value: float
    n: int
    G: int
    deff: float = np.nan
    method: str = METHOD

    def as_dict(self, prefix: str = "") -> dict:
        """Fields as a dict, keys prefixed with ``prefix``."""
        return {f"{prefix}{k}": v for k, v in asdict(self).items()}

    def conf_int(self, alpha: float) -> tuple[float, float]:
        """Return the ``1 - alpha`` interval ``estimate ± t_{df, 1 - alpha/2} se`` (NaN where ``df`` is not defined)."""
        from ..errors import check_alpha

        a = check_alpha(alpha)
        if not (np.isfinite(self.df) and np.isfinite(self.se)):
            return np.nan, np.nan
        q = float(stats.t.ppf(1 - a / 2, self.df))
        return self.estimate - q * self.se, self.estimate + q * self.se


def _cell_design(X: np.ndarray, y: np.ndarray, cluster: np.ndarray,
                 n: np.ndarray | None = None) -> tuple[Design, np.ndarray, list]:
    """Aggregate rows with equal cluster and design row into cells (exact for OLS and CR2).

    ``y`` are outcomes of single respondents (``n`` None) or outcome sums of
    rows that are already cells of ``n`` respondents.
    """
    labels, codes = np.unique(np.asarray(cluster, dtype=str), return_inverse=True)
    weights = np.ones(len(y)) if n is None else np.asarray(n, float)
    combined = np.column_stack([codes.astype(float), X])
    uniq, inverse = np.unique(combined, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    ncell = np.bincount(inverse, weights=weights, minlength=len(uniq))
    ysum = np.bincount(inverse, weights=np.asarray(y, float), minlength=len(uniq))
    Xc = uniq[:, 1:]
    keep = _identified(Xc, ncell)
    design = Design(Xc[:, keep] if keep else Xc[:, :1], [f"x{j}" for j in keep], ncell,
                    uniq[:, 0].astype(int), 1, tuple(labels))
    return design, ysum, list(keep)


def _identified(X: np.ndarray, w: np.ndarray) -> list[int]:
    """Columns kept: the other columns without collinear ones, then the first column if it is not in their span.

    An empty list when the first column (the contrast) is not identified.
    """
    rest = [j + 1 for j in independent_columns(X[:, 1:], w)] if X.shape[1] > 1 else []
    if len(independent_columns(np.column_stack([X[:, rest], X[:, :1]]), w)) < len(rest) + 1:
        return []
    return [0, *rest]


def _cr2(fit: LinearFit, alpha: float, n: int) -> Estimate:
    d = fit.design
    c = np.zeros(d.k)
    c[0] = 1.0
    U, parts = cr2_components(fit)
    V = fit.bread @ (U.T @ U) @ fit.bread
    est = float(fit.beta[0])
    se = float(np.sqrt(max(V[0, 0], 0.0)))
    df = satterthwaite_df(fit, c, parts) if se > 0 else np.nan
    if not np.isfinite(df) or se == 0:
        return Estimate(est, se, df, np.nan, np.nan, np.nan, n, d.G)
    q = float(stats.t.ppf(1 - alpha / 2, df))
    p = float(2 * stats.t.sf(abs(est / se), df))
    return Estimate(est, se, float(df), est - q * se, est + q * se, p, n, d.G)


def clustered_mean(y, cluster, alpha: float = 0.05) -> Estimate:
    """Mean of ``y`` with a CR2 interval on ``cluster`` (see module Notes) and the design effect.

    Parameters
    ----------
    y : array-like of float
        One value per respondent (a 0-100 score, or 0/1 for agreeing).
    cluster : array-like
        Campus of each respondent.
    alpha : float
        1 - confidence level.

    Returns
    -------
    Estimate
        ``deff`` = CR2 variance / simple-random-sample variance ``s^2/N``.
    """
    y = np.asarray(y, dtype=float)
    cluster = np.asarray(cluster, dtype=object)
    N = len(y)
    G = len(set(cluster))
    if N == 0:
        return Estimate(np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, 0, 0)
    mean = float(y.mean())
    if G < 2:
        return Estimate(mean, np.nan, np.nan, np.nan, np.nan, np.nan, N, G)
    design, ysum, _ = _cell_design(np.ones((N, 1)), y, cluster)
    est = _cr2(fit_ols(design, ysum), alpha, N)
    var_srs = float(y.var(ddof=1)) / N if N > 1 else np.nan
    deff = est.se**2 / var_srs if var_srs and var_srs > 0 and np.isfinite(est.se) else np.nan
    return Estimate(est.estimate, est.se, est.df, est.ci_low, est.ci_high, est.p_value, N, G, deff)


def campus_means_t(y, cluster, alpha: float = 0.05) -> Estimate:
    """Return the campus-level aggregate: mean of the ``G`` campus means with a ``t(G-1)`` interval.

    Every campus weighs the same, whatever its number of respondents.
    """
    frame = pd.DataFrame({"y": np.asarray(y, float), "g": np.asarray(cluster, dtype=object)})
    means = frame.groupby("g")["y"].mean().to_numpy(float)
    G = len(means)
    if G < 2:
        return Estimate(float(means.mean()) if G else np.nan, np.nan, np.nan, np.nan, np.nan, np.nan,
                        len(frame), G, method="campus means, t(G-1)")
    m = float(means.mean())
    se = float(means.std(ddof=1) / np.sqrt(G))
    q = float(stats.t.ppf(1 - alpha / 2, G - 1))
    p = float(2 * stats.t.sf(abs(m / se), G - 1)) if se > 0 else np.nan
    return Estimate(m, se, float(G - 1), m - q * se, m + q * se, p, len(frame), G, method="campus means, t(G-1)")


def _dummies(labels: pd.Series, drop_first: bool = True) -> np.ndarray:
    cats = sorted(pd.unique(labels.astype(str)))
    M = (labels.astype(str).to_numpy()[:, None] == np.array(cats)[None, :]).astype(float)
    return M[:, 1:] if drop_first else M


def _coef(X: np.ndarray, ysum: np.ndarray, n: np.ndarray) -> float:
    """First coefficient of the least-squares fit on cells (means ``ysum / n`` weighted by ``n``)."""
    sw = np.sqrt(n)
    beta, *_ = np.linalg.lstsq(X * sw[:, None], ysum / sw, rcond=None)
    return float(beta[0])


def _cells(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    """Aggregate respondents to campus × period × wave cells (``n``, ``ysum``).

    Every design here is constant within them, so fits on cells equal fits on respondents.
    """
    g = frame.groupby(["campus", "pilot", "period", "wave"], sort=True)[value].agg(["size", "sum"])
    return g.rename(columns={"size": "n", "sum": "ysum"}).reset_index()


@dataclass(frozen=True)
class Contrast:
    """A contrast (first design column) with CR2 inference and, where possible, randomization inference."""

    contrast: str
    fit: Estimate
    p_ri: float
    n_assignments: int
    min_p_ri: float
    G_treated: int
    G_control: int
    n_treated: int
    n_control: int

    def as_dict(self) -> dict:
        """Fields as a flat dict (the fit's fields unprefixed)."""
        d = {"contrast": self.contrast, **self.fit.as_dict()}
        d.update(p_ri=self.p_ri, n_assignments=self.n_assignments, min_p_ri=self.min_p_ri,
                 G_treated=self.G_treated, G_control=self.G_control, n_treated=self.n_treated,
                 n_control=self.n_control)
        return d


def _randomization(frame: pd.DataFrame, build, X_obs: np.ndarray) -> tuple[float, int, float]:
    """Permute the pilot label over campuses; ``build(pilot_campuses)`` returns the design for an assignment.

    The test is the campus comparison's own
    :func:`~sosu_analysis.did.randomization.randomization_test` (statistic: the
    coefficient), so the smallest attainable p counts the assignments that tie
    with the observed one for any data (with half the campuses pilots: the
    mirror assignment), not ``1 / #assignments``.
    """
    campuses = tuple(sorted(frame["campus"].unique()))
    pilots = set(frame.loc[frame["pilot"] == 1, "campus"].unique())
    G, G1 = len(campuses), len(pilots)
    total = comb(G, G1)
    if G1 == 0 or G1 == G or total > MAX_ASSIGNMENTS:
        return np.nan, total, np.nan
    n = frame["n"].to_numpy(float)
    code = {c: i for i, c in enumerate(campuses)}
    cluster = frame["campus"].map(code).to_numpy(int)

    def design_for(start_vec: np.ndarray) -> Design:
        X = build({c for c, s in zip(campuses, start_vec, strict=True) if np.isfinite(s)})
        keep = _identified(X, n)
        if not keep:  # no variation left: the estimate is undefined for this assignment
            raise NotEstimable("the contrast has no variation left for this assignment")
        return Design(X[:, keep], [f"x{j}" for j in keep], n, cluster, 1, campuses)

    keep = _identified(X_obs, n)
    observed = Design(X_obs[:, keep], [f"x{j}" for j in keep], n, cluster, 1, campuses)
    start_vec = np.array([0.0 if c in pilots else np.inf for c in campuses])
    res = randomization_test(fit_ols(observed, frame["ysum"].to_numpy(float)), design_for, start_vec,
                             statistic="coef", ci=False, max_assignments=MAX_ASSIGNMENTS)
    return res.p_value, int(res.extra["n_assignments"]), float(res.extra["min_p"])


def _fit_contrast(name: str, cells: pd.DataFrame, X: np.ndarray, alpha: float, treated: np.ndarray,
                  build=None) -> Contrast | None:
    n = cells["n"].to_numpy(float)
    design, ysum, keep = _cell_design(X, cells["ysum"].to_numpy(float), cells["campus"].to_numpy(object), n)
    if not keep or design.G < 2:
        return None
    est = _cr2(fit_ols(design, ysum), alpha, int(n.sum()))
    p_ri, n_ass, min_p = (np.nan, 0, np.nan)
    if build is not None:
        p_ri, n_ass, min_p = _randomization(cells, build, X)
    if name == "before_after_pilot":
        g_t, g_c = cells.loc[treated, "campus"].nunique(), cells.loc[~treated, "campus"].nunique()
    else:
        g_t = cells.loc[cells["pilot"] == 1, "campus"].nunique()
        g_c = cells.loc[cells["pilot"] == 0, "campus"].nunique()
    return Contrast(name, est, p_ri, n_ass, min_p, int(g_t), int(g_c), int(n[treated].sum()), int(n[~treated].sum()))


def pilot_vs_comparison(frame: pd.DataFrame, value: str = "score", alpha: float = 0.05) -> Contrast | None:
    """``value ~ pilot + wave`` on respondents from the pilot start on (``period == "post"``)."""
    sub = frame[frame["period"] == "post"]
    if sub.empty or sub["pilot"].nunique() < 2:
        return None
    cells = _cells(sub, value)
    waves = _dummies(cells["wave"])
    ones = np.ones((len(cells), 1))

    def build(pilots: set) -> np.ndarray:
        p = cells["campus"].isin(pilots).to_numpy(float)[:, None]
        return np.column_stack([p, ones, waves])

    X = np.column_stack([cells["pilot"].to_numpy(float), ones, waves])
    return _fit_contrast("pilot_vs_comparison", cells, X, alpha, cells["pilot"].to_numpy(bool), build)


def before_after(frame: pd.DataFrame, value: str = "score", alpha: float = 0.05) -> Contrast | None:
    """``value ~ after + campus + wave`` at the pilot campuses (no control group: no randomization inference)."""
    sub = frame[frame["pilot"] == 1]
    if sub["period"].nunique() < 2:
        return None
    cells = _cells(sub, value)
    after = (cells["period"] == "post").to_numpy(float)
    X = np.column_stack([after, np.ones(len(cells)), _dummies(cells["campus"]), _dummies(cells["wave"])])
    return _fit_contrast("before_after_pilot", cells, X, alpha, after.astype(bool))


def difference_in_differences(frame: pd.DataFrame, value: str = "score", alpha: float = 0.05) -> Contrast | None:
    """``value ~ pilot:after + after + campus + wave`` when both groups have both periods."""
    periods = frame.groupby("pilot")["period"].nunique()
    if len(periods) < 2 or (periods < 2).any():
        return None
    cells = _cells(frame, value)
    after = (cells["period"] == "post").to_numpy(float)
    campus = _dummies(cells["campus"])
    waves = _dummies(cells["wave"])
    ones = np.ones(len(cells))

    def build(pilots: set) -> np.ndarray:
        p = cells["campus"].isin(pilots).to_numpy(float)
        return np.column_stack([p * after, ones, after, campus, waves])

    X = build(set(cells.loc[cells["pilot"] == 1, "campus"]))
    treated = (cells["pilot"].to_numpy(float) * after).astype(bool)
    return _fit_contrast("difference_in_differences", cells, X, alpha, treated, build)


def weighted_slope(x, y, w, cluster, alpha: float = 0.05) -> Estimate:
    """Slope of ``y`` on ``x`` weighted by ``w`` (e.g. intake sizes), CR2 on ``cluster``.

    Used for the association of campus × intake survey means with dropout:
    each point is a campus × intake, ``w`` its number of students, clusters
    are campuses. The weights enter as frequency weights of the cell design.
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    w = np.asarray(w, float)
    cl = pd.Categorical(np.asarray(cluster, dtype=object))
    X = np.column_stack([x, np.ones_like(x)])
    keep = independent_columns(X, w)
    if cl.categories.size < 2 or len(keep) < 2:
        return Estimate(np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, len(x), int(cl.categories.size))
    design = Design(X, ["x", "const"], w, cl.codes.astype(int), 1, tuple(cl.categories))
    est = _cr2(fit_ols(design, y * w), alpha, len(x))
    return est
