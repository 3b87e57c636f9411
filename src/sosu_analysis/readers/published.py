"""The ministry's published table: read, reconcile, validate, tidy.

The layout is that of an export from uddannelsesstatistik.dk (topic page 154)
as transcribed from Table 1 of seed 003: one row per programme × year, and for
each status a share and a count in Danish formats::

    Institution;Uddannelse;År;I gang (andel);I gang (antal);Afbrudt med omvalg (andel);...

What the reader does, in order (see :func:`clean_published`):

1. **Parse** Danish counts (``1.171``) and percentages (``97,2 %``); a blank
   cell is *suppressed* (not zero).
2. **Derive pinned blanks.** The counts obey ``totalt = med omvalg + uden
   omvalg``; when exactly one of the three is blank, the other two pin it, so it
   is derived and flagged in ``derived_cells`` (PAU: ``med omvalg`` = 0).
3. **Reconcile the intake size.** The published shares use the whole intake
   as denominator, and it can hold students in a status the table does not
   show (completed, unknown). The intake size ``n_cohort`` is the smallest
   whole number, at least the sum of the counts shown, for which every
   published share equals its count / ``n_cohort`` rounded half up to one
   decimal. Students not shown are kept as ``n_other``. When several sizes fit
   (SSA 2024: 1.327 and 1.328), the smallest is used and the largest is kept
   in ``n_cohort_max``.
4. **Validate**: known programmes, no duplicate programme-year, counts that are
   whole and non-negative, a total that is the sum of its parts, and every
   published percentage reproduced at one decimal. All problems are reported
   at once, each with file, row and column.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..danish import parse_count, parse_pct_tenths, round_half_up_tenths
from ..definitions import PROGRAMMES as SPECS
from ..definitions import STATUSES, TABLE1_ORDER, programme_code, text_key
from ..errors import InputError, Problem
from .rawtable import RawTable, read_raw_table
from .validation import Kind, register

#: programme codes and the names the statistics site and the seed use for them (sosu_analysis.definitions)
PROGRAMMES: dict[str, tuple[str, ...]] = {
    code: (SPECS[code].name_da, *SPECS[code].aliases, code.lower()) for code in TABLE1_ORDER}


#: earliest plausible year of a published row (uddannelsesstatistik.dk's series start later)
MIN_YEAR = 2000

COL_PROGRAMME = "Uddannelse"
COL_YEAR = "År"
COL_INSTITUTION = "Institution"


def share_column(label: str) -> str:
    """Return the header of a status's share column, e.g. ``I gang (andel)``."""
    return f"{label} (andel)"


def count_column(label: str) -> str:
    """Return the header of a status's count column, e.g. ``I gang (antal)``."""
    return f"{label} (antal)"


REQUIRED_COLUMNS: tuple[str, ...] = (COL_PROGRAMME, COL_YEAR) + tuple(
    c for _, label in STATUSES for c in (share_column(label), count_column(label))
)

#: columns of the tidy table (``tables/table1.csv``); percent 0-100, unrounded
TABLE1_COLUMNS: tuple[str, ...] = (
    "programme", "year", "n_cohort",
    "n_in_progress", "n_dropout_switch", "n_dropout_noswitch", "n_dropout_total", "n_other",
    "pct_in_progress", "pct_dropout_switch", "pct_dropout_noswitch", "pct_dropout_total",
)

#: further columns of the processed file (``data/processed/table1_clean.csv``)
PROCESSED_EXTRA_COLUMNS: tuple[str, ...] = (
    "institution",
    "published_pct_in_progress", "published_pct_dropout_switch",
    "published_pct_dropout_noswitch", "published_pct_dropout_total",
    "n_cohort_max", "derived_cells", "source_row",
)


def _header_index(header: list[str]) -> dict[str, int]:
    """Map normalised required column names to their position in ``header``."""
    return {text_key(h): i for i, h in enumerate(header)}


def matches_header(header: list[str]) -> bool:
    """Tell whether the header looks like the published table (programme + a status column)."""
    names = {text_key(h) for h in header}
    return text_key(COL_PROGRAMME) in names and any(
        text_key(share_column(lab)) in names or text_key(count_column(lab)) in names for _, lab in STATUSES)


@dataclass
class _Cell:
    count: int | None = None
    tenths: int | None = None  # published percentage in tenths, None when blank
    derived: bool = False


@dataclass
class _Row:
    line: int
    institution: str
    programme: str
    year: int
    cells: dict[str, _Cell] = field(default_factory=dict)
    #: the reconciled intake size and the largest consistent one (set by ``_check_row``)
    n_cohort: int = 0
    n_cohort_max: int = 0


def _feasible_interval(count: int, tenths: int, n_min: int) -> tuple[int, float]:
    """Return the intake sizes ``n >= n_min`` for which round_half_up(1000*count/n) == tenths, as ``(lo, hi)``.

    Half-up rounding gives ``tenths - 0.5 <= 1000*count/n < tenths + 0.5``,
    i.e. ``(2*tenths - 1) * n <= 2000*count < (2*tenths + 1) * n``, so
    ``lo = 2000*count // (2*tenths + 1) + 1`` and ``hi = 2000*count // (2*tenths - 1)``
    (``inf`` when ``tenths = 0``), in exact integer arithmetic: no scan, no float
    rounding, milliseconds for any count. Empty when ``lo > hi``.
    """
    if count == 0:
        # 0/n is 0,0 % for every n; a published share above 0 can then never match.
        return (n_min, math.inf) if tenths == 0 else (n_min, -1)
    lo = 2000 * count // (2 * tenths + 1) + 1
    hi: float = math.inf if tenths == 0 else 2000 * count // (2 * tenths - 1)
    return max(lo, n_min), hi


def reconcile_cohort(pairs: dict[str, tuple[int, int]], n_min: int) -> tuple[range, list[str]]:
    """All intake sizes consistent with the published (count, tenths) ``pairs``.

    Returns ``(sizes, culprits)``: the consistent sizes (an ascending
    ``range``, empty if none), and when there are none, the keys of the pairs
    whose removal would make the rest consistent (the cells that contradict
    the others), or all keys whose own interval is empty.

    Notes
    -----
    Each pair's feasible sizes form one interval (:func:`_feasible_interval`),
    so the consistent sizes are the intersection of the intervals: computed
    in constant time per pair. With no upper bound (every share 0,0 %), only
    the smallest size can be named.
    """
    if not pairs:
        return (range(n_min, n_min + 1) if n_min > 0 else range(0)), []

    def feasible(keys: list[str]) -> range:
        lo, hi = n_min, math.inf
        for k in keys:
            a, b = _feasible_interval(*pairs[k], n_min)
            lo, hi = max(lo, a), min(hi, b)
        if lo > hi:
            return range(0)
        if hi == math.inf:
            hi = lo  # no share bounds n from above: the smallest size is the only one we can name
        return range(lo, int(hi) + 1)

    keys = list(pairs)
    sizes = feasible(keys)
    if sizes:
        return sizes, []
    alone_bad = [k for k in keys if not feasible([k])]
    if alone_bad:
        return range(0), alone_bad
    culprits = [k for k in keys if feasible([j for j in keys if j != k])]
    return range(0), culprits or keys


def _parse_rows(table: RawTable) -> tuple[list[_Row], list[Problem]]:
    file = table.file
    idx = _header_index(table.header)
    problems: list[Problem] = []
    missing = [c for c in REQUIRED_COLUMNS if text_key(c) not in idx]
    if len(missing) == len(REQUIRED_COLUMNS):
        return [], [Problem(file, "is not a table of the published layout: the first line has none of the "
                                  f"expected columns ({', '.join(REQUIRED_COLUMNS)})", row=1)]
    if missing:
        return [], [Problem(file, f"missing column '{c}' (the published-table layout needs: "
                                  f"{', '.join(REQUIRED_COLUMNS)})", row=1, column=c) for c in missing]
    hdr = {c: table.header[idx[text_key(c)]] for c in REQUIRED_COLUMNS}
    inst_i = idx.get(text_key(COL_INSTITUTION))
    if not table.rows:
        return [], [Problem(file, "the table has a header but no data rows")]

    rows: list[_Row] = []
    seen: dict[tuple[str, int], int] = {}
    for raw, line in zip(table.rows, table.line_numbers, strict=True):
        def get(col: str, raw: list[str] = raw) -> str:
            return raw[idx[text_key(col)]]

        row_problems: list[Problem] = []
        name = get(COL_PROGRAMME)
        programme = programme_code(name)
        if programme is None:
            row_problems.append(Problem(file, f"unknown programme '{name}'; known: "
                                              + ", ".join(f"{c} ({n[0]})" for c, n in PROGRAMMES.items()),
                                        row=line, column=hdr[COL_PROGRAMME]))
        year_text = get(COL_YEAR)
        year = None
        try:
            year = parse_count(year_text)
            this_year = dt.date.today().year
            if not MIN_YEAR <= year <= this_year:
                raise ValueError(f"'{year_text}' is not a plausible year (expected {MIN_YEAR}-{this_year}: a "
                                 "published year cannot lie in the future)")
        except ValueError as exc:
            row_problems.append(Problem(file, f"year: {exc}", row=line, column=hdr[COL_YEAR]))
            year = None

        cells: dict[str, _Cell] = {}
        for key, label in STATUSES:
            cell = _Cell()
            c_text, s_text = get(count_column(label)), get(share_column(label))
            if c_text != "":
                try:
                    cell.count = parse_count(c_text)
                except ValueError as exc:
                    if c_text.lstrip().startswith("-"):
                        row_problems.append(Problem(file, f"negative count '{c_text}'; counts cannot be below 0",
                                                    row=line, column=hdr[count_column(label)]))
                    else:
                        row_problems.append(Problem(file, f"count is not a number: {exc}",
                                                    row=line, column=hdr[count_column(label)]))
                else:
                    if cell.count < 0:
                        row_problems.append(Problem(file, f"negative count '{c_text}'; counts cannot be below 0",
                                                    row=line, column=hdr[count_column(label)]))
                        cell.count = None
            if s_text != "":
                try:
                    cell.tenths = parse_pct_tenths(s_text)
                    if not 0 <= cell.tenths <= 1000:
                        raise ValueError(f"'{s_text}' is outside 0-100 %")
                except ValueError as exc:
                    row_problems.append(Problem(file, f"share is not a valid percentage: {exc}",
                                                row=line, column=hdr[share_column(label)]))
                    cell.tenths = None
            cells[key] = cell

        if programme is not None and year is not None:
            first = seen.get((programme, year))
            if first is not None:
                row_problems.append(Problem(file, f"duplicate programme-year {programme} {year} "
                                                  f"(first given in row {first})",
                                            row=line, column=hdr[COL_PROGRAMME]))
            else:
                seen[(programme, year)] = line
        problems.extend(row_problems)
        if not row_problems and programme is not None and year is not None:
            rows.append(_Row(line=line, institution=raw[inst_i] if inst_i is not None else "",
                             programme=programme, year=year, cells=cells))
    return rows, problems


def _n(cell: _Cell) -> int:
    """Return a cell's count where the caller has made sure it is not blank."""
    assert cell.count is not None
    return cell.count


#: largest plausible intake of one programme and year at one school (the plausibility ceiling of a row).
#: SOSU H, the largest SOSU school, takes about 1.300 SSA students a year (seed 003, Table 1: 1.095 in
#: progress and 231 dropouts in 2024); all of Denmark's SOSU schools together take fewer than 10.000 SSA
#: students a year. 20.000 leaves room for any real school and refuses a count of 100.000 (a typo, or
#: a misplaced thousands separator) together with a share that would make it fit.
MAX_INTAKE = 20_000


def _check_row(row: _Row, file: str, hdr_count: dict[str, str], hdr_share: dict[str, str]) -> list[Problem]:
    """Derive pinned blanks, check the sum, reconcile the intake size. Mutates ``row``."""
    c = row.cells
    too_big = [Problem(file, f"the count is larger than {MAX_INTAKE} students, the plausibility "
                             "ceiling of one programme's yearly intake at one school (see docs/decisions.md)",
                       row=row.line, column=hdr_count[k])
               for k, cell in c.items() if cell.count is not None and cell.count > MAX_INTAKE]
    if too_big:
        return too_big
    s, u, t = c["dropout_switch"], c["dropout_noswitch"], c["dropout_total"]
    known = [x for x in (s, u, t) if x.count is not None]
    if c["in_progress"].count is None:
        return [Problem(file, "the count of students in progress is blank; the analysis needs it",
                        row=row.line, column=hdr_count["in_progress"])]
    if len(known) < 2:
        blank = [k for k in ("dropout_switch", "dropout_noswitch", "dropout_total") if c[k].count is None]
        return [Problem(file, "blank dropout count that the row's other cells do not pin (only one of med omvalg, "
                              "uden omvalg and totalt may be blank); the analysis needs it",
                        row=row.line, column=hdr_count[k]) for k in blank]
    if len(known) == 3 and _n(t) != _n(s) + _n(u):
        return [Problem(file, f"the total {t.count} is not the sum of its parts: med omvalg {s.count} + "
                              f"uden omvalg {u.count} = {_n(s) + _n(u)}",
                        row=row.line, column=hdr_count["dropout_total"])]
    if len(known) == 2:
        if t.count is None:
            t.count, t.derived = _n(s) + _n(u), True
        elif s.count is None:
            s.count, s.derived = _n(t) - _n(u), True
        else:
            u.count, u.derived = _n(t) - _n(s), True
        for key in ("dropout_switch", "dropout_noswitch"):
            if (v := c[key].count) is not None and v < 0:
                return [Problem(file, f"the total {t.count} is smaller than one of its parts, so the blank "
                                      f"cell would be negative", row=row.line, column=hdr_count["dropout_total"])]

    n_min = _n(c["in_progress"]) + _n(t)
    if n_min == 0:
        return [Problem(file, "the row has no students (all counts are 0)", row=row.line,
                        column=hdr_count["in_progress"])]
    pairs = {k: (_n(cell), cell.tenths) for k, cell in c.items()
             if cell.count is not None and cell.tenths is not None and not cell.derived}
    sizes, culprits = reconcile_cohort(pairs, n_min)
    if not sizes:
        probs = []
        for k in culprits:
            cnt, ten = pairs[k]
            probs.append(Problem(file, f"the share {ten / 10:.1f} % contradicts its count {cnt}: no intake size "
                                       f"of at least {n_min} (the counts shown) gives this share together with "
                                       f"the row's other shares", row=row.line, column=hdr_share[k]))
        return probs
    if sizes[0] > MAX_INTAKE:
        return [Problem(file, f"the counts and shares imply an intake of at least {sizes[0]} students, more than "
                              f"{MAX_INTAKE}, the plausibility ceiling of one programme's yearly intake at one "
                              "school", row=row.line, column=hdr_share.get("in_progress"))]
    row.n_cohort, row.n_cohort_max = sizes[0], sizes[-1]
    return []


def _tidy(rows: list[_Row]) -> pd.DataFrame:
    records = []
    for r in rows:
        rec: dict[str, object] = {"programme": r.programme, "year": r.year, "n_cohort": r.n_cohort}
        for key, _ in STATUSES:
            rec[f"n_{key}"] = r.cells[key].count
        known = [r.cells["in_progress"].count, r.cells["dropout_total"].count]
        rec["n_other"] = (r.n_cohort - sum(v for v in known if v is not None)) if all(
            v is not None for v in known) else None
        for key, _ in STATUSES:
            cnt = r.cells[key].count
            rec[f"pct_{key}"] = 100 * cnt / r.n_cohort if cnt is not None and r.n_cohort else math.nan
        rec["institution"] = r.institution
        for key, _ in STATUSES:
            ten = r.cells[key].tenths
            rec[f"published_pct_{key}"] = ten / 10 if ten is not None else math.nan
        rec["n_cohort_max"] = r.n_cohort_max
        rec["derived_cells"] = ";".join(f"n_{k}" for k, _ in STATUSES if r.cells[k].derived)
        rec["source_row"] = r.line
        records.append(rec)
    df = pd.DataFrame.from_records(records, columns=list(TABLE1_COLUMNS + PROCESSED_EXTRA_COLUMNS))
    for col in ("year", "n_cohort", "n_cohort_max", "source_row") + tuple(
            c for c in TABLE1_COLUMNS if c.startswith("n_")):
        df[col] = df[col].astype("Int64")
    df["derived_cells"] = df["derived_cells"].astype("string")
    df["institution"] = df["institution"].astype("string")
    df["programme"] = df["programme"].astype("string")
    return df.sort_values(["programme", "year"], kind="stable").reset_index(drop=True)


def clean_published(path: str | os.PathLike, display_name: str | None = None) -> pd.DataFrame:
    """Read, reconcile and validate a published table; return the tidy table.

    Parameters
    ----------
    path
        CSV (comma or semicolon; UTF-8, UTF-8 with BOM or Windows-1252) or XLSX.
    display_name
        How the file is named in error messages (default: ``path``).

    Returns
    -------
    pandas.DataFrame
        One row per programme × year with :data:`TABLE1_COLUMNS` and
        :data:`PROCESSED_EXTRA_COLUMNS`.

    Raises
    ------
    InputError
        With every problem found, each naming file, row and column.
    """
    file = display_name or str(path)
    table = read_raw_table(path, file)
    rows, problems = _parse_rows(table)
    if problems:
        raise InputError(problems)
    idx = _header_index(table.header)
    hdr_count = {k: table.header[idx[text_key(count_column(lab))]] for k, lab in STATUSES}
    hdr_share = {k: table.header[idx[text_key(share_column(lab))]] for k, lab in STATUSES}
    for row in rows:
        problems.extend(_check_row(row, file, hdr_count, hdr_share))
    if problems:
        raise InputError(problems)
    tidy = _tidy(rows)
    _assert_reproduced(tidy, file)
    return tidy


def _assert_reproduced(tidy: pd.DataFrame, file: str) -> None:
    """Every published share must come out of count / n_cohort at one decimal.

    The reconciliation guarantees it; this is the explicit, final check that
    the written table reproduces the publication.
    """
    problems = []
    for _, r in tidy.iterrows():
        for key, label in STATUSES:
            pub = r[f"published_pct_{key}"]
            cnt = r[f"n_{key}"]
            if pd.isna(pub) or pd.isna(cnt):
                continue
            got = round_half_up_tenths(int(cnt), int(r["n_cohort"]))
            if got != round(pub * 10):
                problems.append(Problem(file, f"published {pub:.1f} % is not reproduced ({got / 10:.1f} %)",
                                        row=int(r["source_row"]), column=share_column(label)))
    if problems:
        raise InputError(problems)


def table1(tidy: pd.DataFrame) -> pd.DataFrame:
    """Return the columns of ``tables/table1.csv`` from the tidy table."""
    return tidy.loc[:, list(TABLE1_COLUMNS)].copy()


def read_processed(path: str | os.PathLike) -> pd.DataFrame:
    """Read ``data/processed/table1_clean.csv`` back with its dtypes."""
    df = pd.read_csv(path, dtype={"programme": "string", "institution": "string", "derived_cells": "string"},
                     keep_default_na=True)
    for col in ("year", "n_cohort", "n_cohort_max", "source_row") + tuple(
            c for c in TABLE1_COLUMNS if c.startswith("n_")):
        df[col] = df[col].astype("Int64")
    df["derived_cells"] = df["derived_cells"].fillna("")
    return df


def _check(path: Path, file: str) -> pd.DataFrame:
    return clean_published(path, file)


register(Kind(
    name="published-table",
    description="the ministry's published table, one row per programme × year (uddannelsesstatistik.dk layout)",
    matches=matches_header,
    check=_check,
))
