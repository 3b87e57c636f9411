"""Helpers of the fetch tests: a local stand-in for the statistics API, on 127.0.0.1.

The server runs in a daemon thread, answers only what a test scripted, records
every request, and shuts itself down after :data:`LIFETIME` seconds even if a
test forgets to; nothing here touches the internet.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ANSWERS = Path(__file__).parent / "answers"
LIFETIME = 60.0

Reply = tuple[int, dict[str, str], bytes]


def json_reply(data: object, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return status, {"Content-Type": "application/json; charset=utf-8", **(headers or {})}, \
        json.dumps(data, ensure_ascii=False).encode("utf-8")


class FakeAPI:
    """Scripted answers per endpoint; ``script[endpoint]`` is a list of replies or a function of the body."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.script: dict[str, list[Reply] | Callable[[dict], Reply]] = {}
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.timeout = 5
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/Api/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.timer = threading.Timer(LIFETIME, self.stop)
        self.timer.daemon = True

    def _handler(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                body = json.loads(raw.decode("utf-8")) if raw else {}
                endpoint = self.path.rsplit("/", 1)[-1]
                api.requests.append({"endpoint": endpoint, "body": body,
                                     "authorization": self.headers.get("Authorization")})
                script = api.script.get(endpoint)
                if callable(script):
                    status, headers, data = script(body)
                elif script:
                    status, headers, data = script.pop(0)
                else:
                    status, headers, data = 404, {}, b'{"message": "not scripted"}'
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # quiet
                pass

        return Handler

    def start(self) -> FakeAPI:
        self.thread.start()
        self.timer.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def statistik_bodies(self) -> list[dict]:
        return [r["body"] for r in self.requests if r["endpoint"] == "statistik"]


def paged(rows: list[dict]) -> Callable[[dict], Reply]:
    """Serve ``rows`` in pages of the body's ``side_størrelse``, page ``side`` (1-based)."""

    def reply(body: dict) -> Reply:
        size, side = body["side_størrelse"], body["side"]
        return json_reply(rows[(side - 1) * size: side * size])

    return reply


def cube_schema(measures: list[str]) -> Reply:
    return json_reply({"detaljer": [{"navn": "[Institution].[Institution]", "antal": 40}],
                       "nøgletal": [f"[Measures].[{m}]" for m in measures]})
