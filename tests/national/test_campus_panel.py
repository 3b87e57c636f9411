"""The campus panel from the national statistics (issue 18, item 1): missing stays missing, donors, fallbacks."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sosu_analysis.errors import InputError
from sosu_analysis.national import synthetic
from sosu_analysis.national.campus import build_panel, load_campus_panel
from sosu_analysis.national.convert import read_raw, sidecar_path
from sosu_analysis.paths import project_root
from sosu_analysis.students.campuses import read_campuses

ROOT = project_root()
ANSWER = synthetic.CAMPUS_FILE.format(seed=synthetic.SEED)
QUERY = synthetic.CAMPUS_QUERY


def _counts(rows):
    """Hand-made counts in the shape school_counts(by=("Afdeling",)) returns."""
    out = pd.DataFrame(rows, columns=["institution", "Afdeling", "programme", "year", "n_cohort", "n_dropout_total"])
    out["n_dropout_noswitch"] = out["n_dropout_total"]
    for c in ("n_cohort", "n_dropout_total", "n_dropout_noswitch"):
        out[c] = out[c].astype("Int64")
    return out


@pytest.fixture(scope="module")
def campuses():
    return read_campuses(ROOT / "data/raw/campuses.csv", "data/raw/campuses.csv")


def test_missing_cells_stay_missing_and_donors_are_dropped_by_the_threshold(campuses):
    na = pd.NA
    rows = []
    for y in (2022, 2023, 2024, 2025):
        rows.append(("SOSU H", "Brøndby", "SSA", y, 200, 30))
        rows.append(("SOSU H", "Gladsaxe", "SSA", y, 100, 15))
        rows.append(("Skole A", "A1", "SSA", y, 50, na if y == 2023 else 8))  # 1 of 4 missing: 25 %
        if y != 2022:
            rows.append(("Skole B", "B1", "SSA", y, 40, 6))  # no row in 2022 at all: 25 % missing
        rows.append(("Skole C", "C1", "SSA", y, 80, na if y in (2022, 2023) else 10))  # 50 % missing
    cells, year = build_panel(_counts(rows), campuses, "SOSU H", max_missing_share=0.25)
    assert year == 2025  # campuses.csv: pilot_start 2025-04
    c = cells.set_index(["unit", "year"])
    # a suppressed cell and an absent row are missing, never zero
    assert c.loc[("Skole A / A1", 2023), "missing"] and pd.isna(c.loc[("Skole A / A1", 2023), "n_dropout"])
    assert c.loc[("Skole B / B1", 2022), "missing"] and pd.isna(c.loc[("Skole B / B1", 2022), "n_cohort"])
    # the threshold: 25 % kept, 50 % dropped
    kept = cells.drop_duplicates("unit").set_index("unit")["donor_kept"]
    assert kept["Skole A / A1"] and kept["Skole B / B1"] and not kept["Skole C / C1"]
    assert not kept["SOSU H / Brøndby"]  # a pilot is never a donor
    assert kept["SOSU H / Gladsaxe"]  # a non-pilot campus of the school is a donor
    # the fill for the estimator: 1 student (0-2 possible) of the intake: 100 * 1 / 50 = 2 %
    assert c.loc[("Skole A / A1", 2023), "imputed"]
    assert c.loc[("Skole A / A1", 2023), "rate_pct"] == pytest.approx(2.0)
    # absent intake size: the campus's mean intake, 40 -> 2.5 %
    assert c.loc[("Skole B / B1", 2022), "rate_pct"] == pytest.approx(2.5)
    assert not c.loc[("Skole C / C1", 2022), "imputed"] and np.isnan(c.loc[("Skole C / C1", 2022), "rate_pct"])
    # treated: the pilot campus from 2025 only; observed rates are hand-computed 100 * 30 / 200
    assert c.loc[("SOSU H / Brøndby", 2025), "treated"] and not c.loc[("SOSU H / Brøndby", 2024), "treated"]
    assert c.loc[("SOSU H / Brøndby", 2024), "rate_pct"] == pytest.approx(15.0)


def test_an_unknown_afdeling_of_the_school_is_an_error(campuses):
    rows = [("SOSU H", "Ballerup", "SSA", 2024, 100, 10)]
    with pytest.raises(InputError) as err:
        build_panel(_counts(rows), campuses, "SOSU H", file="answer.json")
    assert "answer.json" in str(err.value) and "Ballerup" in str(err.value) and "campuses.csv" in str(err.value)


def test_no_answer_falls_back_plainly():
    p = load_campus_panel("", QUERY, "SOSU H", "data/raw/campuses.csv")
    assert p.status == "missing" and not p.available
    assert "falls back to the in-school comparison" in p.message


def test_an_answer_without_the_afdeling_dimension_falls_back(tmp_path):
    # the national (school-level) query has no afdeling dimension
    p = load_campus_panel(ANSWER, "config/queries/eud_hovedforloeb_status_3mdr_sosu_skoler.yaml", "SOSU H",
                          "data/raw/campuses.csv")
    assert p.status == "no_afdeling" and "afdeling" in p.message and "in-school" in p.message


def test_shipped_synthetic_answer_is_labelled_and_reproducible(tmp_path):
    raw = ROOT / ANSWER
    assert "synthetic" in raw.name
    meta = json.loads(sidecar_path(raw).read_text(encoding="utf-8"))
    assert meta["synthetic"] is True and "SYNTHETIC" in meta["description"]
    assert meta["seed"] == synthetic.SEED and meta["rows"] == len(read_raw(raw))
    # same seed, same rows
    assert synthetic.campus_answer(synthetic.SEED) == read_raw(raw)


def test_synthetic_answer_suppresses_below_three_and_is_calibrated():
    rows = read_raw(ROOT / ANSWER)
    counts = [int(r["Antal"].replace(".", "")) for r in rows]
    assert min(counts) >= synthetic.SUPPRESS_BELOW
    p = load_campus_panel(ANSWER, QUERY, "SOSU H", "data/raw/campuses.csv")
    c = p.cells[~p.cells["missing"] & (p.cells["year"] < 2025)]
    for own in (True, False):
        d = c[c["own_school"] == own]
        rate = 100 * d["n_dropout"].sum() / d["n_cohort"].sum()
        assert 13.5 <= rate <= 17.5  # published SSA 14,4-17,4 % (seed 003, Table 1)
    cov = p.coverage()
    assert cov["n_pilot"] == 4 and cov["n_donors_kept"] >= 40 and cov["n_donors_dropped"] > 0
    assert p.synthetic


def test_summary_says_what_was_dropped():
    p = load_campus_panel(ANSWER, QUERY, "SOSU H", "data/raw/campuses.csv")
    c = p.coverage()
    text = p.summary()
    assert "**SYNTHETIC**" in text and f"{c['n_donors_dropped']} were dropped for more than 15 % missing" in text
    assert load_campus_panel("", QUERY, "SOSU H", "data/raw/campuses.csv").summary().startswith("No campus-level")


def test_a_campus_answer_that_is_given_but_missing_is_an_error_not_a_fallback():
    from sosu_analysis.pipeline.config import load_config

    with pytest.raises(InputError) as err:
        load_config("config/default.yaml", overrides={"campus_answer": "data/raw/national/typo.answer.json"})
    assert "campus_answer" in str(err.value) and "typo.answer.json" in str(err.value)
    assert load_config("config/default.yaml", overrides={"campus_answer": ""}).campus_answer == ""


def test_rollout_intake_must_be_a_month():
    from sosu_analysis.pipeline.config import load_config

    with pytest.raises(InputError, match="rollout_intake"):
        load_config("config/default.yaml", overrides={"rollout_intake": "april 2026"})
