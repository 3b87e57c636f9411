"""What was tested: the intervention overview, comparison campuses and assumptions (Danish)."""

import pandas as pd

from sosu_analysis.paths import project_root
from sosu_analysis.reporting.interventions import (
    OVERVIEW_COLUMNS,
    assumptions_da,
    comparison_campuses,
    intervention_overview,
    month_da,
)
from sosu_analysis.students import read_campuses, read_interventions

RAW = project_root() / "data" / "raw"


def _tables():
    campuses = read_campuses(RAW / "campuses.csv")
    return campuses, read_interventions(RAW / "interventions.csv", campuses)


def test_month_names_are_danish():
    assert month_da("2025-04") == "april 2025"
    assert month_da("2026-10") == "oktober 2026"


def test_overview_has_one_row_per_intervention_of_the_plan():
    """Seed 003's follow-up plan: indsats 1a, 1b, 2a, 2b and 3; 3 runs at all four pilot campuses."""
    _, interventions = _tables()
    ov = intervention_overview(interventions)
    assert tuple(ov.columns) == OVERVIEW_COLUMNS
    assert list(ov["Indsats"]) == ["1a", "1b", "2a", "2b", "3"]
    row3 = ov.set_index("Indsats").loc["3"]
    assert row3["Afdelinger"] == "Skelbækgade, Brøndby, Herlev og Munkeengen"
    assert ov.set_index("Indsats").loc["2b", "Afdelinger"] == "Brøndby og Munkeengen"
    assert ov.set_index("Indsats").loc["1b", "Samarbejdspartner"] == "Gladsaxe Kommune"
    # every row of interventions.csv marks the first intake as assumed (its note): the table says so
    assert (ov["Første optag"] == "SSA-optaget april 2025 (antaget)").all()
    assert ov["Indhold"].str.len().gt(20).all()


def test_first_intake_is_the_earliest_over_campuses():
    frame = pd.DataFrame({
        "intervention": ["9", "9"], "name": ["X", "X"], "content_da": ["Y", "Y"], "campus": ["A", "B"],
        "seed_campus": ["A", "B"], "programme": ["SSA", "SSA"], "first_intake": ["2026-02", "2025-10"],
        "partner": ["", ""],
    })
    ov = intervention_overview(frame)
    assert ov.loc[0, "Første optag"] == "SSA-optaget oktober 2025"
    assert ov.loc[0, "Samarbejdspartner"] == "–"


def test_comparison_campuses_offer_ssa_and_are_not_pilots():
    campuses, _ = _tables()
    assert comparison_campuses(campuses) == ["Gladsaxe", "Frederikssund"]  # Helsingør offers SSH only


def test_every_marked_assumption_is_stated():
    campuses, interventions = _tables()
    text = " ".join(assumptions_da(campuses, interventions))
    assert "»Nord« er antaget at være afdelingen Munkeengen (ikke bekræftet)" in text
    assert "Pilotstart april 2025 er antaget for Skelbækgade, Brøndby, Herlev og Munkeengen" in text
    assert "uddannelser hver afdeling udbyder, er antaget" in text
    # campuses.csv: aliases, the campus »Nord« may also cover, the partner named like a campus (notes of the rows)
    assert "»København« som Skelbækgade; »Hillerød« og »Nord« som Munkeengen" in text
    assert "om »Nord« også omfatter Frederikssund og Helsingør" in text and "Frederikssund indgår i sammenligningen" in text
    assert "Samarbejdspartneren Gladsaxe Kommune (indsats 1b, Herlev) er kommunen, ikke afdelingen Gladsaxe" in text
    # interventions.csv: the first intake, assumed for every intervention
    assert "Første optag (april 2025) er antaget for alle indsatser" in text


def test_no_assumption_without_a_mark():
    campuses, interventions = _tables()
    campuses = campuses.assign(assumption=False, aliases="", note="")
    interventions = interventions.assign(assumption=False, seed_campus=interventions["campus"], partner="")
    assert assumptions_da(campuses, interventions) == []
