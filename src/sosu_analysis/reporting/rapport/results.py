"""The chapters' result tables, read once, and the one way a row is chosen: by explicit keys.

Which estimate is quoted where there are several is decided here and nowhere else:

- the trend: a programme's trend in dropout incl. switching (``trend_tests.csv``);
- the goal: the last year's rate incl. switching against the goal (``goal_distance.csv``);
- the interventions: the main specification (``lpm``) at the main horizon with the CR2
  interval (Satterthwaite df), whose size holds with few campuses; the pre-trend tests are
  every method of ``event_study_pretrend.csv``;
- the detectable effect and the power: the realised timeline (:mod:`sosu_analysis.did.timeline`),
  with the baseline and ICC of the power chapter's row ``(icc_source="estimated", method=POWER_METHOD)``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ...danish import confidence_level
from ...definitions import GOAL_DEFINITION, PROGRAMMES
from .. import contracts

TABLES = ("table1", "dropout_rates", "trend_tests", "goal_distance", "did", "power", "event_study_pretrend",
          "did_rates_2x2", "trend_curves", "event_study")
#: the main specification of the campus comparison and the inference the verdict rests on
MAIN_ESTIMATOR, MAIN_INFERENCE = "lpm", "cr2"
#: the randomization test of the campus comparison (its smallest possible p is a property of the design)
RANDOMIZATION = "randomization"
#: the power chapter's row that gives the baseline rate, the estimated ICC and the hoped-for effect
POWER_ROW = {"icc_source": "estimated", "method": "simulation_cr2"}
#: the power at which the minimum detectable effect is computed (did.timeline's default)
POWER = 0.8


@dataclass
class Results:
    """The chapters' result tables and the synthetic label of the student data (``None``: real data)."""

    tables: dict[str, pd.DataFrame]
    synthetic: dict | None
    horizons: list[int] = field(default_factory=lambda: [3, 6, 12])
    alpha: float = 0.05

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    @property
    def main_horizon(self) -> int:
        """The main horizon: the first of the config's ``horizons``."""
        return int(self.horizons[0])

    @property
    def level(self) -> str:
        """The confidence level of the run's intervals, e.g. ``"95 %"``."""
        return confidence_level(self.alpha)


def load_results(output_dir: str | os.PathLike, synthetic: dict | None, horizons: list[int] | None = None,
                 alpha: float = 0.05) -> Results:
    """Read the result tables from ``OUTPUT/tables``; ``horizons[0]`` is the main horizon (the config's)."""
    tables = contracts.read_tables(Path(output_dir), TABLES)
    hs = list(horizons) if horizons else [3, 6, 12]
    did_file = contracts.table_path(output_dir, "did")
    if not (tables["did"]["horizon_months"] == hs[0]).any():
        raise contracts.ContractError(f"{did_file}: no rows for the main horizon {hs[0]} months (the config's "
                                      "first horizon); rerun chapter 04 with the same horizons")
    fitted = {float(a) for a in tables["power"]["alpha"]} if "alpha" in tables["power"] else {float(alpha)}
    if fitted != {float(alpha)}:
        raise contracts.ContractError(f"{contracts.table_path(output_dir, 'power')}, column 'alpha': the power was "
                                      f"computed with alpha = {sorted(fitted)}, the report runs with {alpha:g}; "
                                      "rerun chapter 05")
    return Results(tables, synthetic, hs, alpha)


def one_row(frame: pd.DataFrame, what: str, **keys) -> pd.Series:
    """Return the single row of ``frame`` matching ``keys`` (an error naming the table and keys otherwise)."""
    mask = pd.Series(True, index=frame.index)
    for k, v in keys.items():
        mask &= frame[k] == v
    rows = frame[mask]
    if len(rows) != 1:
        raise KeyError(f"{what}: expected one row for {keys}, found {len(rows)}")
    return rows.iloc[0]


def did_row(res: Results, definition: str, horizon: int | None = None, inference: str = MAIN_INFERENCE,
            estimator: str = MAIN_ESTIMATOR) -> pd.Series:
    """Return the campus comparison's row for one definition, horizon, estimator and inference."""
    h = res.main_horizon if horizon is None else horizon
    return one_row(res["did"], "did.csv", outcome_definition=definition, horizon_months=h, estimator=estimator,
                   inference=inference)


def pretrend_rows(res: Results, definition: str) -> pd.DataFrame:
    """Return every pre-trend test of one definition that has a p-value (all methods, not only one)."""
    t = res["event_study_pretrend"]
    return t[(t["outcome_definition"] == definition) & t["p_value"].notna()]


def trend_row(res: Results, programme: str, definition: str = GOAL_DEFINITION) -> pd.Series:
    """Return a programme's trend test (``trend_tests.csv``)."""
    return one_row(res["trend_tests"], "trend_tests.csv", programme=programme, outcome_definition=definition)


def programmes(res: Results) -> list[str]:
    """Return the programmes of the public table, in the vocabulary's order."""
    present = set(res["trend_tests"]["programme"])
    return [p for p in PROGRAMMES if p in present]


def goal_row(res: Results, programme: str) -> pd.Series:
    """Return the goal distance of a programme the goal applies to."""
    g = res["goal_distance"]
    g = g[g["goal_applies"].astype(str).str.lower() == "true"]
    return one_row(g, "goal_distance.csv", programme=programme, outcome_definition=GOAL_DEFINITION)


def goal_programmes(res: Results) -> list[str]:
    """Return the programmes the dropout goal applies to (seed 000: SSA and SSH)."""
    g = res["goal_distance"]
    g = g[(g["goal_applies"].astype(str).str.lower() == "true") & (g["outcome_definition"] == GOAL_DEFINITION)]
    return [p for p in PROGRAMMES if p in set(g["programme"])]


def power_row(res: Results) -> pd.Series:
    """Return the power chapter's row the timeline is built from (:data:`POWER_ROW`)."""
    return one_row(res["power"], "power.csv", **POWER_ROW)
