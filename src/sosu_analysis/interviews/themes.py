"""Themes by campus group and period (or wave): counts of interviews, never of segments, never a percentage.

One talkative group must not outweigh the others, so a theme is counted once
per interview in which any of its codes occurs, however many segments it
has. Each row also carries the number of interviews held in its cell (the
denominator a reader needs: "4 af 6 interviews"), the number of campuses
where the theme occurs, and in how many interviews a positive, negative or
mixed code of the theme occurs (an interview can count under more than one
valence). No share is computed: with a handful of interviews a percentage
invites a significance reading the material cannot bear.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ..definitions import CAMPUS_GROUPS, PERIODS
from .codebook import VALENCES

#: group order of every table (pilot first, as in the survey chapter)
GROUP_ORDER = CAMPUS_GROUPS  # the one code set of campus groups and periods (definitions)
PERIOD_ORDER = PERIODS
COUNT_COLUMNS = ("n_interviews", "n_interviews_total", "n_campuses", "n_campuses_total", "n_positive",
                 "n_negative", "n_mixed")


def _order(frame: pd.DataFrame, columns: Sequence[str],
           first_seen: Mapping[str, Sequence] | None = None) -> pd.DataFrame:
    """Sort rows: pilot before non-pilot, pre before post, other columns in ``first_seen`` order (else as text)."""
    ranks: dict[str, dict[Any, int]] = {"group": {g: i for i, g in enumerate(GROUP_ORDER)},
                                        "period": {p: i for i, p in enumerate(PERIOD_ORDER)}}
    for c, values in (first_seen or {}).items():
        ranks[c] = {v: i for i, v in enumerate(dict.fromkeys(values))}
    keys = [frame[c].map(ranks[c]) if c in ranks else frame[c] for c in columns]
    order = pd.DataFrame({f"k{i}": k for i, k in enumerate(keys)}).sort_values(
        [f"k{i}" for i in range(len(keys))], kind="mergesort").index
    return frame.loc[order].reset_index(drop=True)


def theme_counts(segments: pd.DataFrame, register: pd.DataFrame, unit: str = "theme",
                 by: Sequence[str] = ("group", "period"), codebook: pd.DataFrame | None = None) -> pd.DataFrame:
    """Count, per ``unit`` (theme or criterion) and cell of ``by``, the interviews in which it occurs.

    Parameters
    ----------
    segments : pandas.DataFrame
        From :func:`~sosu_analysis.interviews.qda.read_export`.
    register : pandas.DataFrame
        From :func:`~sosu_analysis.interviews.register.read_register` with a
        campus table (it has ``group`` and ``period``).
    unit : {"theme", "criterion"}
        What is counted.
    by : sequence of str
        Register columns of the cells (``group``, ``period``, ``wave``).
    codebook : pandas.DataFrame, optional
        When given, every theme (criterion) of the codebook gets rows, also
        one that no interview touched (0 of N), in codebook order.

    Returns
    -------
    pandas.DataFrame
        ``criterion`` (and ``theme`` when ``unit == "theme"``), the ``by``
        columns and :data:`COUNT_COLUMNS`, one row per unit × cell of the
        register (cells without interviews are not listed).
    """
    if unit not in ("theme", "criterion"):
        raise ValueError(f"unit must be 'theme' or 'criterion', got {unit!r}")
    by = list(by)
    labels = ["criterion", "theme"] if unit == "theme" else ["criterion"]
    source = codebook if codebook is not None else segments
    units = source[labels].drop_duplicates()
    cells = register.groupby(by, sort=False).agg(n_interviews_total=("interview_id", "nunique"),
                                                 n_campuses_total=("campus", "nunique")).reset_index()
    seg = segments.merge(register[["interview_id", "campus", *by]], on="interview_id", how="left")
    hits = seg.groupby(labels + by, sort=False).agg(n_interviews=("interview_id", "nunique"),
                                                   n_campuses=("campus", "nunique")).reset_index()
    for v in VALENCES:
        part = seg[seg["valence"] == v].groupby(labels + by, sort=False)["interview_id"].nunique()
        hits = hits.merge(part.rename(f"n_{v}").reset_index(), on=labels + by, how="left")
    grid = units.merge(cells, how="cross")
    out = grid.merge(hits, on=labels + by, how="left")
    for c in COUNT_COLUMNS:
        out[c] = out[c].fillna(0).astype("int64")
    out = out[[*labels, *by, *COUNT_COLUMNS]]
    # criteria and themes in codebook order, waves in the register's order
    first_seen = {c: list(units[c]) for c in labels}
    first_seen.update({c: list(register[c]) for c in by if c not in ("group", "period")})
    return _order(out, [*labels, *by], first_seen)
