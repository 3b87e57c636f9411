r"""Power and minimum detectable effect of the campus DiD for the actual design.

Notes
-----
Working model for the SSA dropout rate of campus ``c`` at intake ``t`` (cell
of ``n_ct`` students):

.. math::

    \bar y_{ct} = \alpha_c + \gamma_t + \tau D_{ct} + u_{ct} + \bar e_{ct},
    \qquad \operatorname{Var}(u_{ct}) = \rho\, p(1-p),\;
    \operatorname{Var}(\bar e_{ct}) = (1-\rho)\, p(1-p)/n_{ct},

where ``rho`` is the campus-by-intake intra-class correlation (share of the
student-level variance ``p(1-p)`` that is common to a campus' intake beyond
the campus and intake fixed effects) and ``p`` the baseline rate. The
estimator is the student-weighted fixed-effects estimate
``tau_hat = sum_ct w_ct ybar_ct`` with ``w = e_1'(X'NX)^{-1}X'N``, so

.. math::

    SE(\hat\tau)^2 = \sum_{ct} w_{ct}^2\, p(1-p)\,[\rho + (1-\rho)/n_{ct}].

For a balanced design with ``G_1`` pilot and ``G_0`` other campuses,
``T_0`` pre and ``T_1`` post intakes of equal size this reduces to
``sigma^2 (1/G_1 + 1/G_0)(1/T_0 + 1/T_1)``. The test uses ``t`` with
``G - 2`` degrees of freedom (the campus-level contrast leaves ``G - 2``):

.. math::

    MDE = (t_{1-\alpha/2, G-2} + t_{\pi, G-2})\, SE, \qquad
    power(\delta) = P(|T| > t_{1-\alpha/2}),\; T \sim t_{G-2}(\delta/SE)
    \text{ (noncentral)}.

The analytic SE assumes independent cell shocks; the simulation additionally
draws campus effects, binomial outcomes, and applies the actual inference
methods (whose size/power with few clusters is the point).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import NotEstimable
from .data import TARGET_PROGRAMME, Cells, OutcomeDefinition, as_cells
from .estimate import INFERENCES, OUTCOMES, Inference, InferenceOptions, check_names, estimate_cells
from .model import cell_design, coefficient_weights, fit_ols


@dataclass(frozen=True)
class PowerDesign:
    """Design of the campus comparison.

    Attributes
    ----------
    students_per_intake : sequence of float
        Mean SSA students per intake at each campus.
    pilot : sequence of bool
        Pilot status of each campus.
    n_pre, n_post : int
        Intakes before and from the pilot start.
    baseline : float
        Baseline dropout rate (0.17 = 17 %).
    icc : float
        Campus-by-intake intra-class correlation ``rho``.
    campus_sd : float
        SD of campus effects in the simulation (absorbed by the fixed effects;
        irrelevant for the analytic SE).
    campuses : sequence of str, optional
    """

    students_per_intake: Sequence[float]
    pilot: Sequence[bool]
    n_pre: int
    n_post: int
    baseline: float = 0.17
    icc: float = 0.005
    campus_sd: float = 0.02
    campuses: Sequence[str] = field(default=())

    @property
    def G(self) -> int:
        """Number of campuses."""
        return len(self.pilot)

    @property
    def n_pilot(self) -> int:
        """Number of pilot campuses."""
        return int(np.sum(self.pilot))

    def campus_names(self) -> list[str]:
        """Campus labels (``campus1``, ``campus2``, ... when none were given)."""
        return list(self.campuses) or [f"campus{i + 1}" for i in range(self.G)]

    def cell_table(self) -> pd.DataFrame:
        """Campus × intake cells (SSA) with expected sizes and treatment."""
        rows = []
        for c, (m, pil) in enumerate(zip(self.students_per_intake, self.pilot, strict=True)):
            for t in range(self.n_pre + self.n_post):
                rows.append(
                    {
                        "programme": TARGET_PROGRAMME,
                        "campus": self.campus_names()[c],
                        "intake": f"t{t:02d}",
                        "intake_idx": t,
                        "n": max(int(round(m)), 1),
                        "treated": int(bool(pil) and t >= self.n_pre),
                        "pilot": bool(pil),
                    }
                )
        return pd.DataFrame(rows)

    @classmethod
    def from_cells(cls, data: pd.DataFrame | Cells, n_post: int | None = None, baseline: float = 0.17,
                   icc: float = 0.005, **kw) -> PowerDesign:
        """Design read off the data.

        Campuses, mean SSA intake size per campus, pilot status, number of pre
        intakes (before the earliest start) and of post intakes (observed, or
        ``n_post``).
        """
        cells = as_cells(data)
        tab = cells.table[cells.table["programme"] == TARGET_PROGRAMME]
        first = min(cells.start.values()) if cells.start else len(cells.intakes)
        sizes = tab.groupby("campus")["n"].mean()
        camps = list(sizes.index)
        # count SSA intakes only (intakes of other programmes have no SSA cells)
        present = np.unique(tab["intake_idx"].to_numpy())
        n_pre = int((present < first).sum())
        n_post_obs = int((present >= first).sum())
        return cls(
            [float(sizes[c]) for c in camps], [c in cells.start for c in camps], n_pre,
            int(n_post if n_post is not None else max(n_post_obs, 1)), baseline, icc, campuses=camps, **kw,
        )


def analytic_se(design: PowerDesign) -> float:
    """SE of the fixed-effects DiD estimate under the working model (proportion scale)."""
    tab = design.cell_table()
    w = coefficient_weights(cell_design(tab, tab["treated"].to_numpy(float), "did"))
    p = design.baseline
    var_cell = p * (1 - p) * (design.icc + (1 - design.icc) / tab["n"].to_numpy(float))
    return float(np.sqrt(np.sum(w**2 * var_cell)))


def analytic_power(design: PowerDesign, effect: float | np.ndarray, alpha: float = 0.05) -> np.ndarray:
    """Two-sided power against ``effect`` (proportion, sign irrelevant), noncentral ``t(G-2)``."""
    se = analytic_se(design)
    df = design.G - 2
    if df < 1:
        raise NotEstimable("the analytic power needs at least three campuses")
    crit = stats.t.ppf(1 - alpha / 2, df)
    nc = np.abs(np.asarray(effect, float)) / se
    return stats.nct.sf(crit, df, nc) + stats.nct.cdf(-crit, df, nc)


def mde_from_se(se: float, df: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """Minimum detectable effect ``(t_{1-alpha/2, df} + t_{power, df}) * SE`` (Bloom 1995, eq. 1, with t for z).

    In the unit of ``se``. The one place this formula is written: the analytic
    and CR2 design MDEs and the report's timeline scaled to the realised SE
    all call it.
    """
    return float((stats.t.ppf(1 - alpha / 2, df) + stats.t.ppf(power, df)) * se)


def power_from_se(effect: float, se: float, df: float, alpha: float = 0.05) -> float:
    """Chance that the two-sided t-test (``df``) rejects when the true effect is ``effect`` (unit of ``se``).

    The exact power of the t-test: the t-statistic follows a noncentral
    ``t(df, |effect| / se)`` (as in :func:`analytic_power`). The report quotes
    this power; :func:`mde_from_se` is the usual shift approximation, so the
    power at that MDE is close to, not exactly, the power it was computed for.
    """
    crit = stats.t.ppf(1 - alpha / 2, df)
    nc = abs(effect) / se
    return float(stats.nct.sf(crit, df, nc) + stats.nct.cdf(-crit, df, nc))


def analytic_mde(design: PowerDesign, power: float = 0.8, alpha: float = 0.05) -> float:
    """Minimum detectable effect ``(t_{1-a/2} + t_{power}) * SE`` on ``t(G-2)`` (proportion)."""
    return mde_from_se(analytic_se(design), design.G - 2, alpha, power)


def make_dgp(design: PowerDesign, effect: float) -> Callable[[np.random.Generator], Cells]:
    """Data-generating function ``rng -> Cells`` for the working model.

    Cell rate ``p_ct = clip(p + a_c + tau D_ct + u_ct, 0.001, 0.999)`` with
    ``a_c ~ N(0, campus_sd^2)``, ``u_ct ~ N(0, rho p (1-p))``; counts are
    binomial. ``tau = -effect`` (a *reduction* of dropout by ``effect``). The
    excl-switch outcome is drawn as 80 % of the dropouts (binomial thinning).
    """
    base = design.cell_table()
    p = design.baseline
    intakes = tuple(sorted(base["intake"].unique()))
    campuses = tuple(sorted(base["campus"].unique()))
    start = {c: design.n_pre for c, pil in zip(design.campus_names(), design.pilot, strict=True) if pil}
    cidx = base["campus"].map({c: i for i, c in enumerate(campuses)}).to_numpy()
    n = base["n"].to_numpy(int)
    D = base["treated"].to_numpy(float)

    def dgp(rng: np.random.Generator) -> Cells:
        a = rng.normal(0, design.campus_sd, len(campuses))[cidx]
        u = rng.normal(0, np.sqrt(design.icc * p * (1 - p)), len(base))
        rate = np.clip(p + a - effect * D + u, 0.001, 0.999)
        y = rng.binomial(n, rate)
        tab = base.copy()
        tab["y_incl_switch"] = y
        tab["y_excl_switch"] = rng.binomial(y, 0.8)
        cols = ["programme", "campus", "intake", "intake_idx", "n", "y_incl_switch", "y_excl_switch", "treated",
                "pilot"]
        return Cells(tab[cols], intakes, campuses, dict(start), False)

    return dgp


def simulated_power(
    design: PowerDesign,
    effect: float,
    n_reps: int = 200,
    inference: Sequence[Inference] = ("crv1", "cr2", "randomization"),
    alpha: float = 0.05,
    seed: int = 0,
) -> dict:
    """Share of ``n_reps`` simulated data sets (seeded) in which each method rejects ``tau = 0`` at ``alpha``."""
    check_names("inference method", inference, INFERENCES)
    rng = np.random.default_rng(seed)
    dgp = make_dgp(design, effect)
    opts = InferenceOptions(alpha=alpha, seed=seed, ci=False)
    rej = {m: 0 for m in inference}
    for _ in range(n_reps):
        res = estimate_cells(dgp(rng), "incl_switch", "lpm", inference, opts)
        for m in inference:
            rej[m] += res.tests[m].p_value <= alpha
    return {m: rej[m] / n_reps for m in inference}


def power_table(
    design: PowerDesign | pd.DataFrame | Cells,
    target_effect: float = 0.05,
    power: float = 0.8,
    alpha: float = 0.05,
    simulate: bool = True,
    n_reps: int = 200,
    inference: Sequence[Inference] = ("crv1", "cr2", "randomization"),
    seed: int = 0,
) -> pd.DataFrame:
    """MDE and power to detect ``target_effect`` (default 5 pp: 17 % -> 12 %).

    Parameters
    ----------
    design : PowerDesign, DataFrame or Cells
        The design, or data to read it off (:meth:`PowerDesign.from_cells`).
    target_effect : float
        Reduction of dropout to detect (proportion).
    power : float
        Power of the minimum detectable effect.
    alpha : float
        Level of the two-sided test.
    simulate : bool
        Add one row per simulated inference method.
    n_reps : int
        Simulated data sets.
    inference : sequence of str
        Inference methods simulated.
    seed : int

    Returns
    -------
    DataFrame
        Rows: ``analytic_t(G-2)`` and one per simulated inference method;
        columns ``method``, ``mde_pp`` (analytic only), ``power_at_target``,
        ``target_effect_pp``, ``se_pp``, ``n_campuses``, ``n_pilot_campuses``,
        ``n_pre``, ``n_post``, ``icc``, ``baseline_pct``, ``n_reps``, ``seed``.
    """
    if not isinstance(design, PowerDesign):
        design = PowerDesign.from_cells(design)
    se = analytic_se(design)
    common = {
        "target_effect_pp": 100 * target_effect,
        "n_campuses": design.G,
        "n_pilot_campuses": design.n_pilot,
        "n_pre": design.n_pre,
        "n_post": design.n_post,
        "icc": design.icc,
        "baseline_pct": 100 * design.baseline,
    }
    rows = [
        {
            "method": "analytic_t(G-2)",
            "mde_pp": 100 * analytic_mde(design, power, alpha),
            "power_at_target": float(analytic_power(design, target_effect, alpha)),
            "se_pp": 100 * se,
            "n_reps": np.nan,
            "seed": np.nan,
            **common,
        }
    ]
    if simulate:
        sim = simulated_power(design, target_effect, n_reps, inference, alpha, seed)
        for m, pw in sim.items():
            rows.append({"method": f"simulation_{m}", "mde_pp": np.nan, "power_at_target": pw, "se_pp": np.nan,
                         "n_reps": n_reps, "seed": seed, **common})
    return pd.DataFrame(rows)


def power_curve(
    design: PowerDesign,
    effects: Sequence[float] | None = None,
    alpha: float = 0.05,
    simulate: bool = False,
    n_reps: int = 200,
    inference: Sequence[Inference] = ("crv1",),
    seed: int = 0,
) -> pd.DataFrame:
    """Power against a range of effects (proportions; default 0 to 15 pp).

    Returns a long DataFrame with ``effect_pp``, ``method``, ``power``.
    """
    grid = np.linspace(0, 0.15, 16) if effects is None else np.asarray(effects, float)
    rows = [{"effect_pp": 100 * e, "method": "analytic_t(G-2)", "power": float(analytic_power(design, e, alpha))}
            for e in grid]
    if simulate:
        for i, e in enumerate(grid):
            sim = simulated_power(design, e, n_reps, inference, alpha, seed + i)
            rows += [{"effect_pp": 100 * e, "method": f"simulation_{m}", "power": pw} for m, pw in sim.items()]
    return pd.DataFrame(rows)


def estimate_icc(data: pd.DataFrame | Cells, outcome: OutcomeDefinition = "incl_switch") -> dict:
    r"""Campus-by-intake intra-class correlation of SSA dropout, from the pre-period.

    Method of moments on the pre-period SSA cells (before the earliest pilot
    start, so the interventions do not enter): the rate of each cell is
    regressed on campus and intake fixed effects, weighted by its size ``n``;
    with ``MS = sum n_i e_i^2 / df`` and ``p`` the pooled rate,

    .. math::  E[MS] \approx p(1-p) + \bar n \sigma^2_{cell}, \quad
               \hat\rho = \max(0, (MS - p(1-p)) / \bar n) / (p(1-p))

    where :math:`\\bar n` is the mean cell size. It is the ANOVA estimator of
    the between-cell variance, truncated at zero.

    Returns
    -------
    dict
        ``icc``, ``ms``, ``p``, ``n_bar``, ``df``, ``n_cells``.
    """
    check_names("outcome definition", outcome, OUTCOMES)
    cells = as_cells(data)
    first = min(cells.start.values()) if cells.start else np.inf
    tab = cells.table[(cells.table["programme"] == TARGET_PROGRAMME) & (cells.table["intake_idx"] < first)]
    tab = tab.reset_index(drop=True)
    n = tab["n"].to_numpy(float)
    ysum = tab[f"y_{outcome}"].to_numpy(float)
    fit = fit_ols(cell_design(tab, np.zeros((len(tab), 0)), "did"), ysum)  # campus + intake effects only
    df = len(tab) - fit.design.k
    # sum_c n_c e_c^2 / df with the residual of the cell rate e_c = resid_sum_c / n_c
    ms = float(np.sum(fit.resid_sum**2 / n) / df)
    rate = ysum / n
    p = float(np.sum(rate * n) / np.sum(n))
    n_bar = float(n.mean())
    sigma2 = max(0.0, (ms - p * (1 - p)) / n_bar)
    return {"icc": sigma2 / (p * (1 - p)), "ms": ms, "p": p, "n_bar": n_bar, "df": int(df), "n_cells": len(tab)}
