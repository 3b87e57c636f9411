"""The wellbeing survey (ETU): reader, small cells, and the association with dropout against references."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from sosu_analysis.errors import InputError
from sosu_analysis.national import etu, synthetic
from sosu_analysis.paths import project_root
from sosu_analysis.readers import published

ROOT = project_root()
SHIPPED = ROOT / synthetic.ETU_FILE.format(seed=synthetic.SEED)
HEADER = "Institution;Uddannelse;År;Type;Indikator eller spørgsmål;Score;Antal besvarelser\n"


def write(tmp_path, body: str, encoding: str = "utf-8"):
    p = tmp_path / "etu.csv"
    p.write_bytes((HEADER + body).encode(encoding))
    return p


def test_shipped_synthetic_file_is_reproducible_and_labelled():
    assert "synthetic" in SHIPPED.name
    frame = synthetic.etu_table(synthetic.SEED)
    assert frame.to_csv(sep=";", index=False, lineterminator="\n") == SHIPPED.read_text(encoding="utf-8")
    assert set(frame["Institution"]) == {"SOSU H (SYNTETISK)"}
    data = etu.read_etu(SHIPPED)
    assert set(etu.OPLAERING_QUESTIONS) <= set(data["item"])


def test_fewer_than_5_respondents_are_blanked_on_reading(tmp_path):
    p = write(tmp_path, "S;SSA;2024;Spørgsmål;Jeg lærer noget i oplæringen;71,2;4\n"
                        "S;SSA;2024;Spørgsmål;Jeg er glad for at være i oplæring;75,0;5\n"
                        "S;PAU;2024;Spørgsmål;Jeg lærer noget i oplæringen;;\n", encoding="cp1252")
    d = etu.read_etu(p)
    assert list(d["suppressed"]) == [True, False, True]
    assert math.isnan(d.loc[0, "score"]) and pd.isna(d.loc[0, "n_respondents"])  # never shown, count blanked too
    assert d.loc[1, "score"] == 75.0 and d.loc[1, "n_respondents"] == 5
    shown = etu.programme_table(d, "spørgsmål", 2024)
    assert shown.loc["Jeg lærer noget i oplæringen", "SSA"] == "færre end 5"
    assert "71,2" not in shown.to_string() and "Alle" not in shown.columns  # no total over programmes


@pytest.mark.parametrize("row, column, expect", [
    ("S;XYZ;2024;Indikator;Læringsmiljø;70,0;40\n", "Uddannelse", "unknown programme"),
    ("S;SSA;2024;Indikator;Læringsmiljø;170,0;40\n", "Score", "outside the 0-100 scale"),
    ("S;SSA;2024;Indikator;Læringsmiljø;70.5;40\n", "Score", "not a number"),
    ("S;SSA;2024;Indeks;Læringsmiljø;70,0;40\n", "Type", "neither Indikator nor Spørgsmål"),
    ("S;SSA;2024;Indikator;Læringsmiljø;70,0;4,5\n", "Antal besvarelser", "not a whole number"),
])
def test_bad_rows_are_named_by_file_row_and_column(tmp_path, row, column, expect):
    p = write(tmp_path, "S;SSA;2023;Indikator;Læringsmiljø;70,0;40\n" + row)
    with pytest.raises(InputError, match=expect) as info:
        etu.read_etu(p, "etu.csv")
    assert f"etu.csv, row 3, column '{column}'" in str(info.value)


def test_validate_recognises_the_etu_layout(tmp_path):
    import subprocess
    import sys
    res = subprocess.run([sys.executable, "-m", "sosu_analysis", "validate", str(SHIPPED)], capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
    assert res.returncode == 0 and "etu-table" in res.stdout


def test_association_against_scipy_and_statsmodels():
    """References: scipy.stats.pearsonr(...).confidence_interval() (Fisher z) for r;
    statsmodels OLS (conf_int, t on k - 2 df) for the slope."""
    tidy = published.read_processed(ROOT / "data/processed/table1_clean.csv")
    data = etu.read_etu(SHIPPED)
    item = etu.OPLAERING_QUESTIONS[0]
    res = etu.association(data, tidy, item, "incl_switch")
    pts = data[(data["item"] == item) & ~data["suppressed"]].merge(tidy.assign(year=tidy["year"].astype(int)),
                                                                    on=["programme", "year"])
    x = pts["score"].to_numpy(float)
    y = 100 * pts["n_dropout_total"].to_numpy(float) / pts["n_cohort"].to_numpy(float)
    assert res["n_points"] == len(pts) == 9
    ref = stats.pearsonr(x, y)
    ci = ref.confidence_interval(0.95)
    assert res["r"] == pytest.approx(ref.statistic) and res["r_ci_low"] == pytest.approx(ci.low)
    assert res["r_ci_high"] == pytest.approx(ci.high)
    ols = sm.OLS(y, sm.add_constant(x)).fit()
    assert res["slope_pp_per_10"] == pytest.approx(10 * ols.params[1])
    lo, hi = ols.conf_int(0.05)[1]
    assert res["slope_ci_low"] == pytest.approx(10 * lo) and res["slope_ci_high"] == pytest.approx(10 * hi)
    assert res["p_value"] == pytest.approx(ols.pvalues[1])


def test_association_leaves_out_suppressed_points_and_says_how_many():
    tidy = published.read_processed(ROOT / "data/processed/table1_clean.csv")
    data = etu.read_etu(SHIPPED)
    res = etu.association(data, tidy, etu.OPLAERING_QUESTIONS[2], "excl_switch")
    assert res["n_points"] == 8 and "PAU 2022" not in res["points"]  # the 4-respondent cell
    few = etu.association(data[data["year"] == 2024].head(0), tidy, etu.OPLAERING_QUESTIONS[0])
    assert few["n_points"] == 0 and np.isnan(few["r"])


def test_an_etu_answer_converts_to_the_etu_layout(tmp_path):
    """The ETU query's mapping turns API rows into the layout read_etu reads; an absent row stays absent."""
    from sosu_analysis.national import convert as conv
    from sosu_analysis.national.query import load_query

    query = load_query(ROOT / "config/queries/etu_eud_hovedforloeb.yaml")
    shipped = pd.read_csv(SHIPPED, sep=";", dtype=str)
    keys = {"Institution": "[Institution].[Institution].[Institution]",
            "Uddannelse": "[Uddannelse].[Uddannelse].[Uddannelse]", "År": "[År].[År].[År]",
            "Type": "[Type].[Type].[Type]",
            "Indikator eller spørgsmål": "[Indikator].[Indikator].[Indikator]"}
    rows = [{**{api: r[col] for col, api in keys.items()}, "Score": r["Score"],
             "Antal besvarelser": r["Antal besvarelser"]}
            for r in shipped.to_dict("records") if int(r["Antal besvarelser"].replace(".", "")) >= 5]
    out = tmp_path / "etu.csv"
    conv.write_converted(conv.convert(rows, query), out)
    got, ref = etu.read_etu(out), etu.read_etu(SHIPPED)
    ref = ref[~ref["suppressed"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, ref)
