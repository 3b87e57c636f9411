"""Dummy designs and the least-squares fit on frequency-weighted cells.

Notes
-----
Let student ``i`` be in cell ``c(i)`` with design row ``x_c`` (constant in the
cell) and outcome ``y_i``. With cell sizes ``n_c`` and outcome sums
``s_c = sum_{i in c} y_i``

.. math::

    X'X = \\sum_c n_c x_c x_c', \\qquad X'y = \\sum_c x_c s_c,

so the student-level OLS coefficient equals the cell-level weighted least
squares coefficient with weights ``n_c`` on cell means ``s_c / n_c``. The
student residuals of cell ``c`` sum to ``r_c = s_c - n_c x_c' beta``, and every
cluster score ``X_g' e_g = sum_{c in g} x_c r_c`` depends on the data only
through the cells. The designs are full dummy designs: fixed effects enter as
indicator columns (never demeaned), collinear columns are dropped in a fixed,
documented order (a column is dropped when it lies in the span of the columns
before it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from .data import TARGET_PROGRAMME

FixedEffects = Literal["did", "ddd"]


@dataclass(frozen=True)
class Design:
    """A frequency-weighted cell design.

    Attributes
    ----------
    X : ndarray, shape (m, k)
        Full design: treatment column(s) first, then fixed-effect dummies.
    names : list of str
    n : ndarray, shape (m,)
        Students per cell (frequency weights).
    cluster : ndarray of int, shape (m,)
        Cluster code 0..G-1 per cell.
    n_treat : int
        Number of leading treatment columns.
    """

    X: np.ndarray
    names: list
    n: np.ndarray
    cluster: np.ndarray
    n_treat: int = 1
    cluster_labels: tuple = field(default=())

    @property
    def G(self) -> int:
        return int(self.cluster.max()) + 1

    @property
    def N(self) -> float:
        return float(self.n.sum())

    @property
    def k(self) -> int:
        return self.X.shape[1]

    def with_treatment(self, T: np.ndarray, names: list | None = None) -> Design:
        """Same fixed effects, new treatment column(s)."""
        T = np.asarray(T, float).reshape(len(self.n), -1)
        F = self.X[:, self.n_treat :]
        nm = names or [f"treat{j}" for j in range(T.shape[1])]
        return Design(np.column_stack([T, F]), list(nm) + self.names[self.n_treat :], self.n, self.cluster, T.shape[1], self.cluster_labels)


def independent_columns(A: np.ndarray, w: np.ndarray, tol: float = 1e-8) -> np.ndarray:
    """Indices of the columns of ``A`` kept when every column that lies in the
    span of the kept columns before it (``w``-weighted inner product) is dropped.

    Deterministic: the first of a set of collinear columns is kept.
    """
    B = A * np.sqrt(w)[:, None]
    kept: list[int] = []
    Q = np.zeros((B.shape[0], 0))
    for j in range(B.shape[1]):
        b = B[:, j]
        v = b - Q @ (Q.T @ b)
        v = v - Q @ (Q.T @ v)  # re-orthogonalise once
        nv = np.linalg.norm(v)
        if nv > tol * max(np.linalg.norm(b), 1e-300):
            kept.append(j)
            Q = np.column_stack([Q, v / nv])
    return np.array(kept, dtype=int)


def _dummies(labels: pd.Series, prefix: str) -> tuple[np.ndarray, list[str]]:
    cats = sorted(labels.unique(), key=str)
    M = (labels.to_numpy()[:, None] == np.array(cats, dtype=object)[None, :]).astype(float)
    return M, [f"{prefix}[{c}]" for c in cats]


def fixed_effects(table: pd.DataFrame, fe: FixedEffects) -> tuple[np.ndarray, list[str]]:
    """Fixed-effect dummy block for a cell table.

    ``"did"``: campus + intake dummies. ``"ddd"``: campus×programme,
    intake×programme and campus×intake dummies. Collinear columns are dropped
    afterwards by :func:`build_design`.
    """
    campus = table["campus"].astype(str)
    intake = table["intake_idx"].astype(str).str.zfill(4)
    if fe == "did":
        blocks = [_dummies(campus, "campus"), _dummies(intake, "intake")]
    elif fe == "ddd":
        prog = table["programme"].astype(str)
        blocks = [
            _dummies(campus + ":" + prog, "campus:programme"),
            _dummies(intake + ":" + prog, "intake:programme"),
            _dummies(campus + ":" + intake, "campus:intake"),
        ]
    else:  # pragma: no cover - guarded by Literal
        raise ValueError(fe)
    F = np.column_stack([b[0] for b in blocks])
    names = [nm for b in blocks for nm in b[1]]
    return F, names


def build_design(
    table: pd.DataFrame,
    treatment: np.ndarray,
    fe: FixedEffects = "did",
    treatment_names: list | None = None,
    campuses: tuple | None = None,
) -> Design:
    """Build the full dummy design for a cell table.

    Parameters
    ----------
    table : DataFrame
        Cell table (see :class:`~sosu_analysis.did.data.Cells`).
    treatment : ndarray, shape (m,) or (m, q)
        Treatment column(s).
    fe : {"did", "ddd"}
        Fixed-effect structure.
    treatment_names : list of str, optional
    campuses : tuple, optional
        Cluster label order (default: sorted campuses in ``table``).

    Raises
    ------
    ValueError
        When a treatment column is collinear with the fixed effects.
    """
    T = np.asarray(treatment, float).reshape(len(table), -1)
    F, fnames = fixed_effects(table, fe)
    n = table["n"].to_numpy(float)
    keep_f = independent_columns(F, n)
    F = F[:, keep_f]
    fnames = [fnames[j] for j in keep_f]
    X = np.column_stack([T, F])
    keep = independent_columns(np.column_stack([F, T]), n)
    if len(keep) < X.shape[1]:
        raise ValueError("a treatment column is collinear with the fixed effects (no identifying variation)")
    labels = tuple(campuses) if campuses is not None else tuple(sorted(table["campus"].astype(str).unique()))
    code = {c: i for i, c in enumerate(labels)}
    cl = table["campus"].astype(str).map(code)
    if cl.isna().any():
        raise ValueError("cells with unknown campus")
    cl = cl.to_numpy(int)
    # recode to the clusters present
    present = np.unique(cl)
    recode = np.full(len(labels), -1)
    recode[present] = np.arange(len(present))
    tnames = treatment_names or (["pilot_post"] if T.shape[1] == 1 else [f"treat{j}" for j in range(T.shape[1])])
    return Design(X, list(tnames) + fnames, n, recode[cl], T.shape[1], tuple(labels[i] for i in present))


@dataclass(frozen=True)
class LinearFit:
    """Least-squares fit of a :class:`Design` to cell outcome sums.

    Attributes
    ----------
    beta : ndarray, shape (k,)
    bread : ndarray, shape (k, k)
        ``(X'X)^{-1}`` at the student level, ``(sum_c n_c x_c x_c')^{-1}``.
    resid_sum : ndarray, shape (m,)
        Sum of student residuals per cell.
    ysum : ndarray, shape (m,)
    """

    design: Design
    ysum: np.ndarray
    beta: np.ndarray
    bread: np.ndarray
    resid_sum: np.ndarray

    def cluster_scores(self) -> np.ndarray:
        """``(G, k)`` array of ``X_g' e_g``."""
        d = self.design
        S = np.zeros((d.G, d.k))
        np.add.at(S, d.cluster, d.X * self.resid_sum[:, None])
        return S


def fit_ols(design: Design, ysum: np.ndarray) -> LinearFit:
    """Student-level OLS of ``y`` on ``X`` computed from cell sums ``ysum``.

    Parameters
    ----------
    design : Design
    ysum : ndarray, shape (m,)
        Sum of the student outcomes per cell (for a 0/1 outcome: the count).
    """
    X, n = design.X, design.n
    XtX = X.T @ (X * n[:, None])
    bread = np.linalg.inv(XtX)
    bread = (bread + bread.T) / 2
    beta = bread @ (X.T @ ysum)
    resid = ysum - n * (X @ beta)
    return LinearFit(design, np.asarray(ysum, float), beta, bread, resid)


def student_rows(table: pd.DataFrame, ysum: np.ndarray) -> pd.DataFrame:
    """Expand cells to one row per student with 0/1 outcome ``y`` (for tests and
    small examples; cells keep their index in column ``cell``).
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


def sample_mask(table: pd.DataFrame, estimator: Literal["did", "ddd"]) -> np.ndarray:
    """Cells used by an estimator: SSA only for DiD, all programmes for DDD."""
    if estimator == "did":
        return (table["programme"] == TARGET_PROGRAMME).to_numpy()
    return np.ones(len(table), bool)
