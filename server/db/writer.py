"""The one write path: a writer that commits concurrent units of work together (group commit).

Every write in the server is a unit of work `(uow) -> result` handed to the process's writer. The writer runs
a batch of units, each in a SAVEPOINT of one transaction (server.db.batch), commits once, and only then
answers each caller, so an answer always means "committed" and a commit's cost is shared by the batch.

Two implementations of one `Writer` protocol:
- `ThreadWriter`: a thread of its own (PostgreSQL, whose commits cost a network round trip; command-line use);
- `LoopWriter` (server.db.loop_writer): units on the server's event loop, the COMMIT on a thread (SQLite).
"""
from __future__ import annotations

import asyncio
import logging
import queue
import threading
from concurrent.futures import Future
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, Engine

from server.db import batch
from server.db.batch import PendingUnit, StorageUnavailable, Unit
from server.db.catalog_cache import CatalogCache
from server.db.checkpoint import DISABLE_AUTOCHECKPOINT
from server.db.raw import Raw
from server.events import EventBus

T = TypeVar("T")
log = logging.getLogger(__name__)
WRITE_TIMEOUT = 60.0
_STOP = object()

__all__ = ["LoopWriterNeeded", "StorageUnavailable", "ThreadWriter", "Writer", "WRITE_TIMEOUT", "connect_writer"]


class Writer(Protocol):
    """Where every write goes. `submit` from any thread; `run` from a coroutine; `call` from a thread that
    may wait (jobs, CLI). Each answers once the unit's batch has committed."""

    batches: int
    units: int

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def submit(self, unit: Unit[T]) -> Future[T]: ...
    async def run(self, unit: Unit[T]) -> T: ...
    def call(self, unit: Unit[T], timeout: float = WRITE_TIMEOUT) -> T: ...


class LoopWriterNeeded(RuntimeError):
    """The loop writer was started without a running event loop."""


def connect_writer(engine: Engine, autocheckpoint: bool) -> Connection:
    """The writer's connection (SQLite: without automatic checkpoints when a WalCheckpointer runs them)."""
    conn = engine.connect()
    conn.info["writer"] = True
    if not autocheckpoint:
        Raw(conn).execute(DISABLE_AUTOCHECKPOINT)
    return conn


def commit_failed(engine: Engine, pending: list[PendingUnit], error: BaseException, *, committing: bool) -> None:
    """Fail a batch. A COMMIT that failed on a server database may still have been applied (its answer was
    lost), so its callers are told the outcome is unknown; SQLite's COMMIT either happens or does not."""
    batch.fail(pending, error, outcome_unknown=committing and engine.dialect.name != "sqlite")


class ThreadWriter:
    """Group commit on a thread of its own."""

    def __init__(self, engine: Engine, cache: CatalogCache, bus: EventBus, batch_max: int = 256, *,
                 autocheckpoint: bool = True) -> None:
        self.engine, self.cache, self.bus = engine, cache, bus
        self.batch_max = batch_max
        # SQLite: False when a WalCheckpointer checkpoints instead of the writer's commits.
        self.autocheckpoint = autocheckpoint
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self.batches = 0
        self.units = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="mealkitz-writer", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(timeout=30)
            self._thread = None

    def submit(self, unit: Unit[T]) -> Future[T]:
        future: Future[T] = Future()
        self._queue.put(PendingUnit(unit, future))
        return future

    async def run(self, unit: Unit[T]) -> T:
        return await asyncio.wrap_future(self.submit(unit))

    def call(self, unit: Unit[T], timeout: float = WRITE_TIMEOUT) -> T:
        return self.submit(unit).result(timeout=timeout)

    def _loop(self) -> None:
        conn: Connection | None = None
        while True:
            first = self._queue.get()
            if first is _STOP:
                break
            pending = [first]
            while len(pending) < self.batch_max:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is _STOP:
                    self._queue.put(_STOP)
                    break
                pending.append(nxt)
            conn = self._commit(conn, pending)
        if conn is not None:
            conn.close()

    def _commit(self, conn: Connection | None, pending: list[PendingUnit]) -> Connection | None:
        """Run one batch; the connection to use next (None after a failure: a fresh one is opened)."""
        committing = False
        try:
            if conn is None or conn.closed:
                conn = connect_writer(self.engine, self.autocheckpoint)
            transaction = conn.begin()
            try:
                run = batch.run_units(conn, pending, self.cache, self.bus)
            except BaseException:
                transaction.rollback()
                raise
            committing = True
            transaction.commit()
        except Exception as exc:
            commit_failed(self.engine, pending, exc, committing=committing)
            if conn is not None:
                conn.close()
            return None
        self.batches += 1
        self.units += len(pending)
        batch.answer(run)
        return conn
