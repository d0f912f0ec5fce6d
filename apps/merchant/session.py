"""KitchenSession: the state object the views render. It keeps the pure state (apps.merchant.state) and turns
taps into outbox operations through the ClientAdapter; it never renders anything and never blocks on the network
for a kitchen action (every order move, stock change, line bump, busy spell and hours edit is queued locally
first, then synced; the server shares it with every tablet of the kitchen)."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from apps.client.api import ApiError
from apps.merchant.adapter import ClientAdapter
from apps.merchant.state import history as day
from apps.merchant.state.alerts import AlertState
from apps.merchant.state.board import Board, build_board, next_action
from apps.merchant.state.busy import BusyKind, BusyMode, busy_in_force, prep_minutes, spell_end
from apps.merchant.state.item_bumps import ItemBumps
from apps.merchant.state.priority import PriorityCache
from apps.merchant.state.settings import TabletSettings
from apps.merchant.state.stock import HoursLine, StockLine, filter_lines, hours_lines, parse_hours, stock_lines
from apps.merchant.state.tickets import Ticket, ticket_from_order

log = logging.getLogger(__name__)
OWNER, STAFF = "merchant_owner", "merchant_staff"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Snapshot:
    """Everything one frame shows."""

    board: Board
    today: list[Ticket]
    totals: day.DayTotals
    stock: list[StockLine]
    online: bool
    waiting_to_sync: int
    rejected: list[dict[str, Any]]
    alert_active: bool
    alert_count: int
    beep: bool
    flash: bool
    busy: BusyMode
    now: datetime
    merchant: dict[str, Any] = field(default_factory=dict)
    hours: list[HoursLine] = field(default_factory=list)


class KitchenSession:
    def __init__(self, adapter: ClientAdapter) -> None:
        self.client = adapter
        store = adapter.store
        self.settings = TabletSettings.loads(store.get_meta("merchant.settings"))
        self.alert = AlertState()
        self.priorities = PriorityCache()
        self.expanded: dict[str, dict[str, Any]] = {}  # order id -> {"mode": "custom"|"reject", "minutes": n}
        self.message: str | None = None
        self._orders: list[dict[str, Any]] | None = None
        self._lock = threading.RLock()
        self.changed = threading.Event()  # set from any thread when the screen should redraw soon

    # -- who is signed in ---------------------------------------------------------------------------------------

    @property
    def account(self) -> dict[str, Any] | None:
        return self.client.session

    @property
    def role(self) -> str | None:
        return (self.account or {}).get("role")

    @property
    def merchant_id(self) -> str:
        return str((self.account or {}).get("merchant_id") or "")

    @property
    def is_owner(self) -> bool:
        return self.role == OWNER

    def resume(self) -> bool:
        """A tablet restarted while signed in keeps working from its store, online or not."""
        if self.account is None:
            return False
        self._start()
        return True

    def sign_in(self, email: str, password: str) -> None:
        self.client.sign_in(email.strip(), password)
        self._start(download=True)

    def pin_sign_in(self, merchant_id: str, pin: str) -> None:
        self.client.pin_sign_in(merchant_id.strip(), pin.strip())
        self._start(download=True)

    def _start(self, download: bool = False) -> None:
        if download:
            for problem in self.client.bootstrap(self.merchant_id):
                log.warning("could not download %s", problem)
        self.client.on_change = self._on_client_event
        self.client.start()
        self.invalidate()

    def sign_out(self) -> None:
        self.client.sign_out()
        self.alert = AlertState()
        self.invalidate()

    def _on_client_event(self, event: dict[str, Any]) -> None:
        if event.get("type") == "rejected":
            entry = event["entry"]
            self.message = f"{entry.code}: {entry.detail}"
        self.invalidate()

    def invalidate(self) -> None:
        with self._lock:
            self._orders = None
        self.changed.set()

    # -- reading ------------------------------------------------------------------------------------------------

    def _order_views(self) -> list[dict[str, Any]]:
        with self._lock:
            if self._orders is None:
                self._orders = self.client.store.orders(merchant_id=self.merchant_id)
            return self._orders

    def bumps(self) -> ItemBumps:
        return ItemBumps(self.client.store.kitchen("bumps", self.merchant_id))

    def busy(self, now: datetime | None = None) -> BusyMode:
        """The busy mode in force: this kitchen's, whichever tablet set it (and this tablet's, before it syncs)."""
        rows = self.client.store.kitchen("busy", self.merchant_id)
        return busy_in_force(rows[0] if rows else None, self.client.merchant(), now or utcnow())

    def merchant(self) -> dict[str, Any]:
        """The downloaded merchant with its opening hours as last synced or edited here."""
        merchant = dict(self.client.merchant())
        row = next((r for r in self.client.store.kitchen("hours", self.merchant_id) if r.get("target") == "merchant"),
                   None)
        if row is not None:
            merchant["opening_hours"], merchant["_hours_sync"] = row.get("windows") or [], row["_sync"]
        return merchant

    def tickets(self, now: datetime) -> list[Ticket]:
        default_prep = int(self.client.merchant().get("prep_minutes_default") or 15)
        bumps = self.bumps()
        tickets = []
        for view in self._order_views():
            score = self.priorities.score(view, now, default_prep) if view.get("status") in (
                "placed", "accepted", "preparing", "ready") else (0.0, ())
            in_kitchen = view.get("status") in ("accepted", "preparing")
            tickets.append(ticket_from_order(view, now, priority=score, bumped_lines=bumps.of(str(view.get("id")))
                                             if in_kitchen else frozenset()))
        return tickets

    def snapshot(self, now: datetime | None = None, history_query: str = "", stock_query: str = "",
                 sound_tick: bool = False) -> Snapshot:
        """One frame's state. `sound_tick`: this frame comes from the clock, so the alert may beep now."""
        now = now or utcnow()
        tickets = self.tickets(now)
        board = build_board(tickets, self.settings.station)
        waiting = [t.id for t in tickets if t.column == "new" and not t.provisional]
        self.alert.observe(waiting)
        if self.settings.auto_accept and waiting:
            for order_id in waiting:
                self.accept(order_id, self.default_prep_minutes())
            tickets = self.tickets(now)
            board = build_board(tickets, self.settings.station)
        merchant = self.merchant()
        today = day.todays(tickets, day.day_start(now, merchant.get("timezone") or "UTC"))
        found = day.search(today, history_query)
        rows = self.client.store.stock(self.merchant_id)
        menu = self.client.store.menu(self.merchant_id)
        lines = stock_lines(menu, rows)
        if stock_query:
            lines = filter_lines(lines, stock_query)
        rejected = [{"op_id": e.id, "op": e.op, "code": e.code, "detail": e.detail, "payload": e.payload}
                    for e in self.client.outbox.rejected()]
        return Snapshot(board=board, today=found, totals=day.totals(today), stock=lines, online=self.client.online,
                        waiting_to_sync=self.client.outbox.pending(), rejected=rejected,
                        alert_active=self.alert.active, alert_count=len(self.alert.unacknowledged),
                        beep=sound_tick and self.settings.sound and self.alert.beep_due(now), flash=self.alert.flash_on(now),
                        busy=self.busy(now), now=now, merchant=merchant,
                        hours=hours_lines(menu, merchant))

    def default_prep_minutes(self) -> int:
        return prep_minutes(self.busy(), int(self.client.merchant().get("prep_minutes_default") or 15))

    def quick_picks(self) -> list[int]:
        busy = self.busy()
        return [prep_minutes(busy, m) for m in self.settings.quick_picks]

    # -- order actions (local first, synced by the worker) ------------------------------------------------------

    def _move(self, order_id: str, action: str, **fields: Any) -> None:
        self.client.outbox.transition_order(order_id, action, **fields)
        self.alert.acknowledge([order_id])
        self.expanded.pop(order_id, None)
        self.invalidate()
        self.client.sync_now()

    def accept(self, order_id: str, prep_minutes: int) -> None:
        self._move(order_id, "accept", prep_minutes=max(1, min(240, int(prep_minutes))))

    def reject(self, order_id: str, reason: str) -> None:
        self._move(order_id, "reject", reason=reason)

    def bump(self, order_id: str) -> None:
        """Move the order to its next column: ready from the kitchen, handed over from the pass."""
        view = next((v for v in self._order_views() if v.get("id") == order_id), None)
        if view is None:
            return
        action = next_action(ticket_from_order(view, utcnow()))
        if action is not None:
            self._move(order_id, action)  # the server forgets the order's line bumps once it is ready

    def recall(self, order_id: str) -> None:
        self._move(order_id, "recall")

    def bump_item(self, order_id: str, line_index: int) -> None:
        """Bump one line (every tablet sees it); the first bump starts the order, the last one marks it ready."""
        view = next((v for v in self._order_views() if v.get("id") == order_id), None)
        if view is None or view.get("status") not in ("accepted", "preparing"):
            return
        bumped, lines = self.bumps().toggled(order_id, line_index)
        self.client.outbox.set_line_bumped(self.merchant_id, order_id, line_index, bumped)
        if bumped and view.get("status") == "accepted":
            self._move(order_id, "start")
        if ticket_from_order(view, utcnow(), bumped_lines=lines).all_bumped:
            self._move(order_id, "ready")
        self.invalidate()
        self.client.sync_now()

    def acknowledge(self) -> None:
        self.alert.acknowledge()
        self.changed.set()

    def expand(self, order_id: str, mode: str | None) -> None:
        if mode is None:
            self.expanded.pop(order_id, None)
        else:
            self.expanded[order_id] = {"mode": mode, "minutes": self.default_prep_minutes()}
        self.alert.acknowledge([order_id])
        self.changed.set()

    def nudge_minutes(self, order_id: str, delta: int) -> None:
        panel = self.expanded.get(order_id)
        if panel is not None:
            panel["minutes"] = max(1, min(240, int(panel["minutes"]) + delta))
            self.changed.set()

    def dismiss_rejection(self, op_id: str) -> None:
        self.client.outbox.dismiss(op_id)
        self.invalidate()

    # -- stock --------------------------------------------------------------------------------------------------

    def set_available(self, key: str, available: bool) -> None:
        """86 (False) or bring back (True) on every channel at once."""
        self.client.outbox.set_available(self.merchant_id, key, available)
        self.changed.set()
        self.client.sync_now()

    def adjust_count(self, key: str, delta: int) -> None:
        self.client.outbox.adjust_stock(self.merchant_id, key, delta)
        self.changed.set()
        self.client.sync_now()

    # -- settings and busy mode ---------------------------------------------------------------------------------

    def save_settings(self) -> None:
        self.client.store.set_meta("merchant.settings", self.settings.dumps())
        self.changed.set()

    def set_station(self, station: str | None) -> None:
        self.settings.station = station or None
        self.save_settings()

    def start_busy(self, kind: BusyKind, for_minutes: int, extra_minutes: int = 0) -> None:
        """Pause new orders (owners) or add prep minutes for a while; it ends by itself on every tablet."""
        if kind is BusyKind.PAUSED and not self.is_owner:
            raise ApiError("forbidden", "only an owner or manager can pause orders")
        self._set_busy(kind, spell_end(utcnow(), for_minutes), extra_minutes)

    def stop_busy(self) -> None:
        if self.busy().kind is BusyKind.PAUSED and not self.is_owner:
            raise ApiError("forbidden", "only an owner or manager can end a pause")
        self._set_busy(BusyKind.OFF, None)

    def _set_busy(self, kind: BusyKind, until: datetime | None, extra_minutes: int = 0) -> None:
        self.client.outbox.set_busy(self.merchant_id, str(kind), until, extra_minutes)
        self.changed.set()
        self.client.sync_now()

    # -- availability hours (owners) ----------------------------------------------------------------------------

    def set_hours(self, target: str, text: str) -> None:
        """New hours for 'merchant', 'item:ID' or 'category:ID', as typed ('mon-fri 11:00-14:30'; empty: always)."""
        if not self.is_owner:
            raise ApiError("forbidden", "only an owner or manager can change hours")
        try:
            windows = parse_hours(text)
        except ValueError as exc:
            raise ApiError("invalid_hours", str(exc)) from None
        self.client.outbox.set_hours(self.merchant_id, target, windows)
        self.changed.set()
        self.client.sync_now()
