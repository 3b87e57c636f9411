"""Bad interview input stops `sosu-analysis run` before any notebook, naming file, row and column, quoting no segment.

Also: `sosu-analysis validate` recognises the register, the codebook and an
export in the default (MAXQDA) layout; unmapped columns are never read; the
synthetic stand-in is labelled and reproducible.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from interview_helpers import CODES, REGISTER, SEGMENTS, load, write_inputs

from sosu_analysis import cli
from sosu_analysis.errors import InputError
from sosu_analysis.interviews import read_mapping
from sosu_analysis.paths import project_root

ROOT = project_root()
SECRET = "HEMMELIGSEGMENTTEKST"


def _run(capsys, tmp_path: Path, keys: dict) -> tuple[int, str]:
    """``sosu-analysis run`` on the interview chapter only; return exit code and stderr."""
    out = tmp_path / "out"
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(yaml.safe_dump({**keys, "notebooks": ["10_interviews"], "lead_report": ""}), encoding="utf-8")
    before = set(os.listdir(tmp_path))
    code = cli.main(["run", "--config", str(cfg), "--output", str(out)])
    err = capsys.readouterr().err
    assert "Traceback" not in err and "running" not in err, "a notebook started"
    assert not out.exists() and set(os.listdir(tmp_path)) == before
    assert SECRET not in err and SECRET.lower() not in err.lower()
    return code, err


def _segments_with(doc: str, code: str) -> list[list[str]]:
    return [*SEGMENTS, [doc, code, "0", f"{SECRET} en sætning med mange ord om oplæringen i dag.", ""]]


def test_unknown_code(capsys, tmp_path):
    keys = write_inputs(tmp_path / "in", segments=_segments_with("A1", "Forb\\Ukendt"))
    code, err = _run(capsys, tmp_path, keys)
    assert code == 2
    assert f"{keys['interview_export']}, row {len(SEGMENTS) + 2}, column 'Kode'" in err
    assert "Forb\\Ukendt" in err and "codes.csv" in err


def test_interview_not_in_register(capsys, tmp_path):
    keys = write_inputs(tmp_path / "in", segments=_segments_with("Z9", "Forb\\Klar"))
    code, err = _run(capsys, tmp_path, keys)
    assert code == 2
    assert f"{keys['interview_export']}, row {len(SEGMENTS) + 2}, column 'Dokumentname'" in err
    assert "register.csv" in err


def test_campus_not_in_campus_table(capsys, tmp_path):
    register = [r[:] for r in REGISTER]
    register[2][1] = "Atlantis"
    keys = write_inputs(tmp_path / "in", register=register)
    code, err = _run(capsys, tmp_path, keys)
    assert code == 2
    assert f"{keys['interview_register']}, row 4, column 'campus'" in err and "campuses.csv" in err


def test_mapping_misses_a_column(capsys, tmp_path):
    header = ["Farbe", "Dokumentgruppe", "Dokumentname", "Kodenavn", "Anfang", "Ende", "Gewicht", "Segment",
              "Kommentar"]
    keys = write_inputs(tmp_path / "in", export_header=header, segments=_segments_with("A1", "Forb\\Klar"))
    code, err = _run(capsys, tmp_path, keys)
    assert code == 2
    assert f"{keys['interview_export']}, row 1, column 'Kode'" in err
    assert "interviews_maxqda.yaml" in err and "'code'" in err


def test_bad_mapping_key_and_valence(tmp_path):
    bad = tmp_path / "m.yaml"
    bad.write_text("columns:\n  interview_id: Dokumentname\n  segment: Segment\n  kode: Kode\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_mapping(bad)
    msg = str(exc.value)
    assert "'kode' is not a field" in msg and "field 'code' is not mapped" in msg
    codes = [r[:] for r in CODES]
    codes[1][5] = "glad"
    keys = write_inputs(tmp_path / "in", codes=codes)
    with pytest.raises(InputError) as exc:
        load(keys)
    assert f"{keys['interview_codes']}, row 2, column 'valence'" in str(exc.value)


def test_empty_segment_and_bad_weight_not_quoted(tmp_path):
    segments = [*SEGMENTS, ["A1", "Forb\\Klar", "meget", "", ""]]
    keys = write_inputs(tmp_path / "in", segments=segments)
    with pytest.raises(InputError) as exc:
        load(keys)
    msg = str(exc.value)
    row = len(SEGMENTS) + 2
    assert f"row {row}, column 'Segment'" in msg and f"row {row}, column 'Gewicht'" in msg
    assert "meget" not in msg


def test_unmapped_columns_are_never_read(tmp_path):
    # a comment holding a CPR number and an e-mail goes nowhere, not even into the segments frame
    keys = write_inputs(tmp_path / "in")
    seg = load(keys).segments
    assert "Kommentar" not in seg.columns and "KOMMENTARHEMMELIGHED" not in seg.to_csv()


def test_validate_recognises_the_shipped_files(capsys):
    files = ["data/raw/synthetic/interviews_register_synthetic_seed20250801.csv", "data/raw/interview_codes.csv",
             "data/raw/synthetic/interviews_maxqda_synthetic_seed20250801.csv"]
    assert cli.main(["validate", *[str(ROOT / f) for f in files]]) == 0
    out = capsys.readouterr().out
    for kind in ("(interview_register)", "(interview_codes)", "(interview_export)"):
        assert kind in out


def test_synth_interviews_same_bytes_and_labelled(tmp_path, capsys):
    assert cli.main(["synth-interviews", "--seed", "20250801", "--out-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    shipped = ROOT / "data/raw/synthetic"
    for p in tmp_path.iterdir():
        assert "synthetic" in p.name
        assert p.read_bytes() == (shipped / p.name).read_bytes(), p.name
    side = (tmp_path / "interviews_register_synthetic_seed20250801.json").read_text(encoding="utf-8")
    assert '"label": "SYNTHETIC"' in side


def test_synth_interviews_never_overwrites_the_committed_stand_in(capsys):
    """The output policy of issue 20: the shipped (git-tracked) files are refused, nothing is written."""
    shipped = ROOT / "data/raw/synthetic"
    before = {p.name: p.read_bytes() for p in shipped.glob("interview*")}
    assert cli.main(["synth-interviews", "--seed", "20250801", "--out-dir", str(shipped)]) == 2
    err = capsys.readouterr().err
    assert "tracked by git" in err and "Traceback" not in err
    assert {p.name: p.read_bytes() for p in shipped.glob("interview*")} == before


def test_atlasti_example_mapping_splits_codes(tmp_path):
    """ATLAS.ti writes the codes of a quotation in one cell, one a line: each becomes a coded segment."""
    import csv

    from sosu_analysis.interviews import read_export

    keys = write_inputs(tmp_path / "in")
    inputs = load(keys)
    path = tmp_path / "atlas.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["ID", "Document", "Codes", "Quotation Content", "Comment"])
        w.writerow(["1:1", "A1", "Forb\\Klar\nTryg\\Nervøs", "Jeg var klar men også nervøs den første dag derude.",
                    "x@y.dk"])
    seg = read_export(path, read_mapping(ROOT / "config/interviews_atlasti.yaml"), inputs.register, inputs.codebook)
    assert list(seg["code"]) == ["Forb\\Klar", "Tryg\\Nervøs"] and set(seg["interview_id"]) == {"A1"}
