"""The national chapter's inputs, switched by config alone, and the report's provenance and section."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from sosu_analysis.errors import InputError
from sosu_analysis.national import api as national
from sosu_analysis.national import convert as conv
from sosu_analysis.national import synthetic
from sosu_analysis.paths import project_root
from sosu_analysis.pipeline.config import load_config
from sosu_analysis.pipeline.run import validate_inputs
from sosu_analysis.reporting import contracts
from sosu_analysis.reporting.national import plots as national_plots
from sosu_analysis.reporting.national import section
from sosu_analysis.reporting.plotting import SYNTHETIC_WATERMARK

ROOT = project_root()
SYNTH = ROOT / synthetic.NATIONAL_FILE.format(seed=synthetic.SEED)
QUERY = "config/queries/eud_hovedforloeb_status_3mdr_sosu_skoler.yaml"


@pytest.fixture
def real_like(tmp_path):
    """The synthetic rows saved as a fetch would save a real answer (no 'synthetic' in name or sidecar)."""
    raw = tmp_path / "sosu_skoler_3mdr.answer.json"
    shutil.copy(SYNTH, raw)
    meta = json.loads(conv.sidecar_path(SYNTH).read_text())
    meta.update(synthetic=False, retrieved="2026-03-02T09:15:00Z", credit=conv.CREDIT)
    conv.sidecar_path(raw).write_text(json.dumps(meta))
    return raw


def test_a_real_answer_needs_only_the_config(real_like, tmp_path):
    cfg = load_config("config/default.yaml", overrides={"national_answer": str(real_like)})
    validate_inputs(cfg, "config/default.yaml")  # checked before any notebook runs
    data = national.load_national(cfg.national_answer, cfg.national_query, cfg.national_school)
    assert not data.synthetic and data.provenance["retrieved"] == "2026-03-02"
    text = section.provenance_text(data.provenance)
    assert "Kilde: Uddannelsesstatistik.dk, hentet 2026-03-02" in text and "SYNTETISK" not in text
    assert section.banner(data.provenance) == ""
    synth = national.load_national(SYNTH, QUERY, "SOSU H")
    assert synth.synthetic and "SYNTETISKE DATA" in section.banner(synth.provenance)


def test_a_bad_national_input_stops_before_any_notebook(tmp_path):
    bad = tmp_path / "x.answer.json"
    bad.write_text('[{"a": 1}')
    cfg = load_config("config/default.yaml", overrides={"national_answer": str(bad)})
    with pytest.raises(InputError, match="not valid JSON"):
        validate_inputs(cfg, "config/default.yaml")
    cfg = load_config("config/default.yaml", overrides={"national_school": "SOSU X"})
    with pytest.raises(InputError, match="no institution named 'SOSU X'.*national_school"):
        validate_inputs(cfg, "config/default.yaml")
    with pytest.raises(InputError, match="key 'national_answer': input file"):
        load_config("config/default.yaml", overrides={"national_answer": "data/raw/national/nope.json"})


def test_report_section_and_provenance_from_the_chapter_tables(real_like, tmp_path):
    data = national.load_national(real_like, QUERY, "SOSU H")
    rates = national.group_rates(data.counts, "SOSU H")
    diff = national.school_vs_rest(rates)
    trends = national.comparative_trends(data.counts, "SOSU H")
    positions = national.funnel_positions(data.counts, 2024, "SOSU H")
    tables = tmp_path
    for name, frame in (("national_rates", rates), ("national_difference", diff), ("national_trend", trends),
                        ("national_funnel", positions), ("national_provenance", pd.DataFrame([data.provenance]))):
        contracts.write_table(frame, tmp_path, name)
    text = section.report_section(tables)
    assert "17,4\u00a0%" in text  # SOSU H's published SSA 2024 dropout
    assert "2025" in text and "hentet 2026-03-02" in text
    prov = section.provenance_table(tables)
    assert prov.loc[1, "Hentet"] == "2026-03-02" and prov.loc[1, "Udgiver"] == conv.CREDIT.removeprefix("Kilde: ")
    assert list(prov.columns) == ["Kilde", "Udgiver", "Hentet", "Syntetiske tal"]  # Danish headings
    assert prov.loc[1, "Syntetiske tal"] == "nej"


def test_figures_are_watermarked_only_when_synthetic():
    data = national.load_national(SYNTH, QUERY, "SOSU H")
    rates = national.group_rates(data.counts, "SOSU H")
    fig = national_plots.plot_comparison(rates, SYNTHETIC_WATERMARK if data.synthetic else None)
    assert all(any(t.get_text() == SYNTHETIC_WATERMARK for t in ax.texts) for ax in fig.axes)
    fig = national_plots.plot_comparison(rates, None)
    assert not any(t.get_text() == SYNTHETIC_WATERMARK for ax in fig.axes for t in ax.texts)
    # decimal comma on the axes
    fig.canvas.draw()
    labels = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    assert any("," in s for s in labels) and not any("." in s for s in labels)
