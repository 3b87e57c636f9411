"""Which kind of input a file is, and checking it: the engine of ``sosu-analysis validate``.

Each input kind registers a :class:`Kind`: a test on the header that says the
file is of that kind, and a ``check`` that reads and validates the whole file
(raising :class:`~sosu_analysis.errors.InputError`). Readers of new kinds call
:func:`register` at import time; :data:`KIND_MODULES` lists the modules that
do so, so that ``validate`` knows every kind.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, Problem
from .rawtable import read_raw_table

#: modules whose import registers an input kind
KIND_MODULES = (
    "sosu_analysis.published",
    "sosu_analysis.goals",
    "sosu_analysis.students",
    "sosu_analysis.national.etu",
    "sosu_analysis.survey",
)


@dataclass(frozen=True)
class Kind:
    name: str
    description: str
    matches: Callable[[list[str]], bool]
    check: Callable[[Path, str], object]


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    _KINDS[kind.name] = kind


def kinds() -> dict[str, Kind]:
    for mod in KIND_MODULES:
        importlib.import_module(mod)
    return dict(_KINDS)


def detect_kind(path: str | os.PathLike, display_name: str | None = None) -> Kind:
    """Return the registered kind whose header test accepts the file's header."""
    file = display_name or str(path)
    table = read_raw_table(path, file)
    known = kinds()
    for kind in known.values():
        if kind.matches(table.header):
            return kind
    names = ", ".join(f"{k.name} ({k.description})" for k in known.values())
    raise InputError(
        Problem(file, f"the header matches no known input table; expected one of: {names}. "
                      f"Header found: {', '.join(table.header)}", row=1)
    )


def validate_file(path: str | os.PathLike, display_name: str | None = None) -> tuple[Kind, object]:
    """Detect the file's kind and check it; return the kind and what its check returned."""
    file = display_name or str(path)
    kind = detect_kind(path, file)
    return kind, kind.check(Path(path), file)
