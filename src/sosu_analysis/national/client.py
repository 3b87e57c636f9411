"""HTTP client of uddannelsesstatistik.dk's statistics API (standard library only).

DOCUMENTATION ONLY: everything in this module follows the public description of
the API (``../shared/REAL_DATA.md`` §2) and has **not yet met the live service**:

- ``POST {base}/statistik`` with ``Authorization: Bearer <key>`` and a JSON body
  (område, emne, underemne, nøgletal, detaljering, filtre, side, side_størrelse);
  the answer is a JSON array of row objects; pages are asked for with ``side``
  = 1, 2, ... until a page holds fewer rows than ``side_størrelse``;
- ``POST {base}/skema`` is the catalogue, a drill-down: ``{}`` -> areas,
  ``{område}`` -> topics, ``{område, emne}`` -> sub-topics, ``{område, emne,
  underemne}`` -> the cube's dimensions (``detaljer``) and measures
  (``nøgletal``, as ``"[Measures].[Name]"``), and ``{..., detalje}`` -> a
  dimension's members;
- status codes: 401/403 for a bad key, 429 with ``Retry-After`` when asking too
  fast, 5xx for a server fault (retried a bounded number of times).

Where the live service turns out to differ (another page rule, other key names in
``skema``), this module is the one place to change. The key is read from the
environment variable ``SOSU_API_KEY`` or from a key file *outside* the project
(``--key-file`` or ``SOSU_API_KEY_FILE``); it is never printed, logged or written.
"""

from __future__ import annotations

import email.utils
import hashlib
import http.client
import json
import os
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import strict_json
from ..keyfile import check_key_location, read_key_line
from ..privacy import safe_text
from .query import SavedQuery

BASE_URL = "https://api.uddannelsesstatistik.dk/Api/v1"
KEY_ENV = "SOSU_API_KEY"
KEY_FILE_ENV = "SOSU_API_KEY_FILE"
BASE_URL_ENV = "SOSU_API_URL"
#: the only hosts plain http may go to (the tests' local server); everything else is https
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
#: attempts for a 5xx or 429 answer (the first try included)
MAX_ATTEMPTS = 4
#: longest wait the client accepts from a Retry-After header, seconds
MAX_RETRY_AFTER = 120.0

# ---- the outbound policy (docs/decisions.md, "Issue 20"): every limit of a fetch, in one place ----------
#: seconds one request may take from connecting to its last byte (a server dripping bytes is given up on)
REQUEST_DEADLINE = 120.0
#: seconds a whole command may spend on the network: every page, retry and Retry-After wait
FETCH_DEADLINE = 1800.0
#: largest answer body read (bytes); a longer or endless answer is refused while it streams in
MAX_BODY_BYTES = 32 * 1024 * 1024
#: bytes of an error answer read at most (only its first line is shown)
MAX_ERROR_BODY_BYTES = 64 * 1024
#: bytes of all pages of one fetch together
MAX_TOTAL_BYTES = 256 * 1024 * 1024
#: pages fetched at most (a guard against a service that never returns a short page)
MAX_PAGES = 1000
#: answer rows of one fetch at most
MAX_ROWS = 500_000
#: lines of catalogue output printed at most
MAX_CATALOGUE_LINES = 5000
_CHUNK = 65_536
#: kept for callers of the old name: the per-request deadline
TIMEOUT = REQUEST_DEADLINE


class FetchError(Exception):
    """A failed request, with a one-line message a user can act on (the CLI prints it, exit 2)."""


@dataclass
class Page:
    """One page of an answer as received: its number, its bytes' SHA-256 and its rows."""

    number: int
    sha256: str
    rows: list[dict[str, Any]] = field(default_factory=list)


def check_key_text(key: str, source: str) -> str:
    """Return ``key`` if it can travel in an HTTP header; refuse it otherwise, never showing it.

    A bearer key is printable ASCII without blanks (RFC 6750's ``b64token``
    is a subset); a line break, a control character or a non-ASCII letter
    would either break the header or be sent in an encoding the service
    cannot know.
    """
    if not key:
        raise FetchError(f"the API key from {source} is empty")
    if not all("!" <= ch <= "~" for ch in key):
        raise FetchError(f"the API key from {source} holds a line break, blank, control or non-ASCII character, "
                         "which cannot be sent in an HTTP header; copy the key again (it is not shown)")
    return key


def read_key(key_file: str | os.PathLike | None, root: str | os.PathLike) -> str:
    """Return the bearer key: ``SOSU_API_KEY``, else a key file outside the project.

    The key file follows the same rule as the pseudonym key of ``import``
    (:func:`sosu_analysis.keyfile.check_key_location`: outside the project,
    readable by its owner only) and holds the key on one line.

    Parameters
    ----------
    key_file
        A file holding the key (one line), or ``None`` to use ``SOSU_API_KEY_FILE``.
    root
        The project root; a key file inside it is refused, so that a key can never be committed.
    """
    env = os.environ.get(KEY_ENV, "").strip()
    if env and key_file is None:
        return check_key_text(env, f"${KEY_ENV}")
    path_text = str(key_file) if key_file is not None else os.environ.get(KEY_FILE_ENV, "")
    if not path_text:
        raise FetchError(f"no API key: set the environment variable {KEY_ENV}, or give --key-file (or "
                         f"{KEY_FILE_ENV}) naming a file outside the project; a free key comes from "
                         "uddannelsesstatistik.dk's online tool")
    shown = safe_text(path_text, personal=False)
    path = Path(path_text).expanduser().resolve()
    if path.is_relative_to(Path(root).resolve()):
        raise FetchError(f"refusing the key file {shown}: it lies inside the project, where it could be "
                         "committed; keep it outside (e.g. ~/.config/sosu-analysis/api-key)")
    if not path.is_file():
        raise FetchError(f"key file {shown} not found")
    reasons = check_key_location(path, root)
    if reasons:
        raise FetchError(f"refusing the key file {shown}: {'; '.join(reasons)}")
    try:
        key = read_key_line(path)
    except (ValueError, OSError) as exc:
        raise FetchError(f"key file {shown} {exc}") from None
    return check_key_text(key, f"the key file {shown}")


def base_url(override: str | None = None) -> str:
    """Return the API's base address: ``override``, ``SOSU_API_URL`` or the documented one.

    Plain ``http`` is allowed only to this machine (:data:`LOCAL_HOSTS`, the
    tests' local server), so a key never travels unencrypted; a user name or
    password in the address is refused (and never printed).
    """
    url = (override or os.environ.get(BASE_URL_ENV) or BASE_URL).strip().rstrip("/")
    try:
        parts = urllib.parse.urlsplit(url)
        host, _port = parts.hostname, parts.port
    except ValueError:
        raise FetchError("the API address is not a valid URL (give e.g. https://api.uddannelsesstatistik.dk/Api/v1)"
                         ) from None
    if "@" in parts.netloc:
        raise FetchError("the API address holds a user name or password (user:pass@host), which is refused and "
                         "not shown; give the address without it (the key goes in $SOSU_API_KEY or --key-file)")
    if not host or parts.query or parts.fragment:
        raise FetchError(f"API address {safe_text(url, personal=False)!r} must be scheme://host/path, without a "
                         "query or fragment")
    if parts.scheme == "https" or (parts.scheme == "http" and host in LOCAL_HOSTS):
        return url
    raise FetchError(f"API address {safe_text(url, personal=False)!r} must start with https:// (http only to "
                     "127.0.0.1)")


def _origin(url: str) -> tuple[str, str, int]:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80)


def redirect_refusal(url: str, location: str | None) -> str:
    """Why a redirect from ``url`` to ``location`` is not followed (every redirect is refused).

    The key travels in the Authorization header; following a redirect would
    send it wherever the answer points. Another host, a switch from https to
    http and a move on the same host are all refused; the message names the
    target's scheme and host only (escaped), never a path or query.
    """
    if not location:
        return "a redirect without a target"
    try:
        target = urllib.parse.urljoin(url, location.strip())
        to_scheme, to_host, to_port = _origin(target)
    except ValueError:
        return "a redirect to an address that is not a valid URL"
    scheme, host, port = _origin(url)
    shown = safe_text(f"{to_scheme}://{to_host}", limit=80, personal=False)
    if scheme == "https" and to_scheme != "https":
        return f"a redirect from https to {safe_text(to_scheme or '(none)', limit=20)} ({shown})"
    if to_host != host or to_port != port:
        return f"a redirect to another host ({shown})"
    return "a redirect to another address on the same host"


def _retry_after(value: str | None, default: float) -> float:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date)."""
    if not value:
        return default
    value = value.strip()[:100]
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError, IndexError, OverflowError):
        return default


def _server_message(body: bytes, secrets: tuple[str, ...] = ()) -> str:
    """Return the gist of an error answer for a one-line message: masked, escaped and short."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        data = strict_json.loads(text)
        if isinstance(data, dict):
            text = str(data.get("message") or data.get("fejl") or data.get("error") or data)
    except ValueError:
        pass
    return safe_text(" ".join(text.split()), limit=200, secrets=secrets)


@dataclass
class _Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def _exchange(url: str, data: bytes, headers: dict[str, str], *, deadline: float, max_body: int,
              what: str) -> _Answer:
    """Send one POST and read its answer, all within ``deadline`` seconds and ``max_body`` bytes.

    Uses :mod:`http.client` directly rather than :mod:`urllib.request`: no
    redirect is ever followed, no proxy from the environment sees the key,
    and the body is read in chunks so that its size is checked while it
    streams in. A watchdog closes the connection when the deadline passes,
    whatever the server is doing (a header or body dripping one byte at a
    time included).
    """
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "", parts.port
    timeout = max(deadline, 0.001)
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    expired = threading.Event()

    def abort() -> None:
        expired.set()
        sock = conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    watchdog = threading.Timer(timeout, abort)
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.request("POST", parts.path or "/", body=data, headers=headers)
        response = conn.getresponse()
        limit = max_body if 200 <= response.status < 300 else MAX_ERROR_BODY_BYTES
        length = response.getheader("Content-Length", "")
        if 200 <= response.status < 300 and length.isascii() and length.isdigit() and int(length[:20]) > limit:
            raise FetchError(f"{what}: the answer announces {int(length[:20]):,} bytes, more than the "
                             f"{limit:,} accepted; narrow the query (filtre) or a smaller side_størrelse; "
                             "nothing was written")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = response.read1(_CHUNK)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            if 200 <= response.status < 300:
                raise FetchError(f"{what}: the answer is larger than {limit:,} bytes; narrow the query (filtre) "
                                 "or a smaller side_størrelse; nothing was written")
            chunks = [b"".join(chunks)[:limit]]  # an error answer: its start is enough for the message
        if expired.is_set():
            raise TimeoutError
        if size < limit and length.isascii() and length.isdigit() and size < int(length[:20]):
            raise http.client.IncompleteRead(b"", int(length[:20]) - size)
        return _Answer(response.status, response.headers, b"".join(chunks))
    except FetchError:
        raise
    except (TimeoutError, OSError, http.client.HTTPException) as exc:
        if expired.is_set() or isinstance(exc, TimeoutError):
            raise FetchError(f"{what}: no complete answer from {url} within {deadline:g} s; given up, nothing "
                             "was written") from None
        reason = safe_text(getattr(exc, "strerror", None) or exc.__class__.__name__, limit=120, personal=False)
        if isinstance(exc, http.client.HTTPException):  # connected, but what came back is not a whole HTTP answer
            raise FetchError(f"{what}: the answer from {url} broke off or is not HTTP ({reason}); nothing was "
                             "written") from None
        raise FetchError(f"{what}: cannot reach {url} ({reason})") from None
    finally:
        watchdog.cancel()
        conn.close()


def post_json(url: str, body: dict[str, Any], key: str, *, what: str,
              sleep: Callable[[float], None] = time.sleep, max_attempts: int = MAX_ATTEMPTS,
              timeout: float | None = None, deadline_at: float | None = None,
              max_body: int | None = None) -> tuple[Any, bytes]:
    """POST ``body`` as JSON and return the parsed (strict) answer and its bytes.

    429 is retried after ``Retry-After`` (at most :data:`MAX_RETRY_AFTER` s), a 5xx
    after 1, 2, 4, ... s, both up to ``max_attempts`` attempts in all. Each request
    ends within ``timeout`` seconds (default :data:`REQUEST_DEADLINE`) and all of
    them before ``deadline_at`` (a :func:`time.monotonic` time); a redirect is
    refused, never followed. Every failure is a :class:`FetchError` with one line
    of text (server text masked and escaped, the key never in it); ``what``
    names the request in it (e.g. ``"page 2"``).
    """
    timeout = REQUEST_DEADLINE if timeout is None else timeout
    max_body = MAX_BODY_BYTES if max_body is None else max_body
    if deadline_at is None:
        deadline_at = time.monotonic() + FETCH_DEADLINE
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json; charset=utf-8",
               "Accept": "application/json", "User-Agent": "sosu-analysis"}
    secrets = (key,)
    last = ""
    for attempt in range(1, max_attempts + 1):
        remaining = deadline_at - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"{what}: the fetch took longer than its deadline; given up, nothing was written")
        answer = _exchange(url, data, headers, deadline=min(timeout, remaining), max_body=max_body, what=what)
        status = answer.status
        if 300 <= status < 400:
            why = redirect_refusal(url, answer.headers.get("Location"))
            raise FetchError(f"{what}: the service answered HTTP {status}, {why}; redirects are never followed, "
                             f"so the key goes only to {_origin(url)[1]}: check --url or ${BASE_URL_ENV}")
        if 200 <= status < 300:
            try:
                return strict_json.loads(answer.body), answer.body
            except strict_json.StrictJSONError as exc:
                raise FetchError(f"{what}: the answer {exc}; nothing was written") from None
        message = _server_message(answer.body, secrets)
        if status in (401, 403):
            raise FetchError(f"{what}: the service refused the key (HTTP {status}); check {KEY_ENV} or the "
                             "key file (the key itself is not shown)")
        if status == 429:
            wait = _retry_after(answer.headers.get("Retry-After"), default=2.0 ** attempt)
            last = f"too many requests (HTTP 429), Retry-After {wait:g} s"
            if wait > MAX_RETRY_AFTER:
                raise FetchError(f"{what}: the service asks to wait {wait:g} s (HTTP 429 Retry-After), more "
                                 f"than {MAX_RETRY_AFTER:g} s; try again later")
            if attempt < max_attempts:
                if wait >= deadline_at - time.monotonic():
                    raise FetchError(f"{what}: the service asks to wait {wait:g} s, past the fetch's deadline")
                sleep(wait)
            continue
        if 500 <= status < 600:
            last = f"server error HTTP {status}" + (f" ({message})" if message else "")
            if attempt < max_attempts:
                sleep(min(2.0 ** (attempt - 1), max(deadline_at - time.monotonic(), 0.0)))
            continue
        raise FetchError(f"{what}: the service rejected the request (HTTP {status})"
                         + (f": {message}" if message else ""))
    raise FetchError(f"{what}: gave up after {max_attempts} attempts: {last}")


def _measure_name(item: object) -> str:
    """``"[Measures].[Antal]"`` -> ``"Antal"``; a dict's name field; anything else as text."""
    if isinstance(item, dict):
        item = item.get("navn") or item.get("name") or item.get("kode") or item.get("nøgletal") or ""
    text = str(item)
    if text.startswith("[Measures].[") and text.endswith("]"):
        return text[len("[Measures].["):-1]
    return text


def cube_measures(schema: object) -> list[str] | None:
    """Return the measure names of a cube's ``skema`` answer, or ``None`` when it lists none."""
    if isinstance(schema, dict):
        for key in ("nøgletal", "Nøgletal", "measures"):
            if isinstance(schema.get(key), list):
                return [_measure_name(m) for m in schema[key]]
    return None


class Client:
    """The statistics API: the catalogue and paged answers, under the outbound policy.

    Parameters
    ----------
    key
        The bearer key.
    url
        Base address (see :func:`base_url`).
    sleep
        How to wait between retries (tests pass a recorder).
    max_attempts
        Attempts per request (429 and 5xx are retried).

    Notes
    -----
    The limits are the module's constants (:data:`REQUEST_DEADLINE`,
    :data:`FETCH_DEADLINE`, :data:`MAX_BODY_BYTES`, :data:`MAX_TOTAL_BYTES`,
    :data:`MAX_PAGES`, :data:`MAX_ROWS`), read when the client is made; the
    fetch deadline runs from then and covers every request of the client
    (the catalogue check included).
    """

    def __init__(self, key: str, url: str | None = None, sleep: Callable[[float], None] = time.sleep,
                 max_attempts: int = MAX_ATTEMPTS):
        self.key = check_key_text(key, "the caller")
        self.url = base_url(url)
        self.sleep = sleep
        self.max_attempts = max_attempts
        self.request_deadline = REQUEST_DEADLINE
        self.fetch_deadline = FETCH_DEADLINE
        self.deadline_at = time.monotonic() + FETCH_DEADLINE
        self.max_body = MAX_BODY_BYTES
        self.max_total_bytes = MAX_TOTAL_BYTES
        self.max_pages = MAX_PAGES
        self.max_rows = MAX_ROWS

    def _post(self, endpoint: str, body: dict[str, Any], what: str) -> tuple[Any, bytes]:
        return post_json(f"{self.url}/{endpoint}", body, self.key, what=what, sleep=self.sleep,
                         max_attempts=self.max_attempts, timeout=self.request_deadline,
                         deadline_at=self.deadline_at, max_body=self.max_body)

    def catalogue(self, path: str = "", member: str | None = None) -> Any:
        """Ask the ``skema`` drill-down for ``"område[/emne[/underemne]]"``; ``member`` lists a dimension's members."""
        parts = [p for p in path.split("/") if p] if path else []
        if len(parts) > 3:
            raise FetchError(f"catalogue path {safe_text(path, personal=False)!r} has more than three parts "
                             "(område/emne/underemne)")
        body: dict[str, Any] = dict(zip(("område", "emne", "underemne"), parts, strict=False))
        if member:
            if len(parts) != 3:
                raise FetchError("--member needs the full path område/emne/underemne of a cube")
            body["detalje"] = member
        answer, _ = self._post("skema", body, what="catalogue")
        return answer

    def check_measures(self, query: SavedQuery) -> None:
        """Refuse a query asking for a measure the cube does not have (from the catalogue)."""
        b = query.body
        schema = self.catalogue(f"{b['område']}/{b['emne']}/{b['underemne']}")
        known = cube_measures(schema)
        if known is None:
            return  # the catalogue did not list measures: the service's own answer decides
        missing = [m for m in query.measure_names if m not in known]
        if missing:
            shown = ", ".join(safe_text(m, limit=60, personal=False) for m in known[:30])
            more = f" … and {len(known) - 30} more" if len(known) > 30 else ""
            raise FetchError(f"{query.source}: measure(s) {', '.join(repr(m) for m in missing)} not in cube "
                             f"{b['område']}/{b['emne']}/{b['underemne']}; the cube has: "
                             + (shown + more or "(none)"))

    def fetch(self, query: SavedQuery) -> list[Page]:
        """Every page of the query's answer, in order (``side`` = 1, 2, ...), within the limits.

        Paging stops at the first page holding fewer rows than
        ``side_størrelse``. A page holding more rows than that, more than
        :data:`MAX_PAGES` pages, :data:`MAX_ROWS` rows or
        :data:`MAX_TOTAL_BYTES` bytes in all, or a row that is not a JSON
        object, stops the fetch with a :class:`FetchError` (nothing is written).
        """
        size = int(query.body.get("side_størrelse", 1000))
        pages: list[Page] = []
        rows = total = 0
        for number in range(1, self.max_pages + 1):
            answer, raw = self._post("statistik", dict(query.body, side=number), what=f"page {number}")
            if not isinstance(answer, list) or not all(isinstance(r, dict) for r in answer):
                raise FetchError(f"page {number}: the answer is not a JSON array of row objects "
                                 f"(got {type(answer).__name__}); nothing was written")
            if len(answer) > size:
                raise FetchError(f"page {number}: {len(answer)} rows, more than the {size} asked for "
                                 "(side_størrelse); the paging cannot be trusted, nothing was written")
            rows += len(answer)
            total += len(raw)
            if rows > self.max_rows or total > self.max_total_bytes:
                raise FetchError(f"the answer passed {self.max_rows:,} rows or {self.max_total_bytes:,} bytes "
                                 f"by page {number}; narrow the query (filtre); nothing was written")
            pages.append(Page(number, hashlib.sha256(raw).hexdigest(), answer))
            if len(answer) < size:
                return pages
        raise FetchError(f"more than {self.max_pages} pages of {size} rows; narrow the query (filtre); nothing "
                         "was written")


def format_catalogue(answer: Any) -> str:
    """Format the catalogue answer as plain lines for a terminal (structure kept, nothing dropped)."""
    lines: list[str] = []

    def item_text(item: Any) -> str:
        if isinstance(item, dict):
            return " | ".join(f"{k}: {v}" for k, v in item.items() if not isinstance(v, (list, dict)))
        return str(item)

    def walk(value: Any, indent: str) -> None:
        if isinstance(value, list):
            for item in value:
                lines.append(f"{indent}- {item_text(item)}")
                if isinstance(item, dict):
                    for k, v in item.items():
                        if isinstance(v, (list, dict)):
                            lines.append(f"{indent}  {k}:")
                            walk(v, indent + "    ")
        elif isinstance(value, dict):
            for k, v in value.items():
                if isinstance(v, (list, dict)):
                    lines.append(f"{indent}{k}:")
                    walk(v, indent + "  ")
                else:
                    lines.append(f"{indent}{k}: {v}")
        else:
            lines.append(f"{indent}{value}")

    walk(answer, "")
    # server text reaches the terminal only escaped and bounded (the message policy, privacy.safe_text);
    # the catalogue is public metadata, so institution numbers are not masked as if they were personal
    shown = [safe_text(line, limit=300, personal=False) for line in lines[:MAX_CATALOGUE_LINES]]
    if len(lines) > MAX_CATALOGUE_LINES:
        shown.append(f"… and {len(lines) - MAX_CATALOGUE_LINES} more lines")
    return "\n".join(shown)
