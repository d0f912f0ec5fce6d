"""A priced cart: lines with their share of discount and tax, fees, tip and a total that adds up."""
from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from core.menu import ModifierKind, Portion
from core.merchants import TaxMode
from core.orders.cart import Channel, Fulfilment, OrderPriority, RequestedTime


class PricedModifier(BaseModel):
    option_id: str
    name: str
    kind: ModifierKind
    portion: Portion = Portion.WHOLE
    unit_price: Decimal


class PricedLine(BaseModel):
    """One cart line priced. `total` = subtotal - discount (+ tax when tax is exclusive)."""

    item_id: str
    name: str
    variant_id: str | None = None
    variant_name: str | None = None
    quantity: int
    modifiers: list[PricedModifier] = Field(default_factory=list)
    instructions: str = ""
    unit_price: Decimal
    subtotal: Decimal
    discount: Decimal = Decimal(0)
    tax_category: str = "food"
    tax_rate: Decimal = Decimal(0)
    tax: Decimal = Decimal(0)
    total: Decimal
    allergens: list[str] = Field(default_factory=list)
    station: str | None = None


class Quote(BaseModel):
    """The price of a cart, without placing it. Every figure is quantized to the currency.

    Invariant: total == sum(line.total) + delivery_fee + service_fee + fees_tax_added + tip.
    """

    merchant_id: str
    currency: str
    tax_mode: TaxMode
    lines: list[PricedLine]
    subtotal: Decimal
    discount: Decimal
    delivery_fee: Decimal
    service_fee: Decimal
    tax: Decimal
    fees_tax_added: Decimal = Decimal(0)
    tip: Decimal
    total: Decimal
    distance_km: Decimal | None = None
    promo_code: str | None = None
    fulfilment: Fulfilment
    requested_time: RequestedTime
    channel: Channel
    instructions: str = ""
    priority: OrderPriority = OrderPriority.NORMAL
    stock_reservations: dict[str, int] = Field(
        default_factory=dict, description="stock key ('item:ID' or 'option:ID') -> units to reserve"
    )
    prep_minutes: int | None = Field(default=None, description="the prep time promised: the kitchen's default "
                                     "plus any busy-mode extra (None on orders placed before it was quoted)")
