"""The SOSU models fitted on the cell table, and the output tables built from them.

Models, per outcome definition (``incl_switch``: events ``n_dropout_total``;
``excl_switch``: events ``n_dropout_noswitch``), all with ``n_cohort`` trials
and any extra grouping columns ``G`` (campus, intake ...) as main effects:

=============== ======================================
``programme``   programme + G
``year``        year + G
``additive``    programme + year + G
``interaction`` programme + year + programme:year + G
=============== ======================================

Year is a factor here (one effect per year); the trend in year as a number
is in :mod:`~sosu_analysis.models.trend`. The reference programme is by
default the largest (SSA in the shipped data), the reference year the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..definitions import OUTCOME_NAMES
from .data import DENOMINATOR, events_column
from .glm import GroupedLogitFit, coefficient_table, fit_grouped_logit, lr_test
from .margins import average_marginal_effects, margins, predicted_probabilities
from .multinomial import (
    CATEGORY_COLUMNS,
    fit_multinomial,
    multinomial_coefficients,
    multinomial_lr_test,
    predicted_shares,
)
from .options import ModelName, Outcome
from .quasi import quasi_reference, used_dispersion

MODEL_NAMES: tuple[ModelName, ...] = ("programme", "year", "additive", "interaction")


def model_terms(model: ModelName, group_cols: Sequence[str] = ()) -> list[str]:
    """Terms of a named model (see the module docstring)."""
    base = {"programme": ["programme"], "year": ["year"], "additive": ["programme", "year"],
            "interaction": ["programme", "year", "programme:year"]}
    if model not in base:
        raise ValueError(f"unknown model {model!r}; expected one of {list(base)}")
    return base[model] + list(group_cols)


def sosu_factors(cells: pd.DataFrame, group_cols: Sequence[str] = (),
                 programme_reference: str | None = None) -> dict[str, tuple]:
    """Order the factor levels, reference first.

    The reference is the largest programme (or ``programme_reference``), the
    first year, and the largest level of each grouping column.
    """
    def largest_first(var: str, ref: str | None = None) -> tuple:
        sizes = cells.groupby(var)[DENOMINATOR].sum()
        levels = sorted(sizes.index)
        ref = str(sizes.sort_index().idxmax()) if ref is None else ref
        if ref not in levels:
            raise ValueError(f"reference {ref!r} is not a level of {var}: {levels}")
        return (ref, *[lev for lev in levels if lev != ref])

    factors = {"programme": largest_first("programme", programme_reference),
               "year": tuple(sorted(cells["year"].unique()))}
    for g in group_cols:
        factors[g] = largest_first(g)
    return factors


@dataclass(frozen=True)
class LogitModels:
    """The fitted binomial models: ``fits[(definition, model)]``, plus what built them."""

    fits: dict
    factors: dict
    group_cols: tuple[str, ...]

    def reference_dispersion(self, definition: Outcome) -> tuple[float, int, str]:
        """Pearson phi of the largest model with residual df (``interaction``, else ``additive``).

        Returns its value, df and model name. Quasi columns of saturated models use it.
        """
        for name in ("interaction", "additive"):
            fit = self.fits[(definition, name)]
            if fit.df_resid > 0:
                return fit.dispersion, fit.df_resid, name
        return float("nan"), 0, ""


def fit_logit_models(cells: pd.DataFrame, group_cols: Sequence[str] = (),
                     programme_reference: str | None = None) -> LogitModels:
    """Fit every model of :data:`MODEL_NAMES` for both outcome definitions on the cell table."""
    factors = sosu_factors(cells, group_cols, programme_reference)
    fits = {}
    for definition in OUTCOME_NAMES:
        for model in MODEL_NAMES:
            fits[(definition, model)] = fit_grouped_logit(cells, events_column(definition), DENOMINATOR,
                                                          model_terms(model, group_cols), factors)
    return LogitModels(fits=fits, factors=factors, group_cols=tuple(group_cols))


def _dispersion_for(models: LogitModels, definition: Outcome, fit: GroupedLogitFit
                    ) -> tuple[float, int, str]:
    if fit.df_resid > 0:
        return fit.dispersion, fit.df_resid, "own"
    phi, df, name = models.reference_dispersion(definition)
    return phi, df, name


def logit_models_table(models: LogitModels, alpha: float = 0.05) -> pd.DataFrame:
    """``logit_models.csv``: coefficients of every model and definition.

    Columns: ``outcome_definition, model, term, estimate`` (log-odds),
    ``std_error, z, p_value, ci_low, ci_high, odds_ratio, or_ci_low,
    or_ci_high``, the quasi-binomial columns of
    :func:`~sosu_analysis.models.glm.coefficient_table`, ``dispersion_source``
    (``own``, or the model whose phi a saturated model borrows),
    ``deviance, df_resid, n_cells, n_students, denominator, note``.
    """
    parts = []
    for (definition, model), fit in models.fits.items():
        phi, dfd, source = _dispersion_for(models, definition, fit)
        t = coefficient_table(fit, alpha, dispersion=phi, df_dispersion=dfd)
        t.insert(0, "model", model)
        t.insert(0, "outcome_definition", definition)
        t["dispersion_source"] = source
        t["deviance"], t["df_resid"] = fit.deviance, fit.df_resid
        t["n_cells"], t["n_students"], t["denominator"] = len(fit.events), fit.nobs, DENOMINATOR
        notes = []
        if fit.separation:
            notes.append("separation: a fitted probability is 0 or 1, some estimates are not finite")
        if fit.spec.dropped:
            notes.append(f"aliased (not estimable) and dropped: {', '.join(fit.spec.dropped)}")
        t["note"] = "; ".join(notes)
        parts.append(t)
    return pd.concat(parts, ignore_index=True)


def dispersion_table(models: LogitModels) -> pd.DataFrame:
    r"""Goodness of fit and Pearson dispersion of every model.

    Columns: ``outcome_definition, model, n_cells, n_params, df_resid,
    deviance, deviance_p_value, pearson_chi2, pearson_p_value, dispersion,
    overdispersed`` (phi > 1), ``dispersion_used`` (``max(phi, 1)``, the
    factor on the variance in the quasi columns), ``note``.

    Notes
    -----
    Both :math:`D` and :math:`X^2` are referred to :math:`\chi^2_{m-k}` as
    goodness-of-fit tests (adequate here: every cell has many students).
    """
    rows = []
    for (definition, model), fit in models.fits.items():
        df = fit.df_resid
        row = {"outcome_definition": definition, "model": model, "n_cells": len(fit.events),
               "n_params": len(fit.params), "df_resid": df, "deviance": fit.deviance,
               "deviance_p_value": float(stats.chi2.sf(fit.deviance, df)) if df > 0 else np.nan,
               "pearson_chi2": fit.pearson_chi2,
               "pearson_p_value": float(stats.chi2.sf(fit.pearson_chi2, df)) if df > 0 else np.nan,
               "dispersion": fit.dispersion}
        if df > 0:
            row["overdispersed"] = bool(fit.dispersion > 1)
            row["dispersion_used"] = used_dispersion(fit.dispersion)
            row["note"] = ("quasi-binomial standard errors: binomial SE x sqrt(phi)" if fit.dispersion > 1
                           else "no overdispersion: quasi-binomial SE = binomial SE")
        else:
            phi, _, name = models.reference_dispersion(definition)
            row["overdispersed"] = pd.NA
            row["dispersion_used"] = used_dispersion(phi)
            row["note"] = f"saturated: no residual df; quasi columns use the {name} model's phi"
        rows.append(row)
    return pd.DataFrame(rows)


def lr_tests_table(cells: pd.DataFrame, models: LogitModels) -> pd.DataFrame:
    """Likelihood-ratio tests: programmes differ, years differ, programme × year, and each grouping column.

    Columns: ``outcome_definition, test, hypothesis, model_reduced,
    model_full, lr_chi2, df, p_value, dispersion, f_stat, df_resid,
    p_value_quasi, note``. The quasi F test uses the Pearson phi of the
    largest non-saturated model (see :meth:`LogitModels.reference_dispersion`);
    it is not available when the full model is saturated (then the test *is*
    the goodness-of-fit test of the reduced model, and no df are left to
    estimate phi).
    """
    rows = []
    for definition in OUTCOME_NAMES:
        f = {m: models.fits[(definition, m)] for m in MODEL_NAMES}
        phi, dfd, name = models.reference_dispersion(definition)
        tests = [("programme", "programmes differ (given year)", "year", "additive", f["year"], f["additive"]),
                 ("year", "years differ (given programme)", "programme", "additive", f["programme"], f["additive"]),
                 ("programme:year", "programme differences change between years", "additive", "interaction",
                  f["additive"], f["interaction"])]
        for g in models.group_cols:
            reduced = fit_grouped_logit(cells, events_column(definition), DENOMINATOR,
                                        [t for t in model_terms("additive", models.group_cols) if t != g],
                                        models.factors)
            tests.append((g, f"{g} levels differ (given programme and year)", f"additive without {g}",
                          "additive", reduced, f["additive"]))
        for test, hypothesis, red_name, full_name, reduced, full in tests:
            saturated = full.df_resid == 0
            res = lr_test(reduced, full, dispersion=np.nan if saturated else phi, df_dispersion=dfd)
            note = (f"quasi F with phi of the {name} model" if not saturated else
                    "full model saturated: the test is the goodness of fit of the reduced model; no quasi F")
            rows.append({"outcome_definition": definition, "test": test, "hypothesis": hypothesis,
                         "model_reduced": red_name, "model_full": full_name, **res, "note": note})
    return pd.DataFrame(rows)


def _quasi(est, se, phi_used: float, dfd: int, alpha: float):
    se_q = np.asarray(se) * np.sqrt(phi_used)
    crit = quasi_reference(phi_used, dfd).ppf(1 - alpha / 2)
    return se_q, np.asarray(est) - crit * se_q, np.asarray(est) + crit * se_q


def marginal_effects_table(models: LogitModels, alpha: float = 0.05,
                           model_names: Sequence[ModelName] = ("additive", "interaction")) -> pd.DataFrame:
    r"""``marginal_effects.csv``: predicted probabilities and average marginal effects, in percent / pp.

    Rows, per definition and model:

    - ``kind = "margin"``: average predicted dropout (%) with every student set
      to one level of ``variable`` (programme, year, each grouping column),
      the others as observed;
    - ``kind = "ame"``: that margin minus the reference level's, in
      percentage points, with ``p_value``;
    - ``kind = "cell"``: predicted dropout (%) per cell (programme, year, groups).

    Columns: ``outcome_definition, model, kind, variable, level, reference,
    programme, year, <groups>, unit, estimate, std_error, ci_low, ci_high,
    p_value, dispersion_used, std_error_quasi, ci_low_quasi,
    ci_high_quasi``. Intervals are delta-method Wald intervals on the
    probability scale (:mod:`~sosu_analysis.models.margins`).
    """
    parts = []
    for definition in OUTCOME_NAMES:
        for model in model_names:
            fit = models.fits[(definition, model)]
            phi, dfd, _ = _dispersion_for(models, definition, fit)
            phi_used = used_dispersion(phi)
            variables = ["programme", "year", *models.group_cols]
            blocks = []
            for var in variables:
                m = margins(fit, var, alpha=alpha)
                m["kind"], m["reference"], m["unit"], m["p_value"] = "margin", "", "%", np.nan
                a = average_marginal_effects(fit, var, alpha=alpha).drop(columns="z")
                a["kind"], a["unit"] = "ame", "pp"
                blocks += [m, a]
            cells = predicted_probabilities(fit, alpha=alpha)
            keep = ["programme", "year", *models.group_cols]
            c = cells[keep + ["estimate", "std_error", "ci_low", "ci_high"]].copy()
            c["kind"], c["variable"], c["level"], c["reference"], c["unit"] = "cell", "", "", "", "%"
            c["p_value"] = np.nan
            block = pd.concat(blocks + [c], ignore_index=True)
            for col in ("estimate", "std_error", "ci_low", "ci_high"):
                block[col] = 100 * block[col].astype(float)
            block["level"] = block["level"].astype(str)
            block["dispersion_used"] = phi_used
            block["std_error_quasi"], block["ci_low_quasi"], block["ci_high_quasi"] = _quasi(
                block["estimate"], block["std_error"], phi_used, dfd, alpha)
            block.insert(0, "model", model)
            block.insert(0, "outcome_definition", definition)
            parts.append(block)
    out = pd.concat(parts, ignore_index=True)
    front = ["outcome_definition", "model", "kind", "variable", "level", "reference", "programme", "year",
             *models.group_cols, "unit", "estimate", "std_error", "ci_low", "ci_high", "p_value",
             "dispersion_used", "std_error_quasi", "ci_low_quasi", "ci_high_quasi"]
    out["year"] = out["year"].astype("Int64")
    return out.loc[:, front]


def multinomial_tables(cells: pd.DataFrame, group_cols: Sequence[str] = (),
                       programme_reference: str | None = None, alpha: float = 0.05
                       ) -> dict[str, pd.DataFrame]:
    """Fit the multinomial model (in progress / switched / left): shares, coefficients, LR tests.

    Returns
    -------
    dict
        ``multinomial_shares``: per cell and category the observed share and
        the predicted share (%) of the ``programme + year (+ G)`` model with
        a delta-method interval; rows of excluded levels (a category empty,
        e.g. PAU without switchers) carry the observed share only and a note.
        Denominator ``n_students`` = ``n_cohort - n_other`` (see
        :mod:`~sosu_analysis.models.multinomial`).
        ``multinomial_models``: log relative-risk ratios against ``in_progress``.
        ``multinomial_lr_tests``: programmes differ / years differ in the
        three-way split.
    """
    factors = sosu_factors(cells, group_cols, programme_reference)
    terms = model_terms("additive", group_cols)
    full = fit_multinomial(cells, terms, factors)
    keys = ["programme", "year", *group_cols]
    pred = predicted_shares(full, alpha=alpha)
    obs_parts = []
    n_students = cells[list(CATEGORY_COLUMNS.values())].sum(axis=1)
    for cat, col in CATEGORY_COLUMNS.items():
        o = cells[keys].copy()
        o["category"], o["n_students"] = cat, n_students.to_numpy()
        o["observed_pct"] = 100 * cells[col].to_numpy() / n_students.to_numpy()
        obs_parts.append(o)
    shares = pd.concat(obs_parts, ignore_index=True)
    pred = pred[keys + ["category", "estimate", "std_error", "ci_low", "ci_high"]]
    pred = pred.rename(columns={"estimate": "predicted_pct", "std_error": "std_error_pp",
                                "ci_low": "ci_low", "ci_high": "ci_high"})
    for col in ("predicted_pct", "std_error_pp", "ci_low", "ci_high"):
        pred[col] = 100 * pred[col]
    shares = shares.merge(pred, on=keys + ["category"], how="left", validate="one_to_one")
    shares.insert(0, "model", "+".join(terms))
    excluded_note = "; ".join(f"{var} {', '.join(map(str, levs))}" for var, levs in full.excluded.items())
    shares["note"] = np.where(shares["predicted_pct"].isna(),
                              f"excluded from the model (a category has no student at this level: "
                              f"{excluded_note}); observed share only", "")
    shares = shares.sort_values(keys + ["category"], key=lambda s: s.map(
        {c: i for i, c in enumerate(CATEGORY_COLUMNS)}) if s.name == "category" else s).reset_index(drop=True)

    coefs = multinomial_coefficients(full, alpha)
    coefs.insert(0, "model", "+".join(terms))
    coefs["excluded"] = excluded_note

    lr_rows = []
    data = full.data
    for var in ["programme", "year", *group_cols]:
        if len(full.spec.factors.get(var, ())) < 2:
            continue
        reduced = fit_multinomial(data, [t for t in terms if t != var], full.spec.factors, exclude_empty=False)
        res = multinomial_lr_test(reduced, full)
        lr_rows.append({"test": var, "hypothesis": f"{var} levels differ in the in progress / switched / left split",
                        "model_reduced": "+".join(t for t in terms if t != var), "model_full": "+".join(terms),
                        **res, "n_students": full.nobs, "excluded": excluded_note})
    return {"multinomial_shares": shares, "multinomial_models": coefs,
            "multinomial_lr_tests": pd.DataFrame(lr_rows)}
