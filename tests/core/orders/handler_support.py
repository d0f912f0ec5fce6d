"""What the handler tests share: actors, stock and state snapshots of the memory store, and fixtures that run
one handler per unit of work as a controller would."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.orders.handlers import PlaceOrder, TransitionOrder, place_order, transition_order
from core.orders.lifecycle import Role
from core.orders.memory import MemoryState, MemoryUnitOfWork
from core.orders.model import Actor

PIZZERIA = "pizzeria-donau"
ANNA = Actor(role=Role.CUSTOMER, id="cust-anna")
LUCIA = Actor(role=Role.CUSTOMER, id="cust-lucia")
STAFF = Actor(role=Role.MERCHANT_STAFF, id="staff-1", merchant_id=PIZZERIA)
OTHER_STAFF = Actor(role=Role.MERCHANT_OWNER, id="owner-9", merchant_id="krems-burger")
DRIVER = Actor(role=Role.DRIVER, id="drv-max")
ADMIN = Actor(role=Role.ADMIN, id="admin-1")


def stock(state: MemoryState, merchant_id: str, key: str) -> int | None:
    menu = state.menus[merchant_id]
    kind, _, ident = key.partition(":")
    if kind == "item":
        return menu.item(ident).stock
    return next(o.stock for g in menu.modifier_groups for o in g.options if o.id == ident)


def snapshot(state: MemoryState) -> dict:
    """Everything a placement could touch, as plain data."""
    return {
        "menus": {k: m.model_dump() for k, m in state.menus.items()},
        "promos": {k: p.model_dump() for k, p in state.promos.items()},
        "orders": {k: o.model_dump() for k, o in state.orders.items()},
        "idempotency": dict(state.idempotency),
        "numbers": dict(state.numbers),
    }


@pytest.fixture
def run(state):
    """Run one handler in its own unit of work, as a controller would."""

    def _run(handler, *args):
        with MemoryUnitOfWork(state) as uow:
            return handler(*args, uow)

    return _run


@pytest.fixture
def place(run, build, now):
    def _place(*lines, order_id="o-1", customer="cust-anna", key=None, at=now, actor=ANNA, **fields):
        cart = build.cart(fields.pop("merchant_id", PIZZERIA), *lines, **fields)
        return run(place_order, PlaceOrder(cart=cart, actor=actor, order_id=order_id, now=at, customer_id=customer,
                                           idempotency_key=key))

    return _place


@pytest.fixture
def move(run, now):
    def _move(order_id, action, actor, minutes=1, reason=None, prep=None):
        return run(transition_order, TransitionOrder(order_id=order_id, action=action, actor=actor,
                                                     now=now + timedelta(minutes=minutes), reason=reason,
                                                     prep_minutes=prep))

    return _move


