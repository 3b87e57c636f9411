"""Bad inputs of every class of issue 11, generated here in ``tmp_path`` (no committed bad files).

Each case runs ``sosu-analysis run`` (in-process, through :func:`sosu_analysis.cli.main`)
on a config or an input file with one thing wrong, and checks that the run

- exits with code 2 before any notebook starts (no "running" line),
- names the file and the row/column or the config key,
- prints no traceback and no value of a student's row,
- writes nothing to (or beside) the output folder,
- stays within loose bounds of memory (tracemalloc, 300 MB) and CPU time (5 s).

The bounds are guards against a reader that inflates or scans without limit, not
timings; speed is measured in ``benchmarks/``.
"""

from __future__ import annotations

import csv
import io
import os
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
import yaml

from sosu_analysis import atomic, cli
from sosu_analysis.paths import project_root

ROOT = project_root()
PUBLISHED = ROOT / "data/raw/uddannelsesstatistik_sosuh_hovedforloeb_3mdr_2022-2024.csv"
GOALS = ROOT / "data/raw/national_goals_danske_sosu_skoler.csv"
EXTRACT = ROOT / "data/raw/synthetic/students_synthetic_seed20250401_effect-5.csv"
MEMORY_LIMIT = 300 * 2**20
CPU_LIMIT_S = 5.0


def _run(capsys, tmp_path: Path, config: dict | str | None = None, *extra: str,
         trace_memory: bool = False) -> tuple[int, str, Path]:
    """Run ``sosu-analysis run`` with ``config`` (a dict of keys, or raw YAML text); return code, stderr, output.

    ``trace_memory`` measures the peak of Python's allocations (tracemalloc, which makes the run several
    times slower): for the inputs whose danger is their size (a huge field, a zip bomb, an oversized sheet).
    """
    out = tmp_path / "out"
    args = ["run", "--output", str(out), *extra]
    if config is not None:
        cfg = tmp_path / "my.yaml"
        cfg.write_text(config if isinstance(config, str) else yaml.safe_dump(config), encoding="utf-8")
        args[1:1] = ["--config", str(cfg)]
    before = set(os.listdir(tmp_path))
    if trace_memory:
        tracemalloc.start()
    t0 = time.process_time()
    try:
        code = cli.main(args)
    finally:
        cpu = time.process_time() - t0
        if trace_memory:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    err = capsys.readouterr().err
    if trace_memory:
        assert peak < MEMORY_LIMIT, f"peak {peak / 2**20:.0f} MB"
    assert cpu < CPU_LIMIT_S * 4, f"{cpu:.1f} s of CPU"  # very loose: a shared, loaded machine
    assert "Traceback" not in err
    assert "running" not in err, "a notebook started"
    assert not out.exists()
    assert set(os.listdir(tmp_path)) == before, "something was written beside the output folder"
    return code, err, out


def _extract_rows() -> tuple[list[str], list[list[str]]]:
    with open(EXTRACT, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _write_extract(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


# ---- the config ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, key", [
    ("event_window: [3, -4]\n", "event_window"),
    ("alpha: 1.5\n", "alpha"),
    ("alpha: 0.05\nalpha: 0.1\n", "alpha"),
    ("extract_date: '01-11-2025'\n", "extract_date"),
    ("extract_date: 2025-02-30\n", "extract_date"),
    ("horizons: [0, 3]\n", "horizons"),
    ("power_reps: 0\n", "power_reps"),
    ("seed: twenty\n", "seed"),
    ("processed_dir: data/raw/out\n", "processed_dir"),
    ("notebooks: [../../tmp/evil]\n", "notebooks"),
    ("notebooks: [00_clean, 00_clean]\n", "notebooks"),
    ("aplha: 0.05\n", "aplha"),
    ("published_table: data/raw/no_such_file.csv\n", "published_table"),
])
def test_config_typo_refused_with_key(capsys, tmp_path, text, key):
    code, err, _ = _run(capsys, tmp_path, text)
    assert code == 2
    assert str(tmp_path / "my.yaml") in err and f"'{key}'" in err


# ---- the student extract ---------------------------------------------------------------------

def _extract_case(tmp_path: Path, edit) -> dict:
    header, rows = _extract_rows()
    rows = edit(header, rows)
    path = _write_extract(tmp_path / "extract.csv", header, rows)
    return {"students_file": str(path)}


def test_future_start_date(capsys, tmp_path):
    def edit(header, rows):
        rows[9][3] = "2031-02-01"
        return rows
    code, err, _ = _run(capsys, tmp_path, _extract_case(tmp_path, edit))
    assert code == 2 and "extract.csv, row 11, column 'start_date'" in err and "after today" in err
    assert "2031" not in err  # a data value is never shown


def test_year_0202_start_date(capsys, tmp_path):
    def edit(header, rows):
        rows[0][3] = "0202-02-07"
        return rows
    code, err, _ = _run(capsys, tmp_path, _extract_case(tmp_path, edit))
    assert code == 2 and "row 2, column 'start_date'" in err and "before 2000-01-01" in err


def test_exit_after_the_extract_date(capsys, tmp_path):
    cfg = _extract_case(tmp_path, lambda header, rows: rows)
    cfg["extract_date"] = "2026-01-31"
    code, err, _ = _run(capsys, tmp_path, cfg)
    assert code == 2 and "column 'exit_date'" in err and "after the extract date 2026-01-31" in err


def test_cpr_number_is_refused_and_not_shown(capsys, tmp_path):
    def edit(header, rows):
        rows[4][0] = "010190-1234"
        return rows
    code, err, _ = _run(capsys, tmp_path, _extract_case(tmp_path, edit))
    assert code == 2 and "row 6, column 'student_id'" in err and "CPR" in err
    assert "010190" not in err


def test_headerless_extract_does_not_print_its_first_line(capsys, tmp_path):
    header, rows = _extract_rows()
    path = _write_extract(tmp_path / "extract.csv", rows[0], rows[1:50])
    code, err, _ = _run(capsys, tmp_path, {"students_file": str(path)})
    assert code == 2 and "extract.csv, row 1" in err and "not shown" in err
    for value in rows[0]:
        if value:
            assert value not in err


def test_extract_with_campus_table_columns_is_still_an_extract(capsys, tmp_path):
    """Extra columns named like the campus table's (pilot, pilot_start) do not make it the campus table."""
    header, rows = _extract_rows()
    rows = [r + ["yes", "2025-04"] for r in rows]
    rows[3][3] = "2031-01-01"
    path = _write_extract(tmp_path / "extract.csv", header + ["pilot", "pilot_start"], rows)
    code, err, _ = _run(capsys, tmp_path, {"students_file": str(path)})
    assert code == 2 and "row 5, column 'start_date'" in err


def test_a_huge_field_names_its_row(capsys, tmp_path):
    header, rows = _extract_rows()
    text = ",".join(header) + "\n" + "\n".join(",".join(r) for r in rows[:5])
    text += '\nS9,SSA,Herlev,"' + "x" * 200_000 + '",,\n'
    path = tmp_path / "extract.csv"
    path.write_text(text, encoding="utf-8")
    code, err, _ = _run(capsys, tmp_path, {"students_file": str(path)}, trace_memory=True)
    assert code == 2 and "extract.csv, row 7" in err and "longer than" in err


# ---- the design of the campus comparison -------------------------------------------------------

PILOTS = {"Skelbækgade", "Brøndby", "Herlev", "Munkeengen"}


@pytest.mark.parametrize("keep, expect", [
    (lambda r: r[2] not in PILOTS, "no pilot campus"),
    (lambda r: r[2] in PILOTS, "no comparison campus"),
    (lambda r: r[3] < "2025-04-01", "no SSA intake at a pilot campus from its pilot start"),
    (lambda r: r[3] >= "2025-04-01", "no SSA intake before the first pilot start"),
    (lambda r: r[2] == "Herlev", "at 1 campus"),
    (lambda r: r[2] in ("Herlev", "Gladsaxe"), "power analysis of 05_power needs at least 3"),
])
def test_design_the_comparison_cannot_use(capsys, tmp_path, keep, expect):
    cfg = _extract_case(tmp_path, lambda header, rows: [r for r in rows if keep(r)])
    code, err, _ = _run(capsys, tmp_path, cfg)
    assert code == 2 and "the campus comparison cannot be run" in err and expect in err, err
    assert "extract.csv" in err and "04_pilot_vs_nonpilot" in err


def test_a_horizon_not_yet_observed(capsys, tmp_path):
    """The pilot's first intake (April 2025) has reached 3 months by 2025-08-31, but not 6."""
    def cut(header, rows):
        kept = [r for r in rows if r[3] < "2025-05-01"]
        for r in kept:
            if r[4] and r[4] > "2025-08-31":
                r[4], r[5] = "", ""
        return kept
    cfg = _extract_case(tmp_path, cut)
    cfg.update(extract_date="2025-08-31", horizons=[3, 6])
    code, err, _ = _run(capsys, tmp_path, cfg)
    assert code == 2 and "at 6 months no treated SSA intake has reached the horizon" in err and "'horizons'" in err


# ---- the other inputs -------------------------------------------------------------------------

def test_published_year_in_the_future(capsys, tmp_path):
    bad = tmp_path / "published.csv"
    bad.write_text(PUBLISHED.read_text(encoding="utf-8").replace(";2024;", ";2031;", 1), encoding="utf-8")
    code, err, _ = _run(capsys, tmp_path, {"published_table": str(bad)})
    assert code == 2 and "published.csv, row" in err and "column 'År'" in err and "future" in err


def test_goal_of_120_percent(capsys, tmp_path):
    bad = tmp_path / "goals.csv"
    bad.write_text(GOALS.read_text(encoding="utf-8").replace("12 %", "120 %", 1), encoding="utf-8")
    code, err, _ = _run(capsys, tmp_path, {"goals_table": str(bad)})
    assert code == 2 and "goals.csv, row" in err and "outside 0-100 %" in err


def test_aggregates_without_a_configured_horizon(capsys, tmp_path):
    from sosu_analysis.students import read_extract, to_aggregates

    agg = to_aggregates(read_extract(EXTRACT), horizons=(3, 6))
    path = tmp_path / "aggregates.csv"
    agg.to_csv(path, index=False)
    code, err, _ = _run(capsys, tmp_path, {"students_file": str(path), "horizons": [3, 6, 5]})
    assert code == 2 and "'horizons'" in err


def test_aggregates_with_horizons_out_of_order_in_config(capsys, tmp_path):
    code, err, _ = _run(capsys, tmp_path, {"horizons": [3, 12, 6]})
    assert code == 2 and "'horizons'" in err and "increasing" in err


def test_aggregates_missing_a_horizon_row(capsys, tmp_path):
    from sosu_analysis.students import read_extract, to_aggregates

    agg = to_aggregates(read_extract(EXTRACT), horizons=(3, 6, 12))
    drop = agg.index[(agg["horizon_months"] == 6)][5]
    path = tmp_path / "aggregates.csv"
    agg.drop(index=drop).to_csv(path, index=False)
    code, err, _ = _run(capsys, tmp_path, {"students_file": str(path)})
    assert code == 2 and "aggregates.csv, row" in err and "column 'horizon_months'" in err


# ---- unreadable files ---------------------------------------------------------------------------

def _zip(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize("make, expect", [
    (lambda p: p.write_bytes(b"PK\x03\x04" + os.urandom(3000)), "damaged or not a workbook"),
    (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 3000), "password-protected"),
    (lambda p: _zip(p, {"xl/workbook.xml": b"<x/>", "xl/worksheets/sheet1.xml": b"\0" * (20 * 2**20)}), "zip bomb"),
    (lambda p: _zip(p, {"hello.txt": b"hi"}), "no xl/workbook.xml"),
])
def test_unreadable_xlsx(capsys, tmp_path, make, expect):
    path = tmp_path / "published.xlsx"
    make(path)
    code, err, _ = _run(capsys, tmp_path, {"published_table": str(path)}, trace_memory=True)
    assert code == 2 and "published.xlsx" in err and expect in err, err


def test_oversized_xlsx_is_refused_from_its_directory(capsys, tmp_path, monkeypatch):
    from sosu_analysis.readers import rawtable

    monkeypatch.setattr(rawtable, "MAX_TABLE_BYTES", 2 * 2**20)
    # hex text compresses about 2:1, so the file is under the limit and its content over it
    path = _zip(tmp_path / "published.xlsx", {"xl/workbook.xml": b"<x/>",
                                              "xl/worksheets/sheet1.xml": os.urandom(3 * 2**19).hex().encode()})
    assert path.stat().st_size < 2 * 2**20
    code, err, _ = _run(capsys, tmp_path, {"published_table": str(path)}, trace_memory=True)
    assert code == 2 and "inflates to" in err and "limit" in err


def test_utf16_csv_and_data_on_the_second_sheet_are_read(tmp_path):
    import openpyxl

    from sosu_analysis.readers.validation import validate_file

    text = PUBLISHED.read_text(encoding="utf-8")
    utf16 = tmp_path / "published_utf16.csv"
    utf16.write_bytes(text.encode("utf-16"))
    assert validate_file(utf16)[0].name == "published-table"
    wb = openpyxl.Workbook()
    wb.active.title = "Forside"
    ws = wb.create_sheet("Data")
    for row in csv.reader(io.StringIO(text), delimiter=";"):
        ws.append(row)
    wb.save(tmp_path / "published.xlsx")
    assert validate_file(tmp_path / "published.xlsx")[0].name == "published-table"


# ---- the output folder ---------------------------------------------------------------------------

@pytest.mark.parametrize("output", [".gitignore", "pyproject.toml", ".ci", ".", "src", "data/raw"])
def test_output_that_is_a_file_tracked_or_a_source_folder(capsys, output):
    before = (ROOT / ".gitignore").read_bytes()
    code = cli.main(["run", "--output", output])
    err = capsys.readouterr().err
    assert code == 2 and "output" in err and "Traceback" not in err and "running" not in err
    assert (ROOT / ".gitignore").read_bytes() == before and (ROOT / "pyproject.toml").is_file()


def test_a_second_run_on_a_locked_output_is_refused(capsys, tmp_path):
    out = tmp_path / "out"
    with atomic.output_lock(out):
        code = cli.main(["run", "--output", str(out), "--config", "config/default.yaml"])
        err = capsys.readouterr().err
    assert code == 2 and "another run" in err and f"pid {os.getpid()}" in err and "running" not in err
    assert not out.exists() and not (tmp_path / ".out.lock").exists()


def test_a_killed_runs_staging_folder_is_removed_by_the_next(tmp_path):
    out = tmp_path / "out"
    stale = tmp_path / ".out.abc123.staging"
    (stale / "tables").mkdir(parents=True)
    (stale / "tables" / "x.csv").write_text("1")
    other = tmp_path / ".other.abc.staging"
    other.mkdir()
    with atomic.output_lock(out):
        assert not stale.exists()
    assert other.exists() and not (tmp_path / ".out.lock").exists()


def test_private_tempdir_is_private(tmp_path):
    p = atomic.private_tempdir()
    try:
        assert (p.stat().st_mode & 0o777) == 0o700
    finally:
        p.rmdir()


def test_an_extract_larger_than_the_table_limit_is_still_recognised_and_read(monkeypatch):
    """The 200 MB limit is the general reader's; an extract has its own (2 GB), header detection included."""
    from sosu_analysis.readers import rawtable
    from sosu_analysis.readers.validation import validate_file

    monkeypatch.setattr(rawtable, "MAX_TABLE_BYTES", 100_000)  # the shipped extract is about 370 kB
    kind, frame = validate_file(EXTRACT)
    assert kind.name == "student_extract" and len(frame) > 9000
