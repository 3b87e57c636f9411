"""The chapters' table display: formatted numbers, no index, no raw NaN/inf, fixed HTML."""

import math

import numpy as np
import pandas as pd
import pytest

from sosu_analysis.reporting.tables import Column, format_cell, table_html


def test_numbers_round_half_up_in_both_languages():
    # 2.25 -> 2.3 (half up, as the ministry rounds; Python's round() would give 2.2)
    assert format_cell(2.25, Column("x", 1), "en") == "2.3"
    assert format_cell(2.25, Column("x", 1), "da") == "2,3"
    assert format_cell(-0.04, Column("x", 1), "en") == "0.0"
    assert format_cell(-1.25, Column("x", 1), "en") == "\u22121.3"
    assert format_cell(1171, Column("n", 1), "da") == "1.171"
    assert format_cell(1171, Column("n", 1), "en") == "1,171"
    assert format_cell(2024, Column("year", 0, grouping=False), "en") == "2024"


def test_missing_and_infinite_values_are_never_raw():
    col = Column("x", 2)
    assert format_cell(float("nan"), col) == "–"
    assert format_cell(None, col) == "–"
    assert format_cell(math.inf, col) == "∞"
    assert format_cell(-math.inf, col) == "\u2212∞"
    assert format_cell(True, Column("b", None), "da") == "ja"
    assert format_cell(np.bool_(False), Column("b", None), "da") == "nej"  # a nullable boolean column's value


def test_table_has_caption_no_index_and_a_note_for_missing():
    frame = pd.DataFrame({"programme": ["SSA", "SSH"], "pct": [17.44, np.nan], "n": [1327, 980]},
                         index=[7, 8])
    out = table_html(frame, "Dropout (%)", {"programme": Column("Programme", None),
                                            "pct": Column("Dropout (%)", 1), "n": Column("Students", 0)})
    assert "<caption" in out and "Dropout (%)" in out
    assert ">17.4<" in out and ">1,327<" in out and ">–<" in out
    assert "nan" not in out.lower() and ">7<" not in out  # no raw NaN, no row index
    assert "not estimable or not shown" in out
    assert out == table_html(frame, "Dropout (%)", {"programme": Column("Programme", None),
                                                    "pct": Column("Dropout (%)", 1), "n": Column("Students", 0)})


def test_unknown_column_and_language_are_refused():
    frame = pd.DataFrame({"a": [1.0]})
    with pytest.raises(KeyError, match="no column 'b'"):
        table_html(frame, "t", {"b": "B"})
    with pytest.raises(ValueError, match="language"):
        table_html(frame, "t", language="de")


def test_labels_map_codes_to_words_and_leave_unknown_codes():
    from sosu_analysis.reporting.tables import DEFINITION_EN

    col = Column("Definition", None, labels=DEFINITION_EN)
    # the labels are the vocabulary's (definitions.OUTCOMES), not typed here
    assert format_cell("incl_switch", col) == "incl. switching"
    assert format_cell("other", col) == "other"


def test_p_values_below_the_floor_are_shown_as_less_than():
    col = Column("p", 3, floor=0.001)
    assert format_cell(6.99e-20, col) == "< 0.001"
    assert format_cell(6.99e-20, col, "da") == "< 0,001"
    assert format_cell(0.0121, col) == "0.012"
    assert format_cell(0.001, col) == "0.001"
