"""The synthetic survey (determinism, calibration), the report section, and another survey changing the chapter."""

from __future__ import annotations

import json
import re

import nbformat
import pytest
from survey_helpers import CAMPUSES, INTERVENTIONS, ROOT, SHIPPED_ITEMS, SHIPPED_STUDENTS, SHIPPED_SURVEY

from sosu_analysis.cli import main
from sosu_analysis.reporting.plotting import SYNTHETIC_WATERMARK
from sosu_analysis.reporting.survey.section import load_section, report_section
from sosu_analysis.survey.analysis import analyse


@pytest.fixture(scope="module")
def other_survey(tmp_path_factory):
    """A second synthetic survey: another seed and no effect."""
    out = tmp_path_factory.mktemp("survey") / "survey_synthetic_seed7_effect0.csv"
    assert main(["synth-survey", "--seed", "7", "--effect", "0", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def shipped_results():
    return analyse(str(SHIPPED_SURVEY), str(SHIPPED_ITEMS), str(CAMPUSES), str(INTERVENTIONS), str(SHIPPED_STUDENTS))


def test_shipped_survey_is_reproducible(tmp_path):
    out = tmp_path / SHIPPED_SURVEY.name
    assert main(["synth-survey", "--seed", "20250501", "--effect", "0.3", "--out", str(out)]) == 0
    assert out.read_bytes() == SHIPPED_SURVEY.read_bytes()
    meta = json.loads(SHIPPED_SURVEY.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["label"] == "SYNTHETIC" and meta["seed"] == 20250501


def test_synth_refuses_a_name_without_synthetic(tmp_path, capsys):
    assert main(["synth-survey", "--seed", "1", "--out", str(tmp_path / "survey.csv")]) == 2
    assert "synthetic" in capsys.readouterr().err


def test_calibration_well_prepared_near_spu(shipped_results):
    # target: SSA share "well enough prepared" about 50 % before the pilot (SPU 2024: 52 % / 49 %, seed 003 §3)
    t = shipped_results.by_group
    before = t[(t["measure"] == "klaedt_paa") & (t["period"] == "pre")]
    assert ((before["agree_pct"] > 38) & (before["agree_pct"] < 62)).all()
    etu = t[(t["measure"] == "oplaering_laerer")]["score"].astype(float)
    assert ((etu > 55) & (etu < 90)).all()  # ETU-like 0-100 scores


def test_section_is_danish_and_labelled_synthetic(shipped_results):
    sec = report_section(shipped_results)
    md = sec.markdown
    assert SYNTHETIC_WATERMARK in md
    assert "52\u00a0%" in md and "49\u00a0%" in md and "CR2" in md and "Designeffekten" in md
    assert not re.search(r"\d\.\d{1,2}(?!\d)", md)  # decimal comma, never a decimal point (9.977 = thousands)
    assert "Advarsel: lav svarprocent" in md  # the shipped draw has a low-response campus
    assert set(sec.tables["indeks"].columns) >= {"Afdelinger", "Gennemsnit (0-100)", "Designeffekt"}


def test_another_survey_changes_the_text(shipped_results, other_survey):
    other = analyse(str(other_survey), str(SHIPPED_ITEMS), str(CAMPUSES), str(INTERVENTIONS), str(SHIPPED_STUDENTS))
    a, b = report_section(shipped_results).paragraphs, report_section(other).paragraphs
    assert a[1] != b[1] and a[2] != b[2] and a[3] != b[3]


def test_notebook_renders_another_survey(tmp_path, other_survey):
    papermill = pytest.importorskip("papermill")
    out_dir = tmp_path / "out"
    papermill.execute_notebook(str(ROOT / "notebooks/09_survey.ipynb"), str(tmp_path / "09.ipynb"),
                               parameters={"survey_file": str(other_survey), "output_dir": str(out_dir)},
                               kernel_name="python3", cwd=str(ROOT / "notebooks"), progress_bar=False)
    nb = nbformat.read(tmp_path / "09.ipynb", as_version=4)
    text = json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)
    assert SYNTHETIC_WATERMARK in text
    section = load_section(out_dir)
    assert section is not None and section["title"].startswith("Elevernes egne svar") and section["synthetic"]
    assert all("**" not in p["text"] for p in section["paragraphs"])  # plain text, no Markdown
    shipped = ROOT / "reports/tables/survey_section.md"
    assert shipped.is_file(), "run make report first: reports/ holds the shipped survey's chapter outputs"
    if shipped.is_file():
        assert (out_dir / "tables/survey_section.md").read_text(encoding="utf-8") != shipped.read_text(encoding="utf-8")
        for fig in ("survey_indices", "survey_spu", "survey_response", "survey_dropout"):
            assert (out_dir / f"figures/{fig}.png").read_bytes() != (ROOT / f"reports/figures/{fig}.png").read_bytes()
