"""Hybrid logical clocks: stamps only go forward, follow what they observe within the drift bound, and print
so that text order is clock order."""
from __future__ import annotations

import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.sync.hlc import MAX_DRIFT_MS, HybridClock, Timestamp
from core.sync.operations import later


class Wall:
    """A wall clock in milliseconds that the test sets, forward or back."""

    def __init__(self, millis: int = 1_700_000_000_000) -> None:
        self.millis = millis

    def __call__(self) -> int:
        return self.millis


@pytest.fixture
def wall() -> Wall:
    return Wall()


def test_a_clock_follows_the_wall_when_it_moves_forward(wall: Wall) -> None:
    clock = HybridClock("tablet", wall=wall)
    assert clock.now() == Timestamp(wall.millis, 0, "tablet")
    wall.millis += 5
    assert clock.now() == Timestamp(wall.millis, 0, "tablet")


def test_stamps_keep_rising_when_the_wall_stands_still_or_goes_back(wall: Wall) -> None:
    clock = HybridClock("tablet", wall=wall)
    first = clock.now()
    same_millisecond = clock.now()
    wall.millis -= 60_000  # the phone's clock was corrected backwards by a minute
    after_correction = clock.now()
    assert first < same_millisecond < after_correction
    assert after_correction == Timestamp(first.millis, 2, "tablet")
    wall.millis = first.millis + 1
    assert clock.now() == Timestamp(first.millis + 1, 0, "tablet")


@given(moves=st.lists(st.integers(-5_000, 5_000), min_size=1, max_size=60))
def test_any_wall_clock_gives_strictly_rising_stamps(moves: list[int]) -> None:
    wall = Wall()
    clock = HybridClock("n", wall=wall)
    stamps, walls = [], []
    for move in moves:
        wall.millis += move
        stamps.append(clock.now())
        walls.append(wall.millis)
    assert all(a < b for a, b in zip(stamps, stamps[1:]))
    assert all(stamp.millis >= at for stamp, at in zip(stamps, walls)), "never behind the wall either"


def test_observing_a_clock_ahead_moves_this_clock_past_it(wall: Wall) -> None:
    clock = HybridClock("tablet", wall=wall)
    mine = clock.now()
    remote = Timestamp(wall.millis + 30_000, 7, "server")
    seen = clock.observe(remote)
    assert seen == Timestamp(remote.millis, 8, "tablet") and seen > remote > mine
    following = clock.now()  # the wall has not caught up: the counter carries on from the remote stamp
    assert following == Timestamp(remote.millis, 9, "tablet") and following > remote


def test_observing_a_clock_behind_changes_only_the_counter(wall: Wall) -> None:
    clock = HybridClock("tablet", wall=wall)
    mine = clock.now()
    seen = clock.observe(Timestamp(wall.millis - 10_000, 99, "old-phone"))
    assert seen == Timestamp(mine.millis, 1, "tablet")


def test_observing_the_same_millisecond_takes_the_larger_counter(wall: Wall) -> None:
    clock = HybridClock("tablet", wall=wall)
    clock.now(), clock.now()  # counter 1
    assert clock.observe(Timestamp(wall.millis, 5, "other")) == Timestamp(wall.millis, 6, "tablet")
    assert clock.observe(Timestamp(wall.millis, 2, "other")) == Timestamp(wall.millis, 7, "tablet")


def test_when_the_wall_has_passed_every_stamp_seen_the_counter_starts_again(wall: Wall) -> None:
    clock = HybridClock("tablet", wall=wall)
    clock.observe(Timestamp(wall.millis - 1, 40, "server"))
    wall.millis += 1_000
    assert clock.observe(Timestamp(wall.millis - 500, 3, "server")) == Timestamp(wall.millis, 0, "tablet")


def test_a_remote_clock_too_far_ahead_is_refused_and_changes_nothing(wall: Wall) -> None:
    clock = HybridClock("tablet", wall=wall)
    before = clock.now()
    with pytest.raises(ValueError, match="ahead"):
        clock.observe(Timestamp(wall.millis + MAX_DRIFT_MS + 1, 0, "broken-phone"))
    assert clock.last == before
    at_the_bound = clock.observe(Timestamp(wall.millis + MAX_DRIFT_MS, 0, "server"))  # the bound itself is followed
    assert at_the_bound.millis == wall.millis + MAX_DRIFT_MS


@given(remotes=st.lists(st.tuples(st.integers(-MAX_DRIFT_MS, MAX_DRIFT_MS), st.integers(0, 1000)), max_size=40),
       locals_between=st.lists(st.booleans(), max_size=40))
def test_a_clock_never_stamps_behind_anything_it_has_seen(remotes: list[tuple[int, int]],
                                                          locals_between: list[bool]) -> None:
    wall = Wall()
    clock = HybridClock("tablet", wall=wall)
    seen: list[Timestamp] = []
    issued: list[Timestamp] = []
    for (offset, counter), stamp_locally in zip(remotes, locals_between + [False] * len(remotes)):
        remote = Timestamp(wall.millis + offset, counter, "server")
        seen.append(remote)
        issued.append(clock.observe(remote))
        if stamp_locally:
            issued.append(clock.now())
    assert all(a < b for a, b in zip(issued, issued[1:]))
    if seen:
        assert clock.now() > max(seen)


def test_concurrent_stamps_are_all_distinct() -> None:
    clock = HybridClock("tablet", wall=Wall())
    stamps: list[Timestamp] = []
    lock = threading.Lock()

    def stamp() -> None:
        mine = [clock.now() for _ in range(500)]
        with lock:
            stamps.extend(mine)

    threads = [threading.Thread(target=stamp) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(stamps)) == 2_000


def test_a_clock_needs_a_node_id() -> None:
    with pytest.raises(ValueError):
        HybridClock("")


stamps = st.builds(Timestamp, st.integers(0, 10**15 - 1), st.integers(0, 10**6 - 1),
                   st.text(st.characters(min_codepoint=48, max_codepoint=122), min_size=1, max_size=12))


@given(a=stamps, b=stamps)
def test_text_order_is_clock_order_and_text_parses_back(a: Timestamp, b: Timestamp) -> None:
    assert Timestamp.parse(str(a)) == a
    assert (str(a) < str(b)) == (a < b)


@pytest.mark.parametrize("text", ["", "abc", "1-2", "1-2-", "-1-0-node", "1--1-node", "x-0-node", "1-y-node"])
def test_garbage_is_not_a_timestamp(text: str) -> None:
    with pytest.raises(ValueError, match="not a hybrid logical clock timestamp"):
        Timestamp.parse(text)


def test_a_node_id_may_contain_dashes() -> None:
    assert Timestamp.parse("000000000000005-000001-device-7").node == "device-7"


def test_later_is_last_writer_wins_with_the_node_breaking_ties() -> None:
    early, late = Timestamp(1_000, 0, "b"), Timestamp(1_000, 1, "a")
    assert later(None, str(early))
    assert later(str(early), str(late)) and not later(str(late), str(early))
    assert not later(str(early), str(early)), "the same stamp again does not win"
    assert later(str(Timestamp(1_000, 1, "a")), str(Timestamp(1_000, 1, "b")))
    assert later(str(Timestamp(999, 999_999, "z")), str(Timestamp(1_000, 0, "a")))
    with pytest.raises(ValueError):
        later(str(early), "yesterday")
