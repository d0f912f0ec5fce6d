"""Time-ordered ids (UUIDv7, RFC 9562): sortable, index-friendly, generated without coordination.

Layout: 48 bits of Unix milliseconds, the version, a 12-bit counter (rand_a), the variant and 62 random bits
(rand_b). Ids from one process strictly increase: within a millisecond the counter, seeded at random each
millisecond, counts up (RFC 9562 section 6.2, method 1); should it run out, the next millisecond is borrowed.
Randomness comes from os.urandom in 4 KiB draws rather than a system call per id (order intake makes
thousands a second).
"""
from __future__ import annotations

import os
import threading
import time
import uuid

_POOL_BYTES = 4096
_lock = threading.Lock()
_pool = b""
_offset = 0
_last_ms = 0
_counter = 0


def _random(n: int) -> int:
    global _pool, _offset
    if _offset + n > len(_pool):
        _pool, _offset = os.urandom(_POOL_BYTES), 0
    value = int.from_bytes(_pool[_offset:_offset + n], "big")
    _offset += n
    return value


def uuid7_int() -> int:
    """A UUIDv7 as an integer: the time in milliseconds, a counter within the millisecond, randomness."""
    global _last_ms, _counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            _last_ms, _counter = ms, _random(2) & 0x7FF  # seeded below the half: room to count up
        else:
            _counter += 1
            if _counter > 0xFFF:
                _last_ms, _counter = _last_ms + 1, _random(2) & 0x7FF
        tail = _random(8) & 0x3FFF_FFFF_FFFF_FFFF
        ms = _last_ms
        counter = _counter
    return (ms & 0xFFFF_FFFF_FFFF) << 80 | 0x7 << 76 | counter << 64 | 0b10 << 62 | tail


def uuid7() -> uuid.UUID:
    """A UUIDv7 (RFC 9562): time-ordered, so ids sort by creation."""
    return uuid.UUID(int=uuid7_int())


def uuid7_str() -> str:
    """The same id as text, without building a UUID object."""
    h = f"{uuid7_int():032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
