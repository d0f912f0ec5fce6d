"""POST /orders for the usual request, without Litestar's per-request machinery.

Order intake is the product's hottest path. Litestar's handling of one request (building the Request, the
guard, the header and body parameters, the signature model, the Response) cost about 70 µs an order, a fifth
of the order's time on a single core. This middleware sits on the documented `POST /orders` handler alone and
answers the usual request itself: a body that validates as `PlaceOrderBody`, from a session already in the
session cache whose role may order. The placement is the same code as the handler's (`place_command`,
`place_and_publish`, `order_view_json`), and domain errors raised here reach the same exception handlers.

Anything else (no token or one not cached yet, a role that may not order, a body that does not validate, an
over-long Idempotency-Key, a large body, repeated headers) is handed to the Litestar handler untouched, body
and all, so every refusal keeps its one problem-details answer and the OpenAPI schema stays the handler's.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from pydantic import Field, ValidationError

from core.errors import AccountError, DomainError
from core.ids import uuid7_str
from core.orders import handlers
from core.orders.cart import Cart
from core.orders.lifecycle import Role
from core.orders.model import Actor
from server.api.views import order_view_json
from server.auth import ensure_merchant_scope, parse_bearer
from server.services import Services

ORDERING_ROLES = (Role.CUSTOMER, Role.MERCHANT_STAFF, Role.MERCHANT_OWNER, Role.ADMIN)
IDEMPOTENCY_KEY_MAX = 200


class PlaceOrderBody(Cart):
    """A cart to place. Staff taking a phone order may name the customer."""

    customer_id: str | None = Field(default=None, max_length=80)


def order_key(actor: Actor, idempotency_key: str | None) -> str | None:
    """An Idempotency-Key is the caller's own: the same key from two accounts names two orders."""
    return f"{actor.role}:{actor.id}:{idempotency_key}" if idempotency_key else None


def body_print(body: bytes) -> str:
    """The fingerprint of an HTTP order: the same key with a body that differs in any byte is another request
    (409), as with Idempotency-Key fingerprints generally. Hashing the bytes costs less than the cart's JSON."""
    return hashlib.sha256(body).hexdigest()


def place_command(data: PlaceOrderBody, actor: Actor, now: datetime, key: str | None,
                  request_print: str | None = None) -> handlers.PlaceOrder:
    """Who the order is for: customers order for themselves, staff for their own merchant."""
    customer_id = data.customer_id
    if actor.role is Role.CUSTOMER:
        if customer_id not in (None, actor.id):
            raise DomainError(AccountError.FORBIDDEN, "customers order for themselves")
        customer_id = actor.id
    elif actor.role in (Role.MERCHANT_STAFF, Role.MERCHANT_OWNER):
        ensure_merchant_scope(actor, data.merchant_id)
    elif actor.role is not Role.ADMIN:
        raise DomainError(AccountError.FORBIDDEN, f"a {actor.role} does not place orders")
    # The body is a Cart (plus customer_id, taken above); the handler reads only the cart's fields.
    return handlers.PlaceOrder(cart=data, actor=actor, order_id=uuid7_str(), now=now, customer_id=customer_id,
                               idempotency_key=key, request_print=request_print)


def place_and_publish(command: handlers.PlaceOrder, uow: Any, services: Services) -> handlers.PlaceResult:
    result = handlers.place_order(command, uow)
    if result.created:
        services.publish_after_commit(uow, result.order, {"type": "order.placed", "order_id": result.order.id,
                                                          "status": str(result.order.status)})
    return result


async def place_and_encode(command: handlers.PlaceOrder, services: Services) -> tuple[int, bytes, bool]:
    """Place through the writer; (status, the order view's JSON, whether this was a replay of the key)."""

    def place(uow: Any) -> tuple[handlers.PlaceResult, str | None]:
        placed = place_and_publish(command, uow, services)
        return placed, uow.orders.stored_json(placed.order)

    result, stored = await services.write(place)
    content = order_view_json(result.order, command.actor, stored)
    return (201, content, False) if result.created else (200, content, True)


# Larger bodies take the handler's path, which streams and limits them.
MAX_FAST_BODY = 64 * 1024
_ROLES = frozenset(ORDERING_ROLES)
_WANTED = {b"authorization": "authorization", b"idempotency-key": "key", b"content-length": "length"}
_JSON_HEADERS = [(b"content-type", b"application/json")]
_REPLAYED = (b"idempotent-replayed", b"true")

Message = dict[str, Any]


class OrderIntake:
    """Route middleware for `POST /orders` (ASGI)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._services: Services | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        headers = _headers(scope)
        if headers is None or int(headers.get("length") or 0) > MAX_FAST_BODY:
            await self.app(scope, receive, send)
            return
        chunks, ended = await _read_body(receive)
        if ended is not None:  # disconnected, or larger than MAX_FAST_BODY: the handler sees it all
            await self.app(scope, _replay(chunks, ended, receive), send)
            return
        services = self._services
        if services is None:
            services = self._services = scope["litestar_app"].state.services
        token = parse_bearer(headers.get("authorization", ""))
        found, actor = services.sessions.cached(token) if token else (False, None)
        key = headers.get("key", "")
        body = b"".join(chunks)
        data = None
        if found and actor is not None and actor.role in _ROLES and len(key) <= IDEMPOTENCY_KEY_MAX:
            try:
                data = PlaceOrderBody.model_validate_json(body)
            except ValidationError:
                data = None
        if data is None:
            await self.app(scope, _replay([body], None, receive), send)
            return
        command = place_command(data, actor, services.clock(), order_key(actor, key or None), body_print(body))
        status, content, extra = await place_and_encode(command, services)
        await send({"type": "http.response.start", "status": status,
                    "headers": [*_JSON_HEADERS, (b"content-length", str(len(content)).encode()),
                                *([_REPLAYED] if extra else [])]})
        await send({"type": "http.response.body", "body": content})


def _headers(scope: Any) -> dict[str, str] | None:
    """The headers the fast path reads (latin-1, as Litestar decodes them); None when one is repeated."""
    found: dict[str, str] = {}
    for name, value in scope["headers"]:
        field = _WANTED.get(name)
        if field is not None:
            if field in found:
                return None
            found[field] = value.decode("latin-1")
    length = found.get("length")
    if length is not None and not length.isdigit():
        return None
    return found


async def _read_body(receive: Any) -> tuple[list[bytes], Message | None]:
    """The body's chunks, and the message that stopped the read early (a disconnect, or a chunk past the
    fast path's limit), if any."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return chunks, message
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FAST_BODY:
            return chunks, message
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks, None


def _replay(chunks: list[bytes], last: Message | None, receive: Any) -> Any:
    """A `receive` that gives the handler what was already read, then carries on with the connection's."""
    pending: list[Message] = [{"type": "http.request", "body": c, "more_body": True} for c in chunks]
    if last is not None:
        pending.append(last)
    elif pending:
        pending[-1]["more_body"] = False
    else:
        pending.append({"type": "http.request", "body": b"", "more_body": False})

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()  # type: ignore[no-any-return]

    return replayed
