r"""Effects in students and cost per avoided dropout (issue 18, item 6).

An effect on the dropout rate, in percentage points, times the students it applies to is a
number of dropouts a year:

.. math::  \text{avoided} = -\frac{\text{effect}_{pp}}{100}\, n_{\text{year}},

positive when dropout falls (a negative effect). The interval carries over unchanged (a linear
map). The goal is put the same way: falling from the current rate to the goal rate at the same
intake avoids ``(current − goal) / 100 × n`` dropouts a year.

Cost per avoided dropout = yearly cost / avoided dropouts a year. Its interval comes from the
interval of the avoided dropouts (the cost is taken as known): when the interval of the avoided
dropouts reaches zero or below, the upper end is unbounded (``inf``: the data are compatible with no
effect, so no finite cost per avoided dropout is ruled out); when the point estimate itself is not
an avoidance (``avoided <= 0``) there is no cost per avoided dropout at all (NaN).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class StudentsEffect:
    """An effect in percentage points and in dropouts a year among ``n_students`` a year."""

    effect_pp: float
    ci_low_pp: float
    ci_high_pp: float
    n_students: int
    avoided: float
    avoided_low: float
    avoided_high: float


def avoided_dropouts(effect_pp: float, n_students: float) -> float:
    """Dropouts a year avoided by an effect of ``effect_pp`` among ``n_students`` a year (negative effect = avoided)."""
    if n_students < 0:
        raise ValueError(f"the number of students cannot be negative, got {n_students!r}")
    return -float(effect_pp) * float(n_students) / 100.0


def effect_in_students(effect_pp: float, ci_low_pp: float, ci_high_pp: float, n_students: int) -> StudentsEffect:
    """Return the effect and its interval as dropouts avoided a year (the ends swap: low effect = most avoided)."""
    a, b = avoided_dropouts(ci_high_pp, n_students), avoided_dropouts(ci_low_pp, n_students)
    return StudentsEffect(float(effect_pp), float(ci_low_pp), float(ci_high_pp), int(n_students),
                          avoided_dropouts(effect_pp, n_students), min(a, b), max(a, b))


def goal_in_students(current_pct: float, goal_pct: float, n_students: int) -> float:
    """Dropouts a year the goal asks to avoid: from ``current_pct`` to ``goal_pct`` among ``n_students`` a year."""
    return avoided_dropouts(goal_pct - current_pct, n_students)


@dataclass(frozen=True)
class CostPerAvoided:
    """Cost per avoided dropout with its interval (``inf`` = unbounded, NaN = no avoidance)."""

    cost_per_year: float
    per_avoided: float
    low: float
    high: float


def cost_per_avoided(cost_per_year: float, effect: StudentsEffect) -> CostPerAvoided:
    """Yearly cost / avoided dropouts a year, with the interval of the module docstring."""
    if not (math.isfinite(cost_per_year) and cost_per_year >= 0):
        raise ValueError(f"the yearly cost must be a number >= 0, got {cost_per_year!r}")
    if effect.avoided <= 0:
        return CostPerAvoided(cost_per_year, math.nan, math.nan, math.nan)
    point = cost_per_year / effect.avoided
    low = cost_per_year / effect.avoided_high
    high = cost_per_year / effect.avoided_low if effect.avoided_low > 0 else math.inf
    return CostPerAvoided(cost_per_year, point, low, high)
