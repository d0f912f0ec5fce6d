"""quote_cart: every validation rule and hand-computed prices on the Krems demo menus.

Figures in comments are worked out by hand; the code under test must reproduce them to the cent.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from core.errors import DomainError, OrderError, Problem, PromoError
from core.menu import AvailabilityWindow, Menu
from core.merchants import Address, Merchant, TaxMode
from core.orders.cart import Cart, Fulfilment, FulfilmentType
from core.orders.pricing import MAX_SLOT_AHEAD, quote_cart
from core.orders.promos import Promo, PromoKind

PIZZERIA = "pizzeria-donau"


def problems(cart: Cart, menu: Menu, merchant: Merchant, now: datetime, promo: Promo | None = None):
    """The (code, line) pairs quote_cart rejects the cart with."""
    with pytest.raises(DomainError) as info:
        quote_cart(cart, menu, merchant, now, promo)
    err = info.value
    assert err.problems, "a rejected cart lists its problems"
    assert err.code == err.problems[0].code
    return [(p.code, p.line) for p in err.problems]


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

VIENNA = ZoneInfo("Europe/Vienna")


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
