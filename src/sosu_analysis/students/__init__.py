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

from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from .synth import SyntheticCohorts, generate, write_synthetic

# The generator is imported when first used (PEP 562): it needs scipy.optimize and scipy.special,
# which a chapter that only reads the extract or the campus table need not load.
_SYNTH = frozenset({"SyntheticCohorts", "generate", "write_synthetic"})


def __getattr__(name: str):
    if name in _SYNTH:
        from . import synth

        return getattr(synth, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AGGREGATE_COLUMNS", "CELL_COLUMNS", "EXTRACT_COLUMNS", "HORIZONS", "PILOT_PROGRAMMES", "STATUSES",
    "SyntheticCohorts", "add_months", "cell_table", "derive_columns", "generate",
    "ListingMismatch", "pilot_flags", "programme_listing_mismatches", "programme_listing_warnings",
    "read_aggregates", "read_campuses", "read_extract",
    "read_interventions", "status_at",
    "synthetic_label", "to_aggregates", "write_synthetic",
]
