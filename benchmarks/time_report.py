"""Where the time of ``make report`` goes: each chapter, kernel starts, the power simulations.

Runs, in this process and its children (SYNTHETIC data only: the shipped default config):

1. ``kernel``: start the ``python3`` Jupyter kernel and shut it down again, ``--kernels`` times
   (papermill starts one kernel per chapter, so ``make report`` pays this ten times);
2. ``import``: a fresh interpreter importing what the chapters import (pandas, statsmodels,
   matplotlib, seaborn and ``sosu_analysis``), the other fixed cost of every chapter;
3. ``power``: ``reporting.did.summary.power_scenarios`` on the shipped extract (chapter 05's
   simulations) at ``power_reps`` = 200 (the shipped value) and at 20;
4. ``pipeline``: ``pipeline.run.run_pipeline`` with the default config into a temporary folder
   (every chapter, the HTML pages and the report's PDF: what ``make report`` does, less the
   copy of the stored outputs into ``notebooks/``), once for each ``--jobs`` value (default 1 and
   2: one chapter at a time, and side by side), each chapter timed from its progress lines
   (``from_s``: when it started, seconds after the first chapter).

For every step the wall time and the CPU time (user + system, of this process and of the
children it waited for: the kernels) are written; on a shared machine the CPU time is the
steadier of the two. The load average at the start and the end is written beside them.
No assertions: this is a measurement, not a test.

Usage::

    .venv/bin/python benchmarks/time_report.py [--kernels 3] [--skip-pipeline] [--jobs 1,2]
        [--out benchmarks/results/time_report.csv]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sosu_analysis.pipeline.kernel import BLAS_THREAD_VARIABLES

for _v in BLAS_THREAD_VARIABLES:  # as the run's kernels and make's test processes have it
    os.environ.setdefault(_v, "1")

import pandas as pd  # noqa: E402
from _common import RESULTS, ROOT, SHIPPED_EXTRACT, machine_info, machine_markdown, markdown_table, rel  # noqa: E402


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


class Clock:
    """Wall and CPU time since the last :meth:`lap`."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), _cpu()

    def lap(self) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), _cpu()
        out = (wall - self.wall, cpu - self.cpu)
        self.wall, self.cpu = wall, cpu
        return out


def time_kernels(n: int) -> list[dict]:
    from jupyter_client.manager import start_new_kernel

    rows = []
    for i in range(n):
        clock = Clock()
        km, kc = start_new_kernel(kernel_name="python3")
        kc.stop_channels()
        km.shutdown_kernel(now=False)
        wall, cpu = clock.lap()
        rows.append({"step": "kernel start + shutdown", "detail": f"#{i + 1}", "wall_s": wall, "cpu_s": cpu})
    return rows


def time_imports() -> dict:
    code = ("import pandas, statsmodels.api, matplotlib.pyplot, seaborn, papermill; "
            "import sosu_analysis.reporting.rapport, sosu_analysis.did.api, sosu_analysis.models.api")
    clock = Clock()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    wall, cpu = clock.lap()
    return {"step": "imports of a chapter", "detail": "fresh interpreter", "wall_s": wall, "cpu_s": cpu}


def time_power() -> list[dict]:
    from sosu_analysis.pipeline.student_data import load_students
    from sosu_analysis.reporting.did.summary import power_scenarios

    data = load_students(str(SHIPPED_EXTRACT), "data/raw/campuses.csv", [3, 6, 12], "")
    rows = []
    for reps in (200, 20):
        clock = Clock()
        power_scenarios(data.main, n_reps=reps, seed=20250401, alpha=0.05)
        wall, cpu = clock.lap()
        rows.append({"step": "power simulations (chapter 05)", "detail": f"power_reps = {reps}",
                     "wall_s": wall, "cpu_s": cpu})
    return rows


def time_pipeline(jobs: int) -> list[dict]:
    """One whole run with ``jobs`` chapters side by side; each chapter's wall time from its own start."""
    from sosu_analysis.pipeline.config import load_config
    from sosu_analysis.pipeline.run import run_pipeline

    rows: list[dict] = []
    started: dict[str, float] = {}
    clock, total = Clock(), Clock()
    t0 = time.perf_counter()

    def progress(line: str) -> None:
        now = time.perf_counter()
        name = line.split("] ", 1)[1].split(":", 1)[0] if line.startswith("[") else ""
        if line.endswith(": running"):
            started[name] = now
        elif line.endswith(": done"):
            # a chapter's CPU is not known here: its kernel is a child of a worker process, which is waited
            # for (and counted) only when the run ends; the whole run's CPU is in its own row
            cpu = float("nan")
            rows.append({"step": f"chapter (jobs = {jobs})", "detail": name,
                         "wall_s": now - started[name], "cpu_s": cpu, "from_s": started[name] - t0})
        elif not started:
            wall, cpu = clock.lap()
            rows.append({"step": f"before the chapters (jobs = {jobs})", "detail": line[:60], "wall_s": wall,
                         "cpu_s": cpu, "from_s": 0.0})

    cfg = load_config("config/default.yaml")
    with tempfile.TemporaryDirectory(prefix="sosu-time-report-") as tmp:
        run_pipeline(cfg, Path(tmp) / "reports", progress=progress, jobs=jobs)
    wall, cpu = total.lap()
    rows.append({"step": "whole run", "detail": f"run_pipeline, default config, jobs = {jobs}", "wall_s": wall,
                 "cpu_s": cpu, "from_s": 0.0})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernels", type=int, default=3)
    ap.add_argument("--skip-pipeline", action="store_true")
    ap.add_argument("--jobs", default="1,2", help="whole runs with these --jobs values (comma-separated)")
    ap.add_argument("--out", type=Path, default=RESULTS / "time_report.csv")
    args = ap.parse_args()
    os.chdir(ROOT)
    load_before = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    rows = time_kernels(args.kernels)
    rows.append(time_imports())
    rows += time_power()
    if not args.skip_pipeline:
        for jobs in (int(j) for j in args.jobs.split(",")):
            rows += time_pipeline(jobs)
    table = pd.DataFrame(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False, float_format="%.2f")
    info = machine_info()
    md = (f"# Time of `make report` (written by `benchmarks/time_report.py`, {started})\n\n"
          f"Load average (1 / 5 / 15 min) at the start: {load_before}.\n\n"
          + markdown_table(table, {"wall_s": 1, "cpu_s": 1, "from_s": 1}) + "\n\n## Machine\n\n" + machine_markdown(info) + "\n")
    args.out.with_suffix(".md").write_text(md, encoding="utf-8")
    print(md)
    print(f"written: {rel(args.out)}, {rel(args.out.with_suffix('.md'))}")


if __name__ == "__main__":
    main()
