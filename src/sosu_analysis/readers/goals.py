"""The national goals of Danske SOSU-skoler (seed 000) as a small raw table.

``data/raw/national_goals_danske_sosu_skoler.csv`` holds, one row per indicator
× programme × time point: the level now and the goal, in Danish percentage
format, with the source. The dropout goal (18 % now, 12 % goal, SSA and SSH)
is the reference line of the figures and the yardstick of question 4.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..danish import parse_pct_tenths
from ..definitions import programme_code, text_key
from ..errors import InputError, Problem
from .rawtable import read_raw_table
from .validation import Kind, register

COLUMNS = ("Indikator", "Uddannelse", "Tidspunkt", "Niveau nu", "Mål", "Kilde")
DROPOUT_INDICATOR = "Frafald på hovedforløbet"


def matches_header(header: list[str]) -> bool:
    """Tell whether the header is the goals table's (``Indikator`` and ``Mål``)."""
    names = {text_key(h) for h in header}
    return text_key("Indikator") in names and text_key("Mål") in names


def read_goals(path: str | os.PathLike, display_name: str | None = None) -> pd.DataFrame:
    """Read the goals table: columns indicator, programme, timepoint, level_pct, goal_pct, source."""
    file = display_name or str(path)
    table = read_raw_table(path, file)
    idx = {text_key(h): i for i, h in enumerate(table.header)}
    missing = [c for c in COLUMNS if text_key(c) not in idx]
    if missing:
        raise InputError([Problem(file, f"missing column '{c}'", row=1, column=c) for c in missing])
    problems, records = [], []
    for raw, line in zip(table.rows, table.line_numbers, strict=True):
        def get(c: str, raw: list[str] = raw) -> str:
            return raw[idx[text_key(c)]]

        prog = programme_code(get("Uddannelse"))
        if prog is None:
            problems.append(Problem(file, f"unknown programme '{get('Uddannelse')}'", row=line, column="Uddannelse"))
        vals = {}
        for col in ("Niveau nu", "Mål"):
            text = get(col)
            try:
                vals[col] = parse_pct_tenths(text) / 10 if text else float("nan")
                if not 0 <= vals[col] <= 100:
                    raise ValueError(f"'{text}' is outside 0-100 %")
            except ValueError as exc:
                problems.append(Problem(file, str(exc), row=line, column=col))
        records.append({"indicator": get("Indikator"), "programme": prog, "timepoint": get("Tidspunkt"),
                        "level_pct": vals.get("Niveau nu"), "goal_pct": vals.get("Mål"), "source": get("Kilde")})
    if problems:
        raise InputError(problems)
    return pd.DataFrame.from_records(records)


def dropout_goal_pct(goals: pd.DataFrame) -> float:
    """Return the national dropout goal (12 %), read from the goals table, not typed in."""
    rows = goals[goals["indicator"] == DROPOUT_INDICATOR]
    values = set(rows["goal_pct"])
    if len(values) != 1:
        raise ValueError(f"expected one dropout goal in the goals table, found {sorted(values)}")
    return values.pop()


def _check(path: Path, file: str) -> pd.DataFrame:
    goals = read_goals(path, file)
    try:
        dropout_goal_pct(goals)  # the analysis needs exactly one dropout goal
    except ValueError as exc:
        raise InputError(Problem(file, f"{exc} (indicator '{DROPOUT_INDICATOR}')", column="Indikator")) from None
    return goals


register(Kind(
    name="national-goals",
    description="national goals of Danske SOSU-skoler (indicator, programme, level now, goal)",
    matches=matches_header,
    check=_check,
))
