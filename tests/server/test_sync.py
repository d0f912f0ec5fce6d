"""Offline sync on the server: exactly-once pushes, merge rules per entity, scoped pulls, live events."""
from __future__ import annotations

import json

import pytest
from litestar.exceptions import WebSocketDisconnect

from tests.server.conftest import Api, margherita_cart
from tests.server.devices import Device


def test_a_pushed_order_is_placed_once_however_often_it_is_sent(api: Api) -> None:
    phone = Device(api, "anna", "anna-phone")
    op = phone.op("order", "place", margherita_cart())
    first = phone.push(op)[0]
    assert first["status"] == "acked" and first["result"]["status"] == "placed"
    again = phone.push(op, op)
    assert [r["result"]["id"] for r in again] == [first["result"]["id"]] * 2
    assert len(api.get("/orders", "anna").json()["items"]) == 1


def test_a_late_accept_after_a_cancel_is_rejected_with_the_reason(api: Api) -> None:
    order = api.post("/orders", "anna", margherita_cart()).json()
    tablet = Device(api, "staff", "tablet-1")
    cancel = tablet.op("order", "transition", {"order_id": order["id"], "action": "cancel", "reason": "no dough"})
    accept = tablet.op("order", "transition", {"order_id": order["id"], "action": "accept", "prep_minutes": 15})
    results = tablet.push(cancel, accept)
    assert [r["status"] for r in results] == ["acked", "rejected"]
    assert results[1]["code"] == "invalid_transition"
    assert "cancelled" in results[1]["detail"]
    assert tablet.push(accept) == [results[1]]


def test_stock_deltas_from_two_offline_tablets_add_up(api: Api) -> None:
    api.patch("/merchants/pizzeria-donau/stock", "staff", {"key": "item:tiramisu", "set_count": True, "count": 10})
    one, two = Device(api, "staff", "tablet-1"), Device(api, "owner", "tablet-2")
    adjust = {"merchant_id": "pizzeria-donau", "key": "item:tiramisu"}
    ops_one = [one.op("stock", "adjust", {**adjust, "delta": -1}) for _ in range(3)]
    ops_two = [two.op("stock", "adjust", {**adjust, "delta": -2}) for _ in range(2)]
    two.push(*ops_two)
    results = one.push(*ops_one)
    assert results[-1]["result"]["count"] == 10 - 3 - 4
    one.push(*ops_one)  # a replay changes nothing
    stock = {r["key"]: r for r in api.get("/merchants/pizzeria-donau/stock", "staff").json()}
    assert stock["item:tiramisu"]["count"] == 3
    drained = one.push(one.op("stock", "adjust", {**adjust, "delta": -50}))[0]
    assert drained["result"]["count"] == 0


def test_availability_is_last_writer_wins_by_hybrid_clock(api: Api) -> None:
    early, late = Device(api, "staff", "tablet-1", wall=1_000), Device(api, "owner", "tablet-2", wall=2_000)
    key = {"merchant_id": "pizzeria-donau", "key": "item:calzone"}
    newer = late.op("stock", "set_available", {**key, "available": False})
    older = early.op("stock", "set_available", {**key, "available": True})
    late.push(newer)
    result = early.push(older)[0]  # arrives later, but was made earlier: it loses
    assert result["status"] == "acked" and result["result"]["available"] is False


def test_profile_fields_are_last_writer_wins_each(api: Api) -> None:
    phone, laptop = Device(api, "anna", "phone", wall=5_000), Device(api, "anna", "laptop", wall=4_000)
    phone.push(phone.op("profile", "set", {"fields": {"language": "en"}}))
    result = laptop.push(laptop.op("profile", "set", {"fields": {"language": "de", "name": "Anna H."}}))[0]
    assert result["result"]["language"] == "en" and result["result"]["name"] == "Anna H."


def test_a_rejected_placement_leaves_no_trace(api: Api) -> None:
    api.patch("/merchants/pizzeria-donau/stock", "staff", {"key": "item:tiramisu", "set_count": True, "count": 5})
    api.post("/merchants/pizzeria-donau/promos", "owner", {"code": "gone", "kind": "fixed", "value": "1",
                                                           "max_uses": 1})
    api.post("/orders", "lucia", margherita_cart(promo_code="gone"))
    phone = Device(api, "anna", "phone")
    cart = margherita_cart(lines=[{"item_id": "tiramisu", "quantity": 2}, {"item_id": "calzone", "quantity": 1}],
                           promo_code="gone")
    result = phone.push(phone.op("order", "place", cart))[0]
    assert result["status"] == "rejected" and result["code"] == "promo_exhausted"
    stock = {r["key"]: r for r in api.get("/merchants/pizzeria-donau/stock", "staff").json()}
    assert stock["item:tiramisu"]["count"] == 5


def test_unknown_operations_and_bad_payloads_are_rejected_not_errors(api: Api) -> None:
    tablet = Device(api, "staff", "tablet-1")
    results = tablet.push(tablet.op("order", "teleport", {}),
                          tablet.op("stock", "adjust", {"merchant_id": "pizzeria-donau", "key": "item:x",
                                                        "delta": "lots"}))
    assert [(r["status"], r["code"]) for r in results] == [("rejected", "unknown_operation"),
                                                           ("rejected", "invalid_input")]


def test_pulls_are_scoped_and_paged(api: Api) -> None:
    for _ in range(3):
        api.post("/orders", "anna", margherita_cart())
    api.post("/orders", "lucia", margherita_cart())
    kitchen = Device(api, "staff", "tablet-1").pull()
    assert {c["entity"] for c in kitchen["changes"]} == {"order"}
    assert len([c for c in kitchen["changes"] if c["entity"] == "order"]) == 4
    assert Device(api, "bowls_owner", "other-tablet").pull()["changes"] == []
    anna = Device(api, "anna", "phone").pull()
    assert len(anna["changes"]) == 3 and all(c["data"]["customer_id"] == "cust-anna" for c in anna["changes"])
    later = Device(api, "staff", "tablet-1").pull(since=kitchen["cursor"])
    assert later["changes"] == [] and later["cursor"] == kitchen["cursor"]
    bad = api.get("/sync/pull", "staff", since="yesterday")
    assert bad.status_code == 422


def test_live_events_reach_the_kitchen(api: Api) -> None:
    token = api.as_("staff")["Authorization"].split()[1]
    with api.client.websocket_connect(f"/live?token={token}") as socket:
        assert socket.receive_json()["topics"] == ["merchant:pizzeria-donau"]
        order = api.post("/orders", "anna", margherita_cart()).json()
        event = socket.receive_json(timeout=5)
        assert event == {"type": "order.placed", "order_id": order["id"], "status": "placed"}
        api.post(f"/orders/{order['id']}/transitions", "staff", {"action": "accept", "prep_minutes": 9})
        event = socket.receive_json(timeout=5)
        assert (event["type"], event["status"]) == ("order.status", "accepted")


def test_live_refuses_without_a_session(api: Api) -> None:
    with pytest.raises(WebSocketDisconnect) as refused:
        with api.client.websocket_connect("/live?token=forged") as socket:
            socket.receive_json()
    assert refused.value.code == 4401


def test_operations_must_come_from_the_pushing_device(api: Api) -> None:
    tablet = Device(api, "staff", "tablet-1")
    op = tablet.op("stock", "adjust", {"merchant_id": "pizzeria-donau", "key": "item:tiramisu", "delta": 1})
    response = api.post("/sync/push", "staff", {"device_id": "someone-else", "operations": [op]})
    assert response.status_code == 422
    assert json.loads(response.text)["code"] == "invalid_input"
