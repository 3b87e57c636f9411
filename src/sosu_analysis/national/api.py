"""Public entry points of :mod:`sosu_analysis.national`, as the chapters call them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..definitions import OUTCOMES, outcome
from ..errors import InputError, Problem
from ..paths import resolve
from . import compare, convert, etu, funnel  # noqa: F401 (re-exported namespace)
from .compare import comparative_trends, group_rates, school_vs_rest
from .counts import school_counts
from .etu import OPLAERING_QUESTIONS, association, programme_table, read_etu
from .query import load_query

__all__ = ["NationalData", "load_national", "funnel_tables", "funnel_positions", "association_table",
           "association_points", "group_rates", "school_vs_rest", "comparative_trends", "read_etu",
           "programme_table", "OPLAERING_QUESTIONS"]


@dataclass
class NationalData:
    """A national answer, converted and counted, with its provenance."""

    counts: pd.DataFrame
    layout: pd.DataFrame
    provenance: dict[str, Any]
    school: str

    @property
    def synthetic(self) -> bool:
        """Whether the answer is the synthetic stand-in (then every output says so)."""
        return bool(self.provenance.get("synthetic"))


def load_national(answer: str | os.PathLike, query: str | os.PathLike, school: str) -> NationalData:
    """Replay a stored national answer through its query and count students per school.

    Parameters
    ----------
    answer, query
        Config keys ``national_answer`` (the raw answer; its sidecar beside it) and ``national_query``
        (relative to the project root or absolute).
    school
        Config key ``national_school``: SOSU H's institution name in the answer.
    """
    q = load_query(resolve(query), str(query))
    if q.layout != "published":
        raise InputError(Problem(str(query), f"key 'layout' is {q.layout!r}; the national comparison needs a "
                                             "query of the published layout"))
    layout = convert.replay(resolve(answer), q, str(answer))
    counts = school_counts(layout, str(answer))
    if school not in set(counts["institution"]):
        raise InputError(Problem(str(answer), f"no institution named {school!r} (config key national_school); the "
                                              f"answer has: {', '.join(sorted(set(counts['institution'])))}"))
    return NationalData(counts=counts, layout=layout, provenance=convert.provenance(resolve(answer)), school=school)


def funnel_tables(counts: pd.DataFrame, year: int, definition: str,
                  school: str) -> dict[str, tuple[pd.DataFrame, float]]:
    """Make the funnel table and national level for each programme in one year under one definition."""
    col = outcome(definition).count_column
    out = {}
    for programme in sorted(set(counts["programme"])):
        d = counts[(counts["programme"] == programme) & (counts["year"] == year)]
        if d[col].notna().any():
            out[programme] = funnel.funnel_table(d, col, school)
    return out


def funnel_positions(counts: pd.DataFrame, year: int, school: str) -> pd.DataFrame:
    """SOSU H's place in the funnel per programme and definition, with the winsorised overdispersion φ."""
    rows = []
    for definition in OUTCOMES:
        for programme, (table, p0) in funnel_tables(counts, year, definition, school).items():
            own = table[table["is_school"]]
            if own.empty:
                continue
            r = own.iloc[0]
            rows.append({"programme": programme, "year": year, "outcome_definition": definition,
                         "n_schools": len(table), "national_pct": p0, "school_pct": r["pct"],
                         "school_n_cohort": int(r["n_cohort"]), "z": r["z"],
                         "lower_0.95": r["lower_0.95"], "upper_0.95": r["upper_0.95"],
                         "lower_0.998": r["lower_0.998"], "upper_0.998": r["upper_0.998"],
                         "position_0.95": r["position_0.95"], "position_0.998": r["position_0.998"],
                         "n_outside_0.998": int((table["position_0.998"] != "inside").sum()),
                         "phi": funnel.overdispersion(table["z"].to_numpy())})
    return pd.DataFrame(rows)


def association_points(etu_data: pd.DataFrame, tidy: pd.DataFrame, item: str,
                       definition: str = "incl_switch") -> pd.DataFrame:
    """List the programme-years behind :func:`association` (score and dropout in percent)."""
    col = outcome(definition).count_column
    rates = tidy[["programme", "year"]].assign(
        year=tidy["year"].astype(int),
        pct=100 * tidy[col].astype(float).to_numpy() / tidy["n_cohort"].astype(float).to_numpy())
    scores = etu_data[(etu_data["item"] == item) & ~etu_data["suppressed"]][["programme", "year", "score"]]
    return scores.merge(rates, on=["programme", "year"]).sort_values(["programme", "year"]).reset_index(drop=True)


def association_table(etu_data: pd.DataFrame, tidy: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Relate each oplæring question to dropout, both definitions."""
    return pd.DataFrame([association(etu_data, tidy, item, definition, alpha)
                         for item in OPLAERING_QUESTIONS for definition in OUTCOMES])
