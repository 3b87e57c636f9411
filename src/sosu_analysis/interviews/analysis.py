"""One call for the chapter: read and check the interview inputs, and build every result table.

:func:`load_interviews` reads the register, the codebook, the QDA export
(through its mapping) and the stop-list of names, each checked against the
others and against the campus, interventions and survey item tables; it is
what the pipeline runs before any notebook (:func:`sosu_analysis.pipeline.run.validate_inputs`).
:func:`analyse` adds the theme counts, the quotes and the joint display.
Typed tables only: the Danish words are in
:mod:`sosu_analysis.reporting.interviews_section`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from ..paths import resolve
from ..privacy import suppress_small_cells
from ..students import read_campuses, read_interventions
from ..survey.items import read_items
from .codebook import read_codebook
from .joint import joint_display
from .qda import read_export, read_mapping
from .quotes import MIN_CAMPUS_INTERVIEWS, MIN_PARTICIPANTS, read_names, select_quotes
from .register import read_register
from .themes import _order, theme_counts


@dataclass
class InterviewInputs:
    """The checked inputs."""

    register: pd.DataFrame
    codebook: pd.DataFrame
    segments: pd.DataFrame
    names: list[str]
    campuses: pd.DataFrame
    tool: str
    register_file: str = ""
    export_file: str = ""

    @property
    def synthetic(self) -> bool:
        """True when the register or the export is a synthetic stand-in."""
        return bool(self.register.attrs.get("synthetic") or self.segments.attrs.get("synthetic"))


@dataclass
class InterviewResults:
    """Every table the chapter and the report section show (typed; no prose)."""

    synthetic: bool
    tool: str
    register_file: str
    export_file: str
    n_interviews: int
    n_campuses: int
    #: group × period: interviews, campuses, participants (small counts blanked), quotable interviews
    overview: pd.DataFrame
    #: theme × group × period
    themes: pd.DataFrame
    #: theme × group × wave
    themes_by_wave: pd.DataFrame
    quotes: pd.DataFrame
    joint: pd.DataFrame
    survey_available: bool
    min_participants: int = MIN_PARTICIPANTS
    min_campus_interviews: int = MIN_CAMPUS_INTERVIEWS

    def provenance(self) -> pd.DataFrame:
        """One row: which files, which tool, synthetic or not, and the quoting thresholds (``interview_provenance``)."""
        return pd.DataFrame([{"register": os.path.basename(self.register_file),
                              "export": os.path.basename(self.export_file), "tool": self.tool,
                              "synthetic": self.synthetic, "n_interviews": self.n_interviews,
                              "n_campuses": self.n_campuses, "min_participants": self.min_participants,
                              "min_campus_interviews": self.min_campus_interviews,
                              "survey_available": self.survey_available}])

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every contracted table of chapter 10, by name."""
        return {"interview_provenance": self.provenance(), "interview_overview": self.overview,
                "interview_themes": self.themes, "interview_themes_by_wave": self.themes_by_wave,
                "interview_quotes": self.quotes, "interview_joint_display": self.joint}


def load_interviews(interview_register: str, interview_codes: str, interview_export: str, interview_mapping: str,
                    interview_names: str, campuses_table: str, interventions_table: str = "data/raw/interventions.csv",
                    survey_items: str = "") -> InterviewInputs:
    """Read and cross-check every interview input (paths relative to the project root or absolute).

    Raises
    ------
    sosu_analysis.errors.InputError
        File, row and column of each problem; no segment text in any message.
    """
    campuses = read_campuses(resolve(campuses_table), display_name=campuses_table)
    interventions = read_interventions(resolve(interventions_table), campuses, display_name=interventions_table)
    measures = None
    if survey_items:
        items = read_items(resolve(survey_items), display_name=survey_items)
        measures = list(dict.fromkeys([*items["index"], *items["item"]]))
    register = read_register(resolve(interview_register), campuses, interventions, display_name=interview_register)
    codebook = read_codebook(resolve(interview_codes), measures, display_name=interview_codes)
    mapping = read_mapping(resolve(interview_mapping), display_name=interview_mapping)
    segments = read_export(resolve(interview_export), mapping, register, codebook, display_name=interview_export)
    names = read_names(resolve(interview_names), display_name=interview_names) if interview_names else []
    return InterviewInputs(register=register, codebook=codebook, segments=segments, names=names, campuses=campuses,
                           tool=mapping["tool"], register_file=interview_register, export_file=interview_export)


def overview(register: pd.DataFrame) -> pd.DataFrame:
    """Interviews, campuses, participants and quotable interviews per group × period.

    Participants are students: a total of 1-4 is blanked (``suppressed``),
    the project's small-cell rule (:func:`sosu_analysis.privacy.suppress_small_cells`).
    """
    reg = register.assign(quotable=register["quotes_approved"] & (register["participants"] >= MIN_PARTICIPANTS))
    out = reg.groupby(["group", "period"], sort=False).agg(
        n_interviews=("interview_id", "nunique"), n_campuses=("campus", "nunique"),
        n_participants=("participants", "sum"), n_quotable=("quotable", "sum")).reset_index()
    out = out.astype({"n_interviews": "int64", "n_campuses": "int64", "n_participants": "int64",
                      "n_quotable": "int64"})
    out = suppress_small_cells(out, ["n_participants"])
    return _order(out, ["group", "period"])


def analyse(inputs: InterviewInputs, survey_contrasts: pd.DataFrame | None, per_theme: int = 2) -> InterviewResults:
    """Theme counts, quotes and the joint display from checked inputs and chapter 09's contrasts."""
    reg, seg, book = inputs.register, inputs.segments, inputs.codebook
    quotes = select_quotes(seg, reg, inputs.names, inputs.campuses, per_theme=per_theme)
    return InterviewResults(
        synthetic=inputs.synthetic, tool=inputs.tool, register_file=inputs.register_file,
        export_file=inputs.export_file, n_interviews=int(reg["interview_id"].nunique()),
        n_campuses=int(reg["campus"].nunique()), overview=overview(reg),
        themes=theme_counts(seg, reg, "theme", ("group", "period"), book),
        themes_by_wave=theme_counts(seg, reg, "theme", ("group", "wave"), book),
        quotes=quotes, joint=joint_display(seg, reg, book, quotes, survey_contrasts),
        survey_available=survey_contrasts is not None)
