"""The SYNTHETIC national campus panel (did.simulate_panel), the batched engine and the design coverage study."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sosu_analysis.did.api import synthetic_did
from sosu_analysis.did.estimate import estimate_cells
from sosu_analysis.did.sdid import fit_batch, panel_matrix
from sosu_analysis.did.simulate_panel import (
    CampusPanelDesign,
    design_coverage,
    in_school_cells,
    national_design,
    national_panel,
    simulate_campus_panel,
)


@pytest.fixture(scope="module")
def design() -> CampusPanelDesign:
    return national_design(n_donors=12, n_pre=5, n_post=1)


def test_design_has_the_calibrated_roles_and_sizes():
    d = national_design()
    c = d.campuses
    assert d.count("pilot") == 4 and d.count("school_other") == 2 and d.count("donor") == 40
    assert (c.loc[c.role != "donor", "school"] == "SOSU H").all()
    assert c.loc[c.role == "donor", "school"].ne("SOSU H").all()
    donors = c.loc[c.role == "donor", "mean_intake"]
    assert donors.between(50, 300).all()
    assert c.loc[c.role != "donor", "mean_intake"].sum() == pytest.approx(1100)
    assert d.years[0] == 2017 and d.start_year == 2025 and len(d.years) == 9
    # fixed per seed: the same design twice
    pd.testing.assert_frame_equal(c, national_design().campuses)


def test_panel_is_balanced_labelled_synthetic_and_reproducible(design):
    a = simulate_campus_panel(design, -0.05, np.random.default_rng(1))
    b = simulate_campus_panel(design, -0.05, np.random.default_rng(1))
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs["synthetic"] is True and a["synthetic"].all()
    assert len(a) == len(design.campuses) * len(design.years)
    assert not a.duplicated(["campus", "year"]).any()
    assert (a["dropouts"] <= a["n"]).all() and (a["n"] >= 1).all()
    np.testing.assert_allclose(a["rate"], a["dropouts"] / a["n"])
    # treated = pilot campus from the start year, nothing else
    expect = (a["role"] == "pilot") & (a["year"] >= design.start_year)
    assert (a["treated"] == expect.astype(int)).all()


def test_effect_moves_only_treated_cells_in_expectation():
    """With every shock switched off, the mean rate is the baseline everywhere but in treated cells, where it is
    baseline + effect (binomial noise only; 400 draws of a 3-campus design, tolerance 4 Monte Carlo SEs)."""
    camp = pd.DataFrame({"campus": ["P", "Q", "R"], "school": ["SOSU H", "SOSU H", "x"],
                         "role": ["pilot", "school_other", "donor"], "mean_intake": [200.0, 200.0, 200.0]})
    d = CampusPanelDesign(camp, n_pre=2, n_post=1, baseline=0.16, school_sd=0, campus_sd=0, year_sd=0,
                          school_year_sd=0, campus_year_sd=0, size_sd=0)
    rng = np.random.default_rng(3)
    draws = pd.concat([simulate_campus_panel(d, -0.05, rng) for _ in range(400)])
    m = draws.groupby("treated")["rate"].mean()
    se = np.sqrt(0.16 * 0.84 / 200 / 400)
    assert m[0] == pytest.approx(0.16, abs=4 * se)
    assert m[1] == pytest.approx(0.11, abs=4 * se * np.sqrt(8))


def test_in_school_cells_feed_the_cr2_estimator(design):
    panel = simulate_campus_panel(design, 0.0, np.random.default_rng(2))
    cells = in_school_cells(panel)
    assert set(cells.table["campus"]) == {"H1", "H2", "H3", "H4", "H5", "H6"}
    assert cells.start == {f"H{i}": design.n_pre for i in range(1, 5)}
    res = estimate_cells(cells, "incl_switch", "lpm", ("cr2",))
    # the student-weighted TWFE DiD by hand: with campus and year effects on a balanced panel the
    # coefficient is a weighted contrast; check against a direct least-squares fit
    tab = cells.table
    X = np.column_stack([tab["treated"], pd.get_dummies(tab["campus"], dtype=float),
                         pd.get_dummies(tab["intake"], dtype=float).iloc[:, 1:]])
    w = np.sqrt(tab["n"].to_numpy(float))
    beta = np.linalg.lstsq(X * w[:, None], (tab["y_incl_switch"] / tab["n"]).to_numpy() * w, rcond=None)[0]
    assert res.estimate == pytest.approx(beta[0], abs=1e-10)


def test_fit_batch_equals_synthetic_did_panel_by_panel(design):
    rng = np.random.default_rng(4)
    panels = [national_panel(simulate_campus_panel(design, -0.05, rng)) for _ in range(3)]
    mats = [panel_matrix(p, "campus", "year", "rate", "treated") for p in panels]
    bf = fit_batch(np.stack([m.Y for m in mats]), mats[0].n0, mats[0].t0, "sdid", 20, [10, 11, 12])
    for k, p in enumerate(panels):
        one = synthetic_did(p, unit="campus", time="year", outcome="rate", replications=20, seed=10 + k)
        assert bf.estimate[k] == pytest.approx(one.estimate, abs=1e-12)
        assert bf.se[k] == pytest.approx(one.se, abs=1e-12)
        np.testing.assert_allclose(bf.omega[k], one.unit_weights.to_numpy(), atol=1e-12)


def test_design_coverage_rows_and_reproducibility(design):
    a = design_coverage(design, -0.05, n_reps=4, placebo_reps=10, seed=1, chunk=3)
    b = design_coverage(design, -0.05, n_reps=4, placebo_reps=10, seed=1, chunk=4)
    pd.testing.assert_frame_equal(a, b)  # chunking does not change a result
    assert list(a["method"]) == ["cr2", "sdid", "did"]
    assert list(a["design"]) == ["in_school", "national", "national"]
    assert (a["n_reps"] == 4).all() and (a["true_effect_pp"] == -5).all()
    assert list(a["n_comparison_units"]) == [2, 14, 14]
    assert a["coverage"].between(0, 1).all() and (a["mean_ci_width_pp"] > 0).all()
    with pytest.raises(ValueError, match="unknown estimator 'synth'"):
        design_coverage(design, 0.0, n_reps=1, estimators=("synth",))


def test_design_rejects_bad_roles():
    camp = pd.DataFrame({"campus": ["P"], "school": ["x"], "role": ["treated"], "mean_intake": [100.0]})
    with pytest.raises(ValueError, match="unknown campus role"):
        CampusPanelDesign(camp)
