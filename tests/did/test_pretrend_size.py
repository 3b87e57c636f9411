"""The simulation study's size check of the pre-trend test (fast: few draws; the 200-draw run is slow)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from sosu_analysis.did import InferenceOptions, as_cells
from sosu_analysis.did.event_study import event_study
from sosu_analysis.did.simcheck import SIZE_TOLERANCE_LEVEL, pretrend_size_check
from sosu_analysis.paths import project_root
from sosu_analysis.readers.published import clean_published
from sosu_analysis.students import cell_table, generate, read_campuses

ROOT = project_root()


def no_pretrend_dgp():
    """The project's generator with no effect: campus and intake effects, no campus-specific trend."""
    campuses = read_campuses(ROOT / "data/raw/campuses.csv")
    table1 = clean_published(ROOT / "data/raw/uddannelsesstatistik_sosuh_hovedforloeb_3mdr_2022-2024.csv")

    def dgp(rng: np.random.Generator):
        syn = generate(int(rng.integers(2**31)), 0.0, campuses=campuses, table1=table1)
        return cell_table(syn.students, campuses, 3)
    return dgp


def test_pretrend_size_check_counts_rejections_of_the_verdicts_test():
    opts = InferenceOptions(alpha=0.5)  # a large alpha so that a handful of draws gives both outcomes
    out = pretrend_size_check(no_pretrend_dgp(), n_reps=4, outcomes=("incl_switch",), options=opts, seed=7)
    row = out.iloc[0]
    assert row["method"] == "cr2_slope" and row["n_reps"] == 4 and row["n_defined"] == 4
    # reference: the same draws (same seeded Generator), the event study's own cr2_slope p-values
    rng, dgp, p = np.random.default_rng(7), no_pretrend_dgp(), []
    for _ in range(4):
        res = event_study(as_cells(dgp(rng)), "incl_switch", window=(-4, 3), options=opts, randomization=False)
        p.append(res.pretrend["cr2_slope"]["p_value"])
    assert row["rejection_rate"] == np.mean(np.array(p) <= 0.5)
    # the tolerance is the central 99 % range of Binomial(4, 0.5) / 4 (scipy.stats.binom, by hand: 0 .. 4)
    tail = (1 - SIZE_TOLERANCE_LEVEL) / 2
    assert row["tol_low"] == stats.binom.ppf(tail, 4, 0.5) / 4 == 0.0
    assert row["tol_high"] == stats.binom.isf(tail, 4, 0.5) / 4 == 1.0
    assert row["size_ok"] == (row["rejection_rate"] <= row["tol_high"])


def test_an_unknown_pretrend_method_is_refused_at_once():
    import pytest

    from sosu_analysis.did.event_study import PRETREND_METHODS

    def never_called(rng):
        raise AssertionError("no data should be drawn for a misspelt method")

    with pytest.raises(ValueError, match="cr2_slop"):
        pretrend_size_check(never_called, n_reps=1, method="cr2_slop")
    assert "cr2_slope" in PRETREND_METHODS
