"""Figure captions, alt texts and source lines of the report (every number from the results)."""

from __future__ import annotations

import pandas as pd

from ...danish import number, percent, points
from ...definitions import OUTCOME_LABEL_DA, PROGRAMMES
from ...did.timeline import Timing
from .results import POWER, Results, did_row
from .words import join, month_da

SOURCE_PUBLISHED = "Kilde: uddannelsesstatistik.dk (Børne- og Undervisningsministeriet), status 3 måneder efter start."
SOURCE_GOALS = "Kilde: Danske SOSU-skolers strategi (mål for frafald og uddannelsesaftaler)."
SOURCE_DESIGN = "Kilde: SOSU H's opfølgningsplan for overgangsindsatserne og projektets tabel over afdelingerne."


def _pp(x: float) -> str:
    return points(abs(x)).replace(" ", "\u00a0")


def source_students(res: Results) -> str:
    """Return the *Kilde:* line of a figure made from the student data."""
    if res.synthetic:
        return "Kilde: syntetisk elevudtræk (ikke rigtige elever), lavet til at ligne ministeriets tal."
    return "Kilde: SOSU H's elevudtræk."


def alt_trend(res: Results) -> str:
    """Alt text of the trend figure, with the numbers it shows."""
    t = res["table1"]
    parts = []
    for prog in PROGRAMMES:
        d = t[t["programme"] == prog].sort_values("year")
        if len(d):
            parts.append(f"{prog}: " + join([f"{percent(v)} i {int(y)}" for y, v in
                                             zip(d["year"], d["pct_dropout_total"], strict=True)]))
    return ("Punktdiagram over frafald inkl. og ekskl. omvalg pr. år for SSA, SSH og PAU med usikkerhed og målet "
            "som vandret streg. Frafald inkl. omvalg: " + "; ".join(parts) + ".")


def note_trend(res: Results, goal_pct: float, start_pct: float) -> str:
    """Caption of the trend figure."""
    return (f"Punkter: hvert års andel. Linje og skygge: tendensen med {res.level}-interval, gjort bredere, fordi "
            "årene svinger mere, end tilfældigheder alene giver. Stiplet linje: Danske SOSU-skolers mål for SSA og "
            f"SSH på {percent(goal_pct, 0)} (fra {percent(start_pct, 0)} på landsplan).")


def alt_pilot_effect(res: Results) -> str:
    """Alt text of the estimates figure."""
    parts = []
    for h in res.horizons:
        for d in OUTCOME_LABEL_DA:
            r = did_row(res, d, h)
            parts.append(f"{h} måneder, {OUTCOME_LABEL_DA[d]}: {number(r['att_pp'])} procentpoint "
                         f"(fra {number(r['ci_low_pp'])} til {number(r['ci_high_pp'])})")
    return ("Diagram over forskellen i frafald mellem pilot- og øvrige afdelinger i procentpoint med usikkerhed og "
            "en lodret nullinje. " + "; ".join(parts) + ".")


def note_pilot_effect(res: Results) -> str:
    """Caption of the estimates figure."""
    return (f"Punkt: forskellen mellem pilotafdelingernes udvikling og de øvrige afdelingers. Streg: "
            f"{res.level}-interval. Til venstre for nullinjen er frafaldet lavere på pilotafdelingerne; en streg over "
            "nullinjen betyder, at det ikke kan afgøres.")


def alt_pilot_rates(res: Results) -> str:
    """Alt text of the raw rates figure."""
    r = res["did_rates_2x2"]
    parts = []
    for _, row in r[r["outcome_definition"] == "incl_switch"].iterrows():
        if str(row["suppressed"]).lower() == "true" or pd.isna(row["rate_pct"]):
            continue
        parts.append(f"{'pilotafdelinger' if row['group'] == 'pilot' else 'øvrige afdelinger'} "
                     f"{'før' if row['period'] == 'pre' else 'fra'} pilotstart: {percent(row['rate_pct'])}")
    return ("Diagram over frafaldet på SSA før og fra pilotstart på pilot- og øvrige afdelinger med usikkerhed, "
            "akse fra nul. Inkl. omvalg: " + "; ".join(parts) + ".")


def note_pilot_rates(res: Results) -> str:
    """Caption of the raw rates figure: no comparison group in a before/after rise, and intervals too narrow."""
    return ("Stigningen før/efter på pilotafdelingerne alene siger intet om indsatserne: uden de øvrige "
            "afdelingers udvikling som sammenligning kan den skyldes alt andet, der skete samtidig. Lodrette "
            f"streger: {res.level}-interval med eleverne regnet som uafhængige; den reelle usikkerhed er større.")


def alt_timeline(when: Timing) -> str:
    """Alt text of the timeline figure."""
    lines = [f"{h} måneder: " + (f"tidligst {month_da(m)}" if m else
                                  f"ikke med optagene til og med {month_da(when.last_intake)} (mindst "
                                  f"{_pp(when.mde_end.get(h, float('nan')))} til den tid)")
             for h, m in when.first_month.items()]
    return ("Kurver over den mindste virkning, der kan påvises, i procentpoint over tid, én for hver opgørelse, og "
            f"en vandret linje ved den ønskede virkning på {_pp(when.target_pp)}. " + "; ".join(lines) + ".")


def note_timeline() -> str:
    """Caption of the timeline figure."""
    return ("Hver kurve falder, når resultatet for endnu et pilotoptag bliver kendt (punkterne). Beregnet ud fra "
            f"den usikkerhed, vurderingen faktisk fik, og {percent(100 * POWER, 0)} sandsynlighed for at påvise "
            "virkningen; kommende optag antages at ligne de hidtidige.")
