"""Kitchen use cases: stock and 86, line bumps, busy mode and hours, each `(command, uow) -> view`.

The REST controllers and `/sync/push` call the same functions, so each decision has one rule. Changes that
can arrive late from an offline tablet (86 flags, bumps, busy mode, hours) are last-writer-wins on hybrid
logical clock stamps: a device's operation carries its own stamp, a REST call is stamped by the server's
clock when it arrives. Stock counts are not: offline deltas add up, and a count set by hand replaces it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import insert, select, update

from core.errors import AccountError, DomainError, InputError, KitchenError, OrderError
from core.menu import AvailabilityWindow
from core.merchants import BusyKind, BusyMode
from core.orders.lifecycle import Role
from core.orders.model import Actor
from core.sync.hlc import Timestamp
from core.sync.operations import later
from server.auth import OWNERS, STAFF, ensure_merchant_scope
from server.catalog import store as catalog_store
from server.db import tables as t
from server.db.catalog_cache import busy_of
from server.db.uow import KEEP_COUNT, SqlUnitOfWork
from server.events import CatalogChanged, LiveMessage
from server.kitchen import store


def ensure_role(actor: Actor, merchant_id: str, allowed: tuple[Role, ...], what: str) -> None:
    """The actor has one of `allowed` roles and, unless admin, belongs to the merchant."""
    if actor.role not in allowed:
        raise DomainError(AccountError.FORBIDDEN, f"a {actor.role} does not {what}")
    ensure_merchant_scope(actor, merchant_id)


def _tell_kitchen(uow: SqlUnitOfWork, merchant_id: str, payload: dict[str, Any], *, catalog: bool) -> None:
    if catalog:
        uow.emit(CatalogChanged(merchant_id))
    uow.emit(LiveMessage(f"merchant:{merchant_id}", payload))


# -- stock and 86 -----------------------------------------------------------------------------------------------

@dataclass
class ChangeStock:
    """Set a count (None: not counted; KEEP_COUNT: leave it) and/or the 86 flag stamped `hlc` (last writer
    wins)."""

    merchant_id: str
    key: str
    actor: Actor
    hlc: str
    count: int | None | str = KEEP_COUNT
    available: bool | None = None


@dataclass
class AdjustStock:
    """Add `delta` to a counted item (offline tablets' deltas add up; never below zero)."""

    merchant_id: str
    key: str
    delta: int
    actor: Actor


def _stock_row(uow: SqlUnitOfWork, merchant_id: str, key: str, actor: Actor) -> dict[str, Any]:
    ensure_role(actor, merchant_id, STAFF, "manage stock")
    row = uow.stock.row(merchant_id, key)
    if row is None:
        raise DomainError(AccountError.NOT_FOUND, f"{merchant_id} has no {key}")
    return row


def _stock_view(uow: SqlUnitOfWork, merchant_id: str, key: str) -> dict[str, Any]:
    row = uow.stock.row(merchant_id, key)
    assert row is not None
    return {"merchant_id": merchant_id, "key": key, "count": row["count"], "available": row["available"]}


def change_stock(cmd: ChangeStock, uow: SqlUnitOfWork) -> dict[str, Any]:
    """86 an item or option on every channel at once, bring it back, or set its count. An availability
    change older than the one stored (a tablet syncing late) leaves the flag as it is."""
    row = _stock_row(uow, cmd.merchant_id, cmd.key, cmd.actor)
    available = cmd.available if cmd.available is not None and later(row["available_hlc"], cmd.hlc) else None
    if cmd.count != KEEP_COUNT or available is not None:
        uow.stock.set(cmd.merchant_id, cmd.key, count=cmd.count, available=available, hlc=cmd.hlc)
        _tell_kitchen(uow, cmd.merchant_id, {"type": "stock.changed", "key": cmd.key}, catalog=True)
    return _stock_view(uow, cmd.merchant_id, cmd.key)


def adjust_stock(cmd: AdjustStock, uow: SqlUnitOfWork) -> dict[str, Any]:
    """Count stock in or out."""
    row = _stock_row(uow, cmd.merchant_id, cmd.key, cmd.actor)
    if row["count"] is None:
        raise DomainError(InputError.INVALID, f"{cmd.key} is not counted; set a count first")
    uow.stock.adjust(cmd.merchant_id, cmd.key, cmd.delta)
    _tell_kitchen(uow, cmd.merchant_id, {"type": "stock.changed", "key": cmd.key}, catalog=True)
    return _stock_view(uow, cmd.merchant_id, cmd.key)


# -- line bumps -------------------------------------------------------------------------------------------------

@dataclass
class BumpLine:
    merchant_id: str
    order_id: str
    line: int
    bumped: bool
    actor: Actor
    hlc: str


def bump_line(cmd: BumpLine, uow: SqlUnitOfWork) -> dict[str, Any]:
    """A line cook finished (or un-finished) one line; every tablet of the kitchen sees it. A bump arriving
    after the order left the kitchen (ready, cancelled) is over already: it changes nothing."""
    ensure_role(cmd.actor, cmd.merchant_id, STAFF, "bump orders")
    order = uow.orders.get(cmd.order_id)
    if order is None or order.merchant_id != cmd.merchant_id:
        raise DomainError(OrderError.ORDER_NOT_FOUND, f"no order {cmd.order_id!r}")
    if cmd.line >= len(order.quote.lines):
        raise DomainError(KitchenError.UNKNOWN_LINE, f"order {order.number} has {len(order.quote.lines)} lines")
    if order.status in store.KITCHEN_STATUSES and later(store.line_clock(uow.conn, order.id, cmd.line), cmd.hlc):
        view = store.set_bump(uow.conn, uow.raw, order, cmd.line, cmd.bumped, cmd.hlc, cmd.actor.id)
        _tell_kitchen(uow, order.merchant_id, {"type": "order.bumped", "order_id": order.id}, catalog=False)
        return view
    return store.bumps_view(order, store.bumped_lines(uow.conn, [order.id]).get(order.id, []))


# -- busy mode --------------------------------------------------------------------------------------------------

@dataclass
class SetBusy:
    merchant_id: str
    busy: BusyMode
    actor: Actor
    hlc: str
    now: datetime


def set_busy(cmd: SetBusy, uow: SqlUnitOfWork) -> dict[str, Any]:
    """Pause new orders, or add prep minutes, until a time. Pausing, and ending a pause, are for owners.
    The spell is checked against when it was made (its stamp), so one set offline and synced late is still
    valid (and over when its time has passed)."""
    stored, clock = busy_of(uow.conn, cmd.merchant_id)
    pause_involved = cmd.busy.kind is BusyKind.PAUSED or stored.paused_at(cmd.now)
    ensure_role(cmd.actor, cmd.merchant_id, OWNERS if pause_involved else STAFF,
                "pause orders" if pause_involved else "set busy mode")
    cmd.busy.check(made_at(cmd.hlc))
    if catalog_store.stored(uow.conn, cmd.merchant_id)[0] is None:
        raise DomainError(AccountError.NOT_FOUND, f"no merchant {cmd.merchant_id!r}")
    if later(clock, cmd.hlc):
        store.set_busy(uow.conn, uow.raw, cmd.merchant_id, cmd.busy, cmd.hlc)
        _tell_kitchen(uow, cmd.merchant_id, {"type": "busy.changed"}, catalog=True)
        stored = cmd.busy
    return store.busy_view(cmd.merchant_id, stored)


def made_at(hlc: str) -> datetime:
    """The wall time of a stamp."""
    return datetime.fromtimestamp(Timestamp.parse(hlc).millis / 1000, timezone.utc)


# -- hours ------------------------------------------------------------------------------------------------------

@dataclass
class SetHours:
    """New availability windows for the merchant's opening hours (`merchant`), an item or a category."""

    merchant_id: str
    target: str
    windows: list[AvailabilityWindow]
    actor: Actor
    hlc: str


def claim_field_clock(uow: SqlUnitOfWork, entity: str, entity_id: str, field: str, hlc: str) -> bool:
    """Last writer wins per field: True (and the field's clock moved to `hlc`) if this stamp is the latest."""
    c = t.field_clocks.c
    where = (c.entity == entity, c.entity_id == entity_id, c.field == field)
    current = uow.conn.execute(select(c.hlc).where(*where)).scalar()
    if not later(current, hlc):
        return False
    if current is None:
        uow.conn.execute(insert(t.field_clocks).values(entity=entity, entity_id=entity_id, field=field, hlc=hlc))
    else:
        uow.conn.execute(update(t.field_clocks).where(*where).values(hlc=hlc))
    return True


def set_hours(cmd: SetHours, uow: SqlUnitOfWork) -> dict[str, Any]:
    """Owners edit when the kitchen, an item or a category is available; every channel follows at once."""
    ensure_role(cmd.actor, cmd.merchant_id, OWNERS, "edit hours")
    windows = cmd.windows
    if claim_field_clock(uow, "hours", cmd.merchant_id, cmd.target, cmd.hlc):
        store.set_hours(uow.conn, uow.raw, cmd.merchant_id, cmd.target, windows)
        _tell_kitchen(uow, cmd.merchant_id, {"type": "hours.changed", "target": cmd.target}, catalog=True)
    else:
        windows = store.hours_of(uow.conn, cmd.merchant_id, cmd.target)
    return store.hours_view(cmd.merchant_id, cmd.target, windows)
