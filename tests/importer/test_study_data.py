"""One study-data object (issue 17, item 2): the precheck, the run log and the notebooks count the same
students as of the same date on an imported extract.

Before, the precheck counted every spell and read an imported extract as of its latest date, while the
notebooks' loader kept first spells and used the date given at import. The references here are
independent of the package: the number of distinct (pseudonym, programme) pairs in the imported file
(one student per programme: restarts are not new students), and the date handed to the importer.
"""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from importer_helpers import CAMPUSES, DEFAULT_MAPPING, SCHEMA
from make_z_udskrift import make_rows, mapping_yaml, write_export

from sosu_analysis.importer.core import import_export
from sosu_analysis.paths import project_root
from sosu_analysis.pipeline import precheck
from sosu_analysis.pipeline.student_data import load_students
from sosu_analysis.pipeline.study import build_study, load_study, write_handoff

ROOT = project_root()
EXTRACT_DATE = "2027-03-01"


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    from sosu_analysis.importer import new_key

    base = tmp_path_factory.mktemp("study")
    with open(SCHEMA, encoding="utf-8") as fh:
        schema_rows = list(csv.DictReader(fh))[::3]
    rows, added = make_rows(schema_rows, seed=5, unknown=False)
    assert added["restarts"] > 0  # the first-spell rule matters here
    write_export(rows, base / "Z425.csv")
    (base / "mapping.yaml").write_text(mapping_yaml(DEFAULT_MAPPING), encoding="utf-8")
    key = new_key(tmp_path_factory.mktemp("key") / "sosu.key", project=ROOT)
    out = base / "elever.csv"
    import_export(base / "Z425.csv", base / "mapping.yaml", key, out, CAMPUSES, extract_date=EXTRACT_DATE)
    return out


def test_precheck_and_notebooks_count_the_same_students_as_of_the_import_date(imported):
    raw = pd.read_csv(imported, dtype=str)
    students_ref = len(raw.drop_duplicates(["student_id", "programme"]))  # one per student and programme
    assert students_ref < len(raw)  # restarts present: counting rows would be wrong
    horizons = [3, 12]
    found = precheck.check_students(str(imported), str(CAMPUSES), horizons, "", [], 0.05, ROOT, "config.yaml")
    data = load_students(str(imported), str(CAMPUSES), horizons)
    assert found.study is not None
    assert found.study.n_students == data.n_students == students_ref
    assert found.as_of == data.as_of == pd.Timestamp(EXTRACT_DATE)
    assert found.study.date_source == data.date_source == "import" and not found.inferred
    for h in horizons:  # the design check's cells hold exactly the students the notebooks analyse
        assert int(found.cells[h]["n"].sum()) == len(data.by_horizon[h])
    log = "\n".join(found.study.describe())
    assert f"extract date: {EXTRACT_DATE}, from the import record" in log
    assert f"{students_ref:,} main-course starts" in log or f"{students_ref} main-course starts" in log


def test_config_date_wins_over_the_import_date(imported):
    study = build_study(str(imported), str(CAMPUSES), "2028-01-31")
    assert study.as_of == pd.Timestamp("2028-01-31") and study.date_source == "config"


def test_handoff_is_what_the_notebooks_get_and_only_for_the_same_inputs(imported, tmp_path):
    study = build_study(str(imported), str(CAMPUSES))
    path = write_handoff(study, tmp_path)
    again = load_study(str(imported), str(CAMPUSES), "", str(path))
    assert again.fingerprint == study.fingerprint and again.n_students == study.n_students
    pd.testing.assert_frame_equal(again.extract, study.extract)
    # another extract date than the hand-off was made for: built anew, with that date
    other = load_study(str(imported), str(CAMPUSES), "2028-01-31", str(path))
    assert other.date_source == "config" and other.as_of == pd.Timestamp("2028-01-31")


def test_shipped_synthetic_extract_is_complete_and_inferred_for_an_unlabelled_copy(tmp_path):
    shipped = ROOT / "data/raw/synthetic/students_synthetic_seed20250401_effect-5.csv"
    study = build_study(str(shipped), str(CAMPUSES))
    assert study.as_of is None and study.date_source == "complete"
    copy = tmp_path / "extract.csv"  # no sidecar, no 'synthetic' in the name
    copy.write_bytes(shipped.read_bytes())
    study = build_study(str(copy), str(CAMPUSES))
    frame = pd.read_csv(copy, parse_dates=["start_date", "exit_date"])
    assert study.date_source == "inferred" and study.inferred
    assert study.as_of == max(frame["start_date"].max(), frame["exit_date"].max())


def test_every_chapter_that_reads_the_students_takes_the_runs_study_data():
    """No chapter reads the student files a second time: each one that loads students declares ``study_data``
    and hands it to ``load_students`` (chapter 11 read the files itself until issue 17's follow-up)."""
    import json

    from sosu_analysis.pipeline.run import _declared_parameters

    readers = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        code = "\n".join("".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
                         if c["cell_type"] == "code")
        if "load_students(" in code:
            readers.append(path.stem)
            assert "study_data" in _declared_parameters(path), path.name
            assert "extract_date, study_data)" in code, path.name
    assert readers == ["04_pilot_vs_nonpilot", "05_power", "06_rapport", "11_design"]
