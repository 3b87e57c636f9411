"""The plan's own evidence: questionnaires and pulse measurements at pilot and comparison campuses.

Importing this package registers the input kinds ``survey`` (the long
layout, one row per respondent × item) and ``survey_items`` (the item table)
with :mod:`sosu_analysis.readers.validation`, so ``sosu-analysis validate`` checks
them.

Public API
----------
- :func:`read_survey`, :func:`validate_survey`, :func:`read_items`: input.
- :func:`respondent_scores`, :func:`to_0_100`: scoring (:mod:`.scoring`).
- :func:`clustered_mean` and the contrasts of :mod:`.estimate`.
- :mod:`.tables`, :mod:`.section`, :mod:`.plots`: the chapter and the report section.
- :func:`generate_survey` (:mod:`.synth`) and :func:`wide_to_long` (:mod:`.importer`).
"""

from pathlib import Path
from typing import TYPE_CHECKING

from ..readers.validation import Kind, register
from ..students._parse import key
from .items import read_items
from .reader import SURVEY_COLUMNS, read_survey, validate_survey
from .scoring import respondent_scores, to_0_100

if TYPE_CHECKING:
    from .estimate import Contrast, Estimate, campus_means_t, clustered_mean

# The estimators are imported when first used (PEP 562): they need scipy.stats and the campus
# comparison's core, which a module that only reads or scores answers (the interviews' register)
# need not load.
_ESTIMATE = frozenset({"Contrast", "Estimate", "campus_means_t", "clustered_mean"})


def __getattr__(name: str):
    if name in _ESTIMATE:
        from . import estimate

        return getattr(estimate, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["SURVEY_COLUMNS", "Contrast", "Estimate", "campus_means_t", "clustered_mean", "read_items",
           "read_survey", "respondent_scores", "to_0_100", "validate_survey"]


def _headers(header: list[str]) -> set[str]:
    return {key(h) for h in header}


register(Kind(
    name="survey",
    description="survey answers: respondent_id, programme, campus, intake, wave, intervention, item, answer",
    matches=lambda header: {"respondent_id", "item", "answer"} <= _headers(header),
    check=lambda path, file: validate_survey(Path(path), file),
))

register(Kind(
    name="survey_items",
    description="survey item table: item, text, reverse, index, source",
    matches=lambda header: {"item", "text", "reverse", "index"} <= _headers(header),
    check=lambda path, file: read_items(Path(path), file),
))
