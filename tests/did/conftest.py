"""Fixtures of tests/did."""

from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")

from did_helpers import make_students  # noqa: E402


@pytest.fixture(scope="session")
def students():
    """Synthetic student-level panel: 6 campuses (4 pilot), SSA/SSH/PAU, 16 intakes."""
    return make_students()
