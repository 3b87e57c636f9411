"""Synthetic cohorts: determinism, calibration to Table 1, the known true effect, the CLI and the shipped draw."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from students_helpers import ROOT

from sosu_analysis.atomic import write_csv
from sosu_analysis.commands.students import main
from sosu_analysis.students import derive_columns, generate, read_campuses, read_extract
from sosu_analysis.students.synth import table1_rates

SHIPPED = ROOT / "data" / "raw" / "synthetic" / "students_synthetic_seed20250401_effect-5.csv"
#: Seed 003, Table 1 as printed (and in the brief): (programme, year) -> (intake, in progress, switch,
#: no switch, other), the intake being the denominator the published percentages imply. The independent
#: reference for what the generator reads from data/raw through sosu_analysis.readers.published.
TABLE1 = {
    ("PAU", 2022): (213, 207, 0, 6, 0), ("PAU", 2023): (217, 201, 0, 16, 0), ("PAU", 2024): (186, 181, 0, 4, 1),
    ("SSA", 2022): (1072, 918, 34, 120, 0), ("SSA", 2023): (1393, 1171, 43, 179, 0),
    ("SSA", 2024): (1327, 1095, 40, 191, 1),
    ("SSH", 2022): (788, 711, 8, 68, 1), ("SSH", 2023): (914, 790, 34, 89, 1), ("SSH", 2024): (1032, 918, 30, 82, 2),
}
Z = 4.0  # tolerance in standard errors: a false alarm is practically impossible, a real bias is not missed


@pytest.fixture(scope="module")
def real_campuses():
    return read_campuses(ROOT / "data" / "raw" / "campuses.csv")


def _read_back(cohorts, campuses, tmp_path_factory):
    """Write a draw and read it back through the extract validator."""
    path = tmp_path_factory.mktemp("synth") / "draw_synthetic.csv"
    write_csv(path, cohorts.students)
    return read_extract(path, campuses)


@pytest.fixture(scope="module")
def large_null(real_campuses, table1, tmp_path_factory):
    """A large draw without effect (about 390,000 students) and its extract as read back."""
    cohorts = generate(11, 0.0, campuses=real_campuses, table1=table1, scale=40)
    return cohorts, _read_back(cohorts, real_campuses, tmp_path_factory)


@pytest.fixture(scope="module")
def large_effect(real_campuses, table1):
    """A large draw with a true effect of -5 pp, converted in memory (the validator is tested above)."""
    cohorts = generate(12, -5.0, campuses=real_campuses, table1=table1, scale=40)
    extract = cohorts.students.assign(start_date=pd.to_datetime(cohorts.students["start_date"]),
                                      exit_date=pd.to_datetime(cohorts.students["exit_date"].replace("", None)))
    return cohorts, extract


def run(args, capsys):
    code = main(["synth", *map(str, args)])
    return code, capsys.readouterr()


@pytest.fixture
def project_root_env(monkeypatch):
    monkeypatch.setenv("SOSU_PROJECT_ROOT", str(ROOT))


def test_same_seed_same_bytes_different_seed_differs(tmp_path, project_root_env, capsys):
    a, b, c = (tmp_path / n / "x_synthetic.csv" for n in ("a", "b", "c"))
    assert run(["--seed", 3, "--effect", -5, "--out", a, "--scale", 0.2], capsys)[0] == 0
    assert run(["--seed", 3, "--effect", -5, "--out", b, "--scale", 0.2], capsys)[0] == 0
    assert run(["--seed", 4, "--effect", -5, "--out", c, "--scale", 0.2], capsys)[0] == 0
    assert a.read_bytes() == b.read_bytes()
    assert a.with_suffix(".json").read_bytes() == b.with_suffix(".json").read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_rates_read_from_the_published_file_match_seed_003(table1):
    rates = table1_rates(table1)
    assert set(rates) == set(TABLE1)
    for k, (n, _, switch, noswitch, other) in TABLE1.items():
        assert rates[k]["n_cohort"] == n
        assert rates[k]["dropout_switch"] == pytest.approx(switch / n)
        assert rates[k]["dropout_noswitch"] == pytest.approx(noswitch / n)
        assert rates[k]["other"] == pytest.approx(other / n)


def test_calibration_3_months(large_null, real_campuses):
    """Each programme-year's 3-month rates are within sampling error of Table 1 (2025 = 2024)."""
    d = derive_columns(large_null[1], real_campuses, 3)
    assert set(d["year"]) == {2022, 2023, 2024, 2025}
    for (programme, year), grp in d.groupby(["programme", "year"]):
        n_cohort, _, switch, noswitch, other = TABLE1[(programme, min(year, 2024))]
        n = len(grp)
        assert n == round(n_cohort * 40)
        expected = {"dropout_switch": switch / n_cohort, "dropout_noswitch": noswitch / n_cohort,
                    "other": other / n_cohort, "dropout_total": (switch + noswitch) / n_cohort}
        observed = {s: (grp["status"] == s).mean() for s in ("dropout_switch", "dropout_noswitch", "other")}
        observed["dropout_total"] = grp["dropout_total"].mean()
        for status, p in expected.items():
            se = np.sqrt(p * (1 - p) / n)
            assert abs(observed[status] - p) <= Z * se, (programme, year, status, observed[status], p)


def test_later_horizons_follow_the_hazard_model(large_null, real_campuses):
    cohorts, extract = large_null
    cells = cohorts.cells
    for h in (6, 12):
        d = derive_columns(extract, real_campuses, h)
        for outcome in ("dropout_total", "dropout_noswitch"):
            expected = np.average(cells[f"p{h}_{outcome}"], weights=cells["n"])
            se = np.sqrt(expected * (1 - expected) / len(d))
            assert abs(d[outcome].mean() - expected) <= Z * se
    three = derive_columns(extract, real_campuses, 3)["dropout_total"].mean()
    twelve = np.average(cells["p12_dropout_total"], weights=cells["n"])
    assert three < twelve < 2 * three


def test_true_effect_on_treated(large_effect, real_campuses):
    cohorts, extract = large_effect
    d = derive_columns(extract, real_campuses, 3)
    cells = cohorts.cells.set_index(["programme", "campus", "intake"])
    treated = d[d["pilot_post"] == 1]
    assert set(treated["programme"]) == {"SSA"}
    assert set(treated["intake"]) == {"2025-04", "2025-06", "2025-08", "2025-10"}
    cf = cells.loc[pd.MultiIndex.from_frame(treated[["programme", "campus", "intake"]])]
    n = len(treated)
    for outcome in ("dropout_total", "dropout_noswitch"):
        effect = treated[outcome].mean() - cf[f"p3_{outcome}_cf"].mean()
        se = np.sqrt(cf[f"p3_{outcome}"].mean() * (1 - cf[f"p3_{outcome}"].mean()) / n)
        assert abs(effect - (-0.05)) <= Z * se, (outcome, effect)
    assert cohorts.meta["true_effect_pp"]["3"] == {"dropout_total": -5.0, "dropout_noswitch": -5.0}
    assert cohorts.meta["true_effect_pp"]["12"]["dropout_total"] < -5.0
    untreated = cells[cells["treated"] == 0]
    assert np.allclose(untreated["p3_dropout_total"], untreated["p3_dropout_total_cf"])


def test_output_is_a_valid_labelled_extract(tmp_path, project_root_env, capsys, real_campuses):
    out = tmp_path / "students_synthetic_seed5_effect-5.csv"
    code, io = run(["--seed", 5, "--effect", -5, "--out", out, "--scale", 0.2], capsys)
    assert code == 0 and "SYNTHETIC" in io.out
    assert not out.read_text(encoding="utf-8").startswith("#")
    frame = read_extract(out, real_campuses)
    assert frame.attrs["synthetic"]["label"] == "SYNTHETIC"
    assert frame.attrs["synthetic"]["seed"] == 5
    assert frame["student_id"].str.fullmatch(r"S\d{6}").all()
    meta = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["effect_pp"] == -5.0 and meta["generator_version"] == "1"


@pytest.mark.parametrize(("args", "needle"), [
    (["--seed", 1, "--effect", -5, "--out", "students.csv"], "synthetic"),
    (["--seed", 1, "--effect", -60, "--out", "x_synthetic.csv"], "does not fit"),
    (["--seed", 1, "--effect", -5, "--out", "x_synthetic.txt"], ".csv"),
    (["--seed", 1, "--effect", -5, "--out", "x_synthetic.csv", "--campuses", "nope.csv"], "not found"),
    (["--seed", 1, "--effect", -5, "--out", "x_synthetic.csv", "--scale", 0], "scale"),
])
def test_user_errors_exit_2_without_traceback(tmp_path, monkeypatch, project_root_env, capsys, args, needle):
    monkeypatch.chdir(tmp_path)
    code, io = run(args, capsys)
    assert code == 2
    assert needle in io.err and "Traceback" not in io.err
    assert not any(tmp_path.iterdir())


def test_shipped_draw_is_reproducible(tmp_path, project_root_env, capsys):
    """The shipped file is exactly what its recorded command writes with the shipped campus table."""
    meta = json.loads(SHIPPED.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["label"] == "SYNTHETIC" and meta["seed"] == 20250401 and meta["effect_pp"] == -5.0
    out = tmp_path / SHIPPED.name
    assert run(["--seed", meta["seed"], "--effect", meta["effect_pp"], "--out", out], capsys)[0] == 0
    assert out.read_bytes() == SHIPPED.read_bytes()
    assert out.with_suffix(".json").read_bytes() == SHIPPED.with_suffix(".json").read_bytes()
