"""Coverage and width of the national synthetic DiD beside the in-school CR2 comparison (SYNTHETIC data).

Each replication draws one SYNTHETIC national SSA campus x intake-year panel with
``sosu_analysis.did.simulate_panel.simulate_campus_panel`` (the calibrated ``national_design``:
4 SOSU H pilot campuses, 2 other SOSU H campuses, 40 SSA campuses of other schools; 8 pre-years
2017-2024 and the pilot year 2025; school, campus, year, school-by-year and campus-by-year
shocks, binomial counts) and scores on the same draw

- the **in-school comparison**: SOSU H's 4 pilot vs 2 other campuses, student-weighted TWFE DiD
  with the CR2 interval (``did.estimate.estimate_cells``, ``lpm``, ``cr2``);
- the **national design**: the 4 pilot campuses vs the 42 donor campuses (other schools' and
  SOSU H's other campuses), synthetic DiD and plain DiD with the placebo standard error
  (``did.sdid``, Algorithm 4 of Arkhangelsky et al. 2021), normal interval.

at true effects 0 and -5 pp: coverage, interval width, size (rejection rate at 0) and power
(rejection rate at -5 pp). All logic is ``sosu_analysis.did.simulate_panel.design_coverage``; this
script only chooses the scenarios and writes the tables.

Scenarios: ``main`` as above; ``no_school_year_shock`` without the school-by-year shocks (which
cancel in the in-school comparison but not against other schools' campuses); ``two_post_years``
with the 2025 and 2026 intakes treated (pre-years 2018-2024). Every scenario uses the same seeds
(common random numbers).

Usage::

    .venv/bin/python benchmarks/sdid_coverage.py --reps 200 --placebo-reps 50 --seed 20261206
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

from sosu_analysis.pipeline.kernel import BLAS_THREAD_VARIABLES  # the one list; imports only os

for _v in BLAS_THREAD_VARIABLES:
    os.environ.setdefault(_v, "1")

import pandas as pd  # noqa: E402

from sosu_analysis.did.simulate_panel import design_coverage, national_design  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine_info, machine_markdown, markdown_table, rel  # noqa: E402

#: scenario name -> keyword arguments of national_design
SCENARIOS: dict[str, dict] = {
    "main": {},
    "no_school_year_shock": {"school_year_sd": 0.0},
    "two_post_years": {"n_pre": 7, "n_post": 2, "first_year": 2018},
}


def run(scenarios: list[str], effects: list[float], reps: int, placebo_reps: int, seed: int,
        estimators: tuple[str, ...]) -> pd.DataFrame:
    out = []
    for name in scenarios:
        design = national_design(**SCENARIOS[name])
        for k, eff in enumerate(effects):
            t0 = time.perf_counter()
            res = design_coverage(design, eff / 100, n_reps=reps, placebo_reps=placebo_reps,
                                  estimators=estimators, seed=seed + 1000 * k)  # type: ignore[arg-type]
            secs = time.perf_counter() - t0
            res.insert(0, "scenario", name)
            res["placebo_reps"] = placebo_reps
            res["seed"] = seed + 1000 * k
            res["school_year_sd_pp"] = 100 * design.school_year_sd
            res["n_pre"], res["n_post"] = design.n_pre, design.n_post
            res["seconds"] = secs
            out.append(res)
            print(f"{name}, effect {eff:g} pp: {secs:.0f} s", flush=True)
    return pd.concat(out, ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--placebo-reps", type=int, default=50)
    ap.add_argument("--seed", type=int, default=20261206)
    ap.add_argument("--effects", type=float, nargs="+", default=[0.0, -5.0], help="true effects in pp")
    ap.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=list(SCENARIOS))
    ap.add_argument("--estimators", nargs="+", default=["sdid", "did"], choices=["sdid", "sc", "did"])
    ap.add_argument("--out", type=Path, default=RESULTS / "sdid_coverage.csv")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    table = run(args.scenarios, args.effects, args.reps, args.placebo_reps, args.seed, tuple(args.estimators))
    seconds = time.perf_counter() - t0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False, float_format="%.6g")
    command = ".venv/bin/python benchmarks/sdid_coverage.py " + " ".join(sys.argv[1:] if argv is None else argv)
    show = table[["scenario", "design", "method", "true_effect_pp", "coverage", "mc_se_coverage", "rejection_rate",
                  "mean_ci_width_pp", "mean_se_pp", "mde80_pp", "bias_pp", "rmse_pp", "n_comparison_units",
                  "n_reps"]]
    md = [
        "# Synthetic DiD: coverage and width (SYNTHETIC data)",
        "",
        f"Date: {dt.date.today().isoformat()}  ",
        f"Command: `{command.strip()}`  ",
        f"Run time: {seconds:.0f} s; {args.reps} panels per scenario and effect, {args.placebo_reps} placebo "
        "replications per national standard error; alpha 0.05.",
        "",
        "`rejection_rate` is the size at a true effect of 0 and the power at -5 pp; widths, SEs and the "
        "80 %-power detectable effect (`mde80_pp`) in percentage points. See the script's docstring.",
        "",
        markdown_table(show, {"coverage": 3, "mc_se_coverage": 3, "rejection_rate": 3, "mean_ci_width_pp": 1,
                              "mean_se_pp": 2, "mde80_pp": 1, "bias_pp": 2, "rmse_pp": 2, "true_effect_pp": 0}),
        "",
        "## Machine",
        "",
        machine_markdown(machine_info()),
        "",
    ]
    args.out.with_suffix(".md").write_text("\n".join(md), encoding="utf-8")
    print(f"wrote {rel(args.out)} and {rel(args.out.with_suffix('.md'))} ({seconds:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
