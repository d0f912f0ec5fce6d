"""The audit's push bugs: whatever a device sends, each operation ends applied or rejected with a stable code,
the push answers 200, and the device's outbox moves on (it never resends the same failing batch for ever)."""
from __future__ import annotations

from sqlalchemy import text

from core.sync.hlc import Timestamp
from tests.server.conftest import Api, margherita_cart
from tests.server.devices import Device


def test_an_order_whose_id_is_taken_is_a_conflict_not_a_500(api: Api) -> None:
    placed = api.post("/orders", "anna", margherita_cart(fulfilment={"type": "pickup"}))
    assert placed.status_code == 201, placed.text
    phone = Device(api, "anna", "phone-1")
    clash = {**phone.op("order", "place", margherita_cart(fulfilment={"type": "pickup"})), "id": placed.json()["id"]}
    results = phone.push(clash, phone.op("profile", "set", {"fields": {"language": "es"}}))
    assert [(r["status"], r["code"]) for r in results] == [("rejected", "conflict"), ("acked", None)]
    assert phone.push(clash)[0]["code"] == "conflict"  # the same answer when it is sent again


def test_a_clock_from_far_in_the_future_is_refused_and_wins_nothing(api: Api) -> None:
    tablet = Device(api, "owner", "tablet-1")
    year_10000 = Timestamp(253_402_300_800_000, 0, "tablet-1")  # past 9999-12-31
    next_month = Timestamp(int(api.clock().timestamp() * 1000) + 30 * 86_400_000, 0, "tablet-1")
    results = tablet.push(
        tablet.op("busy", "set", {"merchant_id": "pizzeria-donau", "kind": "paused"}, hlc=year_10000),
        tablet.op("stock", "set_available", {"merchant_id": "pizzeria-donau", "key": "item:tiramisu",
                                             "available": False}, hlc=next_month),
        tablet.op("stock", "adjust", {"merchant_id": "pizzeria-donau", "key": "item:tiramisu", "delta": 1}),
    )
    assert [(r["status"], r["code"]) for r in results] == [("rejected", "clock_skew"), ("rejected", "clock_skew"),
                                                           ("acked", None)]
    stock = {r["key"]: r for r in api.get("/merchants/pizzeria-donau/stock", "staff").json()}
    assert stock["item:tiramisu"]["available"] is True
    # The kitchen's own 86 by REST still works, stamped by the server's clock.
    assert api.patch("/merchants/pizzeria-donau/stock", "staff",
                     {"key": "item:tiramisu", "available": False}).json()["available"] is False


def test_a_phone_another_customer_has_is_profile_data_not_a_collision(api: Api) -> None:
    """Typing someone else's phone neither fails (a unique violation was a 500 for the whole push) nor takes
    over their WhatsApp identity."""
    anna = api.get("/customers/me", "anna").json()
    phone = Device(api, "lucia", "phone-9")
    result = phone.push(phone.op("profile", "set", {"fields": {"phone": anna["phone"]}}))[0]
    assert result["status"] == "acked" and result["result"]["phone"] == anna["phone"]
    register = api.client.post("/auth/register", json={"name": "Mallory", "email": "mallory@example.com",
                                                       "password": "long-enough-pw", "phone": anna["phone"]})
    assert register.status_code == 201, register.text
    with api.services.connection() as conn:
        holders = conn.execute(text("SELECT id FROM customers WHERE phone = :p"), {"p": anna["phone"]}).all()
    assert [h.id for h in holders] == ["cust-anna"]
