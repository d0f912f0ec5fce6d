"""What a write tells the rest of the server, and who listens.

A service emits events on its unit of work (`uow.emit(...)`). Each kind has two lists of subscribers, named
for when they run:

- `within_transaction`: called at once, inside the writer's unit, with the unit of work. What they write
  commits with the change or not at all (e.g. a job to tell a chat customer their order moved).
- `after_commit`: called once the batch holding the unit has committed (on the writer's thread or loop;
  keep them quick), e.g. publishing to live sockets, dropping a cache entry, asking dispatch to re-plan.

Events emitted inside a savepoint that is rolled back are forgotten with it.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.orders.model import Order

if TYPE_CHECKING:
    from server.db.uow import SqlUnitOfWork


@dataclass(frozen=True)
class OrderChanged:
    """An order was placed or moved; `live` is the live-update message its subscribers are sent."""

    order: Order
    live: dict[str, Any]
    previous_driver_id: str | None = None


@dataclass(frozen=True)
class CatalogChanged:
    """A merchant's profile, menu, stock, hours or busy mode changed: cached catalogue views are stale."""

    merchant_id: str


@dataclass(frozen=True)
class CustomerChanged:
    customer_id: str


@dataclass(frozen=True)
class LiveMessage:
    """A message for the live-update sockets of one topic (`merchant:ID`, `dispatch`, `driver:ID`, ...)."""

    topic: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JobsQueued:
    """Jobs were enqueued: wake this process's workers once they are committed."""


@dataclass(frozen=True)
class JobRequested:
    """Enqueue a background job in this unit of work, with its kind's registered attempts and backoff (the
    job runner subscribes within the transaction, so the job commits with the change or not at all)."""

    kind: str
    payload: dict[str, Any]
    options: dict[str, Any] = field(default_factory=dict)


Event = OrderChanged | CatalogChanged | CustomerChanged | LiveMessage | JobsQueued | JobRequested


class EventBus:
    """Subscribers by event type, in the order they subscribed."""

    def __init__(self) -> None:
        self._within: dict[type, list[Callable[[SqlUnitOfWork, Any], None]]] = defaultdict(list)
        self._after: dict[type, list[Callable[[Any], None]]] = defaultdict(list)

    def within_transaction(self, kind: type, handler: Callable[[SqlUnitOfWork, Any], None]) -> None:
        """Run `handler(uow, event)` inside the emitting unit of work."""
        self._within[kind].append(handler)

    def after_commit(self, kind: type, handler: Callable[[Any], None]) -> None:
        """Run `handler(event)` once the emitting unit's batch has committed."""
        self._after[kind].append(handler)

    def emitted(self, uow: SqlUnitOfWork, event: Event) -> None:
        """Called by `uow.emit`: the in-transaction subscribers now, the others queued for after the commit."""
        for handler in self._within.get(type(event), ()):
            handler(uow, event)
        for after in self._after.get(type(event), ()):
            uow.after_commit.append(lambda after=after: after(event))
