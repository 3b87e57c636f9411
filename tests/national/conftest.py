"""Fixtures of the national tests: the local stand-in for the statistics API (see national_helpers)."""

from __future__ import annotations

import pytest
from national_helpers import FakeAPI


@pytest.fixture
def fake_api():
    api = FakeAPI().start()
    try:
        yield api
    finally:
        api.timer.cancel()
        api.stop()
        api.thread.join(timeout=5)
