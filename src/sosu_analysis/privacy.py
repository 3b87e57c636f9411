"""Small-cell suppression for anything derived from student-level data.

Personal data rule of the project: no table that leaves the analysis may
show a cell of fewer than :data:`MIN_CELL` students. :func:`suppress_small_cells`
blanks such cells and flags the row.

The rule works row by row. A row is suppressed when any of its count columns
holds 1 to ``MIN_CELL - 1`` students; then **all** its counts and the values
that depend on them (rates, percentages) become NA, not only the small one,
because the other counts of the row would give it away (n = 200 and 197 in
progress pins 3 dropouts). A count of 0 does not suppress by default: it shows
no student (pass ``zero_is_small=True`` for the stricter rule). Totals across
rows (a column total next to suppressed rows) can still reveal a suppressed
cell; tables with margins need a second look (secondary suppression is not
automated here).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from pandas.api import types as pdt

from .definitions import MIN_CELL

__all__ = ["MIN_CELL", "small_cell_mask", "suppress_small_cells"]


def _as_list(columns: str | Sequence[str]) -> list[str]:
    return [columns] if isinstance(columns, str) else list(columns)


def small_cell_mask(frame: pd.DataFrame, counts: str | Sequence[str], *, min_cell: int = MIN_CELL,
                    zero_is_small: bool = False) -> pd.Series:
    """Rows with a count below ``min_cell`` (and above 0 unless ``zero_is_small``).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    counts : str or sequence of str
        Count columns (numbers of students). NA counts (already suppressed)
        do not flag a row.
    min_cell : int
        Smallest allowed count (default :data:`MIN_CELL`).
    zero_is_small : bool
        Treat a count of 0 as small too.

    Returns
    -------
    pandas.Series of bool
        Aligned with ``frame``.
    """
    cols = _as_list(counts)
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise KeyError(f"count columns not in the table: {', '.join(missing)}")
    if int(min_cell) < 1:
        raise ValueError(f"min_cell must be at least 1, got {min_cell!r}")
    values = frame[cols].apply(pd.to_numeric, errors="raise")
    low = 0 if zero_is_small else 1
    small = (values >= low) & (values < min_cell)
    return small.fillna(False).astype(bool).any(axis=1)


def _blank(series: pd.Series, mask: pd.Series) -> pd.Series:
    if pdt.is_bool_dtype(series) or pdt.is_integer_dtype(series):
        series = series.astype("Int64" if not pdt.is_bool_dtype(series) else "boolean")
    elif pdt.is_float_dtype(series):
        series = series.astype("Float64")
    return series.mask(mask)


def suppress_small_cells(frame: pd.DataFrame, counts: str | Sequence[str], values: str | Sequence[str] = (), *,
                         min_cell: int = MIN_CELL, flag: str = "suppressed",
                         zero_is_small: bool = False) -> pd.DataFrame:
    """Blank every row with a cell of fewer than ``min_cell`` students.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table derived from student-level data.
    counts : str or sequence of str
        Count columns (numbers of students), e.g. ``["n", "n_dropout_total"]``.
    values : str or sequence of str
        Columns computed from the counts (rates, percentages, CIs), blanked
        with them.
    min_cell : int
        Smallest count that may be shown (default :data:`MIN_CELL` = 5).
    flag : str
        Name of the bool column marking suppressed rows; if it exists
        already, earlier flags are kept.
    zero_is_small : bool
        Treat a count of 0 as small too (default: 0 is shown).

    Returns
    -------
    pandas.DataFrame
        A copy: on flagged rows ``counts`` and ``values`` are NA (integer
        columns become ``Int64``, float columns ``Float64``), and ``flag`` is
        True.

    Examples
    --------
    >>> t = pd.DataFrame({"campus": ["A", "B"], "n": [40, 38], "n_drop": [6, 3]})
    >>> t["rate"] = t["n_drop"] / t["n"]
    >>> suppress_small_cells(t, ["n", "n_drop"], ["rate"])["suppressed"].tolist()
    [False, True]
    """
    value_cols = _as_list(values)
    missing = [c for c in value_cols if c not in frame.columns]
    if missing:
        raise KeyError(f"value columns not in the table: {', '.join(missing)}")
    mask = small_cell_mask(frame, counts, min_cell=min_cell, zero_is_small=zero_is_small)
    out = frame.copy()
    for col in dict.fromkeys(_as_list(counts) + value_cols):
        out[col] = _blank(out[col], mask)
    previous = out[flag].fillna(False).astype(bool) if flag in out.columns else False
    out[flag] = mask | previous
    return out
