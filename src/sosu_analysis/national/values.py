"""The statistics API's values: every one is a Danish-formatted string.

The documentation (REAL_DATA.md §2) says measures come as ``"2.351"`` (2351: the
dot groups thousands), ``"7,3"`` (7.3: the comma is the decimal mark) and
``"100,0 %"`` (100.0 percent). Counts and one-decimal shares go through the
project's own parsers in :mod:`sosu_analysis.danish`, so a share is kept as
whole tenths of a percent and compared exactly; other decimals (wellbeing scores)
are parsed here. A JSON number (should the service ever send one) is accepted
as it is. ``None`` and ``""`` are *blank*: not published, never zero.
"""

from __future__ import annotations

import math
import re

from ..danish import parse_count, parse_pct_tenths

#: longest value text parsed (a count or share of the project has a handful of digits; a 5000-digit text is
#: refused before Python's int() is asked to build it)
MAX_VALUE_CHARS = 32
#: largest count accepted (more than the population of Denmark: not a count of students)
MAX_COUNT = 10**8

_DECIMAL = re.compile(r"^(?P<sign>[+-]?)(?P<int>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<frac>\d+))?\s*%?$")


def is_blank(value: object) -> bool:
    """Tell whether a value means *not published* (``None``, ``""`` or only spaces)."""
    return value is None or (isinstance(value, str) and value.strip() == "")


def _shown(value: object) -> str:
    """Quote a value for a message: its repr, cut to 40 characters (the message policy masks the rest)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _check_length(value: object) -> None:
    """Refuse a value whose text is longer than :data:`MAX_VALUE_CHARS` (before it is parsed)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4 * MAX_VALUE_CHARS:
        raise ValueError(f"a number of more than {MAX_VALUE_CHARS} digits")
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        raise ValueError(f"a value of {len(value)} characters ({_shown(value)}), not a number")


def parse_count_value(value: object) -> int:
    """Parse a whole count: ``"2.351"`` -> 2351, ``"7"`` -> 7, a JSON integer as it is.

    Raises
    ------
    ValueError
        For anything else (``"7,3"``, ``"abc"``, ``-1``), with a message naming the value.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a whole number")
    _check_length(value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        number = parse_count(value)
    else:
        raise ValueError(f"{_shown(value)} is not a whole number (Danish format, e.g. 2.351)")
    if number < 0:
        raise ValueError(f"{value!r} is negative; a count cannot be below 0")
    if number > MAX_COUNT:
        raise ValueError(f"{_shown(value)} is larger than {MAX_COUNT:,}; not a count of students")
    return number


def parse_share_tenths(value: object) -> int:
    """Parse a share with at most one decimal, in tenths of a percent: ``"100,0 %"`` -> 1000, ``"7,3"`` -> 73.

    Raises
    ------
    ValueError
        For more than one decimal, a value outside 0-100 % or text that is not a number.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a percentage")
    _check_length(value)
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or abs(value) > 100:
            raise ValueError(f"{_shown(value)} is outside 0-100 %")
        tenths = round(10 * float(value))
        if not math.isclose(tenths, 10 * float(value), abs_tol=1e-9):
            raise ValueError(f"{value!r} has more than one decimal; the published tables print one")
    elif isinstance(value, str):
        tenths = parse_pct_tenths(value)
    else:
        raise ValueError(f"{value!r} is not a percentage (Danish format, e.g. 97,2 %)")
    if not 0 <= tenths <= 1000:
        raise ValueError(f"{value!r} is outside 0-100 %")
    return tenths


def parse_decimal(value: object) -> float:
    """Parse any Danish decimal: ``"7,3"`` -> 7.3, ``"2.351"`` -> 2351.0, ``"72,45 %"`` -> 72.45.

    A dot is always the thousands separator (groups of three digits), so
    ``"7.3"`` is refused rather than read as seven and three tenths.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    _check_length(value)
    if isinstance(value, (int, float)):
        if not math.isfinite(float(value)) or abs(value) > MAX_COUNT:
            raise ValueError(f"{_shown(value)} is not a finite number of a plausible size")
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a number (Danish format, e.g. 7,3)")
    text = value.replace("\u00a0", " ").strip()
    m = _DECIMAL.match(text.replace(" ", "") if "%" not in text else text)
    if not m:
        raise ValueError(f"'{value}' is not a number (Danish format, e.g. 2.351 or 7,3)")
    whole = int(m.group("int").replace(".", ""))
    frac = m.group("frac") or ""
    number = whole + (int(frac) / 10 ** len(frac) if frac else 0.0)
    return -number if m.group("sign") == "-" else number
