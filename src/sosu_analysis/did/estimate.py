"""The campus comparison: DiD / DDD / logit ATT with every inference method side by side.

An estimator is fitted once (:class:`FittedModel`); every inference method
is a function of that fit with the same signature, looked up by name in
:data:`INFERENCE_METHODS`. Names are checked against the ``Literal`` types
before anything is computed: a misspelt name raises ``ValueError`` at once.
Only :class:`~sosu_analysis.errors.NotEstimable` (the data cannot identify the
effect) is turned into a table row by :func:`~sosu_analysis.did.tables.did_table`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Literal, Protocol, get_args

import numpy as np
import pandas as pd

from ..errors import NotEstimable, check_alpha, check_count
from .bootstrap import WildWeights, wild_cluster_bootstrap
from .covariance import cr2_test, crv1_test
from .data import Cells, OutcomeDefinition, TreatmentRule, as_cells, sample_mask, treatment_for
from .logit import att_probability, fit_logit, logit_att_crv1
from .model import CellDesign, FixedEffectSpan, cell_design, fit_ols
from .randomization import RIStatistic, randomization_test, randomization_test_generic
from .results import CoefTest, DidResult, LinearFit, LogitFit

Estimator = Literal["lpm", "logit_ame", "triple_diff"]
Inference = Literal["crv1", "cr2", "wild_webb", "wild_rademacher", "randomization"]

OUTCOMES: tuple[OutcomeDefinition, ...] = get_args(OutcomeDefinition)
ESTIMATORS: tuple[Estimator, ...] = get_args(Estimator)
INFERENCES: tuple[Inference, ...] = get_args(Inference)
DEFAULT_INFERENCE: tuple[Inference, ...] = ("crv1", "cr2", "wild_webb", "randomization")


def check_names(kind: str, names: str | Iterable[str], valid: Sequence[str]) -> None:
    """Raise ``ValueError`` naming the valid options when a name in ``names`` is not one of ``valid``.

    Parameters
    ----------
    kind : str
        What the names are (``"estimator"``, ``"inference method"``, ...), for the message.
    names : str or iterable of str
    valid : sequence of str
    """
    for name in [names] if isinstance(names, str) else list(names):
        if name not in valid:
            raise ValueError(f"unknown {kind} {name!r}; valid: {', '.join(valid)}")


@dataclass(frozen=True)
class InferenceOptions:
    """Settings of the inference methods.

    Attributes
    ----------
    alpha : float
        1 - confidence level, strictly between 0 and 1.
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

    def __post_init__(self) -> None:
        # every option checked here, where it enters: wild_draws=0 would otherwise end in an IndexError
        check_alpha(self.alpha)
        check_count("seed", self.seed, 0)
        check_count("wild_max_enumerate", self.wild_max_enumerate)
        check_count("wild_draws", self.wild_draws)
        check_count("ri_max_assignments", self.ri_max_assignments)
        if not isinstance(self.ci, bool):
            raise ValueError(f"ci must be True or False, not {self.ci!r}")
        check_names("randomization statistic", self.ri_statistic, get_args(RIStatistic))


#: the default settings (a module-level instance, so that defaults are not built in signatures)
DEFAULT_OPTIONS = InferenceOptions()


@dataclass(frozen=True)
class FittedModel:
    """An estimator fitted once, with what the inference methods need to refit it.

    Attributes
    ----------
    estimator : {"lpm", "logit_ame", "triple_diff"}
    fit : LinearFit or LogitFit
        The fit on the observed treatment (treatment column first).
    table : DataFrame
        The cells of the estimation sample.
    start : ndarray
        Observed pilot start (``intake_idx``) per cluster, ``inf`` = never.
    """

    estimator: Estimator
    fit: LinearFit | LogitFit
    table: pd.DataFrame
    start: np.ndarray

    @property
    def design(self) -> CellDesign:
        """The observed design."""
        return self.fit.design

    @property
    def estimate(self) -> float:
        """The ATT: the treatment coefficient, or for the logit the ATT on the probability scale."""
        if isinstance(self.fit, LogitFit):
            return att_probability(self.fit)[0]
        return float(self.fit.beta[0])

    @cached_property
    def treatment_rule(self) -> TreatmentRule:
        """The treatment rule on :attr:`table` with the clusters' campus order (read from the table once)."""
        return TreatmentRule.of(self.table, self.design.cluster_labels)

    @cached_property
    def fixed_effect_span(self) -> FixedEffectSpan:
        """The span of the observed design's fixed effects, to tell which assignments identify an effect."""
        return FixedEffectSpan.of(self.design)

    def design_for(self, start: np.ndarray) -> CellDesign:
        """Return the design under another assignment of start intakes to clusters."""
        return self.design.with_treatment(self.treatment_rule.treatment(start), ["pilot_post"])

    def identified_design_for(self, start: np.ndarray) -> CellDesign:
        """Return :meth:`design_for`, or raise NotEstimable when the treatment has no identifying variation.

        The treatment identifies no effect when it lies in the span of the
        fixed effects (the rule :func:`~sosu_analysis.did.model.cell_design`
        applies to the observed treatment).
        """
        T = self.treatment_rule.treatment(start)
        if not self.fixed_effect_span.identifies(T)[0]:
            raise NotEstimable("the treatment has no variation left after the fixed effects")
        return self.design.with_treatment(T, ["pilot_post"])

    def linear(self) -> LinearFit:
        """Return the fit as a :class:`LinearFit` (for inference methods of the linear model only)."""
        if not isinstance(self.fit, LinearFit):
            raise TypeError(f"{self.estimator} is not a linear model")
        return self.fit


class InferenceMethod(Protocol):
    """The signature every inference method has."""

    def __call__(self, model: FittedModel, options: InferenceOptions, rng: np.random.Generator) -> CoefTest:
        """Test of no effect and interval for the fitted ``model``."""
        ...


def _crv1(model: FittedModel, options: InferenceOptions, rng: np.random.Generator) -> CoefTest:
    if isinstance(model.fit, LogitFit):
        return logit_att_crv1(model.fit, 0, options.alpha)
    return crv1_test(model.fit, 0, options.alpha)


def _cr2(model: FittedModel, options: InferenceOptions, rng: np.random.Generator) -> CoefTest:
    return cr2_test(model.linear(), 0, options.alpha)


def _wild(weights: WildWeights) -> InferenceMethod:
    def method(model: FittedModel, options: InferenceOptions, rng: np.random.Generator) -> CoefTest:
        return wild_cluster_bootstrap(model.linear(), 0, weights, options.wild_max_enumerate, options.wild_draws,
                                      rng, options.alpha, options.ci)

    return method


def _randomization(model: FittedModel, options: InferenceOptions, rng: np.random.Generator) -> CoefTest:
    if isinstance(model.fit, LinearFit):
        # identified_design_for drops an assignment without identifying variation itself (no rank check per refit)
        return randomization_test(model.fit, model.identified_design_for, model.start, options.ri_statistic,
                                  options.alpha, options.ci, options.ri_max_assignments, rng, check_rank=False)
    ysum = model.fit.ysum
    refit_problems: list[str] = []
    n_refits = 0

    def logit_att(start: np.ndarray) -> float:
        nonlocal n_refits
        d = model.design_for(start)
        if not np.any(d.X[:, 0]):
            return np.nan
        lfit = fit_logit(d, ysum)
        n_refits += 1
        refit_problems.extend(lfit.problems)
        return att_probability(lfit)[0]

    test = randomization_test_generic(logit_att, model.start, options.ri_max_assignments, rng)
    counts = {p: refit_problems.count(p) for p in dict.fromkeys(refit_problems)}
    notes = tuple(f"{k} of {n_refits} logit refits in the randomization test: {p}" for p, k in counts.items())
    return replace(test, notes=test.notes + notes)


#: every inference method by name; each has the signature of :class:`InferenceMethod`
INFERENCE_METHODS: dict[Inference, InferenceMethod] = {
    "crv1": _crv1,
    "cr2": _cr2,
    "wild_webb": _wild("webb"),
    "wild_rademacher": _wild("rademacher"),
    "randomization": _randomization,
}

#: the inference methods each estimator offers
AVAILABLE: dict[Estimator, frozenset[Inference]] = {
    "lpm": frozenset(INFERENCES),
    "triple_diff": frozenset(INFERENCES),
    "logit_ame": frozenset({"crv1", "randomization"}),
}

#: why an estimator does not offer the methods it lacks
UNAVAILABLE_REASON: dict[Estimator, str] = {
    "logit_ame": "not available for the logit ATT (a wild bootstrap of the linear model is not a logit bootstrap)",
}


def _fit(cells: Cells, outcome: OutcomeDefinition, estimator: Estimator) -> tuple[FittedModel, list[str]]:
    fe: Literal["did", "ddd"] = "ddd" if estimator == "triple_diff" else "did"
    sub = cells.subset(sample_mask(cells.table, fe))
    if sub.table.empty:
        raise NotEstimable("no cells in the estimation sample")
    design = cell_design(sub.table, sub.table["treated"].to_numpy(float), fe, campuses=sub.campuses)
    if design.G < 2:
        raise NotEstimable("at least two campuses are needed")
    ysum = sub.outcome_sum(outcome)
    start = sub.start_for(design.cluster_labels)
    warnings: list[str] = []
    fit: LinearFit | LogitFit
    if estimator == "logit_ame":
        fit = fit_logit(design, ysum)
        warnings += fit.problems
    else:
        fit = fit_ols(design, ysum)
    return FittedModel(estimator, fit, sub.table, start), warnings


def estimate_cells(
    cells: Cells,
    outcome: OutcomeDefinition = "incl_switch",
    estimator: Estimator = "lpm",
    inference: Sequence[Inference] = DEFAULT_INFERENCE,
    options: InferenceOptions = DEFAULT_OPTIONS,
) -> DidResult:
    """:func:`estimate_did` on prepared :class:`~sosu_analysis.did.data.Cells`."""
    check_names("outcome definition", outcome, OUTCOMES)
    check_names("estimator", estimator, ESTIMATORS)
    check_names("inference method", inference, INFERENCES)
    model, warnings = _fit(cells, outcome, estimator)
    rng = np.random.default_rng(options.seed)
    tests: dict[str, CoefTest] = {}
    unavailable: dict[str, str] = {}
    for m in inference:
        if m in AVAILABLE[estimator]:
            tests[m] = INFERENCE_METHODS[m](model, options, rng)
        else:
            unavailable[m] = UNAVAILABLE_REASON[estimator]
    d = model.design
    return DidResult(estimator, outcome, model.estimate, tests, int(d.N), d.G, int(np.isfinite(model.start).sum()),
                     len(model.table), warnings, unavailable)


def estimate_did(
    data: pd.DataFrame | Cells,
    outcome: OutcomeDefinition = "incl_switch",
    estimator: Estimator = "lpm",
    inference: Sequence[Inference] = DEFAULT_INFERENCE,
    options: InferenceOptions = DEFAULT_OPTIONS,
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
        Methods the estimator does not offer are listed in
        :attr:`DidResult.unavailable <sosu_analysis.did.results.DidResult>`.
    options : InferenceOptions
    intake_order : sequence, optional
        Intake labels in time order (see :func:`~sosu_analysis.did.data.to_cells`).

    Returns
    -------
    DidResult

    Raises
    ------
    ValueError
        An unknown outcome, estimator or inference name (the message lists the valid ones).
    NotEstimable
        The data cannot identify the effect (e.g. a triple difference without
        SSH or PAU cells, fewer than two campuses).

    Notes
    -----
    All estimates are computed on cells and equal the student-level fits
    exactly (see :mod:`sosu_analysis.did.model`). Clusters are campuses.
    """
    return estimate_cells(as_cells(data, intake_order), outcome, estimator, inference, options)


def placebo_cells(cells: Cells, placebo_start: object = None) -> Cells:
    """Cells of the pre-period with a fake pilot start.

    Keeps the intakes before the earliest true pilot start; the pilot
    campuses get a common fake start at ``placebo_start`` (an intake label;
    default: the middle pre-period intake, ``intakes[T_pre // 2]``).

    Raises
    ------
    NotEstimable
        No pilot campus, or fewer than two pre-period intakes.
    ValueError
        ``placebo_start`` is not a pre-period intake after the first intake.
    """
    if not cells.start:
        raise NotEstimable("no pilot campus")
    first = min(cells.start.values())
    if first < 2:
        raise NotEstimable("a placebo needs at least two pre-period intakes")
    if placebo_start is None:
        fake = first // 2
    else:
        fake = cells.intakes.index(placebo_start)
        if not 0 < fake < first:
            raise ValueError("placebo_start must be a pre-period intake after the first intake")
    tab = cells.table[cells.table["intake_idx"] < first].copy()
    start = {c: fake for c in cells.start}
    start_vec = np.array([start.get(c, np.inf) for c in cells.campuses])
    tab["treated"] = treatment_for(tab, cells.campuses, start_vec).astype(int)
    return Cells(tab.reset_index(drop=True), cells.intakes, cells.campuses, start, cells.student_level)


def placebo_did(
    data: pd.DataFrame | Cells,
    outcome: OutcomeDefinition = "incl_switch",
    placebo_start: object = None,
    estimator: Estimator = "lpm",
    inference: Sequence[Inference] = DEFAULT_INFERENCE,
    options: InferenceOptions = DEFAULT_OPTIONS,
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
