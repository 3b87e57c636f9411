"""The plan's group interviews: coded interview material in, themes, quotes and a joint display out.

Importing this package registers the input kinds ``interview_register``,
``interview_codes`` and ``interview_export`` (an export whose header fits
one of the project's mappings ``config/interviews_*.yaml``, the MAXQDA
default first) with :mod:`sosu_analysis.readers.validation`, so
``sosu-analysis validate`` checks them; ``validate`` checks an export
against the default config's register and codebook. ``sosu-analysis run``
checks the export through the mapping the config names
(``interview_mapping``) against the config's register and codebook.

Public API
----------
- :func:`read_register`, :func:`read_codebook`, :func:`read_mapping`,
  :func:`read_export`, :func:`read_names`: the inputs.
- :func:`theme_counts`, :func:`select_quotes`, :func:`joint_display`: the results.
- :func:`load_interviews`, :func:`analyse` (:mod:`.analysis`): one call for the chapter.
- :mod:`.synth`: the SYNTHETIC stand-in (``sosu-analysis synth-interviews``).
"""

import copy
from pathlib import Path

from ..readers.validation import Kind
from ..readers.validation import register as register_kind
from ..students._parse import key
from .codebook import DEFAULT_CODES, read_codebook
from .joint import joint_display
from .qda import export_header_matches, read_export, read_mapping
from .quotes import read_names, select_quotes
from .register import read_register
from .themes import theme_counts

__all__ = ["joint_display", "read_codebook", "read_export", "read_mapping", "read_names", "read_register",
           "select_quotes", "theme_counts"]

#: the shipped default mapping (MAXQDA's "Retrieved segments" export)
DEFAULT_MAPPING = "config/interviews_maxqda.yaml"
#: the shipped register an export is checked against by ``validate`` (the config's default; tests/interviews
#: checks the two agree, since a data source may not read the pipeline's config)
DEFAULT_REGISTER = "data/raw/synthetic/interviews_register_synthetic_seed20250801.csv"


def _headers(header: list[str]) -> set[str]:
    return {key(h) for h in header}


def _project_file(rel: str) -> Path | None:
    from ..paths import project_root

    try:
        p = project_root() / rel
    except FileNotFoundError:
        return None
    return p if p.is_file() else None


def _project_measures() -> list[str] | None:
    from ..survey.reader import project_items

    items = project_items()
    return list(dict.fromkeys([*items["index"], *items["item"]])) if items is not None else None


def _check_register(path: Path, file: str):
    from ..students.campuses import project_campuses
    from ..survey.reader import project_interventions

    campuses = project_campuses()
    return read_register(path, campuses, project_interventions(campuses), display_name=file)


def _mappings() -> list[dict]:
    """Return the project's mappings: the default first, then the examples ``config/interviews_*.yaml``."""
    from ..paths import project_root

    try:
        folder = project_root() / "config"
    except FileNotFoundError:
        return []
    paths = sorted(folder.glob("interviews_*.yaml"), key=lambda p: (f"config/{p.name}" != DEFAULT_MAPPING, p.name))
    return [_read_mapping_once(p, f"config/{p.name}") for p in paths]


#: the mappings read so far, by path, display name and the file's bytes (a few small YAML files)
_MAPPINGS_READ: dict[tuple[str, str, bytes], dict] = {}


def _read_mapping_once(path: Path, display_name: str) -> dict:
    """Return :func:`read_mapping` of ``path``, parsing each content of the file once per process.

    ``validate`` asks every file's header whether it is an export, which read every mapping again for each
    file (the YAML parser is pure Python). The key holds the file's bytes, so an edited mapping is read
    anew; a mapping that fails is never kept (its error is raised each time); a copy is returned.
    """
    try:
        content = path.read_bytes()
    except OSError:
        return read_mapping(path, display_name=display_name)  # its own message for a file it cannot read
    k = (str(path), display_name, content)
    if k not in _MAPPINGS_READ:
        if len(_MAPPINGS_READ) > 64:
            _MAPPINGS_READ.clear()
        _MAPPINGS_READ[k] = read_mapping(path, display_name=display_name)
    return copy.deepcopy(_MAPPINGS_READ[k])


def _mapping_for(header: list[str]) -> dict | None:
    return next((m for m in _mappings() if export_header_matches(header, m)), None)


def _check_export(path: Path, file: str):
    """Check an export in the default layout against the config's register and codebook (``validate``)."""
    reg_rel, codes_rel = DEFAULT_REGISTER, DEFAULT_CODES
    reg, codes = _project_file(reg_rel), _project_file(codes_rel)
    if reg is None or codes is None:
        from ..errors import InputError, Problem

        raise InputError(Problem(file, f"an interview export is checked against the register and the codebook, but "
                                       f"{reg_rel} or {codes_rel} is missing"))
    from ..readers.rawtable import read_header

    register_ = _check_register(reg, reg_rel)
    codebook = read_codebook(codes, _project_measures(), display_name=codes_rel)
    return read_export(path, _mapping_for(read_header(path, file)) or {}, register_, codebook, display_name=file)


register_kind(Kind(
    name="interview_register",
    description="interview register: interview_id, campus, intake, wave, intervention, participants, quotes_approved",
    matches=lambda header: {"interview_id", "participants", "quotes_approved"} <= _headers(header),
    check=_check_register,
))

register_kind(Kind(
    name="interview_codes",
    description="interview codebook: code, theme, description, criterion (survey_measure, valence)",
    matches=lambda header: {"code", "theme", "criterion"} <= _headers(header),
    check=lambda path, file: read_codebook(Path(path), _project_measures(), display_name=file),
))

register_kind(Kind(
    name="interview_export",
    description=f"coded segments of a QDA export in the layout of a mapping config/interviews_*.yaml (default "
                f"{DEFAULT_MAPPING}, MAXQDA: Dokumentname, Kode, Segment)",
    matches=lambda header: _mapping_for(header) is not None,
    check=_check_export,
))

__all__ += ["DEFAULT_CODES", "DEFAULT_MAPPING", "DEFAULT_REGISTER"]
