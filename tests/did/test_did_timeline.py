"""When will we know? The MDE timeline (did.timeline) against closed forms and a simulation."""

import numpy as np
import pandas as pd
import pytest
from did_helpers import make_students
from scipy import stats

from sosu_analysis.did.data import as_cells
from sosu_analysis.did.power import PowerDesign, analytic_se, simulated_power
from sosu_analysis.did.timeline import (
    cr2_mde,
    cr2_satterthwaite_df,
    detection_timeline,
    intake_calendar,
    month_index,
    month_label,
    outcome_milestones,
)


@pytest.mark.parametrize("g1, g0", [(4, 2), (3, 3), (2, 5), (5, 3)])
def test_cr2_df_in_a_balanced_design_is_welch_with_equal_variances(g1, g0):
    """Closed form: a balanced DiD is a two-sample comparison of campus change scores (module Notes)."""
    design = PowerDesign([25.0] * (g1 + g0), [True] * g1 + [False] * g0, n_pre=4, n_post=3)
    welch = (1 / g1 + 1 / g0) ** 2 / (1 / (g1**2 * (g1 - 1)) + 1 / (g0**2 * (g0 - 1)))
    assert cr2_satterthwaite_df(design) == pytest.approx(welch, rel=1e-10)


def test_cr2_mde_formula():
    design = PowerDesign([30.0, 20.0, 25.0, 40.0, 35.0, 15.0], [True] * 4 + [False] * 2, 12, 4, baseline=0.16, icc=0.01)
    mde, se, df = cr2_mde(design, power=0.8, alpha=0.05)
    assert se == pytest.approx(analytic_se(design))
    assert mde == pytest.approx((stats.t.ppf(0.975, df) + stats.t.ppf(0.8, df)) * se)


def test_cr2_mde_agrees_with_simulated_cr2_power():
    """At the analytic CR2 MDE, the simulated CR2 test (binomial outcomes, actual inference) has about 80 % power.

    400 replications: Monte Carlo SE of a power near 0.8 is 0.02; the band allows for the
    approximation (the analytic SE ignores the clipping of rates and the binomial variance's
    dependence on the rate).
    """
    sizes = [60.0, 45.0, 50.0, 70.0, 55.0, 40.0]
    design = PowerDesign(sizes, [True] * 4 + [False] * 2, 12, 4, baseline=0.16, icc=0.005)
    mde, _, _ = cr2_mde(design)
    pw = simulated_power(design, mde, n_reps=400, inference=("cr2",), seed=11)["cr2"]
    assert 0.70 <= pw <= 0.92


def test_month_arithmetic():
    assert month_label(month_index("2025-04") + 12) == "2026-04"
    assert month_label(month_index("2025-10-06") + 3) == "2026-01"


@pytest.fixture(scope="module")
def cells():
    students = make_students(seed=3, years=(2022, 2025), start="2025-04")
    return as_cells(students[students["intake"] <= "2025-08"])


def test_calendar_continues_the_datas_intake_months(cells):
    cal = intake_calendar(cells, "2026-12")
    future = cal[~cal["observed"]]["intake"].tolist()
    assert future == ["2025-10", "2026-02", "2026-04", "2026-08", "2026-10"]
    assert not cal.loc[cal["intake"] == "2025-02", "pilot_period"].item()
    assert cal.loc[cal["intake"] == "2025-04", "pilot_period"].item()


def test_timeline_counts_intakes_whose_outcome_is_known(cells):
    tl = detection_timeline(cells, [3, 12], ["2025-06", "2025-07", "2026-04"], baseline=0.16, icc=0.0)
    get = tl.set_index(["date", "horizon"])
    assert get.loc[("2025-06", 3), "n_post"] == 0 and np.isnan(get.loc[("2025-06", 3), "mde_pp"])
    assert get.loc[("2025-07", 3), "n_post"] == 1  # 2025-04 + 3 months
    assert get.loc[("2026-04", 12), "n_post"] == 1  # only 2025-04 is 12 months old
    assert get.loc[("2026-04", 3), "n_post"] == 3  # 2025-04, -08, -10 (2026-02 is not 3 months old)
    # more pilot intakes known, smaller MDE
    assert get.loc[("2026-04", 3), "mde_pp"] < get.loc[("2025-07", 3), "mde_pp"]


def test_milestones(cells):
    ms = outcome_milestones(cells, [3, 6, 12], "2025-12")
    row = ms[(ms["intake"] == "2025-08") & (ms["horizon"] == 12)]
    assert row["known_from"].item() == "2026-08"
    assert set(ms["intake"]) == {"2025-04", "2025-08", "2025-10"}
    assert isinstance(ms, pd.DataFrame) and ms["observed"].dtype == bool
