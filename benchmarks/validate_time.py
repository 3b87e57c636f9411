"""Wall time of the checks before a run: ``validate_inputs`` on the default config, in fresh interpreters.

Every ``sosu-analysis run`` (and each test that goes through ``cli.main(["run", ...])``) first runs
:func:`sosu_analysis.pipeline.run.validate_inputs` on its config. This script times that call on
``config/default.yaml`` in ``--runs`` fresh interpreters (``OPENBLAS_NUM_THREADS=1``), for the working
tree's source and, with ``--baseline REV``, for the source of a git revision (``git archive REV src``
into a temporary folder, first on ``PYTHONPATH``); the two are run alternately, so that a change in the
machine's load falls on both. The config is loaded before the clock starts; the imports the checks make
on their own are timed (from ``.pyc`` files: one unrecorded run per variant first writes them, and
``PYTHONDONTWRITEBYTECODE`` is removed from the runs' environment). Writes ``results/validate_time.{csv,md}`` (one row per run, and the medians).

Usage::

    .venv/bin/python benchmarks/validate_time.py --runs 5 --baseline d05a451
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, ROOT, machine_info, machine_markdown, markdown_table  # noqa: E402

#: what each fresh interpreter runs: load the config, then time the checks
PROBE = """
import time
from sosu_analysis.pipeline.config import load_config
from sosu_analysis.pipeline.run import validate_inputs
cfg = load_config("config/default.yaml")
t0 = time.perf_counter()
validate_inputs(cfg, "config/default.yaml")
print(time.perf_counter() - t0)
"""


def _commit(rev: str = "HEAD") -> str:
    return subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


def _export_src(rev: str, into: Path) -> Path:
    """Unpack ``src/`` of git revision ``rev`` into ``into``; return the folder to put on ``PYTHONPATH``."""
    data = subprocess.run(["git", "archive", rev, "src"], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def _time_once(src: Path | None) -> float:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as a user's shell runs it: modules imported from their .pyc
    if src is not None:
        env["PYTHONPATH"] = str(src)
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout
    return float(out.strip().splitlines()[-1])


def run(runs: int, baseline: str | None) -> pd.DataFrame:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        variants: list[tuple[str, str, Path | None]] = []
        if baseline:
            variants.append(("before", _commit(baseline), _export_src(baseline, Path(tmp))))
        dirty = subprocess.run(["git", "status", "--porcelain", "src"], cwd=ROOT, capture_output=True,
                               text=True, check=True).stdout.strip()
        variants.append(("after" if baseline else "now", _commit() + ("+changes" if dirty else ""), None))
        for *_, src in variants:
            _time_once(src)  # not recorded: writes the .pyc files, warms the file cache
        for i in range(runs):
            for label, commit, src in variants:
                rows.append({"variant": label, "commit": commit, "run": i + 1,
                             "seconds": round(_time_once(src), 3)})
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters per variant (default 5)")
    parser.add_argument("--baseline", default=None, help="git revision to compare with (e.g. the merge base)")
    args = parser.parse_args(argv)
    table = run(args.runs, args.baseline)
    summary = (table.groupby(["variant", "commit"], sort=False)["seconds"]
               .agg(median="median", min="min", max="max", runs="count").reset_index())
    RESULTS.mkdir(exist_ok=True)
    table.to_csv(RESULTS / "validate_time.csv", index=False)
    md = ["# The checks before a run: `validate_inputs` on config/default.yaml", "",
          f"Fresh interpreter per run, `OPENBLAS_NUM_THREADS=1`, {args.runs} runs per variant, alternated, "
          "after one unrecorded run per variant (.pyc written).", "",
          machine_markdown(machine_info()), "", "## Medians (seconds)", "", markdown_table(summary, 3), "",
          "## Every run", "", markdown_table(table, 3), ""]
    (RESULTS / "validate_time.md").write_text("\n".join(md), encoding="utf-8")
    print(summary.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
