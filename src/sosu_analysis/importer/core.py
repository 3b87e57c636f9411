"""Turn a school export (Z-udskrift) into the project's pseudonymous student extract.

Steps (:func:`import_export`):

1. read only the mapped columns (:mod:`.reader`; names, phone, e-mail,
   UNI-login, contact teacher and every other column are dropped at read
   time);
2. replace each CPR number by its keyed pseudonym (:mod:`.pseudonym`) at once;
3. keep main-course spells of SSA / SSH / PAU, map the campus to
   ``campuses.csv`` and the afgangsårsag to ``left`` / ``switch`` /
   ``completed`` through the mapping; a value the mapping does not know stops
   the import with **one** message listing every unknown value and its count
   (counts below 5 shown as ``< 5``), never a guess;
4. write the schema (``student_id, programme, campus, start_date, exit_date,
   exit_type``), one row per spell, and a JSON sidecar with the provenance.

Spells. A student who stops and restarts on the same programme has two
spells: one pseudonym, two rows. The analysis uses the first main-course
spell per student and programme (:func:`sosu_analysis.students.spells.first_spells`).

Switching. A ``left`` exit becomes ``switch`` when its Udmeldingsperspektiv
is listed in ``switch_destinations``, or (``switch_if_new_spell``) when the
same student has a spell on another programme at the school starting on or
after the exit date. Both are seen from inside the school only: narrower
than the ministry's *omvalg* (any education started anywhere in Denmark).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import __version__
from ..atomic import sha256_file, write_csv, write_text
from ..errors import InputError, Problem
from ..input_policy import date_window_problem, shown_values
from ..output_policy import check_output_file, claim_output, private_folder
from ..privacy import mask_message, safe_text, shown_count
from ..students._parse import key
from ..students.campuses import campus_lookup, read_campuses
from ..students.extract import EXTRACT_COLUMNS, sidecar_path
from .mapping import Mapping, load_mapping, mapping_sha256
from .pseudonym import normalise_cpr, pseudonym, read_key
from .reader import read_export

REQUIRED_FIELDS = ("cpr", "programme", "campus", "start_date", "exit_date", "exit_reason")
#: label written in the sidecar of an imported (real) extract
IMPORTED_LABEL = "IMPORTED"
SWITCH_SCOPE = "school"
#: most unknown values listed per column in the import's message (the rest are counted)
MAX_UNKNOWN_LISTED = 50

# re.ASCII: only the digits 0-9 count ("５", "٣" or "²" are digits to Python's \d)
_DMY = re.compile(r"^(\d{1,2})[-./](\d{1,2})[-./](\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$", re.ASCII)
_YMD = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$", re.ASCII)


def parse_export_date(text: str) -> dt.date | None:
    """``DD-MM-YYYY`` (also ``.`` or ``/``), or ``YYYY-MM-DD`` (an XLSX date cell); ``None`` if invalid."""
    m = _DMY.match(text)
    try:
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        m = _YMD.match(text)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
    return None


@dataclass
class ImportResult:
    """What an import found; ``extract`` is ``None`` when unknown values or row problems stop it."""

    source: str
    n_rows_in: int = 0
    dropped: Counter = field(default_factory=Counter)
    unknown: dict[str, Counter] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    extract: pd.DataFrame | None = None
    used_columns: dict[str, str] = field(default_factory=dict)
    dropped_columns: list[str] = field(default_factory=list)
    cpr_digits: int | None = None
    #: salted tokens of the export's dropped identifier columns (never shown; see input_policy.shown_values)
    identifier_tokens: frozenset[str] = frozenset()
    extract_date: str = ""
    n_restarts: int = 0
    n_switch_from_destination: int = 0
    n_switch_from_new_spell: int = 0
    #: warnings about where the output was written (a folder others may enter)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing stops the import (no unknown value, no row problem)."""
        return not self.problems and not any(self.unknown.values())

    def unknown_problem(self) -> Problem | None:
        """One problem listing every unknown value and its count (``< 5`` below 5), or ``None``."""
        parts = []
        titles = {"main_course": "main-course values (mapping key main_course.main / main_course.other)",
                  "programme": "programmes (mapping key programmes.SSA / SSH / PAU / ignore)",
                  "campus": "campuses (data/raw/campuses.csv names or aliases, or mapping key campuses)",
                  "exit_reason": "afgangsårsager (mapping key exit_reasons.left / switch / completed)"}
        for what, counts in self.unknown.items():
            if counts:
                # only values that look like codes are listed: a name, login, e-mail, phone, CPR number or a
                # value of a dropped identifier column (a mapping naming the wrong column) is counted, not shown
                shown, n_hidden = shown_values(counts, self.identifier_tokens)
                listed = sorted(shown.items())
                # each value escaped and bounded by the message policy (privacy.safe_text), at most 50 listed
                items = [f"'{safe_text(v)}': {shown_count(n)}" for v, n in listed[:MAX_UNKNOWN_LISTED]]
                if len(listed) > MAX_UNKNOWN_LISTED:
                    items.append(f"… and {len(listed) - MAX_UNKNOWN_LISTED} more values")
                if n_hidden:
                    items.append(f"{shown_count(n_hidden)} row(s) with values not shown because they look like "
                                 "personal data (a name, login, e-mail, phone or CPR number): does the mapping "
                                 f"name the right column for {what}?")
                parts.append(f"  unknown {titles[what]}: {'; '.join(items)}")
        if not parts:
            return None
        return Problem(self.source, "values not in the mapping; add each to the mapping (the school decides what it "
                                    "means), nothing was written:\n" + "\n".join(parts))

    def report(self) -> str:
        """Return the dry-run report: counts in and out, dropped columns, unknown values (no personal data)."""
        lines = [f"export: {self.source}",
                 f"rows read: {shown_count(self.n_rows_in)}"]
        for why, n in sorted(self.dropped.items()):
            lines.append(f"rows left out ({why}): {shown_count(n)}")
        if self.extract is not None:
            lines.append(f"spells written: {shown_count(len(self.extract))} "
                         f"({shown_count(self.extract['student_id'].nunique())} students; "
                         f"restarts on the same programme: {shown_count(self.n_restarts)})")
        lines.append("columns used: " + ", ".join(f"{k} = '{v}'" for k, v in self.used_columns.items()))
        lines.append("columns dropped at read time: " + (", ".join(self.dropped_columns) or "none"))
        unknown = self.unknown_problem()
        lines.append(mask_message(unknown.message) if unknown
                     else "all programmes, campuses and codes are in the mapping")
        if self.problems:
            lines.append(f"row problems: {len(self.problems)} (listed as errors)")
        return "\n".join(lines)


def _campus_lookup(mapping: Mapping, campuses: pd.DataFrame, mapping_file: str) -> dict[str, str]:
    lookup = campus_lookup(campuses)
    problems = []
    for value, campus in mapping.campuses.items():
        if key(campus) not in lookup:
            problems.append(Problem(mapping_file, f"key 'campuses.{value}': '{campus}' is not a campus (or alias) of "
                                                  f"{campuses.attrs.get('file', 'campuses.csv')}"))
        else:
            lookup[key(value)] = lookup[key(campus)]
    if problems:
        raise InputError(problems)
    return lookup


def convert(path: str | os.PathLike, mapping: Mapping, secret: bytes, campuses: pd.DataFrame, *,
            display_name: str | None = None, mapping_file: str = "mapping",
            upper: dt.date | None = None) -> ImportResult:
    """Read an export and convert it to the schema in memory (nothing is written).

    Returns
    -------
    ImportResult
        ``extract`` holds the schema rows when ``ok``. ``problems`` lists row
        problems (bad CPR or date, exit without reason, ...) with file, row and
        column; a value is never quoted. ``unknown`` counts values the mapping
        lacks.
    """
    cols = mapping.columns
    spec = {f: getattr(cols, f) for f in (*REQUIRED_FIELDS, "main_course", "destination") if getattr(cols, f)}
    rows = read_export(path, spec, REQUIRED_FIELDS, display_name)
    res = ImportResult(source=rows.file, n_rows_in=len(rows.lines), used_columns=rows.used,
                       dropped_columns=rows.dropped_columns, identifier_tokens=rows.identifier_tokens)
    upper_what = (f"the extract date {upper.isoformat()} (--extract-date)" if upper
                  else f"today ({dt.date.today().isoformat()})")
    upper = upper or dt.date.today()
    res.unknown = {"main_course": Counter(), "programme": Counter(), "campus": Counter(), "exit_reason": Counter()}
    lookup = _campus_lookup(mapping, campuses, mapping_file)
    prog_of = mapping.programme_of()
    cat_of = mapping.exit_category_of()
    main_keys = {key(v) for v in mapping.main_course.main}
    other_keys = {key(v) for v in mapping.main_course.other}
    switch_dest = {key(v) for v in mapping.switch_destinations}
    v = rows.values
    # 1. CPR -> pseudonym at once; the digits are not kept
    pids: list[str | None] = []
    lengths = set()
    for i, line in enumerate(rows.lines):
        digits = normalise_cpr(v["cpr"][i])
        v["cpr"][i] = ""
        if digits is None:
            res.problems.append(Problem(rows.file, "not a CPR number (expected 10 digits, with or without dash, 9 if "
                                                   "a spreadsheet dropped the leading zero, or 6); the value is not "
                                                   "shown", line, rows.used["cpr"]))
            pids.append(None)
        else:
            lengths.add(10 if len(digits) == 10 else 6)
            pids.append(pseudonym(digits, secret))
    del v["cpr"]
    if len(lengths) > 1:
        res.problems.append(Problem(rows.file, "the CPR column mixes 10-digit and 6-digit numbers; export one "
                                               "length (10 digits link students reliably)", None, rows.used["cpr"]))
    res.cpr_digits = next(iter(lengths)) if len(lengths) == 1 else None
    # 2. every spell (for restarts and switches), then the kept ones
    spells: dict[str, list[tuple[str, dt.date]]] = {}
    kept = []
    for i, line in enumerate(rows.lines):
        prog_raw = v["programme"][i]
        start = parse_export_date(v["start_date"][i])
        if pids[i] is not None and start is not None:
            spells.setdefault(pids[i], []).append((key(prog_raw), start))  # type: ignore[arg-type]
        if "main_course" in v:
            mc = key(v["main_course"][i])
            if mc in other_keys:
                res.dropped["not a main-course spell"] += 1
                continue
            if mc not in main_keys:
                res.unknown["main_course"][v["main_course"][i]] += 1
                continue
        if key(prog_raw) not in prog_of:
            res.unknown["programme"][prog_raw] += 1
            continue
        programme = prog_of[key(prog_raw)]
        if not programme:
            res.dropped["programme outside the analysis"] += 1
            continue
        campus_raw = v["campus"][i]
        campus = lookup.get(key(campus_raw))
        if campus is None:
            res.unknown["campus"][campus_raw] += 1
        exit_text, reason = v["exit_date"][i], v["exit_reason"][i]
        category = cat_of.get(key(reason)) if reason else ""
        if reason and category is None:
            res.unknown["exit_reason"][reason] += 1
        if start is None:
            res.problems.append(Problem(rows.file, "the start date is missing or not a date (expected DD-MM-YYYY)",
                                        line, rows.used["start_date"]))
        elif why := date_window_problem(start, upper, "start date", upper_what):  # the window of validate
            res.problems.append(Problem(rows.file, why, line, rows.used["start_date"]))
        exit_ = parse_export_date(exit_text) if exit_text else None
        if exit_ is not None and (why := date_window_problem(exit_, upper, "exit date", upper_what)):
            res.problems.append(Problem(rows.file, why, line, rows.used["exit_date"]))
        if exit_text and exit_ is None:
            res.problems.append(Problem(rows.file, "the exit date is not a date (expected DD-MM-YYYY or empty)",
                                        line, rows.used["exit_date"]))
        if start and exit_ and exit_ < start:
            res.problems.append(Problem(rows.file, "the exit date is before the start date", line,
                                        rows.used["exit_date"]))
        if exit_text and not reason:
            res.problems.append(Problem(rows.file, "an exit date is given but the afgangsårsag is empty", line,
                                        rows.used["exit_reason"]))
        if reason and not exit_text and category != "completed":
            res.problems.append(Problem(rows.file, "an afgangsårsag is given but the exit date is empty", line,
                                        rows.used["exit_date"]))
        dest = key(v["destination"][i]) if "destination" in v else ""
        kept.append((line, pids[i], programme, key(prog_raw), campus, start, exit_ if exit_text else None,
                     category or "", dest))
    del rows
    if not res.ok:
        return res
    # 3. exits and switches; duplicates
    out = []
    seen: dict[tuple, tuple] = {}
    for line, pid, programme, prog_key, campus, start, exit_, category, dest in kept:
        assert pid is not None and start is not None and campus is not None  # else a problem stopped it above
        if category and exit_ is None:  # a completion code without a date: take it as no exit yet
            category = ""
        if category == "left" and dest and dest in switch_dest:
            category = "switch"
            res.n_switch_from_destination += 1
        elif category == "left" and exit_ is not None and mapping.switch_if_new_spell and any(
                p != prog_key and s >= exit_ for p, s in spells.get(pid, [])):
            category = "switch"
            res.n_switch_from_new_spell += 1
        record = (pid, programme, campus, start.isoformat(), exit_.isoformat() if exit_ else "", category)
        k = (pid, programme, start)
        if k in seen:
            if seen[k] != record:
                res.problems.append(Problem(res.source, "two spells of one student on the same programme with the "
                                                        "same start date disagree (exit date, type or campus)", line))
            else:
                res.dropped["exact duplicate of another row"] += 1
            continue
        seen[k] = record
        out.append(record)
    if res.problems:
        return res
    frame = pd.DataFrame(out, columns=list(EXTRACT_COLUMNS))
    frame = frame.sort_values(["start_date", "programme", "campus", "student_id"], kind="mergesort")
    frame = frame.reset_index(drop=True)
    res.n_restarts = int(frame.duplicated(["student_id", "programme"]).sum())
    res.extract = frame
    return res


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes (:func:`sosu_analysis.atomic.sha256_file`)."""
    return sha256_file(path)


def latest_date(extract: pd.DataFrame) -> str:
    """Return the latest start or exit date of an extract (``YYYY-MM-DD``), ``""`` if empty."""
    dates = [d for d in (*extract["start_date"], *extract["exit_date"]) if d]
    return max(dates) if dates else ""


def sidecar(res: ImportResult, export: Path, mapping_path: Path, out: Path, extract_date: str,
            extract_date_source: str) -> dict:
    """Return the provenance of an import: no personal data, only names, hashes and counts."""
    assert res.extract is not None
    return {
        "label": IMPORTED_LABEL,
        "warning": "Real student data, pseudonymized: personal data under GDPR. Keep in data/raw/private/.",
        "generator": "sosu_analysis.importer",
        "generator_version": __version__,
        "source_file": export.name,
        "source_sha256": file_sha256(export),
        "mapping_file": mapping_path.name,
        "mapping_sha256": mapping_sha256(mapping_path),
        "output_file": out.name,
        "extract_date": extract_date,
        "extract_date_source": extract_date_source,
        "rows_in": res.n_rows_in,
        "rows_out": int(len(res.extract)),
        "students_out": int(res.extract["student_id"].nunique()),
        "restarts": res.n_restarts,
        "rows_left_out": dict(sorted(res.dropped.items())),
        "switch_from_destination": res.n_switch_from_destination,
        "switch_from_new_spell": res.n_switch_from_new_spell,
        "cpr_digits": res.cpr_digits,
        "columns_used": res.used_columns,
        "dropped_columns": res.dropped_columns,
        "switch_seen_from": SWITCH_SCOPE,
        "pseudonym": "HMAC-SHA256 with the school's secret key (not stored here)",
    }


def import_export(export: str | os.PathLike, mapping_path: str | os.PathLike, key_file: str | os.PathLike,
                  out: str | os.PathLike | None, campuses: str | os.PathLike | pd.DataFrame, *,
                  dry_run: bool = False, extract_date: str = "") -> ImportResult:
    """Import ``export`` into ``out`` (and ``out`` with ``.json``: the sidecar).

    Parameters
    ----------
    export : path-like
        The Z-udskrift (CSV or XLSX).
    mapping_path : path-like
        Mapping YAML (:mod:`.mapping`).
    key_file : path-like
        Secret key (outside the project, mode 0600).
    out : path-like or None
        Output CSV (``data/raw/private/NAME.csv``); ``None`` only with ``dry_run``.
    campuses : path-like or DataFrame
        The campus table.
    dry_run : bool
        Convert and report, write nothing; unknown values are reported, not raised.
    extract_date : str
        Date the export was taken (``YYYY-MM-DD``); default its latest date.

    Raises
    ------
    sosu_analysis.errors.InputError
        Mapping, key or file problems; without ``dry_run`` also unknown values
        (one problem listing them) and row problems. Nothing is written then.
    """
    export, mapping_path = Path(export), Path(mapping_path)
    mapping = load_mapping(mapping_path, mapping_path.name)
    secret = read_key(key_file)
    camp = campuses if isinstance(campuses, pd.DataFrame) else read_campuses(campuses)
    if extract_date and parse_export_date(extract_date) is None:
        raise InputError(Problem("--extract-date", "expected a date written YYYY-MM-DD"))
    given = parse_export_date(extract_date) if extract_date else None
    if out is not None and not dry_run:  # the output policy, before any work: nothing is written when refused
        out = Path(out)
        if out.suffix.lower() != ".csv":
            raise InputError(Problem(str(out), "the output must be a .csv file"))
        inputs = [export, mapping_path, campuses if not isinstance(campuses, pd.DataFrame) else None]
        for dest in (out, sidecar_path(out)):
            check_output_file(dest, "--out", inputs=inputs, keys=[key_file])
    res = convert(export, mapping, secret, camp, display_name=export.name, mapping_file=mapping_path.name,
                  upper=given)
    if dry_run:
        return res
    unknown = res.unknown_problem()
    if unknown or res.problems:
        raise InputError(([unknown] if unknown else []) + res.problems)
    if out is None:
        raise ValueError("out is required unless dry_run")
    assert res.extract is not None
    out = Path(out)
    date = given.isoformat() if given else latest_date(res.extract)
    res.extract_date = date
    meta = sidecar(res, export, mapping_path, out, date, "given (--extract-date)" if extract_date
                   else "latest start or exit date in the export")
    with claim_output(out, "--out"):  # a second import on the same output stops at once, naming the first
        res.warnings = private_folder(out.parent)
        # personal data: mode 0600 from the start, both files written atomically (nothing partial)
        write_csv(out, res.extract, mode=0o600)
        write_text(sidecar_path(out), json.dumps(meta, ensure_ascii=False, indent=2) + "\n", mode=0o600)
    return res
