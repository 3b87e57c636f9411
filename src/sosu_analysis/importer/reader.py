"""Read a school export keeping only the mapped columns: everything else is dropped at read time.

CSV in any common delimiter (``;``, ``,``, tab, ``|``; sniffed from the
header line) and encoding (UTF-16 with BOM, UTF-8 with or without BOM,
Windows-1252), or XLSX (first sheet, openpyxl read-only). Cells of columns
the mapping does not name (Elevnavn, Tlf, Email, UNI-login, Kontaktlærer, ...)
are never stored: each row is cut down to the mapped columns as it is read.
Only the *names* of the dropped columns are kept, for the sidecar.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, Problem
from ..input_policy import check_csv_quotes, is_identifier_header, value_token
from ..readers.rawtable import MAX_XLSX_COLUMNS, check_file, is_xlsx, open_xlsx
from ..students._parse import key, norm

_DELIMITERS = ";,\t|"


@dataclass
class ExportRows:
    """The mapped columns of an export: ``values[field][i]`` is row ``lines[i]`` (header = row 1)."""

    file: str
    #: schema field -> header name as written in the export
    used: dict[str, str]
    dropped_columns: list[str]
    values: dict[str, list[str]]
    lines: list[int]
    #: salted tokens (:func:`sosu_analysis.input_policy.value_token`) of the values of dropped identifier
    #: columns (names, logins, e-mails, ...): a mapped cell holding one of them is never shown in a message
    identifier_tokens: frozenset[str] = frozenset()


def _decode(data: bytes, file: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(Problem(file, "cannot be read as text (tried UTF-16, UTF-8 and Windows-1252)"))


def _sniff(first_line: str) -> str:
    try:
        return csv.Sniffer().sniff(first_line, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        counts = {d: first_line.count(d) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ";"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return norm(str(value))


def _xlsx_rows(path: Path, file: str):
    # the general reader's guard (size, zip bomb, encrypted, OLE2, damaged zip) before anything is inflated
    wb = open_xlsx(path, file)
    try:
        for row in wb.worksheets[0].iter_rows(values_only=True, max_col=MAX_XLSX_COLUMNS):
            yield [_cell(v) for v in row]
    except InputError:
        raise
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise InputError(Problem(file, f"is not a readable XLSX workbook ({type(exc).__name__})")) from None
    finally:
        wb.close()


def _rows(path: Path, file: str):
    check_file(path, file)  # the general reader's size rule
    with open(path, "rb") as fh:
        head = fh.read(8)
    if is_xlsx(path, head):
        yield from _xlsx_rows(path, file)
        return
    data = path.read_bytes()
    if not data.strip():
        raise InputError(Problem(file, "the file is empty"))
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(Problem(file, "is not a table: it looks like a binary file, expected CSV or XLSX"))
    text = _decode(data, file)
    del data
    stripped = text.lstrip("\ufeff")
    first = next((ln for ln in stripped.splitlines() if ln.strip()), "")
    delimiter = _sniff(first)
    # an unclosed quote (in any column, also one dropped unread) is an error naming its row, never a silent end
    check_csv_quotes(stripped, delimiter, file)
    reader = csv.reader(io.StringIO(stripped), delimiter=delimiter)
    try:
        for row in reader:
            yield [norm(c) for c in row]
    except csv.Error as exc:
        raise InputError(Problem(file, f"is not a readable CSV table (line {reader.line_num}: {exc})")) from None


def read_export(path: str | os.PathLike, columns: dict[str, list[str]], required: tuple[str, ...],
                display_name: str | None = None) -> ExportRows:
    """Read the columns named in ``columns`` (schema field -> header alternatives) and nothing else.

    Raises
    ------
    sosu_analysis.errors.InputError
        File missing or empty, not CSV/XLSX, or a required column not found in
        the first line. The first line is never quoted (a file saved without
        its header row would show a student's data).
    """
    path = Path(path)
    file = display_name or path.name
    if not path.is_file():
        raise InputError(Problem(file, "file not found"))
    rows = _rows(path, file)
    header: list[str] | None = None
    header_line = 0
    for number, row in enumerate(rows, start=1):
        if any(row):
            header, header_line = row, number
            break
    if header is None:
        raise InputError(Problem(file, "the file is empty"))
    index = {key(h): i for i, h in reversed(list(enumerate(header))) if h}
    used: dict[str, str] = {}
    take: dict[str, int] = {}
    problems = []
    for field, names in columns.items():
        hit = next((n for n in names if key(n) in index), None)
        if hit is not None:
            take[field] = index[key(hit)]
            used[field] = header[index[key(hit)]]
        elif field in required:
            problems.append(Problem(file, f"no column for mapping key 'columns.{field}' in the first line (looked "
                                          f"for: {', '.join(names)}); correct the mapping, or check that the file "
                                          "starts with its header row (the line is not shown: without a header it "
                                          "would hold a student's data)", row=header_line))
    if problems:
        raise InputError(problems)
    kept = set(take.values())
    dropped = [h for i, h in enumerate(header) if i not in kept and h]
    ident = [i for i, h in enumerate(header) if i not in kept and h and is_identifier_header(h)]
    tokens: set[str] = set()
    values: dict[str, list[str]] = {f: [] for f in take}
    lines: list[int] = []
    width = len(header)
    for line, row in enumerate(rows, start=header_line + 1):
        if not any(row):
            continue
        if len(row) > width and any(row[width:]):
            raise InputError(Problem(file, f"the row has {len(row)} cells but the header has {width}", row=line))
        for f, i in take.items():
            values[f].append(row[i] if i < len(row) else "")
        for i in ident:  # only a salted token is kept, never the value
            if i < len(row) and row[i]:
                tokens.add(value_token(row[i]))
                tokens.update(value_token(w) for w in row[i].split() if len(w) > 1)  # a first name alone
        lines.append(line)
        del row
    return ExportRows(file=file, used=used, dropped_columns=dropped, values=values, lines=lines,
                      identifier_tokens=frozenset(tokens))
