"""Kitchen state every tablet of a merchant shares: per-line bumps, busy mode and availability hours.

Stored beside the documents they concern (line_bumps, busy_modes; hours inside the merchant and menu documents),
each change written to the change feed in the same transaction, as stock is.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from core.errors import AccountError, DomainError
from core.menu import AvailabilityWindow, Menu
from core.merchants import BusyMode
from core.orders.lifecycle import OrderStatus
from core.orders.model import Order
from server.catalog import store as catalog
from server.db import tables as t
from server.db.changes import record_change
from server.db.raw import Raw

# Lines are bumped while the order is being cooked; once it is ready its bumps are done with.
KITCHEN_STATUSES = frozenset({OrderStatus.ACCEPTED, OrderStatus.PREPARING})


def _now() -> datetime:
    return datetime.now(timezone.utc)


# -- busy mode --------------------------------------------------------------------------------------------------

def busy_view(merchant_id: str, busy: BusyMode) -> dict[str, Any]:
    return {"merchant_id": merchant_id, **busy.model_dump(mode="json")}


def set_busy(conn: Connection, raw: Raw, merchant_id: str, busy: BusyMode, hlc: str) -> None:
    values = {"kind": str(busy.kind), "extra_minutes": busy.extra_minutes, "until": busy.until, "hlc": hlc,
              "updated_at": _now()}
    if conn.execute(update(t.busy_modes).where(t.busy_modes.c.merchant_id == merchant_id)
                    .values(**values)).rowcount == 0:
        conn.execute(insert(t.busy_modes).values(merchant_id=merchant_id, **values))
    record_change(raw, "busy", merchant_id, json.dumps(busy_view(merchant_id, busy)), merchant_id=merchant_id)


# -- per-line bumps ---------------------------------------------------------------------------------------------

def bumped_lines(conn: Connection, order_ids: list[str]) -> dict[str, list[int]]:
    """The bumped line indexes of each order (orders with none are left out)."""
    if not order_ids:
        return {}
    found: dict[str, list[int]] = {}
    rows = conn.execute(select(t.line_bumps.c.order_id, t.line_bumps.c.line).where(
        t.line_bumps.c.order_id.in_(order_ids), t.line_bumps.c.bumped).order_by(t.line_bumps.c.line))
    for order_id, line in rows:
        found.setdefault(order_id, []).append(line)
    return found


def bumps_view(order: Order, lines: list[int]) -> dict[str, Any]:
    return {"merchant_id": order.merchant_id, "order_id": order.id, "lines": lines}


def _bumps_changed(conn: Connection, raw: Raw, order: Order) -> dict[str, Any]:
    view = bumps_view(order, bumped_lines(conn, [order.id]).get(order.id, []))
    record_change(raw, "bumps", order.id, json.dumps(view), merchant_id=order.merchant_id)
    return view


def line_clock(conn: Connection, order_id: str, line: int) -> str | None:
    return conn.execute(select(t.line_bumps.c.hlc).where(t.line_bumps.c.order_id == order_id,
                                                         t.line_bumps.c.line == line)).scalar()


def set_bump(conn: Connection, raw: Raw, order: Order, line: int, bumped: bool, hlc: str,
             actor_id: str | None) -> dict[str, Any]:
    """Store one line's bump (the caller has decided this stamp wins); returns the order's bumps."""
    values = {"bumped": bumped, "hlc": hlc, "actor_id": actor_id, "updated_at": _now()}
    c = t.line_bumps.c
    if conn.execute(update(t.line_bumps).where(c.order_id == order.id, c.line == line).values(**values)).rowcount == 0:
        conn.execute(insert(t.line_bumps).values(order_id=order.id, line=line, **values))
    return _bumps_changed(conn, raw, order)


def clear_bumps(conn: Connection, raw: Raw, order: Order) -> bool:
    """The order left the kitchen: forget its bumps (True if it had any), so a recall starts afresh."""
    if order.status in KITCHEN_STATUSES:
        return False
    if conn.execute(delete(t.line_bumps).where(t.line_bumps.c.order_id == order.id)).rowcount == 0:
        return False
    _bumps_changed(conn, raw, order)
    return True


# -- availability hours -----------------------------------------------------------------------------------------

def hours_view(merchant_id: str, target: str, windows: list[AvailabilityWindow]) -> dict[str, Any]:
    return {"merchant_id": merchant_id, "target": target, "windows": [w.model_dump(mode="json") for w in windows]}


def hours_of(conn: Connection, merchant_id: str, target: str) -> list[AvailabilityWindow]:
    """The windows now stored for a target (the merchant's opening hours, an item or a category)."""
    merchant, menu = catalog.stored(conn, merchant_id)
    kind, _, thing_id = target.partition(":")
    if kind == "merchant" and merchant is not None:
        return list(merchant.opening_hours)
    thing = _menu_thing(menu, kind, thing_id)
    return list(thing.availability) if thing is not None else []


def _menu_thing(menu: Menu | None, kind: str, thing_id: str) -> Any:
    if menu is None:
        return None
    return menu.item(thing_id) if kind == "item" else menu.category(thing_id) if kind == "category" else None


def set_hours(conn: Connection, raw: Raw, merchant_id: str, target: str, windows: list[AvailabilityWindow]) -> None:
    """Write new windows into the merchant document (opening hours) or a new menu version (item, category)."""
    merchant, menu = catalog.stored(conn, merchant_id)
    if merchant is None:
        raise DomainError(AccountError.NOT_FOUND, f"no merchant {merchant_id!r}")
    kind, _, thing_id = target.partition(":")
    if kind == "merchant":
        catalog.upsert_merchant(conn, merchant.model_copy(update={"opening_hours": windows}))
    else:
        thing = _menu_thing(menu, kind, thing_id)
        if thing is None:
            raise DomainError(AccountError.NOT_FOUND, f"{merchant_id} has no {target}")
        thing.availability = windows
        catalog.replace_menu(conn, menu)  # type: ignore[arg-type]
    record_change(raw, "hours", f"{merchant_id}/{target}", json.dumps(hours_view(merchant_id, target, windows)),
                  merchant_id=merchant_id)
