"""Status at a horizon: calendar months, month ends, the horizon day itself, derived columns."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sosu_analysis.students import add_months, derive_columns, read_extract, status_at


def d(text):
    return np.array([text], dtype="datetime64[D]")


def one(start, exit_, kind, h):
    return status_at(d(start), d(exit_) if exit_ else np.array(["NaT"], dtype="datetime64[D]"), [kind], h)[0]


@pytest.mark.parametrize(("start", "months", "expected"), [
    ("2025-01-31", 1, "2025-02-28"),
    ("2024-01-31", 1, "2024-02-29"),
    ("2025-08-31", 3, "2025-11-30"),
    ("2025-04-07", 3, "2025-07-07"),
    ("2025-10-31", 12, "2026-10-31"),
    ("2025-11-30", 3, "2026-02-28"),
])
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(d(start), months)[0] == np.datetime64(expected)


def test_add_months_keeps_nat():
    assert np.isnat(add_months(np.array(["NaT"], dtype="datetime64[D]"), 3)[0])


def test_exit_exactly_at_horizon_counts():
    assert one("2025-04-07", "2025-07-07", "left", 3) == "dropout_noswitch"
    assert one("2025-04-07", "2025-07-08", "left", 3) == "in_progress"


def test_january_31_plus_one_month():
    assert one("2025-01-31", "2025-02-28", "switch", 1) == "dropout_switch"
    assert one("2025-01-31", "2025-03-01", "switch", 1) == "in_progress"
    assert one("2024-01-31", "2024-02-29", "switch", 1) == "dropout_switch"


def test_status_mapping_and_later_horizons():
    assert one("2025-04-07", "2025-05-01", "completed", 3) == "other"
    assert one("2025-04-07", "", "", 3) == "in_progress"
    assert one("2025-04-07", "2025-09-01", "left", 3) == "in_progress"
    assert one("2025-04-07", "2025-09-01", "left", 6) == "dropout_noswitch"
    assert one("2025-04-07", "2026-04-07", "switch", 12) == "dropout_switch"


@pytest.mark.parametrize("h", [0, -3, 2.5])
def test_bad_horizon(h):
    with pytest.raises(ValueError):
        one("2025-04-07", "", "", h)


@pytest.fixture
def derived_input(extract_file, campuses):
    path = extract_file(
        "S1,SSA,Alpha,2025-04-07,2025-05-01,switch",   # pilot campus, SSA, from pilot start: treated
        "S2,SSA,Alpha,2025-02-03,2025-03-01,left",     # pilot campus before pilot start
        "S3,SSH,North,2025-04-07,2025-08-01,left",     # pilot campus (alias), SSH not covered; exit after 3 m
        "S4,SSA,Beta,2025-04-07,2025-05-01,completed",  # non-pilot campus
        "S5,SSA,Beta,2024-10-07,,",
    )
    return read_extract(path, campuses)


def test_derived_columns(derived_input, campuses):
    out = derive_columns(derived_input, campuses, 3)
    assert out["intake"].tolist() == ["2025-04", "2025-02", "2025-04", "2025-04", "2024-10"]
    assert out["year"].tolist() == [2025, 2025, 2025, 2025, 2024]
    assert out["status"].tolist() == ["dropout_switch", "dropout_noswitch", "in_progress", "other", "in_progress"]
    assert out["dropout_total"].tolist() == [1, 1, 0, 0, 0]
    assert out["dropout_noswitch"].tolist() == [0, 1, 0, 0, 0]
    assert out["pilot"].tolist() == [1, 1, 1, 0, 0]
    assert out["pilot_post"].tolist() == [1, 0, 0, 0, 0]
    assert out["campus"].tolist()[2] == "Alpha"
    six = derive_columns(derived_input, campuses, 6)
    assert six["status"].tolist()[2] == "dropout_noswitch"
    assert "pilot" not in derive_columns(derived_input, None).columns


def test_pilot_programmes_parameter(derived_input, campuses):
    out = derive_columns(derived_input, campuses, pilot_programmes=("SSA", "SSH"))
    assert out["pilot_post"].tolist() == [1, 0, 1, 0, 0]


def test_as_of_leaves_out_unobserved(derived_input, campuses):
    out = derive_columns(derived_input, campuses, 3, as_of=dt.date(2025, 7, 6))
    assert out["intake"].tolist() == ["2025-02", "2024-10"]
    assert out.attrs["n_unobserved"] == 3
    assert len(derive_columns(derived_input, campuses, 3, as_of="2025-07-07")) == 5


def test_derive_keeps_the_index_of_a_filtered_extract(derived_input, campuses):
    subset = derived_input[derived_input["campus"] == "Beta"]
    out = derive_columns(subset, campuses)
    assert out.index.tolist() == subset.index.tolist() == [3, 4]
    assert out["intake"].tolist() == ["2025-04", "2024-10"]
    assert out["status"].tolist() == ["other", "in_progress"]


def test_derive_refuses_unknown_campus(extract_file, campuses):
    frame = read_extract(extract_file("S1,SSA,Gamma,2025-04-07,,"))
    with pytest.raises(ValueError, match="Gamma"):
        derive_columns(frame, campuses)
