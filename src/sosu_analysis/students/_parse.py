"""Shared cell parsers and problem collection for the readers in this subpackage.

Every reader reads with :func:`sosu_analysis.readers.rawtable.read_raw_table`, finds
its columns with :class:`Columns` and collects :class:`~sosu_analysis.errors.Problem`
objects with :class:`Problems`, so that one run reports every bad cell with
its file, row and column. Messages may quote a short cell (a date, a
programme code) but never a student's pseudonym or a whole row.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from ..definitions import PROGRAMME_CODES as PROGRAMMES  # the programme codes of the SOSU main courses
from ..definitions import text_key
from ..errors import InputError, Problem
from ..readers.rawtable import RawTable

# re.ASCII: only the digits 0-9 count ("５", "٣" or "²" are digits to Python's \d)
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$", re.ASCII)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)
_COUNT = re.compile(r"^(\d+|\d{1,3}(?:\.\d{3})+)$", re.ASCII)
_YES = {"yes", "ja", "1", "true", "y"}
_NO = {"no", "nej", "0", "false", "n"}


def norm(text: str) -> str:
    """Strip and NFC-normalise a cell (macOS may write 'ø' decomposed)."""
    return unicodedata.normalize("NFC", text).strip()


def key(text: str) -> str:
    """Case- and form-insensitive key for matching names ('brøndby' = 'Brøndby'), :func:`..definitions.text_key`."""
    return text_key(text)


class Problems:
    """Collects problems for one file and raises them together."""

    def __init__(self, file: str):
        self.file = file
        self.items: list[Problem] = []

    def add(self, message: str, row: int | None = None, column: str | None = None) -> None:
        self.items.append(Problem(self.file, message, row=row, column=column))

    def raise_if_any(self) -> None:
        if self.items:
            raise InputError(self.items)


class Columns:
    """Locate required and optional columns in a header, case-insensitively.

    ``header_name(name)`` gives the header text as written in the file (for
    messages); ``get(row, name)`` the normalised cell, ``""`` when the
    optional column is absent.
    """

    def __init__(self, table: RawTable, required: tuple[str, ...], optional: tuple[str, ...],
                 problems: Problems, what: str):
        found = {key(h): i for i, h in enumerate(table.header)}
        self._index: dict[str, int] = {}
        self._header = table.header
        for name in required + optional:
            if name in found:
                self._index[name] = found[name]
        missing = [n for n in required if n not in self._index]
        for name in missing:
            problems.add(f"the required column '{name}' is missing from the header "
                         f"({what} needs: {', '.join(required)})", row=1, column=name)

    def index(self, name: str) -> int:
        """Return the position of column ``name`` in the header."""
        return self._index[name]

    def has(self, name: str) -> bool:
        return name in self._index

    def header_name(self, name: str) -> str:
        return self._header[self._index[name]] if name in self._index else name

    def get(self, row: list[str], name: str) -> str:
        i = self._index.get(name)
        return "" if i is None else norm(row[i])


def parse_date(text: str) -> dt.date | None:
    """Parse ``YYYY-MM-DD`` (an XLSX date cell with a zero time is accepted); ``None`` if invalid."""
    m = _DATE.match(text)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def parse_month(text: str) -> str | None:
    """Parse an intake month ``YYYY-MM`` (or an XLSX date on day 1); return ``"YYYY-MM"`` or ``None``."""
    m = _MONTH.match(text)
    if m:
        return text if 1 <= int(m[2]) <= 12 and int(m[1]) >= 1900 else None
    d = parse_date(text)
    if d is not None and d.day == 1:
        return f"{d.year:04d}-{d.month:02d}"
    return None


def parse_yes_no(text: str) -> bool | None:
    """``yes``/``no`` (also ``ja``/``nej``, ``1``/``0``, ``true``/``false``); ``None`` if neither."""
    t = text.casefold()
    if t in _YES:
        return True
    if t in _NO:
        return False
    return None


def parse_count(text: str) -> int | None:
    """Parse a non-negative whole number; Danish thousands separators (``1.171``) are accepted."""
    if not _COUNT.match(text):
        return None
    return int(text.replace(".", ""))


def parse_programme(text: str) -> str | None:
    """Programme code, case-insensitive; ``None`` if not one of :data:`PROGRAMMES`."""
    up = text.upper()
    return up if up in PROGRAMMES else None


DATE_HINT = "expected a date written YYYY-MM-DD, e.g. 2025-04-07"
MONTH_HINT = "expected a month written YYYY-MM, e.g. 2025-04"
