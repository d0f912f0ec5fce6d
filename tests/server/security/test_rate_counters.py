"""The counters port: the same contract on memory and Redis; Redis shared between processes; memory bounded."""
from __future__ import annotations

import asyncio
import uuid

from server.ratelimit.counters import Counters, MemoryCounters
from server.settings import Rate
from tests.server.security.conftest import redis_counters


def _hits(counters: Counters, key: str, rate: Rate, times: int) -> list[float | None]:
    async def run() -> list[float | None]:
        try:
            return [await counters.hit(key, rate) for _ in range(times)]
        finally:
            await counters.close()

    return asyncio.run(run())


def test_a_key_is_refused_past_its_limit_until_the_window_ends(rate_counters: Counters) -> None:
    waits = _hits(rate_counters, "client:198.51.100.7", Rate(3, 60), 5)
    assert waits[:3] == [None, None, None]
    assert all(wait is not None and 0 < wait <= 60 for wait in waits[3:])


def test_keys_are_counted_apart(rate_counters: Counters) -> None:
    async def run() -> tuple[float | None, float | None]:
        try:
            rate = Rate(1, 60)
            await rate_counters.hit("client:a", rate)
            return await rate_counters.hit("client:a", rate), await rate_counters.hit("client:b", rate)
        finally:
            await rate_counters.close()

    again, other = asyncio.run(run())
    assert again is not None and other is None


def test_a_hit_given_back_no_longer_counts(rate_counters: Counters) -> None:
    async def run() -> list[float | None]:
        try:
            rate = Rate(2, 60)
            waits = [await rate_counters.hit("sign-in:a|email:x", rate) for _ in range(2)]
            await rate_counters.give_back("sign-in:a|email:x", rate)
            await rate_counters.give_back("sign-in:a|email:never-hit", rate)  # nothing to give back: no-op
            waits += [await rate_counters.hit("sign-in:a|email:x", rate) for _ in range(2)]
            return waits + [await rate_counters.hit("sign-in:a|email:never-hit", rate)]
        finally:
            await rate_counters.close()

    waits = asyncio.run(run())
    assert waits[:3] == [None, None, None] and waits[3] is not None and waits[4] is None


def test_two_processes_share_one_limit_through_redis() -> None:
    prefix = f"mealkitz-test:{uuid.uuid4().hex}:"
    one, two = redis_counters(prefix), redis_counters(prefix)  # as two server processes would hold them
    rate = Rate(4, 60)

    async def run() -> list[float | None]:
        try:
            return [await (one if i % 2 else two).hit("sign-in:203.0.113.9", rate) for i in range(6)]
        finally:
            await one.close()
            await two.close()

    waits = asyncio.run(run())
    assert waits[:4] == [None] * 4 and None not in waits[4:]


def test_memory_counters_stay_bounded_under_a_flood_of_addresses() -> None:
    counters = MemoryCounters(max_keys=1000)
    rate = Rate(5, 60)
    for n in range(20_000):
        counters.hit_now(f"client:10.{n // 65536}.{n // 256 % 256}.{n % 256}", rate)
    assert len(counters) <= 1000
    # The newest keys are the ones kept, still counting.
    assert all(counters.hit_now("client:10.0.78.31", rate) is None for _ in range(3))


def test_live_servers_raise_every_limit_the_settings_read() -> None:
    from server.settings import RateLimits, Settings
    from tests.server.live_server import UNLIMITED_RATES

    limits = Settings.from_env(UNLIMITED_RATES).rate_limits
    assert all(getattr(limits, name).limit == 10**9 for name in RateLimits.__dataclass_fields__)
