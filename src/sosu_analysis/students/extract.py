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

import csv
import datetime as dt
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..errors import InputError, Problem
from ..input_policy import CPR_PREFILTER_RE2, MIN_DATE, looks_like_cpr
from ..readers.rawtable import (
    DELIMITERS,
    MAX_EXTRACT_BYTES,
    MAX_TABLE_BYTES,
    RawTable,
    check_file,
    check_header,
    is_xlsx,
    read_json_object,
    read_raw_table,
    text_encoding,
)
from ..readers.validation import Kind, register
from ._parse import DATE_HINT, PROGRAMMES, Columns, Problems, key, norm, parse_date, parse_programme
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

def sidecar_path(path: str | os.PathLike) -> Path:
    """Return the JSON sidecar of an extract: same name, ``.json``."""
    return Path(path).with_suffix(".json")


def read_sidecar(path: str | os.PathLike) -> dict | None:
    """Return the JSON sidecar of an extract (or survey file) as a dict, ``None`` when there is none.

    Fails closed: a sidecar that exists but cannot be read, is not valid JSON or
    is not a JSON object is an :class:`~sosu_analysis.errors.InputError` naming
    the sidecar, never "no sidecar" (a corrupt synthetic label would otherwise
    present synthetic data as the school's, and a corrupt import record would
    drop the report's caveat on switching).
    """
    return read_json_object(sidecar_path(path), f"sidecar of {Path(path).name}")


def synthetic_label(path: str | os.PathLike) -> dict | None:
    """Return the synthetic-data label of an extract, or ``None`` for a (presumed) real one.

    A file is synthetic if its sidecar ``<name>.json`` says ``"label":
    "SYNTHETIC"`` (the metadata is returned) or its name contains
    ``synthetic``. A sidecar that does not parse is an
    :class:`~sosu_analysis.errors.InputError` (:func:`read_sidecar`).
    """
    path = Path(path)
    meta = read_sidecar(path)
    if meta is not None and meta.get("label") == "SYNTHETIC":
        return meta
    if "synthetic" in path.name.lower():
        return {"label": "SYNTHETIC"}
    return None


#: at most this many problems are listed per file; the rest are counted
MAX_REPORTED = 200
_NOT_SHOWN = "(value not shown: it may be personal data)"


def _cells_table(path: Path, file: str) -> tuple[list[str], pa.Table, np.ndarray]:
    """Header, the data cells as an Arrow table of strings, and the file line of each row.

    A plain CSV (no quotation marks, no blank lines, every row as long as the
    header) is parsed by pyarrow; anything else (XLSX, quoted fields, ragged
    rows, blank lines) by :func:`read_raw_table`, which gives the same cells
    and every message about the file's shape.
    """
    check_file(path, file, MAX_EXTRACT_BYTES)
    with open(path, "rb") as fh:
        head = fh.read(8)
    if not is_xlsx(path, head):
        fast = _fast_csv(path, file)
        if fast is not None:
            return fast
    if path.stat().st_size > MAX_TABLE_BYTES:
        raise InputError(Problem(file, f"the file is larger than {MAX_TABLE_BYTES // 2**20} MB and is an XLSX or "
                                       "has quoted fields, blank lines or ragged rows, which only the small-file "
                                       "reader handles; export it as plain CSV"))
    table = read_raw_table(path, file)
    n = len(table.header)
    cols = [pa.array([r[i] for r in table.rows], type=pa.string()) for i in range(n)]
    return table.header, pa.table(cols, names=[f"c{i}" for i in range(n)]), np.asarray(table.line_numbers,
                                                                                       dtype=np.int64)


def _has_empty_line(data: bytes) -> bool:
    r"""Tell whether ``data`` has an empty line (``\\n\\n`` or ``\\n\\r\\n``), vectorised over the bytes."""
    if data.startswith((b"\n", b"\r\n")):
        return True
    arr = np.frombuffer(data, dtype=np.uint8)
    nl = np.flatnonzero(arr == 10)
    if len(nl) < 2:
        return False
    gaps = np.diff(nl)
    return bool((gaps == 1).any() or ((gaps == 2) & (arr[nl[:-1] + 1] == 13)).any())


def _fast_csv(path: Path, file: str) -> tuple[list[str], pa.Table, np.ndarray] | None:
    """Parse a plain CSV with pyarrow; ``None`` when its shape needs the careful reader."""
    data = path.read_bytes()
    if not data[:65536].strip():
        return None
    enc = text_encoding(data)
    if enc is None and b"\x00" in data[:4096]:
        return None  # the careful reader words the refusal
    if enc is not None:
        data = data.decode(enc).lstrip("\ufeff").encode("utf-8")
    elif data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if _has_empty_line(data):
        return None  # empty lines (pyarrow skips them): the careful reader keeps the line numbers
    end = data.find(b"\n")
    if end >= 0 and data.find(b'"', end) >= 0:
        return None  # quoted fields may span lines: the careful reader keeps the line numbers
    first_bytes = data if end < 0 else data[:end]
    try:
        first = first_bytes.decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        first = first_bytes.decode("cp1252", errors="replace").rstrip("\r")
    delim = max(DELIMITERS, key=first.count) if any(d in first for d in DELIMITERS) else ","
    try:
        cells = next(csv.reader([first], delimiter=delim))  # a header may be quoted ("student_id",...)
    except (csv.Error, StopIteration):
        return None
    header = [c.strip() for c in cells]
    while header and header[-1] == "":
        header = header[:-1]
    check_header(header, file, 1)
    width = len(cells)
    names = [f"c{i}" for i in range(width)]
    def parse(raw: bytes) -> pa.Table:
        return pacsv.read_csv(
            pa.BufferReader(raw),
            # one thread: on a shared, loaded machine pyarrow's threads cost more than they give
            read_options=pacsv.ReadOptions(skip_rows=1, column_names=names, block_size=1 << 24, use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=delim, quote_char=False, newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )

    try:
        table = parse(data)  # pyarrow checks that the text is UTF-8
    except pa.ArrowInvalid:
        try:  # not UTF-8: Windows-1252, what Excel on a Danish Windows machine writes
            table = parse(data.decode("cp1252").encode("utf-8"))
        except (pa.ArrowInvalid, UnicodeDecodeError):
            return None
    del data
    if width > len(header):
        extra = table.select(names[len(header):])
        if any(pc.any(pc.not_equal(pc.utf8_trim_whitespace(c), "")).as_py() for c in extra.columns):
            return None
        table = table.select(names[:len(header)])
    lines = np.arange(2, table.num_rows + 2, dtype=np.int64)
    # Rows of delimiters only are skipped, as the careful reader does. Only rows whose
    # first cell is blank can be such rows, so the other columns are looked at only then.
    maybe = pc.equal(pc.utf8_trim_whitespace(table.column(0)), "").to_numpy(zero_copy_only=False)
    if maybe.any():
        idx = np.flatnonzero(maybe)
        sub = table.take(pa.array(idx))
        blank = np.ones(len(idx), dtype=bool)
        for c in sub.columns:
            blank &= pc.equal(pc.utf8_trim_whitespace(c), "").to_numpy(zero_copy_only=False)
        if blank.any():
            keep = np.ones(table.num_rows, dtype=bool)
            keep[idx[blank]] = False
            table, lines = table.filter(pa.array(keep)), lines[keep]
    return header, table, lines


def _per_unique(column: pa.ChunkedArray, *fns) -> list[np.ndarray]:
    """Each ``(fn, dtype)`` of ``fns`` applied to each distinct value only, spread back to every row.

    Dates, programmes, campuses and exit types take few distinct values, so
    checking each once is what makes a million rows fast.
    """
    encoded = pc.dictionary_encode(column).combine_chunks()
    uniques = encoded.dictionary.to_pylist()
    idx = encoded.indices.to_numpy(zero_copy_only=False)
    return [np.array([fn(v) for v in uniques], dtype=dtype)[idx] for fn, dtype in fns]


class _RowProblems:
    """Row problems found by vectorised checks: masks first, messages only for the failing rows."""

    def __init__(self, file: str, lines: np.ndarray):
        self.file = file
        self.lines = lines
        self.found: list[tuple[int, int, Problem]] = []
        self.failing = np.zeros(len(lines), dtype=bool)
        self._order = 0

    def add(self, mask: np.ndarray, column: str, message) -> None:
        """Record ``message`` (a string, or a function of the row position) for every row where ``mask``."""
        self._order += 1
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        self.failing[idx] = True
        for i in idx[:MAX_REPORTED]:
            text = message(int(i)) if callable(message) else message
            self.found.append((int(self.lines[i]), self._order,
                               Problem(self.file, text, row=int(self.lines[i]), column=column)))
        if len(idx) > MAX_REPORTED:
            self.found.append((int(self.lines[idx[MAX_REPORTED]]), self._order, Problem(
                self.file, f"... and {len(idx) - MAX_REPORTED:,} more rows with this problem", column=column)))

    def problems(self) -> list[Problem]:
        """Return the problems in file order, the first :data:`MAX_REPORTED` of them and a count."""
        ordered = [p for _, _, p in sorted(self.found, key=lambda t: (t[0], t[1]))]
        if len(ordered) > MAX_REPORTED:
            rest = len(ordered) - MAX_REPORTED
            ordered = ordered[:MAX_REPORTED] + [Problem(self.file, f"... {rest:,} more problems not listed; "
                                                        f"{int(self.failing.sum()):,} rows have problems")]
        return ordered


_NAT = np.datetime64("NaT", "D")


def _day(text: str) -> np.datetime64:
    d = parse_date(norm(text))
    return _NAT if d is None else np.datetime64(d, "D")


def read_extract(path: str | os.PathLike, campuses: pd.DataFrame | str | os.PathLike | None = None,
                 display_name: str | None = None, *, extract_date=None) -> pd.DataFrame:
    """Read and validate a student extract.

    Parameters
    ----------
    path : path-like
        CSV (comma, semicolon or tab; UTF-8, BOM, UTF-16 or Windows-1252) or XLSX.
    campuses : pandas.DataFrame or path-like, optional
        The campus table (:func:`~sosu_analysis.students.campuses.read_campuses`).
        When given, every campus must be in it; aliases are replaced by the
        campus name.
    display_name : str, optional
        Name used for the file in messages.
    extract_date : date-like, optional
        The date the extract was taken. No start or exit may lie after it;
        without it, none may lie after today.

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
        Listing the problems (the first :data:`MAX_REPORTED`, then a count)
        with file, row (header = row 1) and column: missing columns, an empty
        file, a CPR-like or empty ``student_id``, unknown programme, campus or
        ``exit_type``, a bad date, a date before :data:`MIN_DATE` or after
        the extract date (today when none is given), an exit before the
        start, an exit date without type or a type without date, and a
        repeated ``student_id`` + ``programme`` + ``start_date``. No message
        contains a value of the file's data rows.

    Notes
    -----
    Every check is a vectorised mask over the whole column (values that
    repeat, such as dates and campus names, are parsed once per distinct
    value); messages are built only for the rows that fail.
    """
    campuses = as_campuses(campuses)
    path = Path(path)
    file = display_name or str(path)
    given = extract_date not in (None, "")
    upper = _as_date(extract_date) if given else dt.date.today()
    header, cells, lines = _cells_table(path, file)
    problems = Problems(file)
    cols = Columns(RawTable(file=file, header=header, rows=[], line_numbers=[]), EXTRACT_COLUMNS, (), problems,
                   "a student extract")
    problems.raise_if_any()
    if cells.num_rows == 0:
        problems.add("the file has a header but no students", row=1)
        problems.raise_if_any()
    upper_what = (f"the extract date {upper.isoformat()} (config key extract_date)" if given
                  else f"today ({upper.isoformat()}; no extract_date is set)")
    name = cols.header_name
    col = {c: cells.column(cols.index(c)) for c in EXTRACT_COLUMNS}
    rp = _RowProblems(file, lines)

    sid = pc.utf8_trim_whitespace(col["student_id"])
    sid_empty = pc.equal(sid, "").to_numpy(zero_copy_only=False)
    rp.add(sid_empty, name("student_id"), "the student_id is empty")
    # the one CPR rule (input_policy.looks_like_cpr); RE2 (linear time) only pre-selects the ids worth checking
    maybe = np.flatnonzero(pc.match_substring_regex(sid, CPR_PREFILTER_RE2).to_numpy(zero_copy_only=False))
    cpr = np.zeros(len(sid_empty), dtype=bool)
    if len(maybe):
        cpr[maybe] = [looks_like_cpr(v) for v in sid.take(pa.array(maybe)).to_pylist()]
    rp.add(cpr, name("student_id"), "the student_id looks like a CPR number (10 digits, with a dash, or 9 digits "
                                    "after a spreadsheet dropped the leading zero); the extract must identify "
                                    "students by a pseudonym only (the value is not shown)")

    (prog_code,) = _per_unique(col["programme"], (lambda v: PROGRAMMES.index(p) if (p := parse_programme(norm(v)))
                                                  else -1, np.int8))
    rp.add(prog_code < 0, name("programme"), f"unknown programme {_NOT_SHOWN}; expected one of {', '.join(PROGRAMMES)}")

    lookup = campus_lookup(campuses) if campuses is not None else {}
    canon = sorted(set(lookup.values()))
    campus_blank, camp_code = _per_unique(
        col["campus"], (lambda v: norm(v) == "", bool),
        (lambda v: canon.index(lookup[key(v)]) if key(v) in lookup else -1, np.int32))
    rp.add(campus_blank, name("campus"), "the campus is empty")
    if campuses is not None:
        where = campuses.attrs.get("file", "the campus table")
        rp.add((camp_code < 0) & ~campus_blank, name("campus"),
               f"unknown campus {_NOT_SHOWN}; it is not in {where}, whose campuses are "
               f"{', '.join(campuses['campus'])} (add it there, or as an alias)")
        campus_out = pa.DictionaryArray.from_arrays(pa.array(np.maximum(camp_code, 0)), pa.array(canon)).cast(
            pa.string())
    else:
        campus_out = pc.utf8_normalize(pc.utf8_trim_whitespace(col["campus"]), "NFC")

    start_d, start_blank = _per_unique(col["start_date"], (_day, "datetime64[D]"), (lambda v: norm(v) == "", bool))
    rp.add(np.isnat(start_d) & start_blank, name("start_date"), f"the start_date is empty; {DATE_HINT}")
    rp.add(np.isnat(start_d) & ~start_blank, name("start_date"), f"{DATE_HINT} {_NOT_SHOWN}")
    exit_d, exit_blank = _per_unique(col["exit_date"], (_day, "datetime64[D]"), (lambda v: norm(v) == "", bool))
    exit_given = ~exit_blank
    rp.add(exit_given & np.isnat(exit_d), name("exit_date"), f"{DATE_HINT} or empty {_NOT_SHOWN}")
    lo, hi = np.datetime64(MIN_DATE, "D"), np.datetime64(upper, "D")
    rp.add(start_d < lo, name("start_date"), f"the start_date is before {MIN_DATE.isoformat()}, which is not "
                                             "plausible (a typo in the year?)")
    rp.add(start_d > hi, name("start_date"), f"the start_date is after {upper_what}; a start cannot lie after "
                                             "the date the extract was taken")
    rp.add(exit_d < lo, name("exit_date"), f"the exit_date is before {MIN_DATE.isoformat()}, which is not plausible")
    rp.add(exit_d > hi, name("exit_date"), f"the exit_date is after {upper_what}; an exit cannot lie after the "
                                           "date the extract was taken")
    rp.add(exit_d < start_d, name("exit_date"), "the exit_date is before the start_date")

    kinds = ("", *EXIT_TYPES)
    (type_code,) = _per_unique(col["exit_type"], (lambda v: kinds.index(t) if (t := norm(v).lower()) in kinds
                                                  else -1, np.int8))
    type_given = type_code != 0
    rp.add(type_code < 0, name("exit_type"),
           f"unknown exit_type {_NOT_SHOWN}; expected empty, {', '.join(EXIT_TYPES[:-1])} or {EXIT_TYPES[-1]}")
    rp.add(exit_given & ~type_given, name("exit_type"), "an exit_date is given but the exit_type is empty")
    rp.add(type_given & ~exit_given, name("exit_date"), "an exit_type is given but the exit_date is empty")

    complete = ~sid_empty & (prog_code >= 0) & ~np.isnat(start_d)
    # Duplicates: sorting the ids finds the few rows whose id repeats (cheaper than hashing a million
    # distinct strings); only those are compared on id, programme and start date, in file order.
    n = len(sid_empty)
    order = pc.sort_indices(sid).to_numpy(zero_copy_only=False)
    ordered = sid.take(pa.array(order))
    equal_next = pc.equal(ordered.slice(1), ordered.slice(0, n - 1)).to_numpy(zero_copy_only=False) if n > 1 \
        else np.zeros(0, dtype=bool)
    repeated = np.zeros(n, dtype=bool)
    repeated[1:] |= equal_next
    repeated[:-1] |= equal_next
    cand = np.sort(order[repeated])
    cand = cand[complete[cand]]
    if len(cand):
        sub = pd.DataFrame({"sid": sid.take(pa.array(cand)).to_pylist(), "programme": prog_code[cand],
                            "start": start_d[cand]})
        dup_sub = sub.duplicated(keep="first").to_numpy()
        if dup_sub.any():
            group = sub.groupby(["sid", "programme", "start"], sort=False).ngroup().to_numpy()
            first_of = pd.Series(cand).groupby(group).transform("min").to_numpy()
            dup = np.zeros(n, dtype=bool)
            dup[cand[dup_sub]] = True
            first_pos = np.zeros(n, dtype=np.int64)
            first_pos[cand] = first_of
            rp.add(dup, name("student_id"), lambda i: f"the same student_id, programme and start_date as row "
                                                      f"{lines[first_pos[i]]} (a duplicate)")
    found = rp.problems()
    if found:
        raise InputError(found)
    out = pa.table({
        "student_id": sid,
        "programme": pa.DictionaryArray.from_arrays(pa.array(prog_code), pa.array(PROGRAMMES)).cast(pa.string()),
        "campus": campus_out,
        "start_date": pa.array(start_d.astype("datetime64[s]")),
        "exit_date": pa.array(exit_d.astype("datetime64[s]")),
        "exit_type": pa.DictionaryArray.from_arrays(pa.array(type_code), pa.array(kinds)).cast(pa.string()),
    })
    frame = out.to_pandas()
    frame.attrs["file"] = file
    frame.attrs["synthetic"] = synthetic_label(path)
    return frame


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


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
        codes, uniques = pd.factorize(out["campus"])  # each distinct name looked up once
        canon = [lookup.get(key(str(u))) for u in uniques]
        unknown = sorted(str(u) for u, c in zip(uniques, canon, strict=True) if c is None)
        if unknown:
            raise ValueError(f"campuses not in the campus table: {', '.join(unknown)}")
        out["campus"] = pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(canon).unique())
                                  if len(set(canon)) == len(canon) else np.asarray(canon, dtype=object)[codes],
                                  index=out.index).astype("str")
    start = out["start_date"].to_numpy().astype("datetime64[D]")
    n_unobserved = 0
    if as_of is not None:
        observed = add_months(start, int(horizon_months)) <= np.datetime64(pd.Timestamp(as_of).date(), "D")
        n_unobserved = int((~observed).sum())
        out = out.loc[observed]
        start = start[observed]
    month = start.astype("datetime64[M]")
    m_codes, m_uniques = pd.factorize(month)
    out["intake"] = pd.Series(pd.Categorical.from_codes(
        m_codes, categories=pd.Index(np.datetime_as_string(np.asarray(m_uniques, dtype="datetime64[M]")))),
        index=out.index).astype("str")
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
