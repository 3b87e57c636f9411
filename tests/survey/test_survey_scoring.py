"""The ETU 0-100 transform, reverse coding and indices, against a hand-worked example."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from survey_helpers import ITEMS_CSV, write

from sosu_analysis.survey import read_items, respondent_scores, to_0_100
from sosu_analysis.survey.scoring import add_design, scored_answer


def test_to_0_100_is_the_etu_scale():
    # seed 003 §2: "0 er det mest negative og 100 er det mest positive"; (answer - 1) / 4 * 100
    assert to_0_100([1, 2, 3, 4, 5]).tolist() == [0.0, 25.0, 50.0, 75.0, 100.0]


def test_reverse_coding():
    assert scored_answer([1, 2, 5], [True, True, False]).tolist() == [5.0, 4.0, 5.0]


def _survey(rows):
    cols = ["respondent_id", "programme", "campus", "intake", "wave", "intervention", "item", "answer"]
    f = pd.DataFrame(rows, columns=cols)
    f["answer"] = pd.array(f["answer"].tolist(), dtype="Int64")
    return f


def test_hand_worked_indices(tmp_path):
    items = read_items(write(tmp_path, "items.csv", ITEMS_CSV))
    base = ["SSA", "Alpha", "2025-04", "w", ""]
    survey = _survey([
        # r1: pos1 = 4 -> 75, pos2 = 5 -> 100, neg1 = 2 -> scored 4 -> 75; index ix = (75 + 100 + 75) / 3
        ["r1", *base, "pos1", 4], ["r1", *base, "pos2", 5], ["r1", *base, "neg1", 2],
        # r2: pos1 = 1 -> 0, pos2 blank, neg1 = 5 -> scored 1 -> 0: 2 of 3 answered (>= ceil(3/2) = 2): index 0
        ["r2", *base, "pos1", 1], ["r2", *base, "pos2", None], ["r2", *base, "neg1", 5],
        # r3: only pos1 = 3 answered: 1 of 3 < 2, no index; solo = 4 -> 75, its own index "other"
        ["r3", *base, "pos1", 3], ["r3", *base, "solo", 4],
    ])
    s = respondent_scores(survey, items).set_index(["respondent_id", "measure"])
    assert s.loc[("r1", "ix"), "score"] == pytest.approx(250 / 3)
    assert s.loc[("r1", "ix"), "agree"] == 1           # 83.3 >= 75
    assert s.loc[("r1", "neg1"), "score"] == 75.0       # reverse-coded: 2 -> 4 -> 75
    assert s.loc[("r1", "neg1"), "agree"] == 1          # disagreeing with a negative statement is positive
    assert s.loc[("r2", "ix"), "score"] == 0.0
    assert s.loc[("r2", "ix"), "agree"] == 0
    assert ("r2", "pos2") not in s.index                # blank = not answered, left out
    assert ("r3", "ix") not in s.index                  # too few items answered
    assert s.loc[("r3", "other"), "score"] == 75.0
    assert s.loc[("r3", "pos1"), "agree"] == 0          # 3 is not agreeing


def test_add_design_periods():
    campuses = pd.DataFrame({"campus": ["P", "C"], "pilot": [True, False], "pilot_start": ["2025-04", None]})
    f = pd.DataFrame({"campus": ["P", "P", "C", "C"], "intake": ["2024-10", "2025-04", "2025-02", "2025-06"]})
    out = add_design(f, campuses)
    assert out["group"].tolist() == ["pilot", "pilot", "non-pilot", "non-pilot"]
    assert out["period"].tolist() == ["pre", "post", "pre", "post"]   # non-pilot: the common start 2025-04
    assert np.array_equal(out["pilot"].to_numpy(), [1, 1, 0, 0])
