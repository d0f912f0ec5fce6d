"""Offline sync: push a batch of operations, pull the change feed since a cursor (see core/sync)."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody, QueryParameter
from pydantic import BaseModel, Field
from sqlalchemy import and_, or_, select

from core.errors import AccountError, DomainError, InputError
from core.orders.lifecycle import Role
from core.orders.model import Actor
from core.sync.operations import Operation, OperationResult, OperationState
from server.auth import ANY_ROLE, roles
from server.db import tables as t
from server.db.raw import Raw, placeholders
from server.services import Services
from server.sync_apply import apply_operation


class PushBody(BaseModel):
    device_id: str = Field(min_length=1, max_length=80)
    operations: list[Operation] = Field(max_length=500)


def actor_key(actor: Actor) -> str:
    return f"{actor.role}:{actor.id}"


def _stored(raw: Raw, ops: list[Operation], actor: Actor) -> dict[str, OperationResult]:
    """Results already given for any of these ids (one query for the whole push)."""
    if not ops:
        return {}
    params = {f"i{n}": op.id for n, op in enumerate(ops)}
    rows = raw.execute(f"SELECT id, actor, result FROM sync_operations WHERE id IN ({placeholders('i', len(ops))})",
                       params).fetchall()
    found = {}
    for op_id, owner, result in rows:
        if owner != actor_key(actor):
            found[op_id] = OperationResult(id=op_id, status=OperationState.REJECTED, code=str(AccountError.FORBIDDEN),
                                           detail="this operation id belongs to another account")
        else:
            found[op_id] = OperationResult.model_validate_json(result)
    return found


INSERT_RESULT = ("INSERT INTO sync_operations (id, device_id, actor, status, result, at) "
                 "VALUES (:id, :device_id, :actor, :status, :result, :at)")


def _apply_once(uow: Any, raw: Raw, op: Operation, actor: Actor, services: Any) -> OperationResult:
    """Apply one new operation in a savepoint; a domain rejection undoes its writes and is kept as the answer."""
    raw.execute("SAVEPOINT operation")
    hooks = len(uow.after_commit)
    try:
        result = OperationResult(id=op.id, status=OperationState.ACKED,
                                 result=apply_operation(uow, op, actor, services))
    except DomainError as exc:
        raw.execute("ROLLBACK TO SAVEPOINT operation")
        del uow.after_commit[hooks:]
        result = OperationResult(id=op.id, status=OperationState.REJECTED, code=str(exc.code), detail=exc.detail)
    raw.execute("RELEASE SAVEPOINT operation")
    raw.execute(INSERT_RESULT, {"id": op.id, "device_id": op.device_id, "actor": actor_key(actor),
                                "status": str(result.status), "result": result.model_dump_json(),
                                "at": raw.timestamp(datetime.now(timezone.utc))})
    return result


def push_operations(uow: Any, ops: list[Operation], actor: Actor, services: Any) -> list[OperationResult]:
    """Apply a pushed batch exactly once per operation id, in order, as one writer unit."""
    raw = uow.raw
    answered = _stored(raw, ops, actor)
    results = []
    for op in ops:
        if op.id not in answered:
            answered[op.id] = _apply_once(uow, raw, op, actor, services)
        results.append(answered[op.id])
    uow.commit()
    return results


class SyncController(Controller):
    path = "/sync"
    tags = ["sync"]

    @post("/push", guards=[roles(*ANY_ROLE)], status_code=200)
    async def push(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                   data: JSONBody[PushBody]) -> dict[str, Any]:
        """Apply a device's queued operations; one result per operation, in order."""
        for op in data.operations:
            if op.device_id != data.device_id:
                raise DomainError(InputError.INVALID, f"operation {op.id} names another device")
        results = await services.write(lambda uow: push_operations(uow, data.operations, actor, services))
        return {"results": [r.model_dump(mode="json") for r in results]}

    @get("/pull", guards=[roles(*ANY_ROLE)], sync_to_thread=True)
    def pull(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
             since: FromQuery[str | None] = None,
             limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 500) -> dict[str, Any]:
        """Changes after the cursor, scoped to what the caller may see."""
        try:
            after = int(since) if since else 0
        except ValueError:
            raise DomainError(InputError.INVALID, "since is a cursor this API gave out") from None
        c = t.changes.c
        query = select(c.seq, c.entity, c.entity_id, c.data).where(c.seq > after).order_by(c.seq).limit(limit + 1)
        scope = _scope(actor)
        if scope is not None:
            query = query.where(scope)
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
