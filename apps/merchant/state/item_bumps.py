"""Per-line bumps: which lines of an order the line cooks have finished, shared by every tablet of the kitchen.

The server keeps them (operation bumps.set_line, last writer wins per line); this reads them from the rows the
local store shows (server state plus this tablet's pending bumps), so a bump shows at once, offline too.
An order whose lines are all bumped is bumped as a whole (marked ready), and the server then forgets its bumps.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class ItemBumps:
    def __init__(self, rows: Iterable[dict[str, Any]] = ()) -> None:
        self._bumped: dict[str, frozenset[int]] = {
            str(row.get("order_id")): frozenset(i for i in row.get("lines") or [] if isinstance(i, int))
            for row in rows}

    def of(self, order_id: str) -> frozenset[int]:
        return self._bumped.get(order_id, frozenset())

    def toggled(self, order_id: str, line_index: int) -> tuple[bool, frozenset[int]]:
        """What a tap on a line asks for: (bumped now?, the order's bumped lines afterwards). A tap on a bumped
        line un-bumps it. The answer is an explicit state, not a toggle, so replaying it changes nothing."""
        lines = self.of(order_id)
        if line_index in lines:
            return False, lines - {line_index}
        return True, lines | {line_index}
