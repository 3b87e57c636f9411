r"""The codebook of the group interviews: ``data/raw/interview_codes.csv``.

Schema (CSV or XLSX; column names case-insensitive)
---------------------------------------------------
============ ================================================================
code         the code as the QDA export writes it (MAXQDA writes a subcode
             with its parents, ``Forberedelse\Klædt på``); matched without
             regard to case
theme        the theme the code belongs to (several codes may share one)
description  what the code covers (the researcher's definition)
criterion    the plan criterion it speaks to: ``mening``, ``sammenhæng
             skole–oplæring``, ``forberedelse``, ``tryghed``, ... (free text;
             the joint display has one row per criterion)
survey_measure optional: the index (``sammenhæng``, ``forberedelse``,
             ``oplæring``) or single item (``mening``) of ``survey_items.csv``
             that measures the same criterion; blank when the survey does not
             ask about it
valence      optional: ``positive``, ``negative``, ``mixed`` (also
             ``positiv``, ``negativ``, ``blandet``) or blank (neutral)
============ ================================================================

A theme and a criterion belong together: every code of a theme must give the
same criterion and survey measure.
"""

from __future__ import annotations

import os

import pandas as pd

from ..readers.rawtable import read_raw_table
from ..students._parse import Columns, Problems, key

CODEBOOK_REQUIRED = ("code", "theme", "description", "criterion")
CODEBOOK_OPTIONAL = ("survey_measure", "valence")
CODEBOOK_COLUMNS = CODEBOOK_REQUIRED + CODEBOOK_OPTIONAL
VALENCES = ("positive", "negative", "mixed")
_VALENCE_WORDS = {"positive": "positive", "positiv": "positive", "+": "positive",
                  "negative": "negative", "negativ": "negative", "-": "negative", "−": "negative",
                  "mixed": "mixed", "blandet": "mixed", "±": "mixed", "": ""}
#: the shipped codebook, relative to the project root
DEFAULT_CODES = "data/raw/interview_codes.csv"


def code_key(code: str) -> str:
    """Key a code is matched by: case-insensitive, blanks around the hierarchy separators ignored."""
    return "\\".join(part.strip() for part in key(code).replace("/", "\\").split("\\"))


def read_codebook(path: str | os.PathLike, survey_measures: list[str] | None = None,
                  display_name: str | None = None) -> pd.DataFrame:
    """Read and validate the codebook.

    Parameters
    ----------
    path : path-like
        CSV or XLSX (see the module docstring).
    survey_measures : list of str, optional
        The indices and item ids of the survey's item table; when given, a
        ``survey_measure`` must be one of them.
    display_name : str, optional
        Name used for the file in messages.

    Returns
    -------
    pandas.DataFrame
        :data:`CODEBOOK_COLUMNS` plus ``code_key``; ``valence`` normalised to
        :data:`VALENCES` or ``""``. ``attrs['file']``.

    Raises
    ------
    sosu_analysis.errors.InputError
        With file, row and column.
    """
    table = read_raw_table(path, display_name)
    problems = Problems(table.file)
    cols = Columns(table, CODEBOOK_REQUIRED, CODEBOOK_OPTIONAL, problems, "an interview codebook")
    problems.raise_if_any()
    if not table.rows:
        problems.add("the file has a header but no codes", row=1)
    name = cols.header_name
    known_measures = {key(i): i for i in survey_measures} if survey_measures is not None else None
    seen: dict[str, int] = {}
    theme_of: dict[str, tuple[str, str, int]] = {}
    records = []
    for row, line in zip(table.rows, table.line_numbers, strict=True):
        code = cols.get(row, "code")
        ck = code_key(code)
        if not code:
            problems.add("the code is empty", line, name("code"))
        elif ck in seen:
            problems.add(f"the code '{code}' is also in row {seen[ck]} (each code once)", line, name("code"))
        else:
            seen[ck] = line
        theme = cols.get(row, "theme")
        if not theme:
            problems.add("the theme is empty", line, name("theme"))
        criterion = cols.get(row, "criterion")
        if not criterion:
            problems.add("the criterion is empty (the plan criterion the code speaks to, e.g. 'forberedelse')",
                         line, name("criterion"))
        if not cols.get(row, "description"):
            problems.add("the description is empty (what the code covers)", line, name("description"))
        index = cols.get(row, "survey_measure")
        if index and known_measures is not None:
            if key(index) in known_measures:
                index = known_measures[key(index)]
            else:
                problems.add(f"survey_measure '{index}' is neither an index nor an item of the survey's item table ("
                             f"{', '.join(survey_measures or [])}); leave it blank if the survey does not measure it",
                             line, name("survey_measure"))
        valence_text = cols.get(row, "valence")
        valence = _VALENCE_WORDS.get(key(valence_text))
        if valence is None:
            problems.add(f"valence must be positive, negative, mixed or blank, found '{valence_text}'", line,
                         name("valence"))
            valence = ""
        if theme and criterion:
            first = theme_of.setdefault(key(theme), (criterion, index, line))
            if (key(first[0]), key(first[1])) != (key(criterion), key(index)):
                problems.add(f"theme '{theme}' has criterion '{first[0]}' and survey measure '{first[1]}' in row "
                             f"{first[2]}; every code of a theme must speak to the same criterion", line,
                             name("criterion"))
        records.append((code, theme, cols.get(row, "description"), criterion, index, valence, ck))
    problems.raise_if_any()
    frame = pd.DataFrame.from_records(records, columns=[*CODEBOOK_COLUMNS, "code_key"])
    frame.attrs["file"] = table.file
    return frame
