"""The order state machine against the product's rules written out by hand (not read from TRANSITIONS): every
(status, action, role) triple in one test, the rules that matter named one by one, and the audit trail."""
from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import DomainError, OrderError
from core.orders.lifecycle import (
    RELEASES_STOCK, TERMINAL, TRANSITIONS, Action, OrderStatus, Role, allowed_actions, find_move,
)
from core.orders.model import MAX_PREP_MINUTES, Actor, Order
from core.orders.pricing import quote_cart

S, A, R = OrderStatus, Action, Role


@pytest.fixture
def quotes(build, pizzeria, pizza_menu, now, anna_address):
    """A pickup and a delivery quote: {False: pickup, True: delivery}."""
    lines = [build.line("calzone")]
    return {
        False: quote_cart(build.cart("pizzeria-donau", *lines), pizza_menu, pizzeria, now),
        True: quote_cart(build.cart("pizzeria-donau", *lines, fulfilment=build.delivery_to(anna_address)),
                         pizza_menu, pizzeria, now),
    }


def actor(role: Role) -> Actor:
    return Actor(role=role, id=f"{role}-1", merchant_id="pizzeria-donau")


def order_in(status: OrderStatus, quote, now) -> Order:
    order = Order.place("o-1", quote, by=actor(R.CUSTOMER), now=now, customer_id="customer-1")
    order.status = status
    return order


# The product's rules, written from the README and the lifecycle diagram, not read from TRANSITIONS: the
# (from, action, to) moves and who may make each. Pickup orders are handed over; delivery orders are picked up
# by a driver and delivered. Everything not listed here is an invalid transition.
MERCHANT, BACK_OFFICE = {R.MERCHANT_STAFF, R.MERCHANT_OWNER}, {R.ADMIN, R.SYSTEM}
PRODUCT_MOVES = {
    (S.PLACED, A.ACCEPT, S.ACCEPTED): MERCHANT | BACK_OFFICE,
    (S.PLACED, A.REJECT, S.REJECTED): MERCHANT | BACK_OFFICE,
    (S.PLACED, A.CANCEL, S.CANCELLED): MERCHANT | BACK_OFFICE | {R.CUSTOMER},
    (S.ACCEPTED, A.START, S.PREPARING): MERCHANT | BACK_OFFICE,
    (S.ACCEPTED, A.READY, S.READY): MERCHANT | BACK_OFFICE,
    (S.ACCEPTED, A.CANCEL, S.CANCELLED): MERCHANT | BACK_OFFICE,
    (S.ACCEPTED, A.FAIL, S.FAILED): BACK_OFFICE,
    (S.PREPARING, A.READY, S.READY): MERCHANT | BACK_OFFICE,
    (S.PREPARING, A.CANCEL, S.CANCELLED): MERCHANT | BACK_OFFICE,
    (S.PREPARING, A.FAIL, S.FAILED): BACK_OFFICE,
    (S.READY, A.RECALL, S.PREPARING): MERCHANT | BACK_OFFICE,
    (S.READY, A.PICK_UP, S.PICKED_UP): MERCHANT | BACK_OFFICE | {R.DRIVER},
    (S.READY, A.HAND_OVER, S.DELIVERED): MERCHANT | BACK_OFFICE,
    (S.READY, A.CANCEL, S.CANCELLED): MERCHANT | BACK_OFFICE,
    (S.READY, A.FAIL, S.FAILED): BACK_OFFICE | {R.DRIVER},
    (S.PICKED_UP, A.DELIVER, S.DELIVERED): BACK_OFFICE | {R.DRIVER},
    (S.PICKED_UP, A.FAIL, S.FAILED): BACK_OFFICE | {R.DRIVER},
}
DELIVERY_ONLY, PICKUP_ONLY = {A.PICK_UP, A.DELIVER}, {A.HAND_OVER}


def expected(status: OrderStatus, action: Action, role: Role, is_delivery: bool) -> OrderStatus | OrderError:
    """What the product rules say: the target status, or the error code."""
    if action in (PICKUP_ONLY if is_delivery else DELIVERY_ONLY):
        return OrderError.INVALID_TRANSITION
    targets = [(to, roles) for (source, act, to), roles in PRODUCT_MOVES.items() if source is status and act is action]
    if not targets:
        return OrderError.INVALID_TRANSITION
    ((target, roles),) = targets
    return target if role in roles else OrderError.TRANSITION_FORBIDDEN


TRIPLES = list(itertools.product(OrderStatus, Action, Role, [False, True]))


def test_the_table_has_one_move_per_action_and_source():
    keys = [(m.action, m.source) for m in TRANSITIONS]
    assert len(keys) == len(set(keys))
    assert all(not m.source.is_terminal for m in TRANSITIONS), "terminal statuses have no way out"
    assert {m.target for m in TRANSITIONS} | {S.PLACED} == set(OrderStatus), "every status is reachable"


def test_every_triple_follows_the_product_rules(quotes, now):
    """Every (status, action, role, pickup/delivery) against PRODUCT_MOVES, in one test: a refused move changes
    nothing and is not offered as a button; an allowed one makes one audited event."""
    later = now + timedelta(minutes=3)
    wrong = []
    for status, action, role, is_delivery in TRIPLES:
        case = f"{role} {action} on a {'delivery' if is_delivery else 'pickup'} order that is {status}"
        order = order_in(status, quotes[is_delivery], now)
        outcome = expected(status, action, role, is_delivery)
        offered = action in allowed_actions(status, role, is_delivery=is_delivery)
        before = order.model_dump()
        try:
            event = order.apply(action, by=actor(role), now=later, reason="a reason", prep_minutes=12)
        except DomainError as exc:
            if exc.code is not outcome or order.model_dump() != before or offered:
                wrong.append(f"{case}: refused with {exc.code} (offered: {offered}), expected {outcome}")
            continue
        trail = (event.from_status, event.to_status, event.action, event.at, event.reason, event.actor, event.seq)
        if (order.status is not outcome or not offered or order.version != 2 or order.events[-1] is not event
                or trail != (status, outcome, str(action), later, "a reason", actor(role), 2)):
            wrong.append(f"{case}: became {order.status} (offered: {offered}), expected {outcome}")
    assert not wrong, "\n".join(wrong)
    assert len(TRIPLES) == len(OrderStatus) * len(Action) * len(Role) * 2


def test_a_driver_can_never_accept_reject_or_cook(quotes, now):
    for action in (A.ACCEPT, A.REJECT, A.START, A.READY, A.RECALL, A.HAND_OVER):
        source = S.PLACED if action in (A.ACCEPT, A.REJECT) else S.READY if action in (A.RECALL, A.HAND_OVER) \
            else S.ACCEPTED
        order = order_in(source, quotes[False], now)
        with pytest.raises(DomainError) as info:
            order.apply(action, by=actor(R.DRIVER), now=now, reason="x", prep_minutes=10)
        assert info.value.code is OrderError.TRANSITION_FORBIDDEN, action


def test_nothing_leaves_a_terminal_status(quotes, now):
    for status in (S.DELIVERED, S.REJECTED, S.CANCELLED, S.FAILED):
        for action, role, is_delivery in itertools.product(Action, Role, [False, True]):
            order = order_in(status, quotes[is_delivery], now)
            with pytest.raises(DomainError) as info:
                order.apply(action, by=actor(role), now=now, reason="x", prep_minutes=10)
            assert info.value.code is OrderError.INVALID_TRANSITION
            assert allowed_actions(status, role, is_delivery=is_delivery) == []


def test_a_customer_may_only_cancel_and_only_their_placed_order(quotes, now):
    offered = {status: allowed_actions(status, R.CUSTOMER, is_delivery=True) for status in OrderStatus}
    assert offered == {status: [A.CANCEL] if status is S.PLACED else [] for status in OrderStatus}


def test_a_driver_picks_up_and_delivers_only_delivery_orders(quotes, now):
    assert allowed_actions(S.READY, R.DRIVER, is_delivery=True) == [A.PICK_UP, A.FAIL]
    assert allowed_actions(S.PICKED_UP, R.DRIVER, is_delivery=True) == [A.DELIVER, A.FAIL]
    assert allowed_actions(S.READY, R.DRIVER, is_delivery=False) == [A.FAIL]
    assert allowed_actions(S.READY, R.MERCHANT_STAFF, is_delivery=False) == [A.RECALL, A.HAND_OVER, A.CANCEL]


def test_allowed_transitions_spelled_out():
    """The table as the product describes it, so an accidental edit of TRANSITIONS fails here too."""
    assert {(m.source, m.action, m.target): set(m.roles) for m in TRANSITIONS} == PRODUCT_MOVES
    assert {m.action for m in TRANSITIONS if m.delivery_only is True} == DELIVERY_ONLY
    assert {m.action for m in TRANSITIONS if m.delivery_only is False} == PICKUP_ONLY
    assert {m.action for m in TRANSITIONS if m.needs_reason} == {A.REJECT, A.CANCEL, A.FAIL}
    assert TERMINAL == {S.REJECTED, S.DELIVERED, S.CANCELLED, S.FAILED}
    assert RELEASES_STOCK == {S.REJECTED, S.CANCELLED}


def test_pickup_orders_are_handed_over_and_delivery_orders_picked_up(quotes, now):
    pickup = order_in(S.READY, quotes[False], now)
    with pytest.raises(DomainError) as info:
        pickup.apply(A.PICK_UP, by=actor(R.DRIVER), now=now)
    assert info.value.code is OrderError.INVALID_TRANSITION
    pickup.apply(A.HAND_OVER, by=actor(R.MERCHANT_STAFF), now=now)
    assert pickup.status is S.DELIVERED

    delivery = order_in(S.READY, quotes[True], now)
    with pytest.raises(DomainError) as info:
        delivery.apply(A.HAND_OVER, by=actor(R.MERCHANT_STAFF), now=now)
    assert info.value.code is OrderError.INVALID_TRANSITION
    delivery.apply(A.PICK_UP, by=actor(R.DRIVER), now=now)
    delivery.apply(A.DELIVER, by=actor(R.DRIVER), now=now)
    assert delivery.status is S.DELIVERED


def test_a_customer_may_cancel_only_before_acceptance(quotes, now):
    placed = order_in(S.PLACED, quotes[True], now)
    placed.apply(A.CANCEL, by=actor(R.CUSTOMER), now=now, reason="changed my mind")
    assert placed.status is S.CANCELLED and placed.releases_stock
    for status in (S.ACCEPTED, S.PREPARING, S.READY):
        order = order_in(status, quotes[True], now)
        with pytest.raises(DomainError) as info:
            order.apply(A.CANCEL, by=actor(R.CUSTOMER), now=now, reason="too slow")
        assert info.value.code is OrderError.TRANSITION_FORBIDDEN
        assert info.value.extra == {"from": str(status), "action": "cancel", "role": "customer"}
    for status in (S.PICKED_UP, S.DELIVERED):
        with pytest.raises(DomainError) as info:
            order_in(status, quotes[True], now).apply(A.CANCEL, by=actor(R.ADMIN), now=now, reason="x")
        assert info.value.code is OrderError.INVALID_TRANSITION


@pytest.mark.parametrize("move", [m for m in TRANSITIONS if m.needs_reason], ids=lambda m: f"{m.source}-{m.action}")
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_reason_required(quotes, now, move, reason):
    is_delivery = move.delivery_only is not False
    order = order_in(move.source, quotes[is_delivery], now)
    role = next(iter(sorted(move.roles)))
    with pytest.raises(DomainError) as info:
        order.apply(move.action, by=actor(role), now=now, reason=reason)
    assert info.value.code is OrderError.REASON_REQUIRED
    assert order.status is move.source and len(order.events) == 1


def test_moves_without_reason_need_none(quotes, now):
    order = order_in(S.ACCEPTED, quotes[False], now)
    event = order.apply(A.START, by=actor(R.MERCHANT_STAFF), now=now)
    assert event.reason is None


@pytest.mark.parametrize("prep", [None, 0, -5, MAX_PREP_MINUTES + 1])
def test_accepting_needs_a_sensible_prep_time(quotes, now, prep):
    order = order_in(S.PLACED, quotes[False], now)
    with pytest.raises(DomainError) as info:
        order.apply(A.ACCEPT, by=actor(R.MERCHANT_STAFF), now=now, prep_minutes=prep)
    assert info.value.code is OrderError.INVALID_PREP_TIME
    assert order.status is S.PLACED and order.prep_minutes is None and len(order.events) == 1


@pytest.mark.parametrize("prep", [1, MAX_PREP_MINUTES])
def test_prep_time_bounds_are_inclusive(quotes, now, prep):
    order = order_in(S.PLACED, quotes[False], now)
    order.apply(A.ACCEPT, by=actor(R.MERCHANT_STAFF), now=now, prep_minutes=prep)
    assert order.prep_minutes == prep


def test_the_role_check_comes_before_the_reason_and_prep_checks(quotes, now):
    with pytest.raises(DomainError) as info:
        order_in(S.PLACED, quotes[False], now).apply(A.ACCEPT, by=actor(R.CUSTOMER), now=now)
    assert info.value.code is OrderError.TRANSITION_FORBIDDEN
    with pytest.raises(DomainError) as info:
        find_move(A.REJECT, S.PLACED, R.DRIVER, is_delivery=True, reason=None)
    assert info.value.code is OrderError.TRANSITION_FORBIDDEN


def test_accept_sets_ready_and_promised_times_for_asap(build, pizzeria, pizza_menu, now, anna_address):
    q = quote_cart(build.cart("pizzeria-donau", build.line("calzone"), fulfilment=build.delivery_to(anna_address)),
                   pizza_menu, pizzeria, now)
    order = Order.place("o-1", q, by=actor(R.CUSTOMER), now=now, default_prep_minutes=18, travel_minutes=3)
    assert order.promised_at == now + timedelta(minutes=21)
    accepted_at = now + timedelta(minutes=2)
    event = order.apply(A.ACCEPT, by=actor(R.MERCHANT_STAFF), now=accepted_at, prep_minutes=25)
    assert order.ready_at == accepted_at + timedelta(minutes=25)
    assert order.promised_at == accepted_at + timedelta(minutes=28)  # later than first promised: moved back
    assert event.data == {"prep_minutes": 25, "ready_at": order.ready_at.isoformat(),
                          "promised_at": order.promised_at.isoformat()}
    quick = Order.place("o-2", q, by=actor(R.CUSTOMER), now=now, default_prep_minutes=18, travel_minutes=3)
    quick.apply(A.ACCEPT, by=actor(R.MERCHANT_STAFF), now=now, prep_minutes=5)
    assert quick.promised_at == now + timedelta(minutes=21), "an early kitchen never moves the promise forward"


def test_accept_for_a_slot_keeps_the_slot_promise(build, pizzeria, pizza_menu, now):
    slot = now + timedelta(hours=3)
    q = quote_cart(build.cart("pizzeria-donau", build.line("calzone"), requested_time=build.slot_at(slot)),
                   pizza_menu, pizzeria, now)
    order = Order.place("o-1", q, by=actor(R.CUSTOMER), now=now, travel_minutes=0)
    assert order.promised_at == slot
    order.apply(A.ACCEPT, by=actor(R.MERCHANT_OWNER), now=now, prep_minutes=20)
    assert order.promised_at == slot
    assert order.ready_at == slot  # no need to be ready before the slot


def test_ready_records_when(quotes, now):
    order = order_in(S.PREPARING, quotes[False], now)
    at = now + timedelta(minutes=14)
    order.apply(A.READY, by=actor(R.MERCHANT_STAFF), now=at)
    assert order.ready_at == at


def test_full_delivery_trail(quotes, now):
    order = Order.place("o-1", quotes[True], by=actor(R.CUSTOMER), now=now)
    steps = [(A.ACCEPT, R.MERCHANT_STAFF, None), (A.START, R.MERCHANT_STAFF, None), (A.READY, R.MERCHANT_STAFF, None),
             (A.RECALL, R.MERCHANT_OWNER, None), (A.READY, R.MERCHANT_STAFF, None), (A.PICK_UP, R.DRIVER, None),
             (A.DELIVER, R.DRIVER, None)]
    for minute, (action, role, reason) in enumerate(steps, start=1):
        order.apply(action, by=actor(role), now=now + timedelta(minutes=minute), reason=reason, prep_minutes=10)
    trail = [(e.seq, e.action, e.from_status, e.to_status, e.actor.role) for e in order.events]
    assert trail == [
        (1, "place", None, S.PLACED, R.CUSTOMER),
        (2, "accept", S.PLACED, S.ACCEPTED, R.MERCHANT_STAFF),
        (3, "start", S.ACCEPTED, S.PREPARING, R.MERCHANT_STAFF),
        (4, "ready", S.PREPARING, S.READY, R.MERCHANT_STAFF),
        (5, "recall", S.READY, S.PREPARING, R.MERCHANT_OWNER),
        (6, "ready", S.PREPARING, S.READY, R.MERCHANT_STAFF),
        (7, "pick_up", S.READY, S.PICKED_UP, R.DRIVER),
        (8, "deliver", S.PICKED_UP, S.DELIVERED, R.DRIVER),
    ]
    assert [e.at for e in order.events] == [now + timedelta(minutes=i) for i in range(8)]
    assert order.status.is_terminal and not order.releases_stock and order.version == 8


# --- random walks ---------------------------------------------------------------------------------------------

steps = st.lists(st.tuples(st.sampled_from(list(Action)), st.sampled_from(list(Role)),
                           st.sampled_from([None, "", "reason"]), st.sampled_from([None, 0, 10, 300])),
                 max_size=25)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps, is_delivery=st.booleans())
def test_random_walks_keep_the_trail_consistent(quotes, now, steps, is_delivery):
    order = Order.place("o-1", quotes[is_delivery], by=actor(R.CUSTOMER), now=now)
    for minute, (action, role, reason, prep) in enumerate(steps, start=1):
        before = order.model_dump()
        try:
            order.apply(action, by=actor(role), now=now + timedelta(minutes=minute), reason=reason, prep_minutes=prep)
        except DomainError as exc:
            assert exc.code in {OrderError.INVALID_TRANSITION, OrderError.TRANSITION_FORBIDDEN,
                                OrderError.REASON_REQUIRED, OrderError.INVALID_PREP_TIME}
            assert order.model_dump() == before
        else:
            assert expected(before["status"], action, role, is_delivery) is order.status
    events = order.events
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].from_status is None and events[0].to_status is S.PLACED
    for previous, event in zip(events, events[1:]):
        assert event.from_status is previous.to_status
        assert event.at > previous.at
    assert events[-1].to_status is order.status
    assert order.version == len(events)
    assert all(not e.from_status.is_terminal for e in events[1:]), "nothing moves after a terminal status"
