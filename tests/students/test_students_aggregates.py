"""Campus aggregates: the validator, and the same cell table from aggregates as from students."""

from __future__ import annotations

import pandas as pd
import pytest
from students_helpers import write

from sosu_analysis.atomic import write_csv
from sosu_analysis.errors import InputError
from sosu_analysis.students import cell_table, generate, read_aggregates, read_extract, to_aggregates

AGG_HEADER = "programme,campus,intake,horizon_months,n_in_progress,n_dropout_switch,n_dropout_noswitch,n_other"


def agg(tmp_path, *rows):
    return write(tmp_path, "agg.csv", "\n".join([AGG_HEADER, *rows]) + "\n")


def only(path, campuses=None):
    with pytest.raises(InputError) as info:
        read_aggregates(path, campuses)
    found = info.value.problems
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def test_hand_made_aggregates_equal_student_path(tmp_path, extract_file, campuses):
    students = read_extract(extract_file(
        "S1,SSA,Alpha,2025-04-07,2025-05-01,switch",
        "S2,SSA,Alpha,2025-04-07,2025-06-01,left",
        "S3,SSA,Alpha,2025-04-07,2025-09-01,left",
        "S4,SSA,Alpha,2025-04-07,,",
        "S5,SSA,Beta,2025-04-07,2025-04-20,completed",
        "S6,SSH,Beta,2025-02-03,,",
    ), campuses)
    aggregates = read_aggregates(agg(
        tmp_path,
        "SSA,Alpha,2025-04,3,2,1,1,0",
        "SSA,alfa,2025-04,6,1,1,2,0",   # alias of Alpha
        "SSA,Beta,2025-04,3,0,0,0,1",
        "SSA,Beta,2025-04,6,0,0,0,1",
        "SSH,Beta,2025-02,3,1,0,0,0",
        "SSH,Beta,2025-02,6,1,0,0,0",
    ), campuses)
    for h in (3, 6):
        pd.testing.assert_frame_equal(cell_table(students, campuses, h), cell_table(aggregates, campuses, h))
    three = cell_table(aggregates, campuses, 3)
    assert three[["n", "n_dropout_total", "n_dropout_noswitch", "pilot", "pilot_post"]].values.tolist() == [
        [4, 2, 1, 1, 1], [1, 0, 0, 0, 0], [1, 0, 0, 0, 0]]


def test_synthetic_aggregates_round_trip(tmp_path, campuses, table1):
    students = generate(7, -5.0, campuses=campuses, table1=table1, scale=0.3).students
    write_csv(tmp_path / "s_synthetic.csv", students)
    extract = read_extract(tmp_path / "s_synthetic.csv", campuses)
    write_csv(tmp_path / "agg.csv", to_aggregates(extract))
    aggregates = read_aggregates(tmp_path / "agg.csv", campuses)
    for h in (3, 6, 12):
        from_students = cell_table(extract, campuses, h)
        from_aggregates = cell_table(aggregates, campuses, h)
        pd.testing.assert_frame_equal(from_students, from_aggregates, check_exact=True, obj=f"cells at {h} months")
        assert from_students["n"].sum() == len(extract)


def test_cell_table_needs_the_horizon(tmp_path):
    aggregates = read_aggregates(agg(tmp_path, "SSA,Alpha,2025-04,3,2,1,1,0"))
    with pytest.raises(ValueError, match="horizons present: 3"):
        cell_table(aggregates, None, 6)
    with pytest.raises(ValueError):
        cell_table(pd.DataFrame({"x": [1]}))


def test_danish_thousands_accepted(tmp_path):
    frame = read_aggregates(agg(tmp_path, "SSA,Alpha,2023-04,3,1.171,43,179,0"))
    assert frame.loc[0, "n_in_progress"] == 1171


def test_missing_column(tmp_path):
    path = write(tmp_path, "a.csv", "programme,campus,intake,horizon_months,n_in_progress\nSSA,A,2025-04,3,4\n")
    with pytest.raises(InputError) as info:
        read_aggregates(path)
    assert {p.column for p in info.value.problems} == {"n_dropout_switch", "n_dropout_noswitch", "n_other"}
    assert all(p.row == 1 for p in info.value.problems)


@pytest.mark.parametrize(("row", "column"), [
    ("SSA,Alpha,2025-04,3,,1,1,0", "n_in_progress"),
    ("SSA,Alpha,2025-04,3,-2,1,1,0", "n_in_progress"),
    ("SSA,Alpha,2025-04,3,2.5,1,1,0", "n_in_progress"),
    ("XYZ,Alpha,2025-04,3,2,1,1,0", "programme"),
    ("SSA,Alpha,2025-13,3,2,1,1,0", "intake"),
    ("SSA,Alpha,April 2025,3,2,1,1,0", "intake"),
    ("SSA,Alpha,2025-04,0,2,1,1,0", "horizon_months"),
    ("SSA,Gamma,2025-04,3,2,1,1,0", "campus"),
])
def test_bad_cells(tmp_path, campuses, row, column):
    p = only(agg(tmp_path, row), campuses)
    assert (p.row, p.column) == (2, column)


def test_duplicate_cell(tmp_path, campuses):
    p = only(agg(tmp_path, "SSA,Alpha,2025-04,3,2,1,1,0", "SSA,North,2025-04,3,2,1,1,0"), campuses)
    assert p.row == 3 and "row 2" in p.message


def test_intake_size_must_match_across_horizons(tmp_path):
    p = only(agg(tmp_path, "SSA,Alpha,2025-04,3,2,1,1,0", "SSA,Alpha,2025-04,6,2,1,2,0"))
    assert p.row == 3 and "intake size" in p.message


def test_exits_cannot_fall_with_longer_horizon(tmp_path):
    p = only(agg(tmp_path, "SSA,Alpha,2025-04,12,2,1,1,0", "SSA,Alpha,2025-04,3,2,0,2,0"))
    assert (p.row, p.column) == (2, "n_dropout_noswitch")


def test_header_only(tmp_path):
    p = only(agg(tmp_path))
    assert p.row == 1


def test_a_horizon_row_missing_for_an_observed_intake_is_refused(tmp_path, campuses):
    """Issue 11: a cell without its 6-month row would silently drop out of the 6-month analysis."""
    from sosu_analysis.errors import InputError

    rows = ["SSA,Alpha,2025-04,3,2,1,1,0", "SSA,Alpha,2025-04,6,1,1,2,0", "SSA,Beta,2025-04,3,0,0,0,1"]
    with pytest.raises(InputError) as info:
        read_aggregates(agg(tmp_path, *rows), campuses)
    (p,) = info.value.problems
    assert p.row == 4 and p.column == "horizon_months" and "none at 6 months" in p.message


def test_a_young_intake_may_lack_the_longer_horizons(tmp_path, campuses):
    """An intake after the latest one counted at 6 months has not reached 6 months yet: allowed."""
    rows = ["SSA,Alpha,2025-02,3,2,1,1,0", "SSA,Alpha,2025-02,6,1,1,2,0", "SSA,Beta,2025-04,3,0,0,0,1"]
    assert len(read_aggregates(agg(tmp_path, *rows), campuses)) == 3
