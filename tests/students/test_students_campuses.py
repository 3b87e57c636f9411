"""The campus and intervention tables: the shipped files, their validators, and kind detection."""

from __future__ import annotations

import pytest
from students_helpers import CAMPUSES_CSV, ROOT, write

from sosu_analysis.errors import InputError
from sosu_analysis.readers import validation
from sosu_analysis.students import pilot_flags, read_campuses, read_interventions

CAMPUSES = ROOT / "data" / "raw" / "campuses.csv"
INTERVENTIONS = ROOT / "data" / "raw" / "interventions.csv"
INT_HEADER = "intervention,name,campus,seed_campus,programme,first_intake,partner,source,assumption,note"


@pytest.fixture
def own_kinds(monkeypatch):
    monkeypatch.setattr(validation, "KIND_MODULES", ("sosu_analysis.students",))


def test_shipped_campuses():
    c = read_campuses(CAMPUSES).set_index("campus")
    assert set(c.index[c["pilot"]]) == {"Skelbækgade", "Brøndby", "Herlev", "Munkeengen"}
    assert {"Gladsaxe", "Frederikssund", "Helsingør"} <= set(c.index[~c["pilot"]])
    # Munkeengen = Hillerød/Nord is unverified: an alias, flagged, never a second campus
    assert "Hillerød" not in c.index
    assert "Hillerød" in c.at["Munkeengen", "aliases"].split(";")
    assert c.at["Munkeengen", "assumption"] and "UNVERIFIED" in c.at["Munkeengen", "note"]
    assert (c["source"] != "").all()


def test_shipped_interventions():
    i = read_interventions(INTERVENTIONS, CAMPUSES)
    assert set(i["intervention"]) == {"1a", "1b", "2a", "2b", "3"}
    assert set(i["programme"]) == {"SSA"}
    nord = i[i["seed_campus"] == "Nord"]
    assert set(nord["campus"]) == {"Munkeengen"} and nord["assumption"].all()
    assert set(i.loc[i["intervention"] == "3", "campus"]) == {"Skelbækgade", "Brøndby", "Herlev", "Munkeengen"}


def test_kinds_detected(own_kinds, tmp_path):
    assert validation.validate_file(CAMPUSES)[0].name == "campuses"
    assert validation.validate_file(INTERVENTIONS)[0].name == "interventions"
    synthetic = ROOT / "data" / "raw" / "synthetic" / "students_synthetic_seed20250401_effect-5.csv"
    assert validation.validate_file(synthetic)[0].name == "student_extract"
    aggregates = write(tmp_path, "a.csv", "programme,campus,intake,horizon_months,n_in_progress,n_dropout_switch,"
                                          "n_dropout_noswitch,n_other\nSSA,Hillerød,2025-04,3,40,1,5,0\n")
    kind, frame = validation.validate_file(aggregates)
    assert kind.name == "campus_aggregates" and frame.loc[0, "campus"] == "Munkeengen"


def test_validate_checks_campus_names_against_the_project_table(own_kinds, tmp_path):
    path = write(tmp_path, "e.csv", "student_id,programme,campus,start_date,exit_date,exit_type\n"
                                    "S1,SSA,Nowhere,2025-04-07,,\n")
    with pytest.raises(InputError) as info:
        validation.validate_file(path)
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "campus")]


def campus_problems(tmp_path, *rows):
    path = write(tmp_path, "c.csv", CAMPUSES_CSV.splitlines()[0] + "\n" + "\n".join(rows) + "\n")
    with pytest.raises(InputError) as info:
        read_campuses(path)
    return [(p.row, p.column) for p in info.value.problems]


@pytest.mark.parametrize(("row", "column"), [
    ("A,yes,,SSA,,s,no,", "pilot_start"),
    ("A,no,2025-04,SSA,,s,no,", "pilot_start"),
    ("A,maybe,,SSA,,s,no,", "pilot"),
    ("A,no,,SSA;XYZ,,s,no,", "programmes"),
    ("A,no,,SSA,,,no,", "source"),
    ("A,no,,SSA,,s,perhaps,", "assumption"),
    (",no,,SSA,,s,no,", "campus"),
])
def test_campus_errors(tmp_path, row, column):
    assert campus_problems(tmp_path, row) == [(2, column)]


def test_campus_name_reused_as_alias(tmp_path):
    assert campus_problems(tmp_path, "A,no,,SSA,B,s,no,", "B,no,,SSA,,s,no,") == [(3, "campus")]


def test_pilot_flags(campuses):
    pilot, post = pilot_flags(["Alpha", "Alpha", "Alpha", "Beta"], ["SSA", "SSA", "SSH", "SSA"],
                              ["2025-04", "2025-02", "2025-06", "2025-06"], campuses)
    assert pilot.tolist() == [1, 1, 1, 0]
    assert post.tolist() == [1, 0, 0, 0]


def intervention_problems(tmp_path, campuses, *rows):
    path = write(tmp_path, "i.csv", INT_HEADER + "\n" + "\n".join(rows) + "\n")
    with pytest.raises(InputError) as info:
        read_interventions(path, campuses)
    return [(p.row, p.column) for p in info.value.problems]


@pytest.mark.parametrize(("row", "column"), [
    ("1a,x,Beta,,SSA,2025-04,,s,no,", "campus"),          # not a pilot campus
    ("1a,x,Gamma,,SSA,2025-04,,s,no,", "campus"),         # unknown
    ("1a,x,Alpha,,SSA,2025-02,,s,no,", "first_intake"),   # before the campus's pilot_start
    ("1a,x,Alpha,,SSA,April,,s,no,", "first_intake"),
    ("one,x,Alpha,,SSA,2025-04,,s,no,", "intervention"),
    ("1a,x,Alpha,,SOSU,2025-04,,s,no,", "programme"),
    ("1a,x,Alpha,,SSA,2025-04,,,no,", "source"),
])
def test_intervention_errors(tmp_path, campuses, row, column):
    assert intervention_problems(tmp_path, campuses, row) == [(2, column)]


def test_intervention_duplicate_via_alias(tmp_path, campuses):
    rows = ("2b,x,Alpha,,SSA,2025-04,,s,no,", "2b,x,North,Nord,SSA,2025-06,,s,yes,")
    assert intervention_problems(tmp_path, campuses, *rows) == [(3, "intervention")]
