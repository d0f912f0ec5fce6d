"""The new-order alert: on until someone acknowledges every order that arrived, beeping on a fixed period."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class AlertState:
    """Tracks orders waiting for acceptance that nobody has acknowledged yet.

    An order alerts from the moment the tablet sees it in `placed` until a person taps acknowledge (or acts on
    it). Acknowledging silences the orders seen so far; a newer order starts the alert again.
    """

    repeat_seconds: float = 4.0
    unacknowledged: set[str] = field(default_factory=set)
    acknowledged: set[str] = field(default_factory=set)
    last_beep: datetime | None = None
    beeps: int = 0

    def observe(self, waiting_ids: Iterable[str]) -> set[str]:
        """The orders now waiting for acceptance; returns those that are new to the alert."""
        waiting = set(waiting_ids)
        new = waiting - self.unacknowledged - self.acknowledged
        self.unacknowledged = (self.unacknowledged | new) & waiting
        self.acknowledged &= waiting
        return new

    @property
    def active(self) -> bool:
        return bool(self.unacknowledged)

    def acknowledge(self, order_ids: Iterable[str] | None = None) -> None:
        """Silence some orders (acting on a card) or all of them (the big acknowledge button)."""
        ids = set(self.unacknowledged if order_ids is None else order_ids) & self.unacknowledged
        self.unacknowledged -= ids
        self.acknowledged |= ids
        if not self.unacknowledged:
            self.last_beep = None

    def beep_due(self, now: datetime) -> bool:
        """True when the sound should play now (and records that it did)."""
        if not self.active:
            return False
        if self.last_beep is None or (now - self.last_beep).total_seconds() >= self.repeat_seconds:
            self.last_beep = now
            self.beeps += 1
            return True
        return False

    def flash_on(self, now: datetime) -> bool:
        """The banner blinks once a second while the alert is on."""
        return self.active and int(now.timestamp()) % 2 == 0
