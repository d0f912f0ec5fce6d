"""Tablet settings kept on the device: theme, language, auto-accept, quick picks, station."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

QUICK_PICKS = (10, 15, 20, 30)
REJECT_REASONS = ("too_busy", "sold_out", "closing", "other")


@dataclass
class TabletSettings:
    theme: str = "light"            # light / dark
    language: str = "en"
    auto_accept: bool = False       # accept every new order at once with the default prep time (+ busy extra)
    quick_picks: list[int] = field(default_factory=lambda: list(QUICK_PICKS))
    station: str | None = None      # None: every station
    sound: bool = True

    def dumps(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def loads(cls, raw: str | None) -> "TabletSettings":
        if not raw:
            return cls()
        data = json.loads(raw)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)
