"""Pushing the outbox: batches in order, and what happens to an operation whatever the server answers.

- An answer per operation: acked, or rejected with the server's code and detail (quarantined: kept, shown to
  the user, never resent); the rest move on.
- A 4xx for the whole batch: halve the batch until the refused operation is alone; it is rejected with that
  answer's code and detail.
- No answer from our server (the network failed, a gateway or the server said "busy": 408, 425, 429, 502,
  503, 504; a 2xx that is not JSON, such as a captive portal's page): the batch goes back to ready and is
  resent, as often as it takes, after a backoff. The same ids make the resend safe.
- An answer that settles nothing (a 500, JSON that is not a push answer, statuses that decide nothing): the
  server fails on something in the batch. Each operation in it counts a fault; the next batch starting with
  it is half as big per fault, so an operation that keeps failing ends up alone, and once the server has
  failed `max_faults` times on batches holding it, the last time alone, it is quarantined like a rejection
  (the code of the last failure, the detail saying how often). The operations behind it go on.
"""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from core.sync.operations import OperationResult, OperationState
from apps.client import clock as device_clock
from apps.client.api import ApiClient, ApiError, NotAuthenticated, Rejected, RetryLater
from apps.client.outbox import Outbox, OutboxEntry

# Statuses that say nothing about the operations sent: the request did not get to our server's code.
NOT_THE_OPERATIONS = frozenset({408, 425, 429, 502, 503, 504})
SOLO_FAULTS = 3  # failures of an operation sent alone before it is quarantined


class SyncStatus(StrEnum):
    ONLINE = "online"          # the last round reached the server and finished
    OFFLINE = "offline"        # the last round failed on the network or a 5xx; retrying with backoff
    SYNCING = "syncing"        # a round is running
    SIGNED_OUT = "signed_out"  # the server answered 401: nothing is sent until the app signs in again


@dataclass
class SyncReport:
    """What one round did."""

    pushed: int = 0
    acked: int = 0
    rejected: list[OutboxEntry] = field(default_factory=list)
    pulled: int = 0
    error: ApiError | None = None
    status: SyncStatus = SyncStatus.ONLINE

    @property
    def ok(self) -> bool:
        return self.error is None


def server_at_fault(error: RetryLater) -> bool:
    """True when our server answered but settled nothing: a 5xx other than a gateway's, or JSON that is not a
    push answer. False when no answer came from it: the network, timeouts, throttling, gateways, and a 2xx that
    is not JSON at all (a captive portal's page; resending after it is safe and is what will work)."""
    if error.status is None:
        return error.code in ("bad_response", "no_progress")
    return error.status >= 500 and error.status not in NOT_THE_OPERATIONS


class Pusher:
    """Sends the outbox's ready entries in order; one request in flight at a time, off the caller's thread."""

    def __init__(self, api: ApiClient, outbox: Outbox, emit: Callable[[dict[str, Any]], None], *,
                 batch_size: int = 200, max_faults: int | None = None) -> None:
        self.api = api
        self.outbox = outbox
        self.emit = emit
        self.batch_size = batch_size
        # Enough faults to halve a full batch down to one operation, then SOLO_FAULTS more on its own.
        self.max_faults = max_faults if max_faults is not None else (batch_size - 1).bit_length() + SOLO_FAULTS
        # One request at a time, off the worker's thread, so the local bookkeeping overlaps the network.
        self._sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mealkitz-push")

    def next_limit(self) -> int:
        """The next batch's size: `batch_size` halved once per fault of the entry it starts with."""
        return max(1, -(-self.batch_size // 2 ** min(self.outbox.next_faults(), 62)))

    def push_all(self, report: SyncReport) -> None:
        """Send ready entries batch after batch. Batch n+1 leaves as soon as batch n is answered (an answer means
        committed, so the server still applies them in order) and is in flight while batch n is recorded here.
        Raises RetryLater (back off, then try again) and NotAuthenticated."""
        batch = self.outbox.claim(self.next_limit())
        sending = self._send(batch) if batch else None
        try:
            while sending is not None:
                try:
                    results = sending.result()
                except Rejected as exc:
                    sending = None
                    if isinstance(exc, NotAuthenticated) or len(batch) > 1:
                        # A 4xx for a whole batch does not say which entry is at fault: halve until it does.
                        self.outbox.release(e.id for e in batch)
                        if isinstance(exc, NotAuthenticated):
                            raise
                        batch = self.outbox.claim(max(1, len(batch) // 2))
                        sending = self._send(batch) if batch else None
                        continue
                    results = [OperationResult(id=batch[0].id, status=OperationState.REJECTED, code=exc.code,
                                               detail=exc.detail)]
                except RetryLater as exc:
                    sending = None
                    if server_at_fault(exc):
                        self._server_failed(batch, exc, report)
                    else:
                        self.outbox.release(e.id for e in batch)
                    raise
                answered, batch = batch, self.outbox.claim(self.next_limit())
                sending = self._send(batch) if batch else None
                settled = self._record(answered, results, report)
                report.pushed += len(answered)
                unsettled = [e for e in answered if e.id not in settled]
                if unsettled:
                    failure = RetryLater("no_progress", "the server answered without deciding these operations")
                    self._server_failed(unsettled, failure, report)
                    if not settled:
                        raise failure  # back off rather than spin
        finally:
            if sending is not None:  # leaving early with a batch in flight: wait, and let the next round resend it
                try:
                    sending.exception()
                finally:
                    self.outbox.release(e.id for e in batch)

    def _send(self, batch: list[OutboxEntry]) -> Future[list[OperationResult]]:
        operations = [entry.operation() for entry in batch]
        return self._sender.submit(self.api.push, self.outbox.store.device_id, operations)

    def _server_failed(self, entries: list[OutboxEntry], error: RetryLater, report: SyncReport) -> None:
        """Count a fault on each entry (they go back to ready); quarantine one that was alone too often."""
        faults = self.outbox.count_fault(e.id for e in entries)
        if len(entries) != 1 or faults.get(entries[0].id, 0) < self.max_faults:
            return
        (entry,) = entries
        detail = f"the server failed on this operation {faults[entry.id]} times; last: {error.detail}"
        quarantined = OperationResult(id=entry.id, status=OperationState.REJECTED, code=error.code, detail=detail)
        self._record([entry], [quarantined], report)

    def _record(self, batch: list[OutboxEntry], results: list[OperationResult], report: SyncReport) -> set[str]:
        """Store the answers; returns the ids they settled (acked or rejected)."""
        sent = {e.id for e in batch}
        answered = [r for r in results if r.id in sent]
        finished = self.outbox.record(answered)
        # Anything the server did not answer goes back to ready: never dropped, resent next round.
        self.outbox.release(sent - {r.id for r in answered})
        device_clock.observe(self.outbox.clock, self.outbox.store,
                             (s for r in answered for s in device_clock.stamps_in(r.result)))
        for entry in finished:
            if entry.state is OperationState.ACKED:
                report.acked += 1
            else:
                report.rejected.append(entry)
                self.emit({"type": "rejected", "entry": entry})
        if finished:
            self.emit({"type": "changed", "entities": sorted({(e.entity, e.entity_key) for e in finished})})
        return {e.id for e in finished}
