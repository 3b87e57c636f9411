"""What a chapter pays before it starts: the CPU time of each chapter's imports and of a kernel start.

``make report`` runs every chapter (``notebooks/NN_*.ipynb``, in the order of
``config/default.yaml``) in a fresh ``python3`` Jupyter kernel, and ``make test`` runs the pipeline
about five times, so these fixed costs are paid some sixty times per test run.

Measured, each ``--runs`` times in fresh processes (median reported):

1. ``interpreter``: ``python -c pass`` (the floor every fresh interpreter pays);
2. ``kernel``: the ``python3`` kernel started as papermill starts it (``jupyter_client``),
   CPU time (user + system, from ``/proc/<pid>/stat``) the kernel process spent until it answered
   ``kernel_info``, and the number of modules it had imported by then;
3. one row per chapter: a fresh interpreter running exactly the chapter's import statements (every
   top-level ``import``/``from`` of its code cells, read from the notebook, in order), CPU time
   (user + system of the child, ``os.wait4``) with the interpreter floor included, and the number
   of modules imported.

No assertions: a measurement, not a test. Run with ``OPENBLAS_NUM_THREADS=1`` (the script sets
it for its children when unset).

Usage::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/import_cost.py [--runs 5] [--label after]
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import yaml
from _common import RESULTS, ROOT, machine_info, machine_markdown, markdown_table, rel

CONFIG = ROOT / "config" / "default.yaml"
NOTEBOOKS = ROOT / "notebooks"
_COUNT = "import sys; print(len(sys.modules))"


def chapter_imports(notebook: Path) -> list[str]:
    """The top-level import statements of a notebook's code cells, in order."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    out: list[str] = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"])
        # IPython magics and shell escapes are not Python; the chapters have none, but skip them.
        src = "\n".join(line for line in src.splitlines() if not line.lstrip().startswith(("%", "!")))
        for node in ast.parse(src).body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                out.append(ast.unparse(node))
    return out


def _run_child(code: str, env: dict[str, str]) -> tuple[float, float, str]:
    """CPU seconds (user + system), wall seconds and stdout of ``python -c code``."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout is not None
    out = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({proc.returncode}): {code[:200]}")
    return usage.ru_utime + usage.ru_stime, wall, out


def _proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (fields 14, 15 of stat)


def _kernel_once() -> tuple[float, float, int]:
    """CPU seconds of the kernel process until ready, wall seconds, modules it had imported."""
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name="python3")
    start = time.perf_counter()
    km.start_kernel(cwd=str(ROOT))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        wall = time.perf_counter() - start
        pid = km.provisioner.pid  # type: ignore[union-attr]
        cpu = _proc_cpu(pid)
        kc.execute(_COUNT, silent=False)
        n_mod = -1
        while True:
            msg = kc.get_iopub_msg(timeout=60)
            if msg["msg_type"] == "stream":
                n_mod = int(msg["content"]["text"].strip())
                break
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    return cpu, wall, n_mod


def measure(runs: int) -> pd.DataFrame:
    env = dict(os.environ)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    order = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["notebooks"]
    rows = []

    def add(name: str, what: str, samples: list[tuple[float, float, int]]) -> None:
        cpu = [s[0] for s in samples]
        rows.append({
            "step": name,
            "what": what,
            "cpu_s_median": statistics.median(cpu),
            "cpu_s_min": min(cpu),
            "cpu_s_max": max(cpu),
            "wall_s_median": statistics.median(s[1] for s in samples),
            "modules": samples[-1][2],
            "runs": len(samples),
        })
        print(f"{name:24s} cpu median {rows[-1]['cpu_s_median']:.3f} s  modules {samples[-1][2]}", flush=True)

    def child(code: str) -> list[tuple[float, float, int]]:
        out = []
        for _ in range(runs):
            cpu, wall, text = _run_child(code + "\n" + _COUNT, env)
            out.append((cpu, wall, int(text.strip().splitlines()[-1])))
        return out

    add("interpreter", "python -c pass", child("pass"))
    add("kernel", "python3 kernel until ready", [_kernel_once() for _ in range(runs)])
    for name in order:
        imports = chapter_imports(NOTEBOOKS / f"{name}.ipynb")
        add(name, "; ".join(imports), child("\n".join(imports)))
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--label", default="", help="a word written beside the results (e.g. before/after)")
    ap.add_argument("--out", type=Path, default=RESULTS / "import_cost.csv")
    args = ap.parse_args()
    info = machine_info()
    table = measure(args.runs)
    table.insert(0, "label", args.label)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False, float_format="%.3f")
    chapters = table[~table["step"].isin(["interpreter", "kernel"])]
    shown = table.drop(columns=["what"])
    md = [
        "# What a chapter pays before it starts (imports and kernel start)",
        "",
        f"Written {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `benchmarks/import_cost.py --runs {args.runs}`"
        + (f" (label: {args.label})" if args.label else "") + ".",
        "CPU seconds are user + system of a fresh process; a chapter's row includes the interpreter floor.",
        "",
        markdown_table(shown, digits={"cpu_s_median": 3, "cpu_s_min": 3, "cpu_s_max": 3, "wall_s_median": 3}),
        "",
        f"Sum of the chapters' import medians: {chapters['cpu_s_median'].sum():.2f} s CPU; "
        f"with one kernel start per chapter: "
        f"{chapters['cpu_s_median'].sum() + len(chapters) * float(table.loc[table['step'] == 'kernel', 'cpu_s_median'].iloc[0]):.2f} s.",
        "",
        "Each chapter's import statements (read from its code cells):",
        "",
        *[f"- `{r.step}`: `{r.what}`" for r in chapters.itertuples()],
        "",
        "## Machine",
        "",
        machine_markdown(info),
        "",
    ]
    args.out.with_suffix(".md").write_text("\n".join(md), encoding="utf-8")
    print(f"wrote {rel(args.out)} and {rel(args.out.with_suffix('.md'))}")


if __name__ == "__main__":
    main()
