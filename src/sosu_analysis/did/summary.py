"""The campus comparison in words, and the power scenarios: what notebooks 04 and 05 show.

Every sentence is generated from the result tables, never typed, so that the
text stays true when the data change. Numbers are rounded where printed.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ..definitions import OUTCOMES
from .power import PowerDesign, estimate_icc, power_curve
from .power import power_table as _power_table

DEFINITION_LABEL = {name: spec.label_en for name, spec in OUTCOMES.items()}
INFERENCE_LABEL = {
    "crv1": "cluster-robust CRV1 (t, G-1 df)",
    "cr2": "CR2 with Satterthwaite df",
    "wild_webb": "wild cluster bootstrap (Webb, null imposed)",
    "randomization": "randomization inference",
}


def _ci(row) -> str:
    lo, hi = row["ci_low_pp"], row["ci_high_pp"]
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "no finite interval"
    return f"95 % CI {lo:.1f} to {hi:.1f} pp"


def did_sentences(table: pd.DataFrame, horizon_months: int, estimator: str = "lpm") -> list[str]:
    """One sentence per outcome definition on the main estimate and its four kinds of inference."""
    out = []
    sub = table[(table["horizon_months"] == horizon_months) & (table["estimator"] == estimator)]
    for definition, rows in sub.groupby("outcome_definition", sort=False):
        rows = rows.set_index("inference")
        att = rows["att_pp"].iloc[0]
        first = rows.iloc[0]
        parts = [f"Dropout {DEFINITION_LABEL.get(definition, definition)}, {horizon_months} months after start: "
                 f"the difference-in-differences estimate is {att:+.1f} percentage points "
                 f"({int(first['n_students'])} SSA students, {int(first['n_pilot_campuses'])} pilot and "
                 f"{int(first['n_campuses'] - first['n_pilot_campuses'])} non-pilot campuses)."]
        for method in ("crv1", "cr2", "wild_webb", "randomization"):
            if method not in rows.index or pd.isna(rows.loc[method, "p_value"]):
                continue
            r = rows.loc[method]
            extra = ""
            if method == "cr2":
                extra = f", df {r['df']:.1f}"
            if method == "randomization":
                extra = (f", {int(r['n_draws'])} assignments, smallest attainable p {r['min_p']:.3f}"
                         + (" (so it can never reject at 5 %)" if r["min_p"] > 0.05 else ""))
            parts.append(f"{INFERENCE_LABEL[method]}: {_ci(r)}, p = {r['p_value']:.3f}{extra}.")
        out.append(" ".join(parts))
    return out


def robustness_sentences(table: pd.DataFrame, horizon_months: int) -> list[str]:
    """The logit AME, triple difference and placebo beside the main estimate (CR2 or CRV1 inference)."""
    out = []
    sub = table[table["horizon_months"] == horizon_months]
    names = {"logit_ame": "logit with the same fixed effects (average effect on the treated, Puhani 2012)",
             "triple_diff": "triple difference with SSH and PAU at the same campuses as controls",
             "lpm_placebo": "placebo: a fake start in the pre-period"}
    for definition, rows in sub.groupby("outcome_definition", sort=False):
        parts = [f"Robustness, {DEFINITION_LABEL.get(definition, definition)}:"]
        for est, label in names.items():
            r = rows[(rows["estimator"] == est) & rows["p_value"].notna()]
            if r.empty:
                continue
            pick = r[r["inference"] == "cr2"]
            r = (pick if not pick.empty else r[r["inference"] == "crv1"]).iloc[0]
            parts.append(f"{label}: {r['att_pp']:+.1f} pp ({r['inference'].upper()}: {_ci(r)}, "
                         f"p = {r['p_value']:.3f}).")
        out.append(" ".join(parts))
    return out


def pretrend_sentences(pretrend: pd.DataFrame) -> list[str]:
    """The joint test of the pre-period event-study coefficients."""
    out = []
    for definition, rows in pretrend.groupby("outcome_definition", sort=False):
        tests = []
        for _, r in rows.iterrows():
            if pd.isna(r["p_value"]):
                tests.append(f"{r['method'].upper()} Wald test not defined ({int(r['df_num'])} restrictions, "
                             f"{int(r['df_denom'])} df)")
            else:
                tests.append(f"{r['method']}: p = {r['p_value']:.3f}")
        out.append(f"Pre-trends, {DEFINITION_LABEL.get(definition, definition)}: " + "; ".join(tests) + ".")
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


def power_sentences(power: pd.DataFrame) -> list[str]:
    """The minimum detectable effect and the power to detect the target, per ICC scenario."""
    out = []
    for (source, icc), rows in power.groupby(["icc_source", "icc"], sort=False):
        a = rows[rows["method"].str.startswith("analytic")].iloc[0]
        sims = rows[rows["method"].str.startswith("simulation")]
        sim_txt = "; ".join(f"{m.removeprefix('simulation_')} {p:.2f}" for m, p in
                            zip(sims["method"], sims["power_at_target"]))
        out.append(f"ICC {icc:.3f} ({source}): with {int(a['n_campuses'])} campuses ({int(a['n_pilot_campuses'])} "
                   f"pilot), {int(a['n_pre'])} intakes before and {int(a['n_post'])} from the start, the smallest "
                   f"effect detectable with 80 % power at the {100 * a['alpha']:g} % level is {a['mde_pp']:.1f} "
                   f"percentage points; "
                   f"the power to detect {a['target_effect_pp']:.0f} pp is {a['power_at_target']:.2f} (analytic)"
                   + (f", by simulation: {sim_txt}." if sim_txt else "."))
    return out
