"""The test scheduler's groups (tests/conftest.py) match the fixtures the tests really use.

The xdist controller sees only node ids, so the scheduler groups a test file by the whole-pipeline
fixture its text names. A test that reached ``fresh_run`` or ``synth_run`` through a fixture of another
file would escape its group and run that whole pipeline a second time on the other worker: every
collected test that uses such a fixture (its fixture closure, as pytest resolved it) must be in a file
of that fixture's group.
"""

from __future__ import annotations

from pipeline_groups import PIPELINE_GROUPS, pipeline_group


def test_every_test_of_a_whole_pipeline_fixture_is_in_its_group(request):
    checked = 0
    for item in request.session.items:
        used = [f for f in PIPELINE_GROUPS if f in getattr(item, "fixturenames", ())]
        if not used:
            continue
        checked += 1
        path = item.nodeid.split("::", 1)[0]
        assert pipeline_group(path) in {PIPELINE_GROUPS[f] for f in used}, item.nodeid
        assert item.get_closest_marker("e2e") is not None, item.nodeid
    assert checked > 0 or len(request.session.items) < 50  # a whole-suite run has them
