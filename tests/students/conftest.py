"""Fixtures for the student-data tests: a small campus table and an extract writer."""

from __future__ import annotations

from pathlib import Path

import pytest
from students_helpers import CAMPUSES_CSV, HEADER, PUBLISHED, write

from sosu_analysis.readers.published import clean_published
from sosu_analysis.students import read_campuses


@pytest.fixture(scope="session")
def table1():
    """The published Table 1, cleaned by the project's reader (the synthetic generator's calibration target)."""
    return clean_published(PUBLISHED)


@pytest.fixture
def campuses(tmp_path):
    return read_campuses(write(tmp_path, "campuses.csv", CAMPUSES_CSV))


@pytest.fixture
def extract_file(tmp_path):
    """Write an extract from data rows (header added) and return its path."""

    def make(*rows: str, name: str = "extract.csv") -> Path:
        return write(tmp_path, name, "\n".join([HEADER, *rows]) + "\n")

    return make
