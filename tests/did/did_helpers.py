"""Shared test data for tests/did: small synthetic panels (not real students) and the
reference modules of tests/results/did_*.py."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

RESULTS = Path(__file__).resolve().parents[1] / "results"


def load_reference(name: str):
    """Import ``tests/results/<name>.py`` by path (tests/results is not a package)."""
    spec = importlib.util.spec_from_file_location(f"_did_ref_{name}", RESULTS / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod

CAMPUSES = ["Brøndby", "Herlev", "Munkeengen", "Skelbækgade", "Frederikssund", "Gladsaxe"]
PILOTS = {"Brøndby", "Herlev", "Munkeengen", "Skelbækgade"}
MONTHS = ["02", "04", "08", "10"]


def intakes(first_year: int = 2022, last_year: int = 2025) -> list[str]:
    return [f"{y}-{m}" for y in range(first_year, last_year + 1) for m in MONTHS]


def make_students(
    seed: int = 1,
    effect: float = -0.05,
    programmes: tuple = ("SSA", "SSH", "PAU"),
    campuses: list | None = None,
    pilots: set | None = None,
    years: tuple = (2022, 2025),
    start: str = "2025-02",
    size: tuple = (8, 25),
) -> pd.DataFrame:
    """Synthetic students: dropout ~ Bernoulli(base + campus + intake + effect * pilot_post)."""
    rng = np.random.default_rng(seed)
    campuses = campuses or CAMPUSES
    pilots = PILOTS if pilots is None else pilots
    labels = intakes(*years)
    base = {"SSA": 0.16, "SSH": 0.11, "PAU": 0.05}
    ce = dict(zip(campuses, rng.normal(0, 0.02, len(campuses))))
    te = dict(zip(labels, rng.normal(0, 0.015, len(labels))))
    rows = []
    for prog in programmes:
        for c in campuses:
            for t in labels:
                n = int(rng.integers(size[0], size[1] + 1)) if prog == "SSA" else int(rng.integers(3, 12))
                treated = int(prog == "SSA" and c in pilots and t >= start)
                p = np.clip(base[prog] + ce[c] + te[t] + effect * treated, 0.01, 0.9)
                y = rng.random(n) < p
                switch = rng.random(n) < 0.2
                for i in range(n):
                    rows.append((prog, c, t, int(t[:4]), c in pilots, treated, int(y[i]), int(y[i] and not switch[i])))
    return pd.DataFrame(rows, columns=["programme", "campus", "intake", "year", "pilot", "pilot_post", "dropout_total", "dropout_noswitch"])


def small_panel_frame(drop: tuple = ()) -> pd.DataFrame:
    """Cell-level frame of tests/results/did_small_panel.py (optionally without some campuses)."""
    ref = load_reference("did_small_panel")
    CELLS, START = ref.CELLS, ref.START
    df = pd.DataFrame([c for c in CELLS if c[0] not in drop], columns=["campus", "intake", "n", "n_dropout_total"])
    df["n_dropout_noswitch"] = (df["n_dropout_total"] // 2).astype(int)
    df["pilot_post"] = [int(t >= START.get(c, 99)) for c, t in zip(df["campus"], df["intake"])]
    df["pilot"] = df["campus"].isin(list(START))
    df["programme"] = "SSA"
    return df


def expand_students(cells_df: pd.DataFrame) -> pd.DataFrame:
    """Student rows of a cell frame: the first n_dropout students of a cell have y = 1."""
    rows = []
    for r in cells_df.itertuples(index=False):
        for i in range(int(r.n)):
            rows.append(
                {
                    "programme": getattr(r, "programme", "SSA"),
                    "campus": r.campus,
                    "intake": r.intake,
                    "pilot": r.pilot,
                    "pilot_post": r.pilot_post,
                    "dropout_total": int(i < r.n_dropout_total),
                    "dropout_noswitch": int(i < r.n_dropout_noswitch),
                }
            )
    return pd.DataFrame(rows)
