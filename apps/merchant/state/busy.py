"""Busy mode: pause new orders or add prep minutes for a while, then resume on its own."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class BusyKind(StrEnum):
    OFF = "off"
    PAUSED = "paused"          # no new orders (the server refuses them while the merchant is paused)
    EXTRA_PREP = "extra_prep"  # orders still come in; every accept adds `extra_minutes`


@dataclass
class BusyMode:
    kind: BusyKind = BusyKind.OFF
    extra_minutes: int = 0
    until: datetime | None = None

    def start(self, kind: BusyKind, now: datetime, for_minutes: int, extra_minutes: int = 0) -> None:
        """Turn busy mode on for `for_minutes`; it resumes normal service by itself afterwards."""
        self.kind = kind
        self.extra_minutes = extra_minutes if kind is BusyKind.EXTRA_PREP else 0
        self.until = now + timedelta(minutes=for_minutes)

    def stop(self) -> None:
        self.kind, self.extra_minutes, self.until = BusyKind.OFF, 0, None

    def tick(self, now: datetime) -> bool:
        """Resume when the time is up; True when this call ended busy mode (the caller un-pauses the server)."""
        if self.kind is not BusyKind.OFF and self.until is not None and now >= self.until:
            self.stop()
            return True
        return False

    @property
    def paused(self) -> bool:
        return self.kind is BusyKind.PAUSED

    def prep_minutes(self, base: int) -> int:
        """The prep time to promise: the base plus the busy extra (1..240, the server's bounds)."""
        extra = self.extra_minutes if self.kind is BusyKind.EXTRA_PREP else 0
        return max(1, min(240, base + extra))

    def minutes_left(self, now: datetime) -> int:
        if self.until is None:
            return 0
        return max(0, int((self.until - now).total_seconds() // 60) + 1)

    def to_json(self) -> dict[str, object]:
        return {"kind": str(self.kind), "extra_minutes": self.extra_minutes,
                "until": self.until.isoformat() if self.until else None}

    @classmethod
    def from_json(cls, data: dict[str, object] | None) -> "BusyMode":
        if not data:
            return cls()
        until = data.get("until")
        return cls(BusyKind(str(data.get("kind", "off"))), int(data.get("extra_minutes") or 0),  # type: ignore[arg-type]
                   datetime.fromisoformat(until) if isinstance(until, str) else None)
