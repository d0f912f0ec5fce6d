"""The wire views: the pre-encoded order view is byte for byte the dict view, encoded."""
from __future__ import annotations

from datetime import datetime, timezone

import msgspec
import pytest

from core.menu import Menu
from core.merchants import Merchant
from core.orders.cart import Cart
from core.orders.lifecycle import Action, Role
from core.orders.model import Actor, Order
from core.orders.pricing import quote_cart
from server.api.views import order_view, order_view_json
from server.db.uow import order_document
from tests.server.live_server import always_open_menu, always_open_merchant, order_cart

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def placed_order() -> Order:
    cart = Cart.model_validate({**order_cart(), "instructions": "Klingel „Müller“ ☎", "tip": "0.10"})
    quote = quote_cart(cart, Menu.model_validate(always_open_menu()), Merchant.model_validate(always_open_merchant()),
                       NOW)
    return Order.place("01a21387-96f0-7162-a624-875d66e32e60", quote, by=Actor(role=Role.CUSTOMER, id="c1"),
                       now=NOW, customer_id="c1", travel_minutes=3)


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.MERCHANT_STAFF, Role.ADMIN])
@pytest.mark.parametrize("accepted", [False, True])
def test_order_view_json_is_the_encoded_order_view(role: Role, accepted: bool) -> None:
    order = placed_order()
    if accepted:
        order.apply(Action.ACCEPT, by=Actor(role=Role.SYSTEM), now=NOW, prep_minutes=12)
    actor = Actor(role=role, id="someone", merchant_id=order.merchant_id)
    expected = order_view(order, actor)
    assert msgspec.json.decode(order_view_json(order, actor)) == expected
    from_document = order_view_json(order, actor, document=order_document(order))  # from the stored document
    assert from_document == order_view_json(order, actor)
