"""Order handlers on the memory unit of work: stock, promos, rollback, actor scoping (idempotency:
test_idempotency.py)."""
from __future__ import annotations

import copy
from datetime import timedelta
from decimal import Decimal as D

import pytest

from core.errors import DomainError, OrderError, PromoError
from core.orders.handlers import PlaceOrder, get_order, place_order, quote
from core.orders.lifecycle import Action, OrderStatus, Role
from core.orders.memory import MemoryUnitOfWork
from core.orders.model import Actor
from tests.core.orders.handler_support import (  # noqa: F401  (fixtures)
    ADMIN, ANNA, DRIVER, LUCIA, OTHER_STAFF, PIZZERIA, STAFF, move, place, run, snapshot, stock,
)


# --- placement ------------------------------------------------------------------------------------------------


def test_place_order_stores_prices_and_numbers_it(place, state, build, now, anna_address):
    result = place(build.line("margherita", "large", 2, build.mod("mushrooms", "extra")), build.line("coke", "can"),
                   fulfilment=build.delivery_to(anna_address))
    order = result.order
    assert result.created
    assert [e.action for e in result.events] == ["place"]
    assert order.status is OrderStatus.PLACED and order.number == 1
    assert order.total == D("36.70") and order.customer_id == "cust-anna" and not order.vip
    # 0.606 km * 1.3 detour / 18 km/h = 2.6 -> 3 minutes; promised after the merchant's 18 minutes of prep.
    assert order.travel_minutes == 3
    assert order.promised_at == now + timedelta(minutes=21)
    assert state.orders["o-1"].model_dump() == order.model_dump()
    second = place(build.line("calzone"), order_id="o-2").order
    burger = place(build.line("fries", "large"), order_id="o-3", merchant_id="krems-burger").order
    assert (second.number, burger.number) == (2, 1)
    assert second.travel_minutes == 0  # pickup


def test_vip_customers_are_flagged(place, build):
    assert place(build.line("calzone"), customer="cust-lucia", actor=LUCIA).order.vip


def test_auto_accepting_merchant(place, state, build, now):
    state.merchants[PIZZERIA].auto_accept = True
    order = place(build.line("calzone")).order
    assert order.status is OrderStatus.ACCEPTED
    assert order.prep_minutes == 18 and order.ready_at == now + timedelta(minutes=18)
    assert [(e.action, e.actor.role) for e in order.events] == [("place", Role.CUSTOMER), ("accept", Role.SYSTEM)]


def test_quote_handler_normalises_the_promo_code(run, build, now):
    cart = build.cart(PIZZERIA, build.line("margherita", "large", 2, build.mod("mushrooms", "extra")),
                      build.line("coke", "can"), promo_code="  welcome10 ")
    q = run(lambda c, uow: quote(c, uow, now), cart)
    assert q.promo_code == "WELCOME10" and q.discount == D("3.48")


def test_unknown_merchant(run, build, now):
    with pytest.raises(DomainError) as info:
        run(lambda c, uow: quote(c, uow, now), build.cart("nowhere", build.line("calzone")))
    assert info.value.code is OrderError.UNKNOWN_MERCHANT


# --- stock --------------------------------------------------------------------------------------------------------


def test_stock_is_reserved_on_placement(place, state, build):
    state.menus[PIZZERIA].group("toppings").option("anchovies").stock = 5
    place(build.line("tiramisu", None, 3), build.line("margherita", "small", 2, build.mod("anchovies")))
    assert stock(state, PIZZERIA, "item:tiramisu") == 9
    assert stock(state, PIZZERIA, "option:anchovies") == 3
    assert stock(state, PIZZERIA, "item:margherita") is None  # not counted


@pytest.mark.parametrize(("action", "actor", "reason"), [
    (Action.REJECT, STAFF, "oven broken"),
    (Action.CANCEL, ANNA, "ordered twice"),
    (Action.CANCEL, ADMIN, "fraud"),
])
def test_stock_is_released_when_the_order_ends_unfulfilled(place, move, state, build, action, actor, reason):
    state.menus[PIZZERIA].group("toppings").option("anchovies").stock = 5
    place(build.line("tiramisu", None, 3), build.line("margherita", "small", 2, build.mod("anchovies")))
    order, event = move("o-1", action, actor, reason=reason)
    assert order.releases_stock
    assert (event.from_status, event.to_status, event.reason) == (OrderStatus.PLACED, order.status, reason)
    assert stock(state, PIZZERIA, "item:tiramisu") == 12
    assert stock(state, PIZZERIA, "option:anchovies") == 5


def test_stock_released_after_acceptance_when_the_merchant_cancels(place, move, state, build):
    place(build.line("tiramisu", None, 2))
    move("o-1", Action.ACCEPT, STAFF, prep=10)
    move("o-1", Action.START, STAFF, minutes=2)
    move("o-1", Action.CANCEL, STAFF, minutes=3, reason="customer called")
    assert stock(state, PIZZERIA, "item:tiramisu") == 12


def test_stock_is_not_released_on_delivery_or_failure(place, move, state, build, anna_address):
    place(build.line("tiramisu", None, 2), fulfilment=build.delivery_to(anna_address))
    place(build.line("tiramisu", None, 2), build.line("calzone"), order_id="o-2",
          fulfilment=build.delivery_to(anna_address))
    for order_id in ("o-1", "o-2"):
        move(order_id, Action.ACCEPT, STAFF, prep=10)
        move(order_id, Action.READY, STAFF, minutes=2)
    move("o-1", Action.PICK_UP, STAFF, minutes=3)
    order, _ = move("o-1", Action.DELIVER, ADMIN, minutes=4)
    assert order.status is OrderStatus.DELIVERED
    failed, _ = move("o-2", Action.FAIL, ADMIN, minutes=4, reason="no driver")
    assert failed.status is OrderStatus.FAILED
    assert stock(state, PIZZERIA, "item:tiramisu") == 8
    assert [e.action for e in state.orders["o-1"].events] == ["place", "accept", "ready", "pick_up", "deliver"]


def test_stock_is_never_released_twice(place, move, state, build):
    place(build.line("tiramisu", None, 3))
    move("o-1", Action.CANCEL, ANNA, reason="oops")
    with pytest.raises(DomainError) as info:
        move("o-1", Action.CANCEL, ADMIN, minutes=2, reason="again")
    assert info.value.code is OrderError.INVALID_TRANSITION
    assert stock(state, PIZZERIA, "item:tiramisu") == 12


def test_out_of_stock_across_orders(place, state, build):
    place(build.line("tiramisu", None, 10))
    before = snapshot(state)
    with pytest.raises(DomainError) as info:
        place(build.line("tiramisu", None, 3), order_id="o-2")
    assert info.value.code is OrderError.OUT_OF_STOCK
    assert snapshot(state) == before
    assert place(build.line("tiramisu", None, 2), order_id="o-3").created
    assert stock(state, PIZZERIA, "item:tiramisu") == 0


def test_a_failed_placement_changes_nothing(place, state, build):
    state.promos["WELCOME10"].max_uses = 5
    before = snapshot(state)
    with pytest.raises(DomainError) as info:
        place(build.line("tiramisu", None, 13), build.line("margherita", "large", 2), promo_code="WELCOME10",
              key="key-1")
    assert info.value.code is OrderError.OUT_OF_STOCK
    assert snapshot(state) == before


def test_a_failure_after_reserving_is_undone_by_the_callers_savepoint_when_the_uow_is_reused(state, build, now, monkeypatch):
    """A caller that carries on after a failed handler wraps it in a savepoint: the leftovers are not committed."""

    class PromoRaceLost:
        def use(self, code: str) -> None:
            raise DomainError(PromoError.EXHAUSTED, f"promo {code} was used up meanwhile")

    promo_cart = build.cart(PIZZERIA, build.line("tiramisu", None, 3), build.line("calzone"), promo_code="WELCOME10")
    with MemoryUnitOfWork(state) as uow:
        uow.promos = PromoRaceLost()
        with pytest.raises(DomainError) as info, uow.savepoint():
            place_order(PlaceOrder(cart=promo_cart, actor=ANNA, order_id="o-1", now=now, customer_id="cust-anna"), uow)
        assert info.value.code is PromoError.EXHAUSTED
        place_order(PlaceOrder(cart=build.cart(PIZZERIA, build.line("tiramisu"), build.line("calzone")), actor=ANNA,
                               order_id="o-2", now=now, customer_id="cust-anna"), uow)
    assert set(state.orders) == {"o-2"}
    assert stock(state, PIZZERIA, "item:tiramisu") == 11
    assert state.orders["o-2"].number == 1


def test_leaving_a_unit_of_work_by_an_exception_discards_it(state, build, now):
    with pytest.raises(RuntimeError), MemoryUnitOfWork(state) as uow:
        uow.stock.reserve(PIZZERIA, {"item:tiramisu": 5})
        uow.orders.next_number(PIZZERIA)
        raise RuntimeError("the handler failed")
    assert stock(state, PIZZERIA, "item:tiramisu") == 12 and state.numbers == {}


def test_a_unit_of_work_that_ends_normally_is_committed(state):
    with MemoryUnitOfWork(state) as uow:
        uow.stock.reserve(PIZZERIA, {"item:tiramisu": 5})
    assert stock(state, PIZZERIA, "item:tiramisu") == 7


def test_a_savepoint_undoes_only_its_own_writes(state):
    with MemoryUnitOfWork(state) as uow:
        uow.stock.reserve(PIZZERIA, {"item:tiramisu": 1})
        with pytest.raises(DomainError), uow.savepoint():
            uow.stock.reserve(PIZZERIA, {"item:tiramisu": 2})
            raise DomainError(OrderError.OUT_OF_STOCK, "refused after the reservation")
    assert stock(state, PIZZERIA, "item:tiramisu") == 11


def test_the_memory_ledger_takes_all_or_nothing(state):
    state.menus[PIZZERIA].item("caprese").available = False
    with MemoryUnitOfWork(state) as uow:
        with pytest.raises(DomainError) as info:
            uow.stock.reserve(PIZZERIA, {"item:tiramisu": 5, "item:caprese": 1})
        assert info.value.code is OrderError.ITEM_UNAVAILABLE
        with pytest.raises(DomainError) as info:
            uow.stock.reserve(PIZZERIA, {"item:tiramisu": 5, "option:ham": 1, "item:gyoza": 1})
        assert info.value.code is OrderError.ITEM_UNAVAILABLE
        with pytest.raises(DomainError) as info:
            uow.stock.reserve(PIZZERIA, {"item:tiramisu": 13})
        assert info.value.code is OrderError.OUT_OF_STOCK
        assert uow.catalog.menu(PIZZERIA).item("tiramisu").stock == 12


# --- promos -------------------------------------------------------------------------------------------------------


def test_promo_usage_is_counted_and_limited(place, state, build):
    state.promos["WELCOME10"].max_uses = 2
    state.promos["WELCOME10"].uses = 1
    big = (build.line("margherita", "large", 2, build.mod("mushrooms", "extra")), build.line("coke", "can"))
    first = place(*big, promo_code="welcome10").order
    assert first.quote.discount == D("3.48") and first.total == D("31.32")
    assert state.promos["WELCOME10"].uses == 2
    before = snapshot(state)
    with pytest.raises(DomainError) as info:
        place(*big, promo_code="WELCOME10", order_id="o-2")
    assert info.value.code is PromoError.EXHAUSTED
    assert snapshot(state) == before
    assert place(*big, order_id="o-3").order.total == D("34.80")


def test_unknown_promo_code_via_the_catalog(place, build):
    with pytest.raises(DomainError) as info:
        place(build.line("calzone"), promo_code="FREEPIZZA")
    assert info.value.code is PromoError.UNKNOWN


# --- transitions and actor scoping ------------------------------------------------------------------------------


def test_transition_is_stored_with_its_event(place, move, state, build, now):
    place(build.line("calzone"))
    order, event = move("o-1", Action.ACCEPT, STAFF, minutes=2, prep=20)
    stored = state.orders["o-1"]
    assert stored.status is OrderStatus.ACCEPTED and stored.version == 2
    assert stored.events[-1] == event
    assert (event.seq, event.actor, event.at, event.from_status, event.to_status) == (
        2, STAFF, now + timedelta(minutes=2), OrderStatus.PLACED, OrderStatus.ACCEPTED)
    assert stored.ready_at == now + timedelta(minutes=22)


def test_a_refused_transition_changes_nothing(place, move, state, build):
    place(build.line("tiramisu", None, 2))
    before = snapshot(state)
    for action, actor, reason in [(Action.DELIVER, STAFF, None), (Action.ACCEPT, ANNA, None),
                                  (Action.REJECT, STAFF, " "), (Action.ACCEPT, STAFF, None)]:
        with pytest.raises(DomainError):
            move("o-1", action, actor, reason=reason)
    assert snapshot(state) == before


@pytest.mark.parametrize("outsider", [OTHER_STAFF, Actor(role=Role.MERCHANT_STAFF, id="x"), LUCIA, DRIVER])
def test_outsiders_get_order_not_found(place, move, run, state, build, outsider):
    place(build.line("tiramisu", None, 2))
    before = snapshot(state)
    with pytest.raises(DomainError) as info:
        run(get_order, "o-1", outsider)
    assert info.value.code is OrderError.ORDER_NOT_FOUND
    with pytest.raises(DomainError) as info:
        move("o-1", Action.CANCEL, outsider, reason="not mine")
    assert info.value.code is OrderError.ORDER_NOT_FOUND
    assert info.value.detail == "no order 'o-1'"  # the same answer as for an id that does not exist
    assert snapshot(state) == before


def test_insiders_see_the_order(place, run, state, build):
    place(build.line("calzone"))
    for insider in (ANNA, STAFF, ADMIN, Actor(role=Role.SYSTEM)):
        assert run(get_order, "o-1", insider).id == "o-1"
    with pytest.raises(DomainError) as info:
        run(get_order, "o-1", DRIVER)
    assert info.value.code is OrderError.ORDER_NOT_FOUND
    state.orders["o-1"].driver_id = "drv-max"
    assert run(get_order, "o-1", DRIVER).id == "o-1"


def test_unknown_order_id(run):
    with pytest.raises(DomainError) as info:
        run(get_order, "missing", ADMIN)
    assert info.value.code is OrderError.ORDER_NOT_FOUND


def test_listing_orders_newest_first(place, state, build, now):
    for i in range(3):
        place(build.line("calzone"), order_id=f"o-{i}", at=now + timedelta(minutes=i))
    with MemoryUnitOfWork(state) as uow:
        assert [o.id for o in uow.orders.list(merchant_id=PIZZERIA)] == ["o-2", "o-1", "o-0"]
        page = uow.orders.list(merchant_id=PIZZERIA, limit=2)
        rest = uow.orders.list(merchant_id=PIZZERIA, before=(page[-1].placed_at, page[-1].id))
        assert [o.id for o in rest] == ["o-0"]
        assert uow.orders.list(merchant_id="krems-burger") == []
        assert uow.orders.list(statuses=[OrderStatus.ACCEPTED]) == []


def test_state_snapshots_are_independent(state):
    copied = copy.deepcopy(state)
    copied.menus[PIZZERIA].item("tiramisu").stock = 0
    assert stock(state, PIZZERIA, "item:tiramisu") == 12
