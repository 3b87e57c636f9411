"""Shared fixtures: the project root and the shipped raw tables."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED_CSV = ROOT / "data/raw/uddannelsesstatistik_sosuh_hovedforloeb_3mdr_2022-2024.csv"
GOALS_CSV = ROOT / "data/raw/national_goals_danske_sosu_skoler.csv"

os.environ.setdefault("SOSU_PROJECT_ROOT", str(ROOT))


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def published_text() -> str:
    return PUBLISHED_CSV.read_text(encoding="utf-8")


@pytest.fixture
def write_variant(tmp_path):
    """Write ``text`` to a file in ``tmp_path`` with the given encoding; return its path."""

    def _write(text: str, name: str = "table.csv", encoding: str = "utf-8") -> Path:
        p = tmp_path / name
        p.write_bytes(text.encode(encoding))
        return p

    return _write


@pytest.fixture(scope="session")
def fresh_run(tmp_path_factory):
    """The whole pipeline with the default config, into a temporary folder (once per test session)."""
    from sosu_analysis.pipeline.config import load_config
    from sosu_analysis.pipeline.run import run_pipeline

    out = tmp_path_factory.mktemp("run") / "reports"
    cfg = load_config("config/default.yaml")
    run_pipeline(cfg, out, progress=lambda _: None)
    return cfg, out
