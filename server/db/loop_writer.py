"""Group commit on the server's event loop (the SQLite default).

SQLite statements take microseconds, so running the units on the loop costs less than handing every order to
a thread and back: two CPU-bound threads fight over the GIL, which on this path measured slower than doing the
work in one. The COMMIT alone goes to a thread: it is all C (SQLite appending the batch's pages to the WAL)
with the GIL released, so the loop reads and validates the next requests meanwhile. Writes that arrive while a
commit is in flight form the next batch, which starts when it is done; callers are answered only after their
batch's commit. Other threads (jobs, dispatch) still submit; their units are handed to the loop.
"""
from __future__ import annotations

import asyncio
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Connection, Engine

from server.db import batch
from server.db.batch import BatchRun, PendingUnit, Unit
from server.db.catalog_cache import CatalogCache
from server.db.writer import WRITE_TIMEOUT, LoopWriterNeeded, commit_failed, connect_writer
from server.events import EventBus

T = TypeVar("T")


@dataclass
class CommitInFlight:
    """A batch whose units have run on the loop and whose COMMIT is running on the commit thread."""

    commit: Future[None]
    pending: list[PendingUnit]
    run: BatchRun


class LoopWriter:
    """Starts on the running event loop (`start` raises LoopWriterNeeded elsewhere)."""

    def __init__(self, engine: Engine, cache: CatalogCache, bus: EventBus, batch_max: int = 256, *,
                 autocheckpoint: bool = True) -> None:
        self.engine, self.cache, self.bus = engine, cache, bus
        self.batch_max = batch_max
        self.autocheckpoint = autocheckpoint
        self.batches = 0
        self.units = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: list[PendingUnit] = []
        self._flush_scheduled = False
        self._conn: Connection | None = None
        self._committer: ThreadPoolExecutor | None = None
        self._in_flight: CommitInFlight | None = None

    def start(self) -> None:
        try:
            self._loop = asyncio.get_running_loop()
        except RuntimeError:
            raise LoopWriterNeeded("the loop writer runs on the server's event loop; use ThreadWriter") from None
        self._committer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mealkitz-commit")

    def stop(self) -> None:
        """Finish every pending unit and commit (blocking the loop briefly), then close."""
        if self._loop is None:
            return
        while self._in_flight is not None or self._pending:
            if self._in_flight is not None:
                self._in_flight.commit.exception()  # wait for the commit on its thread
                self._committed(self._in_flight.commit)
            else:
                self._flush()
        if self._committer is not None:
            self._committer.shutdown(wait=True)
            self._committer = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._loop = None

    def submit(self, unit: Unit[T]) -> Future[T]:
        loop = self._require_loop()
        future: Future[T] = Future()
        loop.call_soon_threadsafe(self._enqueue, PendingUnit(unit, future))
        return future

    async def run(self, unit: Unit[T]) -> T:
        loop = self._require_loop()
        if asyncio.get_running_loop() is not loop:
            # Not the server's loop (e.g. a job worker's own loop): hand the work over like any thread.
            return await asyncio.wrap_future(self.submit(unit))
        future = loop.create_future()
        self._enqueue(PendingUnit(unit, future))
        return await future  # type: ignore[no-any-return]

    def call(self, unit: Unit[T], timeout: float = WRITE_TIMEOUT) -> T:
        return self.submit(unit).result(timeout=timeout)

    def _require_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise LoopWriterNeeded("the loop writer is not running")
        return self._loop

    def _enqueue(self, item: PendingUnit) -> None:
        self._pending.append(item)
        self._schedule()

    def _schedule(self) -> None:
        if self._pending and not self._flush_scheduled and self._loop is not None:
            self._flush_scheduled = True
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        """Run the next batch's units on the loop and hand its COMMIT to the commit thread. While a commit
        is in flight, requests keep arriving and queue for the next batch."""
        self._flush_scheduled = False
        if self._in_flight is not None or not self._pending:
            return
        pending, self._pending = self._pending[: self.batch_max], self._pending[self.batch_max:]
        try:
            if self._conn is None or self._conn.closed:
                self._conn = connect_writer(self.engine, self.autocheckpoint)
            transaction = self._conn.begin()
            try:
                run = batch.run_units(self._conn, pending, self.cache, self.bus)
            except BaseException:
                transaction.rollback()
                raise
        except Exception as exc:
            self._failed(pending, exc, committing=False)
            self._schedule()
            return
        assert self._committer is not None and self._loop is not None
        commit = self._committer.submit(transaction.commit)
        self._in_flight = CommitInFlight(commit, pending, run)
        loop = self._loop
        commit.add_done_callback(lambda done: loop.call_soon_threadsafe(self._committed, done))

    def _committed(self, commit: Future[None]) -> None:
        in_flight = self._in_flight
        if in_flight is None or in_flight.commit is not commit:
            return  # already handled (stop waited for it)
        self._in_flight = None
        error = commit.exception()
        if error is not None:
            self._failed(in_flight.pending, error, committing=True)
        else:
            self.batches += 1
            self.units += len(in_flight.pending)
            batch.answer(in_flight.run)
        self._schedule()

    def _failed(self, pending: list[PendingUnit], error: BaseException, *, committing: bool) -> None:
        commit_failed(self.engine, pending, error, committing=committing)
        if self._conn is not None:
            self._conn.close()
        self._conn = None


