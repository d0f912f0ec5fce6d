"""Order use cases. Controllers, webhooks, the conversation engine and sync all call these.

Each handler takes a command and a unit of work, and writes only through it. A handler that raises may
have written part of its work: the unit of work is then discarded by whoever runs it (the server's writer
rolls back a unit that raises), and a caller that catches the failure and carries on in the same unit of
work (a sync push, a chat turn) wraps the call in `uow.savepoint()`.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from core.errors import DomainError, OrderError
from core.orders.cart import Cart
from core.orders.lifecycle import Action, Role
from core.orders.model import Actor, Order, OrderEvent
from core.orders.ports import UnitOfWork
from core.orders.pricing import quote_cart
from core.orders.promos import Promo
from core.orders.quote import Quote

# Without a road graph, ETA uses a city speed; routing replaces this with real travel times.
CITY_KMH = 18


@dataclass
class PlaceOrder:
    cart: Cart
    actor: Actor
    order_id: str
    now: datetime
    customer_id: str | None = None
    idempotency_key: str | None = None
    # What tells a retry from another request under the same key: a hash of the request as it was received
    # (an HTTP body), when the caller has one; otherwise the cart's own fingerprint.
    request_print: str | None = None


@dataclass
class PlaceResult:
    order: Order
    created: bool
    events: list[OrderEvent] = field(default_factory=list)


@dataclass
class TransitionOrder:
    order_id: str
    action: Action
    actor: Actor
    now: datetime
    reason: str | None = None
    prep_minutes: int | None = None


def fingerprint(cart: Cart, customer_id: str | None) -> str:
    """A stable hash of what was asked, to tell a retry from a different request under the same key."""
    # Pydantic serialises fields in declaration order, so the same cart always gives the same bytes; Cart's
    # serialiser writes only a Cart's fields when given a subclass (such as the API's request body).
    cart_json = Cart.__pydantic_serializer__.to_json(cart)
    return hashlib.sha256(cart_json + b"|" + (customer_id or "").encode()).hexdigest()


def quote(cart: Cart, uow: UnitOfWork, now: datetime) -> Quote:
    """Price a cart without placing it."""
    merchant = uow.catalog.merchant(cart.merchant_id)
    menu = uow.catalog.menu(cart.merchant_id)
    if merchant is None or menu is None:
        raise DomainError(OrderError.UNKNOWN_MERCHANT, f"no merchant {cart.merchant_id!r}")
    promo: Promo | None = uow.catalog.promo(Promo.normalise(cart.promo_code)) if cart.promo_code else None
    return quote_cart(cart, menu, merchant, now, promo)


def travel_minutes(distance_km: Decimal | None) -> int:
    """Minutes on the road for a delivery of `distance_km` (geodesic, with a city detour factor)."""
    if distance_km is None:
        return 0
    return max(1, round(float(distance_km) * 1.3 / CITY_KMH * 60))


def place_order(cmd: PlaceOrder, uow: UnitOfWork) -> PlaceResult:
    """Quote, reserve stock, use the promo and store the order, once per idempotency key."""
    if cmd.idempotency_key:
        # Claimed first, in one statement with the check: a failed placement rolls the claim back with it.
        request_print = cmd.request_print or fingerprint(cmd.cart, cmd.customer_id)
        seen = uow.idempotency.claim(cmd.idempotency_key, request_print, cmd.order_id)
        if seen is not None:
            if seen[0] != request_print:
                raise DomainError(OrderError.IDEMPOTENCY_KEY_REUSED,
                                  "this Idempotency-Key was used for a different order")
            existing = uow.orders.get(seen[1])
            assert existing is not None, "an idempotency record always points at a stored order"
            return PlaceResult(existing, created=False)
    priced = quote(cmd.cart, uow, cmd.now)
    merchant = uow.catalog.merchant(cmd.cart.merchant_id)
    assert merchant is not None
    uow.stock.reserve(merchant.id, priced.stock_reservations)
    if priced.promo_code:
        uow.promos.use(priced.promo_code)
    customer = uow.catalog.customer(cmd.customer_id) if cmd.customer_id else None
    prep_minutes = priced.prep_minutes or merchant.prep_minutes_default  # with any busy-mode extra
    order = Order.place(
        cmd.order_id, priced, by=cmd.actor, now=cmd.now, customer_id=cmd.customer_id,
        vip=bool(customer and customer.vip), default_prep_minutes=prep_minutes,
        travel_minutes=travel_minutes(priced.distance_km) if priced.fulfilment.is_delivery else 0,
    )
    order.number = uow.orders.next_number(merchant.id)
    if merchant.auto_accept:
        order.apply(Action.ACCEPT, by=Actor(role=Role.SYSTEM), now=cmd.now, prep_minutes=prep_minutes)
    uow.orders.add(order)
    return PlaceResult(order, created=True, events=list(order.events))


def get_order(order_id: str, actor: Actor, uow: UnitOfWork) -> Order:
    """The order if `actor` may see it; otherwise ORDER_NOT_FOUND (existence is not leaked)."""
    order = uow.orders.get(order_id)
    if order is None or not actor.can_see(order):
        raise DomainError(OrderError.ORDER_NOT_FOUND, f"no order {order_id!r}")
    return order


def transition_order(cmd: TransitionOrder, uow: UnitOfWork) -> tuple[Order, OrderEvent]:
    """Apply one lifecycle move, release stock when the order ends unfulfilled, and audit it."""
    order = get_order(cmd.order_id, cmd.actor, uow)
    event = order.apply(cmd.action, by=cmd.actor, now=cmd.now, reason=cmd.reason, prep_minutes=cmd.prep_minutes)
    if order.releases_stock:
        uow.stock.release(order.merchant_id, order.quote.stock_reservations)
    uow.orders.save(order, [event])
    return order, event
