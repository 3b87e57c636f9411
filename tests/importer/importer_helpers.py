"""Paths shared by the import tests."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
DEFAULT_MAPPING = ROOT / "config" / "z_udskrift_mapping.yaml"
SCHEMA = ROOT / "data" / "raw" / "synthetic" / "students_synthetic_seed20250401_effect-5.csv"
CAMPUSES = ROOT / "data" / "raw" / "campuses.csv"
