"""Result tables of the survey chapter, with the privacy rules applied.

Privacy (see also :mod:`sosu_analysis.privacy`)
-----------------------------------------------
- A row (group × measure) with fewer than :data:`~sosu_analysis.privacy.MIN_CELL`
  respondents shows no result. An item whose row is blanked while its
  index has enough respondents is *folded into its index*: only the index is
  shown for that group (``folded = True``).
- A share agreeing is blanked when 1-4 respondents agree or 1-4 do not (the
  count would follow from the share and ``n``).
- Secondary suppression: the rows of a partition (e.g. the interventions
  within a wave) add up to a total shown elsewhere, so the blanked ones could
  be recovered by subtraction; the package's audit
  (:func:`sosu_analysis.privacy.complementary_suppression`) hides the
  next-smallest rows until no set of blanked rows can be derived (not only
  when exactly one row is blanked: two blanked rows of 1-4 are protected too).

Every "fewer than 5" test here is :func:`sosu_analysis.privacy.small_cell_mask`,
the package's one small-cell rule.
- Campus × intake points of the dropout association need at least 5
  respondents and a dropout count of 0 or at least 5 (and non-dropouts
  likewise); their respondent counts are not shown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..definitions import CAMPUS_GROUP_IN_TEXT_DA, MIN_CELL, PERIOD_IN_TEXT_DA
from ..privacy import complementary_suppression, small_cell_mask, suppress_small_cells
from .estimate import (
    Contrast,
    before_after,
    clustered_mean,
    difference_in_differences,
    pilot_vs_comparison,
    weighted_slope,
)

#: the SPU baseline (seed 003 §3): share of SSA students who felt well enough prepared for their placement
SPU_BASELINE = {"kommunal sektor": 52.0, "somatik og psykiatri": 49.0}
LOW_RESPONSE = 0.5
VALUE_COLUMNS = ("score", "score_se", "score_df", "score_ci_low", "score_ci_high", "score_deff",
                 "agree_pct", "agree_ci_low", "agree_ci_high", "agree_deff", "G")


def _one_group(sub: pd.DataFrame, alpha: float) -> dict:
    s = clustered_mean(sub["score"], sub["campus"], alpha)
    a = clustered_mean(sub["agree"] * 100.0, sub["campus"], alpha)
    n_agree = int(sub["agree"].sum())
    return {"n": len(sub), "G": s.G, "n_intakes": int(sub[["campus", "intake"]].drop_duplicates().shape[0]),
            "score": s.estimate, "score_se": s.se, "score_df": s.df, "score_ci_low": s.ci_low,
            "score_ci_high": s.ci_high, "score_deff": s.deff, "agree_pct": a.estimate, "agree_ci_low": a.ci_low,
            "agree_ci_high": a.ci_high, "agree_deff": a.deff, "n_agree": n_agree, "n_not_agree": len(sub) - n_agree}


def summary_table(scores: pd.DataFrame, by: list[str], alpha: float = 0.05) -> pd.DataFrame:
    """Mean 0-100 score and share agreeing per group × measure, with CR2 intervals and design effects.

    Parameters
    ----------
    scores : pandas.DataFrame
        From :func:`~sosu_analysis.survey.scoring.respondent_scores` and
        :func:`~sosu_analysis.survey.scoring.add_design`.
    by : list of str
        Grouping columns (e.g. ``["group", "period", "wave"]``).
    alpha : float
        1 - confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per group × measure (indices and items), privacy rules of the
        module applied; the ``n_agree`` counts are dropped after use.
    """
    rows = []
    for keys, sub in scores.groupby([*by, "kind", "index", "measure"], sort=True):
        rows.append({**dict(zip([*by, "kind", "index", "measure"], keys, strict=True)), **_one_group(sub, alpha)})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    return apply_privacy(table, by)


def apply_privacy(table: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Blank small groups, fold items into indices, blank derivable shares (module docstring)."""
    out = table.copy()
    small = small_cell_mask(out, "n", zero_is_small=True)
    index_ok = out[(out["kind"] == "index") & ~small].set_index([*by, "index"]).index
    out["folded"] = small & (out["kind"] == "item") & out.set_index([*by, "index"]).index.isin(index_ok)
    out["suppressed"] = small
    share_small = small_cell_mask(out, ["n_agree", "n_not_agree"])
    for col in VALUE_COLUMNS:
        out[col] = out[col].astype("Float64").mask(small)
    out["n"] = out["n"].astype("Int64").mask(small)
    out["n_intakes"] = out["n_intakes"].astype("Int64").mask(small)
    for col in ("agree_pct", "agree_ci_low", "agree_ci_high", "agree_deff"):
        out[col] = out[col].mask(share_small)
    out["share_suppressed"] = share_small & ~small
    return out.drop(columns=["n_agree", "n_not_agree"])


def secondary_suppression(table: pd.DataFrame, partition: list[str], n_col: str = "n",
                          flag: str = "suppressed", values: tuple[str, ...] = VALUE_COLUMNS) -> pd.DataFrame:
    """Blank shown rows of a partition until no blanked row (or set of them) follows from its total.

    The partition's total is taken as public (shown elsewhere); a blanked row
    counts as one respondent in the audit (its count, 1-4, is no longer known
    here), so every set of blanked rows that could hold fewer than 5 is
    protected. The audit is :func:`sosu_analysis.privacy.complementary_suppression`
    (hides the next-smallest shown row first).
    """
    out = table.copy()
    out["secondary"] = False
    for _, rows in out.groupby(partition, sort=False):
        blanked = rows[flag].astype(bool)
        if not blanked.any() or blanked.all():
            continue
        counts = rows[n_col].astype(float)
        atoms = {i: 1 if blanked[i] else int(counts[i]) for i in rows.index}
        published: dict = {i: [i] for i in rows.index if not blanked[i]}
        published["total"] = list(rows.index)
        try:
            hide = complementary_suppression(published, atoms, public=["total"])
        except ValueError:  # the total alone discloses a small count: show none of the partition
            hide = {i for i in rows.index if not blanked[i]}
        for victim in hide:
            for col in (*values, n_col):
                if col in out.columns:
                    out.loc[victim, col] = pd.NA
            out.loc[victim, flag] = True
            out.loc[victim, "secondary"] = True
    return out


def contrast_table(scores: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Pilot vs comparison, before vs after and difference-in-differences for every measure.

    Returns one row per measure × metric (``score``, ``agree`` in percent) ×
    contrast that exists in the data; a row whose treated or control side has
    fewer than 5 respondents is blanked, its respondent counts included
    (:func:`sosu_analysis.privacy.suppress_small_cells`).
    """
    rows = []
    data = scores.assign(agree_pct=scores["agree"] * 100.0)
    for (kind, index, measure), sub in data.groupby(["kind", "index", "measure"], sort=True):
        for metric, col in (("score", "score"), ("agree_pct", "agree_pct")):
            for fn in (pilot_vs_comparison, before_after, difference_in_differences):
                c: Contrast | None = fn(sub, col, alpha)
                if c is None:
                    continue
                rows.append({"kind": kind, "index": index, "measure": measure, "metric": metric, **c.as_dict()})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    # a side with 1-4 respondents: its estimate and its counts are blanked (the count, and the total n
    # from which it would follow, are numbers of respondents too)
    for col in ("estimate", "se", "df", "ci_low", "ci_high", "p_value", "p_ri"):
        table[col] = table[col].astype("Float64")
    return suppress_small_cells(table, ["n_treated", "n_control"],
                                ["estimate", "se", "df", "ci_low", "ci_high", "p_value", "p_ri", "n"],
                                zero_is_small=True)


def response_rates(scores: pd.DataFrame, students: pd.DataFrame, programme: str) -> pd.DataFrame:
    """Respondents per campus × wave over the students of the intakes surveyed there.

    Parameters
    ----------
    scores : pandas.DataFrame
        Respondent scores (a respondent counts if they answered any item).
    students : pandas.DataFrame
        The extract with ``intake`` (:func:`~sosu_analysis.students.derive_columns`).
    programme : str
        Programme of the survey.

    Returns
    -------
    pandas.DataFrame
        ``group, campus, wave, n_respondents, n_students, response_rate``
        (percent), ``low`` (below 50 %), ``known`` (every surveyed intake is in
        the extract). Rows with 1-4 respondents are blanked, with secondary
        suppression within group × wave.
    """
    resp = scores.drop_duplicates(["respondent_id", "wave"])
    sizes = (students[students["programme"] == programme].groupby(["campus", "intake"]).size()
             .rename("n").reset_index())
    size = {(c, i): int(n) for c, i, n in zip(sizes["campus"], sizes["intake"], sizes["n"], strict=True)}
    rows = []
    for (group, campus, wave), sub in resp.groupby(["group", "campus", "wave"], sort=True):
        intakes = sorted(sub["intake"].unique())
        known = all((campus, i) in size for i in intakes)
        n_students = sum(size.get((campus, i), 0) for i in intakes) if known else np.nan
        n_resp = sub["respondent_id"].nunique()
        rate = 100.0 * n_resp / n_students if known and n_students else np.nan
        rows.append({"group": group, "campus": campus, "wave": wave, "intakes": ", ".join(intakes),
                     "n_respondents": n_resp, "n_students": n_students, "response_rate": rate,
                     "low": bool(known and rate < 100 * LOW_RESPONSE), "known": known})
    table = pd.DataFrame(rows)
    small = small_cell_mask(table, "n_respondents", zero_is_small=True)
    table["suppressed"] = small
    table["n_respondents"] = table["n_respondents"].astype("Int64").mask(small)
    table["response_rate"] = table["response_rate"].astype("Float64").mask(small)
    table = secondary_suppression(table, ["group", "wave"], n_col="n_respondents",
                                  values=("response_rate",))
    return table


def spu_table(summary: pd.DataFrame, item: str | None) -> pd.DataFrame:
    """Put the share agreeing with the SPU-comparable item against SPU's 52 % and 49 %.

    ``summary`` is a :func:`summary_table` row set (e.g. by group and
    period); the difference to each baseline is in percentage points, its
    interval the share's interval shifted (the baselines are taken as fixed
    numbers: SPU's sampling error is not published in the seeds).
    """
    if item is None or summary.empty:
        return pd.DataFrame()
    rows = summary[summary["measure"] == item].reset_index(drop=True)
    # column-wise, so the nullable float columns keep their dtype: a suppressed or one-cluster row (NA) stays a
    # number column (row by row, NA made them object columns that the table contract refused)
    parts = [rows.assign(spu_population=population, spu_pct=base, diff_pp=rows["agree_pct"] - base,
                         diff_ci_low=rows["agree_ci_low"] - base, diff_ci_high=rows["agree_ci_high"] - base,
                         _row=rows.index, _pop=k)
             for k, (population, base) in enumerate(SPU_BASELINE.items())]
    out = pd.concat(parts, ignore_index=True).sort_values(["_row", "_pop"], kind="mergesort")
    return out.drop(columns=["_row", "_pop"]).reset_index(drop=True)


def dropout_association(scores: pd.DataFrame, students: pd.DataFrame, measure: str, programme: str,
                        alpha: float = 0.05, outcome: str = "dropout_total") -> tuple[pd.DataFrame, dict]:
    """Campus × intake mean of ``measure`` against the intake's later dropout.

    Parameters
    ----------
    scores : pandas.DataFrame
        Respondent scores (all waves pooled per campus × intake).
    students : pandas.DataFrame
        The extract at a horizon (:func:`~sosu_analysis.students.derive_columns`).
    measure : str
        An item or index.
    programme : str
        Programme of the survey.
    alpha : float
        1 - confidence level.
    outcome : str
        ``dropout_total`` (incl. switching) or ``dropout_noswitch``.

    Returns
    -------
    points : pandas.DataFrame
        ``group, campus, intake, score, dropout_pct, shown`` (shown =
        passes the privacy rule of the module docstring; the others are used
        in the estimate only and blanked here).
    fit : dict
        ``n_points``, ``G``, the slope (percentage points of dropout per 10
        score points) with its CR2 interval (campus clusters, points weighted
        by intake size) and the weighted Pearson correlation.
    """
    sub = scores[scores["measure"] == measure]
    means = sub.groupby(["group", "campus", "intake"]).agg(score=("score", "mean"),
                                                          n_resp=("respondent_id", "nunique")).reset_index()
    st = students[students["programme"] == programme]
    drop = st.groupby(["campus", "intake"]).agg(n=(outcome, "size"), n_drop=(outcome, "sum")).reset_index()
    pts = means.merge(drop, on=["campus", "intake"], how="inner")
    pts = pts[pts["n_resp"] >= MIN_CELL].reset_index(drop=True)
    empty = {"n_points": len(pts), "G": int(pts["campus"].nunique()) if len(pts) else 0, "slope_pp_per_10": np.nan,
             "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan, "df": np.nan, "r": np.nan,
             "measure": measure, "outcome": outcome}
    if len(pts) < 3:
        return pts.assign(dropout_pct=np.nan, shown=False), empty
    pts["dropout_pct"] = 100.0 * pts["n_drop"] / pts["n"]
    est = weighted_slope(pts["score"] / 10.0, pts["dropout_pct"], pts["n"], pts["campus"], alpha)
    w = pts["n"].to_numpy(float)
    x, y = pts["score"].to_numpy(float), pts["dropout_pct"].to_numpy(float)
    mx, my = np.average(x, weights=w), np.average(y, weights=w)
    r = float(np.sum(w * (x - mx) * (y - my)) / np.sqrt(np.sum(w * (x - mx) ** 2) * np.sum(w * (y - my) ** 2)))
    fit = {**empty, "slope_pp_per_10": est.estimate, "ci_low": est.ci_low, "ci_high": est.ci_high,
           "p_value": est.p_value, "df": est.df, "r": r}
    pts["shown"] = ~small_cell_mask(pts.assign(n_not=pts["n"] - pts["n_drop"]), ["n_drop", "n_not"])
    pts.loc[~pts["shown"], "dropout_pct"] = np.nan
    return pts[["group", "campus", "intake", "score", "dropout_pct", "shown"]], fit


def small_cell_notes(scores: pd.DataFrame) -> list[str]:
    """Danish notes naming the campus × wave and group × period × wave cells with 1 to 4 respondents.

    Checked before any table is made (issue 20): such a cell is suppressed in
    every table (``< 5``), a comparison then rests on fewer campuses, and the
    run goes on; the note says so instead of a table contract failing later.
    The exact count is never given.
    """
    notes = []
    resp = scores.drop_duplicates(["respondent_id", "wave"])
    by_campus = resp.groupby(["campus", "wave"], sort=True).size().reset_index(name="n")
    for campus, wave, n in zip(by_campus["campus"], by_campus["wave"], by_campus["n"], strict=True):
        if 0 < n < MIN_CELL:
            notes.append(f"Afdeling {campus} har færre end {MIN_CELL} svarpersoner i runden '{wave}': dens celler "
                         "er skjult i alle tabeller, og analysen fortsætter med de øvrige afdelinger.")
    cells = resp.groupby(["group", "period", "wave"], sort=True).size().reset_index(name="n")
    for group, period, wave, n in zip(cells["group"], cells["period"], cells["wave"], cells["n"], strict=True):
        if 0 < n < MIN_CELL:
            where = f"{CAMPUS_GROUP_IN_TEXT_DA.get(group, group)} ({PERIOD_IN_TEXT_DA.get(period, period)})"
            notes.append(f"Gruppen {where} har færre end {MIN_CELL} svarpersoner i runden '{wave}': "
                         "cellen er skjult (også hvor den kunne regnes ud af andre celler), og analysen fortsætter.")
    return notes

