"""Tickets: an order as the kitchen reads it, built from the order JSON the local store shows."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from apps.merchant.state.timers import Urgency, minutes_between, parse_time, urgency

# Which kitchen column an order status belongs to.
COLUMNS = ("new", "preparing", "ready", "handed_over")
STATUS_COLUMN = {"placed": "new", "accepted": "preparing", "preparing": "preparing", "ready": "ready",
                 "picked_up": "handed_over", "delivered": "handed_over"}
# Words in free-text instructions that mean "someone can get hurt": shown as a red banner, never small print.
ALLERGY_PATTERN = re.compile(
    r"allerg|al[eé]rg|c[oe]?eliac|cel[ií]ac|gluten|peanut|cacahuete|man[ií]\b|\bnuts?\b|nuez|nueces|lactos|"
    r"anaphyla|anafila|epipen|shellfish|marisco", re.IGNORECASE)


@dataclass(frozen=True)
class TicketModifier:
    kind: str  # add / extra / light / remove
    name: str


@dataclass(frozen=True)
class TicketLine:
    index: int
    name: str
    quantity: int
    variant: str | None = None
    modifiers: tuple[TicketModifier, ...] = ()
    instructions: str = ""
    allergens: tuple[str, ...] = ()
    station: str | None = None
    bumped: bool = False

    @property
    def label(self) -> str:
        return f"{self.name} ({self.variant})" if self.variant else self.name


@dataclass(frozen=True)
class Ticket:
    id: str
    number: int
    status: str
    column: str
    fulfilment: str
    channel: str
    placed_at: datetime | None
    promised_at: datetime | None
    lines: tuple[TicketLine, ...]
    instructions: str = ""
    allergy_notes: tuple[str, ...] = ()
    allergens: tuple[str, ...] = ()
    urgency: Urgency = Urgency.OK
    minutes_left: float | None = None
    minutes_waited: float = 0.0
    priority_score: float = 0.0
    priority_reasons: tuple[str, ...] = ()
    pending: int = 0
    sync_error: dict[str, Any] | None = None
    provisional: bool = False
    allowed_actions: tuple[str, ...] = ()
    vip: bool = False
    total: str = "0"
    currency: str = "EUR"
    prep_minutes: int | None = None
    last_change: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def waiting_to_sync(self) -> bool:
        return self.pending > 0

    @property
    def all_bumped(self) -> bool:
        return bool(self.lines) and all(line.bumped for line in self.lines)

    def search_text(self) -> str:
        return " ".join([f"#{self.number}", str(self.number), self.status, self.fulfilment, self.channel,
                         self.instructions, *(line.label for line in self.lines)]).lower()


def _modifiers(line: dict[str, Any]) -> tuple[TicketModifier, ...]:
    return tuple(TicketModifier(str(m.get("kind") or "add"), str(m.get("name") or m.get("option_id") or "?"))
                 for m in line.get("modifiers") or [])


def allergy_notes(*texts: str) -> tuple[str, ...]:
    """The instructions that mention an allergy or intolerance."""
    return tuple(t.strip() for t in texts if t and ALLERGY_PATTERN.search(t))


def ticket_from_order(order: dict[str, Any], now: datetime, *, bumped_lines: set[int] | frozenset[int] = frozenset(),
                      priority: tuple[float, tuple[str, ...]] = (0.0, ())) -> Ticket:
    """Build a ticket from an order view (`_sync` marks included, as apps.client.store returns it)."""
    quote = order.get("quote") or {}
    cart = order.get("cart") or {}  # a provisional order (placed offline) has only its cart
    raw_lines = quote.get("lines") or cart.get("lines") or []
    lines = tuple(
        TicketLine(index=i, name=str(line.get("name") or line.get("item_id") or "?"),
                   quantity=int(line.get("quantity") or 1), variant=line.get("variant_name"),
                   modifiers=_modifiers(line), instructions=str(line.get("instructions") or ""),
                   allergens=tuple(sorted(line.get("allergens") or [])), station=line.get("station"),
                   bumped=i in bumped_lines)
        for i, line in enumerate(raw_lines))
    instructions = str(quote.get("instructions") or cart.get("instructions") or "")
    placed, promised = parse_time(order.get("placed_at")), parse_time(order.get("promised_at"))
    status = str(order.get("status") or "placed")
    kitchen_open = STATUS_COLUMN.get(status) in ("new", "preparing")
    sync = order.get("_sync") or {}
    events = order.get("events") or []
    last_change = parse_time(events[-1].get("at")) if events else placed
    return Ticket(
        id=str(order.get("id")), number=int(order.get("number") or 0), status=status,
        column=STATUS_COLUMN.get(status, "closed"),
        fulfilment=str((quote.get("fulfilment") or cart.get("fulfilment") or {}).get("type") or "pickup"),
        channel=str(quote.get("channel") or cart.get("channel") or "web"),
        placed_at=placed, promised_at=promised, lines=lines, instructions=instructions,
        allergy_notes=allergy_notes(instructions, *(line.instructions for line in lines)),
        allergens=tuple(sorted({a for line in lines for a in line.allergens})),
        urgency=urgency(placed, promised, now) if kitchen_open else Urgency.OK,
        minutes_left=minutes_between(now, promised) if promised else None,
        minutes_waited=minutes_between(placed, now) if placed else 0.0,
        priority_score=priority[0], priority_reasons=priority[1],
        pending=int(sync.get("pending") or 0), sync_error=sync.get("error"),
        provisional=bool(sync.get("provisional")), allowed_actions=tuple(order.get("allowed_actions") or ()),
        vip=bool(order.get("vip")), total=str(quote.get("total") or "0"), currency=str(quote.get("currency") or ""),
        prep_minutes=order.get("prep_minutes"), last_change=last_change,
    )
