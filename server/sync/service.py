"""`/sync/push`: a device's queued operations, each applied once by the same use case its REST twin calls.

Every operation ends applied (acked, with the use case's result) or rejected with a stable code, and that
answer is stored under the operation's id, so a device resending it gets the same answer and nothing is
applied twice. Each operation runs in a savepoint of the push's unit of work: a rejected one leaves no
trace but its answer, and every operation sees what the operations before it in the push did.
"""
from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import psycopg
from sqlalchemy.exc import IntegrityError

from core.errors import AccountError, DomainError, InputError, SyncError
from core.menu import check_windows
from core.merchants import BusyKind, BusyMode
from core.orders import handlers
from core.orders.model import Actor
from core.sync.hlc import HybridClock, Timestamp
from core.sync.operations import Operation, OperationResult, OperationState
from server.accounts import service as accounts
from server.api.views import order_view
from server.db.raw import Raw, placeholders
from server.db.uow import SqlUnitOfWork
from server.kitchen import service as kitchen
from server.orders import service as orders
from server.sync import payloads as p

log = logging.getLogger(__name__)
# A unique or foreign key refused, through SQLAlchemy or straight from a driver (the hot-path SQL is raw).
COLLISIONS = (IntegrityError, sqlite3.IntegrityError, psycopg.IntegrityError)


@dataclass
class PushOperations:
    device_id: str
    operations: list[Operation]
    actor: Actor
    now: datetime
    # The server's clock: it observes every device stamp (and refuses one too far ahead), so what the
    # server stamps later (a REST edit) orders after what it has seen.
    server_clock: HybridClock


@dataclass(frozen=True)
class OperationContext:
    op: Operation
    actor: Actor
    now: datetime


def _place(uow: SqlUnitOfWork, ctx: OperationContext) -> dict[str, Any]:
    body = p.parse_payload(orders.PlaceOrderBody, ctx.op.payload)
    # The device's operation id becomes the order id, so the order it drew offline is the one it pulls.
    command = orders.place_command(body, body.customer_id, ctx.actor, order_id=ctx.op.id, now=ctx.now,
                                   key=f"sync:{ctx.actor.role}:{ctx.actor.id}:{ctx.op.id}")
    return order_view(orders.place_order(command, uow).order, ctx.actor)


def _transition(uow: SqlUnitOfWork, ctx: OperationContext) -> dict[str, Any]:
    body = p.parse_payload(p.TransitionPayload, ctx.op.payload)
    command = handlers.TransitionOrder(order_id=body.order_id, action=body.action, actor=ctx.actor, now=ctx.now,
                                       reason=body.reason, prep_minutes=body.prep_minutes)
    return order_view(orders.transition_order(command, uow), ctx.actor)


def _stock_adjust(uow: SqlUnitOfWork, ctx: OperationContext) -> dict[str, Any]:
    body = p.parse_payload(p.StockAdjustPayload, ctx.op.payload)
    return kitchen.adjust_stock(kitchen.AdjustStock(body.merchant_id, body.key, body.delta, ctx.actor), uow)


def _stock_available(uow: SqlUnitOfWork, ctx: OperationContext) -> dict[str, Any]:
    body = p.parse_payload(p.StockAvailabilityPayload, ctx.op.payload)
    return kitchen.change_stock(kitchen.ChangeStock(body.merchant_id, body.key, ctx.actor, ctx.op.hlc,
                                                    available=body.available), uow)


def _profile(uow: SqlUnitOfWork, ctx: OperationContext) -> dict[str, Any]:
    fields = p.parse_payload(p.ProfilePayload, ctx.op.payload).fields.model_dump(exclude_unset=True, mode="json")
    return accounts.set_profile(accounts.SetProfile(ctx.actor, fields, ctx.op.hlc), uow)


def _bump_line(uow: SqlUnitOfWork, ctx: OperationContext) -> dict[str, Any]:
    body = p.parse_payload(p.LineBumpPayload, ctx.op.payload)
    return kitchen.bump_line(kitchen.BumpLine(body.merchant_id, body.order_id, body.line, body.bumped, ctx.actor,
                                              ctx.op.hlc), uow)


def _busy(uow: SqlUnitOfWork, ctx: OperationContext) -> dict[str, Any]:
    body = p.parse_payload(p.BusyPayload, ctx.op.payload)
    busy = BusyMode(kind=body.kind, extra_minutes=body.extra_minutes if body.kind is BusyKind.EXTRA_PREP else 0,
                    until=body.until if body.kind is not BusyKind.OFF else None)
    return kitchen.set_busy(kitchen.SetBusy(body.merchant_id, busy, ctx.actor, ctx.op.hlc, ctx.now), uow)


def _hours(uow: SqlUnitOfWork, ctx: OperationContext) -> dict[str, Any]:
    body = p.parse_payload(p.HoursPayload, ctx.op.payload)
    return kitchen.set_hours(kitchen.SetHours(body.merchant_id, body.target, check_windows(body.windows), ctx.actor,
                                              ctx.op.hlc), uow)


# Every operation a device may push, and the use case it reaches (each its REST twin's).
OPERATIONS: dict[tuple[str, str], Callable[[SqlUnitOfWork, OperationContext], dict[str, Any]]] = {
    ("order", "place"): _place,
    ("order", "transition"): _transition,
    ("stock", "adjust"): _stock_adjust,
    ("stock", "set_available"): _stock_available,
    ("profile", "set"): _profile,
    ("bumps", "set_line"): _bump_line,
    ("busy", "set"): _busy,
    ("hours", "set"): _hours,
}


def actor_key(actor: Actor) -> str:
    """Who an operation id belongs to: role and id."""
    return f"{actor.role}:{actor.id}"


def _answered(raw: Raw, ops: list[Operation], actor: Actor) -> dict[str, OperationResult]:
    """Results already given for any of these ids (one query for the whole push)."""
    if not ops:
        return {}
    params = {f"i{n}": op.id for n, op in enumerate(ops)}
    # B608 (bandit) accepted: the SQL text is generated placeholder names; values are bound.
    rows = raw.execute(f"SELECT id, actor, result FROM sync_operations WHERE id IN ({placeholders('i', len(ops))})",  # nosec B608
                       params).fetchall()
    found = {}
    for op_id, owner, result in rows:
        if owner != actor_key(actor):
            found[op_id] = _rejected(op_id, AccountError.FORBIDDEN, "this operation id belongs to another account")
        else:
            found[op_id] = OperationResult.model_validate_json(result)
    return found


def _rejected(op_id: str, code: Any, detail: str) -> OperationResult:
    return OperationResult(id=op_id, status=OperationState.REJECTED, code=str(code), detail=detail)


INSERT_RESULT = ("INSERT INTO sync_operations (id, device_id, actor, status, result, at) "
                 "VALUES (:id, :device_id, :actor, :status, :result, :at)")


def _apply(uow: SqlUnitOfWork, ctx: OperationContext, server_clock: HybridClock) -> OperationResult:
    """Apply one new operation in a savepoint: applied, or rejected with a code and no writes."""
    op = ctx.op
    use_case = OPERATIONS.get((str(op.entity), op.op))
    if use_case is None:
        return _rejected(op.id, SyncError.UNKNOWN_OPERATION, f"unknown operation {op.entity}.{op.op}")
    try:
        server_clock.observe(Timestamp.parse(op.hlc))
    except ValueError as exc:  # from further ahead than devices may drift: it would win every merge for ever
        return _rejected(op.id, SyncError.CLOCK_SKEW, f"the operation's clock is ahead of the server's: {exc}")
    try:
        with uow.savepoint():
            return OperationResult(id=op.id, status=OperationState.ACKED, result=use_case(uow, ctx))
    except DomainError as exc:
        return _rejected(op.id, exc.code, exc.detail)
    except COLLISIONS:
        return _rejected(op.id, SyncError.CONFLICT, "it collides with data already stored (an id or unique value)")
    except (ValueError, ArithmeticError) as exc:
        return _rejected(op.id, InputError.INVALID, f"a value cannot be used: {type(exc).__name__}")
    except Exception:
        # Not the device's fault as far as we know, but resending it would fail the same way: answer it, log it.
        log.exception("sync operation %s (%s.%s) failed", op.id, op.entity, op.op)
        return _rejected(op.id, SyncError.OPERATION_FAILED, "the operation could not be applied; it was logged")


def push(cmd: PushOperations, uow: SqlUnitOfWork) -> list[OperationResult]:
    """Apply a pushed batch exactly once per operation id, in order, in one unit of work."""
    raw = uow.raw
    answered = _answered(raw, cmd.operations, cmd.actor)
    results = []
    for op in cmd.operations:
        if op.id not in answered:
            answered[op.id] = _apply(uow, OperationContext(op, cmd.actor, cmd.now), cmd.server_clock)
            result = answered[op.id]
            raw.execute(INSERT_RESULT, {"id": op.id, "device_id": op.device_id, "actor": actor_key(cmd.actor),
                                        "status": str(result.status), "result": result.model_dump_json(),
                                        "at": raw.timestamp(datetime.now(timezone.utc))})
        results.append(answered[op.id])
    return results
