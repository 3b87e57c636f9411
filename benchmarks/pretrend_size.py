"""Size of the event-study pre-trend tests on data with parallel trends by construction.

Each replication draws a synthetic extract with ``students.synth.generate(seed + r, effect=0)``
(shipped campus table and Table 1: 6 SSA campuses, 4 of them pilots; the generator has
campus and intake effects but no campus-specific trend, so the pre-period event-study
coefficients are zero in truth), counts it at 3 months and runs
``sosu_analysis.did.event_study`` with the report's window (-4, 3). Each joint test of the
pre-period coefficients rejects when ``p <= alpha``; over the replications that share is
the test's size, which should be close to ``alpha``. Methods:

- ``crv1``, ``cr2``: Wald ``F`` on ``F(q, G - 1)`` with the CRV1 / CR2 covariance and no
  small-sample correction (what the report used before issue 9);
- ``cr2_htz``: the HTZ test of Pustejovsky & Tipton (2018) (``sosu_analysis.did.htz``);
- ``randomization``: the randomization p-value of the CRV1 Wald statistic over the
  assignments of start dates to campuses (exact by construction, but with 15 assignments
  its smallest p-value is 1/15, so it can never reject at 5 %).

Usage::

    .venv/bin/python benchmarks/pretrend_size.py --reps 200 --seed 20260100
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from sosu_analysis.pipeline.kernel import BLAS_THREAD_VARIABLES  # the one list; imports only os

for _v in BLAS_THREAD_VARIABLES:
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sosu_analysis.did import InferenceOptions, as_cells  # noqa: E402
from sosu_analysis.did.event_study import event_study  # noqa: E402
from sosu_analysis.readers.published import clean_published  # noqa: E402
from sosu_analysis.students import cell_table, generate, read_campuses  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import CAMPUSES_CSV, PUBLISHED_CSV, RESULTS, machine_info, machine_markdown, markdown_table, rel  # noqa: E402

WINDOW = (-4, 3)
OUTCOMES = ("incl_switch", "excl_switch")


def run(reps: int, seed: int, alpha: float = 0.05, verbose: bool = True) -> pd.DataFrame:
    """One row per replication × outcome × method with the pre-trend p-value."""
    campuses = read_campuses(CAMPUSES_CSV)
    table1 = clean_published(PUBLISHED_CSV)
    options = InferenceOptions(alpha=alpha, seed=seed)
    rows = []
    t0 = time.perf_counter()
    for r in range(reps):
        syn = generate(seed + r, 0.0, campuses=campuses, table1=table1)
        cells = as_cells(cell_table(syn.students, campuses, 3))
        for outcome in OUTCOMES:
            res = event_study(cells, outcome, window=WINDOW, options=options)
            for method, test in res.pretrend.items():
                rows.append({"rep": r, "outcome_definition": outcome, "method": method,
                             "p_value": test.get("p_value"), "df_denom": test.get("df_denom")})
        if verbose and (r + 1) % 20 == 0:
            print(f"{r + 1}/{reps} replications, {time.perf_counter() - t0:.0f} s", flush=True)
    return pd.DataFrame(rows)


def summarise(raw: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Rejection rate (size) per outcome and method, with its binomial Monte Carlo SE."""
    def one(g: pd.DataFrame) -> pd.Series:
        p = g["p_value"].to_numpy(float)
        ok = np.isfinite(p)
        rate = float(np.mean(p[ok] <= alpha)) if ok.any() else np.nan
        n = int(ok.sum())
        return pd.Series({"size": rate, "mc_se": np.sqrt(rate * (1 - rate) / n) if n else np.nan,
                          "mean_df_denom": float(np.nanmean(g["df_denom"].to_numpy(float))),
                          "n_defined": n, "n_reps": len(g)})
    return raw.groupby(["outcome_definition", "method"], sort=False).apply(one, include_groups=False).reset_index()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--seed", type=int, default=20260100)
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--out", type=Path, default=RESULTS / "pretrend_size.csv")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    raw = run(args.reps, args.seed, args.alpha)
    seconds = time.perf_counter() - t0
    summary = summarise(raw, args.alpha)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    summary.to_csv(args.out, index=False, float_format="%.6g")
    command = ".venv/bin/python benchmarks/pretrend_size.py " + " ".join(sys.argv[1:] if argv is None else argv)
    md = [
        "# Size of the pre-trend tests (SYNTHETIC data, no effect, parallel trends by construction)",
        "",
        f"Command: `{command.strip()}`  ",
        f"Run time: {seconds:.0f} s; window {WINDOW}; alpha {args.alpha:g}",
        "",
        "`size` is the share of replications whose pre-trend test rejects at alpha (should be close to "
        "alpha); `mc_se` its Monte Carlo standard error; `n_defined` the replications where the test is "
        "defined. See the script's docstring for the methods.",
        "",
        markdown_table(summary, {"size": 3, "mc_se": 3, "mean_df_denom": 2}),
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
