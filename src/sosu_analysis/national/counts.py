"""Counts per school × programme × year from a converted answer of the published layout.

Each row is treated as :func:`sosu_analysis.readers.published.clean_published` treats
SOSU H's Table 1 (the same parsers, the same rule for pinned blanks, the same
reconciliation of the intake size from the published shares, via
:func:`~sosu_analysis.readers.published.reconcile_cohort`), but a row that cannot be
resolved is *kept out with its reason* instead of stopping the run: with some 20
schools, a small school's suppressed cell must not block the national picture.

What is never done: a blank is never read as zero. A blank dropout count is
derived only when the row's other counts pin it (*totalt = med omvalg + uden
omvalg*); otherwise that outcome is missing for that row and the row is left out
of every rate under that definition (listed in ``note``).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..danish import parse_count, parse_pct_tenths
from ..definitions import programme_code
from ..errors import InputError, Problem
from ..readers.published import (
    COL_INSTITUTION,
    COL_PROGRAMME,
    COL_YEAR,
    STATUSES,
    count_column,
    reconcile_cohort,
    share_column,
)

COUNT_COLUMNS = ("n_cohort", "n_in_progress", "n_dropout_switch", "n_dropout_noswitch", "n_dropout_total")


def school_counts(layout: pd.DataFrame, file: str = "answer", by: Sequence[str] = ()) -> pd.DataFrame:
    """Count students per institution × programme × year from a published-layout table.

    Parameters
    ----------
    layout
        The converted table (:func:`sosu_analysis.national.convert.convert`), text cells.
    file
        How the table is named in messages.
    by
        Further dimension columns of ``layout`` that identify a row (e.g. ``("Afdeling",)`` for the
        campus-level answer of issue 18); each becomes a column of the result, after ``institution``.

    Returns
    -------
    pandas.DataFrame
        ``institution``, the ``by`` columns, ``programme, year`` and :data:`COUNT_COLUMNS` (``Int64``, missing where not
        published and not pinned), ``n_cohort_max``, ``derived_cells`` and ``note`` (why an outcome is
        missing). Programmes other than PAU, SSA, SSH are left out.

    Raises
    ------
    InputError
        For a value that is not a Danish number or a duplicate institution × programme × year;
        ``row`` is the row of the converted table (header = row 1).
    """
    if COL_INSTITUTION not in layout.columns:
        raise InputError(Problem(file, f"the answer has no '{COL_INSTITUTION}' column: the national comparison "
                                       "needs the institution dimension in the query's mapping"))
    missing = [c for c in by if c not in layout.columns]
    if missing:
        raise InputError(Problem(file, f"the answer has no column {', '.join(map(repr, missing))}: the query's "
                                       "mapping must map a dimension to it"))
    problems: list[Problem] = []
    records = []
    seen: dict[tuple, int] = {}
    for i, raw in enumerate(layout.to_dict("records"), start=2):
        programme = programme_code(raw[COL_PROGRAMME])
        if programme is None:
            continue
        try:
            year = parse_count(str(raw[COL_YEAR]))
        except ValueError as exc:
            problems.append(Problem(file, f"year: {exc}", row=i, column=COL_YEAR))
            continue
        extra = tuple(str(raw[c]) for c in by)
        key = (str(raw[COL_INSTITUTION]), programme, year)
        if key + extra in seen:
            what = "-".join(["institution", *by, "programme", "year"])
            problems.append(Problem(file, f"duplicate {what} {key + extra} (first in row {seen[key + extra]})",
                                    row=i, column=COL_INSTITUTION))
            continue
        seen[key + extra] = i
        counts: dict[str, int | None] = {}
        tenths: dict[str, int | None] = {}
        for k, label in STATUSES:
            c, s = str(raw.get(count_column(label), "")), str(raw.get(share_column(label), ""))
            try:
                counts[k] = parse_count(c) if c.strip() else None
                tenths[k] = parse_pct_tenths(s) if s.strip() else None
            except ValueError as exc:
                problems.append(Problem(file, str(exc), row=i, column=count_column(label)))
                counts[k] = tenths[k] = None
        records.append(_resolve(key, counts, tenths, i) | dict(zip(by, extra, strict=True)))
    if problems:
        raise InputError(problems)
    out = pd.DataFrame.from_records(records, columns=["institution", *by, "programme", "year", *COUNT_COLUMNS,
                                                      "n_cohort_max", "derived_cells", "note", "source_row"])
    for col in (*COUNT_COLUMNS, "n_cohort_max", "year", "source_row"):
        out[col] = out[col].astype("Int64")
    for col in ("institution", *by, "programme", "derived_cells", "note"):
        out[col] = out[col].astype("string")
    return out.sort_values(["institution", *by, "programme", "year"], kind="stable").reset_index(drop=True)


def _resolve(key: tuple[str, str, int], counts: dict[str, int | None], tenths: dict[str, int | None],
             line: int) -> dict[str, object]:
    """Derive a pinned blank, reconcile the intake size; say why an outcome stays missing."""
    institution, programme, year = key
    rec: dict[str, object] = {"institution": institution, "programme": programme, "year": year, "source_row": line,
                              "derived_cells": "", "note": ""}
    s, u, t = counts["dropout_switch"], counts["dropout_noswitch"], counts["dropout_total"]
    derived = []
    if [s, u, t].count(None) == 1:
        if t is None and s is not None and u is not None:
            t = s + u
            derived.append("n_dropout_total")
        elif s is None and t is not None and u is not None:
            s = t - u
            derived.append("n_dropout_switch")
        elif u is None and t is not None and s is not None:
            u = t - s
            derived.append("n_dropout_noswitch")
    notes = []
    if any(v is not None and v < 0 for v in (s, u)):
        notes.append("the total is smaller than one of its parts; dropout counts left out")
        s = u = t = None
    elif s is not None and u is not None and t is not None and t != s + u:
        notes.append(f"the total {t} is not med omvalg {s} + uden omvalg {u}; dropout counts left out")
        s = u = t = None
    rec.update(n_in_progress=counts["in_progress"], n_dropout_switch=s, n_dropout_noswitch=u, n_dropout_total=t)
    n_min = sum(v for v in (counts["in_progress"], t if t is not None else (u if u is not None else None))
                if v is not None)
    shown = (("in_progress", counts["in_progress"]), ("dropout_switch", s), ("dropout_noswitch", u),
             ("dropout_total", t))
    pairs: dict[str, tuple[int, int]] = {k: (c, tk) for k, c in shown
                                         if c is not None and (tk := tenths[k]) is not None
                                         and f"n_{k}" not in derived}
    if counts["in_progress"] is None or not pairs:
        rec.update(n_cohort=None, n_cohort_max=None)
        notes.append("intake size not published (no count with its share)")
    else:
        sizes, _ = reconcile_cohort(pairs, n_min)
        if sizes:
            rec.update(n_cohort=sizes[0], n_cohort_max=sizes[-1])
        else:
            rec.update(n_cohort=None, n_cohort_max=None)
            notes.append("the published shares contradict the counts; row left out")
    for col, label in (("n_dropout_total", "afbrudt totalt"), ("n_dropout_noswitch", "afbrudt uden omvalg")):
        if rec[col] is None and not any("left out" in n for n in notes):
            notes.append(f"{label} not published and not pinned by the other cells")
    rec["derived_cells"] = ";".join(derived)
    rec["note"] = "; ".join(notes)
    return rec
