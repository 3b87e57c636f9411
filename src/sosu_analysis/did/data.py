"""Input handling: student-level or cell-level data to one campus × intake × programme cell table.

Every estimator in :mod:`sosu_analysis.did` works on *cells*: one row per
campus × intake × programme with the number of students ``n`` and the number
of dropouts under each outcome definition. Because every regressor used here
(treatment indicator, campus, intake and programme dummies) is constant within
a cell, the student-level least-squares fit, its residual sums per cell and
therefore every cluster-robust covariance used in this package can be computed
exactly from the cells (see :mod:`sosu_analysis.did.covariance`). Student-level
input is therefore aggregated first; nothing is lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ..definitions import (
    MIN_CELL,  # noqa: F401  (smallest cell shown from student-level data)
    OUTCOMES,
)
from ..definitions import PILOT_PROGRAMME as TARGET_PROGRAMME  # the programme that received the intervention
from ..definitions import Outcome as OutcomeDefinition
from .model import positions

#: student-level 0/1 column of each outcome definition
STUDENT_OUTCOME = {name: spec.student_column for name, spec in OUTCOMES.items()}
#: cell-level count column of each outcome definition
CELL_OUTCOME = {name: spec.count_column for name, spec in OUTCOMES.items()}
#: column names accepted for the treatment indicator, first match wins
TREATMENT_COLUMNS = ("pilot_post", "treated")


@dataclass(frozen=True)
class Cells:
    """Campus × intake × programme cells.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per cell with columns ``programme``, ``campus``, ``intake``
        (label), ``intake_idx`` (0-based position in :attr:`intakes`), ``n``,
        ``y_incl_switch``, ``y_excl_switch`` (dropout counts), ``treated``
        (0/1) and ``pilot`` (campus is a pilot campus).
    intakes : tuple
        Intake labels in time order.
    campuses : tuple of str
        Campus labels, sorted.
    start : dict
        Campus -> ``intake_idx`` of the first treated SSA intake (pilot
        campuses only).
    student_level : bool
        True when the input was one row per student (small-cell suppression
        then applies to the outputs).
    """

    table: pd.DataFrame
    intakes: tuple
    campuses: tuple
    start: dict
    student_level: bool

    def outcome_sum(self, outcome: OutcomeDefinition) -> np.ndarray:
        """Dropout counts per cell for one outcome definition."""
        return self.table[f"y_{outcome}"].to_numpy(dtype=float)

    def start_for(self, campuses: Sequence[str]) -> np.ndarray:
        """Start ``intake_idx`` of each campus in ``campuses``, ``inf`` = never a pilot."""
        return np.array([self.start.get(c, np.inf) for c in campuses], dtype=float)

    def subset(self, mask: np.ndarray) -> Cells:
        """Cells restricted to a boolean row mask (intakes and campuses kept)."""
        tab = self.table.loc[np.asarray(mask, bool)].reset_index(drop=True)
        return Cells(tab, self.intakes, self.campuses, dict(self.start), self.student_level)


def _intake_order(values: pd.Series, intake_order) -> tuple:
    if intake_order is not None:
        order = tuple(intake_order)
        missing = set(values.unique()) - set(order)
        if missing:
            raise ValueError(f"intakes not in intake_order: {sorted(map(str, missing))}")
        return order
    if isinstance(values.dtype, pd.CategoricalDtype) and values.cat.ordered:
        return tuple(values.cat.categories)
    return tuple(sorted(values.dropna().unique()))


def _treatment_column(df: pd.DataFrame) -> str:
    for col in TREATMENT_COLUMNS:
        if col in df.columns:
            return col
    raise ValueError(f"no treatment column: expected one of {TREATMENT_COLUMNS}")


def is_cell_level(df: pd.DataFrame) -> bool:
    """Tell whether ``df`` holds counts per cell (columns ``n`` and ``n_dropout_*``)."""
    return "n" in df.columns and any(c in df.columns for c in CELL_OUTCOME.values())


def to_cells(df: pd.DataFrame, intake_order=None) -> Cells:
    """Aggregate student-level data (or check cell-level data) into :class:`Cells`.

    Parameters
    ----------
    df : pandas.DataFrame
        Either one row per student with ``programme``, ``campus``, ``intake``,
        ``pilot``, ``pilot_post`` (or ``treated``), ``dropout_total`` and
        ``dropout_noswitch``; or one row per campus × intake (× programme) with
        ``n``, ``n_dropout_total`` and ``n_dropout_noswitch`` instead of the
        0/1 outcomes. Without a ``programme`` column, all rows are taken as SSA.
    intake_order : sequence, optional
        Intake labels in time order. Default: ordered categorical order, else
        sorted labels (``"2023-04" < "2023-06"``; pandas periods sort too).

    Returns
    -------
    Cells

    Raises
    ------
    ValueError
        Missing columns, a treatment indicator that varies inside a cell, a
        treated cell outside SSA, or treatment that switches off again.
    """
    df = df.copy()
    if "programme" not in df.columns:
        df["programme"] = TARGET_PROGRAMME
    for col in ("campus", "intake"):
        if col not in df.columns:
            raise ValueError(f"missing column {col!r}")
    tcol = _treatment_column(df)
    cell_level = is_cell_level(df)
    keys = ["programme", "campus", "intake"]
    df["campus"] = df["campus"].astype(str)
    if cell_level:
        needed = ["n", *CELL_OUTCOME.values()]
        missing = [c for c in needed if c not in df.columns]
        if missing:
            raise ValueError(f"cell-level data lacks columns {missing}")
        agg = df.groupby(keys, observed=True, sort=False).agg(
            n=("n", "sum"),
            y_incl_switch=(CELL_OUTCOME["incl_switch"], "sum"),
            y_excl_switch=(CELL_OUTCOME["excl_switch"], "sum"),
            treated=(tcol, "max"),
            treated_min=(tcol, "min"),
        )
    else:
        missing = [c for c in STUDENT_OUTCOME.values() if c not in df.columns]
        if missing:
            raise ValueError(f"student-level data lacks columns {missing}")
        for c in STUDENT_OUTCOME.values():
            vals = pd.to_numeric(df[c])
            if not vals.isin([0, 1]).all():
                raise ValueError(f"{c} must be 0/1")
        agg = df.groupby(keys, observed=True, sort=False).agg(
            n=(STUDENT_OUTCOME["incl_switch"], "size"),
            y_incl_switch=(STUDENT_OUTCOME["incl_switch"], "sum"),
            y_excl_switch=(STUDENT_OUTCOME["excl_switch"], "sum"),
            treated=(tcol, "max"),
            treated_min=(tcol, "min"),
        )
    agg = agg.reset_index()
    if (agg["treated"] != agg["treated_min"]).any():
        raise ValueError(f"{tcol} varies inside a campus × intake × programme cell")
    agg = agg.drop(columns="treated_min")
    agg = agg[agg["n"] > 0].reset_index(drop=True)
    agg["treated"] = agg["treated"].astype(int)
    if ((agg["treated"] == 1) & (agg["programme"] != TARGET_PROGRAMME)).any():
        raise ValueError(f"{tcol} = 1 outside {TARGET_PROGRAMME}")
    intakes = _intake_order(df["intake"], intake_order)
    pos = {v: i for i, v in enumerate(intakes)}
    agg["intake_idx"] = agg["intake"].map(pos).astype(int)
    campuses = tuple(sorted(agg["campus"].unique()))
    start: dict = {}
    tr = agg[agg["treated"] == 1]
    for campus, grp in tr.groupby("campus"):
        start[campus] = int(grp["intake_idx"].min())
    # treatment must follow the staggered-adoption rule D = SSA & intake >= start
    rule = treatment_for(agg, campuses, np.array([start.get(c, np.inf) for c in campuses], dtype=float))
    if (rule != agg["treated"].to_numpy()).any():
        raise ValueError(
            f"{tcol} must be 1 for every SSA intake at a pilot campus from its first treated intake on"
        )
    if "pilot" in df.columns:
        pil = df.groupby("campus")["pilot"].max().astype(bool)
        agg["pilot"] = agg["campus"].map(pil).fillna(False).astype(bool)
        bad = [c for c in start if not bool(pil.get(c, False))]
        if bad:
            raise ValueError(f"treated intakes at campuses not marked pilot: {bad}")
    else:
        agg["pilot"] = agg["campus"].isin(start)
    agg = agg.sort_values(["programme", "campus", "intake_idx"]).reset_index(drop=True)
    cols = ["programme", "campus", "intake", "intake_idx", "n", "y_incl_switch", "y_excl_switch", "treated", "pilot"]
    return Cells(agg[cols], intakes, campuses, start, not cell_level)


def as_cells(data: pd.DataFrame | Cells, intake_order=None) -> Cells:
    """Return ``data`` if it is :class:`Cells`, else :func:`to_cells` of it."""
    if isinstance(data, Cells):
        return data
    return to_cells(data, intake_order=intake_order)


@dataclass(frozen=True)
class TreatmentRule:
    """The staggered-adoption rule ``D = SSA & intake >= start(campus)`` for one cell table.

    What does not depend on the assignment (each cell's campus position, SSA
    flag and intake index) is read from the table once by :meth:`of`; the
    treatment under a start vector is then one indexing and one comparison
    (:meth:`treatment`), or one array operation for many start vectors at once
    (:meth:`treatments`). Randomization inference evaluates it for every
    assignment.

    Attributes
    ----------
    campus_pos : ndarray of int, shape (m,)
        Position of each cell's campus in the campus order of the start vectors.
    ssa : ndarray of bool, shape (m,)
        Cell is an SSA (target programme) cell.
    intake_idx : ndarray, shape (m,)
        Intake position of each cell.
    """

    campus_pos: np.ndarray
    ssa: np.ndarray
    intake_idx: np.ndarray

    @classmethod
    def of(cls, cells_table: pd.DataFrame, campuses: tuple) -> TreatmentRule:
        """Read the rule's fixed parts from a cell table; ``campuses`` orders the start vectors.

        Raises
        ------
        ValueError
            A cell's campus is not in ``campuses``.
        """
        cpos = positions(cells_table["campus"], campuses)
        if (cpos < 0).any():
            raise ValueError("cells with a campus not in the campus order")
        ssa = np.array([p == TARGET_PROGRAMME for p in cells_table["programme"].tolist()], dtype=bool)
        return cls(cpos, ssa, cells_table["intake_idx"].to_numpy())

    def treatment(self, start_vec: np.ndarray) -> np.ndarray:
        """Treatment indicator per cell (float 0/1) under a campus -> start vector (``inf`` = never)."""
        s = np.asarray(start_vec, float)[self.campus_pos]
        return (self.ssa & (self.intake_idx >= s)).astype(float)

    def treatments(self, start_matrix: np.ndarray) -> np.ndarray:
        """Return the ``(A, m)`` treatment indicators, one row per start vector (row) of ``start_matrix``."""
        S = np.asarray(start_matrix, float)[:, self.campus_pos]
        return (self.ssa[None, :] & (self.intake_idx[None, :] >= S)).astype(float)


def treatment_for(cells_table: pd.DataFrame, campuses: tuple, start_vec: np.ndarray) -> np.ndarray:
    """Treatment indicator per cell under a campus -> start assignment.

    ``D = 1`` for SSA cells whose intake is at or after the campus' start
    (``inf`` = never treated). See :class:`TreatmentRule` to evaluate many
    assignments on one table.
    """
    return TreatmentRule.of(cells_table, campuses).treatment(start_vec)


def sample_mask(table: pd.DataFrame, fixed_effects: Literal["did", "ddd"]) -> np.ndarray:
    """Cells an estimator uses: SSA only for the DiD, every programme for the triple difference."""
    if fixed_effects == "did":
        return (table["programme"] == TARGET_PROGRAMME).to_numpy()
    return np.ones(len(table), bool)


def student_rows(table: pd.DataFrame, ysum: np.ndarray) -> pd.DataFrame:
    """Expand cells to one row per student with 0/1 outcome ``y``.

    For tests and small examples: the reference implementations work on
    students. Each row keeps the index of its cell in column ``cell``; the
    first ``ysum`` students of a cell have ``y = 1``.
    """
    n = table["n"].to_numpy(int)
    ys = np.asarray(ysum).round().astype(int)
    idx = np.repeat(np.arange(len(table)), n)
    within = np.concatenate([np.arange(k) for k in n]) if len(n) else np.array([], int)
    y = (within < np.repeat(ys, n)).astype(float)
    out = table.iloc[idx].reset_index(drop=True).copy()
    out["cell"] = idx
    out["y"] = y
    return out
