"""Routing problem and plan model: plain dataclasses, no IO.

Time convention: every time in this package is a float number of **seconds since the plan epoch**
(`Problem.epoch`, a timezone-aware datetime chosen by the caller, typically "now" when dispatch runs).
Seconds keep the solver arithmetic simple; `Problem.at(seconds)` turns one back into a datetime.
Durations (service times, travel times) are seconds too.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta


class VehicleType(enum.Enum):
    """Kind of vehicle a driver rides; travel providers pick a speed profile from it."""

    BIKE = "bike"
    SCOOTER = "scooter"
    CAR = "car"


@dataclass(frozen=True)
class Location:
    """A WGS84 point (degrees)."""

    lat: float
    lon: float


@dataclass(frozen=True)
class TimeWindow:
    """Service must start in [start, end] (seconds since epoch).

    A hard window is a constraint; a soft one may be exceeded at `late_penalty_per_minute`
    cost units per minute late (one cost unit = one second of driving).
    """

    start: float
    end: float
    hard: bool = True
    late_penalty_per_minute: float = 0.0

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"time window ends ({self.end}) before it starts ({self.start})")


@dataclass(frozen=True)
class Driver:
    """A driver available for routing.

    `shift` bounds the whole route: leave no earlier than shift.start, finish the last drop-off by
    shift.end. Routes are open (no return to a depot), as drivers end wherever the last order is.
    `on_board` lists order ids already picked up by this driver: only their drop-off remains.
    """

    id: str
    start: Location
    shift: TimeWindow
    capacity: int
    vehicle: VehicleType = VehicleType.BIKE
    on_board: tuple[str, ...] = ()
    fixed_cost: float = 0.0


@dataclass(frozen=True)
class Task:
    """One order to carry from a merchant to a customer.

    `ready_from` is when the merchant hands it over (pickup cannot start earlier);
    `dropoff_window` is the window promised to the customer. `locked_to` pins the order to a
    driver id (a dispatcher's decision the solver must keep).
    """

    order_id: str
    pickup: Location
    dropoff: Location
    ready_from: float
    dropoff_window: TimeWindow
    pickup_service_s: float = 60.0
    dropoff_service_s: float = 120.0
    size: int = 1
    locked_to: str | None = None


@dataclass(frozen=True)
class Problem:
    """Everything the solver needs for one dispatch run."""

    drivers: tuple[Driver, ...]
    tasks: tuple[Task, ...]
    epoch: datetime | None = None
    now: float = 0.0  # no driver can leave before this instant

    def at(self, seconds: float) -> datetime:
        """Convert seconds-since-epoch to a datetime (needs `epoch`)."""
        if self.epoch is None:
            raise ValueError("problem has no epoch to convert seconds into datetimes")
        return self.epoch + timedelta(seconds=seconds)

    def task(self, order_id: str) -> Task:
        """The task for `order_id` (KeyError if absent)."""
        for task in self.tasks:
            if task.order_id == order_id:
                return task
        raise KeyError(order_id)

    def carrier_of(self, order_id: str) -> Driver | None:
        """The driver that has `order_id` on board, if any."""
        return next((d for d in self.drivers if order_id in d.on_board), None)


class StopKind(enum.Enum):
    PICKUP = "pickup"
    DROPOFF = "dropoff"


@dataclass(frozen=True)
class Stop:
    """One visit of a planned route; `service_start` is the ETA the customer or merchant sees."""

    kind: StopKind
    order_id: str
    location: Location
    arrival: float
    service_start: float
    departure: float
    lateness: float = 0.0


@dataclass(frozen=True)
class DriverRoute:
    driver_id: str
    stops: tuple[Stop, ...]


class UnassignedReason(enum.Enum):
    UNREACHABLE = "unreachable"
    WINDOW_IMPOSSIBLE = "window_impossible"
    CAPACITY = "capacity"
    NO_DRIVER_ON_SHIFT = "no_driver_on_shift"
    LOCKED_DRIVER_UNKNOWN = "locked_driver_unknown"
    NO_ROOM = "no_room"  # feasible alone, but not alongside the other orders


@dataclass(frozen=True)
class UnassignedTask:
    order_id: str
    reason: UnassignedReason
    detail: str


@dataclass(frozen=True)
class Plan:
    """Solver output: ordered stops per driver, ETA per order, and orders left out with why."""

    routes: tuple[DriverRoute, ...]
    unassigned: tuple[UnassignedTask, ...] = ()
    warnings: tuple[str, ...] = ()
    objective: float = 0.0
    order_etas: dict[str, float] = field(default_factory=dict)

    def route_of(self, driver_id: str) -> DriverRoute:
        """The route of `driver_id` (empty if the driver has no stops)."""
        return next((r for r in self.routes if r.driver_id == driver_id), DriverRoute(driver_id, ()))

    def driver_of(self, order_id: str) -> str | None:
        """Id of the driver whose route drops `order_id` off, or None."""
        for route in self.routes:
            if any(s.order_id == order_id and s.kind is StopKind.DROPOFF for s in route.stops):
                return route.driver_id
        return None
