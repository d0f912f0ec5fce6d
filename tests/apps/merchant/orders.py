"""Order JSON as the local store shows it (server shape + `_sync` marks), for the state tests."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

NOW = datetime(2026, 11, 25, 19, 30, tzinfo=timezone.utc)


def line(name: str, quantity: int = 1, *, station: str | None = None, modifiers: list[tuple[str, str]] = (),
         instructions: str = "", allergens: list[str] = (), variant: str | None = None) -> dict[str, Any]:
    return {"item_id": name.lower(), "name": name, "quantity": quantity, "variant_name": variant,
            "station": station, "instructions": instructions, "allergens": list(allergens),
            "modifiers": [{"option_id": n.lower(), "name": n, "kind": k, "unit_price": "0"} for k, n in modifiers],
            "unit_price": "10.00", "subtotal": "10.00", "total": "10.00"}


def order(number: int, status: str = "placed", *, placed_min_ago: float = 2, promised_in: float = 13,
          lines: list[dict[str, Any]] | None = None, instructions: str = "", pending: int = 0,
          error: dict[str, Any] | None = None, total: str = "20.00", vip: bool = False) -> dict[str, Any]:
    placed = NOW - timedelta(minutes=placed_min_ago)
    allowed = {"placed": ["accept", "reject", "cancel"], "accepted": ["start", "ready", "cancel"],
               "preparing": ["ready", "cancel"], "ready": ["recall", "hand_over", "cancel"]}.get(status, [])
    quote_lines = lines if lines is not None else [line("Burger", 2, station="grill"), line("Salad", station="cold")]
    return {
        "id": f"ord-{number}", "number": number, "status": status, "version": 1, "vip": vip,
        "placed_at": placed.isoformat(), "promised_at": (NOW + timedelta(minutes=promised_in)).isoformat(),
        "prep_minutes": None, "ready_at": None, "travel_minutes": 0, "customer_id": "cust-1",
        "merchant_id": "k", "allowed_actions": allowed,
        "events": [{"seq": 1, "at": placed.isoformat(), "actor": {"role": "customer"}, "action": "place",
                    "from_status": None, "to_status": "placed"}],
        "quote": {"merchant_id": "k", "currency": "EUR", "tax_mode": "inclusive", "lines": quote_lines,
                  "subtotal": total, "discount": "0", "delivery_fee": "0", "service_fee": "0", "tax": "0",
                  "tip": "0", "total": total, "fulfilment": {"type": "pickup"},
                  "requested_time": {"slot_start": None, "slot_end": None}, "channel": "web",
                  "instructions": instructions, "priority": "normal"},
        "_sync": {"pending": pending, "error": error, "provisional": False},
    }
