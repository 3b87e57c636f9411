"""Switching as its own outcome: a multinomial logit (in progress / switched / left).

Categories
----------
``in_progress`` (*i gang*, the reference), ``switched`` (*afbrudt med
omvalg*) and ``left`` (*afbrudt uden omvalg*). Students in a status the
published table does not show (``n_other``: completed or unknown; 0-2 per
cell in the shipped table) are **excluded** from this model: they are neither
in the programme nor dropped out, a fourth category of a handful of students
would not be estimable, and they are not part of the question "where do the
students who stop go". The shares of this model therefore use
``n_in_progress + n_dropout_switch + n_dropout_noswitch`` (= ``n_cohort - n_other``)
as denominator and differ from the published percentages by less than 0.2
percentage points in the shipped data.

Estimation
----------
statsmodels ``MNLogit`` has no frequency weights (statsmodels issues #7078,
#8380), so the cells are expanded to one row per student (a few thousand rows)
and ``MNLogit`` is fitted on them: the estimates are the per-student ones by
construction.

Empty categories
----------------
When a level of a factor has no student in one category (PAU has no switchers
in any year), its coefficient for that category is minus infinity
(quasi-complete separation) and ``MNLogit`` does not converge. Such levels are
excluded from the joint model (``exclude_empty=True``), recorded in
``MultinomialFit.excluded``, and their observed shares are reported beside
the model's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .design import DesignSpec, build_design, infer_factors

#: category -> count column, reference first
CATEGORY_COLUMNS: dict[str, str] = {
    "in_progress": "n_in_progress",
    "switched": "n_dropout_switch",
    "left": "n_dropout_noswitch",
}


@dataclass(frozen=True)
class MultinomialFit:
    """A multinomial logit fitted on cell counts (expanded to students).

    Attributes
    ----------
    spec : DesignSpec
    data : DataFrame
        The cells fitted (after exclusions).
    counts : ndarray
        Students per cell (rows) and category (columns).
    categories : tuple of str
        Categories modelled, reference first.
    params : DataFrame
        Log relative-risk coefficients, one column per non-reference category.
    cov : DataFrame
        Covariance of ``params.to_numpy().ravel(order='F')`` (category-major, as statsmodels).
    llf : float
        Per-student log-likelihood.
    excluded : dict
        Factor levels excluded because a category was empty there: ``{var: [levels]}``.
    result : statsmodels MNLogitResults
    """

    spec: DesignSpec
    data: pd.DataFrame
    counts: np.ndarray
    categories: tuple[str, ...]
    params: pd.DataFrame
    cov: pd.DataFrame
    llf: float
    excluded: dict
    result: object

    @property
    def nobs(self) -> int:
        """Number of students the model is fitted on."""
        return int(self.counts.sum())

    def exog(self, data: pd.DataFrame | None = None) -> np.ndarray:
        """Build the design matrix of ``data`` (default: the fitted cells), all columns kept."""
        _, x = build_design(self.data if data is None else data, self.spec, drop_aliased=False)
        return x.to_numpy()

    def predict(self, data: pd.DataFrame | None = None) -> np.ndarray:
        """Predicted shares, rows × categories."""
        eta = np.column_stack([np.zeros(len(self.data if data is None else data)),
                               self.exog(data) @ self.params.to_numpy()])
        eta -= eta.max(axis=1, keepdims=True)
        e = np.exp(eta)
        return e / e.sum(axis=1, keepdims=True)

    def share_gradients(self, data: pd.DataFrame | None = None) -> np.ndarray:
        r"""Gradients of the predicted shares: array (rows, categories, parameters).

        Notes
        -----
        With :math:`p_j = e^{\eta_j} / \sum_l e^{\eta_l}`, :math:`\eta_0 = 0`,
        :math:`\eta_m = x^\top\beta_m`:
        :math:`\partial p_j / \partial\beta_m = p_j(\delta_{jm} - p_m)\,x`,
        stacked category-major like ``cov``.
        """
        x = self.exog(data)
        p = self.predict(data)
        n_rows, n_cat = p.shape
        grads = np.empty((n_rows, n_cat, (n_cat - 1) * x.shape[1]))
        for j in range(n_cat):
            blocks = [p[:, j:j + 1] * ((j == m) - p[:, m:m + 1]) * x for m in range(1, n_cat)]
            grads[:, j, :] = np.concatenate(blocks, axis=1)
        return grads


def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row index and category code of every student."""
    n_rows, n_cat = counts.shape
    cells = np.repeat(np.tile(np.arange(n_rows), n_cat), counts.T.ravel())
    codes = np.repeat(np.repeat(np.arange(n_cat), n_rows), counts.T.ravel())
    return cells, codes


def empty_levels(cells: pd.DataFrame, factors: Sequence[str], count_cols: Sequence[str]) -> dict:
    """Levels of each factor where some category has no student, iterated until none is left."""
    excluded: dict = {}
    data = cells
    changed = True
    while changed:
        changed = False
        for var in factors:
            totals = data.groupby(var, sort=True)[list(count_cols)].sum()
            bad = [lev for lev, row in totals.iterrows() if (row == 0).any()]
            if bad:
                excluded.setdefault(var, []).extend(bad)
                data = data[~data[var].isin(bad)]
                changed = True
    return excluded


def fit_multinomial(cells: pd.DataFrame, terms: Sequence[str], factors: Mapping[str, Sequence] | None = None,
                    count_cols: Mapping[str, str] = CATEGORY_COLUMNS, exclude_empty: bool = True
                    ) -> MultinomialFit:
    r"""Fit a multinomial logit on cell counts.

    Parameters
    ----------
    cells : DataFrame
        One row per cell with the count columns of ``count_cols``.
    terms : sequence of str
        Model terms after the intercept.
    factors : mapping, optional
        Factor levels, first = reference.
    count_cols : mapping
        Category -> count column; the first is the reference category.
    exclude_empty : bool
        Exclude factor levels with an empty category (see module notes).

    Notes
    -----
    For student :math:`s` in cell :math:`i` and category :math:`j`:
    :math:`P(Y_s = j) = e^{x_i^\top\beta_j} / \sum_l e^{x_i^\top\beta_l}` with
    :math:`\beta_0 = 0`; :math:`e^{\beta_{jk}}` is a relative-risk ratio
    (risk of :math:`j` over the reference category). Categories with no
    student at all are dropped.
    """
    cats = [c for c, col in count_cols.items() if cells[col].sum() > 0]
    cols = [count_cols[c] for c in cats]
    factors = infer_factors(cells, terms, factors)
    excluded: dict = {}
    data = cells
    if exclude_empty:
        excluded = empty_levels(cells, [v for v in factors if any(v in t.split(":") for t in terms)], cols)
        for var, levels in excluded.items():
            data = data[~data[var].isin(levels)]
    kept: dict[str, tuple] = {v: tuple(lev for lev in levs if lev in set(data[v])) if v in data else tuple(levs)
                             for v, levs in factors.items()}
    data = data.reset_index(drop=True)
    spec, exog = build_design(data, DesignSpec(tuple(terms), kept), drop_aliased=True)
    counts = data[cols].to_numpy(dtype=np.int64)
    rows, codes = _expand(counts)
    from statsmodels.discrete.discrete_model import MNLogit  # here, not at the top: see models.glm

    res = MNLogit(codes, exog.to_numpy()[rows]).fit(method="newton", maxiter=100, disp=False, tol=1e-12)
    names = list(exog.columns)
    params = pd.DataFrame(np.asarray(res.params), index=names, columns=cats[1:])
    idx = pd.MultiIndex.from_tuples([(c, n) for c in cats[1:] for n in names], names=["category", "term"])
    cov = pd.DataFrame(np.asarray(res.cov_params()), index=idx, columns=idx)
    return MultinomialFit(spec=spec, data=data, counts=counts, categories=tuple(cats), params=params,
                          cov=cov, llf=float(res.llf), excluded=excluded, result=res)


def multinomial_coefficients(fit: MultinomialFit, alpha: float = 0.05) -> pd.DataFrame:
    """Coefficients (log relative-risk ratios vs the reference category) with Wald intervals and RRRs."""
    est = fit.params.to_numpy().ravel(order="F")
    se = np.sqrt(np.diag(fit.cov.to_numpy()))
    zcrit = stats.norm.ppf(1 - alpha / 2)
    out = pd.DataFrame({"category": fit.cov.index.get_level_values(0),
                        "term": fit.cov.index.get_level_values(1), "estimate": est, "std_error": se})
    out["z"] = est / se
    out["p_value"] = 2 * stats.norm.sf(np.abs(out["z"]))
    out["ci_low"], out["ci_high"] = est - zcrit * se, est + zcrit * se
    out["rrr"] = np.exp(est)
    out["rrr_ci_low"], out["rrr_ci_high"] = np.exp(out["ci_low"]), np.exp(out["ci_high"])
    out.insert(0, "reference_category", fit.categories[0])
    return out


def predicted_shares(fit: MultinomialFit, data: pd.DataFrame | None = None, alpha: float = 0.05) -> pd.DataFrame:
    r"""Predicted share of each category per row of ``data`` (default the fitted cells), long format.

    Returns
    -------
    DataFrame
        The columns of ``data`` plus ``category, estimate, std_error, ci_low,
        ci_high`` (proportions; delta method, may pass 0 for rare categories).

    Notes
    -----
    :math:`\mathrm{SE}(\hat p_j) = \sqrt{g_j^\top V g_j}` with the gradients of
    :meth:`MultinomialFit.share_gradients`.
    """
    data = fit.data if data is None else data
    p = fit.predict(data)
    g = fit.share_gradients(data)
    v = fit.cov.to_numpy()
    se = np.sqrt(np.einsum("rjk,kl,rjl->rj", g, v, g))
    zcrit = stats.norm.ppf(1 - alpha / 2)
    parts = []
    for j, cat in enumerate(fit.categories):
        part = data.reset_index(drop=True).copy()
        part["category"] = cat
        part["estimate"], part["std_error"] = p[:, j], se[:, j]
        part["ci_low"], part["ci_high"] = p[:, j] - zcrit * se[:, j], p[:, j] + zcrit * se[:, j]
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def multinomial_lr_test(reduced: MultinomialFit, full: MultinomialFit) -> dict[str, float]:
    r"""Likelihood-ratio test of nested multinomial models fitted on the same students.

    Notes
    -----
    :math:`G^2 = 2(\ell_{\text{full}} - \ell_{\text{reduced}})` on the
    difference in the number of parameters, referred to :math:`\chi^2`.
    """
    if reduced.nobs != full.nobs or not np.array_equal(reduced.counts, full.counts):
        raise ValueError("the two models must be fitted on the same students")
    g2 = max(2 * (full.llf - reduced.llf), 0.0)
    df = full.params.size - reduced.params.size
    return {"lr_chi2": g2, "df": df, "p_value": float(stats.chi2.sf(g2, df))}
