"""A stand-in for papermill in the scheduler's tests (tests/test_chapters.py): standard library only,
so that the spawned worker that imports it starts fast."""

from __future__ import annotations

import json
import os
import time


def fake_chapter(log: str, name: str, seconds: float, fail: bool):
    """Record start and end of a chapter; return a failed cell when ``fail``."""
    start = time.monotonic()
    time.sleep(seconds)
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"name": name, "start": start, "end": time.monotonic(), "pid": os.getpid()}) + "\n")
    return (3, "ValueError", "planted") if fail else None
