"""The interview register: one row per group interview, read and checked.

Schema (CSV or XLSX; column names case-insensitive; other columns are never read)
----------------------------------------------------------------------------------
=============== ==============================================================
interview_id    the interview's id; in the QDA export it is the document's
                name. A value that looks like a CPR number is refused.
campus          a campus of the campus table (or an alias)
intake          the interviewed students' intake, ``YYYY-MM``; before / from
                the campus's ``pilot_start`` decides "pre" / "post" (the
                survey's rule, :func:`sosu_analysis.survey.scoring.add_design`)
wave            when interviewed: a month ``YYYY-MM`` or a label
                (``delevaluering maj 2025``)
intervention    blank at comparison campuses and before the pilot start;
                else ids of ``interventions.csv``, ``;``-separated
participants    number of students in the group (a whole number ≥ 1)
quotes_approved ``yes``/``no``: the participants consented to being quoted
group           optional: ``pilot`` or ``non-pilot``; it follows from the
                campus table, and a value that disagrees is an error
staff_names     optional: names of staff present or mentioned
                (``;``-separated). Only used to mask quotes; never shown.
=============== ==============================================================
"""

from __future__ import annotations

import os

import pandas as pd

from ..definitions import CAMPUS_GROUPS
from ..readers.rawtable import read_raw_table
from ..students._parse import MONTH_HINT, Columns, Problems, key, parse_count, parse_month, parse_yes_no
from ..students.campuses import as_campuses, campus_lookup, read_interventions
from ..students.extract import looks_like_cpr, synthetic_label
from ..survey.scoring import add_design

REGISTER_REQUIRED = ("interview_id", "campus", "intake", "wave", "intervention", "participants", "quotes_approved")
REGISTER_OPTIONAL = ("group", "staff_names")
REGISTER_COLUMNS = REGISTER_REQUIRED + ("group", "period", "pilot")
GROUPS = CAMPUS_GROUPS  # the one code set (definitions): pilot, non-pilot


def _as_interventions(interventions, campuses) -> pd.DataFrame | None:
    if interventions is None or isinstance(interventions, pd.DataFrame):
        return interventions
    return read_interventions(interventions, campuses)


def read_register(path: str | os.PathLike, campuses: pd.DataFrame | str | os.PathLike | None = None,
                  interventions: pd.DataFrame | str | os.PathLike | None = None,
                  display_name: str | None = None) -> pd.DataFrame:
    """Read and validate an interview register.

    Parameters
    ----------
    path : path-like
        CSV or XLSX (see the module docstring).
    campuses : pandas.DataFrame or path-like, optional
        The campus table; when given, every campus must be in it (aliases are
        replaced by the campus name), ``group`` and ``period`` are derived
        and an intervention is only allowed at a pilot campus from its start.
    interventions : pandas.DataFrame or path-like, optional
        When given, each intervention id must be listed for the campus (SSA).
    display_name : str, optional
        Name used for the file in messages.

    Returns
    -------
    pandas.DataFrame
        :data:`REGISTER_COLUMNS` (``group``/``period``/``pilot`` only with a
        campus table), ``participants`` as int, ``quotes_approved`` as bool.
        ``attrs``: ``file``, ``synthetic`` and ``staff_names`` (the names
        to mask in quotes; never shown).

    Raises
    ------
    sosu_analysis.errors.InputError
        Every problem, with file, row (header = row 1) and column.
    """
    campuses = as_campuses(campuses)
    interventions = _as_interventions(interventions, campuses)
    table = read_raw_table(path, display_name)
    problems = Problems(table.file)
    cols = Columns(table, REGISTER_REQUIRED, REGISTER_OPTIONAL, problems, "an interview register")
    problems.raise_if_any()
    if not table.rows:
        problems.add("the file has a header but no interviews", row=1)
    name = cols.header_name
    lookup = campus_lookup(campuses) if campuses is not None else None
    camp_file = campuses.attrs.get("file", "the campus table") if campuses is not None else ""
    pilots: dict[str, str] = {}
    if campuses is not None:
        pilots = {c: s for c, p, s in zip(campuses["campus"], campuses["pilot"], campuses["pilot_start"], strict=True)
                  if p}
    offered = None
    iv_file = ""
    if interventions is not None:
        iv_file = interventions.attrs.get("file", "the interventions table")
        offered = {(str(i), c) for i, c in zip(interventions["intervention"], interventions["campus"], strict=True)}
    seen: dict[str, int] = {}
    staff: list[str] = []
    records = []
    for row, line in zip(table.rows, table.line_numbers, strict=True):
        ident = cols.get(row, "interview_id")
        if not ident:
            problems.add("the interview_id is empty", line, name("interview_id"))
        elif looks_like_cpr(ident):
            problems.add("the interview_id looks like a CPR number (the value is not shown)", line,
                         name("interview_id"))
            ident = ""
        elif key(ident) in seen:
            problems.add(f"the interview_id is also in row {seen[key(ident)]} (each interview once)", line,
                         name("interview_id"))
        else:
            seen[key(ident)] = line
        campus = cols.get(row, "campus")
        if not campus:
            problems.add("the campus is empty", line, name("campus"))
        elif lookup is not None:
            if key(campus) in lookup:
                campus = lookup[key(campus)]
            else:
                problems.add(f"unknown campus '{campus}'; it is not in {camp_file} (add it there, or as an alias)",
                             line, name("campus"))
                campus = ""
        intake_text = cols.get(row, "intake")
        intake = parse_month(intake_text)
        if intake is None:
            problems.add(f"{MONTH_HINT}, found '{intake_text}'" if intake_text
                         else f"the intake is empty; {MONTH_HINT}", line, name("intake"))
        wave = cols.get(row, "wave")
        if not wave:
            problems.add("the wave is empty (a month YYYY-MM or a label such as 'delevaluering maj 2025')", line,
                         name("wave"))
        ids = sorted({p.strip().lower() for p in cols.get(row, "intervention").replace(",", ";").split(";")
                      if p.strip()})
        if ids and campuses is not None and campus:
            if campus not in pilots:
                problems.add(f"an intervention is given, but {campus} is not a pilot campus in {camp_file} (leave it "
                             "blank at comparison campuses)", line, name("intervention"))
            elif intake and intake < pilots[campus]:
                problems.add(f"an intervention is given for intake {intake}, before {campus}'s pilot_start "
                             f"{pilots[campus]} in {camp_file}", line, name("intervention"))
            elif offered is not None:
                for i in ids:
                    if (i, campus) not in offered:
                        problems.add(f"intervention '{i}' is not listed for {campus} in {iv_file}", line,
                                     name("intervention"))
        n_text = cols.get(row, "participants")
        n = parse_count(n_text)
        if n is None or n < 1:
            problems.add("participants must be a whole number of at least 1 (the number of students in the group)",
                         line, name("participants"))
        approved = parse_yes_no(cols.get(row, "quotes_approved"))
        if approved is None:
            problems.add("quotes_approved must be yes or no (consent to quote the group)", line,
                         name("quotes_approved"))
        group_text = key(cols.get(row, "group"))
        if group_text and group_text not in GROUPS:
            problems.add(f"group must be pilot or non-pilot (or blank), found '{cols.get(row, 'group')}'", line,
                         name("group"))
        elif group_text and campuses is not None and campus:
            implied = "pilot" if campus in pilots else "non-pilot"
            if group_text != implied:
                problems.add(f"group '{group_text}' disagrees with {camp_file}, where {campus} is a {implied} campus "
                             "(the campus table decides; correct or blank the column)", line, name("group"))
        staff.extend(s.strip() for s in cols.get(row, "staff_names").split(";") if s.strip())
        records.append((ident, campus, intake or "", wave, ";".join(ids), n or 0, bool(approved)))
    problems.raise_if_any()
    frame = pd.DataFrame.from_records(records, columns=list(REGISTER_REQUIRED))
    frame["participants"] = frame["participants"].astype("int64")
    frame["quotes_approved"] = frame["quotes_approved"].astype(bool)
    if campuses is not None:
        frame = add_design(frame, campuses)
    frame.attrs["file"] = table.file
    frame.attrs["synthetic"] = synthetic_label(path)
    frame.attrs["staff_names"] = sorted(set(staff))
    return frame
