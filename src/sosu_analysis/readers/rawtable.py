"""Read a raw input table (CSV or XLSX) as text cells, with clear errors.

Every reader in the package starts here, so that all inputs accept the same
file variants and all errors name the file, row and column the same way:

- CSV separated by comma or semicolon (Danish exports use semicolons, since
  the comma is the decimal mark), or by tab;
- encoded as UTF-8, UTF-8 with BOM, UTF-16 (Excel's "Unicode text"), or
  Windows-1252 (what Excel on a Danish Windows machine writes);
- XLSX (the first sheet that holds data), read with openpyxl after its zip
  directory has been checked: damaged, password-protected, larger than
  :data:`MAX_TABLE_BYTES` uncompressed or bomb-like workbooks are refused
  before anything is inflated.

Cells are returned as stripped strings (``""`` for a blank) and the header is
kept as written, so messages can quote it. Row numbers are those a person sees
in an editor or a spreadsheet: the header is row 1.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, Problem
from ..input_policy import check_csv_quotes

ENCODINGS = ("utf-8-sig", "cp1252")
DELIMITERS = (";", ",", "\t")

#: largest table read: a CSV's size on disk, an XLSX's uncompressed size (sum of its parts, read
#: from the zip directory before anything is inflated). The published table and the design tables
#: are a few kB; a student extract of 1 M students is about 60 MB as CSV.
MAX_TABLE_BYTES = 200 * 1024 * 1024
#: largest student extract (CSV, read by the vectorised reader): about 30 M students
MAX_EXTRACT_BYTES = 2 * 1024 * 1024 * 1024
#: a part of an XLSX that inflates more than this many times its packed size is taken for a zip bomb
#: (real sheets compress 5-20 times; ratios over 100 occur only for padding)
MAX_XLSX_RATIO = 100
#: parts smaller than this are not checked for their ratio (tiny XML files compress well)
_RATIO_FLOOR = 1024 * 1024
#: at most this many parts in an XLSX (a workbook has a few dozen)
MAX_XLSX_PARTS = 10_000
#: columns read from an XLSX sheet (the project's tables have at most 20)
MAX_XLSX_COLUMNS = 256
#: the first bytes of an OLE2 compound file: an encrypted (password-protected) OOXML or an old .xls
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MB = 1024 * 1024

NOT_SHOWN = "its content is not shown: it may be personal data"


@dataclass
class RawTable:
    """A table of text cells: ``header`` and ``rows``, each row as long as the header."""

    file: str
    header: list[str]
    rows: list[list[str]]
    #: the file line (1-based, header = 1) of each entry of ``rows``
    line_numbers: list[int]
    #: the XLSX sheet read (``""`` for CSV)
    sheet: str = ""

    def column(self, name: str) -> list[str]:
        """Return the cells of column ``name``."""
        i = self.header.index(name)
        return [r[i] for r in self.rows]

    def records(self) -> list[dict[str, str]]:
        """Return the rows as dicts keyed by the header."""
        return [dict(zip(self.header, r, strict=False)) for r in self.rows]


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``-be`` when every other byte of the start is NUL (text of Latin letters)."""
    head = data[:4096]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def text_encoding(data: bytes) -> str | None:
    """Return the encoding to read ``data`` with: a UTF-16 (BOM or evident), else ``None`` (try UTF-8, cp1252)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    return _utf16_without_bom(data)


def _decode(data: bytes, file: str) -> str:
    utf16 = text_encoding(data)
    if utf16:
        try:
            return data.decode(utf16).lstrip("\ufeff")
        except UnicodeDecodeError:
            raise InputError(Problem(file, "cannot be read as text: it starts like UTF-16 but is not valid "
                                           "UTF-16")) from None
    for enc in ENCODINGS:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(Problem(file, "cannot be read as text (tried UTF-8, UTF-16 and Windows-1252)"))


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _cell(value: object, number_format: str = "General") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)) and "%" in (number_format or ""):
        # A cell shown as a percentage in Excel stores the fraction (0.972 for
        # 97,2 %): give it back as the text a person sees in the sheet.
        return f"{value * 100:.10g}".replace(".", ",") + " %"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def check_file(path: Path, file: str, limit: int | None = None) -> int:
    """Refuse a missing file, a folder, or a file larger than ``limit`` bytes; return its size."""
    limit = MAX_TABLE_BYTES if limit is None else limit
    if not path.exists():
        raise InputError(Problem(file, "file not found"))
    if path.is_dir():
        raise InputError(Problem(file, "is a folder, not a file"))
    if not path.is_file():
        raise InputError(Problem(file, "is not a regular file"))
    size = path.stat().st_size
    if size > limit:
        raise InputError(Problem(file, f"the file is {size / _MB:,.0f} MB, more than the limit of {limit / _MB:,.0f} "
                                       "MB for this kind of input (see docs/decisions.md)"))
    return size


def is_xlsx(path: Path, head: bytes) -> bool:
    """Tell whether a file is to be read as a workbook: an ``.xlsx``/``.xlsm`` name, a zip, or an OLE2 container."""
    return (path.suffix.lower() in (".xlsx", ".xlsm", ".xls") or head[:4] == b"PK\x03\x04"
            or head[:8] == _OLE2_MAGIC)


def check_xlsx_container(path: Path, file: str, limit: int | None = None) -> None:
    """Refuse an encrypted, corrupt, oversized or bomb-like XLSX from its zip directory, before inflating.

    Only the central directory is read (:class:`zipfile.ZipFile` does not
    inflate on opening); :mod:`zipfile` then never inflates a part beyond the
    size its directory entry declares, so checking the declared sizes bounds
    the memory of reading the workbook.
    """
    limit = MAX_TABLE_BYTES if limit is None else limit
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head == _OLE2_MAGIC:
        raise InputError(Problem(file, "is a password-protected (encrypted) workbook or an old .xls file; save it "
                                       "without a password as .xlsx, or export it as CSV"))
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise InputError(Problem(file, "is not a readable XLSX workbook: the file is damaged or not a workbook "
                                       "(it is not a valid zip archive)")) from None
    if len(infos) > MAX_XLSX_PARTS:
        raise InputError(Problem(file, f"is not a plausible XLSX workbook: it has {len(infos):,} parts"))
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise InputError(Problem(file, "is not an XLSX workbook: the archive has no xl/workbook.xml"))
    if any(i.flag_bits & 0x1 for i in infos):
        raise InputError(Problem(file, "is an encrypted archive; save the workbook without a password"))
    total = sum(i.file_size for i in infos)
    if total > limit:
        raise InputError(Problem(file, f"the workbook inflates to {total / _MB:,.0f} MB, more than the limit of "
                                       f"{limit / _MB:,.0f} MB (see docs/decisions.md); export it as CSV or split it"))
    for i in infos:
        if i.file_size > _RATIO_FLOOR and i.file_size > MAX_XLSX_RATIO * max(i.compress_size, 1):
            raise InputError(Problem(file, f"is refused as a zip bomb: its part {i.filename} inflates "
                                           f"{i.file_size / max(i.compress_size, 1):,.0f} times (limit "
                                           f"{MAX_XLSX_RATIO})"))


def open_xlsx(path: Path, file: str):
    """Open an XLSX workbook read-only after the container guard; a damaged one is an InputError naming ``file``.

    The one way an XLSX input is opened (the general reader and the importer): the size, zip-bomb,
    encryption and OLE2 checks of :func:`check_xlsx_container` come before anything is inflated.
    """
    import openpyxl  # imported here: only XLSX inputs need it

    check_xlsx_container(path, file)
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parse error of a damaged workbook is the user's file
        raise InputError(Problem(file, f"is not a readable XLSX workbook ({type(exc).__name__})")) from None


def _read_xlsx(path: Path, file: str, header_only: bool = False) -> tuple[list[tuple[int, list[str]]], str]:
    """Non-blank rows ``(line, cells)`` of the first sheet that has any, and that sheet's name."""
    wb = open_xlsx(path, file)
    try:
        names = [ws.title for ws in wb.worksheets]
        for ws in wb.worksheets:
            rows: list[tuple[int, list[str]]] = []
            for i, row in enumerate(ws.iter_rows(max_col=MAX_XLSX_COLUMNS), start=1):
                cells = [_cell(c.value, getattr(c, "number_format", "General")) for c in row]
                if any(c != "" for c in cells):
                    rows.append((i, cells))
                    if header_only:
                        break
            if rows:
                return rows, ws.title
        raise InputError(Problem(file, "the workbook has no data on any sheet (sheets: "
                                       f"{', '.join(names) or 'none'})"))
    except InputError:
        raise
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise InputError(Problem(file, f"is not a readable XLSX workbook ({type(exc).__name__})")) from None
    finally:
        wb.close()


def _looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:4096]


def _csv_rows(text: str, delim: str, file: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    out: list[tuple[int, list[str]]] = []
    start = 1
    while True:
        try:
            r = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise InputError(Problem(file, f"a cell is longer than {csv.field_size_limit():,} characters, the "
                                               "limit for a CSV cell (is a quotation mark left open?)",
                                         row=start)) from None
            raise InputError(Problem(file, f"is not a readable CSV table ({exc})", row=start)) from None
        if any(c.strip() != "" for c in r):
            out.append((start, [c.strip() for c in r]))
        start = reader.line_num + 1
    return out


def _numbered_rows(path: Path, file: str, header_only: bool = False) -> tuple[list[tuple[int, list[str]]], str]:
    # reading only the header of a CSV costs nothing whatever its size: the student extract has its own limit
    check_file(path, file, MAX_EXTRACT_BYTES if header_only else None)
    with open(path, "rb") as fh:
        head = fh.read(8)
    if is_xlsx(path, head):
        return _read_xlsx(path, file, header_only)
    data = path.read_bytes() if not header_only else _head_bytes(path)
    if not data.strip():
        raise InputError(Problem(file, "the file is empty"))
    if text_encoding(data) is None and _looks_binary(data):
        raise InputError(Problem(file, "is not a table: it looks like a binary file, expected CSV or XLSX"))
    text = _decode(data, file)
    if header_only:
        text = _first_nonblank_lines(text)
    first = next((line for line in text.lstrip("\ufeff").splitlines() if line.strip()), "")
    delimiter = _sniff_delimiter(first)
    check_csv_quotes(text, delimiter, file)  # an unclosed quote is an error naming its row, not a silent end
    return _csv_rows(text, delimiter, file), ""


def _head_bytes(path: Path, n: int = 65536) -> bytes:
    with open(path, "rb") as fh:
        data = fh.read(n)
    if len(data) == n:  # do not cut a multi-byte character: drop the last incomplete line
        cut = data.rfind(b"\n")
        if cut > 0:
            data = data[:cut + 1]
    return data


def _first_nonblank_lines(text: str) -> str:
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.strip():
            return "".join(lines[: i + 1])
    return ""


def read_header(path: str | os.PathLike, display_name: str | None = None) -> list[str]:
    """Return the header (first non-blank row) of a table, without reading the rest of the file."""
    path = Path(path)
    file = display_name or str(path)
    numbered, _ = _numbered_rows(path, file, header_only=True)
    if not numbered:
        raise InputError(Problem(file, "the file is empty"))
    line, header = numbered[0]
    while header and header[-1] == "":
        header = header[:-1]
    check_header(header, file, line)
    return header


def header_problems(header: list[str], file: str, line: int) -> list[Problem]:
    """Problems of a header: a column without a name, a repeated name."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for name in header:
        if name == "":
            problems.append(Problem(file, "a column in the header has no name", row=line))
        elif name in seen:
            problems.append(Problem(file, "the column name is repeated in the header", row=line, column=name))
        seen.add(name)
    return problems


def check_header(header: list[str], file: str, line: int) -> None:
    """Raise :class:`InputError` for a header of fewer than two columns, or with blank or repeated names."""
    if len(header) < 2:
        raise InputError(Problem(file, "is not a table: the first line has fewer than two columns "
                                       "(expected a header such as the published table's or the student extract's)",
                                 row=line))
    problems = header_problems(header, file, line)
    if problems:
        raise InputError(problems)


def read_raw_table(path: str | os.PathLike, display_name: str | None = None) -> RawTable:
    """Read ``path`` into a :class:`RawTable`.

    Raises :class:`~sosu_analysis.errors.InputError` for a missing or empty
    file, a file that is not a table, a header with blank or repeated names, or
    a row with more cells than the header.
    """
    path = Path(path)
    file = display_name or str(path)
    numbered, sheet = _numbered_rows(path, file)
    if not numbered:
        raise InputError(Problem(file, "the file is empty"))
    header_line, header = numbered[0]
    # Trailing empty header cells (spreadsheets pad rows) are not columns.
    while header and header[-1] == "":
        header = header[:-1]
    if len(header) < 2:
        raise InputError(
            Problem(file, "is not a table: the first line has fewer than two columns "
                          "(expected a header such as the published table's or the student extract's)",
                    row=header_line)
        )
    problems = header_problems(header, file, header_line)
    rows: list[list[str]] = []
    lines: list[int] = []
    for line, r in numbered[1:]:
        extra = [c for c in r[len(header):] if c != ""]
        if extra:
            problems.append(Problem(file, f"the row has {len(r)} cells but the header has {len(header)}", row=line))
            continue
        rows.append((r + [""] * len(header))[: len(header)])
        lines.append(line)
    if problems:
        raise InputError(problems)
    return RawTable(file=file, header=header, rows=rows, line_numbers=lines, sheet=sheet)


#: largest sidecar read (a sidecar is a few hundred bytes of provenance)
MAX_SIDECAR_BYTES = 16 * 1024 * 1024


def read_json_object(path: str | os.PathLike, what: str = "sidecar") -> dict | None:
    """Read a JSON object file (a sidecar), ``None`` when there is none; fail closed otherwise.

    A file that exists but cannot be read, is not valid JSON or is not a JSON
    object is an :class:`~sosu_analysis.errors.InputError` naming it: a corrupt
    sidecar must never read as "no sidecar" (the one sidecar reader of the
    student extract, the survey and the national answers).
    """
    from .. import strict_json

    p = Path(path)
    if not p.is_file():
        return None
    try:
        if p.stat().st_size > MAX_SIDECAR_BYTES:
            raise InputError(Problem(str(p), f"the {what} is larger than {MAX_SIDECAR_BYTES // 2**20} MiB"))
        # strict JSON (finite numbers, bounded nesting, no repeated member names): the one JSON rule
        meta = strict_json.loads(p.read_bytes())
    except strict_json.StrictJSONError as exc:
        raise InputError(Problem(str(p), f"the {what} {exc}; restore it or write it anew")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(Problem(str(p), f"the {what} cannot be read ({type(exc).__name__})")) from None
    if not isinstance(meta, dict):
        raise InputError(Problem(str(p), f"the {what} must be a JSON object"))
    return meta
