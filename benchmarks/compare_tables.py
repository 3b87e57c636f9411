"""Compare two folders of result tables (CSV) cell by cell: same columns, same text, numbers within rounding.

Used to check that a change of code leaves every number of ``reports/tables``
unchanged apart from the fixed 12-significant-digit rounding of
:func:`sosu_analysis.atomic.write_csv`::

    python benchmarks/compare_tables.py OLD/tables reports/tables

A numeric cell passes when ``|new - old| <= 1e-11 * max(1, |old|)`` (a
12-significant-digit rounding moves a value by at most 5e-12 of its size);
every other cell must be the same text. Exit status 1 when any cell differs.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import pandas as pd

REL_TOL = 1e-11


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def compare(old: Path, new: Path) -> list[str]:
    """List every difference between two CSV files beyond the 12-digit rounding."""
    a = pd.read_csv(old, dtype=str, keep_default_na=False)
    b = pd.read_csv(new, dtype=str, keep_default_na=False)
    if list(a.columns) != list(b.columns):
        return [f"{new.name}: columns differ: {list(a.columns)} vs {list(b.columns)}"]
    if len(a) != len(b):
        return [f"{new.name}: {len(a)} rows vs {len(b)}"]
    problems = []
    for col in a.columns:
        for i, (x, y) in enumerate(zip(a[col], b[col], strict=True)):
            if x == y:
                continue
            fx, fy = _number(x), _number(y)
            if fx is not None and fy is not None and (
                    (math.isnan(fx) and math.isnan(fy)) or abs(fx - fy) <= REL_TOL * max(1.0, abs(fx))):
                continue
            problems.append(f"{new.name}, row {i + 2}, column {col}: {x!r} -> {y!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Compare the folders named on the command line; print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    args = parser.parse_args(argv)
    old_files = {p.name for p in args.old.glob("*.csv")}
    new_files = {p.name for p in args.new.glob("*.csv")}
    problems = [f"only in {args.old}: {n}" for n in sorted(old_files - new_files)]
    problems += [f"only in {args.new}: {n}" for n in sorted(new_files - old_files)]
    n_cells = n_text_changed = 0
    for name in sorted(old_files & new_files):
        problems += compare(args.old / name, args.new / name)
        a = pd.read_csv(args.old / name, dtype=str, keep_default_na=False)
        b = pd.read_csv(args.new / name, dtype=str, keep_default_na=False)
        n_cells += a.size
        if a.shape == b.shape:
            n_text_changed += int((a.to_numpy() != b.to_numpy()).sum())
    for p in problems:
        print(p)
    print(f"{len(old_files & new_files)} tables, {n_cells} cells compared; {n_text_changed} cells written "
          f"differently, {len(problems)} differ beyond the 12-digit rounding")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
