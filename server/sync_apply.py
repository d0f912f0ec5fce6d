"""Apply one pushed operation under the merge rules of core/sync (server side)."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import insert, select, update

from core.errors import AccountError, DomainError, InputError
from core.merchants import Address, Customer
from core.orders import handlers
from core.orders.lifecycle import Action, Role
from core.orders.model import Actor
from core.sync.operations import Operation, later
from server import catalog
from server.api.orders import PlaceOrderBody, place_and_publish, place_command, transition_and_publish
from server.api.views import order_view
from server.auth import ensure_merchant_scope
from server.db import tables as t
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


def _stock_row(uow: Any, merchant_id: str, key: str, actor: Actor) -> dict[str, Any]:
    if actor.role not in (Role.MERCHANT_STAFF, Role.MERCHANT_OWNER, Role.ADMIN):
        raise DomainError(AccountError.FORBIDDEN, f"a {actor.role} does not manage stock")
    ensure_merchant_scope(actor, merchant_id)
    row = uow.stock.row(merchant_id, key)
    if row is None:
        raise DomainError(AccountError.NOT_FOUND, f"{merchant_id} has no {key}")
    return row


def _after_stock(uow: Any, services: Any, merchant_id: str, key: str) -> dict[str, Any]:
    uow.after_commit.append(lambda: services.cache.invalidate(merchant_id))
    uow.after_commit.append(lambda: services.publish(f"merchant:{merchant_id}", {"type": "stock.changed", "key": key}))
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
    clocks = {r.field: r.hlc for r in uow.conn.execute(select(t.field_clocks.c.field, t.field_clocks.c.hlc).where(
        t.field_clocks.c.entity == "profile", t.field_clocks.c.entity_id == actor.id))}
    for name, value in fields.items():
        if later(clocks.get(name), op.hlc):
            doc[name] = value
            values = {"entity": "profile", "entity_id": actor.id, "field": name, "hlc": op.hlc}
            if name in clocks:
                uow.conn.execute(update(t.field_clocks).where(
                    t.field_clocks.c.entity == "profile", t.field_clocks.c.entity_id == actor.id,
                    t.field_clocks.c.field == name).values(hlc=op.hlc))
            else:
                uow.conn.execute(insert(t.field_clocks).values(**values))
    try:
        updated = Customer.model_validate(doc)
    except ValidationError as exc:
        raise DomainError(InputError.INVALID, f"profile: {exc.errors()[0]['msg']}") from None
    catalog.upsert_customer(uow.conn, updated)
    uow.after_commit.append(lambda: services.cache.invalidate_customer(actor.id))
    record_change(uow.raw, "profile", actor.id, updated.model_dump_json(), customer_id=actor.id)
    return updated.model_dump(mode="json")


HANDLERS = {
    ("order", "place"): _place,
    ("order", "transition"): _transition,
    ("stock", "adjust"): _stock_adjust,
    ("stock", "set_available"): _stock_available,
    ("profile", "set"): _profile,
}
