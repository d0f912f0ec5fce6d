"""Why an order cannot be served at all: checks of each task on its own, before the solver runs.

The solver only learns "dropped"; a dispatcher needs "the address is off the map" or "no driver
works then". Each task is tried alone with every eligible driver and the most advanced stage any
driver gets to decides the reported reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from core.routing.model import Driver, Problem, Task, UnassignedReason, UnassignedTask

# Stages in the order they are checked; a driver failing a later stage is "closer" to serving the task.
_STAGES = (
    UnassignedReason.UNREACHABLE,
    UnassignedReason.CAPACITY,
    UnassignedReason.NO_DRIVER_ON_SHIFT,
    UnassignedReason.WINDOW_IMPOSSIBLE,
)


@dataclass(frozen=True)
class Legs:
    """Travel seconds (and reasons) for one task and one driver."""

    to_pickup: float
    to_pickup_reason: str | None
    pickup_to_dropoff: float
    pickup_to_dropoff_reason: str | None


def departure_time(driver: Driver, now: float) -> float:
    """Earliest instant the driver can leave the start position."""
    return max(driver.shift.start, now, 0.0)


def alone_schedule(task: Task, driver: Driver, legs: Legs, now: float) -> tuple[float, float]:
    """(drop-off service start, drop-off completion) when the driver serves only this task."""
    arrive = departure_time(driver, now) + legs.to_pickup
    leave_pickup = max(arrive, task.ready_from) + task.pickup_service_s
    start = max(leave_pickup + legs.pickup_to_dropoff, task.dropoff_window.start)
    return start, start + task.dropoff_service_s


def _stage_failure(task: Task, driver: Driver, legs: Legs, now: float) -> tuple[int, str] | None:
    """None when the driver could serve the task alone, else (stage index, detail)."""
    if math.isinf(legs.pickup_to_dropoff):
        return 0, f"customer cannot be reached from the merchant: {legs.pickup_to_dropoff_reason}"
    if math.isinf(legs.to_pickup):
        return 0, f"driver {driver.id} cannot reach the merchant: {legs.to_pickup_reason}"
    if task.size > driver.capacity:
        return 1, f"order size {task.size} exceeds capacity {driver.capacity} of driver {driver.id}"
    window = task.dropoff_window
    latest_useful = window.end if window.hard else math.inf
    if driver.shift.end < max(task.ready_from, now) or driver.shift.start > latest_useful:
        return 2, (
            f"driver {driver.id} works {driver.shift.start:.0f}-{driver.shift.end:.0f} s, "
            f"order is ready at {task.ready_from:.0f} s and due by {window.end:.0f} s"
        )
    start, done = alone_schedule(task, driver, legs, now)
    if done > driver.shift.end:
        return 3, f"driver {driver.id} would finish at {done:.0f} s, after shift end {driver.shift.end:.0f} s"
    if window.hard and start > window.end:
        return 3, (
            f"driver {driver.id} alone would deliver at {start:.0f} s, "
            f"after the promised window end {window.end:.0f} s"
        )
    return None


def unservable_reason(
    task: Task, problem: Problem, legs_for: dict[str, Legs]
) -> UnassignedTask | None:
    """The reason `task` cannot be served even on its own, or None when some driver could.

    `legs_for` maps driver id to that driver's travel legs for the task.
    """
    if task.locked_to is not None and not any(d.id == task.locked_to for d in problem.drivers):
        return UnassignedTask(
            task.order_id, UnassignedReason.LOCKED_DRIVER_UNKNOWN, f"locked to unknown driver {task.locked_to}"
        )
    eligible = [d for d in problem.drivers if task.locked_to in (None, d.id)]
    if not eligible:
        return UnassignedTask(task.order_id, UnassignedReason.NO_DRIVER_ON_SHIFT, "no drivers in the problem")
    best: tuple[int, str] | None = None
    for driver in eligible:
        failure = _stage_failure(task, driver, legs_for[driver.id], problem.now)
        if failure is None:
            return None
        if best is None or failure[0] > best[0]:
            best = failure
    assert best is not None
    return UnassignedTask(task.order_id, _STAGES[best[0]], best[1])
