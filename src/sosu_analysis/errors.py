"""Errors raised for bad input: they name the file, the row and the column."""

from __future__ import annotations

import numbers
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file.

    ``row`` is the 1-based line in the file as a person sees it in an editor or
    spreadsheet (the header is row 1, the first data row is row 2); ``None``
    when the problem concerns the whole file. ``column`` is the header text as
    it stands in the file, or ``None``.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        # the one renderer of messages from input files: the message policy (sosu_analysis.privacy.safe_text)
        # masks identifiers, escapes control characters and bounds the length
        from .privacy import MAX_MESSAGE, MAX_QUOTE, escape_controls, safe_text

        where = escape_controls(self.file)
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{safe_text(self.column, limit=MAX_QUOTE)}'"
        return f"{where}: {safe_text(self.message, limit=MAX_MESSAGE)}"


class InputError(ValueError):
    """Bad input. Carries every :class:`Problem` found, not only the first."""

    def __init__(self, problems: list[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class NotEstimable(ValueError):
    """The data cannot identify the quantity asked for (a property of the data, not a typo).

    Raised, for example, when the treatment lies in the span of the fixed
    effects (a triple difference on SSA-only data), when fewer than two
    clusters remain, or when a placebo has no pre-period to use. Tables catch
    this error, and only this one, and show a row with ``reason`` in its
    ``note``; a wrong option name is a ``ValueError`` and stops the run.

    Parameters
    ----------
    reason : str
        Why the quantity cannot be estimated, in words a reader of the table understands.
    """

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def check_count(option: str, value: object, minimum: int = 1) -> int:
    """Return ``value`` as an ``int`` when it is a whole number of at least ``minimum``; else a ``ValueError``.

    For the counts of the statistics' options (draws, assignments,
    replications), checked where they enter, so that ``wild_draws=0`` is a
    message naming the option and not an ``IndexError`` deep inside.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{option} must be a whole number, not {value!r}")
    if int(value) < minimum:
        raise ValueError(f"{option} must be at least {minimum}, not {value!r}")
    return int(value)


def check_alpha(value: object, option: str = "alpha") -> float:
    """Return ``value`` as a float strictly between 0 and 1; else a ``ValueError`` naming ``option``."""
    try:
        a = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{option} must be a number strictly between 0 and 1, not {value!r}") from None
    if not 0 < a < 1:
        raise ValueError(f"{option} must lie strictly between 0 and 1, not {value!r}")
    return a
