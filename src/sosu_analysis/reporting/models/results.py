"""The models' tables written once through their contracts (chapter 02) and read back typed (chapter 03).

:func:`sosu_analysis.models.api.run_all` returns the tables; writing them is the presentation
layer's job, so the statistics import no file contract.
"""

from __future__ import annotations

import os

import pandas as pd

from ...models.options import RESULT_KEYS, TABLE_NAMES
from .. import contracts


def save_results(results: dict[str, pd.DataFrame], output_dir: str | os.PathLike) -> None:
    """Write every table of ``models.api.run_all`` to ``OUTPUT/tables`` through its contract (chapter 02).

    The models are fitted once per run: later chapters read these tables
    back with :func:`load_results` instead of fitting again.
    """
    contracts.write_tables({TABLE_NAMES[k]: results[k] for k in RESULT_KEYS}, output_dir)


def load_results(output_dir: str | os.PathLike, alpha: float | None = None) -> dict[str, pd.DataFrame]:
    """Read back the tables :func:`save_results` wrote, with their declared types, keyed as ``run_all``'s.

    With ``alpha`` given, the tables must have been fitted with it (else a
    :class:`~sosu_analysis.reporting.contracts.ContractError`: rerun chapter 02).
    """
    tables = contracts.read_tables(output_dir, TABLE_NAMES.values())
    if alpha is not None:
        fitted = set(float(a) for a in tables["model_settings"]["alpha"])
        if fitted != {float(alpha)}:
            path = contracts.table_path(output_dir, "model_settings")
            raise contracts.ContractError(f"{path}, column 'alpha': the models were fitted with alpha = "
                                          f"{sorted(fitted)}, this chapter runs with {alpha:g}; rerun chapter 02")
    return {k: tables[TABLE_NAMES[k]] for k in RESULT_KEYS}
