"""The campus comparison: DiD / DDD / logit ATT with every inference method side by side."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ..definitions import OUTCOME_NAMES
from .bootstrap import wild_cluster_bootstrap
from .covariance import CoefTest, cr2_test, crv1_test
from .data import Cells, OutcomeDefinition, as_cells, treatment_for
from .logit import att_probability, fit_logit, logit_att_crv1
from .model import Design, build_design, fit_ols, sample_mask
from .randomization import RIStatistic, randomization_test, randomization_test_generic

Estimator = Literal["lpm", "logit_ame", "triple_diff"]
Inference = Literal["crv1", "cr2", "wild_webb", "wild_rademacher", "randomization"]

DEFAULT_INFERENCE: tuple = ("crv1", "cr2", "wild_webb", "randomization")
OUTCOMES: tuple = OUTCOME_NAMES
ESTIMATORS: tuple = ("lpm", "logit_ame", "triple_diff")
#: inference methods available for each estimator
AVAILABLE = {
    "lpm": {"crv1", "cr2", "wild_webb", "wild_rademacher", "randomization"},
    "triple_diff": {"crv1", "cr2", "wild_webb", "wild_rademacher", "randomization"},
    "logit_ame": {"crv1", "randomization"},
}


@dataclass(frozen=True)
class InferenceOptions:
    """Settings of the inference methods.

    Attributes
    ----------
    alpha : float
        1 - confidence level.
    seed : int
        Seed for every random draw (bootstrap patterns when not enumerated,
        sampled assignments when there are too many to enumerate).
    wild_max_enumerate : int
        Enumerate all ``6**G`` (Webb) or ``2**G`` sign patterns when at most this many.
    wild_draws : int
        Random patterns otherwise.
    ri_statistic : {"t", "coef"}
        Randomization statistic for linear estimators.
    ri_max_assignments : int
        Enumerate all assignments when at most this many, else sample.
    ci : bool
        Compute bootstrap and randomization intervals by test inversion.
    """

    alpha: float = 0.05
    seed: int = 0
    wild_max_enumerate: int = 100_000
    wild_draws: int = 9_999
    ri_statistic: RIStatistic = "t"
    ri_max_assignments: int = 100_000
    ci: bool = True


@dataclass
class DidResult:
    """One estimate with its inference side by side.

    Attributes
    ----------
    estimator : {"lpm", "logit_ame", "triple_diff"}
    outcome : {"incl_switch", "excl_switch"}
    estimate : float
        ATT as a proportion (multiply by 100 for percentage points).
    tests : dict
        Inference method -> :class:`~sosu_analysis.did.covariance.CoefTest`.
    n_students, n_campuses, n_pilot_campuses, n_cells : int
    notes : list of str
        Methods skipped and why, warnings.
    """

    estimator: str
    outcome: str
    estimate: float
    tests: dict
    n_students: int
    n_campuses: int
    n_pilot_campuses: int
    n_cells: int
    notes: list = field(default_factory=list)
    label: str = ""

    def to_frame(self) -> pd.DataFrame:
        """One row per inference method; effects in percentage points."""
        rows = []
        for m, t in self.tests.items():
            rows.append(
                {
                    "outcome_definition": self.outcome,
                    "estimator": self.estimator,
                    "inference": m,
                    "att_pp": 100 * self.estimate,
                    "se_pp": 100 * t.se if np.isfinite(t.se) else np.nan,
                    "df": t.df,
                    "ci_low_pp": 100 * t.ci_low,
                    "ci_high_pp": 100 * t.ci_high,
                    "p_value": t.p_value,
                    "n_draws": t.extra.get("n_draws", t.extra.get("n_assignments", np.nan)),
                    "min_p": t.extra.get("min_p", np.nan),
                    "n_students": self.n_students,
                    "n_campuses": self.n_campuses,
                    "n_pilot_campuses": self.n_pilot_campuses,
                }
            )
        return pd.DataFrame(rows)


def _base_design(cells: Cells, estimator: Estimator) -> tuple[Cells, Design]:
    fe = "ddd" if estimator == "triple_diff" else "did"
    sub = cells.subset(sample_mask(cells.table, "ddd" if fe == "ddd" else "did"))
    if sub.table.empty:
        raise ValueError("no cells in the estimation sample")
    design = build_design(sub.table, sub.table["treated"].to_numpy(float), fe, campuses=sub.campuses)
    if design.G < 2:
        raise ValueError("at least two campuses are needed")
    return sub, design


def _start_vector(cells: Cells, design: Design) -> np.ndarray:
    return np.array([cells.start.get(c, np.inf) for c in design.cluster_labels], dtype=float)


def estimate_cells(
    cells: Cells,
    outcome: OutcomeDefinition = "incl_switch",
    estimator: Estimator = "lpm",
    inference: Sequence[Inference] = DEFAULT_INFERENCE,
    options: InferenceOptions = InferenceOptions(),
) -> DidResult:
    """:func:`estimate_did` on prepared :class:`~sosu_analysis.did.data.Cells`."""
    sub, design = _base_design(cells, estimator)
    tab = sub.table
    ysum = sub.outcome_sum(outcome)
    d_obs = tab["treated"].to_numpy(float)
    start = _start_vector(sub, design)
    labels = design.cluster_labels

    def design_for(s: np.ndarray) -> Design:
        return design.with_treatment(treatment_for(tab, labels, s), ["pilot_post"])

    notes: list[str] = []
    tests: dict[str, CoefTest] = {}
    rng = np.random.default_rng(options.seed)
    if estimator in ("lpm", "triple_diff"):
        fit = fit_ols(design, ysum)
        est = float(fit.beta[0])
        for m in inference:
            if m == "crv1":
                tests[m] = crv1_test(fit, 0, options.alpha)
            elif m == "cr2":
                tests[m] = cr2_test(fit, 0, options.alpha)
            elif m in ("wild_webb", "wild_rademacher"):
                tests[m] = wild_cluster_bootstrap(
                    design, ysum, 0, m.removeprefix("wild_"), options.wild_max_enumerate,
                    options.wild_draws, rng, options.alpha, options.ci,
                )
            elif m == "randomization":
                tests[m] = randomization_test(
                    design_for, ysum, design.n, d_obs, start, options.ri_statistic, options.alpha,
                    options.ci, options.ri_max_assignments, rng,
                )
            else:
                raise ValueError(f"unknown inference method {m!r}")
    elif estimator == "logit_ame":
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lfit = fit_logit(design, ysum)
        notes += [str(w.message) for w in caught]
        est, _ = att_probability(lfit)
        for m in inference:
            if m not in AVAILABLE["logit_ame"]:
                notes.append(f"{m}: not available for the logit ATT (a wild bootstrap of the linear model is not a logit bootstrap)")
                continue
            if m == "crv1":
                tests[m] = logit_att_crv1(lfit, 0, options.alpha)
            elif m == "randomization":

                def stat(s: np.ndarray) -> float:
                    dd = design_for(s)
                    if not np.any(dd.X[:, 0]):
                        return np.nan
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        return att_probability(fit_logit(dd, ysum))[0]

                tests[m] = randomization_test_generic(stat, start, options.ri_max_assignments, rng)
    else:
        raise ValueError(f"unknown estimator {estimator!r}")
    return DidResult(
        estimator, outcome, est, tests, int(design.N), design.G,
        int(np.isfinite(start).sum()), len(tab), notes,
    )


def estimate_did(
    data: pd.DataFrame | Cells,
    outcome: OutcomeDefinition = "incl_switch",
    estimator: Estimator = "lpm",
    inference: Sequence[Inference] = DEFAULT_INFERENCE,
    options: InferenceOptions = InferenceOptions(),
    intake_order: Sequence | None = None,
) -> DidResult:
    """Estimate the pilot effect on dropout with few-cluster inference.

    Parameters
    ----------
    data : DataFrame or Cells
        Student-level or campus × intake (× programme) cell data (see
        :func:`~sosu_analysis.did.data.to_cells`).
    outcome : {"incl_switch", "excl_switch"}
        Dropout including programme switches (``dropout_total``) or excluding
        them (``dropout_noswitch``).
    estimator : {"lpm", "logit_ame", "triple_diff"}
        ``"lpm"``: SSA students, ``dropout ~ pilot_post + campus FE + intake
        FE``. ``"logit_ame"``: the same design as a logit, effect = average
        over treated students of p(treated) - p(untreated) (Puhani 2012).
        ``"triple_diff"``: SSA, SSH and PAU with campus×programme,
        intake×programme and campus×intake fixed effects; SSH and PAU at the
        same campuses are the controls for the campus-specific shocks.
    inference : sequence of {"crv1", "cr2", "wild_webb", "wild_rademacher", "randomization"}
    options : InferenceOptions

    Returns
    -------
    DidResult

    Notes
    -----
    All estimates are computed on cells and equal the student-level fits
    exactly (see :mod:`sosu_analysis.did.model`). Clusters are campuses.
    """
    return estimate_cells(as_cells(data, intake_order), outcome, estimator, inference, options)


def placebo_cells(cells: Cells, placebo_start=None) -> Cells:
    """Cells of the pre-period with a fake pilot start.

    Keeps the intakes before the earliest true pilot start; the pilot
    campuses get a common fake start at ``placebo_start`` (an intake label;
    default: the middle pre-period intake, ``intakes[T_pre // 2]``).
    """
    if not cells.start:
        raise ValueError("no pilot campus")
    first = min(cells.start.values())
    if first < 2:
        raise ValueError("a placebo needs at least two pre-period intakes")
    if placebo_start is None:
        fake = first // 2
    else:
        fake = cells.intakes.index(placebo_start)
        if not 0 < fake < first:
            raise ValueError("placebo_start must be a pre-period intake after the first intake")
    tab = cells.table[cells.table["intake_idx"] < first].copy()
    start = {c: fake for c in cells.start}
    tab["treated"] = treatment_for(tab, cells.campuses, np.array([start.get(c, np.inf) for c in cells.campuses])).astype(int)
    return Cells(tab.reset_index(drop=True), cells.intakes, cells.campuses, start, cells.student_level)


def placebo_did(
    data: pd.DataFrame | Cells,
    outcome: OutcomeDefinition = "incl_switch",
    placebo_start=None,
    estimator: Estimator = "lpm",
    inference: Sequence[Inference] = DEFAULT_INFERENCE,
    options: InferenceOptions = InferenceOptions(),
    intake_order: Sequence | None = None,
) -> DidResult:
    """Placebo: the same estimator on pre-period data with a fake pilot start date.

    An estimate far from zero signals differential pre-trends or
    campus-specific shocks. See :func:`placebo_cells` for the sample.
    """
    pc = placebo_cells(as_cells(data, intake_order), placebo_start)
    res = estimate_cells(pc, outcome, estimator, inference, options)
    res.label = f"placebo start {pc.intakes[next(iter(pc.start.values()))]}"
    return res
