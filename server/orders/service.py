"""Order use cases: `(command, uow) -> result`, called by the REST controllers, the chat ports and `/sync/push`.

They wrap the domain handlers (core.orders.handlers) with what the server adds: who may order for whom,
the live-update and cache events a change causes, and the kitchen's line bumps an order leaves behind.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import Field

from core.errors import AccountError, DomainError
from core.orders import handlers
from core.orders.cart import Cart
from core.orders.lifecycle import Role
from core.orders.model import Actor, Order
from server.auth import ensure_merchant_scope
from server.db.uow import SqlUnitOfWork
from server.events import CatalogChanged, OrderChanged
from server.kitchen import store as kitchen_store

ORDERING_ROLES = (Role.CUSTOMER, Role.MERCHANT_STAFF, Role.MERCHANT_OWNER, Role.ADMIN)
IDEMPOTENCY_KEY_MAX = 200


class PlaceOrderBody(Cart):
    """A cart to place (`POST /orders`, the `order.place` sync operation). Staff taking a phone order may
    name the customer."""

    customer_id: str | None = Field(default=None, max_length=80)


@dataclass
class Placed:
    """A placement's outcome, and the order's stored document when this unit wrote it (the response is
    built from it rather than encoding the order again)."""

    result: handlers.PlaceResult
    document: str | None

    @property
    def order(self) -> Order:
        """The order placed (or found again under the key)."""
        return self.result.order


def idempotency_scope(actor: Actor, key: str | None) -> str | None:
    """An Idempotency-Key is the caller's own: the same key from two accounts names two orders."""
    return f"{actor.role}:{actor.id}:{key}" if key else None


def accepts_idempotency_key(key: str | None) -> bool:
    """Keys are at most IDEMPOTENCY_KEY_MAX characters (the REST header declares the same limit)."""
    return key is None or len(key) <= IDEMPOTENCY_KEY_MAX


def place_command(cart: Cart, customer_id: str | None, actor: Actor, *, order_id: str, now: datetime,
                  key: str | None, request_print: str | None = None) -> handlers.PlaceOrder:
    """Who the order is for: customers order for themselves, staff for their own merchant, admins for anyone."""
    if actor.role is Role.CUSTOMER:
        if customer_id not in (None, actor.id):
            raise DomainError(AccountError.FORBIDDEN, "customers order for themselves")
        customer_id = actor.id
    elif actor.role in (Role.MERCHANT_STAFF, Role.MERCHANT_OWNER):
        ensure_merchant_scope(actor, cart.merchant_id)
    elif actor.role is not Role.ADMIN:
        raise DomainError(AccountError.FORBIDDEN, f"a {actor.role} does not place orders")
    return handlers.PlaceOrder(cart=cart, actor=actor, order_id=order_id, now=now, customer_id=customer_id,
                               idempotency_key=key, request_print=request_print)


def place_order(cmd: handlers.PlaceOrder, uow: SqlUnitOfWork) -> Placed:
    """Place an order once per idempotency key; a new order is announced to its kitchen, dispatch and customer."""
    result = handlers.place_order(cmd, uow)
    if not result.created:
        return Placed(result, None)
    order = result.order
    uow.emit(OrderChanged(order, {"type": "order.placed", "order_id": order.id, "status": str(order.status)}))
    return Placed(result, uow.orders.written_document(order.id, order.version))


def transition_order(cmd: handlers.TransitionOrder, uow: SqlUnitOfWork) -> Order:
    """Move an order along its lifecycle (accept, reject, cancel, ...): stock given back when it ends
    unfulfilled, its line bumps dropped once it leaves the kitchen, and everyone it concerns told."""
    order, event = handlers.transition_order(cmd, uow)
    if order.releases_stock:
        uow.emit(CatalogChanged(order.merchant_id))
    kitchen_store.clear_bumps(uow.conn, uow.raw, order)
    uow.emit(OrderChanged(order, {"type": "order.status", "order_id": order.id, "status": str(order.status),
                                  "seq": event.seq}))
    return order
