"""Offline sync: push a batch of operations, pull the change feed since a cursor (see core/sync)."""
from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import Parameter
from pydantic import BaseModel, Field
from sqlalchemy import and_, or_, select

from core.errors import AccountError, DomainError, InputError
from core.orders.lifecycle import Role
from core.orders.model import Actor
from core.sync.operations import Operation, OperationResult, OperationState
from server.api.orders import services_of
from server.auth import ANY_ROLE, actor_of, roles
from server.db import tables as t
from server.db.raw import Raw
from server.sync_apply import apply_operation


class PushBody(BaseModel):
    device_id: str = Field(min_length=1, max_length=80)
    operations: list[Operation] = Field(max_length=500)


def actor_key(actor: Actor) -> str:
    return f"{actor.role}:{actor.id}"


def _stored(uow: Any, op: Operation, actor: Actor) -> OperationResult | None:
    row = uow.conn.execute(select(t.sync_operations.c.result, t.sync_operations.c.actor)
                           .where(t.sync_operations.c.id == op.id)).first()
    if row is None:
        return None
    if row.actor != actor_key(actor):
        return OperationResult(id=op.id, status=OperationState.REJECTED, code=str(AccountError.FORBIDDEN),
                               detail="this operation id belongs to another account")
    return OperationResult.model_validate_json(row.result)


def _push_one(uow: Any, op: Operation, actor: Actor, services: Any) -> OperationResult:
    """Apply one operation exactly once; domain rejections are stored like successes."""
    seen = _stored(uow, op, actor)
    if seen is not None:
        uow.commit()
        return seen
    raw = Raw(uow.conn)
    raw.execute("SAVEPOINT operation")
    hooks = len(uow.after_commit)
    try:
        result = OperationResult(id=op.id, status=OperationState.ACKED,
                                 result=apply_operation(uow, op, actor, services))
    except DomainError as exc:
        # Undo whatever the operation wrote before it was refused; the refusal itself is kept below.
        raw.execute("ROLLBACK TO SAVEPOINT operation")
        del uow.after_commit[hooks:]
        result = OperationResult(id=op.id, status=OperationState.REJECTED, code=str(exc.code), detail=exc.detail)
    raw.execute("RELEASE SAVEPOINT operation")
    uow.conn.execute(t.sync_operations.insert().values(
        id=op.id, device_id=op.device_id, actor=actor_key(actor), status=str(result.status),
        result=result.model_dump_json(), at=datetime.now(timezone.utc)))
    uow.commit()
    return result


class SyncController(Controller):
    path = "/sync"
    tags = ["sync"]

    @post("/push", guards=[roles(*ANY_ROLE)], status_code=200)
    async def push(self, request: Request, data: PushBody) -> dict[str, Any]:  # type: ignore[type-arg]
        """Apply a device's queued operations; one result per operation, in order."""
        services = services_of(request)
        actor = actor_of(request)
        for op in data.operations:
            if op.device_id != data.device_id:
                raise DomainError(InputError.INVALID, f"operation {op.id} names another device")
        futures = [services.writer.submit(lambda uow, op=op: _push_one(uow, op, actor, services))
                   for op in data.operations]
        results = [await asyncio.wrap_future(future) for future in futures]
        return {"results": [r.model_dump(mode="json") for r in results]}

    @get("/pull", guards=[roles(*ANY_ROLE)], sync_to_thread=True)
    def pull(self, request: Request, since: str | None = None,  # type: ignore[type-arg]
             limit: Annotated[int, Parameter(ge=1, le=1000)] = 500) -> dict[str, Any]:
        """Changes after the cursor, scoped to what the caller may see."""
        actor = actor_of(request)
        try:
            after = int(since) if since else 0
        except ValueError:
            raise DomainError(InputError.INVALID, "since is a cursor this API gave out") from None
        c = t.changes.c
        query = select(c.seq, c.entity, c.entity_id, c.data).where(c.seq > after).order_by(c.seq).limit(limit + 1)
        scope = _scope(actor)
        if scope is not None:
            query = query.where(scope)
        services = services_of(request)
        with services.connection() as conn:
            rows = conn.execute(query).all()
        page = rows[:limit]
        return {"changes": [{"seq": r.seq, "entity": r.entity, "id": r.entity_id, "data": json.loads(r.data)}
                            for r in page],
                "cursor": str(page[-1].seq if page else after), "more": len(rows) > limit}


def _scope(actor: Actor):  # type: ignore[no-untyped-def]
    c = t.changes.c
    if actor.role in (Role.ADMIN, Role.SYSTEM):
        return None
    if actor.role in (Role.MERCHANT_STAFF, Role.MERCHANT_OWNER):
        return c.merchant_id == actor.merchant_id
    if actor.role is Role.CUSTOMER:
        return and_(c.customer_id == actor.id, c.entity.in_(["order", "profile"]))
    return or_(c.driver_id == actor.id)
