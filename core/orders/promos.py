"""Promo codes: percentage or fixed discounts with a minimum subtotal, validity window and usage limit."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

from core.errors import DomainError, PromoError
from core.money import MAX_AMOUNT

MAX_USES = 1_000_000_000


class PromoKind(StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"


class Promo(BaseModel):
    """`value` is a fraction (0.15 = 15 %) for PERCENT, an amount in the merchant's currency for FIXED."""

    code: str = Field(min_length=1, max_length=40)
    merchant_id: str | None = None
    kind: PromoKind
    value: Decimal = Field(gt=0, le=MAX_AMOUNT)
    min_subtotal: Decimal = Field(default=Decimal(0), ge=0, le=MAX_AMOUNT)
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    max_uses: int | None = Field(default=None, ge=1, le=MAX_USES)
    uses: int = Field(default=0, ge=0, le=MAX_USES)

    @model_validator(mode="after")
    def _value(self) -> "Promo":
        if self.kind is PromoKind.PERCENT and self.value > 1:
            raise ValueError("a percentage promo's value is a fraction no greater than 1")
        return self

    @staticmethod
    def normalise(code: str) -> str:
        """A code as stored and matched: trimmed, upper case."""
        return code.strip().upper()

    def check(self, subtotal: Decimal, now: datetime) -> None:
        """Raise the PromoError that stops this promo applying to `subtotal` at `now`."""
        if self.valid_from is not None and now < self.valid_from:
            raise DomainError(PromoError.NOT_YET_VALID, f"promo {self.code} starts {self.valid_from.isoformat()}")
        if self.valid_until is not None and now > self.valid_until:
            raise DomainError(PromoError.EXPIRED, f"promo {self.code} ended {self.valid_until.isoformat()}")
        if self.max_uses is not None and self.uses >= self.max_uses:
            raise DomainError(PromoError.EXHAUSTED, f"promo {self.code} has been used {self.uses} times")
        if subtotal < self.min_subtotal:
            raise DomainError(
                PromoError.MIN_SUBTOTAL, f"promo {self.code} needs a subtotal of at least {self.min_subtotal}"
            )

    def discount(self, subtotal: Decimal) -> Decimal:
        """The (unrounded) discount on `subtotal`; never more than the subtotal itself."""
        amount = subtotal * self.value if self.kind is PromoKind.PERCENT else self.value
        return min(amount, subtotal)
