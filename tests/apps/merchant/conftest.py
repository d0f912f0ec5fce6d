"""A kitchen for the merchant app's browser tests: a live server with an always-open merchant whose menu has
stations, modifiers, allergens and counted stock; an owner, a staff member with a PIN, and a customer."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.apps.harness import ARTIFACTS, FletApp, require_browser_stack
from tests.server.live_server import (
    LiveServer, admin_headers, always_open_merchant, prepare_database, register_customer,
)

MERCHANT = "rush-kitchen"
OWNER = {"email": "owner@rush-kitchen.local", "password": "owner-test-pass"}
STAFF = {"email": "line@rush-kitchen.local", "password": "staff-test-pass", "pin": "4321"}


def rush_menu() -> dict[str, Any]:
    """Stations (grill, cold, bar), a modifier group, a removable ingredient, allergens, and counted stock."""
    return {
        "merchant_id": MERCHANT, "currency": "EUR",
        "categories": [{"id": "mains", "name": "Mains"}, {"id": "salads", "name": "Salads"},
                       {"id": "drinks", "name": "Drinks"}],
        "modifier_groups": [{"id": "burger-extras", "name": "Extras", "max_choices": 3, "options": [
            {"id": "cheese", "name": "Cheese", "price": "1.00", "allergens": ["milk"]},
            {"id": "bacon", "name": "Bacon", "price": "1.50"}]}],
        "items": [
            {"id": "burger", "name": "Burger", "category_id": "mains", "price": "11.00", "station": "grill",
             "modifier_group_ids": ["burger-extras"], "ingredients": ["onion", "pickles"],
             "allergens": ["gluten", "sesame"]},
            {"id": "steak", "name": "Steak", "category_id": "mains", "price": "22.00", "station": "grill"},
            {"id": "caesar", "name": "Caesar salad", "category_id": "salads", "price": "9.50", "station": "cold",
             "allergens": ["egg", "fish"],
             "availability": [{"days": [1, 2, 3, 4, 5, 6, 7], "start": "00:00:00", "end": "23:59:59"}]},
            {"id": "lemonade", "name": "Lemonade", "category_id": "drinks", "price": "3.50", "station": "bar",
             "tax_category": "drinks"},
        ],
    }


@dataclass
class Kitchen:
    server: LiveServer
    admin: dict[str, str]
    customer: dict[str, str]
    tmp: Path

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.server.base_url, timeout=30.0)

    def place(self, lines: list[dict[str, Any]], instructions: str = "", key: str | None = None) -> httpx.Response:
        """A customer's pickup order, straight through the API (as the web shop or WhatsApp would)."""
        body = {"merchant_id": MERCHANT, "lines": lines, "fulfilment": {"type": "pickup"},
                "instructions": instructions}
        headers = {**self.customer, **({"Idempotency-Key": key} if key else {})}
        with self.http() as client:
            return client.post("/orders", json=body, headers=headers)

    def order(self, order_id: str) -> dict[str, Any]:
        with self.http() as client:
            response = client.get(f"/orders/{order_id}", headers=self.admin)
            response.raise_for_status()
            return response.json()

    def events(self, order_id: str) -> list[dict[str, Any]]:
        with self.http() as client:
            response = client.get(f"/orders/{order_id}/events", headers=self.admin)
            response.raise_for_status()
            return response.json()

    def stock(self, key: str) -> dict[str, Any]:
        with self.http() as client:
            rows = client.get(f"/merchants/{MERCHANT}/stock", headers=self.admin).json()
        return next(r for r in rows if r["key"] == key)

    def set_count(self, key: str, count: int) -> None:
        with self.http() as client:
            response = client.patch(f"/merchants/{MERCHANT}/stock", headers=self.admin,
                                    json={"key": key, "set_count": True, "count": count, "available": True})
            assert response.status_code == 200, response.text

    def queue_entry(self, order_id: str) -> dict[str, Any]:
        """The order as the kitchen queue shows it, with `bumped_lines` (what any tablet signing in now loads)."""
        with self.http() as client:
            response = client.get(f"/merchants/{MERCHANT}/queue", headers=self.admin)
            response.raise_for_status()
        return next(e for e in response.json() if e["order"]["id"] == order_id)

    def app(self, name: str) -> FletApp:
        """The merchant app on a free port with a fresh tablet store."""
        return FletApp(["-m", "apps.merchant", "--server", self.server.base_url, "--merchant", MERCHANT,
                        "--data-dir", str(self.tmp / name)], log_path=ARTIFACTS / "logs" / f"merchant-{name}.log")


@pytest.fixture(scope="module")
def kitchen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kitchen]:
    require_browser_stack()
    tmp = tmp_path_factory.mktemp("kitchen")
    url = f"sqlite:///{tmp / 'server.sqlite3'}"
    prepare_database(url)
    server = LiveServer(url, tmp / "server-data").start()
    try:
        with httpx.Client(base_url=server.base_url, timeout=30.0) as client:
            admin = admin_headers(client)
            merchant = {**always_open_merchant(MERCHANT), "name": "Rush Kitchen", "prep_minutes_default": 15}
            assert client.post("/merchants", json=merchant, headers=admin).status_code == 201
            response = client.put(f"/merchants/{MERCHANT}/menu", json=rush_menu(), headers=admin)
            assert response.status_code == 200, response.text
            for account, role in ((OWNER, "merchant_owner"), (STAFF, "merchant_staff")):
                response = client.post("/accounts", headers=admin, json={**account, "role": role,
                                                                         "merchant_id": MERCHANT})
                assert response.status_code == 201, response.text
            customer = register_customer(client)
        kitchen = Kitchen(server, admin, customer, tmp)
        kitchen.set_count("item:caesar", 8)
        yield kitchen
    finally:
        server.stop()
