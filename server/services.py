"""Everything a request handler, job or chat turn needs, built once per process by create_app.

Writes: `await services.execute(use_case, command)` runs a use case `(command, uow) -> result` from a
feature's `service.py` in the writer (server.db.writer), the one write path; `execute_sync` does the same
from a thread that may wait (jobs, dispatch, CLI). What a write tells the rest of the server goes through
`bus` (server.events); the subscribers wired here are the ones every process has.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Literal, TypeVar

from sqlalchemy import Connection, Engine

from core.sync.hlc import HybridClock
from server.auth import SessionResolver
from server.db.catalog_cache import CatalogCache
from server.db.checkpoint import WalCheckpointer
from server.db.engine import make_engine
from server.db.loop_writer import LoopWriter
from server.db.uow import SqlUnitOfWork
from server.db.writer import ThreadWriter, Writer
from server.events import (
    CatalogChanged, CustomerChanged, EventBus, JobRequested, JobsQueued, LiveMessage, OrderChanged,
)
from server.jobs import JobRunner
from server.scraper.config import ScraperSettings
from server.settings import Settings

C = TypeVar("C")
T = TypeVar("T")
UseCase = Callable[[C, SqlUnitOfWork], T]
WriterKind = Literal["auto", "thread"]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def order_topics(order_merchant_id: str, customer_id: str | None, driver_id: str | None) -> list[str]:
    """The live topics an order's changes go to: its kitchen, dispatch, its customer and its driver."""
    topics = [f"merchant:{order_merchant_id}", "dispatch"]
    if customer_id:
        topics.append(f"customer:{customer_id}")
    if driver_id:
        topics.append(f"driver:{driver_id}")
    return topics


class Services:
    """The process's adapters. `writer="auto"` commits on the server's event loop for SQLite (LoopWriter,
    started by the app) and on a thread for PostgreSQL; "thread" is for code without an event loop (CLI,
    tools, tests that drive jobs by hand)."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime] = utc_now, *,
                 writer: WriterKind = "auto") -> None:
        self.settings = settings
        self.clock = clock
        self.engine: Engine = make_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
        self.cache = CatalogCache()
        self.bus = EventBus()
        # SQLite: WAL checkpoints on a thread of their own, so commits never wait for one.
        self.checkpointer = WalCheckpointer(self.engine) if settings.is_sqlite else None
        writer_class = LoopWriter if writer == "auto" and settings.is_sqlite else ThreadWriter
        self.writer: Writer = writer_class(self.engine, self.cache, self.bus, settings.write_batch_max,
                                           autocheckpoint=self.checkpointer is None)
        self.sessions = SessionResolver(self.engine.connect)
        # Stamps what this process writes by REST in last-writer-wins merges with devices' offline edits.
        self.hlc = HybridClock(f"server-{os.getpid()}", wall=lambda: int(self.clock().timestamp() * 1000))
        # Live-update publishers (the realtime layer; tests add their own): publisher(topic, message).
        self.publishers: list[Callable[[str, dict[str, object]], None]] = []
        self.scraper_settings = ScraperSettings(allow_private_networks=settings.scraper_allow_private_networks)
        # Durable background jobs; handlers are registered by create_app before start().
        self.jobs = JobRunner(self.writer, clock, self.connection, context=self, workers=settings.job_workers)
        self._subscribe()

    def _subscribe(self) -> None:
        self.bus.after_commit(CatalogChanged, lambda event: self.cache.invalidate(event.merchant_id))
        self.bus.after_commit(CustomerChanged, lambda event: self.cache.invalidate_customer(event.customer_id))
        self.bus.after_commit(LiveMessage, lambda event: self.publish(event.topic, event.payload))
        self.bus.after_commit(JobsQueued, lambda event: self.jobs.wake())
        self.bus.within_transaction(
            JobRequested, lambda uow, event: self.jobs.enqueue_in(uow, event.kind, event.payload, **event.options))
        self.bus.after_commit(OrderChanged, self._publish_order)

    def _publish_order(self, event: OrderChanged) -> None:
        order = event.order
        for topic in order_topics(order.merchant_id, order.customer_id, order.driver_id):
            self.publish(topic, event.live)
        if event.previous_driver_id and event.previous_driver_id != order.driver_id:
            self.publish(f"driver:{event.previous_driver_id}", {"type": "order.unassigned", "order_id": order.id})

    def start(self) -> None:
        self.writer.start()
        if self.checkpointer is not None:
            self.checkpointer.start()
        self.jobs.start()

    def stop(self) -> None:
        self.jobs.stop()  # first: workers record their outcomes through the writer
        self.writer.stop()
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self.engine.dispose()

    @contextmanager
    def read(self) -> Iterator[SqlUnitOfWork]:
        """A read-only unit of work on its own connection (WAL lets reads run beside the writer)."""
        with self.engine.connect() as conn:
            yield SqlUnitOfWork(conn, self.cache)

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    async def execute(self, use_case: UseCase[C, T], command: C) -> T:
        """Run a write use case in the writer; answers once it is committed."""
        return await self.writer.run(lambda uow: use_case(command, uow))

    def execute_sync(self, use_case: UseCase[C, T], command: C) -> T:
        """`execute` for a thread that may block (jobs, dispatch, the command line); never the writer's own."""
        return self.writer.call(lambda uow: use_case(command, uow))

    def publish(self, topic: str, event: dict[str, object]) -> None:
        """Hand a committed change to the live-update channels (wired by the realtime layer)."""
        for publisher in self.publishers:
            publisher(topic, event)
