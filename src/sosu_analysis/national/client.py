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
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .query import SavedQuery

BASE_URL = "https://api.uddannelsesstatistik.dk/Api/v1"
KEY_ENV = "SOSU_API_KEY"
KEY_FILE_ENV = "SOSU_API_KEY_FILE"
BASE_URL_ENV = "SOSU_API_URL"
#: attempts for a 5xx or 429 answer (the first try included)
MAX_ATTEMPTS = 4
#: longest wait the client accepts from a Retry-After header, seconds
MAX_RETRY_AFTER = 120.0
#: pages fetched at most (a guard against a service that never returns a short page)
MAX_PAGES = 10_000
TIMEOUT = 60.0


class FetchError(Exception):
    """A failed request, with a one-line message a user can act on (the CLI prints it, exit 2)."""


@dataclass
class Page:
    """One page of an answer as received: its number, its bytes' SHA-256 and its rows."""

    number: int
    sha256: str
    rows: list[dict[str, Any]] = field(default_factory=list)


def read_key(key_file: str | os.PathLike | None, root: str | os.PathLike) -> str:
    """Return the bearer key: ``SOSU_API_KEY``, else a key file outside the project.

    Parameters
    ----------
    key_file
        A file holding the key (first line), or ``None`` to use ``SOSU_API_KEY_FILE``.
    root
        The project root; a key file inside it is refused, so that a key can never be committed.
    """
    env = os.environ.get(KEY_ENV, "").strip()
    if env and key_file is None:
        return env
    path_text = str(key_file) if key_file is not None else os.environ.get(KEY_FILE_ENV, "")
    if not path_text:
        raise FetchError(f"no API key: set the environment variable {KEY_ENV}, or give --key-file (or "
                         f"{KEY_FILE_ENV}) naming a file outside the project; a free key comes from "
                         "uddannelsesstatistik.dk's online tool")
    path = Path(path_text).expanduser().resolve()
    if path.is_relative_to(Path(root).resolve()):
        raise FetchError(f"refusing the key file {path_text}: it lies inside the project, where it could be "
                         "committed; keep it outside (e.g. ~/.config/sosu-analysis/api-key)")
    if not path.is_file():
        raise FetchError(f"key file {path_text} not found")
    key = path.read_text(encoding="utf-8").strip().splitlines()[0].strip() if path.stat().st_size else ""
    if not key:
        raise FetchError(f"key file {path_text} is empty")
    return key


def base_url(override: str | None = None) -> str:
    """Return the API's base address: ``override``, ``SOSU_API_URL`` or the documented one.

    Plain ``http`` is allowed only to this machine (the tests' local server), so
    a key never travels unencrypted.
    """
    url = (override or os.environ.get(BASE_URL_ENV) or BASE_URL).rstrip("/")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")):
        return url
    raise FetchError(f"API address {url!r} must start with https:// (http only to 127.0.0.1)")


def _retry_after(value: str | None, default: float) -> float:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date)."""
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())


def _server_message(body: bytes) -> str:
    """Return the first line of an error answer, shortened, for a one-line message."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text)
        if isinstance(data, dict):
            text = str(data.get("message") or data.get("fejl") or data.get("error") or data)
    except ValueError:
        pass
    text = " ".join(text.split())
    return text[:200] + ("…" if len(text) > 200 else "")


def post_json(url: str, body: dict[str, Any], key: str, *, what: str,
              sleep: Callable[[float], None] = time.sleep, max_attempts: int = MAX_ATTEMPTS,
              timeout: float = TIMEOUT) -> tuple[Any, bytes]:
    """POST ``body`` as JSON and return the parsed answer and its bytes.

    429 is retried after ``Retry-After`` (at most :data:`MAX_RETRY_AFTER` s), a 5xx
    after 1, 2, 4, ... s, both up to ``max_attempts`` attempts in all. Every
    failure is a :class:`FetchError` with one line of text; ``what`` names the
    request in it (e.g. ``"page 2"``).
    """
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json; charset=utf-8",
               "Accept": "application/json", "User-Agent": "sosu-analysis"}
    last = ""
    for attempt in range(1, max_attempts + 1):
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked)
                raw = response.read()
        except urllib.error.HTTPError as exc:
            status, message = exc.code, _server_message(exc.read() or b"")
            if status in (401, 403):
                raise FetchError(f"{what}: the service refused the key (HTTP {status}); check {KEY_ENV} or the "
                                 "key file (the key itself is not shown)") from None
            if status == 429:
                wait = _retry_after(exc.headers.get("Retry-After"), default=2.0 ** attempt)
                last = f"too many requests (HTTP 429), Retry-After {wait:g} s"
                if wait > MAX_RETRY_AFTER:
                    raise FetchError(f"{what}: the service asks to wait {wait:g} s (HTTP 429 Retry-After), more "
                                     f"than {MAX_RETRY_AFTER:g} s; try again later") from None
                if attempt < max_attempts:
                    sleep(wait)
                continue
            if 500 <= status < 600:
                last = f"server error HTTP {status}" + (f" ({message})" if message else "")
                if attempt < max_attempts:
                    sleep(2.0 ** (attempt - 1))
                continue
            raise FetchError(f"{what}: the service rejected the request (HTTP {status})"
                             + (f": {message}" if message else "")) from None
        except urllib.error.URLError as exc:
            raise FetchError(f"{what}: cannot reach {url} ({exc.reason})") from None
        except TimeoutError:
            raise FetchError(f"{what}: no answer from {url} within {timeout:g} s") from None
        try:
            return json.loads(raw.decode("utf-8-sig")), raw
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            where = f" at line {exc.lineno}, column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
            raise FetchError(f"{what}: the answer is not valid JSON{where}; nothing was written") from None
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
    """The statistics API: the catalogue and paged answers.

    Parameters
    ----------
    key
        The bearer key.
    url
        Base address (see :func:`base_url`).
    sleep
        How to wait between retries (tests pass a recorder).
    """

    def __init__(self, key: str, url: str | None = None, sleep: Callable[[float], None] = time.sleep,
                 max_attempts: int = MAX_ATTEMPTS):
        self.key = key
        self.url = base_url(url)
        self.sleep = sleep
        self.max_attempts = max_attempts

    def _post(self, endpoint: str, body: dict[str, Any], what: str) -> tuple[Any, bytes]:
        return post_json(f"{self.url}/{endpoint}", body, self.key, what=what, sleep=self.sleep,
                         max_attempts=self.max_attempts)

    def catalogue(self, path: str = "", member: str | None = None) -> Any:
        """Ask the ``skema`` drill-down for ``"område[/emne[/underemne]]"``; ``member`` lists a dimension's members."""
        parts = [p for p in path.split("/") if p] if path else []
        if len(parts) > 3:
            raise FetchError(f"catalogue path {path!r} has more than three parts (område/emne/underemne)")
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
            raise FetchError(f"{query.source}: measure(s) {', '.join(repr(m) for m in missing)} not in cube "
                             f"{b['område']}/{b['emne']}/{b['underemne']}; the cube has: "
                             + (", ".join(known) or "(none)"))

    def fetch(self, query: SavedQuery) -> list[Page]:
        """Every page of the query's answer, in order (``side`` = 1, 2, ...)."""
        import hashlib

        size = int(query.body.get("side_størrelse", 1000))
        pages: list[Page] = []
        for number in range(1, MAX_PAGES + 1):
            answer, raw = self._post("statistik", dict(query.body, side=number), what=f"page {number}")
            if not isinstance(answer, list) or not all(isinstance(r, dict) for r in answer):
                raise FetchError(f"page {number}: the answer is not a JSON array of row objects "
                                 f"(got {type(answer).__name__}); nothing was written")
            pages.append(Page(number, hashlib.sha256(raw).hexdigest(), answer))
            if len(answer) < size:
                return pages
        raise FetchError(f"more than {MAX_PAGES} pages of {size} rows; narrow the query (filtre)")


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
    return "\n".join(lines)
