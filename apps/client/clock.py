"""The device's hybrid logical clock across restarts and against the clocks it hears from the server.

Last-writer-wins merges compare stamps, so a device must never stamp a write behind a stamp it has already
seen: a tablet whose wall clock runs five minutes slow would otherwise lose every 86 to older edits. The
clock restores its last stamp from the store's meta on start and observes every stamp that comes back from
the server (pulled changes and push results name them `hlc` or `<field>_hlc`). A stamp further ahead than
the drift bound (core.sync.hlc.MAX_DRIFT_MS) is not followed: that device's clock is wrong, not ours.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from core.sync.hlc import HybridClock, Timestamp
from apps.client.store import LocalStore

log = logging.getLogger(__name__)
LAST_STAMP_META = "hlc_last"


def restore(clock: HybridClock, store: LocalStore) -> None:
    """Never stamp below what this device already stamped, even if its wall clock went back since."""
    last = store.get_meta(LAST_STAMP_META)
    if last:
        stamp = Timestamp.parse(last)
        if stamp > clock.last:
            clock.last = Timestamp(stamp.millis, stamp.counter, clock.node)


def stamps_in(data: Any) -> list[str]:
    """The clock stamps a server document carries at its top level: `hlc` and any `<field>_hlc`."""
    if not isinstance(data, dict):
        return []
    return [v for k, v in data.items() if isinstance(v, str) and (k == "hlc" or k.endswith("_hlc"))]


def observe(clock: HybridClock, store: LocalStore, stamps: Iterable[str]) -> Timestamp | None:
    """Move the clock past the latest of `stamps` (unreadable ones and ones beyond the drift bound are logged
    and skipped) and keep its last stamp in the store; returns the stamp observed, if any."""
    latest: Timestamp | None = None
    for text in stamps:
        try:
            stamp = Timestamp.parse(text)
        except ValueError:
            log.warning("ignoring an unreadable clock stamp from the server: %r", text[:120])
            continue
        latest = stamp if latest is None or stamp > latest else latest
    if latest is None or latest < clock.last:
        return None
    try:
        clock.observe(latest)
    except ValueError as exc:  # beyond the drift bound
        log.warning("not following a clock stamp from the server: %s", exc)
        return None
    with store.transaction():
        store.set_meta(LAST_STAMP_META, str(clock.last))
    return latest
