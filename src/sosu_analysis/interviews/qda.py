r"""Coded segments from a QDA tool's export (MAXQDA, ATLAS.ti, NVivo), read through a YAML mapping.

A QDA tool exports coded segments as a table, one row per coded segment.
A mapping says which column holds which field; **every column the mapping
does not name is dropped unread** (document groups, authors, comments,
memo texts never enter the analysis). The shipped default is MAXQDA's
"Retrieved segments" layout (``config/interviews_maxqda.yaml``); ATLAS.ti and
NVivo mappings are examples (``config/interviews_atlasti.yaml``,
``config/interviews_nvivo.yaml``) whose header spellings are unverified.

Mapping (YAML)
--------------
.. code-block:: yaml

    tool: MAXQDA                # a label, shown in the chapter
    columns:                    # field: header, or a list of headers (the first present is used)
      interview_id: [Dokumentname, Dokumentnavn, Document name]
      code: [Kode, Code]
      segment: [Segment]
      marked: [Gewicht, Vægt, Weight score]   # optional: the researcher's mark
    marked_rule:                # how 'marked' says "quote this": a weight ...
      at_least: 1
    # ... or texts:  marked_rule: {values: [citat, x]}
    code_separator: ""          # optional: a cell with several codes, e.g. "\n" (ATLAS.ti)

Fields: ``interview_id`` (the document's name, which must be an
``interview_id`` of the register), ``code`` (a code of the codebook),
``segment`` (the coded text) and optionally ``marked``. No message quotes a
segment's text.
"""

from __future__ import annotations

import os
import re

import pandas as pd
import yaml

from ..errors import InputError, Problem
from ..readers.rawtable import read_raw_table
from ..students._parse import key, norm
from ..students.extract import synthetic_label
from .codebook import code_key

REQUIRED_FIELDS = ("interview_id", "code", "segment")
OPTIONAL_FIELDS = ("marked",)
MAPPING_KEYS = ("tool", "columns", "marked_rule", "code_separator")
SEGMENT_COLUMNS = ("row", "interview_id", "code", "theme", "criterion", "survey_measure", "valence", "segment",
                   "marked")
_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")


def read_mapping(path: str | os.PathLike, display_name: str | None = None) -> dict:
    """Read and check an export mapping (see the module docstring); errors name the file and the key."""
    file = display_name or str(path)
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
    except OSError as exc:
        raise InputError(Problem(file, f"cannot read the mapping ({exc.strerror})")) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(Problem(file, f"not valid YAML ({getattr(exc, 'problem', exc)})",
                                 row=mark.line + 1 if mark else None)) from None
    if not isinstance(data, dict):
        raise InputError(Problem(file, "the mapping must be a YAML mapping with keys " + ", ".join(MAPPING_KEYS)))
    problems = [Problem(file, f"unknown key '{k}'; known keys: {', '.join(MAPPING_KEYS)}")
                for k in data if k not in MAPPING_KEYS]
    columns = data.get("columns") or {}
    if not isinstance(columns, dict):
        raise InputError(problems + [Problem(file, "key 'columns' must map fields to headers")])
    out_cols: dict[str, list[str]] = {}
    for f, headers in columns.items():
        if f not in REQUIRED_FIELDS + OPTIONAL_FIELDS:
            problems.append(Problem(file, f"key 'columns': '{f}' is not a field; fields: "
                                          f"{', '.join(REQUIRED_FIELDS + OPTIONAL_FIELDS)}"))
            continue
        names = headers if isinstance(headers, list) else [headers]
        if not names or not all(isinstance(h, str) and h.strip() for h in names):
            problems.append(Problem(file, f"key 'columns': field '{f}' must name a header or a list of headers"))
            continue
        out_cols[str(f)] = [norm(h) for h in names]
    for f in REQUIRED_FIELDS:
        if f not in columns:
            problems.append(Problem(file, f"key 'columns': the field '{f}' is not mapped to a column"))
    rule = data.get("marked_rule") or {}
    at_least = None
    values: set[str] = set()
    if not isinstance(rule, dict) or any(k not in ("at_least", "values") for k in rule):
        problems.append(Problem(file, "key 'marked_rule' must be {at_least: NUMBER} or {values: [TEXT, ...]}"))
    else:
        if "at_least" in rule:
            if isinstance(rule["at_least"], bool) or not isinstance(rule["at_least"], (int, float)):
                problems.append(Problem(file, "key 'marked_rule': at_least must be a number"))
            else:
                at_least = float(rule["at_least"])
        if "values" in rule:
            if not isinstance(rule["values"], list):
                problems.append(Problem(file, "key 'marked_rule': values must be a list of texts"))
            else:
                values = {key(str(v)) for v in rule["values"]}
    if "marked" in out_cols and at_least is None and not values:
        problems.append(Problem(file, "the field 'marked' is mapped but 'marked_rule' says neither at_least nor "
                                      "values"))
    separator = data.get("code_separator") or ""
    if not isinstance(separator, str):
        problems.append(Problem(file, "key 'code_separator' must be a text (e.g. \"\\n\")"))
    if problems:
        raise InputError(problems)
    return {"tool": str(data.get("tool") or ""), "columns": out_cols, "at_least": at_least, "values": values,
            "code_separator": separator, "file": file}


def _marked(cell: str, m: dict) -> bool | None:
    """``True``/``False`` by the mapping's rule; ``None`` when a weight is expected and the cell is not a number."""
    if not cell:
        return False
    if key(cell) in m["values"]:
        return True
    if m["at_least"] is not None:
        if not _NUMBER.match(cell):
            return None if not m["values"] else False
        return float(cell.replace(",", ".")) >= m["at_least"]
    return False


def read_export(path: str | os.PathLike, mapping: dict | str | os.PathLike, register: pd.DataFrame,
                codebook: pd.DataFrame, display_name: str | None = None) -> pd.DataFrame:
    """Read a QDA export of coded segments and check it against the register and the codebook.

    Parameters
    ----------
    path : path-like
        The export (CSV or XLSX).
    mapping : dict or path-like
        From :func:`read_mapping`, or the YAML file.
    register : pandas.DataFrame
        From :func:`~sosu_analysis.interviews.register.read_register`.
    codebook : pandas.DataFrame
        From :func:`~sosu_analysis.interviews.codebook.read_codebook`.
    display_name : str, optional
        Name used for the file in messages.

    Returns
    -------
    pandas.DataFrame
        :data:`SEGMENT_COLUMNS`, one row per segment × code, with the
        register's interview id and the codebook's code, theme, criterion,
        survey index and valence. ``attrs``: ``file``, ``synthetic``, ``tool``.

    Raises
    ------
    sosu_analysis.errors.InputError
        A mapped column missing from the header (naming the mapping too); a
        document that is not an interview of the register; an unknown code; an
        empty segment; a ``marked`` cell that fits neither rule. Each names
        file, row and column; none quotes a segment's text.
    """
    m = mapping if isinstance(mapping, dict) else read_mapping(mapping)
    table = read_raw_table(path, display_name)
    found = {key(h): i for i, h in enumerate(table.header)}
    problems: list[Problem] = []
    index: dict[str, int] = {}
    for f, headers in m["columns"].items():
        hit = next((found[key(h)] for h in headers if key(h) in found), None)
        if hit is None:
            shown = " or ".join(f"'{h}'" for h in headers)
            problems.append(Problem(table.file, f"the mapping {m.get('file', '')} takes the field '{f}' from the "
                                                f"column {shown}, which is not in the header; correct the mapping's "
                                                "'columns' or the export", row=1, column=headers[0]))
        else:
            index[f] = hit
    if problems:
        raise InputError(problems)
    if not table.rows:
        raise InputError(Problem(table.file, "the export has a header but no coded segments", row=1))
    ids = {key(i): i for i in register["interview_id"]}
    reg_file = register.attrs.get("file", "the interview register")
    book = codebook.set_index("code_key")
    book_file = codebook.attrs.get("file", "the codebook")
    head = table.header
    records = []
    for row, line in zip(table.rows, table.line_numbers, strict=True):
        doc = norm(row[index["interview_id"]])
        interview = ids.get(key(doc))
        if interview is None:
            problems.append(Problem(table.file, (f"the document '{doc[:60]}' is not an interview_id of {reg_file} "
                                                 "(add the interview to the register, or rename the document)")
                                    if doc else "the document name is empty", row=line,
                                    column=head[index["interview_id"]]))
        text = norm(row[index["segment"]])
        if not text:
            problems.append(Problem(table.file, "the segment is empty (a coded segment without text)", row=line,
                                    column=head[index["segment"]]))
        marked = False
        if "marked" in index:
            mk = _marked(norm(row[index["marked"]]), m)
            if mk is None:
                problems.append(Problem(table.file, "the mark is neither a number nor one of the mapping's "
                                                    "marked_rule values (the value is not shown)", row=line,
                                        column=head[index["marked"]]))
            marked = bool(mk)
        cell = norm(row[index["code"]])
        codes = [c for c in (cell.split(m["code_separator"]) if m["code_separator"] else [cell]) if norm(c)]
        if not codes:
            problems.append(Problem(table.file, "the code is empty", row=line, column=head[index["code"]]))
        for c in codes:
            ck = code_key(c)
            if ck not in book.index:
                problems.append(Problem(table.file, f"the code '{norm(c)[:80]}' is not in {book_file} (add it there "
                                                    "with its theme and criterion)", row=line,
                                        column=head[index["code"]]))
                continue
            if interview is None or not text:
                continue
            entry = book.loc[ck]
            records.append((line, interview, entry["code"], entry["theme"], entry["criterion"], entry["survey_measure"],
                            entry["valence"], text, marked))
    if problems:
        raise InputError(problems)
    frame = pd.DataFrame.from_records(records, columns=list(SEGMENT_COLUMNS))
    frame["row"] = frame["row"].astype("int64")
    frame["marked"] = frame["marked"].astype(bool)
    frame.attrs["file"] = table.file
    frame.attrs["synthetic"] = synthetic_label(path)
    frame.attrs["tool"] = m["tool"]
    return frame


def export_header_matches(header: list[str], mapping: dict) -> bool:
    """Tell whether ``header`` has a column for every required field of ``mapping`` (for ``validate``)."""
    have = {key(h) for h in header}
    return all(any(key(h) in have for h in mapping["columns"][f]) for f in REQUIRED_FIELDS)
