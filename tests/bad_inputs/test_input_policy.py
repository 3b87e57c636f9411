"""The one input policy (issue 20, ``sosu_analysis.input_policy``): one CPR rule, one date window, one quote
check, one safe YAML loader, plausibility bounds, shared by validate, run --students, the survey and import.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from sosu_analysis import cli, input_policy
from sosu_analysis.errors import InputError
from sosu_analysis.paths import project_root

ROOT = project_root()
PUBLISHED = ROOT / "data/raw/uddannelsesstatistik_sosuh_hovedforloeb_3mdr_2022-2024.csv"
EXTRACT = ROOT / "data/raw/synthetic/students_synthetic_seed20250401_effect-5.csv"


def _cli(capsys, *argv) -> tuple[int, str]:
    code = cli.main([str(a) for a in argv])
    cap = capsys.readouterr()
    text = cap.out + cap.err
    assert "Traceback" not in text
    return code, text


# ---- the CPR rule ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,digits", [
    ("010203-1234", "0102031234"), ("0102031234", "0102031234"), ("102031234", "0102031234"),
    ("102031234.0", "0102031234"), ("0102031234.0", "0102031234"), ("010203 1234", "0102031234"),
    ("010203/1234", "0102031234"), ("010203", None), ("12345", None), ("S000001", None), ("", None),
    ("٠١٠٢٠٣١٢٣٤", None), ("010203-12345", None)])
def test_cpr_digits(text, digits):
    assert input_policy.cpr_digits(text) == digits
    if digits:
        assert input_policy.looks_like_cpr(text)


@pytest.mark.parametrize("text,found", [
    ("id 0102031234", True), ("x010203-1234y", True), ("102031234", True), ("102031234.0", True),
    ("S000001", False), ("R012024080003", False), ("2024-08-01", False), ("01020312345", False),
    ("P-abcdefghijklmnopqrst", False), ("992031234", False),  # 9 digits, but '09' + '92' is no birth date
    ("010203-123", False)])
def test_looks_like_cpr(text, found):
    assert input_policy.looks_like_cpr(text) is found


def test_the_cpr_check_is_linear_on_long_input():
    # one pass over the characters, no backtracking: a million digits and separators are checked at once
    assert not input_policy.looks_like_cpr("12345-" * 200_000)
    assert input_policy.looks_like_cpr("1-" * 300_000 + "0102031234")
    assert input_policy.unclosed_quote_line('a,"' + "x" * 1_000_000, ",") == 1


@pytest.mark.parametrize("value,kind", [("anna.hansen@elev.example.dk", "e-mail address"),
                                        ("Anne Hansen", "name"), ("Lærke Østergaard", "name"),
                                        ("+45 12 34 56 78", "phone number"), ("12345678", "phone number"),
                                        ("010203-1234", "CPR number"), ("R012024080003", None), ("S000001", None),
                                        ("2024-08", None), ("anon-17", None)])
def test_identifier_kind(value, kind):
    assert input_policy.identifier_kind(value) == kind


def test_shown_values_keeps_codes_and_counts_the_rest():
    shown, hidden = input_policy.shown_values({"K17": 3, "Anne Hansen": 1, "meje1234": 2, "a@b.dk": 1,
                                               "Mette": 4, "0102031234": 1},
                                              frozenset({input_policy.value_token("mette")}))
    assert shown == {"K17": 3} and hidden == 9


# ---- validate and run --students: the 9-digit CPR an Excel sheet made -------------------------------------

def _extract_with_id(tmp_path: Path, row: int, value: str) -> Path:
    with open(EXTRACT, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[row][0] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows[:60])
    path = tmp_path / "students_synthetic_x.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


@pytest.mark.parametrize("value", ["102031234", "102031234.0", "0102031234", "010203-1234"])
def test_validate_and_run_refuse_a_cpr_as_student_id(tmp_path, capsys, value):
    path = _extract_with_id(tmp_path, 7, value)
    code, text = _cli(capsys, "validate", path)
    assert code == 2 and "row 8" in text and "student_id" in text and "CPR" in text and value not in text
    out = tmp_path / "out"
    code, text = _cli(capsys, "run", "--students", path, "--output", out)
    assert code == 2 and "row 8" in text and value not in text and "running" not in text and not out.exists()


# ---- quoting, dates, plausibility ------------------------------------------------------------------

def test_an_unclosed_quote_is_an_error_naming_its_row(tmp_path, capsys):
    lines = PUBLISHED.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].replace("SOSU H;", 'SOSU H;"', 1)
    path = tmp_path / "published.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, text = _cli(capsys, "validate", path)
    assert code == 2 and "row 5" in text and "quotation mark" in text


@pytest.mark.parametrize("date", ["1950-08-01", "2099-08-01"])
def test_validate_uses_the_same_date_window(tmp_path, capsys, date):
    with open(EXTRACT, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[3][3] = date
    path = tmp_path / "students_synthetic_d.csv"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows[:40])
    path.write_text(buf.getvalue(), encoding="utf-8")
    code, text = _cli(capsys, "validate", path)
    assert code == 2 and "row 4" in text and ("before 2000-01-01" in text or "after today" in text)
    assert input_policy.date_window_problem(dt.date.fromisoformat(date), dt.date(2030, 1, 1), "start date", "x")


def test_a_count_of_100000_with_a_share_of_a_tenth_percent_fails(tmp_path, capsys):
    text = PUBLISHED.read_text(encoding="utf-8")
    row = "SOSU H;Pædagogisk assistent;2022;97,2 %;207;;;2,8 %;6;2,8%;6"
    assert row in text
    hostile = "SOSU H;Pædagogisk assistent;2022;99,9 %;99.900.000;;;0,1 %;100.000;0,1 %;100.000"
    path = tmp_path / "published.csv"
    path.write_text(text.replace(row, hostile), encoding="utf-8")
    code, out = _cli(capsys, "validate", path)
    assert code == 2 and "row 2" in out and "ceiling" in out and "(antal)" in out


def test_an_intake_just_below_the_ceiling_passes(tmp_path, capsys):
    from sosu_analysis.readers.published import MAX_INTAKE

    text = PUBLISHED.read_text(encoding="utf-8")
    row = "SOSU H;Pædagogisk assistent;2022;97,2 %;207;;;2,8 %;6;2,8%;6"
    n = MAX_INTAKE  # 19.980 in progress (99,9 %) and 20 dropouts (0,1 %): an intake of exactly the ceiling
    hostile = f"SOSU H;Pædagogisk assistent;2022;99,9 %;{n - 20:,};;;0,1 %;20;0,1 %;20".replace(",", ".")
    path = tmp_path / "published.csv"
    path.write_text(text.replace(row, hostile), encoding="utf-8")
    assert _cli(capsys, "validate", path)[0] == 0


# ---- YAML and config keys ---------------------------------------------------------------------------

BOMB = "\n".join(["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
                 + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]) + "\n"


def test_a_yaml_bomb_in_the_config_is_refused(tmp_path, capsys):
    cfg = tmp_path / "bomb.yaml"
    cfg.write_text(BOMB, encoding="utf-8")
    code, text = _cli(capsys, "run", "--config", cfg, "--output", tmp_path / "out")
    assert code == 2 and "bomb.yaml" in text and "not allowed" in text and "running" not in text


def test_a_yaml_bomb_in_a_saved_query_is_refused(tmp_path, capsys):
    query = tmp_path / "q.yaml"
    query.write_text(BOMB, encoding="utf-8")
    answer = ROOT / "data/raw/national/sosu_skoler_hovedforloeb_3mdr_2022-2024_synthetic_seed20251123.answer.json"
    code, text = _cli(capsys, "fetch", "--replay", answer, query, "--out", tmp_path / "x.csv")
    assert code == 2 and "not allowed" in text and not (tmp_path / "x.csv").exists()


def test_a_yaml_bomb_in_a_survey_mapping_is_refused(tmp_path, capsys):
    mapping = tmp_path / "m.yaml"
    mapping.write_text(BOMB, encoding="utf-8")
    export = tmp_path / "wide.csv"
    export.write_text("id,q1\nr1,3\n", encoding="utf-8")
    code, text = _cli(capsys, "survey-import", export, "--mapping", mapping, "--out", tmp_path / "long.csv")
    assert code == 2 and "not allowed" in text and not (tmp_path / "long.csv").exists()


def test_an_oversized_yaml_is_refused_before_parsing(tmp_path):
    with pytest.raises(InputError, match="larger than"):
        input_policy.load_yaml("x: " + "y" * (input_policy.MAX_YAML_BYTES + 1), "big.yaml")


@pytest.mark.parametrize("line,key", [("seed: " + "9" * 5000, "seed"), ("alpha: 1e400", "alpha"),
                                      ("alpha: 1.0e+400", "alpha"), ("alpha: .nan", "alpha"),
                                      ("power_reps: " + "1" * 5000, "power_reps")])
def test_huge_numbers_in_the_config_name_their_key(tmp_path, capsys, line, key):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(line + "\n", encoding="utf-8")
    code, text = _cli(capsys, "run", "--config", cfg, "--output", tmp_path / "out")
    assert code == 2 and f"key '{key}'" in text and "running" not in text
    assert len(text) < 600


def test_the_quote_check_agrees_with_pythons_csv_in_strict_mode():
    # independent reference: csv.reader(strict=True) raises "unexpected end of data" exactly when a quoted
    # field is still open at the end of the text
    import random

    rng = random.Random(20)
    for _ in range(5000):
        text = "".join(rng.choice('a;"\n') for _ in range(rng.randint(0, 12)))
        try:
            list(csv.reader(io.StringIO(text), delimiter=";", strict=True))
            open_at_end = False
        except csv.Error as exc:
            if "unexpected end of data" not in str(exc):
                continue  # another strict-mode complaint ('"a"b'): not what this check is about
            open_at_end = True
        assert (input_policy.unclosed_quote_line(text, ";") is not None) is open_at_end, repr(text)
