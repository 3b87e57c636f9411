"""The project's vocabulary: outcome definitions, programmes, their labels and colours, the small-cell rule.

Every layer (readers, statistics, figures, the Danish report) takes these
names from here, so that a label or a column name is defined once.

Outcome definitions (see the BRIEF and the README):

- ``incl_switch``: dropout = *afbrudt totalt*; a student who switched to
  another programme counts as a dropout;
- ``excl_switch``: dropout = *afbrudt uden omvalg*; a switcher stays in
  education and is not a dropout.

Both are shares of the whole intake (``n_cohort``), as the ministry publishes
them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal, get_args

__all__ = [
    "MIN_CELL", "OUTCOMES", "OUTCOME_LABEL_DA", "OUTCOME_LABEL_EN", "OUTCOME_NAMES", "PILOT_PROGRAMME",
    "PROGRAMMES", "PROGRAMME_CODES",
    "PROGRAMME_COLOURS", "TABLE1_ORDER", "GOAL_DEFINITION", "GOAL_PROGRAMMES", "Outcome", "OutcomeSpec", "Programme",
    "ProgrammeSpec", "goal_applies", "outcome", "programme_code", "text_key",
]

#: the two outcome definitions, as they are named in every table (column ``outcome_definition``)
Outcome = Literal["incl_switch", "excl_switch"]
#: the programme codes
Programme = Literal["SSA", "SSH", "PAU"]


@dataclass(frozen=True)
class OutcomeSpec:
    """One outcome definition: where its dropouts are counted and what it is called.

    Attributes
    ----------
    name : {"incl_switch", "excl_switch"}
        The code used in every table.
    count_column : str
        Column of the dropout count in the cell tables (published table,
        campus aggregates): ``n_dropout_total`` / ``n_dropout_noswitch``.
    student_column : str
        Column of the 0/1 dropout flag in the derived student-level frame.
    ministry : str
        The ministry's name of the column (*afbrudt totalt* / *afbrudt uden omvalg*).
    label_en, label_da : str
        Short labels (``"incl. switching"``, ``"inkl. omvalg"``).
    """

    name: Outcome
    count_column: str
    student_column: str
    ministry: str
    label_en: str
    label_da: str

    @property
    def long_en(self) -> str:
        """English label with the ministry's name: ``"incl. switching (afbrudt totalt)"``."""
        return f"{self.label_en} ({self.ministry})"

    @property
    def long_da(self) -> str:
        """Danish label with the ministry's name: ``"inkl. omvalg (afbrudt totalt)"``."""
        return f"{self.label_da} ({self.ministry})"


#: the outcome definitions, in the order every table and figure shows them
OUTCOMES: dict[Outcome, OutcomeSpec] = {
    "incl_switch": OutcomeSpec("incl_switch", "n_dropout_total", "dropout_total", "afbrudt totalt",
                               "incl. switching", "inkl. omvalg"),
    "excl_switch": OutcomeSpec("excl_switch", "n_dropout_noswitch", "dropout_noswitch", "afbrudt uden omvalg",
                               "excl. switching", "ekskl. omvalg"),
}
#: the outcome codes, in order
OUTCOME_NAMES: tuple[Outcome, ...] = get_args(Outcome)
#: outcome code -> its short English / Danish label ("incl. switching" / "inkl. omvalg"), for tables and figures
OUTCOME_LABEL_EN: dict[str, str] = {name: spec.label_en for name, spec in OUTCOMES.items()}
OUTCOME_LABEL_DA: dict[str, str] = {name: spec.label_da for name, spec in OUTCOMES.items()}


def outcome(name: str) -> OutcomeSpec:
    """Look up the :class:`OutcomeSpec` of ``name``; a clear ``ValueError`` for a name that is not one."""
    try:
        return OUTCOMES[name]  # type: ignore[index]
    except KeyError:
        raise ValueError(f"unknown outcome definition {name!r}; expected one of {list(OUTCOMES)}") from None


@dataclass(frozen=True)
class ProgrammeSpec:
    """One programme (uddannelse): code, names and the colour of its figures.

    Attributes
    ----------
    code : {"SSA", "SSH", "PAU"}
    name_da : str
        Danish name as the statistics site writes it (lower case).
    name_en : str
        English name.
    colour : str
        Colour of the programme in every figure (seaborn's "deep" palette).
    aliases : tuple of str
        Other names the published tables and the seed use (lower case); the
        readers of the published tables recognise these and ``code``.
    """

    code: Programme
    name_da: str
    name_en: str
    colour: str
    aliases: tuple[str, ...]

    @property
    def title_da(self) -> str:
        """``"social- og sundhedsassistent (SSA)"``."""
        return f"{self.name_da} ({self.code})"


#: the programmes, SSA first (the largest, and the one the interventions target), as the report lists them
PROGRAMMES: dict[Programme, ProgrammeSpec] = {
    "SSA": ProgrammeSpec("SSA", "social- og sundhedsassistent", "social and healthcare assistant", "#DD8452",
                         ("social- og sundhedsassistentuddannelse", "social- og sundhedsassistentuddannelsen",
                          "sosu-assistent")),
    "SSH": ProgrammeSpec("SSH", "social- og sundhedshjælper", "social and healthcare helper", "#55A868",
                         ("social- og sundhedshjælperuddannelse", "social- og sundhedshjælperuddannelsen",
                          "sosu-hjælper")),
    "PAU": ProgrammeSpec("PAU", "pædagogisk assistent", "pedagogical assistant", "#4C72B0",
                         ("pædagogisk assistentuddannelse", "pædagogisk assistentuddannelsen")),
}
#: the programme codes, in :data:`PROGRAMMES` order
PROGRAMME_CODES: tuple[Programme, ...] = tuple(PROGRAMMES)
#: the order of the published Table 1 (alphabetical by Danish name), used by its figures
TABLE1_ORDER: tuple[Programme, ...] = ("PAU", "SSA", "SSH")
#: programme code -> figure colour
PROGRAMME_COLOURS: dict[str, str] = {code: p.colour for code, p in PROGRAMMES.items()}
#: the programme the school's 2025 interventions cover (the "treated" programme of the campus comparison)
PILOT_PROGRAMME: Programme = "SSA"
#: the programmes the national dropout goal of Danske SOSU-skoler (12 %, seed 000) applies to
GOAL_PROGRAMMES: tuple[Programme, ...] = ("SSA", "SSH")
#: the outcome definition the goal is read as: dropout incl. switching, the ministry's measure (seed 000 does
#: not say; docs/decisions.md, "The goal")
GOAL_DEFINITION: Outcome = "incl_switch"


def text_key(text: object) -> str:
    """Return the key a name is matched by: NFC, stripped, case-folded, inner whitespace collapsed.

    The one text normaliser of the package's readers (column headers, programme
    and campus names): ``" Social-  og Sundhedsassistent "`` and
    ``"social- og sundhedsassistent"`` have the same key; a decomposed ``ø``
    (as macOS may write it) the same as a composed one.
    """
    return " ".join(unicodedata.normalize("NFC", str(text)).strip().casefold().split())


def programme_code(name: str) -> Programme | None:
    """Return the programme a name or code means (``"Social- og sundhedsassistent"`` -> ``"SSA"``).

    The one programme lookup: the code (any case), the Danish name and the
    aliases of :data:`PROGRAMMES`, matched by :func:`text_key`. ``None`` for a
    programme the project does not study.
    """
    return _PROGRAMME_BY_KEY.get(text_key(name))


_PROGRAMME_BY_KEY: dict[str, Programme] = {text_key(n): code for code, p in PROGRAMMES.items()
                                           for n in (code, p.name_da, *p.aliases)}


def goal_applies(programme: str | None, definition: str) -> bool:
    """Return whether the national dropout goal applies to ``programme`` under outcome ``definition``.

    The one rule every table, sentence and figure uses: the goal is stated for
    :data:`GOAL_PROGRAMMES` and read as :data:`GOAL_DEFINITION`. ``programme=None``
    asks about a panel of ``definition`` that shows several programmes: the
    goal line belongs on it when it applies to any goal programme there.
    """
    if definition != GOAL_DEFINITION:
        return False
    return programme is None or programme in GOAL_PROGRAMMES

#: smallest number of students a published cell from student-level data may show (the project's privacy rule)
MIN_CELL = 5

#: drawn on every figure and shown on every page made from synthetic student data (the readers
#: attach it to what they load; :mod:`sosu_analysis.reporting.plotting` draws it)
SYNTHETIC_WATERMARK = "SYNTETISKE DATA – ikke resultater for SOSU H"

#: the statuses of the ministry's published table: (tidy suffix, Danish label)
STATUSES: tuple[tuple[str, str], ...] = (
    ("in_progress", "I gang"),
    ("dropout_switch", "Afbrudt med omvalg"),
    ("dropout_noswitch", "Afbrudt uden omvalg"),
    ("dropout_total", "Afbrudt totalt"),
)

#: the two groups of campuses, in the campus comparison and in the survey alike (one code set)
CampusGroup = Literal["pilot", "non-pilot"]
CAMPUS_GROUPS: tuple[CampusGroup, ...] = get_args(CampusGroup)
#: intakes before the first pilot start, and from it (one code set)
Period = Literal["pre", "post"]
PERIODS: tuple[Period, ...] = get_args(Period)

#: the one label of each group and period: in a figure or a table column (Danish, English) ...
CAMPUS_GROUP_LABEL_DA: dict[str, str] = {"pilot": "Pilotafdelinger", "non-pilot": "Øvrige afdelinger"}
CAMPUS_GROUP_LABEL_EN: dict[str, str] = {"pilot": "pilot", "non-pilot": "non-pilot"}
PERIOD_LABEL_DA: dict[str, str] = {"pre": "Før pilotstart", "post": "Fra pilotstart"}
PERIOD_LABEL_EN: dict[str, str] = {"pre": "pre", "post": "post"}
#: ... and inside a Danish sentence
CAMPUS_GROUP_IN_TEXT_DA: dict[str, str] = {"pilot": "pilotafdelingerne", "non-pilot": "de øvrige afdelinger"}
PERIOD_IN_TEXT_DA: dict[str, str] = {"pre": "optag før pilotstart", "post": "optag fra pilotstart"}
