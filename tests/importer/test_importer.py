"""``sosu-analysis import``: mapping, key, CPR pseudonyms, unknown values, spells, sidecar, file variants."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import stat

import pytest
import yaml
from importer_helpers import CAMPUSES, DEFAULT_MAPPING, ROOT

from sosu_analysis.cli import main
from sosu_analysis.errors import InputError
from sosu_analysis.importer import load_mapping, normalise_cpr, pseudonym, read_key
from sosu_analysis.importer.core import import_export, parse_export_date
from sosu_analysis.importer.provenance import import_record, provenance_sentence_da, switch_scope_sentence_da
from sosu_analysis.importer.pseudonym import new_key
from sosu_analysis.students import read_extract

HEADER = ["Elevnavn", "CPR", "Uddannelsesbetegnelse", "GH", "Lokation", "Startdato på uddannelsesforholdet",
          "Afgangsdato", "Afgangsårsag", "Udmeldingsperspektiv", "Tlf", "Email"]
# fake CPR numbers (fail the modulus-11 check)
C1, C2, C3 = "010203-1235", "2411951112", "0312881113"


def _write(path, rows, encoding="cp1252", delimiter=";", header=HEADER):
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        if header:
            w.writerow(header)
        w.writerows(rows)
    return path


ROWS = [
    ["Anne Hansen", C1, "Social- og sundhedsassistent", "HF", "Herlev", "07-02-2022", "20-03-2022", "AFB1", "",
     "12 34 56 78", "anne.h@x.dk"],
    ["Anne Hansen", C1, "Social- og sundhedsassistent", "HF", "Herlev", "01-09-2022", "", "", "", "12 34 56 78",
     "anne.h@x.dk"],
    ["Jens Møller", C2, "Social- og sundhedshjælper", "HF", "Hillerød", "07-02-2022", "01-04-2022", "AFB2",
     "Anden uddannelse", "87654321", "jm@x.dk"],
    ["Jens Møller", C2, "Social- og sundhedsassistent", "GF2", "Hillerød", "01-09-2021", "01-02-2022", "0GH", "",
     "87654321", "jm@x.dk"],
    ["Ida Ali", "312881113", "Pædagogisk assistent", "HF", "SOSU H Brøndby", "07-02-2022", "15-06-2022", "AFB1", "",
     "+45 11 22 33 44", "ia@x.dk"],
    ["Ida Ali", C3, "Social- og sundhedshjælper", "HF", "Brøndby", "01-08-2022", "", "", "", "", ""],
]


def test_hmac_pseudonym_against_an_independent_construction():
    """HMAC-SHA256 written out from RFC 2104 (ipad/opad) with hashlib, letters a-p for hex 0-f."""
    key = bytes(range(32))
    msg = b"cpr10:0102031235"
    block = key.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block) + msg).digest()
    mac = hashlib.sha256(bytes(b ^ 0x5C for b in block) + inner).hexdigest()
    assert pseudonym("0102031235", key) == "P-" + "".join("abcdefghijklmnop"["0123456789abcdef".index(c)]
                                                          for c in mac[:20])


def test_rfc4231_case2_shows_the_construction_is_hmac():
    # RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
    key, data = b"Jefe", b"what do ya want for nothing?"
    block = key.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block) + data).digest()
    mac = hashlib.sha256(bytes(b ^ 0x5C for b in block) + inner).hexdigest()
    assert mac == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"


@pytest.mark.parametrize("text,digits", [("010203-1235", "0102031235"), ("0102031235", "0102031235"),
                                         ("102031235", "0102031235"), ("102031235.0", "0102031235"),
                                         ("010203 1235", "0102031235"), ("010203", "010203"),
                                         ("12345", None), ("01020312", None), ("S000001", None), ("", None)])
def test_normalise_cpr(text, digits):
    assert normalise_cpr(text) == digits


def test_same_key_same_pseudonym_other_key_other(tmp_path):
    k1 = new_key(tmp_path / "a.key", project=ROOT)
    k2 = new_key(tmp_path / "b.key", project=ROOT)
    a, b = read_key(k1, project=ROOT), read_key(k2, project=ROOT)
    assert pseudonym("0102031235", a) == pseudonym("0102031235", a) != pseudonym("0102031235", b)
    assert pseudonym("0102031235", a) != pseudonym("0102031236", a)


def test_new_key_is_owner_only_and_never_overwritten(tmp_path):
    k = new_key(tmp_path / "x.key", project=ROOT)
    assert stat.S_IMODE(os.stat(k).st_mode) == 0o600
    before = k.read_bytes()
    with pytest.raises(InputError, match="exists already"):
        new_key(k, project=ROOT)
    assert k.read_bytes() == before


def test_key_refused_inside_project_or_shared(tmp_path):
    with pytest.raises(InputError, match="inside the project"):
        new_key(ROOT / "data" / "raw" / "private" / "nope.key", project=ROOT)
    assert not (ROOT / "data" / "raw" / "private" / "nope.key").exists()
    k = new_key(tmp_path / "x.key", project=ROOT)
    os.chmod(k, 0o644)
    with pytest.raises(InputError, match="read by others"):
        read_key(k, project=ROOT)
    os.chmod(k, 0o600)
    k.write_text("short\n")
    with pytest.raises(InputError, match="not a key"):
        read_key(k, project=ROOT)


def test_dates():
    assert str(parse_export_date("07-02-2022")) == "2022-02-07"
    assert str(parse_export_date("7.2.2022")) == "2022-02-07"
    assert str(parse_export_date("2022-02-07")) == "2022-02-07"
    assert parse_export_date("31-02-2022") is None and parse_export_date("2022/02/07") is None


def test_import_small_export(tmp_path, key_file, mapping_file):
    export = _write(tmp_path / "Z425.csv", ROWS)
    out = tmp_path / "private" / "elever.csv"
    res = import_export(export, mapping_file, key_file, out, CAMPUSES)
    text = out.read_text(encoding="utf-8")
    for secret in ("Anne", "Hansen", "Jens", "Møller", "Ida", C1, C2, C3, "0102031235", "12 34 56 78", "@x.dk",
                   "87654321"):
        assert secret not in text
    got = read_extract(out, CAMPUSES)
    assert len(got) == 5 and got["student_id"].nunique() == 3
    anne = got[got["programme"] == "SSA"].sort_values("start_date")
    assert anne["student_id"].nunique() == 1 and anne["exit_type"].tolist() == ["left", ""]  # a restart: 2 spells
    jens = got[got["campus"] == "Munkeengen"]  # Hillerød is an alias of Munkeengen
    assert jens["exit_type"].tolist() == ["switch"]  # Udmeldingsperspektiv "Anden uddannelse"
    ida = got[got["programme"] == "PAU"]
    # 9 digits (Excel lost the zero) = the same student as the 10-digit row; her next spell is on another
    # programme, so leaving PAU is a switch seen from inside the school
    assert ida["exit_type"].tolist() == ["switch"] and ida["campus"].tolist() == ["Brøndby"]
    assert got.loc[got["programme"] == "SSH", "student_id"].isin(ida["student_id"]).any()
    meta = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["label"] == "IMPORTED" and meta["rows_in"] == 6 and meta["rows_out"] == 5
    assert meta["source_sha256"] == hashlib.sha256(export.read_bytes()).hexdigest()
    assert meta["mapping_sha256"] == hashlib.sha256(mapping_file.read_bytes()).hexdigest()
    assert meta["dropped_columns"] == ["Elevnavn", "Tlf", "Email"] and meta["restarts"] == 1
    assert meta["extract_date"] == "2022-09-01"
    assert res.n_switch_from_new_spell == 1 and res.n_switch_from_destination == 1
    assert import_record(out) == meta
    assert "inde fra skolen" in switch_scope_sentence_da(meta) and switch_scope_sentence_da(None) is None
    assert "6 rækker ind, 5 uddannelsesforhold ud" in provenance_sentence_da(meta)
    assert "under 5 rækker ind" in provenance_sentence_da(dict(meta, rows_in=3))


@pytest.mark.parametrize("encoding,delimiter", [("utf-8-sig", ","), ("utf-16", "\t"), ("cp1252", "|"),
                                                ("utf-8", ";")])
def test_encodings_and_delimiters(tmp_path, key_file, mapping_file, encoding, delimiter):
    export = _write(tmp_path / "z.csv", ROWS, encoding=encoding, delimiter=delimiter)
    import_export(export, mapping_file, key_file, tmp_path / "o.csv", CAMPUSES)
    ref = _write(tmp_path / "ref.csv", ROWS)
    import_export(ref, mapping_file, key_file, tmp_path / "r.csv", CAMPUSES)
    assert (tmp_path / "o.csv").read_text() == (tmp_path / "r.csv").read_text()


def test_xlsx_with_number_cpr_and_date_cells(tmp_path, key_file, mapping_file):
    import datetime as dt

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in ROWS:
        r = list(r)
        r[1] = int(r[1].replace("-", ""))  # Excel stores the CPR as a number: the zero is lost
        r[5] = dt.datetime.strptime(r[5], "%d-%m-%Y")
        ws.append(r)
    wb.save(tmp_path / "z.xlsx")
    import_export(tmp_path / "z.xlsx", mapping_file, key_file, tmp_path / "o.csv", CAMPUSES)
    import_export(_write(tmp_path / "ref.csv", ROWS), mapping_file, key_file, tmp_path / "r.csv", CAMPUSES)
    assert (tmp_path / "o.csv").read_text() == (tmp_path / "r.csv").read_text()


def test_unknown_values_listed_once_with_masked_counts(tmp_path, key_file, mapping_file, capsys):
    rows = ROWS + [["X Y", "0505901119", "Frisør", "HF", "Herlev", "01-02-2023", "", "", "", "", ""]] * 6 + \
        [["X Y", "0505901119", "Social- og sundhedsassistent", "HF", "Roskilde", "01-03-2023", "", "", "", "", ""],
         ["X Y", "0505901119", "Social- og sundhedsassistent", "HF", "Herlev", "01-04-2023", "01-05-2023", "Q9", "",
          "", ""],
         ["X Y", "0505901119", "Social- og sundhedsassistent", "GFX", "Herlev", "01-04-2023", "", "", "", "", ""]]
    export = _write(tmp_path / "z.csv", rows)
    out = tmp_path / "o.csv"
    assert main(["import", str(export), "--mapping", str(mapping_file), "--key-file", str(key_file),
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("values not in the mapping") == 1
    assert "'Frisør': 6" in err and "'Roskilde': < 5" in err and "'Q9': < 5" in err and "'GFX': < 5" in err
    assert not out.exists() and not out.with_suffix(".json").exists()
    assert main(["import", str(export), "--mapping", str(mapping_file), "--key-file", str(key_file),
                 "--dry-run"]) == 2
    printed = capsys.readouterr()
    assert "'Frisør': 6" in printed.out and "rows read: 15" in printed.out and "Elevnavn" in printed.out
    assert "0505901119" not in printed.out + printed.err and "X Y" not in printed.out + printed.err


def test_row_problems_name_row_and_column_never_the_value(tmp_path, key_file, mapping_file):
    rows = [list(r) for r in ROWS]
    rows[0][1] = "01020312"          # 8 digits: not a CPR
    rows[1][5] = "2022-13-01"        # bad date
    rows[2][6] = "01-01-2022"        # exit before start
    rows[4][7] = ""                  # exit date without afgangsårsag
    export = _write(tmp_path / "z.csv", rows)
    with pytest.raises(InputError) as exc:
        import_export(export, mapping_file, key_file, tmp_path / "o.csv", CAMPUSES)
    text = str(exc.value)
    assert "row 2, column 'CPR'" in text and "row 3, column 'Startdato på uddannelsesforholdet'" in text
    assert "row 4, column 'Afgangsdato'" in text and "row 6, column 'Afgangsårsag'" in text
    assert "01020312" not in text and "2022-13-01" not in text and "Anne" not in text


def test_headerless_export_is_refused_without_echo(tmp_path, key_file, mapping_file, capsys):
    export = _write(tmp_path / "z.csv", ROWS, header=None)
    assert main(["import", str(export), "--mapping", str(mapping_file), "--key-file", str(key_file),
                 "--out", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err
    assert "columns.cpr" in err and "Anne" not in err and "010203" not in err and "anne.h" not in err


def test_mapping_validation(tmp_path):
    m = yaml.safe_load(DEFAULT_MAPPING.read_text(encoding="utf-8"))
    load_mapping(DEFAULT_MAPPING)
    bad = dict(m, colums={})
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError, match="key 'colums': unknown key"):
        load_mapping(tmp_path / "a.yaml")
    bad = yaml.safe_load(DEFAULT_MAPPING.read_text(encoding="utf-8"))
    bad["exit_reasons"]["left"] = ["0FÆ"]
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError, match="listed under both"):
        load_mapping(tmp_path / "b.yaml")
    bad = yaml.safe_load(DEFAULT_MAPPING.read_text(encoding="utf-8"))
    del bad["columns"]["cpr"]
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError, match="columns.cpr"):
        load_mapping(tmp_path / "c.yaml")


def test_mapping_campus_must_exist(tmp_path, key_file, mapping_file):
    m = yaml.safe_load(mapping_file.read_text(encoding="utf-8"))
    m["campuses"]["Roskilde"] = "Roskilde"
    mapping_file.write_text(yaml.safe_dump(m, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError, match="campuses.Roskilde"):
        import_export(_write(tmp_path / "z.csv", ROWS), mapping_file, key_file, tmp_path / "o.csv", CAMPUSES)


def test_new_key_cli(tmp_path, capsys):
    assert main(["import", "--new-key", str(tmp_path / "k.key")]) == 0
    assert stat.S_IMODE(os.stat(tmp_path / "k.key").st_mode) == 0o600
    assert main(["import", "--new-key", str(tmp_path / "k.key")]) == 2
