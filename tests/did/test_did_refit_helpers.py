"""The precomputed pieces of the refits (treatment rule, fixed-effect span, bootstrap on fixed patterns).

Each is checked against the computation it replaces, written out here independently: the treatment
of a staggered example by hand, the identification check against numpy's matrix rank, the wild
bootstrap statistic against its defining products, the randomization test against the generic
path with a rank check per refit.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from did_helpers import small_panel_frame
from scipy import stats

from sosu_analysis.did.bootstrap import bootstrap_t, weight_matrix
from sosu_analysis.did.covariance import t_test
from sosu_analysis.did.data import TreatmentRule, to_cells, treatment_for
from sosu_analysis.did.estimate import _fit
from sosu_analysis.did.model import FixedEffectSpan, cell_design, fit_ols, positions
from sosu_analysis.did.randomization import randomization_test
from sosu_analysis.errors import NotEstimable


def _staggered_table() -> pd.DataFrame:
    """Campuses A, B, C; SSA at every intake 0-3, SSH at A and C; rows deliberately not sorted."""
    rows = [(p, c, i) for c in ("C", "A", "B") for p in ("SSH", "SSA") for i in range(4)
            if not (p == "SSH" and c == "B")]
    return pd.DataFrame(rows, columns=["programme", "campus", "intake_idx"])


def test_treatment_rule_staggered_by_hand():
    tab = _staggered_table()
    campuses = ("A", "B", "C")
    start = np.array([1.0, 3.0, np.inf])  # A from intake 1, B from intake 3, C never
    # by hand: SSA cells of A at intakes 1, 2, 3 and of B at intake 3; nothing at C, nothing in SSH
    expected = [int(p == "SSA" and ((c == "A" and i >= 1) or (c == "B" and i >= 3)))
                for p, c, i in tab.itertuples(index=False)]
    assert sum(expected) == 4
    rule = TreatmentRule.of(tab, campuses)
    assert rule.treatment(start).tolist() == expected
    assert treatment_for(tab, campuses, start).tolist() == expected
    # many assignments at once equal one at a time
    A = np.array(list(itertools.permutations(start)))
    T = rule.treatments(A)
    assert T.shape == (len(A), len(tab))
    for row, t in zip(A, T, strict=True):
        assert t.tolist() == rule.treatment(row).tolist()


def test_treatment_rule_unknown_campus():
    with pytest.raises(ValueError, match="campus"):
        TreatmentRule.of(_staggered_table(), ("A", "B"))


def test_to_cells_rejects_treatment_off_the_rule():
    df = small_panel_frame()
    df["pilot_post"] = ((df["campus"] == "A") & (df["intake"] >= 3)).astype(int)
    to_cells(df)  # on the rule
    df.loc[(df["campus"] == "A") & (df["intake"] == 4), "pilot_post"] = 0  # switches off again
    with pytest.raises(ValueError, match="from its first treated intake on"):
        to_cells(df)


def test_positions():
    assert positions(["b", "x", "a", "b"], ("a", "b")).tolist() == [1, -1, 0, 1]
    assert positions(pd.Series(["C", "A"]), ("A", "B", "C")).tolist() == [2, 0]
    assert positions([], ("a",)).tolist() == []


def test_fixed_effect_span_agrees_with_matrix_rank():
    cells = to_cells(small_panel_frame())
    tab = cells.table
    design = cell_design(tab, tab["treated"].to_numpy(float), "did")
    span = FixedEffectSpan.of(design)
    assert design.fe_basis is not None
    # the same span computed without the basis kept on the design
    fresh = FixedEffectSpan.of(cell_design(tab, tab["treated"].to_numpy(float), "did").without_column(0)
                               .with_treatment(tab["treated"].to_numpy(float)))
    campus_a = (tab["campus"] == cells.campuses[0]).to_numpy(float)
    post = (tab["intake_idx"] >= 3).to_numpy(float)
    candidates = {
        "zero": np.zeros(len(tab)),
        "campus dummy": campus_a,
        "common post": post,
        "observed": tab["treated"].to_numpy(float),
        "one campus from 3": campus_a * post,
    }
    for name, T in candidates.items():
        d = design.with_treatment(T)
        full_rank = np.linalg.matrix_rank(d.gram()) == d.k
        assert bool(span.identifies(T)[0]) == full_rank, name
        assert bool(fresh.identifies(T)[0]) == full_rank, name
    assert span.identifies(np.column_stack(list(candidates.values()))).tolist() == [False, False, False, True, True]


def test_randomization_precomputed_equals_rank_checked_refits():
    """identified_design_for without a rank check gives the test the generic path gives (same p, CI, drops)."""
    df = small_panel_frame()
    df["pilot_post"] = ((df["campus"].isin(["A", "B", "C"])) & (df["intake"] >= 3)).astype(int)
    model, _ = _fit(to_cells(df), "incl_switch", "lpm")
    fast = randomization_test(model.fit, model.identified_design_for, model.start, "t", 0.2, True,
                              check_rank=False)
    slow = randomization_test(model.fit, model.design_for, model.start, "t", 0.2, True, check_rank=True)
    for attr in ("estimate", "statistic", "p_value", "ci_low", "ci_high"):
        assert getattr(fast, attr) == pytest.approx(getattr(slow, attr), rel=1e-12, abs=1e-15), attr
    assert fast.extra == slow.extra


def test_randomization_drops_an_unidentified_assignment_like_the_rank_check():
    """A start vector whose treatment is the fixed effects' (every campus from intake 0) is dropped by both paths."""
    cells = to_cells(small_panel_frame())
    model, _ = _fit(cells, "incl_switch", "lpm")
    start = np.zeros(len(model.start))
    with pytest.raises(NotEstimable):
        model.identified_design_for(start)
    with pytest.raises(NotEstimable):
        fit_ols(model.design_for(start), model.fit.ysum, check_rank=True)
    model.identified_design_for(model.start)  # the observed assignment is identified


def test_bootstrap_on_fixed_patterns_equals_its_defining_products(panel):
    design, fit, *_ = panel
    stat = bootstrap_t(fit, 0)
    V, _ = weight_matrix(design.G, "webb", 100_000, 999, np.random.default_rng(0))
    on_v = stat.on(V)
    for beta0 in (0.0, 0.013, -0.2, stat.estimate):
        a = stat.coef_change + beta0 * stat.coef_change_slope
        K = stat.score_map + beta0 * stat.score_map_slope
        den = np.sqrt(stat.crv1_factor * np.sum((V @ K.T) ** 2, axis=1))
        expected = np.where(den > 0, (V @ a) / np.where(den > 0, den, 1.0), 0.0)
        got = on_v.values(beta0)
        if beta0 == 0.0:  # the test's own p-value: the same products, bit for bit
            assert np.array_equal(got, expected)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
        t = (stat.estimate - beta0) / stat.se
        assert on_v.p_value(beta0) == pytest.approx(np.mean(np.abs(expected) >= abs(t) - 1e-9 * max(1, abs(t))),
                                                    abs=2 / len(V))


def test_t_test_uses_scipys_t_distribution():
    # reference: scipy's frozen t distribution, as the test computed it before
    res = t_test("crv1", 0.031, 0.012, 5, 0.05)
    dist = stats.t(5)
    assert res.p_value == 2 * dist.sf(0.031 / 0.012)
    q = dist.ppf(0.975)
    assert (res.ci_low, res.ci_high) == (0.031 - q * 0.012, 0.031 + q * 0.012)
    normal = t_test("z", 0.031, 0.012, np.inf, 0.05)
    assert normal.p_value == 2 * stats.norm.sf(0.031 / 0.012)
