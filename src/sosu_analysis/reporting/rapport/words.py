"""Small Danish word helpers of the report (numbers themselves are formatted by :mod:`sosu_analysis.danish`)."""

from __future__ import annotations

import pandas as pd
from babel.dates import format_date

from ...danish import count

_SMALL = ["nul", "en", "to", "tre", "fire", "fem", "seks", "syv", "otte", "ni", "ti"]


def number_word(n: int) -> str:
    """Write small counts in words as Danish prose does (0-10), larger ones as digits."""
    return _SMALL[n] if 0 <= n <= 10 else count(n)


def join(items: list[str], last: str = "og") -> str:
    """Join words the Danish way: ``["a", "b", "c"]`` -> ``"a, b og c"``."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def month_da(label: str) -> str:
    """``"2025-04"`` -> ``"april 2025"`` (CLDR Danish month names, via babel)."""
    year, month = int(label[:4]), int(label[5:7])
    return format_date(pd.Timestamp(year=year, month=month, day=1).date(), "MMMM y", locale="da")


def date_da(day: str | pd.Timestamp) -> str:
    """``2026-11-23`` -> ``"23. november 2026"`` (CLDR Danish, via babel)."""
    return format_date(pd.Timestamp(day).date(), "d. MMMM y", locale="da")


def capital(text: str) -> str:
    """Capitalise the first letter only."""
    return text[:1].upper() + text[1:]
