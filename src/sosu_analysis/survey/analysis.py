"""One call for the chapter: read the inputs, score, and build every result table.

:func:`analyse` is what ``notebooks/09_survey.ipynb`` calls; the result
(:class:`SurveyResults`) feeds the figures (:mod:`.plots`) and the Danish
report section (:func:`~sosu_analysis.reporting.survey.section.report_section`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pandas as pd

from ..definitions import SYNTHETIC_WATERMARK
from ..paths import resolve
from ..students import derive_columns, read_campuses, read_extract, read_interventions
from . import tables
from .estimate import METHOD
from .items import read_items
from .reader import read_survey
from .scoring import add_design, respondent_scores


@dataclass
class SurveyResults:
    """Everything the chapter and the report section show (all tables privacy-checked)."""

    source: str
    synthetic: dict | None
    programme: str
    alpha: float
    items: pd.DataFrame
    n_respondents: int
    n_answers: int
    campuses: list[str]
    waves: list[str]
    #: group × period (waves pooled), every measure
    by_group: pd.DataFrame
    #: group × period × wave
    by_wave: pd.DataFrame
    #: intervention × wave at the pilot campuses from the pilot start
    by_intervention: pd.DataFrame
    contrasts: pd.DataFrame
    response: pd.DataFrame
    spu: pd.DataFrame
    spu_item: str | None
    association_points: pd.DataFrame
    association: dict
    method: str = METHOD
    #: cells with 1-4 respondents, found before the tables were made (suppressed; the run went on)
    notes: list[str] = field(default_factory=list)

    @property
    def watermark(self) -> str | None:
        """The synthetic-data watermark for figures, or ``None`` for real data."""
        return SYNTHETIC_WATERMARK if self.synthetic else None

    def banner(self):
        """Markdown banner: SYNTETISKE DATA for a synthetic survey, the source otherwise."""
        from IPython.display import Markdown

        name = os.path.basename(self.source)
        notes = "".join(f"\n\n**Bemærk:** {note}" for note in self.notes)
        if not self.synthetic:
            return Markdown(f"Data: the survey file `{name}` ({self.n_respondents} respondents, "
                            f"{self.n_answers} answers).{notes}")
        seed = self.synthetic.get("seed")
        return Markdown(
            "<div style='border:3px solid #C00000;padding:0.6em;background:#FDECEA'>"
            f"<b>{SYNTHETIC_WATERMARK}</b><br>The survey <code>{name}</code> is synthetic"
            f"{f' (seed {seed})' if seed is not None else ''}: drawn from the synthetic student extract and "
            "calibrated to seed 003's numbers. It demonstrates the method and says nothing about the school.</div>"
            + notes)


def analyse(survey_file: str, survey_items: str, campuses_table: str, interventions_table: str,
            students_file: str, programme: str = "SSA", alpha: float = 0.05,
            association_measure: str = "") -> SurveyResults:
    """Read, check, score and summarise a survey.

    Parameters
    ----------
    survey_file, survey_items, campuses_table, interventions_table, students_file : str
        Paths (relative to the project root or absolute).
    programme : str
        Programme analysed (the interventions cover SSA).
    alpha : float
        1 - confidence level.
    association_measure : str
        Measure related to dropout; default: the index of the SPU-comparable
        item, else the first index.

    Returns
    -------
    SurveyResults
    """
    camp = read_campuses(resolve(campuses_table), display_name=campuses_table)
    items = read_items(resolve(survey_items), display_name=survey_items)
    ivs = read_interventions(resolve(interventions_table), camp, display_name=interventions_table)
    survey = read_survey(resolve(survey_file), items, camp, ivs, display_name=survey_file)
    synthetic = survey.attrs.get("synthetic")
    survey = survey[survey["programme"] == programme]
    if survey.empty:
        raise ValueError(f"{survey_file}: no answers for programme {programme}")
    scores = add_design(respondent_scores(survey, items), camp)
    notes = tables.small_cell_notes(scores)  # up front: small cells are suppressed and said so, the run goes on
    by_group = tables.summary_table(scores, ["group", "period"], alpha)
    by_wave = tables.secondary_suppression(tables.summary_table(scores, ["group", "period", "wave"], alpha),
                                           ["group", "period", "kind", "index", "measure"])
    treated = scores[(scores["pilot"] == 1) & (scores["period"] == "post")]
    by_iv = tables.summary_table(treated.assign(intervention=treated["intervention"].replace("", "(ingen angivet)")),
                                 ["wave", "intervention"], alpha)
    if not by_iv.empty:
        by_iv = tables.secondary_suppression(by_iv, ["wave", "kind", "index", "measure"])
    contrasts = tables.contrast_table(scores, alpha)
    extract = read_extract(resolve(students_file), camp, display_name=students_file)
    students = derive_columns(extract, camp, horizon_months=3)
    response = tables.response_rates(scores, students, programme)
    spu_rows = items.loc[items["spu_comparable"], "item"]
    spu_item = str(spu_rows.iloc[0]) if len(spu_rows) else None
    spu = tables.spu_table(by_group, spu_item)
    indices = list(dict.fromkeys(items["index"]))
    if not association_measure:
        association_measure = (str(items.loc[items["item"] == spu_item, "index"].iloc[0]) if spu_item
                               else indices[0])
    points, fit = tables.dropout_association(scores, students, association_measure, programme, alpha)
    return SurveyResults(
        source=survey_file, synthetic=synthetic, programme=programme, alpha=alpha,
        items=items, n_respondents=int(survey["respondent_id"].nunique()),
        n_answers=int(survey["answer"].notna().sum()),
        campuses=sorted(survey["campus"].unique()), waves=sorted(survey["wave"].unique()), by_group=by_group,
        by_wave=by_wave, by_intervention=by_iv, contrasts=contrasts, response=response, spu=spu, spu_item=spu_item,
        association_points=points, association=fit, notes=notes)
