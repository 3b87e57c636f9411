"""Fixtures of the model tests: the shipped cell table, reference modules, per-student expansion."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

RESULTS = Path(__file__).resolve().parents[1] / "results"

# Seed 003, Table 1 (SOSU H, main course, 3 months after start), as cleaned: n_cohort implied by the
# published percentages. Columns: n_cohort, n_in_progress, n_dropout_switch, n_dropout_noswitch,
# n_dropout_total, n_other.
TABLE1 = """\
PAU 2022 213 207 0 6 6 0
PAU 2023 217 201 0 16 16 0
PAU 2024 186 181 0 4 4 1
SSA 2022 1072 918 34 120 154 0
SSA 2023 1393 1171 43 179 222 0
SSA 2024 1327 1095 40 191 231 1
SSH 2022 788 711 8 68 76 1
SSH 2023 914 790 34 89 123 1
SSH 2024 1032 918 30 82 112 2
"""
COUNT_COLS = ["n_cohort", "n_in_progress", "n_dropout_switch", "n_dropout_noswitch", "n_dropout_total", "n_other"]


def make_table1() -> pd.DataFrame:
    rows = [line.split() for line in TABLE1.splitlines()]
    df = pd.DataFrame(rows, columns=["programme", "year", *COUNT_COLS])
    for c in ["year", *COUNT_COLS]:
        df[c] = df[c].astype(int)
    # pct_* columns as in the tidy table; the models ignore them
    for c in ("in_progress", "dropout_switch", "dropout_noswitch", "dropout_total"):
        df[f"pct_{c}"] = 100 * df[f"n_{c}"] / df["n_cohort"]
    return df


@pytest.fixture
def table1() -> pd.DataFrame:
    return make_table1()


def load_results(name: str):
    """Import ``tests/results/<name>.py`` by path (the tests folder is not a package)."""
    spec = importlib.util.spec_from_file_location(f"_model_results_{name}", RESULTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def expand(cells: pd.DataFrame, events: str, trials: str, keys: list[str]) -> pd.DataFrame:
    """One row per student: the ``keys`` columns and ``y`` (1 = event)."""
    y = cells[events].to_numpy()
    n = cells[trials].to_numpy()
    idx = np.concatenate([np.repeat(np.arange(len(cells)), y), np.repeat(np.arange(len(cells)), n - y)])
    out = cells.iloc[idx][keys].reset_index(drop=True)
    out["y"] = np.concatenate([np.ones(y.sum()), np.zeros((n - y).sum())])
    return out


@pytest.fixture
def berkeley() -> pd.DataFrame:
    """Berkeley admissions as cells: dept, male (0/1), gender (str), admitted, applicants."""
    ref = load_results("berkeley")
    rows = []
    for dept, ((ma, mr), (fa, fr)) in ref.COUNTS.items():
        rows.append({"dept": dept, "male": 1, "gender": "male", "admitted": ma, "applicants": ma + mr})
        rows.append({"dept": dept, "male": 0, "gender": "female", "admitted": fa, "applicants": fa + fr})
    return pd.DataFrame(rows)


@pytest.fixture
def snoring() -> pd.DataFrame:
    ref = load_results("snoring")
    return pd.DataFrame({"score": ref.SCORE, "yes": ref.YES, "n": np.add(ref.YES, ref.NO)})


@pytest.fixture
def results():
    """``results("berkeley")`` -> the reference module ``tests/results/berkeley.py``."""
    return load_results


@pytest.fixture
def expand_students():
    """``expand_students(cells, events, trials, keys)`` -> one row per student."""
    return expand
