"""A saved query: the request body for the statistics API and the mapping of its answer.

A query lives in ``config/queries/NAME.yaml``::

    unverified: "why the cube codes cannot be trusted yet"   # optional, shown on every run
    layout: published          # the project table it converts to: published | etu
    body:                      # sent as it stands to POST .../statistik (side is set by the client)
      område: ...
      emne: ...
      underemne: ...
      nøgletal: [Andel, Antal]
      detaljering: ["[Institution].[Institution]", ...]
      filtre: {"[Institution].[Institution]": [...]}
      side_størrelse: 1000
    mapping:
      dimensions:              # answer key -> project column
        "[Institution].[Institution].[Institution]": Institution
      status:                  # optional: a dimension whose members become column groups
        key: "[Status].[Status].[Status]"
        members: {"I gang": "I gang", ...}
      measures:                # measure name -> column (or column suffix after a status)
        Andel: "(andel)"
        Antal: "(antal)"

Without ``status`` each measure names a whole column (``"Andel i gang": "I gang (andel)"``);
with it, a cell's column is ``"<status column> <measure column>"`` (``"I gang (andel)"``).
Its SHA-256 (of the canonical JSON of ``body`` and ``mapping``) goes into every sidecar, so an
answer can always be traced to the query that asked for it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..errors import InputError, Problem

Layout = Literal["published", "etu"]
LAYOUTS: tuple[str, ...] = ("published", "etu")
#: body keys the documentation names (REAL_DATA.md §2); others are refused so that a typo is seen
BODY_KEYS = ("område", "emne", "underemne", "nøgletal", "detaljering", "filtre", "side", "side_størrelse",
             "tomme_rækker")


@dataclass(frozen=True)
class SavedQuery:
    """One saved query, checked.

    Attributes
    ----------
    body
        The request body (without ``side``, which the client sets per page).
    dimensions
        Answer key (``"[Dim].[Level].[Level]"``) -> project column.
    measures
        Measure name -> project column (or column suffix when ``status_key`` is set).
    status_key, status_members
        The optional dimension whose members are the table's statuses, and member -> status column.
    layout
        The project table the answer converts to.
    unverified
        Why the cube codes cannot be trusted yet ("" once verified against the live service).
    source
        The YAML file, for messages.
    """

    body: dict[str, Any]
    dimensions: dict[str, str]
    measures: dict[str, str]
    status_key: str | None = None
    status_members: dict[str, str] = field(default_factory=dict)
    layout: Layout = "published"
    unverified: str = ""
    source: str = ""

    @property
    def measure_names(self) -> list[str]:
        """The measures the body asks for (``nøgletal``)."""
        return list(self.body.get("nøgletal", []))

    def as_dict(self) -> dict[str, Any]:
        """Body and mapping as plain data (what is hashed and stored in a sidecar)."""
        mapping: dict[str, Any] = {"dimensions": dict(self.dimensions), "measures": dict(self.measures)}
        if self.status_key:
            mapping["status"] = {"key": self.status_key, "members": dict(self.status_members)}
        return {"layout": self.layout, "body": self.body, "mapping": mapping}

    def sha256(self) -> str:
        """SHA-256 of the canonical JSON of :meth:`as_dict` (sorted keys, UTF-8)."""
        text = json.dumps(self.as_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def columns(self) -> list[str]:
        """Every project column the mapping can produce, dimensions first."""
        cols = list(self.dimensions.values())
        if self.status_key:
            cols += [f"{s} {m}" for s in self.status_members.values() for m in self.measures.values()]
        else:
            cols += list(self.measures.values())
        return cols


def _str_map(value: object, key: str, file: str, problems: list[Problem]) -> dict[str, str]:
    if not isinstance(value, dict) or not value or not all(isinstance(k, str) and isinstance(v, str)
                                                           for k, v in value.items()):
        problems.append(Problem(file, f"key '{key}' must be a non-empty mapping of text to text"))
        return {}
    return dict(value)


def query_from_dict(data: object, file: str) -> SavedQuery:
    """Check a parsed query (see the module docstring) and return it.

    Raises
    ------
    InputError
        Naming the file and the key for every problem found.
    """
    if not isinstance(data, dict):
        raise InputError(Problem(file, "a saved query must be a mapping with the keys 'body' and 'mapping'"))
    problems: list[Problem] = []
    unknown = sorted(set(data) - {"body", "mapping", "layout", "unverified", "description"})
    if unknown:
        problems.append(Problem(file, f"unknown key(s) {', '.join(unknown)}; known: body, mapping, layout, "
                                      "unverified, description"))
    layout = data.get("layout", "published")
    if layout not in LAYOUTS:
        problems.append(Problem(file, f"key 'layout' must be one of {', '.join(LAYOUTS)}, got {layout!r}"))
    body = data.get("body")
    if not isinstance(body, dict):
        problems.append(Problem(file, "key 'body' (the request body) is missing or not a mapping"))
        body = {}
    bad = sorted(set(body) - set(BODY_KEYS))
    if bad:
        problems.append(Problem(file, f"key 'body' has unknown field(s) {', '.join(bad)}; the API's fields are "
                                      f"{', '.join(BODY_KEYS)}"))
    for key in ("område", "emne", "underemne"):
        if not isinstance(body.get(key), str) or not body.get(key):
            problems.append(Problem(file, f"key 'body.{key}' must be a non-empty text (the cube code; find it "
                                          "with 'sosu-analysis fetch --catalogue')"))
    measures_asked = body.get("nøgletal")
    if not isinstance(measures_asked, list) or not measures_asked or not all(isinstance(m, str)
                                                                              for m in measures_asked):
        problems.append(Problem(file, "key 'body.nøgletal' must be a non-empty list of measure names"))
    size = body.get("side_størrelse", 1000)
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= 100_000:
        problems.append(Problem(file, f"key 'body.side_størrelse' must be a whole number 1-100000, got {size!r}"))
    mapping = data.get("mapping")
    if not isinstance(mapping, dict):
        problems.append(Problem(file, "key 'mapping' (answer keys -> project columns) is missing or not a mapping"))
        mapping = {}
    dims = _str_map(mapping.get("dimensions"), "mapping.dimensions", file, problems)
    meas = _str_map(mapping.get("measures"), "mapping.measures", file, problems)
    if isinstance(measures_asked, list) and meas:
        missing = [m for m in measures_asked if m not in meas]
        if missing:
            problems.append(Problem(file, f"key 'mapping.measures' does not map the measure(s) {', '.join(missing)} "
                                          "that body.nøgletal asks for"))
    status_key, status_members = None, {}
    status = mapping.get("status")
    if status is not None:
        if not isinstance(status, dict) or not isinstance(status.get("key"), str):
            problems.append(Problem(file, "key 'mapping.status' must have 'key' (an answer key) and 'members'"))
        else:
            status_key = status["key"]
            status_members = _str_map(status.get("members"), "mapping.status.members", file, problems)
    unverified = data.get("unverified", "")
    if not isinstance(unverified, str):
        problems.append(Problem(file, "key 'unverified' must be a text"))
        unverified = ""
    if problems:
        raise InputError(problems)
    clean_body = {k: v for k, v in body.items() if k != "side"}
    clean_body.setdefault("side_størrelse", 1000)
    return SavedQuery(body=clean_body, dimensions=dims, measures=meas, status_key=status_key,
                      status_members=status_members, layout=layout, unverified=unverified, source=file)


def load_query(path: str | os.PathLike, display_name: str | None = None) -> SavedQuery:
    """Read and check a saved query YAML."""
    file = display_name or str(path)
    p = Path(path)
    if not p.is_file():
        raise InputError(Problem(file, "saved query not found"))
    from ..input_policy import read_yaml_file  # the one safe YAML loader (no aliases, capped size)

    return query_from_dict(read_yaml_file(p, file), file)
