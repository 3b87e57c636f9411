r"""Fixed-effects logit and its average treatment effect on the treated on the probability scale.

Notes
-----
Model ``P(y_i = 1) = Lambda(x_i' beta)`` with the same full dummy design as
the linear model (treatment first). Fitted on cells by statsmodels' binomial
GLM (IRLS; :func:`sosu_analysis.models.glm.fit_binomial_glm`, the package's
one logit fitter) with ``s_c`` successes out of ``n_c``: the grouped
likelihood equals the student-level one up to a constant. The cluster
correction below is added on top.

Effect (Puhani 2012): the interaction/treatment coefficient of a nonlinear
DiD is *not* the treatment effect. The ATT on the probability scale is the
average over treated students of the difference between the fitted
probability with and without the treatment indicator,

.. math::

    \widehat{ATT} = \frac{1}{N_1}\sum_{i: D_i = 1}
        \big[\Lambda(x_i'\hat\beta) - \Lambda(x_i'\hat\beta - \hat\beta_D)\big].

Inference: delta method with the cluster-robust sandwich of the logit,
``V = c H^{-1} (sum_g s_g s_g') H^{-1}`` with ``H = sum_c n_c p_c(1-p_c) x_c x_c'``,
``s_g = sum_{c in g} x_c (s_c - n_c p_c)`` and the same CRV1 factor
``c = G/(G-1) (N-1)/(N-k)`` as the linear model; gradient
``d ATT / d beta = (1/N_1) sum_{D=1} [lambda(x'b) x - lambda(x'b - b_D)(x - e_D)]``;
``t(G-1)`` reference. CR2 and the wild bootstrap are *not* offered for the
logit: a wild bootstrap of the linear model is not a bootstrap of the logit,
and a score bootstrap would be needed (Kline & Santos 2012). Randomization
inference refits the logit under every assignment.

References
----------
Puhani, P. A. (2012). The treatment effect, the cross difference, and the
interaction term in nonlinear "difference-in-differences" models. Economics
Letters 115(1), 85-87.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.special import expit
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from ..models.glm import fit_binomial_glm
from .covariance import crv1_factor, sandwich, t_test
from .model import CellDesign
from .results import CoefTest, LogitFit

#: a fitted probability this close to 0 or 1 signals separation
SEPARATION_TOL = 1e-8


def fit_logit(design: CellDesign, ysum: np.ndarray) -> LogitFit:
    """Maximum likelihood logit on cells: statsmodels' binomial GLM, the package's one logit fitter.

    Fitted by :func:`sosu_analysis.models.glm.fit_binomial_glm` (IRLS, ``s_c``
    events out of ``n_c`` trials per cell). Non-convergence and separation
    (fitted probabilities at 0 or 1, e.g. a campus with no dropouts at all)
    are not warnings but :attr:`LogitFit.problems
    <sosu_analysis.did.results.LogitFit>`, which the tables show in their
    ``note`` column.
    """
    X, n = design.X, design.n
    ysum = np.asarray(ysum, float)
    with warnings.catch_warnings():
        # reported as LogitFit.problems from the result's own `converged` flag instead
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = fit_binomial_glm(X, ysum, n)
    beta = np.asarray(res.params, float)
    p = expit(X @ beta)
    H = X.T @ (X * (n * p * (1 - p))[:, None])
    converged = bool(res.converged)
    return LogitFit(design, ysum, beta, H, converged, int(res.fit_history["iteration"]), _problems(converged, p))


def _problems(converged: bool, p: np.ndarray) -> tuple[str, ...]:
    out = []
    if not converged:
        out.append("logit did not converge")
    if np.any((p < SEPARATION_TOL) | (p > 1 - SEPARATION_TOL)):
        out.append("logit: fitted probabilities at 0 or 1 (separation); the AME may be unreliable")
    return tuple(out)


def att_probability(fit: LogitFit, coef: int = 0) -> tuple[float, np.ndarray]:
    """ATT on the probability scale (Puhani 2012) and its gradient in beta."""
    X, n = fit.design.X, fit.design.n
    treated = X[:, coef] == 1
    w = n * treated
    N1 = w.sum()
    eta1 = X @ fit.beta
    eta0 = eta1 - fit.beta[coef]
    p1, p0 = expit(eta1), expit(eta0)
    att = float(np.sum(w * (p1 - p0)) / N1)
    X0 = X.copy()
    X0[:, coef] = 0.0
    grad = (X.T @ (w * p1 * (1 - p1)) - X0.T @ (w * p0 * (1 - p0))) / N1
    return att, grad


def logit_vcov_crv1(fit: LogitFit) -> np.ndarray:
    """Cluster-robust sandwich of the logit coefficients with the CRV1 factor."""
    d = fit.design
    return sandwich(np.linalg.inv(fit.hessian), fit.cluster_scores(), crv1_factor(d.G, d.N, d.k))


def logit_att_crv1(fit: LogitFit, coef: int = 0, alpha: float = 0.05) -> CoefTest:
    """Delta-method CRV1 test of the logit ATT (probability scale), ``t(G-1)``."""
    att, grad = att_probability(fit, coef)
    V = logit_vcov_crv1(fit)
    se = float(np.sqrt(grad @ V @ grad))
    return t_test("crv1", att, se, fit.design.G - 1, alpha,
                  {"logit_coef": float(fit.beta[coef]), "converged": fit.converged})
