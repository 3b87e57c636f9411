"""Which test files belong to one whole-pipeline run (used by tests/conftest.py's xdist scheduler)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: the session fixtures that run the whole pipeline, and the group of the test files that use them: with
#: ``make test`` (pytest-xdist, ``-n auto``) a group goes to one worker, so each whole run still happens once
#: per session, and the two groups, the largest units of work, start first, side by side
PIPELINE_GROUPS = {"fresh_run": "pipeline-default", "imported_run": "pipeline-default",
                   "synth_run": "pipeline-synthetic"}


@functools.cache
def pipeline_group(path: str) -> str | None:
    """The group of a test file: the first whole-pipeline fixture its text names, else ``None``."""
    text = (ROOT / path).read_text(encoding="utf-8") if (ROOT / path).is_file() else ""
    for fixture, group in PIPELINE_GROUPS.items():
        if re.search(rf"\b{fixture}\b", text):
            return group
    return None
