"""The sections of the decision note, in Danish, from the :class:`~.verdicts.Verdicts` and the tables.

Every verdict word comes from :meth:`~.uncertainty.Evidence.says` (the one scale); numbers are
formatted by :mod:`sosu_analysis.danish`. Method words (CR2, frihedsgrader, Kish) are in the appendix
(:mod:`.appendix`), not here.
"""

from __future__ import annotations

import math

import pandas as pd
from markupsafe import Markup

from ...danish import number, p_value, percent, points
from ...definitions import GOAL_DEFINITION, OUTCOME_LABEL_DA
from ...did.event_study import last_pre_step
from ...did.timeline import Timing
from ...models.trend import SCHOOL
from .answers import mde_text, power_text
from .render import Section, items, link, para, subhead
from .results import Results
from .uncertainty import SCALE, Evidence, mark
from .verdicts import Verdicts, years_word
from .words import capital, join, month_da, number_word

#: the English chapters a sentence may point to (links; the note says they are in English)
CHAPTERS = {"03": "03_trends.html", "04": "04_pilot_vs_nonpilot.html", "05": "05_power.html",
            "07": "07_national.html", "08": "08_wellbeing.html", "09": "09_survey.html"}
APPENDIX = "rapport_bilag.html"
NO_FIGURE = Markup("")
DEFINITION_LONG = {"incl_switch": "frafald inkl. omvalg", "excl_switch": "frafald ekskl. omvalg"}


def chapter(number_: str, text: str = "") -> Markup:
    """Return a link to a chapter (English), e.g. ``kapitel 04 (engelsk)``."""
    return link(CHAPTERS[number_], text or f"kapitel {number_} (på engelsk)")


def _pp(x: float) -> str:
    return points(abs(x)).replace(" ", "\u00a0")


def _interval(ev: Evidence, lower: str = "lavere", higher: str = "højere") -> str:
    lo, hi = ev.low, ev.high
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return "uden en endelig grænse"
    if hi <= 0:
        return f"mellem {number(-hi)} og {_pp(lo)} {lower}"
    if lo >= 0:
        return f"mellem {number(lo)} og {_pp(hi)} {higher}"
    return f"mellem {_pp(lo)} {lower} og {_pp(hi)} {higher}"


# ---- the note ----------------------------------------------------------------------------------

def pilot_section(v: Verdicts, res: Results, figure: Markup = NO_FIGURE) -> Section:
    """Virker indsatserne? The verdict per definition, the design's limit, every pre-trend test that flags."""
    h = v.timing.horizon
    blocks = []
    # the goal's definition in full, with its interval; the other definition in one line (its table is in the appendix)
    ev = v.pilot[(GOAL_DEFINITION, h)]
    lower = ev.estimate < 0
    clause = (f"{DEFINITION_LONG[GOAL_DEFINITION]} efter {h} måneder var {_pp(ev.estimate)} "
              f"{'lavere' if lower else 'højere'} på pilotafdelingerne end ventet ud fra de øvrige afdelingers "
              "udvikling")
    blocks.append(para(Markup("{}. Usikkerheden rummer alt {}.").format(
        ev.says(clause, f"om indsatserne ændrede {DEFINITION_LONG[GOAL_DEFINITION]} efter {h} måneder: det var "
                        f"{_pp(ev.estimate)} {'lavere' if lower else 'højere'} på pilotafdelingerne end ventet"),
        _interval(ev))))
    others = [(f"{OUTCOME_LABEL_DA[d]} efter {h} måneder", v.pilot[(d, h)]) for d in OUTCOME_LABEL_DA
              if d != GOAL_DEFINITION]
    others += [(f"inkl. omvalg efter {hh} måneder", v.pilot[(GOAL_DEFINITION, hh)]) for hh in res.horizons if hh != h]
    if others:
        blocks.append(para(Markup("{}.").format(Markup("; ").join(
            Markup("{}: {}").format(capital(what) if i == 0 else what,
                                    mark(e, f"{_pp(e.estimate)} {'lavere' if e.estimate < 0 else 'højere'}, "
                                            f"{SCALE[e.strength]} ({p_value(e.p)})"))
            for i, (what, e) in enumerate(others)))))
    n_cmp = v.n_campuses - v.n_pilot
    blocks.append(para(
        f"Skolens egne afdelinger er {number_word(v.n_campuses)}, {number_word(v.n_pilot)} med indsatser og "
        f"{number_word(n_cmp)} uden; med så få kan den mest forsigtige test (randomiseringstesten) aldrig give "
        f"p under {number(v.floor, 3)}, uanset hvor mange optag der kommer."))
    blocks.append(para(pretrend_words(v, res)))
    if res.synthetic:
        truth = res.synthetic.get("effect_pp")
        if truth is not None and truth == 0:
            blocks.append(para(Markup("<b>{}</b>").format(
                "De syntetiske data er lavet uden nogen indbygget virkning. Tallene viser metoden, ikke SOSU H.")))
        elif truth is not None:
            blocks.append(para(Markup("<b>{}</b>").format(
                f"De syntetiske data er lavet med en indbygget virkning, der {'sænker' if truth < 0 else 'hæver'} "
                f"frafaldet uden omvalg efter 3 måneder med {_pp(truth)}. Tallene viser metoden, ikke SOSU H.")))
    blocks.append(figure)
    blocks.append(para(Markup("Alle resultater og metoder: {}.").format(chapter("04"))))
    return Section("virker", "Virker indsatserne?", v.pilot_source, blocks)


def pretrend_words(v: Verdicts, res: Results | None = None) -> Markup:
    """Every pre-trend test, the ones that flag first, with what they mean for the verdict.

    With the event study's table (``res``), also how the gap moved over the last step before the start
    (:func:`sosu_analysis.did.event_study.last_pre_step`): a gap that narrowed just before the start makes a
    fall after it look more like an effect than it is.
    """
    if not v.pretrend:
        return Markup("Det kunne ikke undersøges, om afdelingerne udviklede sig ens før pilotstart.")
    flagged = [(d, c) for d, cs in v.pretrend.items() for c in cs if c.flagged]
    passed = [(d, c) for d, cs in v.pretrend.items() for c in cs if not c.flagged]
    text = "Sammenligningen forudsætter, at afdelingerne udviklede sig ens før start. "
    if flagged:
        text += ("Det holdt ikke helt: testen af " + join(
            [f"{c.what} ({OUTCOME_LABEL_DA[d]}, {p_value(c.p)})" for d, c in flagged]) + " finder en forskel, så "
                 "resultatet for " + join(sorted({OUTCOME_LABEL_DA[d] for d, _ in flagged}))
                 + " kan skyldes andet end indsatserne. ")
    if passed:
        text += (f"De øvrige {number_word(len(passed))} tests finder ingen forskel, men med så få afdelinger ser de "
                 "kun store forskelle. ")
    steps = {d: step for d in v.pretrend
             if res is not None and "event_study" in res.tables
             and (step := last_pre_step(res.tables["event_study"], d)) is not None and step[0] < 0}
    if steps:
        text += ("Lige før start blev forskellen mindre: "
                 + join([f"{_pp(-c)} {OUTCOME_LABEL_DA[d]} ({p_value(p)})" for d, (c, p) in steps.items()])
                 + "; fortsætter det, ser virkningen for stor ud.")
    return Markup("{}").format(text.strip())


def timeline_section(v: Verdicts, figure: Markup = NO_FIGURE) -> Section:
    """Hvornår kan vi vide det? The detectable effect now and the dates, from the one Timing object."""
    t = v.timing
    blocks = [para(Markup(
        "Med de optag, der er nu, kan sammenligningen af skolens egne afdelinger først påvise en virkning, hvis den "
        "er mindst {} efter {} måneder. Chancen "
        "for at påvise en virkning på {} er {}. Et resultat, der ikke kan afgøres, betyder derfor ikke, at "
        "indsatserne ikke virker.").format(mde_text(v), t.horizon, _pp(t.target_pp), power_text(v)))]
    if t.reachable:
        lines = [f"med status efter {h} måneder " + (f"tidligst i {month_da(m)}" if m else
                                                      f"ikke med optagene til og med {month_da(t.last_intake)}")
                 for h, m in t.first_month.items()]
        blocks.append(para(f"En virkning på {_pp(t.target_pp)} kan påvises, hvis den findes: " + "; ".join(lines)
                           + "."))
    else:
        ends = [f"{_pp(m)} efter {h} måneder" for h, m in t.mde_end.items() if math.isfinite(m)]
        blocks.append(para(
            f"En virkning på {_pp(t.target_pp)} kan ikke påvises med de nuværende afdelinger, heller ikke med "
            f"optagene til og med {month_da(t.last_intake)}. Til den tid er den mindste virkning, der kan påvises, "
            f"{join(ends)}."))
    if t.not_realised:  # fail closed: a borrowed or best-case standard error is said, not passed off as realised
        blocks.append(para(se_source_sentence(t)))
    blocks.append(figure)
    return Section("hvornaar", "Hvornår kan vi vide det?", v.pilot_source, blocks)


def se_source_sentence(t: Timing) -> str:
    """Say which horizons' dates rest on another standard error than their own realised one (issue 17, item 4)."""
    borrowed = [h for h, s in t.not_realised.items() if s == "borrowed"]
    design = [h for h, s in t.not_realised.items() if s == "design"]
    parts = []
    if borrowed:
        parts.append(f"Efter {join([str(h) for h in borrowed])} måneder er der endnu intet skøn med egen usikkerhed; "
                     f"datoerne bruger samme forhold mellem faktisk og planlagt usikkerhed som efter {t.horizon} "
                     "måneder")
    if design:
        parts.append(f"Efter {join([str(h) for h in design])} måneder bygger datoerne på den planlagte usikkerhed, "
                     "som om optagene kun adskilte sig tilfældigt; det er det bedste tilfælde, og datoerne kan "
                     "blive senere")
    return ". ".join(parts) + "."


def trend_section(v: Verdicts, res: Results, figure: Markup = NO_FIGURE) -> Section:
    """Stiger frafaldet? Every programme and the school, each with its verdict; the overdispersion check."""
    t1 = res["table1"]
    blocks = []
    for prog, ev in v.trend.items():
        if prog == SCHOOL:
            r = v.trend_rows[SCHOOL]
            series = f"{percent(r['pct_first'])} i {int(r['first_year'])} og {percent(r['pct_last'])} i " \
                     f"{int(r['last_year'])}"
            name = "skolen samlet"
        else:
            d = t1[t1["programme"] == prog].sort_values("year")
            series = join([f"{percent(x)} i {int(y)}" for y, x in zip(d["year"], d["pct_dropout_total"],
                                                                        strict=True)])
            name = prog
        clause = f"frafaldet på {name} {'steg' if ev.estimate > 0 else 'faldt'}"
        blocks.append(para(Markup("{}: {}. {}.").format(capital(name), series, ev.says(
            clause + f" (i gennemsnit {_pp(ev.estimate)} om året)", f"om frafaldet på {name} ændrede sig"))))
    od = v.overdispersion
    blocks.append(para(
        f"Årene svinger {number(od.value, 1)} gange mere, end tilfældigheder blandt eleverne kan forklare "
        f"({p_value(od.p)}). Derfor er usikkerheden gjort bredere for alle tendenser, også for SSA, hvis egne tre år "
        "næsten ligger på en ret linje: tre år kan ikke vise, hvor meget ét år kan svinge. Med tre år er enhver "
        "tendens spinkel."))
    blocks.append(figure)
    blocks.append(para(Markup("Tabellen over alle år og begge opgørelser står i {}; beregningerne i {}.").format(
        link(APPENDIX + "#andele", "bilaget"), chapter("03"))))
    return Section("stiger", "Stiger frafaldet?", "offentlig", blocks)


def goal_section(v: Verdicts, goals: pd.DataFrame) -> Section:
    """Er vi på vej mod målet? Level, verdict, direction and, at the current pace, when."""
    from ...readers.goals import dropout_goal_pct

    blocks = []
    for prog, ev in v.goal.items():
        pace = v.pace[prog]
        where = "under" if pace.below else "over"
        clause = f"{prog} ligger {where} målet: trendens niveau i {pace.year} er {_pp(ev.estimate)} {where}"
        if pace.crossing_year is None:
            tempo = (f"Frafaldet stiger, så i det nuværende tempo når {prog} ikke målet."
                     if not pace.below and pace.rising else
                     "I det nuværende tempo holder det sig under målet." if pace.below else "Frafaldet står stille.")
        elif pace.below:
            tempo = (f"Frafaldet stiger; i det nuværende tempo kommer {prog} over målet omkring "
                     f"{years_word(pace.crossing_year)}.")
        else:
            tempo = (f"Frafaldet falder; i det nuværende tempo når {prog} målet omkring "
                     f"{years_word(pace.crossing_year)}.")
        blocks.append(para(Markup("{} havde {} frafald i {}. {}. {}").format(
            prog, percent(pace.rate_pct), pace.year, ev.says(clause, f"om {prog} ligger over eller under målet"),
            tempo)))
    blocks.append(para(
        f"Målet på {percent(dropout_goal_pct(goals), 0)} er Danske SOSU-skolers mål for SSA og SSH. Strategien siger "
        "ikke, hvordan frafaldet skal måles; her læses det som frafald inkl. omvalg 3 måneder efter start, som i "
        "ministeriets tal. PAU er ikke omfattet. Tempoet er trendens og lige så usikkert som den."))
    return Section("maalet", "Er vi på vej mod målet?", "offentlig", blocks)


def national_section(v: Verdicts, nat: dict[str, pd.DataFrame] | None, etu: pd.DataFrame | None) -> Section:
    """SOSU H og de andre skoler: level and development on the scale, the funnel's flags, the ETU association."""
    src = "syntetisk" if v.national_synthetic else "offentlig"
    if nat is None:
        return Section("skolerne", "SOSU H og de andre SOSU-skoler", src,
                       [para("Sammenligningen med de andre SOSU-skoler er ikke kørt i denne kørsel.")])
    blocks = []
    if v.national_synthetic:
        blocks.append(para(Markup("<b>{}</b>").format(
            "De andre skolers tal er syntetiske; kun SOSU H's egne tal er offentlige.")))
    fu = nat["national_funnel"]
    year = int(fu["year"].max())
    lines = []
    for prog, ev in v.national_level.items():
        r = fu[(fu["programme"] == prog) & (fu["outcome_definition"] == GOAL_DEFINITION)].iloc[0]
        where = "lavere" if ev.estimate < 0 else "højere"
        lines.append(Markup("{}: {} mod {} i hele landet. {}.").format(
            prog, percent(float(r["school_pct"])), percent(float(r["national_pct"])),
            ev.says(f"SOSU H's frafald er {where} end landets", "om SOSU H's frafald adskiller sig fra landets")))
    blocks.append(para(f"Frafald inkl. omvalg i {year}, 3 måneder efter start:"))
    blocks.append(items(lines))
    flags = [(p, c) for p, c in v.funnel.items() if c.flagged]
    if flags:
        blocks.append(para(
            "Skolerne varierer mere, end tilfældigheder kan forklare (" + join(
                [f"{p}: {c.what.split(' uden')[0]} uden for kontrolgrænserne, {number(c.value, 1)} gange mere end "
                 "ventet" for p, c in flags])
            + "). Vurderingerne er derfor gjort bredere; ellers ville forskellene se sikrere ud, end de er."))
    trend_lines = []
    for prog, ev in v.national_trend.items():
        if prog not in ("SSA", "SSH"):
            continue
        trend_lines.append(Markup("{}: {}.").format(prog, ev.says(
            "SOSU H's udvikling adskiller sig fra de andre skolers",
            "om SOSU H's udvikling adskiller sig fra de andre skolers")))
    if trend_lines:
        blocks.append(para("Udviklingen sammenlignet med de andre skoler (samme usikkerhed som tendensen):"))
        blocks.append(items(trend_lines))
    if etu is not None:
        a = etu[(etu["outcome_definition"] == GOAL_DEFINITION) & etu["r"].notna()]
        blocks.append(subhead("Trivsel i oplæringen og frafald"))
        synth = bool(etu["synthetic"].astype(str).str.lower().eq("true").any())
        if len(a):
            rs = join([f"«{it}» {number(float(r), 2)}" for it, r in zip(a["item"], a["r"], strict=True)])
            blocks.append(para(Markup("{}Uddannelser, hvor eleverne svarer bedre om oplæringen, har lavere frafald "
                                      "(korrelation {}). Punkterne er tre uddannelser i hvert sit år, ikke uafhængige "
                                      "målinger, så sammenhængen viser mest forskellen mellem uddannelserne. Den er "
                                      "ikke bevis for en virkning. Se {}.").format(
                "Trivselstallene er syntetiske. " if synth else "", rs, chapter("08"))))
    blocks.append(para(Markup("Tragtdiagram og modeller: {}.").format(chapter("07"))))
    return Section("skolerne", "SOSU H og de andre SOSU-skoler", src, blocks)


def survey_section(survey: dict | None) -> Section:
    """Elevernes egne svar: the survey's summary; its statistics are in the appendix."""
    if survey is None:
        return Section("elevsvar", "Elevernes egne svar", "blandet",
                       [para("Spørgeskemaet er ikke kørt i denne kørsel.")])
    src = "syntetisk" if survey.get("synthetic") else "elevdata"
    keep = [p for p in survey["paragraphs"] if not p["heading"]]  # the section's band says when it is synthetic
    blocks = [para(Markup("<b>{}</b> {}").format(p["heading"], p["text"]) if p["heading"] else p["text"])
              for p in keep]
    blocks.append(para(Markup("Svarene pr. indeks, svarprocenter og metode står i {}.").format(
        link(APPENDIX + "#elevsvar-bilag", "bilaget"))))
    return Section("elevsvar", "Elevernes egne svar", src, blocks)


def limits_section(res: Results, mismatches=()) -> Section:
    """Return what the analysis cannot show, short."""
    n_years = res["table1"]["year"].nunique()
    lines = [f"Få år: de offentlige tal dækker {number_word(n_years)} årgange.",
             "Få afdelinger: alt andet, der skete på en afdeling samtidig med indsatserne, kan ikke skilles fra "
             "indsatsernes virkning.",
             "Skolens udtræk ser ikke elever, der skifter til en anden skole; ministeriets tal gør.",
             "Hvilken afdeling der er »Nord«, og hvornår hver pilotafdeling startede, er antagelser (se bilaget).",
             "Trivsel og oplæring: sammenhænge, ikke årsager; forholdene på oplæringsstederne er ikke målt.",
             "Tabeller fra elevdata viser aldrig grupper med færre end 5 elever."]
    if res.synthetic:
        lines.insert(0, "Syntetiske data: indsatsernes virkning kan først vurderes på skolens rigtige elevudtræk.")
    else:
        from ...importer.provenance import SWITCH_SCOPE_DA

        lines.append(f"Omvalg set fra skolen: {SWITCH_SCOPE_DA}")
    for listed, words in ((False, "står i afdelingstabellen uden {p}, men udtrækket har {p}-elever dér"),
                          (True, "står i afdelingstabellen med {p}, men udtrækket har ingen {p}-elever dér")):
        for prog in sorted({m.programme for m in mismatches if m.listed == listed}):
            names = sorted(m.campus for m in mismatches if m.listed == listed and m.programme == prog)
            lines.append(f"Afdelingstabellen og udtrækket er uenige: {join(names)} " + words.format(p=prog) + ".")
    return Section("kan-ikke", "Hvad analysen ikke kan vise", "blandet", [items(lines)])


def word_list(alpha: float) -> list[tuple[str, str]]:
    """Return the word list at the end of the note; the scale of phrases in one line."""
    return [
        ("Frafald inkl. / ekskl. omvalg", "afbrudt i alt / afbrudt uden at begynde på en anden uddannelse."),
        ("Procentpoint", "fra 17\u00a0% til 12\u00a0% er 5\u00a0procentpoint."),
        ("p-værdi", "sandsynligheden for at få et resultat mindst så langt fra nul som det målte, hvis der i "
                    "virkeligheden ingen forskel var."),
        ("Klart / sandsynligvis / tyder på / kan ikke afgøres",
         f"rapportens faste skala: p under {number(alpha / 5, 2)} / under {number(alpha, 2)} / under "
         f"{number(2 * alpha, 2)} / derover, med den usikkerhed, data viser."),
        ("Mindste påviselige virkning", "den mindste virkning, der med 80\u00a0% sandsynlighed kan påvises."),
        ("Kontrolgrænse", "hvor langt fra landsniveauet en skole af samme størrelse kan ligge ved tilfældighed."),
        ("Offentlige / syntetiske tal", "ministeriets tal om SOSU H / kunstige tal, der kun viser metoden."),
    ]
