"""Helpers shared by the benchmark scripts: paths, machine description, markdown tables.

No estimator logic lives here (that is in :mod:`sosu_analysis`).
"""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
CAMPUSES_CSV = ROOT / "data/raw/campuses.csv"
PUBLISHED_CSV = ROOT / "data/raw/uddannelsesstatistik_sosuh_hovedforloeb_3mdr_2022-2024.csv"
SHIPPED_EXTRACT = ROOT / "data/raw/synthetic/students_synthetic_seed20250401_effect-5.csv"

PACKAGES = ("sosu-analysis", "numpy", "pandas", "scipy", "statsmodels")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return float("nan")


def machine_info() -> dict[str, str]:
    """CPU model, usable cores, RAM, OS, Python and package versions."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    info = {
        "cpu_model": _cpu_model(),
        "cores_usable": str(usable),
        "cores_logical": str(os.cpu_count()),
        "ram_gib": f"{_ram_gib():.1f}",
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "load_average_1_5_15min_at_write": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
    for pkg in PACKAGES:
        try:
            info[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            info[pkg] = "not installed"
    return info


def machine_markdown(info: dict[str, str]) -> str:
    return "\n".join(f"- {k}: {v}" for k, v in info.items())


def _fmt(x, digits: int) -> str:
    if x is None or x is pd.NA:
        return ""
    if isinstance(x, (float, np.floating)):
        if np.isnan(x):
            return ""
        if np.isinf(x):
            return "inf" if x > 0 else "-inf"
        return f"{x:.{digits}f}"
    return str(x)


def markdown_table(df: pd.DataFrame, digits: int | dict[str, int] = 3) -> str:
    """A GitHub markdown table (no ``tabulate`` dependency)."""
    cols = list(df.columns)
    d = digits if isinstance(digits, dict) else {}
    default = digits if isinstance(digits, int) else 3
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for _, row in df.iterrows():
        lines.append("| " + " | ".join(_fmt(row[c], d.get(c, default)) for c in cols) + " |")
    return "\n".join(lines)


def rel(path: Path) -> str:
    """Path relative to the project root when inside it."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
