"""Where student-level files may lie: real extracts only in ``data/raw/private/`` (git-ignored).

:func:`student_file_kind` tells from a file's first line alone whether it
holds student-level data (the extract schema, or a Z-udskrift with a CPR or
student-name column); :func:`private_location_warning` is what ``validate``
prints for a real extract outside ``data/raw/private/``.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from pathlib import Path

from ..students._parse import key

PRIVATE_DIR = Path("data/raw/private")
SYNTHETIC_DIR = Path("data/raw/synthetic")
#: header names that mark a school export (any one is enough)
Z_UDSKRIFT_MARKERS = ("cpr", "cpr-nr", "cpr-nr.", "cpr-nummer", "cprnr", "personnummer", "elevnavn", "uni-login",
                      "kontaktlærer")
_TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".dat")


def _first_line(path: Path) -> list[str] | None:
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            import openpyxl

            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                for row in wb.worksheets[0].iter_rows(values_only=True, max_row=20):
                    cells = ["" if v is None else str(v) for v in row]
                    if any(cells):
                        return cells
            finally:
                wb.close()
            return None
        if suffix not in _TEXT_SUFFIXES:
            return None
        with open(path, "rb") as fh:
            data = fh.read(64 * 1024)
    except (OSError, ValueError, KeyError):
        return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    else:
        text = data.decode("utf-8-sig", errors="replace")
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    delim = max(";,\t|", key=line.count)
    return next(csv.reader(io.StringIO(line), delimiter=delim), [])


def student_file_kind(path: str | os.PathLike) -> str | None:
    """Tell ``"student extract"``, ``"Z-udskrift"`` or ``None`` from the header (first non-blank line) only."""
    header = _first_line(Path(path))
    if not header:
        return None
    names = {key(h) for h in header}
    if {"student_id", "start_date"} <= names:
        return "student extract"
    if names & set(Z_UDSKRIFT_MARKERS):
        return "Z-udskrift"
    return None


def private_location_warning(path: str | os.PathLike, root: str | os.PathLike | None = None) -> str | None:
    """Return a warning if ``path`` is a real student file outside ``data/raw/private/``, else ``None``."""
    from ..paths import project_root
    from ..students.extract import synthetic_label

    path = Path(path)
    kind = student_file_kind(path)
    if kind is None or (kind == "student extract" and synthetic_label(path)):
        return None
    try:
        base = Path(root) if root else project_root()
    except FileNotFoundError:
        base = None
    if base is not None:
        try:
            path.resolve().relative_to((base / PRIVATE_DIR).resolve())
            return None
        except ValueError:
            pass
    return (f"warning: {path} looks like a real {kind} (student-level personal data) but lies outside "
            f"{PRIVATE_DIR}/, the only git-ignored folder for it; move it there so it cannot be committed")
