"""Dispatch use cases: manual assignment by dispatchers, drivers' GPS fixes and shifts, `(command, uow) -> result`.

The optimiser's own writes (server.dispatch.planner) go through the same writer and events.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.errors import AccountError, DomainError, InputError
from core.orders import handlers
from core.orders.model import Actor, Order
from server.db.uow import SqlUnitOfWork
from server.dispatch import store
from server.events import LiveMessage, OrderChanged

FUTURE_FIX_TOLERANCE = timedelta(minutes=2)  # phone clocks drift; a fix from further ahead is refused


@dataclass
class Assign:
    """Give an order to a driver (`driver_id`), or take it off its driver (None); `lock` keeps it there."""

    order_id: str
    driver_id: str | None
    lock: bool
    actor: Actor
    now: datetime


def assign(cmd: Assign, uow: SqlUnitOfWork) -> Order:
    """A dispatcher's manual assignment; the optimiser keeps a locked one where it is."""
    if cmd.driver_id is not None and store.find_driver(uow.conn, cmd.driver_id) is None:
        raise DomainError(AccountError.NOT_FOUND, f"no driver {cmd.driver_id!r}")
    order = handlers.get_order(cmd.order_id, cmd.actor, uow)
    previous = order.driver_id
    reason = ("unassigned by dispatcher" if cmd.driver_id is None
              else "locked by dispatcher" if cmd.lock else "assigned by dispatcher")
    event = order.assign(cmd.driver_id, by=cmd.actor, now=cmd.now, reason=reason)
    uow.orders.save(order, [event])
    if cmd.driver_id is not None and cmd.lock:
        store.lock(uow.conn, order.id, cmd.driver_id, cmd.actor.id, cmd.now)
    else:
        store.unlock(uow.conn, order.id)
    uow.emit(OrderChanged(order, {"type": "order.assigned", "order_id": order.id, "driver_id": order.driver_id,
                                  "seq": event.seq}, previous_driver_id=previous))
    return order


@dataclass
class RecordFix:
    driver_id: str
    lat: float
    lon: float
    at: datetime | None
    now: datetime


@dataclass
class FixRecorded:
    """Whether the fix was newer than the stored one (and so stored), and the driver's state before it."""

    stored: bool
    prior: store.StoredDriverState
    at: datetime


def record_fix(cmd: RecordFix, uow: SqlUnitOfWork) -> FixRecorded:
    """A driver's GPS fix; older fixes than the stored one are ignored, future ones refused."""
    at = cmd.at or cmd.now
    if at.tzinfo is None:
        raise DomainError(InputError.INVALID, "at needs a timezone offset")
    if at > cmd.now + FUTURE_FIX_TOLERANCE:
        raise DomainError(InputError.INVALID, "at lies in the future")
    prior = store.driver_state(uow.conn, cmd.driver_id)
    stored = store.set_position(uow.conn, cmd.driver_id, cmd.lat, cmd.lon, at, cmd.now)
    if stored:
        uow.emit(LiveMessage("dispatch", {"type": "driver.location", "driver_id": cmd.driver_id, "lat": cmd.lat,
                                          "lon": cmd.lon, "at": at.isoformat()}))
    return FixRecorded(stored, prior, at)


@dataclass
class SetShift:
    driver_id: str
    on: bool
    now: datetime


def set_shift(cmd: SetShift, uow: SqlUnitOfWork) -> store.StoredDriverState:
    """Go on or off shift. Off shift: no new orders; what is on board is still the driver's to deliver."""
    if store.find_driver(uow.conn, cmd.driver_id) is None:
        raise DomainError(AccountError.NOT_FOUND, f"no driver {cmd.driver_id!r}")
    store.set_shift(uow.conn, cmd.driver_id, cmd.on, cmd.now)
    uow.emit(LiveMessage("dispatch", {"type": "driver.shift", "driver_id": cmd.driver_id, "on": cmd.on}))
    return store.driver_state(uow.conn, cmd.driver_id)
