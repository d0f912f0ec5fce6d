"""The kitchen queue: late first, far-away slots low, VIP and explicit priority bump, age prevents starvation."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.orders.cart import OrderPriority
from core.orders.lifecycle import Action, OrderStatus, Role
from core.orders.model import Actor, Order
from core.orders.pricing import quote_cart
from core.orders.priority import (
    AGE_WEIGHT, EXPLICIT_WEIGHT, UNACKNOWLEDGED_WEIGHT, VIP_WEIGHT, merchant_queue, priority_of, remaining_minutes,
)

CUSTOMER = Actor(role=Role.CUSTOMER, id="c-1")
STAFF = Actor(role=Role.MERCHANT_STAFF, id="s-1", merchant_id="pizzeria-donau")


@pytest.fixture
def place(build, pizzeria, pizza_menu, now, anna_address):
    """place(id, minutes_ago, ...) -> an order placed that long before `now`."""

    def _place(order_id: str, minutes_ago: float = 0, *, slot_in: float | None = None, vip: bool = False,
               priority: OrderPriority = OrderPriority.NORMAL, delivery: bool = False, travel: int = 0,
               prep: int = 15) -> Order:
        placed_at = now - timedelta(minutes=minutes_ago)
        fields = {"priority": priority}
        if slot_in is not None:
            fields["requested_time"] = build.slot_at(now + timedelta(minutes=slot_in))
        if delivery:
            fields["fulfilment"] = build.delivery_to(anna_address)
        cart = build.cart("pizzeria-donau", build.line("calzone"), **fields)
        # Quote at `now` so slots are judged against the same clock; the order is backdated below.
        q = quote_cart(cart, pizza_menu, pizzeria, now)
        return Order.place(order_id, q, by=CUSTOMER, now=placed_at, vip=vip, default_prep_minutes=prep,
                           travel_minutes=travel)

    return _place


def ids(entries) -> list[str]:
    return [e.order.id for e in entries]


def test_score_of_a_fresh_asap_order_by_hand(place, now):
    order = place("a")  # promised now + 15, 15 minutes of prep left: no slack
    p = priority_of(order, now)
    assert p.slack_minutes == 0.0
    assert p.score == UNACKNOWLEDGED_WEIGHT
    assert p.reasons == ["at risk: 0 min to spare"]


def test_late_orders_come_first(place, now):
    on_time = place("on-time", 1)
    late = place("late", 25)  # promised 10 minutes ago
    p = priority_of(late, now)
    assert p.slack_minutes == -25.0
    assert "late by 25 min" in p.reasons
    assert ids(merchant_queue([on_time, late], now)) == ["late", "on-time"]


def test_a_slot_far_away_ranks_low(place, now):
    tonight = place("tonight", 0, slot_in=6 * 60)
    asap = place("asap", 0)
    ready_soon = place("ready-soon", 0)
    ready_soon.apply(Action.ACCEPT, by=STAFF, now=now, prep_minutes=10)
    ready_soon.apply(Action.READY, by=STAFF, now=now)  # nothing left to do, 15 min to spare
    p = priority_of(tonight, now)
    assert p.slack_minutes == 6 * 60 - 15
    assert p.score == -120 + UNACKNOWLEDGED_WEIGHT  # slack is capped at two hours
    assert ids(merchant_queue([tonight, asap, ready_soon], now)) == ["asap", "ready-soon", "tonight"]


def test_a_slot_coming_due_says_so(place, now):
    p = priority_of(place("soon", 0, slot_in=40), now)
    assert p.slack_minutes == 25.0
    assert p.reasons == ["scheduled slot due in 25 min"]


def test_vip_and_explicit_priority_bump(place, now):
    normal = place("normal", 0)
    vip = place("vip", 0, vip=True)
    high = place("high", 0, priority=OrderPriority.HIGH)
    urgent = place("urgent", 0, priority=OrderPriority.URGENT)
    base = priority_of(normal, now).score
    assert priority_of(vip, now).score == base + VIP_WEIGHT
    assert priority_of(high, now).score == base + EXPLICIT_WEIGHT[OrderPriority.HIGH]
    assert priority_of(urgent, now).score == base + EXPLICIT_WEIGHT[OrderPriority.URGENT]
    assert "VIP" in priority_of(vip, now).reasons and "urgent priority" in priority_of(urgent, now).reasons
    assert ids(merchant_queue([normal, vip, high, urgent], now)) == ["urgent", "high", "vip", "normal"]


def test_age_prevents_starvation(place, now):
    # Same slack (both scheduled 3 hours out), but one has waited 50 minutes: 25 points of age.
    old = place("old", 50, slot_in=180)
    new = place("new", 0, slot_in=180)
    assert priority_of(old, now).slack_minutes == priority_of(new, now).slack_minutes
    assert priority_of(old, now).score - priority_of(new, now).score == pytest.approx(50 * AGE_WEIGHT)
    assert "waiting 50 min for acceptance" in priority_of(old, now).reasons
    # A HIGH-priority newcomer outranks a 30-minute wait, but not a 45-minute one.
    assert ids(merchant_queue([place("waited-30", 30, slot_in=180), place("high", 0, slot_in=180,
                                                                           priority=OrderPriority.HIGH)], now)) == [
        "high", "waited-30"]
    assert ids(merchant_queue([place("waited-45", 45, slot_in=180), place("high", 0, slot_in=180,
                                                                           priority=OrderPriority.HIGH)], now)) == [
        "waited-45", "high"]


def test_new_orders_are_seen_before_accepted_ones_of_the_same_urgency(place, now):
    accepted = place("accepted", 0)
    accepted.apply(Action.ACCEPT, by=STAFF, now=now, prep_minutes=15)
    fresh = place("fresh", 0)
    assert priority_of(fresh, now).score - priority_of(accepted, now).score == UNACKNOWLEDGED_WEIGHT
    assert ids(merchant_queue([accepted, fresh], now)) == ["fresh", "accepted"]


def test_ties_go_to_the_oldest_then_by_id(place, now):
    # Scheduled far out, slack capped at 120 for all three, and none has waited: identical scores.
    b = place("b", 0, slot_in=300)
    a = place("a", 0, slot_in=300)
    c = place("c", 0, slot_in=300)
    entries = merchant_queue([b, a, c], now)
    assert len({e.priority.score for e in entries}) == 1
    assert ids(entries) == ["a", "b", "c"]
    earlier = place("z-earlier", 0, slot_in=300)
    earlier.placed_at = now - timedelta(microseconds=1)  # one microsecond older: same rounded score
    entries = merchant_queue([a, b, earlier], now)
    assert len({e.priority.score for e in entries}) == 1
    assert ids(entries) == ["z-earlier", "a", "b"]


def test_delivery_travel_time_eats_into_slack(place, now):
    pickup = place("pickup", 0, prep=15)
    delivery = place("delivery", 0, delivery=True, travel=10, prep=15)
    # Promised now + 25 for delivery with 15 prep + 10 travel left: slack 0, same as the pickup.
    assert remaining_minutes(delivery, now, 15) == 25
    assert priority_of(delivery, now).slack_minutes == priority_of(pickup, now).slack_minutes == 0.0


def test_only_kitchen_statuses_are_queued(place, now):
    orders = {}
    for status in OrderStatus:
        order = place(str(status), 0)
        order.status = status
        orders[status] = order
    queued = {e.order.status for e in merchant_queue(list(orders.values()), now)}
    assert queued == {OrderStatus.PLACED, OrderStatus.ACCEPTED, OrderStatus.PREPARING, OrderStatus.READY}
