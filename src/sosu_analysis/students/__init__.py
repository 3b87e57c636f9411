"""Student-level and campus-level data for the campus comparison.

Importing this package registers the input kinds ``student_extract``,
``campus_aggregates``, ``campuses`` and ``interventions`` with
:mod:`sosu_analysis.readers.validation`.

Public API
----------
- :func:`read_extract`, :func:`derive_columns`, :func:`status_at`: the student extract.
- :func:`read_aggregates`, :func:`to_aggregates`, :func:`cell_table`: campus aggregates and
  the cell table both inputs lead to.
- :func:`read_campuses`, :func:`read_interventions`, :func:`pilot_flags`: the design tables.
- :func:`generate`, :func:`write_synthetic`: synthetic extracts (:mod:`.synth`).
"""

from .aggregates import AGGREGATE_COLUMNS, CELL_COLUMNS, cell_table, read_aggregates, to_aggregates
from .campuses import (
    PILOT_PROGRAMMES,
    ListingMismatch,
    pilot_flags,
    programme_listing_mismatches,
    programme_listing_warnings,
    read_campuses,
    read_interventions,
)
from .extract import (
    EXTRACT_COLUMNS,
    HORIZONS,
    STATUSES,
    derive_columns,
    read_extract,
    status_at,
    synthetic_label,
)
from .months import add_months
from .synth import SyntheticCohorts, generate, write_synthetic

__all__ = [
    "AGGREGATE_COLUMNS", "CELL_COLUMNS", "EXTRACT_COLUMNS", "HORIZONS", "PILOT_PROGRAMMES", "STATUSES",
    "SyntheticCohorts", "add_months", "cell_table", "derive_columns", "generate",
    "ListingMismatch", "pilot_flags", "programme_listing_mismatches", "programme_listing_warnings",
    "read_aggregates", "read_campuses", "read_extract",
    "read_interventions", "status_at",
    "synthetic_label", "to_aggregates", "write_synthetic",
]
