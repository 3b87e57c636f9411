"""The survey file: one row per respondent × item, read and checked.

Schema (CSV or XLSX; column names case-insensitive; other columns are never read)
----------------------------------------------------------------------------------
============== ==============================================================
respondent_id  a pseudonym; a value that looks like a CPR number is refused
               and never repeated in a message (the extract's check)
programme      ``SSA``, ``SSH`` or ``PAU``
campus         a campus of the campus table (or an alias)
intake         the respondent's intake, ``YYYY-MM``
wave           when asked: a month ``YYYY-MM`` or a label such as
               ``efter oplæring 1a``
intervention   blank at comparison campuses (and before the pilot start);
               at a pilot campus the intervention(s) the respondent took
               part in, ``;``-separated ids of ``interventions.csv``
item           an item id of the item table
answer         1-5 (Likert: 1 = helt uenig ... 5 = helt enig), blank = not
               answered. Anything else is an error whose message does not
               quote the cell (it may be free text).
============== ==============================================================

A respondent has one programme, campus and intake in every row, and one
intervention per wave; an item appears at most once per respondent and wave.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pandas as pd

from ..input_policy import has_non_ascii_digit, identifier_kind, looks_like_cpr, personal_kind
from ..paths import project_root
from ..readers.rawtable import read_raw_table
from ..students._parse import MONTH_HINT, PROGRAMMES, Columns, Problems, key, norm, parse_month, parse_programme
from ..students.campuses import as_campuses, campus_lookup, project_campuses, read_interventions
from ..students.extract import synthetic_label
from .items import DEFAULT_ITEMS, read_items

SURVEY_COLUMNS = ("respondent_id", "programme", "campus", "intake", "wave", "intervention", "item", "answer")
LIKERT = (1, 2, 3, 4, 5)


def _shown(text: str) -> str:
    # the input policy's rule for quoted values: a CPR number, name, login, e-mail or phone is never shown
    return "(value not shown: it may be personal data)" if personal_kind(text) else text


def _as_items(items: pd.DataFrame | str | os.PathLike | None) -> pd.DataFrame | None:
    if items is None or isinstance(items, pd.DataFrame):
        return items
    return read_items(items)


def _as_interventions(interventions, campuses) -> pd.DataFrame | None:
    if interventions is None or isinstance(interventions, pd.DataFrame):
        return interventions
    return read_interventions(interventions, campuses)


def _intervention_ids(text: str) -> tuple[str, ...]:
    """Return the intervention ids of a cell, lower case, sorted, once each (``,`` or ``;`` separated)."""
    return tuple(sorted({p.strip().lower() for p in text.replace(",", ";").split(";") if p.strip()}))


def _likert(text: str) -> tuple[int | None, str]:
    """Read an answer cell: ``(answer, "")``, ``(None, "")`` when blank, or ``(None, message)``."""
    if not text:
        return None, ""
    text = text[:-2] if text.endswith((".0", ",0")) else text
    if has_non_ascii_digit(text):
        return None, ("the answer is written with a digit other than 0-9 (a superscript, Arabic-Indic or "
                      "full-width digit); write it 1 to 5 with ordinary digits (the value is not shown)")
    if text.isascii() and text.isdigit() and int(text) in LIKERT:
        return int(text), ""
    return None, ("the answer is not a whole number from 1 to 5 (blank = not answered); the value is "
                  "not shown, since it may be free text")


def read_survey(path: str | os.PathLike, items: pd.DataFrame | str | os.PathLike | None = None,
                campuses: pd.DataFrame | str | os.PathLike | None = None,
                interventions: pd.DataFrame | str | os.PathLike | None = None,
                display_name: str | None = None) -> pd.DataFrame:
    """Read and validate a survey file in the long layout.

    Parameters
    ----------
    path : path-like
        CSV (comma, semicolon or tab; UTF-8 or Windows-1252) or XLSX.
    items : pandas.DataFrame or path-like, optional
        The item table (:func:`~sosu_analysis.survey.items.read_items`); when
        given, every item must be in it.
    campuses : pandas.DataFrame or path-like, optional
        The campus table; when given, campuses must be in it (aliases are
        replaced by the campus name) and an intervention is only allowed at a
        pilot campus from its ``pilot_start``.
    interventions : pandas.DataFrame or path-like, optional
        The interventions table; when given, each intervention id must be
        listed there for the campus and programme.
    display_name : str, optional
        Name used for the file in messages.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`SURVEY_COLUMNS`, ``answer`` as ``Int64`` (NA =
        not answered) and ``intervention`` normalised (ids sorted, joined
        by ``;``; ``""`` when blank). ``attrs``: ``file`` and ``synthetic``.

    Raises
    ------
    sosu_analysis.errors.InputError
        Every problem, with file, row (header = row 1) and column. No message
        quotes a respondent id, an answer cell or a whole row.
    """
    items = _as_items(items)
    campuses = as_campuses(campuses)
    interventions = _as_interventions(interventions, campuses)
    table = read_raw_table(path, display_name)
    problems = Problems(table.file)
    cols = Columns(table, SURVEY_COLUMNS, (), problems, "a survey file")
    problems.raise_if_any()
    if not table.rows:
        problems.add("the file has a header but no answers", row=1)
    name = cols.header_name
    lookup = campus_lookup(campuses) if campuses is not None else None
    starts = None
    if campuses is not None:
        starts = {c: s for c, p, s in zip(campuses["campus"], campuses["pilot"], campuses["pilot_start"],
                                          strict=True) if p}
    camp_file = campuses.attrs.get("file", "the campus table") if campuses is not None else ""
    iv_file = interventions.attrs.get("file", "the interventions table") if interventions is not None else ""
    item_file = items.attrs.get("file", "the item table") if items is not None else ""
    item_list = ", ".join(items["item"]) if items is not None else ""
    known_items = {key(i): i for i in items["item"]} if items is not None else None
    offered: set[tuple[str, str, str]] | None = None
    if interventions is not None:
        offered = {(str(i), c, p) for i, c, p in zip(interventions["intervention"], interventions["campus"],
                                                   interventions["programme"], strict=True)}
    seen: dict[tuple[str, str, str], int] = {}
    person: dict[str, tuple[tuple[str, str, str], int]] = {}
    person_wave: dict[tuple[str, str], tuple[str, int]] = {}
    records = []
    # a survey repeats the same few programmes, campuses, intakes, waves, items and answers (and each
    # respondent id once per item) in thousands of rows: every rule below is a pure function of its cell,
    # so each distinct cell is checked once (caches local to this call; the messages are the same, in order)
    cell_norm, key_of, id_kind, cpr = cache(norm), cache(key), cache(identifier_kind), cache(looks_like_cpr)
    month, programme_of = cache(parse_month), cache(parse_programme)
    iv_ids, likert = cache(_intervention_ids), cache(_likert)
    at = {c: cols.index(c) for c in SURVEY_COLUMNS}  # every column is required

    def get(row: list[str], name: str) -> str:
        return cell_norm(row[at[name]])

    for row, line in zip(table.rows, table.line_numbers, strict=True):
        rid = get(row, "respondent_id")
        if not rid:
            problems.add("the respondent_id is empty", line, name("respondent_id"))
        elif kind := id_kind(rid):  # the input policy's identifier rule (CPR, e-mail, phone, name)
            problems.add(f"the respondent_id looks like a {kind}; the survey must identify respondents by a "
                         "pseudonym only (the value is not shown)", line, name("respondent_id"))
            rid = ""
        prog_text = get(row, "programme")
        programme = programme_of(prog_text)
        if programme is None:
            problems.add(f"unknown programme '{_shown(prog_text)}'; expected one of {', '.join(PROGRAMMES)}",
                         line, name("programme"))
        campus = get(row, "campus")
        if not campus:
            problems.add("the campus is empty", line, name("campus"))
        elif lookup is not None:
            if key_of(campus) in lookup:
                campus = lookup[key_of(campus)]
            else:
                problems.add(f"unknown campus '{_shown(campus)}'; it is not in {camp_file} (add it there, or "
                             "as an alias)",
                             line, name("campus"))
                campus = ""
        intake_text = get(row, "intake")
        intake = month(intake_text)
        if intake is None:
            problems.add(f"{MONTH_HINT}, found '{_shown(intake_text)}'" if intake_text
                         else f"the intake is empty; {MONTH_HINT}", line, name("intake"))
        wave = get(row, "wave")
        if not wave:
            problems.add("the wave is empty (a month YYYY-MM or a label such as 'efter oplæring 1a')",
                         line, name("wave"))
        elif cpr(wave):
            problems.add("the wave looks like a CPR number (the value is not shown)", line, name("wave"))
        iv_text = get(row, "intervention")
        ids = iv_ids(iv_text)
        intervention = ";".join(ids)
        if ids and starts is not None and campus:
            if campus not in starts:
                problems.add(f"an intervention is given, but {campus} is not a pilot campus in the campus table "
                             "(leave it blank at comparison campuses)", line, name("intervention"))
            elif intake and intake < starts[campus]:
                problems.add(f"an intervention is given for intake {intake}, before {campus}'s pilot_start "
                             f"{starts[campus]} in the campus table", line, name("intervention"))
            elif offered is not None and programme:
                for ident in ids:
                    if (ident, campus, programme) not in offered:
                        problems.add(f"intervention '{_shown(ident)}' is not listed for {campus} and {programme} "
                                     f"in {iv_file}",
                                     line, name("intervention"))
        item = get(row, "item")
        if not item:
            problems.add("the item is empty", line, name("item"))
        elif known_items is not None:
            if key_of(item) in known_items:
                item = known_items[key_of(item)]
            else:
                problems.add(f"unknown item '{_shown(item)}'; {item_file} lists: {item_list}", line, name("item"))
        answer, answer_problem = likert(get(row, "answer"))
        if answer_problem:
            problems.add(answer_problem, line, name("answer"))
        if rid:
            ident_row = (programme or "", campus, intake or "")
            if rid in person and person[rid][0] != ident_row:
                problems.add(f"the same respondent_id has another programme, campus or intake in row "
                             f"{person[rid][1]}", line, name("respondent_id"))
            person.setdefault(rid, (ident_row, line))
            if wave:
                pw = person_wave.get((rid, wave))
                if pw is not None and pw[0] != intervention:
                    problems.add(f"the same respondent and wave has another intervention in row {pw[1]}",
                                 line, name("intervention"))
                person_wave.setdefault((rid, wave), (intervention, line))
            if wave and item:
                k = (rid, wave, item)
                if k in seen:
                    problems.add(f"the same respondent_id, wave and item as row {seen[k]} (a duplicate)",
                                 line, name("item"))
                else:
                    seen[k] = line
        records.append((rid, programme, campus, intake, wave, intervention, item, answer))
    problems.raise_if_any()
    frame = pd.DataFrame.from_records(records, columns=list(SURVEY_COLUMNS))
    for col in SURVEY_COLUMNS[:-1]:
        frame[col] = frame[col].astype("str")
    frame["answer"] = pd.array([a if a is not None else pd.NA for a in frame["answer"]], dtype="Int64")
    frame.attrs["file"] = table.file
    frame.attrs["synthetic"] = synthetic_label(path)
    return frame


def project_items() -> pd.DataFrame | None:
    """Return the project's ``data/raw/survey_items.csv``, or ``None`` outside a project."""
    try:
        path = project_root() / DEFAULT_ITEMS
    except FileNotFoundError:
        return None
    return read_items(path, display_name=DEFAULT_ITEMS) if path.is_file() else None


def project_interventions(campuses: pd.DataFrame | None) -> pd.DataFrame | None:
    """Return the project's ``data/raw/interventions.csv``, or ``None`` outside a project."""
    try:
        path = project_root() / "data" / "raw" / "interventions.csv"
    except FileNotFoundError:
        return None
    return read_interventions(path, campuses, display_name="data/raw/interventions.csv") if path.is_file() else None


def validate_survey(path: str | os.PathLike, display_name: str | None = None) -> pd.DataFrame:
    """Check a survey file against the project's item, campus and interventions tables.

    This is what ``sosu-analysis validate`` runs for a file whose header has
    ``respondent_id``, ``item`` and ``answer``.
    """
    campuses = project_campuses()
    return read_survey(Path(path), items=project_items(), campuses=campuses,
                       interventions=project_interventions(campuses), display_name=display_name)
