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

from ..errors import InputError, Problem
from .rawtable import NOT_SHOWN, read_header

#: modules whose import registers an input kind
KIND_MODULES = (
    "sosu_analysis.readers.published",
    "sosu_analysis.readers.goals",
    "sosu_analysis.students",
    "sosu_analysis.national.etu",
    "sosu_analysis.survey",
    "sosu_analysis.interviews",
)


@dataclass(frozen=True)
class Kind:
    """An input kind: its name, a header test, and the check that reads and validates a file of it."""

    name: str
    description: str
    matches: Callable[[list[str]], bool]
    check: Callable[[Path, str], object]
    #: columns (case-insensitive) whose presence says a file is *not* of this kind, even if ``matches``
    #: accepts its header: a student extract with a ``pilot`` column is not the campus table
    excludes: tuple[str, ...] = ()

    def accepts(self, header: list[str]) -> bool:
        """Tell whether ``header`` is of this kind: the header test passes and no excluding column is present."""
        names = {h.strip().casefold() for h in header}
        return self.matches(header) and not any(x.casefold() in names for x in self.excludes)


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    """Register an input kind (called by the readers at import time)."""
    _KINDS[kind.name] = kind


def kinds() -> dict[str, Kind]:
    """Return every registered input kind, importing the modules that register them."""
    for mod in KIND_MODULES:
        importlib.import_module(mod)
    return dict(_KINDS)


def detect_kind(path: str | os.PathLike, display_name: str | None = None) -> Kind:
    """Return the registered kind whose header test accepts the file's header."""
    file = display_name or str(path)
    header = read_header(path, file)
    known = kinds()
    found = [kind for kind in known.values() if kind.accepts(header)]
    if len(found) == 1:
        return found[0]
    if found:
        raise InputError(Problem(file, "the header fits more than one kind of input table ("
                                       + ", ".join(k.name for k in found) + "); remove or rename the columns "
                                       "that do not belong to the table you mean", row=1))
    names = "; ".join(f"{k.name} ({k.description})" for k in known.values())
    raise InputError(
        Problem(file, f"the first line is not the header of any known input table ({NOT_SHOWN}); "
                      f"expected one of: {names}", row=1)
    )


def validate_file(path: str | os.PathLike, display_name: str | None = None) -> tuple[Kind, object]:
    """Detect the file's kind and check it; return the kind and what its check returned."""
    file = display_name or str(path)
    kind = detect_kind(path, file)
    return kind, kind.check(Path(path), file)
