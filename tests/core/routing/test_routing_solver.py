"""Dispatch solver on the geodesic backend: feasibility, re-planning, locks, reasons."""

from __future__ import annotations

import dataclasses

from core.routing import Problem, StopKind, UnassignedReason, VehicleType, plan_routes


def test_plan_serves_all_orders_with_feasible_routes(kit, geodesic):
    o = kit.offset
    drivers = (kit.driver("anna", o(0, 0)), kit.driver("ben", o(2, 2), vehicle=VehicleType.SCOOTER))
    tasks = tuple(
        kit.task(f"o{i}", o(i * 0.3, 0.2), o(-1 + i * 0.4, 1.5 - i * 0.2), ready=i * 120, window=(0, 2 * 3600))
        for i in range(6)
    )
    problem = Problem(drivers, tasks)
    plan = kit.solve_and_check(problem)
    assert plan.unassigned == ()
    assert set(plan.order_etas) == {t.order_id for t in tasks}
    for route in plan.routes:
        kinds = {(s.kind, s.order_id) for s in route.stops}
        for s in route.stops:  # every pickup planned has its drop-off on the same route
            if s.kind is StopKind.PICKUP:
                assert (StopKind.DROPOFF, s.order_id) in kinds
    for t in tasks:
        assert plan.order_etas[t.order_id] <= t.dropoff_window.end


def test_eta_respects_ready_time_and_window_start(kit):
    o = kit.offset
    problem = Problem((kit.driver("anna"),), (kit.task("o1", o(0.1, 0), o(0.5, 0), ready=900, window=(2400, 3600)),))
    plan = kit.solve_and_check(problem)
    pickup, dropoff = plan.route_of("anna").stops
    assert pickup.service_start >= 900
    assert dropoff.service_start >= 2400


def test_replanning_keeps_picked_up_orders_on_their_driver(kit, geodesic):
    o = kit.offset
    tasks = tuple(kit.task(f"o{i}", o(0.5 * i, 0), o(0.5 * i, 2), window=(0, 3 * 3600)) for i in range(4))
    drivers = (kit.driver("anna", o(0, -1)), kit.driver("ben", o(1.5, 1.9)))
    first = kit.solve_and_check(Problem(drivers, tasks))
    # Ben picks up o0 even though he is far from its customer; Anna is parked right at it.
    carried = "o0"
    moved = (
        dataclasses.replace(drivers[0], start=tasks[0].dropoff),
        dataclasses.replace(drivers[1], on_board=(carried,)),
    )
    problem = Problem(moved, tasks, now=600)
    second = kit.solve_and_check(problem, previous=first)
    assert second.driver_of(carried) == "ben"
    assert all(s.kind is StopKind.DROPOFF for s in second.route_of("ben").stops if s.order_id == carried)
    assert {u.order_id for u in second.unassigned} == set()


def test_locked_assignment_is_respected_even_when_another_driver_is_closer(kit):
    o = kit.offset
    near, far = kit.driver("near", o(-1, -1)), kit.driver("far", o(4, 4))
    problem = Problem((near, far), (kit.task("o1", o(-1, -0.9), o(-1.1, -1), locked_to="far"),
                                    kit.task("o2", o(-1, -1.1), o(-0.9, -1))))
    plan = kit.solve_and_check(problem)
    assert plan.driver_of("o1") == "far"
    assert plan.driver_of("o2") == "near"  # without a lock the cheap choice wins: the lock did it


def test_window_impossible_even_alone_is_reported(kit):
    o = kit.offset  # 6 km by bike takes well over 10 minutes
    problem = Problem((kit.driver("anna"),), (kit.task("late", o(0, 0), o(6, 0), window=(0, 600)),))
    plan = kit.solve_and_check(problem)
    (u,) = plan.unassigned
    assert (u.order_id, u.reason) == ("late", UnassignedReason.WINDOW_IMPOSSIBLE)
    assert "600" in u.detail


def test_capacity_and_shift_reasons(kit):
    o = kit.offset
    problem = Problem(
        (kit.driver("anna", capacity=2, shift=(0, 3600)),),
        (
            kit.task("big", o(0, 0), o(1, 0), size=3),
            kit.task("tonight", o(0, 0), o(1, 0), ready=5 * 3600, window=(5 * 3600, 6 * 3600)),
            kit.task("ok", o(0, 0), o(1, 0)),
        ),
    )
    plan = kit.solve_and_check(problem)
    reasons = {u.order_id: u.reason for u in plan.unassigned}
    assert reasons == {"big": UnassignedReason.CAPACITY, "tonight": UnassignedReason.NO_DRIVER_ON_SHIFT}
    assert plan.driver_of("ok") == "anna"


def test_capacity_binds_across_orders(kit):
    o = kit.offset  # capacity 2: three same-time orders cannot all be carried at once
    tasks = tuple(kit.task(f"o{i}", o(0, 0), o(3, 0), size=1, window=(0, 1500)) for i in range(3))
    plan = kit.solve_and_check(Problem((kit.driver("anna", capacity=2),), tasks))
    assert [u.reason for u in plan.unassigned] == [UnassignedReason.NO_ROOM]


def test_soft_window_allows_lateness_and_reports_it(kit):
    o = kit.offset
    late = kit.task("o1", o(0, 0), o(6, 0), window=(0, 600), hard=False, penalty=5)
    problem = Problem((kit.driver("anna"),), (late,))
    plan = kit.solve_and_check(problem)
    (dropoff,) = [s for s in plan.route_of("anna").stops if s.kind is StopKind.DROPOFF]
    assert plan.unassigned == ()
    assert dropoff.lateness > 0 and dropoff.service_start > 600


def test_on_board_order_that_is_already_late_is_still_delivered(kit):
    o = kit.offset
    late = kit.task("o1", o(0, 0), o(5, 0), window=(0, 60))
    problem = Problem((kit.driver("anna", on_board=("o1",)),), (late,))
    plan = kit.solve_and_check(problem)
    assert plan.driver_of("o1") == "anna"
    assert any("late" in w for w in plan.warnings)


def test_fixed_cost_consolidates_onto_fewer_drivers(kit):
    o = kit.offset
    tasks = tuple(kit.task(f"o{i}", o(0, 0.1 * i), o(0.5, 0.1 * i)) for i in range(4))
    spread = (kit.driver("a", o(0, 0)), kit.driver("b", o(0, 0.3)))
    cheap = kit.solve_and_check(Problem(spread, tasks))
    costly = kit.solve_and_check(Problem(tuple(dataclasses.replace(d, fixed_cost=10_000) for d in spread), tasks))
    used = lambda plan: sum(1 for r in plan.routes if r.stops)  # noqa: E731
    assert used(costly) == 1
    assert used(cheap) >= used(costly)


def test_warm_start_from_previous_plan_keeps_a_feasible_plan(kit, geodesic):
    o = kit.offset
    tasks = tuple(kit.task(f"o{i}", o(0.2 * i, 0), o(1, 0.3 * i)) for i in range(5))
    problem = Problem((kit.driver("a"), kit.driver("b", o(1, 1))), tasks)
    first = kit.solve_and_check(problem)
    extra = Problem(problem.drivers, tasks + (kit.task("new", o(0.5, 0.5), o(0.9, 0.1)),))
    second = kit.solve_and_check(extra, previous=first)
    assert second.driver_of("new") is not None


def test_unknown_locked_driver_is_reported(kit, geodesic):
    o = kit.offset
    problem = Problem((kit.driver("a"),), (kit.task("o1", o(0, 0), o(1, 0), locked_to="ghost"),))
    plan = plan_routes(problem, geodesic, kit.FAST)
    assert [(u.order_id, u.reason) for u in plan.unassigned] == [("o1", UnassignedReason.LOCKED_DRIVER_UNKNOWN)]
