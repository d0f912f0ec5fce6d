"""Live nudges: listen on the server's `/live` WebSocket and ask the sync worker to pull at once.

Events are only a hint ("something changed"); the pull is what brings the data, so a lost event or a dropped
connection costs latency, never correctness. Reconnects with the worker's kind of backoff.
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from apps.client.api import ApiClient
from apps.client.sync import Backoff, SyncWorker

log = logging.getLogger(__name__)
QUIET_TYPES = frozenset({"subscribed", "pong"})


class LiveNudge:
    """A daemon thread holding one WebSocket; each event calls `worker.sync_now()` (and `on_event`)."""

    def __init__(self, api: ApiClient, worker: SyncWorker, *, backoff: Backoff | None = None,
                 on_event: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.api = api
        self.worker = worker
        self.backoff = backoff or Backoff(base=1.0, cap=60.0)
        self.on_event = on_event
        self.connected = threading.Event()
        self._stopping = threading.Event()
        self._socket: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Connect in the background and keep reconnecting until stop()."""
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="mealkitz-live", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Close the socket and end the thread."""
        self._stopping.set()
        socket = self._socket
        if socket is not None:
            socket.close()
        if self._thread:
            self._thread.join(timeout)

    def _run(self) -> None:
        # Imported here: only apps that want live nudges need a WebSocket library.
        from websockets.exceptions import InvalidStatus, WebSocketException
        from websockets.sync.client import connect

        while not self._stopping.is_set():
            try:
                with connect(self.api.live_url(), open_timeout=10, close_timeout=2) as socket:
                    self._socket = socket
                    self.connected.set()
                    self.backoff.reset()
                    self.worker.sync_now()  # events may have been missed while disconnected
                    for message in socket:
                        self._handle(message)
            except InvalidStatus as exc:
                log.warning("live feed refused: %s", exc)
            except (OSError, WebSocketException) as exc:
                log.debug("live feed dropped: %s", exc)
            finally:
                self._socket = None
                self.connected.clear()
            self._stopping.wait(self.backoff.next_delay())

    def _handle(self, message: str | bytes) -> None:
        try:
            event = json.loads(message)
        except ValueError:
            return
        if not isinstance(event, dict) or event.get("type") in QUIET_TYPES:
            return
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:  # the UI's callback must not end the feed
                log.exception("live event callback failed")
        self.worker.sync_now()
