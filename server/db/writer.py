"""One writer thread that commits concurrent writes together (group commit).

Every write handler runs inside a SAVEPOINT of the batch's single transaction, so one failing order rolls
back alone; the batch then commits once, and only then is each caller answered. An answer therefore
always means "committed", and the cost of a commit is shared by every order in the batch.
"""
from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy import Engine

from server.db.catalog_cache import CatalogCache
from server.db.changes import CHANGE_FEED_LOCK_SQL
from server.db.checkpoint import DISABLE_AUTOCHECKPOINT
from server.db.raw import Raw
from server.db.uow import SqlUnitOfWork

T = TypeVar("T")
log = logging.getLogger(__name__)
_STOP = object()


class StorageUnavailable(Exception):
    """The batch could not be committed; nothing in it was acknowledged."""


class UnitSavepoints:
    """A SAVEPOINT per unit of work of a batch, straight on the driver (SQLAlchemy's begin_nested costs
    ~100 us a unit), in as few round trips as the database allows.

    PostgreSQL runs several statements in one round trip: a unit's RELEASE waits and goes out with the next
    unit's SAVEPOINT (COMMIT releases the last), and the first SAVEPOINT carries the change-feed lock, taken
    once per batch rather than before every change row: two round trips fewer per order. On SQLite each
    statement runs at once (microseconds, in process).
    """

    def __init__(self, raw: Raw) -> None:
        self.raw = raw
        self._deferred: list[str] = []
        if not raw.sqlite:
            self._deferred.append(CHANGE_FEED_LOCK_SQL)
            raw.change_feed_locked = True  # sent before any unit runs, with the first SAVEPOINT

    def begin(self) -> None:
        if self.raw.sqlite:
            self.raw.execute("SAVEPOINT unit")
        else:
            self._send("SAVEPOINT unit")

    def release(self) -> None:
        if self.raw.sqlite:
            self.raw.execute("RELEASE SAVEPOINT unit")
        else:
            self._deferred.append("RELEASE SAVEPOINT unit")

    def roll_back(self) -> None:
        """Undo the unit now (never deferred: COMMIT must not see its writes)."""
        self._send("ROLLBACK TO SAVEPOINT unit", "RELEASE SAVEPOINT unit")

    def _send(self, *statements: str) -> None:
        batch, self._deferred = [*self._deferred, *statements], []
        self.raw.script(batch)


class Writer:
    def __init__(self, engine: Engine, cache: CatalogCache, batch_max: int = 256, *,
                 autocheckpoint: bool = True) -> None:
        self.engine = engine
        self.cache = cache
        self.batch_max = batch_max
        # SQLite: False when a WalCheckpointer checkpoints instead of the writer's commits.
        self.autocheckpoint = autocheckpoint
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self.batches = 0
        self.jobs = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="mealkitz-writer", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(timeout=30)
            self._thread = None

    def submit(self, fn: Callable[[SqlUnitOfWork], T]) -> Future[T]:
        future: Future[T] = Future()
        self._queue.put((fn, future))
        return future

    async def run(self, fn: Callable[[SqlUnitOfWork], T]) -> T:
        """Run `fn` in the writer; resolves after the batch holding it has committed."""
        return await asyncio.wrap_future(self.submit(fn))

    def run_sync(self, fn: Callable[[SqlUnitOfWork], T]) -> T:
        return self.submit(fn).result()

    def _loop(self) -> None:
        conn = None
        while True:
            first = self._queue.get()
            if first is _STOP:
                break
            jobs = [first]
            while len(jobs) < self.batch_max:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is _STOP:
                    self._queue.put(_STOP)
                    break
                jobs.append(nxt)
            conn = self._commit_jobs(conn, jobs)
        if conn is not None:
            conn.close()

    def _commit_jobs(self, conn: Any, jobs: list[Any]) -> Any:
        """Run one batch; returns the connection to use next (None after a failure)."""
        try:
            if conn is None or conn.closed:
                conn = self._connect()
            self._run_batch(conn, jobs)
            return conn
        except Exception as exc:  # the commit itself failed: nothing in the batch is acknowledged
            _fail_batch(jobs, exc, conn)
            return None

    def _connect(self) -> Any:
        conn = self.engine.connect()
        conn.info["writer"] = True
        if not self.autocheckpoint:
            Raw(conn).execute(DISABLE_AUTOCHECKPOINT)
        return conn

    def _run_batch(self, conn: Any, jobs: list[tuple[Callable[[SqlUnitOfWork], Any], Future[Any]]]) -> None:
        with conn.begin():
            outcomes, after = self._run_units(conn, jobs)
        self._finish(jobs, outcomes, after)

    def _run_units(self, conn: Any, jobs: list[tuple[Callable[[SqlUnitOfWork], Any], Any]]
                   ) -> tuple[list[tuple[Any, bool, Any]], list[Callable[[], None]]]:
        """Each job in a savepoint of the open transaction: (future, ok, result or error) per job, and the
        after-commit hooks of the units that committed."""
        outcomes: list[tuple[Any, bool, Any]] = []
        after: list[Callable[[], None]] = []
        raw = Raw(conn)
        savepoints = UnitSavepoints(raw)
        for fn, future in jobs:
            savepoints.begin()
            uow = SqlUnitOfWork(conn, self.cache, raw)
            try:
                result = fn(uow)
            except Exception as exc:
                savepoints.roll_back()
                outcomes.append((future, False, exc))
                continue
            if uow.committed:
                after.extend(uow.after_commit)
                savepoints.release()
            else:
                savepoints.roll_back()
            outcomes.append((future, True, result))
        return outcomes, after

    def _finish(self, jobs: list[Any], outcomes: list[tuple[Any, bool, Any]],
                after: list[Callable[[], None]]) -> None:
        """After the commit: run the hooks, then answer every caller."""
        self.batches += 1
        self.jobs += len(jobs)
        for hook in after:
            try:
                hook()
            except Exception:
                log.exception("after-commit hook failed")
        for future, ok, value in outcomes:
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)


def _fail_batch(jobs: list[Any], error: BaseException, conn: Any) -> None:
    """The batch did not commit: nothing in it is acknowledged, and its connection is closed (the writer
    opens a fresh one for the next batch)."""
    log.error("write batch of %d failed", len(jobs), exc_info=error)
    for _, future in jobs:
        if not future.done():
            future.set_exception(StorageUnavailable(str(error)))
    if conn is not None:
        conn.close()


class LoopWriter(Writer):
    """The same group commit, its units run on the event loop itself (the SQLite default).

    SQLite statements take microseconds, so running the units on the loop costs less than handing every
    order to a thread and back: two CPU-bound threads fight over the GIL, which on this path measured
    slower than doing the work in one. The COMMIT alone goes to a thread: it is all C (SQLite appending the
    batch's pages to the WAL) with the GIL released, so the loop reads and validates the next requests
    meanwhile. Writes that arrive while a commit is in flight form the next batch, which starts when it
    is done; callers are answered only after their batch's commit. Other threads (jobs, dispatch, CLI)
    still submit; their work is handed to the loop.
    """

    def __init__(self, engine: Engine, cache: CatalogCache, batch_max: int = 256, *,
                 autocheckpoint: bool = True) -> None:
        super().__init__(engine, cache, batch_max, autocheckpoint=autocheckpoint)
        self._loop_ref: asyncio.AbstractEventLoop | None = None
        self._pending: list[tuple[Callable[[SqlUnitOfWork], Any], Any]] = []
        self._flush_scheduled = False
        self._conn: Any = None
        # The COMMIT runs on a thread of its own: sqlite3 releases the GIL while SQLite writes the WAL, so
        # the loop parses and validates the next requests meanwhile.
        self._committer: ThreadPoolExecutor | None = None
        self._in_flight: tuple[Future[None], list[Any], list[Any], list[Callable[[], None]]] | None = None

    def start(self) -> None:
        try:
            self._loop_ref = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (command line use): behave like the threaded writer
            super().start()
            return
        self._committer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mealkitz-commit")

    def stop(self) -> None:
        if self._loop_ref is None:
            super().stop()
            return
        while self._in_flight is not None or self._pending:
            if self._in_flight is not None:
                self._in_flight[0].exception()  # wait for the commit on its thread
                self._committed(self._in_flight[0])
            else:
                self._flush()
        if self._committer is not None:
            self._committer.shutdown(wait=True)
            self._committer = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._loop_ref = None

    def _enqueue(self, fn: Callable[[SqlUnitOfWork], Any], future: Any) -> None:
        self._pending.append((fn, future))
        self._schedule()

    def _flush(self) -> None:
        """Run the next batch's units on the loop and hand its COMMIT to the commit thread. While a commit
        is in flight, requests keep arriving and queue for the next batch."""
        self._flush_scheduled = False
        if self._in_flight is not None or not self._pending:
            return
        jobs, self._pending = self._pending[: self.batch_max], self._pending[self.batch_max:]
        try:
            if self._conn is None or self._conn.closed:
                self._conn = self._connect()
            transaction = self._conn.begin()
            try:
                outcomes, after = self._run_units(self._conn, jobs)
            except BaseException:
                transaction.rollback()
                raise
        except Exception as exc:
            self._failed(jobs, exc)
            self._schedule()
            return
        assert self._committer is not None
        commit = self._committer.submit(transaction.commit)
        self._in_flight = (commit, jobs, outcomes, after)
        loop = self._loop_ref
        assert loop is not None
        commit.add_done_callback(lambda done: loop.call_soon_threadsafe(self._committed, done))

    def _committed(self, commit: Future[None]) -> None:
        if self._in_flight is None or self._in_flight[0] is not commit:
            return  # already handled (stop waited for it)
        _, jobs, outcomes, after = self._in_flight
        self._in_flight = None
        error = commit.exception()
        if error is not None:
            self._failed(jobs, error)
        else:
            self._finish(jobs, outcomes, after)
        self._schedule()

    def _failed(self, jobs: list[Any], error: BaseException) -> None:
        _fail_batch(jobs, error, self._conn)
        self._conn = None

    def _schedule(self) -> None:
        if self._pending and not self._flush_scheduled and self._loop_ref is not None:
            self._flush_scheduled = True
            self._loop_ref.call_soon(self._flush)

    def submit(self, fn: Callable[[SqlUnitOfWork], T]) -> Future[T]:
        if self._loop_ref is None:
            return super().submit(fn)
        future: Future[T] = Future()
        self._loop_ref.call_soon_threadsafe(self._enqueue, fn, future)
        return future

    async def run(self, fn: Callable[[SqlUnitOfWork], T]) -> T:
        if self._loop_ref is None or asyncio.get_running_loop() is not self._loop_ref:
            # Not the server's loop (e.g. a job worker's own loop): hand the work over like any thread.
            return await asyncio.wrap_future(self.submit(fn))
        future = self._loop_ref.create_future()
        self._enqueue(fn, future)
        return await future
