"""A local Meta Graph API emulator process: WhatsApp Cloud API sends and media, Instagram DMs and publishing.

    python -m tests.emulators.meta_graph --port 0 --token TEST_TOKEN [--container-polls 2]

prints "meta-graph emulator ready on http://127.0.0.1:PORT" and serves the real paths (any /vNN.N/ prefix),
the real answer shapes and Meta's error bodies: 401 code 190 for a bad token, 400 code 100 for a payload Meta
would refuse (see meta_validation). Every Graph request is recorded with a sequence number that keeps rising
across resets. Tests script failures and inspect traffic through the JSON control API under /_emulator/:

    POST /_emulator/media     {media_id, mime_type, base64[, sha256]}   register downloadable media
    POST /_emulator/faults    {match, method?, responses: [{status?, body?, headers?, delay_seconds?, drop?}]}
    GET  /_emulator/requests  ?since=SEQ&path=REGEX                    recorded requests, oldest first
    POST /_emulator/config    {container_polls?, container_outcome?}   IN_PROGRESS polls, then FINISHED|ERROR
    POST /_emulator/reset                                              forget requests, faults, media, state

A scripted response without `status` delays (and/or drops) the *real* handling: `{"delay_seconds": 5}` is a
Meta that did send the message but answered too late; `{"drop": true}` sends it and loses the answer. With a
`status` the request is not processed at all: `{"status": 500}` then the normal answer is "500 then 200".
"""
from __future__ import annotations

import argparse
import json
import re
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.emulators.meta_state import Answer, GraphState

_VERSIONED = re.compile(r"^/(v\d+\.\d+)(/.*)$")


class GraphHandler(BaseHTTPRequestHandler):
    """Routes one request: the control API, the media bytes, or a versioned Graph path."""

    protocol_version = "HTTP/1.1"
    server: EmulatorServer

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        raw_body = self._read_body()
        if url.path.startswith("/_emulator/"):
            self._send(self.server.state.control(method, url.path, query, raw_body))
            return
        self._graph_request(method, url.path, query, raw_body)

    def _graph_request(self, method: str, path: str, query: dict[str, str], raw_body: bytes) -> None:
        state = self.server.state
        body = _parse_json(raw_body)
        record = state.record(method, path, query, dict(self.headers.items()), body)
        fault = state.next_fault(method, path)
        if fault and fault.get("delay_seconds"):
            time.sleep(float(fault["delay_seconds"]))
        if fault and "status" in fault and not fault.get("drop"):
            answer = Answer(int(fault["status"]), fault.get("body", state.default_error_body(int(fault["status"]))),
                            headers=fault.get("headers") or {})
        elif fault and "status" in fault:
            answer = None
        else:
            answer = self._route(method, path, query, body)
        state.complete(record, answer, fault=fault)
        if fault and fault.get("drop") or answer is None:
            self._drop()
            return
        self._send(answer)

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> Answer:
        state = self.server.state
        token = _bearer(self.headers.get("Authorization")) or query.get("access_token")
        if token not in self.server.tokens:
            return state.oauth_error()
        if method == "GET" and path.startswith("/media-bytes/"):
            return state.media_bytes(path.removeprefix("/media-bytes/"))
        match = _VERSIONED.match(path)
        if not match:
            return state.unknown_path(method, path)
        return state.graph(method, match.group(2), query, body, base_url=self._base_url())

    def _base_url(self) -> str:
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
        return f"http://{host}"

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, answer: Answer) -> None:
        payload = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in answer.headers.items():
                self.send_header(name, str(value))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up waiting (a scripted timeout)

    def _drop(self) -> None:
        """Close the connection without a byte of answer, like a load balancer dying mid-request."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, tokens: set[str], container_polls: int, verbose: bool) -> None:
        super().__init__(("127.0.0.1", port), GraphHandler)
        self.tokens = tokens
        self.verbose = verbose
        self.state = GraphState(container_polls=container_polls)


def _bearer(header: str | None) -> str | None:
    if header and header.startswith("Bearer "):
        return header.removeprefix("Bearer ").strip()
    return None


def _parse_json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed in the ready line)")
    parser.add_argument("--token", action="append", default=[], help="an accepted access token (repeatable)")
    parser.add_argument("--container-polls", type=int, default=2,
                        help="status polls an Instagram container answers IN_PROGRESS before FINISHED")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    server = EmulatorServer(args.port, set(args.token or ["test-token"]), args.container_polls, args.verbose)
    print(f"meta-graph emulator ready on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
