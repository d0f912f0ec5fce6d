"""In-memory unit of work: the reference backend for the order ports (tests, demos, the parser CLI)."""
from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from core.errors import DomainError, OrderError, PromoError
from core.menu import Menu
from core.merchants import Customer, Merchant
from core.orders.lifecycle import OrderStatus
from core.orders.model import Order, OrderEvent
from core.orders.promos import Promo


class MemoryState:
    """What a memory UoW commits into; share one between UoWs to simulate one database."""

    def __init__(self) -> None:
        self.merchants: dict[str, Merchant] = {}
        self.menus: dict[str, Menu] = {}
        self.promos: dict[str, Promo] = {}
        self.customers: dict[str, Customer] = {}
        self.orders: dict[str, Order] = {}
        self.idempotency: dict[str, tuple[str, str]] = {}
        self.numbers: dict[str, int] = {}


class _Catalog:
    def __init__(self, state: MemoryState) -> None:
        self.state = state

    def merchant(self, merchant_id: str) -> Merchant | None:
        return self.state.merchants.get(merchant_id)

    def menu(self, merchant_id: str) -> Menu | None:
        return self.state.menus.get(merchant_id)

    def promo(self, code: str) -> Promo | None:
        return self.state.promos.get(code)

    def customer(self, customer_id: str) -> Customer | None:
        return self.state.customers.get(customer_id)


class _Stock:
    """Stock lives on the menu's items and options, as `stock` counts and `available` flags."""

    def __init__(self, state: MemoryState) -> None:
        self.state = state

    def _target(self, menu: Menu, key: str):  # type: ignore[no-untyped-def]
        kind, _, ident = key.partition(":")
        if kind == "item":
            return menu.item(ident)
        return menu.option(ident)

    def reserve(self, merchant_id: str, units: dict[str, int]) -> None:
        menu = self.state.menus[merchant_id]
        for key, n in units.items():
            target = self._target(menu, key)
            if target is None or not target.available:
                raise DomainError(OrderError.ITEM_UNAVAILABLE, f"{key} is not available")
            if target.stock is not None and target.stock < n:
                raise DomainError(OrderError.OUT_OF_STOCK, f"only {target.stock} of {key} left, {n} wanted")
        for key, n in units.items():
            target = self._target(menu, key)
            if target.stock is not None:
                target.stock -= n

    def release(self, merchant_id: str, units: dict[str, int]) -> None:
        menu = self.state.menus[merchant_id]
        for key, n in units.items():
            target = self._target(menu, key)
            if target is not None and target.stock is not None:
                target.stock += n


class _Promos:
    def __init__(self, state: MemoryState) -> None:
        self.state = state

    def use(self, code: str) -> None:
        promo = self.state.promos[code]
        if promo.max_uses is not None and promo.uses >= promo.max_uses:
            raise DomainError(PromoError.EXHAUSTED, f"promo {code} is used up")
        promo.uses += 1


class _Idempotency:
    def __init__(self, state: MemoryState) -> None:
        self.state = state

    def claim(self, key: str, fingerprint: str, order_id: str) -> tuple[str, str] | None:
        taken = self.state.idempotency.get(key)
        if taken is None:
            self.state.idempotency[key] = (fingerprint, order_id)
        return taken


class _Orders:
    def __init__(self, state: MemoryState) -> None:
        self.state = state

    def add(self, order: Order) -> None:
        self.state.orders[order.id] = order

    def get(self, order_id: str) -> Order | None:
        order = self.state.orders.get(order_id)
        return order.model_copy(deep=True) if order else None

    def save(self, order: Order, new_events: list[OrderEvent]) -> None:
        stored = self.state.orders[order.id]
        if stored.version != order.version - len(new_events):
            raise DomainError(OrderError.INVALID_TRANSITION, "the order changed meanwhile; reload it")
        self.state.orders[order.id] = order

    def next_number(self, merchant_id: str) -> int:
        self.state.numbers[merchant_id] = self.state.numbers.get(merchant_id, 0) + 1
        return self.state.numbers[merchant_id]

    def list(self, *, merchant_id: str | None = None, customer_id: str | None = None,
             statuses: list[OrderStatus] | None = None, placed_after: datetime | None = None,
             limit: int = 50, before: tuple[datetime, str] | None = None) -> list[Order]:
        found = [
            o for o in self.state.orders.values()
            if (merchant_id is None or o.merchant_id == merchant_id)
            and (customer_id is None or o.customer_id == customer_id)
            and (statuses is None or o.status in statuses)
            and (placed_after is None or o.placed_at >= placed_after)
            and (before is None or (o.placed_at, o.id) < before)
        ]
        found.sort(key=lambda o: (o.placed_at, o.id), reverse=True)
        return found[:limit]


class MemoryUnitOfWork:
    """Works on a snapshot of the shared state: leaving the `with` block normally publishes it, leaving it
    by an exception discards it (as the SQL writer commits a unit that returns and rolls back one that raises).

    One unit of work at a time: the last commit replaces the shared state, so overlapping units would
    lose each other's writes. Concurrency is the SQL backend's job (savepoints in one writer).
    """

    def __init__(self, state: MemoryState) -> None:
        self.shared = state

    def _bind(self) -> None:
        self.working = copy.deepcopy(self.shared)
        self.catalog = _Catalog(self.working)
        self.stock = _Stock(self.working)
        self.promos = _Promos(self.working)
        self.idempotency = _Idempotency(self.working)
        self.orders = _Orders(self.working)

    def __enter__(self) -> "MemoryUnitOfWork":
        self._bind()
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.shared.__dict__.update(copy.deepcopy(self.working).__dict__)
        self._bind()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Undo the block's writes if it raises: the working state goes back to a copy taken on entry."""
        before = copy.deepcopy(self.working)
        try:
            yield
        except BaseException:
            self.working.__dict__.update(before.__dict__)
            raise
