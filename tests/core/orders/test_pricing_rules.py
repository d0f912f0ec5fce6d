"""quote_cart: every item, variant, modifier, stock and cart rule, each with its own problem code and line.
"""
from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal as D

import pytest
from pydantic import ValidationError

from core.errors import DomainError, OrderError, Problem, PromoError
from core.menu import AvailabilityWindow
from core.orders.pricing import quote_cart
from tests.core.orders.pricing_helpers import PIZZERIA, VIENNA, problems


# --- item, variant and modifier rules ------------------------------------------------------------------------


def test_unknown_item(build, pizzeria, pizza_menu, now):
    cart = build.cart(PIZZERIA, build.line("calzone"), build.line("sushi"))
    assert problems(cart, pizza_menu, pizzeria, now) == [(OrderError.UNKNOWN_ITEM, 1)]


def test_variant_rules(build, pizzeria, pizza_menu, now):
    cart = build.cart(PIZZERIA,
                      build.line("margherita"),                 # needs a size
                      build.line("margherita", "xxl"),          # no such size
                      build.line("garlic_bread", "large"),      # has no sizes at all
                      build.line("margherita", "small"))
    assert problems(cart, pizza_menu, pizzeria, now) == [
        (OrderError.VARIANT_REQUIRED, 0), (OrderError.UNKNOWN_VARIANT, 1), (OrderError.UNKNOWN_VARIANT, 2)]


def test_unknown_modifiers(build, pizzeria, pizza_menu, now):
    cart = build.cart(PIZZERIA,
                      build.line("margherita", "small", 1, build.mod("truffle")),
                      build.line("margherita", "small", 1, build.mod("ham", "remove")),  # not an ingredient
                      build.line("calzone", None, 1, build.mod("thin")),                 # crust group not on calzone
                      build.line("margherita", "small", 1, build.mod("basil", "remove")))
    assert problems(cart, pizza_menu, pizzeria, now) == [
        (OrderError.UNKNOWN_MODIFIER, 0), (OrderError.UNKNOWN_MODIFIER, 1), (OrderError.UNKNOWN_MODIFIER, 2)]


def test_modifier_kind_and_halves_not_allowed(build, pizzeria, pizza_menu, now):
    toppings = pizza_menu.group("toppings")
    toppings.option("anchovies").allows_extra = False
    toppings.option("olives").allows_light = False
    cart = build.cart(PIZZERIA,
                      build.line("calzone", None, 1, build.mod("ham", "add", "left")),  # calzone has no halves
                      build.line("margherita", "small", 1, build.mod("anchovies", "extra")),
                      build.line("margherita", "small", 1, build.mod("olives", "light")),
                      build.line("margherita", "small", 1, build.mod("anchovies"), build.mod("olives", "extra")))
    assert problems(cart, pizza_menu, pizzeria, now) == [
        (OrderError.MODIFIER_NOT_ALLOWED, 0), (OrderError.MODIFIER_NOT_ALLOWED, 1),
        (OrderError.MODIFIER_NOT_ALLOWED, 2)]


def test_modifier_min_and_max(build, pizzeria, pizza_menu, bowls, bowls_menu, burger, burger_menu, now):
    two_crusts = build.cart(PIZZERIA, build.line("margherita", "small", 1, build.mod("thin"), build.mod("wholewheat")))
    assert problems(two_crusts, pizza_menu, pizzeria, now) == [(OrderError.MODIFIER_RULES, 0)]

    bowl = lambda *mods: build.line("build_bowl", None, 1, *mods)  # noqa: E731
    cart = build.cart("wachau-bowls",
                      bowl(build.mod("tofu")),                                                      # no base
                      bowl(build.mod("rice"), build.mod("greens"), build.mod("tofu")),              # two bases
                      bowl(build.mod("rice"), build.mod("tofu"), build.mod("salmon"), build.mod("chicken")),  # 3
                      bowl(build.mod("rice")),                                                      # no protein
                      bowl(build.mod("rice"), build.mod("tofu"), build.mod("salmon")))              # fine
    assert problems(cart, bowls_menu, bowls, now) == [
        (OrderError.MODIFIER_RULES, 0), (OrderError.MODIFIER_RULES, 1), (OrderError.MODIFIER_RULES, 2),
        (OrderError.MODIFIER_RULES, 3)]

    no_doneness = build.cart("krems-burger", build.line("classic"))
    assert problems(no_doneness, burger_menu, burger, now) == [(OrderError.MODIFIER_RULES, 0)]
    # The same option twice counts twice against the maximum.
    twice = build.cart("krems-burger", build.line("classic", None, 1, build.mod("medium"), build.mod("medium")))
    assert problems(twice, burger_menu, burger, now) == [(OrderError.MODIFIER_RULES, 0)]


def test_eighty_sixed_item_and_option(build, pizzeria, pizza_menu, now):
    pizza_menu.item("garlic_bread").available = False
    pizza_menu.group("toppings").option("pineapple").available = False
    cart = build.cart(PIZZERIA, build.line("calzone"), build.line("garlic_bread"),
                      build.line("hawaii", "large", 1, build.mod("pineapple", "extra")))
    assert problems(cart, pizza_menu, pizzeria, now) == [(OrderError.ITEM_UNAVAILABLE, 1),
                                                         (OrderError.ITEM_UNAVAILABLE, 2)]


def test_item_availability_window(build, pizzeria, pizza_menu, now):
    pizza_menu.item("calzone").availability = [AvailabilityWindow(days=frozenset({1, 2, 3, 4, 5}), start=time(11),
                                                                  end=time(14))]
    cart = build.cart(PIZZERIA, build.line("calzone"))
    assert quote_cart(cart, pizza_menu, pizzeria, now).total == D("12.00")
    evening = datetime(2025, 3, 12, 19, 0, tzinfo=VIENNA)
    assert problems(cart, pizza_menu, pizzeria, evening) == [(OrderError.ITEM_UNAVAILABLE, 0)]
    # Ordered at lunch for the evening: the slot time counts.
    for_tonight = build.cart(PIZZERIA, build.line("calzone"), requested_time=build.slot_at(evening))
    assert problems(for_tonight, pizza_menu, pizzeria, now) == [(OrderError.ITEM_UNAVAILABLE, 0)]
    saturday = datetime(2025, 3, 15, 12, 0, tzinfo=VIENNA)
    assert problems(cart, pizza_menu, pizzeria, saturday) == [(OrderError.ITEM_UNAVAILABLE, 0)]


def test_category_availability_window(build, pizzeria, pizza_menu, now):
    pizza_menu.category("desserts").availability = [AvailabilityWindow(start=time(17), end=time(23))]
    cart = build.cart(PIZZERIA, build.line("calzone"), build.line("tiramisu"))
    assert problems(cart, pizza_menu, pizzeria, now) == [(OrderError.ITEM_UNAVAILABLE, 1)]
    assert quote_cart(cart, pizza_menu, pizzeria, now.replace(hour=18)).subtotal == D("17.50")


def test_out_of_stock_items_aggregated_over_lines(build, pizzeria, pizza_menu, now):
    # Tiramisu has 12 portions.
    ok = build.cart(PIZZERIA, build.line("tiramisu", None, 6), build.line("tiramisu", None, 6))
    assert quote_cart(ok, pizza_menu, pizzeria, now).stock_reservations == {"item:tiramisu": 12}
    too_many = build.cart(PIZZERIA, build.line("tiramisu", None, 7), build.line("tiramisu", None, 6))
    assert problems(too_many, pizza_menu, pizzeria, now) == [(OrderError.OUT_OF_STOCK, None)]
    pizza_menu.item("tiramisu").stock = 0
    one = build.cart(PIZZERIA, build.line("tiramisu", None, 2))
    assert problems(one, pizza_menu, pizzeria, now) == [(OrderError.OUT_OF_STOCK, None)]


def test_out_of_stock_options_aggregated_over_lines(build, pizzeria, pizza_menu, now):
    pizza_menu.group("toppings").option("mushrooms").stock = 2
    two = build.cart(PIZZERIA, build.line("margherita", "small", 1, build.mod("mushrooms")),
                     build.line("funghi", "small", 1, build.mod("mushrooms", "light")))
    assert quote_cart(two, pizza_menu, pizzeria, now).stock_reservations["option:mushrooms"] == 2
    three = build.cart(PIZZERIA, build.line("margherita", "small", 1, build.mod("mushrooms")),
                       build.line("funghi", "small", 2, build.mod("mushrooms", "light")))
    assert problems(three, pizza_menu, pizzeria, now) == [(OrderError.OUT_OF_STOCK, None)]
    # Removing mushrooms from a Funghi takes none.
    removed = build.cart(PIZZERIA, build.line("funghi", "small", 5, build.mod("mushrooms", "remove")))
    assert "option:mushrooms" not in quote_cart(removed, pizza_menu, pizzeria, now).stock_reservations


def test_min_order_value(build, pizzeria, pizza_menu, now):
    assert problems(build.cart(PIZZERIA, build.line("water")), pizza_menu, pizzeria, now) == [
        (OrderError.MIN_ORDER_VALUE, None)]
    exactly = build.cart(PIZZERIA, build.line("garlic_bread"), build.line("tiramisu"))  # 4.50 + 5.50
    assert quote_cart(exactly, pizza_menu, pizzeria, now).subtotal == D("10.00")


def test_min_order_value_is_not_judged_while_lines_are_wrong(build, pizzeria, pizza_menu, now):
    cart = build.cart(PIZZERIA, build.line("water"), build.line("sushi"))
    assert problems(cart, pizza_menu, pizzeria, now) == [(OrderError.UNKNOWN_ITEM, 1)]


def test_every_problem_is_collected_with_its_line(build, pizzeria, pizza_menu, now):
    pizza_menu.item("garlic_bread").available = False
    late = datetime(2025, 3, 12, 23, 30, tzinfo=VIENNA)
    cart = build.cart(PIZZERIA,
                      build.line("coke", "can"),
                      build.line("sushi"),
                      build.line("margherita"),
                      build.line("calzone", None, 1, build.mod("ham", "add", "right")),
                      build.line("garlic_bread"),
                      build.line("tiramisu", None, 13),
                      fulfilment=build.delivery_to(None), promo_code="NOPE")
    assert problems(cart, pizza_menu, pizzeria, late) == [
        (OrderError.MERCHANT_CLOSED, None),
        (OrderError.UNKNOWN_ITEM, 1),
        (OrderError.VARIANT_REQUIRED, 2),
        (OrderError.MODIFIER_NOT_ALLOWED, 3),
        (OrderError.ITEM_UNAVAILABLE, 4),
        (OrderError.OUT_OF_STOCK, None),
        (OrderError.ADDRESS_REQUIRED, None),
        (PromoError.UNKNOWN, None),
    ]


def test_problems_serialise_with_their_line():
    assert Problem(OrderError.UNKNOWN_ITEM, "no", 3).as_dict() == {"code": "unknown_item", "detail": "no", "line": 3}
    assert Problem(OrderError.OUT_OF_STOCK, "gone").as_dict() == {"code": "out_of_stock", "detail": "gone"}


def test_empty_cart_and_currency_mismatch(build, pizzeria, pizza_menu, now):
    with pytest.raises(DomainError) as info:
        quote_cart(build.cart(PIZZERIA), pizza_menu, pizzeria, now)
    assert info.value.code is OrderError.EMPTY_CART
    with pytest.raises(DomainError) as info:
        in_francs = build.merchant_of(PIZZERIA, currency="CHF")
        quote_cart(build.cart(PIZZERIA, build.line("calzone")), pizza_menu, in_francs, now)
    assert info.value.code is OrderError.CURRENCY_MISMATCH


def test_quantity_bounds_are_enforced_by_the_cart(build):
    with pytest.raises(ValidationError):
        build.line("calzone", None, 0)
    with pytest.raises(ValidationError):
        build.line("calzone", None, 1000)
