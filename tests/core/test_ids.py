"""UUIDv7 ids: the RFC 9562 layout, strictly increasing within a process, unique across threads."""
from __future__ import annotations

import threading
import time
import uuid

from core import ids


def test_ids_have_the_version_7_layout_and_the_current_millisecond() -> None:
    before = time.time_ns() // 1_000_000
    value = ids.uuid7()
    after = time.time_ns() // 1_000_000
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert before <= value.int >> 80 <= after + 1


def test_text_ids_are_the_canonical_form() -> None:
    text = ids.uuid7_str()
    assert str(uuid.UUID(text)) == text
    assert uuid.UUID(text).version == 7


def test_ids_strictly_increase_even_within_one_millisecond() -> None:
    made = [ids.uuid7_int() for _ in range(20_000)]  # thousands share a millisecond
    assert all(a < b for a, b in zip(made, made[1:]))
    assert len({m >> 80 for m in made}) < len(made)


def test_a_full_counter_borrows_the_next_millisecond(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    frozen = time.time_ns()
    monkeypatch.setattr(ids.time, "time_ns", lambda: frozen)
    made = [ids.uuid7_int() for _ in range(5_000)]  # more than the 12-bit counter can hold in one ms
    assert all(a < b for a, b in zip(made, made[1:]))
    assert (made[-1] >> 80) > (made[0] >> 80)
    assert all(m >> 76 & 0xF == 7 and m >> 62 & 0b11 == 0b10 for m in made)


def test_threads_never_get_the_same_id() -> None:
    results: list[list[int]] = [[] for _ in range(4)]

    def make(out: list[int]) -> None:
        out.extend(ids.uuid7_int() for _ in range(5_000))

    threads = [threading.Thread(target=make, args=(r,)) for r in results]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [i for r in results for i in r]
    assert len(set(every)) == len(every)
