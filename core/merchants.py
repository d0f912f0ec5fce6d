"""Merchants, customers and drivers: the parties an order involves."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.errors import AccountError, DomainError, KitchenError
from core.geo import DeliveryZone, GeoPoint
from core.menu import AvailabilityWindow
from core.money import MAX_AMOUNT

MAX_BUSY = timedelta(hours=12)     # a busy spell longer than a service is a mistake, not a plan
MAX_EXTRA_PREP_MINUTES = 120
MAX_PREP_MINUTES = 240


class Address(BaseModel):
    """A postal address; `location` is required wherever distances matter (delivery)."""

    model_config = ConfigDict(frozen=True)

    line1: str = Field(min_length=1, max_length=200)
    line2: str = Field(default="", max_length=200)
    city: str = Field(default="", max_length=100)
    postcode: str = Field(default="", max_length=20)
    country: str = Field(default="", max_length=2)
    location: GeoPoint | None = None
    notes: str = Field(default="", max_length=500)


class TaxMode(StrEnum):
    INCLUSIVE = "inclusive"  # menu prices already contain tax (EU style)
    EXCLUSIVE = "exclusive"  # tax is added on top (US style)


class TaxPolicy(BaseModel):
    """Rates by tax category ('food', 'drinks', 'alcohol', 'fees'); a missing category is untaxed."""

    model_config = ConfigDict(frozen=True)

    mode: TaxMode = TaxMode.INCLUSIVE
    # Per category, a fraction in [0, 1).
    rates: dict[Annotated[str, Field(max_length=80)], Annotated[Decimal, Field(ge=0, lt=1)]] = Field(
        default_factory=dict, max_length=100)

    def rate(self, category: str) -> Decimal:
        """The tax rate of a category (0 when none is set)."""
        return self.rates.get(category, Decimal(0))


class DeliveryFeeBand(BaseModel):
    """Deliveries up to `up_to_km` (geodesic) cost `fee`."""

    model_config = ConfigDict(frozen=True)

    up_to_km: Decimal = Field(gt=0, le=1000)
    fee: Decimal = Field(ge=0, le=MAX_AMOUNT)


class BusyKind(StrEnum):
    OFF = "off"
    PAUSED = "paused"          # no new orders until `until`
    EXTRA_PREP = "extra_prep"  # orders still come in, promised `extra_minutes` later, until `until`


class BusyMode(BaseModel):
    """A kitchen's busy spell, set from a tablet. It ends by itself: past `until` it is off, no job needed."""

    model_config = ConfigDict(frozen=True)

    kind: BusyKind = BusyKind.OFF
    extra_minutes: int = Field(default=0, ge=0, le=MAX_EXTRA_PREP_MINUTES)
    until: datetime | None = None

    def at(self, now: datetime) -> "BusyMode":
        """What is in force at `now` (off once the time is up)."""
        if self.kind is BusyKind.OFF or self.until is None or now >= self.until:
            return _NOT_BUSY
        return self

    def paused_at(self, now: datetime) -> bool:
        """Whether new orders are paused at `now` (a spell past its end is over)."""
        return self.at(now).kind is BusyKind.PAUSED

    def extra_minutes_at(self, now: datetime) -> int:
        """The prep minutes busy mode adds at `now` (0 when not in an extra-prep spell)."""
        current = self.at(now)
        return current.extra_minutes if current.kind is BusyKind.EXTRA_PREP else 0

    def minutes_left(self, now: datetime) -> int:
        """Whole minutes until normal service, rounded up (0 when off)."""
        current = self.at(now)
        if current.until is None:
            return 0
        # Ceiling division on timedelta (exact, no float): 30:00 left is 30, 29:01 is 30, 0:01 is 1.
        return max(0, -((now - current.until) // timedelta(minutes=1)))

    def check(self, now: datetime) -> None:
        """Raise INVALID_BUSY for a spell the kitchen cannot mean: no end, an end in the past or more than
        12 hours ahead, or extra prep without extra minutes."""
        if self.kind is BusyKind.OFF:
            return
        if self.until is None or self.until.tzinfo is None:
            raise DomainError(KitchenError.INVALID_BUSY, "busy mode needs an end time with a time zone")
        if not now < self.until <= now + MAX_BUSY:
            raise DomainError(KitchenError.INVALID_BUSY, "busy mode ends between now and 12 hours from now")
        if self.kind is BusyKind.EXTRA_PREP and not 1 <= self.extra_minutes <= MAX_EXTRA_PREP_MINUTES:
            raise DomainError(KitchenError.INVALID_BUSY,
                              f"extra prep time is 1 to {MAX_EXTRA_PREP_MINUTES} minutes")


_NOT_BUSY = BusyMode()  # frozen, so one instance serves every "not busy"


class Merchant(BaseModel):
    """A kitchen that sells: where it is, when it is open, where it delivers and how it charges."""

    id: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1, max_length=200)
    address: Address
    location: GeoPoint
    timezone: str = "UTC"
    currency: str = Field(default="EUR", min_length=3, max_length=3)
    languages: list[str] = Field(default_factory=lambda: ["en"])
    opening_hours: list[AvailabilityWindow] = Field(default_factory=list)
    delivery_zone: DeliveryZone = DeliveryZone(radius_km=Decimal(5))
    delivery_fee_bands: list[DeliveryFeeBand] = Field(default_factory=list)
    offers_delivery: bool = True
    offers_pickup: bool = True
    tax: TaxPolicy = TaxPolicy()
    service_fee_pct: Decimal = Field(default=Decimal(0), ge=0, lt=1)
    min_order_value: Decimal = Field(default=Decimal(0), ge=0, le=MAX_AMOUNT)
    prep_minutes_default: int = Field(default=15, ge=1, le=240)
    auto_accept: bool = False
    paused: bool = False
    busy: BusyMode = BusyMode()

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        # ZoneInfo raises KeyError, OSError or ValueError depending on how the name is wrong.
        try:
            ZoneInfo(value)
        except (KeyError, OSError, ValueError):
            raise ValueError(f"unknown time zone {value[:80]!r}") from None
        return value

    @model_validator(mode="after")
    def _bands(self) -> "Merchant":
        self.delivery_fee_bands = sorted(self.delivery_fee_bands, key=lambda b: b.up_to_km)
        return self

    @property
    def tz(self) -> ZoneInfo:
        """The merchant's time zone, for opening hours and promised times."""
        return ZoneInfo(self.timezone)

    def paused_at(self, now: datetime) -> bool:
        """Not taking new orders: paused until further notice, or in a busy-mode pause."""
        return self.paused or self.busy.paused_at(now)

    def prep_minutes_at(self, now: datetime) -> int:
        """The prep time to promise now: the default plus any busy-mode extra."""
        return min(MAX_PREP_MINUTES, self.prep_minutes_default + self.busy.extra_minutes_at(now))

    def delivery_fee(self, distance_km: Decimal) -> Decimal | None:
        """The fee of the first band that covers the distance; None if no band does."""
        if not self.delivery_fee_bands:
            return Decimal(0)
        for band in self.delivery_fee_bands:
            if distance_km <= band.up_to_km:
                return band.fee
        return None


def normalise_phone(raw: str, default_region: str | None = None) -> str:
    """E.164 form of a phone number, or DomainError(INVALID_PHONE)."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as exc:
        raise DomainError(AccountError.INVALID_PHONE, f"{raw!r} is not a phone number: {exc}") from None
    if not phonenumbers.is_valid_number(number):
        raise DomainError(AccountError.INVALID_PHONE, f"{raw!r} is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class Customer(BaseModel):
    id: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1, max_length=200)
    phone: str | None = None
    language: str = "en"
    addresses: list[Address] = Field(default_factory=list)
    vip: bool = False

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return normalise_phone(value)
        except DomainError as exc:
            raise ValueError(exc.detail) from None


class VehicleType(StrEnum):
    BIKE = "bike"
    SCOOTER = "scooter"
    CAR = "car"


class Driver(BaseModel):
    id: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1, max_length=200)
    phone: str | None = None
    vehicle: VehicleType = VehicleType.SCOOTER
    capacity: int = Field(default=4, ge=1, le=50)
    merchant_ids: list[str] = Field(default_factory=list, description="empty: a platform driver")
