"""The first screen: three answers and the decisions, from the :class:`~.verdicts.Verdicts` only.

(a) Virker indsatserne? (b) Stiger frafaldet? — for SSA, SSH, PAU and the school; (c) Er vi på vej mod
målet? — on track or not, the direction and, at the current pace, when the goal would be reached.
The colour of a card is the strength of the evidence on the one scale (grey: cannot be decided), never
good or bad news.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup

from ...danish import number, p_value, percent, points
from ...definitions import GOAL_DEFINITION
from ...did.timeline import month_label
from ...models.trend import SCHOOL
from .uncertainty import SCALE, SOURCE_DA, Evidence, Source, mark, mark_value
from .verdicts import Verdicts, years_word
from .words import capital, join, month_da, number_word

#: what the card's colour says, by strength on the one scale
VERDICT_DA = {"klart": "Klart svar", "sandsynligvis": "Sandsynligt", "tyder": "Tallene tyder på det",
              "uafklaret": "Kan ikke afgøres"}
PROGRAMME_NAME = {SCHOOL: "Skolen samlet"}


@dataclass(frozen=True)
class Answer:
    """One of the lead's three questions, answered with a verdict on the one scale and its source class."""

    key: str
    question: str
    lines: list[Markup]
    strength: str
    source: Source
    why: Markup

    @property
    def verdict(self) -> str:
        """The card's verdict in words."""
        return VERDICT_DA[self.strength]

    @property
    def source_da(self) -> str:
        """The card's source class in words."""
        return SOURCE_DA[self.source]


def _pp(x: float) -> str:
    return points(abs(x)).replace(" ", "\u00a0")


def _direction(ev: Evidence, subject: str) -> str:
    return f"{subject} {'steg' if ev.estimate > 0 else 'faldt'}"


def answer_pilot(v: Verdicts, best: tuple[str, Evidence, int] | None = None) -> Answer:
    """Answer (a) *Virker indsatserne?* The main estimate on the scale, and what the design can and cannot show.

    ``best``: the strongest design of chapter 11 (its short Danish name, its verdict and its 0-5 evidence
    rating, :func:`.design.best_design`). When it is not the in-school comparison, the answer leads with it,
    names it and carries its rating (issue 18); the in-school comparison's own verdict follows.
    """
    ev = v.main_pilot()
    h = v.timing.horizon
    lower = ev.estimate < 0
    clause = (f"frafaldet efter {h} måneder var {_pp(ev.estimate)} {'lavere' if lower else 'højere'} på "
              "pilotafdelingerne end ventet")
    lines = [ev.says(clause, f"om indsatserne {'sænkede' if lower else 'hævede'} frafaldet: det var "
                             f"{_pp(ev.estimate)} {'lavere' if lower else 'højere'} efter {h} måneder") + "."]
    school = ev
    floor = (f"med {number_word(v.n_pilot)} mod {number_word(v.n_campuses - v.n_pilot)} afdelinger kan "
             f"randomiseringstesten aldrig give p under {number(school.floor, 3)}") if school.floor >= v.alpha else ""
    if best is not None and best[1].quantity != ev.quantity:
        name, bev, rating = best
        low = bev.estimate < 0
        lead = Markup("Med {} som sammenligning (evidens {} af 5): {}.").format(
            name.lower(), rating, bev.says(f"frafaldet var {_pp(bev.estimate)} {'lavere' if low else 'højere'} på "
                                           "pilotafdelingerne end ventet"))
        # the in-school comparison in one line: its own verdict on the scale, and why it cannot settle it
        own = mark(school, f"{_pp(school.estimate)} {'lavere' if school.estimate < 0 else 'højere'}, "
                           f"{SCALE[school.strength]} ({p_value(school.p)})")
        caveats = join([c for c in ("afdelingerne udviklede sig ikke ens før start" if v.pretrend_flagged else "",
                                    floor) if c])
        lines = [lead, Markup("Skolens egne afdelinger alene: {}{}.").format(
            own, Markup("; {}").format(caveats) if caveats else "")]
        return Answer("indsatser", "Virker indsatserne?", lines, bev.strength, bev.source, Markup(""))
    why = []
    if v.pretrend_flagged:
        why.append("Afdelingerne udviklede sig ikke ens før start.")
    if floor:
        why.append(capital(floor) + ", heller ikke med flere optag.")
    return Answer("indsatser", "Virker indsatserne?", lines, ev.strength, ev.source, Markup(" ").join(why))


def answer_trend(v: Verdicts) -> Answer:
    """(b) *Stiger frafaldet?* SSA, SSH, PAU and the whole school, each on the scale."""
    lines = []
    for prog, ev in v.trend.items():
        r = v.trend_rows[prog]
        change = "stigningen" if ev.estimate > 0 else "faldet"
        said = {"klart": f"{change} er klar", "sandsynligvis": f"{change} er sandsynlig",
                "tyder": f"tallene tyder på {'en stigning' if ev.estimate > 0 else 'et fald'}",
                "uafklaret": f"{change} kan ikke afgøres"}[ev.strength]
        lines.append(Markup("<b>{}</b>: {} → {}: {}").format(
            PROGRAMME_NAME.get(prog, prog), percent(r["pct_first"]), percent(r["pct_last"]), mark(ev, said)))
    strongest = min(v.trend.values(), key=lambda e: e.p)
    years = f"{int(v.trend_rows[SCHOOL]['first_year'])}–{int(v.trend_rows[SCHOOL]['last_year'])}"
    why = Markup("Frafald inkl. omvalg {}; tre år med store udsving.").format(years)
    return Answer("tendens", "Stiger frafaldet?", lines, strongest.strength, "offentlig", why)


def answer_goal(v: Verdicts) -> Answer:
    """(c) *Er vi på vej mod målet?* On track or not, the direction and when at the current pace."""
    lines = []
    for prog, ev in v.goal.items():
        pace = v.pace[prog]
        where = "under" if pace.below else "over"
        said = {"klart": f"klart {where} målet", "sandsynligvis": f"sandsynligvis {where} målet",
                "tyder": f"tallene tyder på {where} målet", "uafklaret": "over eller under målet kan ikke afgøres"
                }[ev.strength]
        if pace.crossing_year is None:
            when = ("frafaldet stiger, så målet nås ikke i det nuværende tempo" if not pace.below else
                    "i det nuværende tempo holder det sig under målet")
        elif pace.below:
            when = ("frafaldet stiger og vil i det nuværende tempo nå over målet omkring "
                    f"{years_word(pace.crossing_year)}")
        else:
            when = f"frafaldet falder og når i det nuværende tempo målet omkring {years_word(pace.crossing_year)}"
        track = {(True, False): "på sporet", (True, True): "under målet nu, men på vej op",
                 (False, False): "på vej mod målet", (False, True): "ikke på sporet"}[(pace.below, pace.rising)]
        lines.append(Markup("<b>{}</b>: {} i {} ({}). {}: {}.").format(
            prog, percent(pace.rate_pct), pace.year, mark(ev, said), capital(track), when))
    strongest = min(v.goal.values(), key=lambda e: e.p) if v.goal else None
    why = Markup("Målet er {}. Tempoet er trendens og kun en pejling.").format(
        percent(next(iter(v.pace.values())).goal_pct, 0) if v.pace else "–")
    return Answer("maal", "Er vi på vej mod målet?", lines, strongest.strength if strongest else "uafklaret",
                  "offentlig", why)


def answers(v: Verdicts, best: tuple[str, Evidence, int] | None = None) -> list[Answer]:
    """Return the three answers in the lead's order: (a) interventions, (b) trend, (c) goal."""
    return [answer_pilot(v, best), answer_trend(v), answer_goal(v)]


# ---- decisions ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Decision:
    """One recommendation: what to do (continue/adjust/stop), why, who, and the dated decision point."""

    action: str  # "fortsæt", "justér", "stop"
    what: str
    why: str
    who: str
    when: str  # YYYY-MM of the decision point
    when_da: str


def decisions(v: Verdicts, comparison: list[str], report_month: str) -> list[Decision]:
    """Return the recommendations, each a choice with a reason and a dated decision point, in time order.

    The campus comparison cannot decide with these campuses (the randomization floor and the detectable
    effect say so), so the choice is made between the ways that can: the one the report picks is the
    staggered start on the comparison campuses when there are any (it turns them into evidence and is
    the only step that gives more campuses); the 3-month status stays the verdict's horizon because the
    timeline shows it detects the most (the longest horizon is not chosen just because it is longer).
    """
    t = v.timing
    nxt = next((m for m in t.planned if m > report_month), None)
    out: list[Decision] = []
    if v.synthetic:
        out.append(Decision("justér", "Kør analysen på skolens rigtige elevudtræk.",
                            "Indsatsernes virkning er her syntetisk.",
                            "Projektlederen og skolens dataansvarlige", nxt or report_month,
                            f"før SSA-optaget i {month_da(nxt)}" if nxt else "snarest"))
    out.append(Decision("justér", "Bekræft antagelserne om afdelinger og pilotstart.",
                        "Sammenligningen bygger på dem.", "Projektlederen", nxt or report_month,
                        f"før SSA-optaget i {month_da(nxt)}" if nxt else "snarest"))
    best_h = min(t.mde_end, key=lambda h: t.mde_end[h] if math.isfinite(t.mde_end[h]) else math.inf)
    reachable = t.reachable
    if reachable:
        h, m = min(reachable.items(), key=lambda kv: (kv[1], kv[0]))
        out.append(Decision("fortsæt",
                            f"Fortsæt indsatserne, og indfør dem ikke på {join(comparison)} før {month_da(m)}.",
                            f"Så kan en virkning på {_pp(t.target_pp)} påvises med status efter {h} måneder.",
                            "Uddannelseslederne", m, month_da(m)))
    elif comparison and nxt:
        out.append(Decision(
            "justér", f"Indfør indsatserne trinvis på {join(comparison)}, én afdeling ad gangen fra SSA-optaget i "
                      f"{month_da(nxt)}.",
            f"{_pp(t.target_pp)} kan ikke påvises med de nuværende afdelinger; en trinvis start giver nye "
            "sammenligninger.", "Projektlederen og uddannelseslederne", nxt, f"beslut før {month_da(nxt)}"))
    month = month_label(_month_index(nxt or report_month) + best_h)
    out.append(Decision(
        "fortsæt", "Notér for hvert optag, hvem der deltog, og hvornår eleverne fik uddannelsesaftale.",
        "Ellers kan indsatserne ikke skilles ad.", "Kontaktlærere og oplæringsvejledere",
        nxt or report_month, f"fra SSA-optaget i {month_da(nxt)}" if nxt else "fra næste optag"))
    out.append(Decision(
        "stop" if v.main_pilot().estimate > 0 and v.main_pilot().decided else "fortsæt",
        f"Tag stilling til at fortsætte, justere eller stoppe, når status efter {best_h} måneder for det næste "
        "optag kendes.",
        f"Den opgørelse påviser den mindste virkning ({_pp(t.mde_end[best_h])})." if math.isfinite(t.mde_end[best_h])
        else "Den opgørelse er hovedresultatet.", "Projektgruppen", month, month_da(month)))
    return sorted(out, key=lambda d: d.when)


def _month_index(label: str) -> int:
    from ...did.timeline import month_index

    return month_index(label)


def mde_text(v: Verdicts) -> Markup:
    """Return the detectable effect now, marked as the one quantity it is (quoted in several places)."""
    x = v.timing.mde_now_pp
    return mark_value(f"mde:{v.timing.horizon}", _pp(x) if math.isfinite(x) else "(ikke beregnet)", v.pilot_source)


def power_text(v: Verdicts) -> Markup:
    """Return the power at the hoped-for effect now, marked as the one quantity it is."""
    x = v.timing.power_now
    return mark_value(f"styrke:{v.timing.horizon}", percent(100 * x, 0) if math.isfinite(x) else "(ikke beregnet)",
                      v.pilot_source)


__all__ = ["GOAL_DEFINITION", "Answer", "Decision", "answers", "decisions", "mde_text", "power_text"]
