"""Fixtures for the order core: the Krems demo merchants, menus, promos and customers, fresh per test.

Each fixture re-validates the demo JSON, so a test may mutate a menu (86 an item, set stock) without
leaking into other tests.
"""
from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core.geo import GeoPoint
from core.menu import Menu
from core.merchants import Address, Customer, Merchant
from core.orders.cart import Cart, CartLine, Fulfilment, FulfilmentType, LineModifier, RequestedTime
from core.orders.memory import MemoryState, MemoryUnitOfWork
from core.orders.promos import Promo

KREMS = Path(__file__).resolve().parents[3] / "assets" / "demo" / "krems.json"
VIENNA = ZoneInfo("Europe/Vienna")
# A Wednesday lunchtime: every demo merchant is open.
NOW = datetime(2025, 3, 12, 12, 0, tzinfo=VIENNA)


@lru_cache(maxsize=1)
def _raw_text() -> str:
    return KREMS.read_text(encoding="utf-8")


def krems() -> dict[str, Any]:
    """A fresh copy of the demo data as plain JSON values."""
    return json.loads(_raw_text())


def _entry(merchant_id: str) -> dict[str, Any]:
    return next(e for e in krems()["merchants"] if e["merchant"]["id"] == merchant_id)


def merchant_of(merchant_id: str, **changes: Any) -> Merchant:
    raw = _entry(merchant_id)["merchant"]
    raw.update(changes)
    return Merchant.model_validate(raw)


def menu_of(merchant_id: str) -> Menu:
    return Menu.model_validate(_entry(merchant_id)["menu"])


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def pizzeria() -> Merchant:
    return merchant_of("pizzeria-donau")


@pytest.fixture
def pizza_menu() -> Menu:
    return menu_of("pizzeria-donau")


@pytest.fixture
def bowls() -> Merchant:
    return merchant_of("wachau-bowls")


@pytest.fixture
def bowls_menu() -> Menu:
    return menu_of("wachau-bowls")


@pytest.fixture
def burger() -> Merchant:
    return merchant_of("krems-burger")


@pytest.fixture
def burger_menu() -> Menu:
    return menu_of("krems-burger")


@pytest.fixture
def demo_promos() -> dict[str, Promo]:
    return {p["code"]: Promo.model_validate(p) for p in krems()["promos"]}


@pytest.fixture
def demo_customers() -> dict[str, Customer]:
    return {c["id"]: Customer.model_validate(c) for c in krems()["customers"]}


@pytest.fixture
def anna_address(demo_customers: dict[str, Customer]) -> Address:
    """About 0.6 km east of Pizzeria Donau."""
    return demo_customers["cust-anna"].addresses[0]


@pytest.fixture
def state(demo_promos: dict[str, Promo], demo_customers: dict[str, Customer]) -> MemoryState:
    """A memory 'database' holding all of the Krems demo."""
    st = MemoryState()
    for entry in krems()["merchants"]:
        merchant = Merchant.model_validate(entry["merchant"])
        st.merchants[merchant.id] = merchant
        st.menus[merchant.id] = Menu.model_validate(entry["menu"])
    st.promos.update(demo_promos)
    st.customers.update(demo_customers)
    return st


@pytest.fixture
def uow(state: MemoryState) -> MemoryUnitOfWork:
    return MemoryUnitOfWork(state)


def mod(option_id: str, kind: str = "add", portion: str = "whole") -> LineModifier:
    return LineModifier(option_id=option_id, kind=kind, portion=portion)


def line(item_id: str, variant_id: str | None = None, quantity: int = 1, *mods: LineModifier) -> CartLine:
    return CartLine(item_id=item_id, variant_id=variant_id, quantity=quantity, modifiers=list(mods))


def delivery_to(address: Address | None) -> Fulfilment:
    return Fulfilment(type=FulfilmentType.DELIVERY, address=address)


def address_at(lat: float, lon: float, line1: str = "Test street 1") -> Address:
    return Address(line1=line1, location=GeoPoint(lat=lat, lon=lon))


def make_cart(merchant_id: str, *lines: CartLine, **fields: Any) -> Cart:
    return Cart(merchant_id=merchant_id, lines=list(lines), **fields)


def slot_at(start: datetime, end: datetime | None = None) -> RequestedTime:
    return RequestedTime(slot_start=start, slot_end=end)


@pytest.fixture
def build() -> SimpleNamespace:
    """Cart builders as a fixture, so test modules need not import from conftest."""
    return SimpleNamespace(mod=mod, line=line, cart=make_cart, delivery_to=delivery_to, address_at=address_at,
                           slot_at=slot_at, merchant_of=merchant_of, menu_of=menu_of, krems=krems)
