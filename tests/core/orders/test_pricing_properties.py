"""Pricing invariants under hypothesis: totals add up to the minor unit, nothing negative, re-pricing is stable."""
from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal as D
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.menu import Menu
from core.merchants import Address, Merchant, TaxMode
from core.money import currency_exponent, quantize
from core.orders.cart import Cart, CartLine, Fulfilment, FulfilmentType, LineModifier
from core.orders.pricing import quote_cart
from core.orders.promos import Promo, PromoKind
from core.orders.quote import Quote

NOW = datetime(2025, 3, 12, 12, 0, tzinfo=ZoneInfo("Europe/Vienna"))
KREMS = json.loads((Path(__file__).resolve().parents[3] / "assets" / "demo" / "krems.json").read_text("utf-8"))
PIZZERIA = next(e for e in KREMS["merchants"] if e["merchant"]["id"] == "pizzeria-donau")
ANNA = Address.model_validate(KREMS["customers"][0]["addresses"][0])

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- strategies ---------------------------------------------------------------------------------------------

CURRENCIES = ["EUR", "JPY", "KWD", "BHD", "USD"]
rates = st.sampled_from(["0", "0.05", "0.07", "0.08", "0.10", "0.13", "0.19", "0.20", "0.2125"]).map(D)


@st.composite
def tax_policies(draw):
    return {"mode": draw(st.sampled_from(["inclusive", "exclusive"])),
            "rates": {"food": draw(rates), "drinks": draw(rates), "fees": draw(rates)}}


def minor_units(currency: str, low: int, high: int):
    """Amounts in whole minor units of the currency (menu prices as a merchant would type them)."""
    quantum = currency_exponent(currency)
    return st.integers(low, high).map(lambda n: D(n) * quantum)


@st.composite
def shops(draw) -> tuple[Merchant, Menu]:
    """A merchant in a random currency with random prices, taxes and fees, and a small menu."""
    currency = draw(st.sampled_from(CURRENCIES))
    scale = 100 if currency_exponent(currency) == D(1) else 1  # JPY prices are in the hundreds
    price = lambda low, high: minor_units(currency, low * scale, high * scale)  # noqa: E731
    merchant = Merchant.model_validate({
        "id": "shop", "name": "Shop", "address": {"line1": "Main street 1"},
        "location": ANNA.location.model_dump(), "currency": currency, "timezone": "Europe/Vienna",
        "tax": draw(tax_policies()),
        "service_fee_pct": draw(st.sampled_from(["0", "0.015", "0.02", "0.05", "0.125"])),
        "delivery_fee_bands": [{"up_to_km": "3", "fee": str(draw(price(0, 999)))}],
    })
    options = [{"id": f"opt{i}", "name": f"Option {i}", "price": str(draw(price(0, 999))),
                **({"extra_price": str(draw(price(0, 1999)))} if draw(st.booleans()) else {})} for i in range(4)]
    menu = Menu.model_validate({
        "merchant_id": "shop", "currency": currency,
        "categories": [{"id": "food", "name": "Food"}, {"id": "drinks", "name": "Drinks"}],
        "items": [
            {"id": "main", "category_id": "food", "name": "Main", "allows_halves": True,
             "modifier_group_ids": ["extras"], "variants": [
                 {"id": "s", "name": "S", "price": str(draw(price(0, 5000)))},
                 {"id": "l", "name": "L", "price": str(draw(price(1, 9000)))}]},
            {"id": "side", "category_id": "food", "name": "Side", "price": str(draw(price(1, 2000)))},
            {"id": "drink", "category_id": "drinks", "name": "Drink", "price": str(draw(price(1, 1000))),
             "tax_category": "drinks"},
        ],
        "modifier_groups": [{"id": "extras", "name": "Extras", "max_choices": 4, "options": options}],
    })
    return merchant, menu


modifiers = st.builds(LineModifier, option_id=st.sampled_from(["opt0", "opt1", "opt2", "opt3"]),
                      kind=st.sampled_from(["add", "extra", "light"]),
                      portion=st.sampled_from(["whole", "left", "right"]))
shop_lines = st.one_of(
    st.builds(CartLine, item_id=st.just("main"), variant_id=st.sampled_from(["s", "l"]),
              quantity=st.integers(1, 30), modifiers=st.lists(modifiers, max_size=4)),
    st.builds(CartLine, item_id=st.sampled_from(["side", "drink"]), quantity=st.integers(1, 30)),
)
tips = st.decimals(min_value=0, max_value=500, places=4, allow_nan=False, allow_infinity=False)


@st.composite
def promos(draw, currency: str):
    kind = draw(st.sampled_from([None, PromoKind.PERCENT, PromoKind.FIXED]))
    if kind is None:
        return None
    if kind is PromoKind.PERCENT:
        value = draw(st.decimals(min_value=D("0.01"), max_value=1, places=3))
    else:
        value = draw(minor_units(currency, 1, 20000))  # up to 200.00, 20.000 KWD or 20000 yen
    return Promo(code="P", kind=kind, value=value)


def fulfilments():
    return st.sampled_from([Fulfilment(), Fulfilment(type=FulfilmentType.DELIVERY, address=ANNA)])


@st.composite
def shop_orders(draw):
    merchant, menu = draw(shops())
    promo = draw(promos(merchant.currency))
    cart = Cart(merchant_id="shop", lines=draw(st.lists(shop_lines, min_size=1, max_size=6)),
                fulfilment=draw(fulfilments()), tip=draw(tips), promo_code="P" if promo else None)
    return cart, menu, merchant, promo


# Valid carts on the real pizzeria menu: a size, up to three toppings, at most one crust.
PIZZAS = ["margherita", "pepperoni_pizza", "funghi", "hawaii", "quattro_formaggi", "diavola", "veggie"]
TOPPINGS = ["mushrooms", "pepperoni", "ham", "onions", "olives", "peppers", "extra_cheese", "jalapenos",
            "anchovies", "pineapple"]
pizza_lines = st.builds(
    lambda item, size, qty, tops, crust: CartLine(item_id=item, variant_id=size, quantity=qty,
                                                  modifiers=tops + ([crust] if crust else [])),
    st.sampled_from(PIZZAS), st.sampled_from(["small", "medium", "large"]), st.integers(1, 8),
    st.lists(st.builds(LineModifier, option_id=st.sampled_from(TOPPINGS),
                       kind=st.sampled_from(["add", "extra", "light"]),
                       portion=st.sampled_from(["whole", "left", "right"])), max_size=3),
    st.one_of(st.none(), st.builds(LineModifier, option_id=st.sampled_from(["thin", "wholewheat", "gluten_free"]))),
)
other_lines = st.one_of(
    st.builds(CartLine, item_id=st.sampled_from(["garlic_bread", "caprese", "calzone", "water", "beer"]),
              quantity=st.integers(1, 5)),
    st.builds(CartLine, item_id=st.sampled_from(["coke", "sprite"]), variant_id=st.sampled_from(["can", "bottle"]),
              quantity=st.integers(1, 5)),
)


@st.composite
def pizzeria_orders(draw):
    merchant = Merchant.model_validate({**PIZZERIA["merchant"], "tax": draw(tax_policies()),
                                        "service_fee_pct": draw(st.sampled_from(["0", "0.02", "0.035"]))})
    menu = Menu.model_validate(PIZZERIA["menu"])
    lines = draw(st.lists(st.one_of(pizza_lines, other_lines), min_size=1, max_size=6))
    lines.append(CartLine(item_id="calzone"))  # keeps every cart above the 10.00 minimum
    promo = draw(promos("EUR"))
    cart = Cart(merchant_id=merchant.id, lines=lines, fulfilment=draw(fulfilments()), tip=draw(tips),
                promo_code="P" if promo else None)
    return cart, menu, merchant, promo


orders = st.one_of(shop_orders(), pizzeria_orders())

# --- invariants ------------------------------------------------------------------------------------------------


def assert_quantized(value: D, currency: str, what: str) -> None:
    assert value == quantize(value, currency), f"{what} = {value} is not a whole {currency} minor unit"


def check_invariants(q: Quote, promo: Promo | None) -> None:
    cur = q.currency
    zero = D(0)
    lines_total = sum((ln.total for ln in q.lines), zero)
    assert q.total == lines_total + q.delivery_fee + q.service_fee + q.fees_tax_added + q.tip
    assert sum((ln.discount for ln in q.lines), zero) == q.discount
    assert q.subtotal == sum((ln.subtotal for ln in q.lines), zero)
    assert zero <= q.discount <= q.subtotal
    if promo is None:
        assert q.discount == zero
    for ln in q.lines:
        assert ln.subtotal == ln.unit_price * ln.quantity
        assert zero <= ln.discount <= ln.subtotal
        net = ln.subtotal - ln.discount
        assert ln.total == (net + ln.tax if q.tax_mode is TaxMode.EXCLUSIVE else net)
        assert zero <= ln.tax <= net
        for figure in ("unit_price", "subtotal", "discount", "tax", "total"):
            assert_quantized(getattr(ln, figure), cur, f"line.{figure}")
            assert getattr(ln, figure) >= zero
        for m in ln.modifiers:
            assert_quantized(m.unit_price, cur, "modifier.unit_price")
    for figure in ("subtotal", "discount", "delivery_fee", "service_fee", "tax", "fees_tax_added", "tip", "total"):
        assert_quantized(getattr(q, figure), cur, figure)
        assert getattr(q, figure) >= zero, figure
    if q.tax_mode is TaxMode.INCLUSIVE:
        assert q.fees_tax_added == zero
        assert q.total == q.subtotal - q.discount + q.delivery_fee + q.service_fee + q.tip
    else:
        assert q.fees_tax_added == q.tax - sum((ln.tax for ln in q.lines), zero)


@PROPERTY_SETTINGS
@given(orders)
def test_quotes_add_up_to_the_minor_unit(order):
    cart, menu, merchant, promo = order
    check_invariants(quote_cart(cart, menu, merchant, NOW, promo), promo)


@PROPERTY_SETTINGS
@given(orders)
def test_repricing_the_same_cart_gives_the_identical_quote(order):
    cart, menu, merchant, promo = order
    cart_before, menu_before = cart.model_dump(), menu.model_dump()
    first = quote_cart(cart, menu, merchant, NOW, promo)
    second = quote_cart(cart, menu, merchant, NOW, promo)
    assert first.model_dump() == second.model_dump()
    assert first.model_dump_json() == second.model_dump_json()
    assert cart.model_dump() == cart_before and menu.model_dump() == menu_before  # pricing mutates nothing


@PROPERTY_SETTINGS
@given(orders)
def test_a_discount_never_makes_anything_cheaper_than_free(order):
    cart, menu, merchant, promo = order
    q = quote_cart(cart, menu, merchant, NOW, promo)
    without = quote_cart(cart.model_copy(update={"promo_code": None}), menu, merchant, NOW, None)
    assert q.subtotal == without.subtotal
    assert q.discount <= q.subtotal
    assert q.total <= without.total
    assert q.total >= q.delivery_fee + q.tip


@PROPERTY_SETTINGS
@given(st.lists(shop_lines, min_size=1, max_size=5), shops())
def test_splitting_a_line_in_two_costs_the_same(lines, shop):
    """Unit prices are whole minor units, so one line of n+m equals a line of n plus a line of m."""
    merchant, menu = shop
    merchant.tax = merchant.tax.model_copy(update={"rates": {}})
    line = lines[0]
    if line.quantity < 2:
        return
    half = line.quantity // 2
    one = Cart(merchant_id="shop", lines=[line])
    two = Cart(merchant_id="shop", lines=[line.model_copy(update={"quantity": half}),
                                          line.model_copy(update={"quantity": line.quantity - half})])
    assert quote_cart(one, menu, merchant, NOW).total == quote_cart(two, menu, merchant, NOW).total


def test_strategies_cover_every_currency_exponent():
    assert {currency_exponent(c) for c in CURRENCIES} == {D(1), D("0.01"), D("0.001")}
