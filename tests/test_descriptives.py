"""Descriptive tables: Wilson intervals against Newcombe (1998) and Table 1 reproduction."""

import numpy as np
import pytest

from sosu_analysis.models.descriptives import outcome_rates, table1_comparison, wilson_interval
from sosu_analysis.paths import project_root
from sosu_analysis.readers.published import clean_published

# Newcombe RG (1998), "Two-sided confidence intervals for the single proportion: comparison of
# seven methods", Statistics in Medicine 17:857-872, Table I, method 3 (score / Wilson), 95 %.
NEWCOMBE_WILSON = [((81, 263), (0.2553, 0.3662)), ((15, 148), (0.0624, 0.1605)),
                   ((0, 20), (0.0000, 0.1611)), ((1, 29), (0.0061, 0.1718))]


@pytest.mark.parametrize("kn, ci", NEWCOMBE_WILSON)
def test_wilson_against_newcombe(kn, ci):
    lo, hi = wilson_interval(*kn)
    assert float(lo) == pytest.approx(ci[0], abs=5e-5)
    assert float(hi) == pytest.approx(ci[1], abs=5e-5)


def test_wilson_closed_form():
    # Wilson (1927): centre (k + z²/2)/(n + z²), half-width z/(n + z²)·sqrt(k(n-k)/n + z²/4)
    k, n, z = 231, 1327, 1.959963984540054
    centre = (k + z**2 / 2) / (n + z**2)
    half = z / (n + z**2) * np.sqrt(k * (n - k) / n + z**2 / 4)
    lo, hi = wilson_interval(k, n)
    assert float(lo) == pytest.approx(centre - half, rel=1e-10)
    assert float(hi) == pytest.approx(centre + half, rel=1e-10)


@pytest.fixture(scope="module")
def tidy():
    return clean_published(project_root() / "data/raw/uddannelsesstatistik_sosuh_hovedforloeb_3mdr_2022-2024.csv")


def test_table1_comparison_has_all_36_cells(tidy):
    comp = table1_comparison(tidy)
    assert len(comp) == 36
    assert (comp["match"] == "yes").sum() == 33
    assert (comp["match"] == "derived").sum() == 3
    ssa24 = comp[(comp.programme == "SSA") & (comp.year == 2024) & (comp.status == "Afbrudt totalt")].iloc[0]
    assert (ssa24["published"], ssa24["reproduced"], ssa24["count"]) == ("17,4 %", "17,4 %", 231)


def test_outcome_rates_both_definitions(tidy):
    rates = outcome_rates(tidy)
    assert set(rates["outcome_definition"]) == {"incl_switch", "excl_switch"}
    ssa = rates[(rates.programme == "SSA") & (rates.year == 2024)].set_index("outcome_definition")
    assert ssa.loc["incl_switch", "pct"] == pytest.approx(100 * 231 / 1327)
    assert ssa.loc["excl_switch", "pct"] == pytest.approx(100 * 191 / 1327)
    assert (rates["ci_low"] <= rates["pct"]).all() and (rates["pct"] <= rates["ci_high"]).all()
