"""National comparison: counts per school, rates with Wilson and Newcombe intervals, the comparative
trend model and the funnel limits, each against an independent reference named beside it."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from national_helpers import ANSWERS
from scipy import stats

from sosu_analysis.national import compare, funnel, synthetic
from sosu_analysis.national import convert as conv
from sosu_analysis.national.counts import school_counts
from sosu_analysis.national.query import load_query
from sosu_analysis.paths import project_root
from sosu_analysis.readers import published

ROOT = project_root()
Q_SOSUH = load_query(ROOT / "config/queries/eud_hovedforloeb_status_3mdr_sosuh.yaml")
Q_ALL = load_query(ROOT / "config/queries/eud_hovedforloeb_status_3mdr_sosu_skoler.yaml")
SYNTH = ROOT / synthetic.NATIONAL_FILE.format(seed=synthetic.SEED)


def make_counts(cells: list[tuple[str, str, int, int, int]]) -> pd.DataFrame:
    """(institution, programme, year, n_cohort, n_dropout) -> a counts table (total = noswitch here)."""
    d = pd.DataFrame(cells, columns=["institution", "programme", "year", "n_cohort", "n_dropout_total"])
    d["n_dropout_noswitch"] = d["n_dropout_total"]
    for c in ("n_cohort", "n_dropout_total", "n_dropout_noswitch"):
        d[c] = d[c].astype("Int64")
    return d


# ---- counts ---------------------------------------------------------------------------------------------

def test_counts_equal_the_published_reader_for_sosuh():
    """Reference: sosu_analysis.readers.published.clean_published (the reader of Table 1) on the same answer."""
    table = conv.replay(ANSWERS / "table1_sosuh.answer.json", Q_SOSUH)
    counts = school_counts(table)
    ref = published.read_processed(ROOT / "data/processed/table1_clean.csv")
    for col in ("n_cohort", "n_in_progress", "n_dropout_switch", "n_dropout_noswitch", "n_dropout_total",
                "n_cohort_max"):
        assert list(counts[col]) == list(ref[col]), col
    assert list(counts["derived_cells"]) == list(ref["derived_cells"])


def test_a_blank_that_is_not_pinned_stays_missing_never_zero():
    rows = [r for r in json.loads((ANSWERS / "table1_sosuh.answer.json").read_text())
            if not (r["[Uddannelse].[Uddannelse].[Uddannelse]"] == "Social- og sundhedsassistent"
                    and r["[Startår].[Startår].[Startår]"] == "2024"
                    and r["[Status].[Status].[Status]"] in ("Afbrudt med omvalg", "Afbrudt uden omvalg"))]
    counts = school_counts(conv.convert(rows, Q_SOSUH))
    r = counts[(counts["programme"] == "SSA") & (counts["year"] == 2024)].iloc[0]
    assert pd.isna(r["n_dropout_noswitch"]) and pd.isna(r["n_dropout_switch"])
    assert r["n_dropout_total"] == 231 and r["n_cohort"] == 1327
    assert "afbrudt uden omvalg not published and not pinned" in r["note"]
    rates = compare.group_rates(counts, "SOSU H")
    excl = rates[(rates["programme"] == "SSA") & (rates["year"] == 2024)
                 & (rates["outcome_definition"] == "excl_switch") & (rates["group"] == "school")].iloc[0]
    assert excl["n_schools"] == 0 and excl["n_schools_missing"] == 1 and math.isnan(excl["pct"])


# ---- rates and differences -------------------------------------------------------------------------------

def wilson_by_hand(x: int, n: int, z: float) -> tuple[float, float]:
    """Wilson (1927) score interval, closed form (Agresti & Coull 1998, eq. 2)."""
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_group_rates_pool_students_and_use_wilson():
    counts = make_counts([("H", "SSA", 2024, 1327, 231), ("A", "SSA", 2024, 400, 80), ("B", "SSA", 2024, 250, 40)])
    rates = compare.group_rates(counts, "H")
    r = rates[rates["outcome_definition"] == "incl_switch"].set_index("group")
    assert r.loc["rest", "n_dropout"] == 120 and r.loc["rest", "n_cohort"] == 650 and r.loc["rest", "n_schools"] == 2
    assert r.loc["national", "n_dropout"] == 351 and r.loc["national", "n_cohort"] == 1977
    lo, hi = wilson_by_hand(120, 650, stats.norm.ppf(0.975))
    assert r.loc["rest", "ci_low"] == pytest.approx(100 * lo, abs=1e-10)
    assert r.loc["rest", "ci_high"] == pytest.approx(100 * hi, abs=1e-10)


def test_unknown_school_is_named():
    with pytest.raises(ValueError, match="no institution named 'SOSU X'.*national_school"):
        compare.group_rates(make_counts([("H", "SSA", 2024, 100, 10)]), "SOSU X")


def test_difference_uses_newcombes_hybrid_score_interval():
    """Reference: Newcombe (1998), Statistics in Medicine 17:873-890, Table II, example (a): 56/70 - 48/80,
    method 10 (score, no continuity correction): 0.0524 to 0.3339."""
    counts = make_counts([("H", "SSA", 2024, 70, 56), ("R", "SSA", 2024, 80, 48)])
    diff = compare.school_vs_rest(compare.group_rates(counts, "H"))
    d = diff[diff["outcome_definition"] == "incl_switch"].iloc[0]
    assert d["diff_pp"] == pytest.approx(20.0)
    assert d["ci_low"] == pytest.approx(5.24, abs=0.005) and d["ci_high"] == pytest.approx(33.39, abs=0.005)


# ---- the comparative trend ---------------------------------------------------------------------------------

def test_difference_in_slopes_equals_the_closed_form_for_two_schools_two_years():
    """Saturated 2 x 2: delta = log(OR_H / OR_R), var = sum of 1/cell over the 8 cells (Woolf)."""
    cells = [("H", "SSA", 2023, 1393, 222), ("H", "SSA", 2024, 1327, 231),
             ("R", "SSA", 2023, 8528, 1513), ("R", "SSA", 2024, 8367, 1423)]
    res = compare.comparative_trend(make_counts(cells), "H", "SSA", "incl_switch")
    logit = {(s, y): math.log(e / (n - e)) for s, _, y, n, e in cells}
    delta = (logit["H", 2024] - logit["H", 2023]) - (logit["R", 2024] - logit["R", 2023])
    var = sum(1 / e + 1 / (n - e) for *_, n, e in cells)
    assert res["slope_diff"] == pytest.approx(delta, abs=1e-8)
    assert res["se"] == pytest.approx(math.sqrt(var), rel=1e-6)
    assert res["or_per_year_rest"] == pytest.approx(math.exp(logit["R", 2024] - logit["R", 2023]), rel=1e-8)
    assert res["df_resid"] == 0 and math.isnan(res["p_value_quasi"])
    assert "not estimable yet" in res["post_note"]


def test_school_effects_model_equals_a_student_level_logit():
    """Reference: statsmodels Logit (Newton MLE) on one row per student, an independent path from the
    binomial GLM (IRLS) on counts."""
    cells = [("H", "SSA", 2022, 300, 40), ("H", "SSA", 2023, 320, 52), ("H", "SSA", 2024, 310, 60),
             ("A", "SSA", 2022, 200, 36), ("A", "SSA", 2023, 210, 35), ("A", "SSA", 2024, 190, 33),
             ("B", "SSA", 2022, 150, 20), ("B", "SSA", 2023, 160, 25), ("B", "SSA", 2024, 170, 24)]
    res = compare.comparative_trend(make_counts(cells), "H", "SSA", "incl_switch")
    students = pd.DataFrame([{"school": s, "t": y - 2023.0, "h": float(s == "H"), "y": int(i < e)}
                             for s, _, y, n, e in cells for i in range(n)])
    ref = smf.logit("y ~ C(school) + t + h:t - 1", students).fit(disp=0)
    assert res["slope_diff"] == pytest.approx(ref.params["h:t"], abs=1e-6)
    assert res["se"] == pytest.approx(ref.bse["h:t"], rel=1e-5)
    assert res["slope_rest"] == pytest.approx(ref.params["t"], abs=1e-6)
    assert res["p_value"] == pytest.approx(ref.pvalues["h:t"], rel=1e-4)


def test_change_after_2025_equals_the_closed_form_when_saturated():
    """Two schools, 2023-2025: theta = (L25 - 2 L24 + L23)_H - (same)_R, var = sum c^2 (1/a + 1/b), c = 1, -2, 1."""
    cells = [("H", "SSA", 2023, 1393, 222), ("H", "SSA", 2024, 1327, 231), ("H", "SSA", 2025, 1300, 180),
             ("R", "SSA", 2023, 8528, 1513), ("R", "SSA", 2024, 8367, 1423), ("R", "SSA", 2025, 8400, 1450)]
    res = compare.comparative_trend(make_counts(cells), "H", "SSA", "incl_switch", intervention_year=2025)
    L = {(s, y): math.log(e / (n - e)) for s, _, y, n, e in cells}
    v = {(s, y): 1 / e + 1 / (n - e) for s, _, y, n, e in cells}
    theta = sum(s_sign * (L[s, 2025] - 2 * L[s, 2024] + L[s, 2023]) for s, s_sign in (("H", 1), ("R", -1)))
    var = sum(v[s, 2025] + 4 * v[s, 2024] + v[s, 2023] for s in ("H", "R"))
    assert res["post_diff"] == pytest.approx(theta, abs=1e-7)
    assert var > 0
    # saturated: no dispersion can be estimated, so no quasi-binomial interval: stated as missing, not
    # replaced by the binomial one (issue 17: no best-case default)
    assert res["df_resid"] == 0 and math.isnan(res["post_ci_low"]) and math.isnan(res["post_p_value"])
    assert res["post_note"] == ""


def test_change_after_2025_has_the_quasi_binomial_t_interval():
    """docs/decisions.md: the report quotes quasi-binomial intervals (phi = max(1, X2/df), t on df).

    Reference: statsmodels GLM on proportions with ``var_weights = n`` and ``scale='X2'`` (the response
    form whose Pearson scale is right, see models/quasi.py), an interval b ± t(df) · SE_X2, computed here
    on a design written out by hand, independently of the package's fitter.
    """
    import statsmodels.api as sm

    rng = np.random.default_rng(4)
    cells = []
    for s in ("H", "A", "B", "C"):
        for y in (2021, 2022, 2023, 2024, 2025):
            n = int(rng.integers(300, 900))
            p = 0.18 + (0.04 if s == "H" and y >= 2025 else 0.0) + rng.normal(0, 0.02)
            cells.append((s, "SSA", y, n, int(rng.binomial(n, p))))
    res = compare.comparative_trend(make_counts(cells), "H", "SSA", "incl_switch", intervention_year=2025)
    frame = pd.DataFrame(cells, columns=["school", "programme", "year", "n", "e"])
    t = frame["year"] - frame["year"].mean()
    h = (frame["school"] == "H").astype(float)
    post = (frame["year"] >= 2025).astype(float)
    X = pd.get_dummies(frame["school"], dtype=float)
    X = X.assign(t=t, h_t=h * t, post=post, h_post=h * post)
    fit = sm.GLM(frame["e"] / frame["n"], X, family=sm.families.Binomial(), var_weights=frame["n"]).fit(scale="X2")
    df = len(frame) - X.shape[1]
    assert fit.scale > 1 and res["dispersion"] == pytest.approx(fit.scale, rel=1e-6)
    b, se = fit.params["h_post"], fit.bse["h_post"]
    q = stats.t.ppf(0.975, df)
    assert res["post_diff"] == pytest.approx(b, abs=1e-7)
    assert res["post_ci_low"] == pytest.approx(b - q * se, rel=1e-5)
    assert res["post_ci_high"] == pytest.approx(b + q * se, rel=1e-5)
    assert res["post_p_value"] == pytest.approx(2 * stats.t.sf(abs(b / se), df), rel=1e-4)
    # the binomial z interval would be narrower: the contrast no longer uses it
    assert res["post_ci_high"] - res["post_ci_low"] > 2 * stats.norm.ppf(0.975) * se / math.sqrt(fit.scale)


# ---- funnel limits ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("n, p0", [(50, 0.18), (213, 0.06), (1327, 0.17), (5000, 0.18)])
def test_exact_limits_interpolate_between_the_binomial_quantile_steps(n, p0):
    """Reference: scipy.stats.binom; Spiegelhalter (2005) appendix A.1.1."""
    for prob in (0.001, 0.025, 0.975, 0.999):
        r = stats.binom.ppf(prob, n, p0)
        limit = float(funnel.exact_binomial_limit(n, p0, prob))
        assert (r - 1) / n <= limit <= r / n
        f_r, f_r1 = stats.binom.cdf(r, n, p0), stats.binom.cdf(r - 1, n, p0)
        assert n * limit == pytest.approx(r - (f_r - prob) / (f_r - f_r1), abs=1e-9)


def test_exact_limits_approach_the_normal_ones_for_large_intakes():
    """Normal approximation p0 +- z sqrt(p0 (1 - p0) / n), z = 1.959964 (95 %), 3.090232 (99.8 %)."""
    n, p0 = 200_000, 0.18
    for level, z in ((0.95, 1.959964), (0.998, 3.090232)):
        lo, hi = funnel.limits(n, p0, level)
        half = z * math.sqrt(p0 * (1 - p0) / n)
        assert float(hi) == pytest.approx(p0 + half, abs=2e-5) and float(lo) == pytest.approx(p0 - half, abs=2e-5)
        nlo, nhi = funnel.limits(400, p0, level, method="normal")
        assert float(nhi) == pytest.approx(p0 + z * math.sqrt(p0 * (1 - p0) / 400), abs=1e-6)


def test_funnel_table_positions_and_overdispersion():
    counts = make_counts([("H", "SSA", 2024, 1000, 250), ("A", "SSA", 2024, 1000, 150), ("B", "SSA", 2024, 1000, 140)])
    table, p0 = funnel.funnel_table(counts, "n_dropout_total", "H")
    assert p0 == pytest.approx(18.0)
    h = table.set_index("institution").loc["H"]
    assert h["is_school"] and h["position_0.998"] == "above"
    assert h["z"] == pytest.approx((0.25 - 0.18) / math.sqrt(0.18 * 0.82 / 1000))
    # winsorised phi by hand: 10 % of 10 values = 1 at each end pulled in
    z = np.array([-5.0, -1, -1, 0, 0, 0, 1, 1, 2, 9])
    assert funnel.overdispersion(z) == pytest.approx(np.mean(np.array([-1.0, -1, -1, 0, 0, 0, 1, 1, 2, 2]) ** 2))


# ---- the shipped synthetic answer ----------------------------------------------------------------------------

def test_shipped_synthetic_answer_is_reproducible_and_labelled(tmp_path):
    rows = synthetic.national_answer(synthetic.SEED)
    assert json.dumps(rows, ensure_ascii=False, indent=1) + "\n" == SYNTH.read_text(encoding="utf-8")
    meta = conv.read_sidecar(SYNTH)
    assert meta is not None and meta["synthetic"] is True and "synthetic" in SYNTH.name
    assert {r["[Institution].[Institution].[Institution]"] for r in rows} - {"SOSU H"} == \
        {f"Syntetisk skole {i:02d}" for i in range(1, 18)}
    # SOSU H's rows are the recorded Table 1 answer exactly
    sosuh = [r for r in rows if r["[Institution].[Institution].[Institution]"] == "SOSU H"]
    assert sosuh == json.loads((ANSWERS / "table1_sosuh.answer.json").read_text())
    counts = school_counts(conv.replay(SYNTH, Q_ALL))
    rates = compare.group_rates(counts, "SOSU H")
    nat = rates[(rates["group"] == "national") & rates["programme"].isin(["SSA", "SSH"])
                & (rates["outcome_definition"] == "incl_switch")]
    assert 15 < nat["n_dropout"].sum() / nat["n_cohort"].sum() * 100 < 20  # calibrated to seed 000's 18 %
