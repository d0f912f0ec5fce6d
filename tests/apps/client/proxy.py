"""A small HTTP proxy on 127.0.0.1 that misbehaves on purpose, between a device and a real server.

Each request it receives takes the next action of its schedule (then "pass" once the schedule is used up:
the network heals):

- pass:          forward, answer with the server's response
- refuse:        close the connection without forwarding (the request never reached the server)
- drop_response: forward, let the server commit, then close without answering (the client cannot know)
- duplicate:     forward twice, answer with the second response
- delay:         keep the request and close the connection; forward it later, after the next request
                 (so the server sees it out of order, after the client's retry), answer discarded
- error:         answer 503 without forwarding
- crash:         forward, call `on_crash` (which kills the server) while the request is being handled, close

`offline = True` refuses everything, like a device without network.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

ACTIONS = ("pass", "refuse", "drop_response", "duplicate", "delay", "error", "crash")
HOP_BY_HOP = {"host", "connection", "keep-alive", "content-length", "transfer-encoding", "accept-encoding",
              "content-encoding", "proxy-connection", "upgrade", "te", "trailer"}


class FaultProxy:
    """Forwards to `upstream` (http://127.0.0.1:PORT) and applies the scheduled faults to matching paths."""

    def __init__(self, upstream: str, *, faulty_paths: tuple[str, ...] = ("/sync/",)) -> None:
        self.upstream = upstream.rstrip("/")
        self.faulty_paths = faulty_paths
        self.schedule: list[str] = []
        self.offline = False
        self.on_crash: Callable[[], None] | None = None
        self.log: list[tuple[str, str]] = []
        self._held: list[tuple[str, str, bytes, dict[str, str]]] = []
        self._lock = threading.Lock()
        self._client = httpx.Client(timeout=60.0)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                proxy._handle(self)

            do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "FaultProxy":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._client.close()

    def set_schedule(self, actions: list[str]) -> None:
        with self._lock:
            self.schedule = list(actions)

    def heal(self) -> None:
        """No more faults; deliver whatever is still held back."""
        with self._lock:
            self.schedule, self.offline = [], False
        self._flush_held()

    # -- one request ------------------------------------------------------------------------------------------

    def _next_action(self, path: str) -> str:
        with self._lock:
            if self.offline:
                action = "refuse"
            elif not path.startswith(self.faulty_paths):
                action = "pass"
            else:
                action = self.schedule.pop(0) if self.schedule else "pass"
            self.log.append((path, action))
            return action

    def _forward(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> httpx.Response | None:
        try:
            return self._client.request(method, self.upstream + path, content=body, headers=headers)
        except httpx.TransportError:
            return None  # the server is down: the device sees a dropped connection

    def _flush_held(self) -> None:
        with self._lock:
            held, self._held = self._held, []
        for method, path, body, headers in held:
            self._forward(method, path, body, headers)

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("content-length") or 0)
        body = handler.rfile.read(length) if length else b""
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in HOP_BY_HOP}
        method, path = handler.command, handler.path
        action = self._next_action(path)
        if action in ("refuse", "delay"):
            if action == "delay":
                with self._lock:
                    self._held.append((method, path, body, headers))
            return self._hang_up(handler)
        if action == "error":
            return self._answer(handler, httpx.Response(503, json={"code": "service_unavailable",
                                                                   "detail": "proxy says no"}))
        if action == "crash":
            worker = threading.Thread(target=self._forward, args=(method, path, body, headers))
            worker.start()
            time.sleep(0.02)  # let the server start on the batch, then kill it mid-way
            if self.on_crash:
                self.on_crash()
            worker.join()
            return self._hang_up(handler)
        response = self._forward(method, path, body, headers)
        if action == "duplicate" and response is not None:
            response = self._forward(method, path, body, headers)
        self._flush_held()  # held requests arrive after this one: out of order
        if response is None or action == "drop_response":
            return self._hang_up(handler)
        return self._answer(handler, response)

    @staticmethod
    def _hang_up(handler: BaseHTTPRequestHandler) -> None:
        handler.close_connection = True

    @staticmethod
    def _answer(handler: BaseHTTPRequestHandler, response: httpx.Response) -> None:
        content = response.content
        handler.send_response(response.status_code)
        for key, value in response.headers.items():
            if key.lower() not in HOP_BY_HOP:
                handler.send_header(key, value)
        handler.send_header("content-length", str(len(content)))
        handler.end_headers()
        handler.wfile.write(content)
