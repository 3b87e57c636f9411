"""What the report says about an imported (real) extract: its provenance and the limits of its switching.

The sidecar written by ``sosu-analysis import`` (``<extract>.json``, label
``IMPORTED``) carries the source file's name and SHA-256, the mapping's
SHA-256, the extract date and counts; these functions turn it into Danish
sentences for the project lead's report, with counts below 5 written
``under 5``.
"""

from __future__ import annotations

import os

from ..privacy import MIN_CELL
from ..students.extract import read_sidecar
from .core import IMPORTED_LABEL


def import_record(students_file: str | os.PathLike) -> dict | None:
    """Return the import sidecar of a student extract, or ``None`` if it was not made by ``sosu-analysis import``.

    A sidecar that exists but does not parse is an
    :class:`~sosu_analysis.errors.InputError` naming it
    (:func:`~sosu_analysis.students.extract.read_sidecar`), so a corrupt record
    never silently drops the report's caveat on switching.
    """
    meta = read_sidecar(students_file)
    return meta if meta is not None and meta.get("label") == IMPORTED_LABEL else None


def _count_da(n: int) -> str:
    if 0 < n < MIN_CELL:
        return f"under {MIN_CELL}"
    return f"{n:,}".replace(",", ".")


#: the caveat on switching for any run on the school's own extract (Danish, for the report)
SWITCH_SCOPE_DA = (
    "Omvalg er her kun set inde fra skolen: en elev tæller som afbrudt med omvalg, når skolens "
    "afgangsårsag, elevens udmeldingsperspektiv eller et nyt uddannelsesforhold på skolen viser det. "
    "Ministeriets omvalg tæller enhver uddannelse, eleven begynder på i hele Danmark, så andelen "
    "afbrudt med omvalg er lavere her end i de offentliggjorte tal, og andelen uden omvalg tilsvarende højere.")


def switch_scope_sentence_da(record: dict | None) -> str | None:
    """Return the caveat the report must carry whenever the campus comparison runs on an imported extract.

    Returns ``None`` for an extract that was not imported (the synthetic one).

    >>> switch_scope_sentence_da({"label": "IMPORTED", "switch_seen_from": "school"})[:40]
    'Omvalg er her kun set inde fra skolen: e'
    """
    if not record or record.get("label") != IMPORTED_LABEL:
        return None
    return SWITCH_SCOPE_DA


def provenance_sentence_da(record: dict | None) -> str | None:
    """Return a Danish sentence citing the import (file, SHA-256, mapping, date, counts); ``None`` if not imported."""
    if not record or record.get("label") != IMPORTED_LABEL:
        return None
    return (f"Elevdata er importeret fra skolens udtræk {record.get('source_file', '?')} "
            f"(SHA-256 {str(record.get('source_sha256', '?'))[:16]}…) med kodetabellen "
            f"{record.get('mapping_file', '?')} (SHA-256 {str(record.get('mapping_sha256', '?'))[:16]}…), "
            f"udtrukket {record.get('extract_date', '?')}: {_count_da(int(record.get('rows_in', 0)))} rækker ind, "
            f"{_count_da(int(record.get('rows_out', 0)))} uddannelsesforhold ud; CPR-numre er erstattet af "
            "nøglebaserede pseudonymer, og navne og kontaktoplysninger er fjernet ved indlæsningen.")
