"""The sync worker: pushes the outbox, pulls the server's changes into the local store, retries with backoff.

Embed it in any app (`start()` / `stop()` / `sync_now()`), or drive it one step at a time (`run_once()`) in
tests and benchmarks. One round is: push every ready entry in batches (apps.client.push: what happens to an
operation whatever the server answers), then pull until caught up. A round stops at the first network or
server error (entries in flight go back to ready; the next round resends them with the same ids) and the
worker waits a full-jitter exponential backoff before trying again.
"""
from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apps.client import clock as device_clock
from apps.client.api import ApiClient, ApiError, NotAuthenticated, Rejected, RetryLater
from apps.client.outbox import Outbox, OutboxEntry
from apps.client.push import Pusher, SyncReport, SyncStatus
from apps.client.store import TABLES, row_id

__all__ = ["Backoff", "SyncReport", "SyncStatus", "SyncWorker"]

log = logging.getLogger(__name__)
Listener = Callable[[dict[str, Any]], None]


@dataclass
class Backoff:
    """Exponential backoff with full jitter (AWS architecture blog, 2015): the n-th wait is uniform in
    [0, min(cap, base * 2**n)], so devices coming back together do not retry in lockstep."""

    base: float = 0.5
    cap: float = 60.0
    rng: random.Random = field(default_factory=random.Random)
    attempt: int = 0

    def ceiling(self) -> float:
        """The largest wait the next call may return."""
        return min(self.cap, self.base * 2 ** min(self.attempt, 62))

    def next_delay(self) -> float:
        """Seconds to wait before the next attempt; grows the ceiling for the one after."""
        delay = self.rng.uniform(0, self.ceiling())
        self.attempt += 1
        return delay

    def reset(self) -> None:
        """A round succeeded: start from `base` again."""
        self.attempt = 0


class SyncWorker:
    """Moves operations from the outbox to the server and changes from the server to the local store."""

    def __init__(self, api: ApiClient, outbox: Outbox, *, batch_size: int = 200, pull_limit: int = 500,
                 interval: float = 30.0, backoff: Backoff | None = None,
                 on_rejected: Callable[[OutboxEntry], None] | None = None, max_faults: int | None = None) -> None:
        self.api = api
        self.outbox = outbox
        self.store = outbox.store
        self.pusher = Pusher(api, outbox, self._emit, batch_size=batch_size, max_faults=max_faults)
        self.pull_limit = pull_limit
        self.interval = interval  # how often to pull when nothing nudges the worker
        self.backoff = backoff or Backoff()
        self.last_error: ApiError | None = None
        self.next_delay: float = 0.0
        self._status = SyncStatus.OFFLINE
        self._listeners: list[Listener] = []
        if on_rejected is not None:
            self._listeners.append(lambda e: on_rejected(e["entry"]) if e["type"] == "rejected" else None)
        self._round = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # -- observing --------------------------------------------------------------------------------------------

    @property
    def status(self) -> SyncStatus:
        """online / offline / syncing / signed_out."""
        return self._status

    def add_listener(self, listener: Listener) -> None:
        """Call `listener(event)` for {"type": "status", "status"}, {"type": "rejected", "entry"} and
        {"type": "changed", "entities": [(entity, id), ...]}; called on the worker's thread."""
        self._listeners.append(listener)

    def rejected(self) -> list[OutboxEntry]:
        """Operations the server refused and the user has not dismissed, with the server's code and detail."""
        return self.outbox.rejected()

    def _emit(self, event: dict[str, Any]) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a broken UI callback must not stop syncing
                log.exception("sync listener failed on %s", event.get("type"))

    def _set_status(self, status: SyncStatus) -> None:
        if status != self._status:
            self._status = status
            self._emit({"type": "status", "status": status})

    # -- one round --------------------------------------------------------------------------------------------

    def run_once(self) -> SyncReport:
        """Push everything ready, then pull until caught up. Never raises for network or server trouble: the
        report says what happened and `next_delay` how long the thread would wait before the next round."""
        with self._round:
            report = SyncReport()
            self._set_status(SyncStatus.SYNCING)
            try:
                self.pusher.push_all(report)
                self._pull_all(report)
            except NotAuthenticated as exc:
                report.error, report.status = exc, SyncStatus.SIGNED_OUT
            except RetryLater as exc:
                report.error, report.status = exc, SyncStatus.OFFLINE
            except Rejected as exc:  # a 4xx on pull (e.g. a cursor the server no longer knows)
                log.warning("pull refused: %s", exc)
                if exc.code == "invalid_input" and self.store.cursor is not None:
                    self.store.set_meta("sync_cursor", None)  # start over; applying changes again is harmless
                report.error, report.status = exc, SyncStatus.OFFLINE
            self.last_error = report.error
            if report.ok:
                self.backoff.reset()
                self.next_delay = self.interval
            else:
                self.next_delay = self.backoff.next_delay()
            self._set_status(report.status)
            return report

    def _pull_all(self, report: SyncReport) -> None:
        # Entries acked before this pull began are in the server's change feed by the time the pull is caught up.
        acked_before = self.outbox.unsettled()
        while True:
            since = self.store.cursor
            page = self.api.pull(since, self.pull_limit)
            touched = self.apply_changes(page["changes"], str(page["cursor"]))
            report.pulled += len(page["changes"])
            if touched:
                self._emit({"type": "changed", "entities": touched})
            if not page.get("more") or str(page["cursor"]) == since:
                break
        if acked_before:
            self.outbox.settle(acked_before)

    def apply_changes(self, changes: list[dict[str, Any]], cursor: str) -> list[tuple[str, str]]:
        """Store a page of pulled changes and the new cursor in one local transaction (a crash in between
        pulls the page again rather than skipping it); returns the (entity, id) pairs whose view changed."""
        latest: dict[tuple[str, str], dict[str, Any]] = {}
        for change in changes:
            entity, data = change.get("entity"), change.get("data")
            if not isinstance(data, dict) or entity not in TABLES:
                continue  # an entity this version of the app does not know yet
            key = str(change.get("id") or data.get("id")) if entity == "order" else row_id(entity, data)
            # Changes come in seq order: within a page only the last one of each entity matters.
            latest[(entity, key)] = data
        touched = []
        with self.store.transaction():
            for (entity, key), data in latest.items():
                if self.store.put_server(entity, key, data):
                    touched.append((entity, key))
            self.outbox.refresh_many(touched)
            self.store.set_meta("sync_cursor", cursor)
        # Stamps written by other devices: never stamp this device's next write behind them.
        device_clock.observe(self.outbox.clock, self.store,
                             (s for change in changes for s in device_clock.stamps_in(change.get("data"))))
        return list(touched)

    # -- the thread -------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Run rounds on a daemon thread: at once, then every `interval`, sooner on sync_now(), later on errors."""
        if self._thread and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="mealkitz-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current round (entries in flight finish or go back to ready)."""
        self._stopping.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)
            self._thread = None

    def sync_now(self) -> SyncReport | None:
        """Sync soon: wakes the thread if running (returns None); otherwise runs a round here and reports it."""
        if self._thread and self._thread.is_alive():
            self._wake.set()
            return None
        return self.run_once()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self.run_once()
            except Exception:  # a bug must not kill syncing for the app's lifetime; log it and back off
                log.exception("sync round failed")
                self.next_delay = self.backoff.next_delay()
                self._set_status(SyncStatus.OFFLINE)
            if self.status is SyncStatus.SIGNED_OUT:
                self._wake.wait()  # until the app signs in again and calls sync_now()
            else:
                self._wake.wait(self.next_delay)
            self._wake.clear()
