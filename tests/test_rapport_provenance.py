"""The note's dates: the extract's date from the run's study data, the report's date without a clock."""

import pandas as pd
import pytest

from sosu_analysis.reporting.rapport import provenance


def test_an_imported_extract_shows_its_date_and_source():
    frame = pd.DataFrame({"start_date": ["2025-01-06", "2025-08-11"]})
    words = provenance.extract_words(frame, None, pd.Timestamp("2025-11-23"), "import")
    assert words == "23. november 2025 (fra importen af udtrækket)"
    assert "ikke angivet" not in words


def test_without_a_date_the_note_says_so_and_why():
    frame = pd.DataFrame({"start_date": ["2025-01-06", "2025-08-11"]})
    assert provenance.extract_words(frame, {"seed": 1}, None, "complete") == \
        "syntetisk udtræk (optag til og med 11. august 2025)"
    words = provenance.extract_words(frame, None, None, "")
    assert words == "ikke angivet; seneste start i udtrækket 11. august 2025"


def test_the_report_date_outside_git_is_the_extracts_stated_never_today(tmp_path):
    day, source = provenance.report_date(tmp_path, "2025-11-23")
    assert (day, source) == ("2025-11-23", "udtræk")
    assert "udtrækkets dato" in provenance.report_date_words(day, source)
    with pytest.raises(ValueError, match="no date"):
        provenance.report_date(tmp_path, "")
