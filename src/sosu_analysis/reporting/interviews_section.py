"""The group interviews in Danish: labels, the joint display as the lead reads it, and "Hvad siger eleverne".

Presentation only: every number comes from chapter 10's contracted tables
(``interview_provenance``, ``interview_overview``, ``interview_joint_display``,
``interview_quotes``; :mod:`sosu_analysis.reporting.contracts`), which
:mod:`sosu_analysis.interviews` computes. Nothing here types a result:
another set of interviews gives other sentences.

For the lead's report: ``report_section(output_dir, alpha).html`` (or
``.markdown`` and ``.table``) after chapter 10 has run.
"""

from __future__ import annotations

import html as html_lib
import os
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..danish import confidence_level, count, number, span
from ..definitions import CAMPUS_GROUP_LABEL_DA, PERIOD_IN_TEXT_DA
from . import contracts
from .plotting import SYNTHETIC_WATERMARK, add_watermark
from .tables import table_html

GROUP_DA = CAMPUS_GROUP_LABEL_DA
GROUP_SHORT_DA = {"pilot": "pilot", "non-pilot": "øvrige"}
PERIOD_DA = PERIOD_IN_TEXT_DA
VALENCE_DA = {"positive": "positiv", "negative": "negativ", "mixed": "blandet", "": "neutral"}
RULE_DA = {"marked": "markeret af forskeren", "shortest_sentence": "korteste hele sætning"}
AGREEMENT_DA = {"agree": "enige", "disagree": "uenige", "only_survey": "kun spørgeskemaet taler",
                "only_interviews": "kun interviewene taler", "neither": "ingen af dem taler"}
TITLE = "Hvad siger eleverne"


def _plural(n: int, one: str, many: str) -> str:
    return f"{count(n)} {one if n == 1 else many}"


def banner_html(provenance: pd.Series) -> str:
    """Return the box over the chapter and the section: SYNTETISKE DATA for a synthetic stand-in, else the source."""
    if not bool(provenance["synthetic"]):
        return (f"Data: {_plural(int(provenance['n_interviews']), 'gruppeinterview', 'gruppeinterviews')} på "
                f"{_plural(int(provenance['n_campuses']), 'afdeling', 'afdelinger')}, kodet i {provenance['tool']}.")
    return ("<div style='border:3px solid #C00000;padding:0.6em;background:#FDECEA'>"
            f"<b>{SYNTHETIC_WATERMARK}</b><br>Interviewene er syntetiske (<code>{provenance['register']}</code>, "
            f"<code>{provenance['export']}</code>): opdigtede udsagn, der viser metoden, før de rigtige interviews er "
            "kodet. De siger intet om eleverne på SOSU H.</div>")


def chapter_banner(output_dir: str | os.PathLike) -> str:
    """Return :func:`banner_html` for the run in ``output_dir`` (from its ``interview_provenance`` table)."""
    return banner_html(contracts.read_table(output_dir, "interview_provenance").iloc[0])


def _survey_cell(row: pd.Series) -> str:
    if pd.isna(row["survey_estimate"]):
        return "ikke målt i spørgeskemaet"
    est = number(row["survey_estimate"], 1, sign=True)
    if pd.isna(row["survey_ci_low"]) or pd.isna(row["survey_ci_high"]):
        return f"{est} point (intet interval)"
    return f"{est} point ({span(row['survey_ci_low'], row['survey_ci_high'], 1)})"


def _side(n: int, total: int, pos: int, neg: int) -> str:
    if total == 0:
        return "ingen interviews"
    return (f"{count(n)} af {count(total)} interviews ({_plural(pos, 'positiv', 'positive')}, "
            f"{_plural(neg, 'negativ', 'negative')})")


def _interview_cell(row: pd.Series) -> str:
    if row["n_total_pilot"] == 0 and row["n_total_comparison"] == 0:
        return "ikke et tema i interviewene"
    pilot, comparison = ([row[f"n_{c}_{g}"] for c in ("interviews", "total", "positive", "negative")]
                         for g in ("pilot", "comparison"))  # the joint display's column suffixes
    return f"pilot: {_side(*pilot)}; øvrige: {_side(*comparison)}"


def quote_cell(quote: str, group: str, campus: str, has_themes: bool = True) -> str:
    """Return ``»…« (pilot, Brøndby)``; ``afdeling ikke vist`` where the campus may not be named."""
    if not quote:
        return "intet citat (ingen interviews, der må citeres)" if has_themes else "–"
    where = campus if campus else "afdeling ikke vist"
    return f"»{quote}« ({GROUP_SHORT_DA.get(group, group)}, {where})"


def joint_table(joint: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Return the joint display with Danish headers and text cells (decimal comma), one row per criterion."""
    level = confidence_level(alpha)
    rows = []
    for _, r in joint.iterrows():
        rows.append({"Kriterium": r["criterion"],
                     f"Spørgeskema: pilot − øvrige (0-100, {level}-usikkerhedsinterval)": _survey_cell(r),
                     "Interviews, optag fra pilotstart": _interview_cell(r),
                     "Temaer": r["themes"] or "–",
                     "Citat": quote_cell(r["quote"], r["quote_group"], r["quote_campus"], bool(r["themes"])),
                     "Samlet": AGREEMENT_DA[r["agreement"]]})
    return pd.DataFrame(rows)


def theme_figure(themes: pd.DataFrame, synthetic: bool, period: str = "post"):
    """Interviews per theme (optag fra pilotstart), pilot and comparison side by side, as counts "x af N"."""
    from .plotting import danish_axis

    data = themes[themes["period"] == period]
    labels = list(dict.fromkeys(data["theme"]))
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(labels) + 1.4))
    y = np.arange(len(labels))
    for k, (g, colour) in enumerate((("pilot", "#DD8452"), ("non-pilot", "#4C72B0"))):
        sub = data[data["group"] == g].set_index("theme").reindex(labels)
        vals = sub["n_interviews"].fillna(0).to_numpy(float)
        tot = sub["n_interviews_total"].fillna(0).to_numpy(int)
        ax.barh(y + (0.2 if k else -0.2), vals, height=0.38, color=colour, label=GROUP_DA[g])
        for yi, v, t in zip(y, vals, tot, strict=True):
            ax.text(v + 0.05, yi + (0.2 if k else -0.2), f"{count(int(v))} af {count(t)}", va="center", fontsize=8)
    ax.set_yticks(y, labels, fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel("Antal interviews, hvor temaet forekommer")
    ax.set_title(f"Temaer i gruppeinterviewene, {PERIOD_DA[period]}")
    ax.set_xlim(0, max(1.0, float(data["n_interviews_total"].max() if len(data) else 1)) + 1.2)
    danish_axis(ax, "x", decimals=0)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return add_watermark(fig, SYNTHETIC_WATERMARK if synthetic else None)


@dataclass
class InterviewSection:
    """The section: title, paragraphs (Markdown), the joint display (Danish table) and its HTML."""

    title: str
    paragraphs: list[str]
    table: pd.DataFrame
    banner: str = ""
    alpha: float = 0.05
    extra: dict = field(default_factory=dict)
    #: the interviews are a synthetic stand-in (``interview_provenance.synthetic``)
    synthetic: bool = False

    @property
    def markdown(self) -> str:
        """Heading, banner and paragraphs as Markdown (the table separately: :attr:`html`)."""
        return "\n\n".join([f"## {self.title}", *([self.banner] if self.banner else []), *self.paragraphs])

    @property
    def html(self) -> str:
        """Return the whole section as HTML: heading, banner, paragraphs, then the joint display table."""
        caption = "Tabel: Spørgeskema og interviews side om side pr. kriterium (joint display)"
        parts = [f"<h2>{html_lib.escape(self.title)}</h2>", self.banner,
                 *(f"<p>{html_lib.escape(p)}</p>" for p in self.paragraphs),
                 table_html(self.table, caption, {c: c for c in self.table.columns}, language="da")]
        return "\n".join(p for p in parts if p)


def report_section(output_dir: str | os.PathLike, alpha: float = 0.05) -> InterviewSection:
    """Build "Hvad siger eleverne" from chapter 10's contracted tables in ``output_dir``.

    Parameters
    ----------
    output_dir : path-like
        The run's output folder (``tables/interview_*.csv``).
    alpha : float
        The run's alpha (the level of the survey's intervals as chapter 09 computed them).
    """
    prov = contracts.read_table(output_dir, "interview_provenance").iloc[0]
    joint = contracts.read_table(output_dir, "interview_joint_display")
    over = contracts.read_table(output_dir, "interview_overview")
    n_i, n_c = int(prov["n_interviews"]), int(prov["n_campuses"])
    tally = joint["agreement"].value_counts()
    n = len(joint)

    def k(code: str) -> int:
        return int(tally.get(code, 0))

    parts = [f"{count(k(code))} {words}" for code, words in (
        ("agree", "peger de samme vej"), ("disagree", "peger de hver sin vej"),
        ("only_interviews", "viser kun interviewene en forskel mellem pilotafdelingerne og de øvrige afdelinger"),
        ("only_survey", "viser kun spørgeskemaet en forskel"), ("neither", "viser ingen af dem en forskel"))
        if k(code)]
    listed = ", for ".join(parts[:-1]) + (" og for " if len(parts) > 1 else "") + parts[-1] if parts else ""
    lead = (f"Spørgeskemaet og gruppeinterviewene er lagt side om side for {_plural(n, 'kriterium', 'kriterier')} "
            f"fra opfølgningsplanen: for {listed}."
            + ("" if k("disagree") else " På intet kriterium modsiger de to kilder hinanden."))
    after = over[over["period"] == "post"].set_index("group")["n_interviews"]
    material = (f"Materialet er {_plural(n_i, 'gruppeinterview', 'gruppeinterviews')} på "
                f"{_plural(n_c, 'afdeling', 'afdelinger')}, heraf {count(int(after.get('pilot', 0)))} med optag fra "
                f"pilotstart på pilotafdelingerne og {count(int(after.get('non-pilot', 0)))} på "
                "de øvrige afdelinger. Tallene er antal interviews, ikke andele: et tema tæller én gang pr. "
                "interview, uanset hvor meget gruppen talte om det.")
    mins = joint["survey_min_p_ri"].dropna()
    survey = ("Spørgeskemaets forskelle har brede konfidensintervaller, fordi der kun er få afdelinger"
              + (f"; randomiseringstesten kan med så få afdelinger ikke komme under p = {number(float(mins.min()), 3)}"
                 if len(mins) else "") + ". Spørgeskemaet »taler« her kun, hvor intervallet ikke omfatter 0."
              if bool(prov["survey_available"]) else
              "Spørgeskemaets kapitel er ikke kørt, så kun interviewene er med.")
    quotes = (f"Citaterne er valgt efter en fast regel: først de udsnit, evaluator har markeret, ellers den korteste "
              f"hele sætning; kun fra interviews med samtykke og mindst {count(int(prov['min_participants']))} "
              "deltagere. Navne, telefonnumre, e-mailadresser og cpr-lignende numre er skjult, og afdelingen nævnes "
              f"kun, hvor der er mindst {count(int(prov['min_campus_interviews']))} interviews (og ikke kan "
              "udledes af de andre).")
    judgement = ("Tabellen viser, hvor kilderne peger samme vej, ikke hvorfor. Kodningen og fortolkningen er "
                 "evaluators vurdering; tabellen er et grundlag for justeringen af indsatserne, ikke en dom over dem.")
    return InterviewSection(title=TITLE, paragraphs=[lead, material, survey, quotes, judgement],
                            table=joint_table(joint, alpha), banner=banner_html(prov), alpha=alpha,
                            synthetic=bool(prov["synthetic"]))


def load_section(output_dir: str | os.PathLike, alpha: float = 0.05) -> InterviewSection | None:
    """Return :func:`report_section` if chapter 10 has written its tables in ``output_dir``, else ``None``.

    For the lead's report (``06_rapport`` runs after ``10_interviews``)::

        section = interviews_section.load_section(output_dir, alpha)
        if section is not None:
            display(HTML(section.html))
    """
    if not contracts.table_path(output_dir, "interview_joint_display").is_file():
        return None
    return report_section(output_dir, alpha)
