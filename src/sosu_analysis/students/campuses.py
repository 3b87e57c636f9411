"""Campuses and interventions: the two editable design tables.

``data/raw/campuses.csv`` lists SOSU H's campuses, which of them pilot the
2025 interventions and from which intake; ``data/raw/interventions.csv``
lists the interventions of the follow-up plan (seed 003) by campus and
programme. Both are raw tables a person edits without touching code; every
row says where it comes from (``source``) and whether it rests on an
assumption (``assumption`` yes/no, explained in ``note``).

Campus names are matched case-insensitively. A campus may list ``aliases``
(separated by ``;``): names under which the same campus can appear in an
extract (e.g. ``Hillerød`` for Munkeengen, an *unverified* assumption in the
shipped table). Readers of extracts and aggregates replace an alias by the
campus name, so if an alias turns out wrong, editing the table is enough.

Treatment indicators
--------------------
``pilot`` is 1 for a campus marked ``pilot = yes``. ``pilot_post`` is 1 for
an intake (``YYYY-MM``) at a pilot campus from its ``pilot_start`` on, in a
programme the interventions cover (:data:`PILOT_PROGRAMMES`: SSA,
:data:`sosu_analysis.definitions.PILOT_PROGRAMME`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..definitions import PILOT_PROGRAMME
from ..errors import InputError, Problem
from ..readers.rawtable import read_raw_table
from ..readers.validation import Kind, register
from ._parse import (
    MONTH_HINT,
    PROGRAMMES,
    Columns,
    Problems,
    key,
    parse_month,
    parse_programme,
    parse_yes_no,
)

#: programmes the 2025 interventions cover when no interventions table is given (seed 003: "SSA optag i 2025")
PILOT_PROGRAMMES: tuple[str, ...] = (PILOT_PROGRAMME,)

CAMPUS_REQUIRED = ("campus", "pilot", "pilot_start", "source", "assumption")
CAMPUS_OPTIONAL = ("programmes", "aliases", "note")
INTERVENTION_REQUIRED = ("intervention", "campus", "programme", "first_intake", "source", "assumption")
INTERVENTION_OPTIONAL = ("name", "content_da", "seed_campus", "partner", "note", "cost_dkk_per_year")

_INTERVENTION_ID = re.compile(r"^\d+[a-z]?$")


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.split(";") if p.strip()]


def _yes_no(problems: Problems, cols: Columns, row: list[str], line: int, name: str) -> bool:
    value = parse_yes_no(cols.get(row, name))
    if value is None:
        problems.add(f"expected yes or no, found '{cols.get(row, name)}'", line, cols.header_name(name))
        return False
    return value


def read_campuses(path: str | os.PathLike, display_name: str | None = None) -> pd.DataFrame:
    """Read and validate the campus table.

    Parameters
    ----------
    path : path-like
        CSV or XLSX with the columns ``campus``, ``pilot`` (yes/no),
        ``pilot_start`` (``YYYY-MM``, the first intake covered; empty for a
        non-pilot campus), ``source``, ``assumption`` (yes/no) and optionally
        ``programmes`` (``;``-separated codes, empty = all), ``aliases``
        (``;``-separated other names of the same campus) and ``note``.
    display_name : str, optional
        Name used for the file in messages.

    Returns
    -------
    pandas.DataFrame
        One row per campus: ``campus``, ``pilot`` (bool), ``pilot_start``
        (str, ``""`` if none), ``programmes`` (``;``-joined codes), ``aliases``,
        ``source``, ``assumption`` (bool), ``note``.

    Raises
    ------
    sosu_analysis.errors.InputError
        Listing every problem with file, row and column.
    """
    table = read_raw_table(path, display_name)
    problems = Problems(table.file)
    cols = Columns(table, CAMPUS_REQUIRED, CAMPUS_OPTIONAL, problems, "the campus table")
    problems.raise_if_any()
    if not table.rows:
        problems.add("the file has a header but no campuses", row=1)
    names: dict[str, int] = {}
    out = []
    for row, line in zip(table.rows, table.line_numbers, strict=True):
        campus = cols.get(row, "campus")
        if not campus:
            problems.add("the campus name is empty", line, cols.header_name("campus"))
        else:
            for name in [campus, *_split(cols.get(row, "aliases"))]:
                k = key(name)
                if k in names:
                    problems.add(f"the name '{name}' is already used in row {names[k]} (as a campus or alias)",
                                 line, cols.header_name("campus" if name == campus else "aliases"))
                else:
                    names[k] = line
        pilot = _yes_no(problems, cols, row, line, "pilot")
        start_text = cols.get(row, "pilot_start")
        start = ""
        if pilot:
            start = parse_month(start_text) or ""
            if not start:
                problems.add(f"a pilot campus needs its first pilot intake; {MONTH_HINT}"
                             + (f", found '{start_text}'" if start_text else ""), line, cols.header_name("pilot_start"))
        elif start_text:
            problems.add("pilot_start is given but the campus is not marked pilot = yes", line,
                         cols.header_name("pilot_start"))
        programmes = []
        for code in _split(cols.get(row, "programmes")):
            p = parse_programme(code)
            if p is None:
                problems.add(f"unknown programme '{code}'; expected {', '.join(PROGRAMMES)} separated by ';'",
                             line, cols.header_name("programmes"))
            elif p not in programmes:
                programmes.append(p)
        if not cols.get(row, "source"):
            problems.add("every row must name its source", line, cols.header_name("source"))
        assumption = _yes_no(problems, cols, row, line, "assumption")
        out.append({
            "campus": campus, "pilot": pilot, "pilot_start": start,
            "programmes": ";".join(programmes or PROGRAMMES),
            "aliases": ";".join(_split(cols.get(row, "aliases"))),
            "source": cols.get(row, "source"), "assumption": assumption, "note": cols.get(row, "note"),
        })
    problems.raise_if_any()
    frame = pd.DataFrame(out)
    frame.attrs["file"] = table.file
    return frame


def as_campuses(campuses: pd.DataFrame | str | os.PathLike | None) -> pd.DataFrame | None:
    """Return a campus table: ``campuses`` itself, or read from a path; ``None`` stays ``None``."""
    if campuses is None or isinstance(campuses, pd.DataFrame):
        return campuses
    return read_campuses(campuses)


def campus_lookup(campuses: pd.DataFrame) -> dict[str, str]:
    """Map every campus name and alias (as :func:`key`) to the campus name."""
    lookup = {}
    for campus, aliases in zip(campuses["campus"], campuses["aliases"], strict=True):
        lookup[key(campus)] = campus
        for alias in _split(aliases):
            lookup[key(alias)] = campus
    return lookup


def offered_programmes(campuses: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Programmes each campus offers (per the ``programmes`` column)."""
    return {c: tuple(_split(p)) for c, p in zip(campuses["campus"], campuses["programmes"], strict=True)}


class ListingMismatch(NamedTuple):
    """A campus whose listed programmes and student data disagree on ``programme``.

    ``listed`` is true when the campus table lists the programme but the data
    have no rows of it (the campus drops out of the comparison), false when the
    table does not list it but the data have rows (the comparison uses them).
    """

    campus: str
    programme: str
    listed: bool


def programme_listing_mismatches(data: pd.DataFrame, campuses: pd.DataFrame,
                                 programme: str = "SSA") -> list[ListingMismatch]:
    """Campuses where the campus table's ``programmes`` column and the student data disagree on ``programme``.

    Only the ``campus`` and ``programme`` columns of ``data`` are read (rows
    with ``n = 0`` of a cell table are ignored); no count is returned, so a
    small cell cannot be read off. :func:`programme_listing_warnings` words
    them for the run log, :func:`sosu_analysis.reporting.rapport.limitations`
    for the lead's report.
    """
    rows = data if "n" not in data.columns else data[data["n"] > 0]
    have = set(rows.loc[rows["programme"] == programme, "campus"].astype(str))
    out = []
    for campus, offered in offered_programmes(campuses).items():
        if programme not in offered and campus in have:
            out.append(ListingMismatch(campus, programme, listed=False))
        elif programme in offered and campus not in have:
            out.append(ListingMismatch(campus, programme, listed=True))
    return out


def programme_listing_warnings(data: pd.DataFrame, campuses: pd.DataFrame, programme: str = "SSA") -> list[str]:
    """Warn where the campus table's ``programmes`` column and the student data disagree on ``programme``.

    Parameters
    ----------
    data : DataFrame
        The validated extract (one row per start) or a cell table (rows with
        ``n = 0`` are ignored); only its ``campus`` and ``programme`` columns
        are read, never a student's values.
    campuses : DataFrame
        From :func:`sosu_analysis.students.read_campuses` (its display name in
        ``attrs['file']``).

    Returns
    -------
    list of str
        One warning per campus listed without ``programme`` whose data have
        ``programme`` rows (the campus comparison uses every campus with such
        rows, whatever the table says), and per campus listed with
        ``programme`` that has no such rows. Warnings, not errors: the table's
        programme lists are assumptions (see its ``note`` column), so the run
        goes on; the warning names the campus, the file and the column. No
        row count is given (a count of 1–4 would show a small cell).
    """
    file = campuses.attrs.get("file", "campuses.csv")
    out = []
    for m in programme_listing_mismatches(data, campuses, programme):
        if not m.listed:
            out.append(f"campus {m.campus} is listed without {programme} in {file} (column 'programmes'), but the "
                       f"student data have {programme} rows for it; the campus comparison uses it all the same. "
                       f"Check the column or the extract")
        else:
            out.append(f"campus {m.campus} is listed with {programme} in {file} (column 'programmes'), but the "
                       f"student data have no {programme} rows for it; it is not in the campus comparison. "
                       f"Check the column or the extract")
    return out


def pilot_flags(campus, programme, intake, campuses: pd.DataFrame,
                pilot_programmes: tuple[str, ...] = PILOT_PROGRAMMES) -> tuple[np.ndarray, np.ndarray]:
    """Treatment indicators for rows given by campus, programme and intake.

    Parameters
    ----------
    campus, programme, intake : array-like of str
        Campus names (as in ``campuses``), programme codes and intake months
        ``YYYY-MM``.
    campuses : pandas.DataFrame
        From :func:`read_campuses`.
    pilot_programmes : tuple of str
        Programmes the interventions cover.

    Returns
    -------
    pilot, pilot_post : numpy.ndarray of int
        ``pilot`` = 1 at a pilot campus; ``pilot_post`` = 1 at a pilot campus,
        in a covered programme, for intakes from the campus's ``pilot_start``.
    """
    starts = {c: s for c, p, s in zip(campuses["campus"], campuses["pilot"], campuses["pilot_start"], strict=True) if p}
    # distinct campuses and intakes are few: compare their codes, not a million strings
    c_codes, c_uniques = pd.factorize(pd.Series(campus))
    start_u = np.array([starts.get(str(u), "9999-99") for u in c_uniques] + ["9999-99"], dtype=object)
    pilot_u = np.array([str(u) in starts for u in c_uniques] + [False])
    i_codes, i_uniques = pd.factorize(pd.Series(intake))
    p_codes, p_uniques = pd.factorize(pd.Series(programme))
    covered_u = np.array([str(u) in pilot_programmes for u in p_uniques] + [False])
    after_pairs = np.array([[str(i) >= s for i in i_uniques] for s in start_u], dtype=bool).reshape(
        len(start_u), len(i_uniques))
    pilot = pilot_u[c_codes]
    after = after_pairs[c_codes, i_codes] if len(i_uniques) else np.zeros(len(c_codes), dtype=bool)
    return pilot.astype(np.int64), (pilot & covered_u[p_codes] & after).astype(np.int64)


def read_interventions(path: str | os.PathLike, campuses: pd.DataFrame | str | os.PathLike | None = None,
                       display_name: str | None = None) -> pd.DataFrame:
    """Read and validate the interventions table.

    Parameters
    ----------
    path : path-like
        CSV or XLSX with the columns ``intervention`` (``1a``, ``1b``, ``2a``,
        ``2b``, ``3``, ...), ``campus``, ``programme``, ``first_intake``
        (``YYYY-MM``), ``source``, ``assumption`` (yes/no) and optionally
        ``name``, ``content_da`` (what it is, one line in Danish, for the report),
        ``seed_campus`` (the place as the seed names it, e.g.
        ``Nord``), ``partner``, ``note`` and ``cost_dkk_per_year`` (what the
        intervention costs a year at that campus, in kroner; Danish number
        format, e.g. ``125.000`` or ``125000,50``; blank = unknown).

    campuses : pandas.DataFrame or path-like, optional
        The campus table. When given, every campus must be in it (aliases
        are replaced by the campus name), must be a pilot campus, and no
        intervention may start before the campus's ``pilot_start`` (else
        ``pilot_post`` would miss treated intakes).
    display_name : str, optional
        Name used for the file in messages.

    Returns
    -------
    pandas.DataFrame
        One row per intervention × campus × programme.

    Raises
    ------
    sosu_analysis.errors.InputError
        Listing every problem with file, row and column.
    """
    campuses = as_campuses(campuses)
    table = read_raw_table(path, display_name)
    problems = Problems(table.file)
    cols = Columns(table, INTERVENTION_REQUIRED, INTERVENTION_OPTIONAL, problems, "the interventions table")
    problems.raise_if_any()
    if not table.rows:
        problems.add("the file has a header but no interventions", row=1)
    lookup = campus_lookup(campuses) if campuses is not None else None
    info = campuses.set_index("campus") if campuses is not None else None
    campus_file = str(campuses.attrs.get("file", "the campus table")) if campuses is not None else ""
    seen: dict[tuple[str, str, str], int] = {}
    out = []
    for row, line in zip(table.rows, table.line_numbers, strict=True):
        ident = cols.get(row, "intervention").lower()
        if not _INTERVENTION_ID.match(ident):
            problems.add(f"expected an intervention number such as 1a, 1b, 2a, 2b or 3, found '{ident}'",
                         line, cols.header_name("intervention"))
        campus = cols.get(row, "campus")
        if not campus:
            problems.add("the campus is empty", line, cols.header_name("campus"))
        elif lookup is not None:
            if key(campus) not in lookup:
                problems.add(f"unknown campus '{campus}'; it is not in "
                             f"{campus_file}", line, cols.header_name("campus"))
                campus = ""
            else:
                campus = lookup[key(campus)]
        programme = parse_programme(cols.get(row, "programme"))
        if programme is None:
            problems.add(f"unknown programme '{cols.get(row, 'programme')}'; expected one of {', '.join(PROGRAMMES)}",
                         line, cols.header_name("programme"))
        first = parse_month(cols.get(row, "first_intake"))
        if first is None:
            problems.add(f"{MONTH_HINT}, found '{cols.get(row, 'first_intake')}'", line,
                         cols.header_name("first_intake"))
        if not cols.get(row, "source"):
            problems.add("every row must name its source", line, cols.header_name("source"))
        assumption = _yes_no(problems, cols, row, line, "assumption")
        if info is not None and campus and campus in info.index:
            if not info.at[campus, "pilot"]:
                problems.add(f"'{campus}' has an intervention but is not a pilot campus in the campus table",
                             line, cols.header_name("campus"))
            elif first and first < str(info.at[campus, "pilot_start"]):
                problems.add(f"the intervention starts with intake {first}, before the campus's pilot_start "
                             f"{info.at[campus, 'pilot_start']!s} in the campus table", line,
                             cols.header_name("first_intake"))
        k = (ident, key(campus), programme or "")
        if campus and k in seen:
            problems.add(f"intervention {ident} at {campus} for {programme} is already listed in row {seen[k]}",
                         line, cols.header_name("intervention"))
        seen.setdefault(k, line)
        cost = _cost(problems, cols, row, line)
        out.append({
            "intervention": ident, "name": cols.get(row, "name"), "content_da": cols.get(row, "content_da"),
            "campus": campus,
            "seed_campus": cols.get(row, "seed_campus"), "programme": programme, "first_intake": first,
            "partner": cols.get(row, "partner"), "source": cols.get(row, "source"),
            "assumption": assumption, "note": cols.get(row, "note"), "cost_dkk_per_year": cost,
        })
    problems.raise_if_any()
    frame = pd.DataFrame(out)
    frame.attrs["file"] = table.file
    return frame


def _cost(problems: Problems, cols: Columns, row: list[str], line: int) -> float:
    """Read the optional yearly cost in kroner (NaN when blank); a bad or negative value is a problem."""
    from ..national.values import parse_decimal

    text = cols.get(row, "cost_dkk_per_year")
    if not text:
        return float("nan")
    try:
        value = parse_decimal(text)
    except ValueError:
        problems.add(f"expected a yearly cost in kroner (Danish format, e.g. 125.000 or 125000,50), found '{text}'",
                     line, cols.header_name("cost_dkk_per_year"))
        return float("nan")
    if value < 0:
        problems.add(f"a cost cannot be negative, found '{text}'", line, cols.header_name("cost_dkk_per_year"))
        return float("nan")
    return value


def project_campuses() -> pd.DataFrame | None:
    """Return the project's ``data/raw/campuses.csv`` if a project root is found, else ``None``.

    Used by ``sosu-analysis validate`` to check campus names in an extract
    without being told where the campus table is.
    """
    from ..paths import project_root

    try:
        path = project_root() / "data" / "raw" / "campuses.csv"
    except FileNotFoundError:
        return None
    if not path.is_file():
        return None
    try:
        return read_campuses(path, display_name="data/raw/campuses.csv")
    except InputError as exc:
        raise InputError([Problem("data/raw/campuses.csv", "the project's campus table is invalid, so campus names "
                                  "cannot be checked; fix it first (sosu-analysis validate data/raw/campuses.csv)"),
                          *exc.problems]) from None


def _headers(header: list[str]) -> set[str]:
    return {key(h) for h in header}


#: columns of student-level or aggregated data: a file with one of them is never a design table
STUDENT_DATA_COLUMNS = ("student_id", "start_date", "exit_date", "exit_type", "n_in_progress", "horizon_months")


register(Kind(
    name="campuses",
    description="campus table: campus, pilot, pilot_start, source, assumption",
    matches=lambda header: {"campus", "pilot", "pilot_start"} <= _headers(header),
    check=lambda path, file: read_campuses(Path(path), file),
    excludes=STUDENT_DATA_COLUMNS,
))

register(Kind(
    name="interventions",
    description="interventions table: intervention, campus, programme, first_intake, source, assumption",
    matches=lambda header: {"intervention", "first_intake"} <= _headers(header),
    check=lambda path, file: read_interventions(Path(path), project_campuses(), file),
    excludes=STUDENT_DATA_COLUMNS,
))
