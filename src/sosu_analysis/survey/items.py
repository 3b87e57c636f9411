"""The item table of the survey: item ids, Danish texts, scale direction and indices.

Schema (``data/raw/survey_items.csv``; CSV or XLSX, column names case-insensitive)
----------------------------------------------------------------------------------
============== ==============================================================
item           item id used in the survey file (letters, digits, ``_``)
text           the question as the students saw it (Danish)
reverse        ``yes`` when agreeing is the *negative* answer; the answer
               is then scored ``6 - answer`` before the 0-100 transform
index          the index the item belongs to (e.g. ``oplæring``); items of
               an index are averaged per respondent
spu_comparable ``yes`` for (at most) one item whose share agreeing is put
               beside SPU's 52 % / 49 % "well enough prepared" (optional
               column, default ``no``)
source         where the item comes from (seed, survey, assumption)
note           free text (optional)
============== ==============================================================
"""

from __future__ import annotations

import os
import re

import pandas as pd

from ..readers.rawtable import read_raw_table
from ..students._parse import Columns, Problems, key, parse_yes_no

ITEM_REQUIRED = ("item", "text", "reverse", "index", "source")
ITEM_OPTIONAL = ("spu_comparable", "note")
_ITEM_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
DEFAULT_ITEMS = "data/raw/survey_items.csv"


def read_items(path: str | os.PathLike, display_name: str | None = None) -> pd.DataFrame:
    """Read and validate the item table.

    Parameters
    ----------
    path : path-like
        CSV or XLSX with the columns of the module docstring.
    display_name : str, optional
        Name used for the file in messages.

    Returns
    -------
    pandas.DataFrame
        Columns ``item``, ``text``, ``reverse`` (bool), ``index``,
        ``spu_comparable`` (bool), ``source``, ``note``; ``attrs["file"]``.

    Raises
    ------
    sosu_analysis.errors.InputError
        Every problem with file, row and column: a missing column, an empty
        or malformed item id, a repeated item, an empty text, index or
        source, a ``reverse``/``spu_comparable`` that is not yes/no, more
        than one SPU-comparable item.
    """
    table = read_raw_table(path, display_name)
    problems = Problems(table.file)
    cols = Columns(table, ITEM_REQUIRED, ITEM_OPTIONAL, problems, "the survey item table")
    problems.raise_if_any()
    if not table.rows:
        problems.add("the file has a header but no items", row=1)
    seen: dict[str, int] = {}
    out: list[dict] = []
    for row, line in zip(table.rows, table.line_numbers, strict=True):
        item = cols.get(row, "item")
        if not _ITEM_ID.match(item):
            problems.add(f"expected an item id of letters, digits and '_' starting with a letter, found '{item}'",
                         line, cols.header_name("item"))
        elif key(item) in seen:
            problems.add(f"item '{item}' is already listed in row {seen[key(item)]}", line, cols.header_name("item"))
        else:
            seen[key(item)] = line
        for name in ("text", "index", "source"):
            if not cols.get(row, name):
                problems.add(f"the {name} is empty", line, cols.header_name(name))
        flags = {}
        for name, default in (("reverse", None), ("spu_comparable", False)):
            text = cols.get(row, name)
            value = parse_yes_no(text) if text else default
            if value is None:
                problems.add(f"expected yes or no, found '{text}'", line, cols.header_name(name))
            flags[name] = bool(value)
        out.append({"item": item, "text": cols.get(row, "text"), "reverse": flags["reverse"],
                    "index": cols.get(row, "index"), "spu_comparable": flags["spu_comparable"],
                    "source": cols.get(row, "source"), "note": cols.get(row, "note"), "line": line})
    spu: list[int] = [r["line"] for r in out if r["spu_comparable"]]
    for line in spu[1:]:
        problems.add(f"only one item may be spu_comparable; row {spu[0]} is already", line,
                     cols.header_name("spu_comparable"))
    problems.raise_if_any()
    frame = pd.DataFrame(out).drop(columns="line")
    frame.attrs["file"] = table.file
    return frame


def index_members(items: pd.DataFrame) -> dict[str, list[str]]:
    """Items of each index, in table order (indices in order of first appearance)."""
    return {str(ix): list(group["item"]) for ix, group in items.groupby("index", sort=False)}
