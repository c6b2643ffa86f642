"""A real HTTP server on a loopback port, in a background thread, for tests.

    with LoopbackServer({"/page": Reply(200, {"Content-Type": "text/html"}, b"<p>hi</p>")}) as server:
        fetcher.fetch(server.url("/page"), ("127.0.0.1",))
        server.hits("/page")   # what the server received, with arrival times

Unknown paths answer 404 (so robots.txt is "missing" unless a test sets it).
A route is a Reply, or a function taking the received request (Seen) and returning a Reply.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0  # seconds to wait before answering (the client sees no bytes meanwhile)
    send_length: bool = True  # False: no Content-Length, the body ends when the connection closes


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    path: str
    headers: dict[str, str]  # lower-case names
    at: float  # time.monotonic() on arrival
    finished: threading.Event = field(default_factory=threading.Event, compare=False)


Route = Reply | Callable[[Seen], Reply]


def in_order(*replies: Reply) -> Callable[[Seen], Reply]:
    """A route answering with each reply in turn, then repeating the last one."""
    lock = threading.Lock()
    remaining = list(replies)

    def route(_: Seen) -> Reply:
        with lock:
            return remaining.pop(0) if len(remaining) > 1 else remaining[0]

    return route


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        owner = self.server.owner
        seen = Seen(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
        owner._remember(seen)
        try:
            route = owner.routes.get(self.path.split("?", 1)[0], Reply(404, {}, b"not found"))
            reply = route(seen) if callable(route) else route
            if reply.delay and owner._stopping.wait(reply.delay):
                return  # shutting down: drop the connection
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.send_length:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (timeouts, byte caps): expected in these tests
        finally:
            seen.finished.set()

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: "LoopbackServer"

    def handle_error(self, request, client_address) -> None:
        pass  # a client hanging up early is not a test failure; assertions decide that


class LoopbackServer:
    def __init__(self, routes: dict[str, Route] | None = None, url_host: str = "127.0.0.1", port: int = 0):
        """url_host: the name put in URLs ("localhost" gives a second host on the same machine); port: a fixed
        one (a site that goes down and comes back at one URL), else any free port."""
        self.routes: dict[str, Route] = dict(routes or {})
        self.url_host = url_host
        self.seen: list[Seen] = []
        self._seen_lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, path: str = "/") -> str:
        return f"http://{self.url_host}:{self.port}{path}"

    def hits(self, path: str) -> list[Seen]:
        with self._seen_lock:
            return [s for s in self.seen if s.path == path]

    def _remember(self, seen: Seen) -> None:
        with self._seen_lock:
            self.seen.append(seen)

    def __enter__(self) -> "LoopbackServer":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def closed_port() -> int:
    """A loopback port with nothing listening (bound then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
