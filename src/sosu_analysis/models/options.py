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

__all__ = ["CovType", "Language", "ModelName", "Outcome"]
