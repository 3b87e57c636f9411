"""The survey section of the project lead's report, in Danish: text and tables from the results.

:func:`report_section` turns :class:`~sosu_analysis.survey.analysis.SurveyResults`
into a :class:`SurveySection` (title, paragraphs, Danish-labelled tables and
the whole as Markdown). Nothing here types a number: another survey file
gives other sentences. Decimal comma throughout (``52,0 %``, ``−3,1 point``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...atomic import write_text
from ...danish import confidence_level, count, percent
from ...danish import number as num
from ...definitions import (
    CAMPUS_GROUP_IN_TEXT_DA,
    CAMPUS_GROUP_LABEL_DA,
    CAMPUS_GROUPS,
    PERIOD_IN_TEXT_DA,
    PERIOD_LABEL_DA,
    SYNTHETIC_WATERMARK,
)
from ...survey.analysis import SurveyResults
from ...survey.scoring import INDEX_AGREE_SCORE
from ...survey.tables import LOW_RESPONSE, SPU_BASELINE
from .. import contracts
from ..outputs import output_folder

GROUP_DA = CAMPUS_GROUP_IN_TEXT_DA  # the one vocabulary (definitions), in a sentence
PERIOD_DA = PERIOD_IN_TEXT_DA
CONTRAST_DA = {"pilot_vs_comparison": "pilotafdelingerne mod de øvrige afdelinger (optag fra pilotstart)",
               "before_after_pilot": "før mod efter på pilotafdelingerne",
               "difference_in_differences": "forskel-i-forskelle (pilot mod øvrige afdelinger, før mod efter)"}


@dataclass
class SurveySection:
    """The report section: title, paragraphs ``(heading, text)`` (heading may be '') and Danish tables."""

    title: str
    paragraphs: list[tuple[str, str]]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    synthetic: bool = False

    @property
    def markdown(self) -> str:
        """The section as Markdown for chapter 09 (a level-2 heading, then the paragraphs)."""
        return "\n\n".join([f"## {self.title}", *(f"**{h}** {t}" if h else t for h, t in self.paragraphs)])

    def write(self, output_dir: str | os.PathLike) -> None:
        """Write the section for the lead's report.

        The Markdown goes to ``OUTPUT/tables/survey_section.md``, the tables to
        ``OUTPUT/tables/survey_section_<name>.csv`` through their contracts
        (:mod:`sosu_analysis.reporting.contracts`).
        """
        folder = output_folder(output_dir, "tables")
        write_text(folder / "survey_section.md", self.markdown + "\n")
        # the lead's report reads the structured text, never the Markdown
        write_text(folder / "survey_section.json", json.dumps(
            {"title": self.title, "synthetic": self.synthetic,
             "paragraphs": [{"heading": h, "text": t} for h, t in self.paragraphs]}, ensure_ascii=False, indent=1)
            + "\n")
        for name, table in self.tables.items():
            contracts.write_table(table, output_dir, f"survey_section_{name}")


def _pct(x: float, d: int = 1) -> str:
    return percent(x, d)


def _bounds(lo: float, hi: float, d: int = 1, unit: str = "") -> str:
    if pd.isna(lo) or pd.isna(hi):
        return "intet interval (for få afdelinger)"
    return f"{num(lo, d)}{unit} til {num(hi, d)}{unit}"


def _ci(lo: float, hi: float, alpha: float, d: int = 1, unit: str = "") -> str:
    """``"95 %-interval 1,0 til 2,0"``, the level from the run's ``alpha``."""
    if pd.isna(lo) or pd.isna(hi):
        return _bounds(lo, hi)
    return f"{confidence_level(alpha)}-interval {_bounds(lo, hi, d, unit)}"


def _spu_paragraph(res: SurveyResults) -> tuple[str, str]:
    if res.spu_item is None:
        return (("Godt forberedt til oplæringen.", "Itemtabellen har intet spørgsmål markeret som sammenligneligt "
                "med SPU's måling (kolonnen spu_comparable), så SPU's 52 % og 49 % sammenlignes ikke her."))
    text = str(res.items.loc[res.items["item"] == res.spu_item, "text"].iloc[0])
    rows = res.by_group[(res.by_group["measure"] == res.spu_item)]
    parts = []
    for group in CAMPUS_GROUPS:
        for period in ("post", "pre"):
            r = rows[(rows["group"] == group) & (rows["period"] == period)]
            if r.empty:
                continue
            r0 = r.iloc[0]
            if pd.isna(r0["agree_pct"]):
                parts.append(f"{GROUP_DA[group]}, {PERIOD_DA[period]}: ikke vist (for få svar)")
                continue
            # no interval here: beside SPU's numbers an interval reads like a test of the difference, which
            # SPU's own sampling error, wording and population do not allow (issue 19)
            parts.append(f"{GROUP_DA[group]}, {PERIOD_DA[period]}: {_pct(r0['agree_pct'])} ({r0['n']} svar)")
    bases = " og ".join(f"{_pct(v, 0)} ({k})" for k, v in SPU_BASELINE.items())
    return ("Godt forberedt til oplæringen.", f"Andelen af {res.programme}-eleverne, der svarede enig eller helt "
            f"enig til «{text}»: " + "; ".join(parts) + ". "
            f"SPU (Status på praktik 2024) fandt, at kun {bases} af SSA-eleverne følte sig tilstrækkeligt klædt på "
            "til oplæringen. Tallene kan ikke sammenlignes direkte: SPU spurgte SSA-elever på landsplan, opdelt på "
            "oplæring i den kommunale sektor og i somatik og psykiatri, med SPU's egen formulering og "
            "svarskala; her er det SOSU H's elever på de afdelinger og hold, der er spurgt, på en skala fra 1 til "
            "5, hvor enig betyder svar 4 eller 5. Forskellen til SPU er derfor en pejling, ikke en måling af, om "
            "SOSU H ligger over eller under landsniveauet.")


def _verdict(row: pd.Series, alpha: float) -> str:
    """Word the contrast's verdict on the report's one scale (:mod:`sosu_analysis.reporting.rapport.uncertainty`).

    The CR2 p-value gives the words; with few campuses the randomization test's smallest possible p is
    a property of the design, and when it lies above ``alpha`` the text says so (more answers from the
    same campuses cannot change it), instead of promising a later answer.
    """
    from ..rapport.uncertainty import strength

    level = strength(float(row["p_value"]), alpha) if "p_value" in row and pd.notna(row["p_value"]) else "uafklaret"
    text = {"klart": "forskellen er klar", "sandsynligvis": "forskellen er sandsynlig",
            "tyder": "tallene tyder på en forskel", "uafklaret": "det kan ikke afgøres, om der er en forskel"}[level]
    if pd.notna(row.get("min_p_ri", float("nan"))) and row["min_p_ri"] >= alpha:
        text += (f"; med {int(row['G_treated'])} mod {int(row['G_control'])} afdelinger kan randomiseringstesten "
                 f"aldrig komme under p = {num(row['min_p_ri'], 3)}, uanset hvor mange svar der kommer")
    return text


def _contrast_paragraphs(res: SurveyResults) -> list[tuple[str, str]]:
    c = res.contrasts
    if c.empty:
        return [("Pilot mod øvrige afdelinger.", "Spørgeskemaet har ikke både pilot- og øvrige afdelinger "
                "eller både før og efter pilotstart, så der er ingen sammenligning.")]
    out = []
    idx = c[(c["kind"] == "index") & (c["metric"] == "score") & ~c["suppressed"]]
    for measure, sub in idx.groupby("measure", sort=False):
        bits = []
        for _, r in sub.iterrows():
            est = r["estimate"]
            word = "højere" if est > 0 else "lavere"
            ri = (f"; randomiseringstest over afdelinger p = {num(r['p_ri'], 2)} "
                  f"(mindst mulige p = {num(r['min_p_ri'], 2)}, {int(r['n_assignments'])} fordelinger)"
                  if pd.notna(r["p_ri"]) else "")
            # a before/after change on the pilot campuses alone has no comparison group (issue 19)
            alone = ("; uden sammenligningsgruppe kan ændringen skyldes alt andet, der skete samtidig"
                     if r["contrast"] == "before_after_pilot" else "")
            bits.append(f"{CONTRAST_DA[r['contrast']]}: {num(abs(est), 1)} point {word} "
                        f"({_ci(r['ci_low'], r['ci_high'], res.alpha)}; CR2, {num(r['df'], 1)} frihedsgrader{ri}); "
                        f"{_verdict(r, res.alpha)}{alone}")
        out.append((f"Indeks «{measure}» (0-100).", ". ".join(b[:1].upper() + b[1:] for b in bits) + "."))
    return out


def _response_paragraph(res: SurveyResults) -> tuple[str, str]:
    r = res.response
    known = r[r["response_rate"].notna()]
    if known.empty:
        return (("Svarprocent.", "Holdstørrelserne kendes ikke fra elevudtrækket for de hold, der er spurgt, "
                "så svarprocenten kan ikke beregnes."))
    lowest, highest = known["response_rate"].min(), known["response_rate"].max()
    text = (f"Svarprocenten (svar i forhold til optagets størrelse i elevudtrækket) lå mellem "
            f"{_pct(lowest)} og {_pct(highest)} for de {len(known)} kombinationer af afdeling og runde, der kan vises.")
    low = known[known["low"]]
    if len(low):
        items = "; ".join(f"{c}, {w}: {_pct(float(v))}" for c, w, v in
                          zip(low["campus"], low["wave"], low["response_rate"], strict=True))
        text += (f" Advarsel: lav svarprocent (under {_pct(100 * LOW_RESPONSE, 0)}) – {items}. Her kan de, "
                 "der svarede, afvige fra dem, der ikke gjorde; tallene for disse afdelinger skal læses med "
                 "forsigtighed.")
    else:
        text += f" Ingen lå under {_pct(100 * LOW_RESPONSE, 0)}."
    over = known[known["response_rate"] > 100]
    if len(over):
        text += (f" Advarsel: {len(over)} kombinationer har flere svar end elever i udtrækket; spørgeskema og "
                 "elevudtræk passer ikke sammen (andet udtræk eller forkert afdeling eller hold), så svarprocenterne "
                 "kan ikke bruges.")
    return "Svarprocent.", text


def _association_paragraph(res: SurveyResults) -> tuple[str, str]:
    f = res.association
    if not f or pd.isna(f.get("slope_pp_per_10", np.nan)):
        return (("Svar og senere frafald.", "Der er for få optag med både svar og frafaldstal til at se på "
                "sammenhængen."))
    est = f["slope_pp_per_10"]
    word = "lavere" if est < 0 else "højere"
    return ("Svar og senere frafald.", f"På {f['n_points']} optag (afdeling × optag med mindst 5 svar, "
            f"{f['G']} afdelinger) hang 10 point højere indeks «{f['measure']}» sammen med et "
            f"{num(abs(est), 1)} procentpoint {word} frafald 3 måneder efter start "
            f"({_ci(f['ci_low'], f['ci_high'], res.alpha, unit=' procentpoint')}; optagene vægtet med deres "
            f"størrelse, CR2 med afdelingen som klynge; vægtet korrelation r = {num(f['r'], 2)}). Det er en "
            "sammenhæng, ikke en effekt: optag, der svarer bedre, kan afvige på meget andet.")


def _method_paragraph(res: SurveyResults) -> tuple[str, str]:
    idx = res.by_group[(res.by_group["kind"] == "index")]["score_deff"].dropna().astype(float)
    deff = (f" Designeffekten (Kish: den klyngerobuste varians delt med variansen ved uafhængige svar) for "
            f"indeksene lå mellem {num(idx.min(), 1)} og {num(idx.max(), 1)}." if len(idx) else "")
    return (("Metode.", "Svar 1-5 regnes om til ETU's skala fra 0 til 100 ((svar − 1) / 4 × 100); negativt "
            "formulerede spørgsmål vendes først (6 − svar). Et indeks er elevens gennemsnit af de spørgsmål i "
            "indekset, eleven har svaret på (mindst halvdelen); enig betyder svar 4-5, for et indeks mindst "
            f"{num(INDEX_AGREE_SCORE, 0)} point. Elever på samme afdeling og hold ligner hinanden, så alle intervaller "
            "er klyngerobuste med afdelingen som klynge (CR2 med Satterthwaite-frihedsgrader); en forskel mellem "
            "pilot- og øvrige afdelinger vurderes desuden med en randomiseringstest over afdelingerne. "
            "Elever regnes aldrig som uafhængige på tværs af afdelinger." + deff + " Grupper med færre end 5 svar "
            "vises ikke; et spørgsmål med for få svar i en gruppe indgår kun i sit indeks."))


def index_table_da(res: SurveyResults) -> pd.DataFrame:
    """Return the index results by campus group and period, with Danish headers and Danish numbers.

    The interval's level (``Niveau``) is the run's ``alpha``, so the headings are the same at any level.
    """
    t = res.by_group[res.by_group["kind"] == "index"]
    rows = []
    for _, r in t.iterrows():
        shown = pd.notna(r["score"])
        rows.append({
            "Afdelinger": CAMPUS_GROUP_LABEL_DA[r["group"]], "Periode": PERIOD_LABEL_DA[r["period"]],
            "Indeks": r["measure"], "Svar": count(int(r["n"])) if shown else "–",
            "Antal afdelinger": str(int(r["G"])) if shown else "–",
            "Gennemsnit (0-100)": num(r["score"], 1) if shown else "–",
            "Niveau": confidence_level(res.alpha),
            "Konfidensinterval": _bounds(r["score_ci_low"], r["score_ci_high"]) if shown else "–",
            "Andel enige": _pct(r["agree_pct"]) if pd.notna(r["agree_pct"]) else "–",
            "Designeffekt": num(r["score_deff"], 1) if pd.notna(r["score_deff"]) else "–",
        })
    return pd.DataFrame(rows)


def report_section(res: SurveyResults) -> SurveySection:
    """Build the Danish report section on the survey (see module docstring)."""
    paragraphs: list[tuple[str, str]] = []
    if res.synthetic:
        paragraphs.append((f"{SYNTHETIC_WATERMARK}.", "Afsnittet er lavet på et syntetisk spørgeskema; tallene "
                          "viser metoden og siger intet om skolen."))
    paragraphs.append(("",
        f"Spørgeskemaet har {count(res.n_answers)} svar fra {count(res.n_respondents)} "
        f"{res.programme}-elever på {len(res.campuses)} afdelinger i {len(res.waves)} "
        f"{'runde' if len(res.waves) == 1 else 'runder'} ({', '.join(res.waves)}). Resultaterne er på "
        "Elevtrivselsundersøgelsens skala fra 0 (mest negativ) til 100 (mest positiv)."))
    paragraphs.append(_spu_paragraph(res))
    paragraphs.extend(_contrast_paragraphs(res))
    paragraphs.append(_response_paragraph(res))
    paragraphs.append(_association_paragraph(res))
    paragraphs.append(_method_paragraph(res))
    return SurveySection("Elevernes egne svar: spørgeskema og pulsmålinger", paragraphs,
                         {"indeks": index_table_da(res)}, bool(res.synthetic))


def load_section(output_dir: str | os.PathLike) -> dict | None:
    """Return the structured section notebook 09 wrote (``OUTPUT/tables/survey_section.json``), or ``None``.

    ``{"title": str, "synthetic": bool, "paragraphs": [{"heading": str, "text": str}, ...]}`` — plain
    text (no Markdown), for the lead's report (06_rapport runs after 09_survey).
    """
    contracts.check_reader(contracts.file_contract("survey_section.json"))
    path = output_folder(output_dir, "tables") / "survey_section.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
