"""Order intake under load: orders/s and latency of POST /orders, against the same server's GET /health rate.

    python -m benchmarks.order_intake [--database-url URL] [--clients 64] [--seconds 10]

Starts `mealkitz serve` on a fresh database (a SQLite file in a temporary directory; with --database-url, a new
database on that PostgreSQL server, dropped afterwards), creates an always-open merchant and a customer through
the API, then keeps --clients keep-alive connections posting orders, each with a unique Idempotency-Key, for
--seconds. Afterwards it checks that every 201 is a committed row (rows = 201s, every id present), then drives
GET /health with the same clients for the same time. The load generator is raw asyncio HTTP/1.1 on one core, so
it costs the server little of a 2-core machine. Last line:
    order_intake_ratio: <orders per second / health requests per second>
"""
from __future__ import annotations

import argparse
import asyncio
import json
import re
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, select, text

from server.db import tables as t
from server.settings import normalise_database_url
from tests.server.live_server import (
    LiveServer, create_always_open_merchant, order_cart, prepare_database, register_customer,
)

ORDER_ID = re.compile(rb'"id":"([^"]+)"')


@dataclass
class Run:
    """What one timed phase saw."""

    seconds: float = 0.0
    client_cpu_seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    created_ids: list[str] = field(default_factory=list)
    errors: int = 0

    @property
    def completed(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0

    def percentile_ms(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


class Connection:
    """One HTTP/1.1 keep-alive connection; responses must carry Content-Length (uvicorn's do)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        body = await self.reader.readexactly(length) if length else b""
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def order_request(host: str, token: str, body: bytes) -> Callable[[int, int], bytes]:
    prefix = (f"POST /orders HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
              f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n").encode()
    run_id = uuid.uuid4().hex[:8]  # keys are unique per call, so a warm-up and a measured run never share one
    return lambda client, n: prefix + f"Idempotency-Key: {run_id}-{client}-{n}\r\n\r\n".encode() + body


def health_request(host: str) -> Callable[[int, int], bytes]:
    raw = f"GET /health HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    return lambda _client, _n: raw


async def drive(host: str, port: int, clients: int, seconds: float,
                make_request: Callable[[int, int], bytes]) -> Run:
    """`clients` connections, each sending its next request as soon as the last is answered, for `seconds`.

    Requests still in flight at the end are waited for and counted (an order answered late is still an order).
    """
    run = Run()
    connections = [Connection(host, port) for _ in range(clients)]
    for connection in connections:
        await connection.request(health_request(host)(0, 0))  # connect before the clock starts
    stop_at = time.perf_counter() + seconds

    async def client(i: int) -> None:
        n = 0
        connection = connections[i]
        while time.perf_counter() < stop_at:
            raw = make_request(i, n)
            n += 1
            started = time.perf_counter()
            try:
                status, body = await connection.request(raw)
            except (OSError, asyncio.IncompleteReadError):
                run.errors += 1
                connection.close()
                continue
            run.latencies.append(time.perf_counter() - started)
            run.statuses[status] = run.statuses.get(status, 0) + 1
            if status == 201:
                match = ORDER_ID.search(body, 0, 200)
                run.created_ids.append(match.group(1).decode() if match else "?")

    started, cpu_started = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    await asyncio.gather(*(client(i) for i in range(clients)))
    run.seconds = time.perf_counter() - started
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    run.client_cpu_seconds = cpu.ru_utime + cpu.ru_stime - cpu_started.ru_utime - cpu_started.ru_stime
    for connection in connections:
        connection.close()
    return run


def fresh_postgres_database(url: str) -> tuple[str, Callable[[], None]]:
    """A new database on the server `url` points at, and how to drop it."""
    url = normalise_database_url(url)
    name = f"mk_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.rsplit("/", 1)[0] + "/" + name, drop


def stored_order_ids(database_url: str, merchant_id: str) -> set[str]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return set(conn.execute(select(t.orders.c.id).where(t.orders.c.merchant_id == merchant_id)).scalars())
    finally:
        engine.dispose()


def use_uvloop() -> None:
    try:
        import uvloop
    except ImportError:
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server to create a fresh database on")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of orders before measuring")
    args = parser.parse_args(argv)
    use_uvloop()

    cleanup: Callable[[], None] = lambda: None
    with tempfile.TemporaryDirectory(prefix="mealkitz-bench-") as tmp:
        if args.database_url:
            database_url, cleanup = fresh_postgres_database(args.database_url)
        else:
            database_url = f"sqlite:///{Path(tmp) / 'mealkitz.sqlite3'}"
        kind = "postgresql" if args.database_url else "sqlite"
        try:
            prepare_database(database_url)
            with LiveServer(database_url, Path(tmp) / "data") as server:
                return measure(server, database_url, kind, args)
        finally:
            cleanup()


def measure(server: LiveServer, database_url: str, kind: str, args: argparse.Namespace) -> int:
    with httpx.Client(base_url=server.base_url, timeout=30.0) as client:
        create_always_open_merchant(client)
        token = register_customer(client)["Authorization"].split(" ", 1)[1]
    host, port = "127.0.0.1", server.port
    body = json.dumps(order_cart(), separators=(",", ":")).encode()
    warm = Run()
    if args.warmup > 0:
        warm = asyncio.run(drive(host, port, args.clients, args.warmup, order_request(f"{host}:{port}", token, body)))
        print(f"warm-up: {warm.completed} orders in {warm.seconds:.1f} s")
    placed = asyncio.run(drive(host, port, args.clients, args.seconds, order_request(f"{host}:{port}", token, body)))
    health = asyncio.run(drive(host, port, args.clients, args.seconds, health_request(f"{host}:{port}")))

    # Every 201 of the whole run (warm-up too) must be a committed row, and nothing else may be.
    created = placed.created_ids + warm.created_ids
    stored = stored_order_ids(database_url, "always-open-kitchen")
    missing = set(created) - stored
    strays = stored - set(created)

    print(f"database: {kind}, clients: {args.clients}, seconds: {args.seconds:g}")
    print(f"orders:  {placed.completed} answered, statuses {dict(sorted(placed.statuses.items()))}, "
          f"{placed.errors} connection errors")
    print(f"orders/s: {placed.rate:.0f} "
          f"(load generator busy {placed.client_cpu_seconds / placed.seconds:.0%} of a core)")
    print(f"order latency ms: p50 {placed.percentile_ms(0.50):.1f}  p90 {placed.percentile_ms(0.90):.1f}  "
          f"p99 {placed.percentile_ms(0.99):.1f}  max {placed.percentile_ms(1.0):.1f}  "
          f"mean {statistics.fmean(placed.latencies) * 1000:.1f}")
    print(f"committed: {len(stored)} rows for {len(created)} answers 201; missing {len(missing)}, "
          f"not acknowledged {len(strays)}")
    print(f"health/s: {health.rate:.0f} (p50 {health.percentile_ms(0.5):.1f} ms, "
          f"p99 {health.percentile_ms(0.99):.1f} ms; "
          f"load generator busy {health.client_cpu_seconds / health.seconds:.0%} of a core)")
    ok = not missing and not strays and len(stored) == len(created) and set(placed.statuses) == {201}
    if not ok:
        print("VERIFICATION FAILED: answers and committed rows differ, or some orders were refused", file=sys.stderr)
    ratio = placed.rate / health.rate if health.rate else 0.0
    print(f"order_intake_ratio: {ratio:.3f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
