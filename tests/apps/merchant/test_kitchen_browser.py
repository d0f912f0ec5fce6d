"""A dinner rush on the kitchen tablet, in Chromium: orders placed through the API appear with the alert, are
accepted, bumped item by item, marked ready, recalled and handed over; an 86 is refused on the API; the server
goes away and the kitchen keeps bumping, then everything syncs exactly once; hours edited on the tablet, a line
bump and a busy pause take effect on the server for every channel and tablet. Screenshots land in
test-artifacts/screenshots/."""
from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo
from typing import Any

import pytest

from tests.apps.harness import Browser, FletApp, FletPage
from tests.apps.merchant.conftest import MERCHANT, OWNER, STAFF, Kitchen

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("merchant-browser")]
# The promise: a placed order is on the tablet, alerting, within 2 s.
ALERT_DEADLINE = float(os.environ.get("MEALKITZ_ALERT_DEADLINE", "2.0"))
# A large landscape tablet: Flutter only puts on-screen cards in the semantics tree, so the rush must fit.
VIEWPORT = (1920, 1600)

BURGERS = {"item_id": "burger", "quantity": 2, "instructions": "well done",
           "modifiers": [{"option_id": "cheese", "kind": "add"}, {"option_id": "onion", "kind": "remove"}]}
SALAD = {"item_id": "caesar", "quantity": 1}
STEAK = {"item_id": "steak", "quantity": 1}
LEMONADE = {"item_id": "lemonade", "quantity": 2}


def eventually(check: Callable[[], Any], timeout: float = 15.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what} (last: {value!r})")
        time.sleep(0.1)


def line(number: int, text: str, done: bool = False) -> re.Pattern[str]:
    """A card line by its accessible name (a tappable line's node also carries its modifiers after a newline)."""
    return re.compile("^" + re.escape(f"Order {number}: {text}" + (", done" if done else "")) + r"($|\n)")


def actions_of(kitchen: Kitchen, order_id: str) -> list[str]:
    return [e["action"] for e in kitchen.events(order_id)]


@pytest.fixture
def tablet(kitchen: Kitchen, request: pytest.FixtureRequest) -> Iterator[FletApp]:
    app = kitchen.app(request.node.name).start()
    yield app
    app.stop()


def sign_in_owner(page: FletPage) -> None:
    page.fill("Email", OWNER["email"])
    page.fill("Password", OWNER["password"])
    page.click_button("Sign in")
    page.wait_for("Kitchen", role="button", timeout=20)


def sign_in_staff_with_pin(page: FletPage) -> None:
    for digit in STAFF["pin"]:
        page.click_button(f"PIN key {digit}")
    page.click_button("PIN key OK")
    page.wait_for("Kitchen", role="button", timeout=20)


def test_dinner_rush(kitchen: Kitchen, tablet: FletApp, flet_browser: Browser) -> None:
    page = flet_browser.open(tablet.url, viewport=VIEWPORT)
    page.wait_for("Sign in", role="button", timeout=30)
    page.screenshot("01-sign-in")
    sign_in_owner(page)

    # An order placed through the API is on the tablet, alerting, within 2 s.
    placed_at = time.monotonic()
    first = kitchen.place([BURGERS, SALAD], instructions="Peanut allergy!").json()
    page.wait_for(f"Order {first['number']}, New", timeout=10)
    page.wait_for("New order alert: 1 waiting", timeout=5)
    latency = time.monotonic() - placed_at
    assert latency < ALERT_DEADLINE, f"order showed after {latency:.2f} s"
    page.wait_for(f"Allergy warning on order {first['number']}: Peanut allergy!")
    page.wait_for(re.compile(r"^sounds played [1-9]"), timeout=15)  # the sound really played in Chromium
    page.screenshot("02-new-order-alert")

    # The rush: two more orders; acknowledge silences the alert.
    second = kitchen.place([STEAK, LEMONADE]).json()
    third = kitchen.place([SALAD]).json()
    page.wait_for("New order alert: 3 waiting", timeout=10)
    page.click_button("Acknowledge")
    page.wait_gone(re.compile(r"^New order alert"), timeout=5)

    # Accept with a quick pick, with a custom time, and reject with a reason.
    n1, n2, n3 = first["number"], second["number"], third["number"]
    # (Each tap moves cards; wait for the board to show it before the next tap, as a cook's eyes would.)
    page.click_button(f"Accept order {n1} in 15 minutes")
    page.wait_for(f"Order {n1}, Preparing")
    page.click_button(f"Custom prep time for order {n2}")
    page.click_button(f"Five minutes more for order {n2}")
    page.click_button(f"Accept order {n2} in 20 minutes")
    page.wait_for(f"Order {n2}, Preparing")
    page.click_button(f"Reject order {n3}")
    page.click_button(f"Reject order {n3}: Too busy")
    page.wait_gone(f"Order {n3}, New")
    eventually(lambda: kitchen.order(first["id"])["status"] == "accepted", what="order 1 accepted")
    assert kitchen.order(second["id"])["prep_minutes"] == 20
    eventually(lambda: kitchen.order(third["id"])["status"] == "rejected", what="order 3 rejected")
    assert kitchen.events(third["id"])[-1]["reason"] == "Too busy"

    # Bump single items: the first starts the order, the last marks it ready.
    page.click(line(n1, "2 × Burger"))
    eventually(lambda: kitchen.order(first["id"])["status"] == "preparing", what="order 1 preparing")
    page.wait_for(line(n1, "2 × Burger", done=True))
    page.screenshot("03-kitchen-display")
    page.click_button("Station GRILL")
    page.wait_for(line(n2, "1 × Steak"))
    page.wait_gone(line(n1, "1 × Caesar salad"))
    page.screenshot("04-station-grill")
    page.click_button("Station All")
    page.click(line(n1, "1 × Caesar salad"))
    eventually(lambda: kitchen.order(first["id"])["status"] == "ready", what="order 1 ready")

    # Recall the bumped order, ready it again with the big button, hand it over.
    page.tap_until(f"Recall order {n1}", lambda: kitchen.order(first["id"])["status"] == "preparing",
                   what="order 1 recalled")
    page.wait_for(f"Order {n1}, Preparing")
    page.tap_until(f"Mark order {n1} ready", lambda: kitchen.order(first["id"])["status"] == "ready",
                   what="order 1 ready again")
    page.wait_for(f"Order {n1}, Ready")
    page.tap_until(f"Hand over order {n1}", lambda: kitchen.order(first["id"])["status"] == "delivered",
                   what="order 1 handed over")
    assert actions_of(kitchen, first["id"]) == ["place", "accept", "start", "ready", "recall", "ready", "hand_over"]

    # 86 the salad from the tablet: the API refuses a new order for it on every channel at once.
    page.open_screen("Stock", shows="86 Caesar salad")
    page.click_button("86 Caesar salad")
    eventually(lambda: kitchen.stock("item:caesar")["available"] is False, what="caesar 86'd on the server")
    refused = kitchen.place([SALAD])
    assert refused.status_code in (409, 422), refused.text
    assert refused.json()["code"] in ("item_unavailable", "cart_invalid") or any(
        e.get("code") == "item_unavailable" for e in refused.json().get("errors", []))
    page.wait_for("Bring back Caesar salad", role="button")
    page.screenshot("05-stock-86")

    page.open_screen("Today", shows="Orders: 3")
    page.screenshot("06-today-history")

    page.open_screen("Settings", shows="Dark")
    page.click_button("Dark")
    page.open_screen("Kitchen", shows=f"Order {n2}, Preparing")
    page.screenshot("07-kitchen-dark")
    page.open_screen("Settings", shows="Español")
    page.click_button("Español")
    page.click_button("Cocina")
    page.wait_for(f"Pedido {n2}, En preparación")
    page.screenshot("08-kitchen-spanish")
    page.click_button("Ajustes")
    page.click_button("English")
    page.click_button("Light")


def test_server_stops_staff_keep_bumping_everything_syncs_once(kitchen: Kitchen, tablet: FletApp,
                                                               flet_browser: Browser) -> None:
    kitchen.set_count("item:caesar", 8)
    with kitchen.http() as client:  # bring the salad back after the rush test's 86
        client.patch(f"/merchants/{MERCHANT}/stock", headers=kitchen.admin,
                     json={"key": "item:caesar", "available": True})
    page = flet_browser.open(tablet.url, viewport=VIEWPORT)
    page.wait_for("PIN key OK", role="button", timeout=30)
    sign_in_staff_with_pin(page)
    orders = [kitchen.place([BURGERS, SALAD]).json(), kitchen.place([STEAK]).json()]
    a, b = orders
    for o in orders:
        page.click_button(f"Accept order {o['number']} in 15 minutes", timeout=15)
        page.wait_for(f"Order {o['number']}, Preparing")
    for o in orders:
        eventually(lambda o=o: kitchen.order(o["id"])["status"] == "accepted", what=f"order {o['number']} accepted")

    kitchen.server.stop()
    page.click(line(a['number'], "2 × Burger"))
    page.wait_for(line(a['number'], "2 × Burger", done=True))
    page.click(line(a['number'], "1 × Caesar salad"))
    page.wait_for(f"Order {a['number']}, Ready")
    page.click_button(f"Mark order {b['number']} ready")
    page.wait_for(f"Order {b['number']}, Ready")
    page.click_button(f"Hand over order {b['number']}", timeout=15)
    page.wait_for(f"Order {b['number']}, Handed over")
    page.wait_for("Offline", timeout=30)
    page.wait_for(f"Order {a['number']} waiting to sync")
    page.wait_for(re.compile(r"^\d+ changes waiting to sync$"))
    page.screenshot("09-offline-waiting-to-sync")

    kitchen.server.start()
    page.wait_gone(re.compile(r"changes waiting to sync$"), timeout=60)
    page.wait_for("Online", timeout=30)
    assert kitchen.order(a["id"])["status"] == "ready"
    assert kitchen.order(b["id"])["status"] == "delivered"
    assert actions_of(kitchen, a["id"]) == ["place", "accept", "start", "ready"]
    assert actions_of(kitchen, b["id"]) == ["place", "accept", "ready", "hand_over"]
    page.screenshot("10-back-online-synced")


def test_a_conflict_comes_back_with_the_servers_reason(kitchen: Kitchen, flet_browser: Browser) -> None:
    """The tablet loses its network (a proxy refuses everything), accepts an order the customer has meanwhile
    cancelled, and shows the server's refusal when it is back. (No live feed through the proxy: the tablet
    finds orders by its periodic pull.)"""
    from tests.apps.client.proxy import FaultProxy

    proxy = FaultProxy(kitchen.server.base_url, faulty_paths=("/",)).start()
    app = FletApp(["-m", "apps.merchant", "--server", proxy.base_url, "--merchant", MERCHANT,
                   "--data-dir", str(kitchen.tmp / "conflict")], log_path=kitchen.tmp / "conflict.log").start()
    try:
        page = flet_browser.open(app.url, viewport=VIEWPORT)
        page.wait_for("Sign in", role="button", timeout=30)
        sign_in_owner(page)
        order = kitchen.place([STEAK]).json()
        page.wait_for(f"Order {order['number']}, New", timeout=30)

        proxy.offline = True
        with kitchen.http() as client:
            response = client.post(f"/orders/{order['id']}/transitions", headers=kitchen.customer,
                                   json={"action": "cancel", "reason": "changed my mind"})
            assert response.status_code == 200, response.text
        page.click_button(f"Accept order {order['number']} in 10 minutes")
        page.wait_for(f"Order {order['number']} waiting to sync", timeout=10)

        proxy.heal()
        conflict = page.wait_for(re.compile(r"^Sync conflict: cannot accept an order that is cancelled"), timeout=60)
        assert conflict is not None
        page.screenshot("11-sync-conflict")
        assert kitchen.order(order["id"])["status"] == "cancelled"
        assert actions_of(kitchen, order["id"]) == ["place", "cancel"]
        page.click_button("Dismiss sync conflict")
        page.wait_gone(re.compile(r"^Sync conflict"), timeout=10)
    finally:
        app.stop()
        proxy.stop()


def test_hours_bumps_and_busy_mode_are_kitchen_state_on_the_server(kitchen: Kitchen, tablet: FletApp,
                                                                   flet_browser: Browser) -> None:
    """What one tablet sets, the server enforces and every other tablet loads: a line bump (checked on the queue a
    second tablet would load), new hours for an item (an order outside them is refused), and a pause (refused,
    then resumed)."""
    page = flet_browser.open(tablet.url, viewport=VIEWPORT)
    page.wait_for("Sign in", role="button", timeout=30)
    sign_in_owner(page)
    order = kitchen.place([STEAK, LEMONADE]).json()
    n = order["number"]
    page.click_button(f"Accept order {n} in 15 minutes", timeout=15)
    page.wait_for(f"Order {n}, Preparing")
    page.click(line(n, "1 × Steak"))
    page.wait_for(line(n, "1 × Steak", done=True))
    eventually(lambda: kitchen.queue_entry(order["id"])["bumped_lines"] == [0], what="the bump on the server")
    assert kitchen.order(order["id"])["status"] == "preparing"

    # Lemonade only on a day that is neither today nor yesterday in Krems: outside its window right now.
    other_day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[
        (datetime.now(ZoneInfo("Europe/Vienna")).isoweekday() + 2) % 7]
    assert kitchen.place([LEMONADE]).status_code == 201
    page.open_screen("Stock", shows="Save hours of Lemonade")
    page.fill("Hours of Lemonade", f"{other_day} 10:00-11:00")
    page.click_button("Save hours of Lemonade")
    refused = eventually(lambda: (r := kitchen.place([LEMONADE])).status_code == 422 and r, what="lemonade refused")
    assert "item_unavailable" in {refused.json()["code"], *(e["code"] for e in refused.json().get("errors", []))}
    page.wait_gone("Hours of Lemonade waiting to sync", timeout=30)  # synced: the row is redrawn no more
    page.screenshot("12-stock-hours")
    page.fill("Hours of Lemonade", "00:00-23:59")  # (an emptied field loses its label in Flutter's semantics)
    page.click_button("Save hours of Lemonade")
    eventually(lambda: kitchen.place([LEMONADE]).status_code == 201, what="lemonade available again")

    page.open_screen("Settings", shows="Pause new orders 15 min")
    page.click_button("Pause new orders 15 min")
    page.wait_for(re.compile(r"^New orders paused"))
    paused = eventually(lambda: (r := kitchen.place([STEAK])).status_code == 422 and r, what="orders paused")
    assert paused.json()["code"] == "merchant_paused", paused.text
    page.screenshot("13-busy-paused")
    page.click_button("Resume normal service")
    page.wait_for("Normal service")
    eventually(lambda: kitchen.place([STEAK]).status_code == 201, what="orders resumed")
