"""The appendix document (``rapport_bilag.html``): what was tested, every verdict with its method, tables, data.

Method words (CR2, Satterthwaite, frihedsgrader, Spiegelhalter, designeffekt) live here, not in the note.
"""

from __future__ import annotations

import math

import pandas as pd
from markupsafe import Markup

from ...danish import count, number, p_value, percent, span
from ...models.trend import SCHOOL
from .captions import SOURCE_DESIGN, SOURCE_GOALS, SOURCE_PUBLISHED
from .render import Section, para, subhead, table
from .results import Results
from .uncertainty import SCALE, SOURCE_DA, Evidence
from .verdicts import Verdicts
from .words import join, month_da, number_word

DEFINITION_DA = {"incl_switch": "inkl. omvalg", "excl_switch": "ekskl. omvalg"}


def tested_section(design: pd.DataFrame, campuses: pd.DataFrame) -> Section:
    """Hvad blev afprøvet? The interventions table, the comparison campuses and every marked assumption."""
    from ..interventions import assumptions_da, comparison_campuses, intervention_overview

    full = intervention_overview(design)
    overview = full.drop(columns=["Indsats"]).rename(columns={"Navn": "Indsats"})
    overview.insert(0, "Nr.", full["Indsats"])
    comparison = comparison_campuses(campuses)
    pilots = list(campuses.loc[campuses["pilot"].astype(bool), "campus"])
    blocks = [para(f"Fra {min(design['first_intake'])[:4]} afprøver SOSU H {number_word(len(full))} "
                   f"overgangsindsatser på SSA på {number_word(len(pilots))} afdelinger ({join(pilots)}). De øvrige "
                   f"afdelinger med SSA ({join(comparison)}) fortsætter som hidtil og er sammenligningsgrundlaget."),
              table(overview, "B1", "Indsatserne og de afdelinger, der afprøver dem", SOURCE_DESIGN)]
    assumptions = assumptions_da(campuses, design)
    if assumptions:
        blocks.append(subhead("Antagelser, der skal bekræftes"))
        blocks.append(Markup("<ul>{}</ul>").format(Markup("").join(Markup("<li>{}</li>").format(a)
                                                                   for a in assumptions)))
    return Section("afproevet", "Hvad blev afprøvet?", "blandet", blocks)


def _row(name: str, ev: Evidence, unit: str = "procentpoint") -> dict:
    finite = math.isfinite(ev.low) and math.isfinite(ev.high)
    return {"Vurdering": name, "Estimat": f"{number(ev.estimate, 2)} {unit}",
            "Interval": span(ev.low, ev.high, 2) if finite else "–", "p": p_value(ev.p),
            "Ord": SCALE[ev.strength], "Kilde": SOURCE_DA[ev.source], "Usikkerhed": ev.basis}


def verdicts_section(v: Verdicts, res: Results) -> Section:
    """Every verdict of the note with its estimate, interval, p-value, word and the interval it rests on."""
    rows = [_row(f"Tendens {'skolen samlet' if p == SCHOOL else p}", ev, "procentpoint pr. år")
            for p, ev in v.trend.items()]
    rows += [_row(f"Afstand til målet {p}", ev) for p, ev in v.goal.items()]
    rows += [_row(f"Indsatser, {DEFINITION_DA[d]}, {h} mdr.", ev) for (d, h), ev in v.pilot.items()]
    rows += [_row(f"Niveau mod landet {p}", ev) for p, ev in v.national_level.items()]
    rows += [_row(f"Udvikling mod de andre skoler {p}", ev, "log-odds pr. år") for p, ev in v.national_trend.items()]
    checks = [{"Test": f"Førtrend, {DEFINITION_DA[d]}: {c.what}", "p": p_value(c.p),
               "Slår ud": "ja" if c.flagged else "nej"} for d, cs in v.pretrend.items() for c in cs]
    checks.append({"Test": f"Overspredning mellem år (φ = {number(v.overdispersion.value, 2)})",
                   "p": p_value(v.overdispersion.p) if math.isfinite(v.overdispersion.p) else "–",
                   "Slår ud": "ja" if v.overdispersion.flagged else "nej"})
    checks += [{"Test": f"Tragtdiagram {p}: {c.what} (φ = {number(c.value, 2)})", "p": "–",
                "Slår ud": "ja" if c.flagged else "nej"} for p, c in v.funnel.items()]
    t = v.timing
    text = [
        "Én regel for usikkerhed (docs/decisions.md, issue 19). Intervallet er et Wald-interval, gjort bredere med "
        "√φ, hvor data viser overspredning: SOSU H's år (tendens, mål, udvikling mod de andre skoler) med φ fra "
        "skolens egne uddannelser samlet (tre års tal for én uddannelse giver kun én frihedsgrad); SOSU H's niveau "
        "mod de andre skoler med tragtdiagrammets φ (Spiegelhalter 2005: z/√φ); afdelingssammenligningen med "
        "klyngerobuste standardfejl (CR2) og Satterthwaites frihedsgrader.",
        f"Ordene følger p-værdien af dette interval: under {number(res.alpha / 5, 2)} »klart«, under "
        f"{number(res.alpha, 2)} »sandsynligvis«, under {number(2 * res.alpha, 2)} »tyder på«, ellers »kan ikke "
        "afgøres«. Et resultat fra syntetiske data får de samme ord med »I de syntetiske data« foran.",
        f"Mindste påviselige virkning og styrke (noncentral t) er fra den realiserede CR2-standardfejl ved "
        f"{t.horizon} måneder: {number(t.mde_now_pp)} procentpoint og {percent(100 * t.power_now, 0)} ved "
        f"{number(t.target_pp)} procentpoint; i det bedste tilfælde (ICC 0) {number(t.best_case_now_pp)} "
        f"procentpoint. Tidslinjen antager SSA-optag i de samme måneder som i data til og med "
        f"{month_da(t.last_intake)}.",
    ]
    return Section("vurderinger", "Alle vurderinger og deres metode", "blandet",
                   [para(x) for x in text]
                   + [table(pd.DataFrame(rows), "B2", "Vurderingerne i notatet", "Kilde: rapportens beregninger.",
                            css="tabel smal"),
                      table(pd.DataFrame(checks), "B3", "Alle kontroller, også dem, der slår ud",
                            "Kilde: kapitel 03, 04 og 07.", css="tabel smal")])


def rates_table(res: Results) -> pd.DataFrame:
    """Dropout by programme and year, both definitions, with intervals, as Danish text."""
    r = res["dropout_rates"]
    out = pd.DataFrame({
        "Uddannelse": r["programme"], "År": r["year"].astype(int).astype(str),
        "Frafald": r["outcome_definition"].map(DEFINITION_DA),
        "Andel": [percent(x) for x in r["pct"]],
        "Interval": [span(a, b, 1, "%") for a, b in zip(r["ci_low"], r["ci_high"], strict=True)],
        "Elever": [count(int(n)) for n in r["n_cohort"]],
    })
    order = {"inkl. omvalg": 0, "ekskl. omvalg": 1}
    return out.sort_values(["Frafald", "Uddannelse", "År"], key=lambda s: s.map(order) if s.name == "Frafald"
                           else s).reset_index(drop=True)


def dropout_start_pct(goals: pd.DataFrame) -> float:
    """Return the national dropout level the goal starts from, read from the goals table."""
    from ...readers.goals import DROPOUT_INDICATOR

    values = set(goals.loc[goals["indicator"] == DROPOUT_INDICATOR, "level_pct"])
    if len(values) != 1:
        raise ValueError(f"expected one national dropout level in the goals table, found {sorted(values)}")
    return float(values.pop())


def tables_section(res: Results, goals: pd.DataFrame, milestones: pd.DataFrame, figure: Markup) -> Section:
    """Return the public rates, the goals, the raw pilot rates and the milestones."""
    from ...readers.goals import DROPOUT_INDICATOR, dropout_goal_pct

    ctx = pd.DataFrame({"Mål": goals["indicator"], "Uddannelse": goals["programme"],
                        "Hvornår": [t if t else "–" for t in goals["timepoint"].fillna("")],
                        "Landsplan nu": [percent(x) if pd.notna(x) else "–" for x in goals["level_pct"]],
                        "Målet": [percent(x, 0) for x in goals["goal_pct"]]})
    agree = goals[goals["indicator"] != DROPOUT_INDICATOR]
    targets = "; ".join(f"{percent(g, 0)} i {t}" if t else percent(g, 0)
                        for t, g in agree.groupby("timepoint", sort=True)["goal_pct"].first().items())
    start, goal = percent(dropout_start_pct(goals), 0), percent(dropout_goal_pct(goals), 0)
    latest = milestones.groupby("intake")["known_from"].max()
    wide = milestones.pivot(index="intake", columns="horizon", values="known_from").sort_index()
    observed = milestones.groupby("intake")["observed"].first()
    ms = pd.DataFrame({"Optag": [month_da(i) for i in wide.index],
                       "I data": ["ja" if observed[i] else "nej (forventet)" for i in wide.index]})
    for h in wide.columns:
        ms[f"{int(h)} mdr. kendt"] = [month_da(x) for x in wide[h]]
    del latest
    return Section("andele", "Tabeller", "blandet", [
        table(rates_table(res), "B4", "Frafald pr. uddannelse og år", SOURCE_PUBLISHED,
              f"Andel afbrudt 3 måneder efter start, med {res.level}-interval (eleverne regnet som uafhængige)."),
        para(f"Danske SOSU-skoler har to slags mål: frafaldet på hovedforløbet skal ned fra {start} til {goal}, og "
             f"flere elever skal have en uddannelsesaftale tidligt på grundforløbet ({targets}). Projektet kan måle "
             "frafaldet, ikke uddannelsesaftalerne: elevudtrækket indeholder ikke, hvornår eleven fik sin aftale. "
             f"Strategiens {start} er ét tal for assistent og hjælper tilsammen."),
        table(ctx, "B5", "Danske SOSU-skolers mål og landsplan i dag", SOURCE_GOALS),
        figure,
        table(ms, "B6", "Hvornår resultaterne for pilotoptagene kendes", SOURCE_DESIGN,
              "Måneden, hvor status efter hver opgørelse er kendt for hvert optag fra pilotstart."),
    ])


def survey_appendix(survey: dict | None, index_table: pd.DataFrame | None) -> Section:
    """Return the survey's full text and its index table."""
    if survey is None:
        return Section("elevsvar-bilag", "Spørgeskemaet i detaljer", "blandet",
                       [para("Spørgeskemaet er ikke kørt i denne kørsel.")])
    blocks = [para(Markup("<b>{}</b> {}").format(p["heading"], p["text"]) if p["heading"] else p["text"])
              for p in survey["paragraphs"]]
    if index_table is not None:
        blocks.append(table(index_table, "B7", "Spørgeskemaets indeks pr. afdelingsgruppe og periode",
                            "Kilde: planens spørgeskemaer.", css="tabel smal"))
    return Section("elevsvar-bilag", "Spørgeskemaet i detaljer", "syntetisk" if survey.get("synthetic") else "elevdata",
                   blocks)


def data_section(files: pd.DataFrame, sources: pd.DataFrame, versions: pd.DataFrame, commit: str) -> Section:
    """Return data files with checksums, public sources, package versions and the code version."""
    return Section("data", "Datagrundlag og versioner", "blandet", [
        para("Hver datafil har en kontrolsum (SHA-256): den samme fil giver altid den samme sum. Konfigurationen "
             "ligger som config.yaml sammen med rapporten."),
        table(files, "B8", "Datafiler og kontrolsummer", "Kilde: projektets datamappe.", css="filer"),
        table(sources, "B9", "Offentlige kilder, kreditering og hentedato", "Kilde: oplysningerne om de hentede "
              "tal.", css="tabel kilder"),
        table(versions, "B10", "Programversioner", "Kilde: det installerede programmiljø.",
              f"Git-version af kode, konfiguration og data: {commit}."),
    ])
