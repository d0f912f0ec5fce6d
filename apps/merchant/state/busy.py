"""Busy mode as the tablet shows it: the server's state (core.merchants.BusyMode), set through the outbox,
in force until its end time, when it ends by itself on the server and on every tablet alike."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.merchants import MAX_PREP_MINUTES, BusyKind, BusyMode

__all__ = ["BusyKind", "BusyMode", "busy_in_force", "prep_minutes", "spell_end"]


def busy_in_force(row: dict[str, Any] | None, merchant: dict[str, Any], now: datetime) -> BusyMode:
    """The busy mode at `now`: the synced row if there is one (it carries this tablet's pending change too),
    else what the merchant document said when it was downloaded."""
    source = row if row is not None else merchant.get("busy")
    if not source:
        return BusyMode()
    try:
        busy = BusyMode.model_validate({k: v for k, v in source.items() if k in BusyMode.model_fields})
    except ValueError:
        return BusyMode()
    return busy.at(now)


def prep_minutes(busy: BusyMode, base: int) -> int:
    """The prep time to offer: the base plus the busy extra, within the server's bounds (1..240)."""
    extra = busy.extra_minutes if busy.kind is BusyKind.EXTRA_PREP else 0
    return max(1, min(MAX_PREP_MINUTES, base + extra))


def spell_end(now: datetime, for_minutes: int) -> datetime:
    return now + timedelta(minutes=for_minutes)
