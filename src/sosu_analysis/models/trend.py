"""Trends in dropout per programme: logistic trend, Cochran–Armitage, segmented trend, the 12 % goal.

Everything here works on one programme at a time, with the cells summed over
any extra grouping (campus, intake) to programme × year, and for each outcome
definition. Three yearly points make a weak trend: the tests treat every
student as an independent draw, and with three points there is one residual
degree of freedom to check that assumption.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit

from .. import danish
from ..definitions import GOAL_PROGRAMMES, OUTCOME_NAMES, goal_applies, outcome
from .data import DENOMINATOR, events_column
from .descriptives import wilson_interval
from .glm import GroupedLogitFit, fit_grouped_logit, lr_test
from .margins import average_marginal_effects, average_prediction, predicted_probabilities
from .options import Language, Outcome
from .quasi import quasi_reference, used_dispersion

THREE_POINT_CAVEAT = ("a trend from {n} yearly points is weak evidence: it rests on the assumption that "
                      "students are independent draws and leaves {df} degree(s) of freedom to check it")


def cochran_armitage(events, trials, scores) -> dict[str, float]:
    r"""Cochran–Armitage test for a linear trend in proportions.

    Parameters
    ----------
    events, trials, scores : array_like
        Events and trials per group, and the group scores (e.g. years).

    Returns
    -------
    dict
        ``z`` (signed: positive when the proportion rises with the score),
        ``chi2`` (:math:`z^2`), ``p_value`` (two-sided) and
        ``p_value_increase`` (one-sided, alternative: rising).

    Notes
    -----
    With :math:`\bar p = \sum y_i / N`,

    .. math::
        T = \sum_i x_i (y_i - n_i \bar p), \qquad
        \operatorname{Var}_0(T) = \bar p (1 - \bar p)\Big[\sum_i n_i x_i^2 - \big(\sum_i n_i x_i\big)^2 / N\Big],

    :math:`z = T / \sqrt{\operatorname{Var}_0(T)}`. This is R's
    ``prop.trend.test`` and equals the score (Rao) test of the slope in the
    logistic model :math:`\operatorname{logit} p_i = \alpha + \beta x_i`
    (tests/models/test_models_trend.py shows both). It does not depend on the
    origin or unit of the scores.
    """
    y = np.asarray(events, dtype=float)
    n = np.asarray(trials, dtype=float)
    x = np.asarray(scores, dtype=float)
    big_n = n.sum()
    pbar = y.sum() / big_n
    t = np.sum(x * (y - n * pbar))
    var = pbar * (1 - pbar) * (np.sum(n * x * x) - np.sum(n * x) ** 2 / big_n)
    z = t / np.sqrt(var) if var > 0 else float("nan")
    return {"z": float(z), "chi2": float(z * z), "p_value": float(2 * stats.norm.sf(abs(z))),
            "p_value_increase": float(stats.norm.sf(z))}


def programme_years(cells: pd.DataFrame, programme: str, definition: Outcome) -> pd.DataFrame:
    """Sum one programme's cells to years.

    Columns ``year, trials`` (n_cohort), ``events``, ``programme``, ``year_c``
    (year minus the first year).
    """
    sub = cells[cells["programme"] == programme]
    d = sub.groupby("year", sort=True, as_index=False)[[DENOMINATOR, events_column(definition)]].sum()
    d = d.rename(columns={events_column(definition): "events", DENOMINATOR: "trials"})
    d["programme"] = programme
    d["year_c"] = d["year"] - d["year"].min()
    return d


def fit_trend(cells: pd.DataFrame, programme: str, definition: Outcome) -> GroupedLogitFit:
    r"""Logistic trend in year for one programme and definition.

    Notes
    -----
    :math:`\operatorname{logit} p_t = \alpha + \beta (t - t_0)` on the cells
    summed to years, :math:`t_0` the first year; :math:`\beta` is the change
    in log-odds per year and :math:`e^\beta` the odds ratio per year.
    """
    d = programme_years(cells, programme, definition)
    if len(d) < 2:
        raise ValueError(f"{programme}: a trend needs at least two years, got {len(d)}")
    return fit_grouped_logit(d, "events", "trials", ["year_c"])


def trend_fits(cells: pd.DataFrame, definition: Outcome
               ) -> tuple[dict[str, tuple[pd.DataFrame, GroupedLogitFit | None]], float, int]:
    r"""Fit the trend model of every programme for one definition, and their pooled dispersion.

    Returns
    -------
    fits : dict
        ``programme -> (years table, fit)``; fit ``None`` with fewer than two years.
    dispersion_pooled : float
        :math:`\hat\phi_{\text{pool}} = \sum_g X^2_g / \sum_g (m_g - 2)` over programmes
        (NaN with no residual df).
    df_pooled : int
        :math:`\sum_g (m_g - 2)`.

    Notes
    -----
    With three years each programme's own Pearson dispersion rests on one
    degree of freedom, too few to estimate it. The pooled value is the
    Pearson dispersion of the joint model ``programme + programme:year`` (a
    separate intercept and slope per programme, one common :math:`\phi`), whose
    :math:`X^2` is the sum of the programmes' because their parameters do not
    overlap. It assumes year-to-year extra-binomial variation of similar size
    in every programme.
    """
    fits: dict[str, tuple[pd.DataFrame, GroupedLogitFit | None]] = {}
    x2, df = 0.0, 0
    for programme in sorted(cells["programme"].unique()):
        d = programme_years(cells, programme, definition)
        fit = fit_grouped_logit(d, "events", "trials", ["year_c"]) if len(d) >= 2 else None
        fits[programme] = (d, fit)
        if fit is not None:
            x2 += fit.pearson_chi2
            df += fit.df_resid
    return fits, (x2 / df if df > 0 else float("nan")), df


def trend_tests(cells: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    r"""Logistic trend and Cochran–Armitage test per outcome definition and programme.

    Returns
    -------
    DataFrame
        One row per definition × programme: ``outcome_definition, programme,
        first_year, last_year, n_years, n_students, pct_first, pct_last,
        slope_log_odds_per_year, std_error, ci_low, ci_high,
        odds_ratio_per_year, or_ci_low, or_ci_high, wald_p_value, lr_chi2,
        lr_p_value, ca_z, ca_chi2, p_value`` (Cochran–Armitage, two-sided),
        ``p_value_increase`` (one-sided), ``ame_pp_per_year, ame_ci_low,
        ame_ci_high`` (percentage points per year, delta method),
        ``dispersion_own`` (this programme's Pearson phi, on ``n_years - 2``
        df), ``dispersion`` and ``df_dispersion`` (pooled over programmes,
        see :func:`trend_fits`), ``std_error_quasi, p_value_quasi,
        or_ci_low_quasi, or_ci_high_quasi`` (with the pooled phi) and ``note``.

    Notes
    -----
    Wald and likelihood-ratio tests of :math:`\beta = 0` as in
    :func:`fit_trend`; Cochran–Armitage (= score test) by
    :func:`cochran_armitage`. The quasi columns use
    :math:`\mathrm{SE}\sqrt{\max(\hat\phi_{\text{pool}}, 1)}` and a :math:`t`
    reference on the pooled df, as R's quasibinomial.
    """
    rows = []
    zcrit = stats.norm.ppf(1 - alpha / 2)
    for definition in OUTCOME_NAMES:
        fits, phi, dfd = trend_fits(cells, definition)
        ref = quasi_reference(phi, dfd)
        crit_q = ref.ppf(1 - alpha / 2)
        for programme, (d, fit) in fits.items():
            base = {"outcome_definition": definition, "programme": programme,
                    "first_year": int(d["year"].min()), "last_year": int(d["year"].max()), "n_years": len(d),
                    "n_students": int(d["trials"].sum()),
                    "pct_first": 100 * d["events"].iloc[0] / d["trials"].iloc[0],
                    "pct_last": 100 * d["events"].iloc[-1] / d["trials"].iloc[-1]}
            if fit is None:
                rows.append({**base, "note": "not estimable: fewer than two years"})
                continue
            null = fit_grouped_logit(d, "events", "trials", [])
            b, se = float(fit.params["year_c"]), float(fit.bse["year_c"])
            ca = cochran_armitage(d["events"], d["trials"], d["year"])
            lr = lr_test(null, fit)
            ame = average_marginal_effects(fit, "year_c", alpha=alpha).iloc[0]
            se_q = se * np.sqrt(used_dispersion(phi))
            note = THREE_POINT_CAVEAT.format(n=len(d), df=fit.df_resid)
            if fit.separation:
                note = "separation (fitted probability 0 or 1): estimates not finite; " + note
            rows.append({**base,
                         "slope_log_odds_per_year": b, "std_error": se,
                         "ci_low": b - zcrit * se, "ci_high": b + zcrit * se,
                         "odds_ratio_per_year": np.exp(b),
                         "or_ci_low": np.exp(b - zcrit * se), "or_ci_high": np.exp(b + zcrit * se),
                         "wald_p_value": float(2 * stats.norm.sf(abs(b / se))),
                         "lr_chi2": lr["lr_chi2"], "lr_p_value": lr["p_value"],
                         "ca_z": ca["z"], "ca_chi2": ca["chi2"], "p_value": ca["p_value"],
                         "p_value_increase": ca["p_value_increase"],
                         "ame_pp_per_year": 100 * ame["estimate"],
                         "ame_ci_low": 100 * ame["ci_low"], "ame_ci_high": 100 * ame["ci_high"],
                         "dispersion_own": fit.dispersion, "dispersion": phi, "df_dispersion": dfd,
                         "std_error_quasi": se_q, "p_value_quasi": float(2 * ref.sf(abs(b / se_q))),
                         "or_ci_low_quasi": np.exp(b - crit_q * se_q), "or_ci_high_quasi": np.exp(b + crit_q * se_q),
                         "note": note})
    return pd.DataFrame(rows)


def segmented_trend(cells: pd.DataFrame, intervention_year: int = 2025, alpha: float = 0.05) -> pd.DataFrame:
    r"""Segmented (interrupted) logistic trend with a level shift at ``intervention_year``.

    Returns
    -------
    DataFrame
        One row per definition × programme × parameter: ``outcome_definition,
        programme, intervention_year, n_pre_years, n_post_years, estimable,
        term`` (``year_c`` pre-trend slope, ``post`` level shift,
        ``post_slope`` slope change), ``estimate, std_error, ci_low, ci_high,
        p_value, odds_ratio, effect_pp, effect_pp_ci_low, effect_pp_ci_high``
        (on the ``post`` row: the fitted rate minus the continued
        pre-intervention trend, in percentage points averaged over the
        post-intervention students, delta method) and ``note``. Where the data
        have no year at or after ``intervention_year`` (or fewer than two
        years before it) a single row per definition × programme says
        ``estimable = False``; this is not an error.

    Notes
    -----
    .. math::
        \operatorname{logit} p_t = \alpha + \beta (t - t_0) + \gamma\,\mathbb 1[t \ge T]
        + \delta\,(t - T)\,\mathbb 1[t \ge T],

    :math:`T` the intervention year; :math:`\delta` (slope change) only with
    at least two post-intervention years. :math:`\gamma` is the level shift
    in log-odds at :math:`T` relative to the continued pre-intervention trend.
    """
    rows = []
    zcrit = stats.norm.ppf(1 - alpha / 2)
    for definition in OUTCOME_NAMES:
        for programme in sorted(cells["programme"].unique()):
            d = programme_years(cells, programme, definition)
            d["post"] = (d["year"] >= intervention_year).astype(float)
            d["post_slope"] = (d["year"] - intervention_year).clip(lower=0) * d["post"]
            n_post = int(d["post"].sum())
            n_pre = len(d) - n_post
            base = {"outcome_definition": definition, "programme": programme,
                    "intervention_year": intervention_year, "n_pre_years": n_pre, "n_post_years": n_post}
            if n_post == 0 or n_pre < 2:
                why = (f"no year at or after {intervention_year} in the data (last year {int(d['year'].max())})"
                       if n_post == 0 else f"fewer than two years before {intervention_year}")
                rows.append({**base, "estimable": False, "term": "post", "note": f"not estimable: {why}"})
                continue
            terms = ["year_c", "post"] + (["post_slope"] if n_post >= 2 else [])
            fit = fit_grouped_logit(d, "events", "trials", terms)
            post_rows = d[d["post"] == 1]
            on, g_on = average_prediction(fit, post_rows, post_rows["trials"])
            off, g_off = average_prediction(fit, post_rows, post_rows["trials"], {"post": 0.0, "post_slope": 0.0})
            gd = g_on - g_off
            eff, eff_se = 100 * (on - off), 100 * float(np.sqrt(gd @ fit.cov.to_numpy() @ gd))
            for term in terms:
                b, se = float(fit.params[term]), float(fit.bse[term])
                row = {**base, "estimable": True, "term": term, "estimate": b, "std_error": se,
                       "ci_low": b - zcrit * se, "ci_high": b + zcrit * se,
                       "p_value": float(2 * stats.norm.sf(abs(b / se))), "odds_ratio": np.exp(b),
                       "note": THREE_POINT_CAVEAT.format(n=len(d), df=fit.df_resid)}
                if term == "post":
                    row.update({"effect_pp": eff, "effect_pp_ci_low": eff - zcrit * eff_se,
                                "effect_pp_ci_high": eff + zcrit * eff_se})
                rows.append(row)
    return pd.DataFrame(rows, columns=list(SEGMENTED_COLUMNS))


#: columns of :func:`segmented_trend`, the same whether the trend is estimable or not
SEGMENTED_COLUMNS: tuple[str, ...] = (
    "outcome_definition", "programme", "intervention_year", "n_pre_years", "n_post_years", "estimable", "term",
    "estimate", "std_error", "ci_low", "ci_high", "p_value", "odds_ratio", "effect_pp", "effect_pp_ci_low",
    "effect_pp_ci_high", "note")


def trend_curves(cells: pd.DataFrame, alpha: float = 0.05, n_points: int = 50) -> pd.DataFrame:
    r"""Compute the fitted logistic trend of each programme and definition, with its band, on a year grid.

    Parameters
    ----------
    cells : DataFrame
        Checked cell table.
    alpha : float
        1 − level of the band.
    n_points : int
        Points of the grid from the first to the last year.

    Returns
    -------
    DataFrame
        ``outcome_definition``, ``programme``, ``year`` (the grid), ``pct``,
        ``ci_low``, ``ci_high`` (percent; binomial band), ``band_low_quasi``,
        ``band_high_quasi`` (percent; the band with the quasi-binomial,
        overdispersion-scaled standard errors the trend tests' ``*_quasi``
        columns use). Programmes with fewer than two years have no curve.
        This is what :func:`~sosu_analysis.reporting.models.plots.plot_trends` draws,
        so a chapter that shows the trends need not fit them again.

    Notes
    -----
    The fit is :func:`fit_trend`, :math:`\operatorname{logit} p_t = \alpha + \beta (t - t_0)`; the band
    is :math:`\operatorname{expit}(\hat\eta \pm z_{1-\alpha/2}\,\mathrm{se}(\hat\eta))` with
    :math:`\mathrm{se}(\hat\eta)^2 = x^\top \hat V x`, computed on the log-odds scale so it stays in 0–100 %.
    The quasi band multiplies :math:`\mathrm{se}(\hat\eta)` by :math:`\sqrt{\max(\hat\phi_{\text{pool}}, 1)}`
    (the pooled dispersion of :func:`trend_fits`) and uses the :math:`t` quantile on its df, as
    :func:`trend_tests` and :func:`goal_distance` do (R's quasibinomial; statsmodels' ``scale="X2"``
    on the joint model ``programme + programme:year``).
    """
    zcrit = stats.norm.ppf(1 - alpha / 2)
    frames = []
    for definition in OUTCOME_NAMES:
        _, phi, dfd = trend_fits(cells, definition)
        crit_q = quasi_reference(phi, dfd).ppf(1 - alpha / 2)
        scale = np.sqrt(used_dispersion(phi))
        for programme in sorted(cells["programme"].unique()):
            d = programme_years(cells, programme, definition)
            if len(d) < 2:
                continue
            fit = fit_trend(cells, programme, definition)
            grid = np.linspace(d["year"].min(), d["year"].max(), n_points)
            x = fit.exog(pd.DataFrame({"year_c": grid - d["year"].min()})).to_numpy()
            eta = x @ fit.params.to_numpy()
            se = np.sqrt(np.einsum("ij,jk,ik->i", x, fit.cov.to_numpy(), x))
            frames.append(pd.DataFrame({"outcome_definition": definition, "programme": programme, "year": grid,
                                        "pct": 100 * expit(eta), "ci_low": 100 * expit(eta - zcrit * se),
                                        "ci_high": 100 * expit(eta + zcrit * se),
                                        "band_low_quasi": 100 * expit(eta - crit_q * scale * se),
                                        "band_high_quasi": 100 * expit(eta + crit_q * scale * se)}))
    columns = ["outcome_definition", "programme", "year", "pct", "ci_low", "ci_high", "band_low_quasi",
               "band_high_quasi"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


def goal_distance(cells: pd.DataFrame, goal_pct: float = 12.0, year: int | None = None,
                  goal_programmes: tuple[str, ...] = GOAL_PROGRAMMES, alpha: float = 0.05) -> pd.DataFrame:
    r"""Distance of the dropout rate from the national goal, per definition and programme.

    Parameters
    ----------
    cells : DataFrame
        Checked cell table.
    goal_pct : float
        The goal in percent (Danske SOSU-skoler: 12 % main-course dropout, SSA and SSH).
    year : int, optional
        The year to compare; default the last year in the data.
    goal_programmes : tuple of str
        Programmes the goal applies to; ``goal_applies`` flags them under
        :data:`~sosu_analysis.definitions.GOAL_DEFINITION` only (the rule of
        :func:`~sosu_analysis.definitions.goal_applies`).

    Returns
    -------
    DataFrame
        ``outcome_definition, programme, year, goal_pct, goal_applies,
        observed_pct, observed_ci_low, observed_ci_high`` (Wilson),
        ``predicted_pct, predicted_ci_low, predicted_ci_high`` (logistic
        trend), ``distance_pp, std_error_pp, distance_ci_low,
        distance_ci_high`` (predicted − goal, delta method), ``dispersion``
        and ``df_dispersion`` (pooled trend dispersion, :func:`trend_fits`),
        ``distance_ci_low_quasi, distance_ci_high_quasi`` and ``note``.

    Notes
    -----
    :math:`\hat d = 100\,\hat p_t - g` with :math:`\hat p_t` the trend model's
    prediction for year :math:`t`;
    :math:`\mathrm{SE}(\hat d) = 100\,\hat p_t(1-\hat p_t)\sqrt{x_t^\top V x_t}`;
    interval :math:`\hat d \pm z_{1-\alpha/2}\mathrm{SE}`. The quasi interval
    multiplies the SE by :math:`\sqrt{\max(\hat\phi_{\text{pool}}, 1)}` (the
    pooled trend dispersion of :func:`trend_fits`) and uses :math:`t` on its df.
    The national goal is stated for main-course dropout; which definition
    it uses is not stated in the strategy (seed 000). The project reads it as
    dropout incl. switching (the ministry's measure), so only those rows are
    flagged ``goal_applies``; the distance under the other definition is
    still computed, as a sensitivity check.
    """
    rows = []
    zcrit = stats.norm.ppf(1 - alpha / 2)
    for definition in OUTCOME_NAMES:
        fits, phi, dfd = trend_fits(cells, definition)
        crit_q = quasi_reference(phi, dfd).ppf(1 - alpha / 2)
        for programme, (d, fit) in fits.items():
            t = int(d["year"].max()) if year is None else int(year)
            base = {"outcome_definition": definition, "programme": programme, "year": t, "goal_pct": goal_pct,
                    "goal_applies": programme in goal_programmes and goal_applies(programme, definition)}
            obs = d[d["year"] == t]
            if len(obs):
                lo, hi = wilson_interval(obs["events"], obs["trials"], alpha)
                base.update({"observed_pct": float(100 * obs["events"].iloc[0] / obs["trials"].iloc[0]),
                             "observed_ci_low": float(100 * lo[0]), "observed_ci_high": float(100 * hi[0])})
            if fit is None:
                rows.append({**base, "note": "no trend: fewer than two years"})
                continue
            at = pd.DataFrame({"year": [t], "year_c": [t - int(d["year"].min())]})
            pred = predicted_probabilities(fit, at, alpha=alpha).iloc[0]
            p, se = 100 * pred["estimate"], 100 * pred["std_error"]
            se_q = se * np.sqrt(used_dispersion(phi))
            dist = p - goal_pct
            note = THREE_POINT_CAVEAT.format(n=len(d), df=fit.df_resid)
            if t > d["year"].max():
                note = f"extrapolated {t - int(d['year'].max())} year(s) beyond the data; " + note
            rows.append({**base, "predicted_pct": p, "predicted_ci_low": p - zcrit * se,
                         "predicted_ci_high": p + zcrit * se, "distance_pp": dist, "std_error_pp": se,
                         "distance_ci_low": dist - zcrit * se, "distance_ci_high": dist + zcrit * se,
                         "dispersion": phi, "df_dispersion": dfd, "distance_ci_low_quasi": dist - crit_q * se_q,
                         "distance_ci_high_quasi": dist + crit_q * se_q, "note": note})
    return pd.DataFrame(rows)


def format_p(p: float, language: Language = "en") -> str:
    """Format a p-value: ``p < 0.001``, ``p = 0.027`` (3 decimals below 0.1, else 2).

    ``language='da'`` goes through :func:`sosu_analysis.danish.p_value`
    (decimal comma, rounded half up).
    """
    decimals = 3 if p < 0.1 else 2
    if language == "da":
        return danish.p_value(p, decimals)
    return danish.p_value(p, decimals, language="en")


def _num(x: float, decimals: int, language: Language, sign: bool = False) -> str:
    return danish.number(x, decimals, sign=sign, language=language)


def trend_sentence(row: Mapping, language: Language = "en", alpha: float = 0.05) -> str:
    """One sentence answering "is dropout rising beyond chance?" from a row of :func:`trend_tests`.

    Parameters
    ----------
    row : mapping
        A row of :func:`trend_tests` (e.g. ``df.iloc[i]``).
    language : {"en", "da"}
    alpha : float
        Significance level of the verdict.

    Examples
    --------
    "SSA, dropout incl. switching (afbrudt totalt): 14.4 % in 2022 and 17.4 % in
    2024; logistic trend +0.108 log-odds per year (odds ratio 1.11 per year,
    95 % CI 1.03–1.21; about +1.5 percentage points per year);
    Cochran–Armitage chi² = 7.69, p = 0.006: the rise is larger than chance
    alone would readily give (5 % level)."
    """
    d = dict(row)
    definition = d["outcome_definition"]
    label_en, label_da = outcome(definition).long_en, outcome(definition).long_da
    if not np.isfinite(d.get("slope_log_odds_per_year", np.nan)):
        return (f"{d['programme']}: no trend can be estimated ({d.get('note', '')})." if language == "en"
                else f"{d['programme']}: der kan ikke estimeres en tendens ({d.get('note', '')}).")
    significant = d["p_value"] < alpha
    rising = d["slope_log_odds_per_year"] > 0
    level = f"{100 * alpha:g}"
    phi, p_q = d.get("dispersion", np.nan), d.get("p_value_quasi", np.nan)
    quasi = ""
    if np.isfinite(phi) and phi > 1 and np.isfinite(p_q):
        fragile = (p_q < alpha) != significant
        if language == "en":
            quasi = (f"; allowing for year-to-year overdispersion of the size seen across the programmes "
                     f"(pooled dispersion {danish.number_en(phi, 2)}), {format_p(p_q)}"
                     + (", so the verdict is fragile" if fragile else ", the same verdict"))
        else:
            quasi = (f"; tages der højde for overdispersion fra år til år af den størrelse, der ses på tværs af "
                     f"uddannelserne (samlet dispersion {_num(phi, 2, 'da')}), er {format_p(p_q, 'da')}"
                     + (", så konklusionen er skrøbelig" if fragile else ", samme konklusion"))
    if language == "en":
        if significant:
            verdict = (f"the {'rise' if rising else 'fall'} is larger than chance alone would readily give "
                       f"({level} % level)")
        else:
            verdict = (f"the {'rise' if rising else 'fall'} is within what chance alone could give "
                       f"(not significant at the {level} % level)")
        en = danish.number_en
        return (f"{d['programme']}, dropout {label_en}: {en(d['pct_first'], 1)} % in {d['first_year']} and "
                f"{en(d['pct_last'], 1)} % in {d['last_year']}; logistic trend "
                f"{en(d['slope_log_odds_per_year'], 3, sign=True)} log-odds per year (odds ratio "
                f"{en(d['odds_ratio_per_year'], 2)} per year, {danish.confidence_level(alpha, 'en')} CI "
                f"{en(d['or_ci_low'], 2)}–{en(d['or_ci_high'], 2)}; about "
                f"{en(d['ame_pp_per_year'], 1, sign=True)} percentage points per year); "
                f"Cochran–Armitage chi² = {en(d['ca_chi2'], 2)}, {format_p(d['p_value'])}: {verdict}{quasi}.")
    if significant:
        verdict = (f"{'stigningen' if rising else 'faldet'} er større, end tilfældigheder alene let giver "
                   f"({level} %-niveau)")
    else:
        verdict = (f"{'stigningen' if rising else 'faldet'} ligger inden for, hvad tilfældigheder alene kan give "
                   f"(ikke signifikant på {level} %-niveau)")
    return (f"{d['programme']}, frafald {label_da}: {danish.percent(d['pct_first'])} i {d['first_year']} og "
            f"{danish.percent(d['pct_last'])} i {d['last_year']}; logistisk tendens "
            f"{_num(d['slope_log_odds_per_year'], 3, 'da', sign=True)} log-odds pr. år (oddsratio "
            f"{_num(d['odds_ratio_per_year'], 2, 'da')} pr. år, {danish.confidence_level(alpha)}-KI "
            f"{_num(d['or_ci_low'], 2, 'da')}–{_num(d['or_ci_high'], 2, 'da')}; ca. "
            f"{_num(d['ame_pp_per_year'], 1, 'da', sign=True)} procentpoint pr. år); "
            f"Cochran–Armitage chi² = {_num(d['ca_chi2'], 2, 'da')}, {format_p(d['p_value'], 'da')}: {verdict}{quasi}.")


@dataclass(frozen=True)
class GoalPace:
    """Where a programme stands against a goal, and when its trend would cross it at the current pace.

    ``below``: the rate is at or under the goal now. ``crossing_year``: the
    (fractional) year in which the fitted logit trend crosses the goal —
    reaching it from above, or leaving it from below — or ``None`` when the
    trend moves away from it (or is flat). On the log-odds scale the trend is
    a straight line, so ``t = (logit(goal) - logit(rate)) / slope``.
    """

    year: int
    rate_pct: float
    goal_pct: float
    slope_log_odds: float
    below: bool
    crossing_year: float | None

    @property
    def rising(self) -> bool:
        """The trend goes up."""
        return self.slope_log_odds > 0


def goal_pace(year: int, rate_pct: float, slope_log_odds: float, goal_pct: float) -> GoalPace:
    """Return where ``rate_pct`` (in ``year``) stands against ``goal_pct`` and when the trend crosses it."""
    if not (0 < rate_pct < 100 and 0 < goal_pct < 100):
        raise ValueError(f"rates must lie strictly between 0 and 100 %, got {rate_pct!r} and {goal_pct!r}")
    logit = lambda pct: math.log(pct / (100 - pct))  # noqa: E731
    gap = logit(goal_pct) - logit(rate_pct)
    below = rate_pct <= goal_pct
    crossing = None
    if slope_log_odds != 0 and gap / slope_log_odds > 0:
        crossing = year + gap / slope_log_odds
    return GoalPace(int(year), float(rate_pct), float(goal_pct), float(slope_log_odds), below, crossing)


#: the label of the whole school (all programmes summed) in :func:`school_trend`
SCHOOL = "alle"


def school_trend(cells: pd.DataFrame, definition: Outcome, alpha: float = 0.05) -> dict:
    """Return the trend of the whole school (all programmes' cells summed per year), as a ``trend_tests`` row.

    Same model as :func:`fit_trend`; the quasi columns use the programmes' pooled
    dispersion of :func:`trend_fits` (the school's own three yearly points leave
    one degree of freedom and cannot estimate it). Columns: ``programme``
    (:data:`SCHOOL`), ``first_year, last_year, pct_first, pct_last,
    slope_log_odds_per_year, std_error, p_value`` (Wald), ``ame_pp_per_year,
    ame_ci_low, ame_ci_high, dispersion, df_dispersion, p_value_quasi``.
    """
    _, phi, dfd = trend_fits(cells, definition)
    d = programme_years(cells.assign(programme=SCHOOL), SCHOOL, definition)
    fit = fit_grouped_logit(d, "events", "trials", ["year_c"])
    b, se = float(fit.params["year_c"]), float(fit.bse["year_c"])
    ame = average_marginal_effects(fit, "year_c", alpha=alpha).iloc[0]
    se_q = se * np.sqrt(used_dispersion(phi))
    return {"programme": SCHOOL, "outcome_definition": definition,
            "first_year": int(d["year"].min()), "last_year": int(d["year"].max()),
            "pct_first": 100 * d["events"].iloc[0] / d["trials"].iloc[0],
            "pct_last": 100 * d["events"].iloc[-1] / d["trials"].iloc[-1],
            "slope_log_odds_per_year": b, "std_error": se, "p_value": float(2 * stats.norm.sf(abs(b / se))),
            "ame_pp_per_year": 100 * ame["estimate"], "ame_ci_low": 100 * ame["ci_low"],
            "ame_ci_high": 100 * ame["ci_high"], "dispersion": phi, "df_dispersion": dfd,
            "p_value_quasi": float(2 * quasi_reference(phi, dfd).sf(abs(b / se_q)))}
