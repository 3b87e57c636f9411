"""Fixtures of the import tests: a key outside the project, the fixture's mapping, small exports."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from importer_helpers import DEFAULT_MAPPING, ROOT  # noqa: E402
from make_z_udskrift import mapping_yaml  # noqa: E402


@pytest.fixture
def key_file(tmp_path_factory):
    from sosu_analysis.importer import new_key

    return new_key(tmp_path_factory.mktemp("key") / "sosu.key", project=ROOT)


@pytest.fixture
def mapping_file(tmp_path):
    p = tmp_path / "mapping.yaml"
    p.write_text(mapping_yaml(DEFAULT_MAPPING), encoding="utf-8")
    return p
