"""`sosu-analysis fetch` against a local server with recorded answers built to the documented shape.

Nothing here uses the internet: the server is on 127.0.0.1 (conftest.FakeAPI).
The answers follow REAL_DATA.md §2 (an array of row objects, keys
"[Dim].[Level].[Level]", Danish strings, suppressed rows absent, paging on side);
they are not recordings of the live service, which the project has not met yet.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from national_helpers import ANSWERS, cube_schema, json_reply, paged

from sosu_analysis import atomic
from sosu_analysis.errors import InputError
from sosu_analysis.national import convert as conv
from sosu_analysis.national.client import Client, FetchError, read_key
from sosu_analysis.national.query import load_query, query_from_dict
from sosu_analysis.paths import project_root
from sosu_analysis.readers import published

ROOT = project_root()
QUERY = ROOT / "config/queries/eud_hovedforloeb_status_3mdr_sosuh.yaml"
TABLE1_ANSWER = ANSWERS / "table1_sosuh.answer.json"
KEY = "test-key-0123456789"


def small_pages(size: int):
    q = load_query(QUERY)
    return query_from_dict(dict(q.as_dict(), body=dict(q.body, side_størrelse=size)), "small.yaml")


def table1_rows() -> list[dict]:
    return json.loads(TABLE1_ANSWER.read_text(encoding="utf-8"))


def run_cli(*args: str, env_extra: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    import os
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOSU_API")}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "sosu_analysis", "fetch", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120)


# ---- the Done-when test: a recorded answer replayed reproduces reports/tables/table1.csv byte for byte ----

def test_replay_reproduces_table1_exactly(tmp_path):
    out = tmp_path / "table1_from_api.csv"
    res = run_cli("--replay", str(TABLE1_ANSWER), str(QUERY), "--out", str(out))
    assert res.returncode == 0, res.stderr
    tidy = published.clean_published(out)
    atomic.write_csv(tmp_path / "table1.csv", published.table1(tidy))
    assert (tmp_path / "table1.csv").read_bytes() == (ROOT / "reports/tables/table1.csv").read_bytes()
    # and the processed file, derived cells and reconciled intake sizes included
    processed = published.read_processed(ROOT / "data/processed/table1_clean.csv")
    assert list(tidy["derived_cells"]) == list(processed["derived_cells"])
    assert list(tidy["n_cohort_max"]) == list(processed["n_cohort_max"])


def test_suppressed_rows_stay_blank_never_zero():
    table = conv.convert(table1_rows(), load_query(QUERY))
    pau = table[table["Uddannelse"] == "Pædagogisk assistent"]
    # the answer has no row for PAU x "Afbrudt med omvalg" (suppressed): blank, not "0"
    assert set(pau["Afbrudt med omvalg (antal)"]) == {""} and set(pau["Afbrudt med omvalg (andel)"]) == {""}
    # a whole programme-year absent from the answer gets no row ("ikke offentliggjort")
    rows = [r for r in table1_rows() if not (r["[Startår].[Startår].[Startår]"] == "2023"
                                             and r["[Uddannelse].[Uddannelse].[Uddannelse]"].startswith("Social- og "
                                                                                                      "sundhedshj"))]
    t2 = conv.convert(rows, load_query(QUERY))
    assert len(t2) == 8
    assert not ((t2["Uddannelse"] == "Social- og sundhedshjælper") & (t2["År"] == "2023")).any()
    # a null or empty value is blank too
    rows = table1_rows()
    rows[0]["Antal"] = None
    rows[1]["Andel"] = ""
    t3 = conv.convert(rows, load_query(QUERY))
    assert t3.loc[0, "I gang (antal)"] == "" and t3.loc[0, "Afbrudt uden omvalg (andel)"] == ""


def test_danish_strings_are_parsed_and_written_canonically():
    rows = [{"[Institution].[Institution].[Institution]": "X", "[Uddannelse].[Uddannelse].[Uddannelse]": "SSA",
             "[Startår].[Startår].[Startår]": "2024", "[Status].[Status].[Status]": "I gang",
             "Andel": "100,0 %", "Antal": "2.351"},
            {"[Institution].[Institution].[Institution]": "X", "[Uddannelse].[Uddannelse].[Uddannelse]": "SSA",
             "[Startår].[Startår].[Startår]": "2024", "[Status].[Status].[Status]": "Afbrudt totalt",
             "Andel": "7,3", "Antal": "0"}]
    t = conv.convert(rows, load_query(QUERY))
    assert t.loc[0, "I gang (antal)"] == "2.351" and t.loc[0, "I gang (andel)"] == "100,0 %"
    assert t.loc[0, "Afbrudt totalt (andel)"] == "7,3 %" and t.loc[0, "Afbrudt totalt (antal)"] == "0"


@pytest.mark.parametrize("field, value, expect", [
    ("Antal", "7,3", "not a whole number"),
    ("Andel", "97,25 %", "more than one decimal"),
    ("Andel", "101,0 %", "outside 0-100"),
    ("[Status].[Status].[Status]", "Ukendt", "not in mapping.status.members"),
])
def test_bad_values_name_the_answer_row(field, value, expect):
    rows = table1_rows()
    rows[4][field] = value
    with pytest.raises(InputError, match=expect) as info:
        conv.convert(rows, load_query(QUERY), "svar.json")
    assert "answer row 5" in str(info.value) and "svar.json" in str(info.value)


# ---- the HTTP client against the local server ------------------------------------------------------------

def test_paging_fetches_every_page_in_order(fake_api):
    rows = table1_rows()  # 33 rows in pages of 10: 10, 10, 10, 3
    fake_api.script["statistik"] = paged(rows)
    pages = Client(KEY, fake_api.url, sleep=lambda s: None).fetch(small_pages(10))
    assert [len(p.rows) for p in pages] == [10, 10, 10, 3]
    assert [b["side"] for b in fake_api.statistik_bodies()] == [1, 2, 3, 4]
    assert [r for p in pages for r in p.rows] == rows
    assert all(r["authorization"] == f"Bearer {KEY}" for r in fake_api.requests)
    assert all(b["område"] == "UNVERIFIED-EUD" and b["nøgletal"] == ["Andel", "Antal"]
               for b in fake_api.statistik_bodies())


def test_paging_stops_after_an_empty_page_when_the_last_page_is_full(fake_api):
    rows = table1_rows()[:30]  # exactly three full pages: the fourth is empty
    fake_api.script["statistik"] = paged(rows)
    pages = Client(KEY, fake_api.url, sleep=lambda s: None).fetch(small_pages(10))
    assert [len(p.rows) for p in pages] == [10, 10, 10, 0]


def test_429_waits_retry_after_then_succeeds(fake_api):
    waits: list[float] = []
    fake_api.script["statistik"] = [json_reply({"message": "for mange"}, 429, {"Retry-After": "3"}),
                                    json_reply(table1_rows())]
    pages = Client(KEY, fake_api.url, sleep=waits.append).fetch(load_query(QUERY))
    assert waits == [3.0]
    assert len(pages) == 1 and len(pages[0].rows) == 33


def test_429_with_a_long_retry_after_stops_with_one_line(fake_api):
    fake_api.script["statistik"] = [json_reply({}, 429, {"Retry-After": "3600"})]
    with pytest.raises(FetchError, match="asks to wait 3600 s") as info:
        Client(KEY, fake_api.url, sleep=lambda s: None).fetch(load_query(QUERY))
    assert "\n" not in str(info.value)


def test_500_is_retried_with_backoff(fake_api):
    waits: list[float] = []
    fake_api.script["statistik"] = [json_reply({}, 500), json_reply({}, 503), json_reply(table1_rows())]
    pages = Client(KEY, fake_api.url, sleep=waits.append).fetch(load_query(QUERY))
    assert waits == [1.0, 2.0] and len(pages[0].rows) == 33


def test_500_retries_are_bounded(fake_api):
    waits: list[float] = []
    fake_api.script["statistik"] = [json_reply({"message": "intern fejl"}, 500)] * 10
    with pytest.raises(FetchError, match=r"gave up after 4 attempts: server error HTTP 500 \(intern fejl\)"):
        Client(KEY, fake_api.url, sleep=waits.append).fetch(load_query(QUERY))
    assert waits == [1.0, 2.0, 4.0]
    assert len(fake_api.statistik_bodies()) == 4


def test_401_names_the_key_source_not_the_key(fake_api):
    fake_api.script["statistik"] = [json_reply({"message": "ugyldig nøgle"}, 401)]
    with pytest.raises(FetchError, match=r"refused the key \(HTTP 401\)") as info:
        Client(KEY, fake_api.url).fetch(load_query(QUERY))
    assert KEY not in str(info.value)


def test_malformed_json_is_one_clear_line(fake_api):
    fake_api.script["statistik"] = [(200, {"Content-Type": "application/json"}, b'[{"a": "1",')]
    with pytest.raises(FetchError, match="not valid JSON at line 1"):
        Client(KEY, fake_api.url).fetch(load_query(QUERY))


def test_an_object_instead_of_rows_is_refused(fake_api):
    fake_api.script["statistik"] = [json_reply({"rows": []})]
    with pytest.raises(FetchError, match="not a JSON array of row objects"):
        Client(KEY, fake_api.url).fetch(load_query(QUERY))


def test_measure_not_in_the_cube(fake_api):
    fake_api.script["skema"] = [cube_schema(["Antal", "Andel i pct"])]
    with pytest.raises(FetchError, match=r"measure\(s\) 'Andel' not in cube UNVERIFIED-EUD/.*the cube has: Antal, "
                                         "Andel i pct"):
        Client(KEY, fake_api.url).check_measures(load_query(QUERY))
    assert fake_api.requests[0]["body"] == {"område": "UNVERIFIED-EUD", "emne": "UNVERIFIED-hovedforloeb",
                                            "underemne": "UNVERIFIED-status-3-mdr"}


def test_plain_http_only_to_this_machine():
    with pytest.raises(FetchError, match="must start with https"):
        Client(KEY, "http://example.org/Api/v1")


# ---- the key ------------------------------------------------------------------------------------------------

def test_key_from_env_or_a_file_outside_the_project(tmp_path, monkeypatch):
    monkeypatch.setenv("SOSU_API_KEY", "from-env")
    assert read_key(None, ROOT) == "from-env"
    monkeypatch.delenv("SOSU_API_KEY")
    keyfile = tmp_path / "key"
    keyfile.write_text("from-file\n")
    keyfile.chmod(0o644)
    with pytest.raises(FetchError, match=r"can be read by others \(mode 0644\)"):  # the rule `import` applies
        read_key(keyfile, ROOT)
    keyfile.chmod(0o600)
    assert read_key(keyfile, ROOT) == "from-file"
    inside = ROOT / "config" / "api-key.txt"
    with pytest.raises(FetchError, match="inside the project"):
        read_key(inside, ROOT)
    with pytest.raises(FetchError, match="no API key"):
        read_key(None, ROOT)


# ---- the command line end to end ---------------------------------------------------------------------------

def test_cli_fetch_writes_raw_sidecar_and_table(fake_api, tmp_path):
    rows = table1_rows()
    fake_api.script["skema"] = [cube_schema(["Andel", "Antal"])]
    fake_api.script["statistik"] = paged(rows)
    out = tmp_path / "sosuh.csv"
    res = run_cli(str(QUERY), "--out", str(out), env_extra={"SOSU_API_KEY": KEY, "SOSU_API_URL": fake_api.url})
    assert res.returncode == 0, res.stderr
    assert "unverified" in res.stderr and KEY not in res.stdout + res.stderr
    raw, meta_path = tmp_path / "sosuh.answer.json", tmp_path / "sosuh.answer.meta.json"
    assert json.loads(raw.read_text()) == rows  # the answer unchanged
    meta = json.loads(meta_path.read_text())
    assert meta["credit"] == "Kilde: Uddannelsesstatistik.dk" and meta["rows"] == 33
    assert meta["query_sha256"] == load_query(QUERY).sha256() and len(meta["query_sha256"]) == 64
    assert meta["retrieved"].endswith("Z") and meta["synthetic"] is False
    assert KEY not in meta_path.read_text()
    # replaying the stored answer gives the same table, byte for byte
    again = tmp_path / "again.csv"
    assert run_cli("--replay", str(raw), str(QUERY), "--out", str(again)).returncode == 0
    assert again.read_bytes() == out.read_bytes()


@pytest.mark.parametrize("reply, expect", [
    (json_reply({}, 401), "refused the key (HTTP 401)"),
    ((200, {}, b"<html>oops</html>"), "not valid JSON"),
])
def test_cli_errors_are_one_line_exit_2_nothing_written(fake_api, tmp_path, reply, expect):
    fake_api.script["statistik"] = [reply]
    out = tmp_path / "x.csv"
    res = run_cli(str(QUERY), "--out", str(out), "--no-measure-check",
                  env_extra={"SOSU_API_KEY": KEY, "SOSU_API_URL": fake_api.url})
    assert res.returncode == 2
    errors = [line for line in res.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and expect in errors[0]
    assert "Traceback" not in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_cli_catalogue_lists_areas_and_members(fake_api):
    fake_api.script["skema"] = [json_reply([{"kode": "EUD", "navn": "Erhvervsuddannelser"}]),
                                json_reply({"medlemmer": ["SOSU H", "SOSU Nord"]})]
    env = {"SOSU_API_KEY": KEY, "SOSU_API_URL": fake_api.url}
    res = run_cli("--catalogue", env_extra=env)
    assert res.returncode == 0 and "kode: EUD | navn: Erhvervsuddannelser" in res.stdout
    res = run_cli("--catalogue", "A/B/C", "--member", "[Institution].[Institution]", env_extra=env)
    assert res.returncode == 0 and "- SOSU H" in res.stdout
    assert fake_api.requests[1]["body"] == {"område": "A", "emne": "B", "underemne": "C",
                                            "detalje": "[Institution].[Institution]"}


def test_replay_refuses_an_answer_that_does_not_fit_its_sidecar(tmp_path):
    raw = tmp_path / "a.answer.json"
    raw.write_text(TABLE1_ANSWER.read_text())
    conv.sidecar_path(raw).write_text(json.dumps({"rows": 34, "query": {"body": {"område": "other"}}}))
    res = run_cli("--replay", str(raw), str(QUERY), "--out", str(tmp_path / "t.csv"))
    assert res.returncode == 2
    assert "has 33 rows but its sidecar says 34" in res.stderr and "another request body" in res.stderr
