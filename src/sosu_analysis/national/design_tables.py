"""Chapter 11's tables (issue 18): the synthetic comparison, the design advisor, evidence and students.

Each function returns frames in the columns of their contracts
(:mod:`sosu_analysis.reporting.contracts`, ``design_*``), so the notebook only loads, calls,
writes and shows. When the campus-level answer is missing the national tables are empty (with
their columns) and the advisor and the ratings cover the in-school designs only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..did import design, evidence, impact
from ..did.power import mde_from_se
from ..did.results import SyntheticDidResult
from ..did.sdid import SdidEstimator
from .campus import CampusPanel

#: estimators shown side by side (synthdid's three)
ESTIMATORS: tuple[SdidEstimator, ...] = ("sdid", "sc", "did")

_EMPTY: dict[str, list[str]] = {
    "design_sdid": ["estimator", "estimate_pp", "se_pp", "ci_low_pp", "ci_high_pp", "p_value", "pre_fit_rmse_pp",
                    "n_donors", "n_treated", "n_pre", "n_post", "replications", "seed"],
    "design_weights": ["estimator", "unit", "own_school", "weight"],
    "design_paths": ["estimator", "year", "treated_pct", "synthetic_pct", "post"],
    "design_placebo": ["estimator", "replication", "estimate_pp"],
}


def panel_table(panel: CampusPanel) -> pd.DataFrame:
    """One row: what the campus panel holds and what was left out (contract ``design_panel``)."""
    cov = panel.coverage() if panel.available else {
        "status": panel.status, "programme": panel.programme, "definition": panel.definition,
        "threshold": panel.threshold, "n_campuses": 0, "n_pilot": 0, "n_donors": 0, "n_donors_kept": 0,
        "n_donors_dropped": 0, "n_cells": 0, "n_cells_missing": 0, "n_cells_imputed": 0,
        "share_observed": np.nan, "first_year": None, "last_year": None, "treatment_year": None,
        "synthetic": panel.synthetic}
    row = {"status": cov.pop("status"), "message": panel.message, **cov}
    return pd.DataFrame([row])


def synthetic_comparison(panel: CampusPanel, replications: int, seed: int, alpha: float
                         ) -> tuple[dict[str, SyntheticDidResult], dict[str, pd.DataFrame]]:
    """Synthetic DiD, synthetic control and DiD of the pilot campuses against the kept donors.

    Returns the results by estimator and the tables ``design_sdid``, ``design_weights`` (non-zero
    weights), ``design_paths`` and ``design_placebo`` (empty frames when the panel is not available).
    """
    if not panel.available:
        return {}, {k: pd.DataFrame(columns=v) for k, v in _EMPTY.items()}
    from ..did.api import synthetic_did

    est_panel = panel.estimation_panel()
    own = set(panel.cells.loc[panel.cells["own_school"], "unit"])
    results: dict[str, SyntheticDidResult] = {
        e: synthetic_did(est_panel, unit="unit", time="year", outcome="rate_pct", treated="treated", estimator=e,
                         se_method="placebo", replications=replications, seed=seed, alpha=alpha)
        for e in ESTIMATORS}
    rows, weights, paths, placebo = [], [], [], []
    for e, r in results.items():
        rows.append({"estimator": e, "estimate_pp": r.estimate, "se_pp": r.se, "ci_low_pp": r.ci_low,
                     "ci_high_pp": r.ci_high, "p_value": r.p_value, "pre_fit_rmse_pp": r.pre_fit_rmse,
                     "n_donors": r.n_control, "n_treated": r.n_treated, "n_pre": r.n_pre, "n_post": r.n_post,
                     "replications": r.replications, "seed": r.seed})
        w = r.unit_weights[r.unit_weights > 0].sort_values(ascending=False, kind="stable")
        weights += [{"estimator": e, "unit": str(u), "own_school": u in own, "weight": float(v)} for u, v in w.items()]
        paths += [{"estimator": e, "year": int(str(y)), "treated_pct": float(p["treated"]),
                   "synthetic_pct": float(p["synthetic_shifted"]), "post": bool(p["post"])}
                  for y, p in r.paths.iterrows()]
        placebo += [{"estimator": e, "replication": i + 1, "estimate_pp": float(v)}
                    for i, v in enumerate(r.placebo_estimates)]
    return results, {"design_sdid": pd.DataFrame(rows), "design_weights": pd.DataFrame(weights),
                     "design_paths": pd.DataFrame(paths), "design_placebo": pd.DataFrame(placebo)}


def national_advisor(panel: CampusPanel, result: SyntheticDidResult | None, dates: Sequence[str],
                     replications: int, seed: int, target_pp: float, power: float, alpha: float,
                     last_intake_month: int = 12) -> pd.DataFrame:
    """Return the national-donor rows of the advisor (empty without a campus panel), from the backdated placebo SEs."""
    if not panel.available or result is None:
        return pd.DataFrame(columns=list(design.ADVISOR_COLUMNS))
    est = panel.estimation_panel()
    first = int(panel.treatment_year or est["year"].max())
    end = design.month_index(dates[-1])
    n_years = sum(1 for y in range(first, first + 20)
                  if design.month_index(design.national_known_from(y, last_intake_month)) <= end)
    max_post = max(1, min(len(result.pre_periods) - 2, n_years))
    se = design.national_se_by_post_years(est, max_post, replications, seed)
    return design.national_design(se, first, len(result.pre_periods),
                                  result.n_control, result.n_treated, dates, realised_se_pp=result.se,
                                  target_pp=target_pp, power=power, alpha=alpha,
                                  last_intake_month=last_intake_month)


def pre_fit_in_school(event_study: pd.DataFrame, definition: str = "incl_switch") -> float:
    """RMSE (pp) of the in-school DiD's pre-period event-study coefficients: how far apart the groups moved before."""
    d = event_study[(event_study["outcome_definition"] == definition) & (event_study["rel_time"] < 0)]
    d = d[d["att_pp"].notna() & (d["att_pp"] != 0)]
    return float(np.sqrt(np.mean(d["att_pp"].to_numpy(float) ** 2))) if len(d) else float("nan")


def evidence_table(items: Sequence[Mapping[str, Any]], target_pp: float) -> tuple[list[evidence.EvidenceRating],
                                                                                  pd.DataFrame]:
    """Rate each design (keys design, n_comparison_units, pre_fit_rmse_pp, coverage, mde_pp).

    Returns the ratings and the table of contract ``design_evidence``.
    """
    ratings, rows = [], []
    for it in items:
        r = evidence.rate_evidence(str(it["design"]), int(it["n_comparison_units"]), it["pre_fit_rmse_pp"],
                                   float(it["coverage"]), it["mde_pp"], target_pp)
        ratings.append(r)
        rows.append({"design": r.design, "rating": r.rating, "ceiling": r.ceiling, "reasons": ";".join(r.codes),
                     "n_comparison_units": int(it["n_comparison_units"]),
                     "pre_fit_rmse_pp": it["pre_fit_rmse_pp"] if it["pre_fit_rmse_pp"] is not None else np.nan,
                     "coverage": float(it["coverage"]),
                     "mde_pp": it["mde_pp"] if it["mde_pp"] is not None else np.nan, "target_pp": float(target_pp)})
    return ratings, pd.DataFrame(rows, columns=["design", "rating", "ceiling", "reasons", "n_comparison_units",
                                                "pre_fit_rmse_pp", "coverage", "mde_pp", "target_pp"])


def mde_now(se_pp: float, df: float, alpha: float, power: float) -> float:
    """Return the detectable effect of an estimate with this SE now (the one rule), NaN for a missing SE."""
    return mde_from_se(se_pp, df, alpha, power) if np.isfinite(se_pp) and se_pp > 0 else float("nan")


def total_cost(interventions: pd.DataFrame) -> float:
    """Return the interventions' yearly cost in kroner: the sum when every row has one, else NaN (unknown)."""
    cost = interventions["cost_dkk_per_year"] if "cost_dkk_per_year" in interventions else pd.Series([np.nan])
    return float(cost.sum()) if len(cost) and cost.notna().all() else float("nan")


def students_table(effects: Mapping[str, tuple[float, float, float, int]], goal: tuple[float, float, int],
                   cost_dkk_per_year: float) -> pd.DataFrame:
    """Effects and the goal as dropouts a year, with cost per avoided dropout (contract ``design_students``).

    ``effects``: source -> (effect, ci_low, ci_high in pp, students a year); ``goal``: (current %, goal %,
    students a year). Costs are NaN when unknown.
    """
    rows = []
    for source, (eff, lo, hi, n) in effects.items():
        if not np.isfinite(eff):
            continue
        e = impact.effect_in_students(eff, lo, hi, n)
        c = impact.cost_per_avoided(cost_dkk_per_year, e) if np.isfinite(cost_dkk_per_year) else None
        rows.append({"source": source, "effect_pp": e.effect_pp, "ci_low_pp": e.ci_low_pp, "ci_high_pp": e.ci_high_pp,
                     "n_students": e.n_students, "avoided": e.avoided, "avoided_low": e.avoided_low,
                     "avoided_high": e.avoided_high, "cost_dkk_per_year": cost_dkk_per_year,
                     "cost_per_avoided": c.per_avoided if c else np.nan, "cost_low": c.low if c else np.nan,
                     "cost_high": c.high if c else np.nan})
    current, goal_pct, n = goal
    rows.append({"source": "goal", "effect_pp": goal_pct - current, "ci_low_pp": np.nan, "ci_high_pp": np.nan,
                 "n_students": int(n), "avoided": impact.goal_in_students(current, goal_pct, n),
                 "avoided_low": np.nan, "avoided_high": np.nan, "cost_dkk_per_year": cost_dkk_per_year,
                 "cost_per_avoided": np.nan, "cost_low": np.nan, "cost_high": np.nan})
    return pd.DataFrame(rows)


#: power of every detectable effect (the report's, 80 %)
POWER = 0.8


def pilot_students_per_year(data: Any, programme: str = "SSA") -> int:
    """Students a year at the pilot campuses: the ``programme`` intake of the last full year before the pilot start."""
    from ..did.data import as_cells

    cells = as_cells(data)
    tab = cells.table[(cells.table["programme"] == programme) & cells.table["pilot"].astype(bool)]
    years = pd.Series([str(cells.intakes[i])[:4] for i in tab["intake_idx"]], index=tab.index).astype(int)
    first = min(int(str(cells.intakes[i])[:4]) for i in cells.start.values()) if cells.start else int(years.max()) + 1
    before = years[years < first]
    return int(tab.loc[before.index[before == before.max()], "n"].sum()) if len(before) else 0


def run_chapter(data: Any, panel: CampusPanel, tables: Mapping[str, pd.DataFrame], goals: pd.DataFrame,
                interventions: pd.DataFrame, horizons: Sequence[int], alpha: float, seed: int, replications: int,
                rollout: str, definition: str = "incl_switch") -> dict[str, Any]:
    """Everything chapter 11 shows, as contracted tables plus the synthetic DiD results.

    ``tables`` are the earlier chapters' contracted tables ``did``, ``event_study``, ``power`` and
    ``table1``. Returns the ``design_*`` tables by name and ``"results"`` (estimator -> result).
    """
    from ..did.data import as_cells
    from ..did.timeline import intake_calendar, planning_until

    cells = as_cells(data)
    did, es, pw, t1 = tables["did"], tables["event_study"], tables["power"], tables["table1"]
    p = pw[(pw["icc_source"] == "estimated") & (pw["method"] == "simulation_cr2")].iloc[0]
    target = float(p["target_effect_pp"])
    cr2 = did[(did["outcome_definition"] == definition) & (did["estimator"] == "lpm") & (did["inference"] == "cr2")]
    realised = {int(r["horizon_months"]): float(r["se_pp"]) for _, r in cr2.iterrows()}
    # the advisor's window ends where the report's timeline ends (did.timeline derives it from the data)
    _, until = planning_until(cells, list(horizons))
    cal = intake_calendar(cells, until)
    first = str(cal.loc[cal["pilot_period"], "intake"].min())
    dates = design.monthly_dates(first, until)
    in_school = design.in_school_designs(cells, list(horizons), dates, float(p["baseline_pct"]) / 100,
                                         float(p["icc"]), rollout or None, realised, target, POWER, alpha)
    results, national = synthetic_comparison(panel, replications, seed, alpha)
    sdid = results.get("sdid")
    nat = national_advisor(panel, sdid, dates, replications, seed, target, POWER, alpha)
    advisor = design.design_advisor(in_school, nat)
    first_dates = design.first_dates(advisor)
    # evidence of the designs the verdict can use now
    main = cr2[cr2["horizon_months"] == int(horizons[0])].iloc[0]
    n_campuses, n_pilot = int(main["n_campuses"]), int(main["n_pilot_campuses"])
    n_intakes = len(cells.intakes)
    ssa = cells.table[cells.table["programme"] == "SSA"]
    coverage = min(1.0, len(ssa) / max(1, n_campuses * ssa["intake_idx"].nunique())) if n_intakes else 0.0
    items = [{"design": "in_school", "n_comparison_units": n_campuses - n_pilot,
              "pre_fit_rmse_pp": pre_fit_in_school(es, definition), "coverage": coverage,
              "mde_pp": mde_now(float(main["se_pp"]), float(main["df"]), alpha, POWER)}]
    if sdid is not None:
        items.append({"design": "national_sdid", "n_comparison_units": sdid.n_control,
                      "pre_fit_rmse_pp": sdid.pre_fit_rmse, "coverage": float(panel.coverage()["share_observed"]),
                      "mde_pp": mde_now(sdid.se, np.inf, alpha, POWER)})
    ratings, evidence_frame = evidence_table(items, target)
    # effects in students: the in-school estimate among the pilot campuses' yearly SSA intake; the national
    # estimate among the pilot campuses' intake in the post years of the campus panel
    effects: dict[str, tuple[float, float, float, int]] = {
        "in_school": (float(main["att_pp"]), float(main["ci_low_pp"]), float(main["ci_high_pp"]),
                      pilot_students_per_year(cells))}
    if sdid is not None:
        post = panel.cells[panel.cells["treated"]]
        n_post = int(post["n_cohort"].sum() / max(1, post["year"].nunique()))
        effects["national_sdid"] = (sdid.estimate, sdid.ci_low, sdid.ci_high, n_post)
    ssa_t1 = t1[t1["programme"] == "SSA"].sort_values("year").iloc[-1]
    goal = goals[(goals["indicator"].str.startswith("Frafald")) & (goals["programme"] == "SSA")].iloc[0]
    students = students_table(effects, (float(ssa_t1["pct_dropout_total"]), float(goal["goal_pct"]),
                                        int(ssa_t1["n_cohort"])), total_cost(interventions))
    return {"design_panel": panel_table(panel), **national, "design_advisor": advisor, "design_first": first_dates,
            "design_evidence": evidence_frame, "design_students": students, "results": results, "ratings": ratings}
