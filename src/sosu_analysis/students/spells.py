"""Spells: a student who stops and restarts on the same programme has one row per spell.

The analysis counts each student once per programme, at the first
main-course spell (the intake they belong to): a restart is an outcome of
that first spell (it ended, typically as dropout), not a new student in a
later intake. A restart on *another* programme is a new row for that
programme (and the first spell's exit may be a switch).
"""

from __future__ import annotations

import pandas as pd


def first_spells(extract: pd.DataFrame) -> pd.DataFrame:
    """Keep the first spell (earliest ``start_date``) of each ``student_id`` × ``programme``.

    Parameters
    ----------
    extract : pandas.DataFrame
        From :func:`sosu_analysis.students.read_extract`.

    Returns
    -------
    pandas.DataFrame
        The rows kept, in their original order; ``attrs`` as the input's plus
        ``n_later_spells`` (rows left out).

    Examples
    --------
    >>> e = pd.DataFrame({"student_id": ["a", "a", "b"], "programme": ["SSA", "SSA", "SSA"],
    ...                   "start_date": pd.to_datetime(["2023-08-01", "2022-02-01", "2022-02-01"])})
    >>> first_spells(e)["start_date"].dt.year.tolist()
    [2022, 2022]
    """
    order = extract.sort_values("start_date", kind="mergesort")
    later = order.duplicated(["student_id", "programme"], keep="first")
    out = extract.loc[~later.reindex(extract.index)]
    out.attrs = {**extract.attrs, "n_later_spells": int(later.sum())}
    return out
