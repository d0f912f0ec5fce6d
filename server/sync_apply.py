"""Apply one pushed operation under the merge rules of core/sync (server side)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, ValidationError
from sqlalchemy import insert, select, update

from core.errors import AccountError, DomainError, InputError, KitchenError, OrderError
from core.menu import check_windows
from core.merchants import MAX_EXTRA_PREP_MINUTES, Address, BusyKind, BusyMode, Customer
from core.orders import handlers
from core.orders.lifecycle import Action, Role
from core.orders.model import Actor
from core.sync.hlc import Timestamp
from core.sync.operations import Operation, later
from server import catalog, kitchen
from server.api.order_intake import PlaceOrderBody, place_and_publish, place_command
from server.api.orders import transition_and_publish
from server.api.views import order_view
from server.auth import OWNERS, STAFF, ensure_merchant_scope
from server.db import tables as t
from server.db.catalog_cache import busy_of
from server.db.changes import record_change


class TransitionPayload(BaseModel):
    order_id: str = Field(min_length=1, max_length=36)
    action: Action
    reason: str | None = Field(default=None, max_length=500)
    prep_minutes: int | None = Field(default=None, ge=1, le=240)


class StockAdjust(BaseModel):
    merchant_id: str = Field(min_length=1, max_length=80)
    key: str = Field(min_length=3, max_length=90)
    delta: int = Field(ge=-100_000, le=100_000)


class StockAvailability(BaseModel):
    merchant_id: str = Field(min_length=1, max_length=80)
    key: str = Field(min_length=3, max_length=90)
    available: bool


class LineBump(BaseModel):
    merchant_id: str = Field(min_length=1, max_length=80)
    order_id: str = Field(min_length=1, max_length=36)
    line: int = Field(ge=0, le=1000)
    bumped: bool


class BusyPayload(BaseModel):
    merchant_id: str = Field(min_length=1, max_length=80)
    kind: BusyKind
    extra_minutes: int = Field(default=0, ge=0, le=MAX_EXTRA_PREP_MINUTES)
    until: AwareDatetime | None = None


class HoursPayload(BaseModel):
    """`windows` are checked by core.menu.check_windows, so a bad window gets its own code (invalid_hours)."""

    merchant_id: str = Field(min_length=1, max_length=80)
    target: str = Field(pattern=r"^(merchant|(item|category):[A-Za-z0-9_.\-]{1,80})$")
    windows: list[Any] = Field(max_length=100)


class ProfileFields(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=30)
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")
    addresses: list[Address] | None = Field(default=None, max_length=10)


class ProfilePayload(BaseModel):
    fields: ProfileFields


def _parse(model: type[BaseModel], payload: dict[str, Any]) -> Any:
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise DomainError(InputError.INVALID, f"payload {where}: {first['msg']}") from None


def apply_operation(uow: Any, op: Operation, actor: Actor, services: Any) -> dict[str, Any]:
    """Route an operation to its handler; raises DomainError for a rejection."""
    handler = HANDLERS.get((str(op.entity), op.op))
    if handler is None:
        raise DomainError(InputError.INVALID, f"unknown operation {op.entity}.{op.op}")
    return handler(uow, op, actor, services)


def _place(uow: Any, op: Operation, actor: Actor, services: Any) -> dict[str, Any]:
    body = _parse(PlaceOrderBody, op.payload)
    command = place_command(body, actor, services.clock(), f"sync:{actor.role}:{actor.id}:{op.id}")
    # The device's operation id becomes the order id, so the order it drew offline is the one it pulls.
    command.order_id = op.id
    return order_view(place_and_publish(command, uow, services).order, actor)


def _transition(uow: Any, op: Operation, actor: Actor, services: Any) -> dict[str, Any]:
    body = _parse(TransitionPayload, op.payload)
    command = handlers.TransitionOrder(order_id=body.order_id, action=body.action, actor=actor,
                                       now=services.clock(), reason=body.reason, prep_minutes=body.prep_minutes)
    return order_view(transition_and_publish(command, uow, services), actor)


def _ensure_role(actor: Actor, merchant_id: str, allowed: tuple[Role, ...], what: str) -> None:
    if actor.role not in allowed:
        raise DomainError(AccountError.FORBIDDEN, f"a {actor.role} does not {what}")
    ensure_merchant_scope(actor, merchant_id)


def _claim_clock(uow: Any, entity: str, entity_id: str, field: str, hlc: str) -> bool:
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


def _publish(uow: Any, services: Any, merchant_id: str, event: dict[str, Any], *, menu: bool = False) -> None:
    if menu:
        uow.after_commit.append(lambda: services.cache.invalidate(merchant_id))
    uow.after_commit.append(lambda: services.publish(f"merchant:{merchant_id}", event))


def _stock_row(uow: Any, merchant_id: str, key: str, actor: Actor) -> dict[str, Any]:
    _ensure_role(actor, merchant_id, STAFF, "manage stock")
    row = uow.stock.row(merchant_id, key)
    if row is None:
        raise DomainError(AccountError.NOT_FOUND, f"{merchant_id} has no {key}")
    return row


def _after_stock(uow: Any, services: Any, merchant_id: str, key: str) -> dict[str, Any]:
    _publish(uow, services, merchant_id, {"type": "stock.changed", "key": key}, menu=True)
    row = uow.stock.row(merchant_id, key)
    return {"merchant_id": merchant_id, "key": key, "count": row["count"], "available": row["available"]}


def _stock_adjust(uow: Any, op: Operation, actor: Actor, services: Any) -> dict[str, Any]:
    body = _parse(StockAdjust, op.payload)
    row = _stock_row(uow, body.merchant_id, body.key, actor)
    if row["count"] is None:
        raise DomainError(InputError.INVALID, f"{body.key} is not counted; set a count first")
    uow.stock.adjust(body.merchant_id, body.key, body.delta)
    return _after_stock(uow, services, body.merchant_id, body.key)


def _stock_available(uow: Any, op: Operation, actor: Actor, services: Any) -> dict[str, Any]:
    body = _parse(StockAvailability, op.payload)
    row = _stock_row(uow, body.merchant_id, body.key, actor)
    if later(row["available_hlc"], op.hlc):
        uow.stock.set(body.merchant_id, body.key, available=body.available, hlc=op.hlc)
    return _after_stock(uow, services, body.merchant_id, body.key)


def _profile(uow: Any, op: Operation, actor: Actor, services: Any) -> dict[str, Any]:
    if actor.role is not Role.CUSTOMER or not actor.id:
        raise DomainError(AccountError.FORBIDDEN, "only customers edit their profile this way")
    fields = _parse(ProfilePayload, op.payload).fields.model_dump(exclude_unset=True, mode="json")
    customer = uow.catalog.customer(actor.id)
    if customer is None:
        raise DomainError(AccountError.NOT_FOUND, "no customer profile")
    doc = customer.model_dump(mode="json")
    for name, value in fields.items():
        if _claim_clock(uow, "profile", actor.id, name, op.hlc):
            doc[name] = value
    try:
        updated = Customer.model_validate(doc)
    except ValidationError as exc:
        raise DomainError(InputError.INVALID, f"profile: {exc.errors()[0]['msg']}") from None
    catalog.upsert_customer(uow.conn, updated)
    uow.after_commit.append(lambda: services.cache.invalidate_customer(actor.id))
    record_change(uow.raw, "profile", actor.id, updated.model_dump_json(), customer_id=actor.id)
    return updated.model_dump(mode="json")


def _bump_line(uow: Any, op: Operation, actor: Actor, services: Any) -> dict[str, Any]:
    """A line cook finished (or un-finished) one line; every tablet of the kitchen sees it."""
    body = _parse(LineBump, op.payload)
    _ensure_role(actor, body.merchant_id, STAFF, "bump orders")
    order = uow.orders.get(body.order_id)
    if order is None or order.merchant_id != body.merchant_id:
        raise DomainError(OrderError.ORDER_NOT_FOUND, f"no order {body.order_id!r}")
    if body.line >= len(order.quote.lines):
        raise DomainError(KitchenError.UNKNOWN_LINE, f"order {order.number} has {len(order.quote.lines)} lines")
    # A bump arriving after the order left the kitchen (ready, cancelled) is over already: it changes nothing.
    if order.status in kitchen.KITCHEN_STATUSES and later(kitchen.line_clock(uow.conn, order.id, body.line), op.hlc):
        view = kitchen.set_bump(uow.conn, uow.raw, order, body.line, body.bumped, op.hlc, actor.id)
        _publish(uow, services, order.merchant_id, {"type": "order.bumped", "order_id": order.id})
        return view
    return kitchen.bumps_view(order, kitchen.bumped_lines(uow.conn, [order.id]).get(order.id, []))


def _busy(uow: Any, op: Operation, actor: Actor, services: Any) -> dict[str, Any]:
    """Pause new orders, or add prep minutes, until a time. Pausing and ending a pause are for owners."""
    body = _parse(BusyPayload, op.payload)
    stored, clock = busy_of(uow.conn, body.merchant_id)
    pause_involved = body.kind is BusyKind.PAUSED or stored.paused_at(services.clock())
    _ensure_role(actor, body.merchant_id, OWNERS if pause_involved else STAFF,
                 "pause orders" if pause_involved else "set busy mode")
    busy = BusyMode(kind=body.kind, extra_minutes=body.extra_minutes if body.kind is BusyKind.EXTRA_PREP else 0,
                    until=body.until if body.kind is not BusyKind.OFF else None)
    # Checked against when the tablet made it, so a spell set offline and synced late is still valid (and over).
    made = datetime.fromtimestamp(Timestamp.parse(op.hlc).millis / 1000, timezone.utc)
    busy.check(made)
    if catalog.stored(uow.conn, body.merchant_id)[0] is None:
        raise DomainError(AccountError.NOT_FOUND, f"no merchant {body.merchant_id!r}")
    if later(clock, op.hlc):
        kitchen.set_busy(uow.conn, uow.raw, body.merchant_id, busy, op.hlc)
        _publish(uow, services, body.merchant_id, {"type": "busy.changed"}, menu=True)
        stored = busy
    return kitchen.busy_view(body.merchant_id, stored)


def _hours(uow: Any, op: Operation, actor: Actor, services: Any) -> dict[str, Any]:
    """New availability windows for the merchant's opening hours, an item or a category (owners)."""
    body = _parse(HoursPayload, op.payload)
    _ensure_role(actor, body.merchant_id, OWNERS, "edit hours")
    windows = check_windows(body.windows)
    if _claim_clock(uow, "hours", body.merchant_id, body.target, op.hlc):
        kitchen.set_hours(uow.conn, uow.raw, body.merchant_id, body.target, windows)
        _publish(uow, services, body.merchant_id, {"type": "hours.changed", "target": body.target}, menu=True)
    else:
        windows = kitchen.hours_of(uow.conn, body.merchant_id, body.target)
    return kitchen.hours_view(body.merchant_id, body.target, windows)


HANDLERS = {
    ("order", "place"): _place,
    ("order", "transition"): _transition,
    ("stock", "adjust"): _stock_adjust,
    ("stock", "set_available"): _stock_available,
    ("profile", "set"): _profile,
    ("bumps", "set_line"): _bump_line,
    ("busy", "set"): _busy,
    ("hours", "set"): _hours,
}
