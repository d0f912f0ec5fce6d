"""The device's clock never stamps a write behind a stamp it has seen from the server, across restarts, and does
not follow a stamp beyond the drift bound."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from apps.client.api import ApiClient
from apps.client.clock import observe, stamps_in
from apps.client.outbox import Outbox
from apps.client.store import LocalStore
from apps.client.sync import SyncWorker
from core.sync.hlc import MAX_DRIFT_MS, HybridClock, Timestamp
from tests.apps.client.scripted_server import ScriptedSyncServer, acked

WALL = 1_700_000_000_000  # the tablet's wall clock, standing still: only what it observes moves its stamps
MERCHANT = "pizzeria-donau"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    store = LocalStore(tmp_path / "tablet.sqlite3")
    yield store
    store.close()


def outbox_on(store: LocalStore) -> Outbox:
    return Outbox(store, clock=HybridClock(store.device_id, wall=lambda: WALL))


def stamp_of(outbox: Outbox) -> Timestamp:
    return Timestamp.parse(outbox.enqueue("stock", "set_available", {"merchant_id": MERCHANT, "key": "item:x",
                                                                      "available": False}).hlc)


def busy_change(hlc: str) -> dict:
    return {"entity": "busy", "id": MERCHANT, "data": {"merchant_id": MERCHANT, "kind": "paused",
                                                       "extra_minutes": 0, "until": None, "hlc": hlc}}


def test_a_pulled_stamp_ahead_of_the_device_moves_its_next_write_past_it(store: LocalStore,
                                                                         server: ScriptedSyncServer) -> None:
    outbox = outbox_on(store)
    ahead = Timestamp(WALL + 30_000, 4, "other-tablet")
    server.changes = [busy_change(str(ahead))]
    with ApiClient(server.base_url, "token") as api:
        assert SyncWorker(api, outbox).run_once().ok
    assert stamp_of(outbox) > ahead


def test_a_stamp_in_a_push_result_is_observed(store: LocalStore, server: ScriptedSyncServer) -> None:
    outbox = outbox_on(store)
    ahead = Timestamp(WALL + 5_000, 0, "server")
    server.push = lambda ops: acked(ops, available_hlc=str(ahead))
    stamp_of(outbox)
    with ApiClient(server.base_url, "token") as api:
        assert SyncWorker(api, outbox).run_once().ok
    assert stamp_of(outbox) > ahead


def test_what_was_observed_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "tablet.sqlite3"
    store = LocalStore(path)
    ahead = Timestamp(WALL + 45_000, 9, "server")
    outbox = outbox_on(store)
    with ApiClient("http://127.0.0.1:9") as api:  # nothing is sent: the page is applied as if pulled
        SyncWorker(api, outbox).apply_changes([busy_change(str(ahead))], "1")
    store.close()
    reopened = LocalStore(path)
    try:
        assert stamp_of(outbox_on(reopened)) > ahead  # the restarted app's wall clock is still behind
    finally:
        reopened.close()


def test_a_stamp_beyond_the_drift_bound_is_not_followed(store: LocalStore, caplog: pytest.LogCaptureFixture) -> None:
    outbox = outbox_on(store)
    mine = stamp_of(outbox)
    broken = Timestamp(WALL + MAX_DRIFT_MS + 1, 0, "tablet-with-a-broken-clock")
    with caplog.at_level(logging.WARNING, logger="apps.client.clock"):
        assert observe(outbox.clock, store, [str(broken)]) is None
    assert "not following" in caplog.text
    following = stamp_of(outbox)
    assert following == Timestamp(mine.millis, mine.counter + 1, store.device_id)
    assert store.get_meta("hlc_last") == str(following)


def test_the_latest_readable_stamp_wins_and_stamps_behind_change_nothing(store: LocalStore) -> None:
    outbox = outbox_on(store)
    mine = stamp_of(outbox)
    behind, ahead = Timestamp(WALL - 9_000, 0, "a"), Timestamp(WALL + 2_000, 1, "b")
    assert observe(outbox.clock, store, [str(behind), "not a stamp", str(ahead)]) == ahead
    assert observe(outbox.clock, store, [str(behind)]) is None
    assert observe(outbox.clock, store, []) is None
    assert mine < ahead < stamp_of(outbox)


def test_stamps_are_read_from_hlc_fields_at_the_top_level() -> None:
    assert stamps_in({"hlc": "s1", "available_hlc": "s2", "count": 3, "nested": {"hlc": "s3"}, "x_hlc": 5}) == \
        ["s1", "s2"]
    assert stamps_in(None) == stamps_in("hlc") == stamps_in([{"hlc": "s"}]) == []
