"""Hostile and slipped survey inputs (issue 20): identifiers as respondent ids, Unicode digits, small cells.

Each refusal names file, row and column, never the value, with exit 2 and no
traceback; a survey with a campus or a group × wave cell of 3 respondents is
analysed with that cell suppressed and a stated note, and every table of
chapter 09 passes its contract.
"""

from __future__ import annotations

import os

import pandas as pd
import pytest
from survey_helpers import CAMPUSES, HEADER, INTERVENTIONS, SHIPPED_ITEMS, SHIPPED_STUDENTS, SHIPPED_SURVEY, write

from sosu_analysis.cli import main

MAPPING = """columns:
  respondent_id: Svar-ID
  campus: Afdeling
  intake: Hold
constants:
  programme: SSA
  wave: efter oplæring 1a
  intervention: ""
items:
  "Spørgsmål 1": oplaering_glad
  "Spørgsmål 2": passer_ikke
answers:
  Helt uenig: 1
  Enig: 4
"""


def _cli(capsys, *argv) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    cap = capsys.readouterr()
    text = cap.out + cap.err
    assert "Traceback" not in text
    return code, text


@pytest.mark.parametrize("rid,kind", [("anne.hansen@elev.example.dk", "e-mail"), ("Anne Hansen", "name"),
                                      ("102031234", "CPR"), ("+45 12 34 56 78", "phone")])
def test_validate_refuses_a_respondent_id_that_identifies_a_person(tmp_path, capsys, rid, kind):
    path = write(tmp_path, "survey.csv", HEADER + "\nr1,SSA,Brøndby,2025-04,w,,oplaering_glad,4\n"
                 f"{rid},SSA,Brøndby,2025-04,w,,oplaering_glad,4\n")
    code, text = _cli(capsys, "validate", path)
    assert code == 2 and "row 3, column 'respondent_id'" in text and kind in text
    assert rid not in text and "Hansen" not in text


@pytest.mark.parametrize("rid", ["anne.hansen@elev.example.dk", "Anne Hansen"])
def test_survey_import_refuses_identifiers_and_writes_nothing(tmp_path, capsys, rid):
    export = write(tmp_path, "export.csv", f"Svar-ID;Afdeling;Hold;Spørgsmål 1;Spørgsmål 2\na1;Herlev;2025-04;4;5\n"
                                           f"{rid};Herlev;2025-04;4;5\n")
    out = tmp_path / "long.csv"
    code, text = _cli(capsys, "survey-import", export, "--mapping", write(tmp_path, "m.yaml", MAPPING), "--out", out)
    assert code == 2 and "row 3, column 'Svar-ID'" in text and rid not in text and "Hansen" not in text
    assert not out.exists() and sorted(os.listdir(tmp_path)) == ["export.csv", "m.yaml"]


@pytest.mark.parametrize("digit", ["²", "٣", "５"])
def test_unicode_digits_in_answers_are_refused_with_the_row(tmp_path, capsys, digit):
    path = write(tmp_path, "survey.csv", HEADER + "\nr1,SSA,Brøndby,2025-04,w,,oplaering_glad,4\n"
                 f"r2,SSA,Brøndby,2025-04,w,,oplaering_glad,{digit}\n")
    code, text = _cli(capsys, "validate", path)
    assert code == 2 and "row 3, column 'answer'" in text and "digit" in text and digit not in text
    export = write(tmp_path, "export.csv", f"Svar-ID;Afdeling;Hold;Spørgsmål 1;Spørgsmål 2\na1;Herlev;2025-04;4;5\n"
                                           f"a2;Herlev;2025-04;{digit};5\n")
    out = tmp_path / "long.csv"
    code, text = _cli(capsys, "survey-import", export, "--mapping", write(tmp_path, "m.yaml", MAPPING), "--out", out)
    assert code == 2 and "row 3, column 'Spørgsmål 1'" in text and digit not in text and not out.exists()


def test_a_survey_import_is_written_0600_in_a_0700_folder(tmp_path, capsys):
    export = write(tmp_path, "export.csv", "Svar-ID;Afdeling;Hold;Spørgsmål 1;Spørgsmål 2\na1;Herlev;2025-04;4;5\n")
    out = tmp_path / "private" / "long.csv"
    code, text = _cli(capsys, "survey-import", export, "--mapping", write(tmp_path, "m.yaml", MAPPING), "--out", out)
    assert code == 0, text
    assert (out.stat().st_mode & 0o777) == 0o600 and (out.parent.stat().st_mode & 0o777) == 0o700


def _analyse_and_write_every_table(tmp_path, survey: pd.DataFrame):
    from sosu_analysis.reporting import contracts
    from sosu_analysis.reporting.survey.section import report_section
    from sosu_analysis.survey.analysis import analyse

    path = tmp_path / "survey_synthetic_small.csv"
    survey.to_csv(path, index=False)
    res = analyse(str(path), str(SHIPPED_ITEMS), str(CAMPUSES), str(INTERVENTIONS), str(SHIPPED_STUDENTS))
    out = tmp_path / "out"
    for attr, name in (("by_group", "survey_by_group"), ("by_wave", "survey_by_wave"),
                       ("by_intervention", "survey_by_intervention"), ("contrasts", "survey_contrasts"),
                       ("spu", "survey_spu"), ("response", "survey_response"),
                       ("association_points", "survey_dropout_points")):
        contracts.write_table(getattr(res, attr), out, name)  # what notebook 09 does: no contract error
    report_section(res).write(out)
    return res, out


def test_a_comparison_campus_with_three_respondents_is_suppressed_and_the_run_goes_on(tmp_path):
    survey = pd.read_csv(SHIPPED_SURVEY, dtype=str, keep_default_na=False)
    three = survey.loc[survey["campus"] == "Gladsaxe", "respondent_id"].drop_duplicates().head(3)
    small = survey[(survey["campus"] != "Gladsaxe") | survey["respondent_id"].isin(three)]
    res, out = _analyse_and_write_every_table(tmp_path, small)
    assert any("Gladsaxe" in n and "færre end 5" in n for n in res.notes)
    response = pd.read_csv(out / "tables" / "survey_response.csv")
    gladsaxe = response[response["campus"] == "Gladsaxe"]
    assert len(gladsaxe) and gladsaxe["suppressed"].all() and gladsaxe["n_respondents"].isna().all()
    assert "Bemærk" in res.banner().data


def test_a_group_by_wave_cell_of_three_respondents_is_suppressed(tmp_path):
    survey = pd.read_csv(SHIPPED_SURVEY, dtype=str, keep_default_na=False)
    pilot = survey["campus"].isin(["Skelbækgade", "Brøndby", "Herlev", "Munkeengen"])
    wave = sorted(survey["wave"].unique())[0]
    cell = pilot & (survey["wave"] == wave) & (survey["intake"] < "2025-04")
    keep = survey.loc[cell, "respondent_id"].drop_duplicates().head(3)
    small = survey[~cell | survey["respondent_id"].isin(keep)]
    res, out = _analyse_and_write_every_table(tmp_path, small)
    assert any("Gruppen pilotafdelingerne (optag før pilotstart)" in n and wave in n for n in res.notes)
    by_wave = pd.read_csv(out / "tables" / "survey_by_wave.csv")
    rows = by_wave[(by_wave["group"] == "pilot") & (by_wave["period"] == "pre") & (by_wave["wave"] == wave)]
    assert len(rows) and rows["score"].isna().all()


@pytest.mark.parametrize("column,value", [("campus", "Anne Hansen"), ("item", "anne.hansen@elev.example.dk"),
                                          ("programme", "meje1234")])
def test_an_unknown_value_that_looks_personal_is_not_quoted(tmp_path, capsys, column, value):
    cells = {"respondent_id": "r1", "programme": "SSA", "campus": "Brøndby", "intake": "2025-04", "wave": "w",
             "intervention": "", "item": "oplaering_glad", "answer": "4"}
    cells[column] = value
    path = write(tmp_path, "survey.csv", HEADER + "\n" + ",".join(cells[c] for c in HEADER.split(",")) + "\n")
    code, text = _cli(capsys, "validate", path)
    assert code == 2 and f"row 2, column '{column}'" in text and value not in text and "Hansen" not in text
