"""Offline sync: push a batch of operations, pull the change feed since a cursor (see core/sync)."""
from __future__ import annotations

import json
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody, QueryParameter
from pydantic import BaseModel, Field
from sqlalchemy import and_, or_, select

from core.errors import DomainError, InputError
from core.orders.lifecycle import Role
from core.orders.model import Actor
from core.sync.operations import Operation
from server.auth import ANY_ROLE, roles
from server.db import tables as t
from server.services import Services
from server.sync import service as sync_service
from server.sync.service import PushOperations


class PushBody(BaseModel):
    device_id: str = Field(min_length=1, max_length=80)
    operations: list[Operation] = Field(max_length=500)

    def check_one_device(self) -> None:
        """Every operation of a push comes from the pushing device (a whole-push refusal, invalid_input)."""
        for op in self.operations:
            if op.device_id != self.device_id:
                raise DomainError(InputError.INVALID, f"operation {op.id} names another device")




class SyncController(Controller):
    path = "/sync"
    tags = ["sync"]

    @post("/push", guards=[roles(*ANY_ROLE)], status_code=200)
    async def push(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                   data: JSONBody[PushBody]) -> dict[str, Any]:
        """Apply a device's queued operations; one result per operation, in order."""
        data.check_one_device()
        command = PushOperations(data.device_id, data.operations, actor, services.clock(), services.hlc)
        results = await services.execute(sync_service.push, command)
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
