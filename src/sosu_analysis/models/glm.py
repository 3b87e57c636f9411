"""Binomial logistic models fitted on cell counts.

A cell is a row of the table (e.g. programme × year) with ``y`` dropouts out
of ``n`` students. The grouped binomial likelihood has the same kernel as the
likelihood of one Bernoulli row per student, so estimates and standard errors
are identical (``tests/models/test_models_glm.py`` shows it); only the
deviance and log-likelihood differ by terms that do not depend on the
parameters, and differences of deviances (likelihood-ratio tests) agree.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from .design import DesignSpec, build_design, infer_factors
from .options import CovType
from .quasi import pearson_chi2, quasi_cov, quasi_reference, used_dispersion


@dataclass(frozen=True)
class GroupedLogitFit:
    """A binomial logit fitted on cell counts.

    Attributes
    ----------
    spec : DesignSpec
        Terms, factor levels (first = reference) and aliased columns dropped.
    data : DataFrame
        The cells fitted.
    events, trials : ndarray
        Events and trials per cell.
    params : Series
        Log-odds coefficients.
    cov : DataFrame
        Model-based (binomial, scale 1) covariance of ``params``.
    deviance : float
        Residual deviance of the grouped model (as R's ``glm`` on ``cbind``).
    pearson_chi2 : float
        Pearson's X² from the counts (:func:`~sosu_analysis.models.quasi.pearson_chi2`).
    df_resid : int
        Cells minus parameters.
    llf : float
        Grouped binomial log-likelihood (with the binomial coefficients).
    result : statsmodels GLMResults
        The underlying statsmodels fit (two-column response, scale 1).
    """

    spec: DesignSpec
    data: pd.DataFrame
    events: np.ndarray
    trials: np.ndarray
    params: pd.Series
    cov: pd.DataFrame
    deviance: float
    pearson_chi2: float
    df_resid: int
    llf: float
    result: object

    @property
    def bse(self) -> pd.Series:
        """Model-based standard errors."""
        return pd.Series(np.sqrt(np.diag(self.cov)), index=self.params.index)

    @property
    def dispersion(self) -> float:
        """Pearson dispersion X² / df_resid (NaN for a saturated model)."""
        return self.pearson_chi2 / self.df_resid if self.df_resid > 0 else float("nan")

    @property
    def nobs(self) -> int:
        """Number of students (trials)."""
        return int(self.trials.sum())

    @property
    def fitted(self) -> np.ndarray:
        """Fitted probability per cell."""
        return self.predict(self.data)

    @property
    def separation(self) -> bool:
        """True when a fitted probability is 0 or 1 to numerical precision (infinite estimates)."""
        p = self.fitted
        return bool(np.any((p < 1e-8) | (p > 1 - 1e-8)))

    def exog(self, data: pd.DataFrame | None = None) -> pd.DataFrame:
        """Build the design matrix of ``data`` (default: the fitted cells) with the fitted columns."""
        _, x = build_design(self.data if data is None else data, self.spec, drop_aliased=False)
        return x

    def linear_predictor(self, data: pd.DataFrame | None = None) -> np.ndarray:
        """Log-odds per row of ``data``."""
        return self.exog(data).to_numpy() @ self.params.to_numpy()

    def predict(self, data: pd.DataFrame | None = None) -> np.ndarray:
        """Probability per row of ``data``."""
        return expit(self.linear_predictor(data))

    def cov_params(self, cov_type: CovType = "binomial", dispersion: float | None = None) -> pd.DataFrame:
        """Covariance of ``params``.

        ``"binomial"``: model-based. ``"quasi"``: times ``dispersion`` (default
        ``max(phi, 1)`` with this model's Pearson phi, see
        :func:`~sosu_analysis.models.quasi.used_dispersion`).
        """
        if cov_type == "binomial":
            return self.cov
        if cov_type == "quasi":
            phi = used_dispersion(self.dispersion) if dispersion is None else dispersion
            return quasi_cov(self.cov, phi)
        raise ValueError(f"cov_type must be 'binomial' or 'quasi', not {cov_type!r}")


def fit_grouped_logit(data: pd.DataFrame, events: str, trials: str, terms: Sequence[str],
                      factors: Mapping[str, Sequence] | None = None) -> GroupedLogitFit:
    r"""Fit a binomial logit on cell counts.

    Parameters
    ----------
    data : DataFrame
        One row per cell.
    events, trials : str
        Columns with the events (dropouts) and trials (students) of each cell.
    terms : sequence of str
        Model terms after the intercept (see :class:`~sosu_analysis.models.design.DesignSpec`).
    factors : mapping, optional
        Levels of categorical variables, first = reference. Non-numeric
        variables not given are factors with sorted levels.

    Returns
    -------
    GroupedLogitFit

    Notes
    -----
    The model is :math:`y_i \sim \operatorname{Bin}(n_i, p_i)`,
    :math:`\operatorname{logit} p_i = x_i^\top\beta`. statsmodels ``GLM`` with
    the two-column response :math:`(y_i, n_i - y_i)` and ``Binomial`` family
    maximises

    .. math:: \ell(\beta) = \sum_i \left[\log\binom{n_i}{y_i} + y_i \eta_i - n_i \log(1 + e^{\eta_i})\right],

    whose score :math:`X^\top(y - n p)` and information :math:`X^\top W X`,
    :math:`W = \operatorname{diag}(n_i p_i (1 - p_i))`, are those of the
    :math:`\sum_i n_i` Bernoulli rows: the per-student fit gives the same
    :math:`\hat\beta` and standard errors. Aliased design columns are dropped
    (as R's ``NA``) before fitting.
    """
    spec = DesignSpec(tuple(terms), infer_factors(data, terms, factors))
    spec, exog = build_design(data, spec, drop_aliased=True)
    y = data[events].to_numpy(dtype=float)
    n = data[trials].to_numpy(dtype=float)
    if np.any(y < 0) or np.any(y > n) or np.any(n <= 0):
        raise ValueError("need 0 <= events <= trials and trials > 0 in every cell")
    res = fit_binomial_glm(exog, y, n)
    params = pd.Series(np.asarray(res.params), index=exog.columns)
    cov = pd.DataFrame(np.asarray(res.cov_params()), index=exog.columns, columns=exog.columns)
    p = expit(exog.to_numpy() @ params.to_numpy())
    # llf with the binomial coefficient, computed here so it does not depend on
    # how statsmodels treats the two-column response
    llf = float(np.sum(stats.binom.logpmf(y, n, p)))
    return GroupedLogitFit(spec=spec, data=data.reset_index(drop=True), events=y, trials=n, params=params,
                           cov=cov, deviance=_clip0(float(res.deviance)), pearson_chi2=pearson_chi2(y, n, p),
                           df_resid=int(len(y) - exog.shape[1]), llf=llf, result=res)


def fit_binomial_glm(exog: pd.DataFrame | np.ndarray, y: np.ndarray, n: np.ndarray):
    """Fit statsmodels' binomial GLM (logit link) to ``y`` events out of ``n`` trials per row.

    The one logit fitter of the package: :func:`fit_grouped_logit` and the
    campus comparison's fixed-effects logit (:func:`sosu_analysis.did.logit.fit_logit`)
    both call it. IRLS to a relative deviance change of 1e-12, scale 1.

    Returns
    -------
    statsmodels GLMResults
    """
    # Imported here, in the one fitter: a chapter that imports the campus comparison or the national
    # comparison without fitting a logit (06, 09, 10, 11) does not load statsmodels' GLM. From their own
    # modules, not statsmodels.api, which imports every model, the formulas and statsmodels.graphics.
    from statsmodels.genmod.families import Binomial
    from statsmodels.genmod.generalized_linear_model import GLM

    model = GLM(np.column_stack([y, n - y]), exog, family=Binomial())
    with warnings.catch_warnings():
        # statsmodels warns of "perfect separation or prediction" whenever the fitted
        # proportions equal the observed ones (mu == endog), as in every saturated model or
        # exactly replicated cells: a false alarm for grouped data. Genuine separation
        # (a fitted probability of 0 or 1) is reported by GroupedLogitFit.separation.
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        if exog.shape[1] == len(y):
            # a saturated model: statsmodels' WLS step divides by df_resid = 0 (harmless)
            warnings.simplefilter("ignore", RuntimeWarning)
        # scale stays 1 (binomial). Not scale='X2': with this two-column response statsmodels 0.15
        # estimates a wrong Pearson scale (about phi / n); the dispersion is computed from the
        # counts instead (quasi.py, tested against R's quasibinomial).
        res = model.fit(method="IRLS", tol=1e-12, maxiter=200)
    return res


def _clip0(x: float) -> float:
    """Deviance of a saturated fit is 0 up to rounding (e.g. -5e-14): report 0."""
    return 0.0 if abs(x) < 1e-8 else x


def coefficient_table(fit: GroupedLogitFit, alpha: float = 0.05, dispersion: float | None = None,
                      df_dispersion: int | None = None) -> pd.DataFrame:
    r"""Coefficients with Wald intervals, odds ratios and quasi-binomial versions.

    Parameters
    ----------
    fit : GroupedLogitFit
    alpha : float
        1 − confidence level.
    dispersion : float, optional
        Pearson dispersion for the ``*_quasi`` columns; default this model's.
    df_dispersion : int, optional
        Degrees of freedom of ``dispersion`` (for the t reference); default
        this model's residual df.

    Returns
    -------
    DataFrame
        ``term, estimate, std_error, z, p_value, ci_low, ci_high`` (log-odds,
        Wald, normal), ``odds_ratio, or_ci_low, or_ci_high``,
        ``dispersion`` (Pearson phi), ``dispersion_used`` (``max(phi, 1)``),
        ``std_error_quasi, p_value_quasi, ci_low_quasi, ci_high_quasi,
        or_ci_low_quasi, or_ci_high_quasi``.

    Notes
    -----
    Wald: :math:`z = \hat\beta / \mathrm{SE}`, interval
    :math:`\hat\beta \pm z_{1-\alpha/2}\mathrm{SE}`, odds ratio
    :math:`e^{\hat\beta}` with the exponentiated interval. Quasi-binomial:
    :math:`\mathrm{SE}_Q = \mathrm{SE}\sqrt{\max(\hat\phi, 1)}`, and as in
    R's ``summary.glm`` for an estimated dispersion, the reference
    distribution is :math:`t` on the dispersion's residual degrees of freedom
    (normal when those are 0).
    """
    phi = fit.dispersion if dispersion is None else dispersion
    dfd = fit.df_resid if df_dispersion is None else df_dispersion
    phi_used = used_dispersion(phi)
    est = fit.params.to_numpy()
    se = fit.bse.to_numpy()
    zcrit = stats.norm.ppf(1 - alpha / 2)
    z = est / se
    out = pd.DataFrame({"term": fit.params.index, "estimate": est, "std_error": se, "z": z,
                        "p_value": 2 * stats.norm.sf(np.abs(z)),
                        "ci_low": est - zcrit * se, "ci_high": est + zcrit * se})
    out["odds_ratio"] = np.exp(est)
    out["or_ci_low"], out["or_ci_high"] = np.exp(out["ci_low"]), np.exp(out["ci_high"])
    out["dispersion"] = phi
    out["dispersion_used"] = phi_used
    se_q = se * np.sqrt(phi_used)
    ref = quasi_reference(phi, dfd)
    crit_q = ref.ppf(1 - alpha / 2)
    out["std_error_quasi"] = se_q
    out["p_value_quasi"] = 2 * ref.sf(np.abs(est / se_q))
    out["ci_low_quasi"], out["ci_high_quasi"] = est - crit_q * se_q, est + crit_q * se_q
    out["or_ci_low_quasi"], out["or_ci_high_quasi"] = np.exp(out["ci_low_quasi"]), np.exp(out["ci_high_quasi"])
    return out


def lr_test(reduced: GroupedLogitFit, full: GroupedLogitFit, dispersion: float | None = None,
            df_dispersion: int | None = None) -> dict[str, float]:
    r"""Likelihood-ratio test of a reduced model nested in a full one.

    Parameters
    ----------
    reduced, full : GroupedLogitFit
        Fitted on the same cells; ``reduced`` nested in ``full``.
    dispersion, df_dispersion : float, int, optional
        Pearson dispersion (and its df) for the quasi F test; default the full
        model's, when it has residual df.

    Returns
    -------
    dict
        ``lr_chi2, df, p_value`` (binomial), ``dispersion, f_stat, df_resid,
        p_value_quasi`` (NaN where no dispersion can be estimated).

    Notes
    -----
    :math:`G^2 = D_{\text{reduced}} - D_{\text{full}} = 2(\ell_{\text{full}} - \ell_{\text{reduced}})`
    on :math:`k_{\text{full}} - k_{\text{reduced}}` df, referred to
    :math:`\chi^2`. Under quasi-binomial overdispersion the analysis-of-deviance
    F test (R's ``anova(..., test = "F")``) is
    :math:`F = (G^2 / \mathrm{df}) / \hat\phi` on
    :math:`(\mathrm{df}, \mathrm{df}_\phi)`; it is reported with
    :math:`\max(\hat\phi, 1)`.
    """
    if len(reduced.events) != len(full.events) or not np.array_equal(reduced.events, full.events):
        raise ValueError("the two models must be fitted on the same cells")
    g2 = max(reduced.deviance - full.deviance, 0.0)
    df = len(full.params) - len(reduced.params)
    if df <= 0:
        raise ValueError("the reduced model must have fewer parameters than the full one")
    phi = full.dispersion if dispersion is None else dispersion
    dfd = full.df_resid if df_dispersion is None else df_dispersion
    out = {"lr_chi2": g2, "df": df, "p_value": float(stats.chi2.sf(g2, df)), "dispersion": phi,
           "f_stat": float("nan"), "df_resid": dfd, "p_value_quasi": float("nan")}
    if np.isfinite(phi) and dfd and dfd > 0:
        f = g2 / df / used_dispersion(phi)
        out["f_stat"] = f
        out["p_value_quasi"] = float(stats.f.sf(f, df, dfd))
    return out
