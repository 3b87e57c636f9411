"""Fixtures of tests/did."""

from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")

from did_helpers import make_students, small_panel_frame  # noqa: E402

from sosu_analysis.did.data import student_rows, to_cells  # noqa: E402
from sosu_analysis.did.model import cell_design as build_design  # noqa: E402
from sosu_analysis.did.model import fit_ols  # noqa: E402


@pytest.fixture(scope="session")
def students():
    """Synthetic student-level panel: 6 campuses (4 pilot), SSA/SSH/PAU, 16 intakes."""
    return make_students()


@pytest.fixture(scope="module")
def panel():
    """The small panel's DiD design and fit, with its student-level rows: (design, fit, X, y, clusters)."""
    cells = to_cells(small_panel_frame())
    tab = cells.table
    design = build_design(tab, tab["treated"].to_numpy(float), "did")
    ysum = cells.outcome_sum("incl_switch")
    fit = fit_ols(design, ysum)
    st = student_rows(tab, ysum)
    return design, fit, design.X[st["cell"].to_numpy()], st["y"].to_numpy(), design.cluster[st["cell"].to_numpy()]
