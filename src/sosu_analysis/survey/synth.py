r"""A SYNTHETIC survey in the long layout, calibrated to seed 003's numbers.

Notes
-----
Respondents are drawn from the SSA intakes of the shipped synthetic student
extract (its campuses and intake sizes, so response rates can be computed).
For campus ``g`` and intake ``t`` surveyed in wave ``w`` the number of
respondents is ``Binomial(n_gt, rho_gw)`` with response rate
``rho_gw = expit(logit(0.6) + a_g + b_gw)``, ``a_g ~ N(0, 0.5^2)``,
``b_gw ~ N(0, 0.3^2)``, and one comparison campus is given a low rate
(``logit(0.3)``) to show the warning.

Answers follow a cumulative-logit model per item ``j``:

.. math::

    P(s_{ij} \ge k) = \operatorname{expit}(\alpha_{jk} + \eta_i), \quad
    \eta_i = u_g + v_{gt} + r_i + \delta_j D_i - \lambda (d_{gt} - \bar d),

with ``u_g ~ N(0, 0.15^2)`` (campus), ``v_gt ~ N(0, 0.1^2)`` (intake),
``r_i ~ N(0, 0.8^2)`` (respondent, shared by the items: items of an index
correlate), ``D_i`` = 1 for respondents of pilot campuses from the pilot
start (effect ``delta_j`` = ``effect`` on the logit scale for the items on
preparation and coherence, a third of it for the others), and ``d_gt`` the
3-month dropout of the campus × intake in the extract (``lambda`` = 2, so
better-prepared intakes drop out less: an association to find, not a law).
The cut points ``alpha_jk`` are set so that, at ``eta = 0``, the share
agreeing (``s >= 4``) is the target of :data:`TARGETS` (the SSA share "well
prepared" of about 50 %, between SPU's 49 % and 52 %; ETU-like oplæring
scores of about 60-75 on the 0-100 scale) with fixed shares of the other
categories. ``s`` is the positive-direction answer; reverse-coded items are
written as ``6 - s``. About 3 % of answers are left blank.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from ..students.campuses import as_campuses
from ..students.extract import derive_columns, read_extract
from .reader import SURVEY_COLUMNS

GENERATOR_VERSION = 1
#: share agreeing (4-5, positive direction) at eta = 0, per item of the shipped item table
TARGETS = {"oplaering_laerer": 0.75, "oplaering_glad": 0.70, "oplaering_forberedt": 0.50, "klaedt_paa": 0.50,
           "mening": 0.60, "sammenhaeng": 0.55, "passer_ikke": 0.60}
#: items whose effect is ``effect`` (the others get a third of it)
TARGETED = ("oplaering_forberedt", "klaedt_paa", "mening", "sammenhaeng", "passer_ikke")
#: intakes surveyed in each wave (SSA intake months of the extract)
WAVES = {"efter oplæring 1a": ("2024-08", "2024-10", "2025-04", "2025-06", "2025-08"),
         "efter oplæring 1b": ("2024-08", "2024-10", "2025-04")}
LOW_RESPONSE_CAMPUS_RATE = 0.3


def _cutpoints(p_agree: float) -> np.ndarray:
    """Logit cut points for P(s >= 2..5) with P(s >= 4) = ``p_agree``.

    The other categories: P(s >= 5) = 0.4 p_agree, P(s >= 3) = p_agree + 0.6 (1 - p_agree),
    P(s >= 2) = p_agree + 0.9 (1 - p_agree).
    """
    q = 1 - p_agree
    return logit(np.array([p_agree + 0.9 * q, p_agree + 0.6 * q, p_agree, 0.4 * p_agree]))


def generate_survey(extract_file: str | os.PathLike, campuses: pd.DataFrame | str | os.PathLike,
                    seed: int, effect: float = 0.3, items: tuple[str, ...] = tuple(TARGETS),
                    programme: str = "SSA") -> tuple[pd.DataFrame, dict]:
    """Draw a synthetic survey (see module Notes).

    Parameters
    ----------
    extract_file : path-like
        A (synthetic) student extract; its campus × intake sizes of
        ``programme`` are the populations the respondents come from.
    campuses : pandas.DataFrame or path-like
        The campus table (pilot flags and starts).
    seed : int
        Random seed; the same arguments give the same rows.
    effect : float
        Effect of the interventions on the logit scale of the targeted items.
    items : tuple of str
        Items asked (ids of :data:`TARGETS`).
    programme : str
        Programme surveyed.

    Returns
    -------
    survey : pandas.DataFrame
        The long layout (:data:`~sosu_analysis.survey.reader.SURVEY_COLUMNS`),
        answers as text (``""`` = not answered).
    meta : dict
        Label ``SYNTHETIC``, seed, parameters and targets.
    """
    camp = as_campuses(campuses)
    assert camp is not None
    rng = np.random.default_rng(seed)
    students = derive_columns(read_extract(extract_file, camp), camp, horizon_months=3)
    ssa = students[students["programme"] == programme]
    cells = ssa.groupby(["campus", "intake"]).agg(n=("student_id", "size"), dropout=("dropout_total", "mean"))
    cells = cells.reset_index()
    starts = {c: s for c, p, s in zip(camp["campus"], camp["pilot"], camp["pilot_start"], strict=True) if p}
    all_campuses = sorted(cells["campus"].unique())
    comparison = [c for c in all_campuses if c not in starts]
    low = comparison[-1] if comparison else None
    u = dict(zip(all_campuses, rng.normal(0, 0.15, len(all_campuses)), strict=True))
    a = dict(zip(all_campuses, rng.normal(0, 0.5, len(all_campuses)), strict=True))
    mean_drop = float(cells["dropout"].mean())
    cuts = {j: _cutpoints(TARGETS[j]) for j in items}
    reverse = {"passer_ikke"}
    interventions = {"Skelbækgade": "2a;3", "Brøndby": "2b;3", "Herlev": "1b;3", "Munkeengen": "1a;2b;3"}
    rows: list[tuple] = []
    person_effect: dict[tuple[str, str, int], float] = {}
    intake_effect: dict[tuple[str, str], float] = {}
    for wave, intakes in WAVES.items():
        sel = cells[cells["intake"].isin(intakes)]
        for campus, intake, n_, drop_ in zip(sel["campus"].astype(str), sel["intake"].astype(str),
                                             sel["n"].to_numpy(int), sel["dropout"].to_numpy(float), strict=True):
            n, drop = int(n_), float(drop_)
            base = logit(LOW_RESPONSE_CAMPUS_RATE) if campus == low else logit(0.6) + a[campus]
            rate = float(expit(base + rng.normal(0, 0.3)))
            chosen = np.sort(rng.choice(n, size=int(rng.binomial(n, rate)), replace=False))
            v = intake_effect.setdefault((campus, intake), float(rng.normal(0, 0.1)))
            treated = campus in starts and intake >= starts[campus]
            iv = interventions.get(campus, "") if treated else ""
            for idx in chosen:
                r = person_effect.setdefault((campus, intake, int(idx)), float(rng.normal(0, 0.8)))
                rid = f"R{all_campuses.index(campus) + 1:02d}{intake.replace('-', '')}{int(idx) + 1:04d}"
                for j in items:
                    delta = (effect if j in TARGETED else effect / 3) if treated else 0.0
                    eta = u[campus] + v + r + delta - 2.0 * (drop - mean_drop)
                    s = 1 + int(np.sum(rng.random() < expit(cuts[j] + eta)))
                    answer = "" if rng.random() < 0.03 else str(6 - s if j in reverse else s)
                    rows.append((rid, programme, campus, intake, wave, iv, j, answer))
    survey = pd.DataFrame(rows, columns=list(SURVEY_COLUMNS))
    meta = {"label": "SYNTHETIC", "what": "synthetic survey (long layout), SYNTETISKE DATA", "seed": int(seed),
            "effect_logit": float(effect), "generator": "sosu_analysis.survey.synth",
            "generator_version": GENERATOR_VERSION, "programme": programme, "targets_share_agree": TARGETS,
            "waves": {w: list(i) for w, i in WAVES.items()}, "low_response_campus": low,
            "extract": Path(extract_file).name, "n_rows": len(survey),
            "n_respondents": int(survey["respondent_id"].nunique())}
    return survey, meta


def default_survey_name(seed: int, effect: float) -> str:
    """File name of a synthetic survey: ``survey_synthetic_seed<seed>_effect<effect>.csv``."""
    return f"survey_synthetic_seed{seed}_effect{effect:g}.csv"


def write_survey(path: str | os.PathLike, survey: pd.DataFrame, meta: dict, command: str = "") -> Path:
    """Write the survey CSV and its JSON sidecar (``label: SYNTHETIC``); the name must contain 'synthetic'."""
    path = Path(path)
    if "synthetic" not in path.name.lower():
        raise ValueError(f"the file name must contain 'synthetic' (got {path.name})")
    from ..atomic import csv_text, write_text

    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, csv_text(survey))
    side = path.with_suffix(".json")
    write_text(side, json.dumps({**meta, "command": command}, ensure_ascii=False, indent=2) + "\n")
    return side
