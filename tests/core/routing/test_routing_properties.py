"""Property test: any small random dispatch problem yields a feasible plan, every order accounted for."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.routing import (
    Driver, GeodesicTravelTimes, Location, Problem, SolverOptions, Task, TimeWindow, VehicleType, check_plan,
    plan_routes,
)

CENTRE = Location(48.41, 15.60)
TRAVEL = GeodesicTravelTimes()


def near(dn: float, de: float) -> Location:
    return Location(CENTRE.lat + dn / 111.32, CENTRE.lon + de / (111.32 * math.cos(math.radians(CENTRE.lat))))


points = st.builds(near, st.floats(-3, 3), st.floats(-3, 3))


@st.composite
def problems(draw) -> Problem:
    n_drivers = draw(st.integers(1, 3))
    drivers = []
    for i in range(n_drivers):
        start = draw(st.integers(0, 3600))
        drivers.append([f"d{i}", draw(points), TimeWindow(start, start + draw(st.integers(1800, 4 * 3600))),
                        draw(st.integers(1, 4)), draw(st.sampled_from(list(VehicleType)))])
    tasks = []
    for k in range(draw(st.integers(1, 7))):
        ready = draw(st.integers(0, 5400))
        opens = ready + draw(st.integers(0, 1800))
        window = TimeWindow(opens, opens + draw(st.integers(300, 3600)), hard=draw(st.booleans()),
                            late_penalty_per_minute=draw(st.integers(0, 50)))
        locked = draw(st.one_of(st.none(), st.sampled_from([d[0] for d in drivers])))
        tasks.append(Task(f"o{k}", draw(points), draw(points), ready, window, size=draw(st.integers(1, 3)),
                          locked_to=locked))
    for task in tasks:  # some orders are already on board of a driver
        if draw(st.integers(0, 4)) == 0:
            carrier = draw(st.sampled_from(drivers))
            carrier.append(task.order_id)
    built = []
    for d in drivers:
        on_board = tuple(d[5:])
        locked_free = [t for t in tasks if t.order_id in on_board]
        capacity = max(d[3], sum(t.size for t in locked_free))  # on-board load must fit the vehicle
        built.append(Driver(d[0], d[1], d[2], capacity, d[4], on_board))
    return Problem(tuple(built), tuple(tasks), now=draw(st.integers(0, 600)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_random_problems_give_feasible_plans_or_reasons(problem):
    plan = plan_routes(problem, TRAVEL, SolverOptions(time_limit_s=0.2))
    assert check_plan(problem, plan, TRAVEL) == []
    planned = {s.order_id for r in plan.routes for s in r.stops}
    unassigned = {u.order_id for u in plan.unassigned}
    assert planned | unassigned == {t.order_id for t in problem.tasks}
    assert not planned & unassigned
    assert all(u.detail for u in plan.unassigned)
    for d in problem.drivers:
        for order_id in d.on_board:
            assert plan.driver_of(order_id) in (d.id, None)
