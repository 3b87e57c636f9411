"""Checks of the student data and the campus design before any notebook starts.

:func:`check_students` reads and validates the student data of a run once
(extract or campus aggregates, with the run's campus table and extract date),
counts it into the campus × intake cells at every configured horizon, and
checks the preconditions of the campus comparison on those cells (see
:func:`design_problems`). A run whose data cannot support the comparison stops
here with exit code 2 and a message that says what the data lack, instead of
a crash inside notebook 04 or 05.

The student data are read once, by :func:`sosu_analysis.pipeline.study.build_study`
(first spells, the extract date and its source); the same
:class:`~sosu_analysis.pipeline.study.StudyData` is handed to the notebooks, so the
design check and the analysis count the same students as of the same date.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..danish import number_en
from ..errors import InputError, Problem
from .study import StudyData

#: the notebooks of the campus comparison and what each needs
COMPARISON_NOTEBOOKS = ("04_pilot_vs_nonpilot", "05_power")
#: fewest campuses for the analytic power of notebook 05 (a t test with G - 2 df)
MIN_CAMPUSES_POWER = 3
#: fewest SSA intakes before the pilot start for the placebo test of notebook 04
MIN_PRE_INTAKES_PLACEBO = 2


@dataclass
class StudentCheck:
    """What :func:`check_students` found out about the student data of a run."""

    kind: str
    #: the validated extract, first spells (``None`` for aggregates)
    extract: pd.DataFrame | None
    #: cells (SSA and the other programmes) by horizon
    cells: dict[int, pd.DataFrame]
    #: the date the extract is read as of (``None``: complete synthetic data, or aggregates)
    as_of: pd.Timestamp | None
    #: True when ``as_of`` was inferred from the extract's latest date (no ``extract_date`` in the config)
    inferred: bool
    #: what the report will leave out or show with a caveat (not fatal)
    notes: list[str] = field(default_factory=list)
    #: disagreements between the campus table and the data that the run goes on with (see
    #: :func:`programme_listing_warnings`)
    warnings: list[str] = field(default_factory=list)
    #: the study data the notebooks receive (the same students, the same date)
    study: StudyData | None = None


def check_students(students_file: str, campuses_table: str, horizons: list[int], extract_date: str,
                   notebooks: list[str], alpha: float, root: Path, config_file: str) -> StudentCheck:
    """Read and validate the student data once, and check the design of the campus comparison.

    Raises
    ------
    InputError
        For bad data (file, row and column) and for a design the comparison
        cannot be run on (what the data lack, and the config key to change).
    """
    from .. import students
    from .study import build_study

    study = build_study(students_file, campuses_table, extract_date, root)
    campuses, kind, extract, as_of = study.campuses, study.kind, study.extract, study.as_of
    cells: dict[int, pd.DataFrame] = {}
    if kind == "campus_aggregates":
        agg = study.aggregates
        assert agg is not None
        have = sorted(set(int(h) for h in agg["horizon_months"]))
        missing = [h for h in horizons if h not in have]
        if missing:
            raise InputError(Problem(config_file, f"key 'horizons': the aggregates {students_file} have no counts "
                                                  f"at {', '.join(map(str, missing))} months (they have "
                                                  f"{', '.join(map(str, have))}); remove those horizons or add "
                                                  "the counts"))
    for h in horizons:
        cells[h] = study.cells(h)
    listed = students.programme_listing_warnings(extract if extract is not None else cells[horizons[0]], campuses)
    fatal, notes = design_problems(cells, campuses, horizons, notebooks, alpha, as_of)
    if fatal:
        leave = ", ".join(n for n in COMPARISON_NOTEBOOKS if n in notebooks) or "the comparison notebooks"
        raise InputError([Problem(students_file, f"the campus comparison cannot be run: {msg}. Nothing was run; "
                                                 f"the notebooks {leave} and the report's section on the "
                                                 "interventions need it (remove them from the config key "
                                                 "'notebooks' to run the rest)") for msg in fatal])
    return StudentCheck(kind=kind, extract=extract, cells=cells, as_of=as_of, inferred=study.inferred, notes=notes,
                        warnings=listed, study=study)


def _start_vector(cells: pd.DataFrame, campuses: pd.DataFrame) -> np.ndarray:
    """Pilot start per campus with students in ``cells`` (``inf``: comparison campus), as randomized."""
    start = {c: str(s) for c, p, s in zip(campuses["campus"], campuses["pilot"], campuses["pilot_start"], strict=True)
             if p and s}
    codes = {s: i for i, s in enumerate(sorted(set(start.values())))}
    return np.array([float(codes[start[c]]) if c in start else np.inf for c in sorted(cells["campus"].unique())])


def design_problems(cells: dict[int, pd.DataFrame], campuses: pd.DataFrame, horizons: list[int],
                    notebooks: list[str], alpha: float, as_of: pd.Timestamp | None = None,
                    programme: str = "SSA") -> tuple[list[str], list[str]]:
    """Preconditions of the campus comparison, checked on the cell tables.

    Returns ``(fatal, notes)``: what makes the comparison impossible (the run
    stops), and what the report leaves out or shows with a caveat.

    Notes
    -----
    Fatal, at the main (first) horizon: fewer than two campuses with
    ``programme`` students; no pilot campus or no comparison campus among
    them; no intake before the earliest pilot start, or no treated intake
    (a pilot campus from its start); fewer than
    :data:`MIN_PRE_INTAKES_PLACEBO` pre-period intakes when notebook 04 runs
    (its placebo test); fewer than :data:`MIN_CAMPUSES_POWER` campuses when
    notebook 05 runs (the analytic power uses G - 2 df). At every other
    horizon: no treated or no pre-period intake observed yet by the extract
    date. Notes: randomization inference with so few assignments that its
    smallest p-value exceeds ``alpha``; a wild bootstrap over fewer than
    five campuses.
    """
    from ..did.randomization import smallest_attainable_p  # the campus comparison's core: loaded when needed

    fatal: list[str] = []
    notes: list[str] = []
    starts = [s for p, s in zip(campuses["pilot"], campuses["pilot_start"], strict=True) if p and s]
    first_start = min(starts) if starts else None
    when = f" by the extract date {as_of.date().isoformat()}" if as_of is not None else ""
    for i, h in enumerate(horizons):
        c = cells[h]
        c = c[(c["programme"] == programme) & (c["n"] > 0)]
        if i == 0:
            g = c["campus"].nunique()
            g1 = c.loc[c["pilot"] == 1, "campus"].nunique()
            if g < 2:
                fatal.append(f"the data have {programme} students at {g} campus{'es' if g != 1 else ''}; a "
                             "comparison of pilot and comparison campuses needs at least two")
                return fatal, notes
            if g1 == 0:
                fatal.append(f"no pilot campus (pilot = yes in {campuses.attrs.get('file', 'the campus table')}) has "
                             f"{programme} students in the data")
            if g1 == g:
                fatal.append(f"every campus with {programme} students is a pilot campus: there is no comparison "
                             "campus")
            if fatal:
                return fatal, notes
            pre = sorted(set(c.loc[c["intake"] < first_start, "intake"])) if first_start else []
            if not pre:
                fatal.append(f"no {programme} intake before the first pilot start {first_start}: the difference "
                             "in differences needs intakes before and after")
            if not (c["pilot_post"] == 1).any():
                fatal.append(f"no {programme} intake at a pilot campus from its pilot start on{when}: nothing "
                             "treated to compare")
            if fatal:
                return fatal, notes
            if "04_pilot_vs_nonpilot" in notebooks and len(pre) < MIN_PRE_INTAKES_PLACEBO:
                fatal.append(f"only {len(pre)} {programme} intake before the pilot start; the placebo test of "
                             f"04_pilot_vs_nonpilot needs at least {MIN_PRE_INTAKES_PLACEBO}")
            if "05_power" in notebooks and g < MIN_CAMPUSES_POWER:
                fatal.append(f"only {g} campuses with {programme} students; the power analysis of 05_power "
                             f"needs at least {MIN_CAMPUSES_POWER}")
            k = math.comb(g, g1)
            min_p = smallest_attainable_p(_start_vector(c, campuses))
            if min_p > alpha:
                notes.append(f"randomization inference has only {k} assignments of {g1} pilot campuses among {g}, "
                             f"so its p-value is at least {number_en(min_p, 3)} and can never fall below alpha = "
                             f"{alpha}; the report shows it as uninformative at this size")
            if g < 5:
                notes.append(f"with {g} campuses the wild cluster bootstrap has only 6^{g} = {6 ** g} weight "
                             "patterns; its p-values are coarse")
        else:
            if not (c["pilot_post"] == 1).any():
                fatal.append(f"at {h} months no treated {programme} intake has reached the horizon{when}; remove "
                             f"{h} from the config key 'horizons' or use a later extract")
            elif first_start is not None and not (c["intake"] < first_start).any():
                fatal.append(f"at {h} months no {programme} intake before the pilot start is observed{when}; "
                             f"remove {h} from the config key 'horizons'")
    return fatal, notes
