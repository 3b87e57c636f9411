"""A sidecar that exists but does not parse is refused, naming the file (issue 17, item 4).

Before, a truncated ``<extract>.json`` silently made a synthetic extract "real" (no banner, no
watermark) and an imported extract lose the report's caveat on switching.
"""

from __future__ import annotations

import json

import pytest

from sosu_analysis.errors import InputError
from sosu_analysis.importer.provenance import import_record
from sosu_analysis.students import synthetic_label
from sosu_analysis.students.extract import read_sidecar


def _truncated(tmp_path, name: str, meta: dict):
    extract = tmp_path / name
    extract.write_text("student_id,programme,campus,start_date,exit_date,exit_type\n", encoding="utf-8")
    text = json.dumps(meta)
    (tmp_path / name).with_suffix(".json").write_text(text[: len(text) // 2], encoding="utf-8")
    return extract


@pytest.mark.parametrize("reader", [synthetic_label, import_record, read_sidecar])
def test_truncated_synthetic_sidecar_is_refused_with_its_file_named(tmp_path, reader):
    # name without "synthetic": only the sidecar says so, and it is cut off
    extract = _truncated(tmp_path, "students_seed1.csv", {"label": "SYNTHETIC", "seed": 1, "effect_pp": -5.0})
    with pytest.raises(InputError) as exc:
        reader(extract)
    assert "students_seed1.json" in str(exc.value) and "not valid JSON" in str(exc.value)


def test_truncated_import_sidecar_is_refused(tmp_path):
    extract = _truncated(tmp_path, "students_imported.csv", {"label": "IMPORTED", "extract_date": "2025-09-01"})
    with pytest.raises(InputError, match="students_imported.json"):
        import_record(extract)


@pytest.mark.parametrize("content", ["[1, 2]", "\"SYNTHETIC\""])
def test_sidecar_that_is_not_an_object_is_refused(tmp_path, content):
    extract = tmp_path / "x.csv"
    extract.write_text("a\n", encoding="utf-8")
    (tmp_path / "x.json").write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=r"x\.json.*JSON object"):
        synthetic_label(extract)


def test_valid_and_absent_sidecars_still_read(tmp_path):
    a = tmp_path / "a.csv"
    a.write_text("a\n", encoding="utf-8")
    assert synthetic_label(a) is None and import_record(a) is None
    (tmp_path / "a.json").write_text(json.dumps({"label": "SYNTHETIC", "seed": 3}), encoding="utf-8")
    assert synthetic_label(a) == {"label": "SYNTHETIC", "seed": 3} and import_record(a) is None
