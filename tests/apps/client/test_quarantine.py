"""Whatever the server answers, the outbox moves on: an operation the server keeps failing on is quarantined
with the reason, the ones behind it are sent, and only transport trouble is retried for as long as it lasts."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from apps.client.api import ApiClient
from apps.client.outbox import Outbox, OutboxEntry
from apps.client.push import SOLO_FAULTS
from apps.client.store import LocalStore
from apps.client.sync import Backoff, SyncWorker
from core.sync.operations import OperationState
from tests.apps.client.scripted_server import Answer, ScriptedSyncServer, acked, problem
from tests.server.live_server import free_port

S = OperationState
MERCHANT = "pizzeria-donau"


class Tablet:
    """A kitchen tablet's outbox and sync worker against the scripted server."""

    def __init__(self, path: Path, base_url: str, batch_size: int = 8) -> None:
        self.store = LocalStore(path)
        self.store.set_meta("role", "merchant_staff")
        self.outbox = Outbox(self.store)
        self.api = ApiClient(base_url, "token", timeout=5.0)
        self.events: list[dict[str, Any]] = []
        self.worker = SyncWorker(self.api, self.outbox, batch_size=batch_size, backoff=Backoff(base=0.001, cap=0.01))
        self.worker.add_listener(self.events.append)

    def adjust(self, n: int, *, poison: set[int] = frozenset()) -> list[OutboxEntry]:  # type: ignore[assignment]
        """n stock adjustments; those at the `poison` indexes carry a marker the scripted server chokes on."""
        return [self.outbox.enqueue("stock", "adjust", {"merchant_id": MERCHANT, "key": f"item:{i}", "delta": -1,
                                                        **({"poison": True} if i in poison else {})})
                for i in range(n)]

    def rounds_until_settled(self, max_rounds: int = 100) -> int:
        for rounds in range(1, max_rounds + 1):
            self.worker.run_once()
            if self.outbox.pending() == 0:
                return rounds
        raise AssertionError(f"still pending after {max_rounds} rounds: {self.outbox.counts()}")

    def close(self) -> None:
        self.api.close()
        self.store.close()


@pytest.fixture
def tablet(tmp_path: Path, server: ScriptedSyncServer) -> Iterator[Tablet]:
    tablet = Tablet(tmp_path / "tablet.sqlite3", server.base_url)
    yield tablet
    tablet.close()


def fails_on_poison(answer: Answer) -> Any:
    """A push handler: `answer` for any batch holding a poisoned operation, every operation acked otherwise."""
    return lambda ops: answer if any(op["payload"].get("poison") for op in ops) else acked(ops)


def test_an_operation_the_server_fails_on_is_quarantined_and_the_rest_go_through(
        tablet: Tablet, server: ScriptedSyncServer) -> None:
    server.push = fails_on_poison(problem(500, "internal_error", "something went wrong on our side"))
    tablet.worker.apply_changes([{"entity": "stock", "id": f"{MERCHANT}/item:11", "data": {
        "merchant_id": MERCHANT, "key": "item:11", "count": 10, "available": True}}], "1")  # pulled earlier
    entries = tablet.adjust(20, poison={11})
    poisoned = entries[11]

    rounds = tablet.rounds_until_settled()

    final = {e.id: tablet.outbox.get(e.id) for e in entries}
    assert final[poisoned.id].state is S.REJECTED
    assert final[poisoned.id].code == "internal_error"
    assert "failed on this operation" in final[poisoned.id].detail
    assert "something went wrong on our side" in final[poisoned.id].detail
    assert all(final[e.id].state is S.ACKED for e in entries if e is not poisoned)
    # The server applied everything else once, in the order it was written.
    assert server.applied == [e.id for e in entries if e is not poisoned]
    # Bisected down to the one operation, which was then tried alone before giving up on it.
    alone = [batch for batch in server.pushes if [op["id"] for op in batch] == [poisoned.id]]
    assert len(alone) == SOLO_FAULTS
    assert rounds <= tablet.worker.pusher.max_faults + 2
    # The app hears of it and can list it, with the entity marked.
    assert [e["entry"].id for e in tablet.events if e["type"] == "rejected"] == [poisoned.id]
    assert [e.id for e in tablet.worker.rejected()] == [poisoned.id]
    assert tablet.store.sync_error("stock", f"{MERCHANT}|item:11")["code"] == "internal_error"
    # Quarantined means never sent again.
    pushes = len(server.pushes)
    tablet.worker.run_once()
    assert len(server.pushes) == pushes


def test_a_push_answer_that_is_not_one_is_a_server_fault_too(tablet: Tablet, server: ScriptedSyncServer) -> None:
    server.push = fails_on_poison((200, json.dumps({"results": "on strike"}).encode(), "application/json"))
    entries = tablet.adjust(5, poison={0})
    tablet.rounds_until_settled()
    states = [tablet.outbox.get(e.id).state for e in entries]
    assert states == [S.REJECTED] + [S.ACKED] * 4
    assert tablet.outbox.get(entries[0].id).code == "bad_response"


def test_answers_that_decide_nothing_count_as_faults(tablet: Tablet, server: ScriptedSyncServer) -> None:
    def undecided_for_poison(ops: list[dict[str, Any]]) -> Answer:
        results = [{"id": op["id"], "status": "in_flight" if op["payload"].get("poison") else "acked"}
                   for op in ops]
        return 200, json.dumps({"results": results}).encode(), "application/json"

    server.push = undecided_for_poison
    entries = tablet.adjust(6, poison={2})
    tablet.rounds_until_settled()
    assert [tablet.outbox.get(e.id).state for e in entries] == [S.ACKED] * 2 + [S.REJECTED] + [S.ACKED] * 3
    assert tablet.outbox.get(entries[2].id).code == "no_progress"


def test_refusals_per_operation_are_kept_and_the_batch_goes_on(tablet: Tablet, server: ScriptedSyncServer) -> None:
    def refuse_poison(ops: list[dict[str, Any]]) -> Answer:
        results = [{"id": op["id"], "status": "rejected", "code": "unknown_item", "detail": "no such item"}
                   if op["payload"].get("poison") else {"id": op["id"], "status": "acked"} for op in ops]
        return 200, json.dumps({"results": results}).encode(), "application/json"

    server.push = refuse_poison
    entries = tablet.adjust(4, poison={1})
    assert tablet.rounds_until_settled() == 1
    refused = tablet.outbox.get(entries[1].id)
    assert (refused.state, refused.code, refused.detail) == (S.REJECTED, "unknown_item", "no such item")
    assert len(server.pushes) == 1


@pytest.mark.parametrize("answer", [
    problem(503, "storage_unavailable", "the database could not commit; retry"),
    problem(502, "bad_gateway", "upstream"),
    problem(429, "rate_limited", "slow down"),
    (200, b"<html>Sign in to the cafe's wifi</html>", "text/html"),
])
def test_transport_trouble_is_retried_for_as_long_as_it_lasts(tablet: Tablet, server: ScriptedSyncServer,
                                                              answer: Answer) -> None:
    outage = tablet.worker.pusher.max_faults * 3
    server.push = lambda ops: answer if len(server.pushes) <= outage else acked(ops)
    entries = tablet.adjust(5)
    for _ in range(outage):
        report = tablet.worker.run_once()
        assert not report.ok and report.rejected == []
    assert all(tablet.outbox.get(e.id).faults == 0 for e in entries)
    tablet.rounds_until_settled()
    assert [tablet.outbox.get(e.id).state for e in entries] == [S.ACKED] * 5
    assert all(len(batch) == 5 for batch in server.pushes)  # never split: nothing was the batch's fault


def test_an_unreachable_server_never_quarantines_anything(tmp_path: Path, server: ScriptedSyncServer) -> None:
    tablet = Tablet(tmp_path / "offline.sqlite3", f"http://127.0.0.1:{free_port()}")
    try:
        entries = tablet.adjust(3)
        for _ in range(tablet.worker.pusher.max_faults * 2):
            assert tablet.worker.run_once().error.code == "network"
        assert tablet.outbox.counts()[S.READY.value] == 3
        tablet.api.close()
        tablet.api = ApiClient(server.base_url, "token")
        tablet.worker.api = tablet.worker.pusher.api = tablet.api
        tablet.rounds_until_settled()
        assert [tablet.outbox.get(e.id).state for e in entries] == [S.ACKED] * 3
    finally:
        tablet.close()


def test_faults_survive_a_restart_so_a_poisoned_outbox_still_drains(tmp_path: Path,
                                                                   server: ScriptedSyncServer) -> None:
    server.push = fails_on_poison(problem(500, "internal_error", "boom"))
    path = tmp_path / "restarted.sqlite3"
    first = Tablet(path, server.base_url)
    entries = first.adjust(3, poison={0})
    for _ in range(4):
        first.worker.run_once()
    faults = first.outbox.get(entries[0].id).faults
    assert faults == 4
    first.close()
    again = Tablet(path, server.base_url)  # the app was killed and started again
    try:
        assert again.outbox.get(entries[0].id).faults == faults
        again.rounds_until_settled(max_rounds=again.worker.pusher.max_faults - faults + 2)
        assert [again.outbox.get(e.id).state for e in entries] == [S.REJECTED, S.ACKED, S.ACKED]
    finally:
        again.close()


def test_a_store_from_before_faults_were_counted_gets_the_column(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    store = LocalStore(path)
    Outbox(store).enqueue("stock", "adjust", {"merchant_id": MERCHANT, "key": "item:x", "delta": 1})
    store.execute("ALTER TABLE outbox DROP COLUMN faults")
    store.close()
    reopened = LocalStore(path)
    try:
        outbox = Outbox(reopened)
        (entry,) = outbox.entries()
        assert entry.faults == 0
        assert outbox.count_fault([entry.id]) == {entry.id: 1}
    finally:
        reopened.close()
