"""The order manager's priority, computed on the tablet with the same core function the server's queue uses, so
the order of the cards stays right while the tablet is offline."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from core.orders.model import Order
from core.orders.priority import priority_of


class PriorityCache:
    """Parses each order version once; scores are recomputed every tick because they depend on the clock."""

    def __init__(self) -> None:
        self._orders: dict[tuple[str, int, str], Order | None] = {}

    def _order(self, view: dict[str, Any]) -> Order | None:
        key = (str(view.get("id")), int(view.get("version") or 0), str(view.get("status")))
        if key not in self._orders:
            try:
                self._orders[key] = Order.model_validate({k: v for k, v in view.items() if not k.startswith("_")})
            except ValidationError:  # a provisional order or an older server's shape: rank it by age only
                self._orders[key] = None
        return self._orders[key]

    def score(self, view: dict[str, Any], now: datetime, default_prep_minutes: int) -> tuple[float, tuple[str, ...]]:
        order = self._order(view)
        if order is None:
            return 0.0, ()
        found = priority_of(order, now, default_prep_minutes)
        return found.score, tuple(found.reasons)

    def forget_except(self, ids: set[str]) -> None:
        self._orders = {k: v for k, v in self._orders.items() if k[0] in ids}
