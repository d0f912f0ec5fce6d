"""The kitchen display: tickets in columns by status, most urgent first, filtered by station, with all-day counts."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime

from apps.merchant.state.tickets import COLUMNS, Ticket

HANDED_OVER_SHOWN = 8  # the last few handed-over orders stay visible, for a quick look back


@dataclass(frozen=True)
class Board:
    columns: dict[str, list[Ticket]]
    all_day: list[tuple[str, int]]
    stations: list[str]
    station: str | None = None
    hidden_by_station: int = 0
    waiting_to_sync: int = 0
    sync_errors: list[Ticket] = field(default_factory=list)

    def ticket(self, order_id: str) -> Ticket | None:
        return next((t for col in self.columns.values() for t in col if t.id == order_id), None)

    def count(self, column: str) -> int:
        return len(self.columns.get(column, []))


def _for_station(ticket: Ticket, station: str | None) -> Ticket | None:
    """Only the lines cooked at `station` (None: every line); None when the ticket has nothing for it."""
    if station is None:
        return ticket
    lines = tuple(line for line in ticket.lines if line.station == station)
    return replace(ticket, lines=lines) if lines else None


def all_day_counts(tickets: list[Ticket]) -> list[tuple[str, int]]:
    """How many of each item are still to cook across open orders (new and preparing, not bumped)."""
    counts: Counter[str] = Counter()
    for ticket in tickets:
        if ticket.column in ("new", "preparing"):
            for line in ticket.lines:
                if not line.bumped:
                    counts[line.label] += line.quantity
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _stamp(when: datetime | None) -> float:
    return when.timestamp() if when else 0.0


def _ranked(tickets: list[Ticket]) -> list[Ticket]:
    """The order manager's priority (highest first); ties: oldest first."""
    return sorted(tickets, key=lambda t: (-t.priority_score, _stamp(t.placed_at), t.id))


def build_board(tickets: list[Ticket], station: str | None = None) -> Board:
    """Arrange tickets (already scored) into the four columns."""
    stations = sorted({line.station for t in tickets for line in t.lines if line.station})
    columns: dict[str, list[Ticket]] = {c: [] for c in COLUMNS}
    hidden = 0
    shown: list[Ticket] = []
    for ticket in tickets:
        if ticket.column not in columns:
            continue
        filtered = _for_station(ticket, station)
        if filtered is None:
            hidden += 1
            continue
        shown.append(filtered)
        columns[ticket.column].append(filtered)
    for column in ("new", "preparing", "ready"):
        columns[column] = _ranked(columns[column])
    columns["handed_over"] = sorted(columns["handed_over"], key=lambda t: _stamp(t.last_change),
                                    reverse=True)[:HANDED_OVER_SHOWN]
    return Board(columns=columns, all_day=all_day_counts(shown), stations=stations, station=station,
                 hidden_by_station=hidden, waiting_to_sync=sum(1 for t in tickets if t.waiting_to_sync),
                 sync_errors=[t for t in tickets if t.sync_error])


def next_action(ticket: Ticket) -> str | None:
    """The one big button of a card: what moves this order forward from its column."""
    allowed = set(ticket.allowed_actions)
    for action in ("ready", "hand_over", "pick_up"):
        if action in allowed:
            return action
    return None
