"""Privacy guards: message masking, and complementary suppression tested on tables built to defeat it.

Every attack below is a subtraction a reader could do on the published tables
(issue 10): incl. minus excl. switching, a margin minus the other cells, one
horizon minus another, the 2x2 totals minus the event study's shown times.
The check after suppression is independent of the audit: it tries those
subtractions on the table as shown.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from importer_helpers import disclosed_2x2 as _disclosed

from sosu_analysis.errors import Problem
from sosu_analysis.privacy import (
    complementary_suppression,
    derivable_small_sets,
    mask_message,
    protect_event_counts,
    protect_horizon_totals,
    protect_rates_2x2,
    shown_count,
)


@pytest.mark.parametrize("secret", ["010203-1234", "0102031234", "102031234", "010203 1234", "12345678",
                                    "+45 12 34 56 78", "12 34 56 78", "1234 5678", "anna.hansen@elev.example.dk",
                                    "010203/1234", "123456"])
def test_mask_message_hides_identifiers(secret):
    assert secret not in mask_message(f"row 4, column 'X': found '{secret}' here")
    assert "[skjult]" in mask_message(secret)


@pytest.mark.parametrize("plain", ["2025-04-07", "07-04-2025", "row 12, column 'CPR'", "1.171 students", "n = 4 < 5"])
def test_mask_message_keeps_dates_and_small_numbers(plain):
    assert mask_message(plain) == plain


def test_problem_messages_are_masked():
    text = str(Problem("x.csv", "unknown programme '0102031234'", row=3, column="12 34 56 78"))
    assert "0102031234" not in text and "12 34 56 78" not in text and text.startswith("x.csv, row 3")


def test_shown_count():
    assert [shown_count(n) for n in (0, 1, 4, 5, 120)] == ["0", "< 5", "< 5", "5", "120"]


def _rates(cells: dict) -> pd.DataFrame:
    """cells: (group, period) -> (n, dropouts incl. switching, dropouts excl. switching)."""
    rows = []
    for outcome, k in (("incl_switch", 1), ("excl_switch", 2)):
        for (g, p), v in cells.items():
            rows.append({"outcome_definition": outcome, "group": g, "period": p, "n_students": v[0],
                         "n_dropout": v[k], "rate_pct": 100 * v[k] / v[0]})
    return pd.DataFrame(rows)


DEFEATING = {
    "definitions differ by 3 (114 vs 111)": {("pilot", "pre"): (2239, 415, 322), ("pilot", "post"): (792, 114, 111),
                                             ("non-pilot", "pre"): (1553, 201, 165),
                                             ("non-pilot", "post"): (535, 69, 55)},
    "small cell pinned by the margin": {("pilot", "pre"): (300, 40, 30), ("pilot", "post"): (3, 1, 1),
                                        ("non-pilot", "pre"): (250, 30, 25), ("non-pilot", "post"): (120, 15, 12)},
    "complement small (n - dropouts = 2)": {("pilot", "pre"): (300, 40, 30), ("pilot", "post"): (60, 58, 50),
                                            ("non-pilot", "pre"): (250, 30, 25), ("non-pilot", "post"): (120, 15, 12)},
    "a small excl. count and a small difference": {("pilot", "pre"): (300, 40, 36), ("pilot", "post"): (80, 7, 3),
                                                   ("non-pilot", "pre"): (250, 30, 25),
                                                   ("non-pilot", "post"): (120, 15, 12)},
}


@pytest.mark.parametrize("name", list(DEFEATING))
def test_rates_2x2_attacks_fail(name):
    cells = DEFEATING[name]
    raw = _rates(cells)
    total = sum(v[0] for v in cells.values())
    assert _disclosed(raw, total), "the table must be disclosive before suppression (else the test proves nothing)"
    shown = protect_rates_2x2(raw)
    assert _disclosed(shown, total) == []
    assert shown.loc[shown["suppressed"], ["n_dropout", "rate_pct"]].isna().all().all()
    assert (~shown["suppressed"]).sum() >= 2, "suppression must not blank the whole table"


def test_rates_2x2_untouched_when_safe():
    cells = {("pilot", "pre"): (300, 40, 30), ("pilot", "post"): (80, 17, 9),
             ("non-pilot", "pre"): (250, 30, 25), ("non-pilot", "post"): (120, 15, 10)}
    shown = protect_rates_2x2(_rates(cells))
    assert not shown["suppressed"].any()


def test_audit_matches_brute_force_on_random_tables():
    """The rank audit against enumeration of integer combinations with coefficients -1, 0, 1 (small tables)."""
    rng = np.random.default_rng(7)
    for _ in range(40):
        atoms = {f"a{i}": int(v) for i, v in enumerate(rng.choice([0, 1, 2, 3, 6, 9, 20], size=4))}
        names = list(atoms)
        published = {f"q{j}": [a for a in names if rng.random() < 0.5] for j in range(3)}
        published = {k: v for k, v in published.items() if v}
        found = {s for s in derivable_small_sets(published, atoms)}
        brute = set()
        rows = list(published.values())
        for coefs in itertools.product((-1, 0, 1), repeat=len(rows)):
            x = {a: 0 for a in names}
            for c, members in zip(coefs, rows, strict=True):
                for a in members:
                    x[a] += c
            if all(v in (0, 1) for v in x.values()):
                s = frozenset(a for a in names if x[a] == 1)
                if 0 < sum(atoms[a] for a in s) < 5:
                    brute.add(s)
        assert brute <= found  # every combination a reader can form with ±1 is caught


def test_complementary_suppression_refuses_when_public_discloses():
    with pytest.raises(ValueError):
        complementary_suppression({"n": ["a"]}, {"a": 3}, public=["n"])


def test_event_counts_not_derivable_from_totals():
    events = pd.DataFrame({"outcome_definition": ["incl_switch"] * 5 + ["excl_switch"] * 5,
                           "rel_time": [-2, -1, 0, 1, 2] * 2,
                           "n_students_pilot": [200, np.nan, 180, 190, 175] * 2})
    # pre total 203: -1 holds 3 (blank by the primary rule) but 203 - 200 gives it away
    shown = protect_event_counts(events, pre_total=203, post_total=545)
    pre = shown[shown["outcome_definition"] == "incl_switch"].set_index("rel_time")["n_students_pilot"]
    assert pd.isna(pre[-2]) and pd.isna(pre[-1])
    assert pre[0] == 180  # the post side is safe


def test_horizon_totals():
    table = pd.DataFrame({"estimator": ["lpm"] * 3 + ["triple_diff"] * 3, "horizon_months": [3, 6, 12] * 2,
                          "n_students": [500, 497, 450, 900, 880, 870]})
    shown = protect_horizon_totals(table)
    assert shown["n_students"].isna().tolist() == [False, True, False, False, False, False]
