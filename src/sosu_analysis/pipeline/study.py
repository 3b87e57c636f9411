"""The study data of a run, built once: the one place that decides which students and which date.

:func:`build_study` reads and validates the student data (extract or campus
aggregates) with the campus table (the pilot campuses and their intervention
starts), keeps each student's first main-course spell, and decides the date
the extract is read as of, recording where that date came from. The run's
precheck (:mod:`sosu_analysis.pipeline.precheck`) checks the design on it, the
run log states it (:meth:`StudyData.describe`), and the notebooks receive the
same object (:func:`write_handoff` into the run's private folder, the path as
the notebook parameter ``study_data``; :func:`load_study` reads it back), so
the design check, the log and the analysis count the same students as of the
same date.

The extract date, in this order (:data:`DATE_SOURCES`):

1. ``config``: the config key ``extract_date`` (or ``--extract-date``);
2. ``import``: the date given to ``sosu-analysis import``, from the extract's
   import sidecar;
3. ``complete``: a synthetic extract made by the project's generator simulates
   every horizon, so every status is observed (no date);
4. ``inferred``: the latest start or exit date in the extract;
5. ``aggregates``: campus aggregates are counted by the school (no date).

A config date or an import date is also the upper bound of the extract's
dates when it is validated; otherwise no date may lie after today.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import InputError, Problem

#: where the extract date of a run can come from, in the order of precedence
DATE_SOURCES = ("config", "import", "complete", "inferred", "aggregates")
_DATE_SOURCE_TEXT = {
    "config": "from the config key extract_date",
    "import": "from the import record (sidecar) written by 'sosu-analysis import'",
    "complete": "none: a synthetic extract from the project's generator is complete at every horizon",
    "inferred": "inferred as the latest start or exit date in the extract (set extract_date in the config to "
                "the day the extract was taken)",
    "aggregates": "none: campus aggregates are counted by the school",
}
#: file name of the hand-off in the run's private folder (personal data: never in the output folder)
HANDOFF_NAME = "study.pickle"


@dataclass
class StudyData:
    """The validated student data of a run and every decision taken on it.

    Attributes
    ----------
    students_file, campuses_table : str
        As given in the config (shown in messages).
    kind : {"student_extract", "campus_aggregates"}
    campuses : DataFrame
        The campus table: campuses, aliases, pilot flags and intervention starts.
    extract : DataFrame or None
        The validated extract, one row per student and programme (the first
        main-course spell); ``None`` for aggregates.
    aggregates : DataFrame or None
        The validated campus aggregates; ``None`` for an extract.
    as_of : Timestamp or None
        The date the extract is read as of (``None``: every status observed).
    date_source : str
        One of :data:`DATE_SOURCES`.
    synthetic : dict or None
        The synthetic label (:func:`sosu_analysis.students.synthetic_label`).
    import_record : dict or None
        The import sidecar (:func:`sosu_analysis.importer.provenance.import_record`).
    n_later_spells : int
        Rows of the extract left out as later spells of a student already counted.
    fingerprint : dict
        What the hand-off was made from (file, size, mtime, campus table, date),
        checked when a notebook reads it back.
    """

    students_file: str
    campuses_table: str
    kind: str
    campuses: pd.DataFrame
    extract: pd.DataFrame | None
    aggregates: pd.DataFrame | None
    as_of: pd.Timestamp | None
    date_source: str
    synthetic: dict | None
    import_record: dict | None
    n_later_spells: int = 0
    fingerprint: dict = field(default_factory=dict)

    @property
    def n_students(self) -> int:
        """Students counted (first spells) for an extract; ``-1`` for aggregates (counted per horizon)."""
        return len(self.extract) if self.extract is not None else -1

    @property
    def inferred(self) -> bool:
        """True when the extract date was inferred from the data."""
        return self.date_source == "inferred"

    def cells(self, horizon: int) -> pd.DataFrame:
        """Return the campus × intake × programme cell table at ``horizon`` months."""
        from ..students import cell_table

        data = self.extract if self.extract is not None else self.aggregates
        assert data is not None  # an extract or aggregates, by construction
        return cell_table(data, self.campuses, horizon_months=int(horizon),
                          as_of=self.as_of if self.extract is not None else None)

    def describe(self) -> list[str]:
        """Lines for the run log: exactly the students and the date the notebooks use."""
        if self.extract is None:
            return [f"student data: campus aggregates {self.students_file}; extract date: "
                    f"{_DATE_SOURCE_TEXT['aggregates']}"]
        from ..privacy import shown_count

        later = (f"; {shown_count(self.n_later_spells)} later spells of the same students left out "
                 "(first main-course spell per student and programme)" if self.n_later_spells else "")
        day = self.as_of.date().isoformat() if self.as_of is not None else ""
        date = f"{day}, {_DATE_SOURCE_TEXT[self.date_source]}" if day else _DATE_SOURCE_TEXT[self.date_source]
        return [f"student data: {shown_count(self.n_students)} main-course starts in {self.students_file}{later}",
                f"extract date: {date}"]


def _fingerprint(path: Path, campuses: pd.DataFrame, extract_date: str) -> dict:
    st = path.stat()
    return {"source": str(path.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns,
            "campuses": hashlib.sha256(campuses.to_csv(index=False).encode("utf-8")).hexdigest(),
            "extract_date": extract_date or ""}


def build_study(students_file: str, campuses_table: str, extract_date: str = "",
                root: str | os.PathLike | None = None) -> StudyData:
    """Read and validate the student data once and decide its extract date (see module Notes).

    Raises
    ------
    InputError
        Bad data (file, row and column), a sidecar that does not parse, or a
        file that is neither a student extract nor campus aggregates.
    """
    from .. import students
    from ..importer.provenance import import_record
    from ..paths import resolve
    from ..readers.validation import detect_kind
    from ..students.extract import sidecar_path
    from ..students.spells import first_spells

    path = resolve(students_file, root)
    campuses = students.read_campuses(resolve(campuses_table, root), display_name=campuses_table)
    kind = detect_kind(path, students_file).name
    synthetic = students.synthetic_label(path)
    record = import_record(path)
    fp = _fingerprint(path, campuses, extract_date)
    if kind == "campus_aggregates":
        agg = students.read_aggregates(path, campuses=campuses, display_name=students_file)
        return StudyData(students_file, campuses_table, kind, campuses, None, agg, None, "aggregates", synthetic,
                         record, 0, fp)
    if kind != "student_extract":
        raise InputError(Problem(students_file, f"is a {kind} table, not a student extract or campus aggregates "
                                                f"(config key students_file, or --students)"))
    if extract_date:
        date, source = extract_date, "config"
    elif record and record.get("extract_date"):
        date, source = str(record["extract_date"]), "import"
    else:
        date, source = "", ""
    if date:
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            raise InputError(Problem(str(sidecar_path(path)), "the import record's extract_date is not a "
                                                                       "date (YYYY-MM-DD)")) from None
    full = students.read_extract(path, campuses=campuses, display_name=students_file, extract_date=date or None)
    extract = first_spells(full)
    as_of: pd.Timestamp | None
    if date:
        as_of = pd.Timestamp(date)
    elif synthetic and synthetic.get("generator"):
        as_of, source = None, "complete"
    else:
        as_of = pd.Timestamp(pd.concat([extract["start_date"], extract["exit_date"]]).max())
        source = "inferred"
    return StudyData(students_file, campuses_table, kind, campuses, extract, None, as_of, source, synthetic, record,
                     int(extract.attrs.get("n_later_spells", 0)), fp)


def write_handoff(study: StudyData, folder: str | os.PathLike) -> Path:
    """Write the study data into the run's private ``folder``; return the path for the notebook parameter.

    ``folder`` must be private (:func:`sosu_analysis.atomic.private_tempdir`): it
    holds personal data and never goes into the output folder. The file is read
    back only by :func:`load_study` of the same run (a pickle, never from
    elsewhere).
    """
    path = Path(folder) / HANDOFF_NAME
    with open(path, "wb") as fh:
        pickle.dump(study, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def load_study(students_file: str, campuses_table: str, extract_date: str = "", study_data: str = "",
               root: str | os.PathLike | None = None) -> StudyData:
    """Return the run's study data (``study_data``: the hand-off of :func:`write_handoff`), else build it.

    The hand-off serves only when it was made from the same student file
    (path, size, modification time), campus table and extract date; otherwise
    (a notebook run by hand, or with other parameters) the data are built
    anew by :func:`build_study`, with the same rules.
    """
    if study_data and Path(study_data).is_file():
        from .. import students
        from ..paths import resolve

        with open(study_data, "rb") as fh:
            study = pickle.load(fh)  # noqa: S301 - written by this run into its private folder
        path = resolve(students_file, root)
        campuses = students.read_campuses(resolve(campuses_table, root), display_name=campuses_table)
        if isinstance(study, StudyData) and path.is_file() and study.fingerprint == _fingerprint(
                path, campuses, extract_date):
            return study
    return build_study(students_file, campuses_table, extract_date, root)
