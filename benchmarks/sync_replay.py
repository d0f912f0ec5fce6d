"""Sync replay: a kitchen tablet queues 10,000 operations during an outage, then the server comes back.

    python -m benchmarks.sync_replay [--ops 10000] [--batch 500]

A real `mealkitz serve` subprocess on a fresh SQLite database with an always-open kitchen. The tablet
(apps.client: LocalStore + Outbox + SyncWorker) has open orders cached; the server is stopped; the tablet
queues a mix of stock adjusts (60%), order placements (20%) and order transitions (20%: accept, then start);
the server is started again and the clock runs from its first /health answer until every operation is acked
and the tablet's cache is settled (pushed, then pulled back). For ratios in the same run (the machine may be
busy): the same server's sequential /health rate, and the same mix pushed straight from httpx with no client
store and no pull (client overhead = replay / raw).
Last line: `sync_replay_seconds: <value> s` (goal: at most 5 s on a 2-core machine).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script too: python benchmarks/sync_replay.py
    sys.path.insert(0, str(ROOT))

from apps.client import ApiClient, Backoff, LocalStore, Outbox, SyncWorker  # noqa: E402
from core.ids import uuid7  # noqa: E402
from core.sync.hlc import HybridClock  # noqa: E402
from tests.server.live_server import (  # noqa: E402
    ALWAYS_OPEN_ID, LiveServer, admin_headers, create_always_open_merchant, prepare_database,
)

STAFF = {"email": "bench-kitchen@always-open.local", "password": "bench-staff-pass"}
COUNTED = "item:soup"
CART = {"merchant_id": ALWAYS_OPEN_ID, "fulfilment": {"type": "pickup"},
        "lines": [{"item_id": "pasta", "variant_id": "regular", "quantity": 1}, {"item_id": "water", "quantity": 2}]}


def _setup(server: LiveServer) -> str:
    """The kitchen, its staff account and a counted stock row; returns the staff token."""
    with httpx.Client(base_url=server.base_url, timeout=60.0) as client:
        create_always_open_merchant(client)
        admin = admin_headers(client)
        client.post("/accounts", headers=admin, json={**STAFF, "role": "merchant_staff",
                                                      "merchant_id": ALWAYS_OPEN_ID}).raise_for_status()
        client.patch(f"/merchants/{ALWAYS_OPEN_ID}/stock", headers=admin,
                     json={"key": COUNTED, "set_count": True, "count": 1_000_000}).raise_for_status()
        response = client.post("/auth/login", json=STAFF)
        response.raise_for_status()
        return response.json()["token"]


def _settle(worker: SyncWorker, outbox: Outbox) -> None:
    while True:
        report = worker.run_once()
        if report.ok and outbox.pending() == 0 and not outbox.unsettled():
            return
        if not report.ok:
            time.sleep(worker.next_delay)


def _raw_replay(base_url: str, token: str, ops: list[tuple[str, str, dict]], batch: int) -> float:
    """Seconds the server takes for the same kind of operations sent straight from httpx (no local store,
    no pull): what the replay would cost with a client that did nothing but send."""
    clock = HybridClock("rawbench")
    wire = [{"id": str(uuid7()), "entity": entity, "op": op, "payload": payload, "hlc": str(clock.now()),
             "device_id": "rawbench"} for entity, op, payload in ops]
    with httpx.Client(base_url=base_url, timeout=300.0, headers={"authorization": f"Bearer {token}"}) as client:
        started = time.perf_counter()
        for i in range(0, len(wire), batch):
            response = client.post("/sync/push", json={"device_id": "rawbench", "operations": wire[i:i + batch]})
            response.raise_for_status()
        return time.perf_counter() - started


def _health_rate(base_url: str, n: int = 300) -> float:
    """Sequential GET /health per second: how fast this machine serves the simplest request right now."""
    with httpx.Client(base_url=base_url, timeout=30.0) as client:
        started = time.perf_counter()
        for _ in range(n):
            client.get("/health").raise_for_status()
        return n / (time.perf_counter() - started)


def run(n_ops: int, batch: int, raw: bool = True) -> float:
    with tempfile.TemporaryDirectory(prefix="sync-replay-") as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'server.sqlite3'}"
        prepare_database(db_url)
        server = LiveServer(db_url, Path(tmp) / "server")
        server.start()
        try:
            token = _setup(server)
            store = LocalStore(Path(tmp) / "tablet.sqlite3")
            store.set_meta("role", "merchant_staff")
            outbox = Outbox(store)
            api = ApiClient(server.base_url, token, timeout=120.0)
            worker = SyncWorker(api, outbox, batch_size=batch, pull_limit=1000, backoff=Backoff(base=0.05, cap=0.5))

            # Before the outage: open orders on the tablet for the transitions to act on.
            n_adjust, n_place = n_ops * 6 // 10, n_ops * 2 // 10
            n_orders = (n_ops - n_adjust - n_place) // 2
            outbox.enqueue_many([("order", "place", CART)] * n_orders)
            _settle(worker, outbox)
            open_ids = [o["id"] for o in store.orders(merchant_id=ALWAYS_OPEN_ID, open_only=True)][:n_orders]

            server.stop()
            ops = [("stock", "adjust", {"merchant_id": ALWAYS_OPEN_ID, "key": COUNTED, "delta": -1})] * n_adjust
            ops += [("order", "place", CART)] * n_place
            ops += [("order", "transition", {"order_id": i, "action": "accept", "prep_minutes": 12}) for i in open_ids]
            ops += [("order", "transition", {"order_id": i, "action": "start"}) for i in open_ids]
            started = time.perf_counter()
            outbox.enqueue_many(ops)
            enqueue_seconds = time.perf_counter() - started
            assert not worker.run_once().ok, "the server should be down"
            queued = outbox.pending()

            server.start()
            started = time.perf_counter()
            _settle(worker, outbox)
            replay_seconds = time.perf_counter() - started
            counts = outbox.counts()
            health = _health_rate(server.base_url)
            raw_seconds = None
            if raw:
                # The same mix again: adjusts, placements, and accepts of the orders the replay placed.
                placed = [o["id"] for o in store.orders(merchant_id=ALWAYS_OPEN_ID, open_only=True)
                          if o["status"] == "placed"][:2 * len(open_ids)]
                raw_ops = ops[:n_adjust + n_place] + [
                    ("order", "transition", {"order_id": i, "action": "accept", "prep_minutes": 12}) for i in placed]
                raw_seconds = _raw_replay(server.base_url, token, raw_ops, batch) * len(ops) / len(raw_ops)
        finally:
            server.stop()

    print(f"queued during the outage: {queued} operations ({n_adjust} stock adjusts, {n_place} placements, "
          f"{2 * len(open_ids)} transitions), enqueued in {enqueue_seconds:.2f} s")
    print(f"outbox after replay: {counts}")
    print(f"replay (push + pull back + settle): {replay_seconds:.2f} s, {queued / replay_seconds:,.0f} ops/s")
    print(f"same server: GET /health {health:,.0f} req/s sequential; replay ops/s / health req/s = "
          f"{queued / replay_seconds / health:.2f}")
    if raw_seconds is not None:
        print(f"same server, the same mix pushed raw from httpx (no store, no pull): {raw_seconds:.2f} s; "
              f"client replay / raw = {replay_seconds / raw_seconds:.2f}")
    print(f"sync_replay_seconds: {replay_seconds:.3f} s")
    return replay_seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ops", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500, help="operations per push (the server takes at most 500)")
    parser.add_argument("--no-raw", action="store_true", help="skip the raw-httpx comparison (halves the run)")
    args = parser.parse_args(argv)
    run(args.ops, args.batch, raw=not args.no_raw)
    return 0


if __name__ == "__main__":
    sys.exit(main())
