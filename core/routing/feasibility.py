"""Independent feasibility checker for dispatch plans.

Shares no code with the solver on purpose: it re-times every route from the travel provider
(earliest-start schedule, float seconds) and checks the rules a plan must keep. Tests run it on
every plan the solver returns, so a modelling bug in the solver shows up as a violation here.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from core.routing.model import Plan, Problem, StopKind
from core.routing.travel import TravelTimeProvider

TOLERANCE_S = 1e-6
ETA_TOLERANCE_S = 1.0


class ViolationKind(enum.Enum):
    UNKNOWN_DRIVER = "unknown_driver"
    UNKNOWN_ORDER = "unknown_order"
    DUPLICATE = "duplicate"
    MISSING = "missing"  # neither planned nor reported unassigned
    SPLIT = "split"  # pickup and drop-off on different drivers / missing half
    PRECEDENCE = "precedence"
    ON_BOARD_MOVED = "on_board_moved"
    LOCKED = "locked"
    CAPACITY = "capacity"
    TIME_WINDOW = "time_window"
    SHIFT = "shift"
    UNREACHABLE_LEG = "unreachable_leg"
    ETA_MISMATCH = "eta_mismatch"


@dataclass(frozen=True)
class Violation:
    kind: ViolationKind
    detail: str
    driver_id: str | None = None
    order_id: str | None = None


def check_plan(problem: Problem, plan: Plan, travel: TravelTimeProvider) -> list[Violation]:
    """Every rule the plan breaks (empty list = feasible).

    Hard windows are checked on the earliest schedule; lateness of an on-board order is tolerated
    only when it is unavoidable (even driving straight there would be late).
    """
    out: list[Violation] = []
    drivers = {d.id: d for d in problem.drivers}
    tasks = {t.order_id: t for t in problem.tasks}
    carriers = {o: d.id for d in problem.drivers for o in d.on_board}
    seen: dict[tuple[StopKind, str], str] = {}
    for route in plan.routes:
        if route.driver_id not in drivers:
            out.append(Violation(
                ViolationKind.UNKNOWN_DRIVER, f"route for unknown driver {route.driver_id}", route.driver_id,
            ))
            continue
        for stop in route.stops:
            key = (stop.kind, stop.order_id)
            if stop.order_id not in tasks:
                out.append(Violation(
                    ViolationKind.UNKNOWN_ORDER,
                    f"stop for unknown order {stop.order_id}",
                    route.driver_id, stop.order_id,
                ))
            elif key in seen:
                out.append(Violation(
                    ViolationKind.DUPLICATE,
                    f"{stop.kind.value} of {stop.order_id} planned twice",
                    route.driver_id, stop.order_id,
                ))
            seen[key] = route.driver_id
    reported = {u.order_id for u in plan.unassigned}
    for order_id, task in tasks.items():
        drop = seen.get((StopKind.DROPOFF, order_id))
        pick = seen.get((StopKind.PICKUP, order_id))
        carrier = carriers.get(order_id)
        if drop is None:
            if pick is not None:
                out.append(Violation(ViolationKind.SPLIT, "picked up but never dropped off", pick, order_id))
            elif order_id not in reported:
                out.append(Violation(ViolationKind.MISSING, "neither planned nor reported unassigned", None, order_id))
            continue
        if order_id in reported:
            out.append(Violation(ViolationKind.DUPLICATE, "planned and also reported unassigned", drop, order_id))
        if carrier is not None:
            if drop != carrier or pick is not None:
                out.append(Violation(
                    ViolationKind.ON_BOARD_MOVED, f"on board of {carrier}, planned on {drop}", drop, order_id,
                ))
        elif pick != drop:
            out.append(Violation(ViolationKind.SPLIT, f"picked up by {pick}, dropped off by {drop}", drop, order_id))
        # Being on board beats a lock: the food is physically in that driver's vehicle.
        if task.locked_to is not None and carrier is None and drop != task.locked_to:
            out.append(Violation(
                ViolationKind.LOCKED, f"locked to {task.locked_to}, planned on {drop}", drop, order_id,
            ))
    for route in plan.routes:
        if route.driver_id in drivers:
            out.extend(_check_route(problem, route, drivers[route.driver_id], tasks, travel))
    return out


def _check_route(problem, route, driver, tasks, travel) -> list[Violation]:
    out: list[Violation] = []
    stops = [s for s in route.stops if s.order_id in tasks]
    if not stops:
        return out
    points = [driver.start] + [s.location for s in stops]
    legs = travel.matrix(points, points, driver.vehicle)
    load = sum(tasks[o].size for o in driver.on_board if o in tasks)
    clock = max(driver.shift.start, problem.now, 0.0)
    picked: set[str] = set()
    for k, stop in enumerate(stops, start=1):
        task = tasks[stop.order_id]
        where = task.pickup if stop.kind is StopKind.PICKUP else task.dropoff
        if stop.location != where:
            out.append(Violation(
                ViolationKind.UNKNOWN_ORDER,
                f"stop location differs from the order's {stop.kind.value}",
                driver.id, task.order_id,
            ))
        leg = legs.time(k - 1, k)
        if math.isinf(leg):
            out.append(Violation(
                ViolationKind.UNREACHABLE_LEG, legs.reason(k - 1, k) or "unreachable", driver.id, task.order_id,
            ))
            return out
        arrival = clock + leg
        if stop.kind is StopKind.PICKUP:
            start = max(arrival, task.ready_from)
            load += task.size
            picked.add(task.order_id)
            clock = start + task.pickup_service_s
        else:
            if task.order_id not in driver.on_board and task.order_id not in picked:
                out.append(Violation(ViolationKind.PRECEDENCE, "drop-off before pickup", driver.id, task.order_id))
            start = max(arrival, task.dropoff_window.start)
            load -= task.size
            window = task.dropoff_window
            if window.hard and start > window.end + TOLERANCE_S and not _unavoidable(problem, driver, task, legs, k):
                out.append(Violation(
                    ViolationKind.TIME_WINDOW,
                    f"drop-off at {start:.1f} s after window end {window.end:.1f} s",
                    driver.id, task.order_id,
                ))
            clock = start + task.dropoff_service_s
        if stop.service_start < start - TOLERANCE_S or abs(stop.service_start - start) > ETA_TOLERANCE_S:
            out.append(Violation(
                ViolationKind.ETA_MISMATCH,
                f"plan says {stop.service_start:.1f} s, re-timed {start:.1f} s",
                driver.id, task.order_id,
            ))
        if load > driver.capacity:
            out.append(Violation(
                ViolationKind.CAPACITY, f"load {load} exceeds capacity {driver.capacity}", driver.id, task.order_id,
            ))
    if clock > driver.shift.end + TOLERANCE_S:
        out.append(Violation(
            ViolationKind.SHIFT, f"route ends at {clock:.1f} s after shift end {driver.shift.end:.1f} s", driver.id,
        ))
    return out


def _unavoidable(problem, driver, task, legs, k) -> bool:
    """An on-board order that would be late even if delivered first is not the plan's fault."""
    if task.order_id not in driver.on_board:
        return False
    direct = max(driver.shift.start, problem.now, 0.0) + legs.time(0, k)
    return max(direct, task.dropoff_window.start) > task.dropoff_window.end
