"""The run's one validation of the student data (see also tests/importer/test_study_data.py) and the inferred date."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from sosu_analysis.paths import project_root
from sosu_analysis.pipeline.run import precheck
from sosu_analysis.students import programme_listing_warnings, read_extract

ROOT = project_root()
EXTRACT = ROOT / "data/raw/synthetic/students_synthetic_seed20250401_effect-5.csv"


def test_shipped_design_passes_with_a_note_on_randomization_inference():
    found = precheck.check_students(str(EXTRACT), "data/raw/campuses.csv", [3, 6, 12], "",
                                    ["04_pilot_vs_nonpilot", "05_power"], 0.05, ROOT, "config/default.yaml")
    assert found.kind == "student_extract" and set(found.cells) == {3, 6, 12}
    assert any("15 assignments" in n for n in found.notes)  # C(6, 4) = 15, so p >= 1/15 > 0.05


def test_run_prints_and_records_the_inferred_extract_date(tmp_path, capsys):
    """Without extract_date, a real (unlabelled) extract is read as of its latest date: said and written down."""
    import yaml

    from sosu_analysis import cli

    src = tmp_path / "extract.csv"  # no 'synthetic' in the name, no sidecar: taken for a real extract
    src.write_bytes(EXTRACT.read_bytes())
    cfg = tmp_path / "my.yaml"
    cfg.write_text(yaml.safe_dump({"students_file": str(src), "notebooks": ["00_clean"], "lead_report": ""}),
                   encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["run", "--config", str(cfg), "--output", str(out)]) == 0
    err = capsys.readouterr().err
    latest = max(read_extract(EXTRACT)["exit_date"].max(), read_extract(EXTRACT)["start_date"].max())
    day = latest.date().isoformat()
    assert f"extract date: {day}, inferred" in err
    assert f"read as of {day}" in (out / "config.yaml").read_text(encoding="utf-8").splitlines()[1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["extract.csv", "my.yaml", "out"]  # no lock, no staging


def _campus_table(tmp_path, changes: dict[str, str]):
    """The shipped campus table with the ``programmes`` of some campuses changed, written to ``tmp_path``."""
    camp = pd.read_csv(ROOT / "data/raw/campuses.csv", dtype=str, keep_default_na=False)
    for campus, programmes in changes.items():
        camp.loc[camp["campus"] == campus, "programmes"] = programmes
    path = tmp_path / "campuses.csv"
    camp.to_csv(path, index=False)
    return path


def test_campus_table_and_extract_disagree_on_ssa_is_a_warning_naming_campus_file_and_column(tmp_path):
    """Gladsaxe listed without SSA but with SSA rows; Helsingør listed with SSA but without: two warnings."""
    path = _campus_table(tmp_path, {"Gladsaxe": "SSH;PAU", "Helsingør": "SSA;SSH"})
    found = precheck.check_students(str(EXTRACT), str(path), [3], "", ["04_pilot_vs_nonpilot"], 0.05, ROOT,
                                    "config/default.yaml")
    assert len(found.warnings) == 2
    without, listed = found.warnings
    assert "Gladsaxe is listed without SSA" in without and "have SSA rows" in without
    assert "Helsingør is listed with SSA" in listed and "no SSA rows" in listed
    for w in found.warnings:
        assert str(path) in w and "column 'programmes'" in w
        assert not re.search(r"S\d{6}|\d{4}-\d{2}-\d{2}", w)  # no student id or date of a row
    # the shipped table agrees with the shipped extract: no warning
    shipped = precheck.check_students(str(EXTRACT), "data/raw/campuses.csv", [3], "", [], 0.05, ROOT, "x.yaml")
    assert shipped.warnings == []


def test_programme_listing_warnings_on_a_small_extract_and_on_cells():
    """Three hand-made rows: Beta is listed with SSA but has none; Alpha listed without SSA but has one."""
    camp = pd.DataFrame({"campus": ["Alpha", "Beta"], "programmes": ["SSH", "SSA;SSH"]})
    camp.attrs["file"] = "campuses.csv"
    rows = pd.DataFrame({"campus": ["Alpha", "Alpha", "Beta"], "programme": ["SSA", "SSH", "SSH"]})
    got = programme_listing_warnings(rows, camp)
    assert [w.split(" is ")[0] for w in got] == ["campus Alpha", "campus Beta"]
    assert all("campuses.csv (column 'programmes')" in w for w in got)
    # a cell with no students is no row
    cells = rows.assign(n=[0, 5, 5])
    assert [w.split(" is ")[0] for w in programme_listing_warnings(cells, camp)] == ["campus Beta"]
    assert programme_listing_warnings(rows.assign(campus=["Beta", "Alpha", "Beta"]),
                                      camp.assign(programmes=["SSH", "SSA;SSH"])) == []


def test_run_log_and_student_data_carry_the_campus_table_warning(tmp_path, capsys):
    import yaml

    from sosu_analysis import cli
    from sosu_analysis.pipeline.student_data import load_students

    path = _campus_table(tmp_path, {"Gladsaxe": "SSH;PAU"})
    data = load_students(str(EXTRACT), str(path), [3])
    assert len(data.notes) == 1 and "Gladsaxe" in data.notes[0]
    assert "Warning:" in data.banner().data and "Gladsaxe" in data.banner().data
    cfg = tmp_path / "my.yaml"
    cfg.write_text(yaml.safe_dump({"students_file": str(EXTRACT), "campuses_table": str(path),
                                   "notebooks": ["00_clean"], "lead_report": ""}), encoding="utf-8")
    assert cli.main(["run", "--config", str(cfg), "--output", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "warning: campus Gladsaxe is listed without SSA" in err
    assert not re.search(r"S\d{6}", err)


def test_the_lead_report_words_the_campus_table_disagreement_in_danish():
    from sosu_analysis.reporting.rapport import prose
    from sosu_analysis.students import programme_listing_mismatches

    camp = pd.DataFrame({"campus": ["Alpha", "Beta", "Gamma"], "programmes": ["SSH", "SSA;SSH", "SSH"]})
    rows = pd.DataFrame({"campus": ["Alpha", "Gamma", "Beta"], "programme": ["SSA", "SSA", "SSH"]})
    found = programme_listing_mismatches(rows, camp)
    assert [(m.campus, m.listed) for m in found] == [("Alpha", False), ("Beta", True), ("Gamma", False)]

    class _Res(dict):  # the two facts the limits section reads besides the mismatches
        synthetic = {"seed": 1}

    res = _Res(table1=pd.DataFrame({"year": [2022, 2023]}))
    text = str(prose.limits_section(res, found).html())
    assert "Alpha og Gamma står i afdelingstabellen uden SSA, men udtrækket har SSA-elever dér" in text
    assert "Beta står i afdelingstabellen med SSA, men udtrækket har ingen SSA-elever dér" in text
    assert "uenige" not in str(prose.limits_section(res, []).html())


def test_precheck_note_counts_the_mirror_assignment_with_three_of_six_pilots(tmp_path):
    """Munkeengen made a comparison campus: 3 of 6 campuses pilot with one common start, binom(6, 3) = 20
    assignments, and the mirror assignment ties with the observed one, so the smallest p is 2/20 = 0.100
    (enumerated in tests/survey/test_survey_estimate.py and tests/did/test_did_bootstrap_randomization.py),
    above alpha = 0.05: the run must say so (1/20 = 0.05 would not)."""
    camp = pd.read_csv(ROOT / "data/raw/campuses.csv", dtype=str, keep_default_na=False)
    camp.loc[camp["campus"] == "Munkeengen", ["pilot", "pilot_start"]] = ["no", ""]
    path = tmp_path / "campuses.csv"
    camp.to_csv(path, index=False)
    found = precheck.check_students(str(EXTRACT), str(path), [3], "", [], 0.05, ROOT, "x.yaml")
    assert any("20 assignments" in n and "at least 0.100" in n for n in found.notes), found.notes


def test_smallest_attainable_p_matches_the_core_and_enumeration():
    from itertools import combinations

    from sosu_analysis.did.randomization import smallest_attainable_p

    inf = np.inf
    assert len(list(combinations(range(6), 3))) == 20
    assert smallest_attainable_p(np.array([0, 0, 0, inf, inf, inf])) == pytest.approx(2 / 20)
    assert smallest_attainable_p(np.array([0, 0, 0, 0, inf, inf])) == pytest.approx(1 / 15)
    # staggered starts: the complement is not an assignment of the same starts
    assert smallest_attainable_p(np.array([0, 0, 1, inf, inf, inf])) == pytest.approx(1 / 60)
