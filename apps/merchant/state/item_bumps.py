"""Per-item bumps: which lines of an order the line cooks have finished.

The server has no per-item state, so bumps live on this tablet (kept in its local store across restarts).
An order whose items are all bumped is bumped as a whole (marked ready), which does sync.
"""
from __future__ import annotations

import json
from collections.abc import Iterable


class ItemBumps:
    def __init__(self, data: str | None = None) -> None:
        raw = json.loads(data) if data else {}
        self._bumped: dict[str, set[int]] = {k: set(v) for k, v in raw.items()}

    def of(self, order_id: str) -> frozenset[int]:
        return frozenset(self._bumped.get(order_id, ()))

    def toggle(self, order_id: str, line_index: int) -> bool:
        """Bump a line, or un-bump it when tapped again; returns whether it is bumped now."""
        lines = self._bumped.setdefault(order_id, set())
        if line_index in lines:
            lines.discard(line_index)
            return False
        lines.add(line_index)
        return True

    def clear(self, order_id: str) -> None:
        self._bumped.pop(order_id, None)

    def keep_only(self, order_ids: Iterable[str]) -> None:
        """Forget orders that left the kitchen."""
        keep = set(order_ids)
        self._bumped = {k: v for k, v in self._bumped.items() if k in keep and v}

    def dumps(self) -> str:
        return json.dumps({k: sorted(v) for k, v in self._bumped.items() if v})
