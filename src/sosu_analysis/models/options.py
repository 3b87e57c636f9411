"""Typed options of the models subpackage (``Literal`` aliases: a wrong option fails early)."""

from __future__ import annotations

from typing import Literal

from ..definitions import Outcome

#: the logistic models fitted per outcome definition (extra grouping columns are added to each)
ModelName = Literal["programme", "year", "additive", "interaction"]
#: language of the generated sentences
Language = Literal["en", "da"]
#: covariance used for standard errors
CovType = Literal["binomial", "quasi"]

#: keys of :func:`sosu_analysis.models.api.run_all`'s result (here, not in ``api``, so that the chapter
#: that only reads the tables back does not import every model)
RESULT_KEYS: tuple[str, ...] = (
    "logit_models", "marginal_effects", "lr_tests", "trend_tests", "multinomial_shares", "dispersion",
    "goal_distance", "segmented_trend", "trend_curves", "multinomial_models", "multinomial_lr_tests", "settings",
)

#: the table (:mod:`sosu_analysis.reporting.contracts`) each result is written to; ``settings`` is ``model_settings``
TABLE_NAMES: dict[str, str] = {k: ("model_settings" if k == "settings" else k) for k in RESULT_KEYS}

__all__ = ["RESULT_KEYS", "TABLE_NAMES", "CovType", "Language", "ModelName", "Outcome"]
