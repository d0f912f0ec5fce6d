"""Small helpers shared by the client tests: a fake server answer, a fixed hybrid clock."""
from __future__ import annotations

from typing import Any

from core.sync.operations import OperationResult, OperationState
from apps.client.outbox import OutboxEntry


def acked(entry: OutboxEntry, result: dict[str, Any] | None = None) -> OperationResult:
    return OperationResult(id=entry.id, status=OperationState.ACKED, result=result)


def rejected(entry: OutboxEntry, code: str = "invalid_transition",
             detail: str = "cannot accept an order that is cancelled") -> OperationResult:
    return OperationResult(id=entry.id, status=OperationState.REJECTED, code=code, detail=detail)


def server_order(order_id: str = "ord-1", status: str = "placed", version: int = 1, **extra: Any) -> dict[str, Any]:
    """An order as GET /orders/{id} shows it (the fields the client reads)."""
    return {"id": order_id, "number": 7, "customer_id": "cust-anna", "merchant_id": "pizzeria-donau",
            "status": status, "version": version, "placed_at": "2026-11-25T12:00:00Z", "driver_id": None,
            "quote": {"merchant_id": "pizzeria-donau", "fulfilment": {"type": "delivery"}, "total": "38.70"},
            "allowed_actions": ["accept", "reject", "cancel"], "events": [], **extra}
