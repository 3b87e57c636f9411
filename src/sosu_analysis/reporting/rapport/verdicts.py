"""Every verdict of the report, computed once from the result tables (:class:`Verdicts`).

Sections, answers and recommendations read their verdicts from here and never from the tables
directly, so two sentences about the same quantity cannot disagree (``tests/test_rapport_consistency.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd
from scipy import stats

from ...definitions import GOAL_DEFINITION, OUTCOME_LABEL_DA
from ...did.timeline import Timing
from ...models.trend import SCHOOL, GoalPace, goal_pace, school_trend
from .results import (
    RANDOMIZATION,
    Results,
    did_row,
    goal_programmes,
    goal_row,
    one_row,
    pretrend_rows,
    programmes,
    trend_row,
)
from .uncertainty import (
    Evidence,
    Source,
    did_evidence,
    flags,
    funnel_evidence,
    goal_evidence,
    national_trend_evidence,
    trend_evidence,
)

#: the pre-trend methods of event_study_pretrend.csv in words (the lead's text names none of them)
PRETREND_DA = {"crv1": "alle optag før start samlet", "cr2": "alle optag før start samlet, rettet for få afdelinger",
               "cr2_htz": "alle optag før start samlet, mest forsigtige udgave",
               "cr2_slope": "en jævn forskel i udviklingen før start", "randomization": "randomiseringstesten"}


@dataclass(frozen=True)
class Check:
    """A diagnostic test (pre-trend, overdispersion, funnel): what it tested, its p-value, whether it flags."""

    key: str
    what: str
    p: float
    flagged: bool
    value: float = float("nan")


@dataclass
class Verdicts:
    """The report's verdicts, one :class:`Evidence` per quantity, and every diagnostic check."""

    alpha: float
    synthetic: bool
    trend: dict[str, Evidence]
    trend_rows: dict[str, dict]
    goal: dict[str, Evidence]
    pace: dict[str, GoalPace]
    pilot: dict[tuple[str, int], Evidence]
    timing: Timing
    pretrend: dict[str, list[Check]]
    overdispersion: Check
    national_trend: dict[str, Evidence] = field(default_factory=dict)
    national_level: dict[str, Evidence] = field(default_factory=dict)
    funnel: dict[str, Check] = field(default_factory=dict)
    national_synthetic: bool = False
    n_campuses: int = 0
    n_pilot: int = 0

    @property
    def pilot_source(self) -> Source:
        """Where the campus comparison's numbers come from."""
        return "syntetisk" if self.synthetic else "elevdata"

    def main_pilot(self, definition: str = GOAL_DEFINITION) -> Evidence:
        """Return the campus comparison's verdict at the main horizon."""
        return self.pilot[(definition, self.timing.horizon)]

    @property
    def floor(self) -> float:
        """The smallest p-value the randomization test can give with these campuses."""
        return self.main_pilot().floor

    @property
    def pretrend_flagged(self) -> list[str]:
        """The definitions for which any pre-trend test flags."""
        return [d for d, checks in self.pretrend.items() if any(c.flagged for c in checks)]


def build(res: Results, when: Timing, national: dict[str, pd.DataFrame] | None = None) -> Verdicts:
    """Compute every verdict once (``national``: chapter 07's tables, ``None`` when it did not run)."""
    a = res.alpha
    trend, rows = {}, {}
    for prog in programmes(res):
        r = trend_row(res, prog)
        rows[prog] = r.to_dict()
        trend[prog] = trend_evidence(r, a, f"tendens:{prog}")
    school = school_trend(res["table1"], GOAL_DEFINITION, a)
    rows[SCHOOL] = school
    trend[SCHOOL] = trend_evidence(pd.Series(school), a, f"tendens:{SCHOOL}")
    goal, pace = {}, {}
    for prog in goal_programmes(res):
        g = goal_row(res, prog)
        goal[prog] = goal_evidence(g, a, f"maal:{prog}")
        pace[prog] = goal_pace(int(g["year"]), float(g["observed_pct"]), float(rows[prog]["slope_log_odds_per_year"]),
                               float(g["goal_pct"]))
    src: Source = "syntetisk" if res.synthetic else "elevdata"
    pilot = {}
    for d in OUTCOME_LABEL_DA:
        for h in res.horizons:
            ri = one_row(res["did"], "did.csv", outcome_definition=d, horizon_months=h, estimator="lpm",
                         inference=RANDOMIZATION)
            pilot[(d, h)] = did_evidence(did_row(res, d, h), a, f"indsats:{d}:{h}", src, float(ri["min_p"]))
    pretrend = {d: [Check(f"førtrend:{d}:{m}", PRETREND_DA.get(str(m), str(m)), float(p), flags(float(p), a))
                    for m, p in zip(t["method"], t["p_value"], strict=True)]
                for d in OUTCOME_LABEL_DA if len(t := pretrend_rows(res, d))}
    first = trend_row(res, programmes(res)[0])
    phi, dfd = float(first["dispersion"]), float(first["df_dispersion"])
    p_phi = float(stats.chi2.sf(phi * dfd, dfd)) if dfd > 0 else float("nan")
    main = did_row(res, GOAL_DEFINITION)
    v = Verdicts(a, bool(res.synthetic), trend, rows, goal, pace, pilot, when, pretrend,
                 Check("overspredning", "årene svinger mere end tilfældigheder blandt eleverne", p_phi,
                       flags(p_phi, a), phi),
                 n_campuses=int(main["n_campuses"]), n_pilot=int(main["n_pilot_campuses"]))
    if national is not None:
        prov = national["national_provenance"]
        v.national_synthetic = bool(prov["synthetic"].astype(str).str.lower().eq("true").any())
        nsrc: Source = "syntetisk" if v.national_synthetic else "offentlig"
        nt = national["national_trend"]
        for prog in ("SSA", "SSH", "PAU"):
            sub = nt[(nt["programme"] == prog) & (nt["outcome_definition"] == GOAL_DEFINITION)]
            if len(sub) == 1 and prog in rows:
                v.national_trend[prog] = national_trend_evidence(sub.iloc[0], pd.Series(rows[prog]), a,
                                                                 f"national-tendens:{prog}", nsrc)
        fu = national["national_funnel"]
        for prog in ("SSA", "SSH", "PAU"):
            sub = fu[(fu["programme"] == prog) & (fu["outcome_definition"] == GOAL_DEFINITION)]
            if len(sub) == 1:
                r = sub.iloc[0]
                v.national_level[prog] = funnel_evidence(r, a, f"national-niveau:{prog}", nsrc)
                n_out = int(r["n_outside_0.998"])
                v.funnel[prog] = Check(f"tragt:{prog}", f"{n_out} af {int(r['n_schools'])} skoler uden for "
                                       "kontrolgrænserne", float("nan"), n_out > 0, float(r["phi"]))
    return v


def years_word(x: float) -> str:
    """Return a fractional crossing year as the calendar year it falls in."""
    return str(int(math.floor(x)))
