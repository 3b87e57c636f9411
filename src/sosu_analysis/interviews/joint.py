"""The joint display (Fetters, Curry & Creswell 2013): per plan criterion, the survey beside the interviews.

One row per criterion of the codebook (and per survey index no criterion
speaks to). On the survey side: chapter 09's contrast *pilot vs
comparison* on the criterion's survey measure, an index or a single item
(score 0-100, intakes from the pilot start; read from its contracted table ``survey_contrasts``, never
recomputed), with its confidence interval and randomization p-value. On
the interview side: the interviews of intakes from the pilot start
(period ``post``) at pilot and comparison campuses, how many speak to the
criterion and with which valence, its themes, and the first quote.

When each speaks, and whether they agree (a mechanical reading, stated
here; the interpretation stays the researcher's):

- The survey *speaks* when the confidence interval of the contrast excludes
  0; its direction is the sign of the estimate.
- The interviews *speak* when both groups have interviews from the pilot
  start, at least one of them touches the criterion, and the valence
  balance differs: with ``b_g = (n_positive_g - n_negative_g) / N_g`` for
  group ``g`` (``N_g`` its interviews), they speak when
  ``|b_pilot - b_comparison| >= 1 / min(N_pilot, N_comparison)`` (at least
  the difference one interview of the smaller group makes), in the
  direction ``sign(b_pilot - b_comparison)``.
- The quote is the criterion's first: one from intakes from the pilot
  start first, then a marked one, then a theme's first quote before a
  second, then codebook order.
- ``agree`` when both speak in the same direction, ``disagree`` when in
  opposite directions, ``only_survey`` / ``only_interviews`` when one
  speaks, ``neither`` when none does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .themes import theme_counts

AGREEMENT = ("agree", "disagree", "only_survey", "only_interviews", "neither")
JOINT_COLUMNS = ("criterion", "survey_measure", "survey_estimate", "survey_ci_low", "survey_ci_high", "survey_df",
                 "survey_p_ri", "survey_min_p_ri", "survey_direction", "survey_speaks", "themes",
                 "n_interviews_pilot", "n_total_pilot", "n_positive_pilot", "n_negative_pilot",
                 "n_interviews_comparison", "n_total_comparison", "n_positive_comparison",
                 "n_negative_comparison", "interview_direction", "interviews_speak", "agreement", "quote",
                 "quote_group", "quote_campus")
#: the survey contrast the joint display reads (survey_contrasts' key columns)
SURVEY_CONTRAST = {"metric": "score", "contrast": "pilot_vs_comparison"}


def agreement(survey_direction: int | None, interview_direction: int | None) -> str:
    """Classify a criterion: ``agree``, ``disagree``, ``only_survey``, ``only_interviews`` or ``neither``.

    A direction is -1, 1, or 0/``None`` for "does not speak".
    """
    s = int(np.sign(survey_direction or 0))
    i = int(np.sign(interview_direction or 0))
    if s and i:
        return "agree" if s == i else "disagree"
    if s:
        return "only_survey"
    if i:
        return "only_interviews"
    return "neither"


def _survey_row(contrasts: pd.DataFrame | None, measure: str) -> pd.Series | None:
    """Return the contrast of ``measure`` (an index, else an item of that name)."""
    if contrasts is None or not measure:
        return None
    m = contrasts["measure"] == measure
    for k, v in SURVEY_CONTRAST.items():
        m &= contrasts[k] == v
    rows = contrasts[m]
    if len(rows) > 1:
        rows = rows[rows["kind"] == "index"]
    return rows.iloc[0] if len(rows) == 1 else None


def joint_display(segments: pd.DataFrame, register: pd.DataFrame, codebook: pd.DataFrame,
                  quotes: pd.DataFrame, survey_contrasts: pd.DataFrame | None) -> pd.DataFrame:
    """Build the joint display (see the module docstring for every rule).

    Parameters
    ----------
    segments, register, codebook : pandas.DataFrame
        The interview inputs (register with ``group`` and ``period``).
    quotes : pandas.DataFrame
        From :func:`~sosu_analysis.interviews.quotes.select_quotes` (already masked).
    survey_contrasts : pandas.DataFrame or None
        Chapter 09's contracted table ``survey_contrasts``; ``None`` when
        the survey chapter has not run (then the survey never speaks).

    Returns
    -------
    pandas.DataFrame
        :data:`JOINT_COLUMNS`, one row per criterion, in codebook order, then
        survey indices no criterion names.
    """
    counts = theme_counts(segments, register, unit="criterion", by=("group", "period"), codebook=codebook)
    after = counts[counts["period"] == "post"]
    criteria = list(dict.fromkeys(codebook["criterion"]))
    index_of = {c: i for c, i in zip(codebook["criterion"], codebook["survey_measure"], strict=True) if i}
    linked = set(index_of.values())
    extra = []
    if survey_contrasts is not None:
        m = survey_contrasts["kind"] == "index"
        for k, v in SURVEY_CONTRAST.items():
            m &= survey_contrasts[k] == v
        extra = [i for i in dict.fromkeys(survey_contrasts.loc[m, "measure"]) if i not in linked]
    rows = []
    for criterion in criteria + extra:
        index = index_of.get(criterion, "") if criterion in criteria else criterion
        sv = _survey_row(survey_contrasts, index)
        est = float(sv["estimate"]) if sv is not None else np.nan
        lo = float(sv["ci_low"]) if sv is not None else np.nan
        hi = float(sv["ci_high"]) if sv is not None else np.nan
        s_dir = None if sv is None or not np.isfinite(est) else int(np.sign(est))
        s_speaks = bool(np.isfinite(lo) and np.isfinite(hi) and (lo > 0 or hi < 0))
        side = {}
        for g in ("pilot", "non-pilot"):
            r = after[(after["criterion"] == criterion) & (after["group"] == g)]
            side[g] = (int(r["n_interviews"].sum()), int(r["n_interviews_total"].sum()), int(r["n_positive"].sum()),
                       int(r["n_negative"].sum()))
        i_dir: int | None = None
        (np_, tp, pp, negp), (nc, tc, pc, negc) = side["pilot"], side["non-pilot"]
        if criterion in criteria and tp > 0 and tc > 0 and (np_ + nc) > 0:
            diff = (pp - negp) / tp - (pc - negc) / tc
            i_dir = int(np.sign(diff)) if abs(diff) >= 1 / min(tp, tc) - 1e-12 else 0
        i_speaks = bool(i_dir)
        themes = "; ".join(dict.fromkeys(codebook.loc[codebook["criterion"] == criterion, "theme"]))
        # the criterion's quote: from the compared intakes first, a marked one first, rank 1 before rank 2,
        # then the codebook's theme order
        q = quotes[quotes["criterion"] == criterion]
        theme_rank = {t: i for i, t in enumerate(dict.fromkeys(codebook["theme"]))}
        q = q.assign(_p=(q["period"] != "post").astype(int), _m=(q["rule"] != "marked").astype(int),
                     _t=q["theme"].map(theme_rank)).sort_values(["_p", "_m", "rank", "_t"], kind="mergesort")
        rows.append((criterion, index, est, lo, hi,
                     float(sv["df"]) if sv is not None else np.nan,
                     float(sv["p_ri"]) if sv is not None else np.nan,
                     float(sv["min_p_ri"]) if sv is not None else np.nan,
                     s_dir if s_dir is not None else pd.NA, s_speaks, themes,
                     np_, tp, pp, negp, nc, tc, pc, negc,
                     i_dir if i_dir is not None else pd.NA, i_speaks,
                     agreement(s_dir if s_speaks else None, i_dir),
                     q["quote"].iloc[0] if len(q) else "", q["group"].iloc[0] if len(q) else "",
                     q["campus"].iloc[0] if len(q) else ""))
    out = pd.DataFrame.from_records(rows, columns=list(JOINT_COLUMNS))
    for c in ("survey_direction", "interview_direction"):
        out[c] = out[c].astype("Int64")
    return out
