"""The student extract: one row per main-course start, read, checked and given a status.

Schema (CSV or XLSX; column names case-insensitive, extra columns ignored)
--------------------------------------------------------------------------
========== ==============================================================
student_id a pseudonym (e.g. ``S000001``); a value that looks like a CPR
           number (six digits, optional dash, four digits) is refused and
           never repeated in the message
programme  ``SSA``, ``SSH`` or ``PAU``
campus     a campus of the campus table (or one of its aliases)
start_date start of the main course, ``YYYY-MM-DD``
exit_date  date the student left the programme, empty if none
exit_type  empty, ``switch`` (dropout with a programme switch, *afbrudt med
           omvalg*), ``left`` (dropout without switch, *afbrudt uden
           omvalg*) or ``completed`` (counted as "other")
========== ==============================================================

Real extracts are personal data: they live in ``data/raw/private/`` (never
committed), and no message of this module shows a pseudonym or a row.

Status at a horizon
-------------------
The status *h* months after start (``h`` = 3 as published; 6 and 12 too) is
decided by the exit on or before the horizon date, ``start + h`` calendar
months (see :mod:`sosu_analysis.students.months`: a day missing in the target
month becomes that month's last day, so 31 January + 1 month = 28/29
February): ``switch`` → ``dropout_switch``, ``left`` → ``dropout_noswitch``,
``completed`` → ``other``; no exit by then → ``in_progress``. Both outcome
definitions use the whole intake as denominator, as the published table does:
``dropout_total`` = switch or left (incl. switching), ``dropout_noswitch`` =
left only (excl. switching).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..rawtable import read_raw_table
from ..validation import Kind, register
from ._parse import DATE_HINT, PROGRAMMES, Columns, Problems, key, parse_date, parse_programme
from .campuses import PILOT_PROGRAMMES, as_campuses, campus_lookup, pilot_flags, project_campuses
from .months import add_months

EXTRACT_COLUMNS = ("student_id", "programme", "campus", "start_date", "exit_date", "exit_type")
EXIT_TYPES = ("switch", "left", "completed")
#: statuses at a horizon, in table order
STATUSES = ("in_progress", "dropout_switch", "dropout_noswitch", "other")
_STATUS_OF_EXIT = {"switch": "dropout_switch", "left": "dropout_noswitch", "completed": "other"}
#: horizons (months after start) the project reports; 3 is the published one
HORIZONS = (3, 6, 12)
DEFAULT_HORIZON = 3

_CPR_LIKE = re.compile(r"(?<!\d)\d{6}[-\s]?\d{4}(?!\d)")


def _shown(text: str) -> str:
    """A cell value as an error message may quote it: never one that looks like a CPR number."""
    return "(value not shown: it looks like a CPR number)" if looks_like_cpr(text) else text


def looks_like_cpr(text: str) -> bool:
    """True if ``text`` contains six digits, an optional dash or space, and four digits."""
    return bool(_CPR_LIKE.search(text))


def sidecar_path(path: str | os.PathLike) -> Path:
    """The JSON sidecar of an extract: same name, ``.json``."""
    return Path(path).with_suffix(".json")


def synthetic_label(path: str | os.PathLike) -> dict | None:
    """The synthetic-data label of an extract, or ``None`` for a (presumed) real one.

    A file is synthetic if its sidecar ``<name>.json`` says ``"label":
    "SYNTHETIC"`` (the metadata is returned) or its name contains
    ``synthetic``.
    """
    path = Path(path)
    sidecar = sidecar_path(path)
    if sidecar.is_file():
        try:
            meta = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = None
        if isinstance(meta, dict) and meta.get("label") == "SYNTHETIC":
            return meta
    if "synthetic" in path.name.lower():
        return {"label": "SYNTHETIC"}
    return None


def read_extract(path: str | os.PathLike, campuses: pd.DataFrame | str | os.PathLike | None = None,
                 display_name: str | None = None) -> pd.DataFrame:
    """Read and validate a student extract.

    Parameters
    ----------
    path : path-like
        CSV (comma or semicolon; UTF-8, BOM or Windows-1252) or XLSX.
    campuses : pandas.DataFrame or path-like, optional
        The campus table (:func:`~sosu_analysis.students.campuses.read_campuses`).
        When given, every campus must be in it; aliases are replaced by the
        campus name.
    display_name : str, optional
        Name used for the file in messages.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`EXTRACT_COLUMNS`: ``start_date`` and
        ``exit_date`` as ``datetime64`` (``NaT`` when no exit), ``exit_type``
        ``""`` when no exit. ``attrs`` holds ``file`` and ``synthetic`` (the
        label from :func:`synthetic_label`, or ``None``).

    Raises
    ------
    sosu_analysis.errors.InputError
        Listing every problem with file, row (header = row 1) and column:
        missing columns, an empty file, a CPR-like or empty ``student_id``,
        unknown programme, campus or ``exit_type``, a bad date, an exit before
        the start, an exit date without type or a type without date, and a
        repeated ``student_id`` + ``programme`` + ``start_date``. No message
        contains a pseudonym or a whole row.
    """
    campuses = as_campuses(campuses)
    table = read_raw_table(path, display_name)
    problems = Problems(table.file)
    cols = Columns(table, EXTRACT_COLUMNS, (), problems, "a student extract")
    problems.raise_if_any()
    if not table.rows:
        problems.add("the file has a header but no students", row=1)
    lookup = campus_lookup(campuses) if campuses is not None else None
    name = cols.header_name
    seen: dict[tuple[str, str, object], int] = {}
    ids, progs, camps, starts, exits, types = [], [], [], [], [], []
    for row, line in zip(table.rows, table.line_numbers):
        sid = cols.get(row, "student_id")
        if not sid:
            problems.add("the student_id is empty", line, name("student_id"))
        elif looks_like_cpr(sid):
            problems.add("the student_id looks like a CPR number (six digits, optional dash, four digits); "
                         "the extract must identify students by a pseudonym only (the value is not shown)",
                         line, name("student_id"))
        prog_text = cols.get(row, "programme")
        programme = parse_programme(prog_text)
        if programme is None:
            problems.add(f"unknown programme '{_shown(prog_text)}'; expected one of {', '.join(PROGRAMMES)}",
                         line, name("programme"))
        campus = cols.get(row, "campus")
        if not campus:
            problems.add("the campus is empty", line, name("campus"))
        elif lookup is not None:
            if key(campus) in lookup:
                campus = lookup[key(campus)]
            else:
                problems.add(f"unknown campus '{_shown(campus)}'; it is not in "
                             f"{campuses.attrs.get('file', 'the campus table')} (add it there, or as an alias)",
                             line, name("campus"))
        start_text = cols.get(row, "start_date")
        start = parse_date(start_text)
        if start is None:
            problems.add(f"{DATE_HINT}, found '{_shown(start_text)}'" if start_text
                         else f"the start_date is empty; {DATE_HINT}", line, name("start_date"))
        exit_text = cols.get(row, "exit_date")
        exit_ = parse_date(exit_text) if exit_text else None
        if exit_text and exit_ is None:
            problems.add(f"{DATE_HINT} or empty, found '{_shown(exit_text)}'", line, name("exit_date"))
        if start and exit_ and exit_ < start:
            problems.add("the exit_date is before the start_date", line, name("exit_date"))
        type_text = cols.get(row, "exit_type").lower()
        if type_text and type_text not in EXIT_TYPES:
            problems.add(f"unknown exit_type '{_shown(cols.get(row, 'exit_type'))}'; expected empty, "
                         f"{', '.join(EXIT_TYPES[:-1])} or {EXIT_TYPES[-1]}", line, name("exit_type"))
        if exit_text and not type_text:
            problems.add("an exit_date is given but the exit_type is empty", line, name("exit_type"))
        if type_text and not exit_text:
            problems.add("an exit_type is given but the exit_date is empty", line, name("exit_date"))
        if sid and programme and start:
            k = (sid, programme, start)
            if k in seen:
                problems.add(f"the same student_id, programme and start_date as row {seen[k]} (a duplicate)",
                             line, name("student_id"))
            else:
                seen[k] = line
        ids.append(sid)
        progs.append(programme)
        camps.append(campus)
        starts.append(start)
        exits.append(exit_)
        types.append(type_text)
    problems.raise_if_any()
    frame = pd.DataFrame({
        "student_id": pd.Series(ids, dtype="str"),
        "programme": pd.Series(progs, dtype="str"),
        "campus": pd.Series(camps, dtype="str"),
        "start_date": pd.to_datetime(pd.Series(starts, dtype=object)),
        "exit_date": pd.to_datetime(pd.Series(exits, dtype=object)),
        "exit_type": pd.Series(types, dtype="str"),
    })
    frame.attrs["file"] = table.file
    frame.attrs["synthetic"] = synthetic_label(path)
    return frame


def status_at(start_date, exit_date, exit_type, horizon_months: int = DEFAULT_HORIZON) -> np.ndarray:
    """Status of each student ``horizon_months`` after start.

    Parameters
    ----------
    start_date, exit_date : array-like of datetime64
        ``exit_date`` is ``NaT`` when the student has not left.
    exit_type : array-like of str
        ``""``, ``"switch"``, ``"left"`` or ``"completed"``.
    horizon_months : int
        Calendar months after start (3, 6, 12, ...).

    Returns
    -------
    numpy.ndarray of str
        One of :data:`STATUSES` per student.

    Notes
    -----
    An exit counts if ``exit_date <= add_months(start_date, h)``, so an exit on
    the horizon date itself is inside the horizon. Month ends are clamped
    (31 January + 1 month = 28 or 29 February).
    """
    if int(horizon_months) != horizon_months or horizon_months < 1:
        raise ValueError(f"horizon_months must be a whole number of months >= 1, got {horizon_months!r}")
    start = np.asarray(start_date).astype("datetime64[D]")
    exit_ = np.asarray(exit_date).astype("datetime64[D]")
    kind = np.asarray(exit_type, dtype=object)
    horizon = add_months(start, int(horizon_months))
    within = ~np.isnat(exit_) & (exit_ <= horizon)
    status = np.full(start.shape, "in_progress", dtype=object)
    for exit_kind, label in _STATUS_OF_EXIT.items():
        status[within & (kind == exit_kind)] = label
    return status


def derive_columns(extract: pd.DataFrame, campuses: pd.DataFrame | str | os.PathLike | None = None,
                   horizon_months: int = DEFAULT_HORIZON, *, as_of=None,
                   pilot_programmes: tuple[str, ...] = PILOT_PROGRAMMES) -> pd.DataFrame:
    """Add intake, status and outcome columns to an extract.

    Parameters
    ----------
    extract : pandas.DataFrame
        From :func:`read_extract`.
    campuses : pandas.DataFrame or path-like, optional
        The campus table; needed for ``pilot`` and ``pilot_post`` (left out
        without it). Campus aliases are replaced by the campus name.
    horizon_months : int
        Months after start at which the status is taken (default 3).
    as_of : date-like, optional
        Date the extract was taken. Students whose horizon date is after it
        have no status yet; they are left out and counted in
        ``attrs["n_unobserved"]``. ``None`` (default) treats every status as
        observed (right for the synthetic data, which simulates all horizons).
    pilot_programmes : tuple of str
        Programmes the interventions cover (default SSA).

    Returns
    -------
    pandas.DataFrame
        A copy with ``intake`` (``"YYYY-MM"``), ``year``, ``horizon_months``,
        ``status``, ``dropout_total`` (0/1, incl. switching),
        ``dropout_noswitch`` (0/1, excl. switching) and, with ``campuses``,
        ``pilot`` and ``pilot_post`` (0/1).

    Raises
    ------
    ValueError
        A campus not in ``campuses`` (the names are listed).
    """
    campuses = as_campuses(campuses)
    out = extract.copy()
    if campuses is not None:
        lookup = campus_lookup(campuses)
        canon = out["campus"].map(lambda c: lookup.get(key(c)))
        unknown = sorted(set(out.loc[canon.isna(), "campus"]))
        if unknown:
            raise ValueError(f"campuses not in the campus table: {', '.join(unknown)}")
        out["campus"] = canon.astype("str")
    start = out["start_date"].to_numpy().astype("datetime64[D]")
    n_unobserved = 0
    if as_of is not None:
        observed = add_months(start, int(horizon_months)) <= np.datetime64(pd.Timestamp(as_of).date(), "D")
        n_unobserved = int((~observed).sum())
        out = out.loc[observed]
        start = start[observed]
    out["intake"] = pd.Series(np.datetime_as_string(start.astype("datetime64[M]")), index=out.index, dtype="str")
    out["year"] = start.astype("datetime64[Y]").astype(np.int64) + 1970
    out["horizon_months"] = int(horizon_months)
    status = status_at(start, out["exit_date"].to_numpy(), out["exit_type"].to_numpy(), horizon_months)
    out["status"] = pd.Series(status, index=out.index, dtype="str")
    out["dropout_total"] = np.isin(status, ("dropout_switch", "dropout_noswitch")).astype(np.int64)
    out["dropout_noswitch"] = (status == "dropout_noswitch").astype(np.int64)
    if campuses is not None:
        out["pilot"], out["pilot_post"] = pilot_flags(out["campus"], out["programme"], out["intake"],
                                                      campuses, pilot_programmes)
    out.attrs = {**extract.attrs, "horizon_months": int(horizon_months), "n_unobserved": n_unobserved}
    return out


def _matches(header: list[str]) -> bool:
    return {"student_id", "start_date"} <= {key(h) for h in header}


register(Kind(
    name="student_extract",
    description="student extract: student_id, programme, campus, start_date, exit_date, exit_type",
    matches=_matches,
    check=lambda path, file: read_extract(Path(path), project_campuses(), file),
))
