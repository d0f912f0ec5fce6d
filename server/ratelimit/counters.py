"""Fixed-window counters: the port and its two backends, memory (one process) and Redis (every process).

A limit of N per S seconds counts the events of each key in the current window (`time // S`); the event that
takes a count past N is refused until the window ends. One counter operation is all a request costs: a dict
update under a lock in memory, one MULTI/INCR/EXPIRE round trip in Redis (atomic, so processes never lose a
count, unlike a read-then-write).
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from server.settings import Rate

# Keys the memory backend holds at once; beyond it the oldest windows are dropped (a flood of addresses must not
# grow the process without bound).
MEMORY_MAX_KEYS = 100_000


class RateLimited(Exception):
    """A limit refused the request: try again in `retry_after` seconds (server/errors.py answers 429)."""

    def __init__(self, retry_after: int, what: str) -> None:
        super().__init__(f"too many {what}; try again in {retry_after} s")
        self.retry_after = retry_after
        self.what = what


class Counters(Protocol):
    """The port: count one event of `key` under `rate`; the seconds until it would be allowed, or None."""

    async def hit(self, key: str, rate: Rate) -> float | None: ...

    async def give_back(self, key: str, rate: Rate) -> None:
        """Undo one `hit` of `key` in the current window (an attempt that turned out not to count)."""

    async def close(self) -> None: ...


def _refusal(count: int, window: int, now: float, rate: Rate) -> float | None:
    return None if count <= rate.limit else (window + 1) * rate.seconds - now


class MemoryCounters:
    """Counters of this process alone (the default without REDIS_URL)."""

    def __init__(self, max_keys: int = MEMORY_MAX_KEYS, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_keys = max_keys
        self._clock = clock
        # key -> [window, count], in the order windows started, so the first entries are the stalest.
        self._counts: dict[str, list[int]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._counts)

    async def hit(self, key: str, rate: Rate) -> float | None:
        return self.hit_now(key, rate)

    def hit_now(self, key: str, rate: Rate) -> float | None:
        """`hit` without the event loop (memory needs no IO)."""
        now = self._clock()
        window = int(now // rate.seconds)
        with self._lock:
            entry = self._counts.get(key)
            if entry is None or entry[0] != window:
                self._counts.pop(key, None)
                entry = self._counts[key] = [window, 0]
                if len(self._counts) > self.max_keys:
                    del self._counts[next(iter(self._counts))]
            entry[1] += 1
            count = entry[1]
        return _refusal(count, window, now, rate)

    async def give_back(self, key: str, rate: Rate) -> None:
        window = int(self._clock() // rate.seconds)
        with self._lock:
            entry = self._counts.get(key)
            if entry is not None and entry[0] == window and entry[1] > 0:
                entry[1] -= 1

    async def close(self) -> None:
        return None


_DECR_IF_POSITIVE = "if (tonumber(redis.call('GET', KEYS[1]) or '0') > 0) then redis.call('DECR', KEYS[1]) end"


class RedisCounters:
    """Counters in Redis, shared by every process that names the same server and `prefix`.

    The client is made on first use, in the event loop that uses it (redis.asyncio connections belong to one).
    """

    def __init__(self, url: str, prefix: str = "mealkitz:rate:", clock: Callable[[], float] = time.time) -> None:
        self.url = url
        self.prefix = prefix
        self._clock = clock
        self._redis: Any = None

    async def hit(self, key: str, rate: Rate) -> float | None:
        now = self._clock()
        window = int(now // rate.seconds)
        async with self._client().pipeline(transaction=True) as pipe:
            name = self._name(key, rate, window)
            count, _ = await pipe.incr(name).expire(name, rate.seconds + 1).execute()
        return _refusal(int(count), window, now, rate)

    async def give_back(self, key: str, rate: Rate) -> None:
        # DECR only a window that exists: one that expired meanwhile must not come back negative.
        name = self._name(key, rate, int(self._clock() // rate.seconds))
        await self._client().eval(_DECR_IF_POSITIVE, 1, name)

    def _name(self, key: str, rate: Rate, window: int) -> str:
        return f"{self.prefix}{key}:{rate.seconds}:{window}"

    def _client(self) -> Any:
        if self._redis is None:
            from redis.asyncio import Redis

            self._redis = Redis.from_url(self.url)
        return self._redis

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None


def make_counters(redis_url: str | None) -> Counters:
    """Redis when a URL is configured (several processes share one limit), else this process's memory."""
    return RedisCounters(redis_url) if redis_url else MemoryCounters()


async def enforce(counters: Counters, key: str, rate: Rate, what: str) -> None:
    """Count one event of `key`; RateLimited when that takes it past `rate`."""
    wait = await counters.hit(key, rate)
    if wait is not None:
        raise RateLimited(max(1, math.ceil(wait)), what)
