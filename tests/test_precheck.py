"""The run's one validation of the student data: the cache the notebooks read, and the inferred extract date."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from sosu_analysis.paths import project_root
from sosu_analysis.pipeline.run import precheck
from sosu_analysis.students import programme_listing_warnings, read_campuses, read_extract

ROOT = project_root()
EXTRACT = ROOT / "data/raw/synthetic/students_synthetic_seed20250401_effect-5.csv"


def test_notebooks_get_the_validated_table_from_the_cache(tmp_path, monkeypatch):
    camp = read_campuses(ROOT / "data/raw/campuses.csv")
    src = tmp_path / "students_synthetic_copy.csv"
    src.write_bytes(EXTRACT.read_bytes())
    fresh = read_extract(src, camp)
    manifest = precheck.write_cache(fresh, src, precheck.campus_fingerprint(camp), dt.date.today(), tmp_path)
    monkeypatch.setenv(precheck.CACHE_ENV, str(manifest))
    cached = read_extract(src, camp, display_name="shown.csv")
    pd.testing.assert_frame_equal(cached, fresh)
    assert cached.attrs["file"] == "shown.csv" and cached.attrs["synthetic"] == {"label": "SYNTHETIC"}
    # the cache serves only the same file and campus table, validated at least as strictly
    assert precheck.read_cache(src, camp.iloc[:-1], dt.date.today()) is None
    assert precheck.read_cache(src, camp, dt.date(2025, 1, 1)) is None
    src.write_bytes(EXTRACT.read_bytes() + b"\n")
    assert precheck.read_cache(src, camp, dt.date.today()) is None


def test_inferred_extract_date_is_the_latest_date():
    frame = read_extract(EXTRACT)
    as_of, inferred = precheck.infer_as_of(frame, None, "")
    assert inferred and as_of == max(frame["start_date"].max(), frame["exit_date"].max())
    assert precheck.infer_as_of(frame, None, "2026-01-31") == (pd.Timestamp("2026-01-31"), False)
    assert precheck.infer_as_of(frame, {"generator": "x"}, "") == (None, False)


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
    from sosu_analysis.readers.student_data import load_students

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
