"""How domain objects look on the wire."""
from __future__ import annotations

import base64
import functools
from datetime import datetime
from typing import Any

import msgspec
from pydantic import TypeAdapter

from core.errors import DomainError, InputError
from core.orders.lifecycle import OrderStatus, Role, allowed_actions
from core.orders.model import Actor, Order, OrderEvent
from core.orders.priority import QueueEntry

_EVENTS = TypeAdapter(list[OrderEvent])


def order_view(order: Order, actor: Actor | None = None) -> dict[str, Any]:
    body = order.model_dump(mode="json")
    body["merchant_id"] = order.merchant_id
    if actor is not None:
        body["allowed_actions"] = [str(a) for a in allowed_actions(order.status, actor.role,
                                                                   is_delivery=order.is_delivery)]
    return body


def order_view_json(order: Order, actor: Actor, stored: str | None = None) -> bytes:
    """`order_view` already encoded, for the order-intake hot path.

    pydantic writes the order's JSON in one pass (~3x faster than dumping to a dict and encoding it); the
    two fields the view adds go after it, where `order_view` puts them, so the bytes are the same. `stored`
    is the order's stored document (its JSON without the events, which are its last field), when the caller
    has it: then only the events are encoded.
    """
    if stored is None:
        body = order.__pydantic_serializer__.to_json(order)
    else:
        body = b"".join((stored.encode()[:-1], b',"events":', _EVENTS.dump_json(order.events), b"}"))
    return b"".join((body[:-1], b',"merchant_id":', msgspec.json.encode(order.merchant_id), b',"allowed_actions":',
                     _allowed_json(order.status, actor.role, order.is_delivery), b"}"))


@functools.lru_cache(maxsize=None)
def _allowed_json(status: OrderStatus, role: Role, is_delivery: bool) -> bytes:
    return msgspec.json.encode([str(a) for a in allowed_actions(status, role, is_delivery=is_delivery)])


def queue_view(entry: QueueEntry, actor: Actor, bumped_lines: list[int] | None = None) -> dict[str, Any]:
    return {"order": order_view(entry.order, actor),
            "priority": {"score": entry.priority.score, "slack_minutes": entry.priority.slack_minutes,
                         "reasons": entry.priority.reasons},
            "bumped_lines": bumped_lines or []}


def encode_cursor(order: Order) -> str:
    raw = f"{order.placed_at.isoformat()}|{order.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        placed, _, order_id = raw.partition("|")
        when = datetime.fromisoformat(placed)
        if when.tzinfo is None or not order_id:
            raise ValueError
        return when, order_id
    except (ValueError, UnicodeDecodeError):
        raise DomainError(InputError.INVALID, "cursor is not one this API gave out") from None
