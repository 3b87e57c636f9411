"""The mapping from a school's export (Z-udskrift) to the project's student schema.

A YAML file, validated with pydantic: an unknown key, a wrong type or a value
that is neither a string nor a list of strings stops the import with a
message naming the mapping file and the key. The default for the Z425 / Z429
field names of EASY-A ships as ``config/z_udskrift_mapping.yaml``; a school
edits a copy (the code table is the school's decision, not the project's).

Every column may be given as one header name or a list of alternatives (the
first one present in the export is used; header matching ignores case and
surrounding blanks). Value lists (programme names, codes, campus names) are
matched the same way.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import InputError, Problem
from ..input_policy import read_yaml_file
from ..students._parse import key

#: categories an afgangsårsag code may be mapped to (the schema's ``exit_type``)
EXIT_CATEGORIES = ("left", "switch", "completed")
#: the programmes of the analysis
MAPPED_PROGRAMMES = ("SSA", "SSH", "PAU")

Names = list[str]


def _as_list(value: object) -> object:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [str(value)]
    if isinstance(value, list):
        return [str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in value]
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Columns(_Strict):
    """Header names of the export columns the import reads (all others are dropped at read time)."""

    cpr: Names
    programme: Names
    campus: Names
    start_date: Names
    exit_date: Names
    exit_reason: Names
    #: the column saying GF1 / GF2 / hovedforløb (optional: without it every row is taken as a main course)
    main_course: Names = Field(default_factory=list)
    #: the Udmeldingsperspektiv column (optional)
    destination: Names = Field(default_factory=list)

    _lists = field_validator("*", mode="before")(_as_list)


class Programmes(_Strict):
    """Programme values (names or codes, as in the export) meaning SSA, SSH and PAU, and those left out."""

    SSA: Names = Field(default_factory=list)
    SSH: Names = Field(default_factory=list)
    PAU: Names = Field(default_factory=list)
    #: programme values known to be outside the analysis (rows dropped, counted)
    ignore: Names = Field(default_factory=list)

    _lists = field_validator("*", mode="before")(_as_list)


class MainCourse(_Strict):
    """Values of the main-course column: which rows are main-course spells, which are not."""

    main: Names = Field(default_factory=list)
    other: Names = Field(default_factory=list)

    _lists = field_validator("*", mode="before")(_as_list)


class ExitReasons(_Strict):
    """Afgangsårsag codes (or their betegnelse) by category."""

    left: Names = Field(default_factory=list)
    switch: Names = Field(default_factory=list)
    completed: Names = Field(default_factory=list)

    _lists = field_validator("*", mode="before")(_as_list)


class Mapping(_Strict):
    """A validated mapping; see ``config/z_udskrift_mapping.yaml`` for the meaning of each key."""

    columns: Columns
    programmes: Programmes
    main_course: MainCourse = Field(default_factory=MainCourse)
    #: export campus values (Lokation / Elevafd) -> a campus of campuses.csv, beyond its names and aliases
    campuses: dict[str, str] = Field(default_factory=dict)
    exit_reasons: ExitReasons
    #: Udmeldingsperspektiv values that turn a ``left`` exit into a ``switch``
    switch_destinations: Names = Field(default_factory=list)
    #: a ``left`` spell followed by a spell on another programme at the school counts as a switch
    switch_if_new_spell: bool = True

    _lists = field_validator("switch_destinations", mode="before")(_as_list)

    def programme_of(self) -> dict[str, str]:
        """Export programme value (key) -> SSA / SSH / PAU, or ``""`` for an ignored one."""
        out: dict[str, str] = {}
        for code in MAPPED_PROGRAMMES:
            for v in getattr(self.programmes, code):
                out[key(v)] = code
        for v in self.programmes.ignore:
            out[key(v)] = ""
        return out

    def exit_category_of(self) -> dict[str, str]:
        """Afgangsårsag (key) -> left / switch / completed."""
        return {key(v): cat for cat in EXIT_CATEGORIES for v in getattr(self.exit_reasons, cat)}


def _clashes(mapping: Mapping) -> list[str]:
    """Values listed under two meanings (a typo that would silently change a result)."""
    out = []
    groups = {
        "programmes": {c: getattr(mapping.programmes, c) for c in (*MAPPED_PROGRAMMES, "ignore")},
        "exit_reasons": {c: getattr(mapping.exit_reasons, c) for c in EXIT_CATEGORIES},
        "main_course": {c: getattr(mapping.main_course, c) for c in ("main", "other")},
    }
    for group, lists in groups.items():
        seen: dict[str, str] = {}
        for cat, values in lists.items():
            for v in values:
                if key(v) in seen and seen[key(v)] != cat:
                    out.append(f"{group}: '{v}' is listed under both {seen[key(v)]} and {cat}")
                seen.setdefault(key(v), cat)
    return out


def mapping_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of the mapping file's bytes (cited in the import's sidecar)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_mapping(path: str | os.PathLike, display_name: str | None = None) -> Mapping:
    """Read and validate a mapping YAML.

    Raises
    ------
    sosu_analysis.errors.InputError
        The file is missing or not YAML, a key is unknown or missing, a value
        has the wrong type, or a value is listed under two meanings; each
        problem names the file and the key (as ``columns.cpr``).
    """
    path = Path(path)
    file = display_name or str(path)
    if not path.is_file():
        raise InputError(Problem(file, "mapping file not found"))
    data = read_yaml_file(path, file)  # the one safe YAML loader (no aliases, capped size)
    if not isinstance(data, dict):
        raise InputError(Problem(file, "the mapping must be a YAML mapping of keys (columns, programmes, ...)"))
    try:
        mapping = Mapping.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            what = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
            problems.append(Problem(file, f"key '{where}': {what}"))
        raise InputError(problems) from None
    clashes = _clashes(mapping)
    if clashes:
        raise InputError([Problem(file, c) for c in clashes])
    return mapping
