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
from ..definitions import SYNTHETIC_WATERMARK, outcome
from ..paths import resolve


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
                f"{truth:+.1f} percentage points" if truth is not None and seed is not None
                else "labelled synthetic (no generator record beside it, so its true effect is unknown)")
        return Markdown(
            "<div style='border:3px solid #C00000;padding:0.6em;background:#FDECEA'>"
            f"<b>{SYNTHETIC_WATERMARK}</b><br>The student data <code>{os.path.basename(self.source)}</code> are "
            f"{made}. The numbers below demonstrate the method and say nothing about the school.{warn}</div>")


def extract_as_of(extract: pd.DataFrame, synthetic: dict | None, extract_date: str = "") -> pd.Timestamp | None:
    """Return the date the extract was taken, for deciding whose status at a horizon is known yet.

    ``extract_date`` (YYYY-MM-DD) when given. Otherwise a synthetic extract
    made by the project's generator is complete at every horizon (``None``),
    and any other extract is taken to be as of its latest start or exit date:
    students whose horizon falls after it have no status yet and are left
    out at that horizon, rather than counted as still in progress.
    """
    if extract_date:
        return pd.Timestamp(extract_date)
    if synthetic and synthetic.get("generator"):
        return None
    dates = pd.concat([pd.to_datetime(extract["start_date"]), pd.to_datetime(extract["exit_date"])])
    return dates.max()


def load_students(students_file: str, campuses_table: str, horizons: list[int],
                  extract_date: str = "") -> StudentData:
    """Read and check the student data and derive its status at each horizon.

    ``students_file`` is either a student extract (one row per main-course
    start) or campus-level aggregates (counts by programme × campus × intake
    × horizon), told apart by the header. Aggregates are turned into the same
    campus × intake cells the estimators use; since they are counts of
    students, the small-cell rule applies to them as to the extract.
    """
    from dataclasses import replace

    from ..did.data import as_cells
    from .validation import detect_kind

    path = resolve(students_file)
    camp = students.read_campuses(resolve(campuses_table), display_name=campuses_table)
    if detect_kind(path, students_file).name == "campus_aggregates":
        aggregates = students.read_aggregates(path, campuses=camp, display_name=students_file)
        by_h: dict[int, Any] = {int(h): replace(as_cells(students.cell_table(aggregates, camp, horizon_months=int(h))),
                                student_level=True) for h in horizons}
        n = int(by_h[int(horizons[0])].table["n"].sum())
        checked = by_h[int(horizons[0])].table
    else:
        from ..importer.provenance import import_record
        from ..students.spells import first_spells

        # one row per student and programme: the first main-course spell (a restart is not a new student)
        extract = first_spells(students.read_extract(path, campuses=camp, display_name=students_file))
        record = import_record(path)
        if not extract_date and record and record.get("extract_date"):
            extract_date = str(record["extract_date"])  # the date given at import (sosu-analysis import)
        as_of = extract_as_of(extract, students.synthetic_label(path), extract_date)
        by_h = {int(h): students.derive_columns(extract, camp, horizon_months=int(h), as_of=as_of)
                for h in horizons}
        n = len(extract)
        checked = extract
    return StudentData(by_horizon=by_h, synthetic=students.synthetic_label(path), n_students=n,
                       source=students_file, notes=students.programme_listing_warnings(checked, camp),
                       mismatches=students.programme_listing_mismatches(checked, camp))
