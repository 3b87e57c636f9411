"""The project lead's report in Danish: findings first, every number from the result tables.

:func:`load_results` reads the tables the chapters wrote (``OUTPUT/tables``);
the other functions turn them into Danish Markdown. Nothing here types a
number: when the data change, the sentences change with them (a test runs the
pipeline on another synthetic extract and checks it). Danish formats
throughout: ``17,4 %``, ``1.171 elever``, ``4,2 procentpoint``.

Which estimate is quoted where there are several:

- the trend verdict quotes both p-values (students independent, and allowing
  for year-to-year overdispersion) and calls the rise *sikker* only when both
  are below 5 %;
- the effect of the interventions is the main specification (``lpm``) at the
  main horizon, with the CR2 interval (Satterthwaite df): the honest interval
  with few campuses; the wild bootstrap and randomization inference are named
  beside it;
- power is the analytic minimum detectable effect under the estimated ICC and
  the largest assumed one, and the simulated power of CR2.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pandas as pd

from .danish import format_count

DEFINITION_DA = {"incl_switch": "inkl. omvalg (afbrudt totalt)", "excl_switch": "ekskl. omvalg (afbrudt uden omvalg)"}
PROGRAMME_DA = {"SSA": "social- og sundhedsassistent (SSA)", "SSH": "social- og sundhedshjælper (SSH)",
                "PAU": "pædagogisk assistent (PAU)"}
TABLES = ("table1", "dropout_rates", "trend_tests", "goal_distance", "marginal_effects", "did",
          "power", "event_study_pretrend")
PACKAGES = ("sosu-analysis", "pandas", "numpy", "scipy", "statsmodels", "matplotlib", "seaborn", "papermill",
            "nbconvert", "nbval", "jupyterlab", "playwright")


def num(x: float, decimals: int = 1) -> str:
    """A number the Danish way, rounded half up as the ministry does: 2.25 -> ``"2,3"``; -0.0 -> ``"0,0"``.

    (Python's float formatting rounds halves to even and would print 9/400 = 2,25 % as "2,2".)
    """
    from decimal import ROUND_HALF_UP, Decimal

    q = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{q:f}"
    if text.startswith("-") and q == 0:
        text = text[1:]
    return text.replace(".", ",").replace("-", "−")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def pct(x: float) -> str:
    return f"{num(x)} %"


def pval(p: float) -> str:
    return "p < 0,001" if p < 0.001 else f"p = {num(p, 3)}"


def pp(x: float) -> str:
    return f"{num(abs(x))} procentpoint"


def interval_words(lo: float, hi: float, fewer: str = "færre", more: str = "flere") -> str:
    """A change interval in words: (-6, 1) -> "mellem 6,0 procentpoint færre og 1,0 procentpoint flere"."""
    if not (pd.notna(lo) and pd.notna(hi)) or lo == float("-inf") or hi == float("inf"):
        return "uden en endelig grænse"
    if hi <= 0:
        return f"mellem {num(-hi)} og {pp(lo)} {fewer}"
    if lo >= 0:
        return f"mellem {num(lo)} og {pp(hi)} {more}"
    return f"mellem {pp(lo)} {fewer} og {pp(hi)} {more}"


def distance_words(lo: float, hi: float) -> str:
    """A distance to a goal in words: above / below."""
    return interval_words(lo, hi, fewer="under", more="over")


@dataclass
class Results:
    tables: dict[str, pd.DataFrame]
    synthetic: dict | None

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


def level(res: Results) -> str:
    """The confidence level of the run's intervals, e.g. ``"95 %"`` (from ``alpha`` in power.csv)."""
    p = res["power"]
    alpha = float(p["alpha"].iloc[0]) if "alpha" in p.columns else 0.05
    return f"{num(100 * (1 - alpha), 0)} %"


def load_results(output_dir: str | os.PathLike, synthetic: dict | None) -> Results:
    folder = Path(output_dir) / "tables"
    return Results({name: pd.read_csv(folder / f"{name}.csv") for name in TABLES}, synthetic)


# ---- findings ---------------------------------------------------------------------------------

def _rate(res: Results, programme: str, year: int, column: str) -> float:
    t = res["table1"]
    return float(t[(t["programme"] == programme) & (t["year"] == year)][column].iloc[0])


def development(res: Results) -> str:
    t = res["table1"]
    first, last = int(t["year"].min()), int(t["year"].max())
    lines = []
    for prog in ("SSA", "SSH", "PAU"):
        a, b = _rate(res, prog, first, "pct_dropout_total"), _rate(res, prog, last, "pct_dropout_total")
        c, d = _rate(res, prog, first, "pct_dropout_noswitch"), _rate(res, prog, last, "pct_dropout_noswitch")
        lines.append(f"{prog}: {pct(a)} i {first} og {pct(b)} i {last} (uden omvalg {pct(c)} og {pct(d)})")
    n_last = int(t[t["year"] == last]["n_cohort"].sum())
    return ("**Udviklingen.** Andelen af eleverne på hovedforløbet, der var afbrudt 3 måneder efter start: "
            + "; ".join(lines) + f". Tallene for {last} bygger på {format_count(n_last)} elever.")


def trend_verdict(res: Results, programme: str = "SSA") -> str:
    """Is the programme's dropout rising (or falling) beyond chance, under both definitions."""
    t = res["trend_tests"]
    parts = []
    for definition in ("incl_switch", "excl_switch"):
        r = t[(t["programme"] == programme) & (t["outcome_definition"] == definition)].iloc[0]
        rising = r["slope_log_odds_per_year"] > 0
        change = "stigningen" if rising else "faldet"
        overdispersed = r["dispersion"] > 1  # only then does the corrected p-value differ from the plain one
        if r["p_value"] < 0.05 and (not overdispersed or r["p_value_quasi"] < 0.05):
            verdict = f"{change} er større, end tilfældigheder kan forklare ({pval(r['p_value'])})"
        elif r["p_value"] < 0.05:
            verdict = (f"{change} er større end tilfældig variation, hvis eleverne betragtes som uafhængige "
                       f"({pval(r['p_value'])}), men ikke, når man tager højde for den variation fra år til år, "
                       f"der ses på tværs af uddannelserne ({pval(r['p_value_quasi'])})")
        else:
            verdict = f"{change} kan skyldes tilfældigheder ({pval(r['p_value'])})"
        per_year = f"ca. {num(abs(r['ame_pp_per_year']))} procentpoint {'op' if rising else 'ned'} om året"
        parts.append(f"{DEFINITION_DA[definition]}: {per_year}; {verdict}")
    n_years = int(t["n_years"].max())
    return (f"**Stiger frafaldet på {programme}?** " + ". ".join(p[0].upper() + p[1:] for p in parts)
            + f". {n_years} år er et spinkelt grundlag for at tale om en tendens.")


def rates_table(res: Results) -> pd.DataFrame:
    """Dropout by programme and year, both definitions, with intervals, as Danish text."""
    r = res["dropout_rates"]
    out = pd.DataFrame({
        "Uddannelse": r["programme"], "År": r["year"].astype(int),
        "Frafald": r["outcome_definition"].map({"incl_switch": "inkl. omvalg", "excl_switch": "ekskl. omvalg"}),
        "Andel": [pct(x) for x in r["pct"]],
        f"{level(res)}-interval": [f"{num(a)}–{num(b)} %" for a, b in zip(r["ci_low"], r["ci_high"])],
        "Elever": [format_count(int(n)) for n in r["n_cohort"]],
    })
    return out.sort_values(["Frafald", "Uddannelse", "År"], ascending=[False, True, True]).reset_index(drop=True)


def programme_differences(res: Results) -> str:
    me = res["marginal_effects"]
    sub = me[(me["model"] == "additive") & (me["kind"] == "ame") & (me["variable"] == "programme")]
    parts = []
    for definition in ("incl_switch", "excl_switch"):
        rows = sub[sub["outcome_definition"] == definition]
        txt = ", ".join(f"{r['level']} {pp(r['estimate'])} {'lavere' if r['estimate'] < 0 else 'højere'} "
                        f"({interval_words(r['ci_low_quasi'], r['ci_high_quasi'], 'lavere', 'højere')})"
                        for _, r in rows.iterrows())
        ref = rows["reference"].iloc[0] if len(rows) else "SSA"
        parts.append(f"{DEFINITION_DA[definition]}: {txt} end {ref}")
    margins = me[(me["model"] == "additive") & (me["kind"] == "margin") & (me["variable"] == "programme")]
    order = []
    for definition in ("incl_switch", "excl_switch"):
        m = margins[margins["outcome_definition"] == definition].sort_values("estimate")
        order.append((m["level"].iloc[0], m["level"].iloc[-1]))
    same = order[0] == order[1]
    ranking = (f"Frafaldet er lavest på {order[0][0]} og højest på {order[0][1]}"
               + (", med og uden omvalg." if same else f" med omvalg, og lavest på {order[1][0]} og højest på "
                                                        f"{order[1][1]} uden omvalg."))
    return ("**Forskelle mellem uddannelserne.** " + ranking + " I gennemsnit over årene: " + "; ".join(parts)
            + ".")


def goal_status(res: Results) -> str:
    g = res["goal_distance"]
    g = g[g["goal_applies"].astype(str).str.lower() == "true"]
    parts = []
    for _, r in g[g["outcome_definition"] == "incl_switch"].iterrows():
        observed = r["observed_pct"] - r["goal_pct"]
        where = "over" if observed > 0 else "under"
        parts.append(f"{r['programme']} lå i {int(r['year'])} på {pct(r['observed_pct'])}, {pp(observed)} {where} "
                     f"målet; ifølge tendensen {pct(r['predicted_pct'])} (afstand til målet: "
                     f"{distance_words(r['distance_ci_low'], r['distance_ci_high'])}; med variation fra år til "
                     f"år {distance_words(r['distance_ci_low_quasi'], r['distance_ci_high_quasi'])})")
    goal = float(g["goal_pct"].iloc[0]) if len(g) else float("nan")
    return (f"**Det nationale mål på {num(goal, 0)} %** (Danske SOSU-skoler, SSA og SSH, afbrudt totalt): "
            + "; ".join(parts) + ".")


def _main_did(res: Results, definition: str) -> pd.DataFrame:
    d = res["did"]
    h = main_horizon(res)
    return d[(d["estimator"] == "lpm") & (d["outcome_definition"] == definition) & (d["horizon_months"] == h)]\
        .set_index("inference")


def main_horizon(res: Results) -> int:
    """The main horizon: the first of the config's ``horizons``, which ``did.csv`` lists first."""
    return int(res["did"]["horizon_months"].iloc[0])


def effect_of_interventions(res: Results) -> str:
    """The difference-in-differences estimate in words: relative development, interval, what it rules out."""
    parts, contains_zero = [], []
    for definition in ("incl_switch", "excl_switch"):
        rows = _main_did(res, definition)
        att = float(rows["att_pp"].iloc[0])
        cr2 = rows.loc["cr2"]
        better = "gunstigere (lavere)" if att < 0 else "ugunstigere (højere)"
        parts.append(f"{DEFINITION_DA[definition]}: frafaldet blandt SSA-elever på pilotafdelingerne udviklede sig "
                     f"{pp(att)} {better} end på de øvrige afdelinger ({level(res)}-interval: "
                     f"{interval_words(cr2['ci_low_pp'], cr2['ci_high_pp'])} frafaldne; {pval(cr2['p_value'])})")
        contains_zero.append(cr2["ci_low_pp"] <= 0 <= cr2["ci_high_pp"])
    r = _main_did(res, "incl_switch")
    n_camp, n_pilot = int(r["n_campuses"].iloc[0]), int(r["n_pilot_campuses"].iloc[0])
    h = main_horizon(res)
    ri = r.loc["randomization"]
    if all(contains_zero):
        certainty = (f"Med kun {n_camp} afdelinger ({n_pilot} med indsatser) er usikkerheden stor: intervallerne "
                     "rummer både en mærkbar virkning og ingen virkning, så data kan endnu ikke afgøre, om "
                     "indsatserne virkede.")
    elif not any(contains_zero):
        certainty = (f"Trods kun {n_camp} afdelinger ({n_pilot} med indsatser) udelukker intervallerne under "
                     "begge definitioner, at der ingen forskel er.")
    else:
        certainty = (f"Med kun {n_camp} afdelinger ({n_pilot} med indsatser) udelukker intervallet en nulvirkning "
                     "under den ene definition, men ikke under den anden.")
    text = (f"**Virkede indsatserne?** Målt {h} måneder efter start, SSA-optag fra pilotstart sammenlignet med "
            f"optagene før og med {n_camp - n_pilot} afdelinger uden indsatser. " + _capital("; ".join(parts)) + ". "
            + certainty + f" Randomiseringstesten har kun {int(ri['n_draws'])} mulige fordelinger af "
            f"pilotafdelinger og kan derfor aldrig give p under {num(ri['min_p'], 3)}.")
    if res.synthetic:
        truth = res.synthetic.get("effect_pp")
        built_in = (f" med en indbygget sand effekt på {pp(truth)} {'færre' if truth < 0 else 'flere'}"
                    if truth is not None else "")
        text += f" **NB: tallene kommer fra syntetiske data{built_in}; de viser metoden, ikke SOSU H.**"
    return text


def detectable_effect(res: Results) -> str:
    p = res["power"]
    analytic = p[p["method"].str.startswith("analytic")]
    lo, hi = analytic["mde_pp"].min(), analytic["mde_pp"].max()
    cr2 = p[p["method"] == "simulation_cr2"]["power_at_target"]
    target = float(analytic["target_effect_pp"].iloc[0])
    baseline = float(analytic["baseline_pct"].iloc[0])
    r = analytic.iloc[0]
    return (f"**Hvor stor en effekt kan data overhovedet vise?** Med {int(r['n_campuses'])} afdelinger, "
            f"{int(r['n_pre'])} optag før og {int(r['n_post'])} efter indsatsernes start skal effekten være ca. "
            f"{num(lo)}–{pp(hi)} for at blive opdaget med 80 % sikkerhed. Chancen for at opdage en reduktion "
            f"på {pp(target)} (fra {pct(baseline)} til {pct(baseline - target)}) er ca. "
            f"{num(100 * cr2.min(), 0)}–{num(100 * cr2.max(), 0)} %"
            + (". Et ikke-signifikant resultat betyder derfor ikke, at indsatserne ikke virker."
               if cr2.max() < 0.8 else "."))


def summary(res: Results) -> str:
    """The findings-first summary at the top of the report (Markdown)."""
    items = [development(res), trend_verdict(res), programme_differences(res), goal_status(res),
             effect_of_interventions(res), detectable_effect(res)]
    return "\n\n".join(f"- {x}" for x in items)


def pretrend_words(res: Results) -> str:
    pre = res["event_study_pretrend"]
    parts = []
    for definition in ("incl_switch", "excl_switch"):
        r = pre[(pre["outcome_definition"] == definition) & (pre["method"] == "cr2")]
        if r.empty or pd.isna(r["p_value"].iloc[0]):
            continue
        ok = "ingen tegn på" if r["p_value"].iloc[0] >= 0.05 else "tegn på"
        parts.append(f"{DEFINITION_DA[definition]}: {ok} forskellig udvikling før pilotstart "
                     f"({pval(r['p_value'].iloc[0])})")
    return ("Før indsatserne skal pilot- og ikke-pilotafdelinger have udviklet sig ens, ellers er sammenligningen "
            "skæv. Test af optagene før start: " + "; ".join(parts) + ".")


# ---- provenance -------------------------------------------------------------------------------

def sha256(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def input_files_table(files: dict[str, str], root: str | os.PathLike) -> pd.DataFrame:
    """Every input file with its size and SHA-256."""
    rows = []
    for key, rel in files.items():
        p = Path(root) / rel if not Path(rel).is_absolute() else Path(rel)
        rows.append({"nøgle": key, "fil": rel, "bytes": p.stat().st_size, "sha256": sha256(p)})
    return pd.DataFrame(rows)


def html_table(frame: pd.DataFrame, css_class: str = "proveniens"):
    """A plain HTML table for the report: no index, no truncated cells, long values may wrap."""
    from IPython.display import HTML

    with pd.option_context("display.max_colwidth", None):
        return HTML(frame.to_html(index=False, classes=css_class, border=0))


def package_versions() -> pd.DataFrame:
    rows = []
    for name in PACKAGES:
        try:
            rows.append({"pakke": name, "version": metadata.version(name)})
        except metadata.PackageNotFoundError:
            rows.append({"pakke": name, "version": "(ikke installeret)"})
    return pd.DataFrame(rows)


#: what decides the numbers: code, configuration, inputs, pinned packages (not the outputs)
SOURCE_PATHS = ["src", "config", "data/raw", "pyproject.toml", "requirements.lock"]


def git_commit(root: str | os.PathLike) -> str:
    """The last commit that changed code, configuration or inputs, with a note for uncommitted changes.

    Commits that only store new outputs do not change it, so regenerating
    and committing the reports does not make them out of date.
    """
    try:
        head = subprocess.run(["git", "log", "-1", "--format=%H", "--", *SOURCE_PATHS], capture_output=True,
                              text=True, cwd=root, timeout=10, check=True).stdout.strip()
        # only code, config and inputs count: the outputs being rewritten by this very run do not
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", *SOURCE_PATHS],
                               capture_output=True, text=True, cwd=root, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "(ikke et git-arkiv)"
    return head + (" med ikke-committede ændringer" if dirty else "")


# ---- boxes and sections -----------------------------------------------------------------------

def banner(res: Results) -> str:
    """The red banner on top when the student data are synthetic ('' otherwise)."""
    if not res.synthetic:
        return ""
    return ("<div class='syntetisk'>SYNTETISKE DATA – ikke resultater for SOSU H. Afsnittene om pilot- og "
            "ikke-pilotafdelinger og om, hvad data kan vise, bygger på et syntetisk elevudtræk, der er lavet til at "
            "ligne de offentlige tal. De viser, hvordan evalueringen kommer til at se ud, ikke hvordan det gik på "
            "skolen. Tallene om udviklingen 2022–2024 er de offentlige tal fra uddannelsesstatistik.dk.</div>")


def terms_box(res: Results) -> str:
    h = main_horizon(res)
    horizons = list(dict.fromkeys(int(x) for x in res["did"]["horizon_months"]))
    return (
        "<div class='begreber'><b>Begreber</b><ul>"
        "<li><b>Hovedforløb</b>: uddannelsens hoveddel efter grundforløbet, med skoleperioder og oplæring "
        "(praktik) hos en arbejdsgiver.</li>"
        "<li><b>Afbrudt med omvalg</b>: eleven stoppede og begyndte på en anden uddannelse.</li>"
        "<li><b>Afbrudt uden omvalg</b>: eleven stoppede uden at begynde på en anden uddannelse.</li>"
        "<li><b>Frafald inkl. omvalg</b> = afbrudt totalt (begge dele); <b>frafald ekskl. omvalg</b> = kun "
        "afbrudt uden omvalg. Rapporten viser altid begge.</li>"
        "<li><b>Horisont</b>: hvor længe efter start status gøres op. Ministeriets tal bruger 3 måneder; "
        f"sammenligningen af afdelinger bruger {h} måneder"
        + (", og vises også efter " + " og ".join(str(x) for x in horizons if x != h) + " måneder"
           if len(horizons) > 1 else "") + ".</li>"
        "<li><b>Procentpoint</b>: forskellen mellem to procenter (fra 17 % til 12 % er 5 procentpoint).</li>"
        f"<li><b>Usikkerhed</b>: intervallerne er {level(res)}-intervaller: de værdier, data er forenelige "
        "med.</li>"
        "</ul></div>")


def limitations(res: Results) -> str:
    t = res["table1"]
    n_years = t["year"].nunique()
    r = _main_did(res, "incl_switch")
    n_camp = int(r["n_campuses"].iloc[0])
    items = [
        f"**Få år.** De offentlige tal dækker {n_years} årgange. En tendens over {n_years} punkter er spinkel, "
        "og årene varierer mere, end tilfældigheder blandt eleverne alene kan forklare.",
        f"**Få afdelinger.** Sammenligningen har {n_camp} afdelinger. Alt andet, der skete på en afdeling "
        "samtidig med indsatserne (nye lærere, andre elever, ændringer hos arbejdsgiverne), kan ikke skilles fra "
        "indsatsernes effekt.",
        "**Skolens egne tal er ikke ministeriets.** Ministeriet ser elever, der skifter til en anden skole; "
        "skolens eget elevudtræk gør ikke. Frafaldet i skolens udtræk vil derfor afvige fra de offentlige tal.",
        "**Antagelser om afdelinger.** Hvilke afdelinger der er 'Nord', og hvornår hver pilotafdeling startede, "
        "er antagelser, der er markeret i data/raw/campuses.csv.",
        "**Trivsel og oplæring** (elevtrivselsundersøgelsen, oplæringsstedernes forhold) indgår ikke i "
        "tallene; de kan forklare forskelle, men er ikke målt her.",
        "**Små grupper.** Tabeller fra elevdata viser aldrig grupper med færre end 5 elever.",
    ]
    if res.synthetic:
        items.insert(0, "**Syntetiske data.** Effekten af indsatserne kan først vurderes, når skolens rigtige "
                        "elevudtræk er kørt igennem samme analyse.")
    else:  # the school's own extract (sosu-analysis import): switching is seen from inside the school only
        from .importer.provenance import SWITCH_SCOPE_DA

        items.insert(0, f"**Omvalg set fra skolen.** {SWITCH_SCOPE_DA}")
    return "\n".join(f"- {x}" for x in items)
