"""What was tested, where and from when: the interventions and campus tables for the lead's report.

The two design tables (``data/raw/interventions.csv``, ``data/raw/campuses.csv``)
are read and validated by :mod:`sosu_analysis.students.campuses`; this module
turns them into what a reader of the report needs: one row per intervention
(name, content, campuses, partner, first intake), the comparison campuses, and
every assumption the tables mark, in Danish.
"""

from __future__ import annotations

import pandas as pd

from .rapport.words import join, month_da

#: Danish column names of :func:`intervention_overview`
OVERVIEW_COLUMNS = ("Indsats", "Navn", "Indhold", "Afdelinger", "Samarbejdspartner", "Første optag")


def _join_da(items: list[str]) -> str:
    """Join words the Danish way (:func:`sosu_analysis.reporting.rapport.words.join`)."""
    return join(items)


def intervention_overview(interventions: pd.DataFrame) -> pd.DataFrame:
    """One row per intervention: number, name, content, campuses, partner(s), first intake.

    Parameters
    ----------
    interventions : DataFrame
        As returned by :func:`sosu_analysis.students.read_interventions` (one
        row per intervention × campus × programme).

    Returns
    -------
    DataFrame
        Columns :data:`OVERVIEW_COLUMNS`, in the order of first appearance.
    """
    rows = []
    for ident, grp in interventions.groupby("intervention", sort=False):
        campuses = list(dict.fromkeys(grp["campus"]))
        partners = list(dict.fromkeys(p for p in grp["partner"].fillna("") if p))
        first = min(grp["first_intake"])
        content = grp["content_da"].fillna("").iloc[0] if "content_da" in grp else ""
        rows.append({
            "Indsats": str(ident), "Navn": grp["name"].fillna("").iloc[0], "Indhold": content,
            "Afdelinger": _join_da(campuses), "Samarbejdspartner": _join_da(partners) or "–",
            "Første optag": f"{' og '.join(sorted(set(grp['programme'])))}-optaget {month_da(first)}"
                            + (" (antaget)" if first_intake_assumed(grp) else ""),
        })
    return pd.DataFrame(rows, columns=list(OVERVIEW_COLUMNS))


def first_intake_assumed(rows: pd.DataFrame) -> bool:
    """Whether the first intake of these intervention rows is an assumption (marked row whose note says so)."""
    if "assumption" not in rows or "note" not in rows:
        return False
    notes = rows.loc[rows["assumption"].astype(bool), "note"].fillna("")
    return bool(notes.str.contains(r"first intake \S+ assumed", regex=True).any())


def comparison_campuses(campuses: pd.DataFrame, programme: str = "SSA") -> list[str]:
    """Campuses that are not pilots and offer ``programme`` (the comparison group)."""
    offers = campuses["programmes"].map(lambda p: programme in p) if "programmes" in campuses else True
    return list(campuses.loc[~campuses["pilot"].astype(bool) & offers, "campus"])


def assumptions_da(campuses: pd.DataFrame, interventions: pd.DataFrame) -> list[str]:
    """Every assumption the design tables mark, as Danish sentences.

    Recognised: an alias that maps the plan's place name onto a campus
    (``seed_campus`` differs from ``campus``), a pilot start that the plan does
    not date per campus (the campus row is marked as an assumption and has a
    ``pilot_start``), the programmes each campus offers (every campus row
    marked as an assumption), the other names an extract may use (``aliases``),
    campuses the plan's »Nord« may also cover (``note``), a partner named like a
    campus (a municipality), and a first intake the plan does not date
    (intervention rows marked, ``note``).
    """
    out = []
    mapped = interventions[interventions["seed_campus"].fillna("") != interventions["campus"]]
    for (seed, campus), _ in mapped.groupby(["seed_campus", "campus"], sort=False):
        if seed:
            out.append(f"Planens »{seed}« er antaget at være afdelingen {campus} (ikke bekræftet).")
    assumed = campuses[campuses["assumption"].astype(bool)]
    pilots = assumed[assumed["pilot"].astype(bool)]
    if len(pilots):
        starts = sorted(set(pilots["pilot_start"].dropna()))
        out.append(
            f"Pilotstart {_join_da([month_da(s) for s in starts])} er antaget for {_join_da(list(pilots['campus']))}: "
            "planen tidsfæster afprøvningen ved SSA-optagene i 2025, ikke pr. afdeling."
        )
    if len(assumed):
        out.append("Hvilke uddannelser hver afdeling udbyder, er antaget (det står ikke i kilderne) og bruges kun "
                   "til at fordele de syntetiske optag.")
    # the names an extract may use for a campus (campuses.csv, column aliases)
    if "aliases" in campuses:
        read_as = [f"{_join_da([f'»{a}«' for a in str(al).split(';') if a])} som {c}"
                   for c, al in zip(campuses["campus"], campuses["aliases"].fillna(""), strict=True) if str(al)]
        if read_as:
            out.append(f"Elevudtrækket læses med andre navne for afdelingerne: {'; '.join(read_as)}.")
    # campuses the plan's "Nord" might also cover (the note says it is not stated)
    if "note" in campuses:
        unsure = list(campuses.loc[campuses["note"].fillna("").str.contains("also covers it is not stated"),
                                   "campus"])
        if unsure:
            comparison = [c for c in unsure if c in comparison_campuses(campuses)]
            text = f"Det står ikke i planen, om »Nord« også omfatter {_join_da(unsure)}."
            if comparison:
                text += (f" {_join_da(comparison)} indgår i sammenligningen; er afdelingen med i piloten, "
                         "bliver sammenligningen skæv.")
            out.append(text)
    # a partner named like a campus (a municipality, not the school's campus)
    names = set(campuses["campus"])
    for _, row in interventions.drop_duplicates(["intervention", "campus"]).iterrows():
        for partner in str(row.get("partner") or "").split(";"):
            same = [c for c in names if c in partner and partner.strip() != c and c != row["campus"]]
            for c in same:
                out.append(f"Samarbejdspartneren {partner.strip()} (indsats {row['intervention']}, {row['campus']}) "
                           f"er kommunen, ikke afdelingen {c}.")
    # the first intake of each intervention
    assumed_first = [str(i) for i, grp in interventions.groupby("intervention", sort=False)
                     if first_intake_assumed(grp)]
    if assumed_first:
        starts = sorted(set(interventions.loc[interventions["intervention"].astype(str).isin(assumed_first),
                                              "first_intake"]))
        which = "alle indsatser" if len(assumed_first) == interventions["intervention"].nunique() else (
            "indsats " + _join_da(assumed_first))
        out.append(f"Første optag ({_join_da([month_da(m) for m in starts])}) er antaget for {which}: planen "
                   "tidsfæster ikke hver indsats pr. afdeling (mærket »antaget« i tabellen).")
    return out
