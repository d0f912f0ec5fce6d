"""What each sync operation's payload holds (validated at the edge, like a REST body)."""
from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, ValidationError

from core.errors import DomainError, InputError
from core.merchants import MAX_EXTRA_PREP_MINUTES, Address, BusyKind
from core.orders.lifecycle import Action


class TransitionPayload(BaseModel):
    order_id: str = Field(min_length=1, max_length=36)
    action: Action
    reason: str | None = Field(default=None, max_length=500)
    prep_minutes: int | None = Field(default=None, ge=1, le=240)


class StockAdjustPayload(BaseModel):
    merchant_id: str = Field(min_length=1, max_length=80)
    key: str = Field(min_length=3, max_length=90)
    delta: int = Field(ge=-100_000, le=100_000)


class StockAvailabilityPayload(BaseModel):
    merchant_id: str = Field(min_length=1, max_length=80)
    key: str = Field(min_length=3, max_length=90)
    available: bool


class LineBumpPayload(BaseModel):
    merchant_id: str = Field(min_length=1, max_length=80)
    order_id: str = Field(min_length=1, max_length=36)
    line: int = Field(ge=0, le=1000)
    bumped: bool


class BusyPayload(BaseModel):
    merchant_id: str = Field(min_length=1, max_length=80)
    kind: BusyKind
    extra_minutes: int = Field(default=0, ge=0, le=MAX_EXTRA_PREP_MINUTES)
    until: AwareDatetime | None = None


class HoursPayload(BaseModel):
    """`windows` are checked by core.menu.check_windows, so a bad window gets its own code (invalid_hours)."""

    merchant_id: str = Field(min_length=1, max_length=80)
    target: str = Field(pattern=r"^(merchant|(item|category):[A-Za-z0-9_.\-]{1,80})$")
    windows: list[Any] = Field(max_length=100)


class ProfileFields(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=30)
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")
    addresses: list[Address] | None = Field(default=None, max_length=10)


class ProfilePayload(BaseModel):
    fields: ProfileFields


def parse_payload(model: type[BaseModel], payload: dict[str, Any]) -> Any:
    """The payload as `model`, or an invalid_input rejection naming the first problem."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise DomainError(InputError.INVALID, f"payload {where}: {first['msg']}") from None
