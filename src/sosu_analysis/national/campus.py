"""The campus × intake panel from the national statistics: SOSU H's pilot campuses and their donors.

A stored campus-level answer of uddannelsesstatistik.dk (every school by
institution, afdeling, programme and start year; the saved query
``config/queries/eud_hovedforloeb_status_3mdr_afdeling.yaml``) is replayed
through the one converter (:func:`sosu_analysis.national.convert.replay`) and
counted by the one counter (:func:`sosu_analysis.national.counts.school_counts`
with ``by=("Afdeling",)``), so a suppressed cell is read exactly as in the
national chapter: never as zero.

Rules (docs/decisions.md, issue 18):

- **unit**: a campus, named ``"<institution> / <afdeling>"``; **time**: the start year;
  **outcome**: the dropout rate (percent of the intake) under one definition;
- **missing**: a campus × year without an intake size or a dropout count (the service left
  the cell out, or the campus had no intake that year) stays missing in :attr:`CampusPanel.cells`;
- **donors**: every campus of another school and SOSU H's non-pilot campuses. A donor whose
  share of missing years exceeds ``max_missing_share`` is dropped (counted in
  :attr:`CampusPanel.dropped`); a kept donor's (or a pilot campus's) missing cells are filled for
  the estimator at the midpoint of what the suppression rule allows: a left-out dropout count is
  0, 1 or 2 students (cells below 3 are not published), so 1 student of the intake (the campus's
  mean intake when the intake size is missing too); they are flagged ``imputed`` and counted;
- **treated**: SOSU H's pilot campuses (``data/raw/campuses.csv``) from the year of their
  ``pilot_start`` (one year for all: a block design); an afdeling of SOSU H that the campus table
  does not know is an error, naming the answer and the campus table.

Without a campus-level answer (config key ``campus_answer`` empty or the file absent), or with an
answer / query that lacks the afdeling dimension, :func:`load_campus_panel` returns a panel whose
:attr:`~CampusPanel.status` says so (``"missing"``, ``"no_afdeling"``) and whose
:attr:`~CampusPanel.message` the chapter prints; the chapter then falls back to the in-school
comparison.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..definitions import outcome as outcome_definition
from ..errors import InputError, Problem
from ..paths import resolve
from ..students.campuses import campus_lookup, key, read_campuses
from . import convert
from .counts import school_counts
from .query import load_query

#: the column the saved query maps ``"[Institution].[Afdeling].[Afdeling]"`` to
COL_CAMPUS = "Afdeling"
PanelStatus = Literal["ok", "missing", "no_afdeling"]
#: the suppression rule of the service (cells of fewer than 3 persons are left out): a missing count is 0-2
SUPPRESSED_BELOW = 3

#: columns of :attr:`CampusPanel.cells`
CELL_COLUMNS = ("unit", "institution", "campus", "year", "n_cohort", "n_dropout", "rate_pct", "missing", "imputed",
                "own_school", "pilot", "treated", "donor_kept")


@dataclass
class CampusPanel:
    """A campus × start-year panel for one programme and outcome definition, with what was left out.

    Attributes
    ----------
    status
        ``"ok"``; ``"missing"`` (no campus-level answer) or ``"no_afdeling"`` (an answer without
        the campus dimension): then the tables are empty and :attr:`message` says why.
    message
        One English sentence for the chapter (empty when ``status == "ok"``).
    cells
        One row per campus × year of the full grid (:data:`CELL_COLUMNS`); ``rate_pct`` is missing where
        the answer has no value, ``imputed`` where the estimator's panel fills it.
    programme, definition, threshold
        What the panel is for, and the largest share of missing years a donor may have.
    provenance
        Of the answer (:func:`sosu_analysis.national.convert.provenance`).
    treatment_year
        The first treated start year (the pilot campuses' ``pilot_start`` year).
    """

    status: PanelStatus
    message: str = ""
    cells: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(CELL_COLUMNS)))
    programme: str = "SSA"
    definition: str = "incl_switch"
    threshold: float = 0.0
    provenance: dict[str, Any] = field(default_factory=dict)
    treatment_year: int | None = None

    @property
    def available(self) -> bool:
        """Whether the synthetic comparison can be made (else: fall back to the in-school comparison)."""
        return self.status == "ok"

    @property
    def synthetic(self) -> bool:
        """Whether the answer is a synthetic stand-in."""
        return bool(self.provenance.get("synthetic"))

    def estimation_panel(self) -> pd.DataFrame:
        """Return the balanced long panel the estimator gets: kept units only, imputed cells filled.

        Columns ``unit``, ``year``, ``rate_pct``, ``treated`` (0/1), ``n_cohort``.
        """
        d = self.cells[self.cells["donor_kept"] | self.cells["pilot"]]
        return d[["unit", "year", "rate_pct", "treated", "n_cohort"]].assign(
            treated=d["treated"].astype(int)).reset_index(drop=True)

    def coverage(self) -> dict[str, Any]:
        """Count what the chapter and the evidence rating state: campuses, donors kept and dropped, cells missing."""
        c = self.cells
        units = c.drop_duplicates("unit")
        donors = units[~units["pilot"]]
        kept = int(donors["donor_kept"].sum())
        kept_cells = c[c["donor_kept"] | c["pilot"]]
        return {
            "status": self.status, "programme": self.programme, "definition": self.definition,
            "threshold": self.threshold, "n_campuses": int(len(units)), "n_pilot": int(units["pilot"].sum()),
            "n_donors": int(len(donors)), "n_donors_kept": kept, "n_donors_dropped": int(len(donors) - kept),
            "n_cells": int(len(c)), "n_cells_missing": int(c["missing"].sum()),
            "n_cells_imputed": int(kept_cells["imputed"].sum()),
            "share_observed": float(1 - kept_cells["missing"].mean()) if len(kept_cells) else float("nan"),
            "first_year": int(c["year"].min()) if len(c) else None,
            "last_year": int(c["year"].max()) if len(c) else None,
            "treatment_year": self.treatment_year, "synthetic": self.synthetic,
        }

    def summary(self) -> str:
        """Say in one English sentence what the panel holds and what was left out (or why there is none)."""
        if not self.available:
            return self.message
        c = self.coverage()
        label = " (**SYNTHETIC**)" if self.synthetic else ""
        return (f"Answer: `{self.provenance.get('file', '')}`{label}. {c['n_campuses']} {self.programme} campuses, "
                f"{c['n_pilot']} of them the school's pilot campuses (treated from {c['treatment_year']}); of "
                f"{c['n_donors']} donor campuses {c['n_donors_dropped']} were dropped for more than "
                f"{100 * self.threshold:g} % missing start years and {c['n_donors_kept']} kept; {c['n_cells_missing']} "
                f"of {c['n_cells']} campus-years are missing, {c['n_cells_imputed']} of them filled in kept or pilot "
                "campuses.")

    @property
    def dropped(self) -> list[str]:
        """The donor campuses dropped for too many missing years."""
        u = self.cells.drop_duplicates("unit")
        return list(u.loc[~u["pilot"] & ~u["donor_kept"], "unit"])


def _absent(status: PanelStatus, message: str, programme: str, definition: str, threshold: float,
            provenance: dict[str, Any] | None = None) -> CampusPanel:
    return CampusPanel(status=status, message=message, programme=programme, definition=definition,
                       threshold=threshold, provenance=provenance or {})


def build_panel(counts: pd.DataFrame, campuses: pd.DataFrame, school: str, programme: str = "SSA",
                definition: str = "incl_switch", max_missing_share: float = 0.15,
                file: str = "answer") -> tuple[pd.DataFrame, int | None]:
    """Campus × year cells from campus-level counts (:func:`school_counts` with ``by=("Afdeling",)``).

    Returns the cells (:data:`CELL_COLUMNS`) and the treatment year (``None`` without a pilot campus).

    Raises
    ------
    InputError
        An afdeling of ``school`` that ``campuses`` does not name (nor as an alias); pilot campuses with
        different pilot start years (the synthetic comparison needs one start, a block design).
    """
    if not 0 <= max_missing_share < 1:
        raise InputError(Problem("config", f"key 'donor_max_missing_share' must lie in [0, 1), got "
                                           f"{max_missing_share!r}"))
    col = outcome_definition(definition).count_column
    d = counts[counts["programme"] == programme]
    lookup = campus_lookup(campuses)
    info = campuses.set_index("campus")
    campus_file = str(campuses.attrs.get("file", "the campus table"))
    problems = []
    own = d["institution"] == school
    names = []
    for campus in d.loc[own, COL_CAMPUS].unique():
        if key(str(campus)) not in lookup:
            problems.append(Problem(file, f"{school}'s afdeling '{campus}' is not in {campus_file} (nor an alias "
                                          "there): add it (pilot yes/no) so that it is a pilot or a donor"))
        names.append(str(campus))
    if problems:
        raise InputError(problems)
    starts = {lookup[key(c)]: str(info.at[lookup[key(c)], "pilot_start"]) for c in names
              if bool(info.at[lookup[key(c)], "pilot"])}
    years_start = sorted({int(s[:4]) for s in starts.values() if s})
    if len(years_start) > 1:
        raise InputError(Problem(campus_file, f"the pilot campuses start in different years ({years_start}); the "
                                              "synthetic comparison needs one start year (a block design)",
                                 column="pilot_start"))
    treatment_year = years_start[0] if years_start else None
    d = d.assign(campus=[lookup[key(str(c))] if inst == school else str(c)
                         for inst, c in zip(d["institution"], d[COL_CAMPUS], strict=True)])
    d = d.assign(unit=d["institution"].astype(str) + " / " + d["campus"].astype(str))
    years = sorted(int(y) for y in d["year"].unique())
    units = d.drop_duplicates("unit")[["unit", "institution", "campus"]]
    grid = units.merge(pd.DataFrame({"year": years}), how="cross")
    obs = d[["unit", "year", "n_cohort", col]].rename(columns={col: "n_dropout"})
    obs = obs.assign(year=obs["year"].astype(int))
    cells = grid.merge(obs, on=["unit", "year"], how="left")
    n = cells["n_cohort"].astype("Float64")
    y = cells["n_dropout"].astype("Float64")
    cells["missing"] = (n.isna() | y.isna() | (n <= 0)).fillna(True).astype(bool)
    cells["rate_pct"] = (100 * y / n).astype(float).where(~cells["missing"], np.nan)
    cells["own_school"] = cells["institution"] == school
    cells["pilot"] = cells["own_school"] & cells["campus"].map(
        lambda c: bool(info.at[c, "pilot"]) if c in info.index else False).astype(bool)
    cells["treated"] = cells["pilot"] & (cells["year"] >= (treatment_year if treatment_year else 10**6))
    share = cells.groupby("unit")["missing"].transform("mean")
    cells["donor_kept"] = ~cells["pilot"] & (share <= max_missing_share)
    # the estimator's fill of a missing cell of a kept unit: 1 student of the intake (0-2 possible)
    mean_n = n.groupby(cells["unit"]).transform("mean")
    fill_n = n.fillna(mean_n).astype(float)
    cells["imputed"] = cells["missing"] & (cells["donor_kept"] | cells["pilot"])
    fill = 100 * ((SUPPRESSED_BELOW - 1) / 2) / fill_n
    cells.loc[cells["imputed"], "rate_pct"] = fill[cells["imputed"]]
    cells["n_cohort"] = n.astype("Int64")
    cells["n_dropout"] = y.astype("Int64")
    cells["year"] = cells["year"].astype(int)
    return cells[list(CELL_COLUMNS)].sort_values(["unit", "year"]).reset_index(drop=True), treatment_year


def load_campus_panel(answer: str | os.PathLike, query: str | os.PathLike, school: str,
                      campuses_table: str | os.PathLike, programme: str = "SSA",
                      definition: str = "incl_switch", max_missing_share: float = 0.15) -> CampusPanel:
    """Read the stored campus-level answer and build the panel, or say plainly why it cannot be.

    Parameters
    ----------
    answer, query
        Config keys ``campus_answer`` (empty: none) and ``campus_query``.
    school
        Config key ``national_school``.
    campuses_table
        Config key ``campuses_table``: SOSU H's campuses, pilot flags and pilot starts.
    programme, definition
        The programme (SSA: the interventions') and the outcome definition.
    max_missing_share
        Config key ``donor_max_missing_share``.
    """
    if not str(answer) or not resolve(answer).is_file():
        what = f"'{answer}' does not exist" if str(answer) else "config key 'campus_answer' is empty"
        return _absent("missing", f"No campus-level national answer ({what}): the synthetic comparison with other "
                                  "schools' campuses cannot be made, and the evaluation falls back to the in-school "
                                  "comparison of SOSU H's own campuses.", programme, definition, max_missing_share)
    q = load_query(resolve(query), str(query))
    if COL_CAMPUS not in q.dimensions.values():
        return _absent("no_afdeling", f"The saved query {query} has no afdeling (campus) dimension mapped to "
                                      f"'{COL_CAMPUS}': the synthetic comparison needs campus-level numbers, and the "
                                      "evaluation falls back to the in-school comparison.", programme, definition,
                       max_missing_share)
    layout = convert.replay(resolve(answer), q, str(answer))
    prov = convert.provenance(resolve(answer))
    if layout.empty or (layout[COL_CAMPUS].astype(str).str.strip() == "").all():
        return _absent("no_afdeling", f"The answer {answer} holds no afdeling (campus) values: the synthetic "
                                      "comparison needs campus-level numbers, and the evaluation falls back to the "
                                      "in-school comparison.", programme, definition, max_missing_share, prov)
    counts = school_counts(layout, str(answer), by=(COL_CAMPUS,))
    if school not in set(counts["institution"]):
        raise InputError(Problem(str(answer), f"no institution named {school!r} (config key national_school)"))
    campuses = read_campuses(resolve(campuses_table), str(campuses_table))
    cells, year = build_panel(counts, campuses, school, programme, definition, max_missing_share, str(answer))
    panel = CampusPanel("ok", "", cells, programme, definition, max_missing_share, prov, year)
    if year is None:
        panel.status, panel.message = "missing", ("The campus-level answer has no pilot campus of the school; the "
                                                  "evaluation falls back to the in-school comparison.")
    return panel
