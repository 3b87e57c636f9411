"""Readable tables for the chapters: a caption with units, formatted numbers, no row index.

A notebook shows a table with :func:`show_table` instead of a raw ``DataFrame``:
pandas prints the row index, ``NaN`` and ``inf`` and as many digits as a float has,
which a reader of the rendered chapter cannot use. :func:`show_table` returns an
``IPython.display.HTML`` object whose HTML is fixed for given data (no random
element ids, as ``Styler`` would add), so nbval sees the same output run after run.

The numbers are formatted here and nowhere else in the chapters: Danish chapters
(``language="da"``) through :mod:`sosu_analysis.danish` (decimal comma, thousands
point, half up); English chapters with a decimal point and a thousands comma,
also rounded half up. A missing value is shown as an en dash and explained in the
table's note; an infinite interval bound as ``∞``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import danish
from ..definitions import OUTCOME_LABEL_DA, OUTCOME_LABEL_EN

#: shown for a missing value (NaN, None)
MISSING = "–"
#: outcome definition code -> its label, for a ``Column(labels=...)`` (the vocabulary's, under a short name)
DEFINITION_EN, DEFINITION_DA = OUTCOME_LABEL_EN, OUTCOME_LABEL_DA


@dataclass(frozen=True)
class Column:
    """How one column is shown: its heading (with the unit) and its decimals.

    ``decimals=None`` shows the value as text (labels, categories); integers are
    shown with thousands grouping unless ``grouping`` is false (years).
    ``labels`` maps codes to words (e.g. :data:`DEFINITION_EN`: ``"incl_switch"``
    -> ``"incl. switching"``); a code not in it is shown as it is. ``floor``
    shows a value from 0 up to below it as ``< floor`` (p-values: ``floor=0.001``
    gives ``< 0.001`` rather than ``0.000``).
    """

    heading: str
    decimals: int | None = 1
    grouping: bool = True
    labels: Mapping[object, str] | None = field(default=None, compare=False, hash=False)
    floor: float | None = None


def _number(x: float, decimals: int, language: str, grouping: bool) -> str:
    return danish.number(x, decimals, grouping=grouping, language="da" if language == "da" else "en")


def format_cell(value: object, column: Column, language: str = "en") -> str:
    """Format one value of a table: numbers rounded half up, missing as ``–``, infinity as ``∞``."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return MISSING
    if column.labels is not None and isinstance(value, str | int) and value in column.labels:
        return column.labels[value]
    if isinstance(value, (bool, np.bool_)):  # numpy's bool too (a nullable "boolean" column gives it)
        return ("ja" if value else "nej") if language == "da" else ("yes" if value else "no")
    if column.decimals is None or isinstance(value, str):
        return str(value)
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return MISSING
    if math.isinf(x):
        return "∞" if x > 0 else "\u2212∞"
    decimals = 0 if (float(x).is_integer() and _is_integer_column(value)) else column.decimals
    if column.floor is not None and 0 <= x < column.floor:
        return "< " + _number(column.floor, max(decimals, 3), language, column.grouping)
    return _number(x, decimals, language, column.grouping)


def _is_integer_column(value: object) -> bool:
    return isinstance(value, (int, np.integer))


def table_html(frame: pd.DataFrame, caption: str, columns: Mapping[str, Column | str] | None = None, *,
               language: str = "en", note: str | None = None) -> str:
    """Return the HTML of a captioned table with formatted cells and no row index.

    Parameters
    ----------
    frame : DataFrame
        The rows to show (its index is not shown).
    caption : str
        What the table shows and in which unit, e.g. ``"Dropout by programme and year (%)"``.
    columns : mapping, optional
        Column name -> :class:`Column` (or just a heading, with one decimal), in
        the order shown; columns not named are left out. Default: every column
        with its own name and one decimal.
    language : {"en", "da"}
        Number format (``"da"``: decimal comma).
    note : str, optional
        A line under the table (source, what ``–`` means).
    """
    if language not in ("en", "da"):
        raise ValueError(f"language must be 'en' or 'da', got {language!r}")
    spec: dict[str, Column] = {}
    for name, col in (columns or {c: Column(str(c)) for c in frame.columns}).items():
        if name not in frame.columns:
            known = ", ".join(map(str, frame.columns))
            raise KeyError(f"show_table: no column {name!r} in the table (columns: {known})")
        spec[name] = col if isinstance(col, Column) else Column(col)
    has_missing = False
    rows = []
    for record in frame[list(spec)].itertuples(index=False, name=None):
        cells = []
        for col, value in zip(spec.values(), record, strict=True):
            text = format_cell(value, col, language)
            has_missing |= text == MISSING
            align = "left" if (col.decimals is None or text in (MISSING,) or isinstance(value, str)) else "right"
            cells.append(f'<td style="text-align:{align}">{html.escape(text)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f'<th style="text-align:left">{html.escape(c.heading)}</th>' for c in spec.values())
    notes = [note] if note else []
    if has_missing:
        notes.append("– = ikke beregnet eller ikke vist." if language == "da"
                     else "– = not estimable or not shown.")
    foot = f'<p class="table-note"><small>{html.escape(" ".join(notes))}</small></p>' if notes else ""
    return (f'<table class="sosu-table"><caption style="caption-side:top;text-align:left">'
            f"{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>{foot}")


def show_table(frame: pd.DataFrame, caption: str, columns: Mapping[str, Column | str] | None = None, *,
               language: str = "en", note: str | None = None):
    """Show a table in a notebook: :func:`table_html` wrapped for display (see there for the parameters)."""
    from IPython.display import HTML

    return HTML(table_html(frame, caption, columns, language=language, note=note))
