"""Synthetic student extracts, calibrated to the published Table 1, with a known true effect.

Until real extracts arrive, the project develops and demonstrates on data
drawn here. Every output is labelled SYNTHETIC: the file name must contain
``synthetic`` and a JSON sidecar beside it records the label, seed, true
effect and generator version.

Design
------
Table 1
    The published table is read from its raw file
    (``data/raw/uddannelsesstatistik_sosuh_hovedforloeb_3mdr_2022-2024.csv``)
    with :func:`sosu_analysis.readers.published.clean_published`, which derives the
    pinned blanks (PAU switch = 0) and reconciles the intake size
    ``n_cohort``; "other" is the students the table does not show. Rates are
    shares of the whole intake, as published.
Cohorts
    Intakes 2022-2025. SSA starts four times a year (April, June, August,
    October: the months of the 2025 pilot in seed 003), SSH twice (February,
    August), PAU once (August). These months are a modelling choice, not
    data. Each intake starts on the first Monday of its month. The cohort of
    a programme-year has Table 1's size (``n_cohort`` × ``scale``; 2025 =
    2024) and is spread over the campuses offering the programme (the
    ``programmes`` column of the campus table) and the year's intakes by a
    multinomial draw, with campus size weights ``exp(N(0, 0.3²))``.
3-month status
    Within a programme-year the share "other" (``exit_type`` completed, exit
    within 3 months) is Table 1's. Among the rest, the probability of
    dropping out within 3 months in a campus-intake cell is
    ``q = expit(alpha + u_campus + v_intake)`` with random effects
    ``u ~ N(0, 0.25²)`` per campus and ``v ~ N(0, 0.15²)`` per programme ×
    intake (logit scale, seeded). ``alpha`` is solved per programme-year so
    that the size-weighted mean of ``q`` is exactly Table 1's total dropout
    rate among non-"other" students, given the drawn sizes and effects: the
    expected 3-month rates of every programme-year then equal Table 1 for
    both definitions. A dropout is a switch with Table 1's switch share of
    the programme-year, else "left". 2025 carries the 2024 rates forward.
True effect
    At pilot campuses from their ``pilot_start``, for the programmes the
    interventions cover (SSA), the 3-month probability of dropout
    **without** switch is shifted by ``effect_pp`` percentage points
    (negative = reduction); the switch probability is unchanged. So the
    true 3-month effect is ``effect_pp`` under both outcome definitions.
    An effect that would push a cell's probability below 0 (or the total
    above 1) is refused.
Later horizons
    Exit times follow a cumulative hazard ``H(t) = H3 · g(t)`` with
    ``H3 = -log(1 - q)`` and ``g`` linear between the knots
    ``g(0)=0, g(3)=1, g(6)=1.5, g(12)=2`` (months): the hazard halves after 3
    months and again after 6, and the cumulative hazard doubles from 3 to 12
    months. So ``P(exit by 3 months) = q`` exactly, ``P(by 12) = 1 - (1-q)²``.
    No exits are drawn after 12 months, and "other" occurs only within 3
    months. The true effect at 6 and 12 months is what this model implies
    (recorded in the sidecar as ``true_effect_pp``). Outcomes are simulated for
    every horizon whatever today's date; use ``as_of`` in
    :func:`~sosu_analysis.students.extract.derive_columns` to mimic an
    extract taken before the horizons have passed.
Exit dates
    An exit time ``t`` months in ``(k, k+1]`` lands ``ceil((t-k)·L)`` days
    after ``start + k`` months, ``L`` being the length of that month step, so
    an exit drawn within ``h`` months is on or before ``start + h`` months
    under the rule of :mod:`sosu_analysis.students.months`.

The same ``seed``, ``effect_pp``, ``scale``, campus table and published table
give identical bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit

from ..atomic import write_csv, write_text
from ._parse import PROGRAMMES
from .campuses import PILOT_PROGRAMMES, as_campuses, offered_programmes, pilot_flags
from .extract import EXTRACT_COLUMNS, HORIZONS, sidecar_path, status_at
from .months import add_months, first_weekday

GENERATOR_VERSION = "1"

YEARS = (2022, 2023, 2024, 2025)
#: intake months per programme (a modelling choice; SSA's are the 2025 pilot months of seed 003)
INTAKE_MONTHS = {"SSA": (4, 6, 8, 10), "SSH": (2, 8), "PAU": (8,)}
SD_CAMPUS = 0.25
SD_INTAKE = 0.15
SD_CAMPUS_SIZE = 0.3
#: (months, cumulative hazard relative to the 3-month one)
HAZARD_KNOTS = ((0.0, 0.0), (3.0, 1.0), (6.0, 1.5), (12.0, 2.0))

#: columns of the published tidy table (:func:`sosu_analysis.readers.published.clean_published`) the generator uses
TABLE1_COLUMNS = ("programme", "year", "n_cohort", "n_dropout_switch", "n_dropout_noswitch", "n_other")


def table1_rates(table1: pd.DataFrame) -> dict[tuple[str, int], dict[str, float]]:
    """Table 1's 3-month rates (shares of the whole intake) by programme and year.

    Parameters
    ----------
    table1 : pandas.DataFrame
        The published table as cleaned by
        :func:`sosu_analysis.readers.published.clean_published` (pinned blanks derived,
        intake size ``n_cohort`` reconciled, ``n_other`` = students not shown).

    Returns
    -------
    dict
        ``(programme, year) -> {"n_cohort", "dropout_switch", "dropout_noswitch", "other"}``.

    Raises
    ------
    ValueError
        A needed cell is missing (suppressed and not pinned by its row).
    """
    missing = [c for c in TABLE1_COLUMNS if c not in table1.columns]
    if missing:
        raise ValueError(f"the published table lacks the columns {', '.join(missing)}")
    out = {}
    for rec in table1[list(TABLE1_COLUMNS)].to_dict("records"):
        if any(pd.isna(rec[c]) for c in TABLE1_COLUMNS):
            raise ValueError(f"the published table has no usable counts for {rec['programme']} {rec['year']}")
        n = int(rec["n_cohort"])
        out[(str(rec["programme"]), int(rec["year"]))] = {
            "n_cohort": n, "dropout_switch": int(rec["n_dropout_switch"]) / n,
            "dropout_noswitch": int(rec["n_dropout_noswitch"]) / n, "other": int(rec["n_other"]) / n}
    return out


def _rates_for(rates: dict, programme: str, year: int) -> dict[str, float]:
    """Return the rates of ``year``, or of the latest published year before it (carried forward)."""
    known = [y for p, y in rates if p == programme and y <= year]
    if not known:
        raise ValueError(f"the published table has no {programme} figures for {year} or earlier")
    return rates[(programme, max(known))]


@dataclass
class SyntheticCohorts:
    """A synthetic draw.

    Attributes
    ----------
    students : pandas.DataFrame
        The extract (columns of :data:`~sosu_analysis.students.extract.EXTRACT_COLUMNS`,
        dates as ``YYYY-MM-DD`` text, as written to the CSV).
    cells : pandas.DataFrame
        One row per programme × campus × intake: ``n``, ``treated`` and the
        true expected rates ``p{h}_dropout_total``, ``p{h}_dropout_noswitch``
        with the effect and ``..._cf`` without it (counterfactual), for each
        horizon ``h`` of :data:`HORIZONS`, as fractions.
    meta : dict
        What the JSON sidecar holds.
    """

    students: pd.DataFrame
    cells: pd.DataFrame
    meta: dict = field(default_factory=dict)


def _g_inverse(x: np.ndarray) -> np.ndarray:
    months, g = zip(*HAZARD_KNOTS, strict=True)
    return np.interp(x, g, months)


def _g(h: float) -> float:
    months, g = zip(*HAZARD_KNOTS, strict=True)
    return float(np.interp(h, months, g))


def _date_after(start: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Exit date ``t`` months (in ``(0, 12]``) after ``start``, consistent with the horizon rule."""
    t = np.maximum(t, 1e-9)
    k = np.ceil(t).astype(np.int64) - 1
    a = add_months(start, k)
    length = (add_months(start, k + 1) - a).astype(np.int64)
    return a + np.ceil((t - k) * length).astype(np.int64)


def _cells(rng: np.random.Generator, campuses: pd.DataFrame, rates: dict, scale: float,
           years: tuple[int, ...]) -> pd.DataFrame:
    camp = campuses.sort_values("campus", ignore_index=True)
    names = camp["campus"].to_list()
    u = dict(zip(names, rng.normal(0.0, SD_CAMPUS, len(names)), strict=True))
    weight = dict(zip(names, np.exp(rng.normal(0.0, SD_CAMPUS_SIZE, len(names))), strict=True))
    offers = offered_programmes(camp)
    rows = []
    for programme in PROGRAMMES:
        sites = [c for c in names if programme in offers[c]]
        if not sites:
            raise ValueError(f"no campus in the campus table offers {programme}")
        for year in years:
            months = INTAKE_MONTHS[programme]
            v = rng.normal(0.0, SD_INTAKE, len(months))
            keys = [(m, vi, c) for m, vi in zip(months, v, strict=True) for c in sites]
            w = np.array([weight[c] for _, _, c in keys])
            n_total = int(round(_rates_for(rates, programme, year)["n_cohort"] * scale))
            sizes = rng.multinomial(n_total, w / w.sum())
            for (m, vi, c), n in zip(keys, sizes, strict=True):
                rows.append({"programme": programme, "year": year, "intake": f"{year:04d}-{m:02d}",
                             "campus": c, "n": int(n), "re": u[c] + vi})
    return pd.DataFrame(rows)


def _calibrate(cells: pd.DataFrame, rates: dict) -> pd.DataFrame:
    """Per programme-year: other share, switch share, and q per cell with the exact size-weighted mean."""
    out = []
    for (programme, year), grp in cells.groupby(["programme", "year"], sort=False):
        r = _rates_for(rates, str(programme), int(year))  # type: ignore[call-overload]
        p_other = r["other"]
        p_drop = r["dropout_switch"] + r["dropout_noswitch"]
        target = p_drop / (1.0 - p_other)
        n, re = grp["n"].to_numpy(float), grp["re"].to_numpy()
        if target <= 0:
            q = np.zeros(len(grp))
        else:
            alpha = brentq(lambda a: np.dot(n, expit(a + re)) / n.sum() - target,  # noqa: B023 (solved at once)
                           -30.0, 30.0, xtol=1e-14)
            q = expit(alpha + re)
        out.append(grp.assign(p_other=p_other, q=q,
                              switch_share=r["dropout_switch"] / p_drop if p_drop > 0 else 0.0))
    return pd.concat(out).sort_index()


def _apply_effect(cells: pd.DataFrame, treated: np.ndarray, effect_pp: float) -> pd.DataFrame:
    cells = cells.copy()
    base = 1.0 - cells["p_other"].to_numpy()
    p_sw = base * cells["q"].to_numpy() * cells["switch_share"].to_numpy()
    p_ns = base * cells["q"].to_numpy() - p_sw
    p_ns_new = p_ns + np.where(treated, effect_pp / 100.0, 0.0)
    bad = treated & ((p_ns_new < 0) | (p_sw + p_ns_new >= base))
    if bad.any():
        lo = 100 * p_ns[treated].min()
        raise ValueError(f"an effect of {effect_pp:g} percentage points does not fit: the treated cells' 3-month "
                         f"probability of dropout without switch is as low as {lo:.1f} %, so the effect must stay "
                         f"between -{lo:.1f} and the headroom to 100 %")
    q_new = (p_sw + p_ns_new) / base
    cells["q_cf"] = cells["q"]
    cells["q"] = q_new
    cells["switch_share"] = np.divide(p_sw, p_sw + p_ns_new, out=np.zeros_like(p_sw), where=(p_sw + p_ns_new) > 0)
    cells["switch_share_cf"] = np.divide(p_sw, p_sw + p_ns, out=np.zeros_like(p_sw), where=(p_sw + p_ns) > 0)
    cells["treated"] = treated.astype(np.int64)
    for h in HORIZONS:
        for suffix, q, share in (("", cells["q"], cells["switch_share"]),
                                 ("_cf", cells["q_cf"], cells["switch_share_cf"])):
            p_drop = (1.0 - cells["p_other"]) * (1.0 - (1.0 - q) ** _g(h))
            cells[f"p{h}_dropout_total{suffix}"] = p_drop
            cells[f"p{h}_dropout_noswitch{suffix}"] = p_drop * (1.0 - share)
    return cells


def _draw_students(rng: np.random.Generator, cells: pd.DataFrame) -> pd.DataFrame:
    idx = np.repeat(np.arange(len(cells)), cells["n"].to_numpy())
    c = cells.iloc[idx].reset_index(drop=True)
    n = len(c)
    u_other, e, u_type, u_time = rng.random(n), rng.exponential(size=n), rng.random(n), rng.random(n)
    start = np.array([first_weekday(m) for m in cells["intake"]], dtype="datetime64[D]")[idx]
    other = u_other < c["p_other"].to_numpy()
    q = c["q"].to_numpy()
    h3 = -np.log1p(-q)
    with np.errstate(divide="ignore"):
        x = np.where(h3 > 0, e / np.where(h3 > 0, h3, 1.0), np.inf)
    drop = ~other & (x <= HAZARD_KNOTS[-1][1])
    t = np.where(other, 3.0 * (1.0 - u_time), _g_inverse(np.minimum(x, HAZARD_KNOTS[-1][1])))
    exits = other | drop
    exit_date = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    exit_date[exits] = _date_after(start[exits], t[exits])
    exit_type = np.full(n, "", dtype=object)
    exit_type[other] = "completed"
    switch = u_type < c["switch_share"].to_numpy()
    exit_type[drop & switch] = "switch"
    exit_type[drop & ~switch] = "left"
    frame = pd.DataFrame({
        "programme": c["programme"].to_numpy(), "campus": c["campus"].to_numpy(),
        "start_date": np.datetime_as_string(start), "exit_date": np.datetime_as_string(exit_date),
        "exit_type": exit_type,
    })
    frame.loc[~exits, "exit_date"] = ""
    frame = frame.sort_values(["start_date", "campus", "programme"], kind="stable", ignore_index=True)
    width = max(6, len(str(len(frame))))
    frame.insert(0, "student_id", [f"S{i:0{width}d}" for i in range(1, len(frame) + 1)])
    return frame[list(EXTRACT_COLUMNS)].astype("str")


def _true_effects(cells: pd.DataFrame) -> dict[str, dict[str, float]]:
    treated = cells[cells["treated"] == 1]
    out: dict[str, dict[str, float]] = {}
    for h in HORIZONS:
        out[str(h)] = {}
        for outcome in ("dropout_total", "dropout_noswitch"):
            diff = treated[f"p{h}_{outcome}"] - treated[f"p{h}_{outcome}_cf"]
            out[str(h)][outcome] = round(100 * float(np.average(diff, weights=treated["n"])), 4) \
                if treated["n"].sum() > 0 else 0.0
    return out


def _calibration(students: pd.DataFrame, rates: dict) -> list[dict]:
    """Realised 3-month rates per programme-year next to Table 1's (for the sidecar and README)."""
    status = status_at(pd.to_datetime(students["start_date"]).to_numpy(),
                       pd.to_datetime(students["exit_date"].replace("", None)).to_numpy(),
                       students["exit_type"].to_numpy(), 3)
    year = students["start_date"].str.slice(0, 4).astype(int).to_numpy()
    rows = []
    for programme in PROGRAMMES:
        for y in sorted(set(year)):
            sel = (students["programme"].to_numpy() == programme) & (year == y)
            r = _rates_for(rates, programme, int(y))
            row: dict[str, object] = {"programme": programme, "year": int(y), "n": int(sel.sum())}
            for s in ("dropout_switch", "dropout_noswitch", "other"):
                row[f"table1_{s}_pct"] = round(100 * r[s], 2)
                row[f"synthetic_{s}_pct"] = round(100 * float((status[sel] == s).mean()), 2) if sel.any() else None
            rows.append(row)
    return rows


def generate(seed: int, effect_pp: float = 0.0, *, campuses, table1: pd.DataFrame, scale: float = 1.0,
             years: tuple[int, ...] = YEARS,
             pilot_programmes: tuple[str, ...] = PILOT_PROGRAMMES) -> SyntheticCohorts:
    """Draw a synthetic student extract.

    Parameters
    ----------
    seed : int
        Seed of the random generator (``numpy.random.default_rng``).
    effect_pp : float
        True effect in percentage points on the 3-month probability of
        dropout without switch, for covered programmes at pilot campuses
        from their ``pilot_start`` (negative = reduction).
    campuses : pandas.DataFrame or path-like
        The campus table: campuses, what they offer, pilot flags.
    table1 : pandas.DataFrame
        The published table, cleaned (:func:`sosu_analysis.readers.published.clean_published`);
        see :func:`table1_rates`.
    scale : float
        Multiplies Table 1's cohort sizes (1 = the real school's size; larger
        for calibration checks).
    years : tuple of int
        Intake years (2022-2025 by default); a year after the last published
        one gets the rates and size of the last published year.
    pilot_programmes : tuple of str
        Programmes the effect applies to.

    Returns
    -------
    SyntheticCohorts
        The extract, the true cell probabilities and the metadata.

    Raises
    ------
    ValueError
        Bad ``scale`` or ``years``, a programme no campus offers, or an
        effect that does not fit the treated cells' probabilities.

    Notes
    -----
    See the module docstring for the model and its calibration.
    """
    campuses = as_campuses(campuses)
    if not (scale > 0 and np.isfinite(scale)):
        raise ValueError(f"scale must be a positive number, got {scale!r}")
    if not np.isfinite(effect_pp):
        raise ValueError(f"effect must be a finite number of percentage points, got {effect_pp!r}")
    if not years:
        raise ValueError("no intake years given")
    rates = table1_rates(table1)
    rng = np.random.default_rng(int(seed))
    cells = _calibrate(_cells(rng, campuses, rates, scale, tuple(years)), rates)
    _, treated = pilot_flags(cells["campus"], cells["programme"], cells["intake"], campuses, pilot_programmes)
    cells = _apply_effect(cells, treated.astype(bool), float(effect_pp))
    students = _draw_students(rng, cells)
    keep = ["programme", "campus", "intake", "year", "n", "treated"] + [
        c for c in cells.columns if c.startswith("p") and c[1:2].isdigit()]
    cells = cells[keep].reset_index(drop=True)
    treated_cells = cells[cells["treated"] == 1]
    meta = {
        "label": "SYNTHETIC",
        "warning": "Synthetic data: not real students. Calibrated to SOSU H's published Table 1 (seed 003); "
                   "campus, intake and effect structure are invented.",
        "generator": "sosu_analysis.students.synth",
        "generator_version": GENERATOR_VERSION,
        "seed": int(seed),
        "effect_pp": float(effect_pp),
        "effect_applies_to": "3-month probability of dropout without switch (afbrudt uden omvalg), "
                             f"programmes {', '.join(pilot_programmes)} at pilot campuses from their pilot_start",
        "scale": float(scale),
        "years": list(map(int, years)),
        "n_students": int(len(students)),
        "true_effect_pp": _true_effects(cells),
        "treated": {"n_students": int(treated_cells["n"].sum()),
                    "campuses": sorted(set(treated_cells["campus"])),
                    "intakes": sorted(set(treated_cells["intake"]))},
        "parameters": {"sd_campus_logit": SD_CAMPUS, "sd_intake_logit": SD_INTAKE,
                       "sd_campus_size_log": SD_CAMPUS_SIZE, "intake_months": INTAKE_MONTHS,
                       "cumulative_hazard_knots_months_relative": [list(k) for k in HAZARD_KNOTS]},
        "calibration_3m_pct": _calibration(students, rates),
    }
    return SyntheticCohorts(students=students, cells=cells, meta=meta)


def default_name(seed: int, effect_pp: float) -> str:
    """``students_synthetic_seed<N>_effect<PP>.csv``, the name of a shipped draw."""
    return f"students_synthetic_seed{int(seed)}_effect{effect_pp:g}.csv"


def write_synthetic(out: str | os.PathLike, cohorts: SyntheticCohorts, *,
                    inputs: dict[str, str | os.PathLike] | None = None, command: str | None = None) -> Path:
    """Write the extract (pure CSV) and its JSON sidecar, both atomically.

    Parameters
    ----------
    out : path-like
        Destination ``.csv``; its name must contain ``synthetic`` so that a
        synthetic file is never taken for a real extract.
    cohorts : SyntheticCohorts
        From :func:`generate`.
    inputs : dict, optional
        Input files used (e.g. ``{"campuses": path, "published_table": path}``);
        their names and SHA-256 go into the sidecar.
    command : str, optional
        The command that made the file, for the sidecar.

    Returns
    -------
    pathlib.Path
        The sidecar's path.

    Raises
    ------
    ValueError
        The name lacks ``synthetic`` or does not end in ``.csv``.
    """
    out = Path(out)
    if "synthetic" not in out.name.lower():
        raise ValueError(f"the output name must contain 'synthetic' (got '{out.name}'), e.g. "
                         f"{default_name(cohorts.meta.get('seed', 0), cohorts.meta.get('effect_pp', 0.0))}")
    if out.suffix.lower() != ".csv":
        raise ValueError(f"the output must be a .csv file, got '{out.name}'")
    meta = dict(cohorts.meta)
    meta["file"] = out.name
    if inputs:
        meta["inputs"] = {k: {"file": Path(v).name, "sha256": hashlib.sha256(Path(v).read_bytes()).hexdigest()}
                          for k, v in inputs.items()}
    if command is not None:
        meta["command"] = command
    write_csv(out, cohorts.students)
    side = sidecar_path(out)
    write_text(side, json.dumps(meta, indent=2, ensure_ascii=False, sort_keys=False) + "\n")
    return side
