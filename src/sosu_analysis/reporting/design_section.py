"""The report's pieces about design, evidence, students and cost, in Danish (issue 18, item 7).

The lead's report (``reporting/rapport.py``, notebook 06) is wired to these by the integrator; each
function takes a typed result or a contracted table of chapter 11 and returns Danish text or a
figure:

- :func:`design_sentence`: the pilot verdict's "Vurderingen bygger på …";
- :func:`evidence_line`: the evidence rating with its one-line explanation (the reason codes of
  :mod:`sosu_analysis.did.evidence` in words, :data:`REASONS_DA`: the report's word list);
- :func:`students_sentence`, :func:`goal_sentence`: an effect and the goal in dropouts a year;
- :func:`cost_sentence`: cost per avoided dropout, or that the cost is unknown;
- :func:`advisor_figure`, :func:`advisor_table_da`: "hvilket design kan se 5 procentpoint, og hvornår".

Numbers go through :mod:`sosu_analysis.danish` (decimal comma, half-up rounding); every piece
made from synthetic data says so.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..danish import NBSP, count, number, percent, points
from ..danish import confidence_level as level_da
from ..did.evidence import COVERAGE_RULES, FIT_RULES, MDE_RULES, UNIT_RULES
from .interventions import month_da
from .plotting import SYNTHETIC_WATERMARK, add_watermark, danish_axis

#: the designs in words (as a clause after "bygger på")
DESIGN_DA = {
    "in_school": "sammenligningen af SOSU H's pilotafdelinger med skolens egne øvrige SSA-afdelinger",
    "stepped_rollout": "en trinvis udrulning, hvor de øvrige SSA-afdelinger også får indsatserne fra et senere optag",
    "national_sdid": "en syntetisk sammenligning af pilotafdelingerne med SSA-afdelinger på andre SOSU-skoler "
                     "ved syntetisk difference-in-differences",
}
#: short design names for tables and the figure legend
DESIGN_SHORT_DA = {"in_school": "Egne afdelinger", "stepped_rollout": "Trinvis udrulning",
                   "national_sdid": "Andre skolers afdelinger"}  # also in sentences, lower-cased
#: the reason codes of did.evidence in words (the report's word list)
REASONS_DA = {
    "design_randomised": "lodtrækning mellem afdelinger – højst 5 af 5",
    "design_stepped_rollout": "trinvis udrulning – højst 4 af 5",
    "design_national_sdid": "syntetisk sammenligning med andre skolers afdelinger – højst 4 af 5",
    "design_in_school": "sammenligning af skolens egne afdelinger – højst 3 af 5",
    "design_before_after": "før-efter uden sammenligning – højst 1 af 5",
    "few_comparison_units": "under 5 sammenligningsafdelinger",
    "some_comparison_units": "5-19 sammenligningsafdelinger",
    "many_comparison_units": "mindst 20 sammenligningsafdelinger",
    "poor_pre_fit": "sammenligningen fulgte pilotafdelingerne dårligt før start",
    "loose_pre_fit": "sammenligningen fulgte pilotafdelingerne kun nogenlunde før start",
    "good_pre_fit": "sammenligningen fulgte pilotafdelingerne godt før start",
    "pre_fit_unknown": "det vides ikke, hvor godt sammenligningen fulgte pilotafdelingerne før start",
    "very_low_coverage": "under halvdelen af tallene findes",
    "low_coverage": "under 80 % af tallene findes",
    "good_coverage": "næsten alle tal findes",
    "mde_far_above_target": "kan kun se virkninger over det dobbelte af den søgte",
    "mde_above_target": "kan ikke se den søgte virkning endnu",
    "mde_reaches_target": "kan se den søgte virkning",
    "mde_unknown": "den mindste påviselige virkning kan ikke beregnes endnu",
}
SYNTHETIC_NOTE = "(SYNTETISKE DATA – ikke et resultat for SOSU H)"
#: the codes that take padlocks off (from the rules of did.evidence, not a second list)
_DEDUCTING = {code for rules in (UNIT_RULES, FIT_RULES, COVERAGE_RULES, MDE_RULES) for _, _, code in rules} | {
    "pre_fit_unknown", "mde_unknown"}


def _synthetic(text: str, synthetic: bool) -> str:
    return f"{text} {SYNTHETIC_NOTE}" if synthetic else text


def strongest(evidence: pd.DataFrame) -> pd.Series:
    """Return the design the verdict should use: the highest rating; ties go to the national donors (more units)."""
    order = {"national_sdid": 0, "stepped_rollout": 1, "in_school": 2}
    d = evidence.assign(_o=evidence["design"].map(order).fillna(9))
    return d.sort_values(["rating", "_o"], ascending=[False, True], kind="stable").iloc[0].drop("_o")


def design_sentence(design: str, n_treated: int, n_comparison: int, synthetic: bool, short: bool = False) -> str:
    """Return "Vurderingen bygger på …" for the verdict's design, with the number of campuses.

    ``short``: the design by its short name (the lead's note, read on a phone; the chapter has the long one).
    """
    units = f"{count(n_treated)} pilotafdelinger og {count(n_comparison)} sammenligningsafdelinger"
    what = f"designet »{DESIGN_SHORT_DA[design].lower()}«" if short else DESIGN_DA[design]
    return _synthetic(f"Vurderingen bygger på {what}: {units}.", synthetic)


def evidence_line(rating: int, reasons: str | tuple[str, ...]) -> str:
    """Write the evidence rating and the reasons that took padlocks off, in one line.

    ``reasons`` is the ``design_evidence`` table's ``;``-joined codes (or a tuple of codes).
    """
    codes = reasons.split(";") if isinstance(reasons, str) else list(reasons)
    unknown = [c for c in codes if c not in REASONS_DA]
    if unknown:
        raise ValueError(f"no Danish words for the reason code(s) {unknown}; add them to REASONS_DA")
    design = next((REASONS_DA[c] for c in codes if c.startswith("design_")), "")
    weak = [REASONS_DA[c] for c in codes if c in _DEDUCTING]
    why = f"trukket ned: {'; '.join(weak)}" if weak else "intet trækker ned"
    return f"Evidensens styrke: {rating} af 5 ({design}; {why})."


def verdict_lines(evidence: pd.DataFrame, sdid: pd.DataFrame, did: pd.DataFrame, synthetic: bool,
                  short: bool = False) -> list[str]:
    """Write the verdict's design sentence and evidence line for the strongest design (contracted tables).

    ``evidence`` is ``design_evidence``, ``sdid`` is ``design_sdid`` (may be empty) and ``did`` is chapter
    04's ``did`` table (the number of pilot campuses of the in-school comparison).
    """
    best = strongest(evidence)
    if best["design"] == "national_sdid" and len(sdid):
        n_treated = int(sdid["n_treated"].max())
    else:
        n_treated = int(did["n_pilot_campuses"].max())
    return [design_sentence(str(best["design"]), n_treated, int(best["n_comparison_units"]), synthetic, short),
            evidence_line(int(best["rating"]), str(best["reasons"]))]


def donors_sentence(panel: pd.DataFrame) -> str:
    """Say how many other schools' campuses the comparison uses and how many were left out (``design_panel``).

    Without a campus-level answer: that the verdict rests on the school's own campuses.
    """
    r = panel.iloc[0] if len(panel) else None
    if r is None or r["status"] != "ok":
        return ("Der er ingen tal for de andre SOSU-skolers afdelinger, så vurderingen bygger alene på "
                "sammenligningen af skolens egne afdelinger.")
    text = (f"Sammenligningen bruger {count(int(r['n_donors_kept']))} afdelinger; {count(int(r['n_donors_dropped']))} "
            f"er udeladt, fordi der mangler tal for mere end {percent(100 * float(r['threshold']), 0)} af deres år.")
    return _synthetic(text, bool(r["synthetic"]))


def students_sentence(effect_pp: float, n_students: int, avoided: float) -> str:
    """Write ``"4,2 procentpoint ≈ 33 færre afbrud om året blandt 792 elever"`` (``flere`` when dropout rises)."""
    word = "færre" if avoided >= 0 else "flere"
    return (f"{points(abs(effect_pp))} ≈ {count(int(round(abs(avoided))))} {word} afbrud om året blandt "
            f"{count(n_students)} elever")


def goal_sentence(effect_pp: float, n_students: int, avoided: float) -> str:
    """Write the goal as dropouts a year it asks to avoid (``effect_pp`` = goal − current rate, negative)."""
    return (f"Målet – at frafaldet falder {points(abs(effect_pp))} – betyder "
            f"{count(int(round(avoided)))} færre afbrud om året blandt {count(n_students)} SSA-elever.")


def students_lines(students: pd.DataFrame, alpha: float = 0.05) -> list[str]:
    """Every row of the ``design_students`` table in Danish: the effects, the goal, then the cost sentence."""
    lines = []
    for _, r in students.iterrows():
        if r["source"] == "goal":
            continue
        name = DESIGN_SHORT_DA.get(str(r["source"]), str(r["source"]))
        lines.append(f"{name}: {students_sentence(float(r['effect_pp']), int(r['n_students']), float(r['avoided']))}.")
    goal = students[students["source"] == "goal"]
    if len(goal):
        g = goal.iloc[0]
        lines.append(goal_sentence(float(g["effect_pp"]), int(g["n_students"]), float(g["avoided"])))
    effects = students[students["source"] != "goal"]
    if len(effects):
        r = effects.iloc[0]
        lines.append(cost_sentence(float(r["cost_dkk_per_year"]), float(r["cost_per_avoided"]), float(r["cost_low"]),
                                   float(r["cost_high"]), alpha))
    return lines


def _kr(x: float) -> str:
    return f"{number(x, 0)}{NBSP}kr."


def cost_sentence(cost_dkk_per_year: float, per_avoided: float, low: float, high: float, alpha: float = 0.05) -> str:
    """Cost per avoided dropout with its interval, or that the cost is unknown or cannot be put per dropout."""
    if not math.isfinite(cost_dkk_per_year):
        return "Hvad indsatserne koster, er ukendt, så prisen pr. undgået afbrud kan ikke beregnes."
    if not math.isfinite(per_avoided):
        return (f"Indsatserne koster {_kr(cost_dkk_per_year)} om året, men skønnet viser ikke færre afbrud, så der er "
                "ingen pris pr. undgået afbrud.")
    text = (f"Indsatserne koster {_kr(cost_dkk_per_year)} om året, dvs. ca. {_kr(per_avoided)} pr. undgået afbrud "
            f"({level_da(alpha)}-konfidensinterval fra {_kr(low)} til ")
    if math.isfinite(high):
        return text + f"{_kr(high)})."
    return text + "en ubegrænset pris, fordi intervallet også rummer ingen virkning)."


def advisor_table_da(first: pd.DataFrame) -> pd.DataFrame:
    """Return the ``design_first`` table in Danish: design, horizon, first month it sees the target, MDE then."""
    rows = []
    for _, r in first.iterrows():
        rows.append({
            "Design": DESIGN_SHORT_DA.get(str(r["design"]), str(r["design"])),
            "Status efter": f"{int(r['horizon'])} mdr.",
            f"Kan se {points(float(r['target_pp']), 0)} fra": month_da(str(r["first_date"])) if r["first_date"]
            else "ikke i perioden",
            "Mindste påviselige virkning først": points(float(r["mde_first_pp"])) if np.isfinite(r["mde_first_pp"])
            else "–",
            "… ved periodens slutning": points(float(r["mde_end_pp"])) if np.isfinite(r["mde_end_pp"]) else "–",
        })
    return pd.DataFrame(rows)


def soonest_sentence(first: pd.DataFrame, until: str) -> str:
    """Name the design that can see the effect sought soonest, with its month (``design_first``).

    ``until`` is the last month of the advisor's window (``YYYY-MM``; the report passes its timeline's
    last month, :attr:`sosu_analysis.did.timeline.Timing.until`, derived from the data).
    """
    from ..did.design import soonest

    target = points(float(first["target_pp"].iloc[0]), 0) if len(first) else points(5.0, 0)
    best = soonest(first)
    if best is None:
        return f"Intet af designene kan se en virkning på {target} før {month_da(until)}."
    name = DESIGN_SHORT_DA[str(best["design"])].lower()
    return (f"Det design, der tidligst kan se en virkning på {target}, er {name} "
            f"(status efter {int(best['horizon'])} måneder): fra {month_da(str(best['first_date']))}.")


def advisor_figure(advisor: pd.DataFrame, watermark: str | None = SYNTHETIC_WATERMARK) -> Figure:
    """"Hvilket design kan se 5 procentpoint, og hvornår?": the MDE by month, one line per design × horizon."""
    target = float(advisor["target_pp"].iloc[0]) if len(advisor) else 5.0
    fig, ax = plt.subplots(figsize=(4.6, 5.4))
    styles = {3: "-", 6: "--", 12: ":"}
    widths = {"in_school": 2.6, "stepped_rollout": 1.4, "national_sdid": 2.0}
    colours = {"in_school": "#1f77b4", "stepped_rollout": "#2ca02c", "national_sdid": "#d62728"}
    months = sorted(advisor["date"].unique())
    x_of = {m: i for i, m in enumerate(months)}
    for (d, h), g in advisor.groupby(["design", "horizon"], sort=False):
        g = g[g["mde_pp"].notna()]
        if g.empty:
            continue
        hz = int(str(h))
        ax.plot([x_of[m] for m in g["date"]], g["mde_pp"], styles.get(hz, "-"), color=colours.get(str(d), "k"),
                label=f"{DESIGN_SHORT_DA.get(str(d), str(d))}, {hz} mdr.", drawstyle="steps-post",
                lw=widths.get(str(d), 1.5), alpha=0.85)
    ax.axhline(target, color="black", lw=1)
    ax.text(0, target, f" søgt virkning: {points(target, 0)}", va="bottom", fontsize=10.5)
    ticks = [i for i, m in enumerate(months) if m.endswith("-01")]
    ax.set_xticks(ticks, [m[:4] for m in months if m.endswith("-01")])
    finite = advisor["mde_pp"][np.isfinite(advisor["mde_pp"])]
    ax.set_ylim(0, max(2.2 * target, min(float(finite.max()) if len(finite) else 0, 4 * target)) * 1.05)
    danish_axis(ax, "y")
    ax.set_ylabel("Mindste påviselige virkning (procentpoint)", fontsize=10.5)
    ax.set_title(f"Hvilket design kan se {points(target, 0)}, og hvornår?", fontsize=11)
    ax.legend(fontsize=9.5, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, frameon=False)
    fig.tight_layout()
    return add_watermark(fig, watermark)


def paths_figure(paths: pd.DataFrame, estimator: str = "sdid", watermark: str | None = SYNTHETIC_WATERMARK) -> Figure:
    """Draw the pilot campuses' dropout by start year beside their synthetic comparison (shifted by the intercept)."""
    d = paths[paths["estimator"] == estimator].sort_values("year")
    fig, ax = plt.subplots(figsize=(4.6, 3.2))
    ax.plot(d["year"], d["treated_pct"], "o-", color="#d62728", label="Pilotafdelingerne")
    ax.plot(d["year"], d["synthetic_pct"], "s--", color="#555555", label="Syntetisk sammenligning")
    post = d.loc[d["post"], "year"]
    if len(post):
        ax.axvline(float(post.min()) - 0.5, color="black", lw=1)
    ax.set_xticks(list(d["year"]), [str(int(y)) for y in d["year"]], rotation=45)
    danish_axis(ax, "y", percent=True)
    ax.set_ylabel("Frafald efter 3 mdr., SSA", fontsize=10.5)
    ax.legend(fontsize=9)
    fig.tight_layout()
    return add_watermark(fig, watermark)


def placebo_figure(placebo: pd.DataFrame, sdid: pd.DataFrame, estimator: str = "sdid",
                   watermark: str | None = SYNTHETIC_WATERMARK) -> Figure:
    """Draw the placebo estimates (donors taken as pilots) as a histogram, with the actual estimate marked."""
    d = placebo[placebo["estimator"] == estimator]
    est = float(sdid.loc[sdid["estimator"] == estimator, "estimate_pp"].iloc[0])
    fig, ax = plt.subplots(figsize=(4.6, 3.0))
    ax.hist(d["estimate_pp"], bins=25, color="#999999")
    ax.axvline(est, color="#d62728", lw=2)
    ax.text(est, ax.get_ylim()[1] * 0.92, f" skøn: {points(est)}", color="#d62728", fontsize=10.5,
            ha="left" if est < d["estimate_pp"].median() else "right")
    danish_axis(ax, "both")
    ax.set_xlabel("Placeboskøn (procentpoint)", fontsize=10.5)
    ax.set_ylabel("Antal", fontsize=10.5)
    fig.tight_layout()
    return add_watermark(fig, watermark)
