"""Automatic dispatch over HTTP, on the Krems road graph: assignment, batching, re-planning, locks, ETAs, guards.

The planner thread runs for real (short solver time limit, short debounce); `settle` waits until it is idle
and re-checks its last plan with the independent checker, so every plan a test looks at is feasible.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from core.orders.lifecycle import Role
from core.routing import check_plan
from server.app import create_app
from server.auth import create_account
from server.dispatch.planner import MAX_REASONS, Dispatcher
from server.services import Services
from tests.server.conftest import Api, Clock, make_settings, margherita_cart

KREMS_OSM = Path(__file__).resolve().parents[2] / "assets" / "osm" / "krems_drive.osm.bz2"
PIZZERIA = {"lat": 48.41035, "lon": 15.59975}
BOWLS = {"lat": 48.40755, "lon": 15.6137}
ANNA_HOME = {"lat": 48.40985, "lon": 15.6079}
NEAR_ANNA = {"lat": 48.41040, "lon": 15.6090}
TOM_HOME = {"lat": 48.4021, "lon": 15.604}
OFF_THE_MAP = {"lat": 48.455, "lon": 15.600}  # inside the pizzeria's 6 km zone, 2.5 km from the mapped roads
EXTRA_LOGINS = {"dispatcher": ("dispatch@mealkitz.local", "dispatch-demo-pass"),
                "sofia": ("sofia@drivers.local", "driver-demo-pass")}


class DispatchApi(Api):
    published: list[tuple[str, dict[str, Any]]]

    @property
    def dispatcher(self) -> Dispatcher:
        return self.client.app.state.dispatcher

    def as_(self, who: str) -> dict[str, str]:
        if who in EXTRA_LOGINS and who not in self.tokens:
            email, password = EXTRA_LOGINS[who]
            response = self.client.post("/auth/login", json={"email": email, "password": password})
            assert response.status_code == 200, response.text
            self.tokens[who] = response.json()["token"]
        return super().as_(who)

    def settle(self) -> dict[str, Any]:
        """Wait for the planner, check its last plan independently, return the plan as dispatchers see it."""
        assert self.dispatcher.wait_idle(timeout=60)
        if self.dispatcher.problem is not None:
            assert check_plan(self.dispatcher.problem.combined, self.dispatcher.plan, self.dispatcher.travel) == []
        assert self.dispatcher.violations == []
        return self.get("/dispatch/plan", "dispatcher").json()

    def order(self, order_id: str, who: str = "admin") -> dict[str, Any]:
        response = self.get(f"/orders/{order_id}", who)
        assert response.status_code == 200, response.text
        return response.json()

    def shift(self, who: str, at: dict[str, float], on: bool = True) -> None:
        assert self.post("/drivers/me/shift", who, {"on": on}).status_code == 200
        assert self.post("/drivers/me/location", who, at).status_code == 200

    def place(self, to: dict[str, float] = ANNA_HOME, merchant: str = "pizzeria-donau", who: str = "anna",
              accept: bool = True) -> str:
        cart = margherita_cart(fulfilment={"type": "delivery", "address": {"line1": "Teststraße 1", "location": to}})
        if merchant == "wachau-bowls":
            cart["merchant_id"] = merchant
            cart["lines"] = [{"item_id": "tofu_bowl", "quantity": 2}]
        response = self.post("/orders", who, cart)
        assert response.status_code == 201, response.text
        order_id = response.json()["id"]
        if accept:
            owner = "owner" if merchant == "pizzeria-donau" else "bowls_owner"
            self.transition(order_id, owner, "accept", prep_minutes=10)
        return order_id

    def transition(self, order_id: str, who: str, action: str, **body: Any) -> dict[str, Any]:
        response = self.post(f"/orders/{order_id}/transitions", who, {"action": action, **body})
        assert response.status_code == 200, response.text
        return response.json()


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def route_of(plan: dict[str, Any], driver_id: str) -> list[tuple[str, str]]:
    route = next((r for r in plan["routes"] if r["driver_id"] == driver_id), {"stops": []})
    return [(s["kind"], s["order_id"]) for s in route["stops"]]


def planned_ids(plan: dict[str, Any]) -> set[str]:
    return {s["order_id"] for r in plan["routes"] for s in r["stops"]}


@pytest.fixture
def api(demo_database_url: str, tmp_path: Path) -> Iterator[DispatchApi]:
    settings = replace(make_settings(demo_database_url, tmp_path), road_graph=KREMS_OSM, dispatch_time_limit_s=0.1,
                       dispatch_debounce_s=0.05, dispatch_refresh_s=0)
    services = Services(settings, clock=Clock())
    with services.engine.begin() as conn:
        create_account(conn, email="dispatch@mealkitz.local", password="dispatch-demo-pass", role=Role.DISPATCHER)
        create_account(conn, email="sofia@drivers.local", password="driver-demo-pass", role=Role.DRIVER,
                       driver_id="drv-sofia")
    app = create_app(settings, services=services, migrate=False)
    with TestClient(app=app) as client:
        dispatch_api = DispatchApi(client=client, services=services, clock=services.clock, tokens={})  # type: ignore
        dispatch_api.published = []
        services.publishers.append(lambda topic, event: dispatch_api.published.append((topic, event)))
        yield dispatch_api


def test_accepted_orders_are_dispatched_automatically(api: DispatchApi) -> None:
    api.shift("driver", PIZZERIA)
    placed = api.place(accept=False)
    assert api.settle()["routes"] == []  # placed is not yet accepted: nothing to drive
    api.transition(placed, "owner", "accept", prep_minutes=10)
    plan = api.settle()
    assert route_of(plan, "drv-max") == [("pickup", placed), ("dropoff", placed)]
    order = api.order(placed, "anna")
    assert order["driver_id"] == "drv-max" and order["eta"] is not None
    assert [e["action"] for e in order["events"]][-2:] == ["assign", "eta"]
    assert all(e["from_status"] == e["to_status"] == "accepted" for e in order["events"][-2:])


def test_two_nearby_orders_from_one_kitchen_are_batched_onto_one_driver(api: DispatchApi) -> None:
    api.shift("driver", PIZZERIA)
    api.shift("sofia", PIZZERIA)
    first, second = api.place(ANNA_HOME), api.place(NEAR_ANNA, who="lucia")
    api.settle()
    plan = api.get("/dispatch/plan", "dispatcher").json()
    drivers = {api.order(first)["driver_id"], api.order(second)["driver_id"]}
    assert len(drivers) == 1 and None not in drivers
    (driver,) = drivers
    assert {o for _, o in route_of(plan, driver)} == {first, second}
    assert plan["unassigned"] == []


def test_replanning_keeps_picked_up_orders_on_their_driver(api: DispatchApi) -> None:
    api.shift("driver", PIZZERIA)
    order_id = api.place(TOM_HOME)
    api.settle()
    assert api.order(order_id)["driver_id"] == "drv-max"
    api.transition(order_id, "owner", "ready")
    api.transition(order_id, "driver", "pick_up")
    api.post("/drivers/me/location", "driver", {**BOWLS})  # he drove off east
    api.shift("sofia", TOM_HOME)  # someone better placed appears, and new work arrives
    other = api.place(ANNA_HOME)
    plan = api.post("/dispatch/replan", "dispatcher", {}).json()
    api.settle()
    assert ("dropoff", order_id) in route_of(plan, "drv-max")
    assert ("pickup", order_id) not in route_of(plan, "drv-max")
    assert api.order(order_id)["driver_id"] == "drv-max"
    assert api.order(other)["driver_id"] is not None


def test_a_dispatchers_lock_is_respected(api: DispatchApi) -> None:
    api.shift("driver", PIZZERIA)
    api.shift("sofia", TOM_HOME)
    order_id = api.place(ANNA_HOME)
    api.settle()
    assert api.order(order_id)["driver_id"] == "drv-max"  # the nearer driver
    response = api.post("/dispatch/assign", "dispatcher", {"order_id": order_id, "driver_id": "drv-sofia"})
    assert response.status_code == 200 and response.json()["locked"] is True
    plan = api.settle()
    assert api.order(order_id)["driver_id"] == "drv-sofia"
    assert {o for _, o in route_of(plan, "drv-sofia")} == {order_id}
    plan = api.post("/dispatch/replan", "dispatcher", {}).json()
    assert {o for _, o in route_of(plan, "drv-sofia")} == {order_id}
    events = api.get(f"/orders/{order_id}/events", "admin").json()
    manual = [e for e in events if e["action"] == "assign" and e["actor"]["role"] == "dispatcher"]
    assert manual and manual[-1]["reason"] == "locked by dispatcher"
    # Unassigning drops the lock: the optimiser gives it back to the nearer driver.
    assert api.post("/dispatch/unassign", "dispatcher", {"order_id": order_id}).status_code == 200
    api.settle()
    assert api.order(order_id)["driver_id"] == "drv-max"


def test_cancelling_removes_the_order_from_the_plan(api: DispatchApi) -> None:
    api.shift("driver", PIZZERIA)
    kept, cancelled = api.place(ANNA_HOME), api.place(TOM_HOME, who="lucia")
    assert planned_ids(api.settle()) == {kept, cancelled}
    api.transition(cancelled, "owner", "cancel", reason="oven broke")
    plan = api.settle()
    assert planned_ids(plan) == {kept}
    assert cancelled not in {u["order_id"] for u in plan["unassigned"]}


def test_a_driver_going_off_shift_hands_over_what_is_not_picked_up(api: DispatchApi) -> None:
    api.shift("driver", PIZZERIA)
    carried, waiting = api.place(TOM_HOME), api.place(ANNA_HOME, who="lucia")
    api.settle()
    assert {api.order(carried)["driver_id"], api.order(waiting)["driver_id"]} == {"drv-max"}
    api.transition(carried, "owner", "ready")
    api.transition(carried, "driver", "pick_up")
    api.shift("sofia", BOWLS)
    assert api.post("/drivers/me/shift", "driver", {"on": False}).status_code == 200
    plan = api.settle()
    assert api.order(waiting)["driver_id"] == "drv-sofia"
    assert api.order(carried)["driver_id"] == "drv-max"
    assert route_of(plan, "drv-max") == [("dropoff", carried)]
    assert any("drv-max takes no new orders" in w for w in plan["warnings"])
    topics = [t for t, e in api.published if e.get("type") == "order.unassigned"]
    assert "driver:drv-max" in topics


def test_an_unreachable_address_is_unassigned_with_a_clear_reason(api: DispatchApi) -> None:
    api.shift("driver", PIZZERIA)
    far = api.place(OFF_THE_MAP)
    near = api.place(ANNA_HOME, who="lucia")
    plan = api.settle()
    (why,) = plan["unassigned"]
    assert why["order_id"] == far and why["reason"] == "unreachable"
    assert "outside the routing area" in why["detail"]
    assert planned_ids(plan) == {near}
    assert api.order(far)["driver_id"] is None


def test_eta_updates_reach_the_customer_live_and_in_the_order(api: DispatchApi) -> None:
    api.shift("driver", PIZZERIA)
    order_id = api.place(ANNA_HOME)
    api.settle()
    first_eta = when(api.order(order_id, "anna")["eta"])
    live = [e for t, e in api.published if t == "customer:cust-anna" and e.get("order_id") == order_id
            and e.get("type") in ("order.assigned", "order.eta")]
    assert live and when(live[-1]["eta"]) == first_eta
    # The kitchen runs 20 minutes late: the next re-plan pushes the ETA back and tells the customer.
    api.clock.now += timedelta(minutes=20)
    api.post("/drivers/me/location", "driver", PIZZERIA)
    api.post("/dispatch/replan", "dispatcher", {})
    order = api.order(order_id, "anna")
    assert when(order["eta"]) > first_eta
    assert order["events"][-1]["action"] == "eta" and when(order["events"][-1]["data"]["eta"]) == when(order["eta"])
    pushed = [e for t, e in api.published if t == "customer:cust-anna" and e.get("type") == "order.eta"]
    assert pushed and when(pushed[-1]["eta"]) == when(order["eta"])


def test_who_may_see_and_do_what(api: DispatchApi) -> None:
    api.shift("driver", PIZZERIA)
    api.shift("sofia", BOWLS)
    mine, hers = api.place(ANNA_HOME), api.place(TOM_HOME, merchant="wachau-bowls", who="lucia")
    api.settle()
    api.post("/dispatch/assign", "admin", {"order_id": mine, "driver_id": "drv-max"})
    api.post("/dispatch/assign", "admin", {"order_id": hers, "driver_id": "drv-sofia"})
    api.settle()
    for who in ("anna", "driver", "owner"):
        response = api.get("/dispatch/plan", who)
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert api.post("/dispatch/replan", "anna", {}).status_code == 403
    assert api.post("/dispatch/assign", "driver", {"order_id": hers, "driver_id": "drv-max"}).status_code == 403
    assert api.post("/drivers/me/location", "anna", PIZZERIA).status_code == 403
    assert api.get("/dispatch/plan", "admin").status_code == 200
    stops = api.get("/drivers/me/stops", "driver").json()
    assert {s["order_id"] for s in stops["stops"]} == {mine}
    assert stops["driver"]["on_shift"] is True
    assert {s["order_id"] for s in api.get("/drivers/me/stops", "sofia").json()["stops"]} == {hers}
    assert api.get(f"/orders/{hers}", "driver").status_code == 404  # not his order


def test_bad_requests_are_problems(api: DispatchApi) -> None:
    order_id = api.place(ANNA_HOME)
    response = api.post("/dispatch/assign", "dispatcher", {"order_id": order_id, "driver_id": "drv-nobody"})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = api.post("/dispatch/assign", "dispatcher", {"order_id": "no-such-order", "driver_id": "drv-max"})
    assert response.status_code == 404 and response.json()["code"] == "order_not_found"
    pickup = api.post("/orders", "anna", margherita_cart(fulfilment={"type": "pickup"})).json()["id"]
    response = api.post("/dispatch/assign", "dispatcher", {"order_id": pickup, "driver_id": "drv-max"})
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    future = (api.clock.now + timedelta(hours=1)).isoformat()
    response = api.post("/drivers/me/location", "driver", {**PIZZERIA, "at": future})
    assert response.status_code == 422
    assert api.post("/drivers/me/location", "driver", {"lat": 91, "lon": 0}).status_code in (400, 422)
    # An older fix than the stored one is ignored.
    api.post("/drivers/me/location", "driver", PIZZERIA)
    older = (api.clock.now - timedelta(minutes=5)).isoformat()
    response = api.post("/drivers/me/location", "driver", {**BOWLS, "at": older}).json()
    assert response["stored"] is False and response["driver"]["position"]["lat"] == PIZZERIA["lat"]


def test_placing_an_order_the_kitchen_has_not_accepted_plans_nothing(api: DispatchApi) -> None:
    api.shift("driver", PIZZERIA)
    api.settle()
    runs = api.dispatcher.runs
    placed = [api.place(accept=False) for _ in range(3)]  # not in the snapshot until accepted
    api.settle()
    assert api.dispatcher.runs == runs
    api.transition(placed[0], "owner", "accept", prep_minutes=10)
    assert planned_ids(api.settle()) == {placed[0]}
    assert api.dispatcher.runs == runs + 1


def test_a_burst_of_events_is_planned_once(api: DispatchApi) -> None:
    api.shift("driver", PIZZERIA)
    api.settle()
    runs = api.dispatcher.runs
    for _ in range(5):
        api.dispatcher.request_replan("burst")
    api.settle()
    assert api.dispatcher.runs == runs + 1


def test_a_rush_of_events_keeps_a_bounded_list_of_reasons(api: DispatchApi) -> None:
    api.settle()
    for i in range(MAX_REASONS + 30):
        api.dispatcher.request_replan(f"order {i}")
    trigger = api.settle()["trigger"]
    assert trigger[:2] == ["order 0", "order 1"] and len(trigger) == MAX_REASONS + 1
    assert trigger[-1] == "and 30 more"
