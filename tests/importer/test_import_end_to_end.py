"""A synthetic Z-udskrift through import -> validate -> run: same did.csv as its schema extract, nothing leaks.

The fixture (tests/importer/make_z_udskrift.py) is the shipped synthetic
extract written as a school's export: fake CPR numbers (failing modulus 11),
names, phones, e-mails, UNI-logins, Windows-1252, ``;``, DD-MM-YYYY, GF2
spells, restarts, switches told by Udmeldingsperspektiv. The pipeline runs
once on the imported file; the reference is the session's default run
(``fresh_run``, the same students given directly in the schema).
"""

from __future__ import annotations

import csv
import re
import zlib

import pandas as pd
import pytest
from importer_helpers import DEFAULT_MAPPING, SCHEMA, disclosed_2x2
from make_z_udskrift import UNKNOWN, make_rows, mapping_yaml, write_export

from sosu_analysis.cli import main

pytestmark = pytest.mark.e2e

PSEUDONYM = re.compile(r"P-[a-p]{20}")


def _pdf_text(data: bytes) -> str:
    """Raw and inflated stream contents of a PDF (best effort: glyph-coded text may not be literal)."""
    parts = [data.decode("latin-1")]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            parts.append(zlib.decompress(m.group(1)).decode("latin-1"))
        except zlib.error:
            continue
    return "\n".join(parts)


@pytest.fixture(scope="module")
def imported_run(tmp_path_factory, fresh_run):
    base = tmp_path_factory.mktemp("z")
    with open(SCHEMA, encoding="utf-8") as fh:
        schema_rows = list(csv.DictReader(fh))
    rows, added = make_rows(schema_rows, seed=20251123, unknown=False)
    write_export(rows, base / "Z425_elever.csv")
    bad_rows, _ = make_rows(schema_rows[:400], seed=7, unknown=True)
    write_export(bad_rows, base / "Z425_ukendte.csv")
    (base / "mapping.yaml").write_text(mapping_yaml(DEFAULT_MAPPING), encoding="utf-8")
    key = tmp_path_factory.mktemp("key") / "sosu.key"
    out = base / "private" / "elever.csv"
    logs: dict[str, tuple[int, str, str]] = {}
    return base, key, out, added, logs


def _cli(capsys, logs, name, argv):
    code = main(argv)
    captured = capsys.readouterr()
    logs[name] = (code, captured.out, captured.err)
    return code, captured.out, captured.err


def test_import_validate_run(imported_run, fresh_run, wiring_config, capsys):
    base, key, out, added, logs = imported_run
    assert _cli(capsys, logs, "new-key", ["import", "--new-key", str(key)])[0] == 0
    common = ["--mapping", str(base / "mapping.yaml"), "--key-file", str(key)]
    code, _, err = _cli(capsys, logs, "unknown", ["import", str(base / "Z425_ukendte.csv"), *common,
                                                   "--out", str(base / "private" / "nope.csv")])
    assert code == 2 and not (base / "private" / "nope.csv").exists()
    for value, count in UNKNOWN.values():
        assert f"'{value}': {'< 5' if count < 5 else count}" in err
    code, stdout, err = _cli(capsys, logs, "import", ["import", str(base / "Z425_elever.csv"), *common,
                                                       "--out", str(out), "--extract-date", "2030-12-31"])
    assert code == 0, err
    assert f"restarts on the same programme: {added['restarts']}" in stdout
    code, stdout, err = _cli(capsys, logs, "validate", ["validate", str(out)])
    assert code == 0 and "ok:" in stdout and "outside data/raw/private/" in err  # a temp folder, not the project's
    code, _, err = _cli(capsys, logs, "run", ["run", "--config", str(wiring_config), "--students", str(out),
                                              "--output", str(base / "reports")])
    assert code == 0, err
    _, reference = fresh_run
    got = pd.read_csv(base / "reports" / "tables" / "did.csv")
    want = pd.read_csv(reference / "tables" / "did.csv")
    pd.testing.assert_frame_equal(got, want)
    rapport = (base / "reports" / "rapport.html").read_text(encoding="utf-8")
    # the student data are the school's own: the report says so, and the synthetic banner of the student
    # data is gone (the national and survey sections may still be labelled synthetic: their default inputs are)
    assert "Omvalg set fra skolen" in rapport and "Elevdata: syntetisk" not in rapport
    assert "SYNTETISKE DATA om indsatserne" not in rapport and "kilde-elevdata" in rapport


def test_nothing_leaks(imported_run):
    base, _, _, added, logs = imported_run
    if "run" not in logs:
        pytest.skip("the end-to-end run did not happen")
    cprs = added["cprs"]
    digit_secrets = {*cprs, *(c[1:] for c in cprs if c[0] == "0"), *(re.sub(r"\D", "", p) for p in added["phones"])}
    digit_secrets |= {d[2:] for d in digit_secrets if d.startswith("45") and len(d) == 10}
    texts = {f"log:{k}": v[1] + v[2] for k, v in logs.items()}
    for path in (base / "reports").rglob("*"):
        if path.suffix in (".csv", ".html", ".svg", ".ipynb", ".yaml", ".json", ".md", ".txt"):
            texts[str(path)] = path.read_text(encoding="utf-8", errors="replace")
        elif path.suffix == ".pdf":
            texts[str(path)] = _pdf_text(path.read_bytes())
    assert any(k.endswith(".html") for k in texts) and any(k.endswith(".ipynb") for k in texts)
    names, emails, logins = set(added["names"]), set(added["emails"]), set(added["logins"])
    leaks = {}
    for k, t in texts.items():
        # every digit run (a CPR with or without dash, 9 digits, a phone with or without blanks) and every e-mail
        # or login-like token of the text, looked up in the fixture's values; names as whole "First Last"
        # (SVG path data is thousands of space-separated coordinates: joining them across blanks finds any
        # digit string by chance, and matplotlib draws text as glyph paths anyway, so in SVG only contiguous
        # runs are looked up)
        spaced = re.findall(r"\d[\d \-]{4,14}\d", t) if not k.endswith(".svg") else []
        runs = {re.sub(r"\D", "", m) for m in spaced}
        runs |= set(re.findall(r"\d{6,10}", t))
        found = (runs & digit_secrets) | (set(re.findall(r"[\w.+-]{1,64}@[\w.-]{1,64}", t)) & emails)
        found |= set(re.findall(r"[a-zæøå]{4}\d{4}", t)) & logins
        found |= {n for n in names if n in t}
        if found:
            leaks[k] = sorted(found)[:3]
    assert leaks == {}
    pseudonyms = {k for k, t in texts.items() if PSEUDONYM.search(t)}
    assert pseudonyms == set()


def test_no_small_count_shown_or_derivable(imported_run):
    base = imported_run[0]
    tables = base / "reports" / "tables"
    if not (tables / "did.csv").exists():
        pytest.skip("the end-to-end run did not happen")
    did = pd.read_csv(tables / "did.csv")
    rates = pd.read_csv(tables / "did_rates_2x2.csv")
    events = pd.read_csv(tables / "event_study.csv")
    lpm = did[(did["estimator"] == "lpm") & (did["horizon_months"] == did["horizon_months"].iloc[0])]
    assert disclosed_2x2(rates, int(lpm["n_students"].dropna().iloc[0])) == []
    for col in (rates["n_students"], rates["n_dropout"], events["n_students_pilot"], did["n_students"]):
        shown = col.dropna()
        assert not ((shown > 0) & (shown < 5)).any()
    for _, grp in did.groupby("estimator"):
        ns = grp.drop_duplicates("horizon_months")["n_students"].dropna().astype(int).tolist()
        assert not any(0 < abs(a - b) < 5 for a in ns for b in ns)
    ev = events.drop_duplicates("rel_time").set_index("rel_time")["n_students_pilot"]
    pilot = rates[(rates["group"] == "pilot") & (rates["outcome_definition"] == rates["outcome_definition"].iloc[0])]
    for period, side in (("pre", ev[ev.index < 0]), ("post", ev[ev.index >= 0])):
        total = pilot.loc[pilot["period"] == period, "n_students"].dropna()
        if len(total) and side.isna().sum() == 1:
            assert not 0 < int(total.iloc[0]) - int(side.sum()) < 5
