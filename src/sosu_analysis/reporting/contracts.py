"""The tables one chapter writes and another reads: their columns and types, declared once.

Every result table a notebook writes to ``OUTPUT/tables/NAME.csv`` is listed in
:data:`CONTRACTS` with its columns in order, the type of each column, the
chapter that writes it and the chapters that read it. Tables are written with
:func:`write_table` and read back with :func:`read_table`, which both hold the
table to its contract: a missing, extra or reordered column, or a value that
does not fit its column's type, stops the run with a :class:`ContractError`
naming the file and the column. A chapter therefore never reads a table by
position ("the first row is the main horizon"): it selects rows by their key
columns.

Column types
------------
``str``
    Text; an empty cell reads back as ``""``.
``float``
    A real number; an empty cell is ``NaN``.
``int``
    A whole number that is never missing (``int64``).
``Int64``
    A whole number that may be missing (pandas' nullable ``Int64``), e.g. a
    count blanked by the small-cell rule.
``bool``
    ``True``/``False``, never missing.
``boolean``
    ``True``/``False`` or missing (pandas' nullable ``boolean``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .. import atomic
from ..paths import resolve

ColumnType = Literal["str", "float", "int", "Int64", "bool", "boolean"]

#: the pandas dtype each column type is read back with
PANDAS_DTYPE: dict[str, str] = {"str": "str", "float": "float64", "int": "int64", "Int64": "Int64",
                                "bool": "bool", "boolean": "boolean"}


class ContractError(ValueError):
    """A table does not match its declared contract (names the file and the column)."""


@dataclass(frozen=True)
class TableContract:
    """The declared shape of one result table.

    Attributes
    ----------
    name : str
        File name without ``.csv`` (``OUTPUT/tables/NAME.csv``).
    written_by : str
        The chapter (notebook) that writes it.
    read_by : tuple of str
        The chapters that read it back.
    columns : tuple of (str, ColumnType)
        Every column, in file order, with its type.
    keys : tuple of str
        The columns that identify a row; rows are selected by them.
    """

    name: str
    written_by: str
    read_by: tuple[str, ...]
    columns: tuple[tuple[str, ColumnType], ...]
    keys: tuple[str, ...] = ()

    @property
    def column_names(self) -> list[str]:
        """The column names, in file order."""
        return [c for c, _ in self.columns]

    @property
    def dtypes(self) -> dict[str, str]:
        """Column name → the pandas dtype it is read back with."""
        return {c: PANDAS_DTYPE[t] for c, t in self.columns}


def _c(spec: str) -> tuple[tuple[str, ColumnType], ...]:
    """Parse ``"name:type name:type ..."`` (type ``float`` when left out) into column pairs."""
    out: list[tuple[str, ColumnType]] = []
    for item in spec.split():
        name, _, kind = item.partition(":")
        kind = kind or "float"
        if kind not in PANDAS_DTYPE:
            raise ValueError(f"unknown column type {kind!r} for column {name!r}")
        out.append((name, kind))  # type: ignore[arg-type]
    return tuple(out)


#: the columns every survey summary table shares (survey.tables.summary_table), after its grouping columns
_SURVEY_SUMMARY = ("n:Int64 G:Int64 n_intakes:Int64 score score_se score_df score_ci_low score_ci_high score_deff "
                   "agree_pct agree_ci_low agree_ci_high agree_deff folded:bool suppressed:bool "
                   "share_suppressed:bool")

_CONTRACT_LIST = [
    # -- 00_clean: the published table --------------------------------------------------------------
    TableContract("table1", "00_clean", ("06_rapport", "11_design"), _c(
        "programme:str year:int n_cohort:int n_in_progress:int n_dropout_switch:int n_dropout_noswitch:int "
        "n_dropout_total:int n_other:int pct_in_progress pct_dropout_switch pct_dropout_noswitch "
        "pct_dropout_total"), ("programme", "year")),
    # -- 01_descriptives ---------------------------------------------------------------------------
    TableContract("table1_reproduction", "01_descriptives", (), _c(
        "programme:str year:int status:str published:str count:int n_cohort:int reproduced:str match:str"),
        ("programme", "year", "status")),
    TableContract("dropout_rates", "01_descriptives", ("06_rapport",), _c(
        "programme:str year:int outcome_definition:str n_dropout:int n_cohort:int pct ci_low ci_high"),
        ("programme", "year", "outcome_definition")),
    # -- 02_logistic_models: every model of the published table, fitted once -------------------------
    TableContract("model_settings", "02_logistic_models", ("03_trends",), _c(
        "goal_pct intervention_year:int alpha denominator:str group_cols:str programme_reference:str "
        "year_reference:int n_students:int n_cells:int first_year:int last_year:int")),
    TableContract("logit_models", "02_logistic_models", ("03_trends",), _c(
        "outcome_definition:str model:str term:str estimate std_error z p_value ci_low ci_high odds_ratio "
        "or_ci_low or_ci_high dispersion dispersion_used std_error_quasi p_value_quasi ci_low_quasi "
        "ci_high_quasi or_ci_low_quasi or_ci_high_quasi dispersion_source:str deviance df_resid:int "
        "n_cells:int n_students:int denominator:str note:str"), ("outcome_definition", "model", "term")),
    TableContract("marginal_effects", "02_logistic_models", ("03_trends", "06_rapport"), _c(
        "outcome_definition:str model:str kind:str variable:str level:str reference:str programme:str "
        "year:Int64 unit:str estimate std_error ci_low ci_high p_value dispersion_used std_error_quasi "
        "ci_low_quasi ci_high_quasi"),
        ("outcome_definition", "model", "kind", "variable", "level", "programme", "year")),
    TableContract("lr_tests", "02_logistic_models", ("03_trends",), _c(
        "outcome_definition:str test:str hypothesis:str model_reduced:str model_full:str lr_chi2 df:int "
        "p_value dispersion f_stat df_resid:int p_value_quasi note:str"), ("outcome_definition", "test")),
    TableContract("trend_tests", "02_logistic_models", ("03_trends", "06_rapport"), _c(
        "outcome_definition:str programme:str first_year:int last_year:int n_years:int n_students:int "
        "pct_first pct_last slope_log_odds_per_year std_error ci_low ci_high odds_ratio_per_year or_ci_low "
        "or_ci_high wald_p_value lr_chi2 lr_p_value ca_z ca_chi2 p_value p_value_increase ame_pp_per_year "
        "ame_ci_low ame_ci_high dispersion_own dispersion df_dispersion:int std_error_quasi p_value_quasi "
        "or_ci_low_quasi or_ci_high_quasi note:str"), ("outcome_definition", "programme")),
    TableContract("trend_curves", "02_logistic_models", ("03_trends", "06_rapport"), _c(
        "outcome_definition:str programme:str year pct ci_low ci_high band_low_quasi band_high_quasi"),
        ("outcome_definition", "programme", "year")),
    TableContract("multinomial_shares", "02_logistic_models", ("03_trends",), _c(
        "model:str programme:str year:int category:str n_students:int observed_pct predicted_pct std_error_pp "
        "ci_low ci_high note:str"), ("model", "programme", "year", "category")),
    TableContract("dispersion", "02_logistic_models", ("03_trends",), _c(
        "outcome_definition:str model:str n_cells:int n_params:int df_resid:int deviance deviance_p_value "
        "pearson_chi2 pearson_p_value dispersion overdispersed:boolean dispersion_used note:str"),
        ("outcome_definition", "model")),
    TableContract("goal_distance", "02_logistic_models", ("03_trends", "06_rapport"), _c(
        "outcome_definition:str programme:str year:int goal_pct goal_applies:bool observed_pct observed_ci_low "
        "observed_ci_high predicted_pct predicted_ci_low predicted_ci_high distance_pp std_error_pp "
        "distance_ci_low distance_ci_high dispersion df_dispersion:int distance_ci_low_quasi "
        "distance_ci_high_quasi note:str"), ("outcome_definition", "programme", "year")),
    TableContract("segmented_trend", "02_logistic_models", ("03_trends",), _c(
        "outcome_definition:str programme:str intervention_year:int n_pre_years:int n_post_years:int "
        "estimable:bool term:str estimate std_error ci_low ci_high p_value odds_ratio effect_pp "
        "effect_pp_ci_low effect_pp_ci_high note:str"), ("outcome_definition", "programme", "term")),
    TableContract("multinomial_models", "02_logistic_models", ("03_trends",), _c(
        "model:str reference_category:str category:str term:str estimate std_error z p_value ci_low ci_high "
        "rrr rrr_ci_low rrr_ci_high excluded:str"), ("model", "category", "term")),
    TableContract("multinomial_lr_tests", "02_logistic_models", ("03_trends",), _c(
        "test:str hypothesis:str model_reduced:str model_full:str lr_chi2 df:int p_value n_students:int "
        "excluded:str"), ("test",)),
    # -- 04_pilot_vs_nonpilot ----------------------------------------------------------------------
    TableContract("did_rates_2x2", "04_pilot_vs_nonpilot", ("06_rapport",), _c(
        "outcome_definition:str group:str period:str n_students:Int64 n_dropout:Int64 rate_pct suppressed:bool"),
        ("outcome_definition", "group", "period")),
    TableContract("did", "04_pilot_vs_nonpilot", ("06_rapport", "11_design"), _c(
        "outcome_definition:str horizon_months:int estimator:str inference:str att_pp ci_low_pp ci_high_pp "
        "p_value se_pp df n_draws:Int64 min_p n_students:int n_campuses:int n_pilot_campuses:int note:str"),
        ("outcome_definition", "horizon_months", "estimator", "inference")),
    TableContract("event_study", "04_pilot_vs_nonpilot", ("06_rapport", "11_design"), _c(
        "outcome_definition:str rel_time:int att_pp se_crv1_pp ci_low_crv1_pp ci_high_crv1_pp p_crv1 se_cr2_pp "
        "df_cr2 ci_low_cr2_pp ci_high_cr2_pp p_cr2 n_students_pilot:Int64 suppressed:bool"),
        ("outcome_definition", "rel_time")),
    TableContract("event_study_pretrend", "04_pilot_vs_nonpilot", ("06_rapport",), _c(
        "outcome_definition:str method:str F wald df_num df_denom p_value n_assignments min_p"),
        ("outcome_definition", "method")),
    # -- 05_power ----------------------------------------------------------------------------------
    TableContract("power", "05_power", ("06_rapport", "11_design"), _c(
        "icc_source:str method:str mde_pp power_at_target se_pp n_reps:Int64 seed:Int64 target_effect_pp "
        "n_campuses:int n_pilot_campuses:int n_pre:int n_post:int icc baseline_pct alpha"),
        ("icc_source", "icc", "method")),
    TableContract("power_curve", "05_power", ("06_rapport",), _c(
        "effect_pp method:str power icc icc_source:str"), ("icc_source", "icc", "method", "effect_pp")),
    # -- 06_rapport: the report's own timeline -----------------------------------------------------
    TableContract("rapport_tidslinje", "06_rapport", (), _c(
        "date:str horizon:int n_pre:int n_post:int mde_pp se_pp df_cr2 se_best_pp mde_best_pp scale scale_from:str "
        "power_target"), ("date", "horizon")),
    # -- 07_national: SOSU H against the other SOSU schools ------------------------------------------
    TableContract("national_provenance", "07_national", ("06_rapport",), _c(
        "file:str credit:str retrieved:str synthetic:bool rows:int query_sha256:str unverified:str")),
    TableContract("national_rates", "07_national", ("06_rapport",), _c(
        "programme:str year:int outcome_definition:str group:str n_schools:int n_schools_missing:int "
        "n_dropout:int n_cohort:int pct ci_low ci_high"), ("programme", "year", "outcome_definition", "group")),
    TableContract("national_difference", "07_national", ("06_rapport",), _c(
        "programme:str year:int outcome_definition:str pct_school pct_rest diff_pp ci_low ci_high"),
        ("programme", "year", "outcome_definition")),
    TableContract("national_trend", "07_national", ("06_rapport",), _c(
        "programme:str outcome_definition:str slope_rest slope_diff se ci_low ci_high p_value ci_low_quasi "
        "ci_high_quasi p_value_quasi dispersion df_resid:Int64 or_per_year_rest or_per_year_school n_schools:int "
        "n_years:int n_cells:int post_diff post_ci_low post_ci_high post_p_value post_note:str"),
        ("programme", "outcome_definition")),
    TableContract("national_funnel", "07_national", ("06_rapport",), _c(
        "programme:str year:int outcome_definition:str n_schools:int national_pct school_pct school_n_cohort:int z "
        "lower_0.95 upper_0.95 lower_0.998 upper_0.998 position_0.95:str position_0.998:str n_outside_0.998:int "
        "phi"), ("programme", "year", "outcome_definition")),
    # -- 08_wellbeing: the wellbeing survey (ETU) ---------------------------------------------------
    TableContract("etu_scores", "08_wellbeing", (), _c(
        "institution:str programme:str year:int kind:str item:str score n_respondents:Int64 suppressed:bool"),
        ("institution", "programme", "year", "kind", "item")),
    TableContract("etu_association", "08_wellbeing", ("06_rapport",), _c(
        "item:str outcome_definition:str n_points:int points:str r r_ci_low r_ci_high slope_pp_per_10 "
        "slope_ci_low slope_ci_high p_value synthetic:bool"), ("item", "outcome_definition")),
    # -- 11_design: national donors, design advisor, evidence rating (issue 18) ----------------------
    # read by the report through reporting.design_section once the integrator wires it in
    TableContract("design_panel", "11_design", ("06_rapport",), _c(
        "status:str message:str programme:str definition:str threshold n_campuses:int n_pilot:int n_donors:int "
        "n_donors_kept:int n_donors_dropped:int n_cells:int n_cells_missing:int n_cells_imputed:int share_observed "
        "first_year:Int64 last_year:Int64 treatment_year:Int64 synthetic:bool")),
    TableContract("design_sdid", "11_design", ("06_rapport",), _c(
        "estimator:str estimate_pp se_pp ci_low_pp ci_high_pp p_value pre_fit_rmse_pp n_donors:int n_treated:int "
        "n_pre:int n_post:int replications:int seed:int"), ("estimator",)),
    TableContract("design_weights", "11_design", (), _c(
        "estimator:str unit:str own_school:bool weight"), ("estimator", "unit")),
    TableContract("design_paths", "11_design", (), _c(
        "estimator:str year:int treated_pct synthetic_pct post:bool"), ("estimator", "year")),
    TableContract("design_placebo", "11_design", (), _c(
        "estimator:str replication:int estimate_pp"), ("estimator", "replication")),
    TableContract("design_advisor", "11_design", ("06_rapport",), _c(
        "design:str horizon:int date:str n_comparison_units:int n_treated_units:int n_pre:int n_post:int se_pp df "
        "mde_pp power_target target_pp sees_target:bool"), ("design", "horizon", "date")),
    TableContract("design_first", "11_design", ("06_rapport",), _c(
        "design:str horizon:int first_date:str mde_first_pp mde_end_pp target_pp"), ("design", "horizon")),
    TableContract("design_evidence", "11_design", ("06_rapport",), _c(
        "design:str rating:int ceiling:int reasons:str n_comparison_units:int pre_fit_rmse_pp coverage mde_pp "
        "target_pp"), ("design",)),
    TableContract("design_students", "11_design", ("06_rapport",), _c(
        "source:str effect_pp ci_low_pp ci_high_pp n_students:int avoided avoided_low avoided_high "
        "cost_dkk_per_year cost_per_avoided cost_low cost_high"), ("source",)),
    # -- 09_survey: the plan's own questionnaires ---------------------------------------------------
    TableContract("survey_by_group", "09_survey", (), _c(
        "group:str period:str kind:str index:str measure:str " + _SURVEY_SUMMARY),
        ("group", "period", "kind", "index", "measure")),
    TableContract("survey_by_wave", "09_survey", (), _c(
        "group:str period:str wave:str kind:str index:str measure:str " + _SURVEY_SUMMARY + " secondary:bool"),
        ("group", "period", "wave", "kind", "index", "measure")),
    TableContract("survey_by_intervention", "09_survey", (), _c(
        "wave:str intervention:str kind:str index:str measure:str " + _SURVEY_SUMMARY + " secondary:bool"),
        ("wave", "intervention", "kind", "index", "measure")),
    TableContract("survey_contrasts", "09_survey", ("10_interviews",), _c(
        "kind:str index:str measure:str metric:str contrast:str estimate se df ci_low ci_high p_value n:Int64 "
        "G:Int64 deff method:str p_ri n_assignments:Int64 min_p_ri G_treated:Int64 G_control:Int64 "
        "n_treated:Int64 n_control:Int64 suppressed:bool"), ("kind", "index", "measure", "metric", "contrast")),
    TableContract("survey_spu", "09_survey", (), _c(
        "group:str period:str kind:str index:str measure:str " + _SURVEY_SUMMARY
        + " spu_population:str spu_pct diff_pp diff_ci_low diff_ci_high"),
        ("group", "period", "measure", "spu_population")),
    TableContract("survey_response", "09_survey", (), _c(
        "group:str campus:str wave:str intakes:str n_respondents:Int64 n_students:Int64 response_rate low:bool "
        "known:bool suppressed:bool secondary:bool"), ("group", "campus", "wave")),
    TableContract("survey_dropout_points", "09_survey", (), _c(
        "group:str campus:str intake:str score dropout_pct shown:bool"), ("campus", "intake")),
    # the Danish index table of the lead's report section (text cells, formatted by survey.section)
    TableContract("survey_section_indeks", "09_survey", ("06_rapport",), tuple(
        (name, "str") for name in ("Afdelinger", "Periode", "Indeks", "Svar", "Antal afdelinger",
                                   "Gennemsnit (0-100)", "Niveau", "Konfidensinterval", "Andel enige",
                                   "Designeffekt")), ("Afdelinger", "Periode", "Indeks")),
    # -- 10_interviews: the plan's group interviews (the section's tables are read by the report once wired) --
    TableContract("interview_provenance", "10_interviews", ("06_rapport",), _c(
        "register:str export:str tool:str synthetic:bool n_interviews:int n_campuses:int min_participants:int "
        "min_campus_interviews:int survey_available:bool")),
    TableContract("interview_overview", "10_interviews", ("06_rapport",), _c(
        "group:str period:str n_interviews:int n_campuses:int n_participants:Int64 n_quotable:int suppressed:bool"),
        ("group", "period")),
    TableContract("interview_themes", "10_interviews", (), _c(
        "criterion:str theme:str group:str period:str n_interviews:int n_interviews_total:int n_campuses:int "
        "n_campuses_total:int n_positive:int n_negative:int n_mixed:int"), ("criterion", "theme", "group", "period")),
    TableContract("interview_themes_by_wave", "10_interviews", (), _c(
        "criterion:str theme:str group:str wave:str n_interviews:int n_interviews_total:int n_campuses:int "
        "n_campuses_total:int n_positive:int n_negative:int n_mixed:int"), ("criterion", "theme", "group", "wave")),
    TableContract("interview_quotes", "10_interviews", ("06_rapport",), _c(
        "criterion:str theme:str rank:int quote:str rule:str valence:str group:str period:str wave:str campus:str"),
        ("criterion", "theme", "rank")),
    TableContract("interview_joint_display", "10_interviews", ("06_rapport",), _c(
        "criterion:str survey_measure:str survey_estimate survey_ci_low survey_ci_high survey_df survey_p_ri "
        "survey_min_p_ri survey_direction:Int64 survey_speaks:bool themes:str n_interviews_pilot:int "
        "n_total_pilot:int n_positive_pilot:int n_negative_pilot:int n_interviews_comparison:int "
        "n_total_comparison:int n_positive_comparison:int n_negative_comparison:int interview_direction:Int64 "
        "interviews_speak:bool agreement:str quote:str quote_group:str quote_campus:str"), ("criterion",)),
]

#: every result table, by name
CONTRACTS: dict[str, TableContract] = {c.name: c for c in _CONTRACT_LIST}


def contract(name: str) -> TableContract:
    """Return the contract of table ``name`` (a :class:`ContractError` for an undeclared table)."""
    try:
        return CONTRACTS[name]
    except KeyError:
        raise ContractError(f"no contract declared for table {name!r} (known: {', '.join(CONTRACTS)}); "
                            "declare it in sosu_analysis.reporting.contracts") from None


#: the environment variable a pipeline run sets in each chapter's kernel to the chapter's name
#: (:mod:`sosu_analysis.pipeline.chapters`): the run lets a chapter start once the chapters it reads
#: from have finished, so every read is checked against the contract's ``read_by``
CHAPTER_ENV = "SOSU_CHAPTER"


@dataclass(frozen=True)
class FileContract:
    """A result file other than a table that one chapter writes to ``OUTPUT/tables/`` and others read."""

    name: str
    written_by: str
    read_by: tuple[str, ...]


#: the result files that are not tables, by name
FILE_CONTRACTS: dict[str, FileContract] = {f.name: f for f in (
    FileContract("survey_section.json", "09_survey", ("06_rapport",)),
)}


def check_reader(c: TableContract | FileContract) -> None:
    """Refuse a read by a chapter of a run that the contract does not list as a reader.

    Chapters of a run go side by side (:mod:`sosu_analysis.pipeline.chapters`); a chapter waits only
    for the writers of what its contracts say it reads. An undeclared read could find the file not yet
    written, or, read with :func:`read_table_if_written`, silently missing: it stops the run instead.
    Outside a run (a notebook opened by hand, nbval) nothing is checked.
    """
    chapter = os.environ.get(CHAPTER_ENV, "")
    if chapter and chapter != c.written_by and chapter not in c.read_by:
        raise ContractError(f"chapter {chapter} reads {c.name!r}, but its contract does not list {chapter} "
                            f"among its readers (read_by): add it in sosu_analysis.reporting.contracts, so "
                            f"that a run lets {chapter} start only after {c.written_by}")


def file_contract(name: str) -> FileContract:
    """Return the contract of result file ``name`` (a :class:`ContractError` for an undeclared file)."""
    try:
        c = FILE_CONTRACTS[name]
    except KeyError:
        raise ContractError(f"no contract declared for result file {name!r}; declare it in "
                            "sosu_analysis.reporting.contracts.FILE_CONTRACTS") from None
    return c


def table_path(output_dir: str | os.PathLike, name: str) -> Path:
    """``OUTPUT/tables/NAME.csv``."""
    return resolve(output_dir) / "tables" / f"{name}.csv"


def check_columns(found: Iterable[str], c: TableContract, where: str) -> None:
    """Raise a :class:`ContractError` unless ``found`` are exactly the contract's columns, in order.

    The message names ``where`` (the file) and the first offending column.
    """
    found = list(found)
    expected = c.column_names
    if found == expected:
        return
    missing = [x for x in expected if x not in found]
    extra = [x for x in found if x not in expected]
    if missing:
        raise ContractError(f"{where}: column '{missing[0]}' is missing (table {c.name!r} must have the columns "
                            f"{', '.join(expected)})")
    if extra:
        raise ContractError(f"{where}: column '{extra[0]}' is not part of table {c.name!r} (its columns are "
                            f"{', '.join(expected)}); declare it in sosu_analysis.reporting.contracts")
    if len(found) != len(set(found)):
        dup = next(x for x in found if found.count(x) > 1)
        raise ContractError(f"{where}: column '{dup}' appears more than once")
    pos = next(i for i, (a, b) in enumerate(zip(found, expected, strict=False)) if a != b)
    raise ContractError(f"{where}: column '{found[pos]}' is in position {pos + 1}, where table {c.name!r} has "
                        f"'{expected[pos]}' (expected order: {', '.join(expected)})")


def _coerce(series: pd.Series, kind: str, where: str, column: str) -> pd.Series:
    """``series`` as column type ``kind``, without losing information; a clear error otherwise."""
    def fail(why: str) -> ContractError:
        return ContractError(f"{where}, column '{column}': {why} (declared type {kind})")

    if kind == "str":
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series) \
                and series.notna().any():
            raise fail("numbers where text is declared")
        return series.astype(object).where(series.notna(), "").astype(str)
    if kind in ("bool", "boolean"):
        if kind == "bool" and series.isna().any():
            raise fail("a missing value in a column that is never missing")
        values = series.dropna()
        if not values.map(lambda v: isinstance(v, (bool, np.bool_))).all():
            raise fail("a value that is not True or False")
        return series.astype("bool" if kind == "bool" else "boolean")
    if not (pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)):
        if series.notna().any():
            raise fail("values that are not numbers")
        series = series.astype("float64")
    if kind == "float":
        return series.astype("float64")
    values = series.dropna().astype("float64")
    if not np.all(np.isfinite(values)) or not np.all(values == np.round(values)):
        raise fail("a value that is not a whole number")
    if kind == "int":
        if series.isna().any():
            raise fail("a missing value in a column that is never missing")
        return series.astype("int64")
    return series.astype("Int64")


def conform(frame: pd.DataFrame, name: str, where: str | None = None) -> pd.DataFrame:
    """Return a copy of ``frame`` with the contract's column types; a :class:`ContractError` if it does not fit."""
    c = contract(name)
    where = where or f"table {name}"
    check_columns(frame.columns, c, where)
    out = frame.copy()
    for column, kind in c.columns:
        out[column] = _coerce(frame[column], kind, where, column)
    return out


def write_table(frame: pd.DataFrame, output_dir: str | os.PathLike, name: str) -> None:
    """Check ``frame`` against its contract and write it to ``OUTPUT/tables/NAME.csv`` atomically.

    Returns nothing, so that a notebook cell ending in it shows no (volatile) path.
    """
    out = conform(frame, name, where=f"{name}.csv (being written)")
    atomic.write_csv(table_path(output_dir, name), out)


def read_table(output_dir: str | os.PathLike, name: str) -> pd.DataFrame:
    """Read ``OUTPUT/tables/NAME.csv`` with its declared column types.

    Raises
    ------
    ContractError
        The file is missing, or a column is missing, extra, out of order or
        holds a value that does not fit its type; the message names the file
        and the column.
    """
    c = contract(name)
    check_reader(c)
    path = table_path(output_dir, name)
    if not path.is_file():
        raise ContractError(f"{path}: table {name!r} not found; it is written by chapter {c.written_by}, "
                            "which must run first")
    header = pd.read_csv(path, nrows=0).columns
    check_columns(header, c, str(path))
    raw = pd.read_csv(path, dtype={col: "str" for col, kind in c.columns if kind == "str"},
                      keep_default_na=True)
    return conform(raw, name, where=str(path))


def read_table_if_written(output_dir: str | os.PathLike, name: str) -> pd.DataFrame | None:
    """Read a declared table as :func:`read_table` does, or ``None`` when this run has not written it."""
    check_reader(contract(name))
    return read_table(output_dir, name) if table_path(output_dir, name).is_file() else None


def read_tables(output_dir: str | os.PathLike, names: Iterable[str]) -> dict[str, pd.DataFrame]:
    """:func:`read_table` for several tables, by name."""
    return {n: read_table(output_dir, n) for n in names}


def write_tables(tables: Mapping[str, pd.DataFrame], output_dir: str | os.PathLike) -> None:
    """:func:`write_table` for several tables, by name."""
    for n, frame in tables.items():
        write_table(frame, output_dir, n)


def select_one(frame: pd.DataFrame, where: str, **keys: object) -> pd.Series:
    """Return the one row of ``frame`` whose key columns equal ``keys``; a :class:`ContractError` otherwise.

    For example ``select_one(did, "did.csv", horizon_months=3, estimator="lpm",
    outcome_definition="incl_switch", inference="cr2")``.
    """
    mask = pd.Series(True, index=frame.index)
    for column, value in keys.items():
        if column not in frame.columns:
            raise ContractError(f"{where}: no column '{column}'")
        mask &= frame[column] == value
    rows = frame[mask]
    if len(rows) != 1:
        what = ", ".join(f"{k} = {v!r}" for k, v in keys.items())
        raise ContractError(f"{where}: {len(rows)} rows with {what}, expected exactly one")
    return rows.iloc[0]
