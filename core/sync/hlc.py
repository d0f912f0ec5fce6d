"""Hybrid logical clocks (Kulkarni et al. 2014): causally ordered, close to wall time, totally ordered
with the node id as tie-break. Serialised as a fixed-width string so text order is clock order."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_DRIFT_MS = 60_000  # a remote clock further ahead than this is refused rather than followed


@dataclass(frozen=True, order=True)
class Timestamp:
    millis: int
    counter: int
    node: str

    def __str__(self) -> str:
        return f"{self.millis:015d}-{self.counter:06d}-{self.node}"

    @classmethod
    def parse(cls, text: str) -> "Timestamp":
        """A stamp from its text form; ValueError for anything else."""
        try:
            millis, counter, node = text.split("-", 2)
            stamp = cls(int(millis), int(counter), node)
        except ValueError:
            raise ValueError(f"not a hybrid logical clock timestamp: {text!r}") from None
        if stamp.millis < 0 or stamp.counter < 0 or not node:
            raise ValueError(f"not a hybrid logical clock timestamp: {text!r}")
        return stamp


class HybridClock:
    """One per device (node). `now()` stamps a local event; `observe()` merges a received stamp."""

    def __init__(self, node: str, wall: Callable[[], int] = lambda: time.time_ns() // 1_000_000) -> None:
        if not node:
            raise ValueError("a hybrid clock needs a node id")
        self.node = node
        self.wall = wall
        self.last = Timestamp(0, 0, node)
        self._lock = threading.Lock()

    def now(self) -> Timestamp:
        """A stamp for a local event: after every stamp this clock gave or observed."""
        with self._lock:
            wall = self.wall()
            if wall > self.last.millis:
                self.last = Timestamp(wall, 0, self.node)
            else:
                self.last = Timestamp(self.last.millis, self.last.counter + 1, self.node)
            return self.last

    def observe(self, remote: Timestamp) -> Timestamp:
        """Merge a received stamp, so later local stamps order after it; ValueError when it is more than MAX_DRIFT_MS ahead of the wall clock."""
        with self._lock:
            wall = self.wall()
            if remote.millis - wall > MAX_DRIFT_MS:
                raise ValueError(f"remote clock is {remote.millis - wall} ms ahead; refusing to follow it")
            millis = max(wall, self.last.millis, remote.millis)
            if millis == self.last.millis == remote.millis:
                counter = max(self.last.counter, remote.counter) + 1
            elif millis == self.last.millis:
                counter = self.last.counter + 1
            elif millis == remote.millis:
                counter = remote.counter + 1
            else:
                counter = 0
            self.last = Timestamp(millis, counter, self.node)
            return self.last
