"""quote_cart: promo codes, tips, and rounding in currencies with 0, 2 and 3 decimals.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from pydantic import ValidationError

from core.errors import PromoError
from core.menu import Menu
from core.merchants import Merchant
from core.orders.pricing import quote_cart
from core.orders.promos import Promo, PromoKind
from tests.core.orders.pricing_helpers import PIZZERIA, problems


# --- promos ----------------------------------------------------------------------------------------------------


def big_cart(build, **fields):
    """32.00 of pizza and a 2.80 coke: subtotal 34.80."""
    return build.cart(PIZZERIA, build.line("margherita", "large", 2, build.mod("mushrooms", "extra")),
                      build.line("coke", "can"), **fields)


def test_percentage_promo(build, pizzeria, pizza_menu, now, demo_promos):
    q = quote_cart(big_cart(build, promo_code="WELCOME10"), pizza_menu, pizzeria, now, demo_promos["WELCOME10"])
    assert q.promo_code == "WELCOME10"
    assert q.discount == D("3.48")
    assert [ln.discount for ln in q.lines] == [D("3.20"), D("0.28")]
    # VAT on what is left: 28.80 / 11 = 2.618 -> 2.62; 2.52 / 6 = 0.42.
    assert [ln.tax for ln in q.lines] == [D("2.62"), D("0.42")]
    assert q.total == D("31.32")


def test_fixed_promo_spread_over_lines_by_largest_remainder(build, pizzeria, pizza_menu, now, demo_promos):
    q = quote_cart(big_cart(build, promo_code="DONAU5"), pizza_menu, pizzeria, now, demo_promos["DONAU5"])
    # 5.00 * 32.00 / 34.80 = 4.5977 and 5.00 * 2.80 / 34.80 = 0.4023: 4.59 + 0.40, the spare cent to the pizza.
    assert [ln.discount for ln in q.lines] == [D("4.60"), D("0.40")]
    assert [ln.tax for ln in q.lines] == [D("2.49"), D("0.40")]
    assert [ln.total for ln in q.lines] == [D("27.40"), D("2.40")]
    assert q.discount == D("5.00") and q.total == D("29.80") and q.tax == D("2.89")


def test_percentage_promo_rounds_half_up_and_allocates_every_cent(build, pizzeria, pizza_menu, now):
    promo = Promo(code="FIFTEEN", kind=PromoKind.PERCENT, value=D("0.15"))
    cart = build.cart(PIZZERIA, build.line("margherita", "small"), build.line("garlic_bread"),
                      build.line("coke", "bottle"), promo_code="FIFTEEN")
    q = quote_cart(cart, pizza_menu, pizzeria, now, promo)
    assert q.subtotal == D("16.50")
    assert q.discount == D("2.48")  # 2.475 rounded half up
    # 248 cents by weight 850:450:350 -> 127.76, 67.64, 52.61: floors 127 + 67 + 52 = 246, two spare cents.
    assert [ln.discount for ln in q.lines] == [D("1.28"), D("0.68"), D("0.52")]
    assert [ln.tax for ln in q.lines] == [D("0.66"), D("0.35"), D("0.50")]
    assert q.total == D("14.02")


def test_fixed_promo_never_exceeds_the_subtotal(build, pizzeria, pizza_menu, now, anna_address):
    promo = Promo(code="FREE", kind=PromoKind.FIXED, value=D("50"))
    cart = build.cart(PIZZERIA, build.line("calzone"), fulfilment=build.delivery_to(anna_address), promo_code="FREE")
    q = quote_cart(cart, pizza_menu, pizzeria, now, promo)
    assert q.discount == D("12.00") and q.lines[0].total == D("0")
    assert q.total == D("1.90")  # the delivery fee is still due


def test_promo_minimum_subtotal(build, pizzeria, pizza_menu, now, demo_promos):
    cart = build.cart(PIZZERIA, build.line("calzone"), promo_code="WELCOME10")  # 12.00 < 15.00
    assert problems(cart, pizza_menu, pizzeria, now, demo_promos["WELCOME10"]) == [(PromoError.MIN_SUBTOTAL, None)]
    exactly = build.cart(PIZZERIA, build.line("calzone"), build.line("coke", "can"), build.line("water"),
                         promo_code="WELCOME10")  # 12.00 + 2.80 + 2.50 = 17.30 >= 15
    assert quote_cart(exactly, pizza_menu, pizzeria, now, demo_promos["WELCOME10"]).discount == D("1.73")


def test_promo_validity_window(build, pizzeria, pizza_menu, now):
    cart = big_cart(build, promo_code="SPRING")
    spring = Promo(code="SPRING", kind=PromoKind.PERCENT, value=D("0.20"),
                   valid_from=now - timedelta(days=1), valid_until=now + timedelta(days=1))
    assert quote_cart(cart, pizza_menu, pizzeria, now, spring).discount == D("6.96")
    early = spring.model_copy(update={"valid_from": now + timedelta(minutes=1)})
    assert problems(cart, pizza_menu, pizzeria, now, early) == [(PromoError.NOT_YET_VALID, None)]
    late = spring.model_copy(update={"valid_until": now - timedelta(minutes=1)})
    assert problems(cart, pizza_menu, pizzeria, now, late) == [(PromoError.EXPIRED, None)]


def test_exhausted_promo(build, pizzeria, pizza_menu, now):
    used_up = Promo(code="ONCE", kind=PromoKind.FIXED, value=D("2"), max_uses=1, uses=1)
    assert problems(big_cart(build, promo_code="ONCE"), pizza_menu, pizzeria, now, used_up) == [
        (PromoError.EXHAUSTED, None)]


def test_unknown_promo_and_promo_of_another_merchant(build, pizzeria, pizza_menu, burger, burger_menu, now,
                                                     demo_promos):
    assert problems(big_cart(build, promo_code="NOPE"), pizza_menu, pizzeria, now, None) == [(PromoError.UNKNOWN, None)]
    burger_cart = build.cart("krems-burger", build.line("bbq_bacon", None, 2, build.mod("medium")),
                             promo_code="DONAU5")
    assert problems(burger_cart, burger_menu, burger, now, demo_promos["DONAU5"]) == [(PromoError.UNKNOWN, None)]


def test_a_promo_without_a_code_in_the_cart_is_ignored(build, pizzeria, pizza_menu, now, demo_promos):
    q = quote_cart(big_cart(build), pizza_menu, pizzeria, now, demo_promos["DONAU5"])
    assert q.discount == D("0") and q.promo_code is None and q.total == D("34.80")


# --- tip ---------------------------------------------------------------------------------------------------------


def test_tip_is_rounded_and_added(build, pizzeria, pizza_menu, now):
    q = quote_cart(big_cart(build, tip=D("2.005")), pizza_menu, pizzeria, now)
    assert q.tip == D("2.01")
    assert q.total == D("36.81")
    assert q.tax == D("3.38")  # tips are not taxed


def test_negative_tip_is_refused_by_the_cart(build):
    with pytest.raises(ValidationError):
        big_cart(build, tip=D("-1"))


# --- rounding per currency -------------------------------------------------------------------------------------


def shop(currency: str, tax: dict, *, service: str = "0", bands: list[dict] | None = None, halves: bool = False,
         prices: tuple[str, str, str] = ("980", "150", "600")) -> tuple[Merchant, Menu]:
    """A one-category shop in any currency, open around the clock, delivering within 5 km."""
    main, topping, drink = prices
    merchant = Merchant.model_validate({
        "id": "shop", "name": "Shop", "address": {"line1": "Main street 1"},
        "location": {"lat": 35.6812, "lon": 139.7671}, "timezone": "Asia/Tokyo", "currency": currency,
        "tax": tax, "service_fee_pct": service, "delivery_fee_bands": bands or [],
    })
    menu = Menu.model_validate({
        "merchant_id": "shop", "currency": currency,
        "categories": [{"id": "main", "name": "Main"}, {"id": "drinks", "name": "Drinks"}],
        "items": [
            {"id": "main", "category_id": "main", "name": "Main dish", "price": main,
             "modifier_group_ids": ["toppings"], "allows_halves": halves},
            {"id": "drink", "category_id": "drinks", "name": "Drink", "price": drink, "tax_category": "drinks"},
        ],
        "modifier_groups": [{"id": "toppings", "name": "Toppings", "max_choices": 3,
                             "options": [{"id": "topping", "name": "Topping", "price": topping}]}],
    })
    return merchant, menu


JPY_TAX = {"mode": "exclusive", "rates": {"food": "0.08", "drinks": "0.10", "fees": "0.10"}}


def test_jpy_has_no_minor_unit(build, now):
    merchant, menu = shop("JPY", JPY_TAX, service="0.10")
    cart = build.cart("shop", build.line("main", None, 1, build.mod("topping", "extra")), build.line("drink"),
                      tip=D("100.4"))
    q = quote_cart(cart, menu, merchant, now)
    # 980 + 2 x 150 = 1280; tax 8 % = 102.4 -> 102; drink 600, tax 10 % = 60.
    assert [(ln.unit_price, ln.tax, ln.total) for ln in q.lines] == [(D("1280"), D("102"), D("1382")),
                                                                    (D("600"), D("60"), D("660"))]
    assert q.service_fee == D("188")  # 10 % of 1880
    assert q.fees_tax_added == D("19")  # 10 % of 188 = 18.8
    assert q.tip == D("100")
    assert q.tax == D("181")
    assert q.total == D("2349")


def test_jpy_promo_rounds_to_whole_yen(build, now):
    merchant, menu = shop("JPY", JPY_TAX, service="0.10")
    promo = Promo(code="SEVEN", kind=PromoKind.PERCENT, value=D("0.07"))
    cart = build.cart("shop", build.line("main", None, 1, build.mod("topping", "extra")), build.line("drink"),
                      promo_code="SEVEN")
    q = quote_cart(cart, menu, merchant, now, promo)
    assert q.discount == D("132")  # 7 % of 1880 = 131.6
    assert [ln.discount for ln in q.lines] == [D("90"), D("42")]  # 89.87 + 42.13, spare yen to the larger remainder
    assert [ln.tax for ln in q.lines] == [D("95"), D("56")]  # 1190 * 8 % = 95.2; 558 * 10 % = 55.8
    assert q.service_fee == D("175")  # 10 % of 1748 = 174.8
    assert q.fees_tax_added == D("18")  # 17.5 rounded half up
    assert q.total == D("2092")


def test_half_portion_prices_are_rounded_per_unit(build, now):
    # Half of a 155 yen topping is 77.5 yen, which cannot be charged: it is 78 a pizza, 156 for two.
    merchant, menu = shop("JPY", {"mode": "inclusive"}, halves=True, prices=("980", "155", "600"))
    cart = build.cart("shop", build.line("main", None, 2, build.mod("topping", "add", "left")))
    q = quote_cart(cart, menu, merchant, now)
    assert q.lines[0].modifiers[0].unit_price == D("78")
    assert q.lines[0].unit_price == D("1058")
    assert q.lines[0].subtotal == q.total == D("2116")


def test_kwd_has_three_decimals(build, now):
    bands = [{"up_to_km": "5", "fee": "0.350"}]
    merchant, menu = shop("KWD", {"mode": "inclusive"}, service="0.025", bands=bands, halves=True,
                          prices=("1.250", "0.125", "0.300"))
    near = build.address_at(35.69, 139.77)
    cart = build.cart("shop", build.line("main", None, 2, build.mod("topping", "add", "right")),
                      fulfilment=build.delivery_to(near))
    q = quote_cart(cart, menu, merchant, now)
    assert q.lines[0].unit_price == D("1.313")  # 1.250 + 0.0625 -> 0.063
    assert q.subtotal == D("2.626")
    assert q.delivery_fee == D("0.350")
    assert q.service_fee == D("0.066")  # 2.5 % of 2.626 = 0.06565
    assert q.tax == D("0")
    assert q.total == D("3.042")


def test_bhd_exclusive_vat_rounds_to_the_fils(build, now):
    merchant, menu = shop("BHD", {"mode": "exclusive", "rates": {"food": "0.10"}}, prices=("1.255", "0.100", "0.500"))
    q = quote_cart(build.cart("shop", build.line("main", None, 3)), menu, merchant, now)
    assert q.subtotal == D("3.765")
    assert q.tax == D("0.377")  # 0.3765 rounded half up
    assert q.total == D("4.142")
