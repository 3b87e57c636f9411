"""Danish text of the national comparison and the wellbeing survey, for chapter 07/08 and the lead's report.

Every number comes from the tables the chapters wrote (``OUTPUT/tables/national_*.csv``,
``etu_association.csv``, read through their contracts in
:mod:`sosu_analysis.reporting.contracts`); nothing is typed here, and the level of every
interval is the run's ``alpha`` (:func:`sosu_analysis.danish.confidence_level`). :func:`report_section` is what the
lead's report (notebook 06) calls; :func:`provenance_text` names the source, the
credit line and the retrieval date.
"""

from __future__ import annotations

import math
import os
from typing import Any

import pandas as pd

from ...danish import confidence_level
from ...danish import number as num
from ...danish import p_value as pval
from ...danish import percent as pct
from ...definitions import PROGRAMMES
from .. import contracts

TABLES = ("national_rates", "national_difference", "national_trend", "national_funnel", "national_provenance")
POSITION_DA = {"inside": "inden for", "above": "over", "below": "under"}
#: the funnel plot's control limit the text reports (a convention of the method, not the run's alpha)
FUNNEL_LIMIT = 0.998


def _prov_dict(prov: dict[str, Any] | pd.DataFrame) -> dict[str, Any]:
    if isinstance(prov, pd.DataFrame):
        first: dict = prov.to_dict("records")[0]
        return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in first.items()}
    return prov


def provenance_text(prov: dict[str, Any] | pd.DataFrame) -> str:
    """One Danish sentence: where the national figures come from, credit line and retrieval date."""
    p = _prov_dict(prov)
    if p.get("synthetic"):
        return ("Tallene for de andre SOSU-skoler er SYNTETISKE; kun SOSU H's tal er offentlige (Kilde: "
                "Uddannelsesstatistik.dk, tabel 1 i SOSU H's frafaldsanalyse). Når de rigtige tal er hentet fra "
                "Uddannelsesstatistik.dk, står hentedatoen her.")
    date = p.get("retrieved") or "ukendt dato"
    text = f"{p.get('credit') or 'Kilde: Uddannelsesstatistik.dk'}, hentet {date}."
    if p.get("unverified"):
        text += (" Forespørgslen er endnu ikke prøvet af mod Uddannelsesstatistik.dk's tjeneste; tallene skal "
                 "sammenholdes med statistikbanken, før de bruges.")
    return text


def banner(prov: dict[str, Any] | pd.DataFrame) -> str:
    """Return a red box when the national answer is synthetic ('' otherwise)."""
    if not _prov_dict(prov).get("synthetic"):
        return ""
    return ("<div class='syntetisk'>SYNTETISKE DATA – de andre SOSU-skolers tal i dette afsnit er ikke rigtige. De "
            "er trukket, så landsniveauet svarer til de 18 % i Danske SOSU-skolers strategi, og viser, hvordan "
            "sammenligningen kommer til at se ud. SOSU H's egne tal er de offentlige.</div>")


def _rate(rates: pd.DataFrame, programme: str, year: int, definition: str, group: str) -> float:
    r = rates[(rates["programme"] == programme) & (rates["year"] == year)
              & (rates["outcome_definition"] == definition) & (rates["group"] == group)]
    return float(r["pct"].iloc[0]) if len(r) else float("nan")


def _diff_words(d: dict, alpha: float) -> str:
    if any(math.isnan(float(d[c])) for c in ("diff_pp", "ci_low", "ci_high")):
        return "forskellen kan ikke beregnes"
    lo, hi = float(d["ci_low"]), float(d["ci_high"])
    word = "højere" if d["diff_pp"] > 0 else "lavere"
    # no verdict word here: this interval treats students as independent, while schools vary several times
    # more than that (the funnel's phi); the verdict on the level is the funnel's, adjusted (issue 19)
    return (f"{num(abs(float(d['diff_pp'])))} procentpoint {word} ({confidence_level(alpha)}-interval {num(lo)} til "
            f"{num(hi)}, hvis eleverne var uafhængige)")


def national_section(rates: pd.DataFrame, diff: pd.DataFrame, trends: pd.DataFrame, positions: pd.DataFrame,
                     prov: dict[str, Any] | pd.DataFrame, alpha: float = 0.05) -> str:
    """Write the Danish section: level vs the others in the latest year, the trends, the funnel, the source.

    ``alpha`` is the one the tables were computed with: it names the level of the intervals and is the
    threshold of the trend verdict.
    """
    year = int(rates["year"].max())
    first = int(rates["year"].min())
    parts = []
    items = []
    for programme in ("SSA", "SSH", "PAU"):
        if programme not in set(rates["programme"]):
            continue
        sub = diff[(diff["programme"] == programme) & (diff["year"] == year)]
        d = {str(r["outcome_definition"]): r for r in sub.to_dict("records")}

        def rate(definition: str, group: str, programme: str = programme) -> str:
            return pct(_rate(rates, programme, year, definition, group))

        title = PROGRAMMES[programme].title_da
        name = title[:1].upper() + title[1:]
        items.append(
            f"- **{name}**: frafald inkl. omvalg {rate('incl_switch', 'school')} "
            f"på SOSU H, {rate('incl_switch', 'rest')} på de andre SOSU-skoler og {rate('incl_switch', 'national')} "
            f"i hele landet: SOSU H ligger {_diff_words(d['incl_switch'], alpha)}. Uden omvalg: "
            f"{rate('excl_switch', 'school')} mod {rate('excl_switch', 'rest')}, "
            f"{_diff_words(d['excl_switch'], alpha)}.")
    parts.append(f"Optaget i {year}, 3 måneder efter start:\n\n" + "\n".join(items))

    t = {str(r["programme"]): r for r in trends[trends["outcome_definition"] == "incl_switch"].to_dict("records")}
    trend_items = []
    for programme in ("SSA", "SSH"):
        if programme not in t:
            continue
        r = t[programme]
        change_school = 100 * (float(r["or_per_year_school"]) - 1)
        change_rest = 100 * (float(r["or_per_year_rest"]) - 1)
        from ..rapport.uncertainty import strength

        verdict = {"klart": "udviklingen på SOSU H adskiller sig klart fra de andre skolers",
                   "sandsynligvis": "udviklingen på SOSU H adskiller sig sandsynligvis fra de andre skolers",
                   "tyder": "tallene tyder på, at udviklingen på SOSU H adskiller sig fra de andre skolers",
                   "uafklaret": "det kan ikke afgøres, om udviklingen adskiller sig"}[
            strength(float(r["p_value_quasi"]), alpha)]
        trend_items.append(
            f"- **{programme}**: oddsene for frafald (inkl. omvalg) ændrede sig med {num(change_school)} % om året på "
            f"SOSU H og {num(change_rest)} % om året på de andre skoler {first}–{year}; {verdict} "
            f"({pval(float(r['p_value_quasi']))}, med år-til-år-variation).")
    post = trends["post_note"].fillna("").astype(str)
    if (post != "").all():
        trend_items.append("- Om frafaldet ændrede sig anderledes på SOSU H end på de andre skoler efter indsatserne "
                           "i 2025, kan først vurderes, når tallene for 2025 er offentliggjort; modellen er klar til "
                           "dem.")
    parts.append("**Udvikling sammenlignet med de andre skoler.** Er SOSU H's stigning på SSA skolens egen, eller "
                 "ses den overalt?\n\n" + "\n".join(trend_items))

    pos_rows = positions[positions["outcome_definition"] == "incl_switch"].to_dict("records")
    pos = {str(r["programme"]): r for r in pos_rows}
    funnel_items = []
    for programme in ("SSA", "SSH", "PAU"):
        if programme not in pos:
            continue
        r = pos[programme]
        phi = float(r["phi"])
        adjusted = (f"; {int(r[f'n_outside_{FUNNEL_LIMIT}'])} af {int(r['n_schools'])} skoler ligger uden for, så "
                    f"skolerne varierer {num(phi, 1)} gange mere end tilfældigheder; justeret for det er SOSU H's "
                    f"afstand {num(float(r['z']), 1)} / √{num(phi, 1)} = {num(float(r['z']) / math.sqrt(phi), 1)} "
                    "standardafvigelser" if phi > 1 else "")
        funnel_items.append(f"{programme}: {POSITION_DA[str(r[f'position_{FUNNEL_LIMIT}'])]} kontrolgrænserne "
                            f"({pct(float(r['school_pct']))} mod landets {pct(float(r['national_pct']))}{adjusted})")
    n_schools = max((int(r["n_schools"]) for r in pos_rows), default=0)
    parts.append(f"**Sammenlignet med skoler af samme størrelse.** Kapitel 07 viser de {n_schools} skoler i et "
                 "tragtdiagram, hvor hver skole er et punkt efter optagets størrelse; "
                 "kontrolgrænserne viser, hvor langt fra landsniveauet en skole af den størrelse kan ligge alene ved "
                 f"tilfældigheder (kontrolgrænse {pct(100 * FUNNEL_LIMIT, 1)}, fast efter metoden og ikke et "
                 f"konfidensniveau). I {year} ligger SOSU H " + "; ".join(funnel_items) + ". Når mange skoler ligger "
                 "uden for, er grænserne for snævre, og det justerede tal (Spiegelhalter) er det, der gælder.")
    parts.append(provenance_text(prov))
    return "\n\n".join(parts)


def load_tables(output_dir: str | os.PathLike) -> dict[str, pd.DataFrame] | None:
    """Read chapter 07's tables (``OUTPUT/tables``) through their contracts, or ``None`` when it did not run.

    A table that is there but breaks its contract stops with a
    :class:`~sosu_analysis.reporting.contracts.ContractError` naming the file and the column.
    """
    if not all(contracts.table_path(output_dir, name).is_file() for name in TABLES):
        return None
    return contracts.read_tables(output_dir, TABLES)


def _etu_association(output_dir: str | os.PathLike) -> pd.DataFrame | None:
    """Chapter 08's association table through its contract, or ``None`` when chapter 08 did not run."""
    if not contracts.table_path(output_dir, "etu_association").is_file():
        return None
    return contracts.read_table(output_dir, "etu_association")


def report_section(output_dir: str | os.PathLike, alpha: float = 0.05) -> str:
    """Write the section of the lead's report, from chapter 07's tables (banner first when synthetic)."""
    t = load_tables(output_dir)
    if t is None:
        return "Sammenligningen med de andre SOSU-skoler er ikke kørt (kapitel 07_national mangler i konfigurationen)."
    prov = t["national_provenance"]
    head = banner(prov)
    body = national_section(t["national_rates"], t["national_difference"], t["national_trend"],
                            t["national_funnel"], prov, alpha)
    return (head + "\n\n" + body) if head else body


def etu_section(assoc: pd.DataFrame, synthetic: bool, alpha: float = 0.05) -> str:
    """Danish text on the oplæring questions and dropout: an association, its uncertainty, its points."""
    lines = []
    a = assoc[assoc["outcome_definition"] == "incl_switch"]
    for r in a.to_dict("records"):
        k = int(r["n_points"])
        if k < 4 or math.isnan(float(r["r"])):
            lines.append(f"- «{r['item']}»: for få punkter ({k}) til at sige noget.")
            continue
        lines.append(f"- «{r['item']}»: korrelation {num(float(r['r']), 2)} ({confidence_level(alpha)}-interval "
                     f"{num(float(r['r_ci_low']), 2)} til {num(float(r['r_ci_high']), 2)}, hvis punkterne var "
                     f"uafhængige) over {k} punkter; 10 point højere score gik sammen med "
                     f"{num(abs(float(r['slope_pp_per_10'])))} procentpoint "
                     f"{'lavere' if float(r['slope_pp_per_10']) < 0 else 'højere'} frafald.")
    head = ("SYNTETISKE DATA: trivselstallene er syntetiske. " if synthetic else "")
    return (head + "Sammenhængen mellem elevernes svar om oplæringen og frafaldet (inkl. omvalg) på samme uddannelse "
            "og år. Det er en sammenhæng, ikke en effekt. Punkterne er tre uddannelser i hvert sit år, ikke uafhængige "
            "målinger: sammenhængen kommer mest af forskellen mellem uddannelserne (som adskiller sig på meget "
            "andet end trivsel), og inden for en uddannelse er der kun tre år. Den kan derfor ikke bruges som "
            "bevis for, at trivslen påvirker frafaldet (figuren er i kapitel 08).\n\n" + "\n".join(lines))


def report_etu_section(output_dir: str | os.PathLike, alpha: float = 0.05) -> str:
    """Write the wellbeing paragraph of the lead's report from chapter 08's table ('' when it did not run)."""
    assoc = _etu_association(output_dir)
    if assoc is None:
        return ""
    return etu_section(assoc, bool(assoc["synthetic"].any()), alpha)


def provenance_table(output_dir: str | os.PathLike) -> pd.DataFrame:
    """List the public sources of the report with credit line and retrieval date (Danish column names)."""
    t = load_tables(output_dir)
    rows = [{"Kilde": "SOSU H, tabel 1 (status 3 måneder efter start, 2022-2024)",
             "Udgiver": "Uddannelsesstatistik.dk (emneside 154), gengivet i SOSU H's frafaldsanalyse",
             "Hentet": "skrevet af fra analysen", "Syntetiske tal": "nej"}]
    if t is not None:
        p = _prov_dict(t["national_provenance"])
        rows.append({"Kilde": "Alle SOSU-skoler, frafald 3 måneder efter start",
                     "Udgiver": str(p.get("credit") or "").removeprefix("Kilde: ") or "Uddannelsesstatistik.dk",
                     "Hentet": (p.get("retrieved") or "") or "ikke hentet (syntetiske tal)",
                     "Syntetiske tal": "ja" if p.get("synthetic") else "nej"})
    assoc = _etu_association(output_dir)
    if assoc is not None:
        synthetic = bool(assoc["synthetic"].any())
        rows.append({"Kilde": "Elevtrivselsundersøgelsen (ETU)", "Udgiver": "Uddannelsesstatistik.dk",
                     "Hentet": "ikke hentet (syntetiske tal)" if synthetic else "se data/raw/README.md",
                     "Syntetiske tal": "ja" if synthetic else "nej"})
    return pd.DataFrame(rows)


def is_synthetic(output_dir: str | os.PathLike) -> bool:
    """Tell whether chapter 07's national answer was synthetic (its figures then carry the watermark)."""
    t = load_tables(output_dir)
    return bool(t is not None and _prov_dict(t["national_provenance"]).get("synthetic"))
