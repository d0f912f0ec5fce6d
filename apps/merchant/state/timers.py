"""Ticket timers: how long an order has waited and how close it is to the promised time."""
from __future__ import annotations

import math
from datetime import datetime, timezone
from enum import StrEnum

# Amber when less than this share of the promised window is left (but at least AMBER_MIN_MINUTES).
AMBER_SHARE = 0.25
AMBER_MIN_MINUTES = 3.0


class Urgency(StrEnum):
    OK = "ok"
    AMBER = "amber"
    RED = "red"


def parse_time(value: object) -> datetime | None:
    """An ISO timestamp from the wire (timezone-aware), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def minutes_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60.0


def urgency(placed_at: datetime | None, promised_at: datetime | None, now: datetime) -> Urgency:
    """Red once the promised time has passed; amber in the last quarter of the window (min 3 minutes)."""
    if promised_at is None:
        return Urgency.OK
    left = minutes_between(now, promised_at)
    if left < 0:
        return Urgency.RED
    window = minutes_between(placed_at, promised_at) if placed_at else left
    if left <= max(AMBER_MIN_MINUTES, AMBER_SHARE * window):
        return Urgency.AMBER
    return Urgency.OK


def clock(minutes: float) -> str:
    """A timer as the kitchen reads it: '7:05', '-2:30' when late, '1:02:00' past an hour."""
    sign = "-" if minutes < 0 else ""
    seconds = int(round(abs(minutes) * 60))
    hours, rest = divmod(seconds, 3600)
    mins, secs = divmod(rest, 60)
    return f"{sign}{hours}:{mins:02d}:{secs:02d}" if hours else f"{sign}{mins}:{secs:02d}"


def whole_minutes(minutes: float) -> str:
    """The card timer: whole minutes left ('12 min', '0 min', '-3 min' when late). Minutes, not seconds, so a
    card is redrawn once a minute and a tap never lands on a control that is being replaced."""
    value = math.ceil(minutes) if minutes >= 0 else -math.ceil(-minutes)
    return f"{value} min"
