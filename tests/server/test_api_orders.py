"""Orders over HTTP: placing with idempotency, validation problems, transitions, scoping, queue, stock."""
from __future__ import annotations

from datetime import timedelta

from tests.server.conftest import Api, margherita_cart


def place(api: Api, who: str = "anna", key: str | None = None, **overrides) -> dict:  # type: ignore[no-untyped-def]
    headers = {"Idempotency-Key": key} if key else {}
    response = api.post("/orders", who, margherita_cart(**overrides), **headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_place_order_prices_it_and_records_the_first_event(api: Api) -> None:
    order = place(api)
    quote = order["quote"]
    # 2 × (large 13.00 + extra mushrooms 3.00) + coke can 2.80; 0.606 km → first fee band 1.90; tip 2.00
    assert quote["subtotal"] == "34.80"
    assert quote["delivery_fee"] == "1.90"
    assert quote["total"] == "38.70"
    # inclusive tax: 32.00 × 10/110 = 2.91 and 2.80 × 20/120 = 0.47 on lines, 1.90 × 20/120 = 0.32 on the fee
    assert quote["tax"] == "3.70"
    assert order["status"] == "placed"
    assert order["customer_id"] == "cust-anna"
    assert order["number"] == 1
    assert [e["to_status"] for e in order["events"]] == ["placed"]
    assert order["allowed_actions"] == ["cancel"]


def test_same_idempotency_key_and_body_returns_the_same_order(api: Api) -> None:
    first = place(api, key="order-1")
    again = api.post("/orders", "anna", margherita_cart(), **{"Idempotency-Key": "order-1"})
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first["id"]
    listed = api.get("/orders", "anna").json()["items"]
    assert [o["id"] for o in listed] == [first["id"]]


def test_same_idempotency_key_with_another_body_is_a_conflict(api: Api) -> None:
    place(api, key="order-1")
    response = api.post("/orders", "anna", margherita_cart(tip="5.00"), **{"Idempotency-Key": "order-1"})
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "idempotency_key_reused"
    assert len(api.get("/orders", "anna").json()["items"]) == 1


def test_idempotency_keys_are_per_account(api: Api) -> None:
    a = place(api, "anna", key="same")
    b = place(api, "lucia", key="same")
    assert a["id"] != b["id"]


def test_every_problem_of_a_cart_comes_back_with_its_code_and_line(api: Api) -> None:
    cart = margherita_cart(lines=[
        {"item_id": "margherita", "quantity": 1},
        {"item_id": "no-such-dish", "quantity": 1},
        {"item_id": "build_bowl", "quantity": 1},
    ])
    response = api.post("/quotes", "anna", cart)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "variant_required"
    assert {(e["code"], e.get("line")) for e in body["errors"]} == {("variant_required", 0), ("unknown_item", 1),
                                                                    ("unknown_item", 2)}


def test_outside_zone_and_min_order_value(api: Api) -> None:
    far = {"type": "delivery", "address": {"line1": "Melk", "location": {"lat": 48.2275, "lon": 15.3317}}}
    response = api.post("/quotes", "anna", margherita_cart(fulfilment=far))
    assert response.json()["code"] == "outside_delivery_zone"
    small = margherita_cart(lines=[{"item_id": "water", "quantity": 1}], fulfilment={"type": "pickup"})
    response = api.post("/quotes", "anna", small)
    assert response.status_code == 422 and response.json()["code"] == "min_order_value"


def test_quote_places_nothing(api: Api) -> None:
    response = api.post("/quotes", "anna", margherita_cart())
    assert response.status_code == 200 and response.json()["total"] == "38.70"
    assert api.get("/orders", "anna").json()["items"] == []


def test_kitchen_flow_with_audit_trail(api: Api) -> None:
    order = place(api)
    path = f"/orders/{order['id']}/transitions"
    accepted = api.post(path, "staff", {"action": "accept", "prep_minutes": 20}).json()
    assert accepted["status"] == "accepted" and accepted["prep_minutes"] == 20
    for action, status in [("start", "preparing"), ("ready", "ready"), ("pick_up", "picked_up")]:
        api.clock.now += timedelta(minutes=5)
        response = api.post(path, "staff" if action != "pick_up" else "admin", {"action": action})
        assert response.status_code == 200, response.text
        assert response.json()["status"] == status
    events = api.get(f"/orders/{order['id']}/events", "anna").json()
    assert [(e["from_status"], e["to_status"]) for e in events] == [
        (None, "placed"), ("placed", "accepted"), ("accepted", "preparing"), ("preparing", "ready"),
        ("ready", "picked_up")]
    assert events[1]["actor"]["role"] == "merchant_staff" and events[1]["data"]["prep_minutes"] == 20


def test_customer_may_cancel_only_before_acceptance(api: Api) -> None:
    first = place(api)
    response = api.post(f"/orders/{first['id']}/transitions", "anna", {"action": "cancel", "reason": "changed mind"})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    second = place(api)
    api.post(f"/orders/{second['id']}/transitions", "staff", {"action": "accept", "prep_minutes": 10})
    response = api.post(f"/orders/{second['id']}/transitions", "anna", {"action": "cancel", "reason": "late"})
    assert response.status_code == 403 and response.json()["code"] == "transition_forbidden"


def test_illegal_move_names_the_state(api: Api) -> None:
    order = place(api)
    response = api.post(f"/orders/{order['id']}/transitions", "staff", {"action": "deliver"})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "invalid_transition" and body["from"] == "placed" and body["action"] == "deliver"
    response = api.post(f"/orders/{order['id']}/transitions", "staff", {"action": "reject"})
    assert response.status_code == 422 and response.json()["code"] == "reason_required"


def test_merchants_see_only_their_own_orders(api: Api) -> None:
    order = place(api)
    assert api.get(f"/orders/{order['id']}", "staff").status_code == 200
    response = api.get(f"/orders/{order['id']}", "bowls_owner")
    assert response.status_code == 404 and response.json()["code"] == "order_not_found"
    assert api.get("/orders", "bowls_owner").json()["items"] == []
    response = api.get("/orders", "bowls_owner", merchant_id="pizzeria-donau")
    assert response.status_code == 403
    assert api.get(f"/orders/{order['id']}", "lucia").status_code == 404
    moved = api.post(f"/orders/{order['id']}/transitions", "bowls_owner", {"action": "accept", "prep_minutes": 5})
    assert moved.status_code == 404


def test_list_filters_and_pages(api: Api) -> None:
    ids = []
    for minute in range(5):
        api.clock.now += timedelta(minutes=1)
        ids.append(place(api)["id"])
    api.post(f"/orders/{ids[0]}/transitions", "staff", {"action": "reject", "reason": "oven broken"})
    page1 = api.get("/orders", "staff", limit=2).json()
    page2 = api.get("/orders", "staff", limit=2, cursor=page1["next_cursor"]).json()
    page3 = api.get("/orders", "staff", limit=2, cursor=page2["next_cursor"]).json()
    seen = [o["id"] for p in (page1, page2, page3) for o in p["items"]]
    assert seen == list(reversed(ids)) and page3["next_cursor"] is None
    rejected = api.get("/orders", "staff", status="rejected").json()["items"]
    assert [o["id"] for o in rejected] == [ids[0]]
    bad = api.get("/orders", "staff", cursor="not-a-cursor")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_input"


def test_stock_is_reserved_on_placement_and_released_on_rejection(api: Api) -> None:
    api.patch("/merchants/pizzeria-donau/stock", "staff", {"key": "item:tiramisu", "set_count": True, "count": 3})
    cart = margherita_cart(lines=[{"item_id": "tiramisu", "quantity": 2}, {"item_id": "calzone", "quantity": 1}])
    order = place(api, lines=cart["lines"])
    stock = {r["key"]: r for r in api.get("/merchants/pizzeria-donau/stock", "staff").json()}
    assert stock["item:tiramisu"]["count"] == 1
    response = api.post("/orders", "lucia", margherita_cart(lines=cart["lines"]))
    assert response.status_code in (409, 422) and response.json()["code"] == "out_of_stock"
    api.post(f"/orders/{order['id']}/transitions", "staff", {"action": "reject", "reason": "closing early"})
    stock = {r["key"]: r for r in api.get("/merchants/pizzeria-donau/stock", "staff").json()}
    assert stock["item:tiramisu"]["count"] == 3


def test_an_86d_item_is_refused_at_once(api: Api) -> None:
    response = api.patch("/merchants/pizzeria-donau/stock", "staff", {"key": "item:margherita", "available": False})
    assert response.status_code == 200 and response.json()["available"] is False
    response = api.post("/orders", "anna", margherita_cart())
    assert response.status_code == 422 and response.json()["code"] == "item_unavailable"
    menu = api.get("/merchants/pizzeria-donau/menu", "anna").json()
    assert next(i for i in menu["items"] if i["id"] == "margherita")["available"] is False
    api.patch("/merchants/pizzeria-donau/stock", "staff", {"key": "item:margherita", "available": True})
    place(api)


def test_promo_usage_limit(api: Api) -> None:
    api.post("/merchants/pizzeria-donau/promos", "owner",
             {"code": "once", "kind": "fixed", "value": "3.00", "max_uses": 1})
    first = place(api, promo_code="ONCE")
    assert first["quote"]["discount"] == "3.00" and first["quote"]["total"] == "35.70"
    response = api.post("/orders", "lucia", margherita_cart(promo_code="once"))
    assert response.status_code == 409 and response.json()["code"] == "promo_exhausted"


def test_queue_puts_the_most_urgent_first(api: Api) -> None:
    older = place(api)
    api.clock.now += timedelta(minutes=25)
    newer = place(api, "lucia")  # Lucía is a VIP, but the older order is already late
    queue = api.get("/merchants/pizzeria-donau/queue", "staff").json()
    assert [e["order"]["id"] for e in queue] == [older["id"], newer["id"]]
    assert any(r.startswith("late by") for r in queue[0]["priority"]["reasons"])
    assert "VIP" in queue[1]["priority"]["reasons"]
    assert api.get("/merchants/pizzeria-donau/queue", "anna").status_code == 403
    assert api.get("/merchants/pizzeria-donau/queue", "bowls_owner").status_code == 403


def test_orders_keep_their_prices_when_the_menu_changes(api: Api) -> None:
    order = place(api)
    menu = api.get("/merchants/pizzeria-donau/menu", "owner").json()
    for item in menu["items"]:
        if item["id"] == "margherita":
            for variant in item["variants"]:
                variant["price"] = "20.00"
    assert api.put("/merchants/pizzeria-donau/menu", "owner", menu).status_code == 200
    assert api.get(f"/orders/{order['id']}", "anna").json()["quote"]["total"] == "38.70"
    assert api.post("/quotes", "anna", margherita_cart()).json()["subtotal"] == "48.80"
