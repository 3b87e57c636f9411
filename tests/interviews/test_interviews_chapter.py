"""Chapter 10 through the pipeline on planted input: no name, CPR number, phone, e-mail, or text of a
group of 2 or without consent reaches any output file, the notebook or the run's log.
"""

from __future__ import annotations

import shutil

import yaml
from interview_helpers import PLANTED, write_inputs

from sosu_analysis import cli
from sosu_analysis.paths import project_root

ROOT = project_root()


def test_planted_identifiers_never_reach_an_output(tmp_path, capsys):
    keys = write_inputs(tmp_path / "in")
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(yaml.safe_dump({**keys, "notebooks": ["10_interviews"], "lead_report": ""}), encoding="utf-8")
    out = tmp_path / "out"
    code = cli.main(["run", "--config", str(cfg), "--output", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    log = captured.out + captured.err
    files = [p for p in out.rglob("*") if p.is_file()]
    assert (out / "10_interviews.html").is_file() and (out / "tables/interview_quotes.csv").is_file()
    texts = {str(p.relative_to(out)): p.read_bytes().decode("utf-8", errors="ignore") for p in files}
    texts["log"] = log
    for name, text in texts.items():
        low = text.casefold()
        for planted in PLANTED:
            assert planted.casefold() not in low, (planted, name)
    page = texts["10_interviews.html"]
    assert "[skjult]" in page and "Hvad siger eleverne" in page
    assert "SYNTETISKE DATA" not in page  # these inputs are not synthetic; the shipped ones are (below)


def test_shipped_synthetic_chapter_is_marked(tmp_path):
    """The shipped stand-in through the chapter's own calls: banner and watermark say SYNTETISKE DATA."""
    import matplotlib

    matplotlib.use("Agg")
    from sosu_analysis.interviews.analysis import analyse, load_interviews
    from sosu_analysis.pipeline.config import Config
    from sosu_analysis.reporting import contracts
    from sosu_analysis.reporting import interviews_section as section

    d = {k: Config.default(k) for k in ("interview_register", "interview_codes", "interview_export",
                                        "interview_mapping", "interview_names", "campuses_table", "survey_items")}
    inputs = load_interviews(d["interview_register"], d["interview_codes"], d["interview_export"],
                             d["interview_mapping"], d["interview_names"], d["campuses_table"],
                             survey_items=d["survey_items"])
    (tmp_path / "tables").mkdir()
    shutil.copy(ROOT / "reports/tables/survey_contrasts.csv", tmp_path / "tables")
    from sosu_analysis.reporting.contracts import read_table_if_written

    res = analyse(inputs, read_table_if_written(tmp_path, "survey_contrasts"))
    assert res.synthetic and res.survey_available
    contracts.write_tables(res.tables(), tmp_path)
    rep = section.report_section(tmp_path)
    assert "SYNTETISKE DATA" in rep.banner and "SYNTETISKE DATA" in rep.html
    assert rep.title == "Hvad siger eleverne" and len(rep.table) == len(res.joint)
    fig = section.theme_figure(res.themes, res.synthetic)
    assert any(t.get_gid() == "watermark" for ax in fig.axes for t in ax.texts)
    # the survey side of the joint display is chapter 09's contrast, unchanged
    sc = contracts.read_table(tmp_path, "survey_contrasts")
    row = sc[(sc["measure"] == "forberedelse") & (sc["metric"] == "score") & (sc["contrast"] == "pilot_vs_comparison")]
    j = res.joint.set_index("criterion").loc["forberedelse"]
    assert j["survey_estimate"] == row["estimate"].iloc[0] and j["survey_ci_low"] == row["ci_low"].iloc[0]


def test_load_section_absent_without_chapter_10(tmp_path):
    from sosu_analysis.reporting.interviews_section import load_section

    assert load_section(tmp_path) is None


def test_the_register_validate_checks_exports_against_is_the_configs_default():
    """interviews.DEFAULT_REGISTER / DEFAULT_CODES (a data source may not read the config) are the config's defaults."""
    from sosu_analysis import interviews
    from sosu_analysis.pipeline.config import Config

    assert interviews.DEFAULT_REGISTER == Config.default("interview_register")
    assert interviews.DEFAULT_CODES == Config.default("interview_codes")
