"""One group-commit batch: every unit of work in a SAVEPOINT of the batch's single transaction.

Both writers (`ThreadWriter`, `LoopWriter`) run a batch with `run_units` and answer its callers with
`answer` once the COMMIT is done, so "answered" always means "committed". A unit that returns is kept; a
unit that raises is rolled back alone and its caller gets the exception.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection

from server.db.catalog_cache import CatalogCache
from server.db.changes import CHANGE_FEED_LOCK_SQL
from server.db.raw import Raw
from server.db.uow import BatchState, SqlUnitOfWork
from server.events import EventBus

T = TypeVar("T")
log = logging.getLogger(__name__)

Unit = Callable[[SqlUnitOfWork], T]


class StorageUnavailable(Exception):
    """The batch could not be committed. `outcome_unknown` is True when the COMMIT itself was sent and its
    answer lost (PostgreSQL over a network): the writes may have been saved."""

    def __init__(self, message: str, *, outcome_unknown: bool = False) -> None:
        super().__init__(message)
        self.outcome_unknown = outcome_unknown


@dataclass
class PendingUnit:
    """A unit of work waiting for its batch, and where its caller waits for the answer."""

    unit: Unit[Any]
    future: Any  # concurrent.futures.Future or asyncio.Future: both have set_result / set_exception / done


@dataclass
class UnitOutcome:
    """What one unit of a batch came to: its result, or the exception that rolled it back."""

    pending: PendingUnit
    result: Any = None
    error: BaseException | None = None


@dataclass
class BatchRun:
    """A batch whose units have run and whose COMMIT is still to come."""

    outcomes: list[UnitOutcome]
    after_commit: list[Callable[[], None]] = field(default_factory=list)


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


def run_units(conn: Connection, pending: list[PendingUnit], cache: CatalogCache, bus: EventBus) -> BatchRun:
    """Run each unit in a savepoint of the open transaction; the COMMIT is the caller's."""
    raw = Raw(conn)
    state = BatchState(raw)
    savepoints = UnitSavepoints(raw)
    run = BatchRun(outcomes=[])
    for item in pending:
        savepoints.begin()
        uow = SqlUnitOfWork(conn, cache, state, bus)
        try:
            result = item.unit(uow)
        except Exception as exc:
            savepoints.roll_back()
            run.outcomes.append(UnitOutcome(item, error=exc))
            continue
        savepoints.release()
        run.after_commit.extend(uow.after_commit)
        run.outcomes.append(UnitOutcome(item, result=result))
    return run


def answer(run: BatchRun) -> None:
    """After the COMMIT: run the after-commit hooks, then answer every caller."""
    for hook in run.after_commit:
        try:
            hook()
        except Exception:
            log.exception("after-commit hook failed")
    for outcome in run.outcomes:
        future = outcome.pending.future
        if future.done():  # the caller gave up waiting (a cancelled request)
            continue
        if outcome.error is None:
            future.set_result(outcome.result)
        else:
            future.set_exception(outcome.error)


def fail(pending: list[PendingUnit], error: BaseException, *, outcome_unknown: bool) -> None:
    """The batch did not commit (or may not have): nothing in it is acknowledged as saved."""
    log.error("write batch of %d failed (outcome %s)", len(pending), "unknown" if outcome_unknown else "rolled back",
              exc_info=error)
    for item in pending:
        if not item.future.done():
            item.future.set_exception(StorageUnavailable(str(error), outcome_unknown=outcome_unknown))
