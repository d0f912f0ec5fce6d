"""Queue priority: what the kitchen should look at first, and why."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.orders.cart import OrderPriority
from core.orders.lifecycle import OrderStatus
from core.orders.model import Order

KITCHEN_STATUSES = frozenset({OrderStatus.PLACED, OrderStatus.ACCEPTED, OrderStatus.PREPARING, OrderStatus.READY})
EXPLICIT_WEIGHT = {OrderPriority.NORMAL: 0.0, OrderPriority.HIGH: 20.0, OrderPriority.URGENT: 60.0}
VIP_WEIGHT = 15.0
AGE_WEIGHT = 0.5  # points per minute waited, so nothing starves
UNACKNOWLEDGED_WEIGHT = 30.0  # a new order must be seen before anything else of the same urgency


@dataclass(frozen=True)
class PriorityScore:
    """Higher is more urgent. `slack_minutes` < 0 means the promised time will be missed."""

    score: float
    slack_minutes: float
    reasons: list[str] = field(default_factory=list)


def remaining_minutes(order: Order, now: datetime, default_prep_minutes: int) -> float:
    """Minutes of work left before the customer has the food: prep still to do plus travel."""
    travel = order.travel_minutes if order.is_delivery else 0
    if order.status is OrderStatus.PLACED:
        return (order.prep_minutes or default_prep_minutes) + travel
    if order.status in (OrderStatus.ACCEPTED, OrderStatus.PREPARING):
        ready = order.ready_at or now
        return max(0.0, (ready - now) / timedelta(minutes=1)) + travel
    if order.status is OrderStatus.READY:
        return float(travel)
    return 0.0


def priority_of(order: Order, now: datetime, default_prep_minutes: int = 15) -> PriorityScore:
    """Score an order: time at risk first, then scheduled slots coming due, VIP, explicit priority and age."""
    reasons: list[str] = []
    promised = order.promised_at or now
    slack = (promised - now) / timedelta(minutes=1) - remaining_minutes(order, now, default_prep_minutes)
    if slack < 0:
        reasons.append(f"late by {-slack:.0f} min")
    elif slack < 10:
        reasons.append(f"at risk: {slack:.0f} min to spare")
    elif order.quote.requested_time.slot_start is not None and slack < 30:
        reasons.append(f"scheduled slot due in {slack:.0f} min")
    # Slack dominates; beyond two hours of slack a scheduled order barely ranks.
    score = -min(slack, 120.0)
    age = max(0.0, (now - order.placed_at) / timedelta(minutes=1))
    score += AGE_WEIGHT * age
    if age >= 10 and order.status is OrderStatus.PLACED:
        reasons.append(f"waiting {age:.0f} min for acceptance")
    if order.status is OrderStatus.PLACED:
        score += UNACKNOWLEDGED_WEIGHT
    if order.vip:
        score += VIP_WEIGHT
        reasons.append("VIP")
    explicit = order.quote.priority
    if explicit is not OrderPriority.NORMAL:
        score += EXPLICIT_WEIGHT[explicit]
        reasons.append(f"{explicit} priority")
    return PriorityScore(score=round(score, 2), slack_minutes=round(slack, 1), reasons=reasons)


@dataclass(frozen=True)
class QueueEntry:
    order: Order
    priority: PriorityScore


def merchant_queue(orders: list[Order], now: datetime, default_prep_minutes: int = 15) -> list[QueueEntry]:
    """The kitchen's open orders, most urgent first (ties: oldest first)."""
    entries = [
        QueueEntry(o, priority_of(o, now, default_prep_minutes)) for o in orders if o.status in KITCHEN_STATUSES
    ]
    entries.sort(key=lambda e: (-e.priority.score, e.order.placed_at, e.order.id))
    return entries
