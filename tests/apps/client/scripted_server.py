"""A sync server on 127.0.0.1 whose answers the test scripts: the failures a real server must never give but a
device must survive (500s on one operation, garbage, undecided statuses), over real HTTP."""
from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# A push answer: (HTTP status, body bytes, content type).
Answer = tuple[int, bytes, str]
PROBLEM = "application/problem+json"


def acked(operations: list[dict[str, Any]], **result: Any) -> Answer:
    """Every operation acked, each result carrying `result` (e.g. the server's clock stamp)."""
    body = {"results": [{"id": op["id"], "status": "acked", "result": {"op": op["op"], **result}}
                        for op in operations]}
    return 200, json.dumps(body).encode(), "application/json"


def problem(status: int, code: str, detail: str) -> Answer:
    return status, json.dumps({"status": status, "code": code, "title": code, "detail": detail}).encode(), PROBLEM


class ScriptedSyncServer:
    """POST /sync/push answers with `push(operations)` (all acked by default), GET /sync/pull with `changes`.
    Every push's operations and headers are kept in `pushes`; other requests in `requests`."""

    def __init__(self) -> None:
        self.push: Callable[[list[dict[str, Any]]], Answer] = acked
        self.changes: list[dict[str, Any]] = []
        self.pushes: list[list[dict[str, Any]]] = []
        self.requests: list[tuple[str, str, dict[str, str], Any]] = []
        self.applied: list[str] = []  # ids of operations answered "acked", in the order the server acked them
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server._record(self, None)
                if self.path.startswith("/sync/pull"):
                    body = {"changes": server.changes, "cursor": str(len(server.changes)), "more": False}
                    return self._answer((200, json.dumps(body).encode(), "application/json"))
                return self._answer(problem(404, "not_found", self.path))

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                server._record(self, body)
                if self.path != "/sync/push":
                    return self._answer((201, json.dumps({"id": "order-1"}).encode(), "application/json"))
                operations = body["operations"]
                server.pushes.append(operations)
                answer = server.push(operations)
                if answer[0] == 200:
                    try:
                        results = json.loads(answer[1])["results"]
                        server.applied += [r["id"] for r in results if r.get("status") == "acked"]
                    except (ValueError, KeyError, TypeError, AttributeError):  # garbage on purpose
                        pass
                self._answer(answer)

            def _answer(self, answer: Answer) -> None:
                status, content, content_type = answer
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _record(self, handler: BaseHTTPRequestHandler, body: Any) -> None:
        self.requests.append((handler.command, handler.path, dict(handler.headers.items()), body))

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "ScriptedSyncServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
