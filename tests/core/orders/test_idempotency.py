"""Placing with an Idempotency-Key: a retry gets the same order, another body under the key is refused,
and a failed placement leaves the key free."""
from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal as D

import pytest

from core.errors import DomainError, OrderError
from core.orders.cart import Cart
from core.orders.handlers import fingerprint
from core.orders.lifecycle import Action, OrderStatus
from tests.core.orders.handler_support import (  # noqa: F401  (fixtures)
    LUCIA, PIZZERIA, STAFF, move, place, run, snapshot, stock,
)


def test_same_key_and_body_returns_the_same_order(place, state, build, now):
    first = place(build.line("tiramisu", None, 2), key="k-1")
    retry = place(build.line("tiramisu", None, 2), key="k-1", order_id="o-retry", at=now + timedelta(seconds=20))
    assert first.created and not retry.created
    assert retry.order.id == "o-1"
    assert retry.order.model_dump() == first.order.model_dump()
    assert retry.events == []
    assert set(state.orders) == {"o-1"}
    assert stock(state, PIZZERIA, "item:tiramisu") == 10  # reserved once
    assert state.numbers == {PIZZERIA: 1}


def test_a_retry_sees_the_order_as_it_is_now(place, move, build):
    place(build.line("calzone"), key="k-1")
    move("o-1", Action.ACCEPT, STAFF, prep=12)
    retry = place(build.line("calzone"), key="k-1")
    assert not retry.created and retry.order.status is OrderStatus.ACCEPTED


@pytest.mark.parametrize("change", ["quantity", "customer", "tip"])
def test_same_key_other_body_is_refused(place, state, build, change):
    place(build.line("tiramisu", None, 2), key="k-1")
    before = snapshot(state)
    kwargs = {"key": "k-1", "order_id": "o-2"}
    lines = [build.line("tiramisu", None, 2)]
    if change == "quantity":
        lines = [build.line("tiramisu", None, 3)]
    elif change == "customer":
        kwargs.update(customer="cust-lucia", actor=LUCIA)
    else:
        kwargs["tip"] = D("1.00")
    with pytest.raises(DomainError) as info:
        place(*lines, **kwargs)
    assert info.value.code is OrderError.IDEMPOTENCY_KEY_REUSED
    assert snapshot(state) == before


def test_the_fingerprint_is_the_cart_s_whatever_its_subclass(build):
    """An entry point may hand over a subclass of Cart (the API's request body adds customer_id)."""

    class CartWithExtras(Cart):
        customer_id: str | None = None
        note_to_self: str = "not part of the request print"

    cart = build.cart(PIZZERIA, build.line("tiramisu", None, 2))
    extended = CartWithExtras.model_validate({**cart.model_dump(), "customer_id": "cust-anna"})
    assert fingerprint(extended, "cust-anna") == fingerprint(cart, "cust-anna")
    assert fingerprint(cart, "cust-anna") == hashlib.sha256(cart.model_dump_json().encode() + b"|cust-anna").hexdigest()


def test_without_a_key_the_same_body_places_twice(place, state, build):
    place(build.line("calzone"))
    assert place(build.line("calzone"), order_id="o-2").created
    assert set(state.orders) == {"o-1", "o-2"} and state.idempotency == {}


def test_a_failed_placement_does_not_burn_its_key(place, state, build):
    with pytest.raises(DomainError):
        place(build.line("tiramisu", None, 20), key="k-1")
    assert state.idempotency == {}
    assert place(build.line("tiramisu", None, 2), key="k-1").created
