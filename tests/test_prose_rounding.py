"""English prose and tables round a number the same way, half up (issue 17, item 3).

Before, English sentences used f-strings (round half to even: ``f"{2.25:.1f}" == "2.2"``) while the
tables beside them round half up ("2.3"). The references are worked by hand: 2.25 -> 2.3, 0.125 -> 0.13,
0.0125 -> 0.013, -2.25 -> −2.3 (half up away from zero, as the ministry rounds its published shares).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sosu_analysis.danish import number, number_en
from sosu_analysis.reporting.tables import Column, format_cell

TIES = [(2.25, 1, "2.3"), (0.125, 2, "0.13"), (0.0125, 3, "0.013"), (-2.25, 1, "−2.3"), (1171.25, 1, "1,171.3"),
        (0.5, 0, "1"), (2.5, 0, "3")]


@pytest.mark.parametrize("x,decimals,want", TIES)
def test_english_prose_and_english_tables_round_ties_half_up(x, decimals, want):
    assert number_en(x, decimals) == want
    assert format_cell(x, Column("x", decimals), "en") == want
    assert number(x, decimals, language="en") == want
    assert number(x, decimals) == want.replace(",", "X").replace(".", ",").replace("X", ".")  # Danish: same digits


def test_fstrings_round_half_to_even_which_is_why_they_are_not_used():
    assert (f"{2.25:.1f}", f"{0.125:.2f}", f"{2.5:.0f}") == ("2.2", "0.12", "2")


def test_missing_and_infinite_values_are_stated_in_english_prose():
    assert number_en(float("nan")) == "n/a" and number_en(np.inf) == "∞" and number_en(-np.inf) == "−∞"
    with pytest.raises(ValueError, match="language"):
        number(1.0, language="de")


def _did_row(**kw) -> dict:
    base = {"outcome_definition": "incl_switch", "estimator": "lpm", "inference": "cr2", "horizon_months": 3,
            "att_pp": 2.25, "se_pp": 1.0, "df": 4.25, "ci_low_pp": -0.125, "ci_high_pp": 4.625,
            "p_value": 0.0125, "n_draws": np.nan, "min_p": np.nan, "n_students": 1000, "n_campuses": 6,
            "n_pilot_campuses": 4, "note": ""}
    return {**base, **kw}


def test_did_sentence_agrees_with_the_did_table_at_ties():
    from sosu_analysis.reporting.did.summary import did_sentences

    table = pd.DataFrame([_did_row()])
    text = did_sentences(table, 3)["incl_switch"]
    assert "+2.3 percentage points" in text  # f-string: +2.2
    assert "CI −0.1 to 4.6 pp" in text  # f-string: -0.1 to 4.6 (4.625 -> 4.62 half-even at 2 places)
    assert "p = 0.013" in text and "df 4.3" in text  # f-string: 0.012, 4.2
    assert format_cell(2.25, Column("ATT (pp)", 1), "en") in text


def test_trend_sentence_rounds_like_its_table():
    from sosu_analysis.models.trend import format_p

    assert format_p(0.0125) == "p = 0.013" and format_p(0.125) == "p = 0.13"  # f-string: 0.012, 0.12
