"""Money as Decimal with an ISO 4217 currency; never floats."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel.numbers import format_currency, get_currency_precision


# The largest amount any price, fee, tip or promo value may be: far above any real menu in any currency, and far
# below what Decimal arithmetic and the databases' numeric columns hold. Inputs are bounded by it at the edge
# (an int, so the OpenAPI document shows the bound as a number).
MAX_AMOUNT = 1_000_000_000


@lru_cache(maxsize=None)
def currency_exponent(currency: str) -> Decimal:
    """The quantum of a currency: Decimal('0.01') for EUR, Decimal('1') for JPY."""
    return Decimal(1).scaleb(-get_currency_precision(currency))


@lru_cache(maxsize=None)
def zero(currency: str) -> Decimal:
    """Zero written to the currency's minor unit: Decimal('0.00') for EUR."""
    return Decimal(0).quantize(currency_exponent(currency))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit (commercial rounding)."""
    return amount.quantize(currency_exponent(currency), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency. Arithmetic is exact; `quantized()` rounds to the minor unit."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            if isinstance(self.amount, float):
                raise TypeError("Money never takes a float; pass a Decimal or a string")
            object.__setattr__(self, "amount", Decimal(self.amount))
        if len(self.currency) != 3 or not self.currency.isupper():
            raise ValueError(f"not an ISO 4217 currency code: {self.currency!r}")

    @classmethod
    def zero(cls, currency: str) -> "Money":
        """Nothing, in `currency`."""
        return cls(Decimal(0), currency)

    def _same(self, other: "Money") -> None:
        if other.currency != self.currency:
            raise ValueError(f"currency mismatch: {self.currency} and {other.currency}")

    def __add__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> "Money":
        if isinstance(factor, float):
            raise TypeError("Money never multiplies by a float")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> "Money":
        return Money(-self.amount, self.currency)

    def __lt__(self, other: "Money") -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: "Money") -> bool:
        self._same(other)
        return self.amount <= other.amount

    def quantized(self) -> "Money":
        """Rounded half up to the currency's minor unit."""
        return Money(quantize(self.amount, self.currency), self.currency)

    def format(self, locale: str = "en") -> str:
        """Human formatting through babel, e.g. '€12.50' or '12,50 €'.

        Quantized first: babel rounds half-even, and the figure shown must be the one charged.
        """
        return format_currency(quantize(self.amount, self.currency), self.currency, locale=locale)

    def __str__(self) -> str:
        return f"{quantize(self.amount, self.currency)} {self.currency}"


def allocate(total: Decimal, weights: list[Decimal], currency: str) -> list[Decimal]:
    """Split `total` (already quantized) over `weights` proportionally, to the cent.

    Largest-remainder method, so the parts always add up exactly to `total`.
    """
    if not weights:
        return []
    if not total:  # nothing to split (no discount, the usual case)
        return [zero(currency)] * len(weights)
    quantum = currency_exponent(currency)
    weight_sum = sum(weights)
    if weight_sum == 0:
        weights, weight_sum = [Decimal(1)] * len(weights), Decimal(len(weights))
    units = int((total / quantum).to_integral_value())
    if units == 0:
        return [zero(currency)] * len(weights)
    raw = [Decimal(units) * w / weight_sum for w in weights]
    floors = [int(r.to_integral_value(rounding="ROUND_FLOOR")) for r in raw]
    leftover = units - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - floors[i]), reverse=True)
    for i in order[:leftover]:
        floors[i] += 1
    return [Decimal(f) * quantum for f in floors]
