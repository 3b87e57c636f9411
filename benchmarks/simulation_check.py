"""Monte Carlo check of the main campus DiD on data from the project's own synthetic generator.

For each replication ``r`` a synthetic student extract is drawn with
``sosu_analysis.students.synth.generate(seed + r, effect, campuses=<shipped
campus table>, table1=<cleaned published Table 1>)``, turned into the cell table
at 3 months (``students.cell_table``) and the main DiD is estimated with the
package: SSA students, linear probability model with campus and intake fixed
effects (``estimator="lpm"``), both outcome definitions, every inference
method of ``sosu_analysis.did.DEFAULT_INFERENCE`` (crv1, cr2, wild_webb,
randomization), plus the logit ATT on the probability scale with CRV1
(``estimator="logit_ame"``). The scoring (bias, coverage, rejection rate, CI
width) is :func:`sosu_analysis.did.simcheck.simulation_check`; this script only
draws the data sets and writes the tables.

True effect
    ``generate`` shifts the 3-month probability of dropout *without* switch of
    SSA intakes at pilot campuses from their ``pilot_start`` by ``effect``
    percentage points and leaves the switch probability alone, so the true
    3-month ATT is ``effect`` under both definitions. The script does not
    assume this: it reads ``meta["true_effect_pp"]["3"]`` (the student-weighted
    mean over treated cells of the true probability with minus without the
    effect) for every replication, checks that it is the same in all of them,
    and scores against it.

Data set ``r`` is the same for every estimator and outcome (the data-generating
function handed to ``simulation_check`` ignores the Generator it is given and
returns the pre-drawn data set ``r``). Inference draws use
``InferenceOptions(seed=seed)``; with 6 SSA campuses the wild bootstrap
enumerates all 6**6 = 46,656 Webb patterns and randomization inference all
binom(6, 4) = 15 assignments, so no inference result is random.

Usage::

    .venv/bin/python benchmarks/simulation_check.py --reps 200 --seed 20250500 --effect -5 0

BLAS runs single-threaded by default (``--blas-threads``), see below.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from sosu_analysis.pipeline.kernel import BLAS_THREAD_VARIABLES

#: BLAS threads (set before numpy loads). The matrices are tiny (6 clusters, ~100 cells): a
#: multi-threaded OpenBLAS only adds overhead, and on a loaded 2-core machine it made the loop
#: about 5x slower. ``--blas-threads`` (default 1) is read from argv here, before the import.
_BLAS_VARS = BLAS_THREAD_VARIABLES


def _blas_threads_from_argv(argv: list[str]) -> str:
    for i, a in enumerate(argv):
        if a == "--blas-threads" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--blas-threads="):
            return a.split("=", 1)[1]
    return "1"


if __name__ == "__main__":
    _threads = _blas_threads_from_argv(sys.argv[1:])
    if _threads != "default":
        for _v in _BLAS_VARS:
            os.environ[_v] = _threads

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sosu_analysis.did import DEFAULT_INFERENCE, InferenceOptions, as_cells
from sosu_analysis.did.data import STUDENT_OUTCOME  # noqa: E402
from sosu_analysis.did.simcheck import simulation_check
from sosu_analysis.readers.published import clean_published
from sosu_analysis.students import cell_table, generate, read_campuses

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import CAMPUSES_CSV, PUBLISHED_CSV, RESULTS, machine_info, machine_markdown, markdown_table, rel  # noqa: E402

HORIZON = 3
OUTCOMES = ("incl_switch", "excl_switch")
#: the generator's name of each outcome definition in ``meta["true_effect_pp"]``
TRUTH_KEY = STUDENT_OUTCOME
CI_METHOD = {
    "crv1": "Wald, CRV1 SE, t(G-1)",
    "cr2": "Wald, CR2 (Bell-McCaffrey) SE, Satterthwaite t",
    "wild_webb": "WCR bootstrap, all 46,656 Webb patterns, CI by test inversion",
    "randomization": "exact RI over 15 assignments (t statistic), CI by test inversion",
}


def draw_datasets(reps: int, seed: int, effect_pp: float, campuses, table1) -> tuple[list, pd.DataFrame]:
    """Cells (3 months) and the generator's recorded true effect of replications ``0..reps-1``."""
    data, truth = [], []
    for r in range(reps):
        syn = generate(seed + r, effect_pp, campuses=campuses, table1=table1)
        data.append(as_cells(cell_table(syn.students, campuses, HORIZON)))
        te = syn.meta["true_effect_pp"][str(HORIZON)]
        truth.append({"rep": r, "generator_seed": seed + r, **{o: te[TRUTH_KEY[o]] for o in OUTCOMES}})
    return data, pd.DataFrame(truth)


def run(reps: int = 200, seed: int = 20250500, effects=(-5.0,), logit: bool = True,
        wild_max_enumerate: int = 100_000, wild_draws: int = 9_999, verbose: bool = True) -> pd.DataFrame:
    """One row per effect × outcome × estimator × inference method."""
    campuses = read_campuses(CAMPUSES_CSV)
    table1 = clean_published(PUBLISHED_CSV)
    options = InferenceOptions(alpha=0.05, seed=seed, wild_max_enumerate=wild_max_enumerate, wild_draws=wild_draws)
    jobs = [("lpm", tuple(DEFAULT_INFERENCE))] + ([("logit_ame", ("crv1",))] if logit else [])
    rows = []
    for effect in effects:
        t0 = time.perf_counter()
        data, truth = draw_datasets(reps, seed, float(effect), campuses, table1)
        t_draw = time.perf_counter() - t0
        if verbose:
            print(f"effect {effect:g} pp: drew {reps} data sets in {t_draw:.1f} s", flush=True)
        for outcome in OUTCOMES:
            values = truth[outcome].to_numpy(float)
            if np.ptp(values) > 1e-9:
                raise RuntimeError(f"the generator's true 3-month effect ({outcome}) varies across replications "
                                   f"({values.min():g} to {values.max():g} pp); simulation_check needs one truth")
            true_pp = float(values[0])
            for estimator, inference in jobs:
                it = iter(data)
                t1 = time.perf_counter()
                out = simulation_check(lambda _rng: next(it), true_effect=true_pp / 100, n_reps=reps,  # noqa: B023
                                       estimator=estimator, outcome=outcome, inference=inference,
                                       options=options, seed=seed)
                secs = time.perf_counter() - t1
                if verbose:
                    print(f"  {outcome:12s} {estimator:10s} {secs:7.1f} s", flush=True)
                # Monte Carlo SE of the bias: SD of the estimates / sqrt(reps); rmse^2 = var + bias^2
                sd = np.sqrt(np.maximum(out["rmse_pp"] ** 2 - out["bias_pp"] ** 2, 0.0))
                out = out.assign(
                    effect_pp=float(effect), outcome_definition=outcome, horizon_months=HORIZON,
                    mean_att_pp=out["true_effect_pp"] + out["bias_pp"], sd_att_pp=sd,
                    mc_se_bias_pp=sd / np.sqrt(out["n_reps"].clip(lower=1)),
                    ci_method=[CI_METHOD[m] if estimator == "lpm" else "delta method, CRV1 SE, t(G-1)"
                               for m in out["inference"]],
                    seconds_estimation=secs, seconds_data=t_draw,
                    generator_seeds=f"{seed}..{seed + reps - 1}",
                )
                rows.append(out)
    cols = ["effect_pp", "outcome_definition", "horizon_months", "estimator", "inference", "true_effect_pp",
            "mean_att_pp", "bias_pp", "mc_se_bias_pp", "sd_att_pp", "rmse_pp", "coverage", "mc_se_coverage",
            "rejection_rate", "mean_ci_width_pp", "n_reps", "n_failed", "ci_method", "generator_seeds",
            "seconds_data", "seconds_estimation"]
    return pd.concat(rows, ignore_index=True)[cols]


def write_markdown(res: pd.DataFrame, path: Path, command: str, seconds: float, info: dict) -> None:
    show = ["outcome_definition", "estimator", "inference", "true_effect_pp", "bias_pp", "mc_se_bias_pp",
            "rmse_pp", "coverage", "mc_se_coverage", "rejection_rate", "mean_ci_width_pp", "n_reps", "n_failed"]
    digits = {"true_effect_pp": 1, "bias_pp": 2, "mc_se_bias_pp": 2, "rmse_pp": 2, "coverage": 3,
              "mc_se_coverage": 3, "rejection_rate": 3, "mean_ci_width_pp": 2}
    parts = [
        "# Simulation check of the campus DiD (SYNTHETIC data)",
        "",
        f"Command: `{command}`  ",
        f"Total run time: {seconds:.0f} s",
        "",
        "Each replication draws a synthetic extract with `students.synth.generate(seed + r, effect)` "
        "(shipped campus table and Table 1), counts it at 3 months (`students.cell_table`) and estimates "
        "the SSA DiD (campus + intake fixed effects) with `sosu_analysis.did.simcheck.simulation_check`. "
        "`true_effect_pp` is the generator's recorded 3-month ATT (`meta['true_effect_pp']['3']`). "
        "`coverage` = share of 95 % intervals containing the true effect; `rejection_rate` = share with "
        "p <= 0.05 for H0: ATT = 0 (power when the effect is non-zero, size when it is 0). "
        "Randomization intervals are (-inf, inf) whenever the smallest attainable p-value (1/15) exceeds 0.05.",
    ]
    for effect, grp in res.groupby("effect_pp", sort=False):
        parts += ["", f"## True effect {effect:g} pp", "", markdown_table(grp[show], digits)]
    parts += ["", "## Machine", "", machine_markdown(info),
              "- BLAS threads (OPENBLAS/OMP/MKL_NUM_THREADS): "
              + "/".join(os.environ.get(v, "unset") for v in _BLAS_VARS), ""]
    path.write_text("\n".join(parts), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=200, help="replications (data sets) per effect (default 200)")
    ap.add_argument("--seed", type=int, default=20250500, help="data set r uses generator seed SEED + r")
    ap.add_argument("--effect", type=float, nargs="+", default=[-5.0],
                    help="true effect(s) in percentage points (default -5); e.g. --effect -5 0")
    ap.add_argument("--out", type=Path, default=RESULTS / "simulation_check.csv",
                    help="CSV output; the markdown goes beside it with suffix .md")
    ap.add_argument("--no-logit", action="store_true", help="skip the logit ATT (CRV1)")
    ap.add_argument("--wild-max-enumerate", type=int, default=100_000,
                    help="enumerate all Webb patterns when 6**G is at most this (default 100000: 6**6 = 46656 is)")
    ap.add_argument("--wild-draws", type=int, default=9_999, help="random Webb patterns otherwise")
    ap.add_argument("--blas-threads", default="1",
                    help="OpenBLAS/OpenMP/MKL threads, set before numpy loads when run as a script "
                         "(default 1; 'default' leaves the environment alone)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    if args.reps < 1:
        ap.error("--reps must be at least 1")
    t0 = time.perf_counter()
    res = run(args.reps, args.seed, args.effect, not args.no_logit, args.wild_max_enumerate, args.wild_draws,
              verbose=not args.quiet)
    seconds = time.perf_counter() - t0
    res["seconds_total"] = seconds
    args.out.parent.mkdir(parents=True, exist_ok=True)
    res.to_csv(args.out, index=False)
    command = ".venv/bin/python benchmarks/simulation_check.py " + " ".join(sys.argv[1:] if argv is None else argv)
    md = args.out.with_suffix(".md")
    write_markdown(res, md, command.strip(), seconds, machine_info())
    if not args.quiet:
        print(f"wrote {rel(args.out)} and {rel(md)} ({seconds:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
