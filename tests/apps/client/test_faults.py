"""Random bad networks between a device and a real server: once it heals, everything converges.

Hypothesis draws a schedule of faults (refused connections, answers lost after the server committed,
duplicated and delayed/reordered deliveries, 503s), a plan of offline operations and a batch size. After
the network heals: every operation ends acked or rejected with a reason, each one was applied exactly
once (the server's own tables say so), and the device's cache equals the server's state.
"""
from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from core.sync.operations import OperationState
from tests.apps.client.conftest import COUNTED, START_COUNT, World, pickup_cart
from tests.apps.client.proxy import FaultProxy
from tests.server.live_server import ALWAYS_OPEN_ID

S = OperationState
FAULTS = st.sampled_from(["pass", "pass", "refuse", "drop_response", "duplicate", "delay", "error"])
ACTIONS = ["accept", "start", "ready", "hand_over", "recall", "reject", "cancel"]
OPS = st.one_of(
    st.tuples(st.just("adjust"), st.sampled_from([-3, -2, -1, 1, 2, 3])),
    st.tuples(st.just("set_available"), st.booleans()),
    st.tuples(st.just("place"), st.integers(1, 3)),
    st.tuples(st.just("transition"), st.tuples(st.integers(0, 2), st.sampled_from(ACTIONS))),
)
ORDERS_PER_EXAMPLE = 3


def _enqueue(device: Any, plan: list[tuple[str, Any]], order_ids: list[str]) -> list[Any]:
    entries = []
    for kind, arg in plan:
        if kind == "adjust":
            entries.append(device.outbox.adjust_stock(ALWAYS_OPEN_ID, COUNTED, arg))
        elif kind == "set_available":
            entries.append(device.outbox.set_available(ALWAYS_OPEN_ID, COUNTED, arg))
        elif kind == "place":
            entries.append(device.outbox.place_order(pickup_cart(quantity=arg)))
        else:
            index, action = arg
            reason = "test" if action in ("reject", "cancel") else None
            entries.append(device.outbox.transition_order(order_ids[index], action, reason=reason,
                                                          prep_minutes=10 if action == "accept" else None))
    return entries


@pytest.mark.slow
@given(faults=st.lists(FAULTS, max_size=30), plan=st.lists(OPS, min_size=1, max_size=25),
       batch_size=st.integers(1, 8), sync_midway=st.booleans())
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_after_any_faulty_network_heals_every_replica_converges_exactly_once(
        world: World, proxy: FaultProxy, faults: list[str], plan: list[tuple[str, Any]], batch_size: int,
        sync_midway: bool) -> None:
    world.set_stock(START_COUNT, available=True)
    order_ids = world.place_directly(ORDERS_PER_EXAMPLE)
    device = world.device(f"fault-{uuid.uuid4().hex[:8]}", proxy.base_url, batch_size=batch_size)
    orders_before = world.query("SELECT count(*) FROM orders WHERE merchant_id = ?", (ALWAYS_OPEN_ID,))[0][0]
    proxy.set_schedule(faults)

    half = len(plan) // 2 if sync_midway else len(plan)
    entries = _enqueue(device, plan[:half], order_ids)
    for _ in range(3):  # some rounds while the network is bad, then more writes
        device.worker.run_once()
    entries += _enqueue(device, plan[half:], order_ids)
    for _ in range(5):
        device.worker.run_once()
    proxy.heal()
    device.sync_until_settled()
    for fault in sorted({action for _, action in proxy.log if action != "pass"}):
        event(f"fault hit: {fault}")  # pytest --hypothesis-show-statistics

    # Nothing silently dropped: every operation is final, every refusal has its reason.
    final = [device.outbox.get(e.id) for e in entries]
    assert all(e.state in (S.ACKED, S.REJECTED) for e in final)
    assert all(e.code and e.detail for e in final if e.state is S.REJECTED)
    by_kind = {kind: [e for e, (k, _) in zip(final, plan) if k == kind] for kind in ("adjust", "set_available",
                                                                                    "place", "transition")}
    assert all(e.state is S.ACKED for kind in ("adjust", "set_available", "place") for e in by_kind[kind])

    # Exactly once: the server stored one answer per operation id and applied each effect once.
    stored = world.query("SELECT count(*), count(DISTINCT id) FROM sync_operations WHERE device_id = ?",
                         (device.store.device_id,))[0]
    assert stored == (len(entries), len(entries))
    server_stock = world.stock()
    assert server_stock["count"] == START_COUNT + sum(arg for kind, arg in plan if kind == "adjust")
    last_availability = [arg for kind, arg in plan if kind == "set_available"]
    assert server_stock["available"] is (last_availability[-1] if last_availability else True)
    placed = [e.result["id"] for e in by_kind["place"]]
    assert len(set(placed)) == len(placed)
    orders_after = world.query("SELECT count(*) FROM orders WHERE merchant_id = ?", (ALWAYS_OPEN_ID,))[0][0]
    assert orders_after - orders_before == len(placed)
    for index, order_id in enumerate(order_ids):
        acked_moves = [e for e, (k, arg) in zip(final, plan)
                       if k == "transition" and arg[0] == index and e.state is S.ACKED]
        assert len(world.order(order_id)["events"]) == 1 + len(acked_moves)

    # Converged: the device shows what the server has, with nothing pending.
    local = device.store.stock_row(ALWAYS_OPEN_ID, COUNTED)
    assert (local["count"], local["available"], local["_sync"]["pending"]) == \
        (server_stock["count"], server_stock["available"], 0)
    for order_id in order_ids + placed:
        mine, theirs = device.store.order(order_id), world.order(order_id)
        assert (mine["status"], mine["version"], mine["_sync"]["pending"]) == (theirs["status"], theirs["version"], 0)
    assert not [o for o in device.store.orders(merchant_id=ALWAYS_OPEN_ID) if o["_sync"]["provisional"]]
