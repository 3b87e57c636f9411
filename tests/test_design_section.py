"""The report's design, evidence, students and cost pieces (issue 18): Danish, decimal comma, synthetic marked."""

from __future__ import annotations

import math

import matplotlib
import pandas as pd
import pytest

from sosu_analysis.did.design import ADVISOR_COLUMNS
from sosu_analysis.did.evidence import rate_evidence
from sosu_analysis.errors import InputError
from sosu_analysis.reporting import design_section as ds
from sosu_analysis.reporting.plotting import SYNTHETIC_WATERMARK
from sosu_analysis.students.campuses import read_interventions

matplotlib.use("Agg")


def test_students_sentence_is_the_issue_example():
    # 4,2 pp of 792 students: 0,042 x 792 = 33,264 -> "33" (hand-computed)
    assert ds.students_sentence(-4.2, 792, 33.264) == "4,2 procentpoint ≈ 33 færre afbrud om året blandt 792 elever"
    assert ds.students_sentence(1.5, 1327, -19.905).startswith("1,5 procentpoint ≈ 20 flere afbrud")
    assert "1.327 elever" in ds.students_sentence(1.5, 1327, -19.905)


def test_goal_and_cost_sentences():
    assert ds.goal_sentence(-5.4, 1327, 71.658) == ("Målet – at frafaldet falder 5,4 procentpoint – betyder 72 færre "
                                                   "afbrud om året blandt 1.327 SSA-elever.")
    assert "ukendt" in ds.cost_sentence(math.nan, math.nan, math.nan, math.nan)
    text = ds.cost_sentence(400_000, 8000.0, 5000.0, 20000.0)
    assert "400.000\u00a0kr." in text and "8.000\u00a0kr." in text and "95\u00a0%-konfidensinterval" in text
    assert "ubegrænset" in ds.cost_sentence(400_000, 8000.0, 5000.0, math.inf)
    assert "ingen pris" in ds.cost_sentence(400_000, math.nan, math.nan, math.nan)


def test_design_sentence_and_synthetic_mark():
    s = ds.design_sentence("national_sdid", 4, 54, synthetic=True)
    assert s.startswith("Vurderingen bygger på en syntetisk sammenligning") and "54 sammenligningsafdelinger" in s
    assert "SYNTETISKE DATA" in s
    assert "SYNTETISKE" not in ds.design_sentence("in_school", 4, 2, synthetic=False)


def test_evidence_line_has_words_for_every_code():
    r = rate_evidence("in_school", 2, 4.0, 1.0, 16.0, 5.0)
    line = ds.evidence_line(r.rating, ";".join(r.codes))
    assert line.startswith("Evidensens styrke: 0 af 5")
    assert "under 5 sammenligningsafdelinger" in line and "højst 3 af 5" in line
    assert "good_coverage" not in line  # codes never reach the text
    ok = rate_evidence("randomised", 30, 0.5, 1.0, 3.0, 5.0)
    assert ds.evidence_line(ok.rating, ok.codes).endswith("intet trækker ned).")
    with pytest.raises(ValueError, match="no Danish words"):
        ds.evidence_line(1, "some_new_code")


def test_strongest_prefers_the_higher_rating():
    ev = pd.DataFrame({"design": ["in_school", "national_sdid"], "rating": [0, 3], "reasons": ["", ""],
                       "n_comparison_units": [2, 54]})
    assert ds.strongest(ev)["design"] == "national_sdid"
    assert ds.strongest(ev.assign(rating=[2, 2]))["design"] == "national_sdid"


def _advisor():
    rows = []
    for d, base in (("in_school", 16.0), ("national_sdid", 7.0)):
        for i, date in enumerate(["2025-12", "2026-01", "2026-02", "2027-01"]):
            mde = base - 1.2 * i
            rows.append({"design": d, "horizon": 3, "date": date, "n_comparison_units": 2, "n_treated_units": 4,
                         "n_pre": 8, "n_post": i + 1, "se_pp": mde / 2.8, "df": 2.4, "mde_pp": mde,
                         "power_target": 0.3, "target_pp": 5.0, "sees_target": mde <= 5.0})
    return pd.DataFrame(rows, columns=list(ADVISOR_COLUMNS))


def test_advisor_figure_is_danish_and_watermarked():
    fig = ds.advisor_figure(_advisor(), SYNTHETIC_WATERMARK)
    fig.canvas.draw()
    ax = fig.axes[0]
    assert ax.get_title() == "Hvilket design kan se 5 procentpoint, og hvornår?"
    fmt = ax.yaxis.get_major_formatter()  # decimal comma on the axis
    assert fmt.format_ticks([0, 2.5, 5]) == ["0,0", "2,5", "5,0"]
    assert any(t.get_text() == SYNTHETIC_WATERMARK for t in ax.texts)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Andre skolers afdelinger, 3 mdr." in labels


def test_advisor_table_da():
    from sosu_analysis.did.design import first_dates

    t = ds.advisor_table_da(first_dates(_advisor()))
    assert t.columns[2] == "Kan se 5 procentpoint fra"
    # national: 7,0 - 1,2 x 2 = 4,6 <= 5 at the third month; in-school 16,0 - 3,6 = 12,4 never
    assert t.iloc[1, 2] == "februar 2026" and t.iloc[0, 2] == "ikke i perioden"
    assert t.iloc[0, 3] == "16,0 procentpoint"


# ---- the optional cost column of interventions.csv ------------------------------------------------

HEADER = "intervention,campus,programme,first_intake,source,assumption,cost_dkk_per_year\n"


def test_cost_column_is_read(tmp_path):
    f = tmp_path / "i.csv"
    f.write_text(HEADER + '1a,Herlev,SSA,2025-04,plan,no,"125.000"\n2a,Brøndby,SSA,2025-04,plan,no,\n', encoding="utf-8")
    d = read_interventions(f, "data/raw/campuses.csv")
    assert d["cost_dkk_per_year"].iloc[0] == 125000.0 and math.isnan(d["cost_dkk_per_year"].iloc[1])


@pytest.mark.parametrize("value,message", [("12.5", "yearly cost"), ("-5", "negative"), ("mange", "yearly cost")])
def test_bad_cost_names_file_row_and_column(tmp_path, value, message):
    f = tmp_path / "i.csv"
    f.write_text(HEADER + f'1a,Herlev,SSA,2025-04,plan,no,"{value}"\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_interventions(f, "data/raw/campuses.csv", display_name="interventions.csv")
    p = err.value.problems[0]
    assert p.file == "interventions.csv" and p.row == 2 and p.column == "cost_dkk_per_year" and message in p.message


def test_total_cost_unknown_unless_every_row_has_one():
    from sosu_analysis.national.design_tables import total_cost

    assert math.isnan(total_cost(pd.DataFrame({"cost_dkk_per_year": [100.0, math.nan]})))
    assert total_cost(pd.DataFrame({"cost_dkk_per_year": [100.0, 50.0]})) == 150.0


def test_verdict_lines_use_the_strongest_design():
    ev = pd.DataFrame({"design": ["in_school", "national_sdid"], "rating": [0, 3],
                       "reasons": ["design_in_school;few_comparison_units;good_pre_fit;good_coverage;mde_far_above_target",
                                   "design_national_sdid;many_comparison_units;good_pre_fit;good_coverage;"
                                   "mde_above_target"], "n_comparison_units": [2, 54]})
    sdid = pd.DataFrame({"estimator": ["sdid"], "n_treated": [4]})
    did = pd.DataFrame({"n_pilot_campuses": [4]})
    design, line = ds.verdict_lines(ev, sdid, did, synthetic=True)
    assert "4 pilotafdelinger og 54 sammenligningsafdelinger" in design and "SYNTETISKE DATA" in design
    assert line.startswith("Evidensens styrke: 3 af 5") and "kan ikke se den søgte virkning endnu" in line
    design, line = ds.verdict_lines(ev.iloc[:1], sdid.iloc[:0], did, synthetic=False)
    assert "2 sammenligningsafdelinger" in design and line.startswith("Evidensens styrke: 0 af 5")


def test_donors_sentence_and_fallback():
    panel = pd.DataFrame([{"status": "ok", "n_donors_kept": 54, "n_donors_dropped": 7, "threshold": 0.15,
                           "synthetic": True}])
    text = ds.donors_sentence(panel)
    assert text.startswith("Sammenligningen bruger 54 afdelinger; 7 er udeladt") and "15\u00a0%" in text
    assert "SYNTETISKE DATA" in text
    assert "alene på sammenligningen af skolens egne afdelinger" in ds.donors_sentence(panel.assign(status="missing"))


def test_soonest_sentence():
    from sosu_analysis.did.design import first_dates

    first = first_dates(_advisor())
    text = ds.soonest_sentence(first, "2028-12")
    assert text.startswith("Det design, der tidligst kan se en virkning på 5 procentpoint, er andre skolers afdelinger")
    assert text.endswith("fra februar 2026.")
    none = ds.soonest_sentence(first[first["design"] == "in_school"], "2028-12")
    assert none == "Intet af designene kan se en virkning på 5 procentpoint før december 2028."
