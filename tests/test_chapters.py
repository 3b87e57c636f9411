"""Which chapter of a run waits for which, the scheduler that runs them side by side, and the read guard.

The references are written by hand from what each chapter's notebook reads (its import and read
lines): 11_design reads did, event_study and power (chapters 04, 05) and table1 (00); 10_interviews
reads survey_contrasts (09); the lead report reads everything; 04 and 05 read only the run's study data.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from chapter_stub import fake_chapter
from sosu_analysis.pipeline.chapters import dependencies, run_chapters, schedule
from sosu_analysis.pipeline.config import load_config
from sosu_analysis.pipeline.run import usable_cores
from sosu_analysis.reporting import contracts, outputs

ROOT = Path(__file__).resolve().parents[1]
TAKES_PROCESSED = {"00_clean", "01_descriptives", "02_logistic_models", "03_trends", "06_rapport", "08_wellbeing"}


def _default_deps():
    cfg = load_config("config/default.yaml")
    return cfg, dependencies(cfg.notebooks, cfg.lead_report, lambda n: n in TAKES_PROCESSED)


def test_default_run_dependencies_by_hand():
    cfg, deps = _default_deps()
    assert deps["00_clean"] == ()
    assert deps["01_descriptives"] == ("00_clean",)
    assert deps["02_logistic_models"] == ("00_clean",)
    assert deps["03_trends"] == ("00_clean", "02_logistic_models")
    assert deps["04_pilot_vs_nonpilot"] == ()  # the run's study data only
    assert deps["05_power"] == ()
    assert deps["07_national"] == ()
    assert deps["08_wellbeing"] == ("00_clean",)
    assert deps["09_survey"] == ()
    assert deps["10_interviews"] == ("09_survey",)
    assert deps["11_design"] == ("00_clean", "04_pilot_vs_nonpilot", "05_power")
    assert deps["06_rapport"] == tuple(n for n in cfg.notebooks if n != "06_rapport")  # the lead waits for all


def test_one_worker_is_the_sequential_order_and_two_start_the_long_chapters_early():
    cfg, deps = _default_deps()
    assert [r[0] for r in schedule(cfg.notebooks, deps, 1)] == list(cfg.notebooks)
    rounds = schedule(cfg.notebooks, deps, 2)
    assert rounds[0] == ["00_clean", "04_pilot_vs_nonpilot"]
    assert rounds[-1] == ["06_rapport"]


def test_a_writer_after_its_reader_is_not_waited_for_and_an_unknown_chapter_waits_for_all_before_it():
    deps = dependencies(["11_design", "04_pilot_vs_nonpilot", "99_mine", "05_power", "06_rapport"], "06_rapport",
                        lambda n: False)
    assert deps["11_design"] == ()  # 04 comes after it: it reads what it read in a sequential run
    assert deps["99_mine"] == ("11_design", "04_pilot_vs_nonpilot")
    assert deps["05_power"] == ()
    assert deps["06_rapport"] == ("11_design", "04_pilot_vs_nonpilot", "99_mine", "05_power")


def test_a_circle_is_refused():
    with pytest.raises(ValueError, match="circle"):
        schedule(["a", "b"], {"a": ("b",), "b": ("a",)}, 2)


# --- the scheduler, with a stand-in for papermill (tests/chapter_stub.py: it runs in a spawned worker) ---


def _run(tmp_path, order, deps, workers, fail=()):
    log = tmp_path / "log.jsonl"
    tasks = {n: (str(log), n, 0.3, n in fail) for n in order}
    said, done = [], []
    run_chapters(order, deps, tasks, workers, said.append, done.append,
                 lambda name, err: RuntimeError(f"{name}: {err}"), execute=fake_chapter)
    return said, done, [json.loads(line) for line in log.read_text().splitlines()]


def test_scheduler_keeps_every_dependency_and_the_worker_limit(tmp_path):
    order = ["a", "b", "c", "d", "e"]
    deps = {"a": (), "b": (), "c": ("a",), "d": ("a", "b"), "e": ("a", "b", "c", "d")}
    said, done, log = _run(tmp_path, order, deps, 2)
    times = {r["name"]: r for r in log}
    for name, waits in deps.items():
        for w in waits:
            assert times[w]["end"] <= times[name]["start"]
    for r in log:  # never more than two at once: at each start, at most two chapters are running
        assert sum(o["start"] <= r["start"] < o["end"] for o in log) <= 2
    assert sorted(done) == order and done[-1] == "e"
    assert said[:2] == ["[1/5] a: running", "[2/5] b: running"]  # both handed out before either ended


def test_scheduler_with_one_worker_runs_in_the_config_order(tmp_path):
    order = ["a", "b", "c"]
    _, done, log = _run(tmp_path, order, {"a": (), "b": (), "c": ()}, 1)
    assert [r["name"] for r in log] == order == done


def test_a_failed_chapter_stops_new_starts_and_is_raised(tmp_path):
    order = ["a", "b", "c"]
    with pytest.raises(RuntimeError, match=r"a: \(3, 'ValueError', 'planted'\)"):
        _run(tmp_path, order, {"a": (), "b": ("a",), "c": ("a",)}, 2, fail={"a"})
    names = [json.loads(x)["name"] for x in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert names == ["a"]


def test_usable_cores_is_at_least_one():
    assert usable_cores() >= 1


# --- the guard: a run's chapter may read only what its contracts say ---

def test_an_undeclared_read_in_a_run_is_refused_and_a_declared_one_passes(tmp_path, monkeypatch):
    frame = pd.DataFrame({c: pd.Series(dtype=contracts.PANDAS_DTYPE[k]) for c, k in contracts.contract("power").columns})
    contracts.write_table(frame, tmp_path, "power")
    monkeypatch.setenv(contracts.CHAPTER_ENV, "11_design")
    assert len(contracts.read_table(tmp_path, "power")) == 0
    monkeypatch.setenv(contracts.CHAPTER_ENV, "03_trends")
    with pytest.raises(contracts.ContractError, match="03_trends reads 'power'.*read_by.*after 05_power"):
        contracts.read_table(tmp_path, "power")
    with pytest.raises(contracts.ContractError, match="03_trends reads 'power'"):
        contracts.read_table_if_written(tmp_path / "nowhere", "power")  # refused even when not written yet
    monkeypatch.delenv(contracts.CHAPTER_ENV)
    assert contracts.read_table_if_written(tmp_path / "nowhere", "power") is None  # outside a run: unchecked


def test_only_the_processed_writer_writes_processed_data(tmp_path, monkeypatch):
    frame = pd.DataFrame({"a": [1]})
    monkeypatch.setenv(contracts.CHAPTER_ENV, "03_trends")
    with pytest.raises(contracts.ContractError, match="only 00_clean writes processed_dir"):
        outputs.write_processed(frame, tmp_path, "x")
    monkeypatch.setenv(contracts.CHAPTER_ENV, outputs.PROCESSED_WRITER)
    outputs.write_processed(frame, tmp_path, "x")
    assert (tmp_path / "x.csv").is_file()


def test_the_survey_section_file_is_declared_for_the_lead_report(tmp_path, monkeypatch):
    from sosu_analysis.reporting.survey.section import load_section

    monkeypatch.setenv(contracts.CHAPTER_ENV, "06_rapport")
    assert load_section(tmp_path) is None
    monkeypatch.setenv(contracts.CHAPTER_ENV, "10_interviews")
    with pytest.raises(contracts.ContractError, match="survey_section.json"):
        load_section(tmp_path)


def test_every_chapter_that_takes_processed_dir_is_in_the_by_hand_list():
    """The by-hand list above is the notebooks' own parameters (so the test of the edges is about them)."""
    from sosu_analysis.pipeline.run import _declared_parameters

    cfg = load_config("config/default.yaml")
    found = {n for n in cfg.notebooks if "processed_dir" in _declared_parameters(ROOT / "notebooks" / f"{n}.ipynb")}
    assert found == TAKES_PROCESSED


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_jobs_must_be_a_whole_number_of_at_least_one(value, capsys):
    from sosu_analysis.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["run", "--jobs", value])
    assert exc.value.code == 2
    assert "--jobs" in capsys.readouterr().err


def test_run_pipeline_refuses_zero_jobs_before_anything_runs(tmp_path):
    from sosu_analysis.errors import InputError
    from sosu_analysis.pipeline.run import run_pipeline

    with pytest.raises(InputError, match="--jobs"):
        run_pipeline(load_config("config/default.yaml"), tmp_path / "out", jobs=0)
    assert not (tmp_path / "out").exists()


def test_a_failing_cell_comes_back_from_the_worker_as_plain_values(tmp_path, monkeypatch):
    """The worker's side of a failed chapter, with a real kernel: the cell, the error, and the executed copy."""
    import nbformat

    # execute_chapter sets the chapter's environment in its (worker) process: here that is the test's own,
    # so it is restored afterwards
    monkeypatch.setenv("SOSU_CHAPTER", "")

    from sosu_analysis.pipeline.kernel import execute_chapter

    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                                        "display_name": "Python 3"}})
    nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("import os\nassert os.environ['SOSU_CHAPTER'] == 'demo'"),
                nbformat.v4.new_code_cell("raise ValueError('planted ' + str(x))")]
    src, dst = tmp_path / "demo.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, src)
    got = execute_chapter(str(src), str(dst), {"x": 7}, str(tmp_path), {"SOSU_CHAPTER": "demo"},
                          str(tmp_path / "runtime" / "demo-ipc"))
    assert got is not None
    cell, ename, evalue = got
    assert ename == "ValueError" and evalue == "planted 7"  # the parameter reached the kernel, as did the env
    assert dst.is_file()
