r"""Scoring: the ETU 0-100 scale, reverse coding, indices, and the design columns.

Notes
-----
An answer ``a`` in 1..5 of an item with positive direction is first turned
into the *scored* answer ``s = a`` (``s = 6 - a`` for a reverse-coded item),
then onto the scale of the Elevtrivselsundersøgelse (ETU; seed 003 §2, "0 er
det mest negative og 100 er det mest positive"):

.. math::

    \text{score} = \frac{s - 1}{4} \times 100 \in \{0, 25, 50, 75, 100\}.

A respondent *agrees* (positive answer) when ``s >= 4``: for an ordinary item
this is "enig" or "helt enig" (4-5), for a reverse-coded item "uenig" or
"helt uenig" (1-2) with the negative statement.

An index is, per respondent and wave, the mean score of the index's items the
respondent answered, provided at least half of them (rounded up) were
answered; otherwise the index is missing. A respondent agrees on an index
when the index score is at least 75 (mean scored answer at least 4).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .items import index_members

#: columns that identify a respondent's answers to one measure in one wave
KEYS = ("respondent_id", "programme", "campus", "intake", "wave", "intervention")
AGREE_AT = 4
INDEX_AGREE_SCORE = 75.0


def to_0_100(answer):
    """ETU 0-100 scale: ``(answer - 1) / 4 * 100`` (1 -> 0, 3 -> 50, 5 -> 100)."""
    return (np.asarray(answer, dtype=float) - 1.0) / 4.0 * 100.0


def scored_answer(answer, reverse) -> np.ndarray:
    """Return the answer in the positive direction: ``6 - answer`` where ``reverse`` is true."""
    a = np.asarray(answer, dtype=float)
    return np.where(np.asarray(reverse, dtype=bool), 6.0 - a, a)


def score_items(survey: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Item scores: one row per answered respondent × wave × item.

    Parameters
    ----------
    survey : pandas.DataFrame
        From :func:`~sosu_analysis.survey.reader.read_survey`.
    items : pandas.DataFrame
        The item table.

    Returns
    -------
    pandas.DataFrame
        :data:`KEYS`, ``measure`` (the item id), ``kind`` = ``"item"``,
        ``index`` (the item's index), ``score`` (0-100) and ``agree`` (0/1).
        Unanswered items (blank answer) are left out.
    """
    answered = survey[survey["answer"].notna()].copy()
    info = items.set_index("item")
    missing = sorted(set(answered["item"]) - set(info.index))
    if missing:
        raise ValueError(f"items not in the item table: {', '.join(missing)}")
    reverse = answered["item"].map(info["reverse"]).to_numpy(bool)
    s = scored_answer(answered["answer"].to_numpy(float), reverse)
    out = answered[list(KEYS)].copy()
    out["measure"] = answered["item"].to_numpy()
    out["kind"] = "item"
    out["index"] = answered["item"].map(info["index"]).to_numpy()
    out["score"] = to_0_100(s)
    out["agree"] = (s >= AGREE_AT).astype(np.int64)
    return out.reset_index(drop=True)


def score_indices(item_scores: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Index scores from item scores (see module Notes), same columns with ``kind = "index"``."""
    members = index_members(items)
    frames = []
    for ix, its in members.items():
        need = math.ceil(len(its) / 2)
        sub = item_scores[item_scores["measure"].isin(its)]
        if sub.empty:
            continue
        g = sub.groupby(list(KEYS), sort=True, dropna=False)["score"].agg(["mean", "count"]).reset_index()
        g = g[g["count"] >= need]
        out = g[list(KEYS)].copy()
        out["measure"] = ix
        out["kind"] = "index"
        out["index"] = ix
        out["score"] = g["mean"].to_numpy(float)
        out["agree"] = (g["mean"].to_numpy(float) >= INDEX_AGREE_SCORE - 1e-9).astype(np.int64)
        frames.append(out)
    if not frames:
        return item_scores.iloc[0:0].copy()
    return pd.concat(frames, ignore_index=True)


def respondent_scores(survey: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Item and index scores together (items first, then indices)."""
    it = score_items(survey, items)
    return pd.concat([it, score_indices(it, items)], ignore_index=True)


def add_design(scores: pd.DataFrame, campuses: pd.DataFrame) -> pd.DataFrame:
    """Add ``pilot`` (0/1), ``group`` (``pilot``/``comparison``) and ``period`` (``før``/``efter``).

    ``period`` compares the respondent's intake with the campus's
    ``pilot_start``; at comparison campuses with the earliest pilot start of
    the campus table (the common start the campus comparison uses), so that
    "before" means the same calendar intakes at both kinds of campus.
    """
    starts = {c: s for c, p, s in zip(campuses["campus"], campuses["pilot"], campuses["pilot_start"], strict=True) if p}
    if not starts:
        raise ValueError("the campus table has no pilot campus, so pilot and comparison cannot be told apart")
    common = min(starts.values())
    out = scores.copy()
    out["pilot"] = out["campus"].isin(list(starts)).astype(np.int64)
    out["group"] = np.where(out["pilot"] == 1, "pilot", "non-pilot")
    start = out["campus"].map(starts).fillna(common)
    out["period"] = np.where(out["intake"].to_numpy(str) >= start.to_numpy(str), "post", "pre")
    return out
