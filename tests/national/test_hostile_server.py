"""`sosu-analysis fetch` against a hostile server: the outbound and message policies hold (issue 20).

Every case runs the command in-process (``sosu_analysis.cli.main``) against the
hostile server of :mod:`hostile_server` on 127.0.0.1 and asserts: exit code 2,
exactly one clear ``error:`` line, no traceback, nothing written, a generous
upper bound on the time taken (the deadlines are made small here, so a case
that hangs fails instead of stalling the suite), and the key nowhere in
stdout, stderr or any file. The limits are the client's module constants,
lowered per test with ``monkeypatch``.
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pytest
from hostile_server import MAX_LOOP, HostileServer, send, send_json, stream

from sosu_analysis.cli import main
from sosu_analysis.national import client as client_mod
from sosu_analysis.national.client import Client, FetchError, redirect_refusal

#: no digit runs in it, so the privacy mask cannot hide it by accident: a leak would show
KEY = "HOSTILE-test-key-QxZvWuTsRpOnMl"
#: the upper bound of every case, seconds (generous: the deadlines in play are about 1 s)
BOUND = 20.0

ROWS = [{"[Inst]": "SOSU H", "[Udd]": "Social- og sundhedshjælper", "[År]": "2022", "Antal": "1.171"},
        {"[Inst]": "SOSU H", "[Udd]": "Social- og sundhedsassistent", "[År]": "2022", "Antal": "-"}]
QUERY_YAML = """\
layout: published
body:
  område: A
  emne: B
  underemne: C
  nøgletal: [Antal]
  side_størrelse: 2
mapping:
  dimensions:
    "[Inst]": Institution
    "[Udd]": Uddannelse
    "[År]": År
  measures:
    Antal: "I gang (antal)"
"""


@pytest.fixture
def hostile():
    server = HostileServer().start()
    try:
        yield server
    finally:
        server.stop()
        server.thread.join(timeout=5)


@pytest.fixture
def setup(tmp_path, monkeypatch, hostile):
    """Key and address from the environment, a small query, an output folder that must stay empty."""
    for name in ("SOSU_API_KEY", "SOSU_API_KEY_FILE", "SOSU_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SOSU_API_KEY", KEY)
    monkeypatch.setenv("SOSU_API_URL", hostile.url)
    monkeypatch.setattr(client_mod, "REQUEST_DEADLINE", 1.0)
    monkeypatch.setattr(client_mod, "FETCH_DEADLINE", 5.0)
    query = tmp_path / "query.yaml"
    query.write_text(QUERY_YAML, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    return query, out / "t.csv"


def run(capsys, *args: str) -> tuple[int, str, str, float]:
    start = time.monotonic()
    code = main(["fetch", *args])
    elapsed = time.monotonic() - start
    captured = capsys.readouterr()
    return code, captured.out, captured.err, elapsed


def assert_refused(code: int, out: str, err: str, elapsed: float, folder: Path, *expect: str) -> str:
    """Exit 2, one clear error line holding ``expect``, no traceback, nothing written, no key, in bounded time."""
    assert code == 2, err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, err
    for text in expect:
        assert text in errors[0], errors[0]
    assert "Traceback" not in err + out
    assert "\x1b" not in err + out and "\x07" not in err + out
    assert KEY not in err + out
    assert len(errors[0]) <= 2000
    assert list(folder.iterdir()) == [], "nothing may be written"
    assert elapsed < BOUND
    return errors[0]


def fetch(capsys, setup, *extra: str):
    query, out = setup
    return (*run(capsys, str(query), "--out", str(out), "--no-measure-check", *extra), out.parent)


def rows_page(handler, body) -> None:
    send_json(handler, ROWS[:1] if body.get("side", 1) > 1 else ROWS)


# ---- keys and hosts ----------------------------------------------------------------------------------------

def test_redirect_to_another_host_is_refused_for_data_and_catalogue(capsys, setup, hostile):
    query, out = setup
    elsewhere = HostileServer(lambda h, b: send_json(h, ROWS[:1])).start()
    try:
        target = f"http://localhost:{elsewhere.port}/steal"
        hostile.behaviour = lambda h, b: send(h, 302, b"", {"Location": target})
        code, o, e, t = run(capsys, str(query), "--out", str(out))  # the catalogue call first (measure check)
        line = assert_refused(code, o, e, t, out.parent, "catalogue", "HTTP 302", "another host", "never followed")
        assert "steal" not in line
        code, o, e, t, folder = fetch(capsys, setup)  # the data call
        assert_refused(code, o, e, t, folder, "page 1", "another host (http://localhost)")
        hostile.behaviour = lambda h, b: send(h, 307, b"", {"Location": "/Api/v1/other"})
        code, o, e, t, folder = fetch(capsys, setup)  # even on the same host
        assert_refused(code, o, e, t, folder, "same host")
        assert elsewhere.requests == []  # the key never left for the redirect's target
    finally:
        elsewhere.stop()


def test_a_redirect_from_https_to_http_is_refused():
    # simulated by the rule the client applies to every redirect (the tests have no TLS server)
    why = redirect_refusal("https://api.uddannelsesstatistik.dk/Api/v1/statistik",
                           "http://api.uddannelsesstatistik.dk/Api/v1/statistik")
    assert why.startswith("a redirect from https to http")
    assert "another host" in redirect_refusal("https://api.example.dk/a", "https://evil.example/a")
    assert "another host" in redirect_refusal("https://api.example.dk/a", "//evil.example/a")
    assert "another host" in redirect_refusal("https://api.example.dk/a", "https://api.example.dk:8443/a")


def test_plain_http_goes_only_to_this_machine_and_credentials_in_the_url_are_refused(capsys, setup, hostile):
    query, out = setup
    for url, expect in [("http://example.org/Api/v1", "must start with https"),
                        ("http://user:s3cretPW@127.0.0.1:1/Api", "user name or password"),
                        ("https://user:s3cretPW@api.example.dk/Api", "user name or password"),
                        ("https://api.example.dk/Api?token=abc", "without a query")]:
        code, o, e, t = run(capsys, str(query), "--out", str(out), "--url", url)
        line = assert_refused(code, o, e, t, out.parent, expect)
        assert "s3cretPW" not in o + e and "user:s3cret" not in line
    assert hostile.requests == []


def test_an_echoing_server_never_shows_the_key(capsys, setup, hostile):
    def echo(handler, body):
        headers = "".join(f"{k}: {v}\r\n" for k, v in handler.headers.items())
        send(handler, 400, f"Bad request. You sent:\r\n{headers}".encode())

    hostile.behaviour = echo
    code, o, e, t, folder = fetch(capsys, setup)
    line = assert_refused(code, o, e, t, folder, "HTTP 400", "[skjult]")
    assert "Bearer" not in line or "Bearer [skjult]" in line
    assert hostile.requests[0]["authorization"] == f"Bearer {KEY}"  # it was sent, to this host only

    def echo_json(handler, body):
        send_json(handler, {"message": {"headers": dict(handler.headers.items()), "key": KEY}}, status=400)

    hostile.behaviour = echo_json
    code, o, e, t, folder = fetch(capsys, setup)
    assert_refused(code, o, e, t, folder, "HTTP 400")


def test_terminal_escapes_in_a_server_message_are_escaped(capsys, setup, hostile):
    hostile.behaviour = lambda h, b: send_json(h, {"message": "\x1b[2J\x1b]0;pwned\x07fejl\r\nerror: forged"}, 400)
    code, o, e, t, folder = fetch(capsys, setup)
    assert_refused(code, o, e, t, folder, "\\x1b[2J", "fejl")
    assert "\r" not in e


def test_the_catalogue_output_is_escaped_and_bounded(capsys, setup, hostile):
    hostile.behaviour = lambda h, b: send_json(h, [{"navn": "\x1b[31mrød\x1b[0m " + "x" * 5000, "token": KEY}]
                                               + [f"member {i}" for i in range(client_mod.MAX_CATALOGUE_LINES + 50)])
    code, o, e, t = run(capsys, "--catalogue")
    assert code == 0 and "\x1b" not in o and "\\x1b[31mrød" in o and KEY not in o
    lines = o.splitlines()
    assert max(map(len, lines)) <= 320 and len(lines) == client_mod.MAX_CATALOGUE_LINES + 1
    assert lines[-1] == "… and 51 more lines"


# ---- resources ---------------------------------------------------------------------------------------------

def test_a_dripping_server_is_given_up_on(capsys, setup, hostile):
    def drip_body(handler, body):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        stream(handler, (b" " for _ in range(MAX_LOOP)), pause=0.2)

    hostile.behaviour = drip_body
    code, o, e, t, folder = fetch(capsys, setup)
    assert_refused(code, o, e, t, folder, "page 1", "no complete answer", "within 1 s")
    assert t < 5

    def drip_headers(handler, body):
        stream(handler, [b"HTTP/1.1 200 OK\r\n"] + [b"X" for _ in range(MAX_LOOP)], pause=0.2)

    hostile.behaviour = drip_headers
    code, o, e, t, folder = fetch(capsys, setup)
    assert_refused(code, o, e, t, folder, "no complete answer")
    assert t < 5


def test_the_fetch_deadline_covers_every_page(capsys, setup, hostile, monkeypatch):
    monkeypatch.setattr(client_mod, "FETCH_DEADLINE", 1.5)

    def slow_full_pages(handler, body):
        time.sleep(0.4)
        send_json(handler, ROWS)

    hostile.behaviour = slow_full_pages
    code, o, e, t, folder = fetch(capsys, setup)
    assert_refused(code, o, e, t, folder)
    assert t < 5


def test_an_endless_or_huge_body_is_refused_early(capsys, setup, hostile, monkeypatch):
    monkeypatch.setattr(client_mod, "MAX_BODY_BYTES", 1024 * 1024)

    def endless(handler, body):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Connection", "close")
        handler.end_headers()
        stream(handler, [b"["] + [b'"' + b"x" * 65_000 + b'",' for _ in range(MAX_LOOP)])

    hostile.behaviour = endless
    code, o, e, t, folder = fetch(capsys, setup)
    assert_refused(code, o, e, t, folder, "larger than 1,048,576 bytes")

    def announced(handler, body):  # 150 MB announced: refused before reading
        handler.send_response(200)
        handler.send_header("Content-Length", str(150 * 1024 * 1024))
        handler.end_headers()
        stream(handler, [b"[" + b" " * 1000])

    hostile.behaviour = announced
    code, o, e, t, folder = fetch(capsys, setup)
    assert_refused(code, o, e, t, folder, "announces 157,286,400 bytes")


def test_endless_paging_of_full_pages_stops(capsys, setup, hostile, monkeypatch):
    hostile.behaviour = lambda h, b: send_json(h, ROWS)  # always a full page
    monkeypatch.setattr(client_mod, "MAX_PAGES", 5)
    code, o, e, t, folder = fetch(capsys, setup)
    assert_refused(code, o, e, t, folder, "more than 5 pages")
    assert len(hostile.requests) == 5
    monkeypatch.setattr(client_mod, "MAX_PAGES", 1000)
    monkeypatch.setattr(client_mod, "MAX_ROWS", 7)
    code, o, e, t, folder = fetch(capsys, setup)
    assert_refused(code, o, e, t, folder, "passed 7 rows", "by page 4")
    hostile.behaviour = lambda h, b: send_json(h, ROWS * 3)  # more rows than side_størrelse asked for
    code, o, e, t, folder = fetch(capsys, setup)
    assert_refused(code, o, e, t, folder, "6 rows, more than the 2 asked for")


# ---- strict JSON -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("body, expect", [
    (b'[{"[Inst]": "SOSU H", "[Udd]": "U", "[\xc3\x85r]": "2022", "Antal": ' + b"9" * 5000 + b"}]",
     "whole number of 5000 digits"),
    (b'[{"[Inst]": "SOSU H", "[Udd]": "U", "[\xc3\x85r]": "2022", "Antal": 1e400}]', "larger than 1e+15"),
    (b'[{"[Inst]": "SOSU H", "[Udd]": "U", "[\xc3\x85r]": "2022", "Antal": Infinity}]', "Infinity"),
    (b'[{"[Inst]": "SOSU H", "[Udd]": "U", "[\xc3\x85r]": "2022", "Antal": NaN}]', "NaN"),
    (b"[" * 100_000 + b"]" * 100_000, "nested deeper than 32 levels"),
    (b"[" * 40 + b"]" * 40, "nested deeper than 32 levels"),
    (b'[{"a": 1, "a": 2}]', "member name 'a' twice"),
    (b'[{"a": "\xff"}]', "not UTF-8"),
])
def test_the_answer_must_be_strict_json(capsys, setup, hostile, body, expect):
    hostile.behaviour = lambda h, b: send(h, 200, body)
    code, o, e, t, folder = fetch(capsys, setup)
    assert_refused(code, o, e, t, folder, "page 1: the answer", expect, "nothing was written")


@pytest.mark.parametrize("value, expect", [
    ("9" * 5000, "a value of 5000 characters"),
    (1e14, "larger than 100,000,000"),  # a JSON number; 1e308 is refused by strict JSON already
    (12.5, "not a whole number"),
])
def test_absurd_counts_are_refused_naming_the_row(capsys, setup, hostile, value, expect):
    rows = [dict(ROWS[0], Antal=value)]
    hostile.behaviour = lambda h, b: send_json(h, rows)
    query, out = setup
    code, o, e, t = run(capsys, str(query), "--out", str(out), "--no-measure-check")
    assert code == 2 and "Traceback" not in e and KEY not in o + e and t < BOUND
    assert "answer row 1, key 'Antal': " in e and expect in e
    assert not out.exists()  # the raw answer is kept for a replay, the table is not written


def test_a_nested_object_as_a_member_name_is_refused(capsys, setup, hostile):
    rows = [dict(ROWS[0], **{"[Inst]": {"=cmd": "x"}})]
    hostile.behaviour = lambda h, b: send_json(h, rows)
    query, out = setup
    code, o, e, t = run(capsys, str(query), "--out", str(out), "--no-measure-check")
    assert code == 2 and "answer row 1, key '[Inst]': a dict where a member name (text) is expected" in e
    assert not out.exists()


# ---- formula-safe CSV --------------------------------------------------------------------------------------

def test_formula_member_names_are_written_as_text(capsys, setup, hostile):
    rows = [dict(ROWS[0], **{"[Inst]": "=cmd|' /C calc'!A0"}),
            dict(ROWS[0], **{"[Inst]": "@SUM(1+1)", "[Udd]": "+HYPERLINK(\"http://x\")"}),
            dict(ROWS[0], **{"[Inst]": "\t=Tab", "[Udd]": "-2+3"})]  # blanks around a member are trimmed
    hostile.behaviour = lambda h, b: send_json(h, rows[:2] if b["side"] == 1 else rows[2:])
    query, out = setup
    code, o, e, t = run(capsys, str(query), "--out", str(out), "--no-measure-check")
    assert code == 0, e
    with out.open(encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh, delimiter=";"))
    assert [r[:3] for r in table[1:]] == [["'=cmd|' /C calc'!A0", "Social- og sundhedshjælper", "2022"],
                                          ["'@SUM(1+1)", "'+HYPERLINK(\"http://x\")", "2022"],
                                          ["'=Tab", "'-2+3", "2022"]]
    assert all(r[table[0].index("I gang (antal)")] == "1.171" for r in table[1:])  # numbers untouched
    raw = json.loads((out.parent / "t.answer.json").read_text(encoding="utf-8"))
    assert raw == rows  # the raw answer is kept exactly as received
    assert KEY not in "".join(p.read_text(encoding="utf-8") for p in out.parent.iterdir())


# ---- the key file ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("content, mode, expect", [
    (b"first-line-key\nsecond-line\n", 0o600, "2 non-empty lines"),
    ("kéy-€-nøgle".encode(), 0o600, "non-ASCII character"),
    (b"\xff\xfe\x00k\x00e\x00y", 0o600, "not UTF-8"),
    (b"key\x1b[2Jwith-escape", 0o600, "control or non-ASCII"),
    (b"", 0o600, "is empty"),
    (b"x" * 20_000, 0o600, "larger than 16384 bytes"),
    (KEY.encode(), 0o644, "can be read by others (mode 0644)"),
    (KEY.encode(), 0o640, "can be read by others (mode 0640)"),
])
def test_bad_key_files_are_refused_in_one_line(capsys, setup, hostile, tmp_path, monkeypatch,
                                               content, mode, expect):
    monkeypatch.delenv("SOSU_API_KEY")
    keyfile = tmp_path / "api-key"
    keyfile.write_bytes(content)
    keyfile.chmod(mode)
    code, o, e, t, folder = fetch(capsys, setup, "--key-file", str(keyfile))
    line = assert_refused(code, o, e, t, folder, expect)
    assert "first-line-key" not in line and "nøgle" not in line
    assert hostile.requests == []  # no key sent at all


def test_a_key_with_a_line_break_from_the_environment_is_refused(capsys, setup, hostile, monkeypatch):
    monkeypatch.setenv("SOSU_API_KEY", "abc\r\nX-Injected: yes")
    code, o, e, t, folder = fetch(capsys, setup)
    line = assert_refused(code, o, e, t, folder, "$SOSU_API_KEY", "line break")
    assert "Injected" not in line and hostile.requests == []


def test_a_long_server_text_is_masked_in_linear_time(capsys, setup, hostile):
    long_value = "k" * 300_000  # the quadratic e-mail mask held `fetch` past 120 s on this
    hostile.behaviour = lambda h, b: send_json(h, [dict(ROWS[0], Antal=long_value + "@x")])
    code, o, e, t, folder = fetch(capsys, setup)
    assert code == 2 and t < BOUND and len(e) < 3000


def test_a_broken_answer_is_one_line(capsys, setup, hostile):
    def broken(handler, body):
        stream(handler, [b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n[1,"])  # then the connection closes

    hostile.behaviour = broken
    code, o, e, t, folder = fetch(capsys, setup)
    assert_refused(code, o, e, t, folder, "broke off or is not HTTP (IncompleteRead)")
    hostile.behaviour = lambda h, b: stream(h, [b"\x1b[2J garbage\r\n\r\n"])
    code, o, e, t, folder = fetch(capsys, setup)
    assert_refused(code, o, e, t, folder, "broke off or is not HTTP")


def test_the_client_limits_apply_without_the_cli(hostile, monkeypatch):
    monkeypatch.setattr(client_mod, "REQUEST_DEADLINE", 1.0)
    hostile.behaviour = lambda h, b: send(h, 301, b"", {"Location": "http://127.0.0.2:1/x"})
    with pytest.raises(FetchError, match=r"catalogue: the service answered HTTP 301, a redirect to another host"):
        Client(KEY, hostile.url).catalogue()


@pytest.mark.parametrize("content, expect", [
    (b"[" * 100_000 + b"]" * 100_000, "nested deeper than 32 levels"),
    (b'[{"Antal": Infinity}]', "Infinity"),
    (b'[{"Antal": ' + b"7" * 5000 + b"}]", "5000 digits"),
])
def test_a_stored_answer_is_read_as_strict_json(capsys, setup, content, expect):
    query, out = setup
    raw = out.parent.parent / "hostile.answer.json"
    raw.write_bytes(content)
    code, o, e, t = run(capsys, "--replay", str(raw), str(query), "--out", str(out))
    assert_refused(code, o, e, t, out.parent, "hostile.answer.json", expect)
