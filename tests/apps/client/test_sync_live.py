"""The sync worker against a real server process: push, pull, rejections with reasons, status, the thread."""
from __future__ import annotations

import sqlite3
import time
import uuid

from core.sync.operations import OperationState
from apps.client.api import ApiClient
from apps.client.live import LiveNudge
from apps.client.sync import SyncStatus
from tests.apps.client.conftest import COUNTED, World, pickup_cart
from tests.server.live_server import ALWAYS_OPEN_ID, free_port

S = OperationState


def _name() -> str:
    return f"dev-{uuid.uuid4().hex[:8]}"


def test_a_tablet_pulls_orders_accepts_one_offline_and_syncs_it(world: World) -> None:
    [order_id] = world.place_directly(1)
    tablet = world.device(_name())
    tablet.sync_until_settled()
    pulled = {o["id"]: o for o in tablet.store.orders(merchant_id=ALWAYS_OPEN_ID, open_only=True)}
    assert pulled[order_id]["allowed_actions"] == ["accept", "reject", "cancel"]  # for staff, worked out locally
    assert pulled[order_id]["merchant_id"] == ALWAYS_OPEN_ID
    entry = tablet.outbox.transition_order(order_id, "accept", prep_minutes=12)
    shown = tablet.store.order(order_id)
    assert shown["status"] == "accepted" and shown["_sync"]["pending"] == 1
    report = tablet.sync_until_settled()
    assert tablet.outbox.get(entry.id).state is S.ACKED and report.status is SyncStatus.ONLINE
    server = world.order(order_id)
    local = tablet.store.order(order_id)
    assert (local["status"], local["version"], local["_sync"]["pending"]) == ("accepted", server["version"], 0)
    assert server["status"] == "accepted" and server["prep_minutes"] == 12


def test_a_late_accept_is_rejected_reverted_and_the_reason_surfaced(world: World) -> None:
    [order_id] = world.place_directly(1)
    tablet = world.device(_name())
    tablet.sync_until_settled()
    heard: list = []
    tablet.worker.add_listener(lambda event: heard.append(event) if event["type"] == "rejected" else None)
    accept = tablet.outbox.transition_order(order_id, "accept", prep_minutes=10)
    with world.http() as client:  # meanwhile the customer cancels online
        response = client.post(f"/orders/{order_id}/transitions", headers=world.customer,
                               json={"action": "cancel", "reason": "changed my mind"})
        assert response.status_code == 200, response.text
    report = tablet.worker.run_once()
    [refused] = report.rejected
    assert refused.id == accept.id and refused.code == "invalid_transition" and "cancelled" in refused.detail
    assert [e["entry"].id for e in heard] == [accept.id]
    assert [e.id for e in tablet.worker.rejected()] == [accept.id]
    shown = tablet.store.order(order_id)
    assert shown["status"] == "cancelled"
    assert shown["_sync"]["error"]["code"] == "invalid_transition" and shown["_sync"]["pending"] == 0


def test_a_customer_places_offline_and_edits_the_profile(world: World) -> None:
    phone = world.device(_name(), token=world.customer["Authorization"].split()[1], role="customer")
    entry = phone.outbox.place_order(pickup_cart(quantity=3))
    assert phone.store.order(entry.id)["_sync"]["provisional"]
    phone.outbox.set_profile(language="de", name="Lena")
    assert phone.store.profile()["language"] == "de"
    phone.sync_until_settled()
    order_id = phone.outbox.get(entry.id).result["id"]
    assert order_id == entry.id  # the server keeps the device's operation id as the order id
    shown = phone.store.order(order_id)
    assert not shown["_sync"]["provisional"] and shown["number"] >= 1
    assert shown["status"] == "placed" == world.order(order_id)["status"]
    profile = phone.store.profile()
    assert (profile["language"], profile["name"], profile["_sync"]["pending"]) == ("de", "Lena", 0)
    with world.http() as client:
        assert client.get("/customers/me", headers=world.customer).json()["language"] == "de"


def test_offline_keeps_everything_ready_and_backs_off(world: World) -> None:
    store_dev = world.device(_name(), base_url=f"http://127.0.0.1:{free_port()}")  # nobody listens there
    entries = [store_dev.outbox.adjust_stock(ALWAYS_OPEN_ID, COUNTED, -1) for _ in range(3)]
    statuses: list = []
    store_dev.worker.add_listener(lambda e: statuses.append(e["status"]) if e["type"] == "status" else None)
    report = store_dev.worker.run_once()
    assert not report.ok and report.error.code == "network" and store_dev.worker.status is SyncStatus.OFFLINE
    assert statuses == [SyncStatus.SYNCING, SyncStatus.OFFLINE]
    assert [store_dev.outbox.get(e.id).state for e in entries] == [S.READY] * 3
    assert 0 <= store_dev.worker.next_delay <= 0.001
    store_dev.worker.run_once()
    assert 0 <= store_dev.worker.next_delay <= 0.002  # the ceiling doubled


def test_an_expired_session_stops_sending_without_rejecting_anything(world: World) -> None:
    tablet = world.device(_name(), token="not-a-session")
    entry = tablet.outbox.adjust_stock(ALWAYS_OPEN_ID, COUNTED, -1)
    report = tablet.worker.run_once()
    assert report.status is SyncStatus.SIGNED_OUT and tablet.outbox.get(entry.id).state is S.READY
    tablet.api.token = world.staff_token
    tablet.sync_until_settled()
    assert tablet.outbox.get(entry.id).state is S.ACKED


def test_a_batch_the_server_refuses_whole_is_split_to_find_the_culprit(world: World) -> None:
    """A 4xx for the whole push names no operation: halving finds it, the rest are acked, nothing dropped."""
    tablet = world.device(_name())
    good = [tablet.outbox.adjust_stock(ALWAYS_OPEN_ID, COUNTED, +1) for _ in range(6)]
    bad = tablet.outbox.adjust_stock(ALWAYS_OPEN_ID, COUNTED, +1)
    good += [tablet.outbox.adjust_stock(ALWAYS_OPEN_ID, COUNTED, +1) for _ in range(5)]
    with sqlite3.connect(tablet.store.path) as conn:  # as if written by a buggy older app version
        conn.execute("UPDATE outbox SET device_id = 'someone-else' WHERE id = ?", (bad.id,))
    before = world.stock()["count"]
    tablet.sync_until_settled()
    assert all(tablet.outbox.get(e.id).state is S.ACKED for e in good)
    refused = tablet.outbox.get(bad.id)
    assert refused.state is S.REJECTED and refused.code == "invalid_input" and "another device" in refused.detail
    assert world.stock()["count"] == before + len(good)
    assert tablet.store.stock_row(ALWAYS_OPEN_ID, COUNTED)["count"] == before + len(good)


def test_the_worker_thread_syncs_on_a_nudge_from_the_live_feed(world: World) -> None:
    tablet = world.device(_name())
    tablet.worker.interval = 3600  # only nudges make it pull
    tablet.worker.start()
    nudge = LiveNudge(ApiClient(world.server.base_url, world.staff_token), tablet.worker)
    nudge.start()
    try:
        assert nudge.connected.wait(10)
        deadline = time.monotonic() + 10
        while tablet.worker.status is not SyncStatus.ONLINE and time.monotonic() < deadline:
            time.sleep(0.02)
        [order_id] = world.place_directly(1)  # the server publishes order.placed to the merchant's topic
        while tablet.store.order(order_id) is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert tablet.store.order(order_id) is not None
        entry = tablet.outbox.transition_order(order_id, "reject", reason="no dough")
        assert tablet.worker.sync_now() is None  # the thread does it
        while tablet.outbox.get(entry.id).state is not S.ACKED and time.monotonic() < deadline:
            time.sleep(0.02)
        assert world.order(order_id)["status"] == "rejected"
    finally:
        nudge.stop()
        tablet.worker.stop()
