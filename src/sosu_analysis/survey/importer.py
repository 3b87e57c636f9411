"""Import a wide survey export (one row per respondent, one column per item) to the long layout.

A survey tool's export usually has one row per respondent and one column
per question, often with the answer as text ("Helt enig"). A YAML mapping
says which column is which; every column the mapping does not name is
dropped **unread** (free-text answers never enter the analysis).

Mapping (YAML)
--------------
.. code-block:: yaml

    columns:            # long-layout field: column of the export
      respondent_id: Respondent
      campus: Afdeling
      intake: Holdstart
    constants:          # long-layout field: the same value for every row
      programme: SSA
      wave: efter oplæring 1a
      intervention: ""
    items:              # column of the export: item id of the item table
      "Jeg lærer noget i oplæringen": oplaering_laerer
    answers:            # answer text (case-insensitive): 1..5; blank = not answered
      helt uenig: 1
      uenig: 2
      hverken enig eller uenig: 3
      enig: 4
      helt enig: 5
    missing: ["ved ikke", "ønsker ikke at svare"]   # texts read as not answered

Every field of the long layout except ``item`` and ``answer`` must come from
``columns`` or ``constants``. Answers may also be the numbers 1-5. A cell
that is neither a listed text nor 1-5 is an error naming the file, row and
column, without quoting the cell.
"""

from __future__ import annotations

import os

import pandas as pd

from ..errors import InputError, Problem
from ..input_policy import has_non_ascii_digit, identifier_kind
from ..readers.rawtable import read_raw_table
from ..students._parse import key, norm
from .reader import SURVEY_COLUMNS

FIELDS = tuple(c for c in SURVEY_COLUMNS if c not in ("item", "answer"))
MAPPING_KEYS = ("columns", "constants", "items", "answers", "missing")


def read_mapping(path: str | os.PathLike) -> dict:
    """Read and check an import mapping (see module docstring); errors name the file and the key."""
    file = str(path)
    from ..input_policy import read_yaml_file  # the one safe YAML loader (no aliases, capped size)

    data = read_yaml_file(path, file) or {}
    problems = []
    if not isinstance(data, dict):
        raise InputError(Problem(file, "the mapping must be a YAML mapping with keys " + ", ".join(MAPPING_KEYS)))
    for k in data:
        if k not in MAPPING_KEYS:
            problems.append(Problem(file, f"unknown key '{k}'; known keys: {', '.join(MAPPING_KEYS)}"))
    columns = data.get("columns") or {}
    constants = data.get("constants") or {}
    items = data.get("items") or {}
    answers = data.get("answers") or {}
    missing = data.get("missing") or []
    for name, value in (("columns", columns), ("constants", constants), ("items", items), ("answers", answers)):
        if not isinstance(value, dict):
            problems.append(Problem(file, f"key '{name}' must be a mapping"))
    if not isinstance(missing, list):
        problems.append(Problem(file, "key 'missing' must be a list of texts"))
    if problems:
        raise InputError(problems)
    for f in list(columns) + list(constants):
        if f not in FIELDS:
            problems.append(Problem(file, f"'{f}' is not a field of the long layout; fields: {', '.join(FIELDS)}"))
    for f in FIELDS:
        if f not in columns and f not in constants:
            problems.append(Problem(file, f"field '{f}' is given neither in 'columns' nor in 'constants'"))
        if f in columns and f in constants:
            problems.append(Problem(file, f"field '{f}' is given in both 'columns' and 'constants'"))
    if not items:
        problems.append(Problem(file, "key 'items' must map at least one column to an item id"))
    for text, value in answers.items():
        if not (isinstance(value, int) and 1 <= value <= 5):
            problems.append(Problem(file, f"key 'answers': '{text}' must map to a whole number 1-5, got {value!r}"))
    if problems:
        raise InputError(problems)
    return {"columns": {str(k): str(v) for k, v in columns.items()},
            "constants": {str(k): "" if v is None else str(v) for k, v in constants.items()},
            "items": {str(k): str(v) for k, v in items.items()},
            "answers": {key(str(k)): int(v) for k, v in answers.items()},
            "missing": {key(str(m)) for m in missing}}


def wide_to_long(path: str | os.PathLike, mapping: dict | str | os.PathLike,
                 display_name: str | None = None) -> pd.DataFrame:
    """Convert a wide export to the long layout (text cells, ``answer`` ``"1"``-``"5"`` or ``""``).

    Parameters
    ----------
    path : path-like
        The export (CSV or XLSX).
    mapping : dict or path-like
        From :func:`read_mapping`, or the YAML file.
    display_name : str, optional
        Name used for the file in messages.

    Returns
    -------
    pandas.DataFrame
        One row per respondent × mapped item, columns of
        :data:`~sosu_analysis.survey.reader.SURVEY_COLUMNS`; check it with
        :func:`~sosu_analysis.survey.reader.read_survey` (the CLI does).

    Raises
    ------
    sosu_analysis.errors.InputError
        A mapped column missing from the header; an answer that is neither a
        mapped text nor 1-5 (file, row, column; the cell is not quoted).
    """
    m = mapping if isinstance(mapping, dict) else read_mapping(mapping)
    table = read_raw_table(path, display_name)
    found = {key(h): i for i, h in enumerate(table.header)}
    problems = []
    for col in list(m["columns"].values()) + list(m["items"]):
        if key(col) not in found:
            problems.append(Problem(table.file, f"the mapped column '{col}' is not in the header", row=1, column=col))
    if problems:
        raise InputError(problems)
    records = []
    for row, line in zip(table.rows, table.line_numbers, strict=True):
        base = {f: norm(row[found[key(c)]]) for f, c in m["columns"].items()}
        base.update(m["constants"])
        if "respondent_id" in m["columns"] and (kind := identifier_kind(base["respondent_id"])):
            problems.append(Problem(table.file, f"the respondent id looks like a {kind}; the survey must identify "
                                    "respondents by a pseudonym only (the value is not shown, nothing was written)",
                                    row=line, column=table.header[found[key(m["columns"]["respondent_id"])]]))
            continue
        for col, item in m["items"].items():
            cell = norm(row[found[key(col)]])
            k = key(cell)
            if not cell or k in m["missing"]:
                answer = ""
            elif k in m["answers"]:
                answer = str(m["answers"][k])
            elif has_non_ascii_digit(cell):
                problems.append(Problem(table.file, "the answer is written with a digit other than 0-9 (a superscript, "
                                        "Arabic-Indic or full-width digit); write 1 to 5 with ordinary digits (the "
                                        "value is not shown)", row=line, column=table.header[found[key(col)]]))
                continue
            elif cell.isascii() and cell.isdigit() and 1 <= int(cell) <= 5:
                answer = cell
            else:
                problems.append(Problem(table.file, "the answer is neither 1-5 nor a text of the mapping's "
                                        "'answers' or 'missing' (the value is not shown)", row=line,
                                        column=table.header[found[key(col)]]))
                continue
            records.append({**base, "item": item, "answer": answer})
    if problems:
        raise InputError(problems)
    return pd.DataFrame.from_records(records, columns=list(SURVEY_COLUMNS))
