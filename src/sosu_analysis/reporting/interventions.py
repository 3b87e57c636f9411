"""What was tested, where and from when: the interventions and campus tables for the lead's report.

The two design tables (``data/raw/interventions.csv``, ``data/raw/campuses.csv``)
are read and validated by :mod:`sosu_analysis.students.campuses`; this module
turns them into what a reader of the report needs: one row per intervention
(name, content, campuses, partner, first intake), the comparison campuses, and
every assumption the tables mark, in Danish.
"""

from __future__ import annotations

import pandas as pd
from babel.dates import format_date

#: Danish column names of :func:`intervention_overview`
OVERVIEW_COLUMNS = ("Indsats", "Navn", "Indhold", "Afdelinger", "Samarbejdspartner", "Første optag")


def month_da(label: str) -> str:
    """``"2025-04"`` -> ``"april 2025"`` (CLDR Danish month names, via babel)."""
    year, month = int(label[:4]), int(label[5:7])
    return format_date(pd.Timestamp(year=year, month=month, day=1).date(), "MMMM y", locale="da")


def _join_da(items: list[str]) -> str:
    """Join words the Danish way: ``["a", "b", "c"]`` -> ``"a, b og c"``."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " og " + items[-1]


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
            "Første optag": f"{' og '.join(sorted(set(grp['programme'])))}-optaget {month_da(first)}",
        })
    return pd.DataFrame(rows, columns=list(OVERVIEW_COLUMNS))


def comparison_campuses(campuses: pd.DataFrame, programme: str = "SSA") -> list[str]:
    """Campuses that are not pilots and offer ``programme`` (the comparison group)."""
    offers = campuses["programmes"].map(lambda p: programme in p) if "programmes" in campuses else True
    return list(campuses.loc[~campuses["pilot"].astype(bool) & offers, "campus"])


def assumptions_da(campuses: pd.DataFrame, interventions: pd.DataFrame) -> list[str]:
    """Every assumption the design tables mark, as Danish sentences.

    Three kinds are recognised from the tables' structured columns: an alias
    that maps the plan's place name onto a campus (``seed_campus`` differs from
    ``campus``), a pilot start that the plan does not date per campus (the
    campus row is marked as an assumption and has a ``pilot_start``), and the
    programmes each campus offers (every campus row marked as an assumption).
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
    return out
