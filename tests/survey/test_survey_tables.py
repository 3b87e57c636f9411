"""Privacy rules of the survey tables, response rates and the SPU comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sosu_analysis.survey import tables


def _scores(n_by_group: dict, agree_by_group: dict | None = None) -> pd.DataFrame:
    """Scores of one index 'ix' (items a, b) per group; ``n_by_group[(group, item)]`` respondents answer ``item``."""
    rows = []
    for (group, measure, kind), n in n_by_group.items():
        n_agree = (agree_by_group or {}).get((group, measure), n // 2)
        for i in range(n):
            rows.append({"respondent_id": f"{group}{i}", "group": group, "period": "post", "campus": f"{group}{i % 2}",
                         "intake": "2025-04", "wave": "w", "intervention": "", "measure": measure, "kind": kind,
                         "index": "ix", "score": 75.0 if i < n_agree else 25.0, "agree": int(i < n_agree)})
    return pd.DataFrame(rows)


def test_small_group_blanked_and_item_folded_into_index():
    s = _scores({("pilot", "a", "item"): 20, ("pilot", "b", "item"): 4, ("pilot", "ix", "index"): 20,
                 ("non-pilot", "a", "item"): 3, ("non-pilot", "ix", "index"): 3})
    t = tables.summary_table(s, ["group"]).set_index(["group", "measure"])
    assert t.loc[("pilot", "b"), "suppressed"] and t.loc[("pilot", "b"), "folded"]
    assert t.isna().loc[("pilot", "b"), "score"] and t.isna().loc[("pilot", "b"), "n"]
    assert not t.loc[("pilot", "ix"), "suppressed"] and t.loc[("pilot", "ix"), "n"] == 20
    # a group whose index is small too: blanked, not folded (nothing to fold into)
    assert t.loc[("non-pilot", "a"), "suppressed"] and not t.loc[("non-pilot", "a"), "folded"]
    assert t.isna().loc[("non-pilot", "ix"), "agree_pct"]


def test_share_with_1_to_4_agreeing_is_blanked():
    s = _scores({("pilot", "a", "item"): 30, ("pilot", "b", "item"): 30},
                agree_by_group={("pilot", "a"): 3, ("pilot", "b"): 0})
    t = tables.summary_table(s, ["group"]).set_index("measure")
    assert t.isna().loc["a", "agree_pct"] and t.loc["a", "share_suppressed"]
    assert t.notna().loc["a", "score"]             # the mean does not give the count away
    assert t.loc["b", "agree_pct"] == 0.0             # 0 agreeing shows no one


def test_secondary_suppression():
    t = pd.DataFrame({"part": ["x"] * 3 + ["y"] * 2, "n": [3, 40, 12, 50, 60],
                      "score": [1.0, 2.0, 3.0, 4.0, 5.0], "suppressed": [True, False, False, False, False]})
    out = tables.secondary_suppression(t, ["part"], values=("score",))
    assert out["suppressed"].tolist() == [True, False, True, False, False]   # the 12 goes with the 3
    assert out.isna().loc[2, "score"] and out.loc[2, "secondary"]
    assert out.loc[3, "score"] == 4.0


def test_response_rates_and_warning():
    scores = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(30)] + [f"s{i}" for i in range(6)],
                           "group": ["pilot"] * 30 + ["non-pilot"] * 6,
                           "campus": ["A"] * 30 + ["B"] * 6, "intake": ["2025-04"] * 36, "wave": ["w"] * 36})
    students = pd.DataFrame({"programme": "SSA", "campus": ["A"] * 40 + ["B"] * 20, "intake": "2025-04"})
    r = tables.response_rates(scores, students, "SSA").set_index("campus")
    assert r.loc["A", "response_rate"] == pytest.approx(75.0) and not r.loc["A", "low"]
    assert r.loc["B", "response_rate"] == pytest.approx(30.0) and r.loc["B", "low"]


def test_spu_difference():
    summary = pd.DataFrame({"group": ["pilot"], "period": ["post"], "measure": ["klaedt_paa"], "n": [100],
                            "agree_pct": [55.0], "agree_ci_low": [50.0], "agree_ci_high": [60.0]})
    t = tables.spu_table(summary, "klaedt_paa").set_index("spu_population")
    assert t.loc["kommunal sektor", "diff_pp"] == pytest.approx(3.0)        # 55 - 52 (SPU 2024, seed 003 §3)
    assert t.loc["somatik og psykiatri", "diff_ci_low"] == pytest.approx(1.0)  # 50 - 49
    assert tables.spu_table(summary, None).empty


def test_dropout_association_hides_small_dropout_counts():
    rng = np.random.default_rng(1)
    rows, students = [], []
    for c in ("A", "B", "C"):
        for t, drops in (("2025-04", 3), ("2025-06", 8)):
            for i in range(10):
                rows.append({"respondent_id": f"{c}{t}{i}", "group": "pilot", "campus": c, "intake": t,
                             "measure": "ix", "score": float(rng.integers(0, 5) * 25)})
            students += [{"programme": "SSA", "campus": c, "intake": t, "dropout_total": int(k < drops)}
                         for k in range(40)]
    pts, fit = tables.dropout_association(pd.DataFrame(rows), pd.DataFrame(students), "ix", "SSA")
    assert fit["n_points"] == 6 and fit["G"] == 3
    assert pts.loc[pts["intake"] == "2025-04", "dropout_pct"].isna().all()       # 3 dropouts: not shown
    assert (pts.loc[pts["intake"] == "2025-06", "dropout_pct"] == 20.0).all()


def test_secondary_suppression_protects_two_blanked_rows_whose_sum_is_small():
    """Rows of a partition add up to a total shown elsewhere. Two blanked rows (2 and 2 respondents) are
    recovered together by subtraction (total - shown rows = 4 < 5); the old rule acted only when exactly
    one row was blanked. Reference: the subtraction a reader can do, written out here."""
    from sosu_analysis.survey.tables import secondary_suppression

    t = pd.DataFrame({"wave": ["w"] * 4, "iv": ["a", "b", "c", "d"], "n": [2, 2, 30, 40],
                      "score": [50.0, 60.0, 70.0, 80.0]})
    t["suppressed"] = t["n"] < 5
    t.loc[t["suppressed"], ["n", "score"]] = np.nan
    out = secondary_suppression(t, ["wave"], values=("score",))
    total = 2 + 2 + 30 + 40
    shown = out.loc[~out["suppressed"], "n"].astype(float).sum()
    assert not (0 < total - shown < 5)  # what a reader derives for the blanked rows is no longer small
    assert out["secondary"].sum() == 1 and bool(out.loc[2, "secondary"])  # the next-smallest (30) goes


def test_contrast_counts_of_one_to_four_are_not_shown():
    """Four comparison respondents: the contrast's estimate AND its counts (n_control = 4, and n, from
    which n_control = n - n_treated follows) are blanked."""
    rng = np.random.default_rng(2)
    rows = []
    for campus, pilot, n in (("P1", 1, 20), ("P2", 1, 20), ("C1", 0, 2), ("C2", 0, 2)):
        for _ in range(n):
            s_ = float(rng.uniform(0, 100))
            rows.append({"kind": "index", "index": "x", "measure": "x", "campus": campus, "pilot": pilot,
                         "period": "post", "wave": "w1", "score": s_, "agree": float(s_ >= 75)})
    out = tables.contrast_table(pd.DataFrame(rows))
    assert len(out) and out["suppressed"].all()
    assert out["n_control"].isna().all() and out["n"].isna().all() and out["estimate"].isna().all()
    assert out["n_treated"].isna().all()  # 40 shown beside a blank total would not hide the 4 either way
