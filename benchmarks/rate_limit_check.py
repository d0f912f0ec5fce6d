"""What the rate limit adds to every request: RequestLimits.check_request on the memory counters, for a request
carrying a cached session (two counter updates and a session-cache lookup, as on the POST /orders fast path).

    python -m benchmarks.rate_limit_check [--requests 200000]

Last line:
    rate_limit_check: <microseconds per request>
"""
from __future__ import annotations

import argparse
import asyncio
import secrets
import time
from contextlib import AbstractContextManager
from typing import Any

from core.orders.lifecycle import Role
from core.orders.model import Actor
from server.auth import SessionResolver, token_digest
from server.ratelimit.counters import MemoryCounters
from server.ratelimit.limits import RequestLimits
from server.settings import Rate, RateLimits


def _no_database() -> AbstractContextManager[Any]:
    raise AssertionError("the benchmark's session is cached: no query")


async def measure(requests: int) -> float:
    sessions = SessionResolver(_no_database)
    token = secrets.token_urlsafe(32)
    sessions._sessions.put(token_digest(token), Actor(role=Role.CUSTOMER, id="cust-bench"))
    unlimited = Rate(10**12, 60)
    limits = RequestLimits(RateLimits(per_client=unlimited, per_account=unlimited), MemoryCounters(), sessions)
    scope = {"type": "http", "path": "/orders", "client": ("203.0.113.5", 40000),
             "headers": [(b"host", b"api.example"), (b"content-type", b"application/json"),
                         (b"authorization", f"Bearer {token}".encode()), (b"idempotency-key", b"k1"),
                         (b"content-length", b"420")]}
    started = time.perf_counter()
    for _ in range(requests):
        await limits.check_request(scope)
    return (time.perf_counter() - started) / requests * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200_000)
    args = parser.parse_args()
    micros = asyncio.run(measure(args.requests))
    print(f"rate_limit_check: {micros:.2f} µs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
