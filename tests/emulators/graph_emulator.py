"""GraphEmulator: start the Meta Graph API emulator process on a free port and drive its control API."""
from __future__ import annotations

import base64
import os
import re
import selectors
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Self

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
READY = re.compile(r"ready on (http://127\.0\.0\.1:\d+)")
WHATSAPP_SEND = r"^/v\d+\.\d+/[^/]+/messages$"


class GraphEmulator:
    """One emulator process. Tests read what was sent through it (parsed request bodies), never mocks."""

    def __init__(self, token: str = "test-token", *, container_polls: int = 2, start_timeout: float = 15.0) -> None:
        self.token = token
        command = [sys.executable, "-m", "tests.emulators.meta_graph", "--port", "0", "--token", token,
                   "--container-polls", str(container_polls)]
        self.process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True,
                                        env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.url = self._wait_ready(start_timeout)
        self._control = httpx.Client(base_url=self.url, timeout=10.0)

    def _wait_ready(self, timeout: float) -> str:
        """The ready line carries the port the process bound (port 0: no race for a 'free' port)."""
        assert self.process.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Graph emulator exited with {self.process.returncode}")
            if selector.select(timeout=0.1):
                match = READY.search(self.process.stdout.readline())
                if match:
                    return match.group(1)
        self.stop()
        raise RuntimeError("the Graph emulator did not print its ready line in time")

    # -- inspecting traffic -------------------------------------------------------------------------------

    def requests(self, path_regex: str | None = None, since: int = 0) -> list[dict]:
        """Recorded Graph requests, oldest first: seq, method, path, query, headers, json, response, fault."""
        params: dict[str, Any] = {"since": since}
        if path_regex is not None:
            params["path"] = path_regex
        return self._call("GET", "/_emulator/requests", params=params)["requests"]

    def last_seq(self) -> int:
        recorded = self.requests()
        return recorded[-1]["seq"] if recorded else 0

    def sent_whatsapp(self, to: str | None = None) -> list[dict]:
        """Bodies of WhatsApp messages the emulator accepted (HTTP 200), optionally for one recipient."""
        return [entry["json"] for entry in self._accepted_sends()
                if entry["json"].get("messaging_product") == "whatsapp" and to in (None, entry["json"].get("to"))]

    def sent_instagram(self, recipient_id: str | None = None, comment_id: str | None = None) -> list[dict]:
        """Bodies of Instagram DMs and private replies the emulator accepted, optionally filtered."""
        sent = [entry["json"] for entry in self._accepted_sends() if "recipient" in entry["json"]]
        if recipient_id is not None:
            sent = [body for body in sent if body["recipient"].get("id") == recipient_id]
        if comment_id is not None:
            sent = [body for body in sent if body["recipient"].get("comment_id") == comment_id]
        return sent

    def _accepted_sends(self) -> list[dict]:
        return [entry for entry in self.requests(WHATSAPP_SEND)
                if entry["method"] == "POST" and isinstance(entry["json"], dict)
                and (entry["response"] or {}).get("status") == 200]

    # -- scripting ------------------------------------------------------------------------------------------------

    def add_media(self, media_id: str, data: bytes, mime: str, *, sha256: str | None = None) -> dict:
        """Make a WhatsApp media id downloadable; `sha256` overrides the digest reported (to script a mismatch)."""
        body: dict[str, Any] = {"media_id": media_id, "mime_type": mime, "base64": base64.b64encode(data).decode()}
        if sha256 is not None:
            body["sha256"] = sha256
        return self._call("POST", "/_emulator/media", json=body)

    def fault(self, match: str, *responses: dict, method: str | None = None) -> None:
        """Queue scripted responses for requests whose path matches `match` (a regex), consumed in order."""
        self._call("POST", "/_emulator/faults", json={"match": match, "method": method, "responses": list(responses)})

    def configure(self, **settings: Any) -> dict:
        """container_polls=N, container_outcome="FINISHED" | "ERROR" (until the next reset)."""
        return self._call("POST", "/_emulator/config", json=settings)

    def reset(self) -> None:
        self._call("POST", "/_emulator/reset")

    def stop(self) -> None:
        if hasattr(self, "_control"):
            self._control.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._control.request(method, path, **kwargs)
        response.raise_for_status()
        return response.json()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
