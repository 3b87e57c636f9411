"""The one output policy (issue 20, ``sosu_analysis.output_policy``) through every command that writes.

Each refusal is exit 2 with one clear line naming the option, no traceback, and
nothing written or changed: the user's folder, the tracked file, the key file.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from sosu_analysis import atomic, cli, output_policy
from sosu_analysis.errors import InputError
from sosu_analysis.paths import project_root

ROOT = project_root()
PUBLISHED = ROOT / "data/raw/uddannelsesstatistik_sosuh_hovedforloeb_3mdr_2022-2024.csv"
CAMPUSES = ROOT / "data/raw/campuses.csv"
EXTRACT = ROOT / "data/raw/synthetic/students_synthetic_seed20250401_effect-5.csv"
SURVEY = ROOT / "data/raw/synthetic/survey_synthetic_seed20250501_effect0.3.csv"
ANSWER = ROOT / "data/raw/national/sosu_skoler_hovedforloeb_3mdr_2022-2024_synthetic_seed20251123.answer.json"
QUERY = ROOT / "config/queries/eud_hovedforloeb_status_3mdr_sosu_skoler.yaml"


def _cli(capsys, *argv) -> tuple[int, str]:
    code = cli.main([str(a) for a in argv])
    cap = capsys.readouterr()
    text = cap.out + cap.err
    assert "Traceback" not in text
    return code, text


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _git_repo(path: Path) -> Path:
    path.mkdir(parents=True)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "x"]):
        if args[0] == "add":
            (path / "notes.txt").write_text("my notes\n")
        subprocess.run(["git", "-C", str(path), *args], check=True, env=env, capture_output=True)
    return path


# ---- run --output ------------------------------------------------------------------------------------

@pytest.mark.parametrize("holding", ["config.yaml", "index.html", "other-repo"])
def test_run_does_not_replace_a_users_folder_without_the_marker(tmp_path, capsys, holding):
    if holding == "other-repo":
        out = _git_repo(tmp_path / "repo") / "reports"
        out.mkdir()
        (out / output_policy.MARKER).write_text("planted")  # even with the marker: git tracks files here
        (out / "tracked.txt").write_text("tracked\n")
        subprocess.run(["git", "-C", str(out.parent), "add", "-A"], check=True)
        subprocess.run(["git", "-C", str(out.parent), "-c", "user.name=t", "-c", "user.email=t@example.org",
                        "commit", "-qm", "y"], check=True)
    else:
        out = tmp_path / "mine"
        out.mkdir()
        (out / holding).write_text("my own file\n")
        (out / "thesis.docx").write_text("three years of work\n")
    before = _snapshot(out)
    code, text = _cli(capsys, "run", "--output", out)
    assert code == 2 and "--output" in text and "nothing was written" in text and "running" not in text
    assert _snapshot(out) == before


def test_an_earlier_output_with_the_marker_may_be_replaced(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / output_policy.MARKER).write_text(output_policy.MARKER_TEXT)
    (out / "index.html").write_text("old")
    assert output_policy.check_output_folder(out) == out.absolute()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert output_policy.check_output_folder(empty) == empty.absolute()


def test_a_symlink_planted_as_the_lock_file_is_a_clear_error(tmp_path, capsys):
    out = tmp_path / "out"
    target = tmp_path / "victim"
    os.symlink(target, tmp_path / ".out.lock")
    code, text = _cli(capsys, "run", "--output", out)
    assert code == 2 and "symbolic link" in text and ".out.lock" in text and "running" not in text
    assert not target.exists() and not out.exists()
    assert len([ln for ln in text.splitlines() if ln.startswith("error:")]) == 1


def test_the_lock_names_the_first_run(tmp_path):
    out = tmp_path / "x.csv"
    with atomic.output_lock(out), pytest.raises(InputError, match=f"pid {os.getpid()}"):
        with output_policy.claim_output(out):
            pass


# ---- file outputs: fetch --out, synth, synth-survey, survey-import ----------------------------------------

@pytest.mark.parametrize("target", [PUBLISHED, CAMPUSES, EXTRACT])
def test_fetch_out_never_overwrites_a_tracked_input(capsys, target):
    before = target.read_bytes()
    code, text = _cli(capsys, "fetch", "--replay", ANSWER, QUERY, "--out", target)
    assert code == 2 and "tracked by git" in text and "nothing was written" in text
    assert target.read_bytes() == before


def test_fetch_out_never_overwrites_the_key_file_or_its_own_input(tmp_path, capsys):
    key = tmp_path / "key.csv"
    key.write_text("ab" * 32 + "\n")
    code, text = _cli(capsys, "fetch", "--replay", ANSWER, QUERY, "--out", key)
    assert code == 2 and "key" in text and key.read_text() == "ab" * 32 + "\n"
    assert "ab" * 32 not in text


def test_synth_never_overwrites_the_tracked_synthetic_extract(capsys):
    before, side = EXTRACT.read_bytes(), EXTRACT.with_suffix(".json").read_bytes()
    code, text = _cli(capsys, "synth", "--seed", 20250401, "--effect", -5, "--out", EXTRACT)
    assert code == 2 and "tracked by git" in text
    assert EXTRACT.read_bytes() == before and EXTRACT.with_suffix(".json").read_bytes() == side


def test_synth_survey_never_writes_through_a_symlink(tmp_path, capsys):
    mine = tmp_path / "mine.csv"
    mine.write_text("mine\n")
    link = tmp_path / "survey_synthetic_x.csv"
    os.symlink(mine, link)
    code, text = _cli(capsys, "synth-survey", "--seed", 1, "--out", link)
    assert code == 2 and "symbolic link" in text and mine.read_text() == "mine\n"
    before = SURVEY.read_bytes()
    code, text = _cli(capsys, "synth-survey", "--seed", 20250501, "--out", SURVEY)
    assert code == 2 and "tracked by git" in text and SURVEY.read_bytes() == before


def test_check_output_file_asks_the_files_own_repository(tmp_path):
    repo = _git_repo(tmp_path / "other")
    with pytest.raises(InputError, match="tracked by git"):
        output_policy.check_output_file(repo / "notes.txt")
    assert output_policy.check_output_file(repo / "new.csv") == (repo / "new.csv").absolute()
    assert not output_policy.git_tracked(tmp_path / "nowhere.csv")


def test_a_file_holding_a_key_is_never_an_output(tmp_path):
    key = tmp_path / "anything.csv"
    key.write_text("0123456789abcdef" * 4 + "\n")
    with pytest.raises(InputError, match="secret key"):
        output_policy.check_output_file(key)


def test_private_folder_is_0700_and_a_private_text_0600(tmp_path):
    folder = tmp_path / "a" / "b"
    assert output_policy.private_folder(folder) == []
    output_policy.write_private_text(folder / "x.csv", "id\n")
    assert (folder.stat().st_mode & 0o777) == 0o700 and ((folder / "x.csv").stat().st_mode & 0o777) == 0o600
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    assert "chmod 700" in output_policy.private_folder(shared)[0]


def test_a_tracked_file_reached_through_a_symlinked_folder_is_refused(tmp_path):
    repo = _git_repo(tmp_path / "other")
    os.symlink(repo, tmp_path / "via")
    with pytest.raises(InputError, match="tracked by git"):
        output_policy.check_output_file(tmp_path / "via" / "notes.txt")
    with pytest.raises(InputError, match=".git folder"):
        output_policy.check_output_file(repo / ".git" / "x.csv")
