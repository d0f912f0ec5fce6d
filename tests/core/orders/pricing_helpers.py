"""Shared by the quote_cart tests: the demo pizzeria's id and a helper that collects a rejection's problems."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from core.errors import DomainError
from core.menu import Menu
from core.merchants import Merchant
from core.orders.cart import Cart
from core.orders.pricing import quote_cart
from core.orders.promos import Promo

PIZZERIA = "pizzeria-donau"
VIENNA = ZoneInfo("Europe/Vienna")


def problems(cart: Cart, menu: Menu, merchant: Merchant, now: datetime, promo: Promo | None = None):
    """The (code, line) pairs quote_cart rejects the cart with."""
    with pytest.raises(DomainError) as info:
        quote_cart(cart, menu, merchant, now, promo)
    err = info.value
    assert err.problems, "a rejected cart lists its problems"
    assert err.code == err.problems[0].code
    return [(p.code, p.line) for p in err.problems]
