"""Student extract or campus aggregates: the campus comparison gives the same numbers from both."""

from __future__ import annotations

import pandas as pd
import pytest

from sosu_analysis import students
from sosu_analysis.did import api as did
from sosu_analysis.paths import project_root
from sosu_analysis.pipeline.student_data import load_students

ROOT = project_root()
EXTRACT = "data/raw/synthetic/students_synthetic_seed20250401_effect-5.csv"


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    camp = students.read_campuses(ROOT / "data/raw/campuses.csv")
    extract = students.read_extract(ROOT / EXTRACT, campuses=camp)
    agg_path = tmp_path_factory.mktemp("agg") / "campus_aggregates_synthetic.csv"
    students.to_aggregates(extract, horizons=(3, 6)).to_csv(agg_path, index=False)
    return (load_students(EXTRACT, "data/raw/campuses.csv", [3, 6]),
            load_students(str(agg_path), "data/raw/campuses.csv", [3, 6]))


def test_aggregates_give_the_student_level_estimates(both):
    from_extract, from_aggregates = both
    assert from_aggregates.n_students == len(from_extract.main)
    opts = did.InferenceOptions(seed=1)
    a = did.did_table(from_extract.by_horizon, estimators=("lpm",), inference=("crv1", "cr2", "randomization"),
                      options=opts)
    b = did.did_table(from_aggregates.by_horizon, estimators=("lpm",), inference=("crv1", "cr2", "randomization"),
                      options=opts)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-10)


def test_aggregates_keep_the_small_cell_rule(both):
    _, from_aggregates = both
    assert from_aggregates.main.student_level  # counts of students: outputs are suppressed like the extract's
    assert from_aggregates.synthetic  # 'synthetic' in the file name


def test_synthetic_banner_and_true_effect(both):
    from_extract, _ = both
    assert from_extract.true_effect_pp(3, "incl_switch") == -5.0
    assert "SYNTETISKE DATA" in from_extract.banner().data


def test_real_extract_leaves_out_students_whose_horizon_has_not_passed(tmp_path):
    """A real extract is as of its latest date: later horizons are unknown, not 'still in progress'."""
    import shutil

    real_like = tmp_path / "extract.csv"  # no sidecar, no 'synthetic' in the name
    shutil.copy(ROOT / EXTRACT, real_like)
    data = load_students(str(real_like), "data/raw/campuses.csv", [3, 12])
    assert data.synthetic is None
    assert data.by_horizon[12].attrs["n_unobserved"] > 0
    assert len(data.by_horizon[12]) + data.by_horizon[12].attrs["n_unobserved"] == data.n_students
    later = load_students(str(real_like), "data/raw/campuses.csv", [3, 12], extract_date="2030-01-01")
    assert later.by_horizon[12].attrs.get("n_unobserved", 0) == 0
    assert "not yet past the horizon" in data.banner().data
