"""Triple difference, event study, placebo and the output tables against hand-built regressions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from sosu_analysis.did import (
    InferenceOptions,
    did_table,
    estimate_did,
    event_study,
    event_study_table,
    placebo_did,
    pretrend_table,
    rates_2x2,
)
from sosu_analysis.did.model import independent_columns

FAST = InferenceOptions(wild_max_enumerate=1000, wild_draws=199, seed=1)


def _ols_cluster(y, X, groups):
    """statsmodels OLS with the collinear dummy columns removed first."""
    X = X.astype(float)
    keep = independent_columns(X.to_numpy(), np.ones(len(X)))
    X = X.iloc[:, keep]
    return sm.OLS(y.astype(float), X).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(groups)[0]})


def _dummies(s: pd.Series, name: str) -> pd.DataFrame:
    return pd.get_dummies(s.astype(str), prefix=name, dtype=float)


def test_triple_difference_equals_student_level_ols(students):
    """DDD: dropout ~ pilot_post + campus:programme + intake:programme + campus:intake FE, all programmes."""
    res = estimate_did(students, "incl_switch", "triple_diff", ("crv1", "cr2"))
    s = students
    X = pd.concat(
        [
            s[["pilot_post"]],
            _dummies(s["campus"] + ":" + s["programme"], "cp"),
            _dummies(s["intake"] + ":" + s["programme"], "ip"),
            _dummies(s["campus"] + ":" + s["intake"], "ci"),
        ],
        axis=1,
    )
    ref = _ols_cluster(s["dropout_total"], X, s["campus"])
    assert res.estimate == pytest.approx(ref.params["pilot_post"], rel=1e-9)
    assert res.tests["crv1"].se == pytest.approx(ref.bse["pilot_post"], rel=1e-8)
    assert res.n_students == len(s)
    assert res.n_campuses == 6 and res.n_pilot_campuses == 4


def test_lpm_uses_ssa_only(students):
    res = estimate_did(students, "excl_switch", "lpm", ("crv1",))
    s = students[students["programme"] == "SSA"]
    X = pd.concat([s[["pilot_post"]], _dummies(s["campus"], "c"), _dummies(s["intake"], "t")], axis=1)
    ref = _ols_cluster(s["dropout_noswitch"], X, s["campus"])
    assert res.estimate == pytest.approx(ref.params["pilot_post"], rel=1e-9)
    assert res.tests["crv1"].se == pytest.approx(ref.bse["pilot_post"], rel=1e-8)
    assert res.n_students == len(s)


def test_event_study_coefficients_and_pretrend_wald(students):
    """Relative time binned to [-3, 3], reference -1; coefficients and the CRV1 Wald test of the
    pre-period coefficients (-3, -2) from statsmodels on student rows."""
    es = event_study(students, "incl_switch", window=(-3, 3), options=InferenceOptions())
    s = students[students["programme"] == "SSA"].copy()
    order = sorted(s["intake"].unique())
    start = order.index("2025-02")
    rel = s["intake"].map({t: i - start for i, t in enumerate(order)}).clip(-3, 3)
    cols = {}
    for r in (-3, -2, 0, 1, 2, 3):
        cols[f"rel{r}"] = ((rel == r) & s["pilot"]).astype(float)
    X = pd.concat([pd.DataFrame(cols, index=s.index), _dummies(s["campus"], "c"), _dummies(s["intake"], "t")], axis=1)
    ref = _ols_cluster(s["dropout_total"], X, s["campus"])
    got = es.coefficients.set_index("rel_time")
    for r in (-3, -2, 0, 1, 2, 3):
        assert got.loc[r, "att_pp"] == pytest.approx(100 * ref.params[f"rel{r}"], rel=1e-8)
        assert got.loc[r, "se_crv1_pp"] == pytest.approx(100 * ref.bse[f"rel{r}"], rel=1e-7)
    assert got.loc[-1, "att_pp"] == 0
    b = ref.params[["rel-3", "rel-2"]].to_numpy()
    V = ref.cov_params().loc[["rel-3", "rel-2"], ["rel-3", "rel-2"]].to_numpy()
    F = b @ np.linalg.solve(V, b) / 2
    assert es.pretrend["crv1"]["F"] == pytest.approx(F, rel=1e-7)
    assert es.pretrend["crv1"]["p_value"] == pytest.approx(stats.f.sf(F, 2, 5), rel=1e-7)
    ri = es.pretrend["randomization"]
    assert ri["n_assignments"] == 15 and 1 / 15 <= ri["p_value"] <= 1


def test_event_study_too_many_pre_coefficients_for_crv1(students):
    es = event_study(students, "incl_switch", randomization=False)
    assert np.isnan(es.pretrend["crv1"]["p_value"])
    assert es.notes and "G - 1" in es.notes[0]


def test_placebo_uses_pre_period_only(students):
    res = placebo_did(students, "incl_switch", placebo_start="2023-08", inference=("crv1",))
    s = students[(students["programme"] == "SSA") & (students["intake"] < "2025-02")]
    d = (s["pilot"] & (s["intake"] >= "2023-08")).astype(float).rename("fake")
    X = pd.concat([d, _dummies(s["campus"], "c"), _dummies(s["intake"], "t")], axis=1)
    ref = _ols_cluster(s["dropout_total"], X, s["campus"])
    assert res.estimate == pytest.approx(ref.params["fake"], rel=1e-9)
    assert res.n_students == len(s)
    assert "2023-08" in res.label


def test_did_table_columns_and_units(students):
    tab = did_table(students, inference=("crv1", "cr2", "wild_webb", "randomization"), options=FAST, include_placebo=True)
    for col in ["outcome_definition", "horizon_months", "estimator", "inference", "att_pp", "ci_low_pp", "ci_high_pp", "p_value", "n_students", "n_campuses", "n_pilot_campuses"]:
        assert col in tab.columns
    assert set(tab["outcome_definition"]) == {"incl_switch", "excl_switch"}
    assert set(tab["estimator"]) == {"lpm", "logit_ame", "triple_diff", "lpm_placebo"}
    assert (tab["horizon_months"] == 3).all()
    lpm = estimate_did(students, "incl_switch", "lpm", ("crv1",))
    row = tab[(tab.estimator == "lpm") & (tab.inference == "crv1") & (tab.outcome_definition == "incl_switch")].iloc[0]
    assert row["att_pp"] == pytest.approx(100 * lpm.estimate)
    assert row["ci_low_pp"] == pytest.approx(100 * lpm.tests["crv1"].ci_low)
    logit_wild = tab[(tab.estimator == "logit_ame") & (tab.inference == "wild_webb")]
    assert len(logit_wild) == 2 and logit_wild["p_value"].isna().all()
    assert logit_wild["note"].str.contains("not available").all()
    ri = tab[(tab.estimator == "lpm") & (tab.inference == "randomization")]
    np.testing.assert_allclose(ri["min_p"], 1 / 15)


def test_did_table_by_horizon_and_ssa_only_data(students):
    ssa = students[students["programme"] == "SSA"]
    tab = did_table({3: ssa, 6: ssa}, outcomes=("incl_switch",), inference=("crv1",))
    assert sorted(tab["horizon_months"].unique()) == [3, 6]
    ddd = tab[tab["estimator"] == "triple_diff"]
    assert ddd["note"].str.startswith("not estimable").all()


def test_rates_2x2_and_small_cell_suppression(students):
    r = rates_2x2(students)
    s = students[students["programme"] == "SSA"]
    m = s["pilot"] & (s["intake"] >= "2025-02")
    row = r[(r.outcome_definition == "incl_switch") & (r.group == "pilot") & (r.period == "post")].iloc[0]
    assert row["n_students"] == m.sum()
    assert row["rate_pct"] == pytest.approx(100 * s.loc[m, "dropout_total"].mean())
    # keep only 3 non-pilot post SSA students: that cell must be blanked
    np_post = (students["programme"] == "SSA") & ~students["pilot"] & (students["intake"] >= "2025-02")
    small = pd.concat([students[~np_post], students[np_post].head(3)])
    r2 = rates_2x2(small)
    cell = r2[(r2.group == "non-pilot") & (r2.period == "post")]
    assert cell["suppressed"].all()
    assert cell[["n_students", "n_dropout", "rate_pct"]].isna().all().all()
    # complementary suppression (privacy.protect_rates_2x2): did.csv shows the total, so one more cell goes
    # (the next-smallest, here pilot/post), else total minus the three others would give the 3 students
    assert r2.groupby(["group", "period"])["suppressed"].all().sum() == 2
    assert not r2[(r2.group == "pilot") & (r2.period == "pre")]["suppressed"].any()


def test_event_study_table_suppresses_small_cells(students):
    s = students.copy()
    # only 2 pilot SSA students at relative time +3 (intake 2025-10)
    late = (s["programme"] == "SSA") & s["pilot"] & (s["intake"] == "2025-10")
    s = pd.concat([s[~late], s[late].head(2)])
    tab = event_study_table(s, outcomes=("incl_switch",), window=(-3, 3), randomization=False)
    row = tab[tab["rel_time"] == 3].iloc[0]
    assert np.isnan(row["n_students_pilot"])
    others = tab[tab["rel_time"] != 3]["n_students_pilot"]
    # complementary suppression (privacy.protect_event_counts): the 2x2 table shows the pilot post total, so one
    # more post-period count is blanked; the pre-period counts all stay
    assert others.isna().sum() == 1 and (tab[tab["rel_time"] < 0]["n_students_pilot"] >= 5).all()
    assert (others.dropna() >= 5).all()
    pre = pretrend_table(tab)
    assert set(pre["method"]) == {"crv1", "cr2", "cr2_htz", "cr2_slope"}


def test_intake_as_period_and_input_checks(students):
    ssa = students[students["programme"] == "SSA"]
    base = estimate_did(ssa, "incl_switch", "lpm", ("crv1",)).estimate
    per = ssa.assign(intake=pd.PeriodIndex(ssa["intake"], freq="M"))
    assert estimate_did(per, "incl_switch", "lpm", ("crv1",)).estimate == pytest.approx(base, rel=1e-12)
    bad = students.copy()
    bad.loc[(bad["programme"] == "SSH") & bad["pilot"] & (bad["intake"] >= "2025-02"), "pilot_post"] = 1
    with pytest.raises(ValueError, match="outside SSA"):
        estimate_did(bad)
    gap = students.copy()
    gap.loc[(gap["programme"] == "SSA") & (gap["campus"] == "Herlev") & (gap["intake"] == "2025-04"), "pilot_post"] = 0
    with pytest.raises(ValueError, match="from its first treated intake"):
        estimate_did(gap)


def test_event_study_skips_intakes_without_ssa_cells():
    """Regression: SSH-only intakes (e.g. February) must not shift relative time.

    Reference: the same SSA data without the SSH rows, where every intake has SSA
    cells. Before the fix the reference period (-1) fell on an SSH-only intake,
    whose indicator column is empty, and the design was singular (SEs ~1e9).
    """
    from did_helpers import make_students

    from sosu_analysis.did.api import event_study

    ssa = make_students(seed=7, programmes=("SSA",), start="2025-04")
    ssa = ssa[~ssa["intake"].str.endswith("-02")]  # SSA has no February intakes
    ssh = make_students(seed=8, programmes=("SSH",), start="2025-04")  # SSH has them
    both = pd.concat([ssa, ssh], ignore_index=True)
    ref = event_study(ssa, "incl_switch", randomization=False).coefficients
    got = event_study(both, "incl_switch", randomization=False).coefficients
    assert list(got["rel_time"]) == list(ref["rel_time"])
    assert np.allclose(got["att_pp"], ref["att_pp"], atol=1e-9)
    assert np.allclose(got["se_crv1_pp"].fillna(0), ref["se_crv1_pp"].fillna(0), atol=1e-9)
    assert got["se_crv1_pp"].dropna().max() < 100  # no singular design


def test_power_design_counts_ssa_intakes_only():
    from did_helpers import make_students

    from sosu_analysis.did.api import PowerDesign

    ssa = make_students(seed=7, programmes=("SSA",), start="2025-04")
    ssa = ssa[~ssa["intake"].str.endswith("-02")]
    ssh = make_students(seed=8, programmes=("SSH",), start="2025-04")
    design = PowerDesign.from_cells(pd.concat([ssa, ssh], ignore_index=True))
    # SSA intakes 2022-2024: 3 a year (04, 08, 10) before the 2025-04 start; 2025: 04, 08, 10 after it
    assert (design.n_pre, design.n_post) == (9, 3)


def test_rates_2x2_suppresses_small_dropout_counts():
    """Regression: a group of 40 students with 3 dropouts must not show the 3 (nor the rate)."""
    from did_helpers import make_students

    from sosu_analysis.did.api import rates_2x2
    from sosu_analysis.reporting.did.plots import plot_rates_2x2

    s = make_students(seed=3, programmes=("SSA",), start="2025-04")
    post_pilot = (s["pilot_post"] == 1)
    keep = s[~post_pilot | (s.groupby(["campus", "intake"]).cumcount() < 10)].copy()  # few post-pilot students
    keep.loc[keep["pilot_post"] == 1, ["dropout_total", "dropout_noswitch"]] = 0
    idx = keep.index[keep["pilot_post"] == 1][:3]
    keep.loc[idx, ["dropout_total", "dropout_noswitch"]] = 1  # 3 dropouts among the post-pilot students
    rates = rates_2x2(keep)
    row = rates[(rates.group == "pilot") & (rates.period == "post")]
    assert row["suppressed"].all()
    assert row[["n_students", "n_dropout", "rate_pct"]].isna().all().all()
    assert not rates[(rates.group == "pilot") & (rates.period == "pre")]["suppressed"].any()
    plot_rates_2x2(rates)  # a blanked row still draws
