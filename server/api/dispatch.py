"""Dispatch endpoints: the plan and manual assignment for dispatchers, own stops, GPS and shift for drivers."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from pydantic import BaseModel, Field

from core.errors import AccountError, DomainError, InputError
from core.orders import handlers
from core.orders.lifecycle import Role
from core.orders.model import Actor, Order
from server.api.views import order_view
from server.auth import roles
from server.db.uow import SqlUnitOfWork
from server.dispatch import store
from server.dispatch.planner import Dispatcher
from server.dispatch.views import driver_stops_view, public_doc
from server.services import Services

DISPATCH_ROLES = (Role.DISPATCHER, Role.ADMIN)
FUTURE_FIX_TOLERANCE = timedelta(minutes=2)  # phone clocks drift; a fix from further ahead is refused


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


def _publish_assignment(services: Services, uow: SqlUnitOfWork, order: Order, previous_driver: str | None) -> None:
    services.publish_after_commit(uow, order, {"type": "order.assigned", "order_id": order.id,
                                               "driver_id": order.driver_id, "seq": order.events[-1].seq})
    if previous_driver and previous_driver != order.driver_id:
        uow.after_commit.append(lambda: services.publish(f"driver:{previous_driver}",
                                                         {"type": "order.unassigned", "order_id": order.id}))


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
        now = services.clock()

        def write(uow: SqlUnitOfWork) -> Order:
            if store.find_driver(uow.conn, data.driver_id) is None:
                raise DomainError(AccountError.NOT_FOUND, f"no driver {data.driver_id!r}")
            order = handlers.get_order(data.order_id, actor, uow)
            previous = order.driver_id
            event = order.assign(data.driver_id, by=actor, now=now,
                                 reason="locked by dispatcher" if data.lock else "assigned by dispatcher")
            uow.orders.save(order, [event])
            if data.lock:
                store.lock(uow.conn, order.id, data.driver_id, actor.id, now)
            else:
                store.unlock(uow.conn, order.id)
            uow.commit()
            _publish_assignment(services, uow, order, previous)
            return order

        order = await services.write(write)
        dispatcher.request_replan(f"{actor.id} assigned {order.id} to {data.driver_id}")
        return {"order": order_view(order, actor), "locked": data.lock}

    @post("/unassign", guards=[roles(*DISPATCH_ROLES)], status_code=200)
    async def unassign(self, services: NamedDependency[Services], dispatcher: NamedDependency[Dispatcher],
                       actor: NamedDependency[Actor], data: JSONBody[UnassignBody]) -> dict[str, Any]:
        """Take an order off its driver and drop its lock; the optimiser places it again."""
        now = services.clock()

        def write(uow: SqlUnitOfWork) -> Order:
            order = handlers.get_order(data.order_id, actor, uow)
            previous = order.driver_id
            event = order.assign(None, by=actor, now=now, reason="unassigned by dispatcher")
            uow.orders.save(order, [event])
            store.unlock(uow.conn, order.id)
            uow.commit()
            _publish_assignment(services, uow, order, previous)
            return order

        order = await services.write(write)
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
        at = data.at or now
        if at.tzinfo is None:
            raise DomainError(InputError.INVALID, "at needs a timezone offset")
        if at > now + FUTURE_FIX_TOLERANCE:
            raise DomainError(InputError.INVALID, "at lies in the future")

        def write(uow: SqlUnitOfWork) -> tuple[store.StoredDriverState, bool]:
            prior = store.driver_state(uow.conn, driver_id)
            stored = store.set_position(uow.conn, driver_id, data.lat, data.lon, at, now)
            uow.commit()
            return prior, stored

        prior, stored = await services.write(write)
        if stored:
            stale = prior.position_at is None or (now - prior.position_at).total_seconds() > \
                dispatcher.policy.stale_position_s
            services.publish("dispatch", {"type": "driver.location", "driver_id": driver_id, "lat": data.lat,
                                          "lon": data.lon, "at": at.isoformat()})
            dispatcher.note_position(driver_id, became_available=prior.on_shift and stale)
        with services.connection() as conn:
            state = store.driver_state(conn, driver_id)
        return {"stored": stored, "driver": state.view()}

    @post("/shift", guards=[roles(Role.DRIVER)], status_code=200)
    async def shift(self, services: NamedDependency[Services], dispatcher: NamedDependency[Dispatcher],
                    actor: NamedDependency[Actor], data: JSONBody[ShiftBody]) -> dict[str, Any]:
        """Go on or off shift. Off shift: no new orders; what is on board is still yours to deliver."""
        driver_id = _driver_id(actor)
        now = services.clock()

        def write(uow: SqlUnitOfWork) -> store.StoredDriverState:
            if store.find_driver(uow.conn, driver_id) is None:
                raise DomainError(AccountError.NOT_FOUND, f"no driver {driver_id!r}")
            store.set_shift(uow.conn, driver_id, data.on, now)
            uow.commit()
            return store.driver_state(uow.conn, driver_id)

        state = await services.write(write)
        services.publish("dispatch", {"type": "driver.shift", "driver_id": driver_id, "on": data.on})
        dispatcher.request_replan(f"driver {driver_id} went {'on' if data.on else 'off'} shift")
        return {"driver": state.view()}
