"""Atomic writes: a failure leaves the previous file or folder as it was."""

import pytest

from sosu_analysis import atomic


def test_write_text_replaces(tmp_path):
    dest = tmp_path / "a.txt"
    atomic.write_text(dest, "one")
    atomic.write_text(dest, "two")
    assert dest.read_text() == "two"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_failed_write_keeps_old_file(tmp_path):
    dest = tmp_path / "a.txt"
    dest.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic.atomic_path(dest) as tmp:
            tmp.write_text("half")
            raise RuntimeError("boom")
    assert dest.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_failed_dir_keeps_old_dir(tmp_path):
    dest = tmp_path / "reports"
    dest.mkdir()
    (dest / "index.html").write_text("old")
    with pytest.raises(RuntimeError):
        with atomic.atomic_dir(dest) as stage:
            (stage / "index.html").write_text("new")
            raise RuntimeError("boom")
    assert (dest / "index.html").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]
    with atomic.atomic_dir(dest) as stage:
        (stage / "index.html").write_text("new")
    assert (dest / "index.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]
