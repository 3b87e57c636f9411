"""The pipeline end to end: a fresh run reproduces the committed reports, offline and code-free."""

from __future__ import annotations

import ast
import re

import nbformat
import pandas as pd
import papermill
import pytest
import yaml

from sosu_analysis import output_policy
from sosu_analysis.paths import project_root
from sosu_analysis.pipeline.config import load_config
from sosu_analysis.pipeline.run import run_pipeline

pytestmark = pytest.mark.e2e  # the whole pipeline once per session (``fresh_run``), shared with other modules

ROOT = project_root()


def test_committed_tables_are_current(fresh_run):
    _, out = fresh_run
    fresh = sorted(p.name for p in (out / "tables").glob("*.csv"))
    committed = sorted(p.name for p in (ROOT / "reports/tables").glob("*.csv"))
    assert fresh == committed
    for name in fresh:
        # Same numbers to 1e-9 (not bytes: the last printed digit of a float may differ between
        # BLAS builds); text columns must be identical.
        pd.testing.assert_frame_equal(pd.read_csv(out / "tables" / name), pd.read_csv(ROOT / "reports/tables" / name),
                                      check_exact=False, rtol=1e-9, atol=1e-12, obj=name)


def test_committed_processed_table_is_current(fresh_run):
    _, out = fresh_run
    assert (out / "processed/table1_clean.csv").read_bytes() == (ROOT / "data/processed/table1_clean.csv").read_bytes()


def test_table1_csv_columns(fresh_run):
    _, out = fresh_run
    header = (out / "tables/table1.csv").read_text().splitlines()[0]
    assert header == ("programme,year,n_cohort,n_in_progress,n_dropout_switch,n_dropout_noswitch,"
                      "n_dropout_total,n_other,pct_in_progress,pct_dropout_switch,pct_dropout_noswitch,"
                      "pct_dropout_total")


def test_outputs_of_every_notebook(fresh_run):
    cfg, out = fresh_run
    pages = [n for n in cfg.notebooks if n != cfg.lead_report]  # the lead report is rapport.html, no near-copy
    for name in cfg.notebooks:
        assert (out / "notebooks" / f"{name}.ipynb").is_file()
    for name in pages:
        assert (out / f"{name}.html").is_file()
    assert not (out / f"{cfg.lead_report}.html").exists()
    index = (out / "index.html").read_text()
    for name in pages:
        assert f'href="{name}.html"' in index
    for page in ("rapport.html", "rapport_bilag.html"):
        assert f'href="{page}"' in index
    for fig in ("figure1_dropout_total", "dropout_both_definitions", "trends", "did_rates_2x2", "event_study",
                "power_curve"):
        assert (out / "figures" / f"{fig}.png").is_file() and (out / "figures" / f"{fig}.svg").is_file()


def test_html_is_code_free_and_offline(fresh_run):
    cfg, out = fresh_run
    names = [f"{n}.html" for n in cfg.notebooks if n != cfg.lead_report] + ["rapport.html", "rapport_bilag.html"]
    for name in names:
        page = (out / name).read_text()
        # nothing fetched from the network: no external src/href/url()/@import
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), name
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", page), name
        assert "@import" not in page
        # no input cells and no parameters
        assert not re.search(r'class="[^"]*\bjp-CodeMirrorEditor\b', page), name
        assert "from sosu_analysis import" not in page, name
        assert "injected-parameters" not in page and "published_table =" not in page
        # images embedded
        assert "data:image/png;base64," in page


def test_stored_notebooks_use_the_default_config():
    """nbval guards the outputs of notebooks/ only if their parameters are those of config/default.yaml."""
    cfg = yaml.safe_load((ROOT / "config/default.yaml").read_text())
    for name in cfg["notebooks"]:
        path = ROOT / "notebooks" / f"{name}.ipynb"
        declared = papermill.inspect_notebook(str(path))
        for key, info in declared.items():
            if key in cfg:
                assert ast.literal_eval(info["default"]) == cfg[key], (name, key)
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert any("parameters" in c.metadata.get("tags", []) for c in code), name
        assert all(c.get("outputs") is not None for c in code)
        assert any(c.get("outputs") for c in code), f"{name} has no stored outputs"
        assert not any("injected-parameters" in c.metadata.get("tags", []) for c in code)
        assert not any(re.search(r"^\s*(def|class) ", c.source, re.M) for c in code), "logic belongs in the package"


def test_failed_input_leaves_reports_untouched(tmp_path):
    bad = tmp_path / "bad.csv"
    src = (ROOT / "data/raw/uddannelsesstatistik_sosuh_hovedforloeb_3mdr_2022-2024.csv").read_text("utf-8")
    bad.write_text(src.replace(";154", ";155"), encoding="utf-8")
    out = tmp_path / "reports"
    out.mkdir()
    (out / "index.html").write_text("previous")
    (out / output_policy.MARKER).write_text(output_policy.MARKER_TEXT)  # an earlier run's output
    cfg = load_config("config/default.yaml", overrides={"published_table": str(bad)})
    from sosu_analysis.errors import InputError
    with pytest.raises(InputError, match="not the sum"):
        run_pipeline(cfg, out, progress=lambda _: None)
    assert sorted(p.name for p in out.iterdir()) == sorted([output_policy.MARKER, "index.html"])
    assert (out / "index.html").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "reports"]


# Columns that count students in tables made from the student-level extract.
STUDENT_TABLES = ("did", "did_rates_2x2", "event_study", "event_study_pretrend", "power", "power_curve")
NOT_STUDENT_COUNTS = {"n_draws", "n_campuses", "n_pilot_campuses", "n_pre", "n_post", "n_reps",
                      "n_assignments"}


def test_no_small_cells_from_student_data(fresh_run):
    """Nothing derived from student-level data shows a cell of 1-4 students."""
    _, out = fresh_run
    for name in STUDENT_TABLES:
        table = pd.read_csv(out / "tables" / f"{name}.csv")
        for col in table.columns:
            if col.startswith("n_") and col not in NOT_STUDENT_COUNTS:
                values = table[col].dropna()
                assert not ((values > 0) & (values < 5)).any(), (name, col)
        assert "student_id" not in table.columns


def test_synthetic_outputs_are_labelled(fresh_run):
    _, out = fresh_run
    for name in ("04_pilot_vs_nonpilot", "05_power"):
        assert "SYNTETISKE DATA" in (out / f"{name}.html").read_text()
    for fig in ("did_rates_2x2", "event_study", "power_curve"):
        assert "SYNTETISKE DATA" in (out / "figures" / f"{fig}.svg").read_text()


def _image_notebook(alt, language=None):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sosu_analysis.reporting.outputs import save_fig

    fig, ax = plt.subplots()
    ax.set_title("Frafald & tendens")
    ax.plot([1, 2])
    import tempfile

    shown = save_fig(fig, tempfile.mkdtemp(), "x", alt=alt)._repr_png_()
    data, md = shown if isinstance(shown, tuple) else (shown, {})
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": data, "text/plain": "<Image>"},
                                           metadata={"image/png": md})]
    nb.cells = [cell]
    if language:
        nb.metadata["sosu"] = {"language": language}
    return nb


def test_chapter_images_have_alt_text_in_the_chapter_language():
    from sosu_analysis.pipeline.run import chapter_language, render_html

    nb = _image_notebook(None, "da")  # alt text from the figure's title
    assert chapter_language(nb) == "da"
    page = render_html(nb, language=chapter_language(nb))
    assert '<html lang="da">' in page and 'alt="Frafald &amp; tendens"' in page
    assert "No description" not in page
    nb = _image_notebook("", None)  # no title given: a plain word in the page's language, never nbconvert's English
    assert chapter_language(nb) == "en" and chapter_language(nb, lead_report=True) == "da"
    nb.cells[0].outputs[0].metadata = {}
    assert 'alt="Figure"' in render_html(nb, language="en")
    assert 'alt="Figur"' in render_html(nb, language="da")


def test_unknown_chapter_language_is_refused():
    from sosu_analysis.pipeline.run import chapter_language

    nb = nbformat.v4.new_notebook()
    nb.metadata["sosu"] = {"language": "dk"}
    with pytest.raises(ValueError, match="sosu.language"):
        chapter_language(nb)
