"""Menus: validation, look-ups, availability windows, modifier prices; the demo data loads."""
from __future__ import annotations

import copy
import json
from datetime import datetime, time
from decimal import Decimal as D
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from core.menu import AvailabilityWindow, Menu, ModifierGroup, ModifierKind, ModifierOption, Names, open_at
from core.merchants import Customer, Merchant
from core.orders.promos import Promo

KREMS = Path(__file__).resolve().parents[2] / "assets" / "demo" / "krems.json"
VIENNA = ZoneInfo("Europe/Vienna")


def demo() -> dict:
    return json.loads(KREMS.read_text("utf-8"))


def pizza_menu() -> Menu:
    return Menu.model_validate(demo()["merchants"][0]["menu"])


def at(day: int, hour: int, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    """March 2025: the 10th is a Monday, so `day` is also the ISO weekday for 10..16."""
    return datetime(2025, 3, 9 + day, hour, minute, second, micro, tzinfo=VIENNA)


# --- demo data -------------------------------------------------------------------------------------------------


def test_demo_merchants_menus_and_promos_validate():
    data = demo()
    assert [e["merchant"]["id"] for e in data["merchants"]] == ["pizzeria-donau", "wachau-bowls", "krems-burger"]
    for entry in data["merchants"]:
        merchant = Merchant.model_validate(entry["merchant"])
        menu = Menu.model_validate(entry["menu"])
        assert menu.merchant_id == merchant.id and menu.currency == merchant.currency == "EUR"
        assert merchant.tz.key == "Europe/Vienna"
    assert {Promo.model_validate(p).code for p in data["promos"]} == {"WELCOME10", "DONAU5"}


def test_demo_customers_validate_with_e164_phones():
    customers = [Customer.model_validate(c) for c in demo()["customers"]]
    assert all(c.phone and c.phone.startswith("+") and " " not in c.phone for c in customers)
    assert customers[0].phone == "+436641234567"
    assert [c.id for c in customers if c.vip] == ["cust-lucia"]


# --- validation --------------------------------------------------------------------------------------------------


def test_menu_references_are_checked():
    raw = demo()["merchants"][0]["menu"]
    dup = copy.deepcopy(raw)
    dup["items"].append(copy.deepcopy(dup["items"][0]))
    with pytest.raises(ValidationError, match="duplicate item id"):
        Menu.model_validate(dup)
    bad_category = copy.deepcopy(raw)
    bad_category["items"][0]["category_id"] = "soups"
    with pytest.raises(ValidationError, match="unknown category"):
        Menu.model_validate(bad_category)
    bad_group = copy.deepcopy(raw)
    bad_group["items"][0]["modifier_group_ids"] = ["sauces"]
    with pytest.raises(ValidationError, match="unknown modifier groups"):
        Menu.model_validate(bad_group)


def test_group_bounds_and_prices_are_checked():
    with pytest.raises(ValidationError):
        ModifierGroup(id="g", name="G", min_choices=2, max_choices=1)
    with pytest.raises(ValidationError):
        ModifierOption(id="o", name="O", price=D("-1"))
    with pytest.raises(ValidationError):
        AvailabilityWindow(days=frozenset({0, 1}))
    with pytest.raises(ValidationError):
        AvailabilityWindow(days=frozenset())


# --- look-ups ---------------------------------------------------------------------------------------------------


def test_lookups():
    menu = pizza_menu()
    assert menu.item("margherita").variant("large").price == D("13.00")
    assert menu.item("margherita").variant("xxl") is None and menu.item("nope") is None
    assert [g.id for g in menu.groups_of(menu.item("margherita"))] == ["toppings", "crust"]
    group, option = menu.find_option(menu.item("margherita"), "thin")
    assert (group.id, option.name) == ("crust", "Thin crust")
    assert menu.find_option(menu.item("calzone"), "thin") is None  # calzone has no crust group
    assert menu.category("desserts").name_in("de") == "Nachspeisen"
    assert menu.category("desserts").name_in("fr") == "Desserts"
    assert Names(name="Water").name_in(None) == "Water"


def test_copies_keep_their_index_in_step():
    """The memory ledger mutates stock through item(); a copied menu must index its own items."""
    menu = pizza_menu()
    for clone in (copy.deepcopy(menu), menu.model_copy(deep=True)):
        clone.item("tiramisu").stock = 1
        assert next(i for i in clone.items if i.id == "tiramisu").stock == 1
        assert menu.item("tiramisu").stock == 12


def test_modifier_prices_by_kind():
    plain = ModifierOption(id="m", name="Mushrooms", price=D("1.50"))
    priced = ModifierOption(id="c", name="Cheese", price=D("1.50"), extra_price=D("2.00"))
    assert plain.price_for(ModifierKind.ADD) == plain.price_for(ModifierKind.LIGHT) == D("1.50")
    assert plain.price_for(ModifierKind.EXTRA) == D("3.00")
    assert priced.price_for(ModifierKind.EXTRA) == D("2.00")
    assert plain.sellable
    assert not ModifierOption(id="x", name="X", stock=0).sellable
    assert not ModifierOption(id="x", name="X", available=False).sellable


# --- availability ---------------------------------------------------------------------------------------------


def test_window_within_a_day():
    lunch = AvailabilityWindow(days=frozenset({1, 2, 3, 4, 5}), start=time(11, 30), end=time(14))
    assert lunch.contains(at(3, 11, 30)) and lunch.contains(at(3, 14, 0))
    assert not lunch.contains(at(3, 11, 29)) and not lunch.contains(at(3, 14, 1))
    assert not lunch.contains(at(6, 12))  # Saturday


def test_window_across_midnight():
    friday_night = AvailabilityWindow(days=frozenset({5}), start=time(18), end=time(2))
    assert friday_night.contains(at(5, 23))
    assert friday_night.contains(at(6, 1, 59))  # Saturday small hours belong to Friday night
    assert not friday_night.contains(at(6, 3))
    assert not friday_night.contains(at(5, 1))  # Thursday night is not open
    assert not friday_night.contains(at(6, 19))
    sunday_night = AvailabilityWindow(days=frozenset({7}), start=time(20), end=time(1))
    assert sunday_night.contains(at(1, 0, 30))  # Monday 00:30 wraps back to Sunday


def test_all_day_window_covers_the_last_second():
    weekend = AvailabilityWindow(days=frozenset({6, 7}))
    assert weekend.contains(at(6, 0, 0))
    assert weekend.contains(at(6, 23, 59, 59, 999_999))
    assert not weekend.contains(at(5, 23, 59, 59, 999_999))


def test_window_uses_local_time():
    lunch = AvailabilityWindow(start=time(12), end=time(13))
    utc_noon = datetime(2025, 3, 12, 11, 30, tzinfo=ZoneInfo("UTC"))  # 12:30 in Vienna
    assert lunch.contains(utc_noon.astimezone(VIENNA))


def test_open_at():
    assert open_at([], at(3, 4))
    windows = [AvailabilityWindow(start=time(11), end=time(14)), AvailabilityWindow(start=time(17), end=time(22))]
    assert open_at(windows, at(3, 12)) and open_at(windows, at(3, 18))
    assert not open_at(windows, at(3, 15))


def test_is_available_combines_item_category_and_86():
    menu = pizza_menu()
    item = menu.item("tiramisu")
    assert menu.is_available(item, at(3, 12))
    menu.category("desserts").availability = [AvailabilityWindow(start=time(17), end=time(23))]
    assert not menu.is_available(item, at(3, 12)) and menu.is_available(item, at(3, 18))
    item.availability = [AvailabilityWindow(days=frozenset({6, 7}))]
    assert not menu.is_available(item, at(3, 18)) and menu.is_available(item, at(6, 18))
    item.available = False
    assert not menu.is_available(item, at(6, 18))
