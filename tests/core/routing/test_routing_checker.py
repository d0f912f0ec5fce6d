"""The feasibility checker must catch broken plans, or the solver tests that rely on it prove nothing."""

from __future__ import annotations

import dataclasses

import pytest

from core.routing import DriverRoute, Plan, Problem, StopKind, TimeWindow, ViolationKind, check_plan


@pytest.fixture
def solved(kit, geodesic):
    o = kit.offset
    drivers = (kit.driver("anna", capacity=2, shift=(0, 2 * 3600)), kit.driver("ben", o(1, 1), on_board=("carried",)))
    tasks = (
        kit.task("o1", o(0.1, 0), o(0.8, 0), window=(0, 3600)),
        kit.task("o2", o(0.2, 0), o(0.9, 0.2), window=(0, 3600)),
        kit.task("carried", o(0, 0), o(1.2, 1), window=(0, 3600)),
    )
    problem = Problem(drivers, tasks)
    return problem, kit.solve_and_check(problem)


def kinds(problem, plan, travel):
    return {v.kind for v in check_plan(problem, plan, travel)}


def with_route(plan: Plan, driver_id: str, stops) -> Plan:
    routes = tuple(DriverRoute(r.driver_id, tuple(stops)) if r.driver_id == driver_id else r for r in plan.routes)
    return dataclasses.replace(plan, routes=routes)


def test_solved_plan_is_clean(solved, geodesic):
    problem, plan = solved
    assert check_plan(problem, plan, geodesic) == []
    assert plan.driver_of("carried") == "ben"


def test_swapped_pickup_and_dropoff_is_a_precedence_violation(solved, geodesic):
    problem, plan = solved
    driver_id = plan.driver_of("o1")
    stops = list(plan.route_of(driver_id).stops)
    i = next(k for k, s in enumerate(stops) if s.order_id == "o1" and s.kind is StopKind.PICKUP)
    j = next(k for k, s in enumerate(stops) if s.order_id == "o1" and s.kind is StopKind.DROPOFF)
    stops[i], stops[j] = stops[j], stops[i]
    assert ViolationKind.PRECEDENCE in kinds(problem, with_route(plan, driver_id, stops), geodesic)


def test_dropped_stop_is_missing(solved, geodesic):
    problem, plan = solved
    driver_id = plan.driver_of("o2")
    stops = [s for s in plan.route_of(driver_id).stops if s.order_id != "o2"]
    assert ViolationKind.MISSING in kinds(problem, with_route(plan, driver_id, stops), geodesic)


def test_on_board_order_moved_to_other_driver(solved, geodesic):
    problem, plan = solved
    carried = [s for s in plan.route_of("ben").stops if s.order_id == "carried"]
    moved = with_route(with_route(plan, "ben", [s for s in plan.route_of("ben").stops if s.order_id != "carried"]),
                       "anna", list(plan.route_of("anna").stops) + carried)
    assert ViolationKind.ON_BOARD_MOVED in kinds(problem, moved, geodesic)


def test_capacity_window_and_shift_violations(solved, geodesic, kit):
    problem, plan = solved
    tight = Problem(
        (dataclasses.replace(problem.drivers[0], capacity=1, shift=TimeWindow(0, 120)), problem.drivers[1]),
        tuple(
            dataclasses.replace(t, dropoff_window=dataclasses.replace(t.dropoff_window, end=60))
            if t.order_id == "o1" else t
            for t in problem.tasks
        ),
    )
    everything_on_anna = [s for r in plan.routes for s in r.stops if s.order_id in ("o1", "o2")]
    everything_on_anna.sort(key=lambda s: s.kind is StopKind.DROPOFF)  # both pickups first: load 2
    found = kinds(tight, with_route(plan, "anna", everything_on_anna), geodesic)
    assert {ViolationKind.CAPACITY, ViolationKind.TIME_WINDOW, ViolationKind.SHIFT} <= found


def test_optimistic_eta_is_flagged(solved, geodesic):
    problem, plan = solved
    route = plan.route_of("ben")
    first = dataclasses.replace(route.stops[0], service_start=route.stops[0].service_start - 300)
    assert ViolationKind.ETA_MISMATCH in kinds(problem, with_route(plan, "ben", [first, *route.stops[1:]]), geodesic)


def test_duplicate_stop(solved, geodesic):
    problem, plan = solved
    route = plan.route_of("ben")
    assert ViolationKind.DUPLICATE in kinds(problem, with_route(plan, "ben", [*route.stops, route.stops[-1]]), geodesic)
