"""The local test site: routes, a request log, and bodies for slow and huge pages."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "menus"


@dataclass
class Route:
    """A canned answer. `body` may be a callable producing chunks (for slow or huge pages)."""

    status: int = 200
    body: bytes | Callable[[], Iterator[bytes]] = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    etag: str | None = None  # when set, If-None-Match with this value gets 304


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


class LocalSite:
    """Routes by path, plus a log of every request the server saw."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def page(self, path: str, body: bytes | str, content_type: str = "text/html; charset=utf-8", **kw) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        headers = {"Content-Type": content_type} if content_type else {}
        headers.update(kw.pop("headers", {}))
        self.routes[path] = Route(body=data, headers=headers, **kw)
        return self.url(path)

    def fixture(self, path: str, name: str, content_type: str = "text/html; charset=utf-8") -> str:
        return self.page(path, (FIXTURES / name).read_bytes(), content_type)

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]


class SiteHandler(BaseHTTPRequestHandler):
    site: LocalSite

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        site = self.server.site  # type: ignore[attr-defined]
        site.requests.append(Seen(self.path, dict(self.headers)))
        route = site.routes.get(self.path)
        if route is None:
            route = Route(status=404, body=b"not found", headers={"Content-Type": "text/plain"})
        if route.etag and self.headers.get("If-None-Match") == route.etag:
            self.send_response(304)
            self.send_header("ETag", route.etag)
            self.end_headers()
            return
        self.send_response(route.status)
        for key, value in route.headers.items():
            self.send_header(key, value)
        if route.etag:
            self.send_header("ETag", route.etag)
        try:
            if callable(route.body):
                self.send_header("Connection", "close")
                self.end_headers()
                for chunk in route.body():
                    self.wfile.write(chunk)
                    self.wfile.flush()
            else:
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up on purpose (size limit, timeout)


def slow_chunks(delay: float, chunks: int = 5) -> Callable[[], Iterator[bytes]]:
    """A body that sends a byte of HTML every `delay` seconds."""
    def generate() -> Iterator[bytes]:
        yield b"<html><body>"
        for _ in range(chunks):
            time.sleep(delay)
            yield b" "
    return generate


def huge_chunks(total: int, chunk: int = 64 * 1024) -> Callable[[], Iterator[bytes]]:
    """A body of `total` bytes with no Content-Length, so only streaming can notice its size."""
    def generate() -> Iterator[bytes]:
        sent = 0
        yield b"<html><body>"
        while sent < total:
            yield b"<p>Soup 4.50</p>" * (chunk // 16)
            sent += chunk
    return generate
