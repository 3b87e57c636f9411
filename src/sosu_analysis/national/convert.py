"""From an answer of the statistics API to the project's table layouts, never filling a gap.

An answer is a JSON array of row objects: dimension members under keys
``"[Dim].[Level].[Level]"``, measures under their names, every value a Danish
string. :func:`convert` maps it, through the saved query's mapping, to the
layout the project already reads:

- ``published``: the layout of ``data/raw/uddannelsesstatistik_*.csv``, read by
  :func:`sosu_analysis.readers.published.clean_published` (one row per institution ×
  programme × year; ``<status> (andel)`` and ``<status> (antal)`` columns);
- ``etu``: the wellbeing layout read by :mod:`sosu_analysis.national.etu`.

Rules: every value is parsed (a bad one stops the conversion, naming the answer
row and key) and written back in the project's canonical Danish form
(``1.171``, ``97,2 %``, ``72,4``). **A cell the answer does not hold stays
blank** (the service leaves suppressed cells out: *ikke offentliggjort*, never
zero), and a combination the answer has no row for gets no row.

The raw answer is stored as received: the row objects of every page, unchanged
and in order, concatenated into one JSON array; the sidecar beside it
(``NAME.meta.json``) holds the query, its SHA-256, the retrieval time, the row
count, each page's SHA-256 and the credit line *Kilde: Uddannelsesstatistik.dk*.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from .. import atomic, strict_json
from ..danish import count, format_tenths
from ..errors import InputError, Problem
from ..privacy import safe_list, safe_text
from ..readers.published import COL_INSTITUTION, COL_PROGRAMME, COL_YEAR, STATUSES, count_column, share_column
from ..readers.rawtable import read_json_object
from .client import MAX_TOTAL_BYTES, Page
from .query import SavedQuery
from .values import is_blank, parse_count_value, parse_decimal, parse_share_tenths

CREDIT = "Kilde: Uddannelsesstatistik.dk"

#: the wellbeing (ETU) layout: dimension columns and value columns
ETU_COL_INSTITUTION, ETU_COL_PROGRAMME, ETU_COL_YEAR = "Institution", "Uddannelse", "År"
ETU_COL_KIND, ETU_COL_ITEM = "Type", "Indikator eller spørgsmål"
ETU_COL_SCORE, ETU_COL_RESPONDENTS = "Score", "Antal besvarelser"
ETU_COLUMNS: tuple[str, ...] = (ETU_COL_INSTITUTION, ETU_COL_PROGRAMME, ETU_COL_YEAR, ETU_COL_KIND, ETU_COL_ITEM,
                                ETU_COL_SCORE, ETU_COL_RESPONDENTS)

PUBLISHED_VALUE_COLUMNS: tuple[str, ...] = tuple(c for _, label in STATUSES
                                                 for c in (share_column(label), count_column(label)))
PUBLISHED_COLUMNS: tuple[str, ...] = (COL_INSTITUTION, COL_PROGRAMME, COL_YEAR) + PUBLISHED_VALUE_COLUMNS


def _kind(layout: str, column: str) -> str | None:
    """How a value column is parsed: ``count``, ``share``, ``decimal``; ``None`` for an unknown column."""
    if layout == "published":
        if column in PUBLISHED_VALUE_COLUMNS:
            return "share" if column.endswith("(andel)") else "count"
        return None
    if column == ETU_COL_SCORE:
        return "decimal"
    if column == ETU_COL_RESPONDENTS:
        return "count"
    return None


def _format(kind: str, value: object) -> str:
    if kind == "count":
        return count(parse_count_value(value))
    if kind == "share":
        return format_tenths(parse_share_tenths(value))
    number = parse_decimal(value)
    return f"{number:.10g}".replace(".", ",")


def layout_columns(query: SavedQuery) -> list[str]:
    """Return the columns of the converted table, in the order the layout's reader expects."""
    if query.layout == "published":
        dims = [c for c in (COL_INSTITUTION, COL_PROGRAMME, COL_YEAR) if c in query.dimensions.values()]
        extra = [c for c in query.dimensions.values() if c not in dims]
        return dims + extra + list(PUBLISHED_VALUE_COLUMNS)
    dims = [c for c in ETU_COLUMNS[:5] if c in query.dimensions.values()]
    extra = [c for c in query.dimensions.values() if c not in dims]
    return dims + extra + [ETU_COL_SCORE, ETU_COL_RESPONDENTS]


def check_mapping(query: SavedQuery) -> None:
    """Refuse a mapping whose columns the layout does not know (before any request is sent)."""
    file = query.source or "query"
    dims = set(query.dimensions.values())
    problems = []
    required = {"published": (COL_PROGRAMME, COL_YEAR), "etu": (ETU_COL_PROGRAMME, ETU_COL_YEAR, ETU_COL_ITEM)}
    for col in required[query.layout]:
        if col not in dims:
            problems.append(Problem(file, f"key 'mapping.dimensions' must map an answer key to '{col}' "
                                          f"(the {query.layout} layout needs it)"))
    value_cols = query.columns()[len(query.dimensions):]
    for col in value_cols:
        if _kind(query.layout, col) is None:
            known = PUBLISHED_VALUE_COLUMNS if query.layout == "published" else (ETU_COL_SCORE, ETU_COL_RESPONDENTS)
            problems.append(Problem(file, f"the mapping makes the column '{col}', which the {query.layout} layout "
                                          f"does not have; its value columns are: {', '.join(known)}"))
    if problems:
        raise InputError(problems)


def _is_member(value: object) -> bool:
    """Tell whether a value can be a dimension member: text, a plain number or blank (not an object or array)."""
    return value is None or isinstance(value, (str, int, float)) and not isinstance(value, bool)


def convert(rows: Sequence[dict[str, Any]], query: SavedQuery, file: str = "answer") -> pd.DataFrame:
    """Turn answer rows into the query's layout (every cell text; blank = not published).

    Parameters
    ----------
    rows
        The answer's row objects (all pages, in order).
    query
        The saved query whose mapping applies.
    file
        How the answer is named in messages; a row is named by its position in
        the answer (1 = the first row object).

    Returns
    -------
    pandas.DataFrame
        Columns :func:`layout_columns`; one row per combination of the mapped
        dimensions that the answer has at least one value for, in the order of
        first appearance.

    Raises
    ------
    InputError
        Every problem: a missing dimension key, a nested object or array where a
        member name is expected, an unknown status member, a value that is not a
        Danish number, a cell given twice.
    """
    check_mapping(query)
    problems: list[Problem] = []
    table: dict[tuple[str, ...], dict[str, str]] = {}
    origin: dict[tuple[tuple[str, ...], str], int] = {}
    dim_keys = list(query.dimensions)
    # an answer repeats the same few thousand value texts: each (kind, text) is parsed and written once in this
    # call (a bad value raises every time, so each row that has it is named)
    format_text = cache(_format)
    for i, row in enumerate(rows, start=1):
        missing = [k for k in dim_keys + ([query.status_key] if query.status_key else []) if k not in row]
        if missing:
            problems.append(Problem(file, f"answer row {i} has no key {', '.join(repr(k) for k in missing)}; "
                                          f"its keys: {safe_list(list(row), personal=False)}"))
            continue
        nested = [k for k in dim_keys + ([query.status_key] if query.status_key else [])
                  if not _is_member(row[k])]
        if nested:
            problems.append(Problem(file, f"answer row {i}, key {safe_text(nested[0], personal=False)!r}: a "
                                          f"{type(row[nested[0]]).__name__} where a member name (text) is expected"))
            continue
        dims = tuple("" if is_blank(row[k]) else str(row[k]).strip() for k in dim_keys)
        prefix = ""
        if query.status_key:
            member = str(row[query.status_key]).strip()
            if member not in query.status_members:
                problems.append(Problem(file, f"answer row {i}: status member '{safe_text(member)}' of "
                                              f"{query.status_key!r} is not in mapping.status.members "
                                              f"({', '.join(query.status_members)})"))
                continue
            prefix = query.status_members[member] + " "
        cells = table.setdefault(dims, {})
        for measure, target in query.measures.items():
            value = row.get(measure)
            if is_blank(value):
                continue  # suppressed or not asked: stays blank
            column = prefix + target
            kind = _kind(query.layout, column)
            assert kind is not None  # check_mapping
            try:
                text = format_text(kind, value) if isinstance(value, str) else _format(kind, value)
            except (ValueError, OverflowError) as exc:
                problems.append(Problem(file, f"answer row {i}, key {measure!r}: {safe_text(exc)}"))
                continue
            if column in cells:
                problems.append(Problem(file, f"answer row {i}: the cell {column!r} of "
                                              f"({safe_list(dims, max_items=5, limit=60)}) is also given by answer "
                                              f"row {origin[(dims, column)]}"))
                continue
            cells[column] = text
            origin[(dims, column)] = i
    if problems:
        raise InputError(problems)
    columns = layout_columns(query)
    dim_cols = list(query.dimensions.values())
    records = []
    for dims, cells in table.items():
        if not cells:
            continue  # a row object with no value at all: nothing published
        rec = dict(zip(dim_cols, dims, strict=True))
        rec.update(cells)
        records.append({c: rec.get(c, "") for c in columns})
    return pd.DataFrame.from_records(records, columns=columns).astype("string").fillna("")


def write_converted(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write a converted table as the project's raw tables are: semicolon separated, UTF-8.

    Through :func:`sosu_analysis.atomic.write_csv`, so a member name starting
    with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written
    formula-safe (a leading ``'``), as every CSV of the project is.
    """
    atomic.write_csv(path, frame, sep=";")


# ---- the raw answer and its sidecar ---------------------------------------------------------------

def sidecar_path(raw_path: str | os.PathLike) -> Path:
    """``X.answer.json`` -> ``X.answer.meta.json``."""
    p = Path(raw_path)
    return p.with_name(p.name[:-5] + ".meta.json" if p.name.endswith(".json") else p.name + ".meta.json")


def raw_paths(out: str | os.PathLike) -> tuple[Path, Path]:
    """Where ``fetch --out X.csv`` keeps the raw answer and its sidecar: ``X.answer.json``, ``X.answer.meta.json``."""
    p = Path(out)
    raw = p.with_name(p.stem + ".answer.json")
    return raw, sidecar_path(raw)


def sidecar(query: SavedQuery, pages: Sequence[Page], endpoint: str, retrieved: dt.datetime) -> dict[str, Any]:
    """Build the provenance of a fetched answer (see the module docstring)."""
    return {
        "description": "Raw answer of uddannelsesstatistik.dk's statistics API as received: the row objects "
                       "of every page, unchanged and in order, in one JSON array.",
        "credit": CREDIT,
        "retrieved": retrieved.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "endpoint": endpoint,
        "synthetic": False,
        "query_file": query.source,
        "query_sha256": query.sha256(),
        "query": query.as_dict(),
        "unverified": query.unverified,
        "rows": sum(len(p.rows) for p in pages),
        "pages": [{"side": p.number, "rows": len(p.rows), "sha256": p.sha256} for p in pages],
    }


def write_raw(pages: Sequence[Page], meta: dict[str, Any], raw_path: str | os.PathLike) -> None:
    """Write the raw answer (all pages' rows, unchanged) and its sidecar, each atomically."""
    rows = [r for p in pages for r in p.rows]
    atomic.write_text(raw_path, json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
    atomic.write_text(sidecar_path(raw_path), json.dumps(meta, ensure_ascii=False, indent=2) + "\n")


def read_raw(path: str | os.PathLike, display_name: str | None = None) -> list[dict[str, Any]]:
    """Read a stored answer: a JSON array of row objects."""
    file = display_name or str(path)
    p = Path(path)
    if not p.is_file():
        raise InputError(Problem(file, "answer file not found"))
    if p.stat().st_size > MAX_TOTAL_BYTES:
        raise InputError(Problem(file, f"is larger than {MAX_TOTAL_BYTES:,} bytes, more than a fetch may store"))
    try:
        data = strict_json.loads(p.read_bytes())
    except strict_json.StrictJSONError as exc:
        raise InputError(Problem(file, f"{exc}; an answer is a JSON array of row objects")) from None
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise InputError(Problem(file, "not an answer of the statistics API: expected a JSON array of row objects"))
    return data


def read_sidecar(raw_path: str | os.PathLike) -> dict[str, Any] | None:
    """Read the sidecar beside a stored answer, or ``None`` when there is none."""
    return read_json_object(sidecar_path(raw_path), "sidecar")


def check_against_sidecar(rows: Sequence[dict[str, Any]], query: SavedQuery, meta: dict[str, Any] | None,
                          file: str) -> None:
    """Refuse a replay whose answer does not fit its sidecar: rows lost or added, or another request body.

    A changed *mapping* is allowed (that is what a replay is for); a changed
    request body is not, since the answer would not answer it.
    """
    if meta is None:
        return
    problems = []
    if "rows" in meta and meta["rows"] != len(rows):
        problems.append(Problem(file, f"the answer has {len(rows)} rows but its sidecar says {meta['rows']}: "
                                      "was the file edited?"))
    body = (meta.get("query") or {}).get("body")
    if body is not None and body != query.body:
        problems.append(Problem(file, f"the answer was fetched with another request body than {query.source} "
                                      "has (see its sidecar); fetch again or use the query it was fetched with"))
    if problems:
        raise InputError(problems)


def replay(raw_path: str | os.PathLike, query: SavedQuery, display_name: str | None = None) -> pd.DataFrame:
    """Convert a stored answer without the network (checked against its sidecar when there is one)."""
    file = display_name or str(raw_path)
    rows = read_raw(raw_path, file)
    check_against_sidecar(rows, query, read_sidecar(raw_path), file)
    return convert(rows, query, file)


def provenance(raw_path: str | os.PathLike) -> dict[str, Any]:
    """Summarise what the report says about an answer: credit line, retrieval date, synthetic or not, rows."""
    meta = read_sidecar(raw_path) or {}
    retrieved = meta.get("retrieved")
    return {
        "file": Path(raw_path).name,
        "credit": meta.get("credit", CREDIT),
        "retrieved": str(retrieved)[:10] if retrieved else "",
        "synthetic": bool(meta.get("synthetic", "synthetic" in Path(raw_path).name.lower())),
        "rows": meta.get("rows", ""),
        "query_sha256": meta.get("query_sha256", ""),
        "unverified": meta.get("unverified", ""),
    }
