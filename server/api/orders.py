"""Quotes, orders, transitions and the merchant queue."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter
from pydantic import BaseModel, Field

from core.errors import AccountError, DomainError, InputError
from core.orders import handlers
from core.orders.cart import Cart
from core.orders.lifecycle import Action, OrderStatus, Role
from core.orders.model import Actor
from core.orders.priority import merchant_queue
from core.orders.quote import Quote
from server.kitchen import store as kitchen
from server.api.order_intake import ORDERING_GUARD, OrderIntake, place
from server.orders import service as orders
from server.orders.service import IDEMPOTENCY_KEY_MAX, PlaceOrderBody
from server.api.views import decode_cursor, encode_cursor, order_view, queue_view
from server.auth import ANY_ROLE, STAFF, ensure_merchant_scope, roles
from server.services import Services

IdempotencyKey = Annotated[str | None, HeaderParameter(name="Idempotency-Key", required=False,
                                                      max_length=IDEMPOTENCY_KEY_MAX)]


class TransitionBody(BaseModel):
    action: Action
    reason: str | None = Field(default=None, max_length=500)
    prep_minutes: int | None = Field(default=None, ge=1, le=240)


class QuoteController(Controller):
    path = "/quotes"
    tags = ["orders"]

    @post("/", guards=[roles(*ANY_ROLE)], status_code=200, sync_to_thread=True)
    def create_quote(self, services: NamedDependency[Services], data: JSONBody[Cart]) -> Quote:
        """Price a cart against the live menu without placing it."""
        with services.read() as uow:
            return handlers.quote(data, uow, services.clock())


class OrderController(Controller):
    path = "/orders"
    tags = ["orders"]

    @post("/", guards=[ORDERING_GUARD], status_code=201, middleware=[OrderIntake])
    async def place(self, request: Request, services: NamedDependency[Services],  # type: ignore[type-arg]
                    actor: NamedDependency[Actor], data: JSONBody[PlaceOrderBody],
                    idempotency_key: IdempotencyKey = None) -> Response[dict[str, Any]]:
        """Place an order. Retrying with the same Idempotency-Key and body returns the same order (200, with
        `Idempotent-Replayed: true`); the same key with another body is a conflict (409)."""
        # Usual requests are answered by the OrderIntake middleware with the same code; this handler takes
        # the rest and documents the operation.
        status, content, replayed = await place(data, actor, idempotency_key, await request.body(), services)
        # Encoded already (the same bytes order_view would give); the annotation keeps the documented schema.
        return Response(content, status_code=status,  # type: ignore[arg-type]
                        headers={"Idempotent-Replayed": "true"} if replayed else {}, media_type=MediaType.JSON)

    @get("/{order_id:str}", guards=[roles(*ANY_ROLE)], sync_to_thread=True)
    def get_order(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                  order_id: FromPath[str]) -> dict[str, Any]:
        """One order as the caller may see it, with the actions the caller may take on it now."""
        with services.read() as uow:
            return order_view(handlers.get_order(order_id, actor, uow), actor)

    @get("/", guards=[roles(Role.CUSTOMER, *STAFF)], sync_to_thread=True)
    def list_orders(
        self, services: NamedDependency[Services], actor: NamedDependency[Actor],
        merchant_id: FromQuery[str | None] = None, customer_id: FromQuery[str | None] = None,
        status: FromQuery[list[OrderStatus] | None] = None, placed_after: FromQuery[datetime | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50, cursor: FromQuery[str | None] = None,
    ) -> dict[str, Any]:
        """Newest first, filtered and paged; each role sees only its own orders."""
        if actor.role is Role.CUSTOMER:
            customer_id = actor.id
        elif actor.role is not Role.ADMIN:
            if merchant_id not in (None, actor.merchant_id):
                raise DomainError(AccountError.FORBIDDEN, "you can only list your own merchant's orders")
            merchant_id = actor.merchant_id
        if placed_after is not None and placed_after.tzinfo is None:
            raise DomainError(InputError.INVALID, "placed_after needs a timezone offset")
        before = decode_cursor(cursor) if cursor else None
        with services.read() as uow:
            found = uow.orders.list(merchant_id=merchant_id, customer_id=customer_id, statuses=status,
                                    placed_after=placed_after, limit=limit + 1, before=before)
        page = found[:limit]
        return {"items": [order_view(o, actor) for o in page],
                "next_cursor": encode_cursor(page[-1]) if len(found) > limit else None}

    @post("/{order_id:str}/transitions", guards=[roles(*ANY_ROLE)], status_code=200)
    async def transition(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                         order_id: FromPath[str], data: JSONBody[TransitionBody]) -> dict[str, Any]:
        """Move an order along its lifecycle (accept, reject, start, ready, pick_up, deliver, cancel...)."""
        command = handlers.TransitionOrder(order_id=order_id, action=data.action, actor=actor, now=services.clock(),
                                           reason=data.reason, prep_minutes=data.prep_minutes)
        return order_view(await services.execute(orders.transition_order, command), actor)

    @get("/{order_id:str}/events", guards=[roles(*ANY_ROLE)], sync_to_thread=True)
    def events(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
               order_id: FromPath[str]) -> list[dict[str, Any]]:
        """The audit trail: who moved the order, when, from what to what, and why."""
        with services.read() as uow:
            order = handlers.get_order(order_id, actor, uow)
        return [e.model_dump(mode="json") for e in order.events]


class QueueController(Controller):
    path = "/merchants/{merchant_id:str}/queue"
    tags = ["orders"]

    @get("/", guards=[roles(*STAFF)], sync_to_thread=True)
    def queue(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
              merchant_id: FromPath[str]) -> list[dict[str, Any]]:
        """The kitchen's open orders, most urgent first, with the reasons for each rank and the lines bumped."""
        ensure_merchant_scope(actor, merchant_id)
        with services.read() as uow:
            merchant = uow.catalog.merchant(merchant_id)
            if merchant is None:
                raise DomainError(AccountError.NOT_FOUND, f"no merchant {merchant_id!r}")
            open_orders = uow.orders.list(merchant_id=merchant_id, statuses=[
                OrderStatus.PLACED, OrderStatus.ACCEPTED, OrderStatus.PREPARING, OrderStatus.READY], limit=500)
            bumps = kitchen.bumped_lines(uow.conn, [o.id for o in open_orders])
        entries = merchant_queue(open_orders, services.clock(), merchant.prep_minutes_default)
        return [queue_view(e, actor, bumps.get(e.order.id, [])) for e in entries]
