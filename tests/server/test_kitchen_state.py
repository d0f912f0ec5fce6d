"""Kitchen state shared by tablets, on SQLite and PostgreSQL: availability hours edited offline take effect on the
API, busy mode pauses and slows orders and ends by itself, per-line bumps reach every tablet and its snapshot."""
from __future__ import annotations

from datetime import datetime, timedelta

from tests.server.conftest import NOON, Api, margherita_cart
from tests.server.devices import Device

M = "pizzeria-donau"
NOON_MS = int(NOON.timestamp() * 1000)
ALL_WEEK = [1, 2, 3, 4, 5, 6, 7]


def tablet(api: Api, who: str = "owner", name: str = "tablet-a", wall: int = NOON_MS) -> Device:
    return Device(api, who, name, wall=wall)


def pickup(*lines: dict) -> dict:
    return margherita_cart(lines=list(lines), fulfilment={"type": "pickup"}, tip="0")


TIRAMISU = {"item_id": "tiramisu", "quantity": 2}  # over the 10.00 minimum order
CALZONE = {"item_id": "calzone", "quantity": 1}


def codes(response) -> set[str]:  # type: ignore[no-untyped-def]
    body = response.json()
    return {body["code"], *(e["code"] for e in body.get("errors", []))}


# -- availability hours ---------------------------------------------------------------------------------------------

def test_item_hours_set_from_a_tablet_refuse_an_order_outside_the_new_window(api: Api) -> None:
    assert api.post("/orders", "anna", pickup(TIRAMISU)).status_code == 201
    evenings = [{"days": ALL_WEEK, "start": "18:00", "end": "22:00"}]
    result = tablet(api).push(tablet(api).op("hours", "set", {"merchant_id": M, "target": "item:tiramisu",
                                                              "windows": evenings}))[0]
    assert result["status"] == "acked", result
    assert result["result"]["windows"] == [{"days": ALL_WEEK, "start": "18:00:00", "end": "22:00:00"}]
    refused = api.post("/orders", "anna", pickup(TIRAMISU))  # 13:00 in Krems
    assert refused.status_code == 422 and "item_unavailable" in codes(refused), refused.text
    assert api.post("/orders", "anna", pickup(CALZONE)).status_code == 201
    menu = api.get(f"/merchants/{M}/menu", "anna").json()
    assert next(i for i in menu["items"] if i["id"] == "tiramisu")["availability"][0]["start"] == "18:00:00"
    api.clock.now = NOON + timedelta(hours=6)  # 19:00 in Krems
    assert api.post("/orders", "anna", pickup(TIRAMISU)).status_code == 201


def test_category_and_opening_hours_from_a_tablet(api: Api) -> None:
    owner = tablet(api)
    lunch_only = [{"days": ALL_WEEK, "start": "11:00", "end": "12:30"}]
    results = owner.push(owner.op("hours", "set", {"merchant_id": M, "target": "category:pizza",
                                                   "windows": lunch_only}))
    assert results[0]["status"] == "acked"
    assert "item_unavailable" in codes(api.post("/orders", "anna", pickup(CALZONE)))
    assert api.post("/orders", "anna", pickup(TIRAMISU)).status_code == 201
    dinner = [{"days": [3], "start": "17:00", "end": "23:00"}]
    assert owner.push(owner.op("hours", "set", {"merchant_id": M, "target": "merchant",
                                                "windows": dinner}))[0]["status"] == "acked"
    closed = api.post("/orders", "anna", pickup(TIRAMISU))
    assert closed.json()["code"] == "merchant_closed", closed.text
    assert api.get(f"/merchants/{M}", "anna").json()["opening_hours"] == [
        {"days": [3], "start": "17:00:00", "end": "23:00:00"}]
    always = owner.push(owner.op("hours", "set", {"merchant_id": M, "target": "merchant", "windows": []}))[0]
    assert always["result"]["windows"] == []
    assert api.post("/orders", "anna", pickup(TIRAMISU)).status_code == 201


def test_bad_windows_are_refused_with_invalid_hours(api: Api) -> None:
    owner = tablet(api)
    target = {"merchant_id": M, "target": "item:tiramisu"}
    bad = [[{"start": "12:00", "end": "12:00"}], [{"days": [0], "start": "10:00", "end": "12:00"}],
           [{"start": "25:00", "end": "26:00"}], [{"start": "10:00", "end": "11:00"}] * 15]
    results = owner.push(*(owner.op("hours", "set", {**target, "windows": w}) for w in bad))
    assert [(r["status"], r["code"]) for r in results] == [("rejected", "invalid_hours")] * 4
    assert "starts and ends at 12:00" in results[0]["detail"]
    unknown = owner.push(owner.op("hours", "set", {"merchant_id": M, "target": "item:nope", "windows": []}))[0]
    assert (unknown["status"], unknown["code"]) == ("rejected", "not_found")
    assert api.post("/orders", "anna", pickup(TIRAMISU)).status_code == 201  # nothing changed


def test_pin_staff_cannot_edit_hours_and_nobody_edits_another_kitchen(api: Api) -> None:
    op = {"merchant_id": M, "target": "item:tiramisu", "windows": [{"start": "18:00", "end": "22:00"}]}
    staff, other = tablet(api, "staff", "line-tablet"), tablet(api, "bowls_owner", "bowls-tablet")
    assert staff.push(staff.op("hours", "set", op))[0]["code"] == "forbidden"
    assert other.push(other.op("hours", "set", op))[0]["code"] == "forbidden"
    assert api.post("/orders", "anna", pickup(TIRAMISU)).status_code == 201


def test_hours_are_last_writer_wins_by_hybrid_clock(api: Api) -> None:
    early, late = tablet(api, name="a", wall=NOON_MS), tablet(api, name="b", wall=NOON_MS + 1000)
    key = {"merchant_id": M, "target": "item:tiramisu"}
    late.push(late.op("hours", "set", {**key, "windows": [{"start": "18:00", "end": "22:00"}]}))
    stale = early.push(early.op("hours", "set", {**key, "windows": []}))[0]
    assert stale["status"] == "acked" and stale["result"]["windows"][0]["start"] == "18:00:00"
    assert "item_unavailable" in codes(api.post("/orders", "anna", pickup(TIRAMISU)))


# -- busy mode --------------------------------------------------------------------------------------------------

def busy(kind: str, minutes: int = 15, extra: int = 0) -> dict:
    return {"merchant_id": M, "kind": kind, "extra_minutes": extra,
            "until": (NOON + timedelta(minutes=minutes)).isoformat()}


def test_a_pause_refuses_new_orders_and_ends_by_itself(api: Api) -> None:
    owner = tablet(api)
    result = owner.push(owner.op("busy", "set", busy("paused", 15)))[0]
    assert result["status"] == "acked" and result["result"]["kind"] == "paused"
    refused = api.post("/orders", "anna", margherita_cart())
    assert refused.status_code == 422 and refused.json()["code"] == "merchant_paused", refused.text
    assert "until 13:15" in refused.json()["detail"]
    assert api.post("/quotes", "anna", margherita_cart()).json()["code"] == "merchant_paused"
    assert api.get(f"/merchants/{M}", "anna").json()["busy"]["kind"] == "paused"
    api.clock.now = NOON + timedelta(minutes=15)  # no job, no tablet: the time is up, orders come in again
    assert api.post("/orders", "anna", margherita_cart()).status_code == 201


def test_resuming_early_and_who_may_pause(api: Api) -> None:
    owner, staff = tablet(api), tablet(api, "staff", "line-tablet", wall=NOON_MS + 1)
    assert staff.push(staff.op("busy", "set", busy("paused")))[0]["code"] == "forbidden"
    owner.push(owner.op("busy", "set", busy("paused", 30)))
    assert staff.push(staff.op("busy", "set", busy("off")))[0]["code"] == "forbidden"
    resumed = owner.push(owner.op("busy", "set", busy("off")))[0]
    assert resumed["result"] == {"merchant_id": M, "kind": "off", "extra_minutes": 0, "until": None}
    assert api.post("/orders", "anna", margherita_cart()).status_code == 201


def test_extra_prep_minutes_are_added_to_the_quote_and_the_promise(api: Api) -> None:
    assert api.post("/quotes", "anna", pickup(CALZONE)).json()["prep_minutes"] == 18
    staff = tablet(api, "staff", "line-tablet")
    assert staff.push(staff.op("busy", "set", busy("extra_prep", 30, extra=10)))[0]["status"] == "acked"
    assert api.post("/quotes", "anna", pickup(CALZONE)).json()["prep_minutes"] == 28
    order = api.post("/orders", "anna", pickup(CALZONE)).json()
    assert datetime.fromisoformat(order["promised_at"]) == NOON + timedelta(minutes=28)
    api.clock.now = NOON + timedelta(minutes=31)
    assert api.post("/quotes", "anna", pickup(CALZONE)).json()["prep_minutes"] == 18


def test_bad_busy_spells_are_refused_with_invalid_busy(api: Api) -> None:
    owner = tablet(api)
    results = owner.push(owner.op("busy", "set", busy("paused", -5)),
                         owner.op("busy", "set", busy("paused", 13 * 60)),
                         owner.op("busy", "set", busy("extra_prep", 30, extra=0)),
                         owner.op("busy", "set", {"merchant_id": M, "kind": "paused"}))
    assert [(r["status"], r["code"]) for r in results] == [("rejected", "invalid_busy")] * 4
    assert api.post("/orders", "anna", margherita_cart()).status_code == 201


def test_a_pause_set_offline_and_synced_late_still_counts_by_its_clock(api: Api) -> None:
    """Made at 12:00 for 15 minutes, synced at 12:20: valid (it was valid when made) and already over; it
    also overrides an older pause, as last writer wins."""
    older = tablet(api, name="a", wall=NOON_MS - 60_000)
    older.push(older.op("busy", "set", {**busy("paused", 60)}))
    api.clock.now = NOON + timedelta(minutes=20)
    late = tablet(api, name="b", wall=NOON_MS)
    assert late.push(late.op("busy", "set", busy("paused", 15)))[0]["status"] == "acked"
    assert api.post("/orders", "anna", margherita_cart()).status_code == 201


# -- per-line bumps -------------------------------------------------------------------------------------------------

def accepted_order(api: Api) -> dict:
    order = api.post("/orders", "anna", margherita_cart()).json()
    api.post(f"/orders/{order['id']}/transitions", "staff", {"action": "accept", "prep_minutes": 15})
    return order


def bump(order: dict, line: int, bumped: bool = True) -> dict:
    return {"merchant_id": M, "order_id": order["id"], "line": line, "bumped": bumped}


def queue_bumps(api: Api, order: dict) -> list[int]:
    queue = api.get(f"/merchants/{M}/queue", "staff").json()
    return next(e["bumped_lines"] for e in queue if e["order"]["id"] == order["id"])


def test_a_bump_on_one_tablet_reaches_the_other(api: Api) -> None:
    order = accepted_order(api)
    a, b = tablet(api, "staff", "tablet-a"), tablet(api, "owner", "tablet-b")
    cursor = b.pull()["cursor"]
    op = a.op("bumps", "set_line", bump(order, 1))
    result = a.push(op)[0]
    assert result["status"] == "acked"
    assert result["result"] == {"merchant_id": M, "order_id": order["id"], "lines": [1]}
    assert a.push(op) == [result]  # idempotent: the same answer, no second change
    changes = b.pull(since=cursor)["changes"]
    assert [(c["entity"], c["id"], c["data"]["lines"]) for c in changes] == [("bumps", order["id"], [1])]
    assert queue_bumps(api, order) == [1]
    assert tablet(api, "bowls_owner", "bowls").pull()["changes"] == []


def test_line_bumps_are_last_writer_wins_and_checked(api: Api) -> None:
    order = accepted_order(api)
    early, late = tablet(api, "staff", "a", wall=NOON_MS), tablet(api, "owner", "b", wall=NOON_MS + 1000)
    late.push(late.op("bumps", "set_line", bump(order, 0)))
    stale = early.push(early.op("bumps", "set_line", bump(order, 0, bumped=False)))[0]
    assert stale["status"] == "acked" and stale["result"]["lines"] == [0]
    later = late.push(late.op("bumps", "set_line", bump(order, 0, bumped=False)))[0]
    assert later["result"]["lines"] == []
    wrong = late.push(late.op("bumps", "set_line", bump(order, 7)),
                      late.op("bumps", "set_line", {**bump(order, 0), "order_id": "no-such-order"}))
    assert [r["code"] for r in wrong] == ["unknown_line", "order_not_found"]
    anna = tablet(api, "anna", "phone")
    assert anna.push(anna.op("bumps", "set_line", bump(order, 0)))[0]["code"] == "forbidden"


def test_bumps_go_when_the_order_is_ready_and_a_late_bump_changes_nothing(api: Api) -> None:
    order = accepted_order(api)
    a = tablet(api, "staff", "tablet-a")
    made_before_ready = a.op("bumps", "set_line", bump(order, 1))
    a.push(a.op("bumps", "set_line", bump(order, 0)))
    api.post(f"/orders/{order['id']}/transitions", "staff", {"action": "ready"})
    assert a.pull()["changes"][-1]["data"] == {"merchant_id": M, "order_id": order["id"], "lines": []}
    assert a.push(made_before_ready)[0]["result"]["lines"] == []
    api.post(f"/orders/{order['id']}/transitions", "staff", {"action": "recall"})
    assert queue_bumps(api, order) == []


def test_a_fresh_tablet_snapshot_has_the_bumps_and_the_busy_mode(api: Api) -> None:
    order = accepted_order(api)
    a = tablet(api, "staff", "tablet-a")
    a.push(a.op("bumps", "set_line", bump(order, 0)), a.op("busy", "set", busy("extra_prep", 20, extra=10)))
    changes = tablet(api, "owner", "fresh-tablet").pull()["changes"]
    latest = {(c["entity"], c["id"]): c["data"] for c in changes}
    assert latest[("bumps", order["id"])]["lines"] == [0]
    assert latest[("busy", M)]["kind"] == "extra_prep" and latest[("busy", M)]["extra_minutes"] == 10
    assert api.get(f"/merchants/{M}", "staff").json()["busy"]["extra_minutes"] == 10


def test_live_events_tell_every_tablet(api: Api) -> None:
    order = accepted_order(api)
    token = api.as_("owner")["Authorization"].split()[1]
    a = tablet(api, "staff", "tablet-a")
    with api.client.websocket_connect(f"/live?token={token}") as socket:
        assert socket.receive_json()["topics"] == [f"merchant:{M}"]
        a.push(a.op("bumps", "set_line", bump(order, 0)))
        assert socket.receive_json(timeout=5) == {"type": "order.bumped", "order_id": order["id"]}
        a.push(a.op("busy", "set", busy("extra_prep", 20, extra=5)))
        assert socket.receive_json(timeout=5) == {"type": "busy.changed"}
        owner = tablet(api, "owner", "tablet-b")
        owner.push(owner.op("hours", "set", {"merchant_id": M, "target": "merchant", "windows": []}))
        assert socket.receive_json(timeout=5) == {"type": "hours.changed", "target": "merchant"}


def test_editing_the_profile_never_undoes_busy_mode(api: Api) -> None:
    owner = tablet(api)
    owner.push(owner.op("busy", "set", busy("paused", 30)))
    profile = api.get(f"/merchants/{M}", "owner").json()
    profile["busy"] = {"kind": "off"}
    assert api.put(f"/merchants/{M}", "owner", profile).status_code == 200
    assert api.post("/orders", "anna", margherita_cart()).json()["code"] == "merchant_paused"
