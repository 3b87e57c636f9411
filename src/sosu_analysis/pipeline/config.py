"""Typed, range-checked run configuration, read from YAML (default ``config/default.yaml``).

One schema (:class:`Config`, a pydantic model) says for every key its type,
default, allowed range and meaning. :func:`load_config` reads a YAML file with
a loader that refuses repeated keys and reads dates as text (so
``01-11-2025`` is never silently taken for another date), then checks every
key against the schema before anything runs. Every problem is reported at
once, each naming the config file, the key and, when known, the line.

``config/README.md`` is generated from the same schema
(``python -m sosu_analysis.pipeline.config > config/README.md``); a test checks that
it is current.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from pathlib import Path
from typing import Annotated, Any, ClassVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import InputError, Problem
from ..input_policy import SafeLoader, check_yaml_size
from ..paths import project_root, resolve

DEFAULT_CONFIG = "config/default.yaml"

#: largest horizon (months after start) a run may ask for: a main course lasts at most about 4 years
MAX_HORIZON = 60
#: earliest year the analysis knows of (the published series starts in 2022; the merger was 2018)
MIN_YEAR = 2000
_NOTEBOOK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
#: folders of the project an output or processed folder may never be inside
SOURCE_FOLDERS = ("data/raw", "notebooks", "src", "config", "tests", "docs", "benchmarks", ".git")


def _iso_date(value: str) -> dt.date | None:
    """Read a date written YYYY-MM-DD (the extract's own rule, :func:`students._parse.parse_date`)."""
    from ..students._parse import parse_date

    return parse_date(value) if _ISO_DATE.match(value) else None


def _path_text(description: str, default: str) -> Any:
    return Field(default=default, description=description, json_schema_extra={"kind": "input file"})


class Config(BaseModel):
    """What one pipeline run uses. Paths are relative to the project root or absolute."""

    model_config = ConfigDict(extra="forbid", strict=True, validate_default=True, allow_inf_nan=False)

    published_table: str = _path_text(
        "The ministry's published table (seed 003, Table 1) as exported from uddannelsesstatistik.dk: "
        "CSV or XLSX. Must exist.",
        "data/raw/uddannelsesstatistik_sosuh_hovedforloeb_3mdr_2022-2024.csv")
    goals_table: str = _path_text(
        "National goals of Danske SOSU-skoler (seed 000). Must exist.",
        "data/raw/national_goals_danske_sosu_skoler.csv")
    alpha: Annotated[float, Field(gt=0, lt=0.5)] = Field(
        default=0.05, description="Level of the confidence intervals and tests (0.05 gives 95 % intervals). "
                                  "Range: 0 < alpha < 0.5.")
    seed: Annotated[int, Field(ge=0, lt=2**32)] = Field(
        default=20251123, description="Seed of every random draw (wild bootstrap draws, power simulations). "
                                      "A whole number 0 ≤ seed < 2^32.")
    intervention_year: Annotated[int, Field(ge=MIN_YEAR, le=2100)] = Field(
        default=2025, description=f"First year of the interventions (segmented trend). {MIN_YEAR}-2100.")
    students_file: str = _path_text(
        "The student extract (or campus aggregates) of the campus comparison. SYNTHETIC until the school's "
        "real extract arrives (then data/raw/private/<file>.csv, never committed). Must exist.",
        "data/raw/synthetic/students_synthetic_seed20250401_effect-5.csv")
    extract_date: str = Field(
        default="", description="Date the student extract was taken, written YYYY-MM-DD (ISO; 01-11-2025 is "
                                "refused). Students whose horizon falls after it have no status yet and are "
                                "left out at that horizon; no date in the extract may lie after it. Empty: "
                                "today is the upper bound for dates and the extract's latest date is used "
                                "(printed and written to the output's config.yaml); a synthetic extract is "
                                "complete.")
    campuses_table: str = _path_text(
        "Campuses, pilot flags and pilot starts (seed 003; assumptions marked in the file). Must exist.",
        "data/raw/campuses.csv")
    survey_file: str = _path_text(
        "Survey answers of the plan's own questionnaires, one row per respondent x item (chapter 09). "
        "SYNTHETIC until the school's survey export is imported (sosu-analysis survey-import). Must exist.",
        "data/raw/synthetic/survey_synthetic_seed20250501_effect0.3.csv")
    survey_items: str = _path_text(
        "The survey's item table: texts, reverse coding, indices (chapter 09). Must exist.",
        "data/raw/survey_items.csv")
    interview_register: str = _path_text(
        "The register of the plan's group interviews: interview_id, campus, intake, wave, intervention, "
        "participants, quotes_approved (chapter 10). SYNTHETIC until the school's register is saved (then "
        "data/raw/private/). Must exist.",
        "data/raw/synthetic/interviews_register_synthetic_seed20250801.csv")
    interview_codes: str = _path_text(
        "The interview codebook: code, theme, description, criterion, survey_measure, valence (chapter 10). "
        "Must exist.",
        "data/raw/interview_codes.csv")
    interview_export: str = _path_text(
        "Coded segments exported from the QDA tool (one row per coded segment; CSV or XLSX), read through "
        "interview_mapping (chapter 10). SYNTHETIC until the coded interviews are exported (then "
        "data/raw/private/). Must exist.",
        "data/raw/synthetic/interviews_maxqda_synthetic_seed20250801.csv")
    interview_mapping: str = _path_text(
        "YAML mapping of the export's columns (config/interviews_maxqda.yaml: MAXQDA's 'Retrieved segments'; "
        "examples for ATLAS.ti and NVivo beside it). Columns it does not name are dropped unread. Must exist.",
        "config/interviews_maxqda.yaml")
    interview_names: str = _path_text(
        "Stop-list of names masked in every quote (one name a line; a real one is personal data: "
        "data/raw/private/). The register's staff names and the campus table's names and aliases are masked "
        "too. Empty: only those. Must exist when given.",
        "data/raw/synthetic/interview_names_synthetic.txt")
    national_answer: str = _path_text(
        "A stored answer of the ministry's statistics API holding every SOSU school (chapter 07), with its "
        "sidecar NAME.meta.json beside it. SYNTHETIC until a real answer is fetched (sosu-analysis fetch). "
        "Must exist.",
        "data/raw/national/sosu_skoler_hovedforloeb_3mdr_2022-2024_synthetic_seed20251123.answer.json")
    national_query: str = _path_text(
        "The saved query the national answer answers (config/queries/*.yaml; layout 'published'). Must exist.",
        "config/queries/eud_hovedforloeb_status_3mdr_sosu_skoler.yaml")
    national_school: str = Field(
        default="SOSU H", min_length=1,
        description="The school's institution name in the national answer (it must be one of them).")
    etu_table: str = _path_text(
        "The wellbeing survey (ETU) indicators by programme and year (chapter 08). SYNTHETIC until a real one "
        "is saved. Must exist.",
        "data/raw/national/etu_sosuh_hovedforloeb_2022-2024_synthetic_seed20251123.csv")
    campus_answer: str = Field(
        default="data/raw/national/sosu_skoler_afdeling_hovedforloeb_3mdr_2017-2025_synthetic_seed20251123"
                ".answer.json",
        description="A stored campus-level answer of the statistics API (every school by afdeling and start "
                    "year; chapter 11's synthetic comparison of the pilot campuses with other schools' "
                    "campuses). SYNTHETIC until a real one is fetched. Must exist when given; empty: no "
                    "campus-level answer, and the evaluation falls back to the in-school comparison (said "
                    "plainly in chapter 11).",
        json_schema_extra={"kind": "input file"})
    campus_query: str = _path_text(
        "The saved query the campus-level answer answers (config/queries/*.yaml, with the afdeling "
        "dimension mapped to 'Afdeling'). Must exist.",
        "config/queries/eud_hovedforloeb_status_3mdr_afdeling.yaml")
    donor_max_missing_share: Annotated[float, Field(ge=0, lt=1)] = Field(
        default=0.15, description="Largest share of a donor campus's start years whose outcome may be missing "
                                  "(suppressed or no intake) in the campus panel; a donor with more is dropped "
                                  "(chapter 11 says how many). 0 ≤ share < 1.")
    rollout_intake: str = Field(
        default="2026-04", description="The SSA intake (YYYY-MM) at which the design advisor's stepped roll-out "
                                       "gives the interventions to the remaining SSA campuses; empty: no "
                                       "stepped roll-out in the advisor.")
    sdid_replications: Annotated[int, Field(ge=2, le=100_000)] = Field(
        default=200, description="Placebo replications of the synthetic DiD's standard error (chapter 11), "
                                 "2-100000 (the paper's 200 by default).")
    horizons: list[int] = Field(
        default_factory=lambda: [3, 6, 12], min_length=1,
        description=f"Horizons (months after start) at which the status is taken, increasing, each 1-"
                    f"{MAX_HORIZON}, no repeats; the first is the main one (3 is the published one).")
    event_window: list[int] = Field(
        default_factory=lambda: [-4, 3], min_length=2, max_length=2,
        description="Event-study window [first, last] in intakes relative to the pilot start; first < 0 ≤ "
                    "last (at least one intake before the start; the ends are binned).")
    power_reps: Annotated[int, Field(ge=1, le=100_000)] = Field(
        default=200, description="Simulated data sets per power estimate, 1-100000.")
    lead_report: str = Field(
        default="06_rapport", description="The notebook whose page becomes the project lead's report "
                                          "(rapport.html and rapport.pdf); a name from notebooks/, or empty.")
    notebooks: list[str] = Field(
        default_factory=lambda: ["00_clean", "01_descriptives", "02_logistic_models", "03_trends",
                                 "04_pilot_vs_nonpilot", "05_power", "07_national", "08_wellbeing",
                                 "09_survey", "10_interviews", "11_design", "06_rapport"],
        min_length=1,
        description="The notebooks to run, in order: file names in notebooks/ without .ipynb (no folders), "
                    "no repeats.")
    processed_dir: str = Field(
        default="", description="Where cleaned tables go; empty: data/processed for the default output "
                                "folder reports, else <output>/processed. Never inside data/raw or a source "
                                "folder of the project.")

    #: keys whose values are input files that must exist
    INPUT_FILES: ClassVar[tuple[str, ...]] = ("published_table", "goals_table", "campuses_table", "students_file",
                                              "etu_table", "survey_file", "survey_items", "interview_register",
                                              "interview_codes")
    #: input files that are not tables (checked to exist here, and in full by the pipeline)
    OTHER_INPUT_FILES: ClassVar[tuple[str, ...]] = ("national_answer", "national_query", "campus_answer",
                                                    "campus_query", "interview_export", "interview_mapping",
                                                    "interview_names")

    @field_validator("extract_date", mode="before")
    @classmethod
    def _date_as_text(cls, value: object) -> object:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value.isoformat()
        return value

    @field_validator("extract_date")
    @classmethod
    def _iso(cls, value: str) -> str:
        if value == "":
            return value
        d = _iso_date(value)
        if d is None:
            raise ValueError(f"expected a date written YYYY-MM-DD (e.g. 2025-11-01), found '{value}'")
        if d.year < MIN_YEAR:
            raise ValueError(f"the date {value} is before {MIN_YEAR}")
        if d > dt.date.today():
            raise ValueError(f"the date {value} is in the future (today is {dt.date.today().isoformat()})")
        return value

    @field_validator("rollout_intake")
    @classmethod
    def _month(cls, value: str) -> str:
        if value and not re.fullmatch(r"(19|20|21)\d\d-(0[1-9]|1[0-2])", value):
            raise ValueError(f"expected an intake month written YYYY-MM (e.g. 2026-04) or empty, found '{value}'")
        return value

    @field_validator("horizons")
    @classmethod
    def _horizons(cls, value: list[int]) -> list[int]:
        bad = [h for h in value if not 1 <= h <= MAX_HORIZON]
        if bad:
            raise ValueError(f"every horizon must be 1-{MAX_HORIZON} months, found {bad}")
        if len(set(value)) != len(value):
            raise ValueError(f"a horizon is repeated in {value}")
        if value != sorted(value):
            raise ValueError(f"the horizons must be increasing (the first is the main one), found {value}")
        return value

    @field_validator("event_window")
    @classmethod
    def _window(cls, value: list[int]) -> list[int]:
        lo, hi = value
        if not lo < 0 <= hi:
            raise ValueError(f"expected [first, last] with first < 0 ≤ last (e.g. [-4, 3]), found {value}")
        return value

    @field_validator("notebooks")
    @classmethod
    def _notebook_names(cls, value: list[str]) -> list[str]:
        for name in value:
            _check_notebook_name(name)
        if len(set(value)) != len(value):
            raise ValueError(f"a notebook is listed twice in {value}")
        return value

    @field_validator("lead_report")
    @classmethod
    def _lead_name(cls, value: str) -> str:
        if value:
            _check_notebook_name(value)
        return value

    @classmethod
    def default(cls, key: str) -> Any:
        """Return the default value of ``key``."""
        return cls.model_fields[key].get_default(call_default_factory=True)

    def notebook_parameters(self) -> dict[str, object]:
        """Return the values handed to the notebooks' ``parameters`` cells (all but ``notebooks``)."""
        return self.model_dump(exclude={"notebooks", "processed_dir", "lead_report"})

    def to_yaml(self) -> str:
        """Return the effective configuration as YAML (written beside the reports)."""
        return yaml.safe_dump(self.model_dump(), sort_keys=False, allow_unicode=True)


def _check_notebook_name(name: str) -> None:
    if not _NOTEBOOK_NAME.match(name) or name.endswith(".ipynb") or ".." in name:
        raise ValueError(f"'{name}' is not a notebook name: give the file name in notebooks/ without folders "
                         "and without .ipynb (e.g. 04_pilot_vs_nonpilot)")


class _Loader(SafeLoader):
    """Safe YAML loader that refuses repeated keys and reads dates as text.

    Built on the package's one loader (:class:`sosu_analysis.input_policy.SafeLoader`: no aliases, capped size).
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _DuplicateKey(Exception):
    def __init__(self, key: object, line: int, first: int):
        super().__init__(key)
        self.key, self.line, self.first = key, line, first


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[object, int] = {}
    for key_node, _ in node.value:
        k = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            hash(k)
        except TypeError:
            continue  # SafeLoader reports the unhashable key itself
        if k in seen:
            raise _DuplicateKey(k, line, seen[k])
        seen[k] = line
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(text: str, file: str) -> tuple[object, dict[str, int]]:
    """Parse YAML text; return the data and the line of each top-level key.

    Raises :class:`InputError` for invalid YAML or a repeated key.
    """
    check_yaml_size(len(text), file)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        lines: dict[str, int] = {}
        if isinstance(node, yaml.MappingNode):
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    lines.setdefault(str(key_node.value), key_node.start_mark.line + 1)
        data = loader.construct_document(node) if node is not None else None
    except _DuplicateKey as exc:
        raise InputError(Problem(file, f"key '{exc.key}' is given twice (first in line {exc.first}); "
                                       "each key may appear once", row=exc.line)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(Problem(file, f"not valid YAML ({getattr(exc, 'problem', exc)})",
                                 row=mark.line + 1 if mark else None)) from None
    except (ValueError, RecursionError) as exc:  # a number Python will not convert, nesting beyond the stack
        raise InputError(Problem(file, f"not a readable YAML file ({type(exc).__name__})")) from None
    finally:
        loader.dispose()
    return data, lines


def _problems_from(exc: ValidationError, file: str, lines: dict[str, int]) -> list[Problem]:
    known = ", ".join(Config.model_fields)
    out = []
    for err in exc.errors():
        loc = err.get("loc") or ()
        key = str(loc[0]) if loc else ""
        msg = str(err.get("msg", "invalid value"))
        msg = msg.removeprefix("Value error, ").replace("Input should be", "must be")
        if err.get("type") == "extra_forbidden":
            text = f"unknown key '{key}'; known keys: {known}"
        elif key:
            field = Config.model_fields.get(key)
            typ = _type_name(field.annotation) if field else ""
            where = f"key '{key}'" + (f" (item {loc[1] + 1})" if len(loc) > 1 and isinstance(loc[1], int) else "")
            got = err.get("input")
            shown = repr(got) if len(repr(got)) <= 80 else repr(got)[:77] + "..."
            if err.get("type", "").endswith("_type") or err.get("type") in ("int_from_float",):
                text = f"{where} must be of type {typ}, got {shown}"
            else:
                text = f"{where}: {msg}" + ("" if shown in msg or "found" in msg else f", got {shown}")
        else:
            text = msg
        out.append(Problem(file, text, row=lines.get(key)))
    return out


def _type_name(annotation: object) -> str:
    text = getattr(annotation, "__name__", None) or str(annotation)
    if "Annotated" in str(annotation):
        text = getattr(getattr(annotation, "__origin__", None), "__name__", text)
    return text if not str(annotation).startswith("list") else str(annotation)


def load_config(path: str | os.PathLike | None = None, overrides: dict | None = None) -> Config:
    """Read and check a YAML config; ``overrides`` (e.g. from the command line) win.

    Raises
    ------
    InputError
        Listing every problem, each naming the config file, the key and the
        line: invalid YAML, a repeated or unknown key, a wrong type, a value
        out of range, a date not written YYYY-MM-DD, a missing input file, a
        notebook not in ``notebooks/``, a processed folder inside a source
        folder.
    """
    root = project_root()
    cfg_path = resolve(path or DEFAULT_CONFIG, root)
    file = str(path or DEFAULT_CONFIG)
    if not cfg_path.is_file():
        raise InputError(Problem(file, "config file not found"))
    try:
        text = cfg_path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(Problem(file, "the config is not UTF-8 text")) from None
    data, lines = read_yaml(text, file)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(Problem(file, "the config must be a mapping of keys to values"))
    data = {str(k): v for k, v in data.items()}
    data.update(overrides or {})
    try:
        cfg = Config(**data)
    except ValidationError as exc:
        raise InputError(_problems_from(exc, file, lines)) from None
    problems = check_paths(cfg, root, file, lines)
    if problems:
        raise InputError(problems)
    return cfg


def check_paths(cfg: Config, root: Path, file: str, lines: dict[str, int] | None = None) -> list[Problem]:
    """Problems with the config's paths: missing input files and notebooks, a processed folder in a source folder."""
    lines = lines or {}
    problems: list[Problem] = []
    for key in Config.INPUT_FILES + Config.OTHER_INPUT_FILES:
        value = getattr(cfg, key)
        if not value:
            continue
        p = resolve(value, root)
        if p.is_dir():
            problems.append(Problem(file, f"key '{key}': '{value}' is a folder, expected an input file",
                                    row=lines.get(key)))
        elif not p.is_file():
            problems.append(Problem(file, f"key '{key}': input file '{value}' not found", row=lines.get(key)))
    notebooks_dir = (root / "notebooks").resolve()
    for name in cfg.notebooks:
        nb = (notebooks_dir / f"{name}.ipynb").resolve()
        if nb.parent != notebooks_dir or not nb.is_file():
            problems.append(Problem(file, f"key 'notebooks': no notebook notebooks/{name}.ipynb",
                                    row=lines.get("notebooks")))
    if cfg.lead_report and cfg.lead_report not in cfg.notebooks:
        problems.append(Problem(file, f"key 'lead_report': '{cfg.lead_report}' is not one of the notebooks run "
                                      "(key 'notebooks')", row=lines.get("lead_report")))
    if cfg.processed_dir:
        proc = resolve(cfg.processed_dir, root).resolve()
        rroot = root.resolve()
        bad = proc == rroot or rroot.is_relative_to(proc)
        bad = bad or any(proc.is_relative_to(rroot / d) for d in SOURCE_FOLDERS)
        if bad or proc.is_file():
            problems.append(Problem(file, f"key 'processed_dir': '{cfg.processed_dir}' is not allowed: cleaned "
                                          "tables may not go into data/raw, the project root or one of its source "
                                          "folders, nor replace a file", row=lines.get("processed_dir")))
    return problems


def config_readme() -> str:
    """``config/README.md``: every key of the schema with its type, default and meaning."""
    out = [
        "# config/: run configurations",
        "",
        "<!-- Generated from the schema in src/sosu_analysis/pipeline/config.py by",
        "     `python -m sosu_analysis.pipeline.config > config/README.md`; do not edit by hand",
        "     (tests/test_config.py checks that this file is current). -->",
        "",
        "`sosu-analysis run --config FILE` reads a YAML file with any subset of the keys below; the",
        "others keep their defaults. Every key is checked before any notebook starts: an unknown or",
        "repeated key, a wrong type, a value out of range or a date not written YYYY-MM-DD stops the",
        "run with exit code 2 and a message naming the config file, the key and the line. Paths are",
        "relative to the project root (or absolute). `default.yaml` is the configuration of",
        "`make report` (the shipped data).",
        "",
        "| key | type | default | meaning and allowed values |",
        "|---|---|---|---|",
    ]
    for name, field in Config.model_fields.items():
        default = field.get_default(call_default_factory=True)
        shown = json.dumps(default, ensure_ascii=False)
        typ = _type_name(field.annotation)
        out.append(f"| `{name}` | {typ} | `{shown}` | {field.description or ''} |")
    out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(config_readme())
