"""No student-level file is tracked by git outside data/raw/synthetic/; validate warns about a misplaced one."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from importer_helpers import ROOT, SCHEMA

from sosu_analysis.cli import main
from sosu_analysis.importer.location import private_location_warning, student_file_kind


def _tracked() -> list[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    return [p for p in out.stdout.decode("utf-8").split("\0") if p]


def test_no_tracked_student_level_file_outside_synthetic():
    files = _tracked()
    assert any(f.endswith(".csv") for f in files)
    offenders = [f"{f} ({kind})" for f in files
                 if not f.startswith("data/raw/synthetic/") and (kind := student_file_kind(ROOT / f))]
    assert offenders == [], "student-level files tracked by git: " + ", ".join(offenders)


def test_detector_recognises_extracts_and_exports(tmp_path):
    (tmp_path / "a.csv").write_text("student_id,programme,campus,start_date,exit_date,exit_type\n", encoding="utf-8")
    (tmp_path / "b.csv").write_bytes("Elevnavn;CPR;Uddannelse\n".encode("cp1252"))
    (tmp_path / "c.csv").write_text("Institution;Uddannelse;År\n", encoding="utf-8")
    assert student_file_kind(tmp_path / "a.csv") == "student extract"
    assert student_file_kind(tmp_path / "b.csv") == "Z-udskrift"
    assert student_file_kind(tmp_path / "c.csv") is None
    assert student_file_kind(SCHEMA) == "student extract"


def test_validate_warns_about_a_real_extract_outside_private(tmp_path, capsys):
    real = tmp_path / "elever.csv"
    real.write_text("student_id,programme,campus,start_date,exit_date,exit_type\nP-abc,SSA,Herlev,2023-02-01,,\n"
                    * 1, encoding="utf-8")
    assert main(["validate", str(real)]) == 0
    assert "outside data/raw/private/" in capsys.readouterr().err
    assert private_location_warning(SCHEMA) is None  # synthetic: no warning
    inside = ROOT / "data" / "raw" / "private" / "elever.csv"
    assert private_location_warning(inside.with_name("README.md")) is None
