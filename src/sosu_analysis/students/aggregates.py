"""Campus-level aggregates, and the campus × intake × programme cell table.

A school that may share only aggregates sends one row per programme ×
campus × intake × horizon with the counts by status:

==================== =========================================================
programme            ``SSA``, ``SSH`` or ``PAU``
campus               a campus of the campus table (or an alias)
intake               start month ``YYYY-MM``
horizon_months       months after start at which the statuses are counted
n_in_progress        students still in the programme at the horizon
n_dropout_switch     dropped out with a programme switch (*afbrudt med omvalg*)
n_dropout_noswitch   dropped out without switch (*afbrudt uden omvalg*)
n_other              other statuses (completed, unknown), still in the denominator
==================== =========================================================

The counts must be whole and unsuppressed (a blank is refused: a cell table
with holes cannot feed the models; small cells are suppressed only in what
leaves the analysis, see :mod:`sosu_analysis.privacy`). The intake size (sum
of the four counts) must be the same at every horizon of a cell, and each
exit count may not fall from a shorter horizon to a longer one (statuses are
cumulative). :func:`to_aggregates` writes this format from a student extract
(what a school runs before sending), and :func:`cell_table` turns either
input into the same cell table.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..readers.rawtable import read_raw_table
from ..readers.validation import Kind, register
from ._parse import MONTH_HINT, PROGRAMMES, Columns, Problems, key, parse_count, parse_month, parse_programme
from .campuses import PILOT_PROGRAMMES, as_campuses, campus_lookup, pilot_flags, project_campuses
from .extract import DEFAULT_HORIZON, HORIZONS, STATUSES, derive_columns

COUNT_COLUMNS = tuple(f"n_{s}" for s in STATUSES)
AGGREGATE_COLUMNS = ("programme", "campus", "intake", "horizon_months", *COUNT_COLUMNS)
CELL_KEYS = ("programme", "campus", "intake")
#: columns of :func:`cell_table` (``pilot`` and ``pilot_post`` only with a campus table)
CELL_COLUMNS = (*CELL_KEYS, "year", "horizon_months", "pilot", "pilot_post", "n", *COUNT_COLUMNS,
                "n_dropout_total")


def read_aggregates(path: str | os.PathLike, campuses: pd.DataFrame | str | os.PathLike | None = None,
                    display_name: str | None = None) -> pd.DataFrame:
    """Read and validate campus-level aggregates.

    Parameters
    ----------
    path : path-like
        CSV or XLSX with the columns of :data:`AGGREGATE_COLUMNS`.
    campuses : pandas.DataFrame or path-like, optional
        The campus table; when given every campus must be in it (aliases are
        replaced by the campus name).
    display_name : str, optional
        Name used for the file in messages.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`AGGREGATE_COLUMNS`, counts as ``int64``.

    Raises
    ------
    sosu_analysis.errors.InputError
        Listing every problem with file, row and column: missing columns, an
        empty file, unknown programme or campus, a bad intake month or
        horizon, a blank, negative or fractional count, a repeated cell, an
        intake size that differs between horizons, an exit count that falls
        as the horizon grows.
    """
    campuses = as_campuses(campuses)
    table = read_raw_table(path, display_name)
    problems = Problems(table.file)
    cols = Columns(table, AGGREGATE_COLUMNS, (), problems, "campus aggregates")
    problems.raise_if_any()
    if not table.rows:
        problems.add("the file has a header but no rows", row=1)
    lookup = campus_lookup(campuses) if campuses is not None else None
    name = cols.header_name
    records, lines = [], []
    seen: dict[tuple, int] = {}
    for row, line in zip(table.rows, table.line_numbers, strict=True):
        ok = True
        programme = parse_programme(cols.get(row, "programme"))
        if programme is None:
            problems.add(f"unknown programme '{cols.get(row, 'programme')}'; expected one of {', '.join(PROGRAMMES)}",
                         line, name("programme"))
            ok = False
        campus = cols.get(row, "campus")
        if not campus:
            problems.add("the campus is empty", line, name("campus"))
            ok = False
        elif lookup is not None:
            if key(campus) in lookup:
                campus = lookup[key(campus)]
            else:
                where = campuses.attrs.get("file", "the campus table") if campuses is not None else "the campus table"
                problems.add(f"unknown campus '{campus}'; it is not in {where}", line, name("campus"))
                ok = False
        intake = parse_month(cols.get(row, "intake"))
        if intake is None:
            problems.add(f"{MONTH_HINT}, found '{cols.get(row, 'intake')}'", line, name("intake"))
            ok = False
        horizon = parse_count(cols.get(row, "horizon_months"))
        if not horizon:
            problems.add(f"expected a whole number of months >= 1 (e.g. {', '.join(map(str, HORIZONS))}), "
                         f"found '{cols.get(row, 'horizon_months')}'", line, name("horizon_months"))
            ok = False
        counts = {}
        for c in COUNT_COLUMNS:
            text = cols.get(row, c)
            value = parse_count(text)
            if value is None:
                problems.add("the count is blank; aggregates must be complete (suppress small cells only in "
                             "published output)" if not text else
                             f"expected a whole number >= 0, found '{text}'", line, name(c))
                ok = False
            counts[c] = value
        if not ok:
            continue
        k = (programme, key(campus), intake, horizon)
        if k in seen:
            problems.add(f"the same programme, campus, intake and horizon_months as row {seen[k]}",
                         line, name("intake"))
            continue
        seen[k] = line
        records.append({"programme": programme, "campus": campus, "intake": intake,
                        "horizon_months": horizon, **counts})
        lines.append(line)
    problems.raise_if_any()
    frame = pd.DataFrame(records, columns=list(AGGREGATE_COLUMNS))
    frame[list(COUNT_COLUMNS) + ["horizon_months"]] = frame[list(COUNT_COLUMNS) + ["horizon_months"]].astype(np.int64)
    frame["_line"] = lines
    _check_every_horizon(frame, problems, name)
    _check_across_horizons(frame, problems, name)
    problems.raise_if_any()
    frame = frame.drop(columns="_line")
    frame.attrs["file"] = table.file
    return frame


def _check_every_horizon(frame: pd.DataFrame, problems: Problems, name) -> None:
    """Refuse a cell that lacks a horizon other than because its intake has not reached it yet.

    For each horizon of the file, the intakes counted there must be every
    intake up to the latest one counted there: a cell without a row at ``h``
    whose intake is not after that latest intake (or that has a row at a
    longer horizon) would silently drop out of the analysis at ``h``.
    """
    horizons = sorted(set(int(h) for h in frame["horizon_months"]))
    have: dict[tuple[str, str, str], set[int]] = {}
    first: dict[tuple[str, str, str], int] = {}
    latest: dict[int, str] = {}
    for programme, campus, intake, h, line in zip(frame["programme"], frame["campus"], frame["intake"],
                                                  frame["horizon_months"], frame["_line"], strict=True):
        cell = (programme, key(campus), intake)
        have.setdefault(cell, set()).add(int(h))
        first[cell] = min(first.get(cell, line), line)
        latest[int(h)] = max(latest.get(int(h), intake), intake)
    shown = {(p, key(c), i): c for p, c, i in zip(frame["programme"], frame["campus"], frame["intake"], strict=True)}
    for cell, hs in have.items():
        programme, _, intake = cell
        campus = shown[cell]
        missing = [h for h in horizons if h not in hs and (intake <= latest[h] or max(hs) > h)]
        if missing:
            problems.add(f"{programme} at {campus}, intake {intake} has counts at {', '.join(map(str, sorted(hs)))} "
                         f"months but none at {', '.join(map(str, missing))} months, although later intakes (or "
                         "its own longer horizons) have; a missing row would silently drop the cell there",
                         int(first[cell]), name("horizon_months"))


def _check_across_horizons(frame: pd.DataFrame, problems: Problems, name) -> None:
    """Intake size constant over horizons; exit counts non-decreasing as the horizon grows."""
    exits = [c for c in COUNT_COLUMNS if c != "n_in_progress"]
    for _, cell in frame.sort_values("horizon_months").groupby(list(CELL_KEYS), sort=False):
        if len(cell) < 2:
            continue
        sizes = cell[list(COUNT_COLUMNS)].sum(axis=1).to_numpy()
        prev = cell.iloc[0]
        for i in range(1, len(cell)):
            cur = cell.iloc[i]
            if sizes[i] != sizes[0]:
                first = cell.iloc[0]
                problems.add(f"the intake size (sum of the counts) is {sizes[i]} at {cur['horizon_months']} months "
                             f"but {sizes[0]} at {first['horizon_months']} months (row {first['_line']}); "
                             "it must be the same at every horizon", int(cur["_line"]), None)
            for c in exits:
                if cur[c] < prev[c]:
                    problems.add(f"the count falls from {prev[c]} at {prev['horizon_months']} months (row "
                                 f"{prev['_line']}) to {cur[c]}; statuses are cumulative, so exits cannot decrease "
                                 "with a longer horizon", int(cur["_line"]), name(c))
            prev = cur


def to_aggregates(extract: pd.DataFrame, horizons: tuple[int, ...] = HORIZONS, *, as_of=None) -> pd.DataFrame:
    """Aggregate a student extract into the format of :func:`read_aggregates`.

    Parameters
    ----------
    extract : pandas.DataFrame
        From :func:`~sosu_analysis.students.extract.read_extract`.
    horizons : tuple of int
        Horizons (months) to count at.
    as_of : date-like, optional
        Extract date; intakes whose horizon is after it are left out at that
        horizon (see :func:`~sosu_analysis.students.extract.derive_columns`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`AGGREGATE_COLUMNS`, sorted. Counts are **not**
        suppressed: this is analysis input under a data agreement, not output.
    """
    parts = []
    for h in horizons:
        derived = derive_columns(extract, None, h, as_of=as_of)
        parts.append(_count_cells(derived).assign(horizon_months=int(h)))
    out = pd.concat(parts, ignore_index=True)[list(AGGREGATE_COLUMNS)]
    return out.sort_values(["programme", "campus", "intake", "horizon_months"], ignore_index=True)


def _count_cells(derived: pd.DataFrame) -> pd.DataFrame:
    counts = (derived.groupby(list(CELL_KEYS))["status"].value_counts()
              .unstack("status").reindex(columns=list(STATUSES)).fillna(0).astype(np.int64))
    counts.columns = list(COUNT_COLUMNS)
    return counts.reset_index()


def cell_table(data: pd.DataFrame, campuses: pd.DataFrame | str | os.PathLike | None = None,
               horizon_months: int = DEFAULT_HORIZON, *, as_of=None,
               pilot_programmes: tuple[str, ...] = PILOT_PROGRAMMES) -> pd.DataFrame:
    """Make the campus × intake × programme cell table from a student extract or from aggregates.

    Parameters
    ----------
    data : pandas.DataFrame
        A student extract (:func:`~sosu_analysis.students.extract.read_extract`)
        or aggregates (:func:`read_aggregates`); told apart by their columns.
    campuses : pandas.DataFrame or path-like, optional
        The campus table; adds ``pilot`` and ``pilot_post``.
    horizon_months : int
        The horizon; aggregates must contain it.
    as_of : date-like, optional
        Extract date, for student data only (see
        :func:`~sosu_analysis.students.extract.derive_columns`).
    pilot_programmes : tuple of str
        Programmes the interventions cover (default SSA).

    Returns
    -------
    pandas.DataFrame
        One row per programme × campus × intake with at least one student:
        the columns of :data:`CELL_COLUMNS`, where ``n`` is the whole intake
        (the denominator of both rates), ``n_dropout_total`` =
        ``n_dropout_switch + n_dropout_noswitch``. Counts are not suppressed;
        apply :func:`sosu_analysis.privacy.suppress_small_cells` to anything
        that leaves the analysis.

    Raises
    ------
    ValueError
        ``data`` is neither kind, or aggregates lack the horizon.
    """
    campuses = as_campuses(campuses)
    if "student_id" in data.columns:
        cells = _count_cells(derive_columns(data, campuses, horizon_months, as_of=as_of))
    elif set(AGGREGATE_COLUMNS) <= set(data.columns):
        if as_of is not None:
            raise ValueError("as_of applies to student extracts only; aggregates are counted by the school")
        cells = data.loc[data["horizon_months"] == int(horizon_months), list(CELL_KEYS) + list(COUNT_COLUMNS)]
        if cells.empty:
            have = ", ".join(str(h) for h in sorted(set(data["horizon_months"])))
            raise ValueError(f"the aggregates have no counts at {horizon_months} months (horizons present: {have})")
        if campuses is not None:
            lookup = campus_lookup(campuses)
            canon = cells["campus"].map(lambda c: lookup.get(key(c)))
            unknown = sorted(set(cells.loc[canon.isna(), "campus"]))
            if unknown:
                raise ValueError(f"campuses not in the campus table: {', '.join(unknown)}")
            cells = cells.assign(campus=canon.astype("str"))
    else:
        raise ValueError("expected a student extract (with student_id) or campus aggregates "
                         f"(with {', '.join(AGGREGATE_COLUMNS)})")
    cells = cells.copy()
    cells["n"] = cells[list(COUNT_COLUMNS)].sum(axis=1).astype(np.int64)
    cells = cells.loc[cells["n"] > 0]
    cells["n_dropout_total"] = cells["n_dropout_switch"] + cells["n_dropout_noswitch"]
    cells["year"] = cells["intake"].str.slice(0, 4).astype(np.int64)
    cells["horizon_months"] = int(horizon_months)
    if campuses is not None:
        cells["pilot"], cells["pilot_post"] = pilot_flags(cells["campus"], cells["programme"], cells["intake"],
                                                          campuses, pilot_programmes)
    columns = [c for c in CELL_COLUMNS if c in cells.columns]
    out = cells[columns].sort_values(list(CELL_KEYS), ignore_index=True)
    out.attrs = {k: v for k, v in data.attrs.items() if k in ("file", "synthetic")}
    return out


register(Kind(
    name="campus_aggregates",
    description="campus aggregates: programme, campus, intake, horizon_months, n_in_progress, n_dropout_switch, "
                "n_dropout_noswitch, n_other",
    matches=lambda header: {"n_in_progress", "horizon_months"} <= {key(h) for h in header},
    check=lambda path, file: read_aggregates(Path(path), project_campuses(), file),
    excludes=("student_id",),
))
