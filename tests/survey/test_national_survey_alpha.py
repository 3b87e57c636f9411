"""Chapters 07-09 name the level of their intervals from ``alpha`` and compute them at it.

With ``alpha = 0.10`` every text and figure title says 90 %, never 95 %, and the
intervals are the narrower 90 % ones, checked against independent computations:
statsmodels' Wilson interval (``proportion_confint(method="wilson")``) for the
national rates, and the ratio of t quantiles for the survey's CR2 intervals.
The funnel plot's control limits stay 95 % and 99,8 % whatever ``alpha``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from sosu_analysis.danish import confidence_level
from sosu_analysis.national import api as national
from sosu_analysis.national import synthetic
from sosu_analysis.paths import project_root
from sosu_analysis.readers.published import read_processed
from sosu_analysis.reporting.national import plots as national_plots
from sosu_analysis.reporting.national import section
from sosu_analysis.reporting.survey import plots as survey_plots
from sosu_analysis.reporting.survey.section import index_table_da, report_section
from sosu_analysis.survey.estimate import clustered_mean

ROOT = project_root()
SYNTH = ROOT / synthetic.NATIONAL_FILE.format(seed=synthetic.SEED)
QUERY = "config/queries/eud_hovedforloeb_status_3mdr_sosu_skoler.yaml"
NINETY, NINETY_FIVE = "90\u00a0%", "95\u00a0%"


def test_confidence_level_is_written_from_alpha():
    assert confidence_level(0.05) == NINETY_FIVE and confidence_level(0.10) == NINETY
    assert confidence_level(0.025) == "97,5\u00a0%" and confidence_level(0.002) == "99,8\u00a0%"
    with pytest.raises(ValueError, match="alpha"):
        confidence_level(1.5)


@pytest.fixture(scope="module")
def national_data():
    return national.load_national(SYNTH, QUERY, "SOSU H")


@pytest.fixture(scope="module")
def tables(national_data):
    out = {}
    for alpha in (0.05, 0.10):
        rates = national.group_rates(national_data.counts, "SOSU H", alpha)
        out[alpha] = (rates, national.school_vs_rest(rates, alpha),
                      national.comparative_trends(national_data.counts, "SOSU H", alpha=alpha))
    return out


def test_national_rates_are_wilson_intervals_at_alpha(tables):
    for alpha in (0.05, 0.10):
        rates = tables[alpha][0]
        ok = rates["n_cohort"] > 0
        # independent reference: statsmodels' Wilson score interval at the same alpha
        lo, hi = proportion_confint(rates.loc[ok, "n_dropout"], rates.loc[ok, "n_cohort"], alpha=alpha,
                                    method="wilson")
        np.testing.assert_allclose(rates.loc[ok, "ci_low"], 100 * lo, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(rates.loc[ok, "ci_high"], 100 * hi, rtol=1e-9, atol=1e-9)
    wide, narrow = tables[0.05][0], tables[0.10][0]
    assert ((narrow["ci_high"] - narrow["ci_low"]) < (wide["ci_high"] - wide["ci_low"])).all()
    d_wide, d_narrow = tables[0.05][1], tables[0.10][1]
    assert ((d_narrow["ci_high"] - d_narrow["ci_low"]) < (d_wide["ci_high"] - d_wide["ci_low"])).all()


def test_national_text_and_titles_follow_alpha(tables, national_data):
    rates, diff, trends = tables[0.10]
    positions = national.funnel_positions(national_data.counts, 2024, "SOSU H")
    text = section.national_section(rates, diff, trends, positions, national_data.provenance, alpha=0.10)
    assert f"{NINETY}-interval" in text and NINETY_FIVE not in text
    assert "kontrolgrænse" in text  # the funnel's fixed limit, named as a control limit
    default = section.national_section(*tables[0.05], positions, national_data.provenance)
    assert f"{NINETY_FIVE}-interval" in default and NINETY not in default
    fig = national_plots.plot_comparison(rates, None, alpha=0.10)
    title = fig._suptitle.get_text()
    assert f"{NINETY}-Wilson-interval" in title and NINETY_FIVE not in title
    funnel = national_plots.plot_funnels(national.funnel_tables(national_data.counts, 2024, "incl_switch", "SOSU H"),
                                         "x")
    labels = [t.get_text() for t in funnel.axes[-1].get_legend().get_texts()]
    assert f"{NINETY_FIVE}-kontrolgrænse" in labels and "99,8\u00a0%-kontrolgrænse" in labels


def test_etu_text_follows_alpha(national_data):
    etu_data = national.read_etu(ROOT / "data/raw/national/etu_sosuh_hovedforloeb_2022-2024_synthetic_seed20251123.csv")
    tidy = read_processed(ROOT / "data/processed/table1_clean.csv")
    wide = national.association_table(etu_data, tidy, 0.05)
    narrow = national.association_table(etu_data, tidy, 0.10)
    ok = narrow["r"].notna()
    assert ((narrow.loc[ok, "r_ci_high"] - narrow.loc[ok, "r_ci_low"])
            < (wide.loc[ok, "r_ci_high"] - wide.loc[ok, "r_ci_low"])).all()
    # independent reference: Fisher z interval of r at alpha = 0.10, tanh(artanh r ± z_0.95 / sqrt(k - 3))
    r, k = narrow.loc[ok, "r"].to_numpy(), narrow.loc[ok, "n_points"].to_numpy()
    z = stats.norm.ppf(0.95)
    np.testing.assert_allclose(narrow.loc[ok, "r_ci_low"], np.tanh(np.arctanh(r) - z / np.sqrt(k - 3)), rtol=1e-9)
    text = section.etu_section(narrow, True, alpha=0.10)
    assert f"{NINETY}-interval" in text and NINETY_FIVE not in text


@pytest.fixture(scope="module")
def survey_results():
    from survey_helpers import CAMPUSES, INTERVENTIONS, SHIPPED_ITEMS, SHIPPED_STUDENTS, SHIPPED_SURVEY

    from sosu_analysis.survey.analysis import analyse

    return {alpha: analyse(str(SHIPPED_SURVEY), str(SHIPPED_ITEMS), str(CAMPUSES), str(INTERVENTIONS),
                           str(SHIPPED_STUDENTS), alpha=alpha) for alpha in (0.05, 0.10)}


def test_survey_intervals_text_and_titles_follow_alpha(survey_results):
    wide, narrow = survey_results[0.05].by_group, survey_results[0.10].by_group
    ok = narrow["score_ci_low"].notna()
    half_wide = (wide.loc[ok, "score_ci_high"] - wide.loc[ok, "score_ci_low"]) / 2
    half_narrow = (narrow.loc[ok, "score_ci_high"] - narrow.loc[ok, "score_ci_low"]) / 2
    # independent reference: same CR2 standard error and df, so the half-widths differ by t_0.95 / t_0.975
    ratio = stats.t.ppf(0.95, narrow.loc[ok, "score_df"]) / stats.t.ppf(0.975, narrow.loc[ok, "score_df"])
    np.testing.assert_allclose(half_narrow, half_wide * ratio, rtol=1e-9)
    assert (half_narrow < half_wide).all()
    md = report_section(survey_results[0.10]).markdown
    assert f"{NINETY}-interval" in md and "95\u00a0%-interval" not in md and "-KI" not in md
    table = index_table_da(survey_results[0.10])
    assert set(table["Niveau"]) == {NINETY} and not any("95" in c for c in table.columns)
    res = survey_results[0.10]
    titles = [survey_plots.plot_indices(res.by_group, alpha=0.10).axes[0].get_title(),
              survey_plots.plot_spu(res.spu, res.by_group, res.spu_item, alpha=0.10).axes[0].get_title()]
    assert all(NINETY in t and NINETY_FIVE not in t for t in titles)


def test_clustered_mean_interval_at_alpha_by_hand():
    # two campuses, equal sizes: CR2 reduces to the t interval of the campus means with G - 1 = 1 df
    y = pd.Series([1.0, 2.0, 3.0, 5.0, 6.0, 7.0])
    campus = pd.Series(["a", "a", "a", "b", "b", "b"])
    est = clustered_mean(y, campus, alpha=0.10)
    means = np.array([2.0, 6.0])
    se = means.std(ddof=1) / np.sqrt(2)  # = 2.0
    q = stats.t.ppf(0.95, 1)
    assert est.estimate == pytest.approx(4.0)
    assert est.ci_low == pytest.approx(4.0 - q * se, rel=1e-6) and est.ci_high == pytest.approx(4.0 + q * se, rel=1e-6)
