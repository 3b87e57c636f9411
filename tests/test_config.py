"""The config schema: every typo or out-of-range value is refused with the file, the key and the line."""

from __future__ import annotations

import datetime as dt

import pytest

from sosu_analysis.errors import InputError
from sosu_analysis.paths import project_root
from sosu_analysis.pipeline.config import Config, config_readme, load_config

ROOT = project_root()


def _load(tmp_path, text: str) -> Config:
    p = tmp_path / "my.yaml"
    p.write_text(text, encoding="utf-8")
    return load_config(p)


def _refused(tmp_path, text: str) -> str:
    with pytest.raises(InputError) as info:
        _load(tmp_path, text)
    msg = str(info.value)
    assert str(tmp_path / "my.yaml") in msg
    return msg


def test_default_config_loads_and_keeps_its_values():
    cfg = load_config()
    assert cfg.alpha == 0.05 and cfg.horizons == [3, 6, 12] and cfg.event_window == [-4, 3]
    assert list(cfg.notebook_parameters())[:3] == ["published_table", "goals_table", "alpha"]


@pytest.mark.parametrize("text, key, expect", [
    ("alpha: 1.5\n", "alpha", "less than 0.5"),
    ("alpha: 0\n", "alpha", "greater than 0"),
    ("alpha: fem procent\n", "alpha", "must be of type float"),
    ("alpha: true\n", "alpha", "must be of type float"),
    ("event_window: [3, -4]\n", "event_window", "first < 0"),
    ("event_window: [-4]\n", "event_window", "at least 2"),
    ("event_window: [0, 3]\n", "event_window", "first < 0"),
    ("horizons: [0, 3]\n", "horizons", "1-60"),
    ("horizons: [6, 3]\n", "horizons", "increasing"),
    ("horizons: [3, 3]\n", "horizons", "repeated"),
    ("horizons: []\n", "horizons", "at least 1"),
    ("power_reps: 0\n", "power_reps", "greater than or equal to 1"),
    ("seed: 1.5\n", "seed", "must be of type int"),
    ("seed: -1\n", "seed", "greater than or equal to 0"),
    ("extract_date: '01-11-2025'\n", "extract_date", "YYYY-MM-DD"),
    ("extract_date: 01-11-2025\n", "extract_date", "YYYY-MM-DD"),
    ("extract_date: 2025-13-01\n", "extract_date", "YYYY-MM-DD"),
    ("extract_date: 1999-12-31\n", "extract_date", "before 2000"),
    ("extract_date: 2999-01-01\n", "extract_date", "in the future"),
    ("notebooks: [../../tmp/evil]\n", "notebooks", "not a notebook name"),
    ("notebooks: [00_clean.ipynb]\n", "notebooks", "not a notebook name"),
    ("notebooks: [00_clean, 00_clean]\n", "notebooks", "listed twice"),
    ("notebooks: [no_such_notebook]\n", "notebooks", "no notebook notebooks/no_such_notebook.ipynb"),
    ("lead_report: 99_nothing\n", "lead_report", "not one of the notebooks run"),
    ("processed_dir: data/raw/processed\n", "processed_dir", "not allowed"),
    ("processed_dir: src\n", "processed_dir", "not allowed"),
    ("processed_dir: .\n", "processed_dir", "not allowed"),
    ("published_table: data/raw/nothing.csv\n", "published_table", "not found"),
    ("intervention_year: 202\n", "intervention_year", "greater than or equal to 2000"),
    ("nonsense: 1\n", "nonsense", "unknown key"),
])
def test_bad_values_are_refused_with_key_and_line(tmp_path, text, key, expect):
    msg = _refused(tmp_path, "# a comment\n" + text)
    assert f"'{key}'" in msg and expect in msg and "row 2" in msg


def test_duplicate_key_is_refused(tmp_path):
    msg = _refused(tmp_path, "alpha: 0.05\nseed: 1\nalpha: 0.1\n")
    assert "key 'alpha' is given twice (first in line 1)" in msg and "row 3" in msg


def test_iso_date_accepted_quoted_or_not(tmp_path):
    assert _load(tmp_path, "extract_date: 2025-11-01\n").extract_date == "2025-11-01"
    assert _load(tmp_path, "extract_date: '2025-11-01'\n").extract_date == "2025-11-01"
    assert dt.date.fromisoformat(_load(tmp_path, "extract_date: '2025-11-01'\n").extract_date)


def test_every_problem_is_reported_at_once(tmp_path):
    msg = _refused(tmp_path, "alpha: 2\npower_reps: 0\nhorizons: [0]\n")
    assert msg.count("\n") == 2


def test_not_a_mapping_and_bad_yaml(tmp_path):
    assert "mapping" in _refused(tmp_path, "- a\n- b\n")
    assert "not valid YAML" in _refused(tmp_path, "alpha: [1, 2\n")


def test_config_readme_is_generated_from_the_schema():
    text = (ROOT / "config" / "README.md").read_text(encoding="utf-8")
    assert text == config_readme(), "regenerate: python -m sosu_analysis.pipeline.config > config/README.md"
    for key in Config.model_fields:
        assert f"| `{key}` |" in text
