r"""SYNTHETIC national campus x intake-year panels of SSA dropout, and the coverage of the designs on them.

Everything this module draws is synthetic: a panel carries ``attrs["synthetic"] = True`` and a
``synthetic`` column, and is never a finding about the school. It lets the project compare the
two ways of evaluating the pilot on the same simulated data:

* the **in-school comparison**: SOSU H's four pilot campuses against its own other SSA campuses,
  the student-weighted two-way fixed-effects DiD with the CR2 interval
  (:func:`~sosu_analysis.did.estimate.estimate_cells`, ``lpm``, ``cr2``);
* the **national design**: the four pilot campuses against the SSA campuses of every other SOSU
  school (and SOSU H's non-pilot campuses), synthetic DiD with the placebo standard error
  (:func:`~sosu_analysis.did.sdid.synthetic_did`), or the plain DiD on the same panel.

Notes
-----
Data-generating model for the 3-month dropout rate of campus ``c`` of school ``s`` in intake
year ``t`` (proportions):

.. math::

    p_{ct} = \mathrm{clip}\big(\bar p + a_s + b_c + g_t + h_{st} + u_{ct} + \tau D_{ct},\ 0.001,\ 0.999\big),
    \qquad y_{ct} \sim \mathrm{Binomial}(n_{ct}, p_{ct}),

with school levels :math:`a_s \sim N(0, \sigma_s^2)`, campus levels
:math:`b_c \sim N(0, \sigma_c^2)`, national year shocks :math:`g_t \sim N(0, \sigma_g^2)`,
school-by-year shocks :math:`h_{st} \sim N(0, \sigma_h^2)` (common to a school's campuses, so
they cancel in the in-school comparison but not against donors from other schools) and
campus-by-year shocks :math:`u_{ct} \sim N(0, \sigma_u^2)` beyond the binomial noise. Intake
sizes :math:`n_{ct}` vary around each campus' mean size by a factor :math:`e^{N(0, 0.1^2)}`.
:math:`D_{ct} = 1` for a pilot campus from the first post year. The effect :math:`\tau` is the
same at every treated campus, so the student-weighted and the campus-averaged effect are both
:math:`\tau`.

Calibration (:func:`national_design`): baseline 16 % (SOSU H's SSA 3-month dropout was 14,4 %,
15,9 % and 17,4 % in 2022-2024, Table 1 of the school's analysis; the national strategy says
18 % for SSA and SSH together); SOSU H's six SSA campuses share its yearly intake of about 1 100
students (about 180 each); other schools' campuses take 50-300 students a year (log-uniform).
The shock SDs (school 2, campus 1,5, year 1, school-year 1, campus-year 1 percentage points) are
assumptions of a plausible order, not estimates; :class:`CampusPanelDesign` takes others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import NotEstimable
from .data import TARGET_PROGRAMME, Cells
from .estimate import InferenceOptions, estimate_cells
from .power import mde_from_se
from .results import normal_interval, normal_p_value
from .sdid import SDID_ESTIMATORS, SdidEstimator, fit_batch, panel_matrix

#: the school whose campuses are piloted (label in the simulated panel)
PILOT_SCHOOL = "SOSU H"
#: roles of the campuses in the simulated panel
ROLES = ("pilot", "school_other", "donor")


@dataclass(frozen=True)
class CampusPanelDesign:
    """A national SSA campus panel to simulate (SYNTHETIC).

    Attributes
    ----------
    campuses : DataFrame
        One row per campus: ``campus``, ``school``, ``role`` (one of :data:`ROLES`: a SOSU H pilot
        campus, another SOSU H campus, a campus of another school) and ``mean_intake``.
    n_pre, n_post : int
        Intake years before and from the pilot start.
    first_year : int
        Label of the first intake year.
    baseline : float
        Mean dropout rate (proportion).
    school_sd, campus_sd, year_sd, school_year_sd, campus_year_sd : float
        SDs of the level and shock terms of the module's model (proportions).
    size_sd : float
        SD of the log of the year-to-year variation of a campus' intake.
    """

    campuses: pd.DataFrame
    n_pre: int = 8
    n_post: int = 1
    first_year: int = 2017
    baseline: float = 0.16
    school_sd: float = 0.02
    campus_sd: float = 0.015
    year_sd: float = 0.01
    school_year_sd: float = 0.01
    campus_year_sd: float = 0.01
    size_sd: float = 0.1

    def __post_init__(self) -> None:
        need = {"campus", "school", "role", "mean_intake"}
        if not need <= set(self.campuses.columns):
            raise ValueError(f"campuses needs columns {sorted(need)}, has {list(self.campuses.columns)}")
        bad = set(self.campuses["role"]) - set(ROLES)
        if bad:
            raise ValueError(f"unknown campus role {sorted(bad)}; valid: {', '.join(ROLES)}")
        if self.campuses["campus"].duplicated().any():
            raise ValueError("campus labels must be unique")
        if self.n_pre < 2 or self.n_post < 1:
            raise ValueError(f"need n_pre >= 2 and n_post >= 1, got {self.n_pre} and {self.n_post}")
        if not 0 < self.baseline < 1:
            raise ValueError(f"baseline must be a proportion, got {self.baseline!r}")

    @property
    def years(self) -> list[int]:
        """Intake years, in order."""
        return list(range(self.first_year, self.first_year + self.n_pre + self.n_post))

    @property
    def start_year(self) -> int:
        """First treated intake year."""
        return self.first_year + self.n_pre

    def count(self, role: str) -> int:
        """Return the number of campuses with ``role``."""
        return int((self.campuses["role"] == role).sum())


def national_design(n_donors: int = 40, n_pilot: int = 4, n_school_other: int = 2, n_pre: int = 8,
                    n_post: int = 1, school_intake: float = 1100.0, donor_intake: tuple[float, float] = (50, 300),
                    campuses_per_school: tuple[int, int] = (1, 4), seed: int = 2025, **shocks) -> CampusPanelDesign:
    """Build the calibrated national design (module Notes): SOSU H's pilot and other campuses, other schools' donors.

    Parameters
    ----------
    n_donors : int
        SSA campuses of other SOSU schools.
    n_pilot, n_school_other : int
        SOSU H's pilot campuses and its other SSA campuses (the in-school comparison).
    n_pre, n_post : int
    school_intake : float
        SOSU H's yearly SSA intake, shared equally by its campuses.
    donor_intake : (float, float)
        Range of a donor campus' mean yearly intake (log-uniform).
    campuses_per_school : (int, int)
        Range of the number of SSA campuses of another school (uniform); the last school may get fewer.
    seed : int
        Seed of the campus sizes and of the grouping of donors into schools (fixed per design).
    **shocks
        Other fields of :class:`CampusPanelDesign` (``baseline``, ``school_year_sd``, ...).
    """
    if n_donors < 1 or n_pilot < 1 or n_school_other < 0:
        raise ValueError("need at least one donor and one pilot campus")
    rng = np.random.default_rng(seed)
    own = n_pilot + n_school_other
    rows = [{"campus": f"H{i + 1}", "school": PILOT_SCHOOL, "role": "pilot" if i < n_pilot else "school_other",
             "mean_intake": school_intake / own} for i in range(own)]
    k, school = 0, 0
    lo, hi = np.log(donor_intake[0]), np.log(donor_intake[1])
    while k < n_donors:
        school += 1
        m = min(int(rng.integers(campuses_per_school[0], campuses_per_school[1] + 1)), n_donors - k)
        for _ in range(m):
            k += 1
            rows.append({"campus": f"D{k:02d}", "school": f"school{school:02d}", "role": "donor",
                         "mean_intake": float(np.exp(rng.uniform(lo, hi)))})
    return CampusPanelDesign(pd.DataFrame(rows), n_pre=n_pre, n_post=n_post, **shocks)


def simulate_campus_panel(design: CampusPanelDesign, effect: float, rng: np.random.Generator) -> pd.DataFrame:
    """Draw one SYNTHETIC campus x year panel (module Notes).

    Parameters
    ----------
    design : CampusPanelDesign
    effect : float
        True effect on the dropout rate of the pilot campuses from the start year (proportion;
        -0.05 = 5 percentage points fewer dropouts).
    rng : numpy.random.Generator

    Returns
    -------
    DataFrame
        One row per campus x year: ``campus, school, role, year, n, dropouts, rate, treated``
        (0/1), ``pilot`` (bool), ``synthetic`` (True); ``attrs["synthetic"] = True``.
    """
    c = design.campuses.reset_index(drop=True)
    years = np.array(design.years)
    n_c, n_t = len(c), len(years)
    schools, s_idx = np.unique(c["school"].to_numpy(), return_inverse=True)
    level = (rng.normal(0, design.school_sd, len(schools))[s_idx] + rng.normal(0, design.campus_sd, n_c))
    g = rng.normal(0, design.year_sd, n_t)
    h = rng.normal(0, design.school_year_sd, (len(schools), n_t))[s_idx]
    u = rng.normal(0, design.campus_year_sd, (n_c, n_t))
    pilot = (c["role"] == "pilot").to_numpy()
    D = pilot[:, None] & (years[None, :] >= design.start_year)
    p = np.clip(design.baseline + level[:, None] + g[None, :] + h + u + effect * D, 0.001, 0.999)
    n = np.maximum(1, np.round(c["mean_intake"].to_numpy(float)[:, None]
                               * np.exp(rng.normal(0, design.size_sd, (n_c, n_t))))).astype(int)
    y = rng.binomial(n, p)
    out = pd.DataFrame({
        "campus": np.repeat(c["campus"].to_numpy(), n_t), "school": np.repeat(c["school"].to_numpy(), n_t),
        "role": np.repeat(c["role"].to_numpy(), n_t), "year": np.tile(years, n_c), "n": n.ravel(),
        "dropouts": y.ravel(), "rate": (y / n).ravel(), "treated": D.ravel().astype(int),
        "pilot": np.repeat(pilot, n_t), "synthetic": True})
    out.attrs["synthetic"] = True
    return out


def in_school_cells(panel: pd.DataFrame) -> Cells:
    """SOSU H's campuses of a simulated panel as :class:`~sosu_analysis.did.data.Cells` (for the CR2 DiD).

    Both outcome definitions get the same counts (the simulation has one dropout measure).
    """
    tab = panel[panel["school"] == PILOT_SCHOOL]
    years = tuple(sorted(tab["year"].unique()))
    idx = {y: i for i, y in enumerate(years)}
    table = pd.DataFrame({
        "programme": TARGET_PROGRAMME, "campus": tab["campus"].to_numpy(), "intake": tab["year"].to_numpy(),
        "intake_idx": tab["year"].map(idx).to_numpy(), "n": tab["n"].to_numpy(),
        "y_incl_switch": tab["dropouts"].to_numpy(), "y_excl_switch": tab["dropouts"].to_numpy(),
        "treated": tab["treated"].to_numpy(), "pilot": tab["pilot"].to_numpy()})
    treated = table[table["treated"] == 1]
    start = {cmp: int(g["intake_idx"].min()) for cmp, g in treated.groupby("campus")}
    return Cells(table.reset_index(drop=True), years, tuple(sorted(table["campus"].unique())), start, False)


def national_panel(panel: pd.DataFrame) -> pd.DataFrame:
    """Pilot campuses and every donor (other schools' and SOSU H's other campuses): the SDID panel."""
    return panel[["campus", "year", "rate", "treated"]].reset_index(drop=True)


def _score(design_name: str, method: str, rec: np.ndarray, truth: float, alpha: float, failed: int,
           n_units: int) -> dict:
    """One row of :func:`design_coverage` from ``rec`` = columns estimate, ci_low, ci_high, p-value, se, df."""
    est, lo, hi, p, se, df = rec.T
    ok = np.isfinite(lo) & np.isfinite(hi)
    cov = float(np.mean((lo[ok] <= truth) & (truth <= hi[ok]))) if ok.any() else np.nan
    n = int(ok.sum())
    return {"design": design_name, "method": method, "true_effect_pp": 100 * truth,
            "bias_pp": 100 * (np.mean(est) - truth), "rmse_pp": 100 * np.sqrt(np.mean((est - truth) ** 2)),
            "coverage": cov, "mc_se_coverage": np.sqrt(cov * (1 - cov) / n) if n else np.nan,
            "rejection_rate": float(np.mean(p[ok] <= alpha)) if n else np.nan,
            "mean_ci_width_pp": 100 * float(np.mean(hi[ok] - lo[ok])) if n else np.nan,
            "median_ci_width_pp": 100 * float(np.median(hi[ok] - lo[ok])) if n else np.nan,
            "mean_se_pp": 100 * float(np.mean(se[ok])) if n else np.nan,
            "median_df": float(np.median(df[ok])) if n else np.nan,
            "mde80_pp": 100 * mde_from_se(float(np.mean(se[ok])), float(np.median(df[ok])), alpha) if n else np.nan,
            "n_reps": n, "n_failed": failed, "n_comparison_units": n_units}


def design_coverage(design: CampusPanelDesign, effect: float, n_reps: int = 200, placebo_reps: int = 50,
                    estimators: Sequence[SdidEstimator] = ("sdid", "did"), alpha: float = 0.05, seed: int = 0,
                    chunk: int = 20) -> pd.DataFrame:
    """Coverage, width, size or power of the in-school CR2 DiD and the national estimators on the same draws.

    Parameters
    ----------
    design : CampusPanelDesign
    effect : float
        True effect (proportion, e.g. -0.05).
    n_reps : int
        Simulated panels.
    placebo_reps : int
        Placebo replications of each national standard error.
    estimators : sequence of {"sdid", "sc", "did"}
        National estimators to score (each with the placebo SE).
    alpha : float
    seed : int
        Seed of the panels; panel ``r``'s placebo draws use seed ``seed + r``, so each national
        row is what :func:`~sosu_analysis.did.sdid.synthetic_did` gives on that panel.
    chunk : int
        Panels estimated at once (:func:`~sosu_analysis.did.sdid.fit_batch`; memory grows with it).

    Returns
    -------
    DataFrame
        One row per design x method: ``design`` (``in_school`` / ``national``), ``method``
        (``cr2`` or the estimator), ``true_effect_pp``, ``bias_pp``, ``rmse_pp``, ``coverage``,
        ``mc_se_coverage``, ``rejection_rate`` (share with ``p <= alpha``: the size at effect 0,
        the power otherwise), ``mean_ci_width_pp``, ``median_ci_width_pp``, ``mean_se_pp``,
        ``median_df`` (CR2: Satterthwaite; national: ``inf``, the normal reference), ``mde80_pp``
        (:func:`~sosu_analysis.did.power.mde_from_se` at the mean SE and median df: the effect
        the design detects with 80 % power), ``n_reps``, ``n_failed``, ``n_comparison_units``.
    """
    for e in estimators:
        if e not in SDID_ESTIMATORS:
            raise ValueError(f"unknown estimator {e!r}; valid: {', '.join(SDID_ESTIMATORS)}")
    rng = np.random.default_rng(seed)
    opts = InferenceOptions(alpha=alpha, seed=seed)
    cr2: list[tuple[float, ...]] = []
    failed = 0
    mats = []
    for _ in range(n_reps):
        panel = simulate_campus_panel(design, effect, rng)
        try:
            t = estimate_cells(in_school_cells(panel), "incl_switch", "lpm", ("cr2",), opts).tests["cr2"]
            cr2.append((t.estimate, t.ci_low, t.ci_high, t.p_value, t.se, t.df))
        except NotEstimable:
            failed += 1
        mats.append(panel_matrix(national_panel(panel), "campus", "year", "rate", "treated"))
    n0, t0 = mats[0].n0, mats[0].t0
    Y = np.stack([mt.Y for mt in mats])
    rows = [_score("in_school", "cr2", np.array(cr2, float).reshape(-1, 6), effect, alpha, failed,
                   design.count("school_other"))]
    for e in estimators:
        est, se = np.empty(n_reps), np.empty(n_reps)
        for a in range(0, n_reps, chunk):
            z = min(a + chunk, n_reps)
            bf = fit_batch(Y[a:z], n0, t0, e, placebo_reps, [seed + r for r in range(a, z)])
            est[a:z], se[a:z] = bf.estimate, bf.se
        lo, hi = normal_interval(est, se, alpha)
        rec = np.column_stack([est, lo, hi, normal_p_value(est, se), se, np.full(n_reps, np.inf)])
        rows.append(_score("national", e, rec, effect, alpha, 0, n0))
    return pd.DataFrame(rows)
