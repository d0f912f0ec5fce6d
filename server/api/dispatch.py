"""Dispatch endpoints: the plan and manual assignment for dispatchers, own stops, GPS and shift for drivers."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from pydantic import BaseModel, Field

from core.errors import AccountError, DomainError
from core.orders.lifecycle import Role
from core.orders.model import Actor
from server.api.views import order_view
from server.auth import roles
from server.dispatch import service as dispatch
from server.dispatch import store
from server.dispatch.planner import Dispatcher
from server.dispatch.views import driver_stops_view, public_doc
from server.services import Services

DISPATCH_ROLES = (Role.DISPATCHER, Role.ADMIN)


class AssignBody(BaseModel):
    order_id: str = Field(min_length=1, max_length=36)
    driver_id: str = Field(min_length=1, max_length=80)
    lock: bool = Field(default=True, description="keep it on this driver: the optimiser will not move it")


class UnassignBody(BaseModel):
    order_id: str = Field(min_length=1, max_length=36)


class LocationBody(BaseModel):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    at: datetime | None = Field(default=None, description="when the fix was taken (with offset); default now")


class ShiftBody(BaseModel):
    on: bool


class DispatchController(Controller):
    path = "/dispatch"
    tags = ["dispatch"]

    @get("/plan", guards=[roles(*DISPATCH_ROLES)], sync_to_thread=True)
    def plan(self, dispatcher: NamedDependency[Dispatcher]) -> dict[str, Any]:
        """The current plan: each driver's ordered stops with ETAs, and unassigned orders with the reason."""
        return public_doc(dispatcher.current_doc())

    @post("/assign", guards=[roles(*DISPATCH_ROLES)], status_code=200)
    async def assign(self, services: NamedDependency[Services], dispatcher: NamedDependency[Dispatcher],
                     actor: NamedDependency[Actor], data: JSONBody[AssignBody]) -> dict[str, Any]:
        """Give an order to a driver; with `lock` (the default) the optimiser keeps it there."""
        order = await services.execute(dispatch.assign, dispatch.Assign(data.order_id, data.driver_id, data.lock, actor,
                                                                        services.clock()))
        dispatcher.request_replan(f"{actor.id} assigned {order.id} to {data.driver_id}")
        return {"order": order_view(order, actor), "locked": data.lock}

    @post("/unassign", guards=[roles(*DISPATCH_ROLES)], status_code=200)
    async def unassign(self, services: NamedDependency[Services], dispatcher: NamedDependency[Dispatcher],
                       actor: NamedDependency[Actor], data: JSONBody[UnassignBody]) -> dict[str, Any]:
        """Take an order off its driver and drop its lock; the optimiser places it again."""
        order = await services.execute(dispatch.assign, dispatch.Assign(data.order_id, None, False, actor, services.clock()))
        dispatcher.request_replan(f"{actor.id} unassigned {order.id}")
        return {"order": order_view(order, actor), "locked": False}

    @post("/replan", guards=[roles(*DISPATCH_ROLES)], status_code=200, sync_to_thread=True)
    def replan(self, dispatcher: NamedDependency[Dispatcher], actor: NamedDependency[Actor]) -> dict[str, Any]:
        """Re-plan now and return the new plan."""
        return public_doc(dispatcher.replan_now(f"requested by {actor.id}"))


def _driver_id(actor: Actor) -> str:
    if not actor.id:
        raise DomainError(AccountError.FORBIDDEN, "this account is not linked to a driver")
    return actor.id


class DriverSelfController(Controller):
    path = "/drivers/me"
    tags = ["dispatch"]

    @get("/stops", guards=[roles(Role.DRIVER)], sync_to_thread=True)
    def stops(self, services: NamedDependency[Services], dispatcher: NamedDependency[Dispatcher],
              actor: NamedDependency[Actor]) -> dict[str, Any]:
        """My next stops in order, with ETAs (only mine)."""
        driver_id = _driver_id(actor)
        doc = dispatcher.current_doc()
        with services.connection() as conn:
            state = store.driver_state(conn, driver_id)
        return {"driver": state.view(), "computed_at": doc.get("computed_at"),
                "stops": driver_stops_view(doc, driver_id)}

    @post("/location", guards=[roles(Role.DRIVER)], status_code=200)
    async def location(self, services: NamedDependency[Services], dispatcher: NamedDependency[Dispatcher],
                       actor: NamedDependency[Actor], data: JSONBody[LocationBody]) -> dict[str, Any]:
        """A GPS fix. Older fixes than the stored one are ignored (`stored: false`)."""
        driver_id = _driver_id(actor)
        now = services.clock()
        fix = await services.execute(dispatch.record_fix, dispatch.RecordFix(driver_id, data.lat, data.lon, data.at, now))
        if fix.stored:
            prior = fix.prior
            stale = prior.position_at is None or (now - prior.position_at).total_seconds() > \
                dispatcher.policy.stale_position_s
            dispatcher.note_position(driver_id, became_available=prior.on_shift and stale)
        with services.connection() as conn:
            state = store.driver_state(conn, driver_id)
        return {"stored": fix.stored, "driver": state.view()}

    @post("/shift", guards=[roles(Role.DRIVER)], status_code=200)
    async def shift(self, services: NamedDependency[Services], dispatcher: NamedDependency[Dispatcher],
                    actor: NamedDependency[Actor], data: JSONBody[ShiftBody]) -> dict[str, Any]:
        """Go on or off shift. Off shift: no new orders; what is on board is still yours to deliver."""
        driver_id = _driver_id(actor)
        state = await services.execute(dispatch.set_shift, dispatch.SetShift(driver_id, data.on, services.clock()))
        dispatcher.request_replan(f"driver {driver_id} went {'on' if data.on else 'off'} shift")
        return {"driver": state.view()}
