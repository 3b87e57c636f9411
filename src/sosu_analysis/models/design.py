"""Design matrices with treatment coding and readable column names.

A small builder instead of a formula engine, so that the column names
(``programme[SSH]``, ``year[2023]``, ``programme[SSH]:year[2023]``, ``year_c``)
and the reference levels are explicit and the same matrix can be rebuilt for
counterfactual data (every student set to one programme) when computing
marginal effects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

INTERCEPT = "Intercept"


@dataclass(frozen=True)
class DesignSpec:
    """What a design matrix is made of.

    Parameters
    ----------
    terms : tuple of str
        Model terms after the intercept. A term is a column name or an
        interaction ``"a:b"`` (the products of the columns of ``a`` and ``b``).
    factors : mapping str -> tuple
        Categorical variables and their levels; the **first level is the
        reference** (treatment coding). Any variable of a term not listed here
        is used as a number.
    dropped : tuple of str
        Columns left out because they are aliased (linearly dependent on the
        columns before them, as R reports ``NA``), filled in by :func:`build_design`.
    """

    terms: tuple[str, ...]
    factors: Mapping[str, tuple] = field(default_factory=dict)
    dropped: tuple[str, ...] = ()

    def variables(self) -> list[str]:
        """List the data columns the terms use, in order of first appearance."""
        seen: list[str] = []
        for term in self.terms:
            for var in term.split(":"):
                if var not in seen:
                    seen.append(var)
        return seen


def infer_factors(data: pd.DataFrame, terms: Sequence[str],
                  factors: Mapping[str, Sequence] | None = None) -> dict[str, tuple]:
    """Factor levels: those given, plus every non-numeric variable of ``terms`` with sorted levels."""
    out = {k: tuple(v) for k, v in (factors or {}).items()}
    for term in terms:
        for var in term.split(":"):
            if var not in out and not pd.api.types.is_numeric_dtype(data[var]):
                out[var] = tuple(sorted(pd.unique(data[var])))
    return out


def _columns(data: pd.DataFrame, var: str, factors: Mapping[str, tuple]) -> tuple[list[str], np.ndarray]:
    if var in factors:
        levels = factors[var]
        values = data[var].to_numpy()
        unknown = set(pd.unique(values)) - set(levels)
        if unknown:
            raise ValueError(f"{var}: level(s) {sorted(map(str, unknown))} not among {list(levels)}")
        names = [f"{var}[{lev}]" for lev in levels[1:]]
        cols = np.column_stack([(values == lev).astype(float) for lev in levels[1:]]) if names \
            else np.empty((len(data), 0))
        return names, cols
    return [var], data[var].to_numpy(dtype=float)[:, None]


def design_columns(data: pd.DataFrame, spec: DesignSpec) -> tuple[list[str], np.ndarray]:
    """All columns of the design (intercept first), before removing aliased ones."""
    names, blocks = [INTERCEPT], [np.ones((len(data), 1))]
    for term in spec.terms:
        t_names, t_cols = [""], np.ones((len(data), 1))
        for var in term.split(":"):
            v_names, v_cols = _columns(data, var, spec.factors)
            t_names = [f"{a}:{b}" if a else b for a in t_names for b in v_names]
            t_cols = np.column_stack([t_cols[:, i] * v_cols[:, j]
                                      for i in range(t_cols.shape[1]) for j in range(v_cols.shape[1])]) \
                if v_cols.shape[1] else np.empty((len(data), 0))
        names += t_names
        blocks.append(t_cols)
    return names, np.column_stack(blocks)


def build_design(data: pd.DataFrame, spec: DesignSpec, *, drop_aliased: bool = True
                 ) -> tuple[DesignSpec, pd.DataFrame]:
    """Build the design matrix of ``spec`` on ``data``.

    With ``drop_aliased`` (for fitting), columns that are linearly dependent
    on the columns before them are removed and recorded in the returned
    spec's ``dropped``; otherwise (for prediction with a fitted spec) the
    columns in ``spec.dropped`` are removed.

    Returns
    -------
    spec : DesignSpec
        ``spec`` with ``dropped`` filled in.
    exog : DataFrame
        The design matrix, one column per named parameter.
    """
    names, x = design_columns(data, spec)
    if drop_aliased:
        keep: list[int] = []
        for j in range(x.shape[1]):
            trial = x[:, keep + [j]]
            if np.linalg.matrix_rank(trial, tol=1e-9 * max(1.0, np.abs(trial).max())) == len(keep) + 1:
                keep.append(j)
        dropped = tuple(n for j, n in enumerate(names) if j not in keep)
        spec = DesignSpec(spec.terms, spec.factors, dropped)
    keep_names = [n for n in names if n not in spec.dropped]
    idx = [names.index(n) for n in keep_names]
    return spec, pd.DataFrame(x[:, idx], columns=keep_names, index=data.index)
