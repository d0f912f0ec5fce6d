"""Dispatch endpoints: the plan and manual assignment for dispatchers, own stops, GPS and shift for drivers."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from pydantic import BaseModel, Field

from core.errors import AccountError, DomainError
from core.orders.lifecycle import Role
from core.orders.model import Actor
from server.api.orders import services_of
from server.api.views import order_view
from server.auth import actor_of, roles
from server.dispatch import service as dispatch
from server.dispatch import store
from server.dispatch.planner import Dispatcher
from server.dispatch.views import driver_stops_view, public_doc

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


def dispatcher_of(request: Request) -> Dispatcher:  # type: ignore[type-arg]
    return request.app.state.dispatcher


class DispatchController(Controller):
    path = "/dispatch"
    tags = ["dispatch"]

    @get("/plan", guards=[roles(*DISPATCH_ROLES)], sync_to_thread=True)
    def plan(self, request: Request) -> dict[str, Any]:  # type: ignore[type-arg]
        """The current plan: each driver's ordered stops with ETAs, and unassigned orders with the reason."""
        return public_doc(dispatcher_of(request).current_doc())

    @post("/assign", guards=[roles(*DISPATCH_ROLES)], status_code=200)
    async def assign(self, request: Request, data: AssignBody) -> dict[str, Any]:  # type: ignore[type-arg]
        """Give an order to a driver; with `lock` (the default) the optimiser keeps it there."""
        services, actor = services_of(request), actor_of(request)
        command = dispatch.Assign(data.order_id, data.driver_id, data.lock, actor, services.clock())
        order = await services.execute(dispatch.assign, command)
        dispatcher_of(request).request_replan(f"{actor.id} assigned {order.id} to {data.driver_id}")
        return {"order": order_view(order, actor), "locked": data.lock}

    @post("/unassign", guards=[roles(*DISPATCH_ROLES)], status_code=200)
    async def unassign(self, request: Request, data: UnassignBody) -> dict[str, Any]:  # type: ignore[type-arg]
        """Take an order off its driver and drop its lock; the optimiser places it again."""
        services, actor = services_of(request), actor_of(request)
        order = await services.execute(dispatch.assign, dispatch.Assign(data.order_id, None, False, actor,
                                                                        services.clock()))
        dispatcher_of(request).request_replan(f"{actor.id} unassigned {order.id}")
        return {"order": order_view(order, actor), "locked": False}

    @post("/replan", guards=[roles(*DISPATCH_ROLES)], status_code=200, sync_to_thread=True)
    def replan(self, request: Request) -> dict[str, Any]:  # type: ignore[type-arg]
        """Re-plan now and return the new plan."""
        return public_doc(dispatcher_of(request).replan_now(f"requested by {actor_of(request).id}"))


def _driver_id(actor: Actor) -> str:
    if not actor.id:
        raise DomainError(AccountError.FORBIDDEN, "this account is not linked to a driver")
    return actor.id


class DriverSelfController(Controller):
    path = "/drivers/me"
    tags = ["dispatch"]

    @get("/stops", guards=[roles(Role.DRIVER)], sync_to_thread=True)
    def stops(self, request: Request) -> dict[str, Any]:  # type: ignore[type-arg]
        """My next stops in order, with ETAs (only mine)."""
        driver_id = _driver_id(actor_of(request))
        doc = dispatcher_of(request).current_doc()
        with services_of(request).connection() as conn:
            state = store.driver_state(conn, driver_id)
        return {"driver": state.view(), "computed_at": doc.get("computed_at"),
                "stops": driver_stops_view(doc, driver_id)}

    @post("/location", guards=[roles(Role.DRIVER)], status_code=200)
    async def location(self, request: Request, data: LocationBody) -> dict[str, Any]:  # type: ignore[type-arg]
        """A GPS fix. Older fixes than the stored one are ignored (`stored: false`)."""
        services, driver_id = services_of(request), _driver_id(actor_of(request))
        dispatcher = dispatcher_of(request)
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
    async def shift(self, request: Request, data: ShiftBody) -> dict[str, Any]:  # type: ignore[type-arg]
        """Go on or off shift. Off shift: no new orders; what is on board is still yours to deliver."""
        services, driver_id = services_of(request), _driver_id(actor_of(request))
        state = await services.execute(dispatch.set_shift, dispatch.SetShift(driver_id, data.on, services.clock()))
        dispatcher_of(request).request_replan(f"driver {driver_id} went {'on' if data.on else 'off'} shift")
        return {"driver": state.view()}
