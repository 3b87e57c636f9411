"""Danish number formats, as in the ministry's export files and the seed's tables.

``1.171`` is one thousand one hundred seventy-one (the dot groups thousands);
``97,2 %`` is 97.2 percent (the comma is the decimal mark). Percentages are
kept as whole tenths of a percent (``972``), so that comparisons with a
recomputed share are exact rational arithmetic, not floating point.
"""

from __future__ import annotations

import re
from fractions import Fraction

_INT = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)$")
_PCT = re.compile(r"^(?P<num>[+-]?\d+(?:[.,]\d+)?)\s*%?$")


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


def format_pct(value: float, decimals: int = 1) -> str:
    """Format a percentage the Danish way: 17.4 -> ``"17,4 %"``."""
    return f"{value:.{decimals}f}".replace(".", ",") + " %"


def format_count(value: int) -> str:
    """Format a count the Danish way: 1171 -> ``"1.171"``."""
    return f"{value:,d}".replace(",", ".")


def format_tenths(tenths: int) -> str:
    """Tenths of a percent as published: 972 -> ``"97,2 %"``."""
    return format_pct(tenths / 10)


def format_decimal(value: float, decimals: int = 1) -> str:
    """Return a number the Danish way, rounded half up as the ministry does: 2.25 -> ``"2,3"``; -0.0 -> ``"0,0"``.

    Python's float formatting rounds halves to even and would print 9/400 =
    2,25 % as "2,2". A negative number gets a real minus sign (U+2212), which
    never lets a line break split it from its digits.
    """
    from decimal import ROUND_HALF_UP, Decimal

    q = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{q:f}"
    if text.startswith("-") and q == 0:
        text = text[1:]
    whole, _, frac = text.lstrip("-").partition(".")
    grouped = f"{int(whole):,d}".replace(",", ".") if len(whole) > 4 else whole
    return ("−" if text.startswith("-") else "") + grouped + ("," + frac if frac else "")
