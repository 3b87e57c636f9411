"""SYNTHETIC stand-ins for the national answer and the wellbeing survey, until real ones are fetched.

Both are made from public facts only, by a seeded draw, and say SYNTHETIC in
their file names, their sidecars and every school or row label:

- **national answer**: SOSU H's rows are Table 1 of seed 003 exactly (as the
  service would return them: suppressed cells left out); the other schools,
  named *Syntetisk skole 01* ... (not real schools), get intake sizes drawn from
  ranges and dropout drawn around the national level of seed 000 (18 % for SSA
  and SSH, afbrudt totalt) with school-to-school variation on the logit scale;
  cells below 3 are left out, as the service does;
- **ETU**: SOSU H's indicators and the three oplæring questions of seed 003 §2 by
  programme and year, scores drawn so that SSA lies between PAU and SSH on the
  indicators and below both on two oplæring questions (seed 003's reading of its
  Figures 2 and 3, which give no numbers); one cell has 4 respondents to show
  that the reader blanks it.

- **campus-level answer** (issue 18): every school *by campus (afdeling)* and start year
  2017-2025, SSA, SSH and PAU, for the synthetic comparison of SOSU H's pilot campuses
  against the other schools' campuses (:mod:`sosu_analysis.national.campus`); see
  :func:`campus_answer` for how it is drawn.

Same seed, same bytes: ``python -m sosu_analysis.national.synthetic`` rewrites the
shipped files (``--campus`` the campus-level answer), and a test checks they are unchanged.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from .. import atomic
from ..danish import count, format_tenths, round_half_up_tenths
from ..paths import project_root, resolve
from ..readers.published import STATUSES, clean_published
from .convert import CREDIT, ETU_COLUMNS
from .query import load_query

SEED = 20251123
NATIONAL_QUERY = "config/queries/eud_hovedforloeb_status_3mdr_sosu_skoler.yaml"
PUBLISHED = "data/raw/uddannelsesstatistik_sosuh_hovedforloeb_3mdr_2022-2024.csv"
NATIONAL_FILE = "data/raw/national/sosu_skoler_hovedforloeb_3mdr_2022-2024_synthetic_seed{seed}.answer.json"
ETU_FILE = "data/raw/national/etu_sosuh_hovedforloeb_2022-2024_synthetic_seed{seed}.csv"
SCHOOL = "SOSU H"
N_OTHER_SCHOOLS = 17
#: national level of seed 000 ("18 % now", main course, SSA and SSH); PAU assumed lower (no national figure)
NATIONAL_LEVEL = {"SSA": 0.18, "SSH": 0.18, "PAU": 0.06}
#: share of dropouts that are switches (SOSU H 2022-2024: SSA 17 %, SSH 22 %)
SWITCH_SHARE = 0.2
INTAKE_RANGE = {"SSA": (120, 650), "SSH": (80, 500), "PAU": (40, 260)}
SCHOOL_SD = 0.25  # school effect on the logit scale
YEAR_SD = 0.08  # year-to-year variation on the logit scale
PROGRAMME_NAMES = {"PAU": "Pædagogisk assistent", "SSA": "Social- og sundhedsassistent",
                   "SSH": "Social- og sundhedshjælper"}
DIM_INST, DIM_PROG, DIM_YEAR, DIM_STATUS = ("[Institution].[Institution].[Institution]",
                                            "[Uddannelse].[Uddannelse].[Uddannelse]",
                                            "[Startår].[Startår].[Startår]", "[Status].[Status].[Status]")
SUPPRESS_BELOW = 3


def _rows_for(institution: str, programme: str, year: int, counts: dict[str, int], n: int) -> list[dict]:
    rows = []
    for key, label in STATUSES:
        c = counts[key]
        if c < SUPPRESS_BELOW:
            continue  # discretion: the service leaves the row out
        rows.append({DIM_INST: institution, DIM_PROG: PROGRAMME_NAMES[programme], DIM_YEAR: str(year),
                     DIM_STATUS: label, "Andel": format_tenths(round_half_up_tenths(c, n)), "Antal": count(c)})
    return rows


def national_answer(seed: int = SEED, root: Path | None = None) -> list[dict]:
    """Draw the SYNTHETIC national answer (row objects as the service would send them)."""
    root = root or project_root()
    rng = np.random.default_rng(seed)
    table1 = clean_published(resolve(PUBLISHED, root), PUBLISHED)
    rows: list[dict] = []
    years = sorted(int(y) for y in table1["year"].unique())
    for _, r in table1.iterrows():  # SOSU H: the published numbers, published cells only
        counts = {k: int(r[f"n_{k}"]) for k, _ in STATUSES}
        published_rows = _rows_for(SCHOOL, str(r["programme"]), int(r["year"]), counts, int(r["n_cohort"]))
        derived = str(r["derived_cells"]).split(";")
        rows += [x for x in published_rows
                 if not any(x[DIM_STATUS] == label and f"n_{k}" in derived for k, label in STATUSES)]
    logit = {p: np.log(v / (1 - v)) for p, v in NATIONAL_LEVEL.items()}
    for s in range(1, N_OTHER_SCHOOLS + 1):
        name = f"Syntetisk skole {s:02d}"
        school_effect = rng.normal(0, SCHOOL_SD)
        size = rng.uniform(0.5, 1.0)
        for programme in ("PAU", "SSA", "SSH"):
            lo, hi = INTAKE_RANGE[programme]
            base_n = lo + size * (hi - lo)
            for year in years:
                n = int(max(lo * 0.5, rng.normal(base_n, 0.08 * base_n)))
                p_drop = 1 / (1 + np.exp(-(logit[programme] + school_effect + rng.normal(0, YEAR_SD))))
                probs = [1 - p_drop - 0.003, SWITCH_SHARE * p_drop, (1 - SWITCH_SHARE) * p_drop, 0.003]
                in_prog, switch, noswitch, other = (int(x) for x in rng.multinomial(n, probs))
                counts = {"in_progress": in_prog, "dropout_switch": switch, "dropout_noswitch": noswitch,
                          "dropout_total": switch + noswitch}
                del other  # students in a status the table does not show: only in the intake
                rows += _rows_for(name, programme, year, counts, n)
    return rows


def national_sidecar(seed: int, rows: list[dict], root: Path | None = None) -> dict:
    """Build the sidecar of the synthetic answer: SYNTHETIC, how it was made, the query it stands in for."""
    query = load_query(resolve(NATIONAL_QUERY, root or project_root()), NATIONAL_QUERY)
    return {
        "description": "SYNTHETIC answer in the shape of uddannelsesstatistik.dk's statistics API (documentation "
                       "only): SOSU H = Table 1 of seed 003 as published; the other schools are drawn, not real.",
        "synthetic": True,
        "credit": CREDIT + " (kun SOSU H's tal; de andre skoler er SYNTETISKE)",
        "retrieved": "",
        "generated_by": f"python -m sosu_analysis.national.synthetic --seed {seed}",
        "seed": seed,
        "calibration": {"national_level_dropout_total": NATIONAL_LEVEL, "switch_share": SWITCH_SHARE,
                        "school_sd_logit": SCHOOL_SD, "year_sd_logit": YEAR_SD, "other_schools": N_OTHER_SCHOOLS,
                        "source": "seed 000 (18 % now, SSA and SSH); PAU level assumed"},
        "query_file": NATIONAL_QUERY,
        "query_sha256": query.sha256(),
        "query": query.as_dict(),
        "unverified": query.unverified,
        "rows": len(rows),
    }


#: ETU indicators (names UNVERIFIED placeholders) and the three oplæring questions of seed 003 §2
ETU_INDICATORS = ("Social trivsel", "Faglig individuel trivsel", "Læringsmiljø", "Pres og bekymringer",
                  "Motivation")
OPLAERING_QUESTIONS = ("Jeg lærer noget i oplæringen", "Jeg er glad for at være i oplæring",
                       "Jeg var godt forberedt til at komme i oplæring")


def etu_table(seed: int = SEED, root: Path | None = None) -> pd.DataFrame:
    """Draw the SYNTHETIC ETU file (layout of :data:`~sosu_analysis.national.convert.ETU_COLUMNS`)."""
    root = root or project_root()
    rng = np.random.default_rng(seed + 1)
    table1 = clean_published(resolve(PUBLISHED, root), PUBLISHED)
    base = {"PAU": 78.0, "SSA": 74.0, "SSH": 70.0}  # SSA between PAU and SSH (seed 003, Figure 2)
    oplaering = {"PAU": 80.0, "SSA": 71.0, "SSH": 77.0}  # SSA lowest on two questions (seed 003, Figure 3)
    rows = []
    for _, r in table1.iterrows():
        prog, year, n = str(r["programme"]), int(r["year"]), int(r["n_cohort"])
        respondents = int(n * rng.uniform(0.35, 0.55))
        # SSA's oplæring scores fall as its dropout rises (a built-in association to find, not a finding)
        drift = -1.5 * (year - 2022) if prog == "SSA" else rng.normal(0, 1.0)
        for item in ETU_INDICATORS:
            score = base[prog] + rng.normal(0, 2.0) - (12 if item == "Pres og bekymringer" else 0)
            rows.append((SCHOOL + " (SYNTETISK)", PROGRAMME_NAMES[prog], year, "Indikator", item, score,
                         int(respondents * rng.uniform(0.9, 1.0))))
        for q_i, item in enumerate(OPLAERING_QUESTIONS):
            shift = 8.0 if (prog == "SSA" and q_i == 1) else 0.0  # on one question SSA is not lowest
            score = oplaering[prog] + shift + drift + rng.normal(0, 1.5)
            k = int(respondents * rng.uniform(0.6, 0.8))
            if prog == "PAU" and year == 2022 and q_i == 2:
                k = 4  # a cell of fewer than 5 respondents: the reader must never show it
            rows.append((SCHOOL + " (SYNTETISK)", PROGRAMME_NAMES[prog], year, "Spørgsmål", item, score, k))
    df = pd.DataFrame(rows, columns=list(ETU_COLUMNS))
    df["Score"] = df["Score"].clip(0, 100).map(lambda x: f"{x:.1f}".replace(".", ","))
    df["Antal besvarelser"] = df["Antal besvarelser"].map(count)
    return df


def write_all(seed: int = SEED, root: Path | None = None) -> list[Path]:
    """Write the synthetic national answer (+ sidecar) and ETU file; return their paths."""
    from .convert import sidecar_path

    root = root or project_root()
    rows = national_answer(seed, root)
    raw = resolve(NATIONAL_FILE.format(seed=seed), root)
    atomic.write_text(raw, json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
    atomic.write_text(sidecar_path(raw), json.dumps(national_sidecar(seed, rows, root), ensure_ascii=False,
                                                    indent=2) + "\n")
    etu = resolve(ETU_FILE.format(seed=seed), root)
    atomic.write_csv(etu, etu_table(seed, root), sep=";")
    return [raw, sidecar_path(raw), etu]


# ---- the campus-level answer (issue 18) -----------------------------------------------------------

CAMPUS_QUERY = "config/queries/eud_hovedforloeb_status_3mdr_afdeling.yaml"
CAMPUS_FILE = "data/raw/national/sosu_skoler_afdeling_hovedforloeb_3mdr_2017-2025_synthetic_seed{seed}.answer.json"
CAMPUSES = "data/raw/campuses.csv"
DIM_CAMPUS = "[Institution].[Afdeling].[Afdeling]"
CAMPUS_YEARS = tuple(range(2017, 2026))
#: SSA dropout (afbrudt totalt) around which the other schools' campuses are drawn: the published SOSU H
#: figures lie at 14-17 % (seed 003, Table 1: 14,4 %, 15,9 %, 17,4 %); SSH and PAU as their 2022-2024 means
CAMPUS_LEVEL = {"SSA": 0.155, "SSH": 0.113, "PAU": 0.041}
#: SOSU H's SSA level by start year: Table 1 for 2022-2024, 14 % before, 2024's level in 2025
SOSUH_SSA = {2022: 0.144, 2023: 0.159, 2024: 0.174}
SOSUH_SSA_BEFORE, SOSUH_SSA_AFTER = 0.14, 0.174
#: SOSU H's yearly SSA intake (Table 1: 1.072-1.392) split over its SSA campuses by these weights
SOSUH_SSA_INTAKE = 1250
#: the true effect built into the pilot campuses' SSA intakes from their pilot start (proportion)
CAMPUS_EFFECT = -0.05
CAMPUS_SD = 0.15  # campus effect within school, logit scale
CAMPUS_YEAR_SD = 0.10  # campus-by-year shock, logit scale
NATIONAL_YEAR_SD = 0.05  # year shock common to every school, logit scale
CAMPUS_INTAKE_RANGE = {"SSA": (25, 260), "SSH": (15, 160), "PAU": (10, 110)}
N_CAMPUSES_RANGE = (2, 5)


def _campus_rows(institution: str, campus: str, programme: str, year: int, counts: dict[str, int],
                 n: int) -> list[dict]:
    return [r | {DIM_CAMPUS: campus} for r in _rows_for(institution, programme, year, counts, n)]


def _draw_counts(rng: np.random.Generator, n: int, p_drop: float) -> dict[str, int]:
    probs = [1 - p_drop - 0.003, SWITCH_SHARE * p_drop, (1 - SWITCH_SHARE) * p_drop, 0.003]
    in_prog, switch, noswitch, _other = (int(x) for x in rng.multinomial(n, probs))
    return {"in_progress": in_prog, "dropout_switch": switch, "dropout_noswitch": noswitch,
            "dropout_total": switch + noswitch}


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def _expit(x: float) -> float:
    return float(1 / (1 + np.exp(-x)))


def campus_answer(seed: int = SEED, root: Path | None = None) -> list[dict]:
    """Draw the SYNTHETIC campus-level answer (row objects as the service would send them).

    Every school by campus (afdeling), programme and start year 2017-2025:

    - **SOSU H**: the campuses of ``data/raw/campuses.csv`` and the programmes each offers; the SSA
      level of each start year follows Table 1 (14,4 %, 15,9 %, 17,4 % in 2022-2024; 14 % before,
      17,4 % in 2025), SSH and PAU the national level; SSA intake about 1.250 a year split over the
      SSA campuses; the pilot campuses' SSA intakes from their ``pilot_start`` year are drawn with a
      true effect of :data:`CAMPUS_EFFECT` (−5 procentpoint);
    - **the other schools** (*Syntetisk skole 01* ... of the national answer, not real schools): 2-5
      campuses each, intake sizes drawn from :data:`CAMPUS_INTAKE_RANGE`, a school effect (logit SD
      :data:`SCHOOL_SD`), a campus effect (:data:`CAMPUS_SD`), a national year shock
      (:data:`NATIONAL_YEAR_SD`) and a campus-by-year shock (:data:`CAMPUS_YEAR_SD`) around
      :data:`CAMPUS_LEVEL`; a few campuses open late (missing early years);
    - every count is multinomial; a status cell below 3 is left out, as the service does.
    """
    from ..students.campuses import read_campuses

    root = root or project_root()
    rng = np.random.default_rng(seed + 18)
    campuses = read_campuses(resolve(CAMPUSES, root), CAMPUSES)
    year_shock = {y: rng.normal(0, NATIONAL_YEAR_SD) for y in CAMPUS_YEARS}
    rows: list[dict] = []
    ssa_campuses = [c for c, progs in zip(campuses["campus"], campuses["programmes"], strict=True)
                    if "SSA" in str(progs).split(";")]
    weights = rng.uniform(0.6, 1.4, len(ssa_campuses))
    weights = weights / weights.sum()
    share = dict(zip(ssa_campuses, weights, strict=True))
    for _, c in campuses.iterrows():
        campus, progs = str(c["campus"]), str(c["programmes"]).split(";")
        start_year = int(str(c["pilot_start"])[:4]) if bool(c["pilot"]) and str(c["pilot_start"]) else None
        campus_effect = rng.normal(0, CAMPUS_SD)
        for programme in ("PAU", "SSA", "SSH"):
            if programme not in progs:
                continue
            lo, hi = CAMPUS_INTAKE_RANGE[programme]
            base_n = SOSUH_SSA_INTAKE * share[campus] if programme == "SSA" else rng.uniform(lo, hi)
            for year in CAMPUS_YEARS:
                if programme == "SSA":
                    level = SOSUH_SSA.get(year, SOSUH_SSA_BEFORE if year < 2022 else SOSUH_SSA_AFTER)
                else:
                    level = CAMPUS_LEVEL[programme]
                p = _expit(_logit(level) + campus_effect + year_shock[year] + rng.normal(0, CAMPUS_YEAR_SD))
                if programme == "SSA" and start_year is not None and year >= start_year:
                    p = max(0.005, p + CAMPUS_EFFECT)
                n = int(max(5, rng.normal(base_n, 0.08 * base_n)))
                rows += _campus_rows(SCHOOL, campus, programme, year, _draw_counts(rng, n, p), n)
    for s in range(1, N_OTHER_SCHOOLS + 1):
        school = f"Syntetisk skole {s:02d}"
        school_effect = rng.normal(0, SCHOOL_SD)
        n_campuses = int(rng.integers(N_CAMPUSES_RANGE[0], N_CAMPUSES_RANGE[1] + 1))
        for a in range(1, n_campuses + 1):
            campus = f"Afdeling {a}"
            campus_effect = rng.normal(0, CAMPUS_SD)
            size = rng.uniform(0.0, 1.0)
            opened = CAMPUS_YEARS[0] if rng.uniform() > 0.08 else int(rng.integers(2019, 2023))
            for programme in ("PAU", "SSA", "SSH"):
                if programme != "SSA" and rng.uniform() < 0.3:
                    continue  # not every campus offers every programme
                lo, hi = CAMPUS_INTAKE_RANGE[programme]
                base_n = lo + size * (hi - lo)
                for year in CAMPUS_YEARS:
                    if year < opened:
                        continue
                    shock = rng.normal(0, CAMPUS_YEAR_SD)
                    p = _expit(_logit(CAMPUS_LEVEL[programme]) + school_effect + campus_effect + year_shock[year]
                               + shock)
                    n = int(max(5, rng.normal(base_n, 0.1 * base_n)))
                    rows += _campus_rows(school, campus, programme, year, _draw_counts(rng, n, p), n)
    return rows


def campus_sidecar(seed: int, rows: list[dict], root: Path | None = None) -> dict:
    """Build the sidecar of the synthetic campus-level answer: SYNTHETIC, how it was made, its query."""
    query = load_query(resolve(CAMPUS_QUERY, root or project_root()), CAMPUS_QUERY)
    return {
        "description": "SYNTHETIC campus-level answer in the shape of uddannelsesstatistik.dk's statistics API "
                       "(documentation only): every number is drawn, none is real; SOSU H's campuses are those of "
                       "data/raw/campuses.csv, the other schools are not real schools.",
        "synthetic": True,
        "credit": CREDIT + " (SYNTETISKE tal: ingen af dem er rigtige)",
        "retrieved": "",
        "generated_by": f"python -m sosu_analysis.national.synthetic --campus --seed {seed}",
        "seed": seed,
        "calibration": {"ssa_level_other_schools": CAMPUS_LEVEL["SSA"], "level_other_schools": CAMPUS_LEVEL,
                        "sosuh_ssa_by_year": {str(k): v for k, v in SOSUH_SSA.items()},
                        "sosuh_ssa_before_2022": SOSUH_SSA_BEFORE, "sosuh_ssa_2025": SOSUH_SSA_AFTER,
                        "sosuh_ssa_intake_per_year": SOSUH_SSA_INTAKE, "true_effect_pilot_ssa": CAMPUS_EFFECT,
                        "school_sd_logit": SCHOOL_SD, "campus_sd_logit": CAMPUS_SD,
                        "campus_year_sd_logit": CAMPUS_YEAR_SD, "national_year_sd_logit": NATIONAL_YEAR_SD,
                        "intake_range": {k: list(v) for k, v in CAMPUS_INTAKE_RANGE.items()},
                        "suppressed_below": SUPPRESS_BELOW, "years": [CAMPUS_YEARS[0], CAMPUS_YEARS[-1]],
                        "source": "seed 003, Table 1 (SOSU H's SSA 14,4-17,4 %); other levels assumed"},
        "query_file": CAMPUS_QUERY,
        "query_sha256": query.sha256(),
        "query": query.as_dict(),
        "unverified": query.unverified,
        "rows": len(rows),
    }


def write_campus(seed: int = SEED, root: Path | None = None) -> list[Path]:
    """Write the synthetic campus-level answer and its sidecar; return their paths."""
    from .convert import sidecar_path

    root = root or project_root()
    rows = campus_answer(seed, root)
    raw = resolve(CAMPUS_FILE.format(seed=seed), root)
    # one row object per line (the file is large; the same JSON array as the service's pages joined)
    atomic.write_text(raw, "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n]\n")
    atomic.write_text(sidecar_path(raw), json.dumps(campus_sidecar(seed, rows, root), ensure_ascii=False,
                                                    indent=2) + "\n")
    return [raw, sidecar_path(raw)]


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m sosu_analysis.national.synthetic [--seed N] [--campus]``."""
    parser = argparse.ArgumentParser(description="Write the SYNTHETIC national answer and ETU file.")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--campus", action="store_true",
                        help="write the SYNTHETIC campus-level answer (issue 18) instead")
    args = parser.parse_args(argv)
    paths = write_campus(args.seed) if args.campus else write_all(args.seed)
    for p in paths:
        print(f"wrote {p}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
