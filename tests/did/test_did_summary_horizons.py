"""Chapter 04's text at every horizon: what is observed there, the estimates, and the level from alpha."""

from __future__ import annotations

import shutil

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from scipy import stats

from sosu_analysis.danish import number_en
from sosu_analysis.did import api as did
from sosu_analysis.paths import project_root
from sosu_analysis.pipeline.student_data import load_students
from sosu_analysis.reporting.did import plots as did_plots
from sosu_analysis.reporting.did import summary

ROOT = project_root()
EXTRACT = "data/raw/synthetic/students_synthetic_seed20250401_effect-5.csv"


@pytest.fixture(scope="module")
def real_like(tmp_path_factory):
    """The synthetic extract without its label: as of its latest date, so late intakes lack 12 months."""
    path = tmp_path_factory.mktemp("extract") / "extract.csv"
    shutil.copy(ROOT / EXTRACT, path)
    return load_students(str(path), "data/raw/campuses.csv", [3, 12])


@pytest.fixture(scope="module")
def table(real_like):
    return did.did_table(real_like.by_horizon, estimators=("lpm", "triple_diff"), inference=("crv1", "cr2"),
                         options=did.InferenceOptions(alpha=0.10, seed=1), include_placebo=True)


def test_coverage_counts_what_is_observed_at_each_horizon(real_like):
    cov = summary.horizon_coverage(real_like.by_horizon).set_index("horizon_months")
    for h, frame in real_like.by_horizon.items():
        ssa = frame[frame["programme"] == "SSA"]  # counted here from the student rows themselves
        assert cov.loc[h, "n_students"] == len(ssa)
        assert cov.loc[h, "n_intakes"] == ssa["intake"].nunique()
        assert cov.loc[h, "n_unobserved"] == frame.attrs["n_unobserved"]
    # late intakes are not yet observable at 12 months
    assert cov.loc[12, "n_intakes"] < cov.loc[3, "n_intakes"]
    assert cov.loc[12, "n_students"] < cov.loc[3, "n_students"]
    assert cov.loc[12, "n_unobserved"] > 0
    text = summary.coverage_sentence({"horizon_months": 12, **cov.loc[12].to_dict()})
    assert f"{int(cov.loc[12, 'n_intakes'])} intakes" in text and "not yet 12 months past" in text


def test_every_horizon_is_described_with_its_own_numbers(real_like, table):
    cov = summary.horizon_coverage(real_like.by_horizon)
    text = summary.horizons_markdown(table, cov, [3, 12], alpha=0.10)
    three, twelve = text.split("**12 months after start**")
    assert "**3 months after start (main horizon)**" in three
    for h, part in ((3, three), (12, twelve)):
        row = table[(table["horizon_months"] == h) & (table["estimator"] == "lpm")
                    & (table["inference"] == "cr2") & (table["outcome_definition"] == "incl_switch")].iloc[0]
        assert f"{number_en(row['att_pp'], 1, sign=True)} percentage points" in part
        assert f"{h} months after start: the difference-in-differences" in part
        assert "Robustness" in part
    assert "90 % CI" in text and "95" not in text


def test_intervals_and_text_follow_alpha(table):
    # CR2: estimate ± t(df) quantile at 1 − alpha/2 (scipy), alpha = 0.10
    for _, r in table[(table["inference"] == "cr2") & table["p_value"].notna()].iterrows():
        q = stats.t.ppf(0.95, r["df"])
        assert r["ci_low_pp"] == pytest.approx(r["att_pp"] - q * r["se_pp"], rel=1e-8)
        assert r["ci_high_pp"] == pytest.approx(r["att_pp"] + q * r["se_pp"], rel=1e-8)
    sentences = summary.did_sentences(table, 3, alpha=0.10)
    assert all("90 % CI" in s for s in sentences.values())


def test_tables_for_display_keep_every_horizon_in_order(table):
    main = summary.main_estimates(table, [12, 3])
    assert list(dict.fromkeys(main["horizon_months"])) == [12, 3]
    assert set(main["estimator"]) == {"lpm"} and main["p_value"].notna().all()
    rob = summary.robustness_estimates(table, [3, 12])
    assert set(rob["estimator"]) == {"triple_diff", "lpm_placebo"}
    assert set(rob["inference"]) == {"cr2"}  # CR2 where the estimator has it
    assert len(rob) == 2 * 2 * 2  # horizons x definitions x estimators
    assert rob.index.equals(pd.RangeIndex(len(rob)))


def test_event_study_titles_name_the_level_of_alpha(real_like):
    events = did.event_study_table(real_like.main, window=(-2, 2),
                                   options=did.InferenceOptions(alpha=0.10, seed=1), randomization=False)
    fig = did_plots.plot_event_study(events, alpha=0.10)
    try:
        assert all("90 % CI" in ax.get_title() and "95" not in ax.get_title() for ax in fig.axes)
    finally:
        plt.close(fig)


def test_coverage_sentence_never_shows_a_count_of_one_to_four():
    from sosu_analysis.reporting.did.summary import coverage_sentence

    row = {"horizon_months": 12, "n_students": 3, "n_intakes": 1, "n_intakes_post": 1, "last_intake": "2025-04",
           "n_unobserved": 2}
    text = coverage_sentence(row)
    assert "< 5 SSA students" in text and "< 5 main-course starts" in text
    assert " 3 " not in text and " 2 " not in text
    assert "5,119 SSA students" in coverage_sentence({**row, "n_students": 5119, "n_unobserved": 0})


def test_last_pre_step_is_the_negated_coefficient_before_the_reference():
    """Closed form: gaps are relative to rel_time -1 (0), so the step from -2 to -1 is -att(-2)."""

    from sosu_analysis.did.event_study import last_pre_step

    t = pd.DataFrame({"outcome_definition": ["incl_switch"] * 4, "rel_time": [-3, -2, -1, 0],
                      "att_pp": [2.0, 4.9, 0.0, -5.0], "p_cr2": [0.3, 0.24, float("nan"), 0.26]})
    assert last_pre_step(t, "incl_switch") == (-4.9, 0.24)  # the gap narrowed by 4.9 pp just before the start
    assert last_pre_step(t, "excl_switch") is None
    # against the shipped chapter 04 table: its -2 coefficient, negated
    shipped = pd.read_csv(ROOT / "reports/tables/event_study.csv")
    row = shipped[(shipped.outcome_definition == "excl_switch") & (shipped.rel_time == -2)].iloc[0]
    assert last_pre_step(shipped, "excl_switch") == (-row.att_pp, row.p_cr2)
