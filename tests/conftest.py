"""Shared fixtures: the project root and the shipped raw tables."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline_groups import PIPELINE_GROUPS, pipeline_group

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED_CSV = ROOT / "data/raw/uddannelsesstatistik_sosuh_hovedforloeb_3mdr_2022-2024.csv"
GOALS_CSV = ROOT / "data/raw/national_goals_danske_sosu_skoler.csv"

os.environ.setdefault("SOSU_PROJECT_ROOT", str(ROOT))


def pytest_collection_modifyitems(config, items):
    """Mark every test that uses a whole-pipeline fixture ``e2e`` (``make unit`` leaves them out)."""
    for item in items:
        if any(f in getattr(item, "fixturenames", ()) for f in PIPELINE_GROUPS):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(optionalhook=True)  # an xdist hook: unknown when xdist is off (-p no:xdist)
def pytest_xdist_make_scheduler(config, log):
    """Schedule tests one by one, except the files of a whole-pipeline fixture, which go together.

    pytest-xdist's own ``--dist loadgroup`` cannot be used: with pytest 9.2 it no longer sees its
    ``xdist_group`` marks (it renames ``item._nodeid``, which pytest 9.2 no longer reads), so the whole
    runs were repeated on both workers. The controller sees only node ids, so the group is the test
    file's: a file that names the fixture (the controller cannot see fixture closures).
    """
    from xdist.scheduler import LoadScopeScheduling

    class PipelineGroups(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return pipeline_group(nodeid.split("::", 1)[0]) or nodeid

    return PipelineGroups(config, log)


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def published_text() -> str:
    return PUBLISHED_CSV.read_text(encoding="utf-8")


@pytest.fixture
def write_variant(tmp_path):
    """Write ``text`` to a file in ``tmp_path`` with the given encoding; return its path."""

    def _write(text: str, name: str = "table.csv", encoding: str = "utf-8") -> Path:
        p = tmp_path / name
        p.write_bytes(text.encode(encoding))
        return p

    return _write


@pytest.fixture(scope="session")
def fresh_run(tmp_path_factory):
    """The whole pipeline with the default config, into a temporary folder (once per test session)."""
    from sosu_analysis.pipeline.config import load_config
    from sosu_analysis.pipeline.run import run_pipeline

    out = tmp_path_factory.mktemp("run") / "reports"
    cfg = load_config("config/default.yaml")
    run_pipeline(cfg, out, progress=lambda _: None)
    return cfg, out


#: power simulations of a run that tests wiring and verdicts, not the power (the shipped config has 200);
#: the power numbers themselves are checked by tests/did and against the committed tables (``fresh_run``)
WIRING_POWER_REPS = 20
#: placebo replications of chapter 11's synthetic DiD in such a run (shipped: 200); the estimator and its
#: placebo standard error are checked by tests/did/test_sdid*.py and against the committed tables
WIRING_SDID_REPLICATIONS = 20


@pytest.fixture(scope="session")
def wiring_config(tmp_path_factory) -> Path:
    """The default config with :data:`WIRING_POWER_REPS` and :data:`WIRING_SDID_REPLICATIONS` (a file, written once)."""
    import yaml

    cfg = yaml.safe_load((ROOT / "config/default.yaml").read_text(encoding="utf-8"))
    cfg["power_reps"] = WIRING_POWER_REPS
    cfg["sdid_replications"] = WIRING_SDID_REPLICATIONS
    path = tmp_path_factory.mktemp("wiring") / "config.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return path


def _digest(folder: Path) -> dict[str, str]:
    import hashlib

    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def synth_run(tmp_path_factory, wiring_config):
    """The whole pipeline on another synthetic extract, as a user runs it; each extract once per session.

    ``synth_run(seed, effect, scale=1.0)`` runs ``sosu-analysis synth`` and then
    ``sosu-analysis run --config C --students FILE --output DIR`` (subprocesses, as a user would;
    ``C`` is the default config with :data:`WIRING_POWER_REPS` power simulations) and returns
    ``{"out", "students", "stderr", "before", "changed"}``: ``before`` holds the digests of
    ``data/processed`` and ``reports`` taken before the run, ``changed()`` names those folders that
    differ from them now. Tests that need the same extract share the run.
    """
    import subprocess
    import sys

    runs: dict[tuple[int, float, float], dict] = {}

    def run(seed: int, effect: float, scale: float = 1.0) -> dict:
        key = (seed, float(effect), float(scale))
        if key not in runs:
            folder = tmp_path_factory.mktemp(f"synth{seed}")
            students = folder / f"students_synthetic_seed{seed}_effect{effect:g}.csv"
            before = {d: _digest(ROOT / d) for d in ("data/processed", "reports")}
            cli = [sys.executable, "-m", "sosu_analysis"]
            res = subprocess.run(cli + ["synth", "--seed", str(seed), f"--effect={effect}", f"--scale={scale}",
                                        "--out", str(students)], capture_output=True, text=True, cwd=ROOT,
                                 timeout=600)
            assert res.returncode == 0, res.stderr
            out = folder / "reports"
            res = subprocess.run(cli + ["run", "--config", str(wiring_config), "--students", str(students),
                                        "--output", str(out)], capture_output=True, text=True, cwd=ROOT,
                                 timeout=1800)
            assert res.returncode == 0, res.stderr
            runs[key] = {"out": out, "students": students, "stderr": res.stderr, "before": before,
                         "changed": lambda b=before: [d for d, h in b.items() if _digest(ROOT / d) != h]}
        return runs[key]

    return run
