"""A hostile stand-in for the statistics API on 127.0.0.1, for the outbound-policy tests (issue 20).

Each test gives the server a *behaviour*: a function of the request handler
that writes whatever an attacker would (a redirect, an echo of the request
headers, terminal escapes, a body dripping one byte at a time, an endless
body, endless full pages, absurd numbers). Every loop in here is bounded (at
most :data:`MAX_LOOP` rounds), the server answers on an ephemeral port, records
every request (path and Authorization header), and stops itself after
:data:`LIFETIME` seconds even if a test forgets to. Nothing touches the internet.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LIFETIME = 60.0
#: most rounds of any writing loop (drip, endless body): the server never runs forever
MAX_LOOP = 4096

Behaviour = Callable[[BaseHTTPRequestHandler, dict], None]


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
    """Send a complete answer."""
    handler.send_response(status)
    for k, v in {"Content-Type": "application/json; charset=utf-8", **(headers or {})}.items():
        handler.send_header(k, v)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def send_json(handler: BaseHTTPRequestHandler, data: object, status: int = 200) -> None:
    send(handler, status, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def stream(handler: BaseHTTPRequestHandler, pieces, pause: float = 0.0) -> None:
    """Write ``pieces`` one by one (bounded by MAX_LOOP), stopping quietly when the client hangs up."""
    try:
        for i, piece in enumerate(pieces):
            if i >= MAX_LOOP:
                break
            handler.wfile.write(piece)
            handler.wfile.flush()
            if pause:
                time.sleep(pause)
    except (BrokenPipeError, ConnectionResetError, OSError):
        pass


class HostileServer:
    """Serve ``behaviour`` for every POST; ``requests`` records what arrived."""

    def __init__(self, behaviour: Behaviour | None = None) -> None:
        self.behaviour = behaviour
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length", 0) or 0)
                raw = self.rfile.read(min(length, 1_000_000))
                body = json.loads(raw.decode("utf-8")) if raw else {}
                server.requests.append({"path": self.path, "endpoint": self.path.rsplit("/", 1)[-1],
                                        "body": body, "authorization": self.headers.get("Authorization")})
                self.close_connection = True
                try:
                    if server.behaviour is None:
                        send(self, 404, b'{"message": "not scripted"}')
                    else:
                        server.behaviour(self, body)
                    self.wfile.flush()
                except OSError:  # the client hung up, as it should on a hostile answer
                    pass

            def finish(self):
                try:
                    super().finish()
                except OSError:
                    pass

            def log_message(self, *args):  # quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/Api/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.timer = threading.Timer(LIFETIME, self.stop)
        self.timer.daemon = True

    def start(self) -> HostileServer:
        self.thread.start()
        self.timer.start()
        return self

    def stop(self) -> None:
        self.timer.cancel()
        self.httpd.shutdown()
        self.httpd.server_close()
