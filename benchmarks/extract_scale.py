"""Reading and validating a student extract at real scale: 1 M and 10 M students (issue 11).

For each size ``n`` the script writes a SYNTHETIC extract of ``n`` rows (the shipped
synthetic extract repeated, every row given a new pseudonym ``S00000001``...; the
rows are synthetic, and the tiling keeps every campus, intake and exit pattern of
the generator) into a temporary folder, then measures in a fresh Python process per
step, side by side on the same file:

==================  ==============================================================
plain_read_csv      ``pandas.read_csv(path)``: the baseline of the issue (no checks)
read_extract        ``students.read_extract(path, campuses)``: every check and message
check_students      what ``sosu-analysis run`` does once before the notebooks:
                    ``precheck.check_students`` (read_extract + the cell tables at
                    3, 6, 12 months + the design checks)
read_handoff        ``pipeline.study.load_study`` of the run's hand-off (the
                    study data the precheck built), what each notebook reads
                    instead of re-validating the CSV (``read_cache`` in results
                    measured before issue 17: a Parquet cache named by an
                    environment variable)
==================  ==============================================================

Each worker first reads the shipped 10 k extract both ways (untimed warm-up: imports and
first-call set-up). Wall time (``perf_counter``, the minimum of ``--repeats`` runs) and the process's
peak resident memory (``ru_maxrss``, including the interpreter and imports) are
written to ``benchmarks/results/extract_scale.{csv,md}``. No assertions.

Usage::

    .venv/bin/python benchmarks/extract_scale.py [--sizes 1000000 10000000] [--repeats 2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import CAMPUSES_CSV, RESULTS, SHIPPED_EXTRACT, machine_info, machine_markdown, markdown_table  # noqa: E402

STEPS = ("plain_read_csv", "read_extract", "check_students", "read_handoff")


def write_tiled(n: int, path: Path) -> None:
    """Write ``n`` synthetic rows: the shipped extract repeated, each row with a new pseudonym."""
    base = pacsv.read_csv(SHIPPED_EXTRACT, convert_options=pacsv.ConvertOptions(
        column_types={c: pa.string() for c in ("student_id", "programme", "campus", "start_date", "exit_date",
                                               "exit_type")}, strings_can_be_null=False))
    reps = -(-n // base.num_rows)
    idx = pa.array(np.tile(np.arange(base.num_rows), reps)[:n])
    table = base.take(idx)
    ids = pa.array(np.char.add("S", np.char.zfill(np.arange(1, n + 1).astype(str), 8)))
    table = table.set_column(0, "student_id", ids)
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="none"))


def _worker(step: str, path: Path, cache: Path) -> dict:
    from sosu_analysis.pipeline.precheck import check_students
    from sosu_analysis.pipeline.study import HANDOFF_NAME, load_study, write_handoff
    from sosu_analysis.students import read_campuses, read_extract

    camp = read_campuses(CAMPUSES_CSV)
    # warm-up on the shipped 10 k extract (untimed): imports and first-call set-up of both readers
    pd.read_csv(SHIPPED_EXTRACT)
    read_extract(SHIPPED_EXTRACT, camp)
    t = time.perf_counter()
    if step == "plain_read_csv":
        frame = pd.read_csv(path)
    elif step == "read_extract":
        frame = read_extract(path, camp)
    elif step == "check_students":
        found = check_students(str(path), str(CAMPUSES_CSV), [3, 6, 12], "", ["04_pilot_vs_nonpilot", "05_power"],
                               0.05, Path(__file__).resolve().parents[1], "benchmark")
        frame = found.extract
        seconds = time.perf_counter() - t
        cache.parent.mkdir(parents=True, exist_ok=True)
        write_handoff(found.study, cache.parent)  # for read_handoff (untimed)
        return {"seconds": seconds, "rows": len(frame), "maxrss_mb": _maxrss_mb()}
    else:
        frame = load_study(str(path), str(CAMPUSES_CSV), "", str(cache.parent / HANDOFF_NAME)).extract
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "rows": len(frame), "maxrss_mb": _maxrss_mb()}


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--out", type=Path, default=RESULTS / "extract_scale.csv")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(_worker(args.worker, args.file, args.cache)))
        return 0
    records = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sosu-bench-") as tmp:
        for n in args.sizes:
            path = Path(tmp) / f"students_synthetic_tiled_{n}.csv"
            cache = Path(tmp) / f"handoff_{n}" / "study"
            write_tiled(n, path)
            size_mb = path.stat().st_size / 2**20
            for step in STEPS:
                runs = []
                for _ in range(1 if n > 2_000_000 else args.repeats):
                    res = subprocess.run([sys.executable, __file__, "--worker", step, "--file", str(path),
                                          "--cache", str(cache)], capture_output=True, text=True, check=False,
                                         env={**os.environ, "OMP_NUM_THREADS": "1"})
                    if res.returncode != 0:
                        raise RuntimeError(f"{step} at {n} students failed:\n{res.stderr[-2000:]}")
                    runs.append(json.loads(res.stdout.strip().splitlines()[-1]))
                best = min(runs, key=lambda r: r["seconds"])
                records.append({"n_students": n, "file_mb": round(size_mb, 1), "step": step,
                                "seconds_min": round(best["seconds"], 3),
                                "maxrss_mb": round(max(r["maxrss_mb"] for r in runs), 0), "runs": len(runs)})
                print(records[-1], file=sys.stderr, flush=True)
    df = pd.DataFrame.from_records(records)
    base = df[df["step"] == "plain_read_csv"].set_index("n_students")["seconds_min"]
    df["x_plain_read"] = (df["seconds_min"] / df["n_students"].map(base)).round(2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(args.out, index=False)
    info = machine_info()
    md = ["# Student extract at scale: read + validate vs a plain read", "",
          f"Command: `{' '.join(['.venv/bin/python', 'benchmarks/extract_scale.py', *(argv or sys.argv[1:])])}` "
          f"({time.perf_counter() - start:.0f} s). SYNTHETIC data (the shipped extract tiled).", "",
          machine_markdown(info), "", markdown_table(df), ""]
    args.out.with_suffix(".md").write_text("\n".join(md), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
