"""The campus comparison in words, and the power scenarios: what notebooks 04 and 05 show.

Every sentence is generated from the result tables, never typed, so that the
text stays true when the data change. Numbers are rounded where printed. The
functions return sentences keyed by outcome definition (or ICC scenario), so
a notebook shows the part it needs by key; :func:`as_markdown` turns them into
a bullet list. Interval levels follow ``alpha``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from math import comb
from typing import Any

import numpy as np
import pandas as pd

from ..definitions import OUTCOMES
from .power import PowerDesign, estimate_icc, power_curve
from .power import power_table as _power_table

DEFINITION_LABEL: dict[str, str] = {name: spec.label_en for name, spec in OUTCOMES.items()}
#: the power at which the minimum detectable effect is stated (the default of the power functions)
TARGET_POWER = 0.8

INFERENCE_LABEL = {
    "crv1": "cluster-robust CRV1 (t, G-1 df)",
    "cr2": "CR2 with Satterthwaite df",
    "wild_webb": "wild cluster bootstrap (Webb, null imposed)",
    "randomization": "randomization inference",
}


def _level(alpha: float) -> str:
    return f"{100 * (1 - alpha):g} %"


def _ci(row, alpha: float) -> str:
    lo, hi = row["ci_low_pp"], row["ci_high_pp"]
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "no finite interval"
    return f"{_level(alpha)} CI {lo:.1f} to {hi:.1f} pp"


def as_markdown(*parts: Mapping[Any, str] | Sequence[str] | str) -> str:
    """Return sentences (dicts of them, lists, or single ones) as a Markdown bullet list."""
    items: list[str] = []
    for part in parts:
        if isinstance(part, str):
            items.append(part)
        elif isinstance(part, Mapping):
            items.extend(part.values())
        else:
            items.extend(part)
    return "\n".join(f"- {x}" for x in items if x)


def did_sentences(table: pd.DataFrame, horizon_months: int, estimator: str = "lpm",
                  alpha: float = 0.05) -> dict[str, str]:
    """One sentence per outcome definition (the key) on the main estimate and its four kinds of inference."""
    out: dict[str, str] = {}
    sub = table[(table["horizon_months"] == horizon_months) & (table["estimator"] == estimator)]
    for definition, group in sub.groupby("outcome_definition", sort=False):
        rows: Any = group.set_index("inference")
        att = rows["att_pp"].iloc[0]
        first = rows.iloc[0]
        label = DEFINITION_LABEL.get(str(definition), str(definition))
        parts = [f"Dropout {label}, {horizon_months} months after start: "
                 f"the difference-in-differences estimate is {att:+.1f} percentage points "
                 f"({int(first['n_students'])} SSA students, {int(first['n_pilot_campuses'])} pilot and "
                 f"{int(first['n_campuses'] - first['n_pilot_campuses'])} non-pilot campuses)."]
        for method in ("crv1", "cr2", "wild_webb", "randomization"):
            if method not in rows.index or pd.isna(rows.loc[method, "p_value"]):
                continue
            r: Any = rows.loc[method]
            extra = ""
            if method == "cr2":
                extra = f", df {r['df']:.1f}"
            if method == "randomization":
                extra = (f", {int(r['n_draws'])} assignments, smallest attainable p {r['min_p']:.3f}"
                         + (f" (so it can never reject at {100 * alpha:g} %)" if r["min_p"] > alpha else ""))
            parts.append(f"{INFERENCE_LABEL[method]}: {_ci(r, alpha)}, p = {r['p_value']:.3f}{extra}.")
        out[str(definition)] = " ".join(parts)
    return out


def robustness_sentences(table: pd.DataFrame, horizon_months: int, alpha: float = 0.05) -> dict[str, str]:
    """Return the logit AME, triple difference and placebo beside the main estimate, by outcome definition."""
    out: dict[str, str] = {}
    sub = table[table["horizon_months"] == horizon_months]
    names = {"logit_ame": "logit with the same fixed effects (average effect on the treated, Puhani 2012)",
             "triple_diff": "triple difference with SSH and PAU at the same campuses as controls",
             "lpm_placebo": "placebo: a fake start in the pre-period"}
    for definition, rows in sub.groupby("outcome_definition", sort=False):
        parts = [f"Robustness, {DEFINITION_LABEL.get(str(definition), str(definition))}:"]
        for est, label in names.items():
            cand = rows[(rows["estimator"] == est) & rows["p_value"].notna()]
            if cand.empty:
                continue
            pick = cand[cand["inference"] == "cr2"]
            r: Any = (pick if not pick.empty else cand[cand["inference"] == "crv1"]).iloc[0]
            parts.append(f"{label}: {r['att_pp']:+.1f} pp ({r['inference'].upper()}: {_ci(r, alpha)}, "
                         f"p = {r['p_value']:.3f}).")
        out[str(definition)] = " ".join(parts)
    return out


def pretrend_sentences(pretrend: pd.DataFrame) -> dict[str, str]:
    """Return the joint test of the pre-period event-study coefficients, by outcome definition."""
    out: dict[str, str] = {}
    for definition, rows in pretrend.groupby("outcome_definition", sort=False):
        tests = []
        for _, r in rows.iterrows():
            if pd.isna(r["p_value"]):
                tests.append(f"{r['method'].upper()} Wald test not defined ({int(r['df_num'])} restrictions, "
                             f"{int(r['df_denom'])} df)")
            else:
                tests.append(f"{r['method']}: p = {r['p_value']:.3f}")
        label = DEFINITION_LABEL.get(str(definition), str(definition))
        out[str(definition)] = f"Pre-trends, {label}: " + "; ".join(tests) + "."
    return out


def power_scenarios(data, iccs=(0.005, 0.01), target_effect: float = 0.05, n_reps: int = 200, seed: int = 0,
                    inference=("crv1", "cr2", "randomization"),
                    alpha: float = 0.05) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Power table and analytic power curve for the actual design under several ICCs.

    The design (campus sizes, pilot and non-pilot campuses, pre and post
    intakes) is read off the data; the campus-by-intake ICC is estimated from
    the pre-period (:func:`~sosu_analysis.did.power.estimate_icc`) and, since
    few cells make that estimate rough, also set to the values in ``iccs``.
    The baseline is the pre-period SSA dropout rate of the data.
    """
    est = estimate_icc(data)
    design = PowerDesign.from_cells(data, baseline=est["p"])
    tables, curves = [], []
    scenarios = [("estimated", est["icc"])] + [("assumed", float(i)) for i in iccs]
    for i, (source, icc) in enumerate(scenarios):
        d = replace(design, icc=icc)
        t = _power_table(d, target_effect=target_effect, alpha=alpha, n_reps=n_reps, inference=inference,
                         seed=seed + 1000 * i)
        t["alpha"] = alpha
        t.insert(0, "icc_source", source)
        tables.append(t)
        c = power_curve(d, alpha=alpha)
        c["icc"] = icc
        c["icc_source"] = source
        curves.append(c)
    return pd.concat(tables, ignore_index=True), pd.concat(curves, ignore_index=True)


def power_sentences(power: pd.DataFrame) -> dict[tuple[str, float], str]:
    """Return the minimum detectable effect and the power to detect the target, keyed by ``(icc_source, icc)``."""
    out: dict[tuple[str, float], str] = {}
    for (source, icc), rows in power.groupby(["icc_source", "icc"], sort=False):
        a = rows[rows["method"].str.startswith("analytic")].iloc[0]
        sims = rows[rows["method"].str.startswith("simulation")]
        sim_txt = "; ".join(f"{m.removeprefix('simulation_')} {p:.2f}" for m, p in
                            zip(sims["method"], sims["power_at_target"], strict=True))
        out[(str(source), float(icc))] = (  # type: ignore[arg-type]
            f"ICC {icc:.3f} ({source}): with {int(a['n_campuses'])} campuses ({int(a['n_pilot_campuses'])} "
            f"pilot), {int(a['n_pre'])} intakes before and {int(a['n_post'])} from the start, the smallest "
            f"effect detectable with {100 * TARGET_POWER:g} % power at the {100 * a['alpha']:g} % level is "
            f"{a['mde_pp']:.1f} percentage points; "
            f"the power to detect {a['target_effect_pp']:.0f} pp is {a['power_at_target']:.2f} (analytic)"
            + (f", by simulation: {sim_txt}." if sim_txt else "."))
    return out


def _pilot_list(campuses: pd.DataFrame) -> tuple[list[str], str]:
    pilots = campuses[campuses["pilot"].astype(bool)]
    starts = sorted({str(x)[:4] for x in pilots["pilot_start"] if str(x)})
    return list(pilots["campus"]), "–".join(dict.fromkeys([starts[0], starts[-1]])) if starts else ""


def design_text(campuses: pd.DataFrame, horizons: Sequence[int]) -> str:
    """Return the question and the outcome of the campus comparison, from the campus table and the horizons.

    Parameters
    ----------
    campuses : DataFrame
        :func:`sosu_analysis.students.read_campuses`: ``campus``, ``pilot``, ``pilot_start``.
    horizons : sequence of int
        The config's horizons in months; the first is the main one.
    """
    names, years = _pilot_list(campuses)
    main, others = int(horizons[0]), [int(h) for h in horizons[1:]]
    also = f"; also {' and '.join(str(h) for h in others)}" if others else ""
    return (f"Did dropout fall for SSA intakes at the pilot campuses ({', '.join(names)}) after the "
            f"interventions that started in {years}, more than at the other campuses over the same period?\n\n"
            f"**Main specification.** SSA students; outcome = dropout {main} months after start (the main "
            f"horizon{also}), under both definitions; linear probability model `dropout ~ pilot_post + campus "
            f"fixed effects + intake fixed effects`, where `pilot_post` is 1 for intakes at a pilot campus from its "
            f"pilot start.")


def reading_guide(table: pd.DataFrame, horizon_months: int, alpha: float = 0.05,
                  estimator: str = "lpm") -> str:
    """How to read the inference with few campuses, with the design's numbers (campuses, assignments, min p).

    The numbers come from the randomization-inference row of ``table`` (the
    ``did`` table) at ``horizon_months``; the wording follows ``alpha``.
    """
    sub = table[(table["horizon_months"] == horizon_months) & (table["estimator"] == estimator)]
    ri = sub[(sub["inference"] == "randomization") & sub["n_draws"].notna()]
    first = sub.iloc[0] if len(sub) else None
    if first is None:
        return ""
    g, g1 = int(first["n_campuses"]), int(first["n_pilot_campuses"])
    text = (f"With a handful of campuses, the CRV1 interval is too narrow (it treats {g} campuses as if they "
            "were many); CR2 with Satterthwaite degrees of freedom and the wild bootstrap are the honest "
            "intervals, and they are wide.")
    if len(ri):
        r = ri.iloc[0]
        n_draws, min_p = int(r["n_draws"]), float(r["min_p"])
        can = (f"it cannot reject at the {100 * alpha:g} % level whatever the data" if min_p > alpha
               else f"it can reject at the {100 * alpha:g} % level only for the most extreme assignments")
        text += (f" Randomization inference is exact, but with {g1} pilot campuses out of {g} there are only "
                 f"{n_draws} ways to choose the pilots, so its smallest attainable p-value is {min_p:.3f}: {can}.")
    return text


def power_intro(power: pd.DataFrame) -> str:
    """Describe what chapter 05 computes, with the target effect, baseline and level of the run's power table."""
    a = power[power["method"].str.startswith("analytic")].iloc[0]
    target, base = float(a["target_effect_pp"]), float(a["baseline_pct"])
    return (f"The minimum detectable effect ({100 * TARGET_POWER:g} % power, {100 * float(a['alpha']):g} % "
            f"level) and the power to detect a reduction of {target:g} percentage points (from the pre-period SSA "
            f"dropout of {base:.1f} % to {base - target:.1f} %) for the actual design: the campuses and their SSA "
            "intake sizes, the pilot and non-pilot campuses, the intakes before and from the pilot start, and the "
            "campus-by-intake noise. Analytic (t with G − 2 df) and by simulation of the main specification.")


def assumed_iccs_text(power: pd.DataFrame) -> str:
    """Which ICCs besides the estimated one the power is shown for."""
    iccs = sorted(power.loc[power["icc_source"] == "assumed", "icc"].unique())
    est = power.loc[power["icc_source"] == "estimated", "icc"]
    return (f"The ICC estimated from the pre-period is {float(est.iloc[0]):.4f}; with few cells the estimate is "
            "rough, so the power is also shown for assumed ICCs of "
            + " and ".join(f"{x:g}" for x in iccs) + "." if len(est) else "")


def power_meaning(power: pd.DataFrame) -> str:
    """Say what the power table means for a non-significant result, from the numbers of the design."""
    analytic = power[power["method"].str.startswith("analytic")]
    a = analytic.iloc[0]
    target, alpha = float(a["target_effect_pp"]), float(a["alpha"])
    g, g1, n_post = int(a["n_campuses"]), int(a["n_pilot_campuses"]), int(a["n_post"])
    lo, hi = float(analytic["mde_pp"].min()), float(analytic["mde_pp"].max())
    if target < lo:
        verdict = (f"A reduction of {target:g} percentage points is smaller than what {g} campuses and {n_post} "
                   f"post-intervention intake(s) can reliably detect (minimum detectable effect {lo:.1f}–{hi:.1f} "
                   "pp across the ICC scenarios). A non-significant result is therefore not evidence that the "
                   "interventions did nothing; it is what this design gives for any effect of a realistic size.")
    elif target >= hi:
        verdict = (f"A reduction of {target:g} percentage points is within what {g} campuses and {n_post} "
                   f"post-intervention intake(s) can detect (minimum detectable effect {lo:.1f}–{hi:.1f} pp "
                   "across the ICC scenarios).")
    else:
        verdict = (f"Whether a reduction of {target:g} percentage points can be detected depends on the ICC: the "
                   f"minimum detectable effect is {lo:.1f}–{hi:.1f} pp across the scenarios.")
    n_assign = comb(g, g1)
    ri = (f" Randomization inference has no power at the {100 * alpha:g} % level with {n_assign} possible "
          "assignments." if 1 / n_assign > alpha else "")
    return verdict + " More post-intervention intakes add power; more campuses would add more." + ri
