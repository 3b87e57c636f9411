r"""Public namespace of the dropout models (issue 3).

One call fits everything on the cleaned cell table::

    from sosu_analysis.models.api import run_all, summary_sentences
    results = run_all(table1, goal_pct=12.0, intervention_year=2025)
    results["logit_models"].to_csv("logit_models.csv", index=False)
    print("\n".join(summary_sentences(results)))

Every binomial model uses the whole intake ``n_cohort`` as denominator, as
the ministry's published percentages do; dropouts are ``n_dropout_total``
under ``incl_switch`` and ``n_dropout_noswitch`` under ``excl_switch``
(switchers, and students in statuses the table does not show, count as not
dropped out).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import danish
from ..definitions import OUTCOME_NAMES, OUTCOMES
from .data import DENOMINATOR, KNOWN_GROUP_COLUMNS, check_table, events_column, resolve_group_cols
from .design import DesignSpec, build_design
from .glm import GroupedLogitFit, coefficient_table, fit_grouped_logit, lr_test
from .margins import average_marginal_effects, margins, predicted_probabilities
from .multinomial import (
    CATEGORY_COLUMNS,
    MultinomialFit,
    fit_multinomial,
    multinomial_coefficients,
    multinomial_lr_test,
    predicted_shares,
)
from .options import CovType, Language, ModelName, Outcome
from .plots import plot_trends, watermark_axes
from .quasi import pearson_chi2, pearson_dispersion, quasi_cov, used_dispersion
from .tables import (
    MODEL_NAMES,
    LogitModels,
    dispersion_table,
    fit_logit_models,
    logit_models_table,
    lr_tests_table,
    marginal_effects_table,
    model_terms,
    multinomial_tables,
    sosu_factors,
)
from .trend import (
    cochran_armitage,
    fit_trend,
    format_p,
    goal_distance,
    programme_years,
    segmented_trend,
    trend_fits,
    trend_sentence,
    trend_tests,
)

__all__ = [
    "CATEGORY_COLUMNS", "DENOMINATOR", "KNOWN_GROUP_COLUMNS", "MODEL_NAMES", "RESULT_KEYS",
    "CovType", "DesignSpec", "GroupedLogitFit", "Language", "LogitModels", "ModelName", "MultinomialFit",
    "Outcome",
    "average_marginal_effects", "build_design", "check_table", "cochran_armitage", "coefficient_table",
    "dispersion_table", "events_column", "fit_grouped_logit", "fit_logit_models", "fit_multinomial",
    "fit_trend", "format_p", "goal_distance", "logit_models_table", "lr_test", "lr_tests_table", "margins",
    "marginal_effects_table", "model_terms", "multinomial_coefficients", "multinomial_lr_test",
    "multinomial_tables", "pearson_chi2", "pearson_dispersion", "plot_trends", "predicted_probabilities",
    "predicted_shares", "programme_years", "quasi_cov", "resolve_group_cols", "run_all", "segmented_trend",
    "sosu_factors", "summary_sentences", "trend_fits", "trend_sentence", "trend_tests", "used_dispersion",
    "watermark_axes",
]

#: keys of :func:`run_all`'s result
RESULT_KEYS: tuple[str, ...] = (
    "logit_models", "marginal_effects", "lr_tests", "trend_tests", "multinomial_shares", "dispersion",
    "goal_distance", "segmented_trend", "multinomial_models", "multinomial_lr_tests", "settings",
)


def run_all(table1: pd.DataFrame, goal_pct: float = 12.0, intervention_year: int = 2025, *,
            group_cols: Sequence[str] | None = None, programme_reference: str | None = None,
            alpha: float = 0.05) -> dict[str, pd.DataFrame]:
    """Fit every model of issue 3 on the cell table and return the output tables.

    Parameters
    ----------
    table1 : DataFrame
        The cleaned table (``data/processed/table1_clean.csv``): one row per
        programme × year (× extra groups) with the count columns.
    goal_pct : float
        National dropout goal in percent (Danske SOSU-skoler: 12).
    intervention_year : int
        First year of the interventions, for the segmented trend.
    group_cols : sequence of str, optional
        Extra grouping columns (campus, intake ...); default the known ones
        present (:data:`KNOWN_GROUP_COLUMNS`) with two or more levels.
    programme_reference : str, optional
        Reference programme of the models; default the largest.
    alpha : float
        1 − confidence level of every interval.

    Returns
    -------
    dict of DataFrame
        ``logit_models``, ``marginal_effects``, ``lr_tests``, ``trend_tests``,
        ``multinomial_shares``, ``dispersion``, ``goal_distance``,
        ``segmented_trend``, ``multinomial_models``, ``multinomial_lr_tests``
        and ``settings`` (one row: the arguments used, the denominator and
        the reference levels). Deterministic: no randomness.
    """
    cells = check_table(table1, group_cols)
    groups = resolve_group_cols(table1, group_cols)
    models = fit_logit_models(cells, groups, programme_reference)
    out = {
        "logit_models": logit_models_table(models, alpha),
        "marginal_effects": marginal_effects_table(models, alpha),
        "lr_tests": lr_tests_table(cells, models),
        "trend_tests": trend_tests(cells, alpha),
        "dispersion": dispersion_table(models),
        "goal_distance": goal_distance(cells, goal_pct, alpha=alpha),
        "segmented_trend": segmented_trend(cells, intervention_year, alpha),
    }
    out.update(multinomial_tables(cells, groups, programme_reference, alpha))
    out["settings"] = pd.DataFrame([{
        "goal_pct": goal_pct, "intervention_year": intervention_year, "alpha": alpha,
        "denominator": DENOMINATOR, "group_cols": ",".join(groups),
        "programme_reference": models.factors["programme"][0], "year_reference": models.factors["year"][0],
        "n_students": int(cells[DENOMINATOR].sum()), "n_cells": len(cells),
        "first_year": int(cells["year"].min()), "last_year": int(cells["year"].max()),
    }])
    return {k: out[k] for k in RESULT_KEYS}


def _fmt(x: float, decimals: int, language: Language) -> str:
    return danish.number(x, decimals) if language == "da" else f"{x:.{decimals}f}"


def summary_sentences(results: dict[str, pd.DataFrame], language: Language = "en") -> list[str]:
    """Explain the model results in prose, generated from the numbers (rounded).

    Parameters
    ----------
    results : dict
        The output of :func:`run_all`.
    language : {"en", "da"}
        English or Danish. The trend sentences exist in both; the others are
        English with Danish numbers for ``"da"`` (translation welcome).

    Returns
    -------
    list of str
        Denominator; how the programmes and years differ (LR tests) under
        both definitions; overdispersion; the trend per programme (the answer
        to "is SSA dropout rising beyond chance?"); the 12 % goal; the
        segmented trend; switching as its own outcome; the caveats.
    """
    s = results["settings"].iloc[0]
    alpha = float(s["alpha"])
    lv = f"{100 * (1 - alpha):g}"
    out = [f"All binomial models use the whole intake (n_cohort, {int(s['n_students'])} students in "
           f"{int(s['n_cells'])} cells) as denominator, as the ministry's published percentages do; "
           f"'incl. switching' counts afbrudt totalt as dropout, 'excl. switching' only afbrudt uden omvalg "
           f"(switchers, and the few students in a status the table does not show, count as not dropped out). "
           f"Reference programme {s['programme_reference']}, reference year {s['year_reference']}."]
    lr = results["lr_tests"]
    disp = results["dispersion"]
    for definition, spec in OUTCOMES.items():
        label = spec.long_en
        t = lr[lr["outcome_definition"] == definition].set_index("test")
        parts = []
        for test, what in (("programme", "the programmes differ"), ("year", "the years differ"),
                           ("programme:year", "the programme differences change between years")):
            if test in t.index:
                r = t.loc[test]
                extra = (f"; allowing for overdispersion F = {_fmt(r['f_stat'], 2, language)}, "
                         f"{format_p(r['p_value_quasi'], language)}"
                         if np.isfinite(r["f_stat"]) and r["dispersion"] > 1 else "")
                parts.append(f"{what}: LR chi² = {_fmt(r['lr_chi2'], 1, language)} on {int(r['df'])} df, "
                             f"{format_p(r['p_value'], language)}{extra}")
        out.append(f"Dropout {label}: " + "; ".join(parts) + ".")
        add = disp[(disp["outcome_definition"] == definition) & (disp["model"] == "additive")]
        if len(add):
            a = add.iloc[0]
            verdict = ("the cells vary more than binomial sampling allows, so the quasi-binomial columns "
                       f"widen the standard errors by a factor {_fmt(np.sqrt(a['dispersion_used']), 2, language)}"
                       if a["dispersion"] > 1 else "no overdispersion: the binomial standard errors stand")
            out.append(f"Overdispersion ({label}, programme + year model): Pearson dispersion "
                       f"{_fmt(a['dispersion'], 2, language)} on {int(a['df_resid'])} df; {verdict}.")
    tt = results["trend_tests"]
    order = ["SSA"] + sorted(p for p in tt["programme"].unique() if p != "SSA")
    for programme in order:
        for definition in OUTCOME_NAMES:
            row = tt[(tt["programme"] == programme) & (tt["outcome_definition"] == definition)]
            if len(row):
                out.append(trend_sentence(row.iloc[0], language, alpha))
    ssa = tt[tt["programme"] == "SSA"].set_index("outcome_definition")
    if {"incl_switch", "excl_switch"} <= set(ssa.index):
        sig = {d: ssa.loc[d, "p_value"] < alpha for d in ("incl_switch", "excl_switch")}
        if sig["incl_switch"] == sig["excl_switch"]:
            out.append("For SSA the answer does not change when switchers are not counted: the trend is "
                       + ("beyond chance under both definitions." if sig["incl_switch"]
                          else "within chance under both definitions."))
        else:
            out.append("For SSA the answer depends on the definition: the trend is beyond chance "
                       + ("only when switchers count as dropout." if sig["incl_switch"]
                          else "only when switchers are not counted."))
    g = results["goal_distance"]
    g = g[g["goal_applies"].astype(bool)]
    for _, r in g.iterrows():
        if not np.isfinite(r.get("distance_pp", np.nan)):
            continue
        label = OUTCOMES[r["outcome_definition"]].long_en
        side = "above" if r["distance_pp"] > 0 else "below"
        out.append(f"{r['programme']} {r['year']}, dropout {label}: observed {_fmt(r['observed_pct'], 1, language)} %, "
                   f"trend-predicted {_fmt(r['predicted_pct'], 1, language)} %, "
                   f"{_fmt(abs(r['distance_pp']), 1, language)} percentage points {side} the {r['goal_pct']:g} % goal "
                   f"(distance {lv} % CI {_fmt(r['distance_ci_low'], 1, language)} to "
                   f"{_fmt(r['distance_ci_high'], 1, language)} pp; allowing for overdispersion "
                   f"{_fmt(r['distance_ci_low_quasi'], 1, language)} to "
                   f"{_fmt(r['distance_ci_high_quasi'], 1, language)} pp).")
    seg = results["segmented_trend"]
    if len(seg) and not seg["estimable"].astype(bool).any():
        out.append(f"The segmented trend with a level shift in {int(s['intervention_year'])} is not estimable yet: "
                   f"the data end in {int(s['last_year'])}, before the interventions.")
    elif len(seg):
        for _, r in seg[(seg["term"] == "post") & seg["estimable"].astype(bool)].iterrows():
            label = OUTCOMES[r["outcome_definition"]].long_en
            out.append(f"{r['programme']}, dropout {label}: from {int(r['intervention_year'])} the rate lies "
                       f"{_fmt(r['effect_pp'], 1, language)} percentage points from the continued earlier trend "
                       f"({lv} % CI {_fmt(r['effect_pp_ci_low'], 1, language)} to "
                       f"{_fmt(r['effect_pp_ci_high'], 1, language)}; level shift odds ratio "
                       f"{_fmt(r['odds_ratio'], 2, language)}, {format_p(r['p_value'], language)}).")
    sh = results["multinomial_shares"]
    sw = sh[(sh["category"] == "switched") & sh["predicted_pct"].notna()]
    if len(sw):
        by = sw.groupby("programme").apply(lambda d: np.average(d["predicted_pct"], weights=d["n_students"]),
                                           include_groups=False)
        mlr = results["multinomial_lr_tests"].set_index("test")
        txt = ", ".join(f"{p} {_fmt(v, 1, language)} %" for p, v in by.items())
        n_model = int(sh.loc[(sh["category"] == "switched") & sh["predicted_pct"].notna(), "n_students"].sum())
        out.append(f"Switching as its own outcome (multinomial in progress / switched / left on {n_model} "
                   f"students; those in a status the table does not show are excluded): "
                   f"predicted share switched {txt}"
                   + (f"; programmes differ in the three-way split: LR chi² = "
                      f"{_fmt(mlr.loc['programme', 'lr_chi2'], 1, language)} "
                      f"on {int(mlr.loc['programme', 'df'])} df, {format_p(mlr.loc['programme', 'p_value'], language)}"
                      if "programme" in mlr.index else "") + ".")
        excl = sh.loc[sh["note"] != "", "programme"].unique()
        if len(excl):
            out.append(f"{', '.join(excl)} had no switchers in any year and is left out of the multinomial model "
                       f"(its coefficient would be minus infinity); its observed shares are reported as they are.")
    n_years = int(tt["n_years"].max()) if len(tt) else 0
    out.append(f"Caveat: {n_years} yearly points make a weak trend; the tests treat students as independent, "
               f"and cohorts share teachers, campuses and labour markets, so the quasi-binomial intervals "
               f"are the more honest ones where they are wider.")
    return out
