"""The emulated Graph API's state and answers: recorded requests, scripted faults, media, IG containers.

Kept apart from the HTTP plumbing in meta_graph.py so the protocol (paths, answer shapes, error bodies) reads
in one place. All state sits behind one lock: the server handles each connection on its own thread.
"""
from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tests.emulators import meta_validation as rules

_ID_DIGITS = itertools.count(17_841_400_000_000_001)


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


def meta_error(status: int, message: str, code: int, *, error_type: str = "OAuthException",
               subcode: int | None = None, details: str | None = None, headers: dict | None = None) -> Answer:
    """Meta's error envelope, as the Graph API answers it."""
    error: dict[str, Any] = {"message": message, "type": error_type, "code": code,
                             "fbtrace_id": "A" + secrets.token_urlsafe(16)}
    if subcode is not None:
        error["error_subcode"] = subcode
    if details is not None:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return Answer(status, {"error": error}, headers=headers or {})


def invalid_parameter(details: str) -> Answer:
    return meta_error(400, "(#100) Invalid parameter", 100, details=details)


def _new_id() -> str:
    return str(next(_ID_DIGITS))


class GraphState:
    def __init__(self, container_polls: int) -> None:
        self._lock = threading.Lock()
        self._sequence = itertools.count(1)
        self._default_container_polls = container_polls
        self._clear()

    def _clear(self) -> None:
        """Back to a fresh process (except the sequence, which keeps rising so `since` stays meaningful)."""
        self.container_polls = self._default_container_polls
        self.container_outcome = "FINISHED"
        self.requests: list[dict] = []
        self.faults: list[dict] = []
        self.media: dict[str, dict] = {}
        self.containers: dict[str, dict] = {}
        self.published: dict[str, str] = {}
        self.profiles: dict[str, dict] = {}

    # -- recording and faults ----------------------------------------------------------------------------------

    def record(self, method: str, path: str, query: dict, headers: dict, body: Any) -> dict:
        """Record a request on arrival (before any scripted delay), so ordering is arrival order."""
        safe_headers = {name.lower(): value for name, value in headers.items()}
        if "authorization" in safe_headers:
            safe_headers["authorization"] = safe_headers["authorization"].split(" ", 1)[0] + " <redacted>"
        query = {k: ("<redacted>" if k == "access_token" else v) for k, v in query.items()}
        with self._lock:
            entry = {"seq": next(self._sequence), "time": time.time(), "method": method, "path": path,
                     "query": query, "headers": safe_headers, "json": body, "response": None, "fault": False}
            self.requests.append(entry)
        return entry

    def complete(self, entry: dict, answer: Answer | None, *, fault: dict | None) -> None:
        with self._lock:
            entry["fault"] = fault is not None
            if answer is None:
                entry["response"] = {"status": None, "dropped": True}
            elif isinstance(answer.body, bytes):
                entry["response"] = {"status": answer.status, "bytes": len(answer.body)}
            else:
                entry["response"] = {"status": answer.status, "body": answer.body,
                                     "dropped": bool(fault and fault.get("drop"))}

    def next_fault(self, method: str, path: str) -> dict | None:
        """The next scripted response for this request, consumed in order; None means handle normally."""
        with self._lock:
            for rule in self.faults:
                if rule["method"] in (None, method) and re.search(rule["match"], path):
                    response = rule["responses"].pop(0)
                    if not rule["responses"]:
                        self.faults.remove(rule)
                    return response
        return None

    def default_error_body(self, status: int) -> dict:
        if status == 429:
            return meta_error(429, "(#4) Application request limit reached", 4).body
        if status >= 500:
            return meta_error(status, "An unexpected error has occurred. Please retry your request later.", 2).body
        return meta_error(status, "(#100) Invalid parameter", 100).body

    # -- the control API -----------------------------------------------------------------------------------------

    def control(self, method: str, path: str, query: dict, raw_body: bytes) -> Answer:
        body = json.loads(raw_body) if raw_body else {}
        command = (method, path.removeprefix("/_emulator/").strip("/"))
        if command == ("GET", "requests"):
            return Answer(200, {"requests": self._requests(int(query.get("since", 0)), query.get("path"))})
        if command == ("POST", "media"):
            return Answer(200, self._register_media(body))
        if command == ("POST", "faults"):
            with self._lock:
                self.faults.append({"match": body["match"], "method": body.get("method"),
                                    "responses": list(body["responses"])})
            return Answer(200, {"ok": True})
        if command == ("POST", "config"):
            self.container_polls = int(body.get("container_polls", self.container_polls))
            self.container_outcome = body.get("container_outcome", self.container_outcome)
            return Answer(200, {"container_polls": self.container_polls, "container_outcome": self.container_outcome})
        if command == ("POST", "reset"):
            with self._lock:
                self._clear()
            return Answer(200, {"ok": True})
        if command == ("GET", "health"):
            return Answer(200, {"ok": True})
        return Answer(404, {"error": f"no control command {method} {path}"})

    def _requests(self, since: int, path_pattern: str | None) -> list[dict]:
        with self._lock:
            return [dict(entry) for entry in self.requests
                    if entry["seq"] > since and (path_pattern is None or re.search(path_pattern, entry["path"]))]

    def _register_media(self, body: dict) -> dict:
        data = base64.b64decode(body["base64"])
        digest = body.get("sha256") or base64.b64encode(hashlib.sha256(data).digest()).decode()
        with self._lock:
            self.media[str(body["media_id"])] = {"data": data, "mime_type": body["mime_type"], "sha256": digest}
        return {"media_id": body["media_id"], "sha256": digest, "file_size": len(data)}

    # -- the Graph API ---------------------------------------------------------------------------------------------

    def oauth_error(self) -> Answer:
        return meta_error(401, "Error validating access token: the session is invalid or the token is malformed.",
                          190, subcode=463)

    def unknown_path(self, method: str, path: str) -> Answer:
        return meta_error(400, f"Unknown path components: {path}", 2500)

    def graph(self, method: str, path: str, query: dict, body: Any, *, base_url: str) -> Answer:
        """Route a versioned Graph path (the version already stripped)."""
        parts = path.strip("/").split("/")
        edge = parts[1] if len(parts) == 2 else None
        if method == "POST" and edge == "messages":
            return self._send_message(body)
        if method == "POST" and edge == "media":
            return self._create_container(parts[0], body)
        if method == "POST" and edge == "media_publish":
            return self._publish(parts[0], body)
        if method == "POST" and edge == "messenger_profile":
            return self._set_profile(parts[0], body)
        if method == "GET" and len(parts) == 1:
            return self._read_node(parts[0], base_url)
        return self.unknown_path(method, path)

    def _send_message(self, body: Any) -> Answer:
        if isinstance(body, dict) and "recipient" in body:
            problem = rules.instagram_message_problem(body)
            if problem:
                return invalid_parameter(problem)
            recipient = body["recipient"].get("id") or _new_id()
            return Answer(200, {"recipient_id": recipient, "message_id": "mid." + secrets.token_urlsafe(24)})
        problem = rules.whatsapp_message_problem(body)
        if problem:
            return invalid_parameter(problem)
        wamid = "wamid." + base64.b64encode(secrets.token_bytes(27)).decode()
        return Answer(200, {"messaging_product": "whatsapp",
                            "contacts": [{"input": body["to"], "wa_id": re.sub(r"\D", "", body["to"])}],
                            "messages": [{"id": wamid}]})

    def _create_container(self, owner: str, body: Any) -> Answer:
        problem = rules.container_problem(body)
        if problem:
            return invalid_parameter(problem)
        container_id = _new_id()
        with self._lock:
            self.containers[container_id] = {"owner": owner, "polls_left": self.container_polls,
                                             "status_code": "IN_PROGRESS", "request": body}
        return Answer(200, {"id": container_id})

    def _publish(self, owner: str, body: Any) -> Answer:
        creation_id = str((body or {}).get("creation_id", ""))
        with self._lock:
            container = self.containers.get(creation_id)
            if container is None or container["owner"] != owner:
                return meta_error(400, "Media ID is not available", 9007, subcode=2207006)
            if container["status_code"] != "FINISHED":
                return meta_error(400, "The media is not ready for publishing, please wait for a moment", 9007,
                                  subcode=2207027)
            container["status_code"] = "PUBLISHED"
            media_id = _new_id()
            self.published[media_id] = creation_id
        return Answer(200, {"id": media_id})

    def _set_profile(self, owner: str, body: Any) -> Answer:
        problem = rules.messenger_profile_problem(body)
        if problem:
            return invalid_parameter(problem)
        with self._lock:
            self.profiles[owner] = body
        return Answer(200, {"result": "success"})

    def _read_node(self, node_id: str, base_url: str) -> Answer:
        with self._lock:
            media = self.media.get(node_id)
            container = self.containers.get(node_id)
            if container is not None and container["status_code"] == "IN_PROGRESS":
                if container["polls_left"] <= 0:
                    container["status_code"] = self.container_outcome
                container["polls_left"] -= 1
        if media is not None:
            return Answer(200, {"messaging_product": "whatsapp", "url": f"{base_url}/media-bytes/{node_id}",
                                "mime_type": media["mime_type"], "sha256": media["sha256"],
                                "file_size": len(media["data"]), "id": node_id})
        if container is not None:
            return Answer(200, {"status_code": container["status_code"], "id": node_id})
        return meta_error(400, f"Unsupported get request. Object with ID '{node_id}' does not exist, cannot be "
                               "loaded due to missing permissions, or does not support this operation.", 100,
                          error_type="GraphMethodException", subcode=33)

    def media_bytes(self, media_id: str) -> Answer:
        with self._lock:
            media = self.media.get(media_id)
        if media is None:
            return Answer(404, b"", content_type="text/plain")
        return Answer(200, media["data"], content_type=media["mime_type"])
