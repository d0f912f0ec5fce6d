"""What customers are told about their order: one sentence per status, in their language.

The same sentences answer "where is my order?" and the updates sent as the order moves.
"""
from __future__ import annotations

from core.conversation.texts import Texts
from core.merchants import Merchant
from core.orders.lifecycle import OrderStatus
from core.orders.model import Order


def _reason(order: Order) -> str:
    for event in reversed(order.events):
        if event.to_status is order.status and event.reason:
            return event.reason
    return "—"


def status_text(order: Order, merchant: Merchant, texts: Texts) -> str:
    """One sentence on where the order is (with the expected time when known), in the customer's language."""
    number, status, tz = order.number, order.status, merchant.timezone
    delivery = order.is_delivery
    arrival = order.eta or order.promised_at
    if status is OrderStatus.ACCEPTED:
        if delivery:
            return texts.t("status_accepted_delivery", number=number, time=texts.clock(arrival, tz)) if arrival \
                else texts.t("status_preparing", number=number)
        ready = order.ready_at or order.promised_at
        return texts.t("status_accepted_pickup", number=number, time=texts.clock(ready, tz)) if ready \
            else texts.t("status_preparing", number=number)
    if status is OrderStatus.READY:
        key = "status_ready_delivery" if delivery else "status_ready_pickup"
        return texts.t(key, number=number, merchant=merchant.name)
    if status is OrderStatus.PICKED_UP:
        return texts.t("status_picked_up", number=number, time=texts.clock(arrival, tz)) if arrival \
            else texts.t("status_picked_up_no_eta", number=number)
    if status in (OrderStatus.REJECTED, OrderStatus.FAILED):
        return texts.t(f"status_{status}", number=number, merchant=merchant.name, reason=_reason(order))
    return texts.t(f"status_{status}", number=number, merchant=merchant.name)


# Moves the customer hears about as they happen (a dispatcher's re-plan or assignment is not one).
NOTIFIED = frozenset({OrderStatus.ACCEPTED, OrderStatus.REJECTED, OrderStatus.READY, OrderStatus.PICKED_UP,
                      OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.FAILED})
