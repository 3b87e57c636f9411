"""Small-cell suppression: fewer than 5 students never shown, and the row's other cells cannot give it away."""

from __future__ import annotations

import pandas as pd
import pytest

from sosu_analysis.privacy import MIN_CELL, small_cell_mask, suppress_small_cells


@pytest.fixture
def table():
    t = pd.DataFrame({
        "campus": ["A", "B", "C", "D", "E"],
        "n": [200, 38, 4, 60, 120],
        "n_dropout": [30, 3, 1, 0, 5],
        "label": ["a", "b", "c", "d", "e"],
    })
    t["rate"] = t["n_dropout"] / t["n"]
    return t


def test_min_cell_is_five():
    assert MIN_CELL == 5


def test_rows_with_a_small_count_are_blanked_with_their_values(table):
    out = suppress_small_cells(table, ["n", "n_dropout"], ["rate", "label"])
    assert out["suppressed"].tolist() == [False, True, True, False, False]
    assert out.loc[1, ["n", "n_dropout", "rate", "label"]].isna().all()   # n=38 shown would pin 3 dropouts
    assert out.loc[2, ["n", "n_dropout", "rate"]].isna().all()
    assert out.loc[0, "n"] == 200 and out.loc[4, "n_dropout"] == 5 and out.loc[4, "rate"] == pytest.approx(5 / 120)
    assert out["campus"].tolist() == table["campus"].tolist()            # dimensions untouched
    assert str(out["n"].dtype) == "Int64" and str(out["rate"].dtype) == "Float64"


def test_input_not_modified(table):
    before = table.copy()
    suppress_small_cells(table, "n_dropout", "rate")
    pd.testing.assert_frame_equal(table, before)


def test_zero_is_shown_unless_asked(table):
    assert not suppress_small_cells(table, "n_dropout")["suppressed"].iloc[3]
    assert suppress_small_cells(table, "n_dropout", zero_is_small=True)["suppressed"].iloc[3]


def test_other_threshold_and_flag_name(table):
    out = suppress_small_cells(table, "n_dropout", min_cell=3, flag="blanked")
    assert out["blanked"].tolist() == [False, False, True, False, False]


def test_existing_flags_and_na_counts_are_kept(table):
    once = suppress_small_cells(table, "n_dropout", "rate")
    twice = suppress_small_cells(once, ["n", "n_dropout"], "rate")
    assert twice["suppressed"].tolist() == once["suppressed"].tolist()


def test_mask_and_bad_arguments(table):
    assert small_cell_mask(table, ["n"]).tolist() == [False, False, True, False, False]
    with pytest.raises(KeyError):
        suppress_small_cells(table, "n_missing")
    with pytest.raises(KeyError):
        suppress_small_cells(table, "n", "rate_missing")
    with pytest.raises(ValueError):
        suppress_small_cells(table, "n", min_cell=0)


def test_on_a_cell_table():
    from sosu_analysis.students.aggregates import COUNT_COLUMNS

    cells = pd.DataFrame({"n": [40, 12], "n_in_progress": [33, 11], "n_dropout_switch": [2, 0],
                          "n_dropout_noswitch": [5, 1], "n_other": [0, 0]})
    out = suppress_small_cells(cells, ["n", *COUNT_COLUMNS])
    assert out["suppressed"].tolist() == [True, True]
