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

from ...danish import confidence_level, number_en
from ...definitions import OUTCOME_LABEL_EN, OUTCOMES
from ...did.power import PowerDesign, estimate_icc, power_curve
from ...did.power import power_table as _power_table

DEFINITION_LABEL = OUTCOME_LABEL_EN
#: the power at which the minimum detectable effect is stated (the default of the power functions)
TARGET_POWER = 0.8

INFERENCE_LABEL = {
    "crv1": "cluster-robust CRV1 (t, G-1 df)",
    "cr2": "CR2 with Satterthwaite df",
    "wild_webb": "wild cluster bootstrap (Webb, null imposed)",
    "randomization": "randomization inference",
}


def _ci(row, alpha: float) -> str:
    lo, hi = row["ci_low_pp"], row["ci_high_pp"]
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "no finite interval"
    return f"{confidence_level(alpha, 'en')} CI {number_en(lo, 1)} to {number_en(hi, 1)} pp"


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
                 f"the difference-in-differences estimate is {number_en(att, 1, sign=True)} percentage points "
                 f"({int(first['n_students']):,} SSA students, {int(first['n_pilot_campuses'])} pilot and "
                 f"{int(first['n_campuses'] - first['n_pilot_campuses'])} non-pilot campuses)."]
        for method in ("crv1", "cr2", "wild_webb", "randomization"):
            if method not in rows.index or pd.isna(rows.loc[method, "p_value"]):
                continue
            r: Any = rows.loc[method]
            extra = ""
            if method == "cr2":
                extra = f", df {number_en(r['df'], 1)}"
            if method == "randomization":
                extra = (f", {int(r['n_draws'])} assignments, smallest attainable p {number_en(r['min_p'], 3)}"
                         + (f" (so it can never reject at {100 * alpha:g} %)" if r["min_p"] > alpha else ""))
            parts.append(f"{INFERENCE_LABEL[method]}: {_ci(r, alpha)}, p = {number_en(r['p_value'], 3)}{extra}.")
        out[str(definition)] = " ".join(parts)
    return out


#: the robustness estimators beside the main one, in the order the chapter shows them
ROBUSTNESS_LABEL = {"logit_ame": "logit with the same fixed effects (average effect on the treated, Puhani 2012)",
                    "triple_diff": "triple difference with SSH and PAU at the same campuses as controls",
                    "lpm_placebo": "placebo: a fake start in the pre-period"}
#: short names of the estimators for tables
ESTIMATOR_LABEL = {"lpm": "LPM (main)", "logit_ame": "logit AME", "triple_diff": "triple difference",
                   "lpm_placebo": "placebo (fake start)"}


def main_estimates(table: pd.DataFrame, horizons: Sequence[int], estimator: str = "lpm") -> pd.DataFrame:
    """Return the main estimator's rows at every horizon, one per definition and inference method.

    Ordered by horizon (as in ``horizons``), definition and inference; with
    ``definition`` and ``inference_label`` columns in words for a table.
    Rows without a p-value (methods not available) are left out.
    """
    sub = table[(table["estimator"] == estimator) & table["horizon_months"].isin(list(horizons))
                & table["p_value"].notna()].copy()
    return _ordered(sub, horizons)


def robustness_estimates(table: pd.DataFrame, horizons: Sequence[int]) -> pd.DataFrame:
    """Return, per horizon, definition and robustness estimator, the one row the sentences quote.

    CR2 where the estimator has it, CRV1 otherwise (the logit has no CR2):
    the same rows :func:`robustness_sentences` describes.
    """
    rows = []
    sub = table[table["horizon_months"].isin(list(horizons)) & table["p_value"].notna()
                & table["estimator"].isin(list(ROBUSTNESS_LABEL))]
    for _, cand in sub.groupby(["horizon_months", "outcome_definition", "estimator"], sort=False):
        pick = cand[cand["inference"] == "cr2"]
        pick = pick if not pick.empty else cand[cand["inference"] == "crv1"]
        if not pick.empty:
            rows.append(pick.iloc[[0]])
    if not rows:
        return table.iloc[0:0].assign(definition=pd.Series(dtype=str), inference_label=pd.Series(dtype=str),
                                      estimator_label=pd.Series(dtype=str))
    return _ordered(pd.concat(rows), horizons)


def _ordered(sub: pd.DataFrame, horizons: Sequence[int]) -> pd.DataFrame:
    sub = sub.copy()
    order_h = {int(h): i for i, h in enumerate(horizons)}
    order_d = {name: i for i, name in enumerate(OUTCOMES)}
    order_i = {name: i for i, name in enumerate(INFERENCE_LABEL)}
    order_e = {name: i for i, name in enumerate(ESTIMATOR_LABEL)}
    sub["definition"] = sub["outcome_definition"].map(lambda d: DEFINITION_LABEL.get(str(d), str(d)))
    sub["inference_label"] = sub["inference"].map(lambda m: INFERENCE_LABEL.get(str(m), str(m)))
    sub["estimator_label"] = sub["estimator"].map(lambda e: ESTIMATOR_LABEL.get(str(e), str(e)))
    key = pd.DataFrame({"h": sub["horizon_months"].map(lambda h: order_h.get(int(h), len(order_h))),
                        "d": sub["outcome_definition"].map(lambda d: order_d.get(d, 99)),
                        "e": sub["estimator"].map(lambda e: order_e.get(e, 99)),
                        "i": sub["inference"].map(lambda m: order_i.get(m, 99))}, index=sub.index)
    return sub.loc[key.sort_values(["h", "d", "e", "i"], kind="stable").index].reset_index(drop=True)


def robustness_sentences(table: pd.DataFrame, horizon_months: int, alpha: float = 0.05) -> dict[str, str]:
    """Return the logit AME, triple difference and placebo beside the main estimate, by outcome definition."""
    out: dict[str, str] = {}
    rows_all = robustness_estimates(table, [horizon_months])
    for definition in dict.fromkeys(table.loc[table["horizon_months"] == horizon_months, "outcome_definition"]):
        rows = rows_all[rows_all["outcome_definition"] == definition]
        parts = [f"Robustness, {DEFINITION_LABEL.get(str(definition), str(definition))}:"]
        for est, label in ROBUSTNESS_LABEL.items():
            pick = rows[rows["estimator"] == est]
            if pick.empty:
                continue
            r: Any = pick.iloc[0]
            parts.append(f"{label}: {number_en(r['att_pp'], 1, sign=True)} pp ({r['inference'].upper()}: "
                         f"{_ci(r, alpha)}, p = {number_en(r['p_value'], 3)}).")
        out[str(definition)] = " ".join(parts)
    return out


def horizon_coverage(by_horizon: Mapping[int, Any]) -> pd.DataFrame:
    """Return, per horizon, how much of the pilot programme's data is observed there.

    Parameters
    ----------
    by_horizon : mapping horizon_months -> student frame or :class:`~sosu_analysis.did.data.Cells`
        The data at each horizon (``StudentData.by_horizon``).

    Returns
    -------
    DataFrame
        ``horizon_months, n_students`` (SSA students whose status at the
        horizon is known), ``n_intakes`` (SSA intakes with at least one such
        student), ``n_intakes_post`` (of those, intakes from the first pilot
        start), ``last_intake`` and ``n_unobserved`` (main-course starts of any
        programme left out because the horizon lies after the extract date;
        ``NaN`` when the data do not say, e.g. campus aggregates).
    """
    from ...did.data import TARGET_PROGRAMME, as_cells

    rows = []
    for h, d in by_horizon.items():
        cells = as_cells(d)
        t = cells.table
        t = t[(t["programme"] == TARGET_PROGRAMME) & (t["n"] > 0)]
        idx = sorted(int(i) for i in t["intake_idx"].unique())
        first_start = min(cells.start.values()) if cells.start else np.inf
        unobserved = d.attrs.get("n_unobserved", np.nan) if isinstance(d, pd.DataFrame) else np.nan
        rows.append({"horizon_months": int(h), "n_students": int(t["n"].sum()), "n_intakes": len(idx),
                     "n_intakes_post": sum(i >= first_start for i in idx),
                     "last_intake": str(cells.intakes[idx[-1]]) if idx else "",
                     "n_unobserved": unobserved})
    return pd.DataFrame(rows)


def coverage_sentence(row: Mapping[str, Any]) -> str:
    """Say how many SSA students and intakes are observed at one horizon (a row of :func:`horizon_coverage`)."""
    from ...definitions import MIN_CELL
    from ...privacy import shown_count

    h = int(row["horizon_months"])
    n = int(row["n_students"])
    students = f"{n:,}" if n == 0 or n >= MIN_CELL else shown_count(n)  # a count of 1-4 is never shown
    text = (f"At {h} months after start, {students} SSA students in {int(row['n_intakes'])} "
            f"intakes are observed (the last is {row['last_intake']}), {int(row['n_intakes_post'])} of them "
            "from the pilot start.")
    n_un = row.get("n_unobserved", np.nan)
    if pd.notna(n_un) and int(n_un) > 0:
        text += (f" {shown_count(int(n_un))} main-course starts (all programmes) are not yet {h} months past "
                 "their start at the extract date and are left out here.")
    if int(row["n_intakes_post"]) == 0:
        text += " No intake from the pilot start is observable yet, so there is no estimate at this horizon."
    return text


def horizons_markdown(table: pd.DataFrame, coverage: pd.DataFrame, horizons: Sequence[int],
                      alpha: float = 0.05) -> str:
    """Describe every horizon in words: what is observed there, the main estimate, the robustness.

    The first of ``horizons`` is named the main horizon. Returns Markdown: a
    bold heading line per horizon followed by its sentences as a bullet list.
    """
    blocks = []
    cov = coverage.set_index("horizon_months")
    for k, h in enumerate(horizons):
        head = f"**{int(h)} months after start{' (main horizon)' if k == 0 else ''}**"
        parts: list[Any] = []
        if int(h) in cov.index:
            row: dict[str, Any] = {str(k): v for k, v in cov.loc[int(h)].items()}
            parts.append(coverage_sentence({**row, "horizon_months": int(h)}))
        if (table["horizon_months"] == int(h)).any():
            parts += [did_sentences(table, int(h), alpha=alpha), robustness_sentences(table, int(h), alpha=alpha)]
        else:
            parts.append(f"No estimates at {int(h)} months.")
        blocks.append(head + "\n\n" + as_markdown(*parts))
    return "\n\n".join(blocks)


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
                tests.append(f"{r['method']}: p = {number_en(r['p_value'], 3)}")
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
        icc_value = float(a["icc"])
        sims = rows[rows["method"].str.startswith("simulation")]
        sim_txt = "; ".join(f"{m.removeprefix('simulation_')} {number_en(p, 2)}" for m, p in
                            zip(sims["method"], sims["power_at_target"], strict=True))
        out[(str(source), float(icc))] = (  # type: ignore[arg-type]
            f"ICC {number_en(icc_value, 3)} ({source}): with {int(a['n_campuses'])} campuses "
            f"({int(a['n_pilot_campuses'])} "
            f"pilot), {int(a['n_pre'])} intakes before and {int(a['n_post'])} from the start, the smallest "
            f"effect detectable with {100 * TARGET_POWER:g} % power at the {100 * a['alpha']:g} % level is "
            f"{number_en(a['mde_pp'], 1)} percentage points; "
            f"the power to detect {number_en(a['target_effect_pp'], 0)} pp is "
            f"{number_en(a['power_at_target'], 2)} (analytic)"
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
                 f"{n_draws} ways to choose the pilots, so its smallest attainable p-value is "
                 f"{number_en(min_p, 3)}: {can}.")
    return text


def power_intro(power: pd.DataFrame) -> str:
    """Describe what chapter 05 computes, with the target effect, baseline and level of the run's power table."""
    a = power[power["method"].str.startswith("analytic")].iloc[0]
    target, base = float(a["target_effect_pp"]), float(a["baseline_pct"])
    return (f"The minimum detectable effect ({100 * TARGET_POWER:g} % power, {100 * float(a['alpha']):g} % "
            f"level) and the power to detect a reduction of {target:g} percentage points (from the pre-period SSA "
            f"dropout of {number_en(base, 1)} % to {number_en(base - target, 1)} %) for the actual design: the "
            "campuses and their SSA intake sizes, the pilot and non-pilot campuses, the intakes before and from the "
            "pilot start, and the campus-by-intake noise. Analytic (t with G − 2 df) and by simulation of the main "
            "specification.")


def assumed_iccs_text(power: pd.DataFrame) -> str:
    """Which ICCs besides the estimated one the power is shown for."""
    iccs = sorted(power.loc[power["icc_source"] == "assumed", "icc"].unique())
    est = power.loc[power["icc_source"] == "estimated", "icc"]
    return (f"The ICC estimated from the pre-period is {number_en(float(est.iloc[0]), 4)}; with few cells the "
            "estimate is rough, so the power is also shown for assumed ICCs of "
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
                   "post-intervention intake(s) can reliably detect (minimum detectable effect "
                   f"{number_en(lo, 1)}–{number_en(hi, 1)} pp across the ICC scenarios). A non-significant result is "
                   "therefore not evidence that the interventions did nothing; it is what this design gives for any "
                   "effect of a realistic size.")
    elif target >= hi:
        verdict = (f"A reduction of {target:g} percentage points is within what {g} campuses and {n_post} "
                   "post-intervention intake(s) can detect (minimum detectable effect "
                   f"{number_en(lo, 1)}–{number_en(hi, 1)} pp across the ICC scenarios).")
    else:
        verdict = (f"Whether a reduction of {target:g} percentage points can be detected depends on the ICC: the "
                   f"minimum detectable effect is {number_en(lo, 1)}–{number_en(hi, 1)} pp across the scenarios.")
    n_assign = comb(g, g1)
    ri = (f" Randomization inference has no power at the {100 * alpha:g} % level with {n_assign} possible "
          "assignments." if 1 / n_assign > alpha else "")
    return verdict + " More post-intervention intakes add power; more campuses would add more." + ri
