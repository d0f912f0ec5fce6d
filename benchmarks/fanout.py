"""Live-update fan-out: how fast an order status event reaches 1,000 WebSocket subscribers.

    python -m benchmarks.fanout [--subscribers 1000] [--events 20]

Starts `mealkitz serve` on a fresh SQLite database (memory channels backend), creates the always-open kitchen
and a staff account, opens --subscribers WebSockets on `/live` as that kitchen's staff (they all follow the
kitchen's topic), then places orders and moves them through the lifecycle, one event at a time. For each event
the latency is the time from sending the request that causes it to each subscriber receiving it (so it
includes the request itself). Prints p50 and, last, `fanout_p99_ms: <value>`.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

from tests.server.live_server import (
    ALWAYS_OPEN_ID, LiveServer, admin_headers, create_always_open_merchant, order_cart, prepare_database,
    register_customer,
)

STAFF = {"email": "fanout@always-open.local", "password": "fanout-pass-123", "role": "merchant_staff",
         "merchant_id": ALWAYS_OPEN_ID}


async def subscriber(url: str, ready: asyncio.Event, arrivals: dict[str, list[float]], count: list[int],
                     total: int) -> None:
    async with connect(url, max_queue=None, open_timeout=60) as socket:
        json.loads(await socket.recv())  # "subscribed"
        count[0] += 1
        if count[0] == total:
            ready.set()
        async for message in socket:
            event = json.loads(message)
            arrivals.setdefault(f"{event.get('order_id')}:{event.get('status')}", []).append(time.perf_counter())


async def run(base_url: str, ws_url: str, subscribers: int, events: int) -> list[float]:
    arrivals: dict[str, list[float]] = {}
    ready, count = asyncio.Event(), [0]
    tasks = []
    for i in range(subscribers):
        tasks.append(asyncio.create_task(subscriber(ws_url, ready, arrivals, count, subscribers)))
        if i % 100 == 99:
            await asyncio.sleep(0.05)  # do not open a thousand handshakes in one burst
    await asyncio.wait_for(ready.wait(), timeout=120)
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        customer = register_customer_sync(base_url)
        login = await client.post("/auth/login", json={"email": STAFF["email"], "password": STAFF["password"]})
        staff = {"Authorization": f"Bearer {login.json()['token']}"}
        sent = 0
        while sent < events:
            started = time.perf_counter()
            placed = await client.post("/orders", json=order_cart(), headers=customer)
            order_id = placed.json()["id"]
            keys = [(f"{order_id}:placed", started)]
            for action, status in (("accept", "accepted"), ("start", "preparing"), ("ready", "ready")):
                if len(keys) + sent >= events:
                    break
                started = time.perf_counter()
                body = {"action": action, "prep_minutes": 10} if action == "accept" else {"action": action}
                await client.post(f"/orders/{order_id}/transitions", json=body, headers=staff)
                keys.append((f"{order_id}:{status}", started))
            await wait_for_all(arrivals, [k for k, _ in keys], subscribers)
            for key, started in keys:
                latencies.extend((t - started) * 1000 for t in arrivals[key])
            sent += len(keys)
    for task in tasks:
        task.cancel()
    return latencies


async def wait_for_all(arrivals: dict[str, list[float]], keys: list[str], subscribers: int) -> None:
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        if all(len(arrivals.get(k, [])) >= subscribers for k in keys):
            return
        await asyncio.sleep(0.005)
    missing = {k: subscribers - len(arrivals.get(k, [])) for k in keys}
    raise SystemExit(f"events did not reach every subscriber within 30 s: {missing}")


def register_customer_sync(base_url: str) -> dict[str, str]:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        return register_customer(client)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'fanout.sqlite3'}"
        prepare_database(database_url)
        with LiveServer(database_url, Path(tmp), env={"MEALKITZ_DISPATCH": "0"}) as server:
            with httpx.Client(base_url=server.base_url, timeout=30) as client:
                create_always_open_merchant(client)
                assert client.post("/accounts", json=STAFF, headers=admin_headers(client)).status_code == 201
                token = client.post("/auth/login", json={"email": STAFF["email"],
                                                         "password": STAFF["password"]}).json()["token"]
            ws_url = f"ws://127.0.0.1:{server.port}/live?token={token}"
            latencies = asyncio.run(run(server.base_url, ws_url, args.subscribers, args.events))
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"subscribers: {args.subscribers}, events: {args.events}, deliveries: {len(latencies)}")
    print(f"fanout latency ms: p50 {statistics.median(latencies):.1f}  p99 {p99:.1f}  max {latencies[-1]:.1f}")
    print(f"fanout_p99_ms: {p99:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
