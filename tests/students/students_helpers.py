"""Helpers shared by the student-data tests (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = ROOT / "data" / "raw" / "uddannelsesstatistik_sosuh_hovedforloeb_3mdr_2022-2024.csv"
HEADER = "student_id,programme,campus,start_date,exit_date,exit_type"

CAMPUSES_CSV = """campus,pilot,pilot_start,programmes,aliases,source,assumption,note
Alpha,yes,2025-04,SSA;SSH,Alfa;North,test,no,
Beta,no,,SSA;SSH;PAU,,test,no,
"""


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path
