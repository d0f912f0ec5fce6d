"""At most one request per interval to each host, however many scrapes run at once, on whichever thread.

Scheduled scrapes run in job worker threads (each with its own event loop) and previews on the server's
loop; one limiter serves them all, so slots are reserved under a thread lock and waited out with no lock held.
"""
from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable

_PRUNE_AT = 1024  # hosts remembered before the ones whose slot has passed are forgotten


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
        self._lock = threading.Lock()

    def reserve(self, host: str, interval: float | None = None) -> float:
        """Take the host's next slot; returns the seconds to wait for it (callers queue up in call order)."""
        gap = max(self.min_interval, interval or 0.0)
        with self._lock:
            now = self._clock()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + gap
            if len(self._next) > _PRUNE_AT:
                self._next = {h: t for h, t in self._next.items() if t > now}
        return start - now

    async def wait(self, host: str, interval: float | None = None) -> float:
        """Wait for the host's turn; returns the seconds waited."""
        delay = self.reserve(host, interval)
        if delay:
            await self._sleep(delay)
        return delay
