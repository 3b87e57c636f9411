"""The wellbeing survey (elevtrivselsundersøgelsen, ETU): input, small cells, association with dropout.

Input layout (semicolon CSV, UTF-8 or Windows-1252, or XLSX; documented in
``data/raw/README.md``), one row per programme × year × indicator or question::

    Institution;Uddannelse;År;Type;Indikator eller spørgsmål;Score;Antal besvarelser

``Type`` is ``Indikator`` or ``Spørgsmål``; ``Score`` is the published 0-100
score (Danish decimal comma); ``Antal besvarelser`` the number of respondents.
``fetch`` with ``config/queries/etu_eud_hovedforloeb.yaml`` writes this layout;
an export from the site can be saved in it by hand.

Small cells: the ministry suppresses wellbeing results of fewer than 5
respondents. A row with fewer than 5 (or a blank score or count) is read as
**suppressed**: its score and its count are blanked on reading, so they can
never be shown, and since the chapters show programme rows only (no totals over
programmes), no suppressed score can be derived back from what is shown.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ..danish import number
from ..definitions import programme_code, text_key
from ..errors import InputError, Problem
from ..readers.rawtable import read_raw_table
from ..readers.validation import Kind, register
from .convert import (
    ETU_COL_INSTITUTION,
    ETU_COL_ITEM,
    ETU_COL_KIND,
    ETU_COL_PROGRAMME,
    ETU_COL_RESPONDENTS,
    ETU_COL_SCORE,
    ETU_COL_YEAR,
    ETU_COLUMNS,
)
from .values import parse_count_value, parse_decimal

MIN_RESPONDENTS = 5
KINDS = {"indikator": "indikator", "spørgsmål": "spørgsmål", "sporgsmal": "spørgsmål"}
#: the three oplæring questions of seed 003 §2 (Figure 3)
OPLAERING_QUESTIONS: tuple[str, ...] = ("Jeg lærer noget i oplæringen", "Jeg er glad for at være i oplæring",
                                        "Jeg var godt forberedt til at komme i oplæring")
REQUIRED = tuple(c for c in ETU_COLUMNS if c != ETU_COL_INSTITUTION)


def matches_header(header: list[str]) -> bool:
    """Tell whether a header is the ETU layout (has the score and respondents columns)."""
    names = {text_key(h) for h in header}
    return text_key(ETU_COL_SCORE) in names and text_key(ETU_COL_RESPONDENTS) in names


def read_etu(path: str | os.PathLike, display_name: str | None = None) -> pd.DataFrame:
    """Read and check an ETU table; blank every cell of fewer than 5 respondents.

    Returns
    -------
    pandas.DataFrame
        ``institution, programme, year, kind, item, score, n_respondents, suppressed``; ``score``
        (0-100) and ``n_respondents`` are missing where ``suppressed``.

    Raises
    ------
    InputError
        Every problem, with file, row and column: a missing column, an unknown programme or type, a
        score outside 0-100, a count that is not a whole number, a duplicate row.
    """
    file = display_name or str(path)
    table = read_raw_table(path, file)
    idx = {text_key(h): i for i, h in enumerate(table.header)}
    missing = [c for c in REQUIRED if text_key(c) not in idx]
    if missing:
        raise InputError([Problem(file, f"missing column '{c}' (the ETU layout: {';'.join(ETU_COLUMNS)})",
                                  row=1, column=c) for c in missing])
    if not table.rows:
        raise InputError(Problem(file, "the table has a header but no data rows"))
    problems: list[Problem] = []
    records = []
    seen: dict[tuple, int] = {}
    inst_i = idx.get(text_key(ETU_COL_INSTITUTION))
    for raw, line in zip(table.rows, table.line_numbers, strict=True):
        def get(col: str, raw: list[str] = raw) -> str:
            return raw[idx[text_key(col)]].strip()

        bad = len(problems)
        programme = programme_code(get(ETU_COL_PROGRAMME))
        if programme is None:
            problems.append(Problem(file, f"unknown programme '{get(ETU_COL_PROGRAMME)}' (PAU, SSA, SSH or their "
                                          "names)", row=line, column=ETU_COL_PROGRAMME))
        try:
            year = parse_count_value(get(ETU_COL_YEAR))
            if not 1990 <= year <= 2100:
                raise ValueError(f"'{get(ETU_COL_YEAR)}' is not a plausible year")
        except ValueError as exc:
            problems.append(Problem(file, f"year: {exc}", row=line, column=ETU_COL_YEAR))
            year = 0
        kind = KINDS.get(text_key(get(ETU_COL_KIND)))
        if kind is None:
            problems.append(Problem(file, f"type '{get(ETU_COL_KIND)}' is neither Indikator nor Spørgsmål",
                                    row=line, column=ETU_COL_KIND))
        item = get(ETU_COL_ITEM)
        if not item:
            problems.append(Problem(file, "the indicator or question is blank", row=line, column=ETU_COL_ITEM))
        score: float = math.nan
        n: int | None = None
        if get(ETU_COL_SCORE):
            try:
                score = parse_decimal(get(ETU_COL_SCORE))
                if not 0 <= score <= 100:
                    raise ValueError(f"'{get(ETU_COL_SCORE)}' is outside the 0-100 scale")
            except ValueError as exc:
                problems.append(Problem(file, f"score: {exc}", row=line, column=ETU_COL_SCORE))
        if get(ETU_COL_RESPONDENTS):
            try:
                n = parse_count_value(get(ETU_COL_RESPONDENTS))
            except ValueError as exc:
                problems.append(Problem(file, f"respondents: {exc}", row=line, column=ETU_COL_RESPONDENTS))
        key = (raw[inst_i].strip() if inst_i is not None else "", programme, year, kind, text_key(item))
        if len(problems) == bad:
            if key in seen:
                problems.append(Problem(file, f"duplicate row (first in row {seen[key]})", row=line,
                                        column=ETU_COL_ITEM))
            seen[key] = line
        suppressed = n is None or n < MIN_RESPONDENTS or math.isnan(score)
        records.append({"institution": key[0], "programme": programme, "year": year, "kind": kind, "item": item,
                        "score": math.nan if suppressed else score,
                        "n_respondents": None if suppressed else n, "suppressed": suppressed})
    if problems:
        raise InputError(problems)
    out = pd.DataFrame.from_records(records)
    out["n_respondents"] = out["n_respondents"].astype("Int64")
    out["year"] = out["year"].astype(int)
    return out


def programme_table(etu: pd.DataFrame, kind: str, year: int) -> pd.DataFrame:
    """Tabulate scores by item (rows) and programme (columns) for one year; ``"færre end 5"`` where suppressed.

    Only programme cells are shown, never a total over programmes, so a suppressed
    score cannot be recovered from a total and the others.
    """
    d = etu[(etu["kind"] == kind) & (etu["year"] == year)]
    cells = d.assign(shown=[("færre end 5" if s else number(v))
                            for s, v in zip(d["suppressed"], d["score"], strict=True)])
    wide = cells.pivot_table(index="item", columns="programme", values="shown", aggfunc="first", sort=False)
    return wide.reindex(columns=[p for p in ("PAU", "SSA", "SSH") if p in wide.columns]).fillna("ikke offentliggjort")


def association(etu: pd.DataFrame, dropout: pd.DataFrame, item: str, definition: str = "incl_switch",
                alpha: float = 0.05) -> dict[str, object]:
    r"""Relate a programme's score on ``item`` to its dropout, over the programme-years that have both.

    Parameters
    ----------
    etu
        From :func:`read_etu`.
    dropout
        The tidy Table 1 (``programme, year, n_cohort, n_dropout_total, n_dropout_noswitch``).
    item
        An indicator or question (e.g. one of :data:`OPLAERING_QUESTIONS`).
    definition
        ``incl_switch`` or ``excl_switch``.
    alpha
        1 − confidence level.

    Returns
    -------
    dict
        ``n_points`` (programme-years with an unsuppressed score and a dropout rate), ``r`` (Pearson)
        with ``r_ci_low``, ``r_ci_high`` (Fisher z; needs 4 points), ``slope_pp_per_10`` (percentage
        points of dropout per 10 score points, least squares) with ``slope_ci_low``, ``slope_ci_high``
        and ``p_value`` (t on n − 2 df; needs 3 points), ``points`` (``"SSA 2022, ..."``).

    Notes
    -----
    An association across a handful of programme-years, not an effect: programmes differ in much
    besides wellbeing, and each point is one programme in one year. With :math:`k` points,
    :math:`r` has the Fisher interval :math:`\tanh(\operatorname{artanh} r \pm z_{1-\alpha/2}
    / \sqrt{k - 3})`; the slope :math:`b` of dropout (percent) on score is ordinary least squares
    with :math:`b \pm t_{k-2} \cdot \text{se}(b)`.
    """
    col = {"incl_switch": "n_dropout_total", "excl_switch": "n_dropout_noswitch"}[definition]
    scores = etu[(etu["item"] == item) & ~etu["suppressed"]][["programme", "year", "score"]]
    rates = dropout[["programme", "year"]].copy()
    rates["year"] = rates["year"].astype(int)
    rates["pct"] = 100 * dropout[col].astype(float).to_numpy() / dropout["n_cohort"].astype(float).to_numpy()
    joined = scores.merge(rates, on=["programme", "year"], how="inner").dropna()
    joined = joined.sort_values(["programme", "year"])
    k = len(joined)
    out: dict[str, object] = {"item": item, "outcome_definition": definition, "n_points": k,
                              "points": ", ".join(f"{p} {y}" for p, y in zip(joined["programme"], joined["year"],
                                                                             strict=True)),
                              "r": np.nan, "r_ci_low": np.nan, "r_ci_high": np.nan, "slope_pp_per_10": np.nan,
                              "slope_ci_low": np.nan, "slope_ci_high": np.nan, "p_value": np.nan}
    x, y = joined["score"].to_numpy(float), joined["pct"].to_numpy(float)
    if k >= 3 and np.ptp(x) > 0:
        fit = stats.linregress(x, y)
        tq = stats.t.ppf(1 - alpha / 2, k - 2)
        out.update(r=float(fit.rvalue), slope_pp_per_10=10 * fit.slope, slope_ci_low=10 * (fit.slope - tq * fit.stderr),
                   slope_ci_high=10 * (fit.slope + tq * fit.stderr), p_value=float(fit.pvalue))
        if k >= 4 and abs(fit.rvalue) < 1:
            zq = stats.norm.ppf(1 - alpha / 2)
            zr = math.atanh(fit.rvalue)
            out.update(r_ci_low=math.tanh(zr - zq / math.sqrt(k - 3)), r_ci_high=math.tanh(zr + zq / math.sqrt(k - 3)))
    return out


def _check(path: Path, file: str) -> pd.DataFrame:
    return read_etu(path, file)


register(Kind(name="etu-table", description="the wellbeing survey (ETU): scores 0-100 and respondents by "
                                            "programme, year and indicator or question",
              matches=matches_header, check=_check))


def is_synthetic(path: str | os.PathLike, data: pd.DataFrame) -> bool:
    """Tell whether an ETU table is the synthetic stand-in (file name or institution says so)."""
    return "synthetic" in Path(path).name.lower() or bool(data["institution"].str.contains("SYNTETISK").any())
