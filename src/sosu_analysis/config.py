"""Typed run configuration, read from YAML (default ``config/default.yaml``).

Every key has a type and a default; the YAML may set any subset. An unknown
key, a wrong type or a missing input file stops the run before anything is
written, with a message that names the config file and the key.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field

import yaml

from .errors import InputError, Problem
from .paths import project_root, resolve

DEFAULT_CONFIG = "config/default.yaml"


@dataclass
class Config:
    """What one pipeline run uses. Paths are relative to the project root or absolute."""

    published_table: str = "data/raw/uddannelsesstatistik_sosuh_hovedforloeb_3mdr_2022-2024.csv"
    goals_table: str = "data/raw/national_goals_danske_sosu_skoler.csv"
    alpha: float = 0.05
    seed: int = 20251123
    #: first year of the interventions (segmented trend)
    intervention_year: int = 2025
    #: the student extract of the campus comparison (synthetic until a real one arrives)
    students_file: str = "data/raw/synthetic/students_synthetic_seed20250401_effect-5.csv"
    #: date the student extract was taken (YYYY-MM-DD); empty: its latest date (a synthetic extract: complete)
    extract_date: str = ""
    #: campuses with pilot flags and pilot starts
    campuses_table: str = "data/raw/campuses.csv"
    #: survey answers, one row per respondent x item (synthetic until a real one arrives; notebook 09)
    survey_file: str = "data/raw/synthetic/survey_synthetic_seed20250501_effect0.3.csv"
    #: the survey's item table (texts, reverse coding, indices)
    survey_items: str = "data/raw/survey_items.csv"
    #: horizons (months after start) at which status is taken; the first is the main one
    horizons: list[int] = field(default_factory=lambda: [3, 6, 12])
    #: event-study window in intakes relative to the pilot start (ends are binned)
    event_window: list[int] = field(default_factory=lambda: [-4, 3])
    #: simulated data sets per power estimate
    power_reps: int = 200
    #: the notebook whose page becomes the project lead's report (rapport.html and rapport.pdf)
    lead_report: str = "06_rapport"
    notebooks: list[str] = field(default_factory=lambda: ["00_clean", "01_descriptives", "02_logistic_models",
                                                          "03_trends", "04_pilot_vs_nonpilot", "05_power",
                                                          "07_national", "08_wellbeing", "09_survey",
                                                          "06_rapport"])
    #: the national comparison (chapter 07): a stored answer of the statistics API holding every SOSU
    #: school (its sidecar NAME.meta.json beside it), the saved query it answers, and SOSU H's
    #: institution name in it. SYNTHETIC until a real answer is fetched (sosu-analysis fetch).
    national_answer: str = ("data/raw/national/"
                            "sosu_skoler_hovedforloeb_3mdr_2022-2024_synthetic_seed20251123.answer.json")
    national_query: str = "config/queries/eud_hovedforloeb_status_3mdr_sosu_skoler.yaml"
    national_school: str = "SOSU H"
    #: the wellbeing survey (ETU) by programme and year (chapter 08); SYNTHETIC until a real one is saved
    etu_table: str = "data/raw/national/etu_sosuh_hovedforloeb_2022-2024_synthetic_seed20251123.csv"
    #: where cleaned tables go; empty = data/processed for the default output
    #: folder ``reports``, else ``<output>/processed``
    processed_dir: str = ""

    #: keys whose values are input files that must exist
    INPUT_FILES = ("published_table", "goals_table", "campuses_table", "students_file", "etu_table", "survey_file",
                   "survey_items")
    #: input files that are not tables (checked to exist here, and in full by the pipeline)
    OTHER_INPUT_FILES = ("national_answer", "national_query")

    def notebook_parameters(self) -> dict[str, object]:
        """The values handed to the notebooks' ``parameters`` cells (all but ``notebooks``)."""
        d = dataclasses.asdict(self)
        d.pop("notebooks")
        d.pop("processed_dir")
        d.pop("lead_report")
        return d

    def to_yaml(self) -> str:
        """The effective configuration, as YAML (written beside the reports)."""
        return yaml.safe_dump(dataclasses.asdict(self), sort_keys=False, allow_unicode=True)


_TYPES = {f.name: f.type for f in dataclasses.fields(Config)}


def _check_type(name: str, value: object) -> bool:
    t = _TYPES[name]
    if t == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "str":
        return isinstance(value, str)
    if t == "list[str]":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if t == "list[int]":
        return isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    if t == "bool":
        return isinstance(value, bool)
    if t == "str | None":
        return value is None or isinstance(value, str)
    raise AssertionError(f"unhandled config type {t}")


def load_config(path: str | os.PathLike | None = None, overrides: dict | None = None) -> Config:
    """Read and check a YAML config; ``overrides`` (e.g. from the command line) win."""
    root = project_root()
    cfg_path = resolve(path or DEFAULT_CONFIG, root)
    file = str(path or DEFAULT_CONFIG)
    if not cfg_path.is_file():
        raise InputError(Problem(file, "config file not found"))
    try:
        data = yaml.safe_load(cfg_path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(Problem(file, f"not valid YAML ({getattr(exc, 'problem', exc)})",
                                 row=mark.line + 1 if mark else None)) from None
    if not isinstance(data, dict):
        raise InputError(Problem(file, "the config must be a mapping of keys to values"))
    data.update(overrides or {})
    problems = []
    for key, value in data.items():
        if key not in _TYPES:
            problems.append(Problem(file, f"unknown key '{key}'; known keys: {', '.join(sorted(_TYPES))}"))
        elif not _check_type(key, value):
            problems.append(Problem(file, f"key '{key}' must be of type {_TYPES[key]}, got {value!r}"))
    if problems:
        raise InputError(problems)
    cfg = Config(**data)
    for key in Config.INPUT_FILES + Config.OTHER_INPUT_FILES:
        value = getattr(cfg, key)
        if value and not resolve(value, root).is_file():
            problems.append(Problem(file, f"key '{key}': input file '{value}' not found"))
    notebooks_dir = root / "notebooks"
    for name in cfg.notebooks:
        if not (notebooks_dir / f"{name}.ipynb").is_file():
            problems.append(Problem(file, f"key 'notebooks': no notebook notebooks/{name}.ipynb"))
    if problems:
        raise InputError(problems)
    return cfg
