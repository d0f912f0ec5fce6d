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

_EVENTS_JSON = TypeAdapter(list[OrderEvent])
_EVENTS = {"events"}


def order_view(order: Order, actor: Actor | None = None) -> dict[str, Any]:
    body = order.model_dump(mode="json")
    body["merchant_id"] = order.merchant_id
    if actor is not None:
        body["allowed_actions"] = [str(a) for a in allowed_actions(order.status, actor.role,
                                                                   is_delivery=order.is_delivery)]
    return body


def order_view_json(order: Order, actor: Actor, document: str | None = None) -> bytes:
    """`order_view` already encoded, for the order-intake hot path (the same members; JSON objects are unordered).

    pydantic writes the order's JSON without its events in one pass (~3x faster than dumping to a dict and
    encoding it); the events and the two members the view adds are appended before its closing brace.
    `document` is that JSON as the order was just stored, when the caller has it: then only the events are
    encoded.
    """
    body = document.encode() if document is not None else order.__pydantic_serializer__.to_json(order, exclude=_EVENTS)
    return b"".join((body[:-1], b',"events":', _EVENTS_JSON.dump_json(order.events), b',"merchant_id":',
                     msgspec.json.encode(order.merchant_id), b',"allowed_actions":',
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
