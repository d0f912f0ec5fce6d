"""What a customer asks for, before pricing: the standard order format every channel produces."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.menu import ModifierKind, Portion
from core.merchants import Address


class Channel(StrEnum):
    WEB = "web"
    APP = "app"
    WHATSAPP = "whatsapp"
    INSTAGRAM = "instagram"
    VOICE = "voice"
    PHONE = "phone"


class FulfilmentType(StrEnum):
    DELIVERY = "delivery"
    PICKUP = "pickup"


class LineModifier(BaseModel):
    """A modifier option (or, for REMOVE, an ingredient) applied to a cart line."""

    model_config = ConfigDict(frozen=True)

    option_id: str = Field(min_length=1, max_length=80)
    kind: ModifierKind = ModifierKind.ADD
    portion: Portion = Portion.WHOLE


class CartLine(BaseModel):
    item_id: str = Field(min_length=1, max_length=80)
    variant_id: str | None = Field(default=None, max_length=80)
    quantity: int = Field(default=1, ge=1, le=999)
    modifiers: list[LineModifier] = Field(default_factory=list, max_length=50)
    instructions: str = Field(default="", max_length=500)


class Fulfilment(BaseModel):
    type: FulfilmentType = FulfilmentType.PICKUP
    address: Address | None = None

    @property
    def is_delivery(self) -> bool:
        """Delivered (as opposed to picked up)."""
        return self.type is FulfilmentType.DELIVERY


class RequestedTime(BaseModel):
    """ASAP (both None) or a slot; times are timezone-aware."""

    slot_start: datetime | None = None
    slot_end: datetime | None = None

    @model_validator(mode="after")
    def _slot(self) -> "RequestedTime":
        for value in (self.slot_start, self.slot_end):
            if value is not None and value.tzinfo is None:
                raise ValueError("slot times need a timezone offset")
        if self.slot_end is not None and self.slot_start is None:
            raise ValueError("slot_end needs slot_start")
        if self.slot_start and self.slot_end and self.slot_end < self.slot_start:
            raise ValueError("slot ends before it starts")
        return self

    @property
    def asap(self) -> bool:
        """As soon as possible (no slot chosen)."""
        return self.slot_start is None


class OrderPriority(StrEnum):
    """Explicit priority set by staff or by rules (VIP); the queue also weighs time and age."""

    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Cart(BaseModel):
    """A request to quote or place an order at one merchant."""

    merchant_id: str = Field(min_length=1, max_length=80)
    lines: list[CartLine] = Field(default_factory=list, max_length=200)
    fulfilment: Fulfilment = Field(default_factory=Fulfilment)
    requested_time: RequestedTime = Field(default_factory=RequestedTime)
    channel: Channel = Channel.WEB
    promo_code: str | None = Field(default=None, max_length=40)
    tip: Decimal = Field(default=Decimal(0), ge=0, le=Decimal(10000), max_digits=12)
    instructions: str = Field(default="", max_length=1000)
    priority: OrderPriority = OrderPriority.NORMAL

    @field_validator("tip", mode="before")
    @classmethod
    def _no_float_tip(cls, value: object) -> object:
        # Money is never a float: 0.1 + 0.2 is not 0.3. Clients send "2.50" (or whole numbers).
        if isinstance(value, float):
            raise ValueError("send money as a decimal string such as \"2.50\", not a JSON float")
        return value
