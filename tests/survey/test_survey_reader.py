"""Reading and checking survey files, item tables and wide exports; the CLI commands."""

from __future__ import annotations

import pytest
from survey_helpers import CAMPUSES, HEADER, INTERVENTIONS, ITEMS_CSV, SHIPPED_ITEMS, SHIPPED_SURVEY, write

from sosu_analysis.cli import main
from sosu_analysis.errors import InputError
from sosu_analysis.students import read_campuses, read_interventions
from sosu_analysis.survey import read_items, read_survey
from sosu_analysis.survey.importer import wide_to_long

CPR = "010203-1234"


def _read(tmp_path, body: str, items: str = ITEMS_CSV):
    path = write(tmp_path, "survey.csv", HEADER + "\n" + body)
    camp = read_campuses(CAMPUSES)
    return read_survey(path, read_items(write(tmp_path, "items.csv", items)), camp,
                       read_interventions(INTERVENTIONS, camp))


def _problems(tmp_path, body: str) -> list[str]:
    with pytest.raises(InputError) as exc:
        _read(tmp_path, body)
    return [str(p) for p in exc.value.problems]


def test_valid_file(tmp_path):
    f = _read(tmp_path, "r1,SSA,Brøndby,2025-04,efter oplæring 1a,3;2B,pos1,4\n"
                        "r1,SSA,Brøndby,2025-04,efter oplæring 1a,2b;3,pos2,\n"
                        "r2,ssa,Hillerød,2025-04,2025-05,,neg1,1\n")
    assert f["answer"].tolist()[0] == 4 and f["answer"].isna().tolist() == [False, True, False]
    assert f["intervention"].tolist()[:2] == ["2b;3", "2b;3"]
    assert f["campus"].tolist()[2] == "Munkeengen"  # alias of the campus table


def test_cpr_like_respondent_refused_and_not_echoed(tmp_path):
    problems = _problems(tmp_path, f"{CPR},SSA,Brøndby,2025-04,w,,pos1,4\n")
    assert any("row 2, column 'respondent_id'" in p and "CPR" in p for p in problems)
    assert not any(CPR in p or "0102031234" in p for p in problems)


def test_free_text_answer_refused_and_not_echoed(tmp_path):
    secret = "min vejleder hedder Hansen"
    problems = _problems(tmp_path, f"r1,SSA,Brøndby,2025-04,w,,pos1,{secret}\nr2,SSA,Brøndby,2025-04,w,,pos1,6\n")
    assert [p.split(":")[0] for p in problems] == [f"{tmp_path / 'survey.csv'}, row 2, column 'answer'",
                                                   f"{tmp_path / 'survey.csv'}, row 3, column 'answer'"]
    assert not any(secret in p for p in problems)


def test_extra_columns_are_never_read(tmp_path):
    path = write(tmp_path, "s.csv", HEADER + ",kommentar\nr1,SSA,Brøndby,2025-04,w,,pos1,4," + CPR + "\n")
    f = read_survey(path, read_items(write(tmp_path, "items.csv", ITEMS_CSV)))
    assert "kommentar" not in f.columns and len(f) == 1


def test_design_errors_name_row_and_column(tmp_path):
    problems = _problems(tmp_path, "\n".join([
        "r1,SSA,Gladsaxe,2025-04,w,2a,pos1,4",          # intervention at a comparison campus
        "r2,SSA,Brøndby,2024-10,w,2b,pos1,4",           # before the pilot start
        "r3,SSA,Brøndby,2025-04,w,1a,pos1,4",           # 1a is not run at Brøndby
        "r4,SSA,Nowhere,2025-04,w,,pos1,4",             # unknown campus
        "r5,SSA,Brøndby,2025-4,w,,pos1,4",              # bad intake
        "r6,SSA,Brøndby,2025-04,w,,posX,4",             # unknown item
        "r7,SSA,Brøndby,2025-04,w,,pos1,4",
        "r7,SSA,Brøndby,2025-04,w,,pos1,5",             # duplicate
        "r7,SSA,Herlev,2025-04,w,,pos2,5",              # another campus for the same respondent
    ]) + "\n")
    want = [("row 2, column 'intervention'", "not a pilot campus"), ("row 3, column 'intervention'", "before"),
            ("row 4, column 'intervention'", "not listed"), ("row 5, column 'campus'", "unknown campus"),
            ("row 6, column 'intake'", "YYYY-MM"), ("row 7, column 'item'", "unknown item"),
            ("row 9, column 'item'", "duplicate"), ("row 10, column 'respondent_id'", "another programme")]
    for where, what in want:
        assert any(where in p and what in p for p in problems), (where, problems)


def test_item_table_errors(tmp_path):
    bad = ITEMS_CSV + "pos1,dublet,maybe,ix,yes,test\n"
    with pytest.raises(InputError) as exc:
        read_items(write(tmp_path, "items.csv", bad))
    text = "\n".join(str(p) for p in exc.value.problems)
    assert "row 6, column 'item'" in text and "already listed in row 2" in text
    assert "row 6, column 'reverse'" in text and "row 6, column 'spu_comparable'" in text


def test_shipped_item_table_has_the_seed_items():
    items = read_items(SHIPPED_ITEMS)
    texts = set(items["text"])
    for etu in ("Jeg lærer noget i oplæringen", "Jeg er glad for at være i oplæring",
                "Jeg var godt forberedt til at komme i oplæring"):  # seed 003 §2
        assert etu in texts
    assert items["spu_comparable"].sum() == 1 and items["reverse"].sum() >= 1


MAPPING = """columns:
  respondent_id: Svar-ID
  campus: Afdeling
  intake: Hold
constants:
  programme: SSA
  wave: efter oplæring 1a
  intervention: ""
items:
  "Spørgsmål 1": pos1
  "Spørgsmål 2": neg1
answers:
  Helt uenig: 1
  Uenig: 2
  Hverken enig eller uenig: 3
  Enig: 4
  Helt enig: 5
missing: [Ved ikke]
"""


def test_wide_export_to_long(tmp_path):
    export = write(tmp_path, "export.csv", "Svar-ID;Afdeling;Hold;Spørgsmål 1;Spørgsmål 2;Kommentar\n"
                                           f"a1;Herlev;2025-04;helt enig;Ved ikke;{CPR}\n"
                                           "a2;Herlev;2025-04;2;Uenig;fin\n")
    long = wide_to_long(export, write(tmp_path, "map.yaml", MAPPING))
    assert long[["respondent_id", "item", "answer"]].values.tolist() == [
        ["a1", "pos1", "5"], ["a1", "neg1", ""], ["a2", "pos1", "2"], ["a2", "neg1", "2"]]
    assert set(long["wave"]) == {"efter oplæring 1a"} and CPR not in long.to_csv()


def test_wide_export_bad_answer(tmp_path):
    export = write(tmp_path, "export.csv", "Svar-ID;Afdeling;Hold;Spørgsmål 1;Spørgsmål 2\n"
                                           "a1;Herlev;2025-04;meget enig;1\n")
    with pytest.raises(InputError) as exc:
        wide_to_long(export, write(tmp_path, "map.yaml", MAPPING))
    assert "row 2, column 'Spørgsmål 1'" in str(exc.value) and "meget enig" not in str(exc.value)


def test_mapping_errors(tmp_path):
    with pytest.raises(InputError) as exc:
        wide_to_long(write(tmp_path, "e.csv", "x\n1\n"),
                     write(tmp_path, "m.yaml", "columns: {respondent_id: x}\nitems: {x: pos1}\nanswerz: {}\n"))
    text = str(exc.value)
    assert "unknown key 'answerz'" in text


def test_cli_validate_survey_and_items(capsys):
    assert main(["validate", str(SHIPPED_SURVEY), str(SHIPPED_ITEMS)]) == 0
    out = capsys.readouterr().out
    assert "(survey)" in out and "(survey_items)" in out


def test_cli_validate_reports_bad_survey(tmp_path, capsys):
    path = write(tmp_path, "s.csv", HEADER + f"\n{CPR},SSA,Brøndby,2025-04,w,,oplaering_glad,4\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "row 2, column 'respondent_id'" in err and CPR not in err


def test_cli_survey_import(tmp_path, capsys):
    mapping = MAPPING.replace("pos1", "oplaering_glad").replace("neg1", "passer_ikke")
    export = write(tmp_path, "export.csv", "Svar-ID;Afdeling;Hold;Spørgsmål 1;Spørgsmål 2\na1;Herlev;2025-04;4;5\n")
    out = tmp_path / "long.csv"
    assert main(["survey-import", str(export), "--mapping", str(write(tmp_path, "m.yaml", mapping)),
                 "--out", str(out)]) == 0
    assert main(["validate", str(out)]) == 0
    assert out.read_text(encoding="utf-8").splitlines()[0] == HEADER


def test_pipeline_checks_the_survey_before_any_notebook(tmp_path):
    from sosu_analysis.pipeline.config import load_config
    from sosu_analysis.pipeline.run import validate_inputs

    bad = write(tmp_path, "survey_synthetic_bad.csv", HEADER + "\nr1,SSA,Brøndby,2025-04,w,,no_such_item,4\n")
    cfg = load_config("config/default.yaml", overrides={"survey_file": str(bad)})
    with pytest.raises(InputError) as exc:
        validate_inputs(cfg, "config/default.yaml")
    assert "row 2, column 'item'" in str(exc.value)
