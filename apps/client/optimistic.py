"""Local optimistic apply: what an operation will most likely do, so the UI shows it before the server answers.

Pure functions over the JSON the server sends. The server decides; these only predict. A prediction the
server refuses is undone by recomputing the view from the server state without the rejected operation.
"""
from __future__ import annotations

from typing import Any

from core.orders.lifecycle import TRANSITIONS, Action, OrderStatus, Role, allowed_actions
from apps.client.store import row_id

# Shown on a provisional order whose placement the server refused, until the user dismisses it.
NOT_PLACED = "not_placed"


def entity_key(entity: str, op: str, payload: dict[str, Any], op_id: str) -> str:
    """Which cached row an operation changes. A placement has no server id yet: its row is keyed by the op id."""
    if entity == "order" and op == "place":
        return op_id
    return row_id(entity, payload)


def predict(entity: str, op: str, payload: dict[str, Any], view: dict[str, Any] | None, *, op_id: str,
            role: str | None = None, rejected: bool = False) -> dict[str, Any] | None:
    """The view after `op` is applied to `view` (None: nothing cached). Never raises on odd input: an operation
    the client cannot predict leaves the view as it was and waits for the server's answer."""
    if entity == "order" and op == "place":
        return _provisional_order(payload, op_id, rejected)
    if entity == "order" and op == "transition":
        return _transition(view, payload, role)
    if entity == "stock":
        return _stock(op, payload, view)
    if entity == "profile" and op == "set":
        fields = payload.get("fields") or {}
        return {**(view or {}), **fields} if isinstance(fields, dict) else view
    if entity == "bumps" and op == "set_line":
        return _bump(payload, view)
    if entity in ("busy", "hours") and op == "set":
        return {**(view or {}), **payload}  # the whole state is in the payload: last writer wins
    return view


def _provisional_order(payload: dict[str, Any], op_id: str, rejected: bool) -> dict[str, Any]:
    return {"id": op_id, "_provisional": True, "status": NOT_PLACED if rejected else str(OrderStatus.PLACED),
            "merchant_id": payload.get("merchant_id"), "customer_id": payload.get("customer_id"),
            "cart": payload, "number": 0, "placed_at": None, "version": 0, "events": [], "allowed_actions": []}


def _transition(view: dict[str, Any] | None, payload: dict[str, Any], role: str | None) -> dict[str, Any] | None:
    if view is None or view.get("_provisional"):
        return view
    try:
        action, source = Action(payload.get("action")), OrderStatus(view.get("status"))
    except ValueError:
        return view
    is_delivery = (((view.get("quote") or {}).get("fulfilment") or {}).get("type")) == "delivery"
    for move in TRANSITIONS:
        if move.action is action and move.source is source and move.delivery_only in (None, is_delivery):
            changed = {**view, "status": str(move.target)}
            if action is Action.ACCEPT and payload.get("prep_minutes"):
                changed["prep_minutes"] = payload["prep_minutes"]
            try:
                changed["allowed_actions"] = [str(a) for a in allowed_actions(move.target, Role(role),
                                                                              is_delivery=is_delivery)]
            except ValueError:  # role unknown on this device: offer nothing until the server answers
                changed["allowed_actions"] = []
            return changed
    return view  # not a move the table knows from here: the server will say why


def _stock(op: str, payload: dict[str, Any], view: dict[str, Any] | None) -> dict[str, Any]:
    row = dict(view) if view else {"merchant_id": payload.get("merchant_id"), "key": payload.get("key"),
                                   "count": None, "available": True}
    if op == "adjust" and row.get("count") is not None and isinstance(payload.get("delta"), int):
        row["count"] = max(0, int(row["count"]) + payload["delta"])  # the server clamps at zero too
    elif op == "set_available" and isinstance(payload.get("available"), bool):
        row["available"] = payload["available"]
    return row


def _bump(payload: dict[str, Any], view: dict[str, Any] | None) -> dict[str, Any]:
    lines = set((view or {}).get("lines") or [])
    line = payload.get("line")
    if isinstance(line, int):
        lines = lines | {line} if payload.get("bumped") else lines - {line}
    return {"merchant_id": payload.get("merchant_id"), "order_id": payload.get("order_id"), "lines": sorted(lines)}
