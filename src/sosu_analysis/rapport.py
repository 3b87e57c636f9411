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

from . import contracts
from .danish import count, number, p_value, percent, points, span
from .definitions import OUTCOMES
from .did.summary import TARGET_POWER
from .definitions import MIN_CELL

#: the tables the report reads (their columns and types are declared in :mod:`sosu_analysis.contracts`)
TABLES = ("table1", "dropout_rates", "trend_tests", "goal_distance", "marginal_effects", "did",
          "power", "event_study_pretrend")
PACKAGES = ("sosu-analysis", "pandas", "numpy", "scipy", "statsmodels", "matplotlib", "seaborn", "papermill",
            "nbconvert", "nbval", "jupyterlab", "playwright")


def num(x: float, decimals: int = 1) -> str:
    """Format a number the Danish way (the one formatter, :func:`sosu_analysis.danish.number`)."""
    return number(x, decimals)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def pct(x: float) -> str:
    """Format a percentage: ``17,4 %`` with a non-breaking space."""
    return percent(x)


def pval(p: float) -> str:
    """Format a p-value: ``p = 0,043`` or ``p < 0,001``."""
    return p_value(p)


def pp(x: float) -> str:
    """Format the size of a change in percentage points: -4.2 -> ``"4,2 procentpoint"``."""
    return points(abs(x))


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
    """The tables the report reads, and the run's settings that decide which rows it quotes.

    Attributes
    ----------
    tables : dict
        Table name → frame, read through :func:`sosu_analysis.contracts.read_table`.
    synthetic : dict or None
        The synthetic label of the student data (``None``: real data).
    main_horizon : int
        The main horizon in months (the first of the config's ``horizons``):
        rows of ``did`` are selected by it, never by their position.
    alpha : float
        1 − level of every interval (the config's ``alpha``); the words
        "95 %-interval" and the significance verdicts follow it.
    """

    tables: dict[str, pd.DataFrame]
    synthetic: dict | None
    main_horizon: int
    alpha: float

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


def level(res: Results) -> str:
    """Return the confidence level of the run's intervals, e.g. ``"95 %"`` (from the run's ``alpha``)."""
    return f"{num(100 * (1 - res.alpha), 0)} %"


def load_results(output_dir: str | os.PathLike, synthetic: dict | None, *, main_horizon: int,
                 alpha: float) -> Results:
    """Read the tables the report needs, with their declared columns and types.

    ``main_horizon`` and ``alpha`` are the run's (the config's first horizon
    and its ``alpha``). A missing table, a missing or reordered column, a main
    horizon that ``did.csv`` does not have, or power tables computed with
    another ``alpha`` stop here with a message naming the file.
    """
    tables = contracts.read_tables(output_dir, TABLES)
    folder = contracts.table_path(output_dir, "did").parent
    if not (tables["did"]["horizon_months"] == int(main_horizon)).any():
        raise contracts.ContractError(
            f"{folder / 'did.csv'}: no rows for the main horizon {int(main_horizon)} months (column "
            f"'horizon_months' has {sorted(set(int(x) for x in tables['did']['horizon_months']))})")
    power_alpha = set(float(x) for x in tables["power"]["alpha"].dropna())
    if power_alpha and power_alpha != {float(alpha)}:
        raise contracts.ContractError(f"{folder / 'power.csv'}, column 'alpha': {sorted(power_alpha)}, but the "
                                      f"report runs with alpha = {alpha:g}; rerun chapter 05")
    return Results(tables, synthetic, int(main_horizon), float(alpha))


# ---- findings ---------------------------------------------------------------------------------

def _rate(res: Results, programme: str, year: int, column: str) -> float:
    return float(contracts.select_one(res["table1"], "table1.csv", programme=programme, year=year)[column])


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
            + "; ".join(lines) + f". Tallene for {last} bygger på {count(n_last)} elever.")


def trend_verdict(res: Results, programme: str = "SSA") -> str:
    """Is the programme's dropout rising (or falling) beyond chance, under both definitions."""
    t = res["trend_tests"]
    parts = []
    for definition in ("incl_switch", "excl_switch"):
        r = contracts.select_one(t, "trend_tests.csv", programme=programme, outcome_definition=definition)
        rising = r["slope_log_odds_per_year"] > 0
        change = "stigningen" if rising else "faldet"
        overdispersed = r["dispersion"] > 1  # only then does the corrected p-value differ from the plain one
        if r["p_value"] < res.alpha and (not overdispersed or r["p_value_quasi"] < res.alpha):
            verdict = f"{change} er større, end tilfældigheder kan forklare ({pval(r['p_value'])})"
        elif r["p_value"] < res.alpha:
            verdict = (f"{change} er større end tilfældig variation, hvis eleverne betragtes som uafhængige "
                       f"({pval(r['p_value'])}), men ikke, når man tager højde for den variation fra år til år, "
                       f"der ses på tværs af uddannelserne ({pval(r['p_value_quasi'])})")
        else:
            verdict = f"{change} kan skyldes tilfældigheder ({pval(r['p_value'])})"
        per_year = f"ca. {num(abs(r['ame_pp_per_year']))} procentpoint {'op' if rising else 'ned'} om året"
        parts.append(f"{OUTCOMES[definition].long_da}: {per_year}; {verdict}")
    n_years = int(t["n_years"].max())
    return (f"**Stiger frafaldet på {programme}?** " + ". ".join(p[0].upper() + p[1:] for p in parts)
            + f". {n_years} år er et spinkelt grundlag for at tale om en tendens.")


def rates_table(res: Results) -> pd.DataFrame:
    """Dropout by programme and year, both definitions, with intervals, as Danish text."""
    r = res["dropout_rates"]
    out = pd.DataFrame({
        "Uddannelse": r["programme"], "År": r["year"].astype(int),
        "Frafald": r["outcome_definition"].map({name: spec.label_da for name, spec in OUTCOMES.items()}),
        "Andel": [percent(x) for x in r["pct"]],
        f"{level(res)}-interval": [span(a, b, unit="%") for a, b in zip(r["ci_low"], r["ci_high"], strict=True)],
        "Elever": [count(int(n)) for n in r["n_cohort"]],
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
        refs = rows["reference"].unique()
        if len(refs) != 1:
            raise contracts.ContractError(f"marginal_effects.csv, column 'reference': expected one reference "
                                          f"programme for {definition}, found {list(refs)}")
        ref = refs[0]
        parts.append(f"{OUTCOMES[definition].long_da}: {txt} end {ref}")
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
    goals = g["goal_pct"].unique()
    if len(goals) != 1:
        raise contracts.ContractError(f"goal_distance.csv, column 'goal_pct': expected one goal, found {list(goals)}")
    goal = float(goals[0])
    return (f"**Det nationale mål på {num(goal, 0)} %** (Danske SOSU-skoler, SSA og SSH, afbrudt totalt): "
            + "; ".join(parts) + ".")


def _main_did(res: Results, definition: str, inference: str) -> pd.Series:
    """Return the main specification (``lpm``) at the main horizon, for one definition and one inference method."""
    return contracts.select_one(res["did"], "did.csv", horizon_months=main_horizon(res), estimator="lpm",
                                outcome_definition=definition, inference=inference)


def main_horizon(res: Results) -> int:
    """Return the main horizon: the first of the config's ``horizons`` (handed to the report, not read off a row)."""
    return res.main_horizon


def effect_of_interventions(res: Results) -> str:
    """The difference-in-differences estimate in words: relative development, interval, what it rules out."""
    parts, contains_zero = [], []
    for definition in ("incl_switch", "excl_switch"):
        cr2 = _main_did(res, definition, "cr2")
        att = float(cr2["att_pp"])
        better = "gunstigere (lavere)" if att < 0 else "ugunstigere (højere)"
        parts.append(f"{OUTCOMES[definition].long_da}: frafaldet blandt SSA-elever på pilotafdelingerne udviklede sig "
                     f"{pp(att)} {better} end på de øvrige afdelinger ({level(res)}-interval: "
                     f"{interval_words(cr2['ci_low_pp'], cr2['ci_high_pp'])} frafaldne; {pval(cr2['p_value'])})")
        contains_zero.append(cr2["ci_low_pp"] <= 0 <= cr2["ci_high_pp"])
    ri = _main_did(res, "incl_switch", "randomization")
    n_camp, n_pilot = int(ri["n_campuses"]), int(ri["n_pilot_campuses"])
    h = main_horizon(res)
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
    # the design, target and baseline are the same in every ICC scenario; quote the estimated one
    r = contracts.select_one(analytic, "power.csv", icc_source="estimated")
    target = float(r["target_effect_pp"])
    baseline = float(r["baseline_pct"])
    return (f"**Hvor stor en effekt kan data overhovedet vise?** Med {int(r['n_campuses'])} afdelinger, "
            f"{int(r['n_pre'])} optag før og {int(r['n_post'])} efter indsatsernes start skal effekten være ca. "
            f"{num(lo)}–{pp(hi)} for at blive opdaget med {num(100 * TARGET_POWER, 0)} % sikkerhed. "
            "Chancen for at opdage en reduktion "
            f"på {pp(target)} (fra {pct(baseline)} til {pct(baseline - target)}) er ca. "
            f"{num(100 * cr2.min(), 0)}–{num(100 * cr2.max(), 0)} %"
            + (". Et ikke-signifikant resultat betyder derfor ikke, at indsatserne ikke virker."
               if cr2.max() < TARGET_POWER else "."))


#: the sections of the findings-first summary, in order (keys of :func:`findings`)
FINDINGS = ("development", "trend", "programmes", "goal", "effect", "detectable")


def findings(res: Results) -> dict[str, str]:
    """Return the findings of the report, keyed by section (:data:`FINDINGS`), each a Markdown paragraph."""
    return {"development": development(res), "trend": trend_verdict(res), "programmes": programme_differences(res),
            "goal": goal_status(res), "effect": effect_of_interventions(res), "detectable": detectable_effect(res)}


def summary(res: Results) -> str:
    """Return the findings-first summary at the top of the report (Markdown)."""
    return "\n\n".join(f"- {x}" for x in findings(res).values())


def _years(res: Results) -> str:
    t = res["table1"]
    first, last = int(t["year"].min()), int(t["year"].max())
    return f"{first}–{last}" if first != last else str(first)


def subtitle(res: Results) -> str:
    """Return the line under the title: the years of the published table and the programmes."""
    return (f"Udvikling {_years(res)} for social- og sundhedsassistent (SSA), social- og sundhedshjælper (SSH) og "
            "pædagogisk assistent (PAU), og en vurdering af overgangsindsatserne på SSA.")


def intervals_note(res: Results) -> str:
    """Return the caption of the figure with both definitions: what the vertical bars are."""
    return f"Med og uden omvalg; de lodrette streger viser usikkerheden ({level(res)}-interval)."


def pretrend_words(res: Results) -> str:
    """Return the pre-trend test of the main specification in words, per definition."""
    pre = res["event_study_pretrend"]
    parts = []
    for definition in ("incl_switch", "excl_switch"):
        rows = pre[(pre["outcome_definition"] == definition) & (pre["method"] == "cr2")]
        if rows.empty:
            continue
        p = contracts.select_one(rows, "event_study_pretrend.csv", outcome_definition=definition,
                                 method="cr2")["p_value"]
        if pd.isna(p):
            continue
        ok = "ingen tegn på" if p >= res.alpha else "tegn på"
        parts.append(f"{OUTCOMES[definition].long_da}: {ok} forskellig udvikling før pilotstart ({pval(p)})")
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
            f"skolen. Tallene om udviklingen {_years(res)} er de offentlige tal fra uddannelsesstatistik.dk.</div>")


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
    n_camp = int(_main_did(res, "incl_switch", "cr2")["n_campuses"])
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
        f"**Små grupper.** Tabeller fra elevdata viser aldrig grupper med færre end {MIN_CELL} elever.",
    ]
    if res.synthetic:
        items.insert(0, "**Syntetiske data.** Effekten af indsatserne kan først vurderes, når skolens rigtige "
                        "elevudtræk er kørt igennem samme analyse.")
    else:  # the school's own extract (sosu-analysis import): switching is seen from inside the school only
        from .importer.provenance import SWITCH_SCOPE_DA

        items.insert(0, f"**Omvalg set fra skolen.** {SWITCH_SCOPE_DA}")
    return "\n".join(f"- {x}" for x in items)
