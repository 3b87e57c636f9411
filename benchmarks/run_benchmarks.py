"""Wall time and peak memory of the main steps of the analysis (``make bench``).

Steps (each on the shipped synthetic extract, ``scale 1``, and on a 10x larger
synthetic extract, ``scale 10``, drawn with ``students.synth.generate(seed=20250401,
effect_pp=-5, scale=10)`` into a temporary directory):

==================  ===========================================================
generate_extract    ``generate`` + ``write_synthetic`` (10x only; the 1x file is shipped)
read_extract        ``students.read_extract`` with the campus table (reads and validates)
cell_table          ``students.cell_table`` at 3 months
did_table           ``did.did_table``: both outcome definitions, estimators lpm,
                    logit_ame, triple_diff, inference crv1, cr2, wild_webb,
                    wild_rademacher, randomization, plus the placebo rows
event_study         ``did.event_study_table`` (both definitions, with randomization)
power_table         ``did.power_table`` of the design read off the cells (analytic
                    + 200 simulated data sets per method, seed 0)
==================  ===========================================================

plus ``read_published`` (``published.clean_published``) and ``run_all``
(``models.api.run_all`` on the cleaned published table).

Measurement: every step runs in a fresh Python process (``--worker``), which
first prepares the step's input (untimed), then runs the step ``repeats`` times
for the wall time (``perf_counter``; min and median reported), then once more
under ``tracemalloc`` for the peak of Python/numpy allocations during the step
(``tracemalloc_peak_mb``). ``maxrss_before_mb`` / ``maxrss_after_mb`` are the
process's ``ru_maxrss`` high-water mark after the input is prepared and after
the step (they include the interpreter and imports; the step's own resident
peak is visible only when it exceeds the earlier high-water mark).
The whole plan runs once per BLAS setting of ``--blas-threads`` (default:
the environment unchanged, then ``OPENBLAS/OMP/MKL_NUM_THREADS=1``); the
matrices are small, and a multi-threaded OpenBLAS can be much slower on a
loaded machine.
No assertions: this is a measurement, not a test.

Usage::

    .venv/bin/python benchmarks/run_benchmarks.py [--repeats 3] [--out benchmarks/results/benchmarks.csv]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import pandas as pd

from sosu_analysis.pipeline.kernel import BLAS_THREAD_VARIABLES

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    CAMPUSES_CSV,
    PUBLISHED_CSV,
    RESULTS,
    SHIPPED_EXTRACT,
    machine_info,
    machine_markdown,
    markdown_table,
    rel,
)

SEED = 20250401
EFFECT_PP = -5.0
BIG_SCALE = 10
ALL_INFERENCE = ("crv1", "cr2", "wild_webb", "wild_rademacher", "randomization")
#: (step, scale, repeats override) in run order
PLAN = [
    ("read_published", 1, None),
    ("run_all", 1, None),
    ("read_extract", 1, None),
    ("cell_table", 1, None),
    ("did_table", 1, None),
    ("event_study", 1, None),
    ("power_table", 1, None),
    ("generate_extract", BIG_SCALE, 1),
    ("read_extract", BIG_SCALE, None),
    ("cell_table", BIG_SCALE, None),
    ("did_table", BIG_SCALE, None),
    ("event_study", BIG_SCALE, None),
    ("power_table", BIG_SCALE, None),
]
DESCRIPTION = {
    "read_published": "clean_published(published Table 1 CSV)",
    "run_all": "models.api.run_all(cleaned Table 1)",
    "generate_extract": f"generate(seed={SEED}, effect_pp={EFFECT_PP:g}, scale={BIG_SCALE}) + write_synthetic",
    "read_extract": "read_extract(extract, campuses): read + validate",
    "cell_table": "cell_table(extract, campuses, 3)",
    "did_table": "did_table: 2 definitions x (lpm, logit_ame, triple_diff, placebo) x 5 inference methods",
    "event_study": "event_study_table(cells): 2 definitions, with randomization",
    "power_table": "power_table(cells): analytic + 200 simulated data sets x (crv1, cr2, randomization)",
}


def _mb(kib: int) -> float:
    return kib / 1024  # ru_maxrss is in KiB on Linux


def _prepare(step: str, extract: Path):
    """Input of a step (untimed); returns a zero-argument callable that runs the step."""
    from sosu_analysis.did import did_table, event_study_table, power_table
    from sosu_analysis.models.api import run_all
    from sosu_analysis.readers.published import clean_published
    from sosu_analysis.students import cell_table, generate, read_campuses, read_extract, write_synthetic

    campuses = read_campuses(CAMPUSES_CSV)
    if step == "read_published":
        return lambda: clean_published(PUBLISHED_CSV)
    if step == "run_all":
        table1 = clean_published(PUBLISHED_CSV)
        return lambda: run_all(table1)
    if step == "generate_extract":
        table1 = clean_published(PUBLISHED_CSV)

        def gen():
            syn = generate(SEED, EFFECT_PP, campuses=campuses, table1=table1, scale=BIG_SCALE)
            write_synthetic(extract, syn, inputs={"campuses": CAMPUSES_CSV, "published_table": PUBLISHED_CSV})
            return syn
        return gen
    if step == "read_extract":
        return lambda: read_extract(extract, campuses)
    ext = read_extract(extract, campuses)
    if step == "cell_table":
        return lambda: cell_table(ext, campuses, 3)
    cells = cell_table(ext, campuses, 3)
    if step == "did_table":
        return lambda: did_table(cells, inference=ALL_INFERENCE, include_placebo=True)
    if step == "event_study":
        return lambda: event_study_table(cells)
    if step == "power_table":
        return lambda: power_table(cells)
    raise ValueError(f"unknown step {step!r}")


def worker(step: str, extract: Path, repeats: int) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fn = _prepare(step, extract)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        fn()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {"seconds_min": min(times), "seconds_median": statistics.median(times), "repeats": repeats,
            "tracemalloc_peak_mb": peak / 1024**2, "maxrss_before_mb": _mb(before), "maxrss_after_mb": _mb(after)}


def _n_rows(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for _ in fh) - 1


BLAS_VARS = BLAS_THREAD_VARIABLES


def _env(blas_threads: str) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    if blas_threads != "default":
        env.update({v: blas_threads for v in BLAS_VARS})
    return env


def orchestrate(repeats: int, blas_configs=("default", "1")) -> pd.DataFrame:
    rows = []
    with tempfile.TemporaryDirectory(prefix="sosu_bench_") as tmp:
        big = Path(tmp) / f"students_synthetic_seed{SEED}_effect{EFFECT_PP:g}_scale{BIG_SCALE}.csv"
        plan = [(b, *p) for b in blas_configs for p in PLAN]
        for blas, step, scale, rep in plan:
            env = _env(blas)
            extract = SHIPPED_EXTRACT if scale == 1 else big
            reps = rep or repeats
            cmd = [sys.executable, __file__, "--worker", step, "--extract", str(extract), "--repeats", str(reps)]
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
            if proc.returncode != 0:
                sys.stderr.write(proc.stderr)
                raise SystemExit(f"step {step} (scale {scale}) failed")
            res = json.loads(proc.stdout.strip().splitlines()[-1])
            uses_extract = step not in ("read_published", "run_all")
            row = {"blas_threads": blas if blas != "default" else
                   "default (" + "/".join(os.environ.get(v, "unset") for v in BLAS_VARS) + ")",
                   "step": step, "scale": scale,
                   "n_students": _n_rows(extract) if uses_extract and extract.exists() else None,
                   **res, "process_seconds": time.perf_counter() - t0, "what": DESCRIPTION[step]}
            rows.append(row)
            print(f"blas={blas:8s} {step:18s} x{scale:<3d} {res['seconds_median']:8.3f} s  tracemalloc {res['tracemalloc_peak_mb']:8.1f} MB"
                  f"  maxrss {res['maxrss_after_mb']:7.1f} MB", flush=True)
    return pd.DataFrame(rows)


def write_markdown(df: pd.DataFrame, path: Path, command: str, seconds: float, info: dict) -> None:
    show = ["blas_threads", "step", "scale", "n_students", "seconds_median", "seconds_min", "repeats", "tracemalloc_peak_mb",
            "maxrss_before_mb", "maxrss_after_mb"]
    digits = {"seconds_median": 3, "seconds_min": 3, "tracemalloc_peak_mb": 1, "maxrss_before_mb": 1,
              "maxrss_after_mb": 1}
    shown = df[show].astype({"n_students": "Int64"})
    steps = "\n".join(f"- `{k}`: {v}" for k, v in DESCRIPTION.items())
    text = "\n".join([
        "# Benchmarks (SYNTHETIC data)",
        "",
        f"Command: `{command}`  ",
        f"Total run time: {seconds:.0f} s (every step in a fresh process; timing runs, then one tracemalloc run)",
        "",
        markdown_table(shown, digits),
        "",
        "Steps:",
        "",
        steps,
        "",
        "`tracemalloc_peak_mb`: peak of traced Python/numpy allocations during one run of the step. "
        "`maxrss_*_mb`: the process's resident high-water mark (`getrusage` `ru_maxrss`) after preparing the "
        "input and after the timed runs; includes the interpreter and imports.",
        "",
        "## Machine",
        "",
        machine_markdown(info),
        "",
    ])
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per step (default 3)")
    ap.add_argument("--out", type=Path, default=RESULTS / "benchmarks.csv",
                    help="CSV output; the markdown goes beside it with suffix .md")
    ap.add_argument("--blas-threads", nargs="+", default=["default", "1"],
                    help="BLAS thread settings to run, each a number or 'default' (environment unchanged); "
                         "default: both 'default' and 1")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--extract", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.extract, args.repeats)))
        return 0
    t0 = time.perf_counter()
    df = orchestrate(args.repeats, tuple(args.blas_threads))
    seconds = time.perf_counter() - t0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(args.out, index=False)
    info = machine_info()
    info["BLAS threads in the environment (OPENBLAS/OMP/MKL_NUM_THREADS)"] = "/".join(
        os.environ.get(v, "unset") for v in BLAS_VARS)
    command = ".venv/bin/python benchmarks/run_benchmarks.py " + " ".join(sys.argv[1:] if argv is None else argv)
    md = args.out.with_suffix(".md")
    write_markdown(df, md, command.strip(), seconds, info)
    print(f"wrote {rel(args.out)} and {rel(md)} ({seconds:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
