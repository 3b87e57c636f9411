"""The prose of the dropout models, generated from the result tables and keyed by section.

:func:`summary_sentences` turns the tables of :func:`~sosu_analysis.models.api.run_all`
(or the same tables read back with :func:`~sosu_analysis.reporting.models.results.load_results`)
into a :class:`ModelSummary`: one attribute per section, keyed by outcome
definition or programme, so a notebook shows a section by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ... import danish
from ...definitions import OUTCOMES
from ...models.options import Language
from ...models.trend import format_p, trend_sentence


def _fmt(x: float, decimals: int, language: Language) -> str:
    """Format a number in the report's language (Danish through the one formatter, half up)."""
    return danish.number(x, decimals) if language == "da" else f"{x:.{decimals}f}"


@dataclass
class ModelSummary:
    """The explanatory prose of the model results, keyed by section (and outcome definition or programme).

    Every sentence is generated from the result tables; a notebook picks the
    section it shows by name, never by matching the start of a sentence.

    Attributes
    ----------
    denominator : str
        What the binomial models count, and their reference levels.
    references : str
        The reference levels and the level of the intervals, for the tables.
    lr_tests : dict
        ``outcome_definition -> sentence``: do the programmes and the years differ.
    overdispersion : dict
        ``outcome_definition -> sentence`` on the additive model's dispersion.
    verdict : str
        Which differences survive the overdispersion correction under both definitions.
    trends : dict
        ``(programme, outcome_definition) -> sentence``: is dropout rising beyond chance.
    trend_definitions : str
        Whether SSA's answer depends on the definition ('' when not both are there).
    goals : dict
        ``(programme, year, outcome_definition) -> sentence``: distance to the national goal.
    segmented : dict
        ``(programme, outcome_definition) -> sentence`` for an estimable segmented trend.
    segmented_note : str
        Why the segmented trend is not estimable ('' when it is).
    switching : list of str
        Switching as its own outcome (multinomial), and the programmes left out.
    caveat : str
        Few yearly points, students treated as independent.
    """

    denominator: str
    references: str
    lr_tests: dict[str, str]
    overdispersion: dict[str, str]
    verdict: str
    trends: dict[tuple[str, str], str]
    trend_definitions: str
    goals: dict[tuple[str, int, str], str]
    segmented: dict[tuple[str, str], str]
    segmented_note: str
    switching: list[str]
    caveat: str

    def section(self, name: str) -> list[str]:
        """Return the sentences of one section (a field name), in order."""
        value = getattr(self, name)
        if isinstance(value, str):
            return [value] if value else []
        if isinstance(value, dict):
            return list(value.values())
        return list(value)

    def sentences(self) -> list[str]:
        """Return every sentence: denominator, per definition the tests and the dispersion, then the rest."""
        out = [self.denominator]
        for definition in self.lr_tests:
            out.append(self.lr_tests[definition])
            if definition in self.overdispersion:
                out.append(self.overdispersion[definition])
        for name in ("trends", "trend_definitions", "goals", "segmented", "segmented_note", "switching",
                     "caveat"):
            out.extend(self.section(name))
        return out

    def markdown(self, *names: str) -> str:
        """Return the sections ``names`` as a Markdown bullet list (for ``IPython.display.Markdown``)."""
        return "\n".join(f"- {x}" for name in names for x in self.section(name))


def summary_sentences(results: dict[str, pd.DataFrame], language: Language = "en") -> ModelSummary:
    """Write the explanatory prose of the model results from the numbers (rounded), by section.

    Parameters
    ----------
    results : dict
        The output of :func:`run_all` (or :func:`load_results`).
    language : {"en", "da"}
        English or Danish. The trend sentences exist in both; the others are
        English with Danish numbers for ``"da"`` (translation welcome).

    Returns
    -------
    ModelSummary
        Denominator; how the programmes and years differ (LR tests) under
        both definitions; overdispersion; the trend per programme (the answer
        to "is SSA dropout rising beyond chance?"); the national goal; the
        segmented trend; switching as its own outcome; the caveats. The level
        of every interval follows ``alpha`` of the run (``settings``).
    """
    s = results["settings"].iloc[0]
    alpha = float(s["alpha"])
    lv = danish.confidence_level(alpha, "en")
    denominator = (f"All binomial models use the whole intake (n_cohort, {int(s['n_students'])} students in "
                   f"{int(s['n_cells'])} cells) as denominator, as the ministry's published percentages do; "
                   f"'incl. switching' counts afbrudt totalt as dropout, 'excl. switching' only afbrudt uden omvalg "
                   f"(switchers, and the few students in a status the table does not show, count as not dropped "
                   f"out). Reference programme {s['programme_reference']}, reference year {s['year_reference']}.")
    references = (f"Reference: {s['programme_reference']} and {s['year_reference']}. Intervals at the "
                  f"{lv} level (alpha = {alpha:g}).")
    lr = results["lr_tests"]
    disp = results["dispersion"]
    lr_sentences: dict[str, str] = {}
    overdispersion: dict[str, str] = {}
    survives: dict[str, list[bool]] = {"programme": [], "year": []}
    for definition, spec in OUTCOMES.items():
        label = spec.long_en
        t = lr[lr["outcome_definition"] == definition].set_index("test")
        parts = []
        for test, what in (("programme", "the programmes differ"), ("year", "the years differ"),
                           ("programme:year", "the programme differences change between years")):
            if test in t.index:
                r: Any = t.loc[test]
                quasi = np.isfinite(r["f_stat"]) and r["dispersion"] > 1
                extra = (f"; allowing for overdispersion F = {_fmt(r['f_stat'], 2, language)}, "
                         f"{format_p(r['p_value_quasi'], language)}" if quasi else "")
                parts.append(f"{what}: LR chi² = {_fmt(r['lr_chi2'], 1, language)} on {int(r['df'])} df, "
                             f"{format_p(r['p_value'], language)}{extra}")
                if test in survives:
                    survives[test].append(bool(r["p_value"] < alpha
                                               and (not quasi or r["p_value_quasi"] < alpha)))
        lr_sentences[definition] = f"Dropout {label}: " + "; ".join(parts) + "."
        add = disp[(disp["outcome_definition"] == definition) & (disp["model"] == "additive")]
        if len(add):
            a = add.iloc[0]
            verdict = ("the cells vary more than binomial sampling allows, so the quasi-binomial columns "
                       f"widen the standard errors by a factor {_fmt(np.sqrt(a['dispersion_used']), 2, language)}"
                       if a["dispersion"] > 1 else "no overdispersion: the binomial standard errors stand")
            overdispersion[definition] = (f"Overdispersion ({label}, programme + year model): Pearson dispersion "
                                          f"{_fmt(a['dispersion'], 2, language)} on {int(a['df_resid'])} df; "
                                          f"{verdict}.")
    verdict_parts = []
    for test, what in (("programme", "Programme differences"), ("year", "Year differences, pooled over "
                                                                         "programmes,")):
        flags = survives[test]
        if not flags:
            continue
        if all(flags):
            verdict_parts.append(f"{what} are beyond chance at the {100 * alpha:g} % level under both "
                                 "definitions, also when the overdispersion between cells is allowed for")
        elif not any(flags):
            verdict_parts.append(f"{what} are not beyond chance at the {100 * alpha:g} % level under either "
                                 "definition once the overdispersion between cells is allowed for")
        else:
            verdict_parts.append(f"{what} are beyond chance under one definition only")
    verdict = ". ".join(verdict_parts) + "." if verdict_parts else ""
    tt = results["trend_tests"]
    order = ["SSA"] + sorted(p for p in tt["programme"].unique() if p != "SSA")
    trends: dict[tuple[str, str], str] = {}
    for programme in order:
        for definition in OUTCOMES:
            row = tt[(tt["programme"] == programme) & (tt["outcome_definition"] == definition)]
            if len(row):
                trends[(programme, definition)] = trend_sentence(row.iloc[0], language, alpha)
    trend_definitions = ""
    ssa: Any = tt[tt["programme"] == "SSA"].set_index("outcome_definition")
    if {"incl_switch", "excl_switch"} <= set(ssa.index):
        sig = {d: float(ssa.loc[d, "p_value"]) < alpha for d in ("incl_switch", "excl_switch")}
        if sig["incl_switch"] == sig["excl_switch"]:
            trend_definitions = ("For SSA the answer does not change when switchers are not counted: the trend is "
                                 + ("beyond chance under both definitions." if sig["incl_switch"]
                                    else "within chance under both definitions."))
        else:
            trend_definitions = ("For SSA the answer depends on the definition: the trend is beyond chance "
                                 + ("only when switchers count as dropout." if sig["incl_switch"]
                                    else "only when switchers are not counted."))
    g = results["goal_distance"]
    g = g[g["goal_applies"].astype(bool)]
    goals: dict[tuple[str, int, str], str] = {}
    for _, r in g.iterrows():
        if not np.isfinite(r.get("distance_pp", np.nan)):
            continue
        label = OUTCOMES[r["outcome_definition"]].long_en
        side = "above" if r["distance_pp"] > 0 else "below"
        goals[(r["programme"], int(r["year"]), r["outcome_definition"])] = (
            f"{r['programme']} {r['year']}, dropout {label}: observed {_fmt(r['observed_pct'], 1, language)} %, "
            f"trend-predicted {_fmt(r['predicted_pct'], 1, language)} %, "
            f"{_fmt(abs(r['distance_pp']), 1, language)} percentage points {side} the {r['goal_pct']:g} % goal "
            f"(distance {lv} CI {_fmt(r['distance_ci_low'], 1, language)} to "
            f"{_fmt(r['distance_ci_high'], 1, language)} pp; allowing for overdispersion "
            f"{_fmt(r['distance_ci_low_quasi'], 1, language)} to {_fmt(r['distance_ci_high_quasi'], 1, language)} pp).")
    seg = results["segmented_trend"]
    segmented: dict[tuple[str, str], str] = {}
    segmented_note = ""
    if len(seg) and not seg["estimable"].astype(bool).any():
        segmented_note = (f"The segmented trend with a level shift in {int(s['intervention_year'])} is not "
                          f"estimable yet: the data end in {int(s['last_year'])}, before the interventions.")
    elif len(seg):
        for _, r in seg[(seg["term"] == "post") & seg["estimable"].astype(bool)].iterrows():
            label = OUTCOMES[r["outcome_definition"]].long_en
            segmented[(r["programme"], r["outcome_definition"])] = (
                f"{r['programme']}, dropout {label}: from {int(r['intervention_year'])} the rate lies "
                f"{_fmt(r['effect_pp'], 1, language)} percentage points from the continued earlier trend "
                f"({lv} CI {_fmt(r['effect_pp_ci_low'], 1, language)} to "
                f"{_fmt(r['effect_pp_ci_high'], 1, language)}; level shift odds ratio "
                f"{_fmt(r['odds_ratio'], 2, language)}, {format_p(r['p_value'], language)}).")
    sh = results["multinomial_shares"]
    sw = sh[(sh["category"] == "switched") & sh["predicted_pct"].notna()]
    switching: list[str] = []
    if len(sw):
        by = pd.Series({p: np.average(d["predicted_pct"], weights=d["n_students"])
                        for p, d in sw.groupby("programme", sort=True)})
        mlr: Any = results["multinomial_lr_tests"].set_index("test")
        txt = ", ".join(f"{p} {_fmt(v, 1, language)} %" for p, v in by.items())
        n_model = int(sh.loc[(sh["category"] == "switched") & sh["predicted_pct"].notna(), "n_students"].sum())
        switching.append(
            f"Switching as its own outcome (multinomial in progress / switched / left on {n_model} "
            f"students; those in a status the table does not show are excluded): "
            f"predicted share switched {txt}"
            + (f"; programmes differ in the three-way split: LR chi² = "
               f"{_fmt(mlr.loc['programme', 'lr_chi2'], 1, language)} "
               f"on {int(mlr.loc['programme', 'df'])} df, {format_p(mlr.loc['programme', 'p_value'], language)}"
               if "programme" in mlr.index else "") + ".")
        excl = sh.loc[sh["note"].fillna("") != "", "programme"].unique()
        if len(excl):
            switching.append(f"{', '.join(excl)} had no switchers in any year and is left out of the multinomial "
                             f"model (its coefficient would be minus infinity); its observed shares are reported "
                             f"as they are.")
    n_years = int(tt["n_years"].max()) if len(tt) else 0
    caveat = (f"Caveat: {n_years} yearly points make a weak trend (the slope of one programme rests on "
              f"{max(n_years - 2, 0)} residual degree(s) of freedom); the tests treat students as independent, "
              f"and cohorts share teachers, campuses and labour markets, so the quasi-binomial intervals "
              f"are the more honest ones where they are wider.")
    return ModelSummary(denominator=denominator, references=references, lr_tests=lr_sentences,
                        overdispersion=overdispersion, verdict=verdict, trends=trends,
                        trend_definitions=trend_definitions, goals=goals, segmented=segmented,
                        segmented_note=segmented_note, switching=switching, caveat=caveat)
