"""The strength of the evidence: a 0-5 rating by stated rules (issue 18, item 5).

After the Education Endowment Foundation's padlocks (EEF, *Classifying the security of EEF
findings*, 2019): the design sets a ceiling, and each weakness takes padlocks off. The rules
(docs/decisions.md, issue 18) are data here, so that the documentation, the tests and the report's
word list (:mod:`sosu_analysis.reporting.design_section`) name the same thresholds:

======================  =============================================================  ==========
criterion               level                                                          padlocks
======================  =============================================================  ==========
design (ceiling)        randomised 5; stepped roll-out 4; national donors (synthetic   ceiling
                        DiD) 4; in-school comparison of campuses 3; before-after 1
comparison units        fewer than 5: −2; 5-19: −1; 20 or more: 0                      −2 … 0
pre-period fit          RMSE of the pre-period gap (pp) over the target: −2; over       −2 … 0
                        half the target: −1; unknown: −1; else 0
coverage of the data    share of the panel's cells observed below 50 %: −2; below       −2 … 0
                        80 %: −1; else 0
detectable effect       MDE over twice the target: −2; over the target: −1; else 0      −2 … 0
======================  =============================================================  ==========

The rating is the ceiling plus the deductions, at least 0. The result carries *codes*, never
prose: the Danish words live in the presentation layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

EvidenceDesign = Literal["randomised", "stepped_rollout", "national_sdid", "in_school", "before_after"]
#: the highest rating each design can reach
DESIGN_CEILING: dict[str, int] = {"randomised": 5, "stepped_rollout": 4, "national_sdid": 4, "in_school": 3,
                                  "before_after": 1}
#: comparison units: (fewer than, deduction), first match wins
UNIT_RULES = ((5, -2, "few_comparison_units"), (20, -1, "some_comparison_units"))
#: pre-period fit: (RMSE over this multiple of the target, deduction)
FIT_RULES = ((1.0, -2, "poor_pre_fit"), (0.5, -1, "loose_pre_fit"))
#: coverage: (observed share below, deduction)
COVERAGE_RULES = ((0.5, -2, "very_low_coverage"), (0.8, -1, "low_coverage"))
#: detectable effect: (MDE over this multiple of the target, deduction)
MDE_RULES = ((2.0, -2, "mde_far_above_target"), (1.0, -1, "mde_above_target"))


@dataclass(frozen=True)
class Reason:
    """One criterion's verdict: a code (``"few_comparison_units"``) and the padlocks it takes (0 or negative)."""

    code: str
    points: int


@dataclass(frozen=True)
class EvidenceRating:
    """A 0-5 rating with its reasons (the ceiling first, then one reason per criterion)."""

    design: str
    rating: int
    ceiling: int
    reasons: tuple[Reason, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes, in order."""
        return tuple(r.code for r in self.reasons)

    @property
    def deductions(self) -> tuple[Reason, ...]:
        """The reasons that took padlocks off."""
        return tuple(r for r in self.reasons if r.points < 0)


def _first(value: float, rules: tuple[tuple[float, int, str], ...], below: bool, ok: str) -> Reason:
    for bound, points, code in rules:
        if (value < bound) if below else (value > bound):
            return Reason(code, points)
    return Reason(ok, 0)


def rate_evidence(design: str, n_comparison_units: int, pre_fit_rmse_pp: float | None, coverage: float,
                  mde_pp: float | None, target_pp: float) -> EvidenceRating:
    """Rate the evidence of one design by the rules of the module docstring.

    Parameters
    ----------
    design
        A key of :data:`DESIGN_CEILING`.
    n_comparison_units
        Comparison campuses (donors kept, or the non-pilot campuses).
    pre_fit_rmse_pp
        Root mean square of the pre-period gap between the treated units and their comparison, in
        percentage points (``None``/NaN: unknown).
    coverage
        Share (0-1) of the panel's cells that are observed (not suppressed or missing).
    mde_pp
        The design's minimum detectable effect now (``None``/NaN: cannot be computed yet, rated as
        far above the target).
    target_pp
        The effect sought (positive, percentage points).
    """
    if design not in DESIGN_CEILING:
        raise ValueError(f"unknown design {design!r}; known: {', '.join(DESIGN_CEILING)}")
    if not target_pp > 0:
        raise ValueError(f"the target effect must be positive, got {target_pp!r}")
    if not 0 <= coverage <= 1:
        raise ValueError(f"coverage is a share 0-1, got {coverage!r}")
    if n_comparison_units < 0:
        raise ValueError(f"the number of comparison units cannot be negative, got {n_comparison_units!r}")
    ceiling = DESIGN_CEILING[design]
    reasons = [Reason(f"design_{design}", 0),
               _first(n_comparison_units, UNIT_RULES, True, "many_comparison_units")]
    if pre_fit_rmse_pp is None or not math.isfinite(pre_fit_rmse_pp):
        reasons.append(Reason("pre_fit_unknown", -1))
    else:
        reasons.append(_first(pre_fit_rmse_pp / target_pp, FIT_RULES, False, "good_pre_fit"))
    reasons.append(_first(coverage, COVERAGE_RULES, True, "good_coverage"))
    if mde_pp is None or not math.isfinite(mde_pp):
        reasons.append(Reason("mde_unknown", MDE_RULES[0][1]))
    else:
        reasons.append(_first(mde_pp / target_pp, MDE_RULES, False, "mde_reaches_target"))
    rating = max(0, ceiling + sum(r.points for r in reasons))
    return EvidenceRating(design, rating, ceiling, tuple(reasons))
