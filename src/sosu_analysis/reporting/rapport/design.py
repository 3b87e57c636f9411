"""The note's design section (issue 18) and "Hvad siger eleverne" (issue 21) as :class:`~.render.Section` objects.

``design``: the pilot's strongest design, its verdict and evidence rating, the effect in students, the
cost and the design that answers soonest; ``interviews``: what the students say (the joint display).

The texts come from :mod:`sosu_analysis.reporting.design_section` and
:mod:`sosu_analysis.reporting.interviews_section`; the verdict of the design takes its words from
:meth:`~.uncertainty.Evidence.says` (the one scale), so the consistency check reads it. Where the
strongest design is the in-school comparison, its verdict and detectable effect are the very
:class:`~.uncertainty.Evidence` and quantity of the note's first section and timeline; another design's
are keyed by the design's name (``pilot:national_sdid``, ``mde:national_sdid``), so the two are never
read as one quantity stated twice.
"""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from ...danish import points
from .. import design_section as ds
from .answers import Decision
from .render import Section, link, para, table
from .uncertainty import Evidence, Source, strength
from .verdicts import Verdicts
from .words import month_da

#: the appendix the note links to
APPENDIX = "rapport_bilag.html"

#: chapter 11's contracted tables the note reads
TABLES = ("design_panel", "design_sdid", "design_first", "design_evidence", "design_students", "design_advisor")
FIGURE_TITLE = "Hvornår hvert design kan se den søgte virkning"
SECTION_TITLE = "Hvilket design kan se den søgte virkning, og hvornår?"
NOTE_ADVISOR = ("Den mindste virkning, hvert design kan påvise, måned for måned; under den vandrette linje kan "
                "designet se den søgte virkning.")
SOURCE_DESIGN = "Skolens elevdata og de andre SOSU-skolers afdelinger (kapitel 11)"
#: the sdid estimator whose estimate is the national design's verdict (chapter 11's main estimator)
SDID_ESTIMATOR = "sdid"


def _pp(x: float) -> str:
    return points(abs(x)).replace(" ", "\u00a0")


def design_verdict(v: Verdicts, design: str, sdid: pd.DataFrame, source: Source) -> Evidence:
    """Return the verdict of ``design``: the in-school comparison's own Evidence, or the synthetic DiD's estimate."""
    if design != "national_sdid":
        return v.main_pilot()
    r = sdid[sdid["estimator"] == SDID_ESTIMATOR]
    if len(r) != 1:
        raise ValueError(f"design_sdid has no single row for the estimator {SDID_ESTIMATOR!r}")
    row = r.iloc[0]
    p = float(row["p_value"])
    return Evidence(f"pilot:{design}:{v.timing.horizon}", float(row["estimate_pp"]), float(row["ci_low_pp"]),
                    float(row["ci_high_pp"]), p, strength(p, v.alpha), source,
                    "syntetisk difference-in-differences, placebo-standardfejl")


def alt_advisor(first: pd.DataFrame) -> str:
    """Alt text of the advisor figure: each design's first month that sees the target (``design_first``)."""
    parts = []
    for _, r in first.iterrows():
        when = month_da(str(r["first_date"])) if r["first_date"] else "ikke i perioden"
        parts.append(f"{ds.DESIGN_SHORT_DA.get(str(r['design']), str(r['design']))}, {int(r['horizon'])} mdr.: {when}")
    return "Mindste påviselige virkning pr. måned for hvert design. Første måned, der ser den søgte virkning: " + \
        "; ".join(parts) + "."


def _strongest(v: Verdicts, tables: dict[str, pd.DataFrame]) -> tuple[str, Evidence, int]:
    """Chapter 11's strongest design (code), its verdict on the one scale and its 0-5 evidence rating."""
    panel = tables["design_panel"]
    synthetic = v.synthetic or bool(len(panel) and panel["synthetic"].astype(bool).any())
    source: Source = "syntetisk" if synthetic else "elevdata"
    best = ds.strongest(tables["design_evidence"])
    name = str(best["design"])
    return name, design_verdict(v, name, tables["design_sdid"], source), int(best["rating"])


def best_design(v: Verdicts, tables: dict[str, pd.DataFrame]) -> tuple[str, Evidence, int]:
    """Return the strongest design by its short Danish name, its verdict and its evidence rating.

    What answer (a) leads with (:func:`.answers.answer_pilot`); the design section states the same
    :class:`~.uncertainty.Evidence`, so the consistency check sees one verdict.
    """
    name, ev, rating = _strongest(v, tables)
    return ds.DESIGN_SHORT_DA[name], ev, rating


def design_section(v: Verdicts, tables: dict[str, pd.DataFrame] | None, did: pd.DataFrame, until: str) -> Section:
    """"Hvilket design bygger vurderingen på?": the strongest design, its verdict, rating, students, cost, soonest.

    ``tables`` are chapter 11's contracted tables (``design_evidence``, ``design_sdid``, ``design_first``,
    ``design_students``, ``design_panel``); ``until`` is the last month of the note's timeline
    (:attr:`sosu_analysis.did.timeline.Timing.until`), the window the soonest design is sought in.
    """
    if tables is None:
        return Section("design", "Hvilket design bygger vurderingen på?", v.pilot_source, [para(
            "Kapitel 11 (designene) er ikke kørt i denne kørsel, så vurderingen bygger alene på sammenligningen "
            "af skolens egne afdelinger.")])
    name, ev, _ = _strongest(v, tables)
    source = ev.source
    evidence, sdid = tables["design_evidence"], tables["design_sdid"]
    lower = ev.estimate < 0
    clause = (f"frafaldet efter {v.timing.horizon} måneder med dette design var {_pp(ev.estimate)} "
              f"{'lavere' if lower else 'højere'} på pilotafdelingerne end ventet")
    lines = ds.verdict_lines(evidence, sdid, did, False, short=True)
    blocks = [para(lines[0]), para(Markup("{}. {}").format(ev.says(clause), lines[1]))]
    students = tables["design_students"]
    own = students[students["source"] == name]
    effect = ""
    if len(own):
        r = own.iloc[0]
        effect = f"Det er {ds.students_sentence(float(r['effect_pp']), int(r['n_students']), float(r['avoided']))}. "
    designs = tuple(ds.DESIGN_SHORT_DA.values())  # students_lines: one line per design, then the goal and the cost
    # the goal in students is in the appendix (the note's goal section has the goal)
    rest = [line for line in ds.students_lines(students, v.alpha) if not line.startswith((*designs, "Målet"))]
    blocks.append(para(Markup("{}{} Alle designs og hvornår de kan se virkningen: {}.").format(
        effect, " ".join(rest), link(APPENDIX + "#design-bilag", "bilaget"))))
    return Section("design", "Hvilket design bygger vurderingen på?", source, blocks)


def soonest_decision(tables: dict[str, pd.DataFrame] | None, until: str, synthetic: bool) -> list[Decision]:
    """Return the recommendation naming the design that answers soonest, dated by ``design_first`` (issue 18).

    ``until`` is the last month of the note's timeline (the window); no design within it: the
    recommendation says so, dated at ``until``.
    """
    from ...did.design import soonest

    if tables is None:
        return []
    first = tables["design_first"]
    best = soonest(first)
    note = " Beregnet på syntetiske data." if synthetic else ""
    if best is None:
        return [Decision("justér", ds.soonest_sentence(first, until), "Ingen af designene kan afgøre det i perioden."
                         + note, "Projektgruppen", until, month_da(until))]
    when = str(best["first_date"])
    name = ds.DESIGN_SHORT_DA[str(best["design"])].lower()
    return [Decision("justér", f"Planlæg vurderingen af indsatserne med designet {name}.",
                     ds.soonest_sentence(first, until) + note, "Projektgruppen", when, month_da(when))]


def interviews_section(section) -> Section:
    """"Hvad siger eleverne": chapter 10's section (:func:`interviews_section.load_section`), short, in the note.

    The note has the agreement of the two sources and the evaluator's caveat; the joint display, the material
    and the quoting rules are in the appendix (:func:`interviews_appendix`), to keep the note within 8 pages.
    ``section`` is ``None`` when chapter 10 did not run; the note then says so.
    """
    from ..interviews_section import TITLE

    if section is None:
        return Section("interviews", TITLE, "blandet", [para("Gruppeinterviewene er ikke kørt i denne kørsel.")])
    blocks = [para(Markup("{} Tabel, citater og forbehold: {}.").format(
        section.paragraphs[0], link(APPENDIX + "#interviews-bilag", "bilaget")))]
    return Section("interviews", TITLE, _source(section), blocks)


def interviews_appendix(section) -> Section:
    """Return the appendix's part of "Hvad siger eleverne": material, the survey's limits, quotes, joint display."""
    from ..interviews_section import TITLE

    if section is None:
        return Section("interviews-bilag", TITLE, "blandet", [para("Gruppeinterviewene er ikke kørt i denne kørsel.")])
    blocks = [para(p) for p in section.paragraphs[1:]]
    blocks.append(table(section.table, "B12", "Spørgeskema og interviews side om side pr. kriterium (joint display)",
                        "Gruppeinterviews og spørgeskema (kapitel 10)", css="tabel joint"))
    return Section("interviews-bilag", TITLE, _source(section), blocks)


def design_appendix(tables: dict[str, pd.DataFrame] | None, figure: Markup | None) -> Section:
    """"Hvilket design kan se den søgte virkning, og hvornår?": the advisor's figure and table (``design_first``)."""
    if tables is None:
        return Section("design-bilag", SECTION_TITLE, "blandet", [para("Kapitel 11 (designene) er ikke kørt.")])
    panel = tables["design_panel"]
    synthetic = bool(len(panel) and panel["synthetic"].astype(bool).any())
    blocks = [para(ds.donors_sentence(panel)), para(" ".join(
                  line for line in ds.students_lines(tables["design_students"])
                  if line.startswith((*ds.DESIGN_SHORT_DA.values(), "Målet")))),
              figure if figure is not None else Markup(""),
              table(ds.advisor_table_da(tables["design_first"]), "B11", FIGURE_TITLE, SOURCE_DESIGN)]
    return Section("design-bilag", SECTION_TITLE, "syntetisk" if synthetic else "elevdata", blocks)


def _source(section) -> Source:
    return "syntetisk" if bool(section.synthetic) else "elevdata"
