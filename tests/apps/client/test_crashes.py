"""Crashes on either side and two devices offline: still exactly once, still converging.

- the server is SIGKILLed while it applies a batch, and restarted on the same database;
- the device's sync process is SIGKILLed mid-sync, and started again;
- two tablets adjust the same stock and 86 it while offline, then come back in the "wrong" order.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from core.sync.operations import OperationState
from apps.client.outbox import Outbox
from apps.client.store import LocalStore
from tests.apps.client.conftest import COUNTED, World, pickup_cart
from tests.apps.client.proxy import FaultProxy
from tests.server.live_server import ALWAYS_OPEN_ID

S = OperationState
ROOT = Path(__file__).resolve().parents[3]


def _orders(world: World) -> int:
    return world.query("SELECT count(*) FROM orders WHERE merchant_id = ?", (ALWAYS_OPEN_ID,))[0][0]


def _assert_exactly_once(world: World, device_id: str, n_ops: int) -> None:
    stored = world.query("SELECT count(*), count(DISTINCT id) FROM sync_operations WHERE device_id = ?",
                         (device_id,))[0]
    assert stored == (n_ops, n_ops)


@pytest.mark.slow
def test_server_killed_mid_batch_and_restarted(world: World, proxy: FaultProxy) -> None:
    world.set_stock(1000)
    orders_before = _orders(world)
    device = world.device(f"crash-{uuid.uuid4().hex[:8]}", proxy.base_url, batch_size=100)
    plan = [(+1 if i % 3 else -2) for i in range(400)]
    entries = device.outbox.enqueue_many(
        [("stock", "adjust", {"merchant_id": ALWAYS_OPEN_ID, "key": COUNTED, "delta": d}) for d in plan]
        + [("order", "place", pickup_cart()) for _ in range(100)])
    proxy.on_crash = world.server.kill
    proxy.set_schedule(["pass", "pass", "crash"])  # the third batch's request kills the server under it

    report = device.worker.run_once()
    assert not report.ok and world.server.process.poll() is not None
    applied = world.query("SELECT count(*) FROM sync_operations WHERE device_id = ?", (device.store.device_id,))[0][0]
    assert 200 <= applied <= 300  # two whole batches, and some or none of the third
    assert device.outbox.counts()["acked"] == 200 and device.outbox.counts()["in_flight"] == 0
    assert not device.worker.run_once().ok  # still down: nothing changes
    world.server.start()
    device.sync_until_settled()

    assert all(device.outbox.get(e.id).state is S.ACKED for e in entries)
    _assert_exactly_once(world, device.store.device_id, len(entries))
    assert world.stock()["count"] == 1000 + sum(plan)
    assert _orders(world) - orders_before == 100
    assert device.store.stock_row(ALWAYS_OPEN_ID, COUNTED)["count"] == 1000 + sum(plan)


def _states(path: Path) -> dict[str, int]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as conn:
        return dict(conn.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())


def _device_process(store_path: Path, world: World) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.apps.client.device_process", str(store_path),
                             world.server.base_url, world.staff_token, "40"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.mark.slow
def test_device_process_killed_mid_sync_and_started_again(world: World, tmp_path: Path) -> None:
    world.set_stock(1000)
    orders_before = _orders(world)
    store_path = tmp_path / "tablet.sqlite3"
    store = LocalStore(store_path)
    store.set_meta("role", "merchant_staff")
    plan = [(-1 if i % 2 else +2) for i in range(1500)]
    entries = Outbox(store).enqueue_many(
        [("stock", "adjust", {"merchant_id": ALWAYS_OPEN_ID, "key": COUNTED, "delta": d}) for d in plan]
        + [("order", "place", pickup_cart()) for _ in range(60)])
    device_id = store.device_id
    store.close()

    child = _device_process(store_path, world)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        states = _states(store_path)
        if states.get("acked", 0) >= 300 and states.get("in_flight", 0) > 0:
            break
        assert child.poll() is None, child.communicate()
        time.sleep(0.002)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(30)
    at_kill = _states(store_path)
    assert at_kill.get("ready", 0) > 0  # it really died mid-way

    child = _device_process(store_path, world)
    out, err = child.communicate(timeout=300)
    assert child.returncode == 0, err
    assert out.startswith("recovered ")

    outbox = Outbox(LocalStore(store_path))
    assert outbox.counts() == {"ready": 0, "in_flight": 0, "acked": len(entries), "rejected": 0}
    _assert_exactly_once(world, device_id, len(entries))
    assert world.stock()["count"] == 1000 + sum(plan)
    assert _orders(world) - orders_before == 60
    assert outbox.store.stock_row(ALWAYS_OPEN_ID, COUNTED)["count"] == 1000 + sum(plan)


def test_two_tablets_adjust_the_same_stock_offline(world: World, proxy: FaultProxy) -> None:
    world.set_stock(20, available=True)
    a = world.device(f"tablet-a-{uuid.uuid4().hex[:6]}", proxy.base_url)
    b = world.device(f"tablet-b-{uuid.uuid4().hex[:6]}", proxy.base_url)
    for device in (a, b):
        device.sync_until_settled()
    proxy.offline = True
    for _ in range(5):
        a.outbox.adjust_stock(ALWAYS_OPEN_ID, COUNTED, -1)
    a.outbox.set_available(ALWAYS_OPEN_ID, COUNTED, False)  # A 86es the soup...
    time.sleep(0.01)
    for _ in range(8):
        b.outbox.adjust_stock(ALWAYS_OPEN_ID, COUNTED, -1)
    b.outbox.set_available(ALWAYS_OPEN_ID, COUNTED, True)  # ...and B, later, brings it back
    for device in (a, b):
        assert not device.worker.run_once().ok
    assert (a.store.stock_row(ALWAYS_OPEN_ID, COUNTED)["count"], b.store.stock_row(ALWAYS_OPEN_ID, COUNTED)["count"]) \
        == (15, 12)

    proxy.heal()
    b.sync_until_settled()
    a.sync_until_settled()  # A's older 86 arrives last, and loses: latest clock wins, not latest arrival
    b.sync_until_settled()
    server = world.stock()
    assert (server["count"], server["available"]) == (7, True)
    for device in (a, b):
        row = device.store.stock_row(ALWAYS_OPEN_ID, COUNTED)
        assert (row["count"], row["available"], row["_sync"]["pending"]) == (7, True, 0)

    # Both sell the last ones twice over while offline: the server clamps at zero, both devices agree.
    proxy.offline = True
    for device in (a, b):
        for _ in range(5):
            device.outbox.adjust_stock(ALWAYS_OPEN_ID, COUNTED, -1)
        device.worker.run_once()
    proxy.heal()
    for device in (a, b, a):
        device.sync_until_settled()
    assert world.stock()["count"] == 0
    assert [d.store.stock_row(ALWAYS_OPEN_ID, COUNTED)["count"] for d in (a, b)] == [0, 0]
