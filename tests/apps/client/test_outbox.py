"""The outbox state machine, durability of enqueue, the device's clock, and local optimistic apply + revert."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from core.sync.hlc import Timestamp
from core.sync.operations import Operation, OperationState
from apps.client.outbox import Outbox
from apps.client.store import LocalStore
from tests.apps.client.helpers import acked, rejected, server_order

S = OperationState
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "device.sqlite3")


def test_an_entry_moves_ready_in_flight_acked(store: LocalStore) -> None:
    outbox = Outbox(store)
    entry = outbox.adjust_stock("pizzeria-donau", "item:tiramisu", -1)
    assert entry.state is S.READY
    Operation.model_validate(entry.operation().model_dump())  # what the server validates
    assert entry.operation().id[14] == "7"  # UUIDv7
    claimed = outbox.claim(10)
    assert [(e.id, e.state, e.attempts) for e in claimed] == [(entry.id, S.IN_FLIGHT, 1)]
    assert outbox.claim(10) == []  # in flight is not claimed twice
    [done] = outbox.record([acked(entry, {"key": "item:tiramisu", "count": 9, "available": True})])
    assert done.state is S.ACKED and done.result == {"key": "item:tiramisu", "count": 9, "available": True}
    assert outbox.counts() == {"ready": 0, "in_flight": 0, "acked": 1, "rejected": 0}


def test_a_rejection_keeps_the_servers_code_and_detail(store: LocalStore) -> None:
    outbox = Outbox(store)
    entry = outbox.transition_order("ord-1", "accept", prep_minutes=10)
    outbox.claim(10)
    [done] = outbox.record([rejected(entry)])
    assert (done.state, done.code, done.detail) == (S.REJECTED, "invalid_transition",
                                                    "cannot accept an order that is cancelled")
    assert [e.id for e in outbox.rejected()] == [entry.id]
    outbox.dismiss(entry.id)
    assert outbox.rejected() == [] and outbox.get(entry.id).state is S.REJECTED


def test_final_states_are_final(store: LocalStore) -> None:
    """A second, different answer for the same id (a replay, a confused proxy) changes nothing."""
    outbox = Outbox(store)
    entry = outbox.adjust_stock("m", "item:x", -1)
    outbox.claim(1)
    outbox.record([acked(entry)])
    assert outbox.record([rejected(entry)]) == []
    outbox.release([entry.id])
    assert outbox.get(entry.id).state is S.ACKED


def test_release_returns_in_flight_entries_to_ready_in_their_order(store: LocalStore) -> None:
    outbox = Outbox(store)
    first, second = outbox.adjust_stock("m", "item:x", -1), outbox.adjust_stock("m", "item:x", -2)
    outbox.claim(10)
    outbox.release([first.id, second.id])
    assert [e.id for e in outbox.claim(10)] == [first.id, second.id]


def test_in_flight_goes_back_to_ready_on_restart(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "device.sqlite3")
    outbox = Outbox(store)
    entries = [outbox.adjust_stock("m", "item:x", -1) for _ in range(3)]
    outbox.claim(2)
    store.close()
    reopened = Outbox(LocalStore(tmp_path / "device.sqlite3"))
    assert reopened.recovered == 2
    assert [(e.id, e.state) for e in reopened.entries()] == [(e.id, S.READY) for e in entries]
    assert reopened.get(entries[0].id).attempts == 1  # the attempt is remembered


def test_an_enqueued_operation_survives_sigkill_right_after_enqueue(tmp_path: Path) -> None:
    path = tmp_path / "device.sqlite3"
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        from apps.client.outbox import Outbox
        from apps.client.store import LocalStore
        outbox = Outbox(LocalStore({str(path)!r}))
        entry = outbox.transition_order("ord-1", "ready")
        print(entry.id, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == -9, done.stderr
    op_id = done.stdout.strip()
    outbox = Outbox(LocalStore(path))
    entry = outbox.get(op_id)
    assert entry is not None and entry.state is S.READY and entry.payload == {"order_id": "ord-1", "action": "ready"}


def test_the_device_id_is_made_once_and_is_the_clocks_node(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "device.sqlite3")
    outbox = Outbox(store)
    entry = outbox.adjust_stock("m", "item:x", 1)
    assert Timestamp.parse(entry.hlc).node == store.device_id == entry.device_id
    store.close()
    assert LocalStore(tmp_path / "device.sqlite3").device_id == store.device_id
    assert LocalStore(tmp_path / "other.sqlite3").device_id != store.device_id


def test_stamps_increase_and_survive_a_wall_clock_going_back(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "device.sqlite3")
    stamps = [Timestamp.parse(Outbox(store).adjust_stock("m", "item:x", 1).hlc)]
    outbox = Outbox(store)
    stamps += [Timestamp.parse(outbox.adjust_stock("m", "item:x", 1).hlc) for _ in range(50)]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    store.close()
    # The device's clock was set back a day: new stamps still sort after the ones already sent.
    store = LocalStore(tmp_path / "device.sqlite3")
    from core.sync.hlc import HybridClock
    behind = HybridClock(store.device_id, wall=lambda: stamps[-1].millis - 86_400_000)
    later = Timestamp.parse(Outbox(store, clock=behind).adjust_stock("m", "item:x", 1).hlc)
    assert later > stamps[-1]


def test_enqueue_many_is_all_or_nothing(store: LocalStore) -> None:
    outbox = Outbox(store)
    with pytest.raises(ValueError):
        outbox.enqueue_many([("stock", "adjust", {"merchant_id": "m", "key": "item:x", "delta": -1}),
                             ("no-such-entity", "x", {})])
    assert outbox.entries() == []


# -- local optimistic apply -----------------------------------------------------------------------------------


def test_a_transition_shows_at_once_and_the_ack_replaces_it_with_the_servers_order(store: LocalStore) -> None:
    store.set_meta("role", "merchant_staff")
    outbox = Outbox(store)
    store.put_server("order", "ord-1", server_order())
    outbox.refresh("order", "ord-1")
    entry = outbox.transition_order("ord-1", "accept", prep_minutes=12)
    shown = store.order("ord-1")
    assert shown["status"] == "accepted" and shown["prep_minutes"] == 12
    assert shown["_sync"] == {"pending": 1, "error": None, "provisional": False}
    assert "start" in shown["allowed_actions"]
    outbox.claim(10)
    outbox.record([acked(entry, server_order(status="accepted", version=2, prep_minutes=12))])
    shown = store.order("ord-1")
    assert (shown["status"], shown["version"], shown["_sync"]["pending"]) == ("accepted", 2, 0)


def test_a_rejected_transition_reverts_and_shows_the_servers_reason(store: LocalStore) -> None:
    outbox = Outbox(store)
    store.put_server("order", "ord-1", server_order(status="cancelled", version=2))
    outbox.refresh("order", "ord-1")
    entry = outbox.transition_order("ord-1", "accept", prep_minutes=12)
    assert store.order("ord-1")["status"] == "cancelled"  # no such move from cancelled: nothing predicted
    store.put_server("order", "ord-1", server_order(status="placed", version=1))  # stale: ignored (server wins)
    outbox.claim(10)
    outbox.record([rejected(entry)])
    shown = store.order("ord-1")
    assert shown["status"] == "cancelled"
    assert shown["_sync"]["pending"] == 0
    assert shown["_sync"]["error"] == {"op_id": entry.id, "op": "transition", "code": "invalid_transition",
                                       "detail": "cannot accept an order that is cancelled"}
    outbox.dismiss(entry.id)
    assert store.order("ord-1")["_sync"]["error"] is None


def test_revert_keeps_the_other_pending_operations(store: LocalStore) -> None:
    outbox = Outbox(store)
    store.put_server("order", "ord-1", server_order())
    outbox.refresh("order", "ord-1")
    accept = outbox.transition_order("ord-1", "accept", prep_minutes=12)
    start = outbox.transition_order("ord-1", "start")
    assert store.order("ord-1")["status"] == "preparing"
    outbox.claim(1)
    outbox.record([rejected(accept, "transition_forbidden", "a driver may not accept")])
    # Without the accept, "start" has no move from placed: the order shows as the server has it.
    assert store.order("ord-1")["status"] == "placed"
    assert store.order("ord-1")["_sync"]["pending"] == 1 and outbox.get(start.id).state is S.READY


def test_a_placement_shows_a_provisional_order_until_the_server_places_it(store: LocalStore) -> None:
    outbox = Outbox(store)
    entry = outbox.place_order({"merchant_id": "pizzeria-donau", "lines": [{"item_id": "margherita"}]})
    [shown] = store.orders(merchant_id="pizzeria-donau")
    assert shown["id"] == entry.id and shown["_sync"]["provisional"] and shown["status"] == "placed"
    outbox.claim(10)
    outbox.record([acked(entry, server_order("ord-9"))])
    assert [o["id"] for o in store.orders(merchant_id="pizzeria-donau")] == ["ord-9"]
    assert store.order(entry.id) is None


def test_a_refused_placement_stays_marked_until_dismissed(store: LocalStore) -> None:
    outbox = Outbox(store)
    entry = outbox.place_order({"merchant_id": "pizzeria-donau", "lines": []})
    outbox.claim(10)
    outbox.record([rejected(entry, "merchant_closed", "the kitchen opens at 11:00")])
    shown = store.order(entry.id)
    assert shown["status"] == "not_placed" and shown["_sync"]["error"]["code"] == "merchant_closed"
    assert not store.orders(open_only=True)
    outbox.dismiss(entry.id)
    assert store.order(entry.id) is None


def test_stock_deltas_show_at_once_and_stay_shown_until_a_pull_settles_them(store: LocalStore) -> None:
    outbox = Outbox(store)
    store.put_server("stock", "m|item:x", {"merchant_id": "m", "key": "item:x", "count": 3, "available": True})
    outbox.refresh("stock", "m|item:x")
    entries = [outbox.adjust_stock("m", "item:x", -1) for _ in range(5)]
    assert store.stock_row("m", "item:x")["count"] == 0  # clamped at zero, as the server does
    outbox.claim(2)
    outbox.record([acked(e) for e in entries[:2]])
    # Acked but not yet pulled: the cached server row is still 3, the view still shows the deltas.
    assert store.stock_row("m", "item:x")["count"] == 0
    store.put_server("stock", "m|item:x", {"merchant_id": "m", "key": "item:x", "count": 1, "available": True})
    outbox.settle(outbox.unsettled())
    row = store.stock_row("m", "item:x")
    assert row["count"] == 0 and row["_sync"]["pending"] == 3
    outbox.set_available("m", "item:x", False)
    assert store.stock_row("m", "item:x")["available"] is False


def test_a_profile_edit_shows_at_once(store: LocalStore) -> None:
    outbox = Outbox(store)
    store.put_server("profile", "me", {"id": "cust-anna", "name": "Anna", "language": "de"})
    outbox.refresh("profile", "me")
    outbox.set_profile(language="en")
    assert store.profile()["language"] == "en" and store.profile()["name"] == "Anna"


def test_prune_forgets_only_what_is_finished_and_seen(store: LocalStore) -> None:
    from datetime import timedelta

    outbox = Outbox(store)
    order, stock, refused, waiting = (outbox.transition_order("o", "ready"), outbox.adjust_stock("m", "item:x", -1),
                                      outbox.transition_order("o", "accept"), outbox.adjust_stock("m", "item:x", -1))
    outbox.claim(3)
    outbox.record([acked(order), acked(stock), rejected(refused)])
    assert outbox.prune(timedelta(0)) == 1  # the acked order move; the stock delta still waits for a pull
    outbox.settle([stock.id])
    outbox.dismiss(refused.id)
    assert outbox.prune(timedelta(0)) == 2
    assert [e.id for e in outbox.entries()] == [waiting.id]
    assert outbox.prune() == 0
