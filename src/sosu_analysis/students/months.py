"""Calendar-month arithmetic for horizons ("status 3 months after start").

The horizon of a student who starts on day *d* of a month is day *d* of the
month *h* months later. When that month is too short the horizon is its last
day: 31 January + 1 month is 28 February (29 in a leap year), 31 August +
3 months is 30 November. An exit **on** the horizon date counts as within
the horizon. The same rule is used when deriving statuses and when the
synthetic generator places exit dates, so a synthetic exit drawn "within 3
months" is always classified so.
"""

from __future__ import annotations

import numpy as np


def add_months(dates, months: int | np.ndarray) -> np.ndarray:
    """Add calendar months to dates, clamping to the end of a short month.

    Parameters
    ----------
    dates : array-like of datetime64
        Start dates (any datetime64 unit, or anything ``numpy`` converts to
        ``datetime64[D]``). ``NaT`` stays ``NaT``.
    months : int or array of int
        Months to add (broadcast against ``dates``).

    Returns
    -------
    numpy.ndarray
        ``datetime64[D]`` dates.

    Examples
    --------
    >>> add_months(np.array(["2024-01-31", "2025-01-31"], dtype="datetime64[D]"), 1)
    array(['2024-02-29', '2025-02-28'], dtype='datetime64[D]')
    """
    d = np.asarray(dates).astype("datetime64[D]")
    nat = np.isnat(d)
    safe = np.where(nat, np.datetime64("2000-01-01"), d)
    month_start = safe.astype("datetime64[M]")
    day = (safe - month_start.astype("datetime64[D]")).astype(np.int64)  # 0-based day of month
    target = month_start + np.asarray(months, dtype=np.int64)
    target_len = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    out = target.astype("datetime64[D]") + np.minimum(day, target_len - 1)
    return np.where(nat, np.datetime64("NaT", "D"), out)


def first_weekday(month: str, weekday: str = "Mon") -> np.datetime64:
    """Return the first ``weekday`` (e.g. ``"Mon"``) on or after the 1st of ``month`` (``"YYYY-MM"``)."""
    start = np.datetime64(month, "M").astype("datetime64[D]")
    return np.busday_offset(start, 0, roll="forward", weekmask=weekday)
