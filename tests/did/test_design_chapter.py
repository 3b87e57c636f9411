"""Chapter 11's builder: every design_* table fits its contract, with and without a campus-level answer."""

from __future__ import annotations

import pytest

from sosu_analysis.national import design_tables, synthetic
from sosu_analysis.national.campus import load_campus_panel
from sosu_analysis.paths import project_root
from sosu_analysis.pipeline.student_data import load_students
from sosu_analysis.readers.goals import read_goals
from sosu_analysis.reporting import contracts
from sosu_analysis.students import read_interventions

ROOT = project_root()
NAMES = ("design_panel", "design_sdid", "design_weights", "design_paths", "design_placebo", "design_advisor",
         "design_first", "design_evidence", "design_students")


@pytest.fixture(scope="module")
def inputs():
    data = load_students(str(ROOT / "data/raw/synthetic/students_synthetic_seed20250401_effect-5.csv"),
                         str(ROOT / "data/raw/campuses.csv"), [3, 6, 12], "")
    earlier = contracts.read_tables(ROOT / "reports", ["did", "event_study", "power", "table1"])
    goals = read_goals(ROOT / "data/raw/national_goals_danske_sosu_skoler.csv")
    design = read_interventions(ROOT / "data/raw/interventions.csv", ROOT / "data/raw/campuses.csv")
    return data, earlier, goals, design


@pytest.mark.parametrize("answer", [synthetic.CAMPUS_FILE.format(seed=synthetic.SEED), ""])
def test_chapter_tables_fit_their_contracts(inputs, answer, tmp_path):
    data, earlier, goals, design = inputs
    panel = load_campus_panel(answer, synthetic.CAMPUS_QUERY, "SOSU H", "data/raw/campuses.csv")
    out = design_tables.run_chapter(data.main, panel, earlier, goals, design, [3, 6, 12], 0.05, 1, 5, "2026-04")
    for name in NAMES:
        contracts.write_table(out[name], tmp_path, name)
        back = contracts.read_table(tmp_path, name)
        assert list(back.columns) == contracts.CONTRACTS[name].column_names
    designs = set(out["design_advisor"]["design"])
    assert {"in_school", "stepped_rollout"} <= designs
    if answer:
        assert "national_sdid" in designs and len(out["design_sdid"]) == 3
        assert set(out["design_evidence"]["design"]) == {"in_school", "national_sdid"}
        # the weights of each estimator sum to one over the donors
        w = out["design_weights"].groupby("estimator")["weight"].sum()
        assert w.to_numpy() == pytest.approx(1.0)
    else:
        assert "national_sdid" not in designs and out["design_sdid"].empty
        assert list(out["design_evidence"]["design"]) == ["in_school"]
        assert out["design_panel"]["status"].iloc[0] == "missing"
    # the in-school MDE now is the realised CR2 SE through the one rule (issue 18: about 16 pp)
    ins = out["design_evidence"].set_index("design").loc["in_school"]
    assert ins["mde_pp"] == pytest.approx(16.0, abs=0.5)
    # the goal in students: Table 1's SSA 2024 rate to 12 % among its intake (hand: 0,054077 x 1.327 = 71,76)
    goal = out["design_students"].set_index("source").loc["goal"]
    assert goal["avoided"] == pytest.approx((17.4077 - 12.0) / 100 * 1327, abs=0.05)
