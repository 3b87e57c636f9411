"""The analysis counts a student once per programme: the first main-course spell (restarts are not new students)."""

from __future__ import annotations

import pandas as pd

from sosu_analysis.students.spells import first_spells


def test_first_spell_per_student_and_programme():
    e = pd.DataFrame({
        "student_id": ["a", "a", "a", "b", "c"],
        "programme": ["SSA", "SSA", "SSH", "SSA", "SSA"],
        "start_date": pd.to_datetime(["2023-08-01", "2022-02-01", "2024-02-01", "2022-02-01", "2022-08-01"]),
        "exit_type": ["", "left", "", "", ""],
    })
    e.attrs["file"] = "x.csv"
    out = first_spells(e)
    # a: the 2022 SSA spell (left) and the SSH spell; the 2023 SSA restart is left out
    assert out.index.tolist() == [1, 2, 3, 4]
    assert out.attrs == {"file": "x.csv", "n_later_spells": 1}


def test_no_restarts_no_change():
    e = pd.DataFrame({"student_id": ["a", "b"], "programme": ["SSA", "SSA"],
                      "start_date": pd.to_datetime(["2023-08-01", "2022-02-01"])})
    pd.testing.assert_frame_equal(first_spells(e), e)
