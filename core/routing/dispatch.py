"""Live dispatch on top of the solver: open orders and driver states -> a routing Problem -> changes.

Pure functions, no IO. The server (server/dispatch) and the dispatch simulation (benchmarks/dispatch_sim)
both feed `DispatchOrder`s and `DriverState`s in, so this module knows nothing of the Order aggregate.

Rules worth knowing:
- Promised times are *soft* windows: late food is still delivered, lateness is
  priced, never refused.
- Food that is late in the kitchen (ready time passed, not ready yet) is expected `food_late_grace_s` from now.
- A driver who is off shift, or whose GPS has been silent longer than `stale_position_s`, takes no new
  orders but still delivers what is on board: such drivers are planned alone ("wind-down" problems).
- An order that cannot become a task at all (no address, locked to an absent driver, on board of nobody)
  is reported in `DispatchProblem.excluded` with a reason, like the solver's unassigned orders.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Iterable, Sequence

from core.routing.feasibility import Violation, check_plan
from core.routing.model import (
    Driver, DriverRoute, Location, Plan, Problem, Stop, StopKind, Task, TimeWindow, UnassignedReason,
    UnassignedTask, VehicleType,
)
from core.routing.solver import SolverOptions, plan_routes
from core.routing.travel import TravelTimeProvider


class Stage(enum.Enum):
    """Where an order is, as far as driving goes."""

    COOKING = "cooking"  # accepted or preparing: pickup waits for the kitchen
    READY = "ready"  # waiting at the counter
    ON_BOARD = "on_board"  # picked up: only the drop-off remains, with its carrier


@dataclass(frozen=True)
class DispatchOrder:
    """One open delivery order as dispatch sees it."""

    order_id: str
    pickup: Location
    dropoff: Location | None
    stage: Stage
    ready_at: datetime | None
    promised_at: datetime | None
    driver_id: str | None = None  # current assignment; the carrier when ON_BOARD
    locked_to: str | None = None  # a dispatcher's lock
    size: int = 1
    weight: float = 1.0  # lateness weight (VIP customers count more)
    eta: datetime | None = None  # the ETA last told to the customer


@dataclass(frozen=True)
class DriverState:
    """A driver as dispatch sees it: shift flag, last GPS fix and vehicle."""

    driver_id: str
    on_shift: bool
    position: Location | None
    position_at: datetime | None
    vehicle: VehicleType = VehicleType.SCOOTER
    capacity: int = 4


@dataclass(frozen=True)
class DispatchPolicy:
    horizon_s: float = 4 * 3600.0  # how far ahead routes may reach
    # Lateness is priced from the promise + this. 0 on purpose: planning up to a grace period leaves no room
    # for late food or slow traffic (benchmarks/dispatch_sim: on time within 5 min fell from 0.76 to 0.45
    # when the planner itself used those 5 min).
    late_after_promise_s: float = 0.0
    late_penalty_per_minute: float = 300.0  # one minute late costs five minutes of driving
    food_late_grace_s: float = 180.0
    stale_position_s: float = 15 * 60.0
    pickup_service_s: float = 60.0
    dropoff_service_s: float = 120.0
    wind_down_time_limit_s: float = 0.2


@dataclass(frozen=True)
class DispatchProblem:
    """The main problem (drivers taking orders), one problem per wind-down driver, and orders left out."""

    main: Problem
    wind_down: tuple[Problem, ...] = ()
    excluded: tuple[UnassignedTask, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def combined(self) -> Problem:
        """All drivers and tasks in one Problem (what the checker and the views look at)."""
        parts = (self.main, *self.wind_down)
        return Problem(
            drivers=tuple(d for p in parts for d in p.drivers),
            tasks=tuple(t for p in parts for t in p.tasks),
            epoch=self.main.epoch, now=self.main.now,
        )


def _seconds(when: datetime | None, epoch: datetime, default: float) -> float:
    return default if when is None else (when - epoch).total_seconds()


def available_reason(state: DriverState, now: datetime, policy: DispatchPolicy) -> str | None:
    """Why a driver takes no new orders right now, or None when they can."""
    if not state.on_shift:
        return "off shift"
    if state.position is None or state.position_at is None:
        return "no GPS position yet"
    if (now - state.position_at).total_seconds() > policy.stale_position_s:
        return f"no GPS position for {(now - state.position_at).total_seconds() / 60:.0f} min"
    return None


def order_task(order: DispatchOrder, now: datetime, policy: DispatchPolicy) -> Task:
    """The routing task of an order; times in seconds since `now`."""
    assert order.dropoff is not None
    if order.stage is Stage.COOKING:
        ready = _seconds(order.ready_at, now, policy.food_late_grace_s)
        ready = ready if ready > 0 else policy.food_late_grace_s  # ready time passed: the food is late
    else:
        ready = 0.0
    due = _seconds(order.promised_at, now, policy.horizon_s) + policy.late_after_promise_s
    window = TimeWindow(min(0.0, due), due, hard=False,
                        late_penalty_per_minute=policy.late_penalty_per_minute * order.weight)
    return Task(order.order_id, order.pickup, order.dropoff, ready, window, policy.pickup_service_s,
                policy.dropoff_service_s, order.size, order.locked_to)


def build_problem(orders: Iterable[DispatchOrder], drivers: Iterable[DriverState], now: datetime,
                  policy: DispatchPolicy = DispatchPolicy()) -> DispatchProblem:
    """Turn open orders and driver states into routing problems (epoch = now)."""
    orders, drivers = list(orders), list(drivers)
    states = {d.driver_id: d for d in drivers}
    excluded: list[UnassignedTask] = []
    notes: list[str] = []
    on_board: dict[str, list[DispatchOrder]] = {}
    open_tasks: list[Task] = []
    working = {d.driver_id for d in drivers if available_reason(d, now, policy) is None}
    for order in orders:
        if order.dropoff is None:
            excluded.append(UnassignedTask(order.order_id, UnassignedReason.UNREACHABLE,
                                           "the order has no delivery location"))
            continue
        if order.stage is Stage.ON_BOARD:
            carrier = states.get(order.driver_id or "")
            if carrier is None or carrier.position is None:
                excluded.append(UnassignedTask(
                    order.order_id, UnassignedReason.NO_DRIVER_ON_SHIFT,
                    f"picked up, but its carrier {order.driver_id or '(none)'} has no known position"))
                continue
            on_board.setdefault(carrier.driver_id, []).append(order)
            continue
        if order.locked_to is not None and order.locked_to not in working:
            state = states.get(order.locked_to)
            why = available_reason(state, now, policy) if state else "not a known driver"
            excluded.append(UnassignedTask(order.order_id, UnassignedReason.LOCKED_DRIVER_UNKNOWN,
                                           f"locked to {order.locked_to}, who takes no orders now: {why}"))
            continue
        open_tasks.append(order_task(order, now, policy))

    def routing_driver(state: DriverState, carried: list[DispatchOrder]) -> Driver:
        load = sum(o.size for o in carried)
        assert state.position is not None
        return Driver(state.driver_id, state.position, TimeWindow(0.0, policy.horizon_s),
                      max(state.capacity, load), state.vehicle, tuple(o.order_id for o in carried))

    main_drivers, wind_down = [], []
    for state in drivers:
        carried = on_board.get(state.driver_id, [])
        if state.driver_id in working:
            main_drivers.append(routing_driver(state, carried))
        elif carried:
            notes.append(f"{state.driver_id} takes no new orders ({available_reason(state, now, policy)}) "
                         f"but still delivers {len(carried)} on board")
            tasks = tuple(order_task(o, now, policy) for o in carried)
            wind_down.append(Problem((routing_driver(state, carried),), tasks, epoch=now))
    main_tasks = tuple(open_tasks) + tuple(
        order_task(o, now, policy) for d in main_drivers for o in on_board.get(d.id, []))
    main = Problem(tuple(main_drivers), main_tasks, epoch=now)
    return DispatchProblem(main, tuple(wind_down), tuple(excluded), tuple(notes))


def solve(problem: DispatchProblem, travel: TravelTimeProvider, options: SolverOptions = SolverOptions(),
          previous: Plan | None = None, policy: DispatchPolicy = DispatchPolicy()) -> Plan:
    """Solve the main and wind-down problems and merge them into one plan over `problem.combined`."""
    parts: list[Plan] = []
    if problem.main.drivers:
        parts.append(plan_routes(problem.main, travel, options, previous))
    elif problem.main.tasks:
        parts.append(Plan((), tuple(
            UnassignedTask(t.order_id, UnassignedReason.NO_DRIVER_ON_SHIFT, "no driver is on shift with a position")
            for t in problem.main.tasks)))
    small = replace(options, time_limit_s=min(options.time_limit_s, policy.wind_down_time_limit_s))
    parts += [plan_routes(p, travel, small, previous) for p in problem.wind_down]
    return Plan(
        routes=tuple(r for p in parts for r in p.routes),
        unassigned=tuple(u for p in parts for u in p.unassigned) + problem.excluded,
        warnings=tuple(w for p in parts for w in p.warnings) + problem.notes,
        objective=sum(p.objective for p in parts),
        order_etas={k: v for p in parts for k, v in p.order_etas.items()},
    )


def check(problem: DispatchProblem, plan: Plan, travel: TravelTimeProvider) -> list[Violation]:
    """The independent checker over the combined problem (excluded orders count as reported)."""
    return check_plan(problem.combined, plan, travel)


@dataclass(frozen=True)
class OrderChange:
    """What the plan changes for one order: its driver and/or the ETA the customer should see."""

    order_id: str
    driver_id: str | None
    eta: datetime | None
    driver_changed: bool
    eta_changed: bool


def plan_changes(orders: Sequence[DispatchOrder], plan: Plan, epoch: datetime,
                 eta_threshold_s: float = 120.0) -> list[OrderChange]:
    """Orders whose driver differs from the plan's, or whose ETA moved by at least `eta_threshold_s`.

    Orders on board never change driver (the food is in that vehicle); an order the plan leaves out
    loses its driver and its ETA.
    """
    out = []
    for order in orders:
        planned = plan.driver_of(order.order_id)
        driver = order.driver_id if order.stage is Stage.ON_BOARD else planned
        seconds = plan.order_etas.get(order.order_id)
        eta = epoch + timedelta(seconds=round(seconds)) if seconds is not None and planned is not None else None
        driver_changed = driver != order.driver_id
        if eta is None or order.eta is None:
            eta_changed = (eta is None) != (order.eta is None)
        else:
            eta_changed = abs((eta - order.eta).total_seconds()) >= eta_threshold_s
        if driver_changed or eta_changed:
            out.append(OrderChange(order.order_id, driver, eta if eta_changed else order.eta,
                                   driver_changed, eta_changed))
    return out


def route_signature(route: DriverRoute) -> tuple[tuple[str, str], ...]:
    """The stop sequence of a route (kind, order), to tell drivers only when it really changed."""
    return tuple((s.kind.value, s.order_id) for s in route.stops)


def next_stop_overdue(route: DriverRoute, elapsed_s: float, threshold_s: float) -> Stop | None:
    """The route's first stop if the driver should have reached it more than `threshold_s` ago.

    `elapsed_s` is the time since the plan's epoch. Completed stops leave the plan on the next re-plan
    (a pickup or delivery is an order event), so the first stop is always the one being driven to.
    """
    if not route.stops:
        return None
    first = route.stops[0]
    return first if elapsed_s > first.arrival + threshold_s else None


@dataclass
class PlanStats:
    """Small summary for logs and the plan view."""

    orders: int = 0
    assigned: int = 0
    unassigned: int = 0
    late: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


def plan_stats(plan: Plan) -> PlanStats:
    """Counts and totals of a plan (stops, late stops, distance) for logs and the plan view."""
    stats = PlanStats()
    for route in plan.routes:
        for stop in route.stops:
            if stop.kind is StopKind.DROPOFF:
                stats.assigned += 1
                stats.late += int(stop.lateness > 0)
    for u in plan.unassigned:
        stats.unassigned += 1
        stats.reasons[u.reason.value] = stats.reasons.get(u.reason.value, 0) + 1
    stats.orders = stats.assigned + stats.unassigned
    return stats
