"""Dispatch tables: driver shift/GPS state, dispatcher locks, the last plan document."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from core.merchants import Driver
from core.routing import Location, VehicleType
from core.routing.dispatch import DriverState
from server.catalog import store as catalog
from server.db import tables as t

PLAN_ROW = "current"


@dataclass(frozen=True)
class StoredDriverState:
    driver_id: str
    on_shift: bool
    lat: float | None
    lon: float | None
    position_at: datetime | None

    def view(self) -> dict[str, Any]:
        return {"driver_id": self.driver_id, "on_shift": self.on_shift,
                "position": None if self.lat is None else {"lat": self.lat, "lon": self.lon},
                "position_at": self.position_at.isoformat() if self.position_at else None}


def driver_state(conn: Connection, driver_id: str) -> StoredDriverState:
    """The stored state; a driver never seen is off shift with no position."""
    row = conn.execute(select(t.driver_states).where(t.driver_states.c.driver_id == driver_id)).first()
    if row is None:
        return StoredDriverState(driver_id, False, None, None, None)
    return StoredDriverState(row.driver_id, bool(row.on_shift), row.lat, row.lon, row.position_at)


def _upsert(conn: Connection, driver_id: str, now: datetime, **values: object) -> None:
    done = conn.execute(update(t.driver_states).where(t.driver_states.c.driver_id == driver_id)
                        .values(updated_at=now, **values)).rowcount
    if done == 0:
        row: dict[str, object] = {"driver_id": driver_id, "on_shift": False, "updated_at": now, **values}
        conn.execute(insert(t.driver_states).values(**row))


def set_shift(conn: Connection, driver_id: str, on: bool, now: datetime) -> None:
    _upsert(conn, driver_id, now, on_shift=on)


def set_position(conn: Connection, driver_id: str, lat: float, lon: float, at: datetime, now: datetime) -> bool:
    """Store a GPS fix unless a newer one is stored already (fixes can arrive out of order). True if stored."""
    current = driver_state(conn, driver_id)
    if current.position_at is not None and current.position_at >= at:
        return False
    _upsert(conn, driver_id, now, lat=lat, lon=lon, position_at=at)
    return True


def lock(conn: Connection, order_id: str, driver_id: str, by: str | None, now: datetime) -> None:
    unlock(conn, order_id)
    conn.execute(insert(t.dispatch_locks).values(order_id=order_id, driver_id=driver_id, locked_by=by, locked_at=now))


def unlock(conn: Connection, order_id: str) -> bool:
    return conn.execute(delete(t.dispatch_locks).where(t.dispatch_locks.c.order_id == order_id)).rowcount > 0


def locks(conn: Connection) -> dict[str, str]:
    """order id -> driver id it is locked to."""
    return {r.order_id: r.driver_id for r in conn.execute(select(t.dispatch_locks.c.order_id,
                                                                 t.dispatch_locks.c.driver_id))}


def driver_states(conn: Connection) -> list[DriverState]:
    """Every catalogue driver with their stored state, as the routing layer wants it."""
    stored = {r.driver_id: r for r in conn.execute(select(t.driver_states))}
    out = []
    for driver in catalog.list_drivers(conn):
        row = stored.get(driver.id)
        position = Location(row.lat, row.lon) if row is not None and row.lat is not None else None
        out.append(DriverState(driver.id, bool(row and row.on_shift), position, row.position_at if row else None,
                               VehicleType(str(driver.vehicle)), driver.capacity))
    return out


def find_driver(conn: Connection, driver_id: str) -> Driver | None:
    row = conn.execute(select(t.drivers.c.doc).where(t.drivers.c.id == driver_id)).first()
    return Driver.model_validate_json(row.doc) if row else None


def save_plan(conn: Connection, doc: dict[str, Any], computed_at: datetime) -> None:
    text = json.dumps(doc, default=str)
    if conn.execute(update(t.dispatch_plans).where(t.dispatch_plans.c.id == PLAN_ROW)
                    .values(doc=text, computed_at=computed_at)).rowcount == 0:
        conn.execute(insert(t.dispatch_plans).values(id=PLAN_ROW, doc=text, computed_at=computed_at))


def load_plan(conn: Connection) -> dict[str, Any] | None:
    row = conn.execute(select(t.dispatch_plans.c.doc).where(t.dispatch_plans.c.id == PLAN_ROW)).first()
    return json.loads(row.doc) if row else None
