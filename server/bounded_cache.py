"""A thread-safe least-recently-used cache whose entries also expire: bounded in size and in age.

Caches in front of the database are keyed by what requests name (tokens, merchant ids), so an unbounded one
grows with every random value a client sends. This one holds at most `max_entries`, each for `ttl` seconds.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")
_MISSING = object()


class TtlLru(Generic[V]):
    """Key -> value for at most `ttl` seconds, the least recently used dropped beyond `max_entries`."""

    def __init__(self, max_entries: int, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        if max_entries < 1 or ttl <= 0:
            raise ValueError("a bounded cache needs max_entries >= 1 and ttl > 0")
        self.max_entries = max_entries
        self.ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, key: str) -> tuple[bool, V | None]:
        """(found, value): found is False for a key never stored, evicted or older than `ttl`."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return False, None
            if self._clock() - entry[0] >= self.ttl:
                del self._entries[key]
                return False, None
            self._entries.move_to_end(key)
            return True, entry[1]

    def put(self, key: str, value: V) -> None:
        """Store `value` under `key` from now on, dropping the least recently used beyond the bound."""
        with self._lock:
            self._entries[key] = (self._clock(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def pop(self, key: str) -> None:
        """Forget `key` (no error when absent)."""
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()
