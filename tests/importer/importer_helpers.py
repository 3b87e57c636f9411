"""Paths shared by the import tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
DEFAULT_MAPPING = ROOT / "config" / "z_udskrift_mapping.yaml"
SCHEMA = ROOT / "data" / "raw" / "synthetic" / "students_synthetic_seed20250401_effect-5.csv"
CAMPUSES = ROOT / "data" / "raw" / "campuses.csv"


def disclosed_2x2(shown: pd.DataFrame, total: int) -> list[str]:
    """Independent attack: every subtraction of shown numbers a reader can do on the 2x2 (plus the total)."""
    found = []
    n = {}
    d = {}
    for r in shown.itertuples():
        if pd.notna(r.n_students):
            n[(r.group, r.period)] = int(r.n_students)
        if pd.notna(r.n_dropout):
            d[(r.outcome_definition, r.group, r.period)] = int(r.n_dropout)
    for v in [*n.values(), *d.values()]:
        if 0 < v < 5:
            found.append(f"cell {v}")
    for (o, g, p), v in d.items():
        if (g, p) in n and 0 < n[(g, p)] - v < 5:
            found.append(f"complement {o} {g} {p}")
    for g, p in {(g, p) for _, g, p in d}:
        if ("incl_switch", g, p) in d and ("excl_switch", g, p) in d:
            diff = d[("incl_switch", g, p)] - d[("excl_switch", g, p)]
            if 0 < diff < 5:
                found.append(f"switchers {g} {p}")
    cells = sorted({(g, p) for _, g, p in d} | set(n))
    missing = [c for c in cells if c not in n]
    if len(missing) == 1:  # the margin (did.csv's n_students) minus the cells shown
        m = total - sum(n.values())
        n[missing[0]] = m
        if 0 < m < 5:
            found.append("margin")
        for o in ("incl_switch", "excl_switch"):
            if (o, *missing[0]) in d and 0 < m - d[(o, *missing[0])] < 5:
                found.append(f"margin complement {o}")
    return found
