"""The inference registry, name checking, NotEstimable rows and the note column of did_table."""

from __future__ import annotations

import inspect
from typing import get_args

import numpy as np
import pandas as pd
import pytest
from did_helpers import small_panel_frame

from sosu_analysis.did import tables as did_tables
from sosu_analysis.did.data import to_cells
from sosu_analysis.did.estimate import (
    AVAILABLE,
    ESTIMATORS,
    INFERENCE_METHODS,
    Estimator,
    Inference,
    InferenceMethod,
    InferenceOptions,
    estimate_did,
)
from sosu_analysis.did.model import cell_design, fit_ols
from sosu_analysis.did.randomization import randomization_test
from sosu_analysis.did.results import CoefTest, DidResult
from sosu_analysis.did.tables import did_table
from sosu_analysis.errors import NotEstimable


def test_registry_has_every_method_once_with_one_signature():
    assert set(INFERENCE_METHODS) == set(get_args(Inference))
    assert set(AVAILABLE) == set(get_args(Estimator)) == set(ESTIMATORS)
    expected = [p for p in inspect.signature(InferenceMethod.__call__).parameters if p != "self"]
    assert expected == ["model", "options", "rng"]
    for name, method in INFERENCE_METHODS.items():
        assert list(inspect.signature(method).parameters) == expected, name


@pytest.mark.parametrize(
    ("kwargs", "valid"),
    [
        ({"estimator": "lmp"}, "lpm, logit_ame, triple_diff"),
        ({"inference": ("crv1", "crv2")}, "crv1, cr2, wild_webb, wild_rademacher, randomization"),
        # the logit used to note an unknown name as "not available" instead of stopping
        ({"estimator": "logit_ame", "inference": ("wild_web",)}, "wild_webb"),
        ({"outcome": "incl-switch"}, "incl_switch, excl_switch"),
    ],
)
def test_wrong_name_raises_at_once_listing_the_valid_ones(kwargs, valid):
    with pytest.raises(ValueError, match=valid) as err:
        estimate_did(small_panel_frame(), **kwargs)
    assert not isinstance(err.value, NotEstimable)


def test_did_table_checks_names_before_computing(monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("estimated before the names were checked")

    monkeypatch.setattr(did_tables, "estimate_cells", must_not_run)
    with pytest.raises(ValueError, match="unknown inference method 'cr3'"):
        did_table(small_panel_frame(), inference=("crv1", "cr3"))
    with pytest.raises(ValueError, match="unknown estimator 'ddd'"):
        did_table(small_panel_frame(), estimators=("ddd",))


@pytest.mark.parametrize("alpha", [0.0, 1.0, 5, -0.05])
def test_alpha_outside_zero_one_raises(alpha):
    with pytest.raises(ValueError, match="alpha"):
        InferenceOptions(alpha=alpha)


def test_unknown_randomization_statistic_raises():
    with pytest.raises(ValueError, match="coef, t"):
        InferenceOptions(ri_statistic="beta")  # type: ignore[arg-type]


def test_not_estimable_is_raised_and_becomes_a_row():
    ssa_only = small_panel_frame()
    with pytest.raises(NotEstimable, match="collinear with the fixed effects"):
        estimate_did(ssa_only, estimator="triple_diff", inference=("crv1",))
    tab = did_table(ssa_only, outcomes=("incl_switch",), estimators=("lpm", "triple_diff"), inference=("crv1",))
    row = tab[tab["estimator"] == "triple_diff"]
    assert len(row) == 1 and row["att_pp"].isna().all()
    assert row["note"].iloc[0] == "not estimable: a treatment column is collinear with the fixed effects " \
                                  "(no identifying variation)"
    assert tab.loc[tab["estimator"] == "lpm", "att_pp"].notna().all()


def test_placebo_without_pre_period_is_a_row_not_a_crash():
    df = small_panel_frame()
    # pilots start at the second intake: one pre-period intake, no room for a placebo
    df["pilot_post"] = (df["campus"].isin(["A", "B"]) & (df["intake"] >= 1)).astype(int)
    df["pilot"] = df["campus"].isin(["A", "B"])
    tab = did_table(df, outcomes=("incl_switch",), estimators=("lpm",), inference=("crv1",), include_placebo=True)
    placebo = tab[tab["estimator"] == "lpm_placebo"]
    assert list(placebo["note"]) == ["not estimable: a placebo needs at least two pre-period intakes"]


def test_other_value_errors_are_not_swallowed(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug, not a property of the data")

    monkeypatch.setattr(did_tables, "estimate_cells", broken)
    with pytest.raises(ValueError, match="a bug"):
        did_table(small_panel_frame(), estimators=("lpm",), inference=("crv1",))


def _separating_panel() -> pd.DataFrame:
    """Campus F never has a dropout: its logit fixed effect runs off to minus infinity."""
    df = small_panel_frame()
    df.loc[df["campus"] == "F", ["n_dropout_total", "n_dropout_noswitch"]] = 0
    return df


def test_logit_separation_reaches_the_note_column():
    tab = did_table(_separating_panel(), outcomes=("incl_switch",), estimators=("lpm", "logit_ame"),
                    inference=("crv1", "cr2", "randomization"), options=InferenceOptions(ci=False))
    logit = tab[tab["estimator"] == "logit_ame"].set_index("inference")
    for m in ("crv1", "randomization"):
        assert "separation" in logit.loc[m, "note"], m
    # the refits (observed + 60 assignments) separate too, and the note says how many did
    assert "of 61 logit refits in the randomization test" in logit.loc["randomization", "note"]
    assert logit.loc["cr2", "note"] == "not available for this estimator"
    lpm = tab[tab["estimator"] == "lpm"]
    assert (lpm["note"].fillna("") == "").all()


def test_dropped_assignments_reach_the_test_notes():
    """An assignment whose design is singular is dropped, counted and named in the notes."""
    cells = to_cells(small_panel_frame())
    tab = cells.table
    design = cell_design(tab, tab["treated"].to_numpy(float), "did")
    fit = fit_ols(design, cells.outcome_sum("incl_switch"))
    start = cells.start_for(design.cluster_labels)

    def design_for(s):
        if s[0] == np.inf:  # campus A not a pilot: pretend this design has no treatment variation
            return design.with_treatment(np.zeros(len(tab)))
        from sosu_analysis.did.data import treatment_for

        return design.with_treatment(treatment_for(tab, design.cluster_labels, s))

    t = randomization_test(fit, design_for, start, ci=False)
    n_dropped = t.extra["n_dropped"]
    assert n_dropped > 0 and t.extra["n_assignments"] + n_dropped == 60
    assert t.notes == (f"{n_dropped} of 60 assignments dropped: no treatment variation left after the fixed effects",)


def test_result_notes_are_joined_into_the_note_column():
    t = CoefTest("randomization", 0.1, np.nan, np.nan, 1.0, 0.5, np.nan, np.nan, {"n_assignments": 9},
                 ("2 of 11 assignments dropped",))
    res = DidResult("logit_ame", "incl_switch", 0.1, {"randomization": t}, 100, 6, 3, 30,
                    warnings=["logit did not converge"], unavailable={"cr2": "not offered"})
    f = res.to_frame().set_index("inference")
    assert f.loc["randomization", "note"] == "logit did not converge; 2 of 11 assignments dropped"
    assert f.loc["cr2", "note"] == "not available for this estimator" and np.isnan(f.loc["cr2", "p_value"])
    assert res.notes == ["logit did not converge", "cr2: not offered", "randomization: 2 of 11 assignments dropped"]
