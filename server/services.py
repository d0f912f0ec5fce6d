"""Everything a request handler needs, built once per process by create_app."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import TypeVar

from sqlalchemy import Connection, Engine

from core.orders.model import Order
from server.auth import SessionResolver
from server.db.catalog_cache import CatalogCache
from server.db.checkpoint import WalCheckpointer
from server.db.engine import make_engine
from server.db.uow import SqlUnitOfWork
from server.db.writer import LoopWriter, Writer
from server.jobs import JobRunner
from server.scraper.config import ScraperSettings
from server.settings import Settings

T = TypeVar("T")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Services:
    def __init__(self, settings: Settings, clock: Callable[[], datetime] = utc_now) -> None:
        self.settings = settings
        self.clock = clock
        self.engine: Engine = make_engine(settings.database_url)
        self.cache = CatalogCache()
        # SQLite: group commit on the event loop, WAL checkpoints on a thread of their own; PostgreSQL commits
        # cost a network round trip, so a writer thread.
        self.checkpointer = WalCheckpointer(self.engine) if settings.is_sqlite else None
        writer_class = LoopWriter if settings.is_sqlite else Writer
        self.writer = writer_class(self.engine, self.cache, settings.write_batch_max,
                                   autocheckpoint=self.checkpointer is None)
        self.sessions = SessionResolver(self.engine.connect)
        self.publishers: list[Callable[[str, dict[str, object]], None]] = []
        # Called after an order change commits (in the writer thread; keep them quick), e.g. to schedule a re-plan.
        self.order_listeners: list[Callable[[Order, dict[str, object]], None]] = []
        # Called inside the unit of work that changed an order, so what they write (a job to tell the
        # customer) commits with the change or not at all.
        self.order_hooks: list[Callable[[SqlUnitOfWork, Order, dict[str, object]], None]] = []
        self.scraper_settings = ScraperSettings(allow_private_networks=settings.scraper_allow_private_networks)
        # Durable background jobs; handlers are registered by create_app before start().
        self.jobs = JobRunner(self, workers=settings.job_workers)

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

    async def write(self, fn: Callable[[SqlUnitOfWork], T]) -> T:
        return await self.writer.run(fn)

    def publish(self, topic: str, event: dict[str, object]) -> None:
        """Hand a committed change to the live-update channels (wired by the realtime layer)."""
        for publisher in self.publishers:
            publisher(topic, event)

    def publish_after_commit(self, uow: SqlUnitOfWork, order: Order, event: dict[str, object]) -> None:
        """Tell everyone an order concerns, once the change is committed."""
        for hook in self.order_hooks:
            hook(uow, order, event)
        topics = [f"merchant:{order.merchant_id}", "dispatch"]
        if order.customer_id:
            topics.append(f"customer:{order.customer_id}")
        if order.driver_id:
            topics.append(f"driver:{order.driver_id}")

        def tell() -> None:
            for topic in topics:
                self.publish(topic, event)

        uow.after_commit.append(tell)
        uow.after_commit.extend(lambda listener=listener: listener(order, event) for listener in self.order_listeners)
