"""The one input policy shared by ``import``, ``validate``, ``run --students``, the survey and ``fetch`` (issue 20).

- **CPR rule** (:func:`cpr_digits`, :func:`looks_like_cpr`): a cell that
  *is* a CPR number (10 digits, ``DDMMYY-NNNN`` with a dash or blank, 9 digits
  when a spreadsheet dropped the leading zero, Excel's float form
  ``102031234.0``) and text that *contains* one. One scan over the
  characters, no regular expression: linear time on any input.
- **Identifier rule** (:func:`identifier_kind`): a value used as a
  pseudonymous id that is a CPR number, an e-mail address, a phone number or
  a person's name is refused (named by row and column, never quoted).
- **Date window** (:data:`MIN_DATE`, :func:`date_window_problem`): a start
  or exit date before 2000-01-01 or after the extract date (today when none
  is given) is an error, in every reader.
- **Unicode digits** (:func:`has_non_ascii_digit`): ``²``, ``٣`` or ``５``
  are digits to Python's ``str.isdigit``/``int`` but not to the project: a
  number must be written with ASCII digits.
- **CSV quoting** (:func:`unclosed_quote_line`): a quotation mark left open
  swallows the rest of the file into one cell (Python's :mod:`csv` ends the
  file silently); it is an error naming the row where the quote opened,
  whichever column it is in (also a column that is dropped unread).
- **YAML** (:func:`load_yaml`): every YAML file the package reads (config,
  import mapping, survey mapping, saved query) goes through one safe loader
  that refuses aliases (a "billion laughs" bomb), caps the file size, the
  node count and the digits of a number, before anything is built.
- The **XLSX guard** and size rule are :func:`sosu_analysis.readers.rawtable.check_file`
  and :func:`~sosu_analysis.readers.rawtable.check_xlsx_container`, applied by
  every reader including the importer's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import yaml

from .errors import InputError, Problem

# ---- CPR -----------------------------------------------------------------------------------------

_DIGITS = frozenset("0123456789")
_CPR_SEPARATORS = frozenset("- /")


def _strip_excel_float(text: str) -> str:
    t = text.strip()
    if t.endswith((".0", ",0")) and t[:-2].isascii() and t[:-2].isdigit():
        return t[:-2]
    return t


def _plausible_birth_date(six: str) -> bool:
    """``DDMMYY``: day 1-31, month 1-12 (the CPR's first six digits)."""
    return 1 <= int(six[0:2]) <= 31 and 1 <= int(six[2:4]) <= 12


def cpr_digits(text: str, *, allow_six: bool = False) -> str | None:
    """Return the 10 digits of a cell that is a CPR number, else ``None`` (linear time, no regex).

    Accepted forms: ``0102031234``, ``010203-1234`` (dash, blank or slash),
    ``102031234`` (a spreadsheet dropped the leading zero; padded back) and
    the same as an Excel float ``102031234.0``. With ``allow_six`` a 6-digit
    cell (an export printing birth dates only) is returned as its 6 digits.

    >>> cpr_digits("010203-1234"), cpr_digits("102031234.0"), cpr_digits("12345")
    ('0102031234', '0102031234', None)
    """
    t = _strip_excel_float(text)
    if not t.isascii():
        return None
    if len(t) == 11 and t[6] in _CPR_SEPARATORS and t[:6].isdigit() and t[7:].isdigit():
        return t[:6] + t[7:]
    if not t.isdigit():
        return None
    if len(t) == 10:
        return t
    if len(t) == 9:
        return "0" + t
    if len(t) == 6 and allow_six:
        return t
    return None


def _digit_runs(text: str) -> list[tuple[int, int]]:
    """Start and end of every maximal run of ASCII digits (one pass)."""
    runs, start = [], -1
    for i, ch in enumerate(text):
        if ch in _DIGITS:
            if start < 0:
                start = i
        elif start >= 0:
            runs.append((start, i))
            start = -1
    if start >= 0:
        runs.append((start, len(text)))
    return runs


def looks_like_cpr(text: str) -> bool:
    """Tell whether ``text`` is or contains a CPR number (linear time).

    True for: a run of exactly 10 digits; six digits, one dash, blank or slash,
    and four digits (not part of longer digit runs); and a whole cell of 9
    digits (or its Excel float form) whose zero-padded first six digits are a
    birth date: a CPR whose leading zero a spreadsheet dropped.

    >>> looks_like_cpr("id 010203-1234"), looks_like_cpr("102031234"), looks_like_cpr("S000001")
    (True, True, False)
    """
    t = _strip_excel_float(text)
    if len(t) == 9 and t.isascii() and t.isdigit() and _plausible_birth_date("0" + t[:5]):
        return True
    runs = _digit_runs(t)
    for k, (a, b) in enumerate(runs):
        if b - a == 10:
            return True
        if b - a == 6 and k + 1 < len(runs):
            c, d = runs[k + 1]
            if c == b + 1 and t[b] in _CPR_SEPARATORS and d - c == 4:
                return True
    return False


#: the same rule for pyarrow's RE2 engine (linear time), used only as a fast pre-filter of a large
#: extract: every value it selects is then checked with :func:`looks_like_cpr`
CPR_PREFILTER_RE2 = r"[0-9]{6}"


# ---- identifiers (respondent ids, student ids) ------------------------------------------------------

def _is_email(text: str) -> bool:
    at = text.find("@")
    return 0 < at < len(text) - 3 and "." in text[at + 1:] and " " not in text


def _is_phone(text: str) -> bool:
    """Eight digits, optionally after +45 / 0045, written whole, 4-4 or 2-2-2-2 (blank or dash)."""
    t = text.strip()
    for prefix in ("+45", "0045"):
        if t.startswith(prefix):
            t = t[len(prefix):].lstrip(" -")
    groups = t.replace("-", " ").split(" ")
    sizes = [len(g) for g in groups]
    return sizes in ([8], [4, 4], [2, 2, 2, 2]) and all(g.isascii() and g.isdigit() for g in groups)


def _is_name(text: str) -> bool:
    """Two to five words of letters, each a capital then small letters (``Anne Hansen``, ``Lærke Østergaard``)."""
    words = text.split()
    return 2 <= len(words) <= 5 and all(len(w) >= 2 and w[0].isupper() and w[1:].replace("-", "").islower()
                                        and w.replace("-", "").isalpha() for w in words)


def _is_login(text: str) -> bool:
    """Tell whether ``text`` is UNI-login-like: 2-8 small ASCII letters, then 2-6 digits (``meje1234``)."""
    letters = len(text) - len(text.lstrip("abcdefghijklmnopqrstuvwxyz"))
    rest = text[letters:]
    return 2 <= letters <= 8 and 2 <= len(rest) <= 6 and rest.isascii() and rest.isdigit()


def identifier_kind(text: str) -> str | None:
    """Return the personal identifier a value used as a pseudonymous id is (``None`` when none).

    Returns ``"CPR number"``, ``"e-mail address"``, ``"phone number"`` or
    ``"name"``; linear time.
    """
    t = text.strip()
    if looks_like_cpr(t):
        return "CPR number"
    if _is_email(t):
        return "e-mail address"
    if _is_phone(t):
        return "phone number"
    if _is_name(t):
        return "name"
    return None


def personal_kind(text: str) -> str | None:
    """Return the personal datum a value found where a code was expected looks like (``None``: a code).

    :func:`identifier_kind`, and also a UNI-login, any run of six or more
    digits, and text over 60 characters. An unknown-value list shows a value
    only when this is ``None``.
    """
    t = text.strip()
    if len(t) > 60:
        return "long text"
    kind = identifier_kind(t)
    if kind:
        return kind
    if _is_login(t):
        return "login"
    if any(b - a >= 6 for a, b in _digit_runs(t)):
        return "number"
    return None


#: header words of identifier columns (names, contact data, logins, CPR): their values are never shown
IDENTIFIER_HEADER_WORDS = ("navn", "name", "mail", "login", "tlf", "telefon", "mobil", "phone", "adresse",
                           "address", "cpr", "personnummer", "kontaktlærer", "lærer")


def is_identifier_header(header: str) -> bool:
    """Tell whether a column header names a personal identifier (``Elevnavn``, ``UNI-login``, ``Email``, ...)."""
    h = header.strip().casefold()
    return any(w in h for w in IDENTIFIER_HEADER_WORDS)


def shown_values(counts: dict[str, int], hidden: set[str] | frozenset[str] = frozenset()) -> tuple[dict[str, int],
                                                                                                 int]:
    """Split unknown values into those a message may show and the count of hidden ones.

    A value is hidden when :func:`personal_kind` finds a personal datum in it
    or its normalised form is in ``hidden`` (values of the dropped identifier
    columns, see :func:`value_token`). Returns ``(shown counts, number of rows
    with a hidden value)``.
    """
    shown: dict[str, int] = {}
    n_hidden = 0
    for value, n in counts.items():
        if personal_kind(value) or value_token(value) in hidden:
            n_hidden += n
        else:
            shown[value] = n
    return shown, n_hidden


_TOKEN_SALT = secrets.token_bytes(16)


def value_token(value: str) -> str:
    """Return a salted hash of a value's normalised form (the salt lives only in this process): compare, never store."""
    return hashlib.blake2b(" ".join(value.split()).casefold().encode("utf-8"), key=_TOKEN_SALT,
                           digest_size=16).hexdigest()


# ---- numbers and dates ----------------------------------------------------------------------------

def has_non_ascii_digit(text: str) -> bool:
    """Tell whether ``text`` holds a digit that is not ASCII ``0``-``9`` (``²``, ``٣``, ``５``)."""
    return any(not ch.isascii() and (ch.isdigit() or ch.isnumeric()) for ch in text)


#: no date of a main-course start or exit before this is plausible (SOSU H was formed in 2018)
MIN_DATE = dt.date(2000, 1, 1)


def date_window_problem(date: dt.date, upper: dt.date, what: str, upper_what: str) -> str | None:
    """Return the message for a date outside ``[MIN_DATE, upper]``, or ``None`` (one window for every reader)."""
    if date < MIN_DATE:
        return f"the {what} is before {MIN_DATE.isoformat()}, which is not plausible"
    if date > upper:
        return f"the {what} is after {upper_what}; it cannot lie after the day the data were taken"
    return None


# ---- CSV quoting ----------------------------------------------------------------------------------

def unclosed_quote_line(text: str, delimiter: str) -> int | None:
    """Return the 1-based line where a quoted field opens and never closes, else ``None`` (one pass).

    A field is quoted when ``"`` is its first character (the rule of
    :mod:`csv` with the default dialect); inside it ``""`` is a quote
    character. A quote elsewhere in a field is a plain character. The scan
    jumps from quote to quote with :meth:`str.find` (C speed); Python work is
    spent only on quotation marks.
    """
    starts = (delimiter, "\n", "\r")
    i, n = 0, len(text)
    while True:
        j = text.find('"', i)
        if j < 0:
            return None
        if j > 0 and text[j - 1] not in starts:
            i = j + 1  # a quote inside an unquoted field: a plain character
            continue
        k = j + 1  # inside the quoted field: find its closing quote ("" is an escaped quote)
        while True:
            k = text.find('"', k)
            if k < 0:
                return text.count("\n", 0, j) + 1
            if k + 1 < n and text[k + 1] == '"':
                k += 2
                continue
            break
        i = k + 1


def check_csv_quotes(text: str, delimiter: str, file: str) -> None:
    """Raise :class:`InputError` naming the row where a quotation mark is left open."""
    line = unclosed_quote_line(text, delimiter)
    if line is not None:
        raise InputError(Problem(file, "a quotation mark opens a cell here and is never closed, so the rest of the "
                                       "file would be read as one cell; close the quote or remove it (nothing was "
                                       "read)", row=line))


# ---- YAML -----------------------------------------------------------------------------------------

#: largest YAML file read (config, mappings, saved queries are a few kB)
MAX_YAML_BYTES = 1024 * 1024
#: most nodes in one YAML document
MAX_YAML_NODES = 100_000
#: longest plain scalar read as a number in YAML; a longer one is read as text (a seed < 2^32 has 10 digits)
MAX_YAML_DIGITS = 40


class YamlRefused(yaml.YAMLError):
    """A YAML document the safe loader refuses (alias, too many nodes, an over-long number)."""

    def __init__(self, problem: str, mark=None):
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


class SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases, with a node cap and a digit cap (see the module notes)."""

    def __init__(self, stream):
        super().__init__(stream)
        self._nodes = 0

    def compose_node(self, parent, index):
        """Compose one node, refusing aliases and anchors and counting nodes."""
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise YamlRefused("aliases (*name) are not allowed in this file; write the value out", event.start_mark)
        event = self.peek_event()
        if getattr(event, "anchor", None):
            raise YamlRefused("anchors (&name) are not allowed in this file; write the value out", event.start_mark)
        self._nodes += 1
        if self._nodes > MAX_YAML_NODES:
            raise YamlRefused(f"more than {MAX_YAML_NODES:,} values; this is not a plausible file", event.start_mark)
        if isinstance(event, yaml.ScalarEvent) and len(event.value) > MAX_YAML_DIGITS and event.style is None \
                and event.value.lstrip("+-.")[:1].isdigit():
            # an over-long number stays text: the schema then names its key ("must be of type int")
            # instead of Python's int() failing beyond 4300 digits with a traceback
            event.implicit = (False, True)
        return super().compose_node(parent, index)


def check_yaml_size(size: int, file: str) -> None:
    """Refuse a YAML text of ``size`` bytes (or characters) over :data:`MAX_YAML_BYTES` before it is parsed."""
    if size > MAX_YAML_BYTES:
        raise InputError(Problem(file, f"the file is larger than {MAX_YAML_BYTES // 1024} kB, not a plausible "
                                       "config, mapping or query"))


def load_yaml(text: str, file: str, loader: type[SafeLoader] = SafeLoader) -> object:
    """Parse one YAML document with :class:`SafeLoader`; :class:`InputError` naming file and line on any fault."""
    check_yaml_size(len(text), file)
    ld = loader(text)
    try:
        return ld.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(Problem(file, f"not valid YAML ({getattr(exc, 'problem', None) or exc})",
                                 row=mark.line + 1 if mark else None)) from None
    except (ValueError, RecursionError) as exc:  # int() over 4300 digits, nesting beyond the stack
        raise InputError(Problem(file, f"not a readable YAML file ({type(exc).__name__})")) from None
    finally:
        ld.dispose()


def read_yaml_file(path, file: str | None = None) -> object:
    """Read and parse a YAML file through :func:`load_yaml` (size checked before reading it whole)."""
    from pathlib import Path

    p = Path(path)
    file = file or str(path)
    try:
        size = p.stat().st_size
    except OSError:
        raise InputError(Problem(file, "file not found")) from None
    check_yaml_size(size, file)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(Problem(file, "is not UTF-8 text")) from None
    return load_yaml(text, file)
