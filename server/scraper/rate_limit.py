"""At most one request per interval to each host, however many scrapes run at once."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class HostRateLimiter:
    """Spaces requests to the same host by `min_interval` seconds (or a longer robots.txt Crawl-delay).

    `clock` and `sleep` are injectable so tests check the spacing without waiting.
    """

    def __init__(
        self,
        min_interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.min_interval = min_interval
        self._clock, self._sleep = clock, sleep
        self._next: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def wait(self, host: str, interval: float | None = None) -> float:
        """Wait for the host's turn; returns the seconds waited."""
        lock = self._locks.setdefault(host, asyncio.Lock())
        async with lock:  # callers for one host queue up; other hosts are not held back
            gap = max(self.min_interval, interval or 0.0)
            now = self._clock()
            delay = max(0.0, self._next.get(host, now) - now)
            if delay:
                await self._sleep(delay)
            self._next[host] = now + delay + gap
            return delay
