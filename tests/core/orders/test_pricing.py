"""quote_cart: hand-computed prices, delivery zones and fees, opening hours and slots.

Figures in comments are worked out by hand; the code under test must reproduce them to the cent.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from core.errors import OrderError
from core.merchants import Address, Merchant, TaxMode
from core.orders.cart import Fulfilment, FulfilmentType
from core.orders.pricing import MAX_SLOT_AHEAD, quote_cart
from tests.core.orders.pricing_helpers import PIZZERIA, VIENNA, problems


# --- exact figures -----------------------------------------------------------------------------------------


def test_margherita_large_extra_mushrooms_twice_and_a_coke_pickup(build, pizzeria, pizza_menu, now):
    cart = build.cart(PIZZERIA,
                      build.line("margherita", "large", 2, build.mod("mushrooms", "extra")),
                      build.line("coke", "can"))
    q = quote_cart(cart, pizza_menu, pizzeria, now)

    pizza, coke = q.lines
    # Extra mushrooms cost twice the 1.50 add-on price: 13.00 + 3.00 = 16.00 a pizza, x2 = 32.00.
    assert pizza.modifiers[0].unit_price == D("3.00")
    assert (pizza.unit_price, pizza.subtotal, pizza.total) == (D("16.00"), D("32.00"), D("32.00"))
    # Prices include 10 % VAT on food: 32.00 * 0.10 / 1.10 = 2.909 -> 2.91; 20 % on drinks: 2.80 / 6 = 0.467 -> 0.47.
    assert (pizza.tax_rate, pizza.tax) == (D("0.10"), D("2.91"))
    assert (coke.unit_price, coke.subtotal, coke.tax_rate, coke.tax) == (D("2.80"), D("2.80"), D("0.20"), D("0.47"))
    assert q.currency == "EUR" and q.tax_mode is TaxMode.INCLUSIVE
    assert q.subtotal == D("34.80")
    assert q.discount == D("0") and q.delivery_fee == D("0") and q.service_fee == D("0") and q.tip == D("0")
    assert q.tax == D("3.38")
    assert q.total == D("34.80")
    assert q.distance_km is None
    assert q.stock_reservations == {"item:margherita": 2, "option:mushrooms": 2, "item:coke": 1}
    assert pizza.allergens == ["gluten", "milk"] and pizza.station == "oven"


def test_delivery_to_anna_adds_first_band_fee_with_its_vat_included(build, pizzeria, pizza_menu, now, anna_address):
    cart = build.cart(PIZZERIA,
                      build.line("margherita", "large", 2, build.mod("mushrooms", "extra")),
                      build.line("coke", "can"),
                      fulfilment=build.delivery_to(anna_address))
    q = quote_cart(cart, pizza_menu, pizzeria, now)
    assert q.distance_km == D("0.606")  # geodesic, rounded to metres
    assert q.delivery_fee == D("1.90")  # band up to 2 km
    # Fee VAT 20 % included: 1.90 / 6 = 0.3167 -> 0.32, so tax 3.38 + 0.32; nothing is added on top.
    assert q.fees_tax_added == D("0")
    assert q.tax == D("3.70")
    assert q.total == D("36.70")


def test_bowl_with_service_fee_and_inclusive_vat_on_fees(build, bowls, bowls_menu, now, anna_address):
    cart = build.cart("wachau-bowls",
                      build.line("build_bowl", None, 1, build.mod("quinoa"), build.mod("salmon"), build.mod("avocado")),
                      build.line("miso_soup"),
                      build.line("lemonade"),
                      fulfilment=build.delivery_to(anna_address))
    q = quote_cart(cart, bowls_menu, bowls, now)
    bowl, soup, lemonade = q.lines
    assert bowl.unit_price == D("15.50")  # 9.90 + quinoa 0.80 + salmon 3.00 + avocado 1.80
    assert bowl.allergens == ["fish"]
    assert q.subtotal == D("23.30")
    # Taxes: 15.50/11 = 1.409 -> 1.41; 3.90/11 = 0.355 -> 0.35; lemonade 3.90/6 = 0.65.
    assert [ln.tax for ln in q.lines] == [D("1.41"), D("0.35"), D("0.65")]
    assert q.distance_km == D("0.5") and q.delivery_fee == D("0.90")
    assert q.service_fee == D("0.47")  # 2 % of 23.30 = 0.466
    # VAT on the fees, included: (0.90 + 0.47) / 6 = 0.228 -> 0.23.
    assert q.tax == D("2.64")
    assert q.total == D("24.67")


def test_exclusive_tax_with_several_categories_service_fee_and_tip(build, pizza_menu, now, anna_address):
    merchant = build.merchant_of(PIZZERIA, service_fee_pct="0.05", tax={
        "mode": "exclusive", "rates": {"food": "0.08", "drinks": "0.19", "alcohol": "0.25", "fees": "0.10"}})
    pizza_menu.item("beer").tax_category = "alcohol"
    cart = build.cart(PIZZERIA,
                      build.line("margherita", "large", 2, build.mod("mushrooms", "extra")),
                      build.line("coke", "can"),
                      build.line("beer"),
                      fulfilment=build.delivery_to(anna_address), tip=D("3.00"))
    q = quote_cart(cart, pizza_menu, merchant, now)
    assert q.tax_mode is TaxMode.EXCLUSIVE
    # 32.00 * 8 % = 2.56; 2.80 * 19 % = 0.532 -> 0.53; 4.20 * 25 % = 1.05; each added to its line.
    assert [(ln.tax_rate, ln.tax, ln.total) for ln in q.lines] == [
        (D("0.08"), D("2.56"), D("34.56")), (D("0.19"), D("0.53"), D("3.33")), (D("0.25"), D("1.05"), D("5.25"))]
    assert q.subtotal == D("39.00")
    assert q.delivery_fee == D("1.90")
    assert q.service_fee == D("1.95")  # 5 % of 39.00
    assert q.fees_tax_added == D("0.39")  # 10 % of (1.90 + 1.95) = 0.385, rounded half up
    assert q.tax == D("4.53")  # 2.56 + 0.53 + 1.05 + 0.39
    assert q.tip == D("3.00")
    assert q.total == D("50.38")  # 43.14 + 1.90 + 1.95 + 0.39 + 3.00


def test_a_tax_category_without_a_rate_is_untaxed(build, pizza_menu, now):
    merchant = build.merchant_of(PIZZERIA, tax={"mode": "exclusive", "rates": {"food": "0.10"}})
    cart = build.cart(PIZZERIA, build.line("garlic_bread", None, 2), build.line("water"))
    q = quote_cart(cart, pizza_menu, merchant, now)
    assert [(ln.tax_rate, ln.tax, ln.total) for ln in q.lines] == [(D("0.10"), D("0.90"), D("9.90")),
                                                                   (D("0"), D("0"), D("2.50"))]
    assert q.total == D("12.40")


def test_light_and_half_toppings_and_removed_ingredients(build, pizzeria, pizza_menu, now):
    cart = build.cart(PIZZERIA, build.line(
        "margherita", "medium", 1,
        build.mod("olives", "light"),                          # light costs the add-on price: 1.50
        build.mod("ham", "add", "left"),                       # half of 2.00
        build.mod("anchovies", "extra", "right"),              # half of 2 x 2.00
        build.mod("basil", "remove"),                          # free
        build.mod("gluten_free"),                              # crust 2.50
    ))
    q = quote_cart(cart, pizza_menu, pizzeria, now)
    (pizza,) = q.lines
    assert [m.unit_price for m in pizza.modifiers] == [D("1.50"), D("1.00"), D("2.00"), D("0"), D("2.50")]
    assert pizza.unit_price == D("17.50")  # 10.50 + 1.50 + 1.00 + 2.00 + 2.50
    assert "fish" in pizza.allergens
    assert q.stock_reservations == {"item:margherita": 1, "option:olives": 1, "option:ham": 1,
                                    "option:anchovies": 1, "option:gluten_free": 1}


def test_explicit_extra_price_wins_over_double(build, pizzeria, pizza_menu, now):
    pizza_menu.group("toppings").option("mushrooms").extra_price = D("2.20")
    q = quote_cart(build.cart(PIZZERIA, build.line("margherita", "small", 1, build.mod("mushrooms", "extra"))),
                   pizza_menu, pizzeria, now)
    assert q.lines[0].unit_price == D("10.70")


# --- delivery: address, zone, distance bands --------------------------------------------------------------

NORTH_KM_PER_DEG = 111.2  # close enough at 48° N; the quote reports the exact geodesic distance


def north_of(merchant: Merchant, km: float, build):
    return build.address_at(merchant.location.lat + km / NORTH_KM_PER_DEG, merchant.location.lon)


@pytest.mark.parametrize(("km", "fee"), [(0.1, "1.90"), (1.9, "1.90"), (2.1, "2.90"), (3.9, "2.90"),
                                         (4.1, "3.90"), (5.9, "3.90")])
def test_delivery_fee_by_distance_band(build, pizzeria, pizza_menu, now, km, fee):
    cart = build.cart(PIZZERIA, build.line("calzone"), fulfilment=build.delivery_to(north_of(pizzeria, km, build)))
    q = quote_cart(cart, pizza_menu, pizzeria, now)
    assert abs(q.distance_km - D(str(km))) <= D("0.01")
    assert q.delivery_fee == D(fee)
    assert q.total == D("12.00") + D(fee)


def test_beyond_the_radius_is_outside_the_zone(build, pizzeria, pizza_menu, now):
    cart = build.cart(PIZZERIA, build.line("calzone"), fulfilment=build.delivery_to(north_of(pizzeria, 6.2, build)))
    assert problems(cart, pizza_menu, pizzeria, now) == [(OrderError.OUTSIDE_DELIVERY_ZONE, None)]


def test_radius_smaller_than_the_fee_bands_decides(build, pizza_menu, now):
    merchant = build.merchant_of(PIZZERIA, delivery_zone={"radius_km": "3"})
    inside = build.cart(PIZZERIA, build.line("calzone"), fulfilment=build.delivery_to(north_of(merchant, 2.9, build)))
    assert quote_cart(inside, pizza_menu, merchant, now).delivery_fee == D("2.90")
    outside = build.cart(PIZZERIA, build.line("calzone"), fulfilment=build.delivery_to(north_of(merchant, 3.2, build)))
    assert problems(outside, pizza_menu, merchant, now) == [(OrderError.OUTSIDE_DELIVERY_ZONE, None)]


def test_without_fee_bands_delivery_is_free_inside_the_zone(build, pizza_menu, now):
    merchant = build.merchant_of(PIZZERIA, delivery_fee_bands=[])
    cart = build.cart(PIZZERIA, build.line("calzone"), fulfilment=build.delivery_to(north_of(merchant, 5.5, build)))
    assert quote_cart(cart, pizza_menu, merchant, now).delivery_fee == D("0")


def test_polygon_zone(build, burger, burger_menu, now, anna_address):
    medium = build.mod("medium")
    inside = build.cart("krems-burger", build.line("classic", None, 1, medium),
                        fulfilment=build.delivery_to(anna_address))
    q = quote_cart(inside, burger_menu, burger, now)
    assert q.distance_km == D("1.506") and q.delivery_fee == D("2.50")
    assert q.total == D("13.40")
    # 2 km north-east: well inside the fee bands, but north of the polygon's 48.428 edge.
    north = build.cart("krems-burger", build.line("classic", None, 1, medium),
                       fulfilment=build.delivery_to(build.address_at(48.43, 15.60)))
    assert problems(north, burger_menu, burger, now) == [(OrderError.OUTSIDE_DELIVERY_ZONE, None)]


def test_inside_the_polygon_but_beyond_every_fee_band(build, burger_menu, now):
    merchant = build.merchant_of("krems-burger", delivery_fee_bands=[{"up_to_km": "1", "fee": "2.00"}])
    cart = build.cart("krems-burger", build.line("fries", "regular"),
                      fulfilment=build.delivery_to(build.address_at(48.40985, 15.6079)))  # 1.5 km away
    assert problems(cart, burger_menu, merchant, now) == [(OrderError.OUTSIDE_DELIVERY_ZONE, None)]


@pytest.mark.parametrize("address", [None, "no-location"])
def test_delivery_needs_an_address_with_coordinates(build, pizzeria, pizza_menu, now, address):
    addr = None if address is None else Address(line1="Ringstraße 45")
    cart = build.cart(PIZZERIA, build.line("calzone"), fulfilment=build.delivery_to(addr))
    assert problems(cart, pizza_menu, pizzeria, now) == [(OrderError.ADDRESS_REQUIRED, None)]


def test_fulfilment_not_offered(build, pizza_menu, now, anna_address):
    no_delivery = build.merchant_of(PIZZERIA, offers_delivery=False)
    cart = build.cart(PIZZERIA, build.line("calzone"), fulfilment=build.delivery_to(anna_address))
    assert problems(cart, pizza_menu, no_delivery, now) == [(OrderError.FULFILMENT_NOT_OFFERED, None)]
    assert quote_cart(build.cart(PIZZERIA, build.line("calzone")), pizza_menu, no_delivery, now).total == D("12.00")

    no_pickup = build.merchant_of(PIZZERIA, offers_pickup=False)
    pickup = build.cart(PIZZERIA, build.line("calzone"), fulfilment=Fulfilment(type=FulfilmentType.PICKUP))
    assert problems(pickup, pizza_menu, no_pickup, now) == [(OrderError.FULFILMENT_NOT_OFFERED, None)]
    assert quote_cart(cart, pizza_menu, no_pickup, now).delivery_fee == D("1.90")


# --- opening hours, pause, slots ----------------------------------------------------------------------------

def test_closed_outside_opening_hours(build, pizzeria, pizza_menu):
    cart = build.cart(PIZZERIA, build.line("calzone"))
    late = datetime(2025, 3, 12, 23, 30, tzinfo=VIENNA)
    assert problems(cart, pizza_menu, pizzeria, late) == [(OrderError.MERCHANT_CLOSED, None)]
    # The same instant given in UTC is judged in the merchant's timezone.
    in_utc = late.astimezone(ZoneInfo("UTC"))
    assert problems(cart, pizza_menu, pizzeria, in_utc) == [(OrderError.MERCHANT_CLOSED, None)]
    opening = datetime(2025, 3, 12, 11, 0, tzinfo=VIENNA)
    assert quote_cart(cart, pizza_menu, pizzeria, opening).total == D("12.00")


def test_closed_on_a_day_off(build, bowls, bowls_menu):
    cart = build.cart("wachau-bowls", build.line("gyoza", None, 3))
    sunday_noon = datetime(2025, 3, 16, 12, 0, tzinfo=VIENNA)
    assert problems(cart, bowls_menu, bowls, sunday_noon) == [(OrderError.MERCHANT_CLOSED, None)]


def test_paused_merchant(build, pizza_menu, now):
    paused = build.merchant_of(PIZZERIA, paused=True)
    assert problems(build.cart(PIZZERIA, build.line("calzone")), pizza_menu, paused, now) == [
        (OrderError.MERCHANT_PAUSED, None)]


@pytest.mark.parametrize("offset", [timedelta(hours=-2), timedelta(minutes=-2), MAX_SLOT_AHEAD + timedelta(hours=1)])
def test_slot_outside_now_to_14_days(build, pizzeria, pizza_menu, now, offset):
    cart = build.cart(PIZZERIA, build.line("calzone"), requested_time=build.slot_at(now + offset))
    assert problems(cart, pizza_menu, pizzeria, now) == [(OrderError.SLOT_INVALID, None)]


def test_slot_just_now_is_tolerated(build, pizzeria, pizza_menu, now):
    cart = build.cart(PIZZERIA, build.line("calzone"), requested_time=build.slot_at(now - timedelta(seconds=30)))
    assert quote_cart(cart, pizza_menu, pizzeria, now).total == D("12.00")


def test_a_slot_is_judged_at_its_own_time(build, pizzeria, pizza_menu):
    before_opening = datetime(2025, 3, 12, 9, 0, tzinfo=VIENNA)
    lunch = build.cart(PIZZERIA, build.line("calzone"),
                       requested_time=build.slot_at(datetime(2025, 3, 12, 12, 30, tzinfo=VIENNA)))
    assert quote_cart(lunch, pizza_menu, pizzeria, before_opening).requested_time.slot_start is not None
    midnight = build.cart(PIZZERIA, build.line("calzone"),
                          requested_time=build.slot_at(datetime(2025, 3, 12, 23, 45, tzinfo=VIENNA)))
    assert problems(midnight, pizza_menu, pizzeria, before_opening) == [(OrderError.MERCHANT_CLOSED, None)]


def test_slot_validation_in_the_cart_model(build, now):
    with pytest.raises(ValidationError):
        build.slot_at(now.replace(tzinfo=None))
    with pytest.raises(ValidationError):
        build.slot_at(now, now - timedelta(minutes=5))
