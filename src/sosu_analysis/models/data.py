"""Checking the cell table that the models take, and the outcome definitions.

The models take the tidy cleaned table (``data/processed/table1_clean.csv``):
one row per programme × year (× any further grouping such as campus or
intake), with the counts

``n_cohort = n_in_progress + n_dropout_total + n_other`` and
``n_dropout_total = n_dropout_switch + n_dropout_noswitch``.

Denominator
-----------
Every binomial model uses the **whole intake** ``n_cohort`` as the number of
trials, as the ministry's published percentages do. Students in a status the
published table does not show (``n_other``: completed or unknown) are counted
as *not dropped out*. Under ``excl_switch`` the switchers are counted as not
dropped out too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..definitions import Outcome, outcome

__all__ = ["COUNT_COLUMNS", "DENOMINATOR", "KNOWN_GROUP_COLUMNS", "check_table", "events_column",
           "resolve_group_cols"]

#: the count columns the models read
COUNT_COLUMNS: tuple[str, ...] = (
    "n_cohort", "n_in_progress", "n_dropout_switch", "n_dropout_noswitch", "n_dropout_total", "n_other",
)
#: the number of trials of every binomial model (the whole intake, as the ministry's percentages)
DENOMINATOR = "n_cohort"
#: further grouping columns used automatically when present with two or more distinct values.
#: Other columns of the processed file (``derived_cells``, ``source_row``, ``n_cohort_max`` ...)
#: are never taken as groupings; pass ``group_cols`` explicitly for any other name.
KNOWN_GROUP_COLUMNS: tuple[str, ...] = ("institution", "campus", "intake")


def events_column(definition: Outcome) -> str:
    """Name the count column holding the dropouts under ``definition``.

    ``incl_switch`` -> ``n_dropout_total``; ``excl_switch`` -> ``n_dropout_noswitch``
    (:data:`sosu_analysis.definitions.OUTCOMES`). An unknown name raises ``ValueError``.
    """
    return outcome(definition).count_column


def resolve_group_cols(table: pd.DataFrame, group_cols: Sequence[str] | None) -> list[str]:
    """Return the extra grouping columns: ``group_cols`` as given, or the known ones present.

    With ``group_cols=None`` the columns of :data:`KNOWN_GROUP_COLUMNS` that are
    present and have at least two distinct values are used.
    """
    if group_cols is None:
        return [c for c in KNOWN_GROUP_COLUMNS if c in table.columns and table[c].nunique(dropna=False) > 1]
    cols = list(group_cols)
    missing = [c for c in cols if c not in table.columns]
    if missing:
        raise ValueError(f"grouping column(s) {missing} not in the table")
    clash = [c for c in cols if c in ("programme", "year") or c in COUNT_COLUMNS]
    if clash:
        raise ValueError(f"{clash} cannot be extra grouping columns")
    return cols


def check_table(table: pd.DataFrame, group_cols: Sequence[str] | None = None) -> pd.DataFrame:
    """Check the cell table and return a clean copy with the columns the models use.

    Parameters
    ----------
    table : DataFrame
        One row per programme × year (× groups): ``programme``, ``year`` and
        the :data:`COUNT_COLUMNS`. Other columns (``pct_*`` ...) are ignored.
    group_cols : sequence of str, optional
        Extra grouping columns; see :func:`resolve_group_cols`.

    Returns
    -------
    DataFrame
        ``programme`` (str), ``year`` (int), the group columns (str) and the
        counts (int64), sorted by programme, year and groups.

    Raises
    ------
    ValueError
        Missing columns, missing or negative or non-whole counts, counts that
        do not add up, duplicate cells, or an empty intake.
    """
    groups = resolve_group_cols(table, group_cols)
    needed = ["programme", "year", *COUNT_COLUMNS]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise ValueError(f"the table lacks column(s) {missing}")
    out = table.loc[:, ["programme", "year", *groups, *COUNT_COLUMNS]].copy()
    problems: list[str] = []
    for col in ("year", *COUNT_COLUMNS):
        values = pd.to_numeric(out[col], errors="coerce")
        if values.isna().any():
            problems.append(f"{col}: missing or non-numeric value(s)")
            continue
        arr = values.to_numpy(dtype=float)
        if not np.all(arr == np.round(arr)):
            problems.append(f"{col}: non-whole value(s)")
        if col != "year" and np.any(arr < 0):
            problems.append(f"{col}: negative value(s)")
        out[col] = np.round(arr).astype("int64")
    if problems:
        raise ValueError("bad cell table: " + "; ".join(problems))
    out["programme"] = out["programme"].astype(str)
    for g in groups:
        out[g] = out[g].astype(str)
    bad_total = out["n_dropout_total"] != out["n_dropout_switch"] + out["n_dropout_noswitch"]
    bad_cohort = out["n_cohort"] != out["n_in_progress"] + out["n_dropout_total"] + out["n_other"]
    keys = ["programme", "year", *groups]
    if bad_total.any():
        problems.append(f"n_dropout_total != n_dropout_switch + n_dropout_noswitch in rows "
                        f"{out.loc[bad_total, keys].to_dict('records')}")
    if bad_cohort.any():
        problems.append(f"n_cohort != n_in_progress + n_dropout_total + n_other in rows "
                        f"{out.loc[bad_cohort, keys].to_dict('records')}")
    if (out["n_cohort"] == 0).any():
        problems.append("cells with n_cohort = 0")
    dup = out.duplicated(keys, keep=False)
    if dup.any():
        problems.append(f"duplicate cells {out.loc[dup, keys].drop_duplicates().to_dict('records')}")
    if problems:
        raise ValueError("bad cell table: " + "; ".join(problems))
    return out.sort_values(keys, kind="stable").reset_index(drop=True)

