"""The project lead's report in Danish: three answers, what to do next, every number from the result tables.

:func:`load_results` reads the tables the chapters wrote (``OUTPUT/tables``);
the other functions turn them into structured Danish content
(:class:`Answer`, :class:`Recommendation`, :class:`FrontPage`, sections of
Markdown/HTML) that ``notebooks/06_rapport.ipynb`` shows. Nothing here types a
number: when the data change, the sentences and verdicts change with them
(tests run the pipeline on synthetic extracts with no and with a clear effect).

Formatting: every number goes through :func:`num`, :func:`pct`, :func:`pp`,
:func:`pval` and :func:`interval_words` (built on
:func:`sosu_analysis.danish.format_decimal`); number and unit are joined by a
non-breaking space, so "14,4 %" never breaks across lines. Rows of the tables
are chosen by explicit keys (outcome definition, horizon, estimator,
inference, method), never by position.

Which estimate is quoted where there are several:

- the trend: the SSA trend in dropout incl. switching; *sikkert* only when both
  p-values (students independent, and allowing for year-to-year
  overdispersion) are below ``alpha``;
- the goal: the 2024 rate of SSA and SSH incl. switching against the 12 % goal
  of Danske SOSU-skoler (seed 000) with the rate's interval;
- the interventions: the main specification (``lpm``) at the main horizon with
  the CR2 interval (Satterthwaite df), the inference whose size holds with few
  campuses; the pre-trend check is the CR2 (HTZ) test of the linear pre-trend
  slope (``cr2_slope``), whose size holds too; the minimum detectable effect
  and "when will we know" are from the same CR2 method
  (:mod:`sosu_analysis.did.timeline`), and the power at the hoped-for effect
  from the CR2 simulation.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pandas as pd

from ..atomic import sha256_file
from ..danish import confidence_level, number, p_value, percent, points
from ..danish import count as danish_count
from ..definitions import GOAL_DEFINITION, OUTCOME_LABEL_DA
from . import contracts

NBSP = "\u00a0"
DEFINITION_DA = OUTCOME_LABEL_DA
DEFINITION_LONG = {"incl_switch": "frafald inkl. omvalg (afbrudt i alt)",
                   "excl_switch": "frafald ekskl. omvalg (afbrudt uden at begynde på en anden uddannelse)"}
TABLES = ("table1", "dropout_rates", "trend_tests", "goal_distance", "did", "power", "event_study_pretrend",
          "did_rates_2x2", "trend_curves")
PACKAGES = ("sosu-analysis", "pandas", "numpy", "scipy", "statsmodels", "matplotlib", "seaborn", "papermill",
            "nbconvert", "nbval", "jupyterlab", "playwright")
#: the main specification of the campus comparison and the inference the verdict rests on
MAIN_ESTIMATOR, MAIN_INFERENCE, PRETREND_METHOD = "lpm", "cr2", "cr2_slope"
#: the power at which the minimum detectable effect is computed (did.timeline's default)
POWER = 0.8
#: traffic light: how sure the answer is
LIGHTS = {"grøn": "Sikkert svar", "gul": "Usikkert svar", "rød": "Kan ikke afgøres endnu"}
SOURCE_PUBLISHED = "Kilde: uddannelsesstatistik.dk (Børne- og Undervisningsministeriet), status 3 måneder efter start."
SOURCE_GOALS = "Kilde: Danske SOSU-skolers strategi (mål for frafald og uddannelsesaftaler)."
SOURCE_DESIGN = "Kilde: SOSU H's opfølgningsplan for overgangsindsatserne og projektets tabel over afdelingerne."


# ---- the one place numbers are formatted ------------------------------------------------------

def num(x: float, decimals: int = 1) -> str:
    """Return a number the Danish way (decimal comma, half up): :func:`sosu_analysis.danish.number`."""
    return number(x, decimals)


def pct(x: float, decimals: int = 1) -> str:
    """``17.4`` -> ``"17,4 %"`` (non-breaking space before the sign)."""
    return percent(x, decimals)


def pp(x: float, decimals: int = 1) -> str:
    """Return the size of a difference of percentages: ``-4.2`` -> ``"4,2 procentpoint"`` (sign in words)."""
    return points(abs(x), decimals).replace(" ", NBSP)


def pval(p: float) -> str:
    """``p < 0,001`` or ``p = 0,043``."""
    return p_value(p).replace(" ", NBSP)


def count(n: float) -> str:
    """``1171`` -> ``"1.171"``."""
    return danish_count(int(n))


def _finite(x: float) -> bool:
    return bool(pd.notna(x)) and x not in (float("inf"), float("-inf"))


def interval_words(lo: float, hi: float, fewer: str = "færre", more: str = "flere") -> str:
    """Return a change interval in words: (-6, 1) -> "mellem 6,0 procentpoint færre og 1,0 procentpoint flere"."""
    if not (_finite(lo) and _finite(hi)):
        return "uden en endelig grænse"
    if hi <= 0:
        return f"mellem {num(-hi)} og {pp(lo)} {fewer}"
    if lo >= 0:
        return f"mellem {num(lo)} og {pp(hi)} {more}"
    return f"mellem {pp(lo)} {fewer} og {pp(hi)} {more}"


def change_words(lo: float, hi: float) -> str:
    """Return an interval of a difference in dropout: "mellem 6,0 procentpoint lavere og 1,0 procentpoint højere"."""
    return interval_words(lo, hi, fewer="lavere", more="højere")


def number_word(n: int) -> str:
    """Small counts in words as Danish prose writes them (1-10), larger ones as digits."""
    words = ["nul", "en", "to", "tre", "fire", "fem", "seks", "syv", "otte", "ni", "ti"]
    return words[n] if 0 <= n <= 10 else count(n)


def pct_interval(lo: float, hi: float) -> str:
    """``"15,5–19,5 %"``."""
    return f"{num(lo)}–{num(hi)}{NBSP}%"


def date_da(day: str | pd.Timestamp) -> str:
    """``2026-11-23`` -> ``"23. november 2026"`` (CLDR Danish, via babel)."""
    from babel.dates import format_date

    return format_date(pd.Timestamp(day).date(), "d. MMMM y", locale="da")


def month_da(label: str) -> str:
    """``"2026-04"`` -> ``"april 2026"``."""
    from .interventions import month_da as _m

    return _m(label)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _md(text: str) -> str:
    """Markdown text for an HTML block: ``**x**`` -> ``<b>x</b>``, ``*x*`` -> ``<i>x</i>``."""
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    return re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<i>\1</i>", text)


#: the one HTML block a section's Markdown may carry: the synthetic-data box (national.section.banner)
_BOX = re.compile(r"^<div class='syntetisk'>(.*)</div>$", re.S)


# ---- the results ------------------------------------------------------------------------------

@dataclass
class Results:
    """The chapters' result tables and the synthetic label of the student data (``None``: real data)."""

    tables: dict[str, pd.DataFrame]
    synthetic: dict | None
    horizons: list[int] = field(default_factory=lambda: [3, 6, 12])
    alpha: float = 0.05

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


def load_results(output_dir: str | os.PathLike, synthetic: dict | None, horizons: list[int] | None = None,
                 alpha: float = 0.05) -> Results:
    """Read the result tables from ``OUTPUT/tables``; ``horizons[0]`` is the main horizon (the config's)."""
    tables = contracts.read_tables(Path(output_dir), TABLES)
    hs = list(horizons) if horizons else [3, 6, 12]
    did_file = contracts.table_path(output_dir, "did")
    if not (tables["did"]["horizon_months"] == hs[0]).any():
        raise contracts.ContractError(f"{did_file}: no rows for the main horizon {hs[0]} months (the config's "
                                      "first horizon); rerun chapter 04 with the same horizons")
    fitted = {float(a) for a in tables["power"]["alpha"]} if "alpha" in tables["power"] else {float(alpha)}
    if fitted != {float(alpha)}:
        raise contracts.ContractError(f"{contracts.table_path(output_dir, 'power')}, column 'alpha': the power was "
                                      f"computed with alpha = {sorted(fitted)}, the report runs with {alpha:g}; "
                                      "rerun chapter 05")
    return Results(tables, synthetic, hs, alpha)


def main_horizon(res: Results) -> int:
    """Return the main horizon: the first of the config's ``horizons``."""
    return int(res.horizons[0])


def level(res: Results) -> str:
    """Return the confidence level of the run's intervals, e.g. ``"95 %"`` (:func:`danish.confidence_level`)."""
    return confidence_level(res.alpha)


def _one(frame: pd.DataFrame, what: str, **keys) -> pd.Series:
    """Return the single row of ``frame`` matching ``keys`` (an error naming the table and keys otherwise)."""
    mask = pd.Series(True, index=frame.index)
    for k, v in keys.items():
        mask &= frame[k] == v
    rows = frame[mask]
    if len(rows) != 1:
        raise KeyError(f"{what}: expected one row for {keys}, found {len(rows)}")
    return rows.iloc[0]


def did_row(res: Results, definition: str, horizon: int | None = None, inference: str = MAIN_INFERENCE,
            estimator: str = MAIN_ESTIMATOR) -> pd.Series:
    """Return the campus comparison's row for one definition, horizon, estimator and inference."""
    h = main_horizon(res) if horizon is None else horizon
    return _one(res["did"], "did.csv", outcome_definition=definition, horizon_months=h, estimator=estimator,
                inference=inference)


def pretrend_row(res: Results, definition: str) -> pd.Series | None:
    """Return the pre-trend test the verdict uses (CR2 test of the linear pre-trend slope), or ``None``."""
    t = res["event_study_pretrend"]
    rows = t[(t["outcome_definition"] == definition) & (t["method"] == PRETREND_METHOD)]
    if len(rows) != 1 or pd.isna(rows["p_value"].iloc[0]):
        return None
    return rows.iloc[0]


def pretrend_failed(res: Results) -> list[str]:
    """Return the definitions whose pre-trend slope test rejects parallel trends at ``alpha``."""
    out = []
    for definition in DEFINITION_DA:
        r = pretrend_row(res, definition)
        if r is not None and r["p_value"] < res.alpha:
            out.append(definition)
    return out


# ---- the three answers ------------------------------------------------------------------------

@dataclass
class Answer:
    """One of the lead's three questions, answered in one sentence with a traffic light."""

    key: str
    question: str
    sentence: str
    light: str  # "grøn", "gul", "rød"
    why: str
    #: the light in words when it does not mean how sure the answer is (the goal: how far from it)
    label: str = ""

    @property
    def verdict(self) -> str:
        """The traffic light in words."""
        return self.label or LIGHTS[self.light]


@dataclass
class Recommendation:
    """What to do next: what, who, when."""

    what: str
    who: str
    when: str


@dataclass
class FrontPage:
    """The first screen: three answers and 3-5 recommendations."""

    answers: list[Answer]
    recommendations: list[Recommendation]

    def words(self) -> int:
        """Words a reader sees on the rendered front page (headings and labels included), for the 250-word limit."""
        return len(html.unescape(re.sub(r"<[^>]+>", " ", front_page_html(self))).split())


def _trend_row(res: Results, programme: str, definition: str = "incl_switch") -> pd.Series:
    return _one(res["trend_tests"], "trend_tests.csv", programme=programme, outcome_definition=definition)


def trend_light(r: pd.Series, alpha: float) -> str:
    """Green when both p-values (independent, and allowing for year-to-year variation) are below ``alpha``."""
    overdispersed = r["dispersion"] > 1
    if r["p_value"] < alpha and (not overdispersed or r["p_value_quasi"] < alpha):
        return "grøn"
    return "gul" if r["p_value"] < alpha else "rød"


def answer_trend(res: Results, programme: str = "SSA") -> Answer:
    """*Stiger frafaldet?* The programme's trend incl. switching, in one sentence."""
    r = _trend_row(res, programme)
    rising = r["ame_pp_per_year"] > 0
    light = trend_light(r, res.alpha)
    n_years = int(r["n_years"])
    sentence = (f"Frafaldet på {programme} {'steg' if rising else 'faldt'} med i gennemsnit "
                f"{pp(r['ame_pp_per_year'])} om året fra {int(r['first_year'])} til {int(r['last_year'])}")
    if light == "grøn":
        sentence += f", og {'stigningen' if rising else 'faldet'} er for stor til at være tilfældig."
        why = f"Gælder også, når man tager højde for, at årene svinger mere end ventet ({pval(r['p_value_quasi'])})."
    elif light == "gul":
        change = "stigningen" if rising else "faldet"
        sentence += f", men med kun {number_word(n_years)} år kan {change} godt være tilfældig."
        why = f"Årene svinger mere, end tilfældigheder blandt eleverne kan forklare ({pval(r['p_value_quasi'])})."
    else:
        sentence += f", men {'stigningen' if rising else 'faldet'} er så lille, at den kan være tilfældig."
        why = f"Udviklingen kan skyldes tilfældigheder ({pval(r['p_value'])})."
    return Answer("tendens", "Stiger frafaldet?", sentence, light, why)


def _goal_row(res: Results, programme: str) -> pd.Series:
    g = res["goal_distance"]
    g = g[g["goal_applies"].astype(str).str.lower() == "true"]
    return _one(g, "goal_distance.csv", programme=programme, outcome_definition=GOAL_DEFINITION)


def goal_programmes(res: Results) -> list[str]:
    """Return the programmes the dropout goal applies to (seed 000: SSA and SSH)."""
    g = res["goal_distance"]
    g = g[(g["goal_applies"].astype(str).str.lower() == "true") & (g["outcome_definition"] == GOAL_DEFINITION)]
    return [p for p in ("SSA", "SSH", "PAU") if p in set(g["programme"])]


def goal_position(r: pd.Series) -> str:
    """'over', 'under' or 'omkring' the goal, from the observed rate's interval."""
    if r["observed_ci_low"] > r["goal_pct"]:
        return "over"
    if r["observed_ci_high"] < r["goal_pct"]:
        return "under"
    return "omkring"


def answer_goal(res: Results, programme: str = "SSA") -> Answer:
    """*Hvor langt er vi fra målet?* The programme's last rate against the 12 % goal."""
    r = _goal_row(res, programme)
    diff = r["observed_pct"] - r["goal_pct"]
    where = goal_position(r)
    year = int(r["year"])
    # the light shows the distance to the goal (red: clearly above it), not how sure the answer is
    if where == "omkring":
        sentence = (f"{programme} havde {pct(r['observed_pct'])} frafald i {year}, tæt på målet på "
                    f"{pct(r['goal_pct'], 0)}: usikkerheden rummer både over og under målet.")
        light, label = "gul", "Tæt på målet"
    else:
        sentence = (f"{programme} lå i {year} {pp(diff)} {'over' if where == 'over' else 'under'} målet på "
                    f"{pct(r['goal_pct'], 0)}, og afstanden er klart større end usikkerheden.")
        light, label = ("rød", "Over målet") if where == "over" else ("grøn", "Under målet")
    others = []
    for prog in goal_programmes(res):
        if prog == programme:
            continue
        o = _goal_row(res, prog)
        pos = goal_position(o)
        others.append(f"{prog} ({pct(o['observed_pct'])}) ligger "
                      + {"over": "over målet", "under": "under målet", "omkring": "omkring målet"}[pos])
    why = (f"{programme}: {pct(r['observed_pct'])} frafald i {year}. " + ("; ".join(others) + "." if others else ""))
    return Answer("maal", "Hvor langt er vi fra målet?", sentence, light, why.strip(), label)


def pilot_light(res: Results) -> str:
    """Return the traffic light of the interventions' answer.

    Red when the main intervals contain zero under both definitions; green only
    if both exclude it and the pre-trend test holds; yellow otherwise (one
    definition, or a failed pre-trend test).
    """
    excl = [not (did_row(res, d)["ci_low_pp"] <= 0 <= did_row(res, d)["ci_high_pp"]) for d in DEFINITION_DA]
    if not any(excl):
        return "rød"
    if all(excl) and not pretrend_failed(res):
        return "grøn"
    return "gul"


def answer_pilot(res: Results, when: Timing | None = None) -> Answer:
    """*Virker indsatserne — og hvornår kan vi vide det?* The main estimate, its interval and the date."""
    r = did_row(res, "incl_switch")
    h = main_horizon(res)
    light = pilot_light(res)
    lower = r["att_pp"] < 0
    prefix = "På de syntetiske data, som kun er en illustration, " if res.synthetic else ""
    body = (f"var frafaldet efter {h} måneder {pp(r['att_pp'])} {'lavere' if lower else 'højere'} på "
            "pilotafdelingerne end ventet")
    if light == "rød":
        body += ", men usikkerheden er så stor, at der måske ingen forskel er"
    elif light == "grøn":
        body += ", og forskellen er for stor til at være tilfældig"
    else:
        body += ", men resultatet er ikke sikkert"
    sentence = _capital(prefix + body) + "."
    failed = pretrend_failed(res)
    why = []
    if failed:
        why.append("Afdelingerne udviklede sig ikke ens før start.")
    if when is not None:
        why.append(when.sentence)
    return Answer("indsatser", "Virker indsatserne – og hvornår kan vi vide det?", sentence, light, " ".join(why))


# ---- when will we know ------------------------------------------------------------------------

@dataclass
class Timing:
    """The detectable effect now and the first month in which the hoped-for effect can be shown, per horizon.

    ``mde_now_pp`` and ``power_now`` are from the realised standard error of
    the verdict's estimate (:func:`realised_timeline`); ``best_case_now_pp`` is
    the optimistic design value (intakes differ only by chance among students).
    """

    mde_now_pp: float
    now: str
    target_pp: float
    first_month: dict[int, str | None]
    until: str
    sentence: str
    mde_end: dict[int, float] = field(default_factory=dict)
    power_now: float = float("nan")
    best_case_now_pp: float = float("nan")
    #: intakes planned after the last one in the data (``YYYY-MM``), and the month each horizon's status of
    #: each pilot intake is known: ``{horizon: [YYYY-MM, ...]}``
    planned: list[str] = field(default_factory=list)
    known: dict[int, list[str]] = field(default_factory=dict)


def build_timeline(data, power: pd.DataFrame, horizons: list[int], alpha: float = 0.05,
                   until: str = "2028-12") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the design's detectable effect by month (CR2 df) and the outcome milestones of each pilot intake.

    ``data`` is the campus comparison at the main horizon (cells or the
    student frame); the baseline rate and ICC are those of the power chapter
    (``power.csv``, ICC estimated from the data). With an ICC estimated at
    zero this is the best case; :func:`realised_timeline` scales it to the
    standard error the verdict's estimate actually has.
    """
    from ..did.timeline import detection_timeline, intake_calendar, month_index, month_label, outcome_milestones

    p = _one(power, "power.csv", icc_source="estimated", method="simulation_cr2")
    from ..did.data import as_cells

    cells = as_cells(data)
    cal = intake_calendar(cells, until)
    first = cal.loc[cal["pilot_period"], "intake"].min()
    dates = [month_label(m) for m in range(month_index(first), month_index(until) + 1)]
    timeline = detection_timeline(cells, list(horizons), dates, baseline=float(p["baseline_pct"]) / 100,
                                  icc=float(p["icc"]), power=POWER, alpha=alpha)
    milestones = outcome_milestones(cells, list(horizons), until)
    return timeline, milestones


def realised_timeline(res: Results, timeline: pd.DataFrame, milestones: pd.DataFrame,
                      definition: str = "incl_switch") -> pd.DataFrame:
    """Scale the design timeline to the standard error the verdict's estimate actually has, per horizon.

    For each horizon the design SE of the observed intakes (all pre intakes
    and the pilot intakes in the data) is set against the CR2 standard error
    of the same estimate in ``did.csv``; their ratio scales the design SE of
    every later month (the future intakes), and the detectable effect and the
    power at the hoped-for effect are then computed from that SE with the
    design's Satterthwaite df (:func:`~sosu_analysis.did.power.mde_from_se`,
    :func:`~sosu_analysis.did.power.power_from_se`).
    Columns added: ``se_best_pp``/``mde_best_pp`` (the design values, best case
    when the ICC is 0), ``scale`` and ``power_target``.
    """
    from ..did.power import mde_from_se, power_from_se

    target = float(_one(res["power"], "power.csv", icc_source="estimated", method="simulation_cr2")
                   ["target_effect_pp"])
    n_post_obs = int(milestones.loc[milestones["observed"], "intake"].nunique())
    out = timeline.copy()
    out["se_best_pp"], out["mde_best_pp"] = out["se_pp"], out["mde_pp"]
    scales: dict[int, float] = {}
    for h in res.horizons:
        d = out[(out["horizon"] == h) & (out["n_post"] == n_post_obs) & out["se_pp"].notna()]
        d = d[d["n_pre"] == d["n_pre"].max()] if len(d) else d
        realised = float(did_row(res, definition, h)["se_pp"])
        scales[int(h)] = realised / float(d["se_pp"].iloc[0]) if len(d) and _finite(realised) else float("nan")
    # a horizon without a realised SE borrows the main horizon's ratio (none at all: the design SE as it is)
    main = scales.get(main_horizon(res), float("nan"))
    fallback = main if _finite(main) else 1.0
    out["scale"] = [s if _finite(s := scales.get(int(h), float("nan"))) else fallback for h in out["horizon"]]
    out["se_pp"] = out["se_best_pp"] * out["scale"]
    ok = out["se_pp"].notna()
    out.loc[ok, "mde_pp"] = [mde_from_se(se, df, res.alpha, POWER) for se, df in
                             zip(out.loc[ok, "se_pp"], out.loc[ok, "df_cr2"], strict=True)]
    out["power_target"] = float("nan")
    out.loc[ok, "power_target"] = [power_from_se(target, se, df, res.alpha) for se, df in
                                   zip(out.loc[ok, "se_pp"], out.loc[ok, "df_cr2"], strict=True)]
    return out


def timing(res: Results, timeline: pd.DataFrame, milestones: pd.DataFrame) -> Timing:
    """When the hoped-for effect (power.csv's target) can first be shown, per horizon."""
    h = main_horizon(res)
    target = float(_one(res["power"], "power.csv", icc_source="estimated", method="simulation_cr2")
                   ["target_effect_pp"])
    observed = milestones[(milestones["observed"]) & (milestones["horizon"] == h)]
    now = str(observed["known_from"].max()) if len(observed) else str(timeline["date"].min())
    row_now = _one(timeline, "detection_timeline", date=now, horizon=h)
    first = {}
    for hh in res.horizons:
        ok = timeline[(timeline["horizon"] == hh) & (timeline["mde_pp"] <= target)].sort_values("date")
        first[int(hh)] = str(ok["date"].iloc[0]) if len(ok) else None
    until = str(timeline["date"].max())
    reachable = {k: v for k, v in first.items() if v is not None}
    if reachable:
        hh, m = min(reachable.items(), key=lambda kv: (kv[1], kv[0]))
        sentence = f"En virkning på {pp(target)} kan tidligst påvises i {month_da(m)} (status efter {hh} måneder)."
    else:
        sentence = (f"En virkning på {pp(target)} kan ikke påvises, heller ikke med de planlagte optag til og med "
                    f"{month_da(until)}.")
    end = timeline[timeline["date"] == until]
    mde_end = {int(hh): float(end.loc[end["horizon"] == hh, "mde_pp"].iloc[0]) if (end["horizon"] == hh).any()
               else float("nan") for hh in res.horizons}
    planned = sorted(set(milestones.loc[~milestones["observed"].astype(bool), "intake"].astype(str)))
    known = {int(hh): sorted(set(milestones.loc[milestones["horizon"] == hh, "known_from"].astype(str)))
             for hh in res.horizons}
    power_now = float(row_now["power_target"]) if "power_target" in row_now else float("nan")
    best = float(row_now["mde_best_pp"]) if "mde_best_pp" in row_now else float("nan")
    return Timing(float(row_now["mde_pp"]), now, target, first, until, sentence, mde_end, power_now, best,
                  planned, known)


# ---- recommendations --------------------------------------------------------------------------

def next_intake(when: Timing, report_date: str = "") -> str | None:
    """Return the first planned SSA intake (``YYYY-MM``) after the report month (``None``: none planned)."""
    after = [m for m in when.planned if m > str(report_date)[:7]]
    return after[0] if after else None


def recommendations(res: Results, when: Timing, campuses: list[str], comparison: list[str],
                    report_date: str = "") -> list[Recommendation]:
    """3-5 next steps with who and when (dates from the intake calendar and the timeline), following the verdicts.

    When the hoped-for effect cannot be shown, the steps offered are the ones
    the lead can take: more campuses only if the campus table has SSA campuses
    the comparison lacks; otherwise the 6- and 12-month outcomes, the other
    schools' public SSA numbers and a staggered start on the comparison campuses.
    """
    month = str(report_date)[:7]
    nxt = next_intake(when, month)
    before = f"før SSA-optaget i {month_da(nxt)}" if nxt else "før næste SSA-optag"
    out = []
    if res.synthetic:
        out.append(Recommendation("Kør analysen på skolens rigtige elevudtræk.",
                                  "Projektlederen og skolens dataansvarlige", before))
    first = [v for v in when.first_month.values() if v]
    longest = max(when.known) if when.known else None
    if first:
        out.append(Recommendation(
            f"Fortsæt indsatserne, men indfør dem ikke på {_join(comparison)} endnu, så sammenligningen bevares.",
            "Uddannelseslederne", f"mindst til {month_da(min(first))}"))
    else:
        n_in = int(did_row(res, "incl_switch")["n_campuses"])
        if len(campuses) + len(comparison) > n_in:
            what = "Tag de øvrige afdelinger med SSA med i sammenligningen."
        else:
            ways = ["bedøm på 6- og 12-måneders status", "sammenlign med andre SOSU-skolers SSA-tal"]
            if comparison:
                ways.append(f"indfør indsatserne trinvis på {_join(comparison)}")
            what = f"Der er ikke flere afdelinger med SSA. Vælg i stedet: {_join(ways, 'eller')}."
        out.append(Recommendation(what, "Projektlederen og uddannelseslederne", before))
    out.append(Recommendation(
        "Notér for hvert optag, hvem der deltog, og hvornår eleverne fik uddannelsesaftale.",
        "Kontaktlærere og oplæringsvejledere", f"fra SSA-optaget i {month_da(nxt)}" if nxt else "fra næste optag"))
    if pretrend_failed(res):
        out.append(Recommendation(
            "Undersøg, hvorfor afdelingerne udviklede sig forskelligt før pilotstart.", "Projektlederen", before))
    else:
        out.append(Recommendation("Bekræft antagelserne om afdelinger og pilotstart.",
                                  "Projektlederen", before))
    if first and longest is not None:
        later = [m for m in when.known[longest] if m > month]
        out.append(Recommendation(
            f"Bedøm indsatserne på {longest}-måneders status, ikke kun på {main_horizon(res)} måneder.",
            "Projektgruppen", f"næste gang i {month_da(later[0])}" if later else "ved hver ny kørsel"))
    return out[:5]


def _join(items: list[str], last: str = "og") -> str:
    items = [i for i in items if i]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {last} " + items[-1] if items else ""


def front_page(res: Results, when: Timing, campuses: list[str], comparison: list[str],
               report_date: str = "") -> FrontPage:
    """Return the three answers and the recommendations (dates after ``report_date``, ``YYYY-MM-DD``)."""
    return FrontPage([answer_trend(res), answer_goal(res), answer_pilot(res, when)],
                     recommendations(res, when, campuses, comparison, report_date))


def front_page_html(page: FrontPage) -> str:
    """Return the first screen as HTML: answer cards with a traffic light, then the recommendations."""
    cards = []
    for a in page.answers:
        cards.append(
            f"<div class='svar lys-{a.light}'><p class='spoergsmaal'>{html.escape(a.question)}</p>"
            f"<p class='saetning'>{_md(a.sentence)}</p>"
            f"<p class='dom'><span class='lampe' aria-hidden='true'></span><b>{a.verdict}.</b> {_md(a.why)}</p></div>")
    recs = "".join(f"<li>{_md(r.what)} <span class='hvem'><b>Hvem:</b> {html.escape(r.who)}. "
                   f"<b>Hvornår:</b> {html.escape(r.when)}.</span></li>" for r in page.recommendations)
    return ("<section class='forside' id='kort-fortalt'><h2>Kort fortalt</h2>" + "".join(cards)
            + "<h3>Det anbefaler vi</h3><ol class='anbefalinger'>" + recs + "</ol></section>")


# ---- header, contents, boxes ------------------------------------------------------------------

def report_date(root: str | os.PathLike) -> str:
    """Return the date of the code version (last commit changing code, configuration or data), ``YYYY-MM-DD``.

    Tied to the version rather than to the clock, so that the same version
    gives the same report on any day.
    """
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%cs", "--", *SOURCE_PATHS], capture_output=True,
                             text=True, cwd=root, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out = ""
    return out or pd.Timestamp.today().strftime("%Y-%m-%d")


def extract_words(data, synthetic: dict | None, extract_date: str = "") -> str:
    """Return the data extraction date in words."""
    if extract_date:
        return date_da(extract_date)
    frame = data if isinstance(data, pd.DataFrame) else None
    last = ""
    if frame is not None and "start_date" in frame.columns:
        last = date_da(pd.to_datetime(frame["start_date"]).max())
    if synthetic:
        return "syntetisk udtræk" + (f" (optag til og med {last})" if last else "")
    return f"ikke angivet; seneste start i udtrækket {last}" if last else "ikke angivet"


def header_html(res: Results, date: str, version: str, extract: str) -> str:
    """Date, version and extraction date (shown below the answers), and the hidden running header the PDF prints."""
    synth = " · SYNTETISKE DATA" if res.synthetic else ""
    return (f"<p class='metadata metadata-efter'>Rapportdato: {date_da(date)} · Version {html.escape(version)} · "
            f"Elevdata: {html.escape(extract)}</p>"
            f"<div id='pdf-header' hidden>Frafald på hovedforløbet, SOSU H · {date_da(date)}{synth}</div>")


CONTENTS = [("kort-fortalt", "Kort fortalt"), ("begreber", "Begreber"), ("afproevet", "Hvad blev afprøvet?"),
            ("stiger", "Stiger frafaldet?"), ("maalet", "Hvor langt er vi fra målet?"),
            ("virker", "Virker indsatserne?"), ("hvornaar", "Hvornår kan vi vide det?"),
            ("skolerne", "SOSU H og de andre SOSU-skoler"), ("elevsvar", "Elevernes egne svar"),
            ("kan-ikke", "Hvad analysen ikke kan vise"), ("bilag", "Bilag: datagrundlag og versioner")]


def contents_html() -> str:
    """Return the table of contents (links to the sections' anchors)."""
    items = "".join(f"<li><a href='#{a}'>{html.escape(t)}</a></li>" for a, t in CONTENTS)
    return f"<nav class='indhold'><h2>Indhold</h2><ol>{items}</ol></nav>"


def section_heading(anchor: str) -> str:
    """Return a section's ``<h2>`` with its anchor (titles from :data:`CONTENTS`)."""
    return f"<h2 id='{anchor}'>{html.escape(dict(CONTENTS)[anchor])}</h2>"


def banner(res: Results) -> str:
    """Return the red box on top when the student data are synthetic ('' otherwise)."""
    if not res.synthetic:
        return ""
    years = res["table1"]["year"]
    return ("<div class='syntetisk'>SYNTETISKE DATA – ikke resultater for SOSU H.<span class='syntetisk-lang'> "
            "Alt om indsatserne bygger "
            f"på et syntetisk elevudtræk og viser kun metoden; tallene for {int(years.min())}–{int(years.max())} "
            "er de offentlige.</span></div>"
            "<div class='syntetisk-side' aria-hidden='true'>SYNTETISKE DATA – ikke resultater for SOSU H</div>")


def terms_box(res: Results) -> str:
    """Begreber: the sector's words and the statistical ones, in plain Danish."""
    h = main_horizon(res)
    items = [
        ("Hovedforløb", "uddannelsens hoveddel efter grundforløbet, med skoleperioder og oplæring hos en "
                        "arbejdsgiver."),
        ("Optag", "de elever, der begynder på hovedforløbet samme måned på samme afdeling."),
        ("Frafald inkl. omvalg", "eleven har afbrudt uddannelsen, også hvis hun er begyndt på en anden."),
        ("Frafald ekskl. omvalg", "eleven har afbrudt uden at begynde på en anden uddannelse. Rapporten viser "
                                  "begge."),
        ("Status efter 3, 6 og 12 måneder", "hvor længe efter start det gøres op, om eleven stadig er i gang. "
                                            f"Ministeriets tal bruger 3 måneder; sammenligningen af afdelinger "
                                            f"bruger {h} måneder som hovedresultat."),
        ("Procentpoint", f"forskellen mellem to procenter: fra 17{NBSP}% til 12{NBSP}% er 5{NBSP}procentpoint."),
        ("Konfidensinterval", f"de værdier, data er forenelige med. Rapporten bruger {level(res)}-intervaller: "
                              "et interval, der rummer nul, betyder, at der måske ingen forskel er."),
        ("p-værdi", "hvor ofte man ville se en forskel så stor som den målte, hvis der i virkeligheden ingen "
                    "forskel var. Jo mindre, jo mindre sandsynligt er det, at forskellen er tilfældig."),
        ("Signifikans", f"en forskel kaldes statistisk signifikant, når p-værdien er under "
                        f"{num(res.alpha, 2)}. Det siger ikke, at forskellen er stor eller vigtig."),
        ("Statistisk styrke", "chancen for at påvise en virkning, der faktisk er der. Med få afdelinger er "
                              "styrken lav, og et resultat uden signifikans betyder ikke, at indsatsen ikke virker."),
        ("Mindste påviselige effekt", f"den mindste virkning, der med {pct(100 * POWER, 0)} sandsynlighed kan "
                                      "påvises med de data, der er."),
        ("Klyngerobuste standardfejl (CR2)", "usikkerhed beregnet, så elever på samme afdeling ikke regnes som "
                                             "uafhængige, og rettet, så den holder med få afdelinger."),
        ("Frihedsgrader", "et mål for, hvor meget information usikkerheden bygger på. Med få afdelinger er der få "
                          "frihedsgrader, og intervallerne bliver brede (Satterthwaites metode)."),
        ("Randomiseringstest", "en p-værdi, der regnes ved at lade, som om andre afdelinger var pilotafdelinger, og "
                               "se, hvor ofte forskellen så bliver lige så stor. Med få afdelinger kan den aldrig "
                               "blive ret lille."),
        ("Odds", f"chancen for frafald delt med chancen for at blive. En ændring i odds på 12{NBSP}% svarer ved et "
                 f"frafald omkring 15{NBSP}% til cirka 1,5{NBSP}procentpoint."),
        ("Korrelation", "et tal mellem −1 og 1 for, hvor tæt to ting følges ad. Det siger ikke, at den ene er "
                        "årsag til den anden."),
        ("Designeffekt", "hvor meget større usikkerheden er, fordi svarene klumper sig sammen på afdelinger, end "
                         "hvis eleverne var trukket enkeltvis."),
        ("Kontrolgrænse", "hvor langt fra landsniveauet en skole af samme størrelse kan ligge alene ved tilfældighed."),
    ]
    lis = "".join(f"<li><b>{html.escape(k)}</b>: {html.escape(v)}</li>" for k, v in items)
    return f"<div class='begreber' id='begreber'><h2>Begreber</h2><ul>{lis}</ul></div>"


# ---- figures and tables -----------------------------------------------------------------------

#: every figure and table of the report: number and title (the order in which they appear)
FIGURES = {"tendens": (1, "Frafald pr. uddannelse og år"),
           "pilot_effekt": (2, "Forskellen mellem pilot- og øvrige afdelinger, med usikkerhed"),
           "pilot_andele": (3, "Frafald på SSA før og fra pilotstart"),
           "hvornaar": (4, "Mindste virkning, der kan påvises, efterhånden som resultaterne kommer")}
TABLES_DA = {"indsatser": (1, "Indsatserne og de afdelinger, der afprøver dem"),
             "andele": (2, "Frafald pr. uddannelse og år"),
             "maal": (3, "Danske SOSU-skolers mål og landsplan i dag"),
             "milepaele": (4, "Hvornår resultaterne for pilotoptagene kendes"),
             "filer": (5, "Datafiler og kontrolsummer"),
             "kilder": (6, "Offentlige kilder, kreditering og hentedato"),
             "pakker": (7, "Programversioner")}


def figure_html(png: bytes, key: str, alt: str, source: str, note: str = "", synthetic: bool = False) -> str:
    """Return a numbered figure: the PNG embedded, Danish alt text, caption with a *Kilde:* line."""
    import base64

    number, title = FIGURES[key]
    data = base64.b64encode(png).decode("ascii")
    tag = " <span class='syntetisk-maerke'>Syntetiske data.</span>" if synthetic else ""
    return (f"<figure class='figur' id='figur-{number}'><img src='data:image/png;base64,{data}' "
            f"alt='{html.escape(alt, quote=True)}'><figcaption><b>Figur {number}. {html.escape(title)}.</b>{tag} "
            f"{_md(html.escape(note))} <span class='kilde'>{html.escape(source)}</span></figcaption></figure>")


def table_html(frame: pd.DataFrame, key: str, source: str, note: str = "", css_class: str = "tabel") -> str:
    """Return a numbered table without index, caption on top, *Kilde:* line below."""
    number, title = TABLES_DA[key]
    cols = [str(c) for c in frame.columns]
    head = "".join(f"<th scope='col'>{html.escape(c)}</th>" for c in cols)
    rows = "".join("<tr>" + "".join(f"<td data-label='{html.escape(c, quote=True)}'>{html.escape(str(v))}</td>"
                                    for c, v in zip(cols, row, strict=True)) + "</tr>"
                   for row in frame.itertuples(index=False, name=None))
    body = (f"<table id='tabel-{number}' class='{css_class}'><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>")
    return (f"<div class='tabelblok'><p class='tabeltitel'><b>Tabel {number}. {html.escape(title)}.</b> "
            f"{html.escape(note)}</p>{body}<p class='kilde'>{html.escape(source)}</p></div>")


def show(text: str):
    """Show HTML in the notebook (and so in the report)."""
    from IPython.display import HTML

    return HTML(text)


def rates_table(res: Results) -> pd.DataFrame:
    """Dropout by programme and year, both definitions, with intervals, as Danish text."""
    r = res["dropout_rates"]
    out = pd.DataFrame({
        "Uddannelse": r["programme"], "År": r["year"].astype(int).astype(str),
        "Frafald": r["outcome_definition"].map(DEFINITION_DA),
        "Andel": [pct(x) for x in r["pct"]],
        "Interval": [pct_interval(a, b) for a, b in zip(r["ci_low"], r["ci_high"], strict=True)],
        "Elever": [count(n) for n in r["n_cohort"]],
    })
    order = {"inkl. omvalg": 0, "ekskl. omvalg": 1}
    return out.sort_values(["Frafald", "Uddannelse", "År"], key=lambda s: s.map(order) if s.name == "Frafald"
                           else s).reset_index(drop=True)


def trend_text(res: Results) -> str:
    """Return the trend section: SSA's verdict, SSH's whole series (peak included), PAU, both definitions."""
    t1 = res["table1"]
    parts = []
    r = _trend_row(res, "SSA")
    d = t1[t1["programme"] == "SSA"].sort_values("year")
    series = _join([f"{pct(v)} i {int(y)}" for y, v in zip(d["year"], d["pct_dropout_total"], strict=True)])
    change = "stigning" if r["ame_pp_per_year"] > 0 else "fald"
    light = trend_light(r, res.alpha)
    verdict = {"grøn": "Udviklingen er for stor til at være tilfældig, også når man tager højde for, at årene "
                       "svinger mere, end tilfældigheder blandt eleverne kan forklare",
               "gul": "Ser man på eleverne enkeltvis, er udviklingen for stor til at være tilfældig, men årene "
                      "svinger så meget, at den godt kan være det, når man tager højde for det",
               "rød": "Udviklingen kan skyldes tilfældigheder"}[light]
    parts.append(f"På SSA var frafaldet inkl. omvalg {series}: en {change} på i gennemsnit "
                 f"{pp(r['ame_pp_per_year'])} om året. {verdict} ({pval(r['p_value'])} og "
                 f"{pval(r['p_value_quasi'])}).")
    for prog in ("SSH", "PAU"):
        d = t1[t1["programme"] == prog].sort_values("year")
        if d.empty:
            continue
        series = _join([f"{pct(v)} i {int(y)}" for y, v in zip(d["year"], d["pct_dropout_total"], strict=True)])
        peak = d.sort_values("pct_dropout_total").iloc[-1]  # the highest year
        peak_txt = ""
        if int(peak["year"]) not in (int(d["year"].min()), int(d["year"].max())):
            peak_txt = (f" Frafaldet toppede altså i {int(peak['year'])} med {pct(peak['pct_dropout_total'])} og er "
                        "faldet igen; en sammenligning af første og sidste år alene skjuler det.")
        r = _trend_row(res, prog)
        parts.append(f"På {prog} var frafaldet inkl. omvalg {series}.{peak_txt} "
                     + ("Udviklingen kan skyldes tilfældigheder." if trend_light(r, res.alpha) == "rød"
                        else "Udviklingen er usikker." if trend_light(r, res.alpha) == "gul"
                        else "Udviklingen er for stor til at være tilfældig."))
    r_ex = _trend_row(res, "SSA", "excl_switch")
    parts.append(f"Ser man kun på elever, der afbrød uden at begynde på en anden uddannelse, gik SSA fra "
                 f"{pct(r_ex['pct_first'])} til {pct(r_ex['pct_last'])}.")
    n_years = int(_trend_row(res, "SSA")["n_years"])
    parts.append(f"{_capital(number_word(n_years))} år er et spinkelt grundlag for at tale om en tendens: "
                 "årene svinger mere, end "
                 "tilfældigheder blandt eleverne alene kan forklare, og derfor bygger vurderingen på den "
                 "forsigtige beregning, der tager højde for det.")
    return "\n\n".join(parts)


def goal_text(res: Results) -> str:
    """Return the goal section: every programme the goal applies to, with its interval and the trend's forecast."""
    parts = []
    for prog in goal_programmes(res):
        r = _goal_row(res, prog)
        where = goal_position(r)
        parts.append(f"{prog} havde {pct(r['observed_pct'])} frafald inkl. omvalg i {int(r['year'])} "
                     f"({level(res)}-interval {pct_interval(r['observed_ci_low'], r['observed_ci_high'])}), "
                     + {"over": f"{pp(r['observed_pct'] - r['goal_pct'])} over målet",
                        "under": f"{pp(r['observed_pct'] - r['goal_pct'])} under målet",
                        "omkring": "så tæt på målet, at usikkerheden rummer begge sider"}[where] + ".")
    goal = float(_goal_row(res, goal_programmes(res)[0])["goal_pct"]) if goal_programmes(res) else 12.0
    parts.append(f"Målet på {pct(goal, 0)} er Danske SOSU-skolers mål for SSA og SSH. Strategien siger ikke, "
                 "hvordan frafaldet skal måles; rapporten læser det som frafald inkl. omvalg 3 måneder efter start, "
                 "som i ministeriets tal. PAU er ikke omfattet af målet.")
    return "\n\n".join(parts)


def goals_context(goals: pd.DataFrame) -> pd.DataFrame:
    """Return the national goals of seed 000 as a Danish table (from :func:`sosu_analysis.readers.goals.read_goals`)."""
    return pd.DataFrame({
        "Mål": goals["indicator"],
        "Uddannelse": goals["programme"],
        "Hvornår": [t if t else "–" for t in goals["timepoint"].fillna("")],
        "Landsplan nu": [pct(v) if pd.notna(v) else "–" for v in goals["level_pct"]],
        "Målet": [pct(v, 0) for v in goals["goal_pct"]],
    })


def dropout_start_pct(goals: pd.DataFrame) -> float:
    """Return the national dropout level the goal starts from (18 %), read from the goals table."""
    from ..readers.goals import DROPOUT_INDICATOR

    values = set(goals.loc[goals["indicator"] == DROPOUT_INDICATOR, "level_pct"])
    if len(values) != 1:
        raise ValueError(f"expected one national dropout level in the goals table, found {sorted(values)}")
    return float(values.pop())


def goals_context_text(goals: pd.DataFrame) -> str:
    """Return what the project can and cannot measure of the national goals (numbers from the goals table)."""
    from ..readers.goals import DROPOUT_INDICATOR, dropout_goal_pct

    agree = goals[goals["indicator"] != DROPOUT_INDICATOR]
    targets = "; ".join(f"{pct(g, 0)} i {t}" if t else pct(g, 0)
                        for t, g in agree.groupby("timepoint", sort=True)["goal_pct"].first().items())
    return (f"Danske SOSU-skoler har to slags mål: frafaldet på hovedforløbet skal ned fra "
            f"{pct(dropout_start_pct(goals), 0)} til {pct(dropout_goal_pct(goals), 0)}, og flere elever skal have en "
            f"uddannelsesaftale tidligt på grundforløbet ({targets}). Projektet kan måle frafaldet på "
            "hovedforløbet og sammenligne pilotafdelingerne med de øvrige. Det kan ikke måle uddannelsesaftalerne: "
            "elevudtrækket indeholder ikke, hvornår eleven fik sin uddannelsesaftale, og de nationale tal er ikke "
            "opgjort for SOSU H alene. Tallene for uddannelsesaftaler i tabellen er landstal og vises kun som "
            f"baggrund. Strategiens {pct(dropout_start_pct(goals), 0)} er ét tal for social- og sundhedsassistent og "
            "-hjælper tilsammen, uden at det er oplyst, hvordan det er opgjort; ministeriets landstal for frafald "
            "3 måneder efter start (afsnittet om de andre SOSU-skoler) er opgjort pr. uddannelse og kan derfor "
            "ligge et andet sted.")


def pilot_text(res: Results) -> str:
    """Return the interventions section: the main estimate, both definitions, all horizons, the pre-trend test."""
    h = main_horizon(res)
    parts = []
    for definition in DEFINITION_DA:
        r = did_row(res, definition)
        lower = r["att_pp"] < 0
        parts.append(f"Opgjort som {DEFINITION_LONG[definition]} blev frafaldet blandt SSA-eleverne efter {h} "
                     f"måneder {pp(r['att_pp'])} {'lavere' if lower else 'højere'} på pilotafdelingerne, end "
                     f"udviklingen på de øvrige afdelinger tilsagde ({level(res)}-interval: "
                     f"{change_words(r['ci_low_pp'], r['ci_high_pp'])}; {pval(r['p_value'])}).")
    r = did_row(res, "incl_switch")
    n_camp, n_pilot = int(r["n_campuses"]), int(r["n_pilot_campuses"])
    light = pilot_light(res)
    n_camp_w, n_pilot_w = number_word(n_camp), number_word(n_pilot)
    parts.append({"rød": f"Med kun {n_camp_w} afdelinger, heraf {n_pilot_w} med indsatser, er usikkerheden stor: "
                         "intervallerne rummer både en mærkbar virkning og ingen virkning. Data kan endnu ikke "
                         "afgøre, om indsatserne virker.",
                  "gul": f"Med kun {n_camp_w} afdelinger, heraf {n_pilot_w} med indsatser, peger resultatet i retning "
                         "af en forskel, men det holder ikke under begge opgørelser eller hviler på en "
                         "sammenligning, der kan være skæv.",
                  "grøn": f"Selv med kun {n_camp_w} afdelinger, heraf {n_pilot_w} med indsatser, udelukker "
                          "intervallerne under begge opgørelser, at der ingen forskel er."}[light])
    others = [hh for hh in res.horizons if hh != h]
    for hh in others:
        rr = did_row(res, "incl_switch", hh)
        if _finite(rr["att_pp"]):
            parts.append(f"Efter {hh} måneder er forskellen {pp(rr['att_pp'])} "
                         f"{'lavere' if rr['att_pp'] < 0 else 'højere'} "
                         f"({change_words(rr['ci_low_pp'], rr['ci_high_pp'])}).")
    parts.append("Usikkerheden er beregnet, så den holder med få afdelinger (klyngerobuste standardfejl af "
                 "typen CR2 med Satterthwaites frihedsgrader). Figur 2 viser alle resultaterne; kapitel 04 "
                 "indeholder de øvrige beregninger.")
    parts.append(pretrend_words(res))
    if res.synthetic:
        truth = res.synthetic.get("effect_pp")
        if truth is not None and truth == 0:
            parts.append("**De syntetiske data er lavet uden nogen indbygget virkning. Tallene viser metoden, "
                         "ikke SOSU H.**")
        elif truth is not None:
            parts.append(f"**De syntetiske data er lavet med en indbygget virkning, der "
                         f"{'sænker' if truth < 0 else 'hæver'} frafaldet uden omvalg efter 3 måneder med "
                         f"{pp(truth)}. Tallene viser metoden, ikke SOSU H.**")
    return "\n\n".join(parts)


def pretrend_words(res: Results) -> str:
    """Return the pre-trend check in words, no stronger than a low-power test allows.

    A failed test says what it means for the verdict.
    """
    found: dict[bool, list[str]] = {True: [], False: []}
    for definition in DEFINITION_DA:
        r = pretrend_row(res, definition)
        if r is not None:
            found[bool(r["p_value"] < res.alpha)].append(f"{DEFINITION_DA[definition]}: {pval(r['p_value'])}")
    if not found[True] and not found[False]:
        return "Det kunne ikke undersøges, om afdelingerne udviklede sig ens før pilotstart."
    n_camp = number_word(int(did_row(res, "incl_switch")["n_campuses"]))
    text = ("Sammenligningen forudsætter, at pilot- og øvrige afdelinger udviklede sig ens, før indsatserne "
            "begyndte. Testen af optagene før start ser efter en jævn forskel i udviklingen.")
    if found[False]:
        text += (f" Testen fandt ikke en forskellig udvikling ({'; '.join(found[False])}), men med kun {n_camp} "
                 "afdelinger kan den kun opdage store forskelle. Den viser altså ikke, at udviklingen var ens, og "
                 "en forskel lige før start ser den slet ikke efter.")
    if found[True]:
        text += (f" Testen fandt en forskellig udvikling ({'; '.join(found[True])}). Derfor kan en del af "
                 "forskellen skyldes noget andet end indsatserne, og resultatet skal læses med forsigtighed.")
    return text


def three_month_text(res: Results) -> str:
    """Return what a 3-month outcome can catch of interventions placed around oplæring 1a."""
    return ("Alle indsatserne ligger omkring elevens første oplæring (oplæring 1a): en dag ca. 2 uger før, et "
            "fagligt overgangsrum ca. 3 uger inde i oplæringen, en opringning fra kontaktlæreren undervejs og en "
            "opsamlende dag bagefter. Status 3 måneder efter start fanger derfor kun det frafald, der sker før og i "
            "begyndelsen af oplæringen. Elever, der falder fra senere i oplæringen eller i næste skoleperiode, ses "
            "først i 6- og 12-måneders resultaterne. Det er derfor dem, den endelige vurdering skal bygge på.")


def timeline_text(res: Results, when: Timing) -> str:
    """When will we know: the detectable effect now and the dates, per horizon, from the realised uncertainty."""
    p = _one(res["power"], "power.csv", icc_source="estimated", method="simulation_cr2")
    h = main_horizon(res)
    parts = [f"Med de optag, der er nu ({number_word(int(p['n_campuses']))} afdelinger, heraf "
             f"{number_word(int(p['n_pilot_campuses']))} pilotafdelinger), kan en virkning først påvises, hvis den "
             f"er mindst {pp(when.mde_now_pp)} efter {h} måneder. Chancen for at påvise en virkning på "
             f"{pp(when.target_pp)} er ca. {pct(100 * when.power_now, 0)}. Et resultat uden signifikans betyder "
             "derfor ikke, at indsatserne ikke virker."]
    horizons = _join([str(hh) for hh in when.first_month], "eller")
    if any(when.first_month.values()):
        lines = [f"med status efter {hh} måneder " + (f"tidligst i {month_da(m)}" if m else
                                                       f"heller ikke med optagene til og med {month_da(when.until)}")
                 for hh, m in when.first_month.items()]
        parts.append(f"En virkning på {pp(when.target_pp)} kan påvises, hvis den findes: " + "; ".join(lines) + ".")
    else:
        ends = [f"{pp(m)} efter {hh} måneder" for hh, m in when.mde_end.items() if _finite(m)]
        parts.append(f"En virkning på {pp(when.target_pp)} kan ikke påvises, heller ikke med de optag, der er "
                     f"planlagt til og med {month_da(when.until)}, uanset om man ser på status efter {horizons} "
                     f"måneder. Selv da er den mindste virkning, der kan påvises, {_join(ends)}.")
    best = (f" I det bedste tilfælde, hvor optagene kun adskiller sig ved tilfældigheder blandt eleverne, ville "
            f"grænsen nu være {pp(when.best_case_now_pp)}; det tilfælde er for optimistisk."
            if _finite(when.best_case_now_pp) and when.best_case_now_pp < when.mde_now_pp - 0.05 else "")
    parts.append("Beregningen bygger på den usikkerhed, som vurderingen ovenfor faktisk fik (CR2 med "
                 "Satterthwaites frihedsgrader) for hver opgørelse, og antager, at de kommende optag ligner de "
                 "hidtidige, og at der ikke kommer flere afdelinger til." + best + " Med kun "
                 f"{number_word(int(p['n_campuses']) - int(p['n_pilot_campuses']))} afdelinger uden indsatser er "
                 "det antallet af afdelinger, ikke antallet af elever, der sætter grænsen.")
    return "\n\n".join(parts)


def milestones_table(milestones: pd.DataFrame) -> pd.DataFrame:
    """One row per pilot intake whose results are all known before the last year of the timeline."""
    latest = milestones.groupby("intake")["known_from"].max()
    complete = latest[latest <= latest.max()[:4] + "-00"].index if len(latest) else latest.index
    shown = milestones[milestones["intake"].isin(complete)] if len(complete) else milestones
    wide = shown.pivot(index="intake", columns="horizon", values="known_from").sort_index()
    observed = milestones.groupby("intake")["observed"].first()
    out = pd.DataFrame({"Optag": [month_da(i) for i in wide.index],
                        "I data": ["ja" if observed[i] else "nej (forventet)" for i in wide.index]})
    for h in wide.columns:
        out[f"{int(h)} mdr. kendt"] = [month_da(v) for v in wide[h]]
    return out


def limitations(res: Results, mismatches: Sequence = ()) -> str:
    """Return what the analysis cannot show (Markdown list).

    ``mismatches`` (:func:`sosu_analysis.students.programme_listing_mismatches`)
    are campuses where the campus table and the student data disagree on a
    programme; each kind becomes one sentence naming the campuses.
    """
    n_years = res["table1"]["year"].nunique()
    n_camp = int(did_row(res, "incl_switch")["n_campuses"])
    items = [
        f"**Få år.** De offentlige tal dækker {number_word(n_years)} årgange, og en tendens over så få år er "
        "spinkel.",
        f"**Få afdelinger.** Sammenligningen har {number_word(n_camp)} afdelinger. Alt andet, der skete på en afdeling "
        "samtidig med indsatserne (nye lærere, andre elever, ændringer hos oplæringsstederne), kan ikke skilles "
        "fra indsatsernes virkning.",
        "**Skolens egne tal er ikke ministeriets.** Ministeriet ser elever, der skifter til en anden skole; "
        "skolens eget elevudtræk gør ikke. Frafaldet i skolens udtræk vil derfor afvige fra de offentlige tal.",
        "**Antagelser om afdelinger.** Hvilken afdeling der er »Nord«, og hvornår hver pilotafdeling startede, "
        "er antagelser (se afsnittet om, hvad der blev afprøvet).",
        "**Trivsel og oplæring** indgår kun som elevtrivselsundersøgelsen og planens egne spørgeskemaer, og deres "
        "sammenhæng med frafaldet er en sammenhæng, ikke en årsag. Forholdene på oplæringsstederne er ikke målt.",
        "**Små grupper.** Tabeller fra elevdata viser aldrig grupper med færre end 5 elever.",
    ]
    if res.synthetic:
        items.insert(0, "**Syntetiske data.** Indsatsernes virkning kan først vurderes, når skolens rigtige "
                        "elevudtræk er kørt igennem den samme analyse.")
    else:  # the school's own extract (sosu-analysis import): switching is seen from inside the school only
        from ..importer.provenance import SWITCH_SCOPE_DA

        items.append(f"**Omvalg set fra skolen.** {SWITCH_SCOPE_DA}")
    for listed, words in ((False, "står i afdelingstabellen uden {p}, men elevudtrækket har {p}-elever dér; "
                                  "sammenligningen bruger dem alligevel"),
                          (True, "står i afdelingstabellen med {p}, men elevudtrækket har ingen {p}-elever dér; "
                                 "de indgår ikke i sammenligningen")):
        for prog in sorted({m.programme for m in mismatches if m.listed == listed}):
            names = sorted(m.campus for m in mismatches if m.listed == listed and m.programme == prog)
            items.append(f"**Afdelingstabellen og elevudtrækket er uenige.** {_join(names)} "
                         + words.format(p=prog) + ". Tjek kolonnen programmes i campuses.csv eller udtrækket.")
    return "\n".join(f"- {x}" for x in items)


# ---- data and versions (appendix) -------------------------------------------------------------

def sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file (:func:`sosu_analysis.atomic.sha256_file`)."""
    return sha256_file(path)


FILE_LABELS = {"published_table": "Ministeriets tal", "goals_table": "Nationale mål",
               "students_file": "Elevudtræk", "campuses_table": "Afdelinger", "interventions_table": "Indsatser"}


def input_files_table(files: dict[str, str], root: str | os.PathLike) -> pd.DataFrame:
    """Every data file with its size and SHA-256 checksum."""
    rows = []
    for key, rel in files.items():
        p = Path(root) / rel if not Path(rel).is_absolute() else Path(rel)
        rows.append({"Indhold": FILE_LABELS.get(key, key), "Fil": rel, "Bytes": count(p.stat().st_size),
                     "SHA-256": sha256(p)})
    return pd.DataFrame(rows)


def html_table(frame: pd.DataFrame, css_class: str = "filer"):
    """Return a plain HTML table for the report: no index, no truncated cells, long values may wrap."""
    from IPython.display import HTML

    with pd.option_context("display.max_colwidth", None):
        return HTML(frame.to_html(index=False, classes=css_class, border=0))


def package_versions() -> pd.DataFrame:
    """Return the installed versions of the packages the report depends on."""
    rows = []
    for name in PACKAGES:
        try:
            rows.append({"Pakke": name, "Version": metadata.version(name)})
        except metadata.PackageNotFoundError:
            rows.append({"Pakke": name, "Version": "(ikke installeret)"})
    return pd.DataFrame(rows)


#: what decides the numbers: code, configuration, inputs, pinned packages (not the outputs)
SOURCE_PATHS = ["src", "config", "data/raw", "pyproject.toml", "requirements.lock"]


def git_commit(root: str | os.PathLike) -> str:
    """Return the last commit that changed code, configuration or inputs, with a note for uncommitted changes.

    Commits that only store new outputs do not change it, so regenerating
    and committing the reports does not make them out of date.
    """
    try:
        head = subprocess.run(["git", "log", "-1", "--format=%H", "--", *SOURCE_PATHS], capture_output=True,
                              text=True, cwd=root, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", *SOURCE_PATHS],
                               capture_output=True, text=True, cwd=root, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "(ikke et git-arkiv)"
    return head + (" med ikke-committede ændringer" if dirty else "")


# ---- section helpers: what was tested, captions, alt texts -----------------------------------

def keep_numbers_whole(text: str) -> str:
    """Join a number to its unit with a non-breaking space (``14,4 %``, ``95 %-interval``, ``5 procentpoint``).

    The report's own formatters already do this; sections written by other modules (the national
    comparison, the survey) pass through here so no line break can split a number from its unit.
    """
    return re.sub(r"(\d) (%|procentpoint|pct\.)", lambda m: f"{m.group(1)}{NBSP}{m.group(2)}", text)


def paragraphs(markdown_text: str) -> str:
    """Paragraphs (blank-line separated), ``- `` lists and ``## `` subheadings of simple Markdown as HTML.

    Everything is escaped except the synthetic-data box a section may start with
    (``<div class='syntetisk'>…</div>``, whose text is escaped in turn), so no
    markup of a section's source is ever shown as text.
    """
    markdown_text = keep_numbers_whole(markdown_text)
    out = []
    for block in markdown_text.split("\n\n"):
        lines = block.strip().splitlines()
        box = _BOX.match(block.strip())
        if box:
            out.append(f"<div class='syntetisk'>{html.escape(box.group(1), quote=False)}</div>")
        elif len(lines) == 1 and lines[0].startswith("## "):
            out.append(f"<h3>{_md(html.escape(lines[0][3:].strip(), quote=False))}</h3>")
        elif lines and all(line.startswith("- ") for line in lines):
            out.append("<ul>" + "".join(f"<li>{_md(html.escape(line[2:], quote=False))}</li>" for line in lines)
                       + "</ul>")
        elif lines:
            out.append(f"<p>{_md(html.escape(' '.join(lines), quote=False))}</p>")
    return "".join(out)


def tested_html(design: pd.DataFrame, campuses: pd.DataFrame) -> str:
    """What was tested: the interventions table, the comparison campuses and every marked assumption."""
    from .interventions import assumptions_da, comparison_campuses, intervention_overview

    overview = intervention_overview(design).drop(columns=["Indsats"]).rename(columns={"Navn": "Indsats"})
    overview.insert(0, "Nr.", intervention_overview(design)["Indsats"])
    comparison = comparison_campuses(campuses)
    pilots = list(campuses.loc[campuses["pilot"].astype(bool), "campus"])
    intro = (f"Fra 2025 afprøver SOSU H fem overgangsindsatser på SSA på {number_word(len(pilots))} afdelinger "
             f"({_join(pilots)}). Indsatserne skal gøre overgangen fra skole til oplæring lettere, så færre elever "
             f"afbryder hovedforløbet. De øvrige afdelinger med SSA ({_join(comparison)}) fortsætter som hidtil "
             "og er sammenligningsgrundlaget.")
    assumptions = assumptions_da(campuses, design)
    items = "".join(f"<li>{html.escape(a)}</li>" for a in assumptions)
    return (f"<p>{html.escape(intro)}</p>" + table_html(overview, "indsatser", SOURCE_DESIGN)
            + ("<p><b>Antagelser, der skal bekræftes:</b></p><ul>" + items + "</ul>" if assumptions else ""))


def source_students(res: Results) -> str:
    """Return the *Kilde:* line of a figure made from the student data."""
    if res.synthetic:
        return "Kilde: syntetisk elevudtræk (ikke rigtige elever), lavet til at ligne ministeriets tal."
    return "Kilde: SOSU H's elevudtræk."


def alt_trend(res: Results) -> str:
    """Alt text of the trend figure, with the numbers it shows."""
    t = res["table1"]
    parts = []
    for prog in ("SSA", "SSH", "PAU"):
        d = t[t["programme"] == prog].sort_values("year")
        parts.append(f"{prog}: " + _join([f"{pct(v)} i {int(y)}" for y, v in
                                          zip(d["year"], d["pct_dropout_total"], strict=True)]))
    return ("Punktdiagram over frafald inkl. omvalg og ekskl. omvalg pr. år for SSA, SSH og PAU med usikkerhed "
            "og det nationale mål som vandret streg. Frafald inkl. omvalg: " + "; ".join(parts) + ".")


def note_trend(res: Results, goals: pd.DataFrame) -> str:
    """Caption of the trend figure."""
    from ..readers.goals import dropout_goal_pct

    return (f"Punkter: hvert års andel. Linje og skygge: tendensen med {level(res)}-interval, gjort bredere, fordi "
            "årene svinger mere, end tilfældigheder alene giver; det er den usikkerhed, vurderingen i teksten "
            f"bygger på. Stiplet linje: Danske SOSU-skolers mål for SSA og SSH på {pct(dropout_goal_pct(goals), 0)} "
            f"(fra {pct(dropout_start_pct(goals), 0)} på landsplan); vist kun for frafald inkl. omvalg, som målet "
            "læses her.")


def note_rates(res: Results) -> str:
    """Caption of the rates table."""
    return f"Andel afbrudt 3 måneder efter start, med {level(res)}-interval og antal elever i optaget."


def alt_pilot_effect(res: Results) -> str:
    """Alt text of the estimates figure."""
    parts = []
    for h in res.horizons:
        for d in DEFINITION_DA:
            r = did_row(res, d, h)
            parts.append(f"{h} måneder, {DEFINITION_DA[d]}: {num(r['att_pp'])} "
                         f"({change_words(r['ci_low_pp'], r['ci_high_pp'])})")
    return ("Diagram over forskellen i frafald mellem pilot- og øvrige afdelinger i procentpoint med usikkerhed og "
            "en lodret nullinje. " + "; ".join(parts) + ".")


def note_pilot_effect(res: Results) -> str:
    """Caption of the estimates figure."""
    return (f"Punkt: forskellen i procentpoint mellem pilotafdelingernes udvikling og de øvrige afdelingers. "
            f"Streg: {level(res)}-interval (CR2). Til venstre for nullinjen er frafaldet lavere på "
            "pilotafdelingerne. Et interval, der krydser nullinjen, betyder, at der måske ingen forskel er.")


def alt_pilot_rates(res: Results) -> str:
    """Alt text of the raw rates figure."""
    r = res["did_rates_2x2"]
    parts = []
    for _, row in r[r["outcome_definition"] == "incl_switch"].iterrows():
        if str(row["suppressed"]).lower() == "true" or pd.isna(row["rate_pct"]):
            continue
        parts.append(f"{'pilotafdelinger' if row['group'] == 'pilot' else 'øvrige afdelinger'} "
                     f"{'før' if row['period'] == 'pre' else 'fra'} pilotstart: {pct(row['rate_pct'])}")
    return ("Diagram over frafaldet på SSA før og fra pilotstart på pilot- og øvrige afdelinger med usikkerhed, "
            "akse fra nul. Inkl. omvalg: " + "; ".join(parts) + ".")


def note_pilot_rates(res: Results) -> str:
    """Caption of the raw rates figure: the starting levels differ, and the intervals are too narrow."""
    r = res["did_rates_2x2"]
    pre = r[(r["outcome_definition"] == "incl_switch") & (r["period"] == "pre")].set_index("group")["rate_pct"]
    start = ""
    if {"pilot", "non-pilot"} <= set(pre.index) and pre.notna().all():
        start = (f"Pilotafdelingerne startede højere end de øvrige ({pct(pre['pilot'])} mod "
                 f"{pct(pre['non-pilot'])}); derfor sammenlignes udviklingen, ikke niveauet. ")
    return (start + f"Lodrette streger: {level(res)}-interval, hvor eleverne regnes som uafhængige; forskelle "
            "mellem afdelingerne gør den reelle usikkerhed større (se figur 2).")


def alt_timeline(res: Results, when: Timing) -> str:
    """Alt text of the timeline figure."""
    lines = [f"{h} måneder: " + (f"tidligst {month_da(m)}" if m else
                                  f"ikke inden {month_da(when.until)} (mindst {pp(when.mde_end.get(h, float('nan')))} "
                                  "til den tid)")
             for h, m in when.first_month.items()]
    return (f"Kurver over den mindste virkning, der kan påvises, i procentpoint over tid, én for hver "
            f"opgørelse efter {_join([str(h) for h in when.first_month])} måneder, og en vandret linje ved den "
            f"ønskede virkning på {pp(when.target_pp)}. Tidspunkt, hvor den kan påvises: " + "; ".join(lines) + ".")


def note_timeline(res: Results) -> str:
    """Caption of the timeline figure."""
    return ("Hver kurve falder, når resultatet for endnu et pilotoptag bliver kendt (punkterne). Beregnet ud fra "
            "den usikkerhed, vurderingen faktisk fik for hver opgørelse (CR2 med Satterthwaites frihedsgrader), og "
            f"{pct(100 * POWER, 0)} sandsynlighed for at påvise virkningen; kommende optag antages at ligne de "
            "hidtidige.")


def note_milestones() -> str:
    """Caption of the milestones table."""
    return "Måneden, hvor status efter 3, 6 og 12 måneder er kendt for hvert optag fra pilotstart."


def appendix_text() -> str:
    """Return the appendix's introduction."""
    return ("Hver datafil har en kontrolsum (SHA-256): den samme fil giver altid den samme sum, så man kan se, "
            "om en ny kørsel bygger på de samme data. Konfigurationen, som kørslen brugte, ligger som "
            "config.yaml sammen med rapporten.")
