"""SOSU H against the other SOSU schools and the national level: rates, differences, comparative trend.

Groups, per programme × year and outcome definition (both, as everywhere):

- ``school``: SOSU H (the institution named by the config key ``national_school``);
- ``rest``: every other school in the answer, pooled (students, not schools, weigh equally);
- ``national``: all schools pooled, SOSU H included (the level the 18 % → 12 % goal speaks of).

A school-year whose outcome is not published and not pinned is left out of all
three, and counted in ``n_schools_missing``; nothing is imputed.

Intervals: **Wilson score** intervals for each rate (as chapter 01) and the
**Newcombe hybrid score** interval (Newcombe 1998, method 10) for the difference
SOSU H − rest; both from statsmodels.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit
from statsmodels.stats.proportion import confint_proportions_2indep

from ..definitions import OUTCOMES, outcome
from ..models.descriptives import wilson_interval
from ..models.glm import fit_binomial_glm
from ..models.quasi import pearson_dispersion, quasi_reference, used_dispersion

Group = Literal["school", "rest", "national"]
GROUPS: tuple[str, ...] = ("school", "rest", "national")
GROUP_DA = {"school": "SOSU H", "rest": "Andre SOSU-skoler", "national": "Hele landet"}


def _outcome_col(definition: str) -> str:
    return outcome(definition).count_column


def group_rates(counts: pd.DataFrame, school: str, alpha: float = 0.05) -> pd.DataFrame:
    """Compute the dropout of SOSU H, the other schools and all schools per programme, year, definition.

    Parameters
    ----------
    counts
        From :func:`sosu_analysis.national.counts.school_counts`.
    school
        SOSU H's institution name in the answer.
    alpha
        1 − confidence level of the Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        ``programme, year, outcome_definition, group, n_schools, n_schools_missing, n_dropout,
        n_cohort, pct, ci_low, ci_high`` (percent 0-100, unrounded).
    """
    if school not in set(counts["institution"]):
        raise ValueError(f"the answer has no institution named {school!r} (config key national_school); "
                         f"it has: {', '.join(sorted(set(counts['institution'])))}")
    rows = []
    for definition in OUTCOMES:
        col = _outcome_col(definition)
        for (programme, year), d in counts.groupby(["programme", "year"], sort=True):
            usable = d[d[col].notna() & d["n_cohort"].notna()]
            for group in GROUPS:
                members = {"school": d["institution"] == school, "rest": d["institution"] != school,
                           "national": pd.Series(True, index=d.index)}[group]
                u = usable[members.loc[usable.index]]
                rows.append({"programme": programme, "year": int(str(year)), "outcome_definition": definition,
                             "group": group, "n_schools": len(u), "n_schools_missing": int(members.sum()) - len(u),
                             "n_dropout": int(u[col].sum()), "n_cohort": int(u["n_cohort"].sum())})
    out = pd.DataFrame(rows)
    ok = out["n_cohort"] > 0
    out["pct"] = np.where(ok, 100 * out["n_dropout"] / out["n_cohort"].where(ok, 1), np.nan)
    lo, hi = wilson_interval(out["n_dropout"].where(ok, 0), out["n_cohort"].where(ok, 1), alpha)
    out["ci_low"] = np.where(ok, 100 * lo, np.nan)
    out["ci_high"] = np.where(ok, 100 * hi, np.nan)
    return out


def school_vs_rest(rates: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Compute SOSU H − the other schools in percentage points, Newcombe hybrid score interval.

    Returns
    -------
    pandas.DataFrame
        ``programme, year, outcome_definition, pct_school, pct_rest, diff_pp, ci_low, ci_high``.
    """
    wide = rates.pivot_table(index=["programme", "year", "outcome_definition"], columns="group",
                             values=["n_dropout", "n_cohort"], aggfunc="first")
    rows = []
    for idx, r in wide.iterrows():
        key: tuple = idx  # type: ignore[assignment]
        programme, year, definition_name = str(key[0]), int(key[1]), str(key[2])
        a, n1 = int(r[("n_dropout", "school")]), int(r[("n_cohort", "school")])
        b, n2 = int(r[("n_dropout", "rest")]), int(r[("n_cohort", "rest")])
        if n1 == 0 or n2 == 0:
            lo = hi = np.nan
        else:
            lo, hi = confint_proportions_2indep(a, n1, b, n2, method="newcomb", compare="diff", alpha=alpha)
        rows.append({"programme": programme, "year": int(year), "outcome_definition": definition_name,
                     "pct_school": 100 * a / n1 if n1 else np.nan, "pct_rest": 100 * b / n2 if n2 else np.nan,
                     "diff_pp": 100 * (a / n1 - b / n2) if n1 and n2 else np.nan,
                     "ci_low": 100 * lo, "ci_high": 100 * hi})
    return pd.DataFrame(rows)


def comparative_trend(counts: pd.DataFrame, school: str, programme: str, definition: str,
                      intervention_year: int = 2025, alpha: float = 0.05) -> dict[str, object]:
    r"""Compare SOSU H's dropout trend with the other schools': a binomial logit with school effects.

    Parameters
    ----------
    counts
        School × programme × year counts.
    school
        SOSU H's institution name.
    programme, definition
        Which programme and outcome definition.
    intervention_year
        First year of the interventions; the change after it is estimated when the data hold at
        least one year from it on and two before it.
    alpha
        1 − confidence level.

    Returns
    -------
    dict
        ``slope_rest`` (log-odds per year of the other schools), ``slope_diff`` (SOSU H's slope minus
        theirs), its ``se``, ``ci_low``, ``ci_high``, ``p_value`` (binomial), the same four under
        ``_quasi`` (covariance × max(φ, 1), t on the residual df), ``dispersion`` φ, ``df_resid``,
        ``or_per_year_school`` and ``or_per_year_rest`` (odds ratios per year), ``post_diff`` (SOSU H's
        level change from ``intervention_year`` beyond the others', log-odds) with ``post_ci_low``,
        ``post_ci_high``, ``post_p_value`` (quasi-binomial: covariance × max(φ, 1), t on the residual
        df; NaN with ``post_note`` when not estimable), ``n_schools``,
        ``n_years``, ``n_cells``.

    Notes
    -----
    With :math:`y_{sy}` dropouts among :math:`n_{sy}` students of school :math:`s` in year
    :math:`y`, :math:`t = y - \bar y`, :math:`H_s = 1` for SOSU H and
    :math:`P_y = 1[y \ge y_0]`:

    .. math::

        \operatorname{logit} p_{sy} = \alpha_s + \beta t + \delta H_s t
                                      + \gamma P_y + \theta H_s P_y ,

    fitted by maximum likelihood (:func:`sosu_analysis.models.glm.fit_binomial_glm`, the package's one
    binomial GLM, on the (events, non-events) counts).
    :math:`\delta` is the difference in slopes (SOSU H − the others), :math:`\theta` SOSU H's
    change in level from :math:`y_0` beyond the others' change and beyond its own trend; the
    :math:`\gamma, \theta` terms enter only when there are post years. The school effects
    :math:`\alpha_s` absorb every constant difference between schools, so only changes over time
    are compared. With one other school and two years the model is saturated and :math:`\delta`
    is the log of the ratio of the two odds ratios, with variance :math:`\sum 1/\text{cell}` (the
    tests check this closed form). Year-to-year variation beyond binomial makes the binomial
    interval too narrow; the quasi-binomial columns scale the covariance by Pearson
    :math:`\varphi = X^2/\text{df}` (at least 1) with the t reference of
    :func:`sosu_analysis.models.quasi.quasi_reference`, as chapter 02 does. The level change
    :math:`\theta` is reported with the quasi-binomial interval only.
    """
    col = _outcome_col(definition)
    d = counts[(counts["programme"] == programme) & counts[col].notna() & counts["n_cohort"].notna()].copy()
    d = d[d["n_cohort"] > 0]
    d["events"] = d[col].astype(float)
    years = sorted(int(y) for y in d["year"].unique())
    t = d["year"].astype(float) - float(np.mean(years))
    h = (d["institution"] == school).astype(float)
    schools = sorted(set(d["institution"]))
    fe = pd.get_dummies(d["institution"]).reindex(columns=schools).astype(float)
    design = fe.copy()
    design["t"] = t
    design["h_t"] = h * t
    pre = [y for y in years if y < intervention_year]
    post = [y for y in years if y >= intervention_year]
    with_post = len(post) >= 1 and len(pre) >= 2
    if with_post:
        p = (d["year"] >= intervention_year).astype(float)
        design["post"] = p
        design["h_post"] = h * p
    # the package's one binomial GLM fitter (IRLS on the (events, non-events) counts, scale 1)
    y, n = d["events"].to_numpy(float), d["n_cohort"].to_numpy(float)
    res = fit_binomial_glm(design.to_numpy(), y, n)
    names = list(design.columns)
    params = pd.Series(res.params, index=names)
    cov = np.asarray(res.cov_params())
    df_resid = int(len(d) - design.shape[1])
    # the package's one quasi-binomial rule (models.quasi): Pearson phi from the counts, max(phi, 1),
    # t on the residual df when phi is used; a dispersion that cannot be estimated (saturated) is
    # stated as missing (NaN), never replaced by phi = 1
    phi = pearson_dispersion(y, n, expit(design.to_numpy() @ params.to_numpy()), df_resid)
    scale = used_dispersion(phi)
    z = stats.norm.ppf(1 - alpha / 2)
    crit_q = quasi_reference(phi, df_resid).ppf(1 - alpha / 2) if np.isfinite(phi) else float("nan")

    def wald(name: str) -> tuple[float, float, float, float, float, float, float, float]:
        j = names.index(name)
        b, se = float(params[name]), float(np.sqrt(cov[j, j]))
        se_q = se * np.sqrt(scale)
        p_b = 2 * stats.norm.sf(abs(b / se))
        ref = quasi_reference(phi, df_resid)
        p_q = 2 * float(ref.sf(abs(b / se_q))) if np.isfinite(phi) else float("nan")
        return b, se, b - z * se, b + z * se, p_b, b - crit_q * se_q, b + crit_q * se_q, p_q

    b, se, lo, hi, pv, lo_q, hi_q, pv_q = wald("h_t")
    out: dict[str, object] = {
        "programme": programme, "outcome_definition": definition,
        "slope_rest": float(params["t"]), "slope_diff": b, "se": se, "ci_low": lo, "ci_high": hi, "p_value": pv,
        "ci_low_quasi": lo_q, "ci_high_quasi": hi_q, "p_value_quasi": pv_q, "dispersion": phi,
        "df_resid": df_resid, "or_per_year_rest": float(np.exp(params["t"])),
        "or_per_year_school": float(np.exp(params["t"] + params["h_t"])),
        "n_schools": len(schools), "n_years": len(years), "n_cells": len(d),
    }
    if with_post:
        # the quasi-binomial t interval, as for the slopes and as docs/decisions.md promises
        pb, _, _, _, _, plo_q, phi_q, ppv_q = wald("h_post")
        out.update(post_diff=pb, post_ci_low=plo_q, post_ci_high=phi_q, post_p_value=ppv_q, post_note="")
    else:
        out.update(post_diff=np.nan, post_ci_low=np.nan, post_ci_high=np.nan, post_p_value=np.nan,
                   post_note=f"not estimable yet: needs data from {intervention_year} on "
                             f"(the answer has {years[0]}-{years[-1]})")
    return out


def comparative_trends(counts: pd.DataFrame, school: str, intervention_year: int = 2025,
                       alpha: float = 0.05) -> pd.DataFrame:
    """Fit :func:`comparative_trend` for every programme and both definitions, one row each."""
    rows = [comparative_trend(counts, school, prog, definition, intervention_year, alpha)
            for prog in sorted(set(counts["programme"])) for definition in OUTCOMES]
    return pd.DataFrame(rows)
