"""What the order handlers need from storage. Memory backend: core.orders.memory; SQL: server.db."""
from __future__ import annotations

from datetime import datetime
from contextlib import AbstractContextManager
from typing import Protocol

from core.menu import Menu
from core.merchants import Customer, Merchant
from core.orders.lifecycle import OrderStatus
from core.orders.model import Order, OrderEvent
from core.orders.promos import Promo


class CatalogRepository(Protocol):
    def merchant(self, merchant_id: str) -> Merchant | None:
        """The merchant with its live busy mode, if any."""
    def menu(self, merchant_id: str) -> Menu | None:
        """The live menu (current stock and 86 flags), if any."""
    def promo(self, code: str) -> Promo | None:
        """The promo with this normalised code, if any."""
    def customer(self, customer_id: str) -> Customer | None:
        """The customer's profile, if any."""


class StockLedger(Protocol):
    def reserve(self, merchant_id: str, units: dict[str, int]) -> None:
        """Take the units atomically, or raise DomainError(OUT_OF_STOCK | ITEM_UNAVAILABLE) taking nothing."""

    def release(self, merchant_id: str, units: dict[str, int]) -> None:
        """Give units back (rejection, cancellation)."""


class PromoUsage(Protocol):
    def use(self, code: str) -> None:
        """Count one use, or raise DomainError(PromoError.EXHAUSTED) if the limit is reached."""


class IdempotencyStore(Protocol):
    def claim(self, key: str, fingerprint: str, order_id: str) -> tuple[str, str] | None:
        """Take `key` for this request, or return the (request fingerprint, order id) it was taken for.

        None means this call took it; the claim is undone with the unit of work if the placement fails.
        """


class OrderRepository(Protocol):
    def add(self, order: Order) -> None:
        """Store a new order with its events."""
    def get(self, order_id: str) -> Order | None:
        """The order with its events, if any."""
    def save(self, order: Order, new_events: list[OrderEvent]) -> None:
        """Persist a moved order; raises DomainError(INVALID_TRANSITION) if it changed meanwhile."""

    def next_number(self, merchant_id: str) -> int:
        """The merchant's next order number (1, 2, 3, ... per merchant)."""
    def list(self, *, merchant_id: str | None = None, customer_id: str | None = None,
             statuses: list[OrderStatus] | None = None, placed_after: datetime | None = None,
             limit: int = 50, before: tuple[datetime, str] | None = None) -> list[Order]:
        """Newest first; `before` is the (placed_at, id) of the last order of the previous page."""


class UnitOfWork(Protocol):
    """One transaction: it commits when the block (or the writer's unit) ends normally and is discarded when
    it raises. `savepoint()` lets one part fail alone: its writes are undone, the rest of the unit goes on."""

    catalog: CatalogRepository
    stock: StockLedger
    promos: PromoUsage
    idempotency: IdempotencyStore
    orders: OrderRepository

    def savepoint(self) -> AbstractContextManager[None]:
        """A nested scope whose writes are undone if it raises (the exception still propagates)."""
