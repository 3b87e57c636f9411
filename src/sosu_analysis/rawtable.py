"""Read a raw input table (CSV or XLSX) as text cells, with clear errors.

Every reader in the package starts here, so that all inputs accept the same
file variants and all errors name the file, row and column the same way:

- CSV separated by comma or semicolon (Danish exports use semicolons, since
  the comma is the decimal mark), or by tab;
- encoded as UTF-8, UTF-8 with BOM, or Windows-1252 (what Excel on a Danish
  Windows machine writes);
- XLSX (first sheet), read with openpyxl.

Cells are returned as stripped strings (``""`` for a blank) and the header is
kept as written, so messages can quote it. Row numbers are those a person sees
in an editor or a spreadsheet: the header is row 1.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, Problem

ENCODINGS = ("utf-8-sig", "cp1252")
DELIMITERS = (";", ",", "\t")


@dataclass
class RawTable:
    """A table of text cells: ``header`` and ``rows``, each row as long as the header."""

    file: str
    header: list[str]
    rows: list[list[str]]
    #: the file line (1-based, header = 1) of each entry of ``rows``
    line_numbers: list[int]

    def column(self, name: str) -> list[str]:
        i = self.header.index(name)
        return [r[i] for r in self.rows]

    def records(self) -> list[dict[str, str]]:
        return [dict(zip(self.header, r)) for r in self.rows]


def _decode(data: bytes, file: str) -> str:
    for enc in ENCODINGS:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(Problem(file, "cannot be read as text (tried UTF-8 and Windows-1252)"))


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
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


def _read_xlsx(path: Path, file: str) -> list[list[str]]:
    import openpyxl  # imported here: only XLSX inputs need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise InputError(Problem(file, f"is not a readable XLSX workbook ({type(exc).__name__})")) from None
    try:
        ws = wb.worksheets[0]
        return [
            [_cell(c.value, getattr(c, "number_format", "General")) for c in row]
            for row in ws.iter_rows()
        ]
    finally:
        wb.close()


def _looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:4096]


def read_raw_table(path: str | os.PathLike, display_name: str | None = None) -> RawTable:
    """Read ``path`` into a :class:`RawTable`.

    Raises :class:`~sosu_analysis.errors.InputError` for a missing or empty
    file, a file that is not a table, a header with blank or repeated names, or
    a row with more cells than the header.
    """
    path = Path(path)
    file = display_name or str(path)
    if not path.exists():
        raise InputError(Problem(file, "file not found"))
    if path.is_dir():
        raise InputError(Problem(file, "is a folder, not a file"))
    data = path.read_bytes()
    if not data.strip():
        raise InputError(Problem(file, "the file is empty"))

    if path.suffix.lower() in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        raw_rows = _read_xlsx(path, file)
    else:
        if _looks_binary(data):
            raise InputError(Problem(file, "is not a table: it looks like a binary file, expected CSV or XLSX"))
        text = _decode(data, file)
        first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
        delim = _sniff_delimiter(first)
        try:
            raw_rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text), delimiter=delim)]
        except csv.Error as exc:
            raise InputError(Problem(file, f"is not a readable CSV table ({exc})")) from None

    # Keep the file line number of every row, then drop rows that are wholly blank.
    numbered = [(i + 1, r) for i, r in enumerate(raw_rows) if any(c != "" for c in r)]
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
    problems: list[Problem] = []
    seen: set[str] = set()
    for name in header:
        if name == "":
            problems.append(Problem(file, "a column in the header has no name", row=header_line))
        elif name in seen:
            problems.append(Problem(file, "the column name is repeated in the header", row=header_line, column=name))
        seen.add(name)
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
    return RawTable(file=file, header=header, rows=rows, line_numbers=lines)
