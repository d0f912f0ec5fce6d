"""The operation log shared by every app's outbox and the server's /sync/push."""
from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, field_validator

from core.sync.hlc import Timestamp


class OperationState(StrEnum):
    READY = "ready"
    IN_FLIGHT = "in_flight"
    ACKED = "acked"
    REJECTED = "rejected"


class Entity(StrEnum):
    ORDER = "order"
    STOCK = "stock"
    PROFILE = "profile"
    BUMPS = "bumps"
    BUSY = "busy"
    HOURS = "hours"


class Operation(BaseModel):
    """One offline write. `id` is a client-generated UUIDv7 and the idempotency key."""

    id: str = Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
    entity: Entity
    op: str = Field(min_length=1, max_length=40)
    payload: dict[str, Any] = Field(default_factory=dict)
    hlc: str = Field(max_length=120)
    device_id: str = Field(min_length=1, max_length=80)

    @field_validator("hlc")
    @classmethod
    def _hlc(cls, value: str) -> str:
        Timestamp.parse(value)
        return value


class OperationResult(BaseModel):
    """What the server made of an operation; the same answer every time the id is sent again."""

    id: str
    status: OperationState
    code: str | None = None
    detail: str | None = None
    result: dict[str, Any] | None = None


def later(a: str | None, b: str) -> bool:
    """True if stamp `b` wins over `a` under last-writer-wins (no stamp loses to any)."""
    return a is None or Timestamp.parse(b) > Timestamp.parse(a)
