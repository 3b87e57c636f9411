"""Hostile and slipped inputs to ``sosu-analysis import`` (issue 20): refused with one clear line, nothing written.

Every case asserts exit 2, no traceback, no file in ``--out``'s folder, and no
CPR number, name, login, e-mail or phone number of the export in any output.
The corpus is built here, small: the zip bomb is a few kB of deflated zeros.
"""

from __future__ import annotations

import csv
import os
import zipfile
from pathlib import Path

import pytest
import yaml
from importer_helpers import DEFAULT_MAPPING, ROOT, SCHEMA
from make_z_udskrift import HEADER, make_rows, mapping_yaml, write_export

from sosu_analysis.cli import main


def _schema_rows(n: int = 30) -> list[dict]:
    with open(SCHEMA, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))[:n]


def _export(tmp_path: Path, n: int = 30, name: str = "Z425.csv", edit=None) -> tuple[Path, dict, list[list[str]]]:
    rows, added = make_rows(_schema_rows(n), seed=11, unknown=False)
    if edit is not None:
        edit(rows)
    path = tmp_path / name
    write_export(rows, path)
    return path, added, rows


def _import(capsys, export, mapping, key, out, *extra) -> tuple[int, str]:
    code = main(["import", str(export), "--mapping", str(mapping), "--key-file", str(key), "--out", str(out),
                 *map(str, extra)])
    cap = capsys.readouterr()
    return code, cap.out + cap.err


def _main_rows(rows: list[list[str]]) -> list[int]:
    """Indexes of the main-course (HF) rows: the ones whose programme, campus and dates are checked."""
    return [i for i, r in enumerate(rows) if r[HEADER.index("GH")] == "HF"]


def _no_identifier(text: str, added: dict) -> None:
    for kind in ("cprs", "names", "phones", "emails", "logins"):
        for value in added[kind]:
            assert value not in text, f"a {kind[:-1]} leaked into the output"
    for name in added["names"]:
        for word in name.split():
            if len(word) > 3:
                assert f"'{word}'" not in text, "a first or last name leaked into the output"


def _refused(code: int, text: str) -> None:
    assert code == 2, text
    assert "Traceback" not in text
    assert "error:" in text


def test_unclosed_quote_in_a_dropped_column_is_an_error_naming_the_row(tmp_path, capsys, key_file, mapping_file):
    def edit(rows):
        rows[9][HEADER.index("Kontaktlærer")] = 'Birgitte "Holm'  # written raw below: an opening quote

    path, added, rows = _export(tmp_path, edit=edit)
    text = path.read_text(encoding="cp1252").replace('"Birgitte ""Holm"', '"Birgitte Holm')
    path.write_text(text, encoding="cp1252")
    out = tmp_path / "out" / "elever.csv"
    code, output = _import(capsys, path, mapping_file, key_file, out)
    _refused(code, output)
    assert "quotation mark" in output and "row 11" in output
    assert not out.parent.exists()
    _no_identifier(output, added)


def test_start_dates_outside_the_window_of_validate_are_refused(tmp_path, capsys, key_file, mapping_file):
    start = HEADER.index("Startdato på uddannelsesforholdet")
    picked: list[int] = []

    def edit(rows):
        picked.extend(_main_rows(rows)[2:4])
        rows[picked[0]][start] = "01-08-1950"
        rows[picked[1]][start] = "01-08-2099"

    path, added, _ = _export(tmp_path, edit=edit)
    out = tmp_path / "out.csv"
    code, output = _import(capsys, path, mapping_file, key_file, out, "--extract-date", "2030-12-31")
    _refused(code, output)
    assert "before 2000-01-01" in output and "after the extract date 2030-12-31" in output
    assert f"row {picked[0] + 2}," in output and f"row {picked[1] + 2}," in output and "Startdato" in output
    assert not out.exists()
    _no_identifier(output, added)


def _zip_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:  # 50 MB of zeros, about 50 kB packed
            block = b"0" * (1 << 20)
            for _ in range(50):
                fh.write(block)


@pytest.mark.parametrize("kind", ["bomb", "text", "ole2", "truncated"])
def test_a_hostile_xlsx_is_refused_by_the_general_readers_guard(tmp_path, capsys, key_file, mapping_file, kind):
    path = tmp_path / "Z425.xlsx"
    if kind == "bomb":
        _zip_bomb(path)
        assert path.stat().st_size < 200_000
    elif kind == "text":
        path.write_text("Elevnavn;CPR\nAnne Hansen;010203-1234\n", encoding="utf-8")
    elif kind == "ole2":
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096)
    else:
        good = tmp_path / "good.xlsx"
        rows, _ = make_rows(_schema_rows(10), seed=3, unknown=False)
        write_export(rows, good, xlsx=True)
        path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    out = tmp_path / "out.csv"
    code, output = _import(capsys, path, mapping_file, key_file, out)
    _refused(code, output)
    assert output.count("\n") <= 2
    assert {"bomb": "zip bomb", "text": "not a valid zip", "ole2": "password-protected",
            "truncated": "not a valid zip"}[kind] in output
    assert "010203-1234" not in output and "Anne" not in output
    assert not out.exists()


def _mapping_with(tmp_path: Path, **columns) -> Path:
    m = yaml.safe_load(mapping_yaml(DEFAULT_MAPPING))
    m["columns"].update(columns)
    p = tmp_path / "slip.yaml"
    p.write_text(yaml.safe_dump(m, allow_unicode=True), encoding="utf-8")
    return p


@pytest.mark.parametrize("slip", ["name_as_campus", "login_as_programme", "email_as_campus", "name_in_cell",
                                  "first_name_in_cell"])
def test_unknown_value_list_shows_codes_only(tmp_path, capsys, key_file, mapping_file, slip):
    campus = HEADER.index("Lokation")

    def edit(rows):
        main = _main_rows(rows)
        if slip == "name_in_cell":
            rows[main[2]][campus] = rows[main[2]][0]  # a student's full name typed into the campus cell
            rows[main[4]][campus] = "K17"  # a real unknown code: still listed
        elif slip == "first_name_in_cell":
            # only a first name: not a name by its form, but a value of the dropped name column
            rows[main[2]][campus] = rows[main[6]][0].split()[0]

    path, added, rows = _export(tmp_path, edit=edit)
    mapping = {"name_as_campus": _mapping_with(tmp_path, campus=["Elevnavn"]),
               "login_as_programme": _mapping_with(tmp_path, programme=["UNI-login"]),
               "email_as_campus": _mapping_with(tmp_path, campus=["Email"])}.get(slip, mapping_file)
    out = tmp_path / "out.csv"
    code, output = _import(capsys, path, mapping, key_file, out)
    _refused(code, output)
    assert "not shown because they look like personal data" in output
    if slip == "name_in_cell":
        assert "'K17': < 5" in output
    _no_identifier(output, added)
    assert not out.exists()
    # the dry run prints the same list
    code = main(["import", str(path), "--mapping", str(mapping), "--key-file", str(key_file), "--dry-run"])
    cap = capsys.readouterr()
    assert code == 2
    _no_identifier(cap.out + cap.err, added)


def test_new_key_from_outside_the_project_goes_where_the_user_asked(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOSU_PROJECT_ROOT", str(ROOT))
    inside = ROOT / "data" / "raw" / "private" / "new.key"
    assert not inside.exists()
    assert main(["import", "--new-key", "data/raw/private/new.key"]) == 0
    out = capsys.readouterr().out
    made = tmp_path / "data" / "raw" / "private" / "new.key"
    assert made.is_file() and not inside.exists()
    assert str(made) in out
    assert (made.stat().st_mode & 0o777) == 0o600 and (made.parent.stat().st_mode & 0o777) == 0o700


def test_new_key_inside_the_project_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    code = main(["import", "--new-key", "data/raw/private/new.key"])
    err = capsys.readouterr().err
    assert code == 2 and "inside the project" in err and "Traceback" not in err
    assert not (ROOT / "data" / "raw" / "private" / "new.key").exists()


@pytest.mark.parametrize("content", ["a" * 65, "ab" * 32 + "\n\n" + "c", "zz" * 32, "ab" * 20])
def test_a_malformed_key_file_is_a_clear_error(tmp_path, capsys, mapping_file, content):
    key = tmp_path / "keys" / "k.key"
    key.parent.mkdir()
    key.write_text(content, encoding="ascii")
    key.chmod(0o600)
    path, _, _ = _export(tmp_path, n=5)
    code, output = _import(capsys, path, mapping_file, key, tmp_path / "out.csv")
    _refused(code, output)
    assert "hexadecimal digits" in output and content.strip() not in output
    assert not (tmp_path / "out.csv").exists()


def test_yaml_bomb_in_the_mapping_is_refused_fast(tmp_path, capsys, key_file):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    mapping = tmp_path / "bomb.yaml"
    mapping.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path, _, _ = _export(tmp_path, n=5)
    code, output = _import(capsys, path, mapping, key_file, tmp_path / "out.csv")
    _refused(code, output)
    assert "not allowed" in output and "bomb.yaml" in output


def test_the_extract_is_written_0600_in_a_0700_folder(tmp_path, capsys, key_file, mapping_file):
    path, added, _ = _export(tmp_path)
    out = tmp_path / "new" / "private" / "elever.csv"
    code, output = _import(capsys, path, mapping_file, key_file, out)
    assert code == 0, output
    for p in (out, out.with_suffix(".json")):
        assert (p.stat().st_mode & 0o777) == 0o600
    assert (out.parent.stat().st_mode & 0o777) == 0o700
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no lock or temporary file left
    _no_identifier(output + out.read_text(encoding="utf-8") + out.with_suffix(".json").read_text("utf-8"), added)


@pytest.mark.parametrize("target", ["campuses", "published", "synthetic", "sidecar", "key", "export", "symlink"])
def test_import_never_overwrites_a_tracked_input_the_key_or_the_export(tmp_path, capsys, key_file, mapping_file,
                                                                      target):
    from sosu_analysis.importer import new_key

    path, _, _ = _export(tmp_path, n=5)
    if target == "key":  # a key file whose name ends in .csv, so that only the policy can stop it
        key_file = new_key(tmp_path / "keys" / "sosu.csv", project=ROOT)
    raw = ROOT / "data/raw/national/sosu_skoler_hovedforloeb_3mdr_2022-2024_synthetic_seed20251123.answer.csv"
    dest = {"campuses": ROOT / "data/raw/campuses.csv",
            "published": ROOT / "data/raw/uddannelsesstatistik_sosuh_hovedforloeb_3mdr_2022-2024.csv",
            "synthetic": SCHEMA, "sidecar": raw,  # raw.csv does not exist; its sidecar raw.json is tracked
            "key": key_file, "export": path, "symlink": tmp_path / "link.csv"}[target]
    if target == "symlink":
        (tmp_path / "elsewhere.csv").write_text("mine\n")
        os.symlink(tmp_path / "elsewhere.csv", dest)
    before = dest.read_bytes() if dest.exists() else None
    side = dest.with_suffix(".json")
    side_before = side.read_bytes() if side.exists() else None
    code, output = _import(capsys, path, mapping_file, key_file, dest)
    _refused(code, output)
    assert "nothing was written" in output
    assert (dest.read_bytes() if dest.exists() else None) == before
    assert (side.read_bytes() if side.exists() else None) == side_before
    if target == "symlink":
        assert (tmp_path / "elsewhere.csv").read_text() == "mine\n"


def test_a_second_import_on_the_same_output_stops_at_once(tmp_path, capsys, key_file, mapping_file):
    from sosu_analysis import atomic

    path, _, _ = _export(tmp_path, n=5)
    out = tmp_path / "elever.csv"
    with atomic.output_lock(out):
        code, output = _import(capsys, path, mapping_file, key_file, out)
    _refused(code, output)
    assert f"pid {os.getpid()}" in output and not out.exists()


def test_a_symlink_planted_as_the_lock_is_a_clear_error(tmp_path, capsys, key_file, mapping_file):
    path, _, _ = _export(tmp_path, n=5)
    out = tmp_path / "elever.csv"
    os.symlink(tmp_path / "target", tmp_path / ".elever.csv.lock")
    code, output = _import(capsys, path, mapping_file, key_file, out)
    _refused(code, output)
    assert "symbolic link" in output and not out.exists() and not (tmp_path / "target").exists()
