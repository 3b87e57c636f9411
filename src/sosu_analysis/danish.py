"""Danish numbers: reading the ministry's formats, and the one formatter for everything shown in Danish.

``1.171`` is one thousand one hundred seventy-one (the dot groups thousands);
``97,2 %`` is 97.2 percent (the comma is the decimal mark). Percentages read
from the published tables are kept as whole tenths of a percent (``972``), so
that comparisons with a recomputed share are exact rational arithmetic, not
floating point.

Every number shown in Danish (the lead's report, Danish figure labels and
axes, Danish sentences) is formatted by the functions below:
:func:`number`, :func:`count`, :func:`percent`, :func:`points`,
:func:`p_value`, :func:`interval` and :func:`span`; matplotlib's tick labels
call :func:`number` through :class:`sosu_analysis.reporting.plotting.AxisFormatter`
(this module imports no plotting library, so statistics may use it). They

- round **half up**, as the ministry rounds its published shares (2,25 ->
  2,3), on the shortest decimal representation of the float (``repr``), with
  :class:`decimal.Decimal` and ``ROUND_HALF_UP``; Python's own formatting and
  babel both round half to even (babel: 2,25 -> 2,2), so the rounding is done
  here and only the already rounded digits are written out;
- take the decimal comma and the thousands point from babel's ``da_DK`` locale
  (CLDR; asked once, see :func:`_digits`, which writes what babel's
  ``format_decimal`` writes), and put a non-breaking space before ``%`` as
  babel's Danish percent pattern does (``97\u00a0%``), so that a number never
  breaks from its sign;
- write a minus as U+2212 (``−4,2``), the typographic minus (babel's Danish
  minus symbol is the hyphen), and never print ``−0,0``.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cache

LOCALE = "da_DK"
#: the non-breaking space between a number and ``%`` (babel's Danish percent pattern has it)
NBSP = "\u00a0"
#: the typographic minus sign
MINUS = "\u2212"
#: the unit of a difference between two percentages, as the report writes it
POINTS = "procentpoint"

# re.ASCII: only the digits 0-9 count ("５", "٣" or "²" are digits to Python's \d)
_INT = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)$", re.ASCII)
_PCT = re.compile(r"^(?P<num>[+-]?\d+(?:[.,]\d+)?)\s*%?$", re.ASCII)


def parse_count(text: str) -> int:
    """Parse a Danish integer count: ``"1.171"`` -> 1171, ``"207"`` -> 207.

    Raises ``ValueError`` with a message a person can act on. Spaces (also the
    non-breaking space some exports use as thousands separator) are ignored.
    """
    s = text.replace("\u00a0", "").replace(" ", "")
    if not _INT.match(s):
        raise ValueError(f"'{text}' is not a whole number (Danish format, e.g. 1.171)")
    return int(s.replace(".", ""))


def parse_pct_tenths(text: str) -> int:
    """Parse a Danish percentage with at most one decimal into tenths of a percent.

    ``"97,2 %"`` -> 972, ``"2,8%"`` -> 28, ``"3 %"`` -> 30. A dot is accepted as
    the decimal mark too (``"97.2"``), since a percentage never has a
    thousands separator. More than one decimal is refused: the published
    tables print one.
    """
    s = text.replace("\u00a0", " ").strip()
    m = _PCT.match(s)
    if not m:
        raise ValueError(f"'{text}' is not a percentage (Danish format, e.g. 97,2 %)")
    num = m.group("num").replace(",", ".")
    whole, _, frac = num.partition(".")
    if len(frac) > 1:
        raise ValueError(f"'{text}' has more than one decimal; the published tables print one")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 10 + (int(frac) if frac else 0))


def round_half_up_tenths(count: int, n: int) -> int:
    """``100 * count / n`` rounded half up to whole tenths of a percent, exactly."""
    x = Fraction(1000 * count, n)
    return int((x + Fraction(1, 2)).__floor__())


#: Danish separators -> English ones ("1.171,3" -> "1,171.3"); the rounding stays half up
_TO_ENGLISH = str.maketrans(",.", ".,")


def number(x: float, decimals: int = 1, *, sign: bool = False, grouping: bool = True,
           language: str = "da") -> str:
    """Format a number the Danish way, rounded half up: 2.25 -> ``"2,3"``, 1171 -> ``"1.171"``.

    ``language="en"`` gives the same rounding with English separators
    (``"2.3"``, ``"1,171"``): the one formatter of English prose and English
    tables too, since Python's f-strings round half to even (``f"{2.25:.1f}"``
    is ``"2.2"``) and would disagree with the table beside the sentence.

    Parameters
    ----------
    x : float
        The value (NaN and infinities are refused: a sentence must not show them).
    decimals : int
        Decimals shown (``0`` for none).
    sign : bool
        Show ``+`` before a positive value (``"+1,5"``).
    grouping : bool
        Group thousands with a point (``False`` for years and other labels).

    Returns
    -------
    str
        E.g. ``"17,4"``, ``"−4,2"`` (U+2212), ``"1.171"``; a value that rounds
        to zero is ``"0,0"``, never ``"−0,0"``.

    Notes
    -----
    The value is rounded on its shortest decimal representation
    (``repr(0.125) == "0.125"`` -> ``"0,13"``), so a number that prints as a
    tie is rounded up as a person would, although its binary value may lie
    just below the tie. Rounding is half up away from zero (−2,25 -> −2,3),
    as :class:`decimal.Decimal` ``ROUND_HALF_UP`` does.
    """
    value = float(x)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"cannot format {x!r} as a Danish number")
    q = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if q == 0:
        q = abs(q)
    text = _digits(abs(q), grouping)
    if language == "en":
        text = text.translate(_TO_ENGLISH)
    elif language != "da":
        raise ValueError(f"language must be 'da' or 'en', got {language!r}")
    if q < 0:
        return MINUS + text
    return ("+" + text) if sign and q > 0 else text


@cache
def _symbols() -> tuple[str, str]:
    """Return the decimal mark and the thousands separator of babel's ``da_DK`` locale (CLDR): ``(",", ".")``."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    return get_decimal_symbol(LOCALE), get_group_symbol(LOCALE)


def _digits(q: Decimal, grouping: bool) -> str:
    """Write a non-negative, already rounded ``q`` with CLDR da_DK's separators, groups of three.

    What babel's ``format_decimal(q, format="#,##0.0…", locale="da_DK")`` writes
    for such a ``q`` (tests/test_danish.py compares the two over many values),
    without babel's pattern parsing and locale lookups on every call: a replay
    of a national answer formats thousands of numbers (written here for speed,
    not because babel is wrong). ``q`` is exact at its places, so there is
    nothing left to round; ``f"{q:f}"`` gives every one of them and no exponent.
    """
    mark, group = _symbols()
    whole, _, frac = f"{q:f}".partition(".")
    if grouping and len(whole) > 3:
        head = len(whole) % 3 or 3
        whole = whole[:head] + "".join(group + whole[i:i + 3] for i in range(head, len(whole), 3))
    return whole + mark + frac if frac else whole


def number_en(x: float, decimals: int = 1, *, sign: bool = False, grouping: bool = True) -> str:
    """Format a number for English prose: :func:`number` with ``language="en"`` (2.25 -> ``"2.3"``, half up).

    A missing value is written ``n/a`` and an infinite one ``∞`` / ``−∞`` (as the
    English tables show them), where an f-string would have printed ``nan``.
    """
    value = float(x)
    if value != value:
        return "n/a"
    if value in (float("inf"), float("-inf")):
        return ("∞" if value > 0 else MINUS + "∞")
    return number(value, decimals, sign=sign, grouping=grouping, language="en")


def count(n: int) -> str:
    """Format a count the Danish way: 1171 -> ``"1.171"``."""
    if int(n) != n:
        raise ValueError(f"a count must be a whole number, got {n!r}")
    return number(int(n), 0)


def percent(x: float, decimals: int = 1, *, sign: bool = False) -> str:
    """Format a percentage (0-100 scale): 17.4 -> ``"17,4\u00a0%"`` (non-breaking space)."""
    return f"{number(x, decimals, sign=sign)}{NBSP}%"


def points(x: float, decimals: int = 1, *, sign: bool = False) -> str:
    """Format a difference of percentages: 4.2 -> ``"4,2 procentpoint"``."""
    return f"{number(x, decimals, sign=sign)} {POINTS}"


def p_value(p: float, decimals: int = 3, floor: float = 0.001, language: str = "da") -> str:
    """Format a p-value: ``"p = 0,043"``, or ``"p < 0,001"`` below ``floor`` (``language="en"``: ``0.043``)."""
    if p < floor:
        return f"p < {number(floor, max(decimals, 3), language=language)}"
    return f"p = {number(p, decimals, language=language)}"


def confidence_level(alpha: float, language: str = "da") -> str:
    """Return the confidence level of intervals computed at ``alpha``: 0.05 -> ``"95\u00a0%"``, 0.10 -> ``"90\u00a0%"``.

    The one place a level is written: every "95 %" in a sentence, label or
    title comes from here, so it follows the run's ``alpha``. ``language="en"``
    writes a decimal point and an ordinary space (``"97.5 %"``), ``"da"`` a
    decimal comma and a non-breaking space (``"97,5\u00a0%"``). Decimals are
    shown only as far as the level has them (``99,75 %`` at alpha 0.0025).
    """
    a = float(alpha)
    if not 0 < a < 1:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    # 100 * (1 - alpha) in decimal, to 9 places: 1 - 0.95 (= 0.050000000000000044) gives 95, not 95,000…
    exact = (100 - Decimal(repr(a)).scaleb(2)).quantize(Decimal("1e-9")).normalize()
    level = float(exact)
    exponent = exact.as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 1  # as many as the level has: 97.5, 99.75
    if language == "da":
        return percent(level, decimals)
    if language == "en":
        return f"{level:.{decimals}f} %"
    raise ValueError(f"language must be 'da' or 'en', got {language!r}")


def interval(lo: float, hi: float, decimals: int = 1, unit: str = "") -> str:
    """Format an interval in words: (1.2, 3.4) -> ``"fra 1,2 til 3,4"`` (``unit`` appended after a space)."""
    text = f"fra {number(lo, decimals)} til {number(hi, decimals)}"
    return f"{text} {unit}" if unit else text


def span(lo: float, hi: float, decimals: int = 1, unit: str = "") -> str:
    """Format an interval compactly: (1.2, 3.4, "%") -> ``"1,2–3,4\u00a0%"`` (en dash)."""
    text = f"{number(lo, decimals)}–{number(hi, decimals)}"
    if unit == "%":
        return f"{text}{NBSP}%"
    return f"{text} {unit}" if unit else text


def format_tenths(tenths: int) -> str:
    """Write tenths of a percent as the published tables do: 972 -> ``"97,2 %"`` (ordinary space, as published).

    The reproduction of Table 1 shows its cells as the ministry's file writes
    them, so that each can be compared with the source by eye and by string.
    """
    return f"{number(tenths / 10, 1)} %"
