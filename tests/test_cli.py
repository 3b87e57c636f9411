"""`sosu-analysis validate` as a user runs it: exit codes and messages, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sosu_analysis.paths import project_root

ROOT = project_root()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sosu_analysis", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def test_validate_shipped_files():
    res = run_cli("validate", "data/raw/uddannelsesstatistik_sosuh_hovedforloeb_3mdr_2022-2024.csv",
                  "data/raw/national_goals_danske_sosu_skoler.csv")
    assert res.returncode == 0, res.stderr
    assert "published-table" in res.stdout and "national-goals" in res.stdout


def test_validate_semicolon_cp1252_variant(tmp_path):
    src = (ROOT / "data/raw/uddannelsesstatistik_sosuh_hovedforloeb_3mdr_2022-2024.csv").read_text("utf-8")
    p = tmp_path / "eksport.csv"
    p.write_bytes(src.replace("\n", "\r\n").encode("cp1252"))
    res = run_cli("validate", str(p))
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize("content, expect", [
    ("", "the file is empty"),
    ("bare tekst\n", "not a table"),
    ("Uddannelse;År;I gang (andel)\nSSA;2024;82,5 %\n", "missing column"),
])
def test_validate_refuses_with_clear_message(tmp_path, content, expect):
    p = tmp_path / "input.csv"
    p.write_text(content, encoding="utf-8")
    res = run_cli("validate", str(p))
    assert res.returncode == 2
    assert expect in res.stderr and str(p) in res.stderr
    assert "Traceback" not in res.stderr + res.stdout


def test_validate_names_row_and_column(tmp_path):
    src = (ROOT / "data/raw/uddannelsesstatistik_sosuh_hovedforloeb_3mdr_2022-2024.csv").read_text("utf-8")
    p = tmp_path / "bad.csv"
    p.write_text(src.replace("1.171", "1.17x"), encoding="utf-8")
    res = run_cli("validate", str(p))
    assert res.returncode == 2
    assert f"{p}, row 6, column 'I gang (antal)'" in res.stderr
    assert "Traceback" not in res.stderr


def test_validate_missing_file_and_usage():
    res = run_cli("validate", "does/not/exist.csv")
    assert res.returncode == 2 and "file not found" in res.stderr and "Traceback" not in res.stderr
    res = run_cli()
    assert res.returncode == 2 and "usage" in res.stderr


def test_run_with_bad_config_is_refused(tmp_path):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("alpha: fem procent\nnonsense: 1\n", encoding="utf-8")
    res = run_cli("run", "--config", str(cfg), "--output", str(tmp_path / "out"))
    assert res.returncode == 2
    assert "key 'alpha' must be of type float" in res.stderr and "unknown key 'nonsense'" in res.stderr
    assert not (tmp_path / "out").exists()
    assert "Traceback" not in res.stderr


@pytest.mark.parametrize("output", [".", "data", "data/raw/private", "notebooks", "src/sosu_analysis"])
def test_run_refuses_an_output_that_would_delete_something(output):
    res = run_cli("run", "--output", output)
    assert res.returncode == 2 and "output folder" in res.stderr and "Traceback" not in res.stderr
    assert (ROOT / "data/raw/uddannelsesstatistik_sosuh_hovedforloeb_3mdr_2022-2024.csv").is_file()


def test_run_refuses_a_foreign_non_empty_folder(tmp_path):
    (tmp_path / "thesis.tex").write_text("years of work")
    res = run_cli("run", "--output", str(tmp_path))
    assert res.returncode == 2 and "output folder" in res.stderr
    assert (tmp_path / "thesis.tex").read_text() == "years of work"


def test_cli_outside_the_project_gives_a_message(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if k != "SOSU_PROJECT_ROOT"}
    res = subprocess.run([sys.executable, "-m", "sosu_analysis", "run"], capture_output=True, text=True,
                         cwd=tmp_path, env=env, timeout=120)
    assert res.returncode == 2 and "project root" in res.stderr and "Traceback" not in res.stderr


def test_goals_without_the_dropout_goal_are_refused(tmp_path):
    src = (ROOT / "data/raw/national_goals_danske_sosu_skoler.csv").read_text("utf-8").splitlines()
    p = tmp_path / "goals.csv"
    p.write_text("\n".join(line for line in src if "Frafald" not in line) + "\n", encoding="utf-8")
    res = run_cli("validate", str(p))
    assert res.returncode == 2 and "dropout goal" in res.stderr and "Traceback" not in res.stderr


LAZY_PROBE = """
import sys
from sosu_analysis import cli
try:
    cli.main({argv!r})
except SystemExit:
    pass
heavy = sorted(m for m in ("pandas", "numpy", "statsmodels", "matplotlib", "scipy") if m in sys.modules)
subcommands = sorted(m for m in cli.SUBCOMMAND_MODULES if m in sys.modules)
print(repr((heavy, subcommands)))
"""


def _imported_by(argv):
    res = subprocess.run([sys.executable, "-c", LAZY_PROBE.format(argv=argv)], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert res.returncode == 0, res.stderr
    return eval(res.stdout.strip().splitlines()[-1])


def test_help_imports_no_subcommand_module_and_no_numerical_library():
    """`sosu-analysis --help` builds the parser without importing a subcommand (each cost ~1 s of pandas & co.)."""
    heavy, subcommands = _imported_by(["--help"])
    assert subcommands == [] and heavy == []


def test_a_subcommand_imports_its_own_module_only():
    heavy, subcommands = _imported_by(["synth-survey", "--help"])
    assert subcommands == ["sosu_analysis.commands.survey"]


def test_the_listed_help_line_is_the_one_each_module_gives():
    import argparse

    from sosu_analysis import cli

    parser = cli.build_parser("all")
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    given = {c.dest: c.help for c in sub._choices_actions}
    assert set(cli.SUBCOMMANDS) <= set(given)
    for name, (_, help_line) in cli.SUBCOMMANDS.items():
        assert given[name] == help_line, name
