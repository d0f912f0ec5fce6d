"""The day's orders with search, and the day's totals."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timezone
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from apps.merchant.state.tickets import Ticket

COMPLETED = frozenset({"picked_up", "delivered"})
LOST = frozenset({"rejected", "cancelled", "failed"})


@dataclass(frozen=True)
class DayTotals:
    orders: int
    completed: int
    open: int
    lost: int
    revenue: Decimal
    average: Decimal
    currency: str
    items: int


def day_start(now: datetime, tz_name: str) -> datetime:
    """Local midnight of `now` in the merchant's time zone, as an aware UTC datetime."""
    tz = ZoneInfo(tz_name)
    local = now.astimezone(tz)
    return datetime.combine(local.date(), time(0), tzinfo=tz).astimezone(timezone.utc)


def todays(tickets: list[Ticket], since: datetime) -> list[Ticket]:
    return sorted((t for t in tickets if t.placed_at is not None and t.placed_at >= since),
                  key=lambda t: (t.placed_at, t.number), reverse=True)


def search(tickets: list[Ticket], query: str) -> list[Ticket]:
    """Every word must match the number, status, item names or instructions."""
    words = [w.lstrip("#") for w in query.lower().split() if w.strip("#")]
    if not words:
        return tickets
    return [t for t in tickets if all(w in t.search_text() for w in words)]


def _money(value: str) -> Decimal:
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError):
        return Decimal(0)


def totals(tickets: list[Ticket]) -> DayTotals:
    """Revenue counts every order not rejected, cancelled or failed (open orders are expected revenue)."""
    kept = [t for t in tickets if t.status not in LOST]
    revenue = sum((_money(t.total) for t in kept), Decimal(0))
    currency = next((t.currency for t in tickets if t.currency), "")
    average = (revenue / len(kept)).quantize(Decimal("0.01")) if kept else Decimal("0.00")
    return DayTotals(orders=len(tickets), completed=sum(1 for t in tickets if t.status in COMPLETED),
                     open=sum(1 for t in tickets if t.status not in COMPLETED | LOST),
                     lost=sum(1 for t in tickets if t.status in LOST), revenue=revenue.quantize(Decimal("0.01")),
                     average=average, currency=currency,
                     items=sum(line.quantity for t in kept for line in t.lines))
