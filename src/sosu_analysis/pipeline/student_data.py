"""The student data of the campus comparison, loaded once for notebooks 04 and 05.

The extract is read and validated once, its status derived at every horizon,
and its synthetic label looked up, so a notebook can state plainly whether
its numbers describe the school or a synthetic stand-in.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .. import students
from ..danish import number_en
from ..definitions import SYNTHETIC_WATERMARK, outcome


@dataclass
class StudentData:
    """The extract at each horizon, and what is known about where it came from."""

    #: student-level frame (extract) or :class:`~sosu_analysis.did.data.Cells` (aggregates), by horizon
    by_horizon: dict
    synthetic: dict | None
    n_students: int
    source: str
    #: warnings on the student data the numbers are shown with (campus table vs. data, see
    #: :func:`sosu_analysis.students.programme_listing_warnings`)
    notes: list[str] = field(default_factory=list)
    #: the same disagreements, structured (for the lead's report, which words them in Danish)
    mismatches: list = field(default_factory=list)
    #: the date the extract is read as of (``None``: every status observed) and where it came from
    #: (:data:`sosu_analysis.pipeline.study.DATE_SOURCES`)
    as_of: pd.Timestamp | None = None
    date_source: str = ""

    @property
    def main(self) -> pd.DataFrame:
        """The data at the main horizon (the first of ``horizons``)."""
        return self.by_horizon[next(iter(self.by_horizon))]

    @property
    def watermark(self) -> str | None:
        """The watermark for figures: the synthetic label, or ``None`` for real data."""
        return SYNTHETIC_WATERMARK if self.synthetic else None

    def true_effect_pp(self, horizon: int, definition: str) -> float | None:
        """Return the effect built into a synthetic extract (``None`` for real data or when unknown)."""
        if not self.synthetic:
            return None
        effects = self.synthetic.get("true_effect_pp", {}).get(str(horizon), {})
        return effects.get(outcome(definition).student_column)

    def banner(self):
        """Show a Markdown banner: SYNTETISKE DATA for a synthetic extract, the source otherwise."""
        from IPython.display import Markdown

        unobserved = {h: d.attrs.get("n_unobserved", 0) for h, d in self.by_horizon.items()
                      if isinstance(d, pd.DataFrame) and d.attrs.get("n_unobserved", 0)}
        from ..privacy import MIN_CELL, shown_count

        parts = []
        # a total next to 1-4 left out would give them away through the tables' totals: then no total
        if not any(0 < n < MIN_CELL for n in unobserved.values()):
            parts.append(f"{shown_count(self.n_students)} main-course starts")
        if unobserved:
            parts.append("not yet past the horizon, so left out there: "
                         + ", ".join(f"{shown_count(n)} at {h} months" for h, n in unobserved.items()))
        import html

        warn = "".join(f"<br><b>Warning:</b> {html.escape(n)}." for n in self.notes)
        if not self.synthetic:
            return Markdown(f"Data: the student extract `{os.path.basename(self.source)}` "
                            f"({'; '.join(parts)}).{warn}")
        truth, seed = self.synthetic.get("effect_pp"), self.synthetic.get("seed")
        made = (f"synthetic (seed {seed}), calibrated to the published Table 1, with a built-in true effect of "
                f"{number_en(truth, 1, sign=True)} percentage points" if truth is not None and seed is not None
                else "labelled synthetic (no generator record beside it, so its true effect is unknown)")
        return Markdown(
            "<div style='border:3px solid #C00000;padding:0.6em;background:#FDECEA'>"
            f"<b>{SYNTHETIC_WATERMARK}</b><br>The student data <code>{os.path.basename(self.source)}</code> are "
            f"{made}. The numbers below demonstrate the method and say nothing about the school.{warn}</div>")


def load_students(students_file: str, campuses_table: str, horizons: list[int],
                  extract_date: str = "", study_data: str = "") -> StudentData:
    """Return the student data at each horizon, from the run's study data (one set of rules).

    The students, their first spells and the extract date (with its source)
    are decided once, in :func:`sosu_analysis.pipeline.study.build_study`; the
    run hands the object it checked to the notebooks as ``study_data`` (see
    :func:`sosu_analysis.pipeline.study.load_study`), so the run log, the
    design check and the notebooks count the same students as of the same
    date. ``students_file`` is either a student extract (one row per
    main-course start) or campus-level aggregates (counts by programme ×
    campus × intake × horizon). Aggregates are turned into the same campus ×
    intake cells the estimators use; since they are counts of students, the
    small-cell rule applies to them as to the extract.
    """
    from .study import load_study

    return from_study(load_study(students_file, campuses_table, extract_date, study_data), horizons)


def from_study(study, horizons: list[int]) -> StudentData:
    """Return the notebooks' view of a :class:`~sosu_analysis.pipeline.study.StudyData` at ``horizons``."""
    from dataclasses import replace

    from ..did.data import as_cells

    camp = study.campuses
    by_h: dict[int, Any]
    if study.extract is None:
        by_h = {int(h): replace(as_cells(study.cells(int(h))), student_level=True) for h in horizons}
        n = int(by_h[int(horizons[0])].table["n"].sum())
        checked = by_h[int(horizons[0])].table
    else:
        by_h = {int(h): students.derive_columns(study.extract, camp, horizon_months=int(h), as_of=study.as_of)
                for h in horizons}
        n = study.n_students
        checked = study.extract
    return StudentData(by_horizon=by_h, synthetic=study.synthetic, n_students=n, source=study.students_file,
                       notes=students.programme_listing_warnings(checked, camp),
                       mismatches=students.programme_listing_mismatches(checked, camp),
                       as_of=study.as_of, date_source=study.date_source)
