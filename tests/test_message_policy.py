"""The message policy (privacy.safe_text), strict JSON, formula-safe CSV and the shared key-file rule (issue 20)."""

from __future__ import annotations

import importlib
import random
import re
import time

import pandas as pd
import pytest

from sosu_analysis import atomic, keyfile, privacy, strict_json

pseudonym = importlib.import_module("sosu_analysis.importer.pseudonym")

#: the e-mail pattern the mask used before issue 20: the reference its linear scan must agree with
OLD_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


# ---- linear-time masking -----------------------------------------------------------------------------------

def test_the_email_scan_finds_what_the_old_pattern_found():
    rng = random.Random(20)
    alphabet = "ab.@-+_ x.dkæ1@"
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert privacy._mask_emails(text) == OLD_EMAIL.sub(privacy.MASK, text), repr(text)


@pytest.mark.parametrize("text", ["k" * 300_000, "a@" + "b" * 300_000, "@" * 300_000, "a@b" * 100_000,
                                  "a." * 150_000 + "@x", "1" * 300_000, ("12 " * 100_000)])
def test_masking_a_long_text_takes_linear_time(text):
    # the old pattern took > 2 s on 10,000 characters and grew with the square; 300,000 take well under 1 s now.
    # A generous bound, not a benchmark: it fails only if the time is quadratic again.
    start = time.monotonic()
    privacy.mask_message(text)
    privacy.safe_text(text * 2, secrets=["k" * 300_000])
    assert time.monotonic() - start < 10


# ---- safe_text: secrets, escapes, bounds -------------------------------------------------------------------

def test_secrets_are_masked_before_anything_else():
    key = "Zq" * 200_000  # a key longer than the text kept: masked on the whole text, never cut in two
    text = f"echo: Authorization: Bearer {key}\r\nx-api-key: other-secret\r\n{key}"
    shown = privacy.safe_text(text, secrets=[key], limit=2000)
    assert "Zq" not in shown and "other-secret" not in shown
    assert shown.startswith("echo: Authorization: [skjult]\\x0d\\x0ax-api-key: [skjult]\\x0d\\x0a[skjult]")
    assert privacy.safe_text("sent bearer abc.def-123 twice") == "sent bearer [skjult] twice"
    assert privacy.safe_text("a basic token rule") == "a basic token rule"  # ordinary words stay
    assert privacy.safe_text('{"Authorization": "Basic dXNlcjpwdw=="}') == '{"Authorization": "[skjult]"}'
    # a file name ending in api-key is not a header: it stays readable
    assert privacy.safe_text("/home/u/.config/api-key: mode 0644") == "/home/u/.config/api-key: mode 0644"


def test_control_characters_and_escape_sequences_are_escaped():
    shown = privacy.safe_text("\x1b[2J\x1b]0;title\x07ok\u202eevil\r\nnext\x00")
    assert shown == "\\x1b[2J\\x1b]0;title\\x07ok\\u202eevil\\x0d\\x0anext\\x00"
    assert shown.isprintable()


def test_text_is_bounded_in_length_and_count():
    shown = privacy.safe_text("x" * 1000, limit=50)
    assert len(shown) < 80 and shown.endswith("… (1000 characters)")
    listed = privacy.safe_list([f"K{i}" for i in range(25)], max_items=3)
    assert listed == "'K0', 'K1', 'K2' … and 22 more"
    # personal identifiers inside a list are masked item by item
    assert privacy.safe_list(["K17", "jens@skole.dk", "010203-1234"]) == "'K17', '[skjult]', '[skjult]'"


# ---- strict JSON -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expect", [
    ("[NaN]", "NaN"), ("[Infinity]", "Infinity"), ("[-Infinity]", "-Infinity"), ("[1e400]", "larger than"),
    ("[1e308]", "larger than"), ("[" + "9" * 5000 + "]", "5000 digits"), ("[" * 50 + "]" * 50, "nested deeper"),
    ("[" * 200_000 + "]" * 200_000, "nested deeper"), ('{"a": 1, "a": 1}', "twice"), ("[1,", "line 1, column 4"),
])
def test_strict_json_refuses(text, expect):
    with pytest.raises(strict_json.StrictJSONError, match=re.escape(expect)):
        strict_json.loads(text)


def test_strict_json_accepts_plain_answers():
    assert strict_json.loads(b'\xef\xbb\xbf[{"Antal": "1.171", "Andel": 97.2, "n": -3}]') == \
        [{"Antal": "1.171", "Andel": 97.2, "n": -3}]
    assert strict_json.depth([[[{}]]]) == 4


# ---- formula-safe CSV --------------------------------------------------------------------------------------

def test_every_text_cell_is_formula_safe_and_numbers_stay_numbers(tmp_path):
    frame = pd.DataFrame({
        "label": ["=cmd|' /C calc'!A0", "+SUM(1)", "-2+3", "@A1", "\tx", "\u00a0x", "plain", "-", "-1,2", "+4,5 %", None],
        "value": [-1.5, -2.0, 3.25, 0.0, -0.001, 1e-9, -7.0, 1.0, 2.0, 3.0, -4.0],
        "count": pd.array([-3, 1, 2, 3, 4, 5, 6, 7, 8, 9, None], dtype="Int64"),
        "cat": pd.Categorical(["=x", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a"]),
    })
    path = tmp_path / "t.csv"
    atomic.write_csv(path, frame)
    back = pd.read_csv(path, keep_default_na=False)
    assert back["label"].tolist() == ["'=cmd|' /C calc'!A0", "'+SUM(1)", "'-2+3", "'@A1", "'\tx", "\u00a0x", "plain",
                                      "-", "-1,2", "+4,5 %", ""]
    assert back["value"].tolist() == [-1.5, -2.0, 3.25, 0.0, -0.001, 1e-9, -7.0, 1.0, 2.0, 3.0, -4.0]
    assert pd.read_csv(path)["count"].tolist()[:2] == [-3, 1] and back["cat"].iloc[0] == "'=x"
    assert path.read_text(encoding="utf-8").splitlines()[1] == "'=cmd|' /C calc'!A0,-1.5,-3,'=x"
    assert frame["label"].iloc[0] == "=cmd|' /C calc'!A0"  # the caller's frame is not changed
    assert atomic.csv_text(pd.DataFrame({"=h": ["@x"]})) == "'=h\n'@x\n"
    # a carriage return at the start is neutralised too (read back through pandas it would split the row)
    assert atomic.formula_safe_text("\rcmd") == "'\rcmd" and atomic.formula_safe_text(-3) == -3


def test_a_frame_without_risky_text_is_written_as_before(tmp_path):
    frame = pd.DataFrame({"campus": ["K17", "K23"], "att_pp": [-4.2, float("-inf")], "n": [-1, 2]})
    assert atomic.formula_safe(frame) is frame


# ---- one key-file rule -------------------------------------------------------------------------------------

def test_import_and_fetch_share_one_key_file_rule(tmp_path):
    assert pseudonym.check_key_location is keyfile.check_key_location
    key = tmp_path / "k"
    key.write_text("a" * 64 + "\n")
    key.chmod(0o644)
    assert any("read by others (mode 0644)" in r for r in keyfile.check_key_location(key, tmp_path / "project"))
    key.chmod(0o600)
    assert keyfile.check_key_location(key, tmp_path / "project") == []
    assert keyfile.read_key_line(key) == "a" * 64


def test_a_survey_wave_label_formula_is_written_as_text_through_the_table_contract(tmp_path):
    from sosu_analysis.reporting import contracts

    row = {"group": "pilot", "campus": "K17", "wave": '=HYPERLINK("http://x","klik")', "intakes": "2024-08",
           "n_respondents": 12, "n_students": 20, "response_rate": -0.0, "low": False, "known": True,
           "suppressed": False, "secondary": False}
    contracts.write_table(pd.DataFrame([row]), tmp_path, "survey_response")
    text = contracts.table_path(tmp_path, "survey_response").read_text(encoding="utf-8")
    assert "'=HYPERLINK(" in text and ",12,20," in text
    back = contracts.read_table(tmp_path, "survey_response")
    assert back["wave"].iloc[0] == '\'=HYPERLINK("http://x","klik")' and back["n_respondents"].iloc[0] == 12
