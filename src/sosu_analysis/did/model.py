r"""The estimator: dummy designs on frequency-weighted cells and their least-squares fit.

This is the one place where the cell-level weighted least squares and the
cluster sums of scores are computed; the covariances, the wild bootstrap,
randomization inference, the event study and the power calculation all start
from :func:`fit_ols` (or :func:`bread`) and :meth:`CellDesign.cluster_sums`.

Notes
-----
Let student ``i`` be in cell ``c(i)`` with design row ``x_c`` (constant in the
cell) and outcome ``y_i``. With cell sizes ``n_c`` and outcome sums
``s_c = sum_{i in c} y_i``

.. math::

    X'X = \sum_c n_c x_c x_c', \qquad X'y = \sum_c x_c s_c,

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

from ..errors import NotEstimable
from .results import LinearFit

FixedEffects = Literal["did", "ddd"]


@dataclass(frozen=True)
class CellDesign:
    """A full dummy design on frequency-weighted cells, clustered by campus.

    Attributes
    ----------
    X : ndarray, shape (m, k)
        Treatment column(s) first, then fixed-effect dummies.
    names : list of str
    n : ndarray, shape (m,)
        Students per cell (frequency weights).
    cluster : ndarray of int, shape (m,)
        Cluster code 0..G-1 per cell.
    n_treat : int
        Number of leading treatment columns.
    cluster_labels : tuple
        Campus of each cluster code.
    fe_basis : ndarray, shape (m, k - n_treat), optional
        Orthonormal basis of the ``n``-weighted span of the fixed-effect
        columns, when :func:`cell_design` has computed it (see
        :class:`FixedEffectSpan`).
    """

    X: np.ndarray
    names: list
    n: np.ndarray
    cluster: np.ndarray
    n_treat: int = 1
    cluster_labels: tuple = field(default=())
    fe_basis: np.ndarray | None = field(default=None, compare=False, repr=False)

    @property
    def G(self) -> int:
        """Number of clusters."""
        return int(self.cluster.max()) + 1

    @property
    def N(self) -> float:
        """Number of students."""
        return float(self.n.sum())

    @property
    def k(self) -> int:
        """Number of columns (fixed effects counted)."""
        return self.X.shape[1]

    def with_treatment(self, T: np.ndarray, names: list | None = None) -> CellDesign:
        """Return the design with the same fixed effects and new treatment column(s)."""
        T = np.asarray(T, float).reshape(len(self.n), -1)
        F = self.X[:, self.n_treat :]
        nm = names or [f"treat{j}" for j in range(T.shape[1])]
        return CellDesign(np.column_stack([T, F]), list(nm) + self.names[self.n_treat :], self.n, self.cluster,
                          T.shape[1], self.cluster_labels, self.fe_basis)

    def without_column(self, j: int) -> CellDesign:
        """Return the design without column ``j`` (e.g. the restricted model of a test of ``beta_j``)."""
        n_treat = self.n_treat - int(j < self.n_treat)
        return CellDesign(np.delete(self.X, j, axis=1), [nm for i, nm in enumerate(self.names) if i != j],
                          self.n, self.cluster, n_treat, self.cluster_labels,
                          self.fe_basis if j < self.n_treat else None)

    def cluster_sums(self, cell_values: np.ndarray) -> np.ndarray:
        """``(G, k)`` array ``sum_{c in g} x_c v_c`` for one value ``v_c`` per cell.

        With the residual sums per cell these are the cluster scores
        ``X_g' e_g``.
        """
        S = np.zeros((self.G, self.k))
        np.add.at(S, self.cluster, self.X * np.asarray(cell_values, float)[:, None])
        return S

    def cluster_rows(self) -> list[np.ndarray]:
        """Row indices of the cells of each cluster ``g = 0..G-1``."""
        order = np.argsort(self.cluster, kind="stable")
        bounds = np.searchsorted(self.cluster[order], np.arange(self.G + 1))
        return [order[bounds[g] : bounds[g + 1]] for g in range(self.G)]

    def gram(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """``X'NX`` over the cells ``rows`` (all cells by default)."""
        X = self.X[rows]
        return X.T @ (X * self.n[rows, None])


#: a column is collinear with columns before it when its weighted residual norm is at most this share of its norm
COLLINEAR_TOL = 1e-8


def _residual_norms(Q: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Norm of each column of ``B`` after projecting out the orthonormal columns of ``Q`` (twice, for stability)."""
    V = B - Q @ (Q.T @ B)
    V = V - Q @ (Q.T @ V)  # re-orthogonalise once
    return np.sqrt(np.sum(V * V, axis=0))


def _is_new_direction(residual_norm: float | np.ndarray, norm: float | np.ndarray,
                      tol: float = COLLINEAR_TOL) -> np.ndarray:
    """Apply the collinearity rule: a column adds a direction when its residual norm exceeds ``tol`` times its norm."""
    return np.asarray(residual_norm > tol * np.maximum(norm, 1e-300))


def _orthonormal_span(A: np.ndarray, w: np.ndarray, tol: float = COLLINEAR_TOL,
                      start: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Kept columns of ``A`` (see :func:`independent_columns`) and an orthonormal basis of their weighted span.

    With ``start`` (an orthonormal basis from an earlier call, e.g. of the
    fixed effects), a column is kept when it is not in the span of ``start``
    and the kept columns before it; the returned basis then includes ``start``.
    """
    B = A * np.sqrt(w)[:, None]
    r0 = 0 if start is None else start.shape[1]
    Q = np.zeros((B.shape[0], r0 + B.shape[1]))
    if start is not None:
        Q[:, :r0] = start
    r = r0
    kept: list[int] = []
    for j in range(B.shape[1]):
        b = B[:, j]
        Qr = Q[:, :r]
        v = b - Qr @ (Qr.T @ b)
        v = v - Qr @ (Qr.T @ v)  # re-orthogonalise once
        nv = float(np.linalg.norm(v))
        if _is_new_direction(nv, float(np.linalg.norm(b)), tol):
            kept.append(j)
            Q[:, r] = v / nv
            r += 1
    return np.array(kept, dtype=int), Q[:, :r]


def independent_columns(A: np.ndarray, w: np.ndarray, tol: float = COLLINEAR_TOL) -> np.ndarray:
    """Return the columns of ``A`` that do not lie in the span of the kept columns before them.

    The span is taken with the ``w``-weighted inner product. Deterministic:
    the first of a set of collinear columns is kept.
    """
    return _orthonormal_span(A, w, tol)[0]


@dataclass(frozen=True)
class FixedEffectSpan:
    """The weighted span of a design's fixed-effect columns, to test new treatment columns against it.

    A treatment column identifies an effect when it is not in this span, by
    the same rule and tolerance :func:`cell_design` applies to the observed
    treatment (:func:`independent_columns`). Built once per design
    (:meth:`of`); :meth:`identifies` then checks many treatments in one
    array operation, in place of a rank decomposition of every refitted
    design (the fixed-effect block is already of full column rank).
    """

    basis: np.ndarray
    sqrt_n: np.ndarray
    tol: float = COLLINEAR_TOL

    @classmethod
    def of(cls, design: CellDesign, tol: float = COLLINEAR_TOL) -> FixedEffectSpan:
        """Return the span of the fixed-effect columns (all but the leading treatment columns) of ``design``."""
        if design.fe_basis is not None:
            return cls(design.fe_basis, np.sqrt(design.n), tol)
        F = design.X[:, design.n_treat :]
        kept, Q = _orthonormal_span(F, design.n, tol)
        if len(kept) < F.shape[1]:
            raise ValueError("the fixed-effect columns of the design are not of full column rank")
        return cls(Q, np.sqrt(design.n), tol)

    def identifies(self, T: np.ndarray) -> np.ndarray:
        """Boolean per column of ``T`` (shape ``(m,)`` or ``(m, q)``): the column is not in the span."""
        B = np.asarray(T, float).reshape(len(self.sqrt_n), -1) * self.sqrt_n[:, None]
        return _is_new_direction(_residual_norms(self.basis, B), np.sqrt(np.sum(B * B, axis=0)), self.tol)


def positions(values: pd.Series | np.ndarray | list, order: tuple | list) -> np.ndarray:
    """Position of each of ``values`` in ``order`` (``-1`` when absent), by a dictionary lookup.

    On the few dozen cells of a design this is much faster than a pandas
    ``map`` or ``Index.get_indexer`` on string columns.
    """
    pos = {v: i for i, v in enumerate(order)}
    vals = values.tolist() if isinstance(values, (pd.Series, np.ndarray)) else list(values)
    return np.fromiter((pos.get(v, -1) for v in vals), dtype=np.intp, count=len(vals))


def _dummies(labels: list[str], prefix: str) -> tuple[np.ndarray, list[str]]:
    cats = sorted(set(labels), key=str)
    # one 1 per row at its category's column (a lookup, not an m x categories comparison of objects)
    M = np.zeros((len(labels), len(cats)))
    M[np.arange(len(labels)), positions(labels, cats)] = 1.0
    return M, [f"{prefix}[{c}]" for c in cats]


def _join(a: list[str], b: list[str]) -> list[str]:
    return [f"{x}:{y}" for x, y in zip(a, b, strict=True)]


def fixed_effects(table: pd.DataFrame, fe: FixedEffects) -> tuple[np.ndarray, list[str]]:
    """Fixed-effect dummy block for a cell table.

    ``"did"``: campus + intake dummies. ``"ddd"``: campus×programme,
    intake×programme and campus×intake dummies. Collinear columns are dropped
    afterwards by :func:`cell_design`.
    """
    campus = [str(c) for c in table["campus"].tolist()]
    intake = [str(i).zfill(4) for i in table["intake_idx"].tolist()]
    if fe == "did":
        blocks = [_dummies(campus, "campus"), _dummies(intake, "intake")]
    elif fe == "ddd":
        prog = [str(p) for p in table["programme"].tolist()]
        blocks = [
            _dummies(_join(campus, prog), "campus:programme"),
            _dummies(_join(intake, prog), "intake:programme"),
            _dummies(_join(campus, intake), "campus:intake"),
        ]
    else:
        raise ValueError(f"fixed effects must be 'did' or 'ddd', not {fe!r}")
    F = np.column_stack([b[0] for b in blocks])
    names = [nm for b in blocks for nm in b[1]]
    return F, names


def cell_design(
    table: pd.DataFrame,
    treatment: np.ndarray,
    fe: FixedEffects = "did",
    treatment_names: list | None = None,
    campuses: tuple | None = None,
) -> CellDesign:
    """Build the full dummy design for a cell table.

    Parameters
    ----------
    table : DataFrame
        Cell table (see :class:`~sosu_analysis.did.data.Cells`).
    treatment : ndarray, shape (m,) or (m, q)
        Treatment column(s); ``q = 0`` gives the fixed effects alone.
    fe : {"did", "ddd"}
        Fixed-effect structure.
    treatment_names : list of str, optional
    campuses : tuple, optional
        Cluster label order (default: sorted campuses in ``table``).

    Raises
    ------
    NotEstimable
        When a treatment column is collinear with the fixed effects.
    ValueError
        When a cell's campus is not in ``campuses``.
    """
    T = np.asarray(treatment, float).reshape(len(table), -1)
    F, fnames = fixed_effects(table, fe)
    n = table["n"].to_numpy(float)
    keep_f, fe_basis = _orthonormal_span(F, n)
    F = F[:, keep_f]
    fnames = [fnames[j] for j in keep_f]
    X = np.column_stack([T, F])
    # the treatment columns, after the fixed effects, by the same rule (independent_columns of [F, T])
    keep_t, _ = _orthonormal_span(T, n, start=fe_basis)
    if len(keep_t) < T.shape[1]:
        raise NotEstimable("a treatment column is collinear with the fixed effects (no identifying variation)")
    campus = [str(c) for c in table["campus"].tolist()]
    labels = tuple(campuses) if campuses is not None else tuple(sorted(set(campus)))
    cl = positions(campus, labels)
    if (cl < 0).any():
        raise ValueError("cells with unknown campus")
    # recode to the clusters present
    present = np.unique(cl)
    recode = np.full(len(labels), -1)
    recode[present] = np.arange(len(present))
    tnames = treatment_names or (["pilot_post"] if T.shape[1] == 1 else [f"treat{j}" for j in range(T.shape[1])])
    return CellDesign(X, list(tnames) + fnames, n, recode[cl], T.shape[1], tuple(labels[i] for i in present),
                      fe_basis)


def bread(design: CellDesign) -> np.ndarray:
    """``(X'NX)^{-1}``, symmetrised: the bread of every sandwich of the linear model."""
    M = np.linalg.inv(design.gram())
    return (M + M.T) / 2


def fit_ols(design: CellDesign, ysum: np.ndarray, bread_matrix: np.ndarray | None = None,
            check_rank: bool = False) -> LinearFit:
    """Student-level OLS of ``y`` on ``X`` computed from cell sums ``ysum``.

    Parameters
    ----------
    design : CellDesign
    ysum : ndarray, shape (m,)
        Sum of the student outcomes per cell (for a 0/1 outcome: the count).
    bread_matrix : ndarray, optional
        :func:`bread` of ``design`` when already computed (another outcome
        on the same design is then one matrix product).
    check_rank : bool
        Raise :class:`~sosu_analysis.errors.NotEstimable` when ``X'NX`` is
        singular (used where designs are generated, e.g. by permuting the
        treatment).
    """
    if check_rank and np.linalg.matrix_rank(design.gram()) < design.k:
        raise NotEstimable("the design is singular (the treatment has no variation left after the fixed effects)")
    M = bread(design) if bread_matrix is None else bread_matrix
    ysum = np.asarray(ysum, float)
    beta = M @ (design.X.T @ ysum)
    resid = ysum - design.n * (design.X @ beta)
    return LinearFit(design, ysum, beta, M, resid)


def coefficient_weights(design: CellDesign, coef: int = 0) -> np.ndarray:
    """Weights ``w_c`` with ``beta_coef = sum_c w_c ybar_c`` (``ybar_c`` = cell mean).

    ``w = N X (X'NX)^{-1} e_coef``: the estimator as a weighted sum of cell
    means, which the analytic power calculation needs.
    """
    return (design.X @ bread(design)[:, coef]) * design.n
