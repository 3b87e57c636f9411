r"""Public namespace of the dropout models (issue 3).

One call fits everything on the cleaned cell table::

    from sosu_analysis.models.api import run_all
    from sosu_analysis.reporting.models.summary import summary_sentences
    results = run_all(table1, goal_pct=12.0, intervention_year=2025)
    results["logit_models"].to_csv("logit_models.csv", index=False)
    print("\n".join(summary_sentences(results).sentences()))

Every binomial model uses the whole intake ``n_cohort`` as denominator, as
the ministry's published percentages do; dropouts are ``n_dropout_total``
under ``incl_switch`` and ``n_dropout_noswitch`` under ``excl_switch``
(switchers, and students in statuses the table does not show, count as not
dropped out).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

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
from .options import RESULT_KEYS, TABLE_NAMES, CovType, Language, ModelName, Outcome
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
    trend_curves,
    trend_fits,
    trend_sentence,
    trend_tests,
)

__all__ = [
    "CATEGORY_COLUMNS", "DENOMINATOR", "TABLE_NAMES", "trend_curves",
    "KNOWN_GROUP_COLUMNS", "MODEL_NAMES", "RESULT_KEYS",
    "CovType", "DesignSpec", "GroupedLogitFit", "Language", "LogitModels", "ModelName", "MultinomialFit",
    "Outcome",
    "average_marginal_effects", "build_design", "check_table", "cochran_armitage", "coefficient_table",
    "dispersion_table", "events_column", "fit_grouped_logit", "fit_logit_models", "fit_multinomial",
    "fit_trend", "format_p", "goal_distance", "logit_models_table", "lr_test", "lr_tests_table", "margins",
    "marginal_effects_table", "model_terms", "multinomial_coefficients", "multinomial_lr_test",
    "multinomial_tables", "pearson_chi2", "pearson_dispersion", "predicted_probabilities",
    "predicted_shares", "programme_years", "quasi_cov", "resolve_group_cols", "run_all", "segmented_trend",
    "sosu_factors", "trend_fits", "trend_sentence", "trend_tests", "used_dispersion",
]


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
        ``segmented_trend``, ``trend_curves``, ``multinomial_models``, ``multinomial_lr_tests``
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
        "trend_curves": trend_curves(cells, alpha),
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
