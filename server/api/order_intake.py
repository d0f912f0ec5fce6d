"""POST /orders for the usual request, without Litestar's per-request machinery.

Order intake is the product's hottest path. Litestar's handling of one request (building the Request, the
guard, the header and body parameters, the signature model, the Response) cost about 70 µs an order, a fifth
of the order's time on a single core. This middleware sits on the documented `POST /orders` handler alone and
answers the usual request itself: a body that validates as `PlaceOrderBody`, from a session already in the
session cache that the handler's own guard (`ORDERING_GUARD.allows`) lets order, with an Idempotency-Key the
orders service accepts. The placement is the handler's code (`place`), and domain errors raised here reach
the same exception handlers.

Anything else (no token or one not cached yet, a role that may not order, a body that does not validate, an
over-long Idempotency-Key, a large body, repeated headers) is handed to the Litestar handler untouched, body
and all, so every refusal keeps its one problem-details answer and the OpenAPI schema stays the handler's.
"""
from __future__ import annotations

import hashlib
from typing import Any

from pydantic import ValidationError

from core.ids import uuid7_str
from core.orders.model import Actor
from server.api.views import order_view_json
from server.auth import parse_bearer, roles
from server.orders import service as orders
from server.orders.service import PlaceOrderBody
from server.services import Services

ORDERING_GUARD = roles(*orders.ORDERING_ROLES)


def body_print(body: bytes) -> str:
    """The fingerprint of an HTTP order: the same key with a body that differs in any byte is another request
    (409), as with Idempotency-Key fingerprints generally. Hashing the bytes costs less than the cart's JSON."""
    return hashlib.sha256(body).hexdigest()


async def place(data: PlaceOrderBody, actor: Actor, key: str | None, body: bytes,
                services: Services) -> tuple[int, bytes, bool]:
    """Place through the orders service; (status, the order view's JSON, whether this replayed the key)."""
    command = orders.place_command(data, data.customer_id, actor, order_id=uuid7_str(), now=services.clock(),
                                   key=orders.idempotency_scope(actor, key), request_print=body_print(body))
    placed = await services.execute(orders.place_order, command)
    content = order_view_json(placed.order, actor, placed.document)
    return (201, content, False) if placed.result.created else (200, content, True)


# Larger bodies take the handler's path, which streams and limits them.
MAX_FAST_BODY = 64 * 1024
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
        if found and actor is not None and ORDERING_GUARD.allows(actor) and orders.accepts_idempotency_key(key):
            try:
                data = PlaceOrderBody.model_validate_json(body)
            except ValidationError:
                data = None
        if data is None:
            await self.app(scope, _replay([body], None, receive), send)
            return
        status, content, extra = await place(data, actor, key or None, body, services)
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
